"""The accrual work on RabbitMQ against a hostile broker: stopped for 30 s
while orders are uploaded, killed with SIGKILL and started again, frozen
while a consumer commits and then killed with it (so the acks never arrive),
two instances sharing one queue, a 429 pausing every instance, and a poison
message in the dead-letter queue put back by the operator's verb. Each test
reports orders uploaded, processed, lost, credited twice and the time to
drain (printed after the run). They stop, kill and freeze the broker that
scripts/test starts (GM_RABBITMQ_DIR), and put it back however they end.

Run in the SQLite and PostgreSQL passes; the pass that sends every test
through the broker would only repeat them."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pika
import pytest
import requests

from conftest import ROOT, BINARY, QUEUE, STORE, Client, metric, new_order_number, query, wait_until
from test_operations import shown

AMQP = os.environ.get("GM_AMQP_URI")
BROKER_DIR = os.environ.get("GM_RABBITMQ_DIR")
pytestmark = [
    pytest.mark.skipif(not AMQP or not BROKER_DIR, reason="no broker of our own (scripts/test starts one)"),
    pytest.mark.skipif(QUEUE == "rabbitmq", reason="run once per store, in the passes with the embedded default"),
]
WORK = "gophermart.accrual.work"
DEAD = "gophermart.accrual.dead"


class Broker:
    """The broker of scripts/start-rabbitmq, to stop, kill and freeze."""

    def ctl(self, *args, check=True):
        return subprocess.run([str(ROOT / "scripts" / "rabbitmq-as-owner"), BROKER_DIR,
                               "/usr/lib/rabbitmq/bin/rabbitmqctl", *args],
                              capture_output=True, text=True, timeout=120, check=check).stdout

    def pid(self):
        return int((Path(BROKER_DIR) / "pid").read_text().strip())

    def alive(self):
        """The node's process is there and not a zombie."""
        try:
            stat = Path(f"/proc/{self.pid()}/stat").read_text()
        except (OSError, ValueError):
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"

    def stop_app(self):
        self.ctl("stop_app")

    def start_app(self):
        self.ctl("start_app")
        self.ctl("await_startup")

    def kill(self):
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not self.alive(), timeout=30, message="the broker gone")

    def freeze(self):
        os.kill(self.pid(), signal.SIGSTOP)

    def launch(self):
        subprocess.run([str(ROOT / "scripts" / "launch-rabbitmq"), BROKER_DIR], check=True, timeout=180,
                       capture_output=True)

    def purge(self, queue):
        self.ctl("purge_queue", queue)

    def ready(self, queue):
        for line in self.ctl("-q", "list_queues", "name", "messages_ready").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == queue:
                return int(parts[1])
        return 0


@pytest.fixture
def broker():
    broker = Broker()
    yield broker
    # Up again for the tests after, whatever this one did to it.
    if broker.alive():
        os.kill(broker.pid(), signal.SIGCONT)
        broker.start_app()
    else:
        broker.launch()


def credits(database):
    """Credits recorded per order number: the event log, not the balance."""
    counted = {}
    for (data,) in query(database, "SELECT data FROM events WHERE type = 'points_accrued.v1'"):
        order = json.loads(data)["order"]
        counted[order] = counted.get(order, 0) + 1
    return counted


def drain(client, numbers, accrual_each, started, report, timeout=90):
    """Waits for every order to reach PROCESSED, then checks and reports:
    none lost, none credited twice, the balance exactly their sum."""
    deadline = time.monotonic() + timeout
    for number in numbers:
        client.wait_status(number, "PROCESSED", timeout=max(1, deadline - time.monotonic()))
    drained = time.monotonic() - started
    statuses = {o["number"]: o["status"] for o in client.orders()}
    processed = sum(1 for n in numbers if statuses.get(n) == "PROCESSED")
    counted = credits(client.server.database)
    twice = sum(1 for n in numbers if counted.get(n, 0) > 1)
    report(len(numbers), processed, len(numbers) - processed, twice, drained)
    assert processed == len(numbers), "none lost"
    assert twice == 0, "none credited twice"
    assert all(counted.get(n) == 1 for n in numbers), "each credited once"
    assert client.balance()["current"] == accrual_each * len(numbers)


def uploaded(client, number):
    # Answered while the broker is away: the upload only writes the outbox.
    response = client.session.post(client.server.url("/api/user/orders"), data=number,
                                   headers={"Content-Type": "text/plain"}, timeout=5)
    assert response.status_code == 202, response.text


def readiness(server):
    return requests.get(server.url("/readyz"), timeout=5).json()


def test_the_broker_stopped_for_30_s_while_orders_are_uploaded(make_server, accrual, broker, drain_report):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP})
    client = Client(server)
    numbers = [new_order_number() for _ in range(30)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
    wait_until(lambda: readiness(server)["queue"]["connected"], message="the link up")
    broker.stop_app()
    wait_until(lambda: not readiness(server)["queue"]["connected"], message="/readyz to show the link down")
    assert requests.get(server.url("/readyz"), timeout=5).status_code == 200, "still ready: uploads work"
    stopped = time.monotonic()
    for number in numbers:
        uploaded(client, number)
        time.sleep(1)
    assert accrual.count() == 0, "nothing reached the accrual system without the broker"
    assert client.balance()["current"] == 0
    text = requests.get(server.url("/metrics"), timeout=5).text
    assert metric(text, "gophermart_broker_connected") == 0
    assert metric(text, "gophermart_outbox_unconfirmed") == len(numbers), "every row awaits its confirm"
    assert metric(text, "gophermart_accrual_queue_depth") == len(numbers)
    time.sleep(max(0, 30 - (time.monotonic() - stopped)))
    broker.start_app()
    started = time.monotonic()
    drain(client, numbers, 10, started, drain_report)
    assert readiness(server)["queue"]["connected"]
    text = requests.get(server.url("/metrics"), timeout=5).text
    assert metric(text, "gophermart_broker_connections") >= 2
    assert shown(text, "gophermart_outbox_unconfirmed") and metric(text, "gophermart_outbox_unconfirmed") == 0
    assert shown(text, "gophermart_accrual_queue_depth") and metric(text, "gophermart_accrual_queue_depth") == 0


def test_the_broker_killed_and_started_again_mid_drain(make_server, accrual, broker, drain_report):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP})
    client = Client(server)
    numbers = [new_order_number() for _ in range(40)]
    for number in numbers:
        # One re-check each, so messages sit in a retry tier when it dies.
        accrual.answer(number, (200, {"order": number, "status": "PROCESSING"}, {}), accrual.processed(number, 10))
    accrual.delay = 0.02
    for number in numbers[:30]:
        uploaded(client, number)
    wait_until(lambda: accrual.count() >= 5, message="the first orders are being checked")
    broker.kill()
    for number in numbers[30:]:
        uploaded(client, number)
    broker.launch()
    started = time.monotonic()
    accrual.delay = 0
    # Re-checks that expire while the restarted broker elects its queues'
    # leaders may come back up to about 2 minutes late: its at-least-once
    # dead-lettering publishes them again when a confirm does not come
    # (RabbitMQ's 120 s default). Late, not lost: the drain time says so.
    drain(client, numbers, 10, started, drain_report, timeout=300)
    wait_until(lambda: "lost the connection to RabbitMQ" in server.log(), message="the loss is logged")


def test_a_consumer_killed_after_its_commit_before_its_ack(make_server, accrual, broker, drain_report):
    env = {"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP}
    first = make_server(env=env)
    client = Client(first)
    numbers = [new_order_number() for _ in range(10)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
    accrual.delay = 1.0
    for number in numbers:
        uploaded(client, number)
    wait_until(lambda: accrual.count() >= 1, message="a check in flight")
    # Frozen before the answer comes: whatever the consumer commits from
    # now on, the broker never reads its ack.
    broker.freeze()
    wait_until(lambda: query(first.database, "SELECT count(*) FROM orders_view WHERE status = 'PROCESSED'")[0][0]
               != "0", timeout=15, message="a result committed while the broker is frozen")
    first.kill()
    committed = {n for (n,) in query(first.database, "SELECT number FROM orders_view WHERE status = 'PROCESSED'")}
    asked_before = {n: accrual.count(n) for n in committed}
    broker.kill()
    broker.launch()
    accrual.delay = 0
    second = make_server(env=env, database=first.database)
    client.server = second
    started = time.monotonic()
    drain(client, numbers, 10, started, drain_report)
    # Their messages came again, unacknowledged, and changed nothing.
    wait_until(lambda: metric(requests.get(second.url("/metrics"), timeout=5).text,
                              "gophermart_broker_deliveries_total", outcome="duplicate") >= len(committed),
               message="the redeliveries of committed orders seen as duplicates")
    for number in committed:
        assert accrual.count(number) == asked_before[number], "a committed order is not asked again"


def consuming_pair(make_server, accrual, tmp_path):
    """Two consuming instances on one PostgreSQL database, both links up."""
    if STORE != "postgres":
        pytest.skip("two instances share one database on PostgreSQL only")
    env = {"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP}
    one = make_server(env=env)
    (tmp_path / "two").mkdir()
    two = make_server(env=env, workdir=tmp_path / "two", database=one.database)
    for server in (one, two):
        wait_until(lambda: readiness(server)["queue"]["connected"], message="both links up")
    return one, two


def test_two_instances_share_one_queue(make_server, accrual, tmp_path, broker, drain_report):
    one, two = consuming_pair(make_server, accrual, tmp_path)
    client = Client(one)
    numbers = [new_order_number() for _ in range(60)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
    accrual.delay = 0.01
    started = time.monotonic()
    for number in numbers:
        uploaded(client, number)
    drain(client, numbers, 10, started, drain_report)
    for server in (one, two):
        text = requests.get(server.url("/metrics"), timeout=5).text
        assert metric(text, "gophermart_broker_deliveries_total", outcome="claimed") > 0, "both consumed"


def test_a_429_pauses_every_instance(make_server, accrual, tmp_path, broker, drain_report):
    one, two = consuming_pair(make_server, accrual, tmp_path)
    client = Client(one)
    limited = new_order_number()
    accrual.answer(limited, (429, "", {"Retry-After": "2"}), accrual.processed(limited, 10))
    numbers = [new_order_number() for _ in range(40)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
    accrual.delay = 0.02
    started = time.monotonic()
    uploaded(client, limited)
    for number in numbers:
        uploaded(client, number)
    drain(client, [limited, *numbers], 10, started, drain_report)
    refused_at = next(at for at, n in accrual.requests if n == limited)
    # Requests already out when it came land just after; then neither
    # instance asks until Retry-After has passed.
    during = [n for at, n in accrual.requests if refused_at + 0.3 < at < refused_at + 1.9]
    assert during == [], f"{len(during)} requests during the pause"
    assert any(at >= refused_at + 1.9 for at, n in accrual.requests if n == limited), "asked again after it"
    logs = one.log() + two.log()
    assert "accrual system rate limit: pausing all requests" in logs
    for server in (one, two):
        assert "told of a 429" in server.log(), "each instance heard the notice"
    assert sum(1 for at, _ in accrual.requests if at >= refused_at + 1.9) >= 5, \
        "orders were left to check when the pause ended: it held back real work"


def publish(queue, body):
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish("", queue, body.encode(), pika.BasicProperties(delivery_mode=2))
    finally:
        connection.close()


def dead_letter(numbers):
    """Takes the work messages of `numbers` and rejects them without requeue:
    the broker dead-letters them as it does past the delivery limit."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    try:
        channel = connection.channel()
        left = set(numbers)
        deadline = time.monotonic() + 20
        while left and time.monotonic() < deadline:
            method, _, body = channel.basic_get(WORK)
            if method is None:
                time.sleep(0.05)
                continue
            number = body.decode().split(" ")[0]
            if number in left:
                channel.basic_reject(method.delivery_tag, requeue=False)
                left.discard(number)
            else:
                channel.basic_ack(method.delivery_tag)  # an earlier test's, whose database is gone
        assert not left, f"work messages never seen: {left}"
    finally:
        connection.close()


def test_a_poison_message_reaches_the_dead_letter_queue_and_orders_are_put_back(make_server, accrual, broker,
                                                                                  drain_report, tmp_path):
    broker.purge(WORK)  # messages of earlier tests, whose databases are gone
    broker.purge(DEAD)
    relaying = make_server(env={"AMQP": AMQP})  # publishes, does not consume
    client = Client(relaying)
    numbers = [new_order_number() for _ in range(3)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
        uploaded(client, number)
    wait_until(lambda: broker.ready(WORK) >= 3, message="the orders in the work queue")
    dead_letter(numbers)
    publish(WORK, "not an order")
    relaying.stop()

    (tmp_path / "consumer").mkdir()
    consumer = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP},
                           workdir=tmp_path / "consumer", database=relaying.database)
    client.server = consumer

    def gauge():
        return metric(requests.get(consumer.url("/metrics"), timeout=5).text, "gophermart_broker_dead_letters")

    wait_until(lambda: gauge() == 4, timeout=20, message="the three orders and the poison message counted")
    assert metric(requests.get(consumer.url("/metrics"), timeout=5).text, "gophermart_broker_deliveries_total",
                  outcome="poison") == 1, "the poison message went straight to the dead-letter queue"
    assert readiness(consumer)["queue"]["dead_letters"] == 4
    wait_until(lambda: "orders wait in the RabbitMQ dead-letter queue" in consumer.log(), message="the log says so")
    assert all(client.order(n)["status"] == "NEW" for n in numbers), "kept, not processed, not lost"
    assert accrual.count() == 0

    started = time.monotonic()
    verb = subprocess.run([str(BINARY), "requeue-dead-letters", "--amqp", AMQP], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"}, cwd=tmp_path)
    assert verb.returncode == 0, verb.stderr
    assert verb.stdout.strip() == "put 4 dead letters back on the work queue"
    drain(client, numbers, 10, started, drain_report)
    # The poison message is poison still: back in the dead-letter queue.
    wait_until(lambda: gauge() == 1, timeout=20, message="the poison message dead again")
    broker.purge(DEAD)

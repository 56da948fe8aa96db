"""The accrual work through RabbitMQ (AMQP set; GM_AMQP_URI names the
broker scripts/test starts): uploads are relayed from the outbox to the work
queue and consumed, every order reaches its final status and is credited
once, re-checks go round the retry tiers, and two instances share the
queue. Skipped when no broker is named."""

import os
import subprocess
import time

import pytest

from conftest import ROOT, STORE, Client, new_order_number, wait_until

AMQP = os.environ.get("GM_AMQP_URI")
pytestmark = pytest.mark.skipif(not AMQP, reason="GM_AMQP_URI is not set (scripts/test sets it)")


def rabbitmqctl(*args):
    return subprocess.run([str(ROOT / "scripts" / "rabbitmq-as-owner"), os.environ["GM_RABBITMQ_DIR"],
                           "/usr/lib/rabbitmq/bin/rabbitmqctl", *args],
                          capture_output=True, text=True, timeout=60, check=True).stdout


def test_orders_go_through_the_broker_and_are_credited_once(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP})
    wait_until(lambda: '"queue":"rabbitmq"' in server.log(), message="the start-up line names the queue")
    client = Client(server)
    numbers = [new_order_number() for _ in range(20)]
    for number in numbers:
        # One re-check each: NEW -> PROCESSING (a retry tier) -> PROCESSED.
        accrual.answer(number, (200, {"order": number, "status": "PROCESSING"}, {}), accrual.processed(number, 100))
        assert client.upload(number).status_code == 202
    for number in numbers:
        assert client.wait_status(number, "PROCESSED", timeout=30)["accrual"] == 100
    assert client.balance() == {"current": 2000, "withdrawn": 0}, "each order credited exactly once"
    time.sleep(1.5)  # past the shortest retry tier: nothing is left to come back
    assert client.balance() == {"current": 2000, "withdrawn": 0}
    for number in numbers:
        assert accrual.count(number) == 2, (number, accrual.count(number))
        first, second = [at for at, n in accrual.requests if n == number]
        assert second - first >= 0.2, "the re-check waited in a retry tier (250 ms)"


def test_an_instance_without_an_accrual_system_only_relays_and_another_consumes(make_server, accrual, tmp_path):
    if STORE != "postgres":
        pytest.skip("two instances share one database on PostgreSQL only")
    relaying = make_server(env={"AMQP": AMQP})
    client = Client(relaying)
    before = work_ready()
    numbers = [new_order_number() for _ in range(5)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 7))
        assert client.upload(number).status_code == 202
    # Published by the instance that only relays: nobody consumes yet.
    wait_until(lambda: work_ready() >= before + 5, message="the five orders in the work queue")
    (tmp_path / "second").mkdir()
    consuming = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP},
                            workdir=tmp_path / "second", database=relaying.database)
    for number in numbers:
        client.wait_status(number, "PROCESSED", timeout=30)
    client.server = consuming  # the same token: both instances share the database's key
    assert client.balance()["current"] == 35


def work_ready():
    """Messages ready in the work queue."""
    for line in rabbitmqctl("-q", "list_queues", "name", "messages_ready").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "gophermart.accrual.work":
            return int(parts[1])
    return 0


def test_a_consumer_killed_mid_way_loses_nothing_and_credits_once(make_server, accrual):
    env = {"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP}
    server = make_server(env=env)
    client = Client(server)
    numbers = [new_order_number() for _ in range(30)]
    for number in numbers:
        accrual.answer(number, accrual.processed(number, 10))
    accrual.delay = 0.05  # so the kill finds deliveries in hand
    for number in numbers:
        assert client.upload(number).status_code == 202
    wait_until(lambda: accrual.count() >= 3, message="the first orders are being checked")
    server.kill()
    accrual.delay = 0
    client.server = make_server(env=env, database=server.database)
    for number in numbers:
        client.wait_status(number, "PROCESSED", timeout=60)
    assert client.balance()["current"] == 300, "none lost, none credited twice"


def test_the_broker_closing_every_connection_mid_drain_loses_nothing(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "AMQP": AMQP})
    client = Client(server)
    numbers = [new_order_number() for _ in range(30)]
    for number in numbers:
        accrual.answer(number, (200, {"order": number, "status": "PROCESSING"}, {}), accrual.processed(number, 10))
    accrual.delay = 0.02
    for number in numbers:
        assert client.upload(number).status_code == 202
    wait_until(lambda: accrual.count() >= 5, message="the first orders are being checked")
    rabbitmqctl("close_all_connections", "a test closes every connection")
    accrual.delay = 0
    for number in numbers:
        client.wait_status(number, "PROCESSED", timeout=60)
    assert client.balance()["current"] == 300, "none lost, none credited twice"
    wait_until(lambda: "lost the connection to RabbitMQ" in server.log(), message="the loss is logged")
    wait_until(lambda: server.log().count("connected to RabbitMQ") >= 2, message="and the link came back")

"""Drains N orders (10 000 by default) through our accrual system, answering
at once (no rate limit, no processing delay), with each queue on each store,
and prints the drain time beside references measured in the same run: the
accrual system's own rate (wrk, one connection and four) and, when RabbitMQ
is measured, a bare client's confirmed publishes and consumed messages per
second on the same broker (amqp_reference).

The orders are uploaded first by an instance that does not check them (with
AMQP: one that only relays them to the work queue), by 100 users; then an
instance that checks them starts on the same database, and the drain is
the time from its start to the last order PROCESSED in the database.

Needs a release build (scripts/build release) and wrk (installed with apt
when missing). GM_BASELINE_BIN=<another gophermart> drains with that one
too, in the same run, for a before-and-after. Starts a throwaway PostgreSQL cluster and RabbitMQ broker of
its own unless GM_POSTGRES_URI / GM_AMQP_URI (with GM_RABBITMQ_DIR) name one.

Usage: /usr/bin/python3 bench/accrual_drain.py [orders] [stores] [queues]
  e.g. bench/accrual_drain.py 10000 sqlite,postgres embedded,rabbitmq   (about 4 minutes)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
import conftest  # noqa: E402
from conftest import ROOT, Client, Service, wait_until  # noqa: E402
from rated_orders import rated_orders  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more

RELEASE = ROOT / "build" / "release"
USERS = 100
WORK = "gophermart.accrual.work"


def started(script):
    """Runs scripts/start-*, answering the variables it printed."""
    out = subprocess.run([str(ROOT / "scripts" / script)], check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def rabbitmqctl(*args):
    return subprocess.run([str(ROOT / "scripts" / "rabbitmq-as-owner"), os.environ["GM_RABBITMQ_DIR"],
                           "/usr/lib/rabbitmq/bin/rabbitmqctl", *args],
                          check=True, capture_output=True, text=True).stdout


def ready_in_work_queue():
    for line in rabbitmqctl("-q", "list_queues", "name", "messages_ready").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == WORK:
            return int(parts[1])
    return 0


def wrk_rate(url, connections, seconds=3):
    run = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))


class Processed:
    """Counts the orders PROCESSED in a service's database over one kept
    connection (a psql per poll would take a good part of a core from the
    drain it measures)."""

    QUERY = "SELECT COUNT(*) FROM orders_view WHERE status = 'PROCESSED';"

    def __init__(self, store, database):
        self.psql = None
        if store == "sqlite":
            import sqlite3
            self.db = sqlite3.connect(database)
        else:
            self.psql = subprocess.Popen(["psql", database, "-At"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)

    def __call__(self):
        if self.psql is None:
            return self.db.execute(self.QUERY).fetchone()[0]
        self.psql.stdin.write(self.QUERY + "\n")
        self.psql.stdin.flush()
        return int(self.psql.stdout.readline())

    def close(self):
        if self.psql is None:
            self.db.close()
        else:
            self.psql.stdin.close()
            self.psql.wait()


def drain(directory, binary, store, queue, accrual, numbers):
    conftest.STORE = store
    env = {"JWT_KEY": BENCH_JWT_KEY}
    if queue == "rabbitmq":
        env["AMQP"] = os.environ["GM_AMQP_URI"]
        rabbitmqctl("purge_queue", WORK)
    work = Path(tempfile.mkdtemp(dir=directory, prefix=f"{store}-{queue}-"))
    uploader = Service(work, binary=binary, env=env).start()
    try:
        clients = [Client(uploader) for _ in range(USERS)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda i: clients[i % USERS].upload(numbers[i]).status_code, range(len(numbers))))
        assert answers.count(202) == len(numbers), {s: answers.count(s) for s in set(answers)}
        if queue == "rabbitmq":
            wait_until(lambda: ready_in_work_queue() >= len(numbers), timeout=120, interval=0.2,
                       message="every order relayed to the work queue")
    finally:
        uploader.stop()
    checker = Service(work, binary=binary, env={**env, "ACCRUAL_SYSTEM_ADDRESS": accrual.base},
                      database=uploader.database)
    processed = Processed(store, uploader.database)
    checker.start()
    began = time.monotonic()
    try:
        wait_until(lambda: processed() == len(numbers), timeout=600, interval=0.05, message="every order PROCESSED")
        return time.monotonic() - began
    finally:
        checker.stop()
        processed.close()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    stores = (sys.argv[2] if len(sys.argv) > 2 else "sqlite,postgres").split(",")
    queues = (sys.argv[3] if len(sys.argv) > 3 else "embedded,rabbitmq").split(",")
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    owned = []
    if "postgres" in stores and "GM_POSTGRES_URI" not in os.environ:
        os.environ.update(started("start-postgres"))
        owned.append(("stop-postgres", os.environ["GM_PGDIR"]))
    if "rabbitmq" in queues and "GM_AMQP_URI" not in os.environ:
        os.environ.update(started("start-rabbitmq"))
        owned.append(("stop-rabbitmq", os.environ["GM_RABBITMQ_DIR"]))
    try:
        with tempfile.TemporaryDirectory() as directory:
            conftest.STORE = "sqlite"
            accrual = Service(directory, binary=RELEASE / "accrual").start()
            try:
                numbers = rated_orders(accrual, count, {"match": "Bork", "reward": 1, "reward_type": "pt"}, 1)
                one = accrual.url(f"/api/orders/{numbers[0]}")
                print(f"reference: accrual answers {wrk_rate(one, 1):.0f} requests/s on one connection, "
                      f"{wrk_rate(one, 4):.0f} on four")
                if "rabbitmq" in queues:
                    reference = subprocess.run([str(RELEASE / "amqp_reference"), os.environ["GM_AMQP_URI"], "20000"],
                                               check=True, capture_output=True, text=True).stdout.strip()
                    print(f"reference: bare RabbitMQ client, 20000 messages: {reference}")
                binaries = [("this build", RELEASE / "gophermart")]
                if os.environ.get("GM_BASELINE_BIN"):
                    binaries.append(("baseline", Path(os.environ["GM_BASELINE_BIN"])))
                for store in stores:
                    for queue in queues:
                        for name, binary in binaries:
                            seconds = drain(directory, binary, store, queue, accrual, numbers)
                            print(f"{store:8} {queue:8} {name:10} {count} orders drained in {seconds:5.2f} s "
                                  f"({count / seconds:.0f} orders/s)", flush=True)
            finally:
                accrual.stop()
    finally:
        for script, folder in owned:
            subprocess.run([str(ROOT / "scripts" / script), folder], capture_output=True)


if __name__ == "__main__":
    main()

"""PostgreSQL going away and coming back: requests answer 503 with
Retry-After while it is unreachable (never 500, never a hang), the process
stays up, and everything works again once it is back, without a restart.
PostgreSQL only: an embedded SQLite file cannot be taken away like this."""

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import STORE, Client, new_order_number, wait_until

pytestmark = pytest.mark.skipif(STORE != "postgres", reason="takes a PostgreSQL database away")

# What "never a hang" means here: a request not answered within three times
# the service's database deadline (5 s) is taken for hung.
HANG = 15


def admin(sql):
    subprocess.run(["psql", os.environ["GM_POSTGRES_URI"], "-qc", sql], check=True, capture_output=True)


def test_an_unreachable_database_answers_503_and_recovery_needs_no_restart(server):
    client = Client(server)
    assert client.upload(new_order_number()).status_code == 202
    name = server.database.rsplit("/", 1)[1]
    auth = {"Authorization": client.token}

    admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    try:
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        for path in ("/api/user/balance", "/api/user/orders", "/api/user/withdrawals"):
            answer = requests.get(server.url(path), headers=auth, timeout=10)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.headers["Retry-After"] == "1"
        upload = requests.post(server.url("/api/user/orders"), data=new_order_number().encode(),
                               headers={**auth, "Content-Type": "text/plain"}, timeout=10)
        assert upload.status_code == 503, upload.text
        assert upload.headers["Retry-After"] == "1"
        # Both of a withdrawal's reads fail at once here.
        withdrawal = requests.post(server.url("/api/user/balance/withdraw"), json={"order": "2377225624", "sum": 1},
                                   headers=auth, timeout=10)
        assert withdrawal.status_code == 503, withdrawal.text
        assert withdrawal.headers["Retry-After"] == "1"
        assert requests.get(server.url("/readyz"), timeout=10).status_code == 503
        assert requests.get(server.url("/healthz"), timeout=10).status_code == 200
    finally:
        admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    wait_until(lambda: requests.get(server.url("/api/user/balance"), headers=auth).status_code == 200, timeout=5,
               message="balance reads to recover")
    assert requests.get(server.url("/readyz")).status_code == 200
    assert client.upload(new_order_number()).status_code == 202
    orders = requests.get(server.url("/api/user/orders"), headers=auth)
    assert orders.status_code == 200 and len(orders.json()) == 2
    assert server.process.poll() is None


def cluster_processes():
    """The PostgreSQL cluster's processes: the postmaster and its children."""
    data = os.path.join(os.environ["GM_PGDIR"], "data")
    with open(os.path.join(data, "postmaster.pid")) as pid_file:
        postmaster = int(pid_file.readline())
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
    return [postmaster, *map(int, children)]


def signal_cluster(sig):
    for pid in cluster_processes():
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def test_a_stopped_server_answers_503_at_the_deadline_and_nothing_acknowledged_is_lost(server, latency_report):
    # SIGSTOP keeps the sockets open and the kernel keeps taking bytes: no
    # keepalive, no connect timeout notices. Only the request deadline does.
    client = Client(server)
    acknowledged = [new_order_number() for _ in range(5)]
    for number in acknowledged:
        assert client.upload(number).status_code == 202
    auth = {"Authorization": client.token}
    during = new_order_number()

    def ask(what):
        started = time.monotonic()
        if what == "upload":
            answer = requests.post(server.url("/api/user/orders"), data=during.encode(),
                                   headers={**auth, "Content-Type": "text/plain"}, timeout=HANG)
        elif what == "withdraw":
            answer = requests.post(server.url("/api/user/balance/withdraw"), json={"order": "2377225624", "sum": 1},
                                   headers=auth, timeout=HANG)
        else:
            answer = requests.get(server.url(what), headers=auth, timeout=HANG)
        return what, answer, time.monotonic() - started

    signal_cluster(signal.SIGSTOP)
    try:
        asked = ["/api/user/balance", "/api/user/orders", "/api/user/withdrawals", "/api/user/balance/history",
                 "upload", "withdraw", "/readyz"]
        with ThreadPoolExecutor(len(asked)) as pool:
            answers = list(pool.map(ask, asked))
        for what, answer, _ in answers:
            assert answer.status_code == 503, (what, answer.status_code, answer.text)
            if what != "/readyz":
                assert answer.headers["Retry-After"] == "1", what
        latency_report("database stopped: slowest 503 of 7 requests at once", max(s for _, _, s in answers))
        assert requests.get(server.url("/healthz"), timeout=HANG).status_code == 200
    finally:
        signal_cluster(signal.SIGCONT)

    wait_until(lambda: requests.get(server.url("/api/user/balance"), headers=auth).status_code == 200, timeout=HANG,
               message="balance reads to recover")
    wait_until(lambda: requests.get(server.url("/readyz")).status_code == 200, timeout=HANG, message="ready again")
    # The upload answered 503 may have committed after all (its outcome was
    # unknown); sent again it is taken either way, once.
    assert client.upload(during).status_code in (200, 202)
    assert client.upload(new_order_number()).status_code == 202
    listed = [order["number"] for order in requests.get(server.url("/api/user/orders"), headers=auth).json()]
    assert set(acknowledged) <= set(listed)
    assert len(listed) == len(set(listed)) == len(acknowledged) + 2
    assert server.process.poll() is None

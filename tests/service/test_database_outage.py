"""PostgreSQL going away and coming back: requests answer 503 with
Retry-After while it is unreachable (never 500, never a hang), the process
stays up, and everything works again once it is back, without a restart.
PostgreSQL only: an embedded SQLite file cannot be taken away like this."""

import os
import subprocess

import pytest
import requests

from conftest import STORE, Client, new_order_number, wait_until

pytestmark = pytest.mark.skipif(STORE != "postgres", reason="takes a PostgreSQL database away")


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

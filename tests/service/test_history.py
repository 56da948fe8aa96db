"""What the event log gives a customer (SPEC §3a): the points history with
the running balance, the balance at any instant, and signing out."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests

from conftest import Client, fund, new_order_number, verb


def history(client):
    response = client.get("/api/user/balance/history")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def instant(seconds):
    """`seconds` since the epoch as RFC 3339 with milliseconds, in UTC."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds")


def balance_at(client, at):
    response = client.get("/api/user/balance?at=" + quote(at, safe=":"))
    assert response.status_code == 200, (at, response.text)
    return response.json()


def make_history(client, accrual):
    """Credits and withdrawals through the API; answers them as the history
    must list them, oldest first, each with (kind, order, amount, balance)."""
    made = []
    for amount, withdrawal in ((500.5, False), (20, True), (0.05, False), (480.55, True), (99.99, False)):
        if withdrawal:
            order = new_order_number()
            assert client.withdraw(order, amount).status_code == 200
        else:
            order = fund(client, accrual, amount)
        made.append((order, -amount if withdrawal else amount))
    entries, balance = [], 0
    for order, amount in made:
        balance = round(balance + amount, 2)
        entries.append({"kind": "withdrawal" if amount < 0 else "accrual", "order": order, "amount": amount,
                        "balance": balance})
    return entries


def without_times(entries):
    return [{k: v for k, v in entry.items() if k != "at"} for entry in entries]


def test_history_lists_every_credit_and_withdrawal_newest_first_with_the_running_balance(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    client = Client(server)
    empty = client.get("/api/user/balance/history")
    assert empty.status_code == 204 and empty.headers["Content-Type"] == "application/json" and empty.text == ""
    started = time.time()
    expected = make_history(client, accrual)
    listed = history(client)
    assert without_times(listed) == list(reversed(expected))
    assert listed[0]["balance"] == client.balance()["current"] == 99.99
    times = [datetime.fromisoformat(entry["at"]).timestamp() for entry in listed]
    assert times == sorted(times, reverse=True), times
    assert int(started) <= times[-1] and times[0] <= time.time(), (started, times)
    assert all(entry["at"].endswith("+00:00") for entry in listed)

    # Another user's changes are not in it, and it needs a token.
    other = Client(server)
    fund(other, accrual, 7)
    assert without_times(history(client)) == list(reversed(expected))
    assert [entry["amount"] for entry in history(other)] == [7]
    assert requests.get(server.url("/api/user/balance/history")).status_code == 401

    # The history is the log's, so a rebuild of the read models leaves it as it was.
    assert server.stop() == 0
    rebuilt = verb("rebuild-projections", "-d", str(server.database))
    assert rebuilt.returncode == 0, rebuilt.stderr
    server.start()
    assert history(client) == listed


def test_histories_read_at_once_are_each_the_users_own(server, accrual):
    """Many users' histories asked together (on PostgreSQL they meet in one
    pipelined statement) each come back whole and alone."""
    clients = [Client(server) for _ in range(8)]
    for i, client in enumerate(clients):
        fund(client, accrual, i + 1)
        assert client.withdraw(new_order_number(), 0.5).status_code == 200

    def read(client):
        return [(entry["kind"], entry["amount"], entry["balance"]) for entry in history(client)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        for _ in range(5):
            answers = list(pool.map(read, clients * 4))
            for i, answer in enumerate(answers):
                credit = i % len(clients) + 1
                assert answer == [("withdrawal", -0.5, credit - 0.5), ("accrual", credit, credit)], (i, answer)


def test_balance_at_an_instant_is_what_the_balance_read_then(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    client = Client(server)
    seen = [(instant(time.time()), client.balance())]
    for step in (lambda: fund(client, accrual, 250.25), lambda: client.withdraw(new_order_number(), 50),
                 lambda: fund(client, accrual, 0.75), lambda: client.withdraw(new_order_number(), 0.01)):
        time.sleep(0.01)  # the next change is stamped after the instant seen
        step()
        seen.append((instant(time.time()), client.balance()))
        time.sleep(0.01)
    assert seen[-1][1] == {"current": 200.99, "withdrawn": 50.01}
    for at, balance in seen:
        assert balance_at(client, at) == balance, at
    # The same instant in another offset, with its '+' escaped or not.
    at, balance = seen[2]
    assert at.endswith("+00:00")
    assert balance_at(client, at.replace("+00:00", "Z")) == balance
    plus = datetime.fromisoformat(at).astimezone(timezone(timedelta(hours=3))).isoformat(timespec="milliseconds")
    assert "+03:00" in plus
    assert client.get("/api/user/balance?at=" + quote(plus, safe="")).json() == balance
    assert client.get("/api/user/balance?at=" + plus).json() == balance
    # Before anything, and far ahead.
    assert balance_at(client, "2001-01-01T00:00:00Z") == {"current": 0, "withdrawn": 0}
    assert balance_at(client, "2999-12-31T23:59:59+00:00") == client.balance()


def test_balance_at_refuses_what_is_not_an_rfc3339_date_time(server):
    client = Client(server)
    for at in ("", "yesterday", "1607613345", "2020-12-10", "2020-13-10T00:00:00Z", "2021-02-29T00:00:00Z",
               "2020-12-10T12:15:45", "2020-12-10T12:15:45%2B0300", "%ZZ", "2020-12-10T12:15:45Z%00"):
        response = client.get("/api/user/balance?at=" + at)
        assert response.status_code == 400, (at, response.status_code)
        assert "RFC 3339" in response.json()["error"]
    assert client.get("/api/user/balance?other=1").json() == {"current": 0, "withdrawn": 0}
    assert requests.get(server.url("/api/user/balance?at=2020-12-10T00:00:00Z")).status_code == 401


def test_logout_clears_the_cookie_and_the_token_lives_on_until_it_expires(server):
    session = requests.Session()
    login = Client(server).login
    assert session.post(server.url("/api/user/login"), json={"login": login, "password": "pa55word"}).ok
    token = session.cookies["token"]
    assert session.get(server.url("/api/user/balance")).status_code == 200  # by the cookie

    response = session.post(server.url("/api/user/logout"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("token=;") and "Max-Age=0" in cookie and "HttpOnly" in cookie, cookie
    assert "token" not in session.cookies
    assert session.get(server.url("/api/user/balance")).status_code == 401
    # As the contract says: the token itself is not revoked.
    assert requests.get(server.url("/api/user/balance"), headers={"Authorization": "Bearer " + token}).status_code == 200
    # Signing out needs no token.
    assert requests.post(server.url("/api/user/logout")).status_code == 200

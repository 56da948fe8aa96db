"""What the event log gives a customer (SPEC §3a): the points history with
the running balance, the balance at any instant, and signing out."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests

from conftest import Client, fresh_database, fund, luhn_complete, make_jwt, new_order_number, verb


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


def write_account_log(path, user_id, entries):
    """An export of one user whose account stream is `entries` (amount in
    hundredths, positive credits, negative withdrawals; at in ms)."""
    versions = {}

    with open(path, "w") as out:
        def emit(stream, kind, data, at):
            versions[stream] = versions.get(stream, 0) + 1
            data["at"] = at
            out.write(json.dumps({"position": 0, "stream": stream, "version": versions[stream], "type": kind,
                                  "data": data, "time": at}, separators=(",", ":")) + "\n")

        emit("user-big", "user_registered.v1", {"user_id": user_id, "login": "big", "password_hash": "x"}, 1)
        for order, amount, at in entries:
            if amount > 0:
                emit(f"order-{order}", "order_uploaded.v1", {"number": order, "user_id": user_id}, at)
                emit(f"order-{order}", "order_processed.v1",
                     {"number": order, "user_id": user_id, "accrual_hundredths": amount}, at)
                emit(f"account-{user_id}", "points_accrued.v1",
                     {"user_id": user_id, "order": order, "amount_hundredths": amount}, at)
            else:
                emit(f"withdrawal-{order}", "withdrawal_placed.v1",
                     {"order": order, "user_id": user_id, "sum_hundredths": -amount}, at)
                emit(f"account-{user_id}", "points_withdrawn.v1",
                     {"user_id": user_id, "order": order, "sum_hundredths": -amount}, at)


def test_a_history_longer_than_a_page_is_whole_and_the_balance_at_any_instant_folds_it(make_server, tmp_path):
    # 2 500 credits and withdrawals: three pages of the account stream. Some
    # are stamped before the one ahead of them (clocks differ): their `at` is
    # then the one ahead's, across the pages' edges too.
    user_id = f"{7:032x}"
    start = 1_764_000_000_000
    entries, balance = [], 0
    for i in range(2500):
        at = start + i * 400 - (3000 if i % 7 == 3 or i in (1000, 2000) else 0)  # 1000, 2000: a page's first
        amount = -(balance // 3) if i % 3 == 2 and balance > 0 else 100 + i % 977
        balance += amount
        entries.append((luhn_complete(str(10**9 + i)), amount, at))
    log = tmp_path / "account.jsonl"
    write_account_log(log, user_id, entries)
    database = fresh_database(tmp_path, "history")
    with open(log) as lines:
        imported = verb("import", "-d", database, stdin=lines.read())
    assert imported.returncode == 0, imported.stderr
    server = make_server(database=database)
    auth = {"Authorization": "Bearer " + make_jwt({"sub": user_id, "exp": int(time.time()) + 3600})}

    expected, running, withdrawn, latest, states = [], 0, 0, 0, []
    for order, amount, at in entries:
        running += amount
        withdrawn += max(0, -amount)
        latest = max(latest, at)
        states.append((latest, {"current": running / 100, "withdrawn": withdrawn / 100}))
        expected.append({"kind": "accrual" if amount > 0 else "withdrawal", "order": order, "amount": amount / 100,
                         "balance": running / 100,
                         "at": datetime.fromtimestamp(latest // 1000, timezone.utc).isoformat()})
    answer = requests.get(server.url("/api/user/balance/history"), headers=auth, timeout=60)
    assert answer.status_code == 200
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert answer.json() == list(reversed(expected))

    # The balance at the instants of entries across every page: the state
    # after the last entry stamped then or before.
    for i in (0, 1, 998, 999, 1000, 1001, 1999, 2000, 2001, 2498, 2499):
        instant_ms = states[i][0]
        want = [state for stamped, state in states if stamped <= instant_ms][-1]
        at = (datetime.fromtimestamp(instant_ms // 1000, timezone.utc) + timedelta(milliseconds=instant_ms % 1000)
              ).isoformat(timespec="milliseconds")
        got = requests.get(server.url("/api/user/balance?at=" + quote(at, safe=":")), headers=auth, timeout=60)
        assert got.json() == want, (i, at)
    before = requests.get(server.url("/api/user/balance?at=2001-01-01T00:00:00Z"), headers=auth, timeout=60)
    assert before.json() == {"current": 0, "withdrawn": 0}

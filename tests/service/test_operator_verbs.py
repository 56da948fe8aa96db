"""The event log as an operator's tool: `events` prints it, `export` and
`import` move a whole store between SQLite and PostgreSQL (both directions:
this file runs in every store's pass and moves to the other store),
`verify` finds a corrupted read model and names the row, and
`rebuild-projections` is safe while withdrawals race it."""

import json
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (BINARY, STORE, Client, fresh_database, fund, new_order_number, query, token_subject, verb,
                      wait_until)


def other_store_database(tmp_path):
    """An empty database in the store this pass does not use."""
    if STORE == "postgres":
        return str(tmp_path / "imported.db")
    admin = os.environ.get("GM_POSTGRES_URI")
    if not admin:
        pytest.skip("GM_POSTGRES_URI is not set: no PostgreSQL to move the store to")
    name = f"gm_import_{os.getpid()}_{time.monotonic_ns()}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin.rsplit("/", 1)[0] + "/" + name


def fill_store(server, accrual):
    """Users with orders in every status, credits and withdrawals, through the API."""
    alice, bob, carol = Client(server), Client(server), Client(server)
    fund(alice, accrual, 120.55)
    fund(alice, accrual, 30)
    fund(bob, accrual, 7)
    invalid, processing, new = new_order_number(), new_order_number(), new_order_number()
    accrual.answer(invalid, (200, {"order": invalid, "status": "INVALID"}, {}))
    accrual.answer(processing, (200, {"order": processing, "status": "PROCESSING"}, {}))
    for number in (invalid, processing):
        assert alice.upload(number).status_code == 202
    alice.wait_status(invalid, "INVALID")
    alice.wait_status(processing, "PROCESSING")
    assert bob.upload(new).status_code == 202
    assert alice.withdraw(new_order_number(), 20.5).status_code == 200
    assert alice.withdraw(new_order_number(), 0.05).status_code == 200
    assert bob.withdraw(new_order_number(), 7).status_code == 200
    return [alice, bob, carol]


def answers(client):
    """What the API tells a user: balance, orders and withdrawals."""
    return {path: (r.status_code, r.json() if r.status_code == 200 else None)
            for path in ("/api/user/balance", "/api/user/orders", "/api/user/withdrawals")
            for r in [client.get(path)]}


def test_export_then_import_moves_the_store_to_the_other_database(make_server, accrual, tmp_path):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    clients = fill_store(server, accrual)
    before = {c.login: answers(c) for c in clients}
    assert server.stop() == 0
    target = other_store_database(tmp_path)

    # The documented command, a pipe from one store into the other.
    moved = subprocess.run(f"{BINARY} export -d '{server.database}' | {BINARY} import -d '{target}'", shell=True,
                           capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"})
    assert moved.returncode == 0, moved.stderr
    exported = verb("export", "-d", str(server.database))
    lines = exported.stdout.splitlines()
    assert f"imported {len(lines)} events" in moved.stdout, moved.stdout
    assert {json.loads(line)["type"] for line in lines} >= {"user_registered.v1", "order_processed.v1",
                                                             "order_invalidated.v1", "points_withdrawn.v1"}

    checked = verb("verify", "-d", target)
    assert checked.returncode == 0 and "0 differences" in checked.stdout, checked.stdout
    def without_positions(text):  # positions may skip on PostgreSQL (a failed insert spends one)
        return [{k: v for k, v in json.loads(line).items() if k != "position"} for line in text.splitlines()]
    assert without_positions(verb("export", "-d", target).stdout) == without_positions(exported.stdout), \
        "the same log, event for event"

    moved_server = make_server(database=target)  # same JWT_KEY: the old tokens still work
    for client in clients:
        client.server = moved_server
        assert answers(client) == before[client.login], client.login

    again = verb("import", "-d", target, stdin=exported.stdout)
    assert again.returncode == 1 and "already holds events" in again.stderr, again.stderr


def test_import_refuses_a_bad_line_and_leaves_the_store_empty(tmp_path):
    target = fresh_database(tmp_path, "target")  # this pass's store: all or nothing on each
    good = ('{"stream":"user-ann","version":1,"type":"user_registered.v1","data":{"user_id":"u1","login":"ann",'
            '"password_hash":"h","at":1},"time":1}')
    upload = ('{"stream":"order-79927398713","version":%d,"type":"order_uploaded.v1",'
              '"data":{"number":"79927398713","user_id":"u1","at":2},"time":2}')
    for bad, words in [("not json", "line 2: not JSON"),
                       ('{"stream":"user-ann","version":"2","type":"x","data":{},"time":1}', "line 2: \"version\""),
                       (good.replace("user-ann", "user-bob"), "line 2: the event is not of its stream"),
                       (good, "appears twice"),
                       (upload % 2, "stream order-79927398713: version 2 does not follow version 1")]:
        result = verb("import", "-d", target, stdin=good + "\n" + bad + "\n")
        assert result.returncode == 1 and words in result.stderr, (bad, result.stderr)
        assert verb("export", "-d", target).stdout == "", "nothing imported"


def test_verify_names_each_corrupted_row_and_rebuild_repairs_them(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    alice, bob, _ = fill_store(server, accrual)
    live = verb("verify", "-d", str(server.database))  # on a live database
    assert live.returncode == 0 and live.stdout.strip() == "0 differences between the log and the read models", \
        live.stdout
    assert server.stop() == 0
    database = server.database
    alice_id, bob_id = token_subject(alice.token), token_subject(bob.token)
    lost_order = query(
        database, f"SELECT number FROM orders_view WHERE user_id = '{alice_id}' AND status = 'PROCESSED' LIMIT 1")[0][0]
    query(database, f"UPDATE balances_view SET current = current + 1 WHERE user_id = '{alice_id}'")
    query(database, f"UPDATE balances_view SET account_version = account_version - 1 WHERE user_id = '{bob_id}'")
    query(database, f"DELETE FROM orders_view WHERE number = '{lost_order}'")

    found = verb("verify", "-d", str(database))
    assert found.returncode == 1, found.stdout
    lines = found.stdout.splitlines()
    assert f"balances_view {alice_id}: current expected 13000, found 13001" in lines, lines
    assert any(line.startswith(f"balances_view {bob_id}: account_version expected 2, found 1") for line in lines), lines
    assert any(line.startswith(f"orders_view {lost_order}: missing") for line in lines), lines
    assert lines[-1] == "3 differences between the log and the read models", lines

    rebuilt = verb("rebuild-projections", "-d", str(database))
    assert rebuilt.returncode == 0 and "rebuilt the read models from" in rebuilt.stdout, rebuilt.stderr
    assert verb("verify", "-d", str(database)).returncode == 0


def test_events_prints_a_stream_or_the_log_from_a_position(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    alice = Client(server)
    fund(alice, accrual, 5)
    assert alice.withdraw(new_order_number(), 2).status_code == 200
    account = f"account-{token_subject(alice.token)}"
    stream = [json.loads(line) for line in verb("events", "--stream", account, "-d", str(server.database)).stdout
              .splitlines()]
    assert [(e["version"], e["type"]) for e in stream] == [(1, "points_accrued.v1"), (2, "points_withdrawn.v1")]
    assert stream[0]["data"]["amount_hundredths"] == 500 and stream[1]["data"]["sum_hundredths"] == 200
    assert all(e["stream"] == account and isinstance(e["time"], int) for e in stream)

    later = verb("events", "--stream", account, "--from", "1", "-d", str(server.database)).stdout.splitlines()
    assert [json.loads(line)["version"] for line in later] == [2]
    whole = [json.loads(line) for line in verb("events", "-d", str(server.database)).stdout.splitlines()]
    positions = [e["position"] for e in whole]
    assert positions == sorted(positions) and len(whole) >= 6
    tail = verb("events", "--from", str(positions[-3]), "-d", str(server.database)).stdout.splitlines()
    assert [json.loads(line)["position"] for line in tail] == positions[-2:]


class Follower:
    """`gophermart events --follow` running, its lines collected as they come."""

    def __init__(self, database, *args):
        self.process = subprocess.Popen([BINARY, "events", "--follow", "-d", str(database), *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def positions(self):
        return [e["position"] for e in self.lines]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.thread.join(timeout=10)


def test_events_follow_prints_each_event_once_as_it_commits(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    alice = Client(server)
    fund(alice, accrual, 5)
    account = f"account-{token_subject(alice.token)}"
    whole = Follower(server.database)
    mine = Follower(server.database, "--stream", account)
    try:
        wait_until(lambda: [e["type"] for e in whole.lines] == [
            "user_registered.v1", "order_uploaded.v1", "order_processed.v1", "points_accrued.v1"],
            message="the log so far")
        wait_until(lambda: [e["type"] for e in mine.lines] == ["points_accrued.v1"], message="the stream so far")
        before = len(whole.lines)
        withdrawal = new_order_number()
        assert alice.withdraw(withdrawal, 2).status_code == 200
        wait_until(lambda: len(mine.lines) == 2, message="the withdrawal reaches the follower")
        assert mine.lines[1]["type"] == "points_withdrawn.v1" and mine.lines[1]["version"] == 2
        wait_until(lambda: len(whole.lines) == before + 2, message="both events of the withdrawal")
        assert {e["type"] for e in whole.lines[before:]} == {"withdrawal_placed.v1", "points_withdrawn.v1"}
        if STORE == "postgres":
            # A transaction that took its position first and commits last:
            # a reader trusting positions would pass over it for good.
            held = subprocess.Popen(["psql", "-q", "-v", "ON_ERROR_STOP=1", str(server.database)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            held.stdin.write("BEGIN; INSERT INTO events (stream, version, type, data, recorded_at) VALUES "
                             "('user-held', 1, 'user_registered.v1', '{\"user_id\":\"held\",\"login\":\"held\","
                             "\"password_hash\":\"x\",\"at\":1}', 1);\n")
            held.stdin.flush()
            wait_until(lambda: query(server.database, "SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                                      "datname = current_database() AND backend_xid IS NOT NULL AND "
                                                      "state LIKE 'idle in transaction%' AND query LIKE '%user-held%'")
                       [0][0] != "0", message="the held transaction to take its position")
            held_position = int(query(server.database, "SELECT last_value FROM pg_sequences "
                                                       "WHERE sequencename LIKE 'events_position%'")[0][0])
            seen = len(whole.lines)
            fund(alice, accrual, 1)  # later positions, committed first
            # The follower has not printed them: it waits for the older transaction.
            time.sleep(1)
            assert len(whole.lines) == seen
            held.stdin.write("COMMIT;\n")
            held.stdin.close()
            assert held.wait(timeout=10) == 0, held.stderr.read()
            wait_until(lambda: any(e["stream"] == "user-held" for e in whole.lines),
                       message="the late commit reaches the follower")
            late = [e for e in whole.lines[seen:] if e["stream"] != "user-held"]
            held_event = next(e for e in whole.lines if e["stream"] == "user-held")
            assert held_event["position"] <= held_position < min(e["position"] for e in late), \
                "the held event took its position before the later ones"
        wait_until(lambda: len(whole.lines) == int(query(server.database, "SELECT COUNT(*) FROM events")[0][0]),
                   message="every event of the log")
        assert sorted(whole.positions()) == sorted(set(whole.positions())), "each event once"
        assert whole.process.poll() is None, "still following"
    finally:
        whole.stop()
        mine.stop()


def pad_log(database, count):
    """Appends `count` registrations of users nobody signs in as, straight
    into the log (quicker than the API), so that a rebuild takes long enough
    for appends to meet it; a rebuild then brings the read models in step."""
    data = ("'user_id', 'pad-' || i, 'login', 'pad-' || i, 'password_hash', 'x', 'at', 1")
    if STORE == "sqlite":
        query(database, "INSERT INTO events (stream, version, type, data, recorded_at) "
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + str(count) + ") "
                        f"SELECT 'user-pad-' || i, 1, 'user_registered.v1', json_object({data}), 1 FROM n")
    else:
        query(database, "INSERT INTO events (stream, version, type, data, recorded_at) "
                        f"SELECT 'user-pad-' || i, 1, 'user_registered.v1', json_build_object({data})::text, 1 "
                        f"FROM generate_series(1, {count}) AS i")
    assert verb("rebuild-projections", "-d", str(database)).returncode == 0


def test_rebuild_while_withdrawals_race_keeps_every_balance(make_server, accrual):
    """Rebuilds a log of 40 000 events in a loop while 8 clients withdraw
    for 20 users: afterwards every balance equals its credits less the
    withdrawals made (each acknowledged one, and those answered 503 that are
    listed: a 503 leaves the outcome unknown), the read models agree with the
    log, and every
    user can withdraw again. (Without the rebuild's lock on PostgreSQL, a
    withdrawal committed during a rebuild updated a row the rebuild had
    emptied, and its balance stayed behind the log.)"""
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    users = [Client(server) for _ in range(20)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda c: fund(c, accrual, 1000), users))
    pad_log(server.database, 40_000)
    acknowledged = {c.login: set() for c in users}
    unknown = {c.login: set() for c in users}
    codes = {}
    lock = threading.Lock()
    stop = time.monotonic() + 12
    rebuilt = threading.Event()  # two rebuilds at least, however slow the machine

    def withdraw_in_turn(offset):
        i = offset
        while not rebuilt.is_set():
            client = users[i % len(users)]
            i += 3
            number = new_order_number()
            code = client.withdraw(number, 1).status_code
            with lock:
                codes[code] = codes.get(code, 0) + 1
                if code == 200:
                    acknowledged[client.login].add(number)
                elif code == 503:
                    unknown[client.login].add(number)

    rebuilds = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        racers = [pool.submit(withdraw_in_turn, k) for k in range(8)]
        try:
            while time.monotonic() < stop or rebuilds < 2:
                result = verb("rebuild-projections", "-d", str(server.database))
                assert result.returncode == 0, result.stderr
                rebuilds += 1
                live = verb("verify", "-d", str(server.database))  # its snapshot, while withdrawals commit
                assert live.returncode == 0, live.stdout
        finally:
            rebuilt.set()
        for racer in racers:
            racer.result()
    assert rebuilds >= 2 and codes.get(200, 0) > 0, (rebuilds, codes)  # the race did happen
    assert set(codes) <= {200, 503}, codes  # 503: a withdrawal that waited out its deadline behind a rebuild

    checked = verb("verify", "-d", str(server.database))
    assert checked.returncode == 0, checked.stdout
    for client in users:
        listed = [w["order"] for w in client.get("/api/user/withdrawals").json()]
        assert len(listed) == len(set(listed)), client.login
        assert acknowledged[client.login] <= set(listed), client.login
        assert set(listed) <= acknowledged[client.login] | unknown[client.login], client.login
        assert client.balance() == {"current": 1000 - len(listed), "withdrawn": len(listed)}, client.login
        assert client.withdraw(new_order_number(), 1).status_code == 200, client.login

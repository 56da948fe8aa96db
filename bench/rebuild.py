#!/usr/bin/env python3
"""Rebuilding the read models from a log of N events (issue 16's target:
200 000 events/s for a log of one million, on either store).

Writes a log in the export format (users, orders in every status, credits
and withdrawals, each stream's versions in order), imports it into a fresh
store, then times `gophermart rebuild-projections` (its own summary line)
and, as the reference in the same run, a bare bulk INSERT of the same rows
into a scratch table of the same database (`INSERT INTO scratch SELECT *
FROM events`). `verify` must report 0 differences after each rebuild.
`GM_BASELINE_BIN` rebuilds with another build too, on the same database.

    /usr/bin/python3 bench/rebuild.py 1000000 sqlite,postgres

PostgreSQL comes from GM_POSTGRES_URI (eval "$(scripts/start-postgres)").
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("GM_GOPHERMART_BIN", str(ROOT / "build" / "release" / "gophermart"))
BASELINE = os.environ.get("GM_BASELINE_BIN")
HASH = "$argon2id$v=19$m=19456,t=2,p=1$nWMC+Hx3SvJiDtu68YuGCA$cwQpIhIeGWxmlzWnfK+CGXiKlWH1sVI7KyAg/q3NwTg"


def luhn(prefix):
    for check in "0123456789":
        digits = [int(c) for c in prefix + check]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return prefix + check
    raise AssertionError


def write_log(path, events):
    """About `events` events: per user, a registration, orders (most
    processed after a PROCESSING answer, some invalid, a few still NEW) and
    withdrawals of part of what was credited."""
    versions = {}
    position = [0]
    now = [1_764_000_000_000]
    lines = []

    def emit(out, stream, kind, data):
        versions[stream] = versions.get(stream, 0) + 1
        position[0] += 1
        now[0] += 1
        data["at"] = now[0]
        out.write(json.dumps({"position": position[0], "stream": stream, "version": versions[stream], "type": kind,
                              "data": data, "time": now[0]}, separators=(",", ":")) + "\n")

    users = max(1, events // 100)
    number = [10**9]

    def order_number():
        number[0] += 1
        return luhn(str(number[0]))

    with open(path, "w") as out:
        user = 0
        while position[0] < events:
            user += 1
            user_id = f"{user:032x}"
            login = f"user-{user}"
            emit(out, f"user-{login}", "user_registered.v1",
                 {"user_id": user_id, "login": login, "password_hash": HASH})
            account = f"account-{user_id}"
            credited = 0
            for i in range(18):
                n = order_number()
                emit(out, f"order-{n}", "order_uploaded.v1", {"number": n, "user_id": user_id})
                if i == 17:
                    continue  # still NEW: in the accrual queue
                if i % 8 == 7:
                    emit(out, f"order-{n}", "order_invalidated.v1", {"number": n})
                    continue
                emit(out, f"order-{n}", "order_processing_started.v1", {"number": n})
                accrual = 100 + (i * 37 + user) % 5000
                emit(out, f"order-{n}", "order_processed.v1",
                     {"number": n, "user_id": user_id, "accrual_hundredths": accrual})
                emit(out, account, "points_accrued.v1", {"user_id": user_id, "order": n, "amount_hundredths": accrual})
                credited += accrual
            for _ in range(11):
                n = order_number()
                amount = credited // 40
                emit(out, f"withdrawal-{n}", "withdrawal_placed.v1",
                     {"order": n, "user_id": user_id, "sum_hundredths": amount})
                emit(out, account, "points_withdrawn.v1", {"user_id": user_id, "order": n, "sum_hundredths": amount})
    return position[0]


def run(binary, *args, stdin=None):
    done = subprocess.run([binary, *args], stdin=stdin, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{binary} {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done


def rebuild(binary, database):
    line = run(binary, "rebuild-projections", "-d", database).stdout.strip().splitlines()[-1]
    found = re.search(r"from (\d+) events in ([\d.]+) s", line)
    if not found:
        raise SystemExit(f"no summary line: {line}")
    verified = run(binary, "verify", "-d", database)
    assert verified.returncode == 0, verified.stdout
    return int(found.group(1)), float(found.group(2))


def scratch_insert(store, database):
    """Seconds for INSERT INTO scratch SELECT * FROM events, in one transaction."""
    if store == "sqlite":
        with sqlite3.connect(database) as db:
            db.execute("DROP TABLE IF EXISTS scratch")
            db.execute("CREATE TABLE scratch AS SELECT * FROM events WHERE 0")
            db.commit()
            started = time.monotonic()
            db.execute("INSERT INTO scratch SELECT * FROM events")
            db.commit()
            took = time.monotonic() - started
            db.execute("DROP TABLE scratch")
            return took
    subprocess.run(["psql", database, "-qc", "DROP TABLE IF EXISTS scratch; "
                    "CREATE TABLE scratch (LIKE events INCLUDING DEFAULTS)"], check=True, capture_output=True)
    out = subprocess.run(["psql", database, "-qc", "\\timing on", "-c", "INSERT INTO scratch SELECT * FROM events"],
                         check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", database, "-qc", "DROP TABLE scratch"], check=True, capture_output=True)
    return float(re.search(r"Time: ([\d.]+) ms", out).group(1)) / 1000


def fresh(store, workdir):
    if store == "sqlite":
        return str(workdir / "bench.db")
    admin = os.environ["GM_POSTGRES_URI"]
    name = f"gm_rebuild_{os.getpid()}"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin.rsplit("/", 1)[0] + "/" + name


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    stores = (sys.argv[2] if len(sys.argv) > 2 else "sqlite,postgres").split(",")
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        log = workdir / "log.jsonl"
        written = write_log(log, events)
        print(f"log: {written} events, {log.stat().st_size / 1e6:.0f} MB")
        for store in stores:
            database = fresh(store, workdir)
            started = time.monotonic()
            with open(log) as lines:
                run(BINARY, "import", "-d", database, stdin=lines)
            print(f"{store}: import {time.monotonic() - started:.1f} s")
            for name, binary in [("this build", BINARY)] + ([("baseline", BASELINE)] if BASELINE else []):
                for attempt in range(2):
                    count, took = rebuild(binary, database)
                    print(f"{store}: rebuild ({name}) {count} events in {took:.2f} s: {count / took:,.0f} events/s")
            took = scratch_insert(store, database)
            print(f"{store}: reference, INSERT INTO scratch SELECT * FROM events: {took:.2f} s: "
                  f"{written / took:,.0f} rows/s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The memory high-water mark of listing a big customer's orders: one user
with N orders (each PROCESSED and credited), listed by C clients at once,
R times each (issue 18's target: 100 000 orders, 64 clients, at most about
200 MB). Prints the process's VmHWM beside, from the same run, its resident
size before the lists and the size of one answer (what C answers held at
once come to).

    eval "$(scripts/start-postgres)"
    /usr/bin/python3 bench/big_list_memory.py 100000 64 2 postgres

The log is written in the export format and imported (`gophermart import`);
the token is made with the instance's JWT_KEY, so no password is hashed.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
from conftest import free_port, make_jwt  # noqa: E402
from rebuild import BINARY, HASH, fresh, luhn, run  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more
USER_ID = f"{1:032x}"


def write_log(path, orders):
    now = 1_764_000_000_000
    versions = {}
    with open(path, "w") as out:
        def emit(stream, kind, data):
            nonlocal now
            now += 1
            versions[stream] = versions.get(stream, 0) + 1
            data["at"] = now
            out.write(json.dumps({"position": 0, "stream": stream, "version": versions[stream], "type": kind,
                                  "data": data, "time": now}, separators=(",", ":")) + "\n")

        emit("user-big", "user_registered.v1", {"user_id": USER_ID, "login": "big", "password_hash": HASH})
        for i in range(orders):
            n = luhn(str(10**9 + i))
            emit(f"order-{n}", "order_uploaded.v1", {"number": n, "user_id": USER_ID})
            emit(f"order-{n}", "order_processed.v1", {"number": n, "user_id": USER_ID, "accrual_hundredths": 1234})
            emit(f"account-{USER_ID}", "points_accrued.v1",
                 {"user_id": USER_ID, "order": n, "amount_hundredths": 1234})


def status_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def main():
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    store = sys.argv[4] if len(sys.argv) > 4 else "postgres"
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        log = workdir / "log.jsonl"
        write_log(log, orders)
        database = fresh(store, workdir)
        with open(log) as lines:
            run(BINARY, "import", "-d", database, stdin=lines)
        port = free_port()
        server = subprocess.Popen([BINARY, "-a", f"127.0.0.1:{port}", "-d", database, "--openapi-address", "off"],
                                  env={**os.environ, "JWT_KEY": BENCH_JWT_KEY}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/api/user/orders"
            token = "Bearer " + make_jwt({"sub": USER_ID, "exp": int(time.time()) + 3600}, key=BENCH_JWT_KEY)
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            rss_before = status_kib(server.pid, "VmRSS")
            one = requests.get(url, headers={"Authorization": token, "Accept-Encoding": "identity"}, timeout=120)
            assert one.status_code == 200 and len(one.json()) == orders, one.status_code

            def list_orders(_):
                session = requests.Session()
                for _ in range(rounds):
                    answer = session.get(url, headers={"Authorization": token}, timeout=600)
                    assert answer.status_code == 200, answer.status_code
                return True

            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                assert all(pool.map(list_orders, range(clients)))
            took = time.monotonic() - started
            high_water = status_kib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    body_mb = len(one.content) / 1e6
    print(f"| {store} | {orders} orders, {clients} clients x {rounds} | VmHWM {high_water / 1024:.0f} MB | "
          f"RSS before {rss_before / 1024:.0f} MB | one answer {body_mb:.1f} MB ({clients} at once: "
          f"{body_mb * clients:.0f} MB) | {took:.1f} s |")


if __name__ == "__main__":
    main()

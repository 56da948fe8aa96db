"""Upload -> PROCESSED latency through the whole pipeline, with our accrual
system answering at once (every order is rated in accrual before it is
uploaded). Reads the two timestamps of each order from gophermart's own event
log, so client-side polling does not blur the figure.

Reference, measured in the same run: one GET /api/orders/{n} to accrual from
this client, the floor under any pipeline that must ask accrual once.

Usage: /usr/bin/python3 bench/pipeline_latency.py [orders]   (release build: scripts/build release)
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
from conftest import ROOT, Client, Service, query, wait_until  # noqa: E402
from rated_orders import rated_orders  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more

RELEASE = ROOT / "build" / "release"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as directory:
        accrual = Service(directory, binary=RELEASE / "accrual").start()
        server = Service(directory, binary=os.environ.get("GM_GOPHERMART_BIN", RELEASE / "gophermart"),
                         env={"JWT_KEY": BENCH_JWT_KEY, "ACCRUAL_SYSTEM_ADDRESS": accrual.base}).start()
        try:
            numbers = rated_orders(accrual, count, {"match": "Bork", "reward": 5, "reward_type": "%"}, 100)

            session = requests.Session()
            reference = []
            for number in numbers[:100]:
                started = time.perf_counter()
                session.get(accrual.url(f"/api/orders/{number}"))
                reference.append((time.perf_counter() - started) * 1000)

            client = Client(server)
            for number in numbers:
                assert client.upload(number).status_code == 202
                time.sleep(0.01)  # one order at a time: latency, not queueing
            wait_until(lambda: client.balance()["current"] == count * 5, timeout=120, message="every order credited")
        finally:
            server.stop()
            accrual.stop()

        uploaded, processed = {}, {}
        for kind, data in query(server.database, "SELECT type, data FROM events WHERE type IN "
                                                 "('order_uploaded.v1','order_processed.v1')"):
            event = json.loads(data)
            (uploaded if kind == "order_uploaded.v1" else processed)[event["number"]] = event["at"]
        latencies = [processed[n] - uploaded[n] for n in numbers]
        print(f"orders: {count}")
        print(f"upload -> PROCESSED (ms, from the event log): p50 {statistics.median(latencies):.0f}  "
              f"p99 {percentile(latencies, 99):.0f}  max {max(latencies):.0f}")
        print(f"reference, one GET to accrual (ms): p50 {statistics.median(reference):.2f}  "
              f"p99 {percentile(reference, 99):.2f}")


if __name__ == "__main__":
    main()

"""Drains N orders through gophermart against our accrual system limited to
60 requests per minute, and reports requests, 429s per minute window and the
time taken, beside two lower bounds for the same N: bursting each window
(60 requests at every window start: the last one at floor((N-1)/60) minutes)
and steady pacing after the first window (60 s, then 1 s per request).

Usage: /usr/bin/python3 bench/rate_limited_drain.py [orders]   (about 3.5 minutes for 200)
"""

import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
from conftest import ROOT, Client, Service, wait_until  # noqa: E402
from rated_orders import rated_orders  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more

RELEASE = ROOT / "build" / "release"


def served(accrual):
    found = []
    for line in accrual.log().splitlines():
        if '"msg":"request"' in line and '"path":"/api/orders/' in line:
            h, m, s = re.search(r'"ts":"[^"]*T(\d\d):(\d\d):(\d\d\.\d+)Z"', line).groups()
            found.append((int(h) * 3600 + int(m) * 60 + float(s), int(re.search(r'"status":(\d+)', line).group(1))))
    return found


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as directory:
        accrual = Service(directory, binary=RELEASE / "accrual", env={"RATE_LIMIT": "60"}).start()
        server = Service(directory, binary=RELEASE / "gophermart",
                         env={"JWT_KEY": BENCH_JWT_KEY, "ACCRUAL_SYSTEM_ADDRESS": accrual.base}).start()
        try:
            numbers = rated_orders(accrual, count, {"match": "Bork", "reward": 1, "reward_type": "pt"}, 1)
            client = Client(server)
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(client.upload, numbers))
            wait_until(lambda: client.balance()["current"] == count, timeout=count * 2 + 120, interval=1,
                       message="every order credited")
        finally:
            server.stop()
            accrual.stop()
        requests_seen = served(accrual)
        first, last = requests_seen[0][0], requests_seen[-1][0]
        limited = [t for t, status in requests_seen if status == 429]
        per_window = {}
        for t in limited:
            per_window[int((t - first) // 60)] = per_window.get(int((t - first) // 60), 0) + 1
        print(f"orders: {count}, requests to accrual: {len(requests_seen)}, 429s: {len(limited)}, "
              f"429s per minute window: {dict(sorted(per_window.items()))}")
        burst = ((count - 1) // 60) * 60
        steady = 60 + max(0, count - 60) if count > 60 else 0
        print(f"drain time: {last - first:.1f} s; lower bounds: {burst} s bursting each window, "
              f"{steady} s pacing steadily after the first")


if __name__ == "__main__":
    main()

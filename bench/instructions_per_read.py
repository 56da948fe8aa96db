"""User-space instructions per balance read, counted by callgrind: a figure
that repeats from run to run on this noisy VM, where req/s figures move by
±15 % within minutes. Each binary named runs in turn under valgrind on a
throwaway PostgreSQL cluster; after a warm-up the counters are zeroed,
`reads` balance reads go over one kept-alive connection, and the counters
are dumped. Everything the process ran meanwhile counts (both event loops,
the log flusher), divided by the reads.

Usage: /usr/bin/python3 bench/instructions_per_read.py [reads] BINARY [BINARY...]

With GM_BENCH_REQUEST=upload each request is an order upload instead (a new
number each time: an append of one event and its projections), for the
write path; with GM_BENCH_REQUEST=orders, a read of the user's list of
orders (one order: the first page of the list is all of it).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
os.environ.setdefault("GM_STORE", "postgres")
from conftest import ROOT, Client, Service, new_order_number  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more

WARM_UP = 500
REQUEST = os.environ.get("GM_BENCH_REQUEST", "balance")
UPLOADS = REQUEST == "upload"


def one_request(client):
    if UPLOADS:
        assert client.upload(new_order_number()).status_code == 202
    elif REQUEST == "orders":
        assert client.get("/api/user/orders").status_code == 200
    else:
        assert client.get("/api/user/balance").status_code == 200


def count(binary, reads, directory):
    # The wrapper keeps the binary's name: the contract checks pick the
    # OpenAPI document by it.
    workdir = Path(tempfile.mkdtemp(dir=directory))
    out = workdir / "callgrind.out"
    wrapper = workdir / Path(binary).name
    wrapper.write_text(f'#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={out} "{binary}" "$@"\n')
    wrapper.chmod(0o755)
    server = Service(workdir, binary=wrapper, env={"JWT_KEY": BENCH_JWT_KEY})
    server.start()
    try:
        client = Client(server)
        assert client.upload(new_order_number()).status_code == 202
        for _ in range(WARM_UP):
            one_request(client)
        pid = str(server.process.pid)
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        for _ in range(reads):
            one_request(client)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
    finally:
        server.stop(timeout=60)
    dump = sorted(workdir.glob(f"{out.name}.*"))[0]  # the dump after zeroing
    totals = next(line for line in dump.read_text().splitlines() if line.startswith(("totals:", "summary:")))
    return int(totals.split()[1]) / reads


def main():
    reads = int(sys.argv[1])
    binaries = sys.argv[2:]
    cluster = dict(line.split("=", 1) for line in subprocess.run(
        [str(ROOT / "scripts" / "start-postgres")], check=True, capture_output=True, text=True).stdout.split())
    os.environ["GM_POSTGRES_URI"] = cluster["GM_POSTGRES_URI"]
    directory = tempfile.mkdtemp()
    os.chmod(directory, 0o755)
    try:
        what = {"upload": "order uploads", "orders": "reads of the order list"}.get(REQUEST, "balance reads")
        print(f"\n{reads} {what} after {WARM_UP} of warm-up, one kept-alive connection\n")
        print("| binary | instructions per request |")
        print("|---|---|")
        for binary in binaries:
            print(f"| `{binary}` | {count(binary, reads, directory) / 1000:.1f} k |", flush=True)
    finally:
        subprocess.run([str(ROOT / "scripts" / "stop-postgres"), cluster["GM_PGDIR"]], check=False)


if __name__ == "__main__":
    main()

"""HTTP throughput of gophermart on PostgreSQL, each figure beside references
measured in the same run: a bare nginx `return 200` (the HTTP ceiling of this
machine) and pgbench running the same SQL as the request (the database
ceiling). Prints a Markdown table for bench/README.md.

Needs wrk, nginx and a release build; installs the first two with apt when
missing. Usage: /usr/bin/python3 bench/http_throughput.py [seconds per run] [rounds]

With GM_BASELINE_BIN set to another gophermart binary (say, a release build
of the commit before a change), that binary runs beside ours on a database
of its own, and each round measures its balance read and order upload next
to ours (in alternating order), so the table also gives each as a ratio to
the baseline build.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
os.environ.setdefault("GM_STORE", "postgres")
from conftest import ROOT, Client, Service, free_port, new_order_number  # noqa: E402

BENCH_JWT_KEY = "bench-key-of-thirty-two-bytes-long"  # JWT_KEY takes 32 bytes or more

RELEASE = ROOT / "build" / "release"
CONNECTIONS = 64


def ensure_tools():
    missing = [p for p, tool in (("wrk", "wrk"), ("nginx-light", "nginx")) if shutil.which(tool) is None]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       capture_output=True)


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, seconds, headers=(), script=None, script_args=()):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stdout}{run.stderr}")
    out = run.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups())
    p99 = to_ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # Connect, read, write and timeout errors count as failures too.
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def pgbench(uri, script_text, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(script_text)
    os.chmod(script.name, 0o644)
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "16", "-j", "2", "-T", str(seconds), "-r",
                          "-f", script.name, uri], check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return {"rps": tps, "p50": latency, "p99": None, "errors": 0}


def nginx(directory):
    port = free_port()
    conf = Path(directory) / "nginx.conf"
    conf.write_text(f"""
worker_processes 2;
daemon off;
pid {directory}/nginx.pid;
error_log stderr;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 "ok"; }} }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(directory)], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, f"http://127.0.0.1:{port}/"


# What uploading a new order sends: its statements up to one Sync, which
# PostgreSQL runs as one implicit transaction (see docs/decisions/0006).
APPEND_SQL = r"""
SELECT nextval('bench_orders') AS n \gset
\startpipeline
INSERT INTO events (stream, version, type, data, recorded_at)
  VALUES ('order-9' || :n, 1, 'order_uploaded.v1', '{"number":"9' || :n || '","user_id":"bench","at":0}', 0);
INSERT INTO orders_view (number, user_id, status, accrual, uploaded_at, position)
  VALUES ('9' || :n, 'bench', 'NEW', NULL, 0, COALESCE(NULL, last_insert_rowid()));
INSERT INTO accrual_queue (order_number, next_attempt_at) VALUES ('9' || :n, 0);
\endpipeline
"""


def prepared(server):
    """A reader with 50 orders and a writer, on `server`."""
    reader = Client(server)
    for _ in range(50):
        assert reader.upload(new_order_number()).status_code == 202
    return reader, Client(server)


def balance(server, reader, seconds):
    return wrk(server.url("/api/user/balance"), seconds, headers=[f"Authorization: {reader.token}"])


def upload(server, writer, seconds):
    return wrk(server.url("/api/user/orders"), seconds, script=Path(__file__).with_name("new_orders.lua"),
               script_args=[writer.token, str(int(time.time()) % 100000)])


def median(runs):
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    ensure_tools()
    cluster = dict(line.split("=", 1) for line in subprocess.run(
        [str(ROOT / "scripts" / "start-postgres")], check=True, capture_output=True, text=True).stdout.split())
    os.environ["GM_POSTGRES_URI"] = cluster["GM_POSTGRES_URI"]
    directory = tempfile.mkdtemp()
    os.chmod(directory, 0o755)
    proxy, nginx_url = nginx(directory)
    server = Service(directory, binary=RELEASE / "gophermart", env={"JWT_KEY": BENCH_JWT_KEY})
    baseline_binary = os.environ.get("GM_BASELINE_BIN")
    baseline = None
    if baseline_binary:
        (Path(directory) / "baseline").mkdir()
        baseline = Service(Path(directory) / "baseline", binary=baseline_binary, env={"JWT_KEY": BENCH_JWT_KEY})
    # name -> one figure per round. Every round measures every line in the
    # same order, so a reference and the figure compared with it are taken
    # minutes apart at most, whatever this VM's speed does over the run.
    runs = {}
    try:
        server.start()
        reader, writer = prepared(server)
        subprocess.run(["psql", server.database, "-qc", "CREATE SEQUENCE bench_orders"], check=True)
        user_id = subprocess.run(["psql", server.database, "-Atc", "SELECT user_id FROM balances_view LIMIT 1"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        reading = [f"Authorization: {reader.token}"]
        lines = [
            ("nginx", lambda: wrk(nginx_url, seconds)),
            ("healthz", lambda: wrk(server.url("/healthz"), seconds)),
            ("balance", lambda: balance(server, reader, seconds)),
            ("orders", lambda: wrk(server.url("/api/user/orders"), seconds, headers=reading)),
            ("balance_sql", lambda: pgbench(server.database, "SELECT current, withdrawn FROM balances_view "
                                            f"WHERE user_id = '{user_id}';\n", seconds)),
            ("append_sql", lambda: pgbench(server.database, APPEND_SQL, seconds)),
            ("upload", lambda: upload(server, writer, seconds)),
        ]
        if baseline:
            baseline.start()
            base_reader, base_writer = prepared(baseline)
            lines.insert(lines.index(next(line for line in lines if line[0] == "balance")) + 1,
                         ("balance_base", lambda: balance(baseline, base_reader, seconds)))
            lines.append(("upload_base", lambda: upload(baseline, base_writer, seconds)))
        for round_number in range(rounds):
            order = list(lines)
            if round_number % 2 == 1:  # the baseline first in every other round
                for ours in ("balance", "upload"):
                    at = [name for name, _ in order].index(ours)
                    order[at], order[at + 1] = order[at + 1], order[at]
            for name, measure in order:
                runs.setdefault(name, []).append(measure())
            print(f"round {round_number + 1} of {rounds}: " +
                  ", ".join(f"{name} {runs[name][-1]['rps']:.0f}" for name, _ in lines), file=sys.stderr)
    finally:
        server.stop()
        if baseline:
            baseline.stop()
        proxy.terminate()
        subprocess.run([str(ROOT / "scripts" / "stop-postgres"), cluster["GM_PGDIR"]], check=False)
        shutil.rmtree(directory, ignore_errors=True)

    # (label, name, [(reference label, reference name)])
    rows = [
        ("nginx `return 200` (reference)", "nginx", []),
        ("GET /healthz (our HTTP ceiling: no database, no token)", "healthz", [("nginx", "nginx")]),
        ("GET /api/user/balance", "balance", [("nginx", "nginx"), ("pgbench SELECT", "balance_sql")] +
         ([("the baseline build", "balance_base")] if baseline else [])),
        *([("GET /api/user/balance, baseline build", "balance_base", [("nginx", "nginx")])] if baseline else []),
        ("GET /api/user/orders (50 orders)", "orders", [("nginx", "nginx")]),
        ("pgbench: the balance SELECT (reference)", "balance_sql", []),
        ("pgbench: the order-upload transaction (reference)", "append_sql", []),
        ("POST /api/user/orders (fresh numbers)", "upload", [("pgbench", "append_sql")] +
         ([("the baseline build", "upload_base")] if baseline else [])),
        *([("POST /api/user/orders, baseline build", "upload_base", [("pgbench", "append_sql")])] if baseline else []),
    ]
    print(f"\n{seconds} s per run, {rounds} rounds, {CONNECTIONS} connections (wrk -t2), "
          "pgbench -c16 -j2 -M prepared; the median round of each line\n")
    print("| what | req/s | p50 ms | p99 ms | non-2xx | ratio to the references: median (each round) |")
    print("|---|---|---|---|---|---|")
    for label, name, references in rows:
        figures = median(runs[name])
        ratios = []
        for reference_label, reference in references:
            each = [run["rps"] / ref["rps"] for run, ref in zip(runs[name], runs[reference])]
            ratios.append(f"{sorted(each)[len(each) // 2]:.0%} of {reference_label} "
                          f"({', '.join(f'{ratio:.0%}' for ratio in each)})")
        p99 = f"{figures['p99']:.2f}" if figures["p99"] is not None else "(avg above)"
        errors = sum(run["errors"] for run in runs[name])
        print(f"| {label} | {figures['rps']:.0f} | {figures['p50']:.2f} | {p99} | {errors} | {'; '.join(ratios)} |")


if __name__ == "__main__":
    main()

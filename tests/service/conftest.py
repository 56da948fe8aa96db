"""Fixtures for service tests: the real gophermart binary on a free port, a
fresh SQLite file per test, and a scripted fake accrual server that counts
every request it receives."""

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

import contract

contract.install()

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("GOPHERMART_BIN", ROOT / "build" / "asan" / "gophermart"))
ACCRUAL_BINARY = Path(os.environ.get("ACCRUAL_BIN", BINARY.parent / "accrual"))
TEST_JWT_KEY = "service-test-key-of-thirty-two-bytes"
# Which store the services use: "sqlite" (a fresh file per service) or
# "postgres" (a fresh database per service in the cluster at GM_POSTGRES_URI,
# which scripts/test starts with scripts/start-postgres).
STORE = os.environ.get("GM_STORE", "sqlite")
# GM_QUEUE=rabbitmq: every gophermart started here sends the accrual work
# through the broker named by GM_AMQP_URI (scripts/start-rabbitmq).
QUEUE = os.environ.get("GM_QUEUE", "embedded")
# scripts/test runs this suite three times: on SQLite, on PostgreSQL, and on
# PostgreSQL with the work on RabbitMQ. A module whose tests no later pass
# could answer differently says so, and is skipped there (shown as skipped):
# - nothing behind the HTTP surface it checks depends on the store;
HTTP_ONLY = pytest.mark.skipif(STORE != "sqlite", reason="no store behind what it checks: the SQLite pass ran it")
# - nothing goes through the accrual queue, so the broker changes nothing
#   the PostgreSQL pass saw.
NO_ACCRUAL_QUEUE = pytest.mark.skipif(QUEUE == "rabbitmq", reason="nothing goes through the accrual queue: the PostgreSQL pass ran it")
_databases = [0]


def fresh_database(workdir, name):
    """A new, empty database for one service: its DATABASE_URI."""
    if STORE == "sqlite":
        _databases[0] += 1
        return str(Path(workdir) / f"{name}-{_databases[0]}.db")
    admin = os.environ["GM_POSTGRES_URI"]
    _databases[0] += 1
    database = f"gm_{os.getpid()}_{_databases[0]}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {database}"], check=True, capture_output=True)
    return admin.rsplit("/", 1)[0] + "/" + database


def query(database, sql):
    """Rows of `sql` in a service's database, as tuples of text (both stores)."""
    if STORE == "sqlite":
        import sqlite3
        with sqlite3.connect(database) as db:
            return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql).fetchall()]
    out = subprocess.run(["psql", database, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]


_ports_handed_out = set()


def verb(*args, stdin=None, timeout=120):
    """Runs one of gophermart's operator verbs (docs/operations.md) to its end."""
    env = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"}
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          input=stdin)


def metric(text, name, **labels):
    """The value of one series of a /metrics text, 0 when absent."""
    for line in text.splitlines():
        if (line.startswith(name + "{") or line.startswith(name + " ")) and all(
                f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def free_port():
    """A port free now and not handed out before in this run: the kernel may
    offer the same free port twice in a row (a service's API and docs ports
    once collided that way)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_handed_out:
            _ports_handed_out.add(port)
            return port


def wait_until(condition, timeout=10.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class Service:
    """One process of ours (gophermart or accrual); can be stopped, killed and
    started again on the same database file and port."""

    def __init__(self, workdir, env=None, args=None, binary=BINARY, database=None, wrapper=None):
        self.binary = Path(binary)
        self.name = self.binary.name
        self.workdir = Path(workdir)
        self.port = free_port()
        self.docs_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        contract.watch(self.port, self.name)
        self.env = {k: v for k, v in os.environ.items() if k not in (
            "RUN_ADDRESS", "DATABASE_URI", "ACCRUAL_SYSTEM_ADDRESS", "JWT_KEY", "SALT", "AMQP", "AMPQ", "OPENAPI_ADDRESS",
            "RATE_LIMIT", "PROCESSING_DELAY")}
        self.env.update({"ASAN_OPTIONS": "detect_leaks=0"})
        if QUEUE == "rabbitmq" and self.name == "gophermart":
            self.env["AMQP"] = os.environ["GM_AMQP_URI"]  # the whole suite, with the work on RabbitMQ
        self.env.update(env or {})
        self.args = list(args or [])
        self.wrapper = list(wrapper or [])  # a command the binary runs under, e.g. prlimit
        self.process = None
        self.log_path = self.workdir / f"{self.name}-{self.port}.log"
        self.database = database or fresh_database(self.workdir, self.name)

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [*self.wrapper, str(self.binary), "-a", f"127.0.0.1:{self.port}", "-d", str(self.database),
             "--openapi-address", f"127.0.0.1:{self.docs_port}", *self.args],
            cwd=self.workdir, env=self.env, stdout=log, stderr=log)
        log.close()

        # The docs listener opens just after the API's: both are waited for,
        # unless the test moved the docs elsewhere.
        ports = [self.port] if "--openapi-address" in self.args else [self.port, self.docs_port]

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            try:
                for port in ports:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        pass
                return True
            except OSError:
                return False

        wait_until(ready, timeout=20, message=f"{self.name} to listen")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def url(self, path):
        return self.base + path


class RawReply:
    """An answer written as these bytes, piece by piece with a pause after
    each (so each piece reaches the client in a read of its own), and the
    connection closed after it."""

    def __init__(self, *pieces, pause=0.3):
        self.pieces = pieces
        self.pause = pause


class FakeAccrual:
    """A scripted accrual system. `script[number]` is a list of answers given
    in turn (the last one repeats); an answer is (status, body_dict_or_text,
    headers), a RawReply, or a callable returning one. Unknown orders get 204."""

    def __init__(self, port=0):
        self.script = {}
        self.default = (204, None, {})
        self.requests = []  # (monotonic time, order number)
        self.lock = threading.Lock()
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                number = self.path.rsplit("/", 1)[-1]
                with fake.lock:
                    fake.requests.append((time.monotonic(), number))
                    answers = fake.script.get(number)
                    if answers:
                        answer = answers.pop(0) if len(answers) > 1 else answers[0]
                    else:
                        answer = fake.default
                if callable(answer):
                    answer = answer(number)
                if fake.delay:
                    time.sleep(fake.delay)
                if isinstance(answer, RawReply):
                    for piece in answer.pieces:
                        self.wfile.write(piece)
                        time.sleep(answer.pause)
                    self.close_connection = True
                    return
                status, body, headers = answer
                if isinstance(body, dict):
                    payload = json.dumps(body).encode()
                    headers = {"Content-Type": "application/json", **headers}
                else:
                    payload = (body or "").encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 204:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if status != 204:
                    self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def processed(self, number, accrual):
        body = {"order": number, "status": "PROCESSED"}
        if accrual is not None:
            body["accrual"] = accrual
        return (200, body, {})

    def answer(self, number, *answers):
        with self.lock:
            self.script[number] = list(answers)

    def count(self, number=None):
        with self.lock:
            return sum(1 for _, n in self.requests if number is None or n == number)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


_drain_reports = []


@pytest.fixture
def drain_report(request):
    """What a broker fault test saw, printed in a table after the run:
    report(uploaded, processed, lost, credited_twice, drain_seconds)."""
    def report(uploaded, processed, lost, credited_twice, drain_seconds):
        _drain_reports.append((request.node.name, uploaded, processed, lost, credited_twice, drain_seconds))
    return report


_latency_reports = []


@pytest.fixture
def latency_report():
    """A delay a test measured, printed after the run (never asserted: the
    suite has no timing thresholds): report(what, seconds)."""
    def report(what, seconds):
        _latency_reports.append((what, seconds))
    return report


_figure_reports = []


@pytest.fixture
def figures_report(request):
    """Figures a test counted, printed in a section of their own after the
    run (report before asserting, so a failing run shows them too):
    report(title, {"what": value, ...})."""
    def report(title, figures):
        _figure_reports.append((title, request.node.name, dict(figures)))
    return report


def pytest_terminal_summary(terminalreporter):
    if _latency_reports:
        terminalreporter.section(f"measured delays ({STORE})")
        for what, seconds in _latency_reports:
            terminalreporter.write_line(f"{what:<76} {seconds * 1000:>7.0f} ms")
    for title, name, figures in _figure_reports:
        terminalreporter.section(f"{title} ({STORE}, {QUEUE} queue)")
        terminalreporter.write_line(name)
        for what, value in figures.items():
            terminalreporter.write_line(f"  {what:<66} {value:>10}")
    if not _drain_reports:
        return
    terminalreporter.section(f"broker faults ({STORE})")
    terminalreporter.write_line(f"{'test':<76} {'uploaded':>8} {'processed':>9} {'lost':>4} {'twice':>5} {'drain s':>7}")
    for name, uploaded, processed, lost, twice, seconds in _drain_reports:
        terminalreporter.write_line(f"{name:<76} {uploaded:>8} {processed:>9} {lost:>4} {twice:>5} {seconds:>7.1f}")


@pytest.fixture
def accrual():
    fake = FakeAccrual()
    yield fake
    fake.close()


def finish(service):
    """Kills a service a test started, and fails the test if its sanitizers
    reported anything."""
    if service.process and service.process.poll() is None:
        service.kill()
    assert "AddressSanitizer" not in service.log() and "runtime error" not in service.log(), service.log()


@pytest.fixture
def make_server(tmp_path):
    started = []

    def make(env=None, args=None, workdir=None, database=None, wrapper=None):
        base_env = {"JWT_KEY": TEST_JWT_KEY}
        base_env.update(env or {})
        server = Service(workdir or tmp_path, env=base_env, args=args, database=database, wrapper=wrapper)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        finish(server)


@pytest.fixture
def make_accrual(tmp_path):
    started = []

    def make(env=None, args=None):
        service = Service(tmp_path, env=env, args=args, binary=ACCRUAL_BINARY)
        started.append(service)
        return service.start()

    yield make
    for service in started:
        finish(service)


@pytest.fixture
def server(make_server, accrual):
    return make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})


@pytest.fixture(scope="module")
def shared_accrual():
    fake = FakeAccrual()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory, shared_accrual):
    """One gophermart for a module's cases of bad input, which cannot change
    what another case sees (each is refused, or works on a user of its own):
    started once, not once per case, and it must keep serving through all
    of them."""
    server = Service(tmp_path_factory.mktemp("shared"),
                     env={"JWT_KEY": TEST_JWT_KEY, "ACCRUAL_SYSTEM_ADDRESS": shared_accrual.base}).start()
    yield server
    finish(server)


_counter = [0]


def unique_login(prefix="user"):
    _counter[0] += 1
    return f"{prefix}-{os.getpid()}-{_counter[0]}-{time.monotonic_ns()}"


def luhn_complete(prefix: str) -> str:
    """Appends the Luhn check digit to prefix."""
    for check in "0123456789":
        candidate = prefix + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


_order_counter = [int(time.time() * 1000) % 10**9]


def new_order_number():
    _order_counter[0] += 1
    return luhn_complete(str(_order_counter[0]) + "7")


class Client:
    """A registered user talking to one server."""

    def __init__(self, server, login=None, password="pa55word"):
        self.server = server
        self.login = login or unique_login()
        self.password = password
        self.session = requests.Session()
        response = self.session.post(server.url("/api/user/register"),
                                     json={"login": self.login, "password": password})
        assert response.status_code == 200, response.text
        self.token = response.headers["Authorization"]
        self.session.cookies.clear()  # authenticate by header unless a test says otherwise
        self.session.headers["Authorization"] = self.token

    def get(self, path, **kw):
        return self.session.get(self.server.url(path), **kw)

    def post(self, path, **kw):
        return self.session.post(self.server.url(path), **kw)

    def upload(self, number):
        return self.post("/api/user/orders", data=number.encode(), headers={"Content-Type": "text/plain"})

    def orders(self):
        response = self.get("/api/user/orders")
        return [] if response.status_code == 204 else response.json()

    def order(self, number):
        return next((o for o in self.orders() if o["number"] == number), None)

    def balance(self):
        response = self.get("/api/user/balance")
        assert response.status_code == 200, response.text
        return response.json()

    def withdraw(self, order, amount):
        return self.post("/api/user/balance/withdraw", json={"order": order, "sum": amount})

    def wait_status(self, number, status, timeout=15):
        return wait_until(lambda: (o := self.order(number)) and o["status"] == status and o,
                          timeout=timeout, message=f"order {number} to be {status}")


def fund(client, accrual, amount):
    """Credits `amount` points to the client through the real pipeline."""
    number = new_order_number()
    accrual.answer(number, accrual.processed(number, amount))
    assert client.upload(number).status_code == 202
    client.wait_status(number, "PROCESSED")
    return number


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims, key=TEST_JWT_KEY, alg="HS256"):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    if alg == "none":
        return f"{header}.{payload}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = b64url(hmac.new(key.encode(), signing_input, digest).digest())
    return f"{header}.{payload}.{signature}"


def token_subject(bearer):
    payload = bearer.split(" ", 1)[1].split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["sub"]

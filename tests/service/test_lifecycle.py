"""Process lifecycle: nothing acknowledged is lost to SIGKILL, tokens survive
restarts, SIGTERM drains and exits 0, the read models rebuild identically
from the log, and configuration errors stop the process with a clear line."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import BINARY, Client, free_port, fund, new_order_number, query, wait_until

VIEWS = {
    "users_view": "SELECT user_id, login, password_hash, registered_at FROM users_view ORDER BY user_id",
    "orders_view": "SELECT number, user_id, status, accrual, uploaded_at, position FROM orders_view ORDER BY number",
    "balances_view": "SELECT user_id, current, withdrawn, account_version FROM balances_view ORDER BY user_id",
    "withdrawals_view": "SELECT order_number, user_id, sum, processed_at, position FROM withdrawals_view "
                        "ORDER BY order_number",
}


def dump_views(database):
    return {name: query(database, sql) for name, sql in VIEWS.items()}


def test_sigkill_right_after_202_loses_nothing(make_server):
    server = make_server(env={"JWT_KEY": ""})  # the generated key must survive too
    client = Client(server)
    numbers = [new_order_number() for _ in range(50)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: client.upload(n).status_code, numbers))
    assert codes == [202] * 50
    server.kill()
    server.start()
    assert sorted(o["number"] for o in client.orders()) == sorted(numbers), "the old token still works"


def test_sigkill_with_pending_orders_resumes_them_all(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    client = Client(server)
    numbers = [new_order_number() for _ in range(100)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(lambda n: client.upload(n).status_code, numbers)) == {202}
    wait_until(lambda: all(accrual.count(n) >= 1 for n in numbers), timeout=30, message="every order polled once")
    server.kill()
    for i, number in enumerate(numbers):
        accrual.answer(number, accrual.processed(number, i + 0.5))
    server.start()
    wait_until(lambda: all(o["status"] == "PROCESSED" for o in client.orders()), timeout=90, interval=0.2,
               message="all 100 orders PROCESSED after the restart")
    assert round(client.balance()["current"] * 100) == sum(i * 100 + 50 for i in range(100))


def test_token_survives_restart_with_generated_key(make_server):
    server = make_server(env={"JWT_KEY": ""})
    client = Client(server)
    assert server.stop() == 0
    server.start()
    assert client.get("/api/user/balance").status_code == 200


def test_sigterm_exits_zero_and_finishes_requests_in_flight(make_server):
    server = make_server()
    clients = [Client(server) for _ in range(4)]
    codes = []

    def register_and_login(i):
        # Registration spends ~a hundred ms hashing: long enough to be in flight.
        response = requests.post(server.url("/api/user/register"),
                                 json={"login": f"drain-{i}-{time.monotonic_ns()}", "password": "p"})
        codes.append(response.status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(register_and_login, i) for i in range(8)]
        time.sleep(0.05)
        assert server.stop() == 0
        for future in futures:
            try:
                future.result()
            except requests.ConnectionError:
                codes.append("refused")  # arrived after the listener closed: never accepted
    assert all(code in (200, "refused") for code in codes), codes
    assert clients  # registered before the stop
    assert "gophermart stopped" in server.log()


def test_rebuild_projections_reproduces_the_read_models(make_server, accrual):
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    alice, bob = Client(server), Client(server)
    fund(alice, accrual, 120.55)
    fund(bob, accrual, 7)
    alice.upload(new_order_number())
    assert alice.withdraw(new_order_number(), 20.5).status_code == 200
    assert bob.withdraw(new_order_number(), 7).status_code == 200
    assert server.stop() == 0
    database = server.database
    before = dump_views(database)
    assert len(before["users_view"]) == 2 and len(before["withdrawals_view"]) == 2
    for table in VIEWS:
        query(database, f"DELETE FROM {table}")
    assert dump_views(database)["users_view"] == []
    result = subprocess.run([str(BINARY), "rebuild-projections", "-d", str(database)], cwd=server.workdir,
                            capture_output=True, text=True, timeout=60, env=server.env)
    assert result.returncode == 0, result.stderr
    assert "rebuilt the read models from" in result.stdout
    assert dump_views(database) == before
    server.start()
    assert alice.balance() == {"current": 100.05, "withdrawn": 20.5}


def run_binary(args, cwd, env=None, timeout=30):
    return subprocess.run([str(BINARY), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0", "OPENAPI_ADDRESS": "off",
                               **(env or {})})


def test_help_lists_every_option(tmp_path):
    result = run_binary(["--help"], tmp_path)
    assert result.returncode == 0
    for name in ("RUN_ADDRESS", "DATABASE_URI", "ACCRUAL_SYSTEM_ADDRESS", "AMQP", "JWT_KEY", "SALT",
                 "rebuild-projections", "verify", "export", "import", "events"):
        assert name in result.stdout


def test_bad_values_stop_with_one_line_naming_the_option(tmp_path):
    cases = [
        (["-a", "nonsense"], {}, "RUN_ADDRESS"),
        ([], {"RUN_ADDRESS": "localhost:99999"}, "RUN_ADDRESS"),
        (["-d", "mysql://db"], {}, "DATABASE_URI"),
        (["-d", str(tmp_path / "missing-dir" / "x.db")], {}, "DATABASE_URI"),
        (["-r", "ftp://x"], {}, "ACCRUAL_SYSTEM_ADDRESS"),
        (["-a", "256.1.1.1:80"], {}, "RUN_ADDRESS"),
        ([], {"AMQP": "http://broker:5672"}, "AMQP"),
        ([], {"AMQP": "amqp://one:5672/", "AMPQ": "amqp://two:5672/"}, "AMQP"),
    ]
    for args, env, option in cases:
        result = run_binary(args, tmp_path, env)
        assert result.returncode != 0, (args, env)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and option in lines[0], (args, env, result.stderr)


def test_occupied_port_is_a_clear_error(make_server, tmp_path):
    server = make_server()
    result = run_binary(["-a", f"127.0.0.1:{server.port}", "-d", str(tmp_path / "other.db")], tmp_path)
    assert result.returncode != 0
    assert "RUN_ADDRESS" in result.stderr


def test_dotenv_is_read_and_environment_overrides_it(tmp_path):
    dotenv_port, env_port = free_port(), free_port()
    (tmp_path / ".env").write_text(f"RUN_ADDRESS=127.0.0.1:{dotenv_port}\nDATABASE_URI=sqlite:from-dotenv.db\n")
    for env, port in (({}, dotenv_port), ({"RUN_ADDRESS": f"127.0.0.1:{env_port}"}, env_port)):
        process = subprocess.Popen([str(BINARY)], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0",
                                        "OPENAPI_ADDRESS": "off", **env})
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/nope", timeout=1).status_code == 404:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "server did not come up on the configured port"
                time.sleep(0.05)
        finally:
            process.terminate()
            assert process.wait(timeout=20) == 0
    assert (tmp_path / "from-dotenv.db").exists()


def test_occupied_docs_port_is_a_clear_error(make_server, tmp_path):
    server = make_server()
    result = run_binary(["-a", f"127.0.0.1:{free_port()}", "-d", str(tmp_path / "docs.db"),
                         "--openapi-address", f"127.0.0.1:{server.docs_port}"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "OPENAPI_ADDRESS" in lines[0], result.stderr


def test_docs_listener_serves_the_documents(make_server):
    server = make_server()
    docs = f"http://127.0.0.1:{server.docs_port}"
    page = requests.get(docs + "/")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy, policy
    assert f"connect-src 'self' http://127.0.0.1:{server.port};" in policy, "the API, as the document names it"
    assert "<script>" not in page.text, "no inline script: the policy allows none"
    assert page.headers["X-Frame-Options"] == "DENY"
    for path in ("/", "/index.js", "/openapi.json", "/swagger-ui/swagger-ui-bundle.js"):
        assert requests.get(docs + path).headers["X-Content-Type-Options"] == "nosniff", path
    assert "SwaggerUIBundle" in requests.get(docs + "/index.js").text
    document = requests.get(docs + "/openapi.json").json()
    assert document["servers"][0]["url"] == f"http://127.0.0.1:{server.port}", "names the running API"
    assert set(document["paths"]) >= {"/api/user/register", "/api/user/balance/withdraw"}
    assert requests.get(docs + "/openapi.yaml").text.startswith("openapi: 3.1.0")
    assert requests.get(docs + "/swagger-ui/swagger-ui.css").headers["Content-Type"].startswith("text/css")

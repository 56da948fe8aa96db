"""Registration, login and tokens (SPEC §3): both token carriers work, and
missing, malformed, forged, unsigned and expired tokens get 401."""

import time

import pytest
import requests

from conftest import NO_ACCRUAL_QUEUE, Client, make_jwt, token_subject, unique_login, wait_until

pytestmark = NO_ACCRUAL_QUEUE


def register(server, body, **kw):
    return requests.post(server.url("/api/user/register"), json=body, **kw)


def test_register_authenticates_by_header_and_cookie(server):
    login = unique_login()
    response = register(server, {"login": login, "password": "pw"})
    assert response.status_code == 200
    assert response.headers["Authorization"].startswith("Bearer ")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("token=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert attribute in cookie
    token = response.headers["Authorization"].split(" ", 1)[1]
    assert requests.get(server.url("/api/user/balance"),
                        headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert requests.get(server.url("/api/user/balance"), cookies={"token": token}).status_code == 200


def test_login_taken_is_conflict(server):
    client = Client(server)
    assert register(server, {"login": client.login, "password": "other"}).status_code == 409


def test_login_with_right_and_wrong_pair(server):
    client = Client(server, password="right")
    ok = requests.post(server.url("/api/user/login"), json={"login": client.login, "password": "right"})
    assert ok.status_code == 200
    assert token_subject(ok.headers["Authorization"]) == token_subject(client.token)
    assert requests.post(server.url("/api/user/login"),
                         json={"login": client.login, "password": "wrong"}).status_code == 401
    assert requests.post(server.url("/api/user/login"),
                         json={"login": unique_login(), "password": "right"}).status_code == 401


@pytest.mark.parametrize("body", [
    "not json",
    "{",
    "[]",
    '"string"',
    '{"login":"a"}',
    '{"password":"a"}',
    '{"login":"","password":"p"}',
    '{"login":"a","password":""}',
    '{"login":1,"password":"p"}',
    '{"login":"a","password":null}',
    '{"login":["a"],"password":"p"}',
    '{"login":"' + "x" * 65 + '","password":"p"}',
    '{"login":"a","password":"' + "p" * 257 + '"}',
])
@pytest.mark.parametrize("path", ["/api/user/register", "/api/user/login"])
def test_bad_credentials_body_is_400(shared_server, path, body):
    response = requests.post(shared_server.url(path), data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_non_utf8_json_is_400(server):
    body = b'{"login":"\xff\xfe","password":"p"}'
    response = requests.post(server.url("/api/user/register"), data=body,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_wrong_content_type_is_415(server):
    response = requests.post(server.url("/api/user/register"), data='{"login":"a","password":"b"}',
                             headers={"Content-Type": "text/html"})
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/api/user/orders", "/api/user/balance", "/api/user/withdrawals",
                                  "/api/user/balance/withdrawals"])
def test_protected_routes_need_a_token(shared_server, path):
    assert requests.get(shared_server.url(path)).status_code == 401


def test_bad_tokens_are_401(server):
    client = Client(server)
    subject = token_subject(client.token)
    future = int(time.time()) + 3600
    good = make_jwt({"sub": subject, "exp": future})
    assert requests.get(server.url("/api/user/balance"),
                        headers={"Authorization": f"Bearer {good}"}).status_code == 200, "the test's own minting works"
    header, payload, signature = client.token.split(" ", 1)[1].split(".")
    tampered_signature = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    tampered_payload = make_jwt({"sub": "someone-else", "exp": future}).split(".")[1]
    bad_tokens = [
        "",
        "garbage",
        f"{header}.{payload}.{tampered_signature}",
        f"{header}.{tampered_payload}.{signature}",
        make_jwt({"sub": subject, "exp": future}, alg="none"),
        make_jwt({"sub": subject, "exp": future}, alg="HS512"),
        make_jwt({"sub": subject, "exp": future}, key="another-key"),
        make_jwt({"sub": subject, "exp": int(time.time()) - 1}),
        make_jwt({"sub": subject}),
        make_jwt({"exp": future}),
    ]
    for token in bad_tokens:
        for headers in ({"Authorization": f"Bearer {token}"}, {"Authorization": token}):
            response = requests.get(server.url("/api/user/balance"), headers=headers)
            assert response.status_code == 401, (token, response.text)
        assert requests.get(server.url("/api/user/balance"), cookies={"token": token}).status_code == 401


def test_passwords_and_tokens_never_reach_the_log(server):
    client = Client(server, password="very-secret-password")
    requests.post(server.url("/api/user/login"), json={"login": client.login, "password": "very-secret-password"})
    client.get("/api/user/balance")
    # Request lines are buffered and written within a second.
    wait_until(lambda: '"path":"/api/user/balance"' in server.log(), timeout=5, message="the requests in the log")
    log = server.log()
    assert '"path":"/api/user/login"' in log, "requests are logged"
    assert "very-secret-password" not in log
    assert client.token.split(" ", 1)[1] not in log


def test_burst_of_logins_does_not_stall_other_requests(server):
    """Hashing has its own lane: a balance read overtakes a queue of logins."""
    from concurrent.futures import ThreadPoolExecutor
    import threading

    client = Client(server, password="burst")
    done = []
    lock = threading.Lock()

    def login(_):
        requests.post(server.url("/api/user/login"), json={"login": client.login, "password": "burst"})
        with lock:
            done.append(1)

    logins = 40
    with ThreadPoolExecutor(max_workers=logins) as pool:
        futures = [pool.submit(login, i) for i in range(logins)]
        # Wait until the hashing lane is demonstrably busy, then read.
        deadline = time.monotonic() + 30
        while not done and time.monotonic() < deadline:
            time.sleep(0.005)
        assert client.get("/api/user/balance").status_code == 200
        with lock:
            finished_when_read = len(done)
        for future in futures:
            future.result()
    assert finished_when_read < logins // 2, f"the balance read queued behind {finished_when_read} logins"


def test_a_flood_of_sign_ins_past_the_hashing_lane_is_503_at_once(server):
    """At most 64 passwords wait for the hashing lane; the rest are told to
    come back, rather than queued without limit."""
    from concurrent.futures import ThreadPoolExecutor

    client = Client(server, password="flood")

    def login(_):
        response = requests.post(server.url("/api/user/login"), json={"login": client.login, "password": "flood"})
        return response.status_code, response.headers.get("Retry-After")

    with ThreadPoolExecutor(max_workers=160) as pool:
        answers = list(pool.map(login, range(480)))
    statuses = {status for status, _ in answers}
    assert statuses <= {200, 503}, statuses
    busy = [retry for status, retry in answers if status == 503]
    assert busy, "160 at once overflow a line of 64"
    assert set(busy) == {"1"}
    assert sum(1 for status, _ in answers if status == 200) >= 64
    assert requests.post(server.url("/api/user/login"),
                         json={"login": client.login, "password": "flood"}).status_code == 200

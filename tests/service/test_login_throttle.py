"""Failed sign-ins slow down (SPEC §3a limits): per login and per client
address, after a small burst, 429 with a Retry-After that grows while the
failures go on; a success or a quiet spell resets it; other users are not
held back; a login that does not exist behaves exactly as a wrong password."""

import statistics
import time

import requests

from conftest import NO_ACCRUAL_QUEUE, Client, unique_login

pytestmark = NO_ACCRUAL_QUEUE

BURST = 5  # free failures per login


def sign_in(server, login, password, headers=None):
    return requests.post(server.url("/api/user/login"), json={"login": login, "password": password},
                         headers=headers or {})


def test_failures_for_one_login_wait_after_a_burst_and_a_success_resets_them(server):
    alice = Client(server)
    for _ in range(BURST + 1):
        assert sign_in(server, alice.login, "wrong").status_code == 401
    refused = sign_in(server, alice.login, alice.password)
    assert refused.status_code == 429, "even the right password waits its turn"
    assert refused.headers["Retry-After"] == "1"
    assert "too many failed sign-ins" in refused.json()["error"]
    assert sign_in(server, Client(server).login, "pa55word").status_code == 200, "other users are not held back"
    time.sleep(1.05)
    assert sign_in(server, alice.login, "wrong").status_code == 401
    growing = sign_in(server, alice.login, alice.password)
    assert growing.status_code == 429
    assert growing.headers["Retry-After"] == "2", "the wait doubles while failures go on"
    time.sleep(2.05)
    assert sign_in(server, alice.login, alice.password).status_code == 200
    assert sign_in(server, alice.login, "wrong").status_code == 401, "the success reset the count"


def test_an_unknown_login_is_throttled_and_answered_exactly_as_a_wrong_password(server, latency_report):
    known = Client(server)
    unknown = unique_login("nobody")
    answers = {}
    timings = {}
    for login in (known.login, unknown):
        seen = []
        took = []
        for _ in range(BURST + 2):
            started = time.monotonic()
            response = sign_in(server, login, "wrong")
            took.append(time.monotonic() - started)
            seen.append((response.status_code, response.headers.get("Retry-After"), response.text))
        answers[login] = seen
        timings[login] = statistics.median(took[:BURST + 1])
    assert answers[known.login] == answers[unknown]
    assert [status for status, _, _ in answers[unknown]] == [401] * (BURST + 1) + [429]
    latency_report("sign-in: median 401 for a wrong password", timings[known.login])
    latency_report("sign-in: median 401 for a login that does not exist", timings[unknown])


def test_one_address_trying_many_logins_waits_and_others_do_not(make_server):
    # Behind a proxy that says who the client is (docker-compose.yml's nginx).
    server = make_server(env={"CLIENT_ADDRESS_HEADER": "X-Real-IP"})
    victim = Client(server)
    guesser = {"X-Real-IP": "203.0.113.7"}
    for i in range(20):
        assert sign_in(server, f"guess-{i}", "wrong", guesser).status_code == 401
    assert sign_in(server, "guess-20", "wrong", guesser).status_code == 401
    refused = sign_in(server, victim.login, victim.password, guesser)
    assert refused.status_code == 429, "the address waits, whichever login it tries"
    assert int(refused.headers["Retry-After"]) >= 1
    assert sign_in(server, victim.login, victim.password, {"X-Real-IP": "198.51.100.1"}).status_code == 200


def test_without_the_setting_a_client_cannot_pick_its_own_address(server):
    for i in range(21):
        assert sign_in(server, f"guess-{i}", "wrong", {"X-Real-IP": f"203.0.113.{i}"}).status_code == 401
    assert sign_in(server, "guess-21", "wrong", {"X-Real-IP": "203.0.113.99"}).status_code == 429

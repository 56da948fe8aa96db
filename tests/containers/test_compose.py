"""The compose stack as a user runs it (scripts/container-test starts it):
through the balancer, a customer registers, uploads orders that our accrual
system rates, watches them reach PROCESSED, withdraws and reads the balance,
while one of the two gophermart replicas is restarted in the middle;
nothing acknowledged is lost, nothing is credited twice, and both replicas
served requests."""

import os
import random
import subprocess
import time

import requests

PROJECT = os.environ["GM_COMPOSE_PROJECT"]
API = f"http://127.0.0.1:{os.environ['GOPHERMART_PORT']}"
DOCS = f"http://127.0.0.1:{os.environ['DOCS_PORT']}"
ACCRUAL = f"http://127.0.0.1:{os.environ['ACCRUAL_PORT']}"


def luhn(prefix):
    digits = [int(d) for d in prefix + "0"]
    for i in range(len(digits) - 2, -1, -2):
        digits[i] = digits[i] * 2 - 9 if digits[i] * 2 > 9 else digits[i] * 2
    return prefix + str((10 - sum(digits) % 10) % 10)


def replicas():
    out = subprocess.run(["podman", "ps", "--filter", f"label=io.podman.compose.project={PROJECT}",
                          "--filter", "label=com.docker.compose.service=gophermart", "--format", "{{.Names}}"],
                         check=True, capture_output=True, text=True).stdout
    return sorted(out.split())


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def test_a_customer_through_the_balancer_while_a_replica_restarts():
    assert len(replicas()) == 2, replicas()
    assert requests.get(DOCS + "/openapi.json", timeout=10).status_code == 200, "the docs through the balancer"
    assert requests.post(ACCRUAL + "/api/goods", json={"match": "Bork", "reward": 10, "reward_type": "%"},
                         timeout=10).status_code == 200
    numbers = [luhn(str(random.randrange(10**11, 10**12))) for _ in range(20)]
    for number in numbers:
        response = requests.post(ACCRUAL + "/api/orders", timeout=10,
                                 json={"order": number, "goods": [{"description": "Bork kettle", "price": 500}]})
        assert response.status_code == 202, response.text

    session = requests.Session()
    login = f"customer{random.randrange(10**9)}"
    response = session.post(API + "/api/user/register", json={"login": login, "password": "pa55word"}, timeout=10)
    assert response.status_code == 200, response.text
    session.headers["Authorization"] = response.headers["Authorization"]

    def upload(number):
        # A replica going away mid-request: the client tries again, as any
        # client of a load-balanced service does (the upload is idempotent).
        for _ in range(20):
            try:
                answer = session.post(API + "/api/user/orders", data=number, timeout=10,
                                      headers={"Content-Type": "text/plain"})
                if answer.status_code in (200, 202):
                    return answer.status_code
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"order {number} never accepted")

    for number in numbers[:10]:
        assert upload(number) == 202
    restarted = replicas()[0]
    subprocess.run(["podman", "restart", "--time", "10", restarted], check=True, capture_output=True)
    for number in numbers[10:]:
        assert upload(number) in (200, 202)

    def all_processed():
        answer = session.get(API + "/api/user/orders", timeout=10)
        if answer.status_code != 200:
            return None
        statuses = {o["number"]: (o["status"], o.get("accrual")) for o in answer.json()}
        return statuses if all(statuses.get(n, ("",))[0] == "PROCESSED" for n in numbers) else None

    statuses = wait_until(all_processed, 120, "every order PROCESSED")
    assert all(statuses[n] == ("PROCESSED", 50) for n in numbers), statuses
    assert session.get(API + "/api/user/balance", timeout=10).json() == {"current": 1000, "withdrawn": 0}, \
        "each order credited once"

    spend = luhn(str(random.randrange(10**11, 10**12)))
    answer = session.post(API + "/api/user/balance/withdraw", json={"order": spend, "sum": 250}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert session.get(API + "/api/user/balance", timeout=10).json() == {"current": 750, "withdrawn": 250}
    withdrawals = session.get(API + "/api/user/withdrawals", timeout=10).json()
    assert [(w["order"], w["sum"]) for w in withdrawals] == [(spend, 250)]

    for name in replicas():
        logs = subprocess.run(["podman", "logs", name], capture_output=True, text=True).stderr
        assert '"path":"/api/user/' in logs, f"{name} served requests through the balancer"

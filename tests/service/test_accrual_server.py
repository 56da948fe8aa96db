"""The accrual system we ship (SPEC §4): reward rules, order registration,
asynchronous exact calculation, and its rate limit, over real sockets."""


import pytest
import requests

from conftest import NO_ACCRUAL_QUEUE, new_order_number, wait_until

pytestmark = NO_ACCRUAL_QUEUE

JSON = {"Content-Type": "application/json"}


def add_rule(accrual, match, reward, reward_type):
    return requests.post(accrual.url("/api/goods"), json={"match": match, "reward": reward, "reward_type": reward_type})


def register(accrual, number, goods):
    return requests.post(accrual.url("/api/orders"), json={"order": number, "goods": goods})


def status_of(accrual, number):
    response = requests.get(accrual.url(f"/api/orders/{number}"))
    return response.json() if response.status_code == 200 else response.status_code


def final(accrual, number):
    return wait_until(lambda: (s := status_of(accrual, number)) != 204 and s["status"] in ("PROCESSED", "INVALID") and s,
                      message=f"order {number} to be rated")


def test_spec_worked_examples(make_accrual):
    accrual = make_accrual()
    assert add_rule(accrual, "Pringles", 10, "%").status_code == 200
    assert add_rule(accrual, "Coca-Cola", 12.5, "pt").status_code == 200
    assert add_rule(accrual, "X", 5, "%").status_code == 200
    chips = new_order_number()
    assert register(accrual, chips, [
        {"description": "Чайник Tefal", "price": 7000},
        {"description": "Чипсы Pringles бекон", "price": 147.5},
        {"description": "Напиток Coca-Cola Zero 0.5л", "price": 55},
    ]).status_code == 202
    x = new_order_number()
    assert register(accrual, x, [{"description": "X", "price": 14599.50}]).status_code == 202
    assert final(accrual, chips) == {"order": chips, "status": "PROCESSED", "accrual": 27.25}
    assert final(accrual, x) == {"order": x, "status": "PROCESSED", "accrual": 729.98}


def test_order_with_no_matching_goods_is_invalid(make_accrual):
    accrual = make_accrual()
    add_rule(accrual, "Bork", 10, "%")
    number = new_order_number()
    register(accrual, number, [{"description": "Tefal", "price": 100}])
    assert final(accrual, number) == {"order": number, "status": "INVALID"}


def test_unknown_order_is_204(make_accrual):
    accrual = make_accrual()
    assert requests.get(accrual.url(f"/api/orders/{new_order_number()}")).status_code == 204
    assert requests.get(accrual.url("/api/orders/abc")).status_code == 400


def test_order_moves_through_registered_and_processing(make_accrual):
    accrual = make_accrual(args=["--processing-delay", "1500"])
    add_rule(accrual, "Bork", 10, "pt")
    number = new_order_number()
    register(accrual, number, [{"description": "Bork", "price": 1}])
    seen = set()
    wait_until(lambda: seen.add(status_of(accrual, number)["status"]) or "PROCESSED" in seen, timeout=20,
               message="PROCESSED")
    assert "PROCESSING" in seen


@pytest.mark.parametrize("rule", [
    {"match": "", "reward": 10, "reward_type": "%"},
    {"match": "A", "reward": -1, "reward_type": "%"},
    {"match": "A", "reward": 10, "reward_type": "percent"},
    {"match": "A", "reward": "10", "reward_type": "%"},
    {"match": "A", "reward": 10.001, "reward_type": "%"},
    {"match": 5, "reward": 10, "reward_type": "%"},
    {"reward": 10, "reward_type": "%"},
])
def test_bad_rules_are_400(make_accrual, rule):
    accrual = make_accrual()
    assert requests.post(accrual.url("/api/goods"), json=rule).status_code == 400


def test_duplicate_rule_is_409(make_accrual):
    accrual = make_accrual()
    assert add_rule(accrual, "Bork", 10, "%").status_code == 200
    assert add_rule(accrual, "Bork", 5, "pt").status_code == 409


@pytest.mark.parametrize("body", [
    "not json",
    '{"order":"12345678901","goods":[]}',
    '{"order":12345678903,"goods":[]}',
    '{"order":"12345678903"}',
    '{"order":"12345678903","goods":{}}',
    '{"order":"12345678903","goods":[{"description":"a"}]}',
    '{"order":"12345678903","goods":[{"description":"a","price":-1}]}',
    '{"order":"12345678903","goods":[{"description":1,"price":1}]}',
    '{"order":"12345678903","goods":[5]}',
])
def test_bad_orders_are_400(make_accrual, body):
    accrual = make_accrual()
    assert requests.post(accrual.url("/api/orders"), data=body, headers=JSON).status_code == 400


def test_duplicate_order_is_409(make_accrual):
    accrual = make_accrual()
    number = new_order_number()
    assert register(accrual, number, []).status_code == 202
    assert register(accrual, number, []).status_code == 409


def test_rate_limit_answers_429_with_retry_after(make_accrual):
    accrual = make_accrual(env={"RATE_LIMIT": "5"})
    number = new_order_number()
    codes = [requests.get(accrual.url(f"/api/orders/{number}")) for _ in range(7)]
    assert [r.status_code for r in codes] == [204] * 5 + [429] * 2
    refused = codes[-1]
    assert refused.text == "No more than 5 requests per minute allowed"
    assert 55 <= int(refused.headers["Retry-After"]) <= 60


def test_state_survives_restart(make_accrual):
    accrual = make_accrual()
    add_rule(accrual, "Bork", 10, "pt")
    number = new_order_number()
    register(accrual, number, [{"description": "Bork", "price": 1}])
    final(accrual, number)
    accrual.kill()
    accrual.start()
    assert status_of(accrual, number) == {"order": number, "status": "PROCESSED", "accrual": 10}
    assert add_rule(accrual, "Bork", 10, "pt").status_code == 409


def test_help_names_every_option(make_accrual, tmp_path):
    import subprocess
    from conftest import ACCRUAL_BINARY
    result = subprocess.run([str(ACCRUAL_BINARY), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    for name in ("RUN_ADDRESS", "DATABASE_URI", "RATE_LIMIT", "PROCESSING_DELAY"):
        assert name in result.stdout
    bad = subprocess.run([str(ACCRUAL_BINARY), "-l", "many"], capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "RATE_LIMIT" in bad.stderr

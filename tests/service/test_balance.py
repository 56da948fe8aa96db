"""Balance and withdrawals (SPEC §3): exact hundredths, no overdraft under
concurrency, idempotent repeats, and every refusal with its status code."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import Client, fund, new_order_number


def test_new_user_has_a_zero_balance(server):
    assert Client(server).balance() == {"current": 0, "withdrawn": 0}


def test_accrual_is_credited_exactly(server, accrual):
    client = Client(server)
    fund(client, accrual, 500.5)
    fund(client, accrual, 729.98)
    assert client.balance() == {"current": 1230.48, "withdrawn": 0}
    assert json.loads(client.get("/api/user/balance").text) == {"current": 1230.48, "withdrawn": 0}
    assert "1230.48" in client.get("/api/user/balance").text


def test_withdrawal_moves_points_and_is_listed(server, accrual):
    client = Client(server)
    fund(client, accrual, 1000)
    order = new_order_number()
    assert client.withdraw(order, 751).status_code == 200
    assert client.balance() == {"current": 249, "withdrawn": 751}
    for path in ("/api/user/withdrawals", "/api/user/balance/withdrawals"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        [item] = response.json()
        assert item["order"] == order and item["sum"] == 751
        assert item["processed_at"].endswith("+00:00")


def test_withdrawals_are_listed_newest_first(server, accrual):
    client = Client(server)
    fund(client, accrual, 100)
    orders = [new_order_number() for _ in range(4)]
    for i, order in enumerate(orders):
        assert client.withdraw(order, i + 1).status_code == 200
    assert [w["order"] for w in client.get("/api/user/withdrawals").json()] == list(reversed(orders))


def test_not_enough_points_is_402(server, accrual):
    client = Client(server)
    assert client.withdraw(new_order_number(), 1).status_code == 402
    fund(client, accrual, 10)
    assert client.withdraw(new_order_number(), 10.01).status_code == 402
    assert client.withdraw(new_order_number(), 10).status_code == 200
    assert client.balance() == {"current": 0, "withdrawn": 10}


def test_forty_racing_withdrawals_never_overdraw(server, accrual):
    client = Client(server)
    fund(client, accrual, 100)
    orders = [new_order_number() for _ in range(40)]

    def withdraw(order):
        return requests.post(server.url("/api/user/balance/withdraw"), json={"order": order, "sum": 10},
                             headers={"Authorization": client.token}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(withdraw, orders))
    assert codes.count(200) == 10, codes
    assert codes.count(402) == 30, codes
    assert client.balance() == {"current": 0, "withdrawn": 100}
    assert len(client.get("/api/user/withdrawals").json()) == 10


def test_repeated_withdrawal_is_charged_once(server, accrual):
    client = Client(server)
    fund(client, accrual, 100)
    order = new_order_number()
    assert client.withdraw(order, 30).status_code == 200
    assert client.withdraw(order, 30).status_code == 200
    assert client.balance() == {"current": 70, "withdrawn": 30}


def test_repeated_withdrawals_racing_are_charged_once(server, accrual):
    client = Client(server)
    fund(client, accrual, 100)
    order = new_order_number()
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(lambda _: client.withdraw(order, 30).status_code, range(10)))
    assert codes == [200] * 10
    assert client.balance() == {"current": 70, "withdrawn": 30}


def test_same_order_different_withdrawal_is_409(server, accrual):
    alice, bob = Client(server), Client(server)
    fund(alice, accrual, 100)
    fund(bob, accrual, 100)
    order = new_order_number()
    assert alice.withdraw(order, 30).status_code == 200
    assert alice.withdraw(order, 31).status_code == 409
    assert bob.withdraw(order, 30).status_code == 409
    assert alice.balance() == {"current": 70, "withdrawn": 30}
    assert bob.balance() == {"current": 100, "withdrawn": 0}


def test_ten_tenths_leave_exactly_99(server, accrual):
    client = Client(server)
    fund(client, accrual, 100)
    for _ in range(10):
        assert client.withdraw(new_order_number(), 0.1).status_code == 200
    assert client.balance() == {"current": 99, "withdrawn": 1}


@pytest.mark.parametrize("amount", [0, -1, 0.001, 10.555, 1e308, -0.0, 1e13 + 1, 12345678901234567890])
def test_bad_sums_are_422(shared_server, shared_accrual, amount):
    client = Client(shared_server)
    fund(client, shared_accrual, 100)
    assert client.withdraw(new_order_number(), amount).status_code == 422
    assert client.balance() == {"current": 100, "withdrawn": 0}


@pytest.mark.parametrize("order", ["12345678901", "abc", "", "9" * 5000])
def test_bad_order_numbers_are_422(shared_server, order):
    client = Client(shared_server)
    assert client.withdraw(order, 1).status_code == 422


@pytest.mark.parametrize("body", [
    "not json", "{", "[]", "null", '{"sum":1}', '{"order":"2377225624"}',
    '{"order":2377225624,"sum":1}', '{"order":"2377225624","sum":"1"}', '{"order":"2377225624","sum":null}',
    '{"order":"2377225624","sum":[1]}', '{"order":"2377225624","sum":1e999}',
])
def test_malformed_withdrawal_is_400(shared_server, body):
    client = Client(shared_server)
    response = client.post("/api/user/balance/withdraw", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text

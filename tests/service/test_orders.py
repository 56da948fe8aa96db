"""Order upload and listing (SPEC §3): status codes, whitespace, Luhn,
ownership, newest-first lists and the Content-Type of 204s."""

import re

import pytest
import requests

from conftest import Client, luhn_complete, new_order_number

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def test_upload_new_then_again(server):
    client = Client(server)
    number = new_order_number()
    assert client.upload(number).status_code == 202
    assert client.upload(number).status_code == 200


def test_upload_of_another_users_order_is_conflict(server):
    number = new_order_number()
    assert Client(server).upload(number).status_code == 202
    assert Client(server).upload(number).status_code == 409


@pytest.mark.parametrize("body", ["", "   ", "\n"])
def test_empty_body_is_400(server, body):
    assert Client(server).upload(body).status_code == 400


@pytest.mark.parametrize("body", ["12345678901", "abc", "12 34", "-12345678903", "1234567890a", "9" * 5000,
                                  "１２３"])
def test_bad_numbers_are_422(server, body):
    assert Client(server).upload(body).status_code == 422


def test_surrounding_whitespace_is_accepted(server):
    client = Client(server)
    number = new_order_number()
    assert client.upload(f"  {number}\n").status_code == 202
    assert client.order(number) is not None
    assert client.upload(f"{number}\r\n").status_code == 200


def test_upload_without_content_type_is_accepted_and_json_is_415(server):
    client = Client(server)
    response = requests.post(server.url("/api/user/orders"), data=new_order_number().encode(),
                             headers={"Authorization": client.token})
    assert response.status_code == 202
    response = client.post("/api/user/orders", data=new_order_number(), headers={"Content-Type": "application/json"})
    assert response.status_code == 415


def test_empty_lists_are_204_with_json_content_type(server):
    client = Client(server)
    for path in ("/api/user/orders", "/api/user/withdrawals", "/api/user/balance/withdrawals"):
        response = client.get(path)
        assert response.status_code == 204
        assert response.headers["Content-Type"] == "application/json"
        assert response.content == b""


def test_orders_are_listed_newest_first_as_strings(server):
    client = Client(server)
    numbers = [new_order_number() for _ in range(5)]
    for number in numbers:
        assert client.upload(number).status_code == 202
    response = client.get("/api/user/orders")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    orders = response.json()
    assert [o["number"] for o in orders] == list(reversed(numbers))
    for order in orders:
        assert isinstance(order["number"], str)
        assert order["status"] in ("NEW", "PROCESSING")
        assert "accrual" not in order
        assert RFC3339.match(order["uploaded_at"]), order["uploaded_at"]


def test_users_see_only_their_orders(server):
    alice, bob = Client(server), Client(server)
    number = new_order_number()
    alice.upload(number)
    assert bob.get("/api/user/orders").status_code == 204


def test_leading_zeros_are_kept(server):
    client = Client(server)
    number = "000" + luhn_complete("4561261212345467"[:-1])
    assert client.upload(number).status_code == 202
    assert client.order(number)["number"] == number

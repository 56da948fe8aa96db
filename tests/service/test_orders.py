"""Order upload and listing (SPEC §3): status codes, whitespace, Luhn,
ownership, newest-first lists and the Content-Type of 204s."""

import gzip
import http.client
import json
import re
from concurrent.futures import ThreadPoolExecutor

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
def test_empty_body_is_400(shared_server, body):
    assert Client(shared_server).upload(body).status_code == 400


@pytest.mark.parametrize("body", ["12345678901", "abc", "12 34", "-12345678903", "1234567890a", "9" * 5000,
                                  "１２３"])
def test_bad_numbers_are_422(shared_server, body):
    assert Client(shared_server).upload(body).status_code == 422


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


def test_a_list_longer_than_a_page_comes_whole_in_chunks_on_a_kept_connection(server):
    # 1 100 orders: more than a page of 1 000, read as they are sent.
    # Uploaded in waves of 100 at once: the waves' order is known.
    client = Client(server)
    waves = [[new_order_number() for _ in range(100)] for _ in range(11)]
    numbers = [number for wave in waves for number in wave]
    wave_of = {number: index for index, wave in enumerate(waves) for number in wave}
    with ThreadPoolExecutor(8) as pool:
        for wave in waves:
            assert set(pool.map(lambda number: client.upload(number).status_code, wave)) == {202}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for encoding in ("identity", "gzip"):
            connection.request("GET", "/api/user/orders",
                               headers={"Authorization": client.token, "Accept-Encoding": encoding})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200
            assert response.getheader("Transfer-Encoding") == "chunked"
            assert response.getheader("Content-Length") is None
            assert not response.will_close  # the connection serves the next request
            if encoding == "gzip":
                assert response.getheader("Content-Encoding") == "gzip"
                body = gzip.decompress(body)
            orders = json.loads(body)
            assert sorted(o["number"] for o in orders) == sorted(numbers)
            listed_waves = [wave_of[o["number"]] for o in orders]
            assert listed_waves == sorted(listed_waves, reverse=True)  # newest first, across the pages too
    finally:
        connection.close()
    assert client.get("/api/user/orders").json() == orders  # as every client reads it

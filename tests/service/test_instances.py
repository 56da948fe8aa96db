"""Several gophermart instances on one PostgreSQL database (SPEC §6): tokens,
uniqueness, the accrual queue and the no-overdraft rule hold across them.
PostgreSQL only: an embedded SQLite file serves one process."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import STORE, Client, new_order_number, wait_until

pytestmark = pytest.mark.skipif(STORE != "postgres", reason="several instances share a PostgreSQL database")


@pytest.fixture
def pair(make_server, accrual):
    env = {"ACCRUAL_SYSTEM_ADDRESS": accrual.base, "JWT_KEY": ""}  # the generated key is shared through the database
    first = make_server(env=env)
    second = make_server(env=env, database=first.database)
    return first, second


def test_a_login_made_on_one_instance_works_on_the_other(pair):
    first, second = pair
    client = Client(first)
    assert requests.get(second.url("/api/user/balance"), headers={"Authorization": client.token}).status_code == 200
    login = requests.post(second.url("/api/user/login"), json={"login": client.login, "password": client.password})
    assert login.status_code == 200
    assert requests.get(first.url("/api/user/balance"),
                        headers={"Authorization": login.headers["Authorization"]}).status_code == 200


def test_duplicates_across_instances_answer_as_on_one(pair, accrual):
    first, second = pair
    alice, bob = Client(first), Client(second)
    number = new_order_number()
    assert alice.upload(number).status_code == 202
    assert requests.post(second.url("/api/user/orders"), data=number.encode(),
                         headers={"Authorization": alice.token, "Content-Type": "text/plain"}).status_code == 200
    assert bob.upload(number).status_code == 409
    assert requests.post(first.url("/api/user/register"),
                         json={"login": bob.login, "password": "x"}).status_code == 409


def test_an_order_is_processed_once_by_two_instances(pair, accrual):
    first, second = pair
    client = Client(first)
    numbers = [new_order_number() for _ in range(40)]
    for i, number in enumerate(numbers):
        accrual.answer(number, accrual.processed(number, 1))
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda pair_: requests.post(
            pair_[1].url("/api/user/orders"), data=pair_[0].encode(),
            headers={"Authorization": client.token, "Content-Type": "text/plain"}).status_code,
            [(n, first if i % 2 else second) for i, n in enumerate(numbers)]))
    assert codes == [202] * 40
    wait_until(lambda: client.balance()["current"] == 40, timeout=60, message="all 40 credited")
    assert all(o["status"] == "PROCESSED" for o in client.orders())
    assert {n: accrual.count(n) for n in numbers} == {n: 1 for n in numbers}, "each order asked about once"


def test_racing_withdrawals_over_two_instances_never_overdraw(pair, accrual):
    first, second = pair
    client = Client(first)
    number = new_order_number()
    accrual.answer(number, accrual.processed(number, 100))
    client.upload(number)
    client.wait_status(number, "PROCESSED")
    orders = [new_order_number() for _ in range(100)]

    def withdraw(i_order):
        i, order = i_order
        server = first if i % 2 else second
        return requests.post(server.url("/api/user/balance/withdraw"), json={"order": order, "sum": 10},
                             headers={"Authorization": client.token}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(withdraw, enumerate(orders)))
    assert codes.count(200) == 10, codes
    assert codes.count(402) == 90, codes
    for server in pair:
        assert requests.get(server.url("/api/user/balance"), headers={"Authorization": client.token}).json() == {
            "current": 0, "withdrawn": 100}

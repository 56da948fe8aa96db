"""Both of our binaries together: an order registered in accrual and
uploaded to gophermart goes NEW -> PROCESSED, its points can be spent, and a
rate-limited accrual system is drained without hammering it."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import STORE, Client, new_order_number, query, wait_until


def register_in_accrual(accrual, number, goods):
    response = requests.post(accrual.url("/api/orders"), json={"order": number, "goods": goods})
    assert response.status_code == 202, response.text


def test_order_is_rated_by_accrual_and_points_are_spent(make_accrual, make_server):
    accrual = make_accrual()
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    requests.post(accrual.url("/api/goods"), json={"match": "Pringles", "reward": 10, "reward_type": "%"})
    requests.post(accrual.url("/api/goods"), json={"match": "Coca-Cola", "reward": 12.5, "reward_type": "pt"})
    client = Client(server)
    number = new_order_number()
    register_in_accrual(accrual, number, [
        {"description": "Чайник Tefal", "price": 7000},
        {"description": "Чипсы Pringles бекон", "price": 147.5},
        {"description": "Напиток Coca-Cola Zero 0.5л", "price": 55},
    ])
    assert client.upload(number).status_code == 202
    assert client.wait_status(number, "PROCESSED")["accrual"] == 27.25
    assert client.withdraw(new_order_number(), 27.25).status_code == 200
    assert client.balance() == {"current": 0, "withdrawn": 27.25}


def test_order_registered_in_accrual_after_upload_is_picked_up(make_accrual, make_server):
    accrual = make_accrual()
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    requests.post(accrual.url("/api/goods"), json={"match": "Bork", "reward": 3, "reward_type": "pt"})
    client = Client(server)
    number = new_order_number()
    assert client.upload(number).status_code == 202
    # gophermart polls and hears 204 for a while.
    wait_until(lambda: '"path":"/api/orders/' in accrual.log() and accrual.log().count('"status":204') >= 2,
               message="a few 204s from accrual")
    assert client.order(number)["status"] == "NEW"
    register_in_accrual(accrual, number, [{"description": "Bork", "price": 1}])
    assert client.wait_status(number, "PROCESSED", timeout=40)["accrual"] == 3


def accrual_requests(accrual):
    """(timestamp seconds, status) of every GET /api/orders/... accrual served."""
    found = []
    for line in accrual.log().splitlines():
        if '"msg":"request"' in line and '"path":"/api/orders/' in line:
            ts = re.search(r'"ts":"[^"]*T(\d\d):(\d\d):(\d\d\.\d+)Z"', line)
            hours, minutes, seconds = int(ts.group(1)), int(ts.group(2)), float(ts.group(3))
            status = int(re.search(r'"status":(\d+)', line).group(1))
            found.append((hours * 3600 + minutes * 60 + seconds, status))
    return found


@pytest.mark.skipif(STORE != "sqlite", reason="a minute of pacing, which depends on neither store nor queue")
def test_rate_limited_accrual_is_drained_with_one_429_per_window(make_accrual, make_server):
    """70 orders against 60 requests per minute: the first window fills, one
    429 tells gophermart the limit, and the rest go through at the pace it
    names — every order rated, no window with a second 429."""
    accrual = make_accrual(env={"RATE_LIMIT": "60"})
    requests.post(accrual.url("/api/goods"), json={"match": "Bork", "reward": 1, "reward_type": "pt"})
    numbers = [new_order_number() for _ in range(70)]
    for number in numbers:
        register_in_accrual(accrual, number, [{"description": "Bork", "price": 1}])

    def rated():
        return query(accrual.database, "SELECT COUNT(*) FROM accrual_orders WHERE status = 'PROCESSED'") == [("70",)]

    wait_until(rated, message="accrual to rate every order")
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base})
    client = Client(server)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(lambda n: client.upload(n).status_code, numbers)) == {202}
    wait_until(lambda: client.balance()["current"] == 70, timeout=180, interval=1, message="all 70 credited")
    assert all(o["status"] == "PROCESSED" for o in client.orders())
    accrual.stop()  # writes out every buffered log line
    served = accrual_requests(accrual)
    limited = [t for t, status in served if status == 429]
    assert len(limited) >= 1, "the limit was reached"
    first = served[0][0]
    windows = [int((t - first) // 60) for t in limited]
    assert len(windows) == len(set(windows)), f"two 429s in one minute window: {limited}"
    print(f"\nrate-limited drain: {len(served)} requests, {len(limited)} x 429, "
          f"{served[-1][0] - first:.1f} s from first to last request")

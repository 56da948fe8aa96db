"""Shared by the pipeline benchmarks: orders that our accrual system has
already rated, so gophermart's side is what gets measured."""

import requests

from conftest import new_order_number, query, wait_until


def rated_orders(accrual, count, rule, price):
    """Registers `rule` and `count` orders of one good at `price` in accrual,
    waits until accrual has rated them all, and returns their numbers."""
    requests.post(accrual.url("/api/goods"), json=rule)
    numbers = [new_order_number() for _ in range(count)]
    for number in numbers:
        requests.post(accrual.url("/api/orders"),
                      json={"order": number, "goods": [{"description": rule["match"], "price": price}]})

    def rated():
        return int(query(accrual.database, "SELECT COUNT(*) FROM accrual_orders WHERE status='PROCESSED'")[0][0])

    wait_until(lambda: rated() == count, timeout=60, message="accrual to rate every order")
    return numbers

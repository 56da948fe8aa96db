"""The accrual pipeline (issue 2 scope): uploaded orders are polled until a
final status and credited once, whatever the fake accrual system answers."""

import time

from conftest import Client, FakeAccrual, free_port, new_order_number, wait_until


def test_order_goes_new_processing_processed(server, accrual):
    client = Client(server)
    number = new_order_number()
    accrual.answer(number,
                   (204, None, {}),
                   (200, {"order": number, "status": "REGISTERED"}, {}),
                   (200, {"order": number, "status": "PROCESSING"}, {}),
                   accrual.processed(number, 500))
    assert client.upload(number).status_code == 202
    order = client.wait_status(number, "PROCESSED")
    assert order["accrual"] == 500
    assert client.balance() == {"current": 500, "withdrawn": 0}
    assert accrual.count(number) == 4


def test_processing_is_shown_while_the_accrual_system_works(server, accrual):
    client = Client(server)
    number = new_order_number()
    accrual.answer(number, (200, {"order": number, "status": "PROCESSING"}, {}))
    client.upload(number)
    client.wait_status(number, "PROCESSING")


def test_invalid_is_final_and_credits_nothing(server, accrual):
    client = Client(server)
    number = new_order_number()
    accrual.answer(number, (200, {"order": number, "status": "INVALID"}, {}))
    client.upload(number)
    order = client.wait_status(number, "INVALID")
    assert "accrual" not in order
    assert client.balance()["current"] == 0
    seen = accrual.count(number)
    time.sleep(1.0)
    assert accrual.count(number) == seen, "a final order is not polled again"


def test_processed_without_accrual_has_no_accrual_field(server, accrual):
    client = Client(server)
    number = new_order_number()
    accrual.answer(number, accrual.processed(number, None))
    client.upload(number)
    assert "accrual" not in client.wait_status(number, "PROCESSED")


def test_faults_and_garbage_are_retried_never_guessed(server, accrual):
    client = Client(server)
    number = new_order_number()
    accrual.answer(number,
                   (500, "boom", {}),
                   (200, "not json", {}),
                   (200, {"order": number, "status": "WHATEVER"}, {}),
                   (200, {"order": "1", "status": "INVALID"}, {}),
                   accrual.processed(number, 27.25))
    client.upload(number)
    order = client.wait_status(number, "PROCESSED", timeout=30)
    assert order["accrual"] == 27.25
    assert client.balance()["current"] == 27.25
    assert accrual.count(number) == 5


def test_rate_limit_pauses_every_request(server, accrual):
    client = Client(server)
    limited = new_order_number()
    accrual.answer(limited,
                   (429, "No more than 100 requests per minute allowed", {"Retry-After": "2"}),
                   accrual.processed(limited, 1))
    client.upload(limited)
    wait_until(lambda: accrual.count(limited) >= 1, message="the first poll")
    limited_at = accrual.requests[0][0]
    others = [new_order_number() for _ in range(3)]
    for number in others:
        accrual.answer(number, accrual.processed(number, 1))
        client.upload(number)
    client.wait_status(limited, "PROCESSED", timeout=20)
    for number in others:
        client.wait_status(number, "PROCESSED", timeout=20)
    after = [t for t, _ in accrual.requests if t > limited_at]
    assert after, "polling resumed"
    assert min(after) - limited_at >= 2.0 - 0.05, "no request inside the Retry-After window"
    assert client.balance()["current"] == 4


def test_accrual_system_down_then_up(make_server):
    port = free_port()
    server = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": f"http://127.0.0.1:{port}"})
    client = Client(server)
    number = new_order_number()
    client.upload(number)
    time.sleep(1.0)
    assert client.order(number)["status"] == "NEW", "refused connections change nothing"
    late = FakeAccrual(port=port)
    try:
        late.answer(number, late.processed(number, 7))
        assert client.wait_status(number, "PROCESSED", timeout=30)["accrual"] == 7
    finally:
        late.close()

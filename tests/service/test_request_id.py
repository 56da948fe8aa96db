"""X-Request-Id: a client's id (visible ASCII, at most 128 characters) comes
back in the answer and in the request's log line; anything else, or none,
is replaced by an id made here, unique per request."""

import json

import requests

from conftest import HTTP_ONLY, Client, wait_until

pytestmark = HTTP_ONLY


def logged_request_ids(server):
    ids = []
    for line in server.log().splitlines():
        if line.startswith("{") and '"msg":"request"' in line:
            ids.append(json.loads(line).get("request_id"))
    return ids


def test_a_client_id_is_echoed_and_logged(server):
    response = requests.get(server.url("/api/user/balance"), headers={"X-Request-Id": "checkout-42/a.b_c"})
    assert response.status_code == 401
    assert response.headers["X-Request-Id"] == "checkout-42/a.b_c"
    wait_until(lambda: "checkout-42/a.b_c" in logged_request_ids(server), timeout=5, message="the id in the log")


def test_a_missing_or_unfit_id_is_replaced_by_a_unique_one(server):
    client = Client(server)
    unfit = ["", "x" * 129, "has space", "tab\there", "é-accented".encode().decode("latin-1")]
    seen = set()
    for value in [None, *unfit]:
        headers = {} if value is None else {"X-Request-Id": value}
        response = client.get("/api/user/balance", headers=headers)
        assert response.status_code == 200
        made = response.headers["X-Request-Id"]
        assert made != value and 1 <= len(made) <= 128 and made.isascii() and " " not in made, made
        seen.add(made)
    assert len(seen) == 1 + len(unfit), seen
    assert "x" * 128 == client.get("/api/user/balance", headers={"X-Request-Id": "x" * 128}).headers["X-Request-Id"]
    wait_until(lambda: seen <= set(logged_request_ids(server)), timeout=5, message="every made id in the log")

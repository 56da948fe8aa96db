"""Hostile and malformed input gets a clear 4xx and the server keeps serving
(SPEC §3): huge bodies, gzip bombs, broken HTTP, unknown routes and methods."""

import gzip
import socket

import pytest
import requests

from conftest import HTTP_ONLY, Client, metric, new_order_number, wait_until

pytestmark = HTTP_ONLY


def metric_of(server, name, **labels):
    return metric(requests.get(server.url("/metrics"), timeout=10).text, name, **labels)


def still_serving(server):
    assert requests.post(server.url("/api/user/login"), json={"login": "x", "password": "y"}).status_code == 401


def test_eight_mebibyte_body_is_413(server):
    response = requests.post(server.url("/api/user/register"), data=b"x" * (8 * 1024 * 1024),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    still_serving(server)


def test_gzip_bomb_is_413(server):
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    response = requests.post(server.url("/api/user/register"), data=bomb,
                             headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 413
    still_serving(server)


def test_gzip_request_bodies_are_accepted(server):
    client = Client(server)
    number = new_order_number()
    response = client.post("/api/user/orders", data=gzip.compress(number.encode()),
                           headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"})
    assert response.status_code == 202
    assert client.order(number) is not None


def test_corrupt_gzip_is_400_and_unknown_encoding_415(server):
    headers = {"Content-Type": "application/json"}
    assert requests.post(server.url("/api/user/login"), data=b"\x1f\x8bnot really",
                         headers={**headers, "Content-Encoding": "gzip"}).status_code == 400
    assert requests.post(server.url("/api/user/login"), data=b"{}",
                         headers={**headers, "Content-Encoding": "br"}).status_code == 415


def test_responses_are_gzipped_when_asked_and_worth_it(server):
    client = Client(server)
    for _ in range(30):
        client.upload(new_order_number())
    zipped = client.get("/api/user/orders", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("Content-Encoding") == "gzip"
    assert len(zipped.json()) == 30
    plain = client.get("/api/user/orders", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    small = client.get("/api/user/balance", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_unknown_route_is_404_and_wrong_method_405(server):
    assert requests.get(server.url("/nope")).status_code == 404
    assert requests.get(server.url("/api/user/orders/")).status_code == 404
    response = requests.delete(server.url("/api/user/orders"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert requests.get(server.url("/api/user/register")).status_code == 405


def raw_exchange(server, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize("payload", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"POST /api/user/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/user/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
    b"GET /api/user/balance HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
])
def test_broken_http_gets_4xx(shared_server, payload):
    answer = raw_exchange(shared_server, payload)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:200]
    still_serving(shared_server)


def test_silent_and_half_open_clients_do_not_block_others(server):
    sockets = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    try:
        for s in sockets[:10]:
            s.sendall(b"POST /api/user/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        still_serving(server)
    finally:
        for s in sockets:
            s.close()
    still_serving(server)


def test_deep_json_is_400(server):
    body = "[" * 100000 + "]" * 100000
    response = requests.post(server.url("/api/user/register"), data=body,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    still_serving(server)


def test_past_the_connection_cap_a_new_connection_is_told_503_and_closed(make_server):
    # 256 file descriptors: the cap is 256 less a reserve of 128 (ServerOptions).
    server = make_server(wrapper=["prlimit", "--nofile=256:256", "--"])
    # The scrapes go over one kept-alive connection, itself one of the held:
    # a connection of the test's that closes while the cap is reached would
    # let the next one in.
    scraper = requests.Session()

    def open_now():
        return metric(scraper.get(server.url("/metrics"), timeout=10).text, "gophermart_http_connections_open")

    held = []
    try:
        assert open_now() >= 1
        for _ in range(128 - 2):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        still_serving(server)
        # Exactly the held ones and the scraper's: still_serving's is closed.
        wait_until(lambda: open_now() == 127, message="only the held connections open")
        held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        wait_until(lambda: open_now() == 128, message="the cap reached")
        refused = requests.get(server.url("/api/user/balance"), timeout=10)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "1"
        assert refused.json() == {"error": "too many open connections"}
        assert open_now() == 128
        for s in held[-10:]:
            s.close()
        del held[-10:]
        wait_until(lambda: requests.get(server.url("/healthz"), timeout=10).status_code == 200, message="a place again")
        assert metric(scraper.get(server.url("/metrics"), timeout=10).text,
                      "gophermart_http_connections_refused_total", reason="limit") >= 1
    finally:
        scraper.close()
        for s in held:
            s.close()
    still_serving(server)

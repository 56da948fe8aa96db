"""Live updates (SPEC §3a): GET /api/user/events as Server-Sent Events, read
over a raw socket as a browser's EventSource would: order and balance
messages as the pipeline moves, resumption with Last-Event-ID without loss or
repetition, a change made by a second instance on PostgreSQL, the caps."""

import json
import socket
import time
from types import SimpleNamespace

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import contract
from conftest import STORE, Client, fund, new_order_number, wait_until

KEEP_ALIVE_SECONDS = 15


class EventStream:
    """One GET /api/user/events, parsed as the SSE format says."""

    def __init__(self, server, token, last_event_id=None):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        head = f"GET /api/user/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: {token}\r\n"
        if last_event_id is not None:
            head += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.buffer = b""
        self.comments = []
        self.retry = None
        status_and_headers = self._until(b"\r\n\r\n", time.monotonic() + 10).decode()
        lines = status_and_headers.split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if line)}
        body = b""
        if self.status != 200:
            length = int(self.headers.get("content-length", "0"))
            while len(self.buffer) < length:
                self._fill(time.monotonic() + 10)
            body = self.buffer[:length]
            self.body = json.loads(body)
        contract.check(SimpleNamespace(  # the head (and an error's body) as documented
            request=SimpleNamespace(url=server.url("/api/user/events"), method="GET"), status_code=self.status,
            headers=CaseInsensitiveDict(self.headers), content=body, text=body.decode()))

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError from None
        if not chunk:
            raise EOFError("the server closed the stream")
        self.buffer += chunk

    def _until(self, separator, deadline):
        while separator not in self.buffer:
            self._fill(deadline)
        block, self.buffer = self.buffer.split(separator, 1)
        return block

    def next(self, timeout=10):
        """The next message (id, event, data); comments are kept aside."""
        deadline = time.monotonic() + timeout
        while True:
            block = self._until(b"\n\n", deadline).decode()
            message = {}
            for line in block.split("\n"):
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "retry":
                    self.retry = int(value)
                elif field in ("id", "event"):
                    message[field] = value
                elif field == "data":
                    message["data"] = json.loads(value)
                    contract.check_event(message.get("event"), value)
            if "data" in message:
                message["received"] = time.monotonic()
                return message

    def take(self, count, timeout=10):
        return [self.next(timeout) for _ in range(count)]

    def quiet_for(self, seconds):
        """True when no message comes within `seconds`."""
        try:
            self.next(seconds)
            return False
        except TimeoutError:
            return True

    def close(self):
        self.sock.close()


def messages(stream_messages):
    return [(m["id"], m["event"], m["data"]) for m in stream_messages]


def ids_increase(stream_messages):
    positions = [tuple(int(part) for part in m["id"].split("-")) for m in stream_messages]
    return all(a < b for a, b in zip(positions, positions[1:]))


def test_a_processed_order_and_the_new_balance_arrive_live(server, accrual, latency_report):
    client = Client(server)
    stream = EventStream(server, client.token)
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream"
    assert stream.headers["cache-control"] == "no-store"
    first = stream.next()
    assert first["event"] == "balance" and first["data"] == {"current": 0, "withdrawn": 0}
    assert stream.retry == 1000

    number = new_order_number()
    accrual.answer(number, accrual.processed(number, 512.34))
    assert client.upload(number).status_code == 202
    seen = [stream.next()]
    while not (any(m["event"] == "balance" for m in seen) and
               any(m["event"] == "order" and m["data"]["status"] == "PROCESSED" for m in seen)):
        seen.append(stream.next())
    uploaded_at = client.order(number)["uploaded_at"]
    orders = [m["data"] for m in seen if m["event"] == "order"]
    assert orders[0] == {"number": number, "status": "NEW", "uploaded_at": uploaded_at}
    assert orders[-1] == {"number": number, "status": "PROCESSED", "accrual": 512.34, "uploaded_at": uploaded_at}
    assert [m["data"] for m in seen if m["event"] == "balance"] == [{"current": 512.34, "withdrawn": 0}]
    assert ids_increase([first, *seen])
    answered = max(t for t, n in accrual.requests if n == number)
    processed = next(m for m in seen if m["event"] == "order" and m["data"]["status"] == "PROCESSED")
    latency_report("events: accrual answer to the PROCESSED message, same instance", processed["received"] - answered)

    withdrawal = new_order_number()
    assert client.withdraw(withdrawal, 12.34).status_code == 200
    assert stream.next()["data"] == {"current": 500, "withdrawn": 12.34}
    assert client.balance() == {"current": 500, "withdrawn": 12.34}
    stream.close()


def test_resuming_with_last_event_id_gives_exactly_what_was_missed(server, accrual):
    client = Client(server)
    witness = EventStream(server, client.token)  # open all along: what was said, in order
    reader = EventStream(server, client.token)
    start = witness.next()
    last_had = reader.next()["id"]
    reader.close()  # the reader goes away ...

    fund(client, accrual, 100)
    fund(client, accrual, 250.5)
    assert client.withdraw(new_order_number(), 50.25).status_code == 200
    said = []
    while not said or said[-1]["data"] != {"current": 300.25, "withdrawn": 50.25}:
        said.append(witness.next())
    assert ids_increase([start, *said])

    # ... and comes back with the last id it had: every message since, once.
    resumed = EventStream(server, client.token, last_event_id=last_had)
    again = resumed.take(len(said))
    assert messages(again) == messages(said)
    assert resumed.quiet_for(1.0), "nothing more, and nothing twice"

    # From any message's id, what followed it.
    middle = len(said) // 2
    partial = EventStream(server, client.token, last_event_id=said[middle]["id"])
    assert messages(partial.take(len(said) - middle - 1)) == messages(said[middle + 1:])
    assert partial.quiet_for(0.5)

    # Once caught up, a resumed stream goes on live, still without repeats.
    number = fund(client, accrual, 1)
    live = [resumed.next()]
    while live[-1]["event"] != "balance":
        live.append(resumed.next())
    assert live[-1]["data"] == {"current": 301.25, "withdrawn": 50.25}
    assert {m["data"]["number"] for m in live[:-1]} == {number}
    assert not {m["id"] for m in live} & {m["id"] for m in said}
    assert ids_increase([*said, *live])
    for stream in (witness, resumed, partial):
        stream.close()


def test_the_balance_after_each_change_is_what_the_balance_endpoint_said(server, accrual):
    client = Client(server)
    stream = EventStream(server, client.token)
    stream.next()
    answers = []
    for amount in (10, 20.5, 30.25):
        fund(client, accrual, amount)
        answers.append(client.balance())
        assert client.withdraw(new_order_number(), 1).status_code == 200
        answers.append(client.balance())
    told = []
    while len(told) < len(answers):
        message = stream.next()
        if message["event"] == "balance":
            told.append(message["data"])
    assert told == answers
    stream.close()


def test_a_bad_last_event_id_is_400_and_no_token_is_401(server):
    client = Client(server)
    for bad in ("garbage", "1", "1-", "-1-2", "x-3", "1-2-3", "99999999999999999999-1"):
        refused = EventStream(server, client.token, last_event_id=bad)
        assert refused.status == 400, bad
        assert "Last-Event-ID" in refused.body["error"]
    assert requests.get(server.url("/api/user/events")).status_code == 401
    assert requests.get(server.url("/api/user/events"), headers={"Last-Event-ID": "garbage"}).status_code == 401


def test_streams_per_user_are_capped_and_a_closed_one_frees_its_place(server):
    client = Client(server)
    other = Client(server)
    streams = [EventStream(server, client.token) for _ in range(8)]
    assert [s.status for s in streams] == [200] * 8
    refused = EventStream(server, client.token)
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) > 0
    streams.insert(0, EventStream(server, other.token))
    assert streams[0].status == 200, "other users are not held back"
    streams.pop().close()

    def reopened():
        stream = EventStream(server, client.token)
        if stream.status == 200:
            streams.append(stream)
            return True
        return False

    wait_until(reopened, timeout=5, message="the closed stream's place to be free")
    metrics = requests.get(server.url("/metrics")).text
    assert "gophermart_event_streams_open 9" in metrics
    for stream in streams:
        stream.close()


def test_a_stream_open_does_not_hold_back_shutdown(server):
    client = Client(server)
    stream = EventStream(server, client.token)
    stream.next()
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 10, "the drain does not wait for streams"
    with pytest.raises((EOFError, ConnectionResetError)):
        stream.next(5)


@pytest.mark.skipif(STORE != "sqlite", reason="the keep-alive comment does not depend on the store")
def test_a_quiet_stream_says_something_every_15_seconds(server):
    client = Client(server)
    stream = EventStream(server, client.token)
    stream.next()
    stream.comments.clear()
    opened = time.monotonic()
    assert stream.quiet_for(KEEP_ALIVE_SECONDS + 3) is True  # no message, but ...
    assert "keep-alive" in stream.comments, "... a comment came"
    assert time.monotonic() - opened >= KEEP_ALIVE_SECONDS
    stream.close()


@pytest.mark.skipif(STORE != "postgres", reason="instances share a database on PostgreSQL only")
def test_a_change_made_by_another_instance_reaches_this_ones_stream(make_server, accrual, server, latency_report):
    second = make_server(env={"ACCRUAL_SYSTEM_ADDRESS": accrual.base}, database=server.database)
    client = Client(second)
    stream = EventStream(server, client.token)  # watching on the first
    assert stream.next()["data"] == {"current": 0, "withdrawn": 0}
    number = new_order_number()
    accrual.answer(number, accrual.processed(number, 42))
    assert client.upload(number).status_code == 202  # uploaded on the second
    seen = [stream.next()]
    while not (seen[-1]["event"] == "balance"):
        seen.append(stream.next())
    assert seen[-1]["data"] == {"current": 42, "withdrawn": 0}
    processed = next(m for m in seen if m["event"] == "order" and m["data"]["status"] == "PROCESSED")
    answered = max(t for t, n in accrual.requests if n == number)
    latency_report("events: accrual answer to the PROCESSED message, other instance", processed["received"] - answered)
    stream.close()


def test_clients_that_leave_during_their_catch_up_leave_the_service_whole(server, accrual):
    """A reconnect storm: each client asks for everything since the start and
    goes away at once, while its catch-up read may still be running (the
    fixture fails the test on any AddressSanitizer report)."""
    client = Client(server)
    fund(client, accrual, 5)
    for _ in range(150):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(f"GET /api/user/events HTTP/1.1\r\nHost: x\r\nAuthorization: {client.token}\r\n"
                      "Last-Event-ID: 0-0\r\n\r\n".encode())
    stream = EventStream(server, client.token)
    assert stream.next()["data"] == {"current": 5, "withdrawn": 0}
    wait_until(lambda: "gophermart_event_streams_open 1" in requests.get(server.url("/metrics")).text,
               message="the storm's streams all closed")
    stream.close()

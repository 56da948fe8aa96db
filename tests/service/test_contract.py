"""The contract checker itself: a response that drifts from api/openapi.yaml
(a renamed field, a third decimal, an undocumented status or media type) is
caught. Served by a stand-in on a port watched as if it were gophermart."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import contract
from conftest import HTTP_ONLY

pytestmark = HTTP_ONLY


@pytest.fixture
def drifting():
    answers = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status, content_type, body = answers[self.path]
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    contract.watch(port, "gophermart")
    yield answers, f"http://127.0.0.1:{port}"
    contract.watch(port, None)
    server.shutdown()
    server.server_close()


def test_the_contract_accepts_a_conforming_answer(drifting):
    answers, base = drifting
    answers["/api/user/balance"] = (200, "application/json", json.dumps({"current": 500.5, "withdrawn": 42}))
    assert requests.get(base + "/api/user/balance").status_code == 200


@pytest.mark.parametrize("answer, complaint", [
    ((200, "application/json", '{"current":1,"withdrawn_total":0}'), "withdrawn"),
    ((200, "application/json", '{"current":1.005,"withdrawn":0}'), "two decimals"),
    ((200, "application/json", '{"current":1e2,"withdrawn":0}'), "two decimals"),
    ((200, "text/plain", "1"), "Content-Type"),
    ((500, "application/json", '{"error":"x"}'), "not documented"),
    ((200, "application/json", '{"current":"1","withdrawn":0}'), "number"),
])
def test_a_drifting_answer_is_caught(drifting, answer, complaint):
    answers, base = drifting
    answers["/api/user/balance"] = answer
    with pytest.raises(contract.ContractViolation, match=complaint):
        requests.get(base + "/api/user/balance")


def test_an_order_list_item_must_match_the_schema(drifting):
    answers, base = drifting
    answers["/api/user/orders"] = (200, "application/json",
                                   '[{"number":12345678903,"status":"NEW","uploaded_at":"2020-12-10T15:15:45+00:00"}]')
    with pytest.raises(contract.ContractViolation, match="string"):
        requests.get(base + "/api/user/orders")

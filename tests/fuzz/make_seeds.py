#!/usr/bin/env python3
"""Writes the hand-made seeds of every harness into tests/fuzz/<target>/corpus/
(named seed-*, so what libFuzzer adds, named by its hash, stays apart).
Run it again after changing a seed here; it leaves the other files alone.

The tokens are HS256 JWTs signed with the key the harnesses use
(http_request.cpp, jwt_verify.cpp), for user-1 and user-2, expiring at
4102444800 (2100-01-01T00:00:00Z), except the expired one."""
import base64
import gzip
import hashlib
import hmac
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent
KEY = b"fuzzing-key-0123456789abcdef-0123456789"
ORDER = "12345678903"  # passes Luhn; accrual_reply.cpp's expected order


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload: dict, header: dict | None = None, key: bytes = KEY) -> str:
    header = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + b64(
        json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


USER1 = jwt({"sub": "user-1", "iat": 1700000000, "exp": 4102444800})
USER2 = jwt({"sub": "user-2", "iat": 1700000000, "exp": 4102444800})


def write(target: str, name: str, data: bytes | str) -> None:
    directory = ROOT / target / "corpus"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_bytes(data.encode() if isinstance(data, str) else data)


def chunked(*pieces: str) -> str:
    return "".join(f"{len(piece.encode()):x}\r\n{piece}\r\n" for piece in pieces) + "0\r\n\r\n"


def request(method: str, target: str, headers: list[tuple[str, str]] = (), body: bytes = b"",
            version: str = "1.1") -> bytes:
    lines = [f"{method} {target} HTTP/{version}", "Host: localhost:8080"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_seeds() -> None:
    # The first byte is the harness's options: '@' reads all at once with the
    # server's limits, 'A' one byte per read, 'H' all at once with small limits.
    bearer = ("Authorization", "Bearer " + USER1)
    json_type = ("Content-Type", "application/json")
    credentials = b'{"login":"alice","password":"secret"}'
    write("http_request", "register", b"@" + request("POST", "/api/user/register", [json_type], credentials))
    write("http_request", "login-gzip", b"@" + request(
        "POST", "/api/user/login", [json_type, ("Content-Encoding", "gzip")], gzip.compress(credentials, mtime=0)))
    write("http_request", "upload", b"@" + request(
        "POST", "/api/user/orders", [bearer, ("Content-Type", "text/plain")], b"12345678903\n"))
    write("http_request", "withdraw", b"@" + request(
        "POST", "/api/user/balance/withdraw", [bearer, json_type], b'{"order":"2377225624","sum":751.5}'))
    write("http_request", "balance-at", b"@" + request(
        "GET", "/api/user/balance?at=2026-12-02T10%3A00%3A00Z&x=1", [bearer, ("X-Request-Id", "abc-123")]))
    write("http_request", "pipelined", b"@" + request("GET", "/api/user/orders", [bearer]) +
          request("GET", "/api/user/withdrawals", [("Cookie", "theme=dark; token=" + USER2)]) +
          request("GET", "/healthz", [("Connection", "close")]))
    write("http_request", "chunked", b"@" + (
        "POST /api/user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=utf-8\r\n"
        "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n" +
        chunked('{"login":"bob","', 'password":"pa\\u00e9ss"}')).encode())
    write("http_request", "preflight", b"@" + request(
        "OPTIONS", "/api/user/orders", [("Origin", "http://localhost:8082"),
                                        ("Access-Control-Request-Method", "POST")]))
    write("http_request", "http10", b"@" + request("GET", "/api/orders/12345678903", [], version="1.0"))
    write("http_request", "method-not-allowed", b"@" + request("DELETE", "/api/user/orders", [bearer]))
    write("http_request", "brotli", b"@" + request(
        "POST", "/api/user/register", [json_type, ("Content-Encoding", "br")], b"xyz"))
    write("http_request", "small-limits", b"H" + request(
        "POST", "/api/user/register", [json_type], b'{"login":"' + b"a" * 1100 + b'","password":"p"}'))
    write("http_request", "byte-reads", b"A" + request("POST", "/api/user/logout", [], b"") +
          request("GET", "/api/user/balance", [("authorization", "bearer " + USER1)]))
    write("http_request", "bad-token", b"@" + request("GET", "/api/user/events", [("Authorization", "Bearer x.y.z")]))


def json_seeds() -> None:
    write("json_bodies", "credentials", '{"login":"alice","password":"secret"}')
    write("json_bodies", "credentials-unicode", '{"login":"\\u00e9l\\u00e8ve \\ud83d\\ude00","password":"\\u0000x"}')
    write("json_bodies", "credentials-spaces", '{"login":" alice","password":""}')
    write("json_bodies", "withdrawal", '{"order":"2377225624","sum":751}')
    write("json_bodies", "withdrawal-decimal", '{"order":"12345678903","sum":500.05}')
    write("json_bodies", "withdrawal-exponent", '{"order":"79927398713","sum":1e2}')
    write("json_bodies", "withdrawal-big", '{"order":"79927398713","sum":10000000000000}')
    write("json_bodies", "withdrawal-negative", '{"order":"79927398713","sum":-0.5}')
    write("json_bodies", "both", '{"login":"u","password":"p","order":"0","sum":18446744073709551615}')
    write("json_bodies", "deep", '{"a":[[[[[[[[[1]]]]]]]]]}')


def text_seeds() -> None:
    for name, text in [("luhn", "79927398713"), ("zeros", "0000"), ("long", "1" * 33), ("points", "500.50"),
                       ("negative", "-0.05"), ("max", "10000000000000"), ("precise", "1.005"),
                       ("exponent", "1e2"), ("space", " 12345678903\n"), ("date", "2020-12-10T15:15:45+03:00"),
                       ("date-ms", "2020-12-10t12:15:45.250Z"), ("date-edge", "9999-12-31 23:59:59-23:59"),
                       ("int64", "\xff\xff\xff\xff\xff\xff\xff\x7f")]:
        write("order_points", name, text.encode("latin-1"))


def accrual_seeds() -> None:
    def response(status: str, body: str = "", headers: list[tuple[str, str]] = ()) -> str:
        lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    json_type = ("Content-Type", "application/json")
    write("accrual_reply", "processed", response(
        "200 OK", f'{{"order":"{ORDER}","status":"PROCESSED","accrual":729.98}}', [json_type]))
    write("accrual_reply", "processing", response("200 OK", f'{{"order":"{ORDER}","status":"PROCESSING"}}',
                                                  [json_type]))
    write("accrual_reply", "invalid", response("200 OK", f'{{"order":"{ORDER}","status":"INVALID","accrual":null}}',
                                               [json_type]))
    write("accrual_reply", "other-order", response("200 OK", '{"order":"79927398713","status":"REGISTERED"}'))
    write("accrual_reply", "not-registered", response("204 No Content"))
    write("accrual_reply", "rate-limited", response(
        "429 Too Many Requests", "No more than 10 requests per minute allowed",
        [("Retry-After", "60"), ("Content-Type", "text/plain")]))
    write("accrual_reply", "rate-limited-date", response(
        "429 Too Many Requests", "", [("Retry-After", "Wed, 15 Nov 2023 08:00:00 GMT")]))
    write("accrual_reply", "server-error", response("500 Internal Server Error", "oops"))
    write("accrual_reply", "chunked",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
          chunked('{"order":', f'"{ORDER}","status":"PROCESSED",', '"accrual":5e-1}'))
    write("accrual_reply", "until-close", f'HTTP/1.0 200 OK\r\n\r\n{{"order":"{ORDER}","status":"PROCESSED"}}')


def jwt_seeds() -> None:
    write("jwt_verify", "user-1", USER1)
    write("jwt_verify", "user-2", USER2)
    write("jwt_verify", "expired", jwt({"sub": "user-1", "iat": 1600000000, "exp": 1600086400}))
    write("jwt_verify", "no-exp", jwt({"sub": "user-1"}))
    write("jwt_verify", "exp-string", jwt({"sub": "user-1", "exp": "4102444800"}))
    write("jwt_verify", "empty-sub", jwt({"sub": "", "exp": 4102444800}))
    write("jwt_verify", "sub-number", jwt({"sub": 7, "exp": 4102444800}))
    write("jwt_verify", "crit", jwt({"sub": "user-1", "exp": 4102444800},
                                    {"alg": "HS256", "typ": "JWT", "crit": ["exp"]}))
    write("jwt_verify", "hs512", jwt({"sub": "user-1", "exp": 4102444800}, {"alg": "HS512", "typ": "JWT"}))
    write("jwt_verify", "alg-none", b64(b'{"alg":"none"}') + "." + b64(b'{"sub":"user-1","exp":4102444800}') + ".")
    write("jwt_verify", "other-key", jwt({"sub": "user-1", "exp": 4102444800}, key=b"another key"))
    write("jwt_verify", "user-id", "0f3c5e1a-user")
    # Header, newline, payload: the harness signs these itself.
    write("jwt_verify", "signed", '{"alg":"HS256","typ":"JWT"}\n{"sub":"u","iat":1700000000,"exp":4102444800}')
    write("jwt_verify", "signed-crit", '{"alg":"HS256","crit":["x"]}\n{"sub":"u","exp":4102444800}')
    write("jwt_verify", "signed-none", '{"alg":"none"}\n{"sub":"u","exp":4102444800}')
    write("jwt_verify", "signed-exp-real", '{"alg":"HS256"}\n{"sub":"u","exp":4102444800.5,"sub":"v"}')
    write("jwt_verify", "signed-sub-object", '{"alg":"HS256"}\n{"sub":{"id":"u"},"exp":4102444800}')


def config_seeds() -> None:
    write("dotenv_config", "example", "# comment\nRUN_ADDRESS=localhost:8080\nexport DATABASE_URI='sqlite:./g.db'\n"
          "ACCRUAL_SYSTEM_ADDRESS=http://localhost:8081/ # the accrual system\nJWT_KEY=\"" + "k" * 32 + "\"\r\n")
    write("dotenv_config", "postgres", "DATABASE_URI=postgres://user:secret@db:5432/gophermart?sslmode=disable\n"
          "AMQP=amqp://guest:guest@rabbit:5672/%2f\nOPENAPI_ADDRESS=off\nCLIENT_ADDRESS_HEADER=X-Real-IP\n")
    write("dotenv_config", "ipv6", "RUN_ADDRESS=[::1]:8080\nAMPQ=amqps://h:5671\nOPENAPI_ADDRESS=:8082\n")
    write("dotenv_config", "bad", "RUN_ADDRESS=nope\nDATABASE_URI=mysql://x\nRATE_LIMIT=-1\n=x\nA B=1\n")
    write("dotenv_config", "args", "SALT=pepper\0-a\0:9090\0--amqp\0amqp://localhost\0events\0--from\0007\0--follow")
    write("dotenv_config", "accrual-args", "PROCESSING_DELAY=5\0--rate-limit\0" "100\0-d\0accrual.db")
    write("dotenv_config", "help", "\0--help")
    write("dotenv_config", "verb", "AMQP=amqp://a\0requeue-dead-letters")


if __name__ == "__main__":
    http_seeds()
    json_seeds()
    text_seeds()
    accrual_seeds()
    jwt_seeds()
    config_seeds()

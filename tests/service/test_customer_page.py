"""The customer web page on the API listener (SPEC §3a): the page and its
files from the binary, with the headers that keep it to its own origin. The
journey through it is the browser test's (tests/browser/customer.test.mjs)."""

from pathlib import Path

import requests

from conftest import HTTP_ONLY

pytestmark = HTTP_ONLY

ROOT = Path(__file__).resolve().parents[2]
FILES = {  # as served, from where the build embeds it
    "app.js": ("text/javascript", ROOT / "src/infra/http/site/app.js"),
    "app.css": ("text/css", ROOT / "src/infra/http/site/app.css"),
    "pico.min.css": ("text/css", ROOT / "node_modules/@picocss/pico/css/pico.min.css"),
    "uplot.js": ("text/javascript", ROOT / "node_modules/uplot/dist/uPlot.iife.min.js"),
    "uplot.min.css": ("text/css", ROOT / "node_modules/uplot/dist/uPlot.min.css"),
}


def test_the_page_and_its_files_are_served_with_a_strict_policy(server):
    page = requests.get(server.url("/"))
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"):
        assert directive in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.content == (ROOT / "src/infra/http/site/index.html").read_bytes()
    for name, (kind, source) in FILES.items():
        assert f'"/app/{name}"' in page.text, f"the page loads {name}"
        asset = requests.get(server.url(f"/app/{name}"))
        assert asset.status_code == 200, name
        assert asset.headers["Content-Type"].startswith(kind), name
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert asset.content == source.read_bytes(), name
    assert requests.get(server.url("/app/nope.js")).status_code == 404

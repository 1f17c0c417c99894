"""``il2kg serve --cors``: a web page of another origin queries the endpoint in headless Chromium,
by a form POST (a "simple" request) and by a SPARQL 1.1 Protocol POST of
``application/sparql-query`` (which needs a preflight). Without ``--cors`` the browser refuses to
hand the answer to the page. The other origin is a second real HTTP server on loopback.
"""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.server.endpoint import Endpoint

KINASES = "SELECT ?k WHERE { ?k a il2kg:Kinase } ORDER BY ?k"
#: What the page of the other origin runs: both kinds of POST, reporting status and rows or error
FETCHES = """async ([url, query]) => {
  const out = {};
  const tries = {
    form: {method: "POST", headers: {"Accept": "application/sparql-results+json"},
           body: new URLSearchParams({query})},
    direct: {method: "POST", body: query,
             headers: {"Content-Type": "application/sparql-query",
                       "Accept": "application/sparql-results+json"}},
  };
  for (const [name, init] of Object.entries(tries)) {
    try {
      const r = await fetch(url, init);
      const data = await r.json();
      out[name] = {status: r.status, rows: data.results.bindings.map(b => b.k.value),
                   seconds: r.headers.get("X-Il2kg-Query-Seconds")};
    } catch (e) { out[name] = {error: String(e)}; }
  }
  return out;
}"""


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>another origin</title><p>a lab's page"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_endpoint(fixture_endpoint: Endpoint) -> Endpoint:
    return fixture_endpoint


def run_from(chromium: Any, origin: str, endpoint: Endpoint) -> tuple[dict[str, Any], set[str]]:
    ctx = chromium.new_context()
    seen: set[str] = set()
    try:
        page = ctx.new_page()
        page.on("request", lambda r: seen.add(r.url.split("/")[2]))
        page.goto(origin + "/")
        assert page.evaluate("location.origin") != endpoint.url
        return page.evaluate(FETCHES, [endpoint.url + "/query", KINASES]), seen
    finally:
        ctx.close()


def test_both_posts_work_from_another_origin(
    chromium: Any, other_origin: str, shipped_endpoint: Endpoint, shipped_kg: KnowledgeGraph
) -> None:
    answers, hosts = run_from(chromium, other_origin, shipped_endpoint)
    local = sorted(t.value for (t,) in shipped_kg.query(KINASES).rows)  # type: ignore[union-attr]
    assert len(local) > 5
    for name in ("form", "direct"):
        assert answers[name].get("status") == 200, (name, answers[name])
        assert answers[name]["rows"] == local, name
        assert answers[name]["seconds"] is not None  # an exposed header is readable
    assert hosts == {other_origin.split("/")[2], shipped_endpoint.url.split("/")[2]}


def test_without_cors_the_browser_keeps_the_answer_from_the_page(
    chromium: Any, other_origin: str, closed_endpoint: Endpoint
) -> None:
    answers, _ = run_from(chromium, other_origin, closed_endpoint)
    assert "Failed to fetch" in answers["form"]["error"]
    assert "Failed to fetch" in answers["direct"]["error"]


def test_preflight_names_methods_and_headers(shipped_endpoint: Endpoint) -> None:
    req = urllib.request.Request(
        shipped_endpoint.url + "/query",
        method="OPTIONS",
        headers={
            "Origin": "http://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,accept",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
        headers = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods
    assert {"content-type", "accept"} <= headers

"""The query page of ``il2kg serve``, used in headless Chromium over the shipped graph: examples
run and show their rows with labels and links, errors show their position, downloads and
permalinks work, and no request leaves the server's origin (every request is routed and
recorded; any other is aborted and fails the test).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.namespaces import compress
from il2kg.query.catalogue import named_queries
from il2kg.server.endpoint import Endpoint

CHROMIUM_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BAD = "SELECT ?x WHERE {\n  ?x ?p }"


@dataclass
class Visit:
    page: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/"):
            self.requests.append(url)
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()

    def console(self, message: Any) -> None:
        """Script errors; a 400 answer the page shows is logged by Chromium, and is not one."""
        if message.type == "error" and "status of 400" not in message.text:
            self.errors.append(message.text)

    def rows(self) -> list[list[str]]:
        return self.page.evaluate(  # type: ignore[no-any-return]
            "[...document.querySelectorAll('#results tbody tr')].map(tr =>"
            " [...tr.cells].map(td => td.textContent))"
        )


@pytest.fixture
def visit(chromium: Any, shipped_endpoint: Endpoint) -> Iterator[Any]:
    ctx = chromium.new_context()
    visits: list[Visit] = []

    def open_(path: str) -> Visit:
        page = ctx.new_page()
        v = Visit(page, shipped_endpoint.url)
        page.route("**/*", v.route)
        page.on("pageerror", lambda e: v.errors.append(str(e)))
        page.on("console", v.console)
        page.goto(shipped_endpoint.url + path)
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        visits.append(v)
        return v

    yield open_
    ctx.close()
    for v in visits:
        assert v.elsewhere == [], f"requests left the server: {v.elsewhere}"
        assert v.errors == [], v.errors


def get(ep: Endpoint, path: str, accept: str) -> tuple[int, str, bytes, dict[str, str]]:
    req = urllib.request.Request(ep.url + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers["Content-Type"], r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read(), dict(e.headers)


def test_a_browser_gets_the_page_and_a_client_the_results(shipped_endpoint: Endpoint) -> None:
    q = "/query?" + urllib.parse.urlencode({"query": "SELECT ?k WHERE { ?k a il2kg:Kinase }"})
    status, ctype, body, headers = get(shipped_endpoint, q, CHROMIUM_ACCEPT)
    assert status == 200 and ctype.startswith("text/html") and b"il2kg-data" in body
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    for accept in ("application/sparql-results+json", "*/*", "application/json, text/html;q=0.5"):
        status, ctype, body, _ = get(shipped_endpoint, q, accept)
        assert ctype == "application/sparql-results+json", accept
    # the page fetches nothing: no src, no stylesheet link, no @import
    html = get(shipped_endpoint, "/", CHROMIUM_ACCEPT)[2].decode()
    assert not re.search(r"\bsrc\s*=|rel=\"stylesheet\"|@import|url\(", html)


def test_an_example_shows_its_rows_with_labels_and_links(
    visit: Any, shipped_kg: KnowledgeGraph
) -> None:
    v = visit("/")
    nq = named_queries()["kinases-of-receptor"]
    v.page.click("#example-kinases-of-receptor button")
    v.page.wait_for_selector("body[data-labels=done]", timeout=30_000)
    header = v.page.evaluate(
        "[...document.querySelectorAll('#results th')].map(t => t.textContent)"
    )
    cols = [header.index(c) for c in nq.expect_columns]
    links = v.page.evaluate(
        "[...document.querySelectorAll('#results tbody tr')].map(tr => [...tr.cells].map(td =>"
        " { const a = td.querySelector('a'); return a && [a.textContent, a.dataset.iri,"
        " a.getAttribute('href'), td.querySelector('.label').textContent]; }))"
    )
    shown = {tuple(row[c][0] for c in cols) for row in links}
    assert shown == set(nq.expect)
    for row in links:
        curie, iri, href, label = row[cols[0]]
        assert compress(iri) == curie and label == shipped_kg.label(curie) != curie
        assert href == "lookup?iri=" + urllib.parse.quote(iri, safe="")
    assert "6 rows" in v.page.text_content("#status")
    # the editor holds the query with its parameter bound, and a permalink runs it again
    assert "VALUES (?complex)" in v.page.input_value("#query")
    permalink = v.page.get_attribute("#permalink", "href")
    w = visit("/" + permalink)
    w.page.wait_for_selector("body[data-labels=done]", timeout=30_000)
    assert {tuple(r[c] for c in cols) for r in w.rows()} == {
        tuple(c + shipped_kg.label(c) for c in row) for row in nq.expect
    }


def test_a_local_entity_links_to_its_page(visit: Any) -> None:
    v = visit(
        "/?" + urllib.parse.urlencode({"query": "SELECT ?c WHERE { ?c a il2kg:ReceptorComplex }"})
    )
    v.page.wait_for_selector("body[data-state=done]", timeout=30_000)
    hrefs = v.page.evaluate(
        "[...document.querySelectorAll('#results a')].map(a => a.getAttribute('href'))"
    )
    assert "entity/IL2R_ABG" in hrefs


def test_a_bad_query_shows_its_position(visit: Any) -> None:
    v = visit("/")
    v.page.fill("#query", BAD)
    v.page.click("#run")
    v.page.wait_for_selector("body[data-state=error]", timeout=30_000)
    title = v.page.text_content("#error-title")
    m = re.fullmatch(r"Error at line 2, column (\d+)", title or "")
    assert m, title
    assert "^" in (v.page.text_content("#error-text") or "")
    start = v.page.evaluate("document.getElementById('query').selectionStart")
    assert start == len("SELECT ?x WHERE {\n") + int(m[1]) - 1
    assert v.page.is_hidden("#results-section")
    # the gate's refusals too
    v.page.fill("#query", "SELECT * WHERE {\n SERVICE <http://example.org/> { ?s ?p ?o } }")
    v.page.click("#run")
    v.page.wait_for_selector("body[data-state=error]", timeout=30_000)
    assert (v.page.text_content("#error-title") or "").startswith("Error at line 2, column 2")


def test_graph_answers_ask_and_every_download(visit: Any, shipped_endpoint: Endpoint) -> None:
    q = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a il2kg:ReceptorComplex ; rdfs:label ?l }"
    v = visit("/query?" + urllib.parse.urlencode({"query": q}))
    v.page.wait_for_selector("body[data-state=done]", timeout=30_000)
    rows = v.rows()
    assert rows and all(len(r) == 3 and r[1].startswith("rdfs:label") for r in rows)
    downloads = v.page.evaluate(
        "[...document.querySelectorAll('#downloads a')].map(a => a.getAttribute('href'))"
    )
    types = {get(shipped_endpoint, "/" + h, CHROMIUM_ACCEPT)[1].split(";")[0] for h in downloads}
    assert types == {"text/turtle", "application/n-triples", "application/ld+json",
                     "application/rdf+xml"}  # fmt: skip
    v.page.fill("#query", "ASK { ?s a il2kg:Kinase }")
    v.page.click("#run")
    v.page.wait_for_selector("body[data-state=done]", timeout=30_000)
    assert v.rows() == [["true"]]
    downloads = v.page.evaluate(
        "[...document.querySelectorAll('#downloads a')].map(a => a.getAttribute('href'))"
    )
    types = {get(shipped_endpoint, "/" + h, CHROMIUM_ACCEPT)[1].split(";")[0] for h in downloads}
    assert types == {"application/sparql-results+json", "application/sparql-results+xml",
                     "text/csv", "text/tab-separated-values"}  # fmt: skip
    assert "ASK" in urllib.parse.unquote_plus(v.page.url)  # the address is the permalink


def test_markup_in_a_query_stays_text(visit: Any) -> None:
    hostile = 'SELECT ("</textarea><script>window.__pwned=1</script>" AS ?x) {}'
    v = visit("/?" + urllib.parse.urlencode({"query": hostile}))
    v.page.wait_for_selector("body[data-state=done]", timeout=30_000)
    assert v.page.evaluate("window.__pwned") is None
    assert v.page.input_value("#query") == hostile
    assert v.rows() == [["</textarea><script>window.__pwned=1</script>"]]

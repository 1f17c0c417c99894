"""Dereferenceable IRIs: every IRI minted under ``https://w3id.org/il2kg/`` resolves at the
server by the Cool URIs 303 convention, to an HTML card or RDF by ``Accept``; registry IRIs
through ``/lookup``. The IRIs are enumerated here from the graphs with rdflib, independently of
the server's own index; the documents are parsed back and compared with the graphs.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from il2kg import KnowledgeGraph
from il2kg.server.endpoint import Endpoint

BASE = "https://w3id.org/il2kg/"
RDF_FORMATS = {
    "text/turtle": ("turtle", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("ntriples", "nt"),
    "application/rdf+xml": ("rdfxml", "xml"),
}


def minted(kg: KnowledgeGraph) -> set[str]:
    return {
        str(term)
        for graph in (kg.graph, kg.ontology)
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(BASE)
    }


@pytest.fixture
def small(fixture_endpoint: Endpoint) -> Endpoint:
    return fixture_endpoint


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, accept: str, follow: bool = True) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def served(ep: Endpoint, iri: str) -> str:
    """The server's URL for a minted IRI: its path, as the IRI spells it."""
    return ep.url + "/" + iri[len(BASE) :]


def test_every_minted_iri_answers_303_by_accept(
    shipped_endpoint: Endpoint, shipped_kg: KnowledgeGraph
) -> None:
    iris = minted(shipped_kg)
    kinds = {iri[len(BASE) :].split("/")[0] for iri in iris}
    assert {"entity", "vocab", "statement", "reference", "ontology", "dataset"} <= kinds
    host = shipped_endpoint.url.split("//")[1]
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        for i, iri in enumerate(sorted(iris)):
            accept = "text/html" if i % 2 else "text/turtle"
            conn.request("GET", "/" + iri[len(BASE) :], headers={"Accept": accept})
            r = conn.getresponse()
            r.read()
            assert r.status == 303, (iri, r.status)
            want = "/page/" if accept == "text/html" else "/rdf/"
            location = r.headers["Location"]
            assert location == shipped_endpoint.url + want + iri[len(BASE) :] + (
                "" if accept == "text/html" else "?format=turtle"
            ), iri
            assert r.headers["Vary"] == "Accept"
    finally:
        conn.close()
    assert len(iris) > 2500


def test_every_document_is_the_graphs_own(small: Endpoint, fixture_kg: KnowledgeGraph) -> None:
    whole = Graph()
    for g in (fixture_kg.graph, fixture_kg.ontology):
        for t in g:
            whole.add(t)
    for iri in sorted(minted(fixture_kg)):
        status, headers, body = fetch(served(small, iri), "text/turtle")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle"), iri
        doc = Graph().parse(data=body, format="turtle")
        node = URIRef(iri)
        # nothing invented, nothing of its own left out (its blank nodes' triples included)
        assert all(t in whole for t in doc if not any(isinstance(x, BNode) for x in t)), iri
        assert isomorphic(doc.cbd(node), whole.cbd(node)), iri
        status, headers, page = fetch(served(small, iri), "text/html,*/*;q=0.8")
        assert status == 200 and headers["Content-Type"].startswith("text/html"), iri
        assert "script-src 'none'" in headers["Content-Security-Policy"]
        assert b"<script" not in page


def test_rdf_formats_agree(small: Endpoint) -> None:
    iri = BASE + "entity/IL2R_ABG"
    graphs = []
    for media, (name, rdflib_name) in RDF_FORMATS.items():
        status, headers, _ = fetch(served(small, iri), media, follow=False)
        assert status == 303 and headers["Location"].endswith(f"?format={name}")
        status, headers, body = fetch(served(small, iri), media)
        assert headers["Content-Type"].split(";")[0] == media
        graphs.append(Graph().parse(data=body, format=rdflib_name))
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])
    assert len(graphs[0]) > 20
    assert fetch(served(small, iri), "image/png", follow=False)[0] == 406
    assert fetch(small.url + "/entity/NO_SUCH_THING", "text/html")[0] == 404
    assert fetch(small.url + "/page/entity/NO_SUCH_THING", "text/html")[0] == 404


def test_the_card_shows_relations_with_evidence(
    shipped_endpoint: Endpoint, shipped_kg: KnowledgeGraph
) -> None:
    node = URIRef(BASE + "entity/IL2R_ABG")
    g = shipped_kg.graph
    statements = {s for p in (RDF.subject, RDF.object) for s in g.subjects(p, node)}
    sources = {str(o) for st in statements for o in g.objects(st, DCTERMS.source)}
    _, _, body = fetch(served(shipped_endpoint, str(node)), "text/html")
    page = body.decode()
    assert f"Curated relations with their evidence ({len(statements)})" in page
    for src in sources:  # every source, linked to this server's lookup or page
        if src.startswith(BASE):
            href = "/" + src[len(BASE) :]
        else:
            href = "/lookup?iri=" + urllib.parse.quote(src, safe="")
        assert f'href="{href}"'.replace("&", "&amp;") in page, src
    assert "<h1>high-affinity IL-2 receptor</h1>" in page
    assert "/explore?focus=IL2KG%3AIL2R_ABG" in page


def test_registry_iris_through_lookup(small: Endpoint, fixture_kg: KnowledgeGraph) -> None:
    hgnc = "https://identifiers.org/hgnc:6008"
    status, headers, body = fetch(
        small.url + "/lookup?" + urllib.parse.urlencode({"iri": hgnc}), "text/html"
    )
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<h1>IL2RA</h1>" in body and f'href="{hgnc}"'.encode() in body
    for query in ({"id": "HGNC:6008"}, {"id": "IL2RA"}, {"iri": hgnc, "format": "turtle"}):
        status, headers, body = fetch(
            small.url + "/lookup?" + urllib.parse.urlencode(query), "text/turtle"
        )
        assert status == 200 and headers["Content-Type"].startswith("text/turtle"), query
        doc = Graph().parse(data=body, format="turtle")
        own = set(fixture_kg.graph.predicate_objects(URIRef(hgnc)))
        assert own and own <= set(doc.predicate_objects(URIRef(hgnc)))
    assert fetch(small.url + "/lookup?iri=https://example.org/x", "text/html")[0] == 404
    assert fetch(small.url + "/lookup?id=no-such-entity-at-all", "text/html")[0] == 404
    assert fetch(small.url + "/lookup", "text/html")[0] == 400


def test_a_browser_follows_an_iri_to_its_card(chromium: Any, small: Endpoint) -> None:
    ctx = chromium.new_context()
    elsewhere: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(small.url + "/"):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    try:
        page = ctx.new_page()
        page.route("**/*", route)
        page.goto(small.url + "/entity/IL2R_ABG")
        assert page.url == small.url + "/page/entity/IL2R_ABG"
        assert page.text_content("h1") == "high-affinity IL-2 receptor"
        page.click("text=HGNC:6008")  # a registry IRI: its card through /lookup
        assert page.url.startswith(small.url + "/lookup?iri=")
        assert page.text_content("h1") == "IL2RA"
    finally:
        ctx.close()
    assert elsewhere == []

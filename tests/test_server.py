"""``il2kg serve``: the SPARQL 1.1 Protocol endpoint, used through standard clients.

The endpoint runs for real (waitress + worker processes over an on-disk Oxigraph store) on a free
loopback port; the clients are SPARQLWrapper, rdflib's ``SPARQLStore``, ``curl`` and urllib.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from il2kg import KnowledgeGraph
from il2kg.server.endpoint import Endpoint
from il2kg.server.negotiate import negotiate
from tests.conftest import serving

TIMEOUT = 2.0
#: COUNT over a 4-way cartesian product: ~10^10 rows on the fixture, never finishes in time
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
KINASES = "SELECT ?k WHERE { ?k a il2kg:Kinase } ORDER BY ?k"


@pytest.fixture(scope="module")
def endpoint(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    ep = serving(fixture_kg, tmp_path_factory.mktemp("serve"), timeout=TIMEOUT, workers=2)
    yield ep
    ep.stop()


def http(
    ep: Endpoint,
    path: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, str, bytes]:
    req = urllib.request.Request(ep.url + path, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def get_query(ep: Endpoint, query: str, accept: str | None = None) -> tuple[int, str, bytes]:
    return http(
        ep,
        "/query?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": accept} if accept else {},
    )


def test_binds_to_loopback_by_default(endpoint: Endpoint) -> None:
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_sparqlwrapper_get_and_post(endpoint: Endpoint) -> None:
    from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

    for method in (GET, POST):
        sw = SPARQLWrapper(endpoint.url + "/query")
        sw.setMethod(method)
        sw.setQuery("PREFIX il2kg: <https://w3id.org/il2kg/vocab/>\n" + KINASES)
        sw.setReturnFormat(JSON)
        res = sw.query().convert()
        assert [b["k"]["value"] for b in res["results"]["bindings"]] == [  # type: ignore[index,call-overload]
            "https://identifiers.org/hgnc:6190",
            "https://identifiers.org/hgnc:6193",
        ]


def test_rdflib_sparqlstore(endpoint: Endpoint) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(endpoint.url + "/query"))
    rows = list(
        g.query(
            "SELECT ?l WHERE { <https://identifiers.org/hgnc:6001> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        )
    )
    assert [str(r[0]) for r in rows] == ["IL2"]  # type: ignore[index]
    ask = g.query("ASK { ?x a <https://w3id.org/il2kg/vocab/Kinase> }")
    assert ask.askAnswer is True
    labels = set(
        g.objects(
            URIRef("https://identifiers.org/hgnc:6190"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        )
    )
    assert {str(x) for x in labels} == {"JAK1"}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(
    ("accept", "query", "content_type", "check"),
    [
        ("text/csv", KINASES, "text/csv", b"k\r\nhttps://identifiers.org/hgnc:6190\r\n"),
        (
            "text/tab-separated-values",
            KINASES,
            "text/tab-separated-values",
            b"?k\n<https://identifiers.org/hgnc:6190>\n",
        ),
        ("application/sparql-results+xml", KINASES, "application/sparql-results+xml", b"<sparql"),
        (
            "application/sparql-results+json",
            "ASK { HGNC:6190 rdfs:label ?l }",
            "application/sparql-results+json",
            b'"boolean":true',
        ),
        ("text/turtle", "CONSTRUCT WHERE { HGNC:6190 rdfs:label ?l }", "text/turtle", b'"JAK1"'),
        (
            "application/n-triples",
            "DESCRIBE HGNC:6190",
            "application/n-triples",
            b'<https://identifiers.org/hgnc:6190> <http://www.w3.org/2000/01/rdf-schema#label> "JAK1" .',
        ),
        (
            "application/ld+json",
            "CONSTRUCT WHERE { HGNC:6190 rdfs:label ?l }",
            "application/ld+json",
            b'"@id":"https://identifiers.org/hgnc:6190"',
        ),
    ],
)
def test_curl_content_negotiation(
    endpoint: Endpoint, accept: str, query: str, content_type: str, check: bytes
) -> None:
    out = subprocess.run(
        [
            "curl",
            "-s",
            "-i",
            "-H",
            f"Accept: {accept}",
            "--data-urlencode",
            f"query={query}",
            endpoint.url + "/query",
        ],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-type: {content_type}".encode() in head.lower()
    assert check in body


def test_direct_post_body(endpoint: Endpoint) -> None:
    status, ctype, body = http(
        endpoint,
        "/query",
        data=KINASES.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert status == 200 and ctype.startswith("text/csv")
    assert body.splitlines() == [
        b"k",
        b"https://identifiers.org/hgnc:6190",
        b"https://identifiers.org/hgnc:6193",
    ]


def test_updates_are_refused(endpoint: Endpoint) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    form = urllib.parse.urlencode({"update": update}).encode()
    assert (
        http(
            endpoint,
            "/query",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )[0]
        == 403
    )
    assert (
        http(
            endpoint,
            "/query",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )[0]
        == 403
    )
    assert (
        http(
            endpoint,
            "/update",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )[0]
        == 403
    )
    assert (
        http(
            endpoint,
            "/store?default",
            data=b"<urn:a> <urn:b> <urn:c> .",
            headers={"Content-Type": "application/n-triples"},
            method="PUT",
        )[0]
        == 403
    )
    status, _, body = get_query(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert status == 200 and b"false" in body


@pytest.mark.parametrize(
    ("query", "word"),
    [
        (
            "SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}",
            b"line 2, column 3: SERVICE",
        ),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", b"line 1, column 10: FROM"),
        ("LOAD <http://example.org/data.ttl>", b"line 1, column 1: SPARQL Update (LOAD)"),
    ],
)
def test_the_gate_refuses_network_access(endpoint: Endpoint, query: str, word: bytes) -> None:
    status, _, body = get_query(endpoint, query)
    assert status == 400
    assert body.startswith(word)


def test_syntax_error_has_a_position(endpoint: Endpoint) -> None:
    status, _, body = get_query(endpoint, "SELECT ?x WHERE {\n ?x ?p }")
    assert status == 400
    assert body.startswith(b"line 2, column ")


def test_not_acceptable(endpoint: Endpoint) -> None:
    assert get_query(endpoint, KINASES, "image/png")[0] == 406
    assert get_query(endpoint, KINASES, "image/png, */*;q=0.1")[0] == 200


def test_timeout_is_an_error_and_does_not_block_others(endpoint: Endpoint) -> None:
    slow: dict[str, object] = {}

    def run_slow() -> None:
        t = time.monotonic()
        slow["answer"] = get_query(endpoint, RUNAWAY)
        slow["seconds"] = time.monotonic() - t

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    t = time.monotonic()
    status, _, body = get_query(endpoint, KINASES, "text/csv")
    assert status == 200 and b"hgnc:6190" in body
    assert time.monotonic() - t < 1.0  # answered while the runaway query runs
    thread.join(30)
    status, _, body = slow["answer"]  # type: ignore[misc]
    assert status == 503
    assert b"query timeout" in body
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 3  # type: ignore[operator]
    # the killed worker was replaced: two queries at once still work
    time.sleep(1.5)
    results = [get_query(endpoint, "ASK { ?s ?p ?o }")[0] for _ in range(3)]
    assert results == [200, 200, 200]


def test_same_answers_as_the_local_engine(endpoint: Endpoint, fixture_kg: KnowledgeGraph) -> None:
    q = "SELECT ?s ?o WHERE { ?s il2kg:part_of ?o }"
    local = fixture_kg.query(q)
    _, _, body = get_query(endpoint, q)
    remote = {(b["s"]["value"], b["o"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    assert remote == {(r[0].value, r[1].value) for r in local.rows}  # type: ignore[union-attr]
    assert len(remote) == 5
    # the ontology is the named graph, as for the local engines
    _, _, body = get_query(
        endpoint,
        "ASK { GRAPH <https://w3id.org/il2kg/ontology> { il2kg:Kinase rdfs:subClassOf ?c } }",
    )
    assert b'"boolean":true' in body


def test_explorer_and_landing_page(endpoint: Endpoint) -> None:
    status, ctype, body = http(endpoint, "/explore")
    assert status == 200 and ctype.startswith("text/html")
    assert b"STAT5A" in body and b"<html" in body.lower()
    status, _, body = http(endpoint, "/explore?focus=JAK1&depth=1")
    assert status == 200 and b"JAK1" in body
    assert http(endpoint, "/explore?focus=no-such-thing")[0] == 404
    status, ctype, body = http(endpoint, "/")
    assert status == 200 and b'<form id="query-form" action="query"' in body
    assert http(endpoint, "/nope")[0] == 404


def test_negotiate() -> None:
    assert negotiate(None, "SELECT") == ("JSON", "application/sparql-results+json")
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", "ASK")[0] == "XML"
    assert negotiate("*/*", "CONSTRUCT") == ("TURTLE", "text/turtle; charset=utf-8")
    assert negotiate("application/json", "DESCRIBE") == ("JSON_LD", "application/ld+json")
    assert negotiate("text/html", "SELECT") is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_serve_command(tmp_path: Path) -> None:
    port = _free_port()
    kb = Path(__file__).parent / "fixtures" / "kb"
    exe = Path(sys.executable).parent / "il2kg"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "il2kg"]
    proc = subprocess.Popen(
        [
            *cmd,
            "--data-dir",
            str(kb),
            "serve",
            "--port",
            str(port),
            "--location",
            str(tmp_path / "st"),
        ],
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode(
            {"query": "ASK { ?s ?p ?o }"}
        )
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    assert json.loads(r.read()) == {"head": {}, "boolean": True}
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(20)

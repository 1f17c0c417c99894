"""The endpoint describes itself: the SPARQL 1.1 Service Description at the endpoint URL and VoID
at ``/.well-known/void``, over the shipped graph. Each is parsed by rdflib and every count is
checked against a ``COUNT`` query answered by the same endpoint (Oxigraph, not il2kg's counter).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF

from il2kg import KnowledgeGraph
from il2kg._version import __version__
from il2kg.server.endpoint import Endpoint

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
DATASET = URIRef("https://w3id.org/il2kg/dataset")
#: W3C format IRI -> (a query form it answers, its media type)
MEDIA_TYPES = {
    FORMATS.SPARQL_Results_JSON: ("ASK", "application/sparql-results+json"),
    FORMATS.SPARQL_Results_XML: ("ASK", "application/sparql-results+xml"),
    FORMATS.SPARQL_Results_CSV: ("ASK", "text/csv"),
    FORMATS.SPARQL_Results_TSV: ("ASK", "text/tab-separated-values"),
    FORMATS.Turtle: ("CONSTRUCT", "text/turtle"),
    FORMATS["N-Triples"]: ("CONSTRUCT", "application/n-triples"),
    FORMATS["JSON-LD"]: ("CONSTRUCT", "application/ld+json"),
    FORMATS.RDF_XML: ("CONSTRUCT", "application/rdf+xml"),
}
CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


@pytest.fixture
def endpoint(shipped_endpoint: Endpoint) -> Endpoint:
    return shipped_endpoint


def get(ep: Endpoint, path: str, accept: str | None = None) -> tuple[int, str, bytes]:
    headers = {"Accept": accept} if accept else {}
    req = urllib.request.Request(ep.url + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def rows(ep: Endpoint, query: str) -> list[dict[str, str]]:
    """The endpoint's own answer (SPARQL JSON) as value dicts."""
    status, _, body = get(ep, "/query?" + urllib.parse.urlencode({"query": query}))
    assert status == 200, body
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def count(ep: Endpoint, query: str) -> int:
    return int(rows(ep, query)[0]["n"])


def parsed(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body, format=fmt)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_service_description_at_the_endpoint_url(endpoint: Endpoint) -> None:
    status, ctype, body = get(endpoint, "/query", "text/turtle")
    assert status == 200 and ctype.startswith("text/turtle")
    g = parsed(body, "turtle")
    service = URIRef(endpoint.url + "/query")
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    # every announced format is answered, in its media type (the W3C format IRIs' own)
    announced = set(g.objects(service, SD.resultFormat))
    assert announced == set(MEDIA_TYPES)
    for fmt, (form, media) in MEDIA_TYPES.items():
        q = "ASK {}" if form == "ASK" else "CONSTRUCT WHERE { ?k a il2kg:Kinase }"
        req = "/query?" + urllib.parse.urlencode({"query": q})
        status, ctype, _ = get(endpoint, req, media)
        assert status == 200 and ctype.split(";")[0] == media, fmt
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    default = g.value(dataset, SD.defaultGraph)
    assert g.value(default, VOID.triples) == Literal(
        count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    )
    assert (default, None, URIRef(endpoint.url + "/.well-known/void")) in g
    named = g.value(dataset, SD.namedGraph)
    assert g.value(named, SD.name) == URIRef("https://w3id.org/il2kg/ontology")
    ontology_triples = count(
        endpoint,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/il2kg/ontology> { ?s ?p ?o } }",
    )
    assert g.value(g.value(named, SD.graph), VOID.triples) == Literal(ontology_triples)


def test_service_description_by_accept(endpoint: Endpoint) -> None:
    turtle = parsed(get(endpoint, "/query", "text/turtle")[2], "turtle")
    status, ctype, body = get(endpoint, "/query", "application/ld+json")
    assert status == 200 and ctype.startswith("application/ld+json")
    assert isomorphic(parsed(body, "json-ld"), turtle)
    for accept in (None, "*/*", "application/n-triples"):  # a client that does not ask for HTML
        status, ctype, body = get(endpoint, "/sparql", accept)
        assert status == 200 and not ctype.startswith("text/html"), accept
    assert get(endpoint, "/query", "image/png")[0] == 406
    # the root answers the description only to a client naming an RDF type
    status, ctype, body = get(endpoint, "/", "text/turtle")
    assert ctype.startswith("text/turtle") and isomorphic(parsed(body, "turtle"), turtle)
    assert get(endpoint, "/")[1].startswith("text/html")
    assert get(endpoint, "/", CHROMIUM_ACCEPT)[1].startswith("text/html")


def test_a_browser_at_the_endpoint_url_gets_no_description(endpoint: Endpoint) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(endpoint.url + "/query", headers={"Accept": CHROMIUM_ACCEPT})
    try:
        with opener.open(req, timeout=30) as r:
            status, ctype = r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, ctype = e.code, e.headers.get("Content-Type", "")
    assert status in (200, 303) and "turtle" not in ctype


def test_void_counts_are_the_graphs(endpoint: Endpoint, shipped_kg: KnowledgeGraph) -> None:
    status, ctype, body = get(endpoint, "/.well-known/void")
    assert status == 200 and ctype.startswith("text/turtle")
    g = parsed(body, "turtle")
    assert (DATASET, RDF.type, VOID.Dataset) in g
    triples = count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert triples == len(shipped_kg.graph) > 10_000
    assert g.value(DATASET, VOID.triples) == Literal(triples)
    assert g.value(DATASET, VOID.distinctSubjects) == Literal(
        count(endpoint, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    )
    assert g.value(DATASET, VOID.distinctObjects) == Literal(
        count(endpoint, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    )
    classes = {
        r["c"]: int(r["n"])
        for r in rows(endpoint, "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    assert g.value(DATASET, VOID.classes) == Literal(len(classes)) and len(classes) > 20
    partitions = {
        str(g.value(p, VOID["class"])): g.value(p, VOID.entities).toPython()  # type: ignore[union-attr]
        for p in g.objects(DATASET, VOID.classPartition)
    }
    assert partitions == classes
    properties = {
        r["p"]: int(r["n"])
        for r in rows(endpoint, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    }
    assert g.value(DATASET, VOID.properties) == Literal(len(properties))
    assert {
        str(g.value(p, VOID.property)): g.value(p, VOID.triples).toPython()  # type: ignore[union-attr]
        for p in g.objects(DATASET, VOID.propertyPartition)
    } == properties
    sources = rows(endpoint, "SELECT DISTINCT ?s WHERE { ?x dcterms:source ?s FILTER(isIRI(?s)) }")
    assert {str(s) for s in g.objects(DATASET, DCTERMS.source)} == {r["s"] for r in sources}
    assert len(sources) > 300


def test_void_licence_version_and_endpoint(endpoint: Endpoint, shipped_kg: KnowledgeGraph) -> None:
    g = parsed(get(endpoint, "/.well-known/void", "application/ld+json")[2], "json-ld")
    assert g.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(DATASET, OWL.versionInfo) == Literal(__version__)
    assert g.value(DATASET, DCTERMS.hasVersion) == shipped_kg.graph.value(
        DATASET, DCTERMS.hasVersion
    )
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(endpoint.url + "/query")
    assert g.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/il2kg/")
    assert g.value(DATASET, DCTERMS.title) is not None


def test_format_parameter_names_the_result_format(endpoint: Endpoint) -> None:
    q = urllib.parse.urlencode({"query": "SELECT ?k WHERE { ?k a il2kg:Kinase }", "format": "csv"})
    status, ctype, body = get(endpoint, "/query?" + q, CHROMIUM_ACCEPT)
    assert status == 200 and ctype.startswith("text/csv") and body.startswith(b"k\r\n")
    q = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?k a il2kg:Kinase }", "format": "json"})
    status, ctype, _ = get(endpoint, "/query?" + q)
    assert status == 200 and ctype.startswith("application/ld+json")
    status, ctype, body = get(endpoint, "/?" + q, CHROMIUM_ACCEPT)  # a permalink naming a format
    assert status == 200 and ctype.startswith("application/ld+json")
    q = urllib.parse.urlencode({"query": "ASK {}", "format": "png"})
    assert get(endpoint, "/query?" + q)[0] == 406

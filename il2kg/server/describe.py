"""What the endpoint says about itself: the SPARQL 1.1 Service Description and a VoID description.

:func:`service_description` is served at the endpoint URL (``GET /query`` without a query) and
:func:`void_description` at ``/.well-known/void`` (the location of the VoID specification,
section 7.2). Both are rdflib graphs built from the data graph the workers answer from, so every
count is the count a ``COUNT`` query gets; :func:`serialise` writes one in the media type the
request's ``Accept`` header picks (:data:`il2kg.server.negotiate.GRAPH_TYPES`).
"""

from __future__ import annotations

import threading
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, XSD

from il2kg.namespaces import DATASET_IRI, ONTOLOGY_IRI, VOCAB
from il2kg.server.negotiate import GRAPH_TYPES, choose
from il2kg.server.web import Response, error, root_url

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

SD: Final = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID: Final = Namespace("http://rdfs.org/ns/void#")
FORMATS: Final = Namespace("http://www.w3.org/ns/formats/")
#: The IRI space of everything the graph mints (``void:uriSpace``).
URI_SPACE: Final = "https://w3id.org/il2kg/"

#: Result formats the endpoint answers in (W3C format IRIs), SELECT/ASK then CONSTRUCT/DESCRIBE.
RESULT_FORMATS: Final = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
#: pyoxigraph format name (negotiate.GRAPH_TYPES) -> rdflib serializer name
RDFLIB_FORMATS: Final = {
    "TURTLE": "turtle",
    "N_TRIPLES": "nt",
    "JSON_LD": "json-ld",
    "RDF_XML": "xml",
}


@dataclass(frozen=True)
class GraphCounts:
    """The VoID statistics of one graph."""

    triples: int
    subjects: int
    objects: int
    classes: Counter[str]  # class IRI -> instances
    properties: Counter[str]  # property IRI -> triples
    sources: frozenset[str]  # objects of dcterms:source

    @classmethod
    def of(cls, graph: Graph) -> GraphCounts:
        """Count ``graph`` (one pass over its triples)."""
        subjects, objects = set(), set()
        classes: Counter[str] = Counter()
        properties: Counter[str] = Counter()
        sources = set()
        for s, p, o in graph:
            subjects.add(s)
            objects.add(o)
            properties[str(p)] += 1
            if p == RDF.type:
                classes[str(o)] += 1
            elif p == DCTERMS.source and isinstance(o, URIRef):
                sources.add(str(o))
        return cls(
            triples=len(graph),
            subjects=len(subjects),
            objects=len(objects),
            classes=classes,
            properties=properties,
            sources=frozenset(sources),
        )


def _bind(g: Graph) -> Graph:
    for prefix, ns in (("sd", SD), ("void", VOID), ("formats", FORMATS), ("dcterms", DCTERMS)):
        g.bind(prefix, ns)
    g.bind("il2kg", VOCAB)
    return g


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def service_description(
    endpoint_url: str, data: GraphCounts, ontology_triples: int, void_url: str
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint_url``.

    The default dataset is the data graph (the default graph) and the ontology (the named graph
    ``<https://w3id.org/il2kg/ontology>``), with their sizes.
    """
    g = _bind(Graph())
    service = URIRef(endpoint_url)
    add = g.add
    add((service, RDF.type, SD.Service))
    add((service, SD.endpoint, service))
    add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        add((service, SD.resultFormat, FORMATS[name]))
    add((service, DCTERMS.title, Literal("il2kg SPARQL endpoint (read-only)", lang="en")))
    dataset, default, named, ontology = BNode(), BNode(), BNode(), BNode()
    add((service, SD.defaultDataset, dataset))
    add((dataset, RDF.type, SD.Dataset))
    add((dataset, DCTERMS.source, URIRef(DATASET_IRI)))
    add((dataset, SD.defaultGraph, default))
    add((default, RDF.type, SD.Graph))
    add((default, VOID.triples, _int(data.triples)))
    add((default, RDFS.seeAlso, URIRef(void_url)))
    add((dataset, SD.namedGraph, named))
    add((named, RDF.type, SD.NamedGraph))
    add((named, SD.name, URIRef(ONTOLOGY_IRI)))
    add((named, SD.graph, ontology))
    add((ontology, RDF.type, SD.Graph))
    add((ontology, VOID.triples, _int(ontology_triples)))
    return g


def void_description(kg: KnowledgeGraph, data: GraphCounts, endpoint_url: str) -> Graph:
    """The VoID description of the data graph: size, classes, properties, licence, sources."""
    g = _bind(Graph())
    add = g.add
    ds = URIRef(DATASET_IRI)
    meta = kg.graph
    add((ds, RDF.type, VOID.Dataset))
    for p in (RDF.type, DCTERMS.title, DCTERMS.license, OWL.versionInfo, DCTERMS.hasVersion):
        for o in meta.objects(ds, p):
            add((ds, p, o))
    add((ds, VOID.sparqlEndpoint, URIRef(endpoint_url)))
    add((ds, VOID.uriSpace, Literal(URI_SPACE)))
    add((ds, VOID.vocabulary, URIRef(VOCAB)))
    add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    add((ds, DCAT.accessURL, URIRef(endpoint_url)))
    add((ds, VOID.triples, _int(data.triples)))
    add((ds, VOID.distinctSubjects, _int(data.subjects)))
    add((ds, VOID.distinctObjects, _int(data.objects)))
    add((ds, VOID.classes, _int(len(data.classes))))
    add((ds, VOID.properties, _int(len(data.properties))))
    for cls, n in sorted(data.classes.items()):
        part = BNode()
        add((ds, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(cls)))
        add((part, VOID.entities, _int(n)))
    for prop, n in sorted(data.properties.items()):
        part = BNode()
        add((ds, VOID.propertyPartition, part))
        add((part, VOID.property, URIRef(prop)))
        add((part, VOID.triples, _int(n)))
    for src in sorted(data.sources):
        add((ds, DCTERMS.source, URIRef(src)))
    return g


def serialise(graph: Graph, fmt: str) -> bytes:
    """``graph`` in the pyoxigraph format name ``fmt`` of :data:`GRAPH_TYPES` (rdflib writes it)."""
    return graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")


def rdf_answer(graph: Graph, environ: dict[str, Any]) -> Response:
    """``graph`` in the RDF format the request asks for (``?format=`` or Accept), or a 406."""
    params = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
    chosen = choose(environ.get("HTTP_ACCEPT"), params.get("format"), "CONSTRUCT")
    if chosen is None:
        offered = ", ".join(sorted(set(GRAPH_TYPES)))
        return error("406 Not Acceptable", f"this description is available as: {offered}")
    fmt, content_type = chosen
    return Response("200 OK", serialise(graph, fmt), content_type, [("Vary", "Accept")])


class Descriptions:
    """The service and VoID descriptions of one knowledge graph, counted once, on first use."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._lock = threading.Lock()
        self._counts: tuple[GraphCounts, int] | None = None

    def counts(self) -> tuple[GraphCounts, int]:
        """The data graph's statistics and the ontology's size."""
        with self._lock:
            if self._counts is None:
                self._counts = (GraphCounts.of(self.kg.graph), len(self.kg.ontology))
            return self._counts

    def service(self, environ: dict[str, Any]) -> Response:
        """The Service Description of the endpoint the request addressed."""
        root = root_url(environ)
        data, ontology = self.counts()
        graph = service_description(root + "/query", data, ontology, root + "/.well-known/void")
        return rdf_answer(graph, environ)

    def void(self, environ: dict[str, Any]) -> Response:
        """The VoID description of the dataset."""
        graph = void_description(self.kg, self.counts()[0], root_url(environ) + "/query")
        return rdf_answer(graph, environ)


__all__ = [
    "RESULT_FORMATS",
    "Descriptions",
    "GraphCounts",
    "rdf_answer",
    "serialise",
    "service_description",
    "void_description",
]

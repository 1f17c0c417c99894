"""Dereferenceable IRIs: every IRI the graph mints under ``https://w3id.org/il2kg/`` resolves here.

The server answers the IRI's own path (``/entity/IL2R_ABG`` for
``https://w3id.org/il2kg/entity/IL2R_ABG``) following the W3C "Cool URIs for the Semantic Web"
303 convention: the IRI names a thing, not a document, so it is answered ``303 See Other`` to a
document about it, chosen by ``Accept``:

- ``/page/<path>``: an HTML card (labels, properties, the curated relations with their evidence,
  links to every IRI it mentions);
- ``/rdf/<path>?format=turtle|jsonld|ntriples|rdfxml``: the same description as RDF.

Registry IRIs (``https://identifiers.org/hgnc:6008``, ``http://purl.obolibrary.org/obo/CL_...``)
are not ours to answer; ``/lookup?iri=IRI`` (or ``?id=CURIE-or-name``) gives their document
directly, by ``Accept`` as well. The description of an IRI is: its own triples (data and
ontology), the triples pointing at it, each curated statement about it with its evidence, and the
label of every IRI in them. It is read from the in-memory graph; no query engine runs.
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from il2kg.errors import Il2kgError
from il2kg.server.card import Description, card_page
from il2kg.server.describe import rdf_answer
from il2kg.server.negotiate import FORMAT_NAMES, GRAPH_TYPES, choose
from il2kg.server.pages import BASE
from il2kg.server.web import Response, error, root_url, wants_html

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

#: Most triples pointing at one IRI that a description lists (a class has thousands).
MAX_INBOUND: Final = 500
HAS_EVIDENCE: Final = URIRef(BASE + "vocab/hasEvidence")
_FORMAT_OF: Final = {media: name for name, media in FORMAT_NAMES.items()}


def _add_blank_closure(
    out: Graph, pairs: list[tuple[Node, Node]], graphs: tuple[Graph, ...]
) -> None:
    """Add what the graphs say about the blank nodes among ``pairs``' objects, recursively (the
    rest of a Concise Bounded Description: an ``owl:unionOf`` domain, a list)."""
    todo = [o for _, o in pairs if isinstance(o, BNode)]
    seen: set[Node] = set()
    while todo:
        b = todo.pop()
        if b in seen:
            continue
        seen.add(b)
        for g in graphs:
            for p, o in g.predicate_objects(b):
                out.add((b, p, o))
                if isinstance(o, BNode):
                    todo.append(o)


class Documents:
    """The descriptions of the IRIs of one knowledge graph (indexed once, on first use)."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._lock = threading.Lock()
        self._paths: dict[str, str] | None = None

    def paths(self) -> dict[str, str]:
        """Path under the base (as a WSGI server decodes it) -> IRI, for every minted IRI."""
        with self._lock:
            if self._paths is None:
                out = {}
                for graph in (self.kg.graph, self.kg.ontology):
                    for triple in graph:
                        for term in triple:
                            if isinstance(term, URIRef) and str(term).startswith(BASE):
                                rest = str(term)[len(BASE) :]
                                out[urllib.parse.unquote(rest)] = str(term)
                self._paths = out
            return self._paths

    def known(self, iri: str) -> bool:
        """Whether ``iri`` occurs in the data or the ontology."""
        node = URIRef(iri)
        return any(
            (node, None, None) in g or (None, None, node) in g or (None, node, None) in g
            for g in (self.kg.graph, self.kg.ontology)
        )

    def describe(self, iri: str) -> Description:
        """The description of ``iri`` (see the module docstring)."""
        data, ontology = self.kg.graph, self.kg.ontology
        node = URIRef(iri)
        out = Graph()
        for prefix, ns in data.namespaces():
            out.bind(prefix, ns)
        own = sorted({(p, o) for g in (data, ontology) for p, o in g.predicate_objects(node)})
        for p, o in own:
            out.add((node, p, o))
        _add_blank_closure(out, own, (data, ontology))
        statements = sorted(
            {
                s
                for p in (RDF.subject, RDF.object)
                for s in data.subjects(p, node)
                if isinstance(s, URIRef) and s != node
            },
            key=str,
        )
        for st in statements:
            for p, o in data.predicate_objects(st):
                out.add((st, p, o))
                if p == HAS_EVIDENCE:
                    for p2, o2 in data.predicate_objects(o):
                        out.add((o, p2, o2))
        around = set(statements)
        inbound_all = sorted(
            ((s, p) for s, p in data.subject_predicates(node) if s not in around), key=str
        )
        inbound = inbound_all[:MAX_INBOUND]
        for s, p in inbound:
            out.add((s, p, node))
        for term in {t for triple in out for t in triple if isinstance(t, URIRef)}:
            for g in (data, ontology):
                for label in g.objects(term, RDFS.label):
                    out.add((term, RDFS.label, label))
        return Description(node, own, statements, inbound, len(inbound_all), out)

    def label(self, iri: Node) -> str:
        """The ``rdfs:label`` of an IRI in the data or the ontology, or ``""``."""
        for g in (self.kg.graph, self.kg.ontology):
            for label in g.objects(iri, RDFS.label):
                return str(label)
        return ""

    # -- HTTP --------------------------------------------------------------------------------

    def resource(self, environ: dict[str, Any], path: str) -> Response | None:
        """``303 See Other`` from a minted IRI's path to its page or RDF; ``None`` if unknown."""
        rest = path.lstrip("/")
        if rest not in self.paths():
            return None
        accept = environ.get("HTTP_ACCEPT")
        root = root_url(environ)
        if wants_html(accept, GRAPH_TYPES):
            target = f"{root}/page/{self.paths()[rest][len(BASE) :]}"
        else:
            chosen = choose(accept, None, "CONSTRUCT")
            if chosen is None:
                offered = ", ".join(["text/html", *sorted(set(GRAPH_TYPES))])
                return error("406 Not Acceptable", f"this IRI is described as: {offered}")
            media = chosen[1].split(";")[0]
            target = f"{root}/rdf/{self.paths()[rest][len(BASE) :]}?format={_FORMAT_OF[media]}"
        return Response(
            "303 See Other",
            b"",
            headers=[("Location", target), ("Vary", "Accept")],
        )

    def document(self, environ: dict[str, Any], kind: str, path: str) -> Response:
        """``/page/<path>`` (HTML) or ``/rdf/<path>`` (RDF by format or Accept)."""
        iri = self.paths().get(path.lstrip("/"))
        if iri is None:
            return error("404 Not Found", f"nothing in this graph is named {BASE}{path}")
        return self._answer(environ, iri, html=kind == "page")

    def lookup(self, environ: dict[str, Any]) -> Response:
        """``/lookup?iri=IRI`` or ``?id=CURIE-or-name``: the document of any IRI of the graph."""
        params = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        iri = params.get("iri", "")
        if not iri and params.get("id"):
            try:
                iri = self.kg.resolve_iri(params["id"])
            except Il2kgError as exc:
                return error("404 Not Found", str(exc))
        if not iri:
            return error("400 Bad Request", "give ?iri=IRI or ?id=CURIE (or an entity's name)")
        if not self.known(iri):
            return error("404 Not Found", f"<{iri}> does not occur in this graph")
        wanted = "format" not in params and wants_html(environ.get("HTTP_ACCEPT"), GRAPH_TYPES)
        return self._answer(environ, iri, html=wanted)

    def _answer(self, environ: dict[str, Any], iri: str, *, html: bool) -> Response:
        description = self.describe(iri)
        if not html:
            return rdf_answer(description.graph, environ)
        node = description.iri
        entity = self.kg.graph.value(node, DCTERMS.identifier)
        focus = None
        if entity is not None and not str(node).startswith(BASE + "statement/"):
            focus = str(entity) if (node, RDF.type, None) in self.kg.graph else None
        return card_page(description, environ, self.label, focus)


__all__ = ["MAX_INBOUND", "Documents"]

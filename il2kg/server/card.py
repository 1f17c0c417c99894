"""The HTML card of one IRI (``/page/<path>`` and ``/lookup``): what the graph says about it.

Built from a :class:`~il2kg.server.deref.Description`; every value is escaped and every link is
to this server (``/<path>`` for minted IRIs, ``/lookup?iri=`` for others) or, for a registry
IRI, to the IRI itself when it is http(s). The page has no script; its Content-Security-Policy
allows its one inline style.
"""

from __future__ import annotations

import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from il2kg.namespaces import PREFIXES, compress
from il2kg.server.pages import BASE, fill, policy, template
from il2kg.server.web import Response, html_page

VOCAB: Final = BASE + "vocab/"
_EVIDENCE_FIELDS: Final = ("citesReference", "evidenceQuote", "evidenceType", "studiedSpecies")
_PAGE: Final = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{title}} · il2kg</title><style>{{css}}</style></head>
<body><header><p><a href="{{root}}/">il2kg SPARQL endpoint</a></p>
<h1>{{title}}</h1><p class="iri"><code>{{iri}}</code>{{curie}}</p>
<p class="formats">This description as {{formats}}{{explore}}</p></header>
<main>{{sections}}</main></body></html>
"""


def _curie(iri: str) -> str:
    try:
        return compress(iri)
    except Exception:  # an IRI outside the prefix map
        return iri


def _at_a_registry(iri: str) -> bool:
    """Whether ``iri`` is a registry's (HGNC, CL, PMID, ...): it then links to the registry too."""
    return any(
        iri.startswith(ns) and prefix not in ("IL2KG", "REF") for prefix, ns in PREFIXES.items()
    ) and iri.startswith(("https://", "http://"))


@dataclass(frozen=True)
class Description:
    """What the server says about one IRI."""

    iri: URIRef
    own: list[tuple[Node, Node]]  # (predicate, object)
    statements: list[URIRef]  # curated statements whose subject or object it is
    inbound: list[tuple[Node, Node]]  # (subject, predicate), statements' own links left out
    inbound_total: int
    graph: Graph  # all of it as RDF, labels included


class _Writer:
    """Renders terms as HTML against one server root."""

    def __init__(self, label: Callable[[Node], str], root: str) -> None:
        self.label = label
        self.root = root

    def href(self, iri: str) -> str:
        if iri.startswith(BASE):
            return f"{self.root}/{iri[len(BASE) :]}"
        return f"{self.root}/lookup?iri={urllib.parse.quote(iri, safe='')}"

    def term(self, t: Node) -> str:
        if isinstance(t, URIRef):
            iri = str(t)
            label = self.label(t)
            shown = f'<a href="{escape(self.href(iri))}">{escape(_curie(iri))}</a>'
            if label:
                shown += f'<span class="label">{escape(label)}</span>'
            if _at_a_registry(iri):
                shown += f' <a href="{escape(iri)}" rel="noopener noreferrer">(registry)</a>'
            return shown
        if isinstance(t, Literal):
            extra = ""
            if t.language:
                extra = f'<span class="lit-type">@{escape(t.language)}</span>'
            elif t.datatype:
                extra = f'<span class="lit-type">{escape(_curie(str(t.datatype)))}</span>'
            return escape(str(t)) + extra
        return escape(t.n3())

    def properties(self, pairs: list[tuple[Node, Node]]) -> str:
        grouped: dict[Node, list[Node]] = defaultdict(list)
        for p, o in pairs:
            grouped[p].append(o)
        first: dict[Node, int] = {
            RDF.type: 0,
            RDFS.label: 1,
            DCTERMS.identifier: 2,
            DCTERMS.description: 3,
        }
        rows = []
        for p in sorted(grouped, key=lambda p: (first.get(p, 9), str(p))):
            values = grouped[p]
            cell = (
                self.term(values[0])
                if len(values) == 1
                else "<ul>" + "".join(f"<li>{self.term(v)}</li>" for v in values) + "</ul>"
            )
            rows.append(f'<tr><th scope="row">{self.term(p)}</th><td>{cell}</td></tr>')
        return "<table>" + "".join(rows) + "</table>"

    def statement(self, d: Description, st: URIRef) -> str:
        g = d.graph
        s, p, o = (g.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        negated = g.value(st, URIRef(VOCAB + "negated"))
        status = g.value(st, URIRef(VOCAB + "curationStatus"))
        head = " ".join(self.term(x) for x in (s, p, o) if x is not None)
        if isinstance(negated, Literal) and negated.toPython() is True:
            head = '<span class="negated">NOT</span> ' + head
        if status is not None:
            head += f' <span class="status">({escape(self.label(status) or _curie(str(status)))})</span>'
        items = [
            f"source: {self.term(src)}" for src in sorted(g.objects(st, DCTERMS.source), key=str)
        ]
        for ev in sorted(g.objects(st, URIRef(VOCAB + "hasEvidence")), key=str):
            parts = []
            for name in _EVIDENCE_FIELDS:
                for v in g.objects(ev, URIRef(VOCAB + name)):
                    shown = self.term(v)
                    parts.append(
                        f'<q class="quote">{shown}</q>' if name == "evidenceQuote" else shown
                    )
            items.append(
                f'evidence <a href="{escape(self.href(str(ev)))}">{escape(_curie(str(ev)))}</a>: '
                + "; ".join(parts)
            )
        for c in g.objects(st, RDFS.comment):
            items.append(escape(str(c)))
        link = f' <a href="{escape(self.href(str(st)))}">statement</a>'
        return f"<li>{head}{link}<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul></li>"


def card_page(
    d: Description,
    environ: dict[str, Any],
    label_of: Callable[[Node], str],
    focus: str | None = None,
) -> Response:
    """The HTML card of ``d``; ``label_of`` gives labels, ``focus`` an entity id for the explorer."""
    root = (environ.get("SCRIPT_NAME") or "").rstrip("/")
    w = _Writer(label_of, root)
    iri = str(d.iri)
    label = label_of(d.iri)
    curie = _curie(iri)
    sections = []
    if d.own:
        sections.append(f"<section><h2>Properties</h2>{w.properties(d.own)}</section>")
    if d.statements:
        items = "".join(w.statement(d, st) for st in d.statements)
        sections.append(
            f"<section><h2>Curated relations with their evidence ({len(d.statements)})</h2>"
            f'<ul class="relations">{items}</ul></section>'
        )
    if d.inbound:
        more = (
            f" (the first {len(d.inbound)} of {d.inbound_total})"
            if d.inbound_total > len(d.inbound)
            else ""
        )
        items = "".join(f"<li>{w.term(s)} {w.term(p)}</li>" for s, p in d.inbound)
        sections.append(f"<section><h2>Linked from{more}</h2><ul>{items}</ul></section>")
    if iri.startswith(BASE):
        doc = f"{root}/rdf/{iri[len(BASE) :]}?format="
    else:
        doc = f"{root}/lookup?iri={urllib.parse.quote(iri, safe='')}&format="
    formats = ", ".join(
        f'<a href="{escape(doc + f)}">{name}</a>'
        for f, name in (
            ("turtle", "Turtle"),
            ("jsonld", "JSON-LD"),
            ("ntriples", "N-Triples"),
            ("rdfxml", "RDF/XML"),
        )
    )
    explore = ""
    if focus is not None:
        query = escape(urllib.parse.urlencode({"focus": focus, "depth": "1"}))
        explore = (
            f'; <a href="{escape(root)}/explore?{query}">its neighbourhood in the interactive'
            " graph</a>"
        )
    css = template("card.css")
    page = fill(
        _PAGE,
        title=escape(label or curie),
        css=css,
        root=escape(root),
        iri=escape(iri),
        curie=f" · <code>{escape(curie)}</code>" if curie != iri else "",
        formats=formats,
        explore=explore,
        sections="".join(sections) or "<p>Nothing more is curated about it.</p>",
    )
    return html_page(page, policy(styles=(css,)))


__all__ = ["Description", "card_page"]

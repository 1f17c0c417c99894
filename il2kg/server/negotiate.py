"""Content negotiation of the endpoint: which result media types it offers, and which one a
request's ``Accept`` header picks."""

from __future__ import annotations

from typing import Final

#: media type -> (pyoxigraph format name, Content-Type sent back), SELECT and ASK answers
SELECT_TYPES: Final[dict[str, tuple[str, str]]] = {
    "application/sparql-results+json": ("JSON", "application/sparql-results+json"),
    "application/json": ("JSON", "application/sparql-results+json"),
    "application/sparql-results+xml": ("XML", "application/sparql-results+xml"),
    "application/xml": ("XML", "application/sparql-results+xml"),
    "text/xml": ("XML", "application/sparql-results+xml"),
    "text/csv": ("CSV", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("TSV", "text/tab-separated-values; charset=utf-8"),
}
#: media type -> (pyoxigraph format name, Content-Type sent back), CONSTRUCT and DESCRIBE answers
GRAPH_TYPES: Final[dict[str, tuple[str, str]]] = {
    "text/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/x-turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/n-triples": ("N_TRIPLES", "application/n-triples"),
    "text/plain": ("N_TRIPLES", "application/n-triples"),
    "application/ld+json": ("JSON_LD", "application/ld+json"),
    "application/json": ("JSON_LD", "application/ld+json"),
    "application/rdf+xml": ("RDF_XML", "application/rdf+xml"),
    "application/xml": ("RDF_XML", "application/rdf+xml"),
}

#: short names of ``?format=`` (download links, shareable URLs) -> the media type they stand for
FORMAT_NAMES: Final[dict[str, str]] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


# -- content negotiation -------------------------------------------------------------------------


def accepted(accept: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable)."""
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q, i))
    out.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(accept: str | None, form: str) -> tuple[str, str] | None:
    """(pyoxigraph format name, Content-Type) for a query form and an Accept header.

    SPARQL JSON results and Turtle are the defaults (no header, ``*/*``); ``None`` means no
    offered type is acceptable (HTTP 406).
    """
    table = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    default = next(iter(table.values()))
    if not accept:
        return default
    for media, _ in accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*") or media.endswith("/*"):
            major = media.split("/")[0]
            if major == "*":
                return default
            for m, v in table.items():
                if m.startswith(major + "/"):
                    return v
    return None


def choose(accept: str | None, format_name: str | None, form: str) -> tuple[str, str] | None:
    """Like :func:`negotiate`, but a ``?format=`` name (:data:`FORMAT_NAMES`) overrides Accept.

    ``json`` and ``xml`` name JSON-LD and RDF/XML for graph answers.
    """
    if not format_name:
        return negotiate(accept, form)
    media = FORMAT_NAMES.get(format_name.lower())
    if media is None:
        return None
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if graph and media in ("application/sparql-results+json", "application/sparql-results+xml"):
        media = "application/ld+json" if media.endswith("json") else "application/rdf+xml"
    return (GRAPH_TYPES if graph else SELECT_TYPES).get(media)


__all__ = ["FORMAT_NAMES", "GRAPH_TYPES", "SELECT_TYPES", "accepted", "choose", "negotiate"]

"""Graph -> files: RDF serialisations, GraphML and KGX TSV, written atomically.

``dumps`` returns bytes; ``dump`` writes them through a temporary file renamed into place, so an
interrupted or failed build never leaves a truncated output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING

from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.errors import OutputError
from il2kg.namespaces import PREFIXES, VOCABULARIES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


@dataclass(frozen=True)
class Inputs:
    """What a format may read: the sorted N-Triples, an rdflib graph on demand, the dataset and
    the ontology's vocabulary."""

    ntriples: bytes
    graph: Callable[[], Graph]
    ds: Dataset
    vocab: Vocabulary


@dataclass(frozen=True)
class Format:
    """An output format: its name, file suffixes, what it is, and the function that writes it.

    ``dump`` returns ``{name: bytes}``: one item named ``""`` for a file, or the files of a
    directory (``directory=True``). A new export format is one entry of :data:`FORMATS`.
    """

    name: str
    suffixes: tuple[str, ...]
    description: str
    dump: Callable[[Inputs], dict[str, bytes]]
    directory: bool = False


def _single(fn: Callable[[Inputs], bytes]) -> Callable[[Inputs], dict[str, bytes]]:
    return lambda inputs: {"": fn(inputs)}


def format_for(path: Path | None, fmt: str | None) -> str:
    """The format named by ``fmt``, else guessed from ``path``'s suffix, else Turtle."""
    if fmt:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
        return fmt
    if path is None:
        return "turtle"
    suffix = path.suffix.lower()
    for f in FORMATS.values():
        if suffix in f.suffixes:
            return f.name
    if suffix == "":
        return "kgx"
    raise OutputError(f"cannot tell the format of '{path}' from its suffix; use --format")


def jsonld_context() -> dict[str, str]:
    """The JSON-LD @context: every prefix of the pinned map."""
    return dict(sorted({**VOCABULARIES, **PREFIXES}.items()))


def ntriples_dumps(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """Sorted, de-duplicated N-Triples of rdflib-term triples (the canonical, diffable form).

    Serialised by pyoxigraph (byte-identical to rdflib's N-Triples, several times faster).
    """
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    nodes: dict[str, ox.NamedNode] = {}

    def named(iri: str) -> ox.NamedNode:
        n = nodes.get(iri)
        if n is None:
            n = nodes[iri] = ox.NamedNode(iri)
        return n

    def term(x: Node) -> ox.NamedNode | ox.Literal:
        if isinstance(x, URIRef):
            return named(x)
        if isinstance(x, Literal):
            if x.language:
                return ox.Literal(str(x), language=x.language)
            if x.datatype:
                return ox.Literal(str(x), datatype=named(x.datatype))
            return ox.Literal(str(x))
        raise OutputError(f"cannot write {x!r} as N-Triples: blank nodes are not used by il2kg")

    # serialise in chunks, so that only one chunk of terms and its text are alive at a time
    lines: list[bytes] = []
    it = iter(triples)
    while chunk := [ox.Triple(term(s), term(p), term(o)) for s, p, o in islice(it, 50_000)]:  # type: ignore[arg-type]
        data = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        lines.extend(data.split(b"\n"))
    lines.sort()
    unique = [line for line, _ in groupby(lines) if line]
    del lines
    unique.append(b"")  # a final newline, without copying the whole text again
    return b"\n".join(unique)


def _oxigraph_dumps(ntriples: bytes, fmt: str) -> bytes:
    """Turtle or RDF/XML through pyoxigraph: fast, and deterministic given sorted input."""
    import pyoxigraph as ox

    target = {"turtle": ox.RdfFormat.TURTLE, "xml": ox.RdfFormat.RDF_XML}[fmt]
    triples = (q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    prefixes = (
        jsonld_context()
        if fmt == "turtle"
        else {k: v for k, v in jsonld_context().items() if k.islower()}
    )
    out = ox.serialize(triples, format=target, prefixes=prefixes)
    assert out is not None
    if fmt == "turtle":  # list the @prefix lines in a sorted, stable order
        lines = out.split(b"\n")
        n = next(i for i, line in enumerate(lines) if not line.startswith(b"@prefix"))
        out = b"\n".join([*sorted(lines[:n], key=bytes.lower), *lines[n:]])
    return out


def _jsonld_dumps(graph: Graph) -> bytes:
    text = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    doc = json.loads(text)
    # rdflib's node order follows its store; sort for byte-identical output
    if isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda n: str(n.get("@id", "")))
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def graphml_dumps(ds: Dataset) -> bytes:
    """GraphML of entities and curated (non-negated) relations, for graph tools."""
    import networkx as nx

    from il2kg.paths.network import to_networkx

    g = to_networkx(ds)
    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        out.add_node(n, label=d["label"], type=d["type"], synonyms="|".join(d["synonyms"]))
    for s, o, k, d in g.edges(keys=True, data=True):
        out.add_edge(
            s,
            o,
            key=k,
            predicate=d["predicate"],
            statement=d["statement"],
            status=d["status"],
            sources="|".join(d["sources"]),
            qualifiers=";".join(f"{a}={b}" for a, b in sorted(d["qualifiers"].items())),
        )
    buf = io.BytesIO()
    nx.write_graphml(out, buf, encoding="utf-8")
    return buf.getvalue()


def kgx_dumps(ds: Dataset, vocab: Vocabulary) -> dict[str, bytes]:
    """KGX TSV (``nodes.tsv``, ``edges.tsv``) with Biolink categories and predicates."""
    from il2kg.dataset.ids import statement_id

    def category(t: str) -> str:
        chain = sorted(vocab.ancestors.get(t, {t}), key=lambda c: -len(vocab.ancestors.get(c, ())))
        cats = [vocab.class_biolink[c] for c in chain if c in vocab.class_biolink]
        return "|".join(dict.fromkeys(cats)) or "biolink:NamedThing"

    nodes = io.StringIO()
    w = csv.writer(nodes, delimiter="\t", lineterminator="\n")
    w.writerow(["id", "category", "name", "description", "xref", "synonym", "il2kg_type"])
    for eid in sorted(ds.entities):
        e = ds.entities[eid]
        w.writerow(
            [
                eid,
                category(e.type),
                e.label,
                e.description or "",
                "|".join(e.xrefs),
                "|".join(e.synonyms),
                f"il2kg:{e.type}",
            ]
        )
    edges = io.StringIO()
    w = csv.writer(edges, delimiter="\t", lineterminator="\n")
    w.writerow(
        [
            "id",
            "subject",
            "predicate",
            "object",
            "category",
            "original_predicate",
            "negated",
            "knowledge_level",
            "agent_type",
            "primary_knowledge_source",
            "publications",
            "curation_status",
            "qualifiers",
        ]
    )
    for rel in sorted(ds.relations, key=lambda r: r.key()):
        info = vocab.predicates.get(rel.predicate)
        pubs = [e.source for e in rel.evidence if e.source]
        q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
        w.writerow(
            [
                f"stmt:{statement_id(rel)}",
                rel.subject,
                (info.biolink if info and info.biolink else "biolink:related_to"),
                rel.object,
                "biolink:Association",
                f"il2kg:{rel.predicate}",
                str(rel.negated).lower(),
                "knowledge_assertion",
                "manual_agent",
                "infores:il2kg",
                "|".join(pubs),
                rel.best_status(),
                "|".join(f"{k}={v}" for k, v in sorted(q.items())),
            ]
        )
    return {"nodes.tsv": nodes.getvalue().encode(), "edges.tsv": edges.getvalue().encode()}


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "turtle",
            (".ttl",),
            "RDF Turtle",
            _single(lambda i: _oxigraph_dumps(i.ntriples, "turtle")),
        ),
        Format("nt", (".nt",), "RDF N-Triples (sorted)", _single(lambda i: i.ntriples)),
        Format(
            "jsonld",
            (".jsonld", ".json"),
            "JSON-LD with an @context of the prefix map",
            _single(lambda i: _jsonld_dumps(i.graph())),
        ),
        Format(
            "xml",
            (".rdf", ".owl", ".xml"),
            "RDF/XML",
            _single(lambda i: _oxigraph_dumps(i.ntriples, "xml")),
        ),
        Format(
            "graphml",
            (".graphml",),
            "GraphML of entities and curated relations",
            _single(lambda i: graphml_dumps(i.ds)),
        ),
        Format(
            "kgx",
            (),
            "KGX TSV: nodes.tsv and edges.tsv in a directory",
            lambda i: kgx_dumps(i.ds, i.vocab),
            directory=True,
        ),
    )
}


def dumps(
    fmt: str, *, ntriples: bytes, graph: Callable[[], Graph], ds: Dataset, vocab: Vocabulary
) -> dict[str, bytes]:
    """Serialise to ``fmt``; return ``{name: bytes}`` (one item named "", or the files of a
    directory format).

    ``ntriples`` is the sorted N-Triples of the graph; ``graph`` is called only for formats
    that need an rdflib graph (JSON-LD).

    :raises OutputError: for an unknown format.
    """
    if fmt not in FORMATS:
        raise OutputError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    return FORMATS[fmt].dump(Inputs(ntriples, graph, ds, vocab))

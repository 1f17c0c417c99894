"""Graph -> files: RDF serialisations, GraphML and KGX TSV, written atomically.

``dumps`` returns bytes; ``dump`` writes them through a temporary file renamed into place, so an
interrupted or failed build never leaves a truncated output.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from il2kg.dataset.model import UNITS, Dataset, Quantity
from il2kg.dataset.ontology import Vocabulary
from il2kg.errors import OutputError
from il2kg.files import FileBytes
from il2kg.namespaces import PREFIXES, VOCABULARIES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


@dataclass(frozen=True)
class Inputs:
    """What a format may read: the sorted N-Triples (in memory or in a file), an rdflib graph
    on demand, the dataset and the ontology's vocabulary."""

    ntriples: bytes | FileBytes
    graph: Callable[[], Graph]
    ds: Dataset
    vocab: Vocabulary

    def ntriples_bytes(self) -> bytes:
        """The N-Triples as one ``bytes`` (read from their file if they are in one)."""
        nt = self.ntriples
        return nt.read() if isinstance(nt, FileBytes) else nt


@dataclass(frozen=True)
class Format:
    """An output format: its name, file suffixes, what it is, and the function that writes it.

    ``dump`` returns ``{name: bytes}``: one item named ``""`` for a file, or the files of a
    directory (``directory=True``); the N-Triples may stay in their file (a :class:`FileBytes`
    value). A new export format is one entry of :data:`FORMATS`.
    """

    name: str
    suffixes: tuple[str, ...]
    description: str
    dump: Callable[[Inputs], Mapping[str, bytes | FileBytes]]
    directory: bool = False


def _single(
    fn: Callable[[Inputs], bytes | FileBytes],
) -> Callable[[Inputs], Mapping[str, bytes | FileBytes]]:
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


#: How N-Triples writes the characters of a literal that it escapes (what pyoxigraph writes:
#: controls as \\uXXXX or their short escapes, the quote, the backslash, U+007F, U+FFFE/F)
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(i)) for i in _ESCAPES) + "]")
_XSD_STRING = f"<{VOCABULARIES['xsd']}string>"


def ntriples_dumps(triples: Iterable[tuple[Node, Node, Node]], *, spill: bool = True) -> bytes:
    """Sorted, de-duplicated N-Triples of rdflib-term triples (the canonical, diffable form).

    Byte-identical to pyoxigraph's (and rdflib's) N-Triples: see :func:`ntriples_dump`, which
    writes the same bytes to a file without holding them.
    """
    out = io.BytesIO()
    ntriples_dump(triples, out, spill=spill)
    return out.getvalue()


def ntriples_dump(
    triples: Iterable[tuple[Node, Node, Node]], out: BinaryIO, *, spill: bool = True
) -> None:
    """Write the sorted, de-duplicated N-Triples of rdflib-term triples to ``out``.

    Byte-identical to pyoxigraph's (and rdflib's) N-Triples: every distinct IRI is checked once
    by pyoxigraph, literals are escaped as pyoxigraph escapes them (language-tagged ones are
    written by pyoxigraph itself); no term object is made per triple. The lines are sorted in
    runs that go to a temporary file once they are many (see :func:`_merge_runs`; not with
    ``spill=False``), so the N-Triples are never held whole: at 10^5 relations they are 300 MB.
    """
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    iris: dict[str, str] = {}
    tagged: dict[tuple[str, str], str] = {}

    def iri(x: str) -> str:
        key = str.__str__(x)  # a plain str: a faster dictionary key than a URIRef
        text = iris.get(key)
        if text is None:
            ox.NamedNode(key)  # raises ValueError for what is not an IRI
            text = iris[key] = f"<{key}>"
        return text

    def literal(lexical: str, language: str) -> str:
        text = tagged.get((lexical, language))
        if text is None:
            x = ox.NamedNode("urn:x")
            line = ox.serialize(
                [ox.Triple(x, x, ox.Literal(lexical, language=language))],
                format=ox.RdfFormat.N_TRIPLES,
            )
            assert line is not None
            text = tagged[(lexical, language)] = line.decode()[len("<urn:x> <urn:x> ") : -3]
        return text

    def term(x: Node) -> str:
        if isinstance(x, URIRef):
            return iri(x)
        if isinstance(x, Literal):
            lexical = str.__str__(x)
            if x.language:
                return literal(lexical, x.language)
            if _NEEDS_ESCAPE.search(lexical):
                lexical = lexical.translate(_ESCAPES)
            dtype = iri(x.datatype) if x.datatype is not None else _XSD_STRING
            if dtype == _XSD_STRING:
                return f'"{lexical}"'
            return f'"{lexical}"^^{dtype}'
        raise OutputError(f"cannot write {x!r} as N-Triples: blank nodes are not used by il2kg")

    # Sorted in chunks, each a run (one bytes object, no object per line), then the runs are
    # merged. Lines hold no character below U+0020 (they are escaped) and UTF-8 keeps the order
    # of code points, so sorting the text lines with their newline sorts the bytes of the lines.
    def runs() -> Iterator[bytes]:
        it = iter(triples)
        while lines := [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in islice(it, _CHUNK)]:
            lines.sort()
            run = "".join(line for line, _ in groupby(lines)).encode()
            del lines
            yield run

    _merge_runs(runs(), out, spill=spill)


#: Triples serialised and sorted together (one run of :func:`ntriples_dump`).
_CHUNK = 50_000
#: Above this many bytes, runs are spilled to a temporary file and merged from it.
_MERGE_IN_MEMORY = 32 * 1024 * 1024
#: The bytes of all runs' read buffers when merging from the temporary file (each run's
#: buffer between :data:`_MIN_RUN_BUFFER` and 1 MiB).
_MERGE_BUFFERS = 16 * 1024 * 1024
_MIN_RUN_BUFFER = 64 * 1024


def _merge_runs(runs: Iterable[bytes], out: BinaryIO, *, spill: bool = True) -> None:
    """Write the sorted, de-duplicated lines of sorted runs to ``out``.

    While they are few the runs are kept in memory; past :data:`_MERGE_IN_MEMORY` bytes they
    go to a temporary file, read back by each run in small blocks while merging. So the
    memory of the merge is bounded whatever the size: at 10^5 relations, runs and result are
    300 MB each. ``spill=False`` keeps them all in memory.
    """
    import heapq
    import tempfile

    held: list[bytes] = []
    size = 0
    limit = _MERGE_IN_MEMORY if spill else float("inf")
    spilled: BinaryIO | None = None
    bounds: list[tuple[int, int]] = []
    try:
        for run in runs:
            if spilled is None and size + len(run) <= limit:
                held.append(run)
                size += len(run)
                continue
            if spilled is None:
                spilled = tempfile.TemporaryFile(prefix="il2kg-nt-")  # noqa: SIM115 (closed below)
                for kept in held:
                    bounds.append((spilled.tell(), len(kept)))
                    spilled.write(kept)
                held.clear()
            bounds.append((spilled.tell(), len(run)))
            spilled.write(run)
            del run
        if spilled is None and len(held) <= 1:
            out.write(held[0] if held else b"")
            return
        if spilled is None:
            sources: list[Iterable[bytes]] = [io.BytesIO(r) for r in held]
        else:
            spilled.flush()
            buffer = min(1 << 20, max(_MIN_RUN_BUFFER, _MERGE_BUFFERS // len(bounds)))
            sources = [_spilled_lines(spilled, at, n, buffer) for at, n in bounds]
        out.writelines(line for line, _ in groupby(heapq.merge(*sources)))
    finally:
        if spilled is not None:
            spilled.close()


def _spilled_lines(spill: BinaryIO, offset: int, size: int, buffer: int) -> Iterator[bytes]:
    """The lines of the run at ``offset`` (``size`` bytes) of ``spill``, read ``buffer`` bytes
    at a time (the merge reads the runs in turn, so each read seeks)."""
    end, carry = offset + size, b""
    while offset < end:
        spill.seek(offset)
        block = carry + spill.read(min(buffer, end - offset))
        offset += len(block) - len(carry)
        cut = block.rfind(b"\n") + 1
        carry = block[cut:]
        yield from io.BytesIO(block[:cut])
    if carry:  # a run ends with a newline; kept whole should it not
        yield carry


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


def _quantity_text(q: Quantity) -> str:
    cmp = "" if q.comparator == "=" else q.comparator
    return f"{q.kind} {cmp}{q.value:g} {UNITS[q.unit]}"


def graphml_dumps(ds: Dataset) -> bytes:
    """GraphML of entities and curated (non-negated) relations, for graph tools (Gephi,
    Cytoscape, yEd, networkx).

    Nodes carry their IRI, label, type, description, synonyms and xrefs; every edge's GraphML
    ``id`` is its statement id (unique, so Gephi keeps all of them), and its measured values
    are typed attributes (``q_<kind>`` a double, ``q_<kind>_unit``) where an edge has one value
    of a kind, besides the text of all of them in ``quantities``.
    """
    import networkx as nx

    from il2kg.dataset.ids import statement_id
    from il2kg.namespaces import expand

    out = nx.MultiDiGraph()
    for eid in sorted(ds.entities):
        e = ds.entities[eid]
        attrs = {
            "label": e.label,
            "type": e.type,
            "iri": expand(eid),
            "description": e.description or "",
            "synonyms": "|".join(e.synonyms),
            "xrefs": "|".join(e.xrefs),
        }
        if e.date:
            attrs["date"] = e.date
        out.add_node(eid, **attrs)
    for rel in sorted(ds.relations, key=lambda r: r.key()):
        if rel.negated:
            continue
        sid = statement_id(rel)
        q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
        data: dict[str, str | float] = {
            "predicate": rel.predicate,
            "statement": sid,
            "status": rel.best_status(),
            "sources": "|".join(e.source for e in rel.evidence),
            "qualifiers": ";".join(f"{a}={b}" for a, b in sorted(q.items())),
            "quantities": "|".join(_quantity_text(x) for x in rel.quantities),
        }
        kinds = [x.kind for x in rel.quantities]
        for x in rel.quantities:
            if kinds.count(x.kind) == 1:
                data[f"q_{x.kind}"] = float(x.value)
                data[f"q_{x.kind}_unit"] = UNITS[x.unit]
        out.add_edge(rel.subject, rel.object, key=sid, **data)
    buf = io.BytesIO()
    nx.write_graphml(out, buf, encoding="utf-8")
    return buf.getvalue()


# -- KGX --------------------------------------------------------------------------------------

#: il2kg CURIE prefixes -> the prefixes the Biolink model spells them with.
KGX_PREFIXES: dict[str, str] = {
    "DrugBank": "DRUGBANK",
    "Reactome": "REACT",
    "WP": "WIKIPATHWAYS",
    "KEGG": "KEGG.PATHWAY",
    "ORPHA": "ORPHANET",
}
#: Prefixes the Biolink model does not know, declared by the export (``context.jsonld``).
KGX_LOCAL_PREFIXES: dict[str, str] = {"IL2KG": PREFIXES["IL2KG"], "NCT": PREFIXES["NCT"]}
#: Biolink mixins: not allowed as a node category (kgx refuses them).
_BIOLINK_MIXINS = frozenset({"biolink:GeneOrGeneProduct", "biolink:GeneProductMixin"})
#: The mapping properties of the ontology, most exact first (which one a predicate has says
#: how close the Biolink predicate is; the export uses it whichever it is).
_SKOS_MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")

#: Biolink 4 qualifier slots of a curated predicate whose Biolink predicate is general
#: (``biolink:affects``): what the aspect and direction of the effect are. The predicate
#: mapping itself lives in the ontology (``skos:*Match biolink:…``); SKOS cannot say
#: "affects the activity, increasing it", so that part is this table.
BIOLINK_QUALIFIERS: dict[str, dict[str, str]] = {
    "phosphorylates": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "phosphorylation",
        "object_direction_qualifier": "increased",
    },
    "dephosphorylates": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "phosphorylation",
        "object_direction_qualifier": "decreased",
    },
    "activates": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "activity",
        "object_direction_qualifier": "increased",
    },
    "inhibits": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "activity",
        "object_direction_qualifier": "decreased",
    },
    "increases_expression_of": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "expression",
        "object_direction_qualifier": "increased",
    },
    "decreases_expression_of": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "expression",
        "object_direction_qualifier": "decreased",
    },
    "recruits": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "localization",
        "object_direction_qualifier": "increased",
    },
    "expands": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "abundance",
        "object_direction_qualifier": "increased",
    },
    "depletes": {
        "qualified_predicate": "biolink:causes",
        "object_aspect_qualifier": "abundance",
        "object_direction_qualifier": "decreased",
    },
    "promotes": {
        "qualified_predicate": "biolink:causes",
        "object_direction_qualifier": "increased",
    },
    "suppresses": {
        "qualified_predicate": "biolink:causes",
        "object_direction_qualifier": "decreased",
    },
}
#: Curated qualifiers -> the Biolink qualifier slot they fill (the others keep an il2kg_ column).
_QUALIFIER_SLOTS = {
    "species": "species_context_qualifier",
    "cell_type": "anatomical_context_qualifier",
}
_KGX_QUALIFIER_COLUMNS = (
    "qualified_predicate",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "species_context_qualifier",
    "anatomical_context_qualifier",
)


def kgx_curie(curie: str) -> str:
    """A CURIE with the prefix spelled as the Biolink model spells it (``DrugBank:`` ->
    ``DRUGBANK:``); other CURIEs unchanged."""
    prefix, sep, local = curie.partition(":")
    return f"{KGX_PREFIXES.get(prefix, prefix)}{sep}{local}" if sep else curie


def biolink_predicates() -> dict[str, tuple[str, str]]:
    """Curated predicate -> (``biolink:…`` predicate, SKOS mapping property) from the ontology.

    Every curated predicate has one (tests/test_ecosystem_kgx.py checks them against the
    Biolink model the ``biolink-model`` package ships).
    """
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    from il2kg.resources import ontology_dir

    g = Graph()
    g.parse(ontology_dir() / "il2kg.ttl", format="turtle")
    vocab_ns, biolink_ns = VOCABULARIES["il2kg"], VOCABULARIES["biolink"]
    out: dict[str, tuple[str, str]] = {}
    for rel in reversed(_SKOS_MAPPINGS):  # the most exact one wins
        for s, o in g.subject_objects(SKOS[rel]):
            if (
                isinstance(s, URIRef)
                and str(s).startswith(vocab_ns)
                and str(o).startswith(biolink_ns)
                and str(o)[len(biolink_ns) : len(biolink_ns) + 1].islower()  # a slot, not a class
            ):
                out[str(s)[len(vocab_ns) :]] = ("biolink:" + str(o)[len(biolink_ns) :], rel)
    return out


def _tsv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


def kgx_dumps(ds: Dataset, vocab: Vocabulary) -> dict[str, bytes]:
    """KGX TSV (``nodes.tsv``, ``edges.tsv``, ``context.jsonld``) with Biolink categories,
    predicates and qualifiers.

    - predicates: the curated predicate's Biolink mapping in the ontology, refined by the
      qualifier slots of :data:`BIOLINK_QUALIFIERS` (``original_predicate`` keeps il2kg's);
    - ``negated``: ``True`` for a negated statement, empty otherwise (kgx reads any non-empty
      cell as true, so ``false`` is never written);
    - ``publications``: the CURIEs of the evidence (Biolink prefixes), ``primary_knowledge_source``
      ``infores:il2kg``; named sources without a CURIE in ``il2kg_named_sources``;
    - ids: Biolink's prefix spelling (:data:`KGX_PREFIXES`); the prefixes Biolink lacks are
      declared with their IRIs in ``context.jsonld`` (:data:`KGX_LOCAL_PREFIXES`).
    """
    from il2kg.dataset.ids import statement_id

    def category(t: str) -> str:
        chain = sorted(vocab.ancestors.get(t, {t}), key=lambda c: -len(vocab.ancestors.get(c, ())))
        cats = [vocab.class_biolink[c] for c in chain if c in vocab.class_biolink]
        cats = [c for c in dict.fromkeys(cats) if c not in _BIOLINK_MIXINS]
        return "|".join(cats) or "biolink:NamedThing"

    def text(v: str | None) -> str:  # kgx splits on "|" and tabs/newlines are cell breaks
        return " ".join((v or "").replace("|", "/").split())

    nodes = [["id", "category", "name", "description", "xref", "synonym", "iri", "il2kg_type"]]
    from il2kg.namespaces import expand

    for eid in sorted(ds.entities):
        e = ds.entities[eid]
        nodes.append(
            [
                kgx_curie(eid),
                category(e.type),
                text(e.label),
                text(e.description),
                "|".join(kgx_curie(x) for x in e.xrefs),
                "|".join(text(x) for x in e.synonyms),
                expand(eid),
                f"il2kg:{e.type}",
            ]
        )
    mapping = biolink_predicates()
    extra = ("regimen", "route", "disease_stage", "population")
    header = [
        "id",
        "subject",
        "predicate",
        "object",
        "category",
        "original_predicate",
        "negated",
        *_KGX_QUALIFIER_COLUMNS,
        "knowledge_level",
        "agent_type",
        "primary_knowledge_source",
        "publications",
        "il2kg_named_sources",
        "il2kg_curation_status",
        *(f"il2kg_{k}" for k in extra),
        "il2kg_quantities",
    ]
    edges = [header]
    for rel in sorted(ds.relations, key=lambda r: r.key()):
        if rel.predicate not in mapping:
            raise OutputError(
                f"{ds.relation_label(ds.relations.index(rel))}: predicate '{rel.predicate}' has "
                "no Biolink mapping in the ontology (add a skos:*Match biolink: triple)"
            )
        q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
        slots = dict(BIOLINK_QUALIFIERS.get(rel.predicate, {}))
        for k, slot in _QUALIFIER_SLOTS.items():
            if k in q:
                slots[slot] = kgx_curie(q[k])
        # publications: the works with a CURIE; pages and labels cited by their URL go beside
        pubs = dict.fromkeys(
            kgx_curie(e.source) for e in rel.evidence if not e.source.startswith("http")
        )
        names = dict.fromkeys(text(e.source) for e in rel.evidence if e.source.startswith("http"))
        edges.append(
            [
                f"stmt:{statement_id(rel)}",
                kgx_curie(rel.subject),
                mapping[rel.predicate][0],
                kgx_curie(rel.object),
                "biolink:Association",
                f"il2kg:{rel.predicate}",
                "True" if rel.negated else "",
                *(slots.get(c, "") for c in _KGX_QUALIFIER_COLUMNS),
                "knowledge_assertion",
                "manual_agent",
                "infores:il2kg",
                "|".join(pubs),
                "|".join(names),
                rel.best_status(),
                *(kgx_curie(q[k]) if k == "regimen" and k in q else text(q.get(k)) for k in extra),
                "|".join(_quantity_text(x) for x in rel.quantities),
            ]
        )
    context = {
        "@context": {
            **KGX_LOCAL_PREFIXES,
            "stmt": VOCABULARIES["stmt"],
            "il2kg": VOCABULARIES["il2kg"],
        }
    }
    return {
        "nodes.tsv": _tsv(nodes),
        "edges.tsv": _tsv(edges),
        "context.jsonld": (json.dumps(context, indent=2, sort_keys=True) + "\n").encode(),
    }


# -- Neo4j ------------------------------------------------------------------------------------

#: The array delimiter of the Neo4j CSVs (``neo4j-admin database import --array-delimiter``).
NEO4J_ARRAY_DELIMITER = "|"
NEO4J_IMPORT = (
    "#!/bin/sh\n"
    "# Load these files into an empty Neo4j 5 database named il2kg (stop the database first).\n"
    'exec neo4j-admin database import full --overwrite-destination --array-delimiter="|" \\\n'
    '  --nodes=nodes.csv --relationships=relationships.csv "${1:-il2kg}"\n'
)


def neo4j_type(predicate: str, negated: bool) -> str:
    """The relationship type of a curated relation: ``BINDS``; ``NOT_ACTIVATES`` when negated,
    so that a pattern on ``ACTIVATES`` never matches a claim curated as not true."""
    return ("NOT_" if negated else "") + predicate.upper()


def neo4j_dumps(ds: Dataset, vocab: Vocabulary) -> dict[str, bytes]:
    """``neo4j-admin database import`` CSVs: ``nodes.csv`` (``:ID``, ``:LABEL`` = the class and
    its superclasses), ``relationships.csv`` (``:START_ID``, ``:END_ID``, ``:TYPE``; evidence,
    qualifiers and measured values as typed properties) and ``import.sh``."""
    from il2kg.dataset.ids import statement_id

    d = NEO4J_ARRAY_DELIMITER

    def array(values: Iterable[str], where: str) -> str:
        items = list(values)
        for v in items:
            if d in v:
                raise OutputError(f"{where}: '{v}' contains the array delimiter '{d}'")
        return d.join(items)

    def labels(t: str) -> str:
        chain = sorted(vocab.ancestors.get(t, {t}), key=lambda c: -len(vocab.ancestors.get(c, ())))
        return ";".join(dict.fromkeys([t, *chain]))

    from il2kg.namespaces import expand

    node_cols = [
        "id:ID",
        ":LABEL",
        "name",
        "type",
        "iri",
        "description",
        "synonyms:string[]",
        "xrefs:string[]",
        "date",
        "year:int",
        "event_type",
        "trial_phase",
        "route",
        "dose",
    ]
    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(node_cols)
    for eid in sorted(ds.entities):
        e = ds.entities[eid]
        w.writerow(
            [
                eid,
                labels(e.type),
                e.label,
                e.type,
                expand(eid),
                e.description or "",
                array(e.synonyms, f"entity {eid} synonyms"),
                array(e.xrefs, f"entity {eid} xrefs"),
                e.date or "",
                e.date[:4] if e.date else "",
                e.event_type or "",
                e.trial_phase or "",
                e.route or "",
                e.dose or "",
            ]
        )
    qual_keys = ("cell_type", "species", "regimen", "route", "disease_stage", "population")
    rel_cols = [
        ":START_ID",
        ":END_ID",
        ":TYPE",
        "statement",
        "predicate",
        "negated:boolean",
        "status",
        "sources:string[]",
        "evidence_status:string[]",
        "evidence_urls:string[]",
        *qual_keys,
        "quantity_kinds:string[]",
        "quantity_values:double[]",
        "quantity_units:string[]",
        "quantity_comparators:string[]",
        "comment",
    ]
    rels = io.StringIO()
    w = csv.writer(rels, lineterminator="\n")
    w.writerow(rel_cols)
    for i, rel in sorted(enumerate(ds.relations), key=lambda x: x[1].key()):
        where = ds.relation_label(i)
        q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
        w.writerow(
            [
                rel.subject,
                rel.object,
                neo4j_type(rel.predicate, rel.negated),
                statement_id(rel),
                rel.predicate,
                "true" if rel.negated else "false",
                rel.best_status(),
                array((e.source for e in rel.evidence), where),
                array((e.status for e in rel.evidence), where),
                array(
                    (
                        (ref.url or "") if (ref := ds.references.get(e.source)) else ""
                        for e in rel.evidence
                    ),
                    where,
                ),
                *(str(q.get(k, "")) for k in qual_keys),
                array((x.kind for x in rel.quantities), where),
                d.join(repr(float(x.value)) for x in rel.quantities),
                array((UNITS[x.unit] for x in rel.quantities), where),
                array((x.comparator for x in rel.quantities), where),
                rel.comment or "",
            ]
        )
    return {
        "nodes.csv": nodes.getvalue().encode(),
        "relationships.csv": rels.getvalue().encode(),
        "import.sh": NEO4J_IMPORT.encode(),
    }


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "turtle",
            (".ttl",),
            "RDF Turtle",
            _single(lambda i: _oxigraph_dumps(i.ntriples_bytes(), "turtle")),
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
            _single(lambda i: _oxigraph_dumps(i.ntriples_bytes(), "xml")),
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
            "KGX TSV: nodes.tsv, edges.tsv and context.jsonld in a directory",
            lambda i: kgx_dumps(i.ds, i.vocab),
            directory=True,
        ),
        Format(
            "neo4j",
            (),
            "neo4j-admin import CSVs: nodes.csv, relationships.csv and import.sh in a directory",
            lambda i: neo4j_dumps(i.ds, i.vocab),
            directory=True,
        ),
    )
}


def dumps(
    fmt: str,
    *,
    ntriples: bytes | FileBytes,
    graph: Callable[[], Graph],
    ds: Dataset,
    vocab: Vocabulary,
) -> Mapping[str, bytes | FileBytes]:
    """Serialise to ``fmt``; return ``{name: bytes}`` (one item named "", or the files of a
    directory format).

    ``ntriples`` is the sorted N-Triples of the graph, as bytes or in a file (``nt`` then
    returns that file, for :func:`il2kg.files.atomic_write_many` to copy); ``graph`` is called
    only for formats that need an rdflib graph (JSON-LD).

    :raises OutputError: for an unknown format.
    """
    if fmt not in FORMATS:
        raise OutputError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    return FORMATS[fmt].dump(Inputs(ntriples, graph, ds, vocab))

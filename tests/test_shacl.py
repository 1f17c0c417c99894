"""SHACL: pyshacl (the reference), the SPARQL engine and the one-pass engine (the default) find
the same violations."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from il2kg import KnowledgeGraph
from il2kg.errors import Il2kgError
from il2kg.files import FileBytes
from il2kg.rdf.formats import ntriples_dumps
from il2kg.rdf.shacl import pyshacl_violations
from il2kg.rdf.shacl_sparql import shape_queries, sparql_violations
from il2kg.rdf.shacl_stream import stream_violations
from il2kg.rdf.vocab import IL2KG
from il2kg.resources import ontology_dir

ONTOLOGY = ontology_dir() / "il2kg.ttl"
SHAPES = ontology_dir() / "shapes.ttl"
IL2 = URIRef("https://identifiers.org/hgnc:6001")
EVENT = URIRef("https://w3id.org/il2kg/entity/event_1992_approval")
REGIMEN = URIRef("https://w3id.org/il2kg/entity/HD_IL2_IV")


def _break(g: Graph) -> set[tuple[str, str]]:
    """Break one constraint of each kind; return the (focus, path) violations expected."""
    st = next(iter(g.subjects(IL2KG.negated, Literal(True))))
    ev = next(iter(g.objects(st, IL2KG.hasEvidence)))
    q = next(iter(g.subjects(RDF.type, IL2KG.Quantity)))
    src = next(
        s
        for s in g.subjects(RDF.type, IL2KG.Reference)
        if str(s).startswith("https://www.rndsystems.com/")
    )
    g.remove((IL2, RDFS.label, None))  # minCount
    g.add((IL2, DCTERMS.identifier, Literal("second")))  # maxCount
    g.add((IL2, SKOS.exactMatch, Literal("not an IRI")))  # nodeKind
    g.set((EVENT, DCTERMS.date, Literal("1992")))  # or of datatypes
    g.set((REGIMEN, IL2KG.route, Literal("by mouth")))  # in
    g.add((st, IL2KG.inCellType, IL2))  # class
    g.set((q, IL2KG.quantityValue, Literal("1e-11")))  # datatype
    g.set((ev, IL2KG.curationStatus, IL2KG.Verified))  # (still valid)
    g.remove((src, DCTERMS.identifier, None))  # node-level or (no label, no identifier)
    g.add((src, DCTERMS.title, Literal("a second title")))  # maxCount on a registry work
    iri = lambda s: str(s)  # noqa: E731
    return {
        (iri(IL2), str(RDFS.label)),
        (iri(IL2), str(DCTERMS.identifier)),
        (iri(IL2), str(SKOS.exactMatch)),
        (iri(EVENT), str(DCTERMS.date)),
        (iri(REGIMEN), str(IL2KG.route)),
        (iri(st), str(IL2KG.inCellType)),
        (iri(q), str(IL2KG.quantityValue)),
        (iri(src), ""),
        (iri(src), str(DCTERMS.title)),
    }


def test_both_engines_accept_valid_graphs(
    fixture_kg: KnowledgeGraph, shipped_kg: KnowledgeGraph
) -> None:
    for kg in (fixture_kg, shipped_kg):
        assert pyshacl_violations(kg.graph, ONTOLOGY, SHAPES) == []
        assert sparql_violations(kg.ntriples, ONTOLOGY, SHAPES) == []
        assert stream_violations(kg.ntriples, ONTOLOGY, SHAPES) == []


def test_both_engines_find_the_same_violations(fixture_kg: KnowledgeGraph) -> None:
    g = Graph()
    g.parse(data=fixture_kg.ntriples, format="nt")
    expected = _break(g)
    reference = {(v.focus, v.path) for v in pyshacl_violations(g, ONTOLOGY, SHAPES)}
    nt = ntriples_dumps(g)
    fast = {(v.focus, v.path) for v in sparql_violations(nt, ONTOLOGY, SHAPES)}
    assert reference == expected
    assert fast == expected
    assert stream_violations(nt, ONTOLOGY, SHAPES) == sparql_violations(nt, ONTOLOGY, SHAPES)


def test_one_pass_engine_reads_literals_as_pyshacl_does(fixture_kg: KnowledgeGraph) -> None:
    """Language tags, escapes, empty texts and IRIs where a literal belongs."""
    g = Graph()
    g.parse(data=fixture_kg.ntriples, format="nt")
    ev = next(iter(g.subjects(RDF.type, IL2KG.Evidence)))
    q = next(iter(g.subjects(RDF.type, IL2KG.Quantity)))
    g.set((IL2, RDFS.label, Literal("IL-2", lang="en")))  # datatype: rdf:langString
    g.set((EVENT, RDFS.label, Literal("")))  # minLength
    g.set((REGIMEN, RDFS.label, Literal('a "quoted"\nline\\')))  # escapes: still valid
    g.add((REGIMEN, SKOS.altLabel, URIRef("https://example.org/x")))  # datatype of an IRI
    g.set((q, IL2KG.comparator, Literal("<=", datatype=XSD.token)))  # in: another term
    g.add(
        (ev, IL2KG.curationStatus, URIRef(str(IL2KG.Verified)[:-8] + "Refuted"))
    )  # in, and a second value
    reference = pyshacl_violations(g, ONTOLOGY, SHAPES)
    assert {(v.focus, v.path) for v in stream_violations(ntriples_dumps(g), ONTOLOGY, SHAPES)} == {
        (v.focus, v.path) for v in reference
    }
    assert len(reference) >= 6


@pytest.mark.parametrize("block_size", [1, 97, 4096])
def test_one_pass_engine_reads_a_file_in_blocks(
    fixture_kg: KnowledgeGraph, tmp_path: Path, block_size: int
) -> None:
    """N-Triples in a file, read in blocks of whole lines: a subject whose lines straddle two
    blocks is checked as one node, so the violations are those found in the bytes."""
    g = Graph()
    g.parse(data=fixture_kg.ntriples, format="nt")
    expected_pairs = _break(g)
    nt = ntriples_dumps(g)
    (tmp_path / "g.nt").write_bytes(nt)
    data = FileBytes(open(tmp_path / "g.nt", "rb"))  # noqa: SIM115 (closed by FileBytes)
    blocks = list(data.blocks(block_size))
    assert b"".join(blocks) == nt and all(b.endswith(b"\n") for b in blocks)
    subjects = [(b.split(b" ", 1)[0], b.rsplit(b"\n", 2)[-2].split(b" ", 1)[0]) for b in blocks]
    straddling = sum(1 for (_, last), (first, _) in pairwise(subjects) if last == first)
    assert straddling > 0  # some subject's group is split between blocks
    expected = stream_violations(nt, ONTOLOGY, SHAPES)
    assert {(v.focus, v.path) for v in expected} == expected_pairs
    assert stream_violations(data, ONTOLOGY, SHAPES, block_size=block_size) == expected


def test_one_pass_engine_refuses_unsorted_ntriples(fixture_kg: KnowledgeGraph) -> None:
    lines = fixture_kg.ntriples.splitlines(keepends=True)
    with pytest.raises(ValueError, match="not sorted"):
        stream_violations(b"".join(reversed(lines)), ONTOLOGY, SHAPES)


def test_custom_messages_are_kept(fixture_kg: KnowledgeGraph) -> None:
    g = Graph()
    g.parse(data=fixture_kg.ntriples, format="nt")
    g.remove((EVENT, IL2KG.concerns, None))
    for engine in (sparql_violations, stream_violations):
        (v,) = engine(ntriples_dumps(g), ONTOLOGY, SHAPES)
        assert (v.focus, v.message) == (
            str(EVENT),
            "a timeline event must concern at least one entity",
        )


def test_every_shape_is_translated() -> None:
    queries = shape_queries(SHAPES, ONTOLOGY)
    assert len(queries) >= 50
    assert all(q.startswith("SELECT") for q, _, _ in queries)


def test_unsupported_constraint_is_refused_not_skipped(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;\n"
        '  sh:property [ sh:path <urn:p> ; sh:pattern "^a" ] .\n'
    )
    with pytest.raises(Il2kgError, match="unsupported"):
        shape_queries(shapes, ONTOLOGY)


@pytest.mark.parametrize("engine", ["pyshacl", "sparql", "stream"])
def test_problems_are_located_in_the_yaml(fixture_kg: KnowledgeGraph, engine: str) -> None:
    from il2kg.rdf.shacl import shacl_problems

    g = Graph()
    g.parse(data=fixture_kg.ntriples, format="nt")
    g.set((EVENT, DCTERMS.date, Literal("1992", datatype=XSD.string)))
    problems = shacl_problems(
        ntriples_dumps(g), lambda: g, fixture_kg.dataset, ONTOLOGY, SHAPES, engine=engine
    )  # type: ignore[arg-type]
    assert [(p.file, p.line, p.where, p.field) for p in problems] == [
        ("kb/clinic.yaml", 19, "entity IL2KG:event_1992_approval", "dcterms:date")
    ]

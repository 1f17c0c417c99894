"""The RDF build: golden graph, specific triples, determinism, and exports read back strictly."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS

from il2kg import KnowledgeGraph, expand
from il2kg.dataset.ids import statement_id
from il2kg.rdf.vocab import IL2KG

from .conftest import FIXTURE_KB, FIXTURES


def u(curie: str) -> URIRef:
    return URIRef(expand(curie))


def test_graph_matches_golden(fixture_kg: KnowledgeGraph) -> None:
    golden = Graph().parse(FIXTURES / "golden" / "kb.ttl", format="turtle")
    built = fixture_kg.graph
    if not isomorphic(built, golden):
        only_built = to_isomorphic(built) - to_isomorphic(golden)
        only_golden = to_isomorphic(golden) - to_isomorphic(built)
        pytest.fail(f"differs from golden: +{sorted(only_built)[:5]} -{sorted(only_golden)[:5]}")


def test_entity_conventions(fixture_kg: KnowledgeGraph) -> None:
    g = fixture_kg.graph
    il2 = u("HGNC:6001")
    assert (il2, RDF.type, IL2KG.Cytokine) in g
    assert (il2, RDFS.label, Literal("IL2")) in g
    assert (il2, SKOS.altLabel, Literal("IL-2")) in g
    assert (il2, SKOS.exactMatch, URIRef("https://identifiers.org/uniprot:P60568")) in g
    assert (il2, DCTERMS.identifier, Literal("HGNC:6001")) in g
    event = u("IL2KG:event_1992_approval")
    assert (event, DCTERMS.date, Literal("1992-05-05", datatype=XSD.date)) in g
    assert u("CL:0000815") == URIRef("http://purl.obolibrary.org/obo/CL_0000815")


def test_relation_has_direct_triple_and_statement(fixture_kg: KnowledgeGraph) -> None:
    g = fixture_kg.graph
    rel = next(
        r
        for r in fixture_kg.dataset.relations
        if r.predicate == "binds" and r.object == "IL2KG:IL2R_ABG"
    )
    st = URIRef("https://w3id.org/il2kg/statement/" + statement_id(rel))
    assert (u("HGNC:6001"), IL2KG.binds, u("IL2KG:IL2R_ABG")) in g
    assert (st, RDF.type, RDF.Statement) in g
    assert (st, RDF.subject, u("HGNC:6001")) in g
    assert (st, RDF.predicate, IL2KG.binds) in g
    assert (st, RDF.object, u("IL2KG:IL2R_ABG")) in g
    assert (st, DCTERMS.source, URIRef("https://identifiers.org/pubmed:16293754")) in g
    assert (st, IL2KG.curationStatus, IL2KG.Verified) in g
    assert (st, IL2KG.direct, Literal(True)) in g
    (ev,) = g.objects(st, IL2KG.hasEvidence)
    assert (ev, IL2KG.citesReference, URIRef("https://identifiers.org/pubmed:16293754")) in g
    assert (ev, IL2KG.studiedSpecies, u("NCBITaxon:9606")) in g
    (q,) = g.objects(st, IL2KG.hasQuantity)
    assert g.value(q, IL2KG.unitCode) == Literal("mol/L")
    assert float(g.value(q, IL2KG.quantityValue).toPython()) == pytest.approx(1e-11)
    assert g.value(q, IL2KG.comparator) == Literal("~")


def test_negated_relation_has_statement_only(fixture_kg: KnowledgeGraph) -> None:
    g = fixture_kg.graph
    assert (u("HGNC:6010"), IL2KG.binds, u("HGNC:6001")) not in g
    negated = list(g.subjects(IL2KG.negated, Literal(True)))
    assert len(negated) == 1
    assert g.value(negated[0], RDF.subject) == u("HGNC:6010")
    assert g.value(negated[0], RDF.object) == u("HGNC:6001")


def test_references_are_fabio_works_with_their_metadata(fixture_kg: KnowledgeGraph) -> None:
    from rdflib import Namespace

    fabio = Namespace("http://purl.org/spar/fabio/")
    g = fixture_kg.graph
    paper = URIRef("https://identifiers.org/pubmed:16293754")
    assert (paper, RDF.type, fabio.ResearchPaper) in g
    assert (paper, RDF.type, IL2KG.Reference) in g
    assert str(g.value(paper, DCTERMS.title)).startswith("Structure of the quaternary complex")
    assert g.value(paper, DCTERMS.date) == Literal("2005", datatype=XSD.gYear)
    assert g.value(paper, DCTERMS.creator) == Literal("Wang X")
    page = URIRef(
        "https://www.rndsystems.com/products/human-common-gamma-chain-gammac-il-2-r-gamma-antibody_mab2241"
    )
    assert (page, RDF.type, fabio.WebPage) in g
    # a database record is a node of its own, not the entity that shares its id
    record = URIRef("https://w3id.org/il2kg/reference/record/DrugBank%3ADB00041")
    assert (record, RDF.type, fabio.Entry) in g
    assert (record, RDFS.seeAlso, u("DrugBank:DB00041")) in g
    assert (u("DrugBank:DB00041"), RDF.type, IL2KG.Reference) not in g
    # mouse evidence says so
    mouse = sorted(str(s) for s in g.subjects(IL2KG.studiedSpecies, u("NCBITaxon:10090")))
    assert mouse[0] == "https://doi.org/10.4049/jimmunol.155.3.1151"  # the work studied mice
    assert len(mouse) == 2 and mouse[1].endswith("-e1")  # and the evidence item says so


def test_no_blank_nodes(fixture_kg: KnowledgeGraph) -> None:
    from rdflib import BNode

    assert not [t for t in fixture_kg.graph if any(isinstance(x, BNode) for x in t)]


FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rdf_exports_read_back_by_pyoxigraph(fixture_kg: KnowledgeGraph, fmt: str) -> None:
    data = fixture_kg.dumps(fmt)[""]
    quads = list(ox.parse(data, format=FORMATS[fmt]))
    assert len(quads) == len(fixture_kg.graph)
    nt = Graph().parse(data=fixture_kg.ntriples, format="nt")
    back = Graph().parse(
        data=data, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}[fmt]
    )
    assert isomorphic(back, nt)


def test_jsonld_has_prefix_context(fixture_kg: KnowledgeGraph) -> None:
    doc = json.loads(fixture_kg.dumps("jsonld")[""])
    assert doc["@context"]["HGNC"] == "https://identifiers.org/hgnc:"
    assert doc["@context"]["il2kg"] == "https://w3id.org/il2kg/vocab/"


def test_graphml_read_back_by_networkx(fixture_kg: KnowledgeGraph) -> None:
    g = nx.read_graphml(io.BytesIO(fixture_kg.dumps("graphml")[""]))
    assert g.number_of_nodes() == 14
    assert g.number_of_edges() == 17  # 18 relations, one negated
    assert g.nodes["HGNC:6001"]["label"] == "IL2"
    preds = {d["predicate"] for _, _, d in g.edges(data=True)}
    assert "binds" in preds and "part_of" in preds


def test_kgx_tsv(fixture_kg: KnowledgeGraph) -> None:
    out = fixture_kg.dumps("kgx")
    nodes = list(csv.DictReader(io.StringIO(out["nodes.tsv"].decode()), delimiter="\t"))
    edges = list(csv.DictReader(io.StringIO(out["edges.tsv"].decode()), delimiter="\t"))
    assert len(nodes) == 14 and len(edges) == 18
    il2 = next(n for n in nodes if n["id"] == "HGNC:6001")
    assert il2["category"].split("|")[0] == "biolink:Protein"
    assert "UniProtKB:P60568" in il2["xref"].split("|")
    expressed = next(e for e in edges if e["original_predicate"] == "il2kg:expressed_in")
    assert expressed["predicate"] == "biolink:expressed_in"
    assert expressed["publications"] == "DOI:10.4049/jimmunol.155.3.1151"
    # kgx reads any non-empty cell as true: "True" for a negated edge, empty otherwise
    assert sum(e["negated"] == "True" for e in edges) == 1
    assert sum(e["negated"] == "" for e in edges) == 17


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "xml", "graphml"])
def test_output_is_byte_identical_across_processes(tmp_path: Path, fmt: str) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "IL2KG_CACHE_DIR": str(tmp_path / seed)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "il2kg",
                "--data-dir",
                str(FIXTURE_KB),
                "build",
                "--no-shacl",
                "-f",
                fmt,
                "-o",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("in_memory", [True, False])
def test_ntriples_merged_from_runs_are_sorted_and_unique(
    shipped_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, in_memory: bool
) -> None:
    """Small runs, merged in memory or through the temporary file: the same bytes as one sort."""
    import il2kg.rdf.formats as formats
    from il2kg.rdf.build import dataset_triples

    triples = list(dataset_triples(shipped_kg.dataset))
    lines = sorted(set(formats.ntriples_dumps(triples).splitlines(keepends=True)))
    monkeypatch.setattr(formats, "_CHUNK", 997)
    monkeypatch.setattr(formats, "_MERGE_IN_MEMORY", 1 << 40 if in_memory else 0)
    # each spilled run read back 300 bytes at a time: lines straddle the reads
    monkeypatch.setattr(formats, "_MERGE_BUFFERS", 0)
    monkeypatch.setattr(formats, "_MIN_RUN_BUFFER", 300)
    merged = formats.ntriples_dumps(triples + triples[:5_000])  # repeats across runs
    assert len(triples) > 5 * 997
    assert merged == b"".join(lines) == shipped_kg.ntriples


def test_ntriples_written_to_a_file_are_not_held(
    shipped_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ntriples_dump, spilling its runs: the same bytes as in memory, and the Python memory it
    allocates stays a fraction of the output (the bytes version holds it whole at least)."""
    import tracemalloc

    import il2kg.rdf.formats as formats
    from il2kg.rdf.build import dataset_triples

    triples = list(dataset_triples(shipped_kg.dataset))
    monkeypatch.setattr(formats, "_CHUNK", 500)
    monkeypatch.setattr(formats, "_MERGE_IN_MEMORY", 0)
    monkeypatch.setattr(formats, "_MERGE_BUFFERS", 64 * 1024)  # 16 MiB: more than this output
    monkeypatch.setattr(formats, "_MIN_RUN_BUFFER", 4 * 1024)

    def traced_peak(fn: Callable[[], object]) -> int:
        tracemalloc.start()
        try:
            fn()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    in_memory = traced_peak(lambda: formats.ntriples_dumps(triples))
    with open(tmp_path / "g.nt", "w+b") as fh:
        in_file = traced_peak(lambda: formats.ntriples_dump(triples, fh))
    written = (tmp_path / "g.nt").read_bytes()
    assert written == shipped_kg.ntriples
    assert in_memory >= len(written)
    assert in_file < len(written) / 2, (in_file, len(written))  # the IRIs seen, one run


def test_ntriples_writer_escapes_as_pyoxigraph() -> None:
    """Every code point, language tags, xsd:string and typed literals: pyoxigraph's bytes."""
    from il2kg.rdf.formats import ntriples_dumps

    every = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    s, p = URIRef("https://example.org/s"), URIRef("https://example.org/p")
    objects = [
        Literal(every),
        Literal(every[:300], lang="EN-gb"),
        Literal("x", datatype=XSD.string),
        Literal("1.50", datatype=XSD.decimal),
        Literal(True),
        Literal('tab\there "q" \\'),
        URIRef("https://example.org/é?q=1#f"),
    ]
    ours = ntriples_dumps([(s, p, o) for o in objects])

    def ox_term(o: Literal | URIRef) -> ox.NamedNode | ox.Literal:
        if isinstance(o, URIRef):
            return ox.NamedNode(o)
        if o.language:
            return ox.Literal(str(o), language=o.language)
        if o.datatype:
            return ox.Literal(str(o), datatype=ox.NamedNode(o.datatype))
        return ox.Literal(str(o))

    theirs = ox.serialize(
        [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox_term(o)) for o in objects],
        format=ox.RdfFormat.N_TRIPLES,
    )
    assert theirs is not None
    assert ours == b"".join(sorted(theirs.splitlines(keepends=True)))
    with pytest.raises(ValueError):
        ntriples_dumps([(s, p, URIRef("not an iri"))])

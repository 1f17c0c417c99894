"""The ontology: closed vocabulary in sync, hierarchy sound, mappings present, OWL parses."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from il2kg.dataset.ontology import read_vocabulary
from il2kg.namespaces import VOCAB
from il2kg.rdf.vocab import IL2KG
from il2kg.resources import ontology_dir

ONTOLOGY = ontology_dir() / "il2kg.ttl"


def _graph() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def test_defined_namespace_matches_ontology() -> None:
    g = _graph()
    declared = {
        str(s)[len(VOCAB) :] for s in g.subjects(RDF.type, None) if str(s).startswith(VOCAB)
    }
    in_python = set(IL2KG.__annotations__)
    assert in_python == declared, in_python ^ declared


def test_closed_namespace_refuses_typos() -> None:
    import pytest

    with pytest.raises(AttributeError):
        _ = IL2KG.bindz


def test_every_term_has_label_and_definition() -> None:
    g = _graph()
    for term in IL2KG.__annotations__:
        node = URIRef(VOCAB + term)
        assert g.value(node, RDFS.label) is not None, term
        assert g.value(node, SKOS.definition) is not None, term


def test_every_curated_predicate_has_domain_and_range() -> None:
    vocab = read_vocabulary(ONTOLOGY)
    assert len(vocab.predicates) >= 30
    for name, p in vocab.predicates.items():
        assert p.domain and p.range, name
        for cls in (*p.domain, *p.range):
            assert cls in vocab.ancestors, f"{name}: {cls} is not a class"


def test_class_hierarchy() -> None:
    vocab = read_vocabulary(ONTOLOGY)
    assert vocab.is_a("STAT", "TranscriptionFactor")
    assert vocab.is_a("Kinase", "MolecularEntity")
    assert vocab.is_a("ReceptorComplex", "ProteinComplex")
    assert vocab.is_a("Combination", "Intervention")
    assert not vocab.is_a("CellType", "MolecularEntity")
    assert vocab.predicates["part_of"].inverse == "has_part"
    assert "indicated_for" in vocab.predicates["approved_for"].parents


def test_mappings_to_ro_and_biolink() -> None:
    g = _graph()
    assert (
        IL2KG.expressed_in,
        SKOS.exactMatch,
        URIRef("http://purl.obolibrary.org/obo/RO_0002206"),
    ) in g
    assert (
        IL2KG.part_of,
        RDFS.subPropertyOf,
        URIRef("http://purl.obolibrary.org/obo/BFO_0000050"),
    ) in g
    assert (IL2KG.Cytokine, SKOS.closeMatch, URIRef("https://w3id.org/biolink/vocab/Protein")) in g


def test_ontology_is_owl_and_parses_strictly() -> None:
    g = _graph()
    assert (URIRef("https://w3id.org/il2kg/ontology"), RDF.type, OWL.Ontology) in g
    assert len(list(ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE))) == len(g)
    # every object property is declared as such (no accidental annotation/object punning)
    for p in read_vocabulary(ONTOLOGY).predicates:
        assert (URIRef(VOCAB + p), RDF.type, OWL.ObjectProperty) in g


def test_data_format_doc_lists_every_class_and_predicate() -> None:
    from .conftest import ROOT

    doc = (ROOT / "docs" / "data-format.md").read_text()
    vocab = read_vocabulary(ONTOLOGY)
    for name in [*vocab.entity_classes, *vocab.predicates]:
        assert f"`{name}`" in doc, f"docs/data-format.md does not describe {name}"


def test_ontology_opens_in_an_owl_tool_and_is_consistent(tmp_path: Path) -> None:
    """owlready2 loads the ontology and the HermiT reasoner classifies it: consistent, and no
    class is unsatisfiable."""
    import shutil

    import pytest

    owlready2 = pytest.importorskip("owlready2")
    if shutil.which("java") is None:
        pytest.skip(
            "NO JAVA: the HermiT reasoner needs a Java runtime (apt-get install default-jre)"
        )
    owl = tmp_path / "il2kg.owl"
    _graph().serialize(owl, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(owl.as_uri()).load()
    vocab = read_vocabulary(ONTOLOGY)
    assert {c.name for c in onto.classes()} >= set(vocab.ancestors)
    assert {p.name for p in onto.object_properties()} >= set(vocab.predicates)
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []

"""Entity name resolution and search ranking (il2kg.paths.resolve) on the fixture KB."""

from __future__ import annotations

import pytest

from il2kg import KnowledgeGraph, UnknownEntityError
from il2kg.curate.card import entity_card
from il2kg.dataset.model import Dataset, Entity
from il2kg.paths.resolve import Resolver, normalise, resolve


@pytest.mark.parametrize(
    "name",
    [
        "HGNC:6008",
        "hgnc:6008",
        "https://identifiers.org/hgnc:6008",
        "<https://identifiers.org/hgnc:6008>",
        "IL2RA",
        "il2ra",
        "IL-2Rα",
        "IL-2Ralpha",
        "CD25",
        "cd25",
        "il-2 receptor alpha",
        "Interleukin 2 receptor α",
        "UniProtKB:P01589",
        "P01589",
        "  tac   ANTIGEN ",
    ],
)
def test_names_of_il2ra_reach_the_same_node(fixture_kg: KnowledgeGraph, name: str) -> None:
    assert fixture_kg.resolve(name) == "HGNC:6008"


@pytest.mark.parametrize(
    ("name", "eid"),
    [
        ("IL-2", "HGNC:6001"),
        ("interleukin-2", "HGNC:6001"),
        ("Interleukin 2", "HGNC:6001"),
        ("γc", "HGNC:6010"),
        ("common gamma chain", "HGNC:6010"),
        ("IL-2Rβγ", "IL2KG:IL2R_BG"),
        ("il2rbg", "IL2KG:IL2R_BG"),
        ("IL2R_ABG", "IL2KG:IL2R_ABG"),
        ("IL-2R alpha beta gamma", "IL2KG:IL2R_ABG"),
        ("Treg", "CL:0000815"),
        ("proleukin", "DrugBank:DB00041"),
    ],
)
def test_labels_synonyms_and_xrefs(fixture_kg: KnowledgeGraph, name: str, eid: str) -> None:
    assert fixture_kg.resolve(name) == eid


def test_normalise() -> None:
    assert normalise("IL-2Rα") == normalise("IL2RA") == normalise("il-2 receptor alpha")
    assert normalise("IL-2Rβγ") == "il2rbg"
    assert normalise("Ⅱ") == "ii"  # compatibility forms fold


def test_unknown_name_suggests_the_closest(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as err:
        fixture_kg.resolve("STAT5")
    assert not err.value.ambiguous
    assert err.value.candidates[0] == ("HGNC:11366", "STAT5A")
    assert "did you mean" in str(err.value)


def test_unknown_name_without_anything_close(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as err:
        fixture_kg.resolve("zebrafish")
    assert err.value.candidates == []
    assert str(err.value) == "no entity named 'zebrafish'"


def _ds(*entities: Entity) -> Dataset:
    return Dataset({e.id: e for e in entities})


def test_ambiguous_name_lists_candidates() -> None:
    ds = _ds(
        Entity(id="HGNC:6014", type="Cytokine", label="IL4", synonyms=["BSF-1"]),
        Entity(id="HGNC:6015", type="ReceptorChain", label="IL4R", synonyms=["BSF1"]),
    )
    with pytest.raises(UnknownEntityError) as err:
        resolve(ds, "bsf 1")
    assert err.value.ambiguous
    assert err.value.candidates == [("HGNC:6014", "IL4"), ("HGNC:6015", "IL4R")]
    assert str(err.value).startswith("'bsf 1' is ambiguous; it matches:")


def test_stricter_tier_and_label_win() -> None:
    ds = _ds(
        Entity(id="HGNC:1", type="Cytokine", label="IL-X"),
        Entity(id="HGNC:2", type="Cytokine", label="ILX", synonyms=["IL-X"]),
    )
    # exact label beats exact synonym; exact beats normalised (both read "ilx")
    assert resolve(ds, "il-x") == "HGNC:1"
    assert resolve(ds, "ILX") == "HGNC:2"
    with pytest.raises(UnknownEntityError):
        resolve(ds, "I L X")  # only the normalised tier matches, and it matches both


def test_search_ranks_exact_before_partial(fixture_kg: KnowledgeGraph) -> None:
    hits = fixture_kg.search("IL2")
    assert hits[0].id == "HGNC:6001"
    assert hits[0].score == 95.0
    assert {h.id for h in hits[1:4]} == {"HGNC:6008", "HGNC:6009", "HGNC:6010"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    cd = fixture_kg.search("cd25", limit=1)
    assert [(h.id, h.field, h.matched, h.type) for h in cd] == [
        ("HGNC:6008", "synonym", "CD25", "ReceptorChain")
    ]
    assert fixture_kg.search("") == []


def test_search_is_fuzzy(fixture_kg: KnowledgeGraph) -> None:
    assert fixture_kg.search("aldeslukin")[0].id == "DrugBank:DB00041"


def test_search_by_type(fixture_kg: KnowledgeGraph) -> None:
    hits = Resolver(fixture_kg.dataset).search("IL", types=["ReceptorComplex"])
    assert {h.id for h in hits} == {"IL2KG:IL2R_ABG", "IL2KG:IL2R_BG"}


def test_entity_card(fixture_kg: KnowledgeGraph) -> None:
    card = entity_card(fixture_kg.dataset, "HGNC:6010")
    assert card.label == "IL2RG" and card.type == "ReceptorChain"
    assert card.iri == "https://identifiers.org/hgnc:6010"
    assert card.xrefs == ("UniProtKB:P31785",)
    assert list(card.outgoing) == ["binds", "part_of"]
    assert list(card.incoming) == ["associates_with"]
    (neg,) = card.outgoing["binds"]
    assert neg.negated and neg.other == "HGNC:6001" and neg.status == "verified"
    assert [r.other for r in card.outgoing["part_of"]] == ["IL2KG:IL2R_ABG", "IL2KG:IL2R_BG"]
    assert [r.other for r in card.incoming["associates_with"]] == ["HGNC:6193"]
    assert card.incoming["associates_with"][0].evidence == (
        {
            "source": "WP:WP2732",
            "citation": "WikiPathways 2024, WP:WP2732, human",
            "type": "database_record",
            "species": "NCBITaxon:9606",
            "status": "verified",
            "supports": True,
            "reference": {
                "id": "WP:WP2732",
                "type": "database_record",
                "first_author": "WikiPathways",
                "title": "Interleukin-2 family signaling (Homo sapiens)",
                "venue": "WikiPathways",
                "year": 2024,
            },
        },
    )
    assert card.location.endswith("kb/molecules.yaml:26")


def test_entity_card_details(fixture_kg: KnowledgeGraph) -> None:
    card = entity_card(fixture_kg.dataset, "IL2KG:HD_IL2_IV")
    assert card.details["route"] == "intravenous"
    (rel,) = card.outgoing["has_component"]
    assert rel.quantities == (
        {"kind": "dose", "value": 600000.0, "unit": "IU/kg", "comparator": "="},
    )


def test_real_data_names(shipped_kg: KnowledgeGraph) -> None:
    il2ra = shipped_kg.resolve("IL2RA")
    for name in ("IL-2Rα", "CD25", "il-2 receptor alpha", "IL-2 receptor alpha chain"):
        assert shipped_kg.resolve(name) == il2ra
    assert shipped_kg.resolve("IL-2") == shipped_kg.resolve("HGNC:6001")
    assert shipped_kg.resolve("ERK2") == "HGNC:6871"

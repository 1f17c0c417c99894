"""The evidence model on a drawable fixture (tests/fixtures/kb_evidence/kb.yaml, drawn in its header)
and on the shipped data: summaries versus mechanisms, signed paths, conflicts, citations as people
read them, claims reachable from their cell type, and the evidence figures of stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg import KnowledgeGraph, PathNotFound
from il2kg.cli import cli

KB = Path(__file__).parent / "fixtures" / "kb_evidence"
IL2, BG, JAK1, STAT5A = "HGNC:6001", "IL2KG:IL2R_BG", "HGNC:6190", "HGNC:11366"
SOCS1, PTPN2, IL17A, TREG, TH17 = "HGNC:19383", "HGNC:9650", "HGNC:5981", "CL:0000815", "CL:0000899"


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return KnowledgeGraph(KB, cache_root=tmp_path_factory.mktemp("cache"))


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["--data-dir", str(KB), *args])


def test_paths_walk_mechanisms_and_summaries_only_when_asked(kg: KnowledgeGraph) -> None:
    (p,) = kg.paths("IL2", "STAT5A").paths
    assert p.nodes == (IL2, BG, JAK1, STAT5A)
    assert [h.effect for h in p.hops] == ["none", "positive", "positive"]
    assert p.effect == "positive"
    first, second = kg.paths("IL2", "STAT5A", summaries=True, k=2).paths
    assert first.nodes == (IL2, STAT5A) and not first.hops[0].direct
    assert first.hops[0].via == (BG, JAK1)
    assert second.nodes == (IL2, BG, JAK1, STAT5A)


def test_net_effects_multiply_signs(kg: KnowledgeGraph) -> None:
    (neg,) = kg.paths("SOCS1", "STAT5A").paths
    assert (neg.nodes, neg.effect) == ((SOCS1, JAK1, STAT5A), "negative")
    (pos,) = kg.paths("SOCS1", "IL17A").paths  # inhibits, phosphorylates, decreases expression
    assert [h.effect for h in pos.hops] == ["negative", "positive", "negative"]
    assert pos.effect == "positive"
    (none,) = kg.paths("IL2", "intermediate-affinity IL-2 receptor").paths
    assert none.effect == "none"
    (unsigned,) = kg.paths("STAT5A", "JAK1", directed=False).paths  # phosphorylates, walked back
    assert unsigned.hops[0].effect == "reversed" and unsigned.effect == "unsigned"


def test_sign_filters_paths(kg: KnowledgeGraph) -> None:
    assert kg.paths("SOCS1", "IL17A", sign="positive").paths[0].effect == "positive"
    with pytest.raises(
        PathNotFound, match=r"has the net effect negative \(the paths found are positive\)"
    ):
        kg.paths("SOCS1", "IL17A", sign="negative")
    r = run("path", "SOCS1", "IL17A", "--sign", "negative")
    assert r.exit_code == 1  # type: ignore[attr-defined]


def test_path_text_shows_signs_summaries_and_citations() -> None:
    r = run("path", "IL2", "STAT5A", "--summaries")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert r.stdout == (  # type: ignore[attr-defined]
        "1. IL2 —activates→ STAT5A\n"
        "   1 hop, cost 1.00, net effect positive\n"
        "     IL2 —activates→ STAT5A (+)  [expert_knowledge]\n"
        "       summary of: IL2 → intermediate-affinity IL-2 receptor → JAK1 → STAT5A\n"
        "       expert_knowledge: Gamma 2012 Rev J, REF:Review, human (review)\n"
    )


def test_every_hop_in_json_carries_its_references_with_type_and_species() -> None:
    data = json.loads(run("path", "SOCS1", "IL17A", "--format", "json").stdout)  # type: ignore[attr-defined]
    (p,) = data["paths"]
    assert p["effect"] == "positive"
    hop = p["hops"][0]
    assert hop["effect"] == "negative" and hop["direct"] is True
    (ev,) = hop["evidence"]
    assert ev["species"] == "NCBITaxon:10090"
    assert ev["citation"] == "Delta 2007 Test J, REF:MouseFeedback, mouse"
    assert ev["reference"] == {
        "id": "REF:MouseFeedback",
        "type": "primary_research",
        "first_author": "Delta D",
        "title": "Feedback in mouse T cells",
        "venue": "Test J",
        "year": 2007,
    }


def test_conflicts_lists_contested_claims_and_negations_in_other_contexts() -> None:
    r = run("conflicts")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [  # type: ignore[attr-defined]
        "contested: IL2 (HGNC:6001) expands T-helper 17 cell (CL:0000899) [no context]: "
        "supported by REF:Expansion, REF:News; refuted by REF:NoExpansion  (kb_evidence/kb.yaml:35)",
        "context: PTPN2 (HGNC:9650) dephosphorylates STAT5A (HGNC:11366): holds in "
        "[cell_type=CL:0000815], NOT in [cell_type=CL:0000899]  "
        "(kb_evidence/kb.yaml:33; kb_evidence/kb.yaml:34)",
    ]
    js = json.loads(run("conflicts", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert [c["kind"] for c in js] == ["contested", "context"]
    assert len(js[1]["statements"]) == 2


def test_a_claim_is_reachable_from_its_cell_type(kg: KnowledgeGraph) -> None:
    near = {n.id: n.hop for n in kg.neighbors("regulatory T cell")}
    assert set(near) == {STAT5A}
    assert near[STAT5A].relation == "in_cell_type"
    (p,) = kg.paths("PTPN2", "regulatory T cell").paths
    assert p.nodes == (PTPN2, STAT5A, TREG)
    # and in SPARQL, through the statement's context
    rows = kg.query(
        "SELECT ?s ?o WHERE { ?st il2kg:inCellType CL:0000815 ; rdf:subject ?s ; rdf:object ?o }"
    ).rows
    assert [(r[0].curie(), r[1].curie()) for r in rows] == [(PTPN2, STAT5A)]  # type: ignore[union-attr]
    assert TH17 not in {n.id for n in kg.neighbors("STAT5A")}  # the negated one is not walked


def test_stats_report_evidence_by_publication_type(kg: KnowledgeGraph) -> None:
    s = kg.stats()
    assert s.items_by_type == {
        "clinical_trial_report": 2,
        "press_news": 1,
        "primary_research": 7,
        "review": 1,
    }
    assert (s.references, s.refuted_items, s.non_human_items, s.summaries) == (8, 1, 2, 1)
    assert (s.claims, s.with_primary, s.review_only, s.weak_only) == (9, 8, 1, 0)


def test_shipped_il2_to_stat5a_goes_through_the_receptor_and_a_jak(
    shipped_kg: KnowledgeGraph,
) -> None:
    (p,) = shipped_kg.paths("IL-2", "STAT5A").paths
    types = [shipped_kg.path_graph.nodes[n]["type"] for n in p.nodes]
    assert types[0] == "Cytokine" and types[-1] == "STAT"
    assert "ReceptorComplex" in types and "Kinase" in types
    assert all(h.direct for h in p.hops)
    assert all(e["type"] and e["species"] for h in p.hops for e in h.evidence)


def test_the_explorer_draws_inhibitions_and_summaries_apart(kg: KnowledgeGraph) -> None:
    from il2kg.dataset.ids import statement_id
    from il2kg.explorer.page import _network
    from il2kg.explorer.views import whole_view

    _, drawn, _ = _network(kg.dataset, kg.vocabulary, whole_view(kg.dataset))
    rels = {(r.subject, r.predicate, r.object): statement_id(r) for r in kg.dataset.relations}
    inhibition = rels[(SOCS1, "inhibits", JAK1)]
    summary = rels[(IL2, "activates", STAT5A)]
    activation = rels[(BG, "activates", JAK1)]
    edges = {e["id"]: e for e in drawn}
    assert edges[inhibition]["arrows"]["to"]["type"] == "bar"
    plain = edges[activation].get("arrows")
    assert not (isinstance(plain, dict) and plain["to"].get("type") == "bar")
    assert edges[activation]["dashes"] is False
    assert edges[summary]["dashes"] is True and edges[summary]["title"].endswith("(+) (summary)")

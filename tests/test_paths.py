"""Path finding (il2kg.paths.search): exact paths and counts on the fixture KB, real biology on data/.

The fixture, drawn (negated IL2RG binds IL2 left out):

    IL2 -binds-> IL2R_ABG <-part_of- IL2RA, IL2RB, IL2RG      JAK1 -associates_with-> IL2RB
    IL2 -binds-> IL2R_BG  <-part_of- IL2RB, IL2RG             JAK3 -associates_with-> IL2RG
    JAK1, JAK3 -phosphorylates-> STAT5A                       IL2RA -expressed_in-> Treg

Undirected, IL2 reaches STAT5A by 4 paths of 4 hops (receptor form x JAK) and 4 of 6 hops
(through both receptor forms).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import pairwise

import networkx as nx
import pytest

from il2kg import Il2kgError, KnowledgeGraph, PathNotFound
from il2kg.errors import NoPathError
from il2kg.paths.neighbors import neighbors
from il2kg.paths.results import hop_cost
from il2kg.paths.search import expand_predicates, find_paths, parse_metapath, search_paths

IL2, ABG, BG = "HGNC:6001", "IL2KG:IL2R_ABG", "IL2KG:IL2R_BG"
RA, RB, RG = "HGNC:6008", "HGNC:6009", "HGNC:6010"
JAK1, JAK3, STAT5A, TREG = "HGNC:6190", "HGNC:6193", "HGNC:11366", "CL:0000815"


@pytest.fixture(scope="module")
def g(fixture_kg: KnowledgeGraph) -> nx.MultiDiGraph:
    return fixture_kg.path_graph


def _nodes(paths: list) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [p.nodes for p in paths]


def test_directed_follows_direction_and_declared_inverses(g: nx.MultiDiGraph) -> None:
    (p,) = find_paths(g, IL2, RB, inverses={"part_of": "has_part"})
    assert p.nodes in ((IL2, BG, RB), (IL2, ABG, RB))
    first, second = p.hops
    assert (first.predicate, first.direction) == ("binds", "forward")
    assert (second.predicate, second.direction, second.relation) == (
        "has_part",
        "inverse",
        "part_of",
    )
    assert (second.subject, second.object) == (RB, p.nodes[1])
    # without the inverse, a complex does not lead to its chains
    with pytest.raises(PathNotFound):
        find_paths(g, IL2, RB)


def test_no_directed_path_says_what_is_near(g: nx.MultiDiGraph) -> None:
    with pytest.raises(NoPathError) as err:
        find_paths(g, IL2, STAT5A, inverses={"part_of": "has_part"})
    e = err.value
    assert e.exit_code == 1
    assert dict(e.to_target) == {JAK1: 1, JAK3: 1}
    assert {ABG: 1, BG: 1}.items() <= dict(e.from_source).items()
    msg = str(e)
    assert msg.startswith("no directed path of at most 10 hops from IL2 (HGNC:6001) to STAT5A")
    assert "ignoring direction they are 4 hops apart: try --undirected" in msg


def test_undirected_shortest_paths_exact_and_ranked(g: nx.MultiDiGraph) -> None:
    paths = find_paths(g, IL2, STAT5A, k=10, directed=False, inverses={"part_of": "has_part"})
    # k=10 stops after the level that reaches k: all 8 simple paths (4 of 4 hops, 4 of 6)
    assert [p.length for p in paths] == [4, 4, 4, 4, 6, 6, 6, 6]
    # JAK3 -> STAT5A is verified, JAK1 -> STAT5A expert knowledge; IL2R_BG is less of a hub
    assert _nodes(paths[:4]) == [
        (IL2, BG, RG, JAK3, STAT5A),
        (IL2, ABG, RG, JAK3, STAT5A),
        (IL2, BG, RB, JAK1, STAT5A),
        (IL2, ABG, RB, JAK1, STAT5A),
    ]
    costs = [p.cost for p in paths]
    assert costs[:4] == sorted(costs[:4])
    hop = paths[0].hops[2]
    assert (hop.source, hop.target, hop.predicate, hop.direction) == (
        RG,
        JAK3,
        "associates_with",
        "reverse",
    )
    assert hop.arrow == "←associates_with—"
    assert hop.sources == ("WP:WP2732",) and hop.status == "verified"
    assert paths[0].chain(dict(g.nodes(data="label"))) == (
        "IL2 —binds→ intermediate-affinity IL-2 receptor —has_part→ IL2RG "
        "←associates_with— JAK3 —phosphorylates→ STAT5A"
    )


def test_k_shortest_takes_the_best_k(g: nx.MultiDiGraph) -> None:
    paths = find_paths(g, IL2, STAT5A, k=2, directed=False)
    assert _nodes(paths) == [(IL2, BG, RG, JAK3, STAT5A), (IL2, ABG, RG, JAK3, STAT5A)]
    assert len(find_paths(g, IL2, STAT5A, k=5, directed=False)) == 5


def test_all_paths_bounded_by_length_and_count(g: nx.MultiDiGraph) -> None:
    r = search_paths(g, IL2, STAT5A, all_paths=True, max_length=5, directed=False)
    assert len(r.paths) == 4 and r.truncated is None
    r = search_paths(g, IL2, STAT5A, all_paths=True, max_length=6, directed=False)
    assert len(r.paths) == 8 and r.truncated is None
    assert len({p.nodes for p in r.paths}) == 8
    assert all(len(set(p.nodes)) == len(p.nodes) for p in r.paths)  # simple
    r = search_paths(g, IL2, STAT5A, all_paths=True, max_length=6, max_paths=8, directed=False)
    assert len(r.paths) == 8 and r.truncated is None
    r = search_paths(g, IL2, STAT5A, all_paths=True, max_length=6, max_paths=3, directed=False)
    assert len(r.paths) == 3 and r.truncated == "limit of 3 paths"


def test_all_paths_agree_with_networkx(fixture_kg: KnowledgeGraph, g: nx.MultiDiGraph) -> None:
    ours = search_paths(g, IL2, TREG, all_paths=True, max_length=6, directed=False).paths
    undirected = nx.Graph(fixture_kg.network().to_undirected())
    theirs = nx.all_simple_paths(undirected, IL2, TREG, cutoff=6)
    assert sorted(p.nodes for p in ours) == sorted(tuple(p) for p in theirs)


def test_via_and_avoid(g: nx.MultiDiGraph) -> None:
    via = find_paths(g, IL2, STAT5A, k=10, directed=False, via=[JAK1])
    assert all(JAK1 in p.nodes for p in via)
    assert [p.length for p in via] == [4, 4, 6, 6]
    avoid = find_paths(g, IL2, STAT5A, k=10, directed=False, avoid=[JAK3])
    assert _nodes(avoid) == _nodes(via)
    ordered = find_paths(g, IL2, STAT5A, k=10, directed=False, via=[ABG, RG])
    assert _nodes(ordered)[0] == (IL2, ABG, RG, JAK3, STAT5A)
    assert set(_nodes(ordered)[1:]) == {
        (IL2, ABG, RB, BG, RG, JAK3, STAT5A),
        (IL2, ABG, RG, BG, RB, JAK1, STAT5A),
        (IL2, BG, RB, ABG, RG, JAK3, STAT5A),
    }
    with pytest.raises(Il2kgError, match="cannot both use and avoid"):
        find_paths(g, IL2, STAT5A, via=[JAK1], avoid=[JAK1])


def test_predicate_filters(g: nx.MultiDiGraph) -> None:
    with pytest.raises(PathNotFound):
        find_paths(g, IL2, STAT5A, directed=False, exclude_predicates=["associates_with"])
    with pytest.raises(PathNotFound):
        find_paths(g, IL2, STAT5A, directed=False, predicates=["binds", "part_of"])
    (p,) = find_paths(g, RA, TREG, predicates=["expressed_in"])
    assert p.nodes == (RA, TREG)
    # a hop may be named by its inverse
    (q,) = find_paths(g, ABG, RB, predicates=["has_part"], inverses={"part_of": "has_part"})
    assert q.hops[0].relation == "part_of"


def test_expand_predicates_brings_subpredicates() -> None:
    parents = {"binds": (), "preferentially_binds": ("binds",), "part_of": ()}
    assert expand_predicates(["binds"], parents, {}) == {"binds", "preferentially_binds"}
    with pytest.raises(Il2kgError, match="unknown predicate bindz"):
        expand_predicates(["bindz"], parents, {})


def test_metapath_by_subclass(fixture_kg: KnowledgeGraph, g: nx.MultiDiGraph) -> None:
    anc = fixture_kg.vocabulary.ancestors
    mp = parse_metapath("Cytokine>ReceptorComplex>ReceptorChain>Kinase>TranscriptionFactor")
    paths = find_paths(g, IL2, STAT5A, k=10, directed=False, metapath=mp, ancestors=anc)
    assert len(paths) == 4 and {p.length for p in paths} == {4}
    # exact classes only without the hierarchy: STAT is not TranscriptionFactor itself
    with pytest.raises(PathNotFound):
        find_paths(g, IL2, STAT5A, directed=False, metapath=mp)
    mp2 = parse_metapath("MolecularEntity>ProteinComplex>GeneOrProtein>Kinase>STAT")
    assert len(find_paths(g, IL2, STAT5A, k=10, directed=False, metapath=mp2, ancestors=anc)) == 4
    with pytest.raises(PathNotFound, match="matching Cytokine>Kinase>STAT"):
        find_paths(
            g, IL2, STAT5A, directed=False, metapath=("Cytokine", "Kinase", "STAT"), ancestors=anc
        )
    with pytest.raises(Il2kgError):
        parse_metapath("Cytokine")


def test_negated_relations_are_never_walked(g: nx.MultiDiGraph) -> None:
    # IL2RG NOT binds IL2: the one-hop link does not exist either way
    (p,) = find_paths(g, RG, IL2, directed=False)
    assert p.length == 2
    with pytest.raises(PathNotFound):
        find_paths(g, RG, IL2, inverses={"part_of": "has_part"})
    h = nx.MultiDiGraph()
    h.add_edge("A", "B", key="binds", predicate="binds", negated=True, status="verified")
    with pytest.raises(PathNotFound):
        find_paths(h, "A", "B")


def test_qualifiers_filter(fixture_kg: KnowledgeGraph) -> None:
    kg = fixture_kg
    direct = kg.paths("aldesleukin", "RCC", qualifiers={"disease_stage": "metastatic"})
    assert direct.paths[0].hops[0].predicate == "approved_for"
    assert direct.paths[0].hops[0].qualifiers == {
        "disease_stage": "metastatic",
        "population": "adults",
        "agency": "FDA",
        "year": 1992,
    }
    other = kg.paths("aldesleukin", "RCC", directed=False, qualifiers={"disease_stage": "adjuvant"})
    assert other.paths[0].length == 2
    assert other.paths[0].nodes[1] == "IL2KG:event_1992_approval"
    cell = kg.paths("IL2RA", "Treg", qualifiers={"cell_type": "regulatory T cell"})
    assert cell.paths[0].length == 1
    with pytest.raises(Il2kgError, match="unknown qualifier"):
        kg.paths("aldesleukin", "RCC", qualifiers={"colour": "red"})


def test_kg_paths_takes_names(fixture_kg: KnowledgeGraph) -> None:
    r = fixture_kg.paths(
        "IL-2",
        "stat5a",
        directed=False,
        via=["jak1"],
        metapath="Cytokine>ReceptorComplex>ReceptorChain>Kinase>STAT",
        k=5,
    )
    assert [p.nodes for p in r.paths] == [(IL2, BG, RB, JAK1, STAT5A), (IL2, ABG, RB, JAK1, STAT5A)]
    with pytest.raises(Il2kgError, match="unknown class 'Kinaze'; did you mean Kinase"):
        fixture_kg.paths("IL-2", "STAT5A", metapath="Cytokine>Kinaze>STAT")


def test_bad_arguments(g: nx.MultiDiGraph) -> None:
    with pytest.raises(Il2kgError, match="not an entity"):
        find_paths(g, "HGNC:0", STAT5A)
    with pytest.raises(Il2kgError, match="same entity"):
        find_paths(g, IL2, IL2)
    with pytest.raises(Il2kgError, match="k must be"):
        find_paths(g, IL2, STAT5A, k=0)


def test_hop_cost_prefers_evidence() -> None:
    assert hop_cost("verified", 3) < hop_cost("verified", 1) < hop_cost("expert_knowledge", 3)
    assert hop_cost("verified", 1, "reverse") > hop_cost("verified", 1, "forward")


def test_hubs_are_penalised() -> None:
    """Two 2-hop paths with equal evidence: the one avoiding the hub ranks first."""
    h = nx.MultiDiGraph()
    for mid in ("hub", "spoke"):
        h.add_edge(
            "S", mid, key="activates", predicate="activates", status="verified", sources=["x"]
        )
        h.add_edge(
            mid, "T", key="activates", predicate="activates", status="verified", sources=["x"]
        )
    for i in range(20):
        h.add_edge("hub", f"n{i}", key="binds", predicate="binds", status="verified", sources=["x"])
    paths = find_paths(h, "S", "T", k=2)
    assert [p.nodes[1] for p in paths] == ["spoke", "hub"]


def _layered(width: int, depth: int) -> nx.MultiDiGraph:
    h = nx.MultiDiGraph()
    layers = [["s"], *([f"{i}-{j}" for j in range(width)] for i in range(depth)), ["t"]]
    for a, b in pairwise(layers):
        for u in a:
            for v in b:
                h.add_edge(u, v, key="activates", predicate="activates", status="verified")
    return h


def test_time_bound_cuts_enumeration() -> None:
    h = _layered(30, 5)  # 30**5 = 24 million paths of 6 hops
    t0 = time.monotonic()
    r = search_paths(h, "s", "t", all_paths=True, max_length=6, max_paths=10**9, timeout=0.3)
    assert time.monotonic() - t0 < 2.0
    assert r.truncated == "time limit" and r.paths


def test_neighbors(fixture_kg: KnowledgeGraph, g: nx.MultiDiGraph) -> None:
    near = neighbors(g, JAK1)
    assert [(n.id, n.distance, n.hop.arrow) for n in near] == [
        (RB, 1, "—associates_with→"),
        (STAT5A, 1, "—phosphorylates→"),
    ]
    two = neighbors(g, JAK1, depth=2, types=["ReceptorComplex"])
    assert {n.id for n in two} == {ABG, BG}
    kinases = neighbors(
        g, STAT5A, types=["GeneOrProtein"], ancestors=fixture_kg.vocabulary.ancestors
    )
    assert [n.id for n in kinases] == [JAK1, JAK3]
    assert neighbors(g, JAK1, directed=True) == [n for n in near]
    assert [n.id for n in neighbors(g, STAT5A, directed=True)] == []


# -- real biology on the shipped data ------------------------------------------------------------


def _through(paths: list, ids: set[str]) -> Iterator[bool]:  # type: ignore[type-arg]
    return (bool(ids & set(p.nodes[1:-1])) for p in paths)


def test_il2_to_stat5a_through_a_jak(shipped_kg: KnowledgeGraph) -> None:
    r = shipped_kg.paths("IL-2", "STAT5A", metapath="Cytokine>ReceptorComplex>Kinase>STAT", k=10)
    assert r.paths and all(_through(list(r.paths), {JAK1, JAK3}))
    hops = r.paths[0].hops
    assert hops[0].predicate in ("binds", "preferentially_binds")
    assert hops[-1].predicate == "phosphorylates"
    assert all(h.sources for h in hops)


def test_il2_to_erk_through_shc1(shipped_kg: KnowledgeGraph) -> None:
    erk = {shipped_kg.resolve("ERK1"), shipped_kg.resolve("ERK2")}
    for target in sorted(erk):
        r = shipped_kg.paths("IL-2", target, via=["SHC1"])
        p = r.paths[0]
        assert "HGNC:10840" in p.nodes and p.nodes[-1] in erk
        assert all(h.direction != "reverse" for h in p.hops)  # directed by default


def test_cd25_to_regulatory_t_cell(shipped_kg: KnowledgeGraph) -> None:
    (p,) = shipped_kg.paths("CD25", "regulatory T cell").paths
    assert p.nodes[0] == RA and p.nodes[-1] == TREG and p.length <= 2


def test_shipped_path_never_uses_a_negated_statement(shipped_kg: KnowledgeGraph) -> None:
    from il2kg.dataset.ids import statement_id

    negated = {statement_id(r) for r in shipped_kg.dataset.relations if r.negated}
    r = shipped_kg.paths("IL2RG", "IL-2", directed=False, all_paths=True, max_length=2)
    assert r.paths and not {h.statement for p in r.paths for h in p.hops} & negated

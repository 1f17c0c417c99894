"""The named queries: each answers its question on the shipped data exactly as its header says.

The expected answers are in each ``il2kg/queries/*.rq`` header (``# expect:`` lines). When the
curated data changes an answer, update the header after checking the new answer is right.
"""

from __future__ import annotations

import pytest

from il2kg import KnowledgeGraph
from il2kg.query.catalogue import expected_rows, named_queries
from il2kg.query.gate import check_query

QUERIES = named_queries()


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph()


def test_enough_named_questions() -> None:
    assert len(QUERIES) >= 25
    for nq in QUERIES.values():
        assert nq.question.endswith("?"), nq.name
        check_query(nq.text)
        assert nq.expect or nq.expect_boolean is not None, f"{nq.name}: no expected answer"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_named_query_answers(kg: KnowledgeGraph, name: str) -> None:
    nq = QUERIES[name]
    r = kg.named_query(name)
    if nq.expect_boolean is not None:
        assert r.boolean is nq.expect_boolean
        return
    got = expected_rows(r, nq.expect_columns)
    assert got == set(nq.expect), (
        f"{name}: missing {sorted(set(nq.expect) - got)}, unexpected {sorted(got - set(nq.expect))}"
    )


def _normalised(r: object) -> object:
    from il2kg.query.results import Results

    assert isinstance(r, Results)
    if r.form == "ASK":
        return r.boolean
    out = set()
    for row in r.rows:
        cells = []
        for var, t in zip(r.variables, row, strict=False):
            if t is not None and var == "sources":  # GROUP_CONCAT order is engine-specific
                cells.append(tuple(sorted(t.value.split(" | "))))
            elif t is not None and var == "via":
                cells.append(tuple(sorted(t.value.split())))
            else:
                cells.append(t)
        out.add(tuple(cells))
    return out


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_engines_agree_on_named_queries(kg: KnowledgeGraph, name: str) -> None:
    a = kg.named_query(name)
    b = kg.named_query(name, engine="rdflib", timeout=30)
    assert _normalised(a) == _normalised(b)


def test_reasoning_does_not_change_named_answers(kg: KnowledgeGraph) -> None:
    for name in ("kinases-of-receptor", "stats-activated-by-il2", "il2-to-erk-route"):
        nq = QUERIES[name]
        r = kg.named_query(name, reasoning="rdfs")
        assert expected_rows(r, nq.expect_columns) == set(nq.expect), name


def test_all_kinases_with_rdfs_reasoning(kg: KnowledgeGraph) -> None:
    q = "SELECT ?k WHERE { ?k a il2kg:GeneOrProtein ; il2kg:associates_with ?chain }"
    assert {"HGNC:6190", "HGNC:6193"} <= set(kg.query(q, reasoning="rdfs").column("k"))

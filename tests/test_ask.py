"""One road per job: every query goes through query/ask.py; names mean the same everywhere.

On the fixture KB (tests/fixtures/kb): the names below are read off its drawing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg import KnowledgeGraph, OptionError, UnknownEntityError
from il2kg.cli import cli
from il2kg.query.ask import LocalBackend, RemoteBackend, StoreBackend, backend_for

FIXTURE = Path(__file__).parent / "fixtures" / "kb"

# name as a user types it -> the entity it designates in the fixture KB
NAMES = {
    "IL2RA": "HGNC:6008",
    "CD25": "HGNC:6008",
    "il-2 receptor alpha": "HGNC:6008",
    "IL-2 receptor α": "HGNC:6008",
    "IL2Rα": "HGNC:6008",
    "HGNC:6008": "HGNC:6008",
    "https://identifiers.org/hgnc:6008": "HGNC:6008",
    "IL-2Rβγ": "IL2KG:IL2R_BG",
    "jak1": "HGNC:6190",
}


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE), *args])


@pytest.mark.parametrize(("name", "expected"), sorted(NAMES.items()))
def test_query_params_and_paths_accept_the_same_names(name: str, expected: str) -> None:
    shown = run("show", name, "--format", "json")
    assert shown.exit_code == 0, shown.output  # type: ignore[attr-defined]
    assert json.loads(shown.stdout)["id"] == expected  # type: ignore[attr-defined]
    asked = run(
        "query",
        "SELECT ?x WHERE { ?x rdfs:label ?l }",
        "--param",
        f"x={name}",
        "--format",
        "csv",
        "--quiet",
    )
    assert asked.exit_code == 0, asked.output  # type: ignore[attr-defined]
    iri = asked.stdout.splitlines()[1]  # type: ignore[attr-defined]
    from il2kg import compress

    assert compress(iri) == expected


def test_named_query_param_by_name_as_path_understands_it() -> None:
    r = run("query", "kinases-of-receptor", "--param", "complex=IL-2Rβγ", "--format", "csv")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    p = run("path", "IL-2Rβγ", "JAK1", "--undirected")
    assert p.exit_code == 0, p.output  # type: ignore[attr-defined]


def test_unknown_name_in_a_param_is_the_resolvers_message() -> None:
    a = run("query", "SELECT ?x WHERE { ?x rdfs:label ?l }", "--param", "x=STAT5")
    b = run("show", "STAT5")
    assert a.exit_code == b.exit_code == 1  # type: ignore[attr-defined]
    assert a.stderr == b.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--store", "oxigraph", "--endpoint", "http://127.0.0.1:9/q"], "--store"),
        (["--engine", "rdflib", "--endpoint", "http://127.0.0.1:9/q"], "--engine"),
        (["--reasoning", "rdfs", "--endpoint", "http://127.0.0.1:9/q"], "--reasoning"),
        (["--engine", "oxigraph", "--store", "memory"], "--engine cannot be combined"),
    ],
)
def test_contradictory_options_are_a_usage_error(options: list[str], message: str) -> None:
    r = run("query", "ASK {}", *options)
    assert r.exit_code == 2, r.output  # type: ignore[attr-defined]
    assert message in r.stderr  # type: ignore[attr-defined]


def test_backend_for_picks_one_backend() -> None:
    nt = b""
    assert isinstance(backend_for(nt), LocalBackend)
    assert backend_for(nt, engine="rdflib").name == "rdflib"
    assert isinstance(backend_for(nt, store="oxigraph"), StoreBackend)
    assert isinstance(backend_for(nt, endpoint="http://127.0.0.1:9/sparql"), RemoteBackend)
    with pytest.raises(OptionError, match="unknown store 'disk'"):
        backend_for(nt, store="disk")
    with pytest.raises(OptionError, match="needs --store oxigraph"):
        backend_for(nt, location="/tmp/x")


def test_the_facade_resolves_query_names_like_paths(fixture_kg: KnowledgeGraph) -> None:
    res = fixture_kg.query(
        "SELECT ?x WHERE { ?x rdfs:label ?l }", params={"x": "il2 receptor alpha"}
    )
    assert [r[0].curie() for r in res.rows] == ["HGNC:6008"]  # type: ignore[union-attr]
    with pytest.raises(UnknownEntityError):
        fixture_kg.query("SELECT ?x WHERE { ?x rdfs:label ?l }", params={"x": "STAT5"})


def test_facade_card_neighbors_labels(fixture_kg: KnowledgeGraph) -> None:
    card = fixture_kg.card("CD25")
    assert (card.id, card.label) == ("HGNC:6008", "IL2RA")
    near = fixture_kg.neighbors("JAK1")
    assert [(n.id, n.distance) for n in near] == [("HGNC:6009", 1), ("HGNC:11366", 1)]
    assert fixture_kg.label("HGNC:6190") == "JAK1"
    assert fixture_kg.label("HGNC:0") == "HGNC:0"


def test_ask_gates_a_text_once_and_refuses_it_again_alike(
    fixture_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from il2kg.errors import QueryError
    from il2kg.query import checked

    seen: list[str] = []
    real = checked.check_query

    def counting(text: str) -> object:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(checked, "check_query", counting)
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }  # test_ask_gates_a_text_once"
    assert fixture_kg.query(text).total == fixture_kg.query(text).total == 1
    bad = "# test_ask_gates_a_text_once\nSELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    refusals = []
    for _ in range(2):
        with pytest.raises(QueryError, match="SERVICE") as info:
            fixture_kg.query(bad)
        refusals.append((str(info.value), info.value.line, info.value.column))  # type: ignore[attr-defined]
    assert refusals[0] == refusals[1] and refusals[0][1:] == (2, 18)
    assert seen == [text, bad]

"""``--store memory|oxigraph``: the same rdflib API and the same answers on both stores."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.query.catalogue import named_queries
from il2kg.query.engines import execute
from il2kg.query.gate import check_query
from il2kg.query.params import bind_params
from il2kg.query.results import Results, Term
from il2kg.query.stores import (
    MARKER,
    ONTOLOGY_GRAPH,
    StoreError,
    ontology_ntriples,
    open_dataset,
    open_graph,
)

ROOT = Path(__file__).resolve().parent.parent


def _canon(t: Term | None) -> object:
    # GROUP_CONCAT's order is the engine's choice (SPARQL 1.1 §18.5.1.7): rdflib and Oxigraph
    # concatenate in different orders, so compare the parts as a multiset
    if t is not None and t.kind == "literal" and " " in t.value:
        return ("concat", tuple(sorted(t.value.replace(" | ", " ").split())), t.datatype)
    return t


def _answer(r: Results) -> tuple[object, ...]:
    rows = sorted((tuple(_canon(t) for t in row) for row in r.rows), key=repr)
    return (r.form, r.variables, rows, r.boolean, sorted(r.triples, key=repr), r.total)


@pytest.fixture(scope="module")
def datasets(shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The shipped data on each store, built once (queries run in forks that share them)."""
    nt = shipped_kg.ntriples
    on_disk = tmp_path_factory.mktemp("store") / "st"
    return [
        open_dataset(nt, "memory"),
        open_dataset(nt, "oxigraph"),
        open_dataset(nt, "oxigraph", on_disk),
    ]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_is_the_same_on_both_stores(
    name: str, shipped_kg: KnowledgeGraph, datasets: list[Any]
) -> None:
    nq = named_queries()[name]
    bindings = bind_params(check_query(nq.text), {}, nq.params)
    direct = _answer(shipped_kg.named_query(name))  # pyoxigraph without rdflib
    for ds in datasets:
        got = execute(nq.text, lambda ds=ds: ds, engine="rdflib", bindings=bindings)
        assert _answer(got) == direct, type(ds.store).__name__


def test_graph_api_on_both_stores(fixture_kg: KnowledgeGraph) -> None:
    from rdflib import RDFS, URIRef

    il2 = URIRef("https://identifiers.org/hgnc:6001")
    for store in ("memory", "oxigraph"):
        g = fixture_kg.graph if store == "memory" else open_graph(fixture_kg.ntriples, store)
        assert len(g) == fixture_kg.ntriples.count(b"\n")
        assert str(g.value(il2, RDFS.label)) == "IL2"
        rows = list(g.query("SELECT ?k WHERE { ?k a il2kg:Kinase }"))
        assert len(rows) == 2
    with_ontology = open_graph(fixture_kg.ntriples + ontology_ntriples(), "oxigraph")
    assert len(with_ontology) > fixture_kg.ntriples.count(b"\n") + 100


def test_on_disk_store_is_reused_while_unchanged(
    fixture_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    folder = tmp_path / "store"
    g = open_graph(fixture_kg.ntriples, "oxigraph", folder)
    n = len(g)
    marker = json.loads((folder / MARKER).read_text())
    del g
    import gc

    gc.collect()  # closes the RocksDB handle
    stamp = (folder / MARKER).stat().st_mtime_ns
    g = open_graph(fixture_kg.ntriples, "oxigraph", folder)
    assert len(g) == n
    assert (folder / MARKER).stat().st_mtime_ns == stamp  # not reloaded
    del g
    gc.collect()
    changed = fixture_kg.ntriples + b"<urn:x> <urn:y> <urn:z> .\n"
    g = open_graph(changed, "oxigraph", folder)
    assert len(g) == n + 1
    assert json.loads((folder / MARKER).read_text()) != marker


def test_serve_store_is_reused_across_processes(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    """The endpoint's store (data + ontology) is filled once, not at every start.

    pyoxigraph labels the ontology's blank nodes at random when it parses them; before they
    were renamed the ontology's digest changed with every call, so ``il2kg serve`` refilled its
    store at each start (8 s at 10^6 triples).
    """
    import subprocess

    code = (
        "from il2kg.query.stores import ontology_ntriples as o, content_digest as d; print(d(o()))"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(digests) == 1 and ontology_ntriples() == ontology_ntriples()

    from il2kg.server.endpoint import prepare_store

    folder = prepare_store(fixture_kg, tmp_path / "serve")
    stamp = (folder / MARKER).stat().st_mtime_ns
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from il2kg import KnowledgeGraph; "
            "from il2kg.server.endpoint import prepare_store; "
            "prepare_store(KnowledgeGraph(sys.argv[1]), sys.argv[2])",
            str(fixture_kg.data_dir),
            str(folder),
        ],
        check=True,
    )
    assert (folder / MARKER).stat().st_mtime_ns == stamp  # not refilled


def test_dataset_layout(fixture_kg: KnowledgeGraph) -> None:
    from rdflib import URIRef

    ds = open_dataset(fixture_kg.ntriples, "oxigraph")
    assert len(ds.default_graph) == fixture_kg.ntriples.count(b"\n")
    assert len(ds.graph(URIRef(ONTOLOGY_GRAPH))) > 100


def test_store_errors(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown store"):
        open_graph(fixture_kg.ntriples, "sqlite")
    with pytest.raises(StoreError, match="cannot be kept on disk"):
        open_graph(fixture_kg.ntriples, "memory", tmp_path)
    (tmp_path / "precious.txt").write_text("do not delete")
    with pytest.raises(StoreError, match="not an il2kg store"):
        open_graph(fixture_kg.ntriples, "oxigraph", tmp_path)
    assert (tmp_path / "precious.txt").exists()


def test_synthetic_benchmark_data_is_valid(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from make_synthetic import RULES, write_kb

    sizes = write_kb(tmp_path / "kb", 300, seed=7)
    kg = KnowledgeGraph(tmp_path / "kb", use_cache=False)
    stats = kg.validate(shacl=True)
    assert (stats.entities, stats.relations) == (sizes.entities, sizes.relations)
    vocab = kg.vocabulary
    for stype, pred, otype, _ in RULES:
        info = vocab.predicates[pred]
        assert vocab.fits(stype, info.domain) and vocab.fits(otype, info.range), (
            stype,
            pred,
            otype,
        )

"""The on-disk query store of the build cache and the warm query process that keeps it open.

Same answers as the in-memory engines; a warm cache answers without reading the N-Triples; a
stale, half-filled or damaged store is rebuilt; the timeout, Ctrl-C and exceptions still kill the
query process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from il2kg import KnowledgeGraph
from il2kg.cache import BuildCache
from il2kg.errors import QueryTimeout
from il2kg.query import warm
from il2kg.query.catalogue import named_queries
from il2kg.query.stores import MARKER, cached_store, content_digest, files_intact
from tests._proc import alive

from .conftest import FIXTURE_KB

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LINUX = sys.platform.startswith("linux")


@pytest.fixture(autouse=True)
def _no_warm_processes() -> None:
    """Each test starts without warm processes (those of earlier tests are ended)."""
    warm.close_all()


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixture KB and an empty build cache."""
    data = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, data)
    return data, tmp_path / "cache"


@pytest.fixture(scope="module")
def in_memory() -> KnowledgeGraph:
    """The fixture KB without a cache: every query builds its store in memory (the old road)."""
    return KnowledgeGraph(FIXTURE_KB, use_cache=False)


def _store_of(cache: Path, reasoning: str = "none") -> Path:
    (folder,) = cache.glob(f"*/oxigraph-{reasoning}")
    return folder


def _count(kg: KnowledgeGraph) -> str:
    return str(kg.query(COUNT).rows[0][0].value)  # type: ignore[index,union-attr]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_answers_the_same_from_the_store(
    fixture_kg: KnowledgeGraph, in_memory: KnowledgeGraph, name: str
) -> None:
    old = in_memory.named_query(name)
    assert fixture_kg.named_query(name) == old
    assert fixture_kg.ask(name, store="oxigraph") == in_memory.ask(name, store="oxigraph")


@pytest.mark.parametrize("reasoning", ["none", "rdfs"])
def test_reasoning_has_its_own_store_with_the_same_answers(
    fresh: tuple[Path, Path], in_memory: KnowledgeGraph, reasoning: str
) -> None:
    data, cache = fresh
    kg = KnowledgeGraph(data, cache_root=cache)
    text = "SELECT ?x WHERE { ?x a il2kg:GeneOrProtein } ORDER BY ?x"
    got = kg.query(text, reasoning=reasoning)  # type: ignore[arg-type]
    assert got.rows == in_memory.query(text, reasoning=reasoning).rows  # type: ignore[arg-type]
    assert (len(got.rows) > 0) is (reasoning == "rdfs")
    assert files_intact(_store_of(cache, reasoning))


def test_a_warm_cache_answers_without_reading_the_ntriples(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, cache = fresh
    expected = _count(KnowledgeGraph(data, cache_root=cache))  # builds the entry and the store

    def boom(*_: object) -> None:
        raise AssertionError("the cache entry (N-Triples) was read")

    monkeypatch.setattr(BuildCache, "read", boom)
    kg = KnowledgeGraph(data, cache_root=cache)
    assert _count(kg) == expected
    assert "_raw" not in kg.__dict__


def test_a_stale_store_is_rebuilt(fresh: tuple[Path, Path]) -> None:
    data, cache = fresh
    kg = KnowledgeGraph(data, cache_root=cache)
    expected = _count(kg)
    folder = _store_of(cache)
    warm.close_all()
    # the folder now holds another graph (its marker names other content)
    stale = b"<urn:a> <urn:b> <urn:c> .\n"
    cached_store(folder, "0" * 64, lambda: stale, rebuild=True)
    assert _recorded_data(folder) == content_digest(stale)
    assert _count(KnowledgeGraph(data, cache_root=cache)) == expected
    assert _recorded_data(folder) == content_digest(kg.ntriples)


def _recorded_data(folder: Path) -> str:
    return str(json.loads((folder / MARKER).read_text())["graphs"][""])


def _damage(folder: Path, how: str) -> None:
    ssts = sorted(folder.glob("*.sst"), key=lambda p: p.stat().st_size)
    if how == "marker":
        (folder / MARKER).unlink()
    elif how == "truncated":
        with ssts[-1].open("r+b") as f:
            f.truncate(ssts[-1].stat().st_size // 2)
    elif how == "removed":
        ssts[-1].unlink()
    else:  # bytes overwritten inside the files, sizes unchanged: only RocksDB's checksums see it
        for sst in ssts:
            with sst.open("r+b") as f:
                f.seek(100 if how == "data" else 0)
                f.write(b"\xff" * 64)


@pytest.mark.parametrize("how", ["marker", "truncated", "removed", "data", "header"])
def test_a_damaged_store_is_detected_and_rebuilt(fresh: tuple[Path, Path], how: str) -> None:
    data, cache = fresh
    expected = _count(KnowledgeGraph(data, cache_root=cache))
    folder = _store_of(cache)
    warm.close_all()  # a warm process would answer from the files it holds open
    _damage(folder, how)
    if how in ("data", "header"):
        assert files_intact(folder)  # the cheap check cannot see it
    kg = KnowledgeGraph(data, cache_root=cache)
    assert _count(kg) == expected
    assert kg.named_query("kinases-of-receptor").column("kinase") == ["HGNC:6190", "HGNC:6193"]
    assert files_intact(folder)


def test_an_interrupted_fill_leaves_no_half_store(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import il2kg.query.stores as stores

    data, cache = fresh
    kg = KnowledgeGraph(data, cache_root=cache)

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stores, "_fill", killed)
    with pytest.raises(KeyboardInterrupt):
        kg.query(COUNT)
    assert not list(cache.glob("*/oxigraph-none")) and not list(cache.glob("*/.oxigraph-none.f*"))
    monkeypatch.undo()
    assert _count(KnowledgeGraph(data, cache_root=cache)) == _count(
        KnowledgeGraph(data, use_cache=False)
    )


def test_the_warm_process_is_reused_and_killed_at_the_timeout(fixture_kg: KnowledgeGraph) -> None:
    fixture_kg.query(COUNT)
    (pid,) = warm.pids()
    fixture_kg.query(COUNT)
    assert warm.pids() == [pid]
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
        fixture_kg.query(CARTESIAN, timeout=0.3)
    assert time.monotonic() - start < 2
    assert not alive(pid) and warm.pids() == []
    assert _count(fixture_kg) == "480"  # a new warm process
    assert warm.pids() != [pid]


def test_an_exception_in_the_parent_kills_the_warm_process(fixture_kg: KnowledgeGraph) -> None:
    class Boom(Exception):
        pass

    def alarm(signum: int, frame: object) -> None:
        raise Boom

    fixture_kg.query(COUNT)
    (pid,) = warm.pids()
    old = signal.signal(signal.SIGALRM, alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Boom):
            fixture_kg.query(CARTESIAN, timeout=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not alive(pid)
    assert _count(fixture_kg) == "480"


def test_a_busy_warm_process_does_not_make_other_threads_wait(fixture_kg: KnowledgeGraph) -> None:
    fixture_kg.query(COUNT)
    errors: list[BaseException] = []

    def runaway() -> None:
        try:
            fixture_kg.query(CARTESIAN, timeout=3)
        except QueryTimeout:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.3)
    start = time.monotonic()
    assert _count(fixture_kg) == "480"  # answered by a one-shot process meanwhile
    assert time.monotonic() - start < 2
    t.join()
    assert not errors


def test_the_warm_process_is_sandboxed(fixture_kg: KnowledgeGraph) -> None:
    from il2kg.query.sandbox import barrier

    fixture_kg.query(COUNT)
    (pid,) = warm.pids()
    if LINUX and barrier():
        mine = os.readlink("/proc/self/ns/net")
        assert os.readlink(f"/proc/{pid}/ns/net") != mine
        status = Path(f"/proc/{pid}/status").read_text()
        assert "Seccomp:\t2" in status


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_the_warm_process_holds_none_of_the_parents_descriptors(fixture_kg: KnowledgeGraph) -> None:
    """A pipe of the parent (e.g. a browser driver's) must close when the parent closes it: the
    long-lived child keeps only its own two pipes (and 0, 1, 2). It once kept them all, so
    Playwright waited forever for its driver to see the end of its pipe."""
    warm.close_all()
    r, w = os.pipe()
    try:
        fixture_kg.query(COUNT)
        (pid,) = warm.pids()
        theirs = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        ours = {os.readlink(f"/proc/self/fd/{fd}") for fd in (r, w)}
        assert not ours & theirs
        pipes = [t for t in theirs if t.startswith("pipe:")]
        assert len([fd for fd in os.listdir(f"/proc/{pid}/fd") if int(fd) > 2]) >= 2, theirs
        assert len(pipes) >= 2  # its job and answer pipes
    finally:
        os.close(r)
        os.close(w)


def test_a_store_removed_under_a_running_graph_is_filled_again(fresh: tuple[Path, Path]) -> None:
    data, cache = fresh
    kg = KnowledgeGraph(data, cache_root=cache)
    expected = _count(kg)
    warm.close_all()
    shutil.rmtree(_store_of(cache))  # e.g. another process pruned the cache
    assert _count(kg) == expected
    assert files_intact(_store_of(cache))


def test_il2kg_query_fills_the_store_once_then_reads_it(fresh: tuple[Path, Path]) -> None:
    import subprocess

    data, cache = fresh
    env = dict(os.environ, IL2KG_CACHE_DIR=str(cache))
    argv = [sys.executable, "-m", "il2kg", "--data-dir", str(data), "query", "--format", "csv"]
    first = subprocess.run([*argv, COUNT], capture_output=True, text=True, env=env, check=True)
    folder = _store_of(cache)
    filled = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    (entry,) = [p for p in cache.iterdir() if p.is_dir()]
    (entry / "graph.nt").write_bytes(b"")  # a second run that read the N-Triples would notice
    again = subprocess.run([*argv, COUNT], capture_output=True, text=True, env=env, check=True)
    assert again.stdout == first.stdout == "n\n480\n"
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == filled


def test_the_rdflib_api_on_the_store_is_killed_at_the_timeout(fixture_kg: KnowledgeGraph) -> None:
    fixture_kg.ask(COUNT, by_name=False, store="oxigraph")
    (pid,) = warm.pids()
    with pytest.raises(QueryTimeout):
        fixture_kg.ask(CARTESIAN, by_name=False, store="oxigraph", timeout=0.3)
    assert not alive(pid)


def test_a_damaged_store_that_cannot_be_refilled_falls_back_to_memory(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import il2kg.query.stores as stores
    from il2kg.errors import StoreError

    data, cache = fresh
    expected = _count(KnowledgeGraph(data, cache_root=cache))
    warm.close_all()
    _damage(_store_of(cache), "header")

    def unwritable(*_: object, **__: object) -> None:
        raise StoreError("cannot write an Oxigraph store (read-only cache)")

    monkeypatch.setattr(stores, "load_store", unwritable)
    assert _count(KnowledgeGraph(data, cache_root=cache)) == expected

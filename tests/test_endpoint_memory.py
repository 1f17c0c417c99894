"""What keeps the endpoint small when idle: a zygote forks the workers, idle workers retire, and
the server process loads rdflib and pyoxigraph only when a page needs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from il2kg.errors import EndpointError
from il2kg.kg import KnowledgeGraph
from il2kg.query.stores import DATA_GRAPH, ONTOLOGY_GRAPH
from il2kg.server.endpoint import prepare_store
from il2kg.server.pool import QueryJob, QueryPool

from .conftest import FIXTURE_KB

ASK = QueryJob(
    text="ASK { ?s ?p ?o }",
    prefixes={},
    form="ASK",
    result_format="JSON",
    default_graphs=(DATA_GRAPH,),
    named_graphs=(ONTOLOGY_GRAPH,),
)


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _until(check: Callable[[], bool], wait: float = 10.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture(scope="module")
def store(fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_store(fixture_kg, tmp_path_factory.mktemp("memory") / "st")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_one_zygote_forks_every_worker(store: Path) -> None:
    pool = QueryPool(store, size=2, retire=0)
    try:
        pids = pool.pids
        assert len(pids) == 2
        (zygote,) = {_ppid(p) for p in pids}  # both forked by one process ...
        assert zygote != os.getpid() and _ppid(zygote) == os.getpid()  # ... that the pool started
    finally:
        pool.close()
    assert _until(lambda: not Path(f"/proc/{zygote}").exists() or _zombie(zygote))


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_idle_workers_retire_and_a_query_forks_one_again(store: Path) -> None:
    pool = QueryPool(store, size=2, retire=0.3)
    try:
        assert len(pool.pids) == 2
        assert _until(lambda: pool.pids == []), pool.pids
        answer = pool.run(ASK)
        assert json.loads(answer.body) == {"head": {}, "boolean": True}
        assert len(pool.pids) == 1  # one query, one worker: the other is not started
        assert _until(lambda: pool.pids == []), pool.pids
    finally:
        pool.close()


def test_retiring_never_strands_a_waiting_query(store: Path) -> None:
    """Queries arriving while workers retire (every 50 ms) are all answered, none times out."""
    pool = QueryPool(store, size=2, timeout=10, retire=0.05)
    failures: list[BaseException] = []
    answered = [0]

    def client() -> None:
        for i in range(12):
            try:
                assert json.loads(pool.run(ASK).body)["boolean"] is True
                answered[0] += 1
            except BaseException as exc:
                failures.append(exc)
            time.sleep(0.01 * (i % 7))

    try:
        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert failures == [] and answered[0] == 72
        assert len(pool.pids) <= 2
    finally:
        pool.close()


_PROBE = """
import json, sys, urllib.request
from il2kg.errors import EndpointError
from il2kg.kg import KnowledgeGraph
from il2kg.server.endpoint import start
ep = start(KnowledgeGraph(sys.argv[1]), port=0, location=sys.argv[2], background=True)
seen = {}
def ask(path, accept):
    req = urllib.request.Request(ep.url + path, headers={"Accept": accept})
    urllib.request.urlopen(req, timeout=30).read()
    seen[path] = sorted(m for m in ("rdflib", "pyoxigraph", "pydantic") if m in sys.modules)
ask("/health", "text/plain")
ask("/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "application/sparql-results+json")
ask("/.well-known/void", "text/turtle")
ep.stop()
print(json.dumps(seen))
"""


def test_the_server_process_loads_rdflib_only_for_a_page(tmp_path: Path) -> None:
    run = [sys.executable, "-c", _PROBE, str(FIXTURE_KB), str(tmp_path / "st")]
    for _ in range(2):  # the first run may build the cache (and so load everything)
        done = subprocess.run(run, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["/health"] == [] and seen["/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"] == []
    assert "rdflib" in seen["/.well-known/void"]  # the VoID is made with rdflib, on demand


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_zygote_takes_its_workers_and_is_started_again(store: Path) -> None:
    pool = QueryPool(store, size=1, timeout=10, retire=0)
    try:
        (worker,) = pool.pids
        zygote = _ppid(worker)
        os.kill(zygote, signal.SIGKILL)
        assert _until(lambda: _zombie(worker))  # the worker died with it (PR_SET_PDEATHSIG)
        with pytest.raises(EndpointError):  # the query sent to the dead worker
            pool.run(ASK)
        assert json.loads(pool.run(ASK).body)["boolean"] is True  # a new zygote, a new worker
        (again,) = pool.pids
        assert again != worker and _ppid(again) not in (zygote, os.getpid())
    finally:
        pool.close()

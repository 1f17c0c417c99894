"""``il2kg serve`` against the server defects of the December 2026 review (M2, m19, M3, M10, m10).

Everything runs for real on 127.0.0.1: the endpoint (in this process, or ``il2kg serve`` as a
subprocess), attack clients with real sockets, processes killed with SIGKILL, a store fill
interrupted by SIGKILL. Every loop is bounded in time.

"Another client" is a second loopback address (127.0.0.2, which Linux routes to ``lo``): the
per-client limits are per address, and the attacker uses 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from il2kg import KnowledgeGraph
from il2kg.errors import StoreError
from il2kg.query.stores import MARKER, load_store
from il2kg.server.endpoint import Endpoint, default_location, start
from il2kg.server.guard import ConnectionLimits

from .conftest import FIXTURE_KB

#: COUNT over a 4-way cartesian product: ~10^10 rows on the fixture, never finishes in time
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OTHER_CLIENT = "127.0.0.2"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def _other_client_available() -> bool:
    try:
        with socket.socket() as s:
            s.bind((OTHER_CLIENT, 0))
        return True
    except OSError:
        return False


needs_second_address = pytest.mark.skipif(
    not _other_client_available(), reason="no second loopback address"
)


def _health_seconds(url: str, source: str = OTHER_CLIENT, wait: float = 5.0) -> float:
    """Seconds ``GET /health`` takes from ``source`` (``wait`` when it does not answer)."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    t = time.monotonic()
    c = http.client.HTTPConnection(str(host), port, timeout=wait, source_address=(source, 0))
    try:
        c.request("GET", "/health")
        r = c.getresponse()
        assert r.status == 200 and r.read() == b"ok\n"
    except OSError:
        return wait
    finally:
        c.close()
    return time.monotonic() - t


def _get(url: str, path: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def _query_path(query: str, **extra: str) -> str:
    return "/query?" + urllib.parse.urlencode({"query": query, **extra})


@pytest.fixture
def guarded(fixture_kg: KnowledgeGraph, tmp_path: Path) -> Iterator[Endpoint]:
    """An endpoint with a short request deadline (2 s) and the default limits otherwise."""
    ep = start(
        fixture_kg,
        port=0,
        location=tmp_path / "store",
        timeout=2.0,
        workers=2,
        limits=ConnectionLimits(request_timeout=2.0),
        background=True,
    )
    yield ep
    ep.stop()


# -- M2: slowloris ---------------------------------------------------------------------------------


@needs_second_address
def test_slowloris_does_not_hold_the_endpoint(guarded: Endpoint) -> None:
    """150 connections trickling header lines: /health answers meanwhile, all are dropped."""
    port = int(urllib.parse.urlsplit(guarded.url).port or 0)
    attack: list[socket.socket] = []
    for _ in range(150):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.setblocking(False)
        attack.append(s)
    open_ = set(attack)

    def dropped(s: socket.socket) -> bool:
        try:
            if select.select([s], [], [], 0)[0]:
                data = s.recv(4096)
                return not data or data.startswith(b"HTTP/1.1 429")
            s.send(b"X-a: b\r\n")
        except OSError:
            return True
        return False

    for s in attack:
        try:
            s.send(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            open_.discard(s)
    health: list[float] = []
    started = time.monotonic()
    held_at_start = None
    try:
        while open_ and time.monotonic() - started < 2.0 + 6.0:  # the deadline, and slack
            open_ -= {s for s in list(open_) if dropped(s)}
            if held_at_start is None and time.monotonic() - started > 0.5:
                held_at_start = len(open_)
            if time.monotonic() - started < 2.0:  # while the attack holds its connections
                health.append(_health_seconds(guarded.url))
            time.sleep(0.25)
    finally:
        for s in attack:
            s.close()
    assert health and max(health) < 1.0, health
    assert held_at_start is not None and held_at_start <= 64  # the rest got 429 at once
    assert not open_, f"{len(open_)} slow connections still open after the request deadline"
    assert _health_seconds(guarded.url, source="127.0.0.1") < 1.0  # the attacker's address too


def test_an_idle_connection_is_closed_after_the_request_deadline(guarded: Endpoint) -> None:
    port = int(urllib.parse.urlsplit(guarded.url).port or 0)
    with socket.create_connection(("127.0.0.1", port), timeout=6) as s:
        t = time.monotonic()
        assert s.recv(1) == b""  # closed by the server, without a byte
        assert 1.5 < time.monotonic() - t < 5.0


# -- m19: queued load ------------------------------------------------------------------------------


@needs_second_address
def test_queued_heavy_queries_do_not_delay_health(guarded: Endpoint) -> None:
    """64 heavy queries at once: /health stays fast; the overflow gets 503 + Retry-After at once."""
    stop_at = time.monotonic() + 4.0
    answers: list[tuple[int, str | None, float]] = []
    lock = threading.Lock()

    def heavy() -> None:
        while time.monotonic() < stop_at:
            t = time.monotonic()
            try:
                status, headers, _ = _get(guarded.url, _query_path(RUNAWAY), timeout=20)
            except OSError:
                status, headers = 0, {}
            with lock:
                answers.append((status, headers.get("Retry-After"), time.monotonic() - t))
            time.sleep(0.2)

    clients = [threading.Thread(target=heavy) for _ in range(64)]
    for c in clients:
        c.start()
    health = []
    try:
        time.sleep(0.5)
        while time.monotonic() < stop_at:
            health.append(_health_seconds(guarded.url))
            time.sleep(0.25)
    finally:
        for c in clients:
            c.join(30)
    assert health and max(health) < 1.0, health
    refused = [a for a in answers if a[0] == 503 and a[1] is not None]
    assert refused, answers[:10]
    assert min(seconds for _, _, seconds in refused) < 1.0  # refused at once, not after a wait
    assert {status for status, _, _ in answers} <= {503}, answers[:10]
    # and it recovers: the killed workers are replaced
    deadline = time.monotonic() + 15
    while _get(guarded.url, _query_path("ASK { ?s ?p ?o }"))[0] != 200:
        assert time.monotonic() < deadline, "the endpoint did not recover"
        time.sleep(0.3)


# -- m10: invalid graph IRIs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    ep = start(fixture_kg, port=0, location=tmp_path_factory.mktemp("m10") / "st", background=True)
    yield ep
    ep.stop()


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["a b", "no-scheme", "http://x/<y>", ""])
def test_invalid_graph_iri_is_a_400(plain: Endpoint, name: str, value: str) -> None:
    status, _, body = _get(plain.url, _query_path("ASK { ?s ?p ?o }", **{name: value}))
    assert status == 400, body
    assert body.startswith(f"{name}: not a valid absolute IRI: {value!r}".encode())
    assert b"Traceback" not in body


def test_a_valid_graph_iri_is_honoured(plain: Endpoint) -> None:
    status, _, body = _get(
        plain.url,
        _query_path("ASK { ?s ?p ?o }", **{"default-graph-uri": "urn:il2kg:empty"}),
    )
    assert status == 200 and json.loads(body)["boolean"] is False


# -- serve as a process ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "il2kg"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "il2kg"]
    return subprocess.Popen(
        [*cmd, "--data-dir", str(FIXTURE_KB), "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


def _await_health(proc: subprocess.Popen[bytes], port: int, wait: float = 60) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            if _get(f"http://127.0.0.1:{port}", "/health", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"serve exited {proc.returncode}: {err}")
        assert time.monotonic() < deadline, "serve did not answer /health"
        time.sleep(0.2)


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            todo += [k for k in kids if k not in found]
            found.update(kids)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


# -- M3: workers die with the server ---------------------------------------------------------------


def test_workers_die_with_a_killed_server(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(port, "--timeout", "30", "--location", str(tmp_path / "st"))
    workers: set[int] = set()
    try:
        _await_health(proc, port)
        workers = _descendants(proc.pid)
        assert len(workers) >= 3, workers  # the zygote and the two query workers it forked

        def long_query() -> None:
            with contextlib.suppress(OSError, http.client.HTTPException):  # killed under it
                _get(f"http://127.0.0.1:{port}", _query_path(RUNAWAY), timeout=10)

        client = threading.Thread(target=long_query)
        client.start()
        time.sleep(1.0)  # a worker is computing the cartesian product now
        workers |= _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 2.0
        while any(_running(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in workers if _running(p)]
        assert left == [], f"processes outlived the killed server: {left}"
        client.join(15)
    finally:
        for p in workers:  # only the processes this test started
            if _running(p):
                os.kill(p, signal.SIGKILL)
        _stop(proc)


def test_stopping_the_endpoint_ends_its_workers(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    ep = start(fixture_kg, port=0, location=tmp_path / "st", workers=2, background=True)
    pids = ep.pool.pids
    assert len(pids) == 2 and all(_running(p) for p in pids)
    ep.stop()
    assert not any(_running(p) for p in pids)


# -- M10: the store survives a killed filler and racing servers ------------------------------------


_FILLER = """
import sys
from il2kg.query.stores import load_store
triples = b"".join(b"<urn:s%d> <urn:p> <urn:o%d> .\\n" % (i, i) for i in range(400000))
load_store(sys.argv[1], {"urn:g": triples})
"""


def test_a_store_fill_killed_midway_leaves_nothing_that_blocks(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    filler = subprocess.Popen([sys.executable, "-c", _FILLER, str(folder)])
    try:
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".store.filling-") for p in tmp_path.iterdir()):
            assert filler.poll() is None, "the filler ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)  # inside the bulk load
        filler.send_signal(signal.SIGKILL)
        filler.wait(10)
    finally:
        if filler.poll() is None:  # pragma: no cover
            filler.kill()
            filler.wait()
    assert not folder.exists()  # never a half-written store under the real name
    nt = b"<urn:a> <urn:b> <urn:c> .\n"
    assert load_store(folder, {"urn:g": nt}) == folder
    assert json.loads((folder / MARKER).read_text())["graphs"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".store.lock", "store"], left  # the leftover temporary folder is gone


def _half_written(folder: Path) -> None:
    """What the old load_store left when killed between the Oxigraph files and the marker."""
    import pyoxigraph

    folder.mkdir(parents=True)
    ox = pyoxigraph.Store(str(folder))
    ox.bulk_load(input=b"<urn:a> <urn:b> <urn:c> .\n", format=pyoxigraph.RdfFormat.N_TRIPLES)
    ox.flush()
    del ox
    partial = folder.parent / f".{folder.name}.filling-999999-deadbeef"
    partial.mkdir()
    (partial / "000004.log").write_bytes(b"\0" * 100)


def test_serve_starts_over_a_half_written_store_in_the_cache(
    fixture_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    os.environ["IL2KG_CACHE_DIR"], saved = str(cache), os.environ["IL2KG_CACHE_DIR"]
    try:
        folder = default_location(fixture_kg)
    finally:
        os.environ["IL2KG_CACHE_DIR"] = saved
    _half_written(folder)
    port = _free_port()
    proc = _serve(port, env={"IL2KG_CACHE_DIR": str(cache)})
    try:
        _await_health(proc, port)
        status, _, body = _get(f"http://127.0.0.1:{port}", _query_path("ASK { ?s ?p ?o }"))
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        _stop(proc)
    assert (folder / MARKER).exists()
    assert not list(folder.parent.glob(".*.filling-*"))


def test_a_half_written_store_outside_the_cache_is_refused_not_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    _half_written(folder)
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(StoreError, match="without il2kg's marker"):
        load_store(folder, {"urn:g": b"<urn:x> <urn:y> <urn:z> .\n"})
    assert sorted(p.name for p in folder.iterdir()) == before


def test_two_servers_racing_on_a_fresh_cache_both_start(tmp_path: Path) -> None:
    cache = {"IL2KG_CACHE_DIR": str(tmp_path / "fresh-cache")}
    ports = [_free_port(), _free_port()]
    procs = [_serve(p, env=cache) for p in ports]
    try:
        for proc, port in zip(procs, ports, strict=True):
            _await_health(proc, port)
            status, _, _ = _get(f"http://127.0.0.1:{port}", _query_path("ASK { ?s ?p ?o }"))
            assert status == 200
    finally:
        for proc in procs:
            _stop(proc)


def test_racing_fillers_all_succeed(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    nt = b"".join(b"<urn:s%d> <urn:p> <urn:o> .\n" % i for i in range(20000))
    errors: list[BaseException] = []

    def fill() -> None:
        try:
            load_store(folder, {"urn:g": nt})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fill) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "store"]

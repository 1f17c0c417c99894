"""Kept answers of ``il2kg serve`` (il2kg/server/answers.py): the same GET query is answered again
from memory by the server's event loop, without a request thread, the gate or a worker; what
is kept is bounded; nothing that depends on more than the request's path, URL query and Accept
is kept. The gate's memory of query texts refuses what the gate refuses, every time.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from il2kg import KnowledgeGraph
from il2kg.errors import QueryError
from il2kg.query.checked import CheckedCache
from il2kg.server.answers import AnswerCache, answer_key
from il2kg.server.endpoint import Endpoint
from il2kg.server.web import Response

from .conftest import serving

KINASES = "SELECT ?k WHERE { ?k a il2kg:Kinase } ORDER BY ?k"
JSON = "application/sparql-results+json"


def _get(
    ep: Endpoint,
    query: str,
    accept: str = JSON,
    path: str = "/query",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    host, port = ep.url.split("//")[1].rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        c.request(
            "GET",
            path + "?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": accept, **(headers or {})},
        )
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


# -- the cache alone -------------------------------------------------------------------------------


def _ok(n: int) -> Response:
    return Response("200 OK", b"x" * n, "text/csv")


def test_least_recently_used_answers_leave_first_and_the_size_is_bounded() -> None:
    cache = AnswerCache(max_bytes=4000, max_entry=1500)
    keys = [("/query", f"query={i}", "text/csv") for i in range(5)]
    for k in keys[:3]:
        assert cache.put(k, _ok(1000))
    assert cache.get(keys[0]) is not None  # now the most recently used
    assert cache.put(keys[3], _ok(1000))  # over 4000 with its keys: the oldest unused leaves
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is not None and cache.get(keys[3]) is not None
    assert cache.size <= 4000
    assert not cache.put(keys[4], _ok(1501))  # larger than an entry may be
    assert cache.get(keys[4]) is None


def test_only_ok_answers_of_get_queries_are_kept() -> None:
    cache = AnswerCache()
    key = ("/query", "query=x", "")
    assert not cache.put(key, Response("503 Service Unavailable", b"busy"))
    assert cache.get(key) is None
    assert answer_key("POST", "/query", "query=x", None) is None
    assert answer_key("GET", "/explore", "focus=JAK1", None) is None
    assert answer_key("GET", "/query", "", None) is None  # the Service Description
    assert answer_key("HEAD", "/sparql", "query=x", "text/csv") == (
        "/sparql",
        "query=x",
        "text/csv",
    )


def test_the_gates_memory_refuses_every_time_with_the_gates_words() -> None:
    checked = CheckedCache(size=2)
    bad = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    messages = []
    for _ in range(2):
        with pytest.raises(QueryError) as exc:
            checked.check(bad)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and "SERVICE" in messages[0]
    first = checked.check("ASK {}")
    assert checked.check("ASK {}") is first  # remembered
    checked.check("ASK { ?s ?p ?o }")
    checked.check("SELECT * {}")  # size 2: "ASK {}" has left
    assert checked.check("ASK {}") is not first


# -- a real server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    ep = serving(fixture_kg, tmp_path_factory.mktemp("answers"), timeout=3, workers=1)
    yield ep
    ep.stop()


@pytest.fixture
def tasks(endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The tasks that reach the endpoint's request threads from now on (the loop's own answers
    never do)."""
    dispatcher = endpoint.server.task_dispatcher
    seen: list[object] = []
    threaded = dispatcher.add_task

    def count(task: object) -> None:
        seen.append(task)
        threaded(task)

    monkeypatch.setattr(dispatcher, "add_task", count)
    return seen


def test_the_same_query_is_answered_again_from_memory(endpoint: Endpoint) -> None:
    query = KINASES + " # kept-1"
    s1, h1, b1 = _get(endpoint, query)
    s2, h2, b2 = _get(endpoint, query)
    assert (s1, s2) == (200, 200)
    assert h1["x-il2kg-cache"] == "miss" and h2["x-il2kg-cache"] == "hit"
    assert b1 == b2 and b"results" in b1
    assert h2["content-type"] == h1["content-type"] and h2["vary"] == "Accept"
    # another format, or another path, is another answer
    s3, h3, b3 = _get(endpoint, query, accept="text/csv")
    assert s3 == 200 and h3["x-il2kg-cache"] == "miss" and b3.startswith(b"k\r\n")
    assert _get(endpoint, query, path="/sparql")[1]["x-il2kg-cache"] == "miss"


def test_errors_are_not_kept(endpoint: Endpoint) -> None:
    bad = "SELECT ?x WHERE { ?x ?p }"
    for _ in range(2):
        status, headers, _ = _get(endpoint, bad)
        assert status == 400 and "x-il2kg-cache" not in headers


def test_a_kept_answer_needs_no_worker_and_no_thread(
    endpoint: Endpoint, tasks: list[object]
) -> None:
    """A kept answer is given by the server's loop: no task reaches the request threads. With
    the only worker stopped (SIGSTOP), it still comes back at once, while a query never asked
    before waits for the worker until the time limit (503)."""
    query = KINASES + " # kept-2"
    assert _get(endpoint, query)[0] == 200
    assert len(tasks) == 1  # the first time: a request thread, which asks the worker
    for _ in range(3):
        assert _get(endpoint, query)[1]["x-il2kg-cache"] == "hit"
    assert len(tasks) == 1  # then the loop, alone
    (pid,) = endpoint.pool.pids
    os.kill(pid, signal.SIGSTOP)
    try:
        t = time.monotonic()
        status, headers, _ = _get(endpoint, query)
        kept_seconds = time.monotonic() - t
        assert status == 200 and headers["x-il2kg-cache"] == "hit"
        assert kept_seconds < 1.0
        status, _, body = _get(endpoint, KINASES + " # never asked")
        assert status == 503 and b"time limit" in body
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed at the time limit, replaced
            os.kill(pid, signal.SIGCONT)


def test_without_an_answer_cache_every_query_goes_to_a_worker(
    fixture_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    ep = serving(fixture_kg, tmp_path, answer_cache=0, workers=1)
    try:
        for _ in range(2):
            status, headers, _ = _get(ep, KINASES)
            assert status == 200 and "x-il2kg-cache" not in headers
    finally:
        ep.stop()


def test_pipelined_requests_for_kept_answers_are_all_answered_in_order(endpoint: Endpoint) -> None:
    import socket

    queries = [KINASES + f" # pipelined-{i}" for i in range(3)]
    for q in queries:
        assert _get(endpoint, q)[0] == 200  # now kept
    host, port = endpoint.url.split("//")[1].rsplit(":", 1)
    wire = b"".join(
        f"GET /query?{urllib.parse.urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\n"
        f"Accept: {JSON}\r\n\r\n".encode()
        for q in [*queries, queries[0]]
    )
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(wire)  # four requests in one packet, answered by the loop one by one
        f = s.makefile("rb")
        statuses = []
        for _ in range(4):
            status = int(f.readline().split()[1])
            headers = {}
            while (line := f.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            f.read(int(headers["content-length"]))
            statuses.append((status, headers.get("x-il2kg-cache")))
    assert statuses == [(200, "hit")] * 4


def test_no_cache_asks_a_worker(endpoint: Endpoint, tasks: list[object]) -> None:
    query = KINASES + " # fresh"

    def asked(cache_control: str | None = None) -> tuple[int, str | None]:
        extra = {"Cache-Control": cache_control} if cache_control else None
        status, headers, _ = _get(endpoint, query, headers=extra)
        return status, headers.get("x-il2kg-cache")

    assert [asked("no-cache"), asked("no-cache")] == [(200, None), (200, None)]
    assert asked() == (200, "miss")  # it was not kept
    assert asked() == (200, "hit")  # now it is
    assert asked("max-age=0, no-cache") == (200, None)
    assert len(tasks) == 4  # the loop passed it on to a request thread (not the "hit")


def _raw_answers(endpoint: Endpoint, requests: list[bytes]) -> list[bytes]:
    """Send ``requests`` one after the other on one connection; each whole answer, as bytes."""
    import socket

    host, port = endpoint.url.split("//")[1].rsplit(":", 1)
    answers = []
    with socket.create_connection((host, int(port)), timeout=10) as s:
        f = s.makefile("rb")
        for wire in requests:
            s.sendall(wire)
            head = b""
            while (line := f.readline()) not in (b"\r\n", b""):
                head += line
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            answers.append(head + b"\r\n" + f.read(length))
    return answers


def test_a_kept_answer_sent_by_the_loop_is_what_waitress_sends(
    endpoint: Endpoint, tasks: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain HTTP/1.1 GET of a kept answer goes straight onto the connection: the bytes are
    those of the same answer through the application (asked with ``Connection: keep-alive``,
    which HTTP/1.1 means anyway), the Date apart."""
    import re

    query = urllib.parse.urlencode({"query": KINASES + " # on the wire"})
    server = endpoint.server
    straight: list[bool] = []
    send_kept = server._send_kept

    def record(channel: object, kept: object) -> bool:
        straight.append(send_kept(channel, kept))
        return straight[-1]

    monkeypatch.setattr(server, "_send_kept", record)

    def get(extra: str = "") -> bytes:
        return f"GET /query?{query} HTTP/1.1\r\nHost: x\r\nAccept: {JSON}\r\n{extra}\r\n".encode()

    first, plain, through_app, plain_again = _raw_answers(
        endpoint, [get(), get(), get("Connection: keep-alive\r\n"), get()]
    )
    assert b"X-Il2kg-Cache: miss" in first and b"X-Il2kg-Cache: hit" in plain
    undated = [re.sub(rb"\r\nDate: [^\r]*", b"", a) for a in (plain, through_app, plain_again)]
    assert undated[0] == undated[1] == undated[2]
    assert re.search(rb"\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n", plain)
    assert len(tasks) == 1  # only the first reached a request thread
    deadline = time.monotonic() + 5  # the loop records after it sent (the client may be first)
    while len(straight) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert straight == [True, False, True]  # the keep-alive one went through the application

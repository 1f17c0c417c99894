"""The endpoint's query workers: processes answering :class:`QueryJob` from a read-only store.

A query still running at the timeout is answered by :class:`QueryTimeout` and its worker is
killed and replaced, so a runaway query never keeps a CPU busy and never blocks other clients.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg.errors import EndpointError, QueryTimeout

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

#: Largest answer a worker sends back by default (bytes); larger ones are refused with 503.
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024


# -- the worker processes ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """What a worker runs: a gated query, the dataset to use and the answer format."""

    text: str
    prefixes: dict[str, str]
    form: str
    result_format: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = MAX_ANSWER_BYTES


@dataclass(frozen=True)
class Answer:
    """A worker's reply: the serialised answer, or an error kind and message."""

    body: bytes = b""
    error: str = ""  # "", "syntax", "too-large", "internal"
    message: str = ""
    seconds: float = 0.0


class _TooLarge(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    """A write-only buffer that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.buf += b
        if len(self.buf) > self.limit:
            raise _TooLarge
        return len(b)


def _no_network(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook of the workers: no socket may connect anywhere."""
    if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        raise PermissionError(f"il2kg query workers do not use the network ({event})")


def _run_job(store: Any, job: QueryJob) -> Answer:
    import pyoxigraph as ox

    t = time.perf_counter()
    try:
        result = store.query(
            job.text,
            prefixes=job.prefixes,
            default_graph=[ox.NamedNode(g) for g in job.default_graphs],
            named_graphs=[ox.NamedNode(g) for g in job.named_graphs],
        )
        out = _CappedBuffer(job.max_bytes)
        if job.form in ("CONSTRUCT", "DESCRIBE"):
            fmt: Any = getattr(ox.RdfFormat, job.result_format)
            result.serialize(out, format=fmt)
        else:
            fmt = getattr(ox.QueryResultsFormat, job.result_format)
            result.serialize(out, format=fmt)
        return Answer(bytes(out.buf), seconds=time.perf_counter() - t)
    except SyntaxError as exc:
        return Answer(error="syntax", message=str(exc))
    except _TooLarge:
        return Answer(
            error="too-large",
            message=f"the answer is larger than {job.max_bytes:,} bytes; add a LIMIT",
        )
    except Exception as exc:  # reported to the client as a 500, the worker lives on
        return Answer(error="internal", message=f"{type(exc).__name__}: {exc}")


def worker_main(location: str, conn: Connection) -> None:
    """A worker process: open the store read-only, then answer jobs until the pipe closes."""
    import pyoxigraph as ox

    sys.addaudithook(_no_network)
    store = ox.Store.read_only(location)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(store, job))


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection


class QueryPool:
    """Worker processes answering :class:`QueryJob` from a read-only on-disk Oxigraph store.

    :meth:`run` waits at most ``timeout`` seconds in all (for a free worker, then for the
    answer); a worker that overruns is killed and replaced in the background.
    """

    def __init__(self, location: str | Path, size: int = 2, timeout: float = 10.0) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.location = str(location)
        self.size = size
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        starting = [self._start() for _ in range(size)]
        for w in starting:
            self._await_ready(w)
            self._idle.put(w)

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=worker_main, args=(self.location, child), daemon=True, name="il2kg-query"
        )
        proc.start()
        child.close()
        w = _Worker(proc, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _await_ready(self, w: _Worker, wait: float = 60.0) -> None:
        if not w.conn.poll(wait) or w.conn.recv() != "ready":
            self._kill(w)
            raise EndpointError(f"a query worker failed to open the store in {self.location}")

    def _kill(self, w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.process.kill()
            w.process.join(5)
        with contextlib.suppress(Exception):
            w.conn.close()
        with self._lock:
            self._all.discard(w)

    def _replace(self) -> None:
        if self._closed:
            return
        try:
            w = self._start()
            self._await_ready(w)
        except Exception:  # pragma: no cover - the next failure of run() reports it
            return
        if self._closed:
            self._kill(w)
        else:
            self._idle.put(w)

    def run(self, job: QueryJob) -> Answer:
        """Run ``job``; raise :class:`QueryTimeout` when it (or the wait for a worker) overruns."""
        deadline = time.monotonic() + self.timeout
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"every query worker stayed busy for {self.timeout:g} s; try again later"
            ) from None
        try:
            w.conn.send(job)
            if w.conn.poll(max(0.0, deadline - time.monotonic())):
                answer: Answer = w.conn.recv()
                self._idle.put(w)
                return answer
        except (EOFError, OSError):
            self._kill(w)
            threading.Thread(target=self._replace, daemon=True).start()
            raise EndpointError("the query worker died; the query was not answered") from None
        self._kill(w)
        threading.Thread(target=self._replace, daemon=True).start()
        raise QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._kill(w)


__all__ = ["MAX_ANSWER_BYTES", "Answer", "QueryJob", "QueryPool", "worker_main"]

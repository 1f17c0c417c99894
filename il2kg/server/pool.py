"""The endpoint's query workers: processes answering :class:`QueryJob` from a read-only store.

Each worker is a fresh Python process (``python -c``, no ``multiprocessing``: no resource
tracker or fork server to outlive the endpoint) that

- dies with the endpoint: ``PR_SET_PDEATHSIG`` (SIGKILL) on Linux, checked against ``getppid``
  once set, a watchdog thread elsewhere. All workers are started by one long-lived thread of
  the pool, because Linux sends that signal when the *thread* that started the child ends;
- installs the project's one sandbox policy, :func:`il2kg.query.sandbox.harden`, before it
  opens the store (``pyoxigraph.Store.read_only``) or runs anything else;
- answers jobs over a socket pair until it closes.

A query still running at the timeout is answered by :class:`QueryTimeout` and its worker is
killed and replaced, so a runaway query never keeps a CPU busy and never blocks other clients.
At most ``size`` queries run and ``queue`` wait for a worker; one more is refused at once
(:class:`PoolFull`, HTTP 503 with ``Retry-After``) instead of tying up a request thread.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from queue import Empty, Queue
from typing import Any, Final, TypeVar

from il2kg.errors import EndpointError, QueryTimeout

#: Largest answer a worker sends back by default (bytes); larger ones are refused with 503.
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024
#: Queries that may wait for a free worker by default; one more is refused at once (503).
DEFAULT_QUEUE: Final = 32

_T = TypeVar("_T")
_PR_SET_PDEATHSIG: Final = 1
#: What a worker process runs (``python -c``): the parent's ``sys.path``, then the worker.
_WORKER_CODE: Final = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[4]); "
    "from il2kg.server.pool import worker_entry; worker_entry()"
)


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


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends: ``PR_SET_PDEATHSIG`` on Linux, else a watchdog.

    Exits at once if ``parent`` is already gone (this process was reparented before the
    signal was armed).
    """
    armed = False
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:
        os._exit(1)
    if not armed:  # pragma: no cover - not Linux

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="il2kg-parent-watch").start()


def worker_entry() -> None:
    """The ``python -c`` entry of a worker: ``argv`` is the socket fd, parent pid, store folder."""
    fd, parent, location = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    die_with_parent(parent)
    worker_main(location, Connection(fd))


def worker_main(location: str, conn: Connection) -> None:
    """A worker process: harden, open the store read-only, answer jobs until the pipe closes."""
    from il2kg.query.sandbox import harden

    harden()  # before the store is opened and before any thread starts
    if sys.platform.startswith(
        "linux"
    ):  # re-arm: a change of credentials (a user namespace) clears it
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    import pyoxigraph as ox

    store = ox.Store.read_only(location)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(store, job))


class PoolFull(Exception):
    """Every worker is busy and the queue of waiting queries is full: try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection


class _Spawner:
    """The one thread that starts every worker, alive as long as the pool.

    ``PR_SET_PDEATHSIG`` fires when the thread that forked the child ends, not the process: a
    worker started by a short-lived thread (a request thread, a replacement thread) would be
    killed with it. This thread ends only when the pool closes (or the process dies).
    """

    def __init__(self) -> None:
        self._jobs: Queue[tuple[Callable[[], Any], Future[Any]] | None] = Queue()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="il2kg-spawner")
        self._thread.start()

    def _loop(self) -> None:
        while (item := self._jobs.get()) is not None:
            fn, future = item
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

    def call(self, fn: Callable[[], _T]) -> _T:
        future: Future[_T] = Future()
        self._jobs.put((fn, future))
        return future.result()

    def stop(self) -> None:
        self._jobs.put(None)


class QueryPool:
    """Worker processes answering :class:`QueryJob` from a read-only on-disk Oxigraph store.

    :meth:`run` waits at most ``timeout`` seconds in all (for a free worker, then for the
    answer); a worker that overruns is killed and replaced in the background. At most ``size``
    jobs run and ``queue`` wait; :meth:`run` raises :class:`PoolFull` at once beyond that.
    """

    def __init__(
        self,
        location: str | Path,
        size: int = 2,
        timeout: float = 10.0,
        queue: int = DEFAULT_QUEUE,
    ) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        if queue < 0:
            raise ValueError("the queue of a query pool cannot be negative")
        self.location = str(location)
        self.size = size
        self.timeout = timeout
        self.queue = queue
        self._admitted = threading.BoundedSemaphore(size + queue)
        self._idle: Queue[_Worker] = Queue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._spawner = _Spawner()
        try:
            starting = [self._start() for _ in range(size)]
            for w in starting:
                self._await_ready(w)
                self._idle.put(w)
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        return self._spawner.call(self._launch)

    def _launch(self) -> _Worker:
        """Start one worker process (runs on the spawner thread)."""
        parent, child = socket.socketpair()
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WORKER_CODE,
                    str(child.fileno()),
                    str(os.getpid()),
                    self.location,
                    json.dumps([p for p in sys.path if isinstance(p, str)]),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                pass_fds=(child.fileno(),),
            )
        except OSError as exc:
            parent.close()
            raise EndpointError(f"cannot start a query worker: {exc}") from exc
        finally:
            child.close()
        w = _Worker(proc, Connection(parent.detach()))
        with self._lock:
            self._all.add(w)
        return w

    @property
    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return [w.process.pid for w in self._all]

    def _await_ready(self, w: _Worker, wait: float = 60.0) -> None:
        try:
            ready = w.conn.poll(wait) and w.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._kill(w)
            raise EndpointError(f"a query worker failed to open the store in {self.location}")

    def _kill(self, w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.process.kill()
            w.process.wait(5)
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

    def _lost(self, w: _Worker) -> None:
        self._kill(w)
        threading.Thread(target=self._replace, daemon=True, name="il2kg-replace").start()

    def run(self, job: QueryJob) -> Answer:
        """Run ``job``; raise :class:`QueryTimeout` when it (or the wait for a worker) overruns.

        Raises :class:`PoolFull` at once when ``size`` jobs run and ``queue`` wait already.
        """
        if not self._admitted.acquire(blocking=False):
            raise PoolFull(
                f"all {self.size} query workers are busy and {self.queue} queries wait; "
                "try again later",
                retry_after=max(1, int(self.timeout + 0.999)),
            )
        try:
            return self._run(job)
        finally:
            self._admitted.release()

    def _run(self, job: QueryJob) -> Answer:
        deadline = time.monotonic() + self.timeout
        try:
            w = self._idle.get(timeout=self.timeout)
        except Empty:
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
            self._lost(w)
            raise EndpointError("the query worker died; the query was not answered") from None
        self._lost(w)
        raise QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._kill(w)
        self._spawner.stop()


__all__ = [
    "DEFAULT_QUEUE",
    "MAX_ANSWER_BYTES",
    "Answer",
    "PoolFull",
    "QueryJob",
    "QueryPool",
    "die_with_parent",
    "worker_entry",
    "worker_main",
]

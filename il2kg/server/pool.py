"""The endpoint's query workers: processes answering :class:`QueryJob` from a read-only store.

The workers are forked by one small *zygote*: a fresh Python process (``python -c``, no
``multiprocessing``: no resource tracker or fork server to outlive the endpoint) that imports
pyoxigraph and this module once, freezes its objects (``gc.freeze``) and then, single-threaded,
forks a worker whenever the pool asks for one, so the workers share its memory pages
copy-on-write. The zygote

- dies with the endpoint: ``PR_SET_PDEATHSIG`` (SIGKILL) on Linux, checked against ``getppid``
  once set, a watchdog thread elsewhere. It is started by one long-lived thread of the pool,
  because Linux sends that signal when the *thread* that started the child ends;
- never opens the store, never starts a thread and is never hardened (a hardened process may
  not fork); it kills a worker when the pool asks, and reaps its children.

Each worker

- dies with the zygote (``PR_SET_PDEATHSIG`` again), so with the endpoint;
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
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, LifoQueue, Queue
from typing import Any, Final, TypeVar

from il2kg.errors import EndpointError, QueryTimeout

#: Largest answer a worker sends back by default (bytes); larger ones are refused with 503.
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024
#: Queries that may wait for a free worker by default; one more is refused at once (503).
DEFAULT_QUEUE: Final = 32
#: Seconds a worker may stay idle by default before it is ended (and forked again when needed).
DEFAULT_RETIRE: Final = 30.0

_T = TypeVar("_T")
_PR_SET_PDEATHSIG: Final = 1
_MADV_DONTNEED: Final = 4
#: What the zygote process runs (``python -c``): the parent's ``sys.path``, then the zygote.
_ZYGOTE_CODE: Final = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[4]); "
    "from il2kg.server.pool import zygote_entry; zygote_entry()"
)
#: A request to the zygote: an operation byte and a process id.
_REQUEST: Final = struct.Struct("!cq")
_SPAWN: Final = b"S"
_KILL: Final = b"K"
_LENGTH: Final = struct.Struct("!Q")


class Channel:
    """Pickled messages over a stream socket (the pool's end or a worker's end of a pair)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(_LENGTH.pack(len(data)))
        self.sock.sendall(data)

    def _exact(self, n: int) -> bytearray:
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = self.sock.recv_into(view[got:])
            if not k:
                raise EOFError("the other end closed the channel")
            got += k
        return buf

    def recv(self) -> Any:
        (n,) = _LENGTH.unpack(self._exact(_LENGTH.size))
        return pickle.loads(self._exact(n))

    def poll(self, timeout: float) -> bool:
        """Whether a message (or the end of the channel) arrives within ``timeout`` seconds."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout * 1000 + 0.999))))

    def close(self) -> None:
        self.sock.close()


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


def zygote_entry() -> None:
    """The ``python -c`` entry of the zygote: ``argv`` is the socket fd, parent pid, store folder."""
    fd, parent, location = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    die_with_parent(parent)
    zygote_main(location, socket.socket(fileno=fd))


def zygote_main(location: str, control: socket.socket) -> None:
    """Fork a worker for each spawn request on ``control``; kill one on request; reap them.

    Runs single-threaded until ``control`` closes. What the workers need is imported here once
    and frozen, so that their pages stay shared.
    """
    import gc

    import pyoxigraph  # noqa: F401  (imported once, shared by every worker)

    from il2kg.query import sandbox  # noqa: F401

    gc.collect()
    gc.freeze()
    _drop_clean_pages()
    me, live = os.getpid(), set[int]()
    while True:
        try:
            op, pid, fds = _read_request(control)
        except (EOFError, OSError):
            os._exit(0)
        for extra in fds[1:]:
            os.close(extra)
        if op == _SPAWN and fds:
            try:
                child = os.fork()
            except OSError:  # no process to be had: the pool sees the channel end, unready
                os.close(fds[0])
                control.sendall(_REQUEST.pack(op, 0))
                continue
            if child == 0:  # the worker
                control.close()
                die_with_parent(me)
                try:
                    worker_main(location, Channel(socket.socket(fileno=fds[0])))
                finally:
                    os._exit(0)
            os.close(fds[0])
            live.add(child)
            pid = child
        elif op == _KILL and pid in live:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            live.discard(pid)
        else:
            for extra in fds[:1]:
                os.close(extra)
            pid = 0
        while live:  # reap the workers that ended by themselves
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                live.clear()
                break
            if not done:
                break
            live.discard(done)
        control.sendall(_REQUEST.pack(op, pid))


def _drop_clean_pages() -> None:
    """Unmap the zygote's clean pages of read-only file mappings (``MADV_DONTNEED``; Linux).

    Loading pyoxigraph maps some 8 MiB of its machine code that the zygote never runs again;
    the pages stay in the page cache, and a worker maps what it runs. Only mappings without a
    single written page are dropped, so nothing but a copy of the file is discarded.
    """
    if not sys.platform.startswith("linux"):  # pragma: no cover - not Linux
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    clean: list[tuple[int, int]] = []
    span: tuple[int, int] | None = None
    try:
        with open("/proc/self/smaps", encoding="utf-8", errors="replace") as f:
            for line in f:
                field, _, rest = line.partition(" ")
                if not field.endswith(":"):  # a mapping: "start-end perms offset dev inode path"
                    parts = line.split()
                    start, end = (int(x, 16) for x in parts[0].split("-"))
                    readonly = "w" not in parts[1] and len(parts) > 5 and parts[5][:1] == "/"
                    span = (start, end) if readonly else None
                    if span:
                        clean.append(span)
                elif (
                    span
                    and field in ("Private_Dirty:", "Shared_Dirty:", "Anonymous:")
                    and int(rest.split()[0])  # a written page: keep this mapping
                ):
                    clean.remove(span)
                    span = None
    except (OSError, ValueError):  # pragma: no cover - no /proc: keep everything
        return
    for start, end in clean:
        libc.madvise(start, end - start, _MADV_DONTNEED)


def _read_request(sock: socket.socket) -> tuple[bytes, int, list[int]]:
    """One request to the zygote, and the file descriptors it carries."""
    data, fds, _, _ = socket.recv_fds(sock, _REQUEST.size, 1)
    while data and len(data) < _REQUEST.size:
        more = sock.recv(_REQUEST.size - len(data))
        if not more:
            break
        data += more
    if len(data) < _REQUEST.size:
        for fd in fds:
            os.close(fd)
        raise EOFError("the pool closed the zygote's socket")
    op, pid = _REQUEST.unpack(data)
    return op, pid, list(fds)


def worker_main(location: str, conn: Channel) -> None:
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
    pid: int
    conn: Channel
    used: float = 0.0  # when it last became idle (time.monotonic)


@dataclass(eq=False)
class _Zygote:
    process: subprocess.Popen[bytes]
    control: socket.socket


class _Spawner:
    """The one thread that starts the zygote, alive as long as the pool.

    ``PR_SET_PDEATHSIG`` fires when the thread that forked the child ends, not the process: a
    zygote started by a short-lived thread (a request thread, a replacement thread) would be
    killed with it, and its workers with it. This thread ends only when the pool closes (or
    the process dies).
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

    ``size`` workers start with the pool (so a store that cannot be opened fails at once). A
    worker idle for ``retire`` seconds is ended (``0``: never), and one is forked again when a
    job finds no idle worker: an idle endpoint holds no open store. The most recently used
    idle worker takes the next job, so under a light load the others retire.
    """

    def __init__(
        self,
        location: str | Path,
        size: int = 2,
        timeout: float = 10.0,
        queue: int = DEFAULT_QUEUE,
        retire: float = DEFAULT_RETIRE,
    ) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        if queue < 0:
            raise ValueError("the queue of a query pool cannot be negative")
        if retire < 0:
            raise ValueError("the idle time of a query worker cannot be negative")
        self.location = str(location)
        self.size = size
        self.timeout = timeout
        self.queue = queue
        self.retire = retire
        self._admitted = threading.BoundedSemaphore(size + queue)
        self._idle: LifoQueue[_Worker] = LifoQueue()
        self._closed = False
        self._closing = threading.Event()
        self._all: set[_Worker] = set()
        self._starting = 0  # workers being started (not yet in _all)
        self._waiting = 0  # jobs waiting for an idle worker
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self._zygote_lock = threading.Lock()
        self._spawner = _Spawner()
        try:
            starting = [self._start() for _ in range(size)]
            for w in starting:
                self._await_ready(w)
                self._put_idle(w)
        except BaseException:
            self.close()
            raise
        if retire:
            threading.Thread(target=self._retire_loop, daemon=True, name="il2kg-retire").start()

    def _start(self) -> _Worker:
        """Have the zygote fork one worker (started again first if it died)."""
        with self._zygote_lock:
            if self._closed:
                raise EndpointError("the query pool is closed")
            for attempt in (1, 2):
                if self._zygote is None:
                    self._zygote = self._spawner.call(self._launch_zygote)
                try:
                    return self._spawn(self._zygote)
                except (EOFError, OSError) as exc:
                    self._stop_zygote()
                    if attempt == 2:
                        raise EndpointError(f"cannot start a query worker: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _launch_zygote(self) -> _Zygote:
        """Start the zygote process (runs on the spawner thread)."""
        parent, child = socket.socketpair()
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _ZYGOTE_CODE,
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
            raise EndpointError(f"cannot start the query workers' zygote: {exc}") from exc
        finally:
            child.close()
        return _Zygote(proc, parent)

    def _ask(self, zygote: _Zygote, op: bytes, pid: int = 0, fds: list[int] | None = None) -> int:
        """One request to the zygote and its answer (a process id); caller holds the lock."""
        socket.send_fds(zygote.control, [_REQUEST.pack(op, pid)], fds or [])
        got = b""
        while len(got) < _REQUEST.size:
            more = zygote.control.recv(_REQUEST.size - len(got))
            if not more:
                raise EOFError("the zygote ended")
            got += more
        return int(_REQUEST.unpack(got)[1])

    def _spawn(self, zygote: _Zygote) -> _Worker:
        parent, child = socket.socketpair()
        try:
            pid = self._ask(zygote, _SPAWN, fds=[child.fileno()])
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        w = _Worker(pid, Channel(parent))
        with self._lock:
            self._all.add(w)
        return w

    def _stop_zygote(self) -> None:
        """End the zygote (its workers die with it); caller holds the zygote lock."""
        zygote, self._zygote = self._zygote, None
        if zygote is None:
            return
        with contextlib.suppress(Exception):
            zygote.control.close()
        with contextlib.suppress(Exception):
            zygote.process.kill()
            zygote.process.wait(5)

    @property
    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return [w.pid for w in self._all]

    def _await_ready(self, w: _Worker, wait: float = 60.0) -> None:
        try:
            ready = w.conn.poll(wait) and w.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._kill(w)
            raise EndpointError(f"a query worker failed to open the store in {self.location}")

    def _kill(self, w: _Worker) -> None:
        with self._zygote_lock:
            if self._zygote is not None:
                try:
                    self._ask(self._zygote, _KILL, w.pid)
                except (EOFError, OSError):
                    self._stop_zygote()
        with contextlib.suppress(Exception):
            w.conn.close()
        with self._lock:
            self._all.discard(w)

    def _put_idle(self, w: _Worker) -> None:
        w.used = time.monotonic()
        self._idle.put(w)

    def _short(self) -> bool:
        """Whether fewer than ``size`` workers live or start; caller holds the lock."""
        return not self._closed and len(self._all) + self._starting < self.size

    def _grow(self) -> None:
        """Start one more worker in the background, unless ``size`` live or start already."""
        with self._lock:
            if not self._short():
                return
            self._starting += 1
        threading.Thread(target=self._add, daemon=True, name="il2kg-start").start()

    def _add(self) -> None:
        try:
            w = self._start()
        except Exception:  # pragma: no cover - the next failure of run() reports it
            return
        finally:
            with self._lock:
                self._starting -= 1
        try:
            self._await_ready(w)
        except Exception:  # pragma: no cover - the next failure of run() reports it
            return
        if self._closed:
            self._kill(w)
        else:
            self._put_idle(w)

    def _lost(self, w: _Worker) -> None:
        self._kill(w)
        self._grow()

    def _retire_loop(self) -> None:
        """End the workers idle for ``retire`` seconds, until the pool closes."""
        while not self._closing.wait(max(0.05, self.retire / 4)):
            idle: list[_Worker] = []
            with contextlib.suppress(Empty):
                while True:
                    idle.append(self._idle.get_nowait())
            now = time.monotonic()
            old = [w for w in idle if now - w.used >= self.retire]
            for w in sorted((w for w in idle if w not in old), key=lambda w: w.used):
                self._idle.put(w)  # the most recently used on top
            for w in old:
                with self._lock:
                    self._all.discard(w)
                    wanted = self._waiting > 0  # a job began to wait meanwhile
                self._kill(w)
                if wanted:
                    self._grow()

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
            w = self._idle.get_nowait()
        except Empty:
            w = self._wait_for_worker()
        try:
            w.conn.send(job)
            if w.conn.poll(max(0.0, deadline - time.monotonic())):
                answer: Answer = w.conn.recv()
                self._put_idle(w)
                return answer
        except (EOFError, OSError):
            self._lost(w)
            raise EndpointError("the query worker died; the query was not answered") from None
        self._lost(w)
        raise QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s")

    def _wait_for_worker(self) -> _Worker:
        """An idle worker within the timeout, one started if fewer than ``size`` live."""
        with self._lock:
            self._waiting += 1
        try:
            self._grow()
            return self._idle.get(timeout=self.timeout)
        except Empty:
            raise QueryTimeout(
                f"every query worker stayed busy for {self.timeout:g} s; try again later"
            ) from None
        finally:
            with self._lock:
                self._waiting -= 1

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        self._closing.set()
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._kill(w)
        with self._zygote_lock:
            self._stop_zygote()
        self._spawner.stop()


__all__ = [
    "DEFAULT_QUEUE",
    "DEFAULT_RETIRE",
    "MAX_ANSWER_BYTES",
    "Answer",
    "Channel",
    "PoolFull",
    "QueryJob",
    "QueryPool",
    "die_with_parent",
    "worker_main",
    "zygote_entry",
    "zygote_main",
]

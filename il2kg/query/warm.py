"""Warm query processes: a sandboxed child that opens a store once and answers many queries.

Forking a hardened child costs a few milliseconds (the fork, a network namespace, the seccomp
filter) before the store is even opened, which is ten times a lookup on a warm pyoxigraph store.
A :class:`WarmProcess` is the same child as :func:`il2kg.query.sandbox.run_isolated` forks (it
dies with its parent, installs :func:`~il2kg.query.sandbox.harden` before it opens anything),
kept alive between queries: the parent sends a pickled :class:`~il2kg.query.engines.Job` down a
pipe and waits for the answer **with the same timeout**: at the deadline, on Ctrl-C or on any
error of the parent the child is killed (``SIGKILL``), and the next query starts a new one. The
CPU backstop (``RLIMIT_CPU``) is renewed per query.

:func:`run_warm` keeps one process per store (at most :data:`MAX_WARM`, the least recently used
is ended) for the life of this process. A query arriving while that process is busy with another
thread's query runs in a one-shot child instead, so threads never queue behind each other. A
forked child of this process forgets the registry (it does not own those processes).
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import resource
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final

from il2kg.errors import QueryError
from il2kg.query.engines import Job, collect, engine_for
from il2kg.query.results import Results
from il2kg.query.sandbox import (
    check_timeout,
    fork_child,
    harden,
    pack_error,
    reap,
    receive_message,
    run_isolated,
    send_message,
    timed_out,
    unpack,
)

#: Warm processes kept at once (one per store and engine).
MAX_WARM: Final = 2


def _cpu_budget(timeout: float) -> None:
    """The backstop for one query: this process may use ``2 * timeout + 5`` more CPU seconds."""
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if not (math.isfinite(timeout) and timeout < 1e6):
            resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + timeout * 2) + 5
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(opener: Callable[[], Any], engine: str, jobs: int, answers: int, timeout: float) -> None:
    """The child: harden, open the store, then answer jobs until the pipe closes."""
    code = 0
    try:
        _cpu_budget(timeout)
        harden()
        try:
            eng = engine_for(engine, opener())
            send_message(answers, ("ok", None))
        except BaseException as exc:
            send_message(answers, pack_error(exc))
            return
        while (message := receive_message(jobs)) is not None:
            job, timeout = message
            _cpu_budget(timeout)
            try:
                out: tuple[str, Any] = ("ok", collect(job, lambda: eng))
            except BaseException as exc:
                out = pack_error(exc)
            send_message(answers, out)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class WarmProcess:
    """A sandboxed child holding the store ``opener()`` opens, answering :class:`Job` s."""

    def __init__(self, opener: Callable[[], Any], engine: str) -> None:
        self.opener = opener
        self.engine = engine
        self.busy = threading.Lock()
        #: Dropped from the registry while answering: ended when that answer is in.
        self.retired = False
        self._pid = 0
        self._jobs = self._answers = -1
        self._ready = False

    @property
    def pid(self) -> int:
        """The child's process id (0: none running)."""
        return self._pid

    def alive(self) -> bool:
        """Whether the child runs (it may have been killed, e.g. with the thread that forked it)."""
        if not self._pid:
            return False
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            pid = self._pid
        if pid:
            self._pid = 0
            self.close()
        return bool(self._pid)

    def _start(self, timeout: float) -> None:
        job_r, job_w = os.pipe()
        ans_r, ans_w = os.pipe()
        pid = fork_child(
            (job_w, ans_r),
            lambda: _serve(self.opener, self.engine, job_r, ans_w, timeout),
            keep=(job_r, ans_w),  # it lives long: it must not hold the parent's other pipes
        )
        os.close(job_r)
        os.close(ans_w)
        self._pid, self._jobs, self._answers, self._ready = pid, job_w, ans_r, False

    def run(self, job: Job, timeout: float) -> Results:
        """Answer ``job`` within ``timeout`` seconds (the start of the child included).

        Raises what :func:`~il2kg.query.sandbox.run_isolated` raises; the child is killed on a
        timeout and on any exception here (it stays for the next query otherwise).
        """
        deadline = time.monotonic() + timeout if math.isfinite(timeout) else None
        try:
            if not self.alive():
                self._start(timeout)
            if not self._ready:
                self._answer(deadline, timeout)  # the store opened, or its error raised
                self._ready = True
            send_message(self._jobs, (job, timeout))
            result: Results = self._answer(deadline, timeout)
            return result
        except BaseException:
            self.close()
            raise

    def _answer(self, deadline: float | None, timeout: float) -> Any:
        try:
            message = receive_message(self._answers, deadline)
        except TimeoutError:
            raise timed_out(timeout) from None
        if message is None:
            raise QueryError("the query process ended without an answer")
        return unpack(message)

    def close(self) -> None:
        """End the child (killed: it may be running a query) and close the pipes."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            reap(self._pid)
            self._pid = 0
        for fd in (self._jobs, self._answers):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._jobs = self._answers = -1
        self._ready = False


_registry: OrderedDict[tuple[str, str], WarmProcess] = OrderedDict()
_registry_lock = threading.Lock()


def run_warm(
    key: str, opener: Callable[[], Any], job: Job, timeout: float, *, warm: bool = True
) -> Results:
    """Answer ``job`` in the warm process of the store ``key`` (started with ``opener``).

    ``opener`` runs in the sandboxed child and returns what the engine reads (a pyoxigraph
    ``Store``, or an rdflib ``Dataset``). With ``warm=False``, or while the warm process is
    answering another thread, the job runs in a one-shot child that opens the store itself.
    """
    check_timeout(timeout)
    proc: WarmProcess | None = None
    if warm and hasattr(os, "fork"):
        with _registry_lock:
            proc = _registry.pop((key, job.engine), None) or WarmProcess(opener, job.engine)
            _registry[(key, job.engine)] = proc
            while len(_registry) > MAX_WARM:
                _retire(_registry.popitem(last=False)[1])
        if not proc.busy.acquire(blocking=False):
            proc = None
    if proc is None:
        one_shot: Results = run_isolated(
            lambda: collect(job, lambda: engine_for(job.engine, opener())), timeout
        )
        return one_shot
    try:
        return proc.run(job, timeout)
    finally:
        if proc.retired:
            proc.close()
        proc.busy.release()


def _retire(proc: WarmProcess) -> None:
    """End ``proc`` now if it is idle, else as soon as its current answer is in."""
    if proc.busy.acquire(blocking=False):
        try:
            proc.close()
        finally:
            proc.busy.release()
    else:
        proc.retired = True


def forget(key: str) -> None:
    """End the warm processes of the store ``key`` (it was found damaged, or rebuilt)."""
    with _registry_lock:
        for k in [k for k in _registry if k[0] == key]:
            _retire(_registry.pop(k))


def pids() -> list[int]:
    """The process ids of the running warm processes (for diagnostics and tests)."""
    with _registry_lock:
        return [p for p in (proc.pid for proc in _registry.values()) if p]


def close_all() -> None:
    """End every warm process (at exit)."""
    with _registry_lock:
        while _registry:
            _retire(_registry.popitem()[1])


def _forget_in_child() -> None:
    """In a forked child: the warm processes belong to the parent; drop them without a kill."""
    global _registry_lock
    _registry.clear()
    _registry_lock = threading.Lock()


atexit.register(close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)

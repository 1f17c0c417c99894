"""The sandbox every query runs in: a forked child that cannot reach the network.

One policy for the CLI, the Python API, the explorer build and the endpoint's workers
(:func:`harden` is what a query process installs before any engine runs).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, Final

from il2kg.errors import Il2kgError, QueryError, QueryTimeout, UnknownEntityError

_BLOCKED_EVENTS: Final = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.sendto",
        "socket.sendmsg",
        "urllib.Request",
        "http.client.connect",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.spawn",
        "os.posix_spawn",
        "os.fork",
    }
)


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _BLOCKED_EVENTS:
        raise PermissionError(f"blocked in the query process: {event}")


def harden() -> None:
    """Block network, subprocesses and rdflib's graph loading in this (child) process."""
    loaded = sys.modules.get("rdflib.plugins.sparql")
    if loaded is not None:
        loaded.SPARQL_LOAD_GRAPHS = False  # type: ignore[attr-defined]
    sys.addaudithook(_audit_hook)


def _pack_error(exc: BaseException) -> tuple[str, Any]:
    if isinstance(exc, UnknownEntityError):
        return ("unknown", (exc.name, exc.candidates, exc.ambiguous))
    if isinstance(exc, Il2kgError):
        return ("error", str(exc))
    if isinstance(exc, PermissionError):
        return ("error", f"refused: {exc}")
    return ("error", f"query failed ({type(exc).__name__}): {exc}")


def _raise_packed(kind: str, payload: Any) -> None:
    if kind == "unknown":
        raise UnknownEntityError(*payload)
    raise QueryError(payload)


def run_isolated(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn()`` in a forked, network-less child; return its (picklable) result.

    The child installs the audit hook of :func:`harden` first. Raises
    :class:`~il2kg.errors.QueryTimeout` (the child is killed) after ``timeout`` seconds, and
    re-raises the child's :class:`~il2kg.errors.QueryError` / ``UnknownEntityError``. Where
    ``os.fork`` does not exist, ``fn`` runs in this process without a timeout.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return fn()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(r)
            harden()
            try:
                out: tuple[str, Any] = ("ok", fn())
            except BaseException as exc:
                out = _pack_error(exc)
            data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                n = os.write(w, view)
                view = view[n:]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped "
                    "(raise --timeout, or add LIMIT / narrower patterns)"
                )
            ready, _, _ = select.select([r], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    if not chunks:
        raise QueryError("the query process ended without an answer")
    kind, payload = pickle.loads(b"".join(chunks))
    if kind != "ok":
        _raise_packed(kind, payload)
    return payload

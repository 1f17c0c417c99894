"""The SPARQL 1.1 Protocol endpoint of ``il2kg serve``: read-only, gated, with a real timeout.

How a request is answered:

1. `waitress <https://docs.pylonsproject.org/projects/waitress/>`_ (a pure-Python, production
   WSGI server with a thread pool) parses HTTP and calls :class:`App`, a plain WSGI application.
   :mod:`il2kg.server.guard` bounds how long and how many connections a client may hold, and
   answers ``/health`` in waitress' event loop, and so a query answered before
   (:mod:`il2kg.server.answers`: the store never changes while the server runs, so the same
   request gets the same answer; ``answer_cache`` bytes of them are kept).
2. :class:`App` reads the query as the SPARQL 1.1 Protocol allows (``GET ?query=``, ``POST`` of an
   HTML form, ``POST`` of ``application/sparql-query``), refuses updates (403), and passes the
   text through the query gate (:func:`il2kg.query.gate.check_query`: no ``SERVICE``, ``LOAD``,
   ``FROM``, update; 400 with line and column otherwise). It picks the result format from the
   ``Accept`` header (406 when none fits).
3. A :class:`QueryPool` worker process answers from a read-only, on-disk Oxigraph store
   (``pyoxigraph.Store.read_only``) and serialises the answer natively. Workers run in the
   project's sandbox (:func:`il2kg.query.sandbox.harden`) and die with the server. A query still
   running at the timeout is answered ``503`` and its worker is killed and replaced, so a
   runaway query never keeps a CPU busy and never blocks other clients; all workers busy for the
   whole timeout is also ``503``, and so is a query arriving while the queue is full (at once,
   with ``Retry-After``).

Why not proxy the Oxigraph server (``oxigraph serve-read-only --timeout-s``)? Measured here with
0.5.13: its timeout stops streaming answers (HTTP 200 with "The SPARQL operation has been
cancelled" appended), but a ``COUNT(*)`` over a cartesian product ran on for more than ten
minutes with ``--timeout-s 1``. Killing a worker process is the only timeout that always holds.

The dataset is laid out as for the local engines (:mod:`il2kg.query.engines`) and for a store filled
by ``il2kg push``: the data is the default graph, the ontology the named graph
``<https://w3id.org/il2kg/ontology>``, so every query gives the same answer everywhere. A
client may choose others with ``default-graph-uri`` / ``named-graph-uri``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg._version import __version__
from il2kg.errors import EndpointError
from il2kg.server.answers import DEFAULT_MAX_BYTES, AnswerCache
from il2kg.server.app import App
from il2kg.server.guard import ConnectionLimits, GuardedServer, make_server, stop_server
from il2kg.server.pool import DEFAULT_QUEUE, DEFAULT_RETIRE, MAX_ANSWER_BYTES, QueryPool

#: Request threads beyond one per running or waiting query: for /explore, / and the 503s.
SPARE_THREADS: Final = 4

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph


# -- the store the workers read -------------------------------------------------------------------


def prepare_store(kg: KnowledgeGraph, location: str | Path) -> Path:
    """Write ``kg`` (data graph + ontology graph) into an on-disk Oxigraph store at ``location``.

    Reuses the folder when it already holds exactly these triples; crash-safe and safe for
    servers starting together (:func:`il2kg.query.stores.load_store`). Inside the build cache an
    unfinished store left by an older il2kg is rebuilt. Returns the folder.
    """
    from il2kg.query.stores import DATA_GRAPH, ONTOLOGY_GRAPH, load_store, ontology_ntriples
    from il2kg.resources import cache_dir

    folder = Path(location)
    graphs: dict[str, bytes | Callable[[], bytes]] = {
        DATA_GRAPH: lambda: kg.ntriples,
        ONTOLOGY_GRAPH: ontology_ntriples,
    }
    # the digests from the build cache: a reused store needs no N-Triples made or read (and the
    # server process no pyoxigraph, which only its query workers need)
    digests = {DATA_GRAPH: kg.ntriples_digest(), ONTOLOGY_GRAPH: ontology_digest()}
    return load_store(folder, graphs, reclaim=_inside(folder, cache_dir()), digests=digests)


def ontology_digest() -> str:
    """The SHA-256 of :func:`~il2kg.query.stores.ontology_ntriples`, remembered in the build cache.

    Making those N-Triples takes pyoxigraph; the digest is kept in a file named by what it
    depends on (the ontology's bytes and the installed pyoxigraph), so a start with a warm
    cache computes nothing.
    """
    import hashlib
    import importlib.util

    from il2kg.query.stores import content_digest, ontology_ntriples
    from il2kg.resources import cache_dir, ontology_dir

    key = hashlib.sha256((ontology_dir() / "il2kg.ttl").read_bytes())
    spec = importlib.util.find_spec("pyoxigraph")  # found, not imported
    if spec is not None and spec.origin:  # the installed pyoxigraph: its files' sizes and times
        for p in sorted(Path(spec.origin).parent.iterdir()):
            if p.is_file():
                st = p.stat()
                key.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    memo = cache_dir() / "oxigraph" / f"ontology-{key.hexdigest()[:32]}.sha256"
    with contextlib.suppress(OSError):
        return memo.read_text(encoding="ascii").strip()
    digest = content_digest(ontology_ntriples())
    with contextlib.suppress(OSError):
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}")
        tmp.write_text(digest + "\n", encoding="ascii")
        os.replace(tmp, memo)
    return digest


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:  # pragma: no cover - an unreadable path
        return False


def default_location(kg: KnowledgeGraph) -> Path:
    """Where ``il2kg serve`` keeps its store: the build cache, one folder per content."""
    from il2kg.resources import cache_dir

    return cache_dir() / "oxigraph" / kg.ntriples_digest()[:16]


# -- running it ----------------------------------------------------------------------------------


def kg_explorer(kg: KnowledgeGraph) -> Callable[[dict[str, str]], str]:
    """The page maker of ``/explore`` for ``kg`` (il2kg/html.py)."""

    def make(params: dict[str, str]) -> str:
        from il2kg.explorer.page import explorer

        focus = params.get("focus") or None
        try:
            depth = int(params.get("depth", "1"))
        except ValueError:
            raise ValueError("depth must be a whole number") from None
        return explorer(kg, focus=focus, depth=depth).html

    return make


@dataclass
class Endpoint:
    """A running endpoint (see :func:`start`): its URL, and :meth:`stop`."""

    url: str
    pool: QueryPool
    server: GuardedServer
    thread: threading.Thread | None = None
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)

    def stop(self) -> None:
        """Stop serving, close every connection and end the workers."""
        with contextlib.suppress(Exception):
            stop_server(self.server, self.thread)
        self.pool.close()


def start(
    kg: KnowledgeGraph,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    location: str | Path,
    timeout: float = 10.0,
    workers: int = 2,
    cors: bool = False,
    max_bytes: int = MAX_ANSWER_BYTES,
    queue: int = DEFAULT_QUEUE,
    limits: ConnectionLimits | None = None,
    background: bool = False,
    answer_cache: int = DEFAULT_MAX_BYTES,
    worker_idle: float = DEFAULT_RETIRE,
) -> Endpoint:
    """Prepare the store, start the workers and the HTTP server; return the running endpoint.

    ``workers`` queries run at once and ``queue`` more wait for a worker; beyond that a query
    is answered 503 with ``Retry-After`` at once. ``limits`` bounds the connections
    (:class:`~il2kg.server.guard.ConnectionLimits`). Up to ``answer_cache`` bytes of answers
    are kept and given again to the same request (``0``: none). A worker idle for
    ``worker_idle`` seconds is ended and forked again when a query needs it (``0``: never).
    ``port=0`` picks a free port. With
    ``background`` the server runs in a daemon thread (for tests and notebooks); otherwise call
    ``endpoint.server.run()`` to serve until interrupted. Raises :class:`EndpointError` when
    the address is in use or the store cannot be opened.
    """

    def caption() -> str:
        from il2kg.explorer.page import caption_for  # pydantic and the explorer: on first use

        return caption_for(kg)

    limits = limits or ConnectionLimits()
    folder = prepare_store(kg, location)
    pool = QueryPool(folder, size=workers, timeout=timeout, queue=queue, retire=worker_idle)
    app = App(
        pool,
        explorer=kg_explorer(kg),
        kg=kg,
        caption=caption,
        cors=cors,
        max_bytes=max_bytes,
        answers=AnswerCache(answer_cache) if answer_cache else None,
    )
    try:
        server = make_server(
            app,
            host=host,
            port=port,
            # a thread per running or waiting query, and some for every other page
            threads=workers + queue + SPARE_THREADS,
            ident=f"il2kg/{__version__}",
            limits=limits,
            answers=app,  # the loop answers what the app kept
        )
    except OSError as exc:
        pool.close()
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    except BaseException:
        pool.close()
        raise
    bound_host, bound_port = server.socket.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    endpoint = Endpoint(f"http://{shown}:{bound_port}", pool, server, limits=limits)
    if background:
        endpoint.thread = threading.Thread(target=server.run, daemon=True, name="il2kg-serve")
        endpoint.thread.start()
    return endpoint


def describe(endpoint: Endpoint) -> dict[str, Any]:
    """What ``il2kg serve`` prints on start-up."""
    return {
        "url": endpoint.url,
        "query": endpoint.url + "/query",
        "explore": endpoint.url + "/explore",
        "void": endpoint.url + "/.well-known/void",
        "timeout_s": endpoint.pool.timeout,
        "workers": endpoint.pool.size,
        "worker_idle_s": endpoint.pool.retire,
        "queue": endpoint.pool.queue,
        "max_connections": endpoint.limits.total,
        "max_client_connections": endpoint.limits.per_client,
        "request_timeout_s": endpoint.limits.request_timeout,
    }


__all__ = ["Endpoint", "default_location", "describe", "kg_explorer", "prepare_store", "start"]

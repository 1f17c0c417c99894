"""The SPARQL 1.1 Protocol endpoint of ``il2kg serve``: read-only, gated, with a real timeout.

How a request is answered:

1. `waitress <https://docs.pylonsproject.org/projects/waitress/>`_ (a pure-Python, production
   WSGI server with a thread pool) parses HTTP and calls :class:`App`, a plain WSGI application.
2. :class:`App` reads the query as the SPARQL 1.1 Protocol allows (``GET ?query=``, ``POST`` of an
   HTML form, ``POST`` of ``application/sparql-query``), refuses updates (403), and passes the
   text through the query gate (:func:`il2kg.query.gate.check_query`: no ``SERVICE``, ``LOAD``,
   ``FROM``, update; 400 with line and column otherwise). It picks the result format from the
   ``Accept`` header (406 when none fits).
3. A :class:`QueryPool` worker process answers from a read-only, on-disk Oxigraph store
   (``pyoxigraph.Store.read_only``) and serialises the answer natively. Workers block sockets
   with an audit hook. A query still running at the timeout is answered ``503`` and its worker
   is killed and replaced, so a runaway query never keeps a CPU busy and never blocks other
   clients; all workers busy for the whole timeout is also ``503``.

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
import io
import multiprocessing
import queue
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg._version import __version__
from il2kg.errors import EndpointError, Il2kgError, QueryError, QueryTimeout

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from il2kg.kg import KnowledgeGraph

#: Longest query text accepted, in bytes.
MAX_QUERY_BYTES: Final = 256 * 1024
#: Largest answer a worker sends back by default (bytes); larger ones are refused with 503.
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024

#: media type -> (pyoxigraph format name, Content-Type sent back), SELECT and ASK answers
SELECT_TYPES: Final[dict[str, tuple[str, str]]] = {
    "application/sparql-results+json": ("JSON", "application/sparql-results+json"),
    "application/json": ("JSON", "application/sparql-results+json"),
    "application/sparql-results+xml": ("XML", "application/sparql-results+xml"),
    "application/xml": ("XML", "application/sparql-results+xml"),
    "text/xml": ("XML", "application/sparql-results+xml"),
    "text/csv": ("CSV", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("TSV", "text/tab-separated-values; charset=utf-8"),
}
#: media type -> (pyoxigraph format name, Content-Type sent back), CONSTRUCT and DESCRIBE answers
GRAPH_TYPES: Final[dict[str, tuple[str, str]]] = {
    "text/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/x-turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/n-triples": ("N_TRIPLES", "application/n-triples"),
    "text/plain": ("N_TRIPLES", "application/n-triples"),
    "application/ld+json": ("JSON_LD", "application/ld+json"),
    "application/json": ("JSON_LD", "application/ld+json"),
    "application/rdf+xml": ("RDF_XML", "application/rdf+xml"),
    "application/xml": ("RDF_XML", "application/rdf+xml"),
}


# -- content negotiation -------------------------------------------------------------------------


def _accepted(accept: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable)."""
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q, i))
    out.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(accept: str | None, form: str) -> tuple[str, str] | None:
    """(pyoxigraph format name, Content-Type) for a query form and an Accept header.

    SPARQL JSON results and Turtle are the defaults (no header, ``*/*``); ``None`` means no
    offered type is acceptable (HTTP 406).
    """
    table = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    default = next(iter(table.values()))
    if not accept:
        return default
    for media, _ in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*") or media.endswith("/*"):
            major = media.split("/")[0]
            if major == "*":
                return default
            for m, v in table.items():
                if m.startswith(major + "/"):
                    return v
    return None


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


# -- the store the workers read -------------------------------------------------------------------


def prepare_store(kg: KnowledgeGraph, location: str | Path) -> Path:
    """Write ``kg`` (data graph + ontology graph) into an on-disk Oxigraph store at ``location``.

    Reuses the folder when it already holds exactly these triples. Returns the folder.
    """
    from il2kg.query.stores import DATA_GRAPH, ONTOLOGY_GRAPH, load_store, ontology_ntriples

    folder = Path(location)
    load_store(folder, {DATA_GRAPH: kg.ntriples, ONTOLOGY_GRAPH: ontology_ntriples()})
    return folder


def default_location(kg: KnowledgeGraph) -> Path:
    """Where ``il2kg serve`` keeps its store: the build cache, one folder per content."""
    from il2kg.query.stores import content_digest
    from il2kg.resources import cache_dir

    return cache_dir() / "oxigraph" / content_digest(kg.ntriples)[:16]


# -- the WSGI application ------------------------------------------------------------------------

_LANDING: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>il2kg SPARQL endpoint</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}}
code,textarea{{font:14px ui-monospace,monospace}}textarea{{width:100%}}</style></head>
<body><h1>il2kg SPARQL endpoint</h1>
<p>{caption}</p>
<ul><li>SPARQL 1.1 Protocol: <code>{base}/query</code> (GET or POST; read-only; timeout {timeout:g} s)</li>
<li>The interactive graph: <a href="explore">/explore</a> (add <code>?focus=IL2&amp;depth=1</code>)</li></ul>
<form action="query" method="get"><textarea name="query" rows="8">{example}</textarea>
<p><button>Run (SPARQL JSON)</button></p></form>
<p>Prefixes of the pinned map (<code>il2kg:</code>, <code>HGNC:</code>, <code>CL:</code> ...)
need no PREFIX line. <code>SERVICE</code>, <code>FROM</code> and updates are refused.</p>
</body></html>
"""
_EXAMPLE: Final = """SELECT ?cytokine ?label WHERE {
  ?cytokine a il2kg:Cytokine ; rdfs:label ?label .
} LIMIT 10"""


@dataclass
class Response:
    """An HTTP response built by the app."""

    status: str
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def _error(status: str, message: str) -> Response:
    return Response(status, (message.rstrip() + "\n").encode())


class App:
    """The WSGI application: ``/query`` (and ``/sparql``), ``/explore``, ``/`` and ``/health``."""

    def __init__(
        self,
        pool: QueryPool,
        *,
        explorer: Callable[[dict[str, str]], str] | None = None,
        caption: str = "",
        cors: bool = False,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.pool = pool
        self.explorer = explorer
        self.caption = caption
        self.cors = cors
        self.max_bytes = max_bytes
        self._pages: dict[tuple[tuple[str, str], ...], bytes] = {}
        self._pages_lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            resp = self.handle(environ)
        except Exception as exc:  # never a traceback to the client
            resp = _error("500 Internal Server Error", f"internal error: {type(exc).__name__}")
        headers = [
            ("Content-Type", resp.content_type),
            ("Content-Length", str(len(resp.body))),
            ("X-Content-Type-Options", "nosniff"),
            *resp.headers,
        ]
        if self.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        start_response(resp.status, headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [resp.body]

    def handle(self, environ: dict[str, Any]) -> Response:
        """Route one request."""
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path in ("/query", "/sparql"):
            if method == "OPTIONS":
                return Response("204 No Content", b"", headers=[("Allow", "GET, POST, OPTIONS")])
            if method not in ("GET", "HEAD", "POST"):
                return Response(
                    "405 Method Not Allowed",
                    b"use GET or POST\n",
                    headers=[("Allow", "GET, POST")],
                )
            return self.query(environ)
        if path in ("/update", "/store", "/data"):
            return _error("403 Forbidden", "this endpoint is read-only: updates are refused")
        if method not in ("GET", "HEAD"):
            return Response("405 Method Not Allowed", b"", headers=[("Allow", "GET")])
        if path in ("/explore", "/explore/"):
            return self.explore(environ)
        if path == "/health":
            return Response("200 OK", b"ok\n")
        if path == "/":
            base = (environ.get("SCRIPT_NAME") or "").rstrip("/")
            page = _LANDING.format(
                caption=escape(self.caption),
                base=escape(base),
                timeout=self.pool.timeout,
                example=escape(_EXAMPLE),
            )
            return Response("200 OK", page.encode(), "text/html; charset=utf-8")
        return _error("404 Not Found", f"no such page: {path} (try /query or /explore)")

    # -- SPARQL ----------------------------------------------------------------------------------

    def _params(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], str | None]:
        """The request's parameters (URL and form) and a direct query body, if any."""
        params = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body_query = None
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > MAX_QUERY_BYTES:
                raise _HTTPError(
                    "413 Content Too Large", f"the request is over {MAX_QUERY_BYTES:,} bytes"
                )
            raw = environ["wsgi.input"].read(length) if length else b""
            ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
            text = raw.decode("utf-8", "replace")
            if ctype == "application/x-www-form-urlencoded":
                params += urllib.parse.parse_qsl(text, keep_blank_values=True)
            elif ctype == "application/sparql-query":
                body_query = text
            elif ctype == "application/sparql-update":
                raise _HTTPError("403 Forbidden", "this endpoint is read-only: updates are refused")
            else:
                raise _HTTPError(
                    "415 Unsupported Media Type",
                    "POST a query as application/x-www-form-urlencoded or application/sparql-query",
                )
        return params, body_query

    def query(self, environ: dict[str, Any]) -> Response:
        """Answer one SPARQL Protocol query request."""
        from il2kg.query.gate import check_query

        try:
            params, body_query = self._params(environ)
        except _HTTPError as exc:
            return _error(exc.status, exc.message)
        names = [k for k, _ in params]
        if "update" in names:
            return _error("403 Forbidden", "this endpoint is read-only: updates are refused")
        queries = [v for k, v in params if k == "query"]
        if body_query is not None:
            queries.append(body_query)
        if len(queries) != 1:
            if not queries and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
                return Response("303 See Other", b"", headers=[("Location", "./")])
            return _error("400 Bad Request", "give exactly one query (the 'query' parameter)")
        text = queries[0]
        if len(text.encode()) > MAX_QUERY_BYTES:
            return _error("413 Content Too Large", f"the query is over {MAX_QUERY_BYTES:,} bytes")
        try:
            checked = check_query(text)
        except QueryError as exc:
            return _error("400 Bad Request", str(exc))
        chosen = negotiate(environ.get("HTTP_ACCEPT"), checked.form)
        if chosen is None:
            offered = GRAPH_TYPES if checked.form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
            return _error(
                "406 Not Acceptable",
                f"a {checked.form} answer is available as: {', '.join(sorted(set(offered)))}",
            )
        fmt, content_type = chosen
        from il2kg.query.stores import DATA_GRAPH, ONTOLOGY_GRAPH

        default_graphs = tuple(v for k, v in params if k == "default-graph-uri")
        named_graphs = tuple(v for k, v in params if k == "named-graph-uri")
        if not default_graphs and not named_graphs:  # the layout of the local engines
            default_graphs, named_graphs = (DATA_GRAPH,), (ONTOLOGY_GRAPH,)
        job = QueryJob(
            text=text,
            prefixes=checked.prefixes(),
            form=checked.form,
            result_format=fmt,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_bytes=self.max_bytes,
        )
        try:
            answer = self.pool.run(job)
        except QueryTimeout as exc:
            return _error("503 Service Unavailable", f"query timeout: {exc}")
        except Il2kgError as exc:
            return _error("500 Internal Server Error", str(exc))
        if answer.error == "syntax":
            from il2kg.query.gate import syntax_error

            return _error("400 Bad Request", str(syntax_error(text, answer.message)))
        if answer.error == "too-large":
            return _error("503 Service Unavailable", answer.message)
        if answer.error:
            return _error("500 Internal Server Error", answer.message)
        headers = [("X-Il2kg-Query-Seconds", f"{answer.seconds:.4f}"), ("Vary", "Accept")]
        return Response("200 OK", answer.body, content_type, headers)

    # -- the explorer ----------------------------------------------------------------------------

    def explore(self, environ: dict[str, Any]) -> Response:
        """The interactive HTML page (whole graph, or ``?focus=X&depth=N``); cached per view."""
        if self.explorer is None:
            return _error("404 Not Found", "the explorer is not available on this server")
        params = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""))
        wanted = {k: v for k, v in params if k in ("focus", "depth")}
        key = tuple(sorted(wanted.items()))
        with self._pages_lock:
            page = self._pages.get(key)
            if page is None:
                try:
                    page = self.explorer(wanted).encode("utf-8")
                except Il2kgError as exc:
                    return _error("404 Not Found", str(exc))
                except ValueError as exc:
                    return _error("400 Bad Request", str(exc))
                if len(self._pages) > 64:
                    self._pages.clear()
                self._pages[key] = page
        return Response("200 OK", page, "text/html; charset=utf-8")


class _HTTPError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
    server: Any
    thread: threading.Thread | None = None

    def stop(self) -> None:
        """Stop serving and end the workers."""
        with contextlib.suppress(Exception):
            self.server.close()
        if self.thread is not None:
            self.thread.join(10)
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
    background: bool = False,
) -> Endpoint:
    """Prepare the store, start the workers and the HTTP server; return the running endpoint.

    ``port=0`` picks a free port. With ``background`` the server runs in a daemon thread (for
    tests and notebooks); otherwise call ``endpoint.server.run()`` to serve until interrupted.
    Raises :class:`EndpointError` when the address is in use or the store cannot be opened.
    """
    from waitress.server import create_server

    from il2kg.explorer.page import caption_for

    folder = prepare_store(kg, location)
    pool = QueryPool(folder, size=workers, timeout=timeout)
    app = App(
        pool, explorer=kg_explorer(kg), caption=caption_for(kg), cors=cors, max_bytes=max_bytes
    )
    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=workers + 4,
            ident=f"il2kg/{__version__}",
            channel_timeout=max(60, int(timeout) + 30),
            clear_untrusted_proxy_headers=True,
        )
    except OSError as exc:
        pool.close()
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    bound_host, bound_port = server.socket.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    endpoint = Endpoint(f"http://{shown}:{bound_port}", pool, server)
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
        "timeout_s": endpoint.pool.timeout,
        "workers": endpoint.pool.size,
    }


__all__ = [
    "App",
    "Endpoint",
    "QueryPool",
    "default_location",
    "describe",
    "negotiate",
    "prepare_store",
    "start",
]

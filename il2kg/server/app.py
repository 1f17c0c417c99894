"""The WSGI application of ``il2kg serve``: routes, the SPARQL 1.1 Protocol, the explorer pages.

:class:`App` reads the query as the SPARQL 1.1 Protocol allows (``GET ?query=``, ``POST`` of an
HTML form, ``POST`` of ``application/sparql-query``), refuses updates (403), passes the text
through the query gate (:func:`il2kg.query.gate.check_query`), picks the result format from the
``Accept`` header (406 when none fits) and hands the job to a :class:`~il2kg.server.pool.QueryPool`.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeVar

from il2kg.errors import Il2kgError, QueryError, QueryTimeout
from il2kg.query.checked import CheckedCache
from il2kg.server.answers import AnswerCache, Key, answer_key
from il2kg.server.negotiate import GRAPH_TYPES, SELECT_TYPES, accepted, choose
from il2kg.server.pool import MAX_ANSWER_BYTES, PoolFull, QueryJob, QueryPool
from il2kg.server.web import Response, wants_html
from il2kg.server.web import error as _error

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph
    from il2kg.server.deref import Documents
    from il2kg.server.describe import Descriptions

_T = TypeVar("_T")

#: Longest query text accepted, in bytes.
MAX_QUERY_BYTES: Final = 256 * 1024

# -- the WSGI application ------------------------------------------------------------------------

#: What ``--cors`` adds to every answer: any origin may read it (no credentials are involved: the
#: endpoint is read-only and public), and a preflight allows the methods and headers of the
#: SPARQL 1.1 Protocol (``Content-Type: application/sparql-query`` is not a "simple" header).
_CORS_HEADERS: Final = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Language, Content-Type"),
    ("Access-Control-Expose-Headers", "Retry-After, X-Il2kg-Query-Seconds, X-Il2kg-Cache"),
    ("Access-Control-Max-Age", "600"),
]
#: media types of the descriptions (and entity documents) other than HTML
_RDF_TYPES: Final = tuple(GRAPH_TYPES)
#: every media type a query answer comes in
_ALL_TYPES: Final = (*SELECT_TYPES, *GRAPH_TYPES)


class App:
    """The WSGI application: ``/query`` (and ``/sparql``), ``/explore``, ``/`` and ``/health``."""

    def __init__(
        self,
        pool: QueryPool,
        *,
        explorer: Callable[[dict[str, str]], str] | None = None,
        kg: KnowledgeGraph | None = None,
        caption: str | Callable[[], str] = "",
        cors: bool = False,
        max_bytes: int = MAX_ANSWER_BYTES,
        answers: AnswerCache | None = None,
    ) -> None:
        self.pool = pool
        #: kept answers (:mod:`il2kg.server.answers`); ``None``: every query goes to a worker
        self.answers = answers
        self.checked = CheckedCache()
        self._local = threading.local()
        self.explorer = explorer
        self._caption = caption
        self.cors = cors
        self.max_bytes = max_bytes
        self.kg = kg
        self._descriptions: Descriptions | None = None
        self._documents: Documents | None = None
        self._made_lock = threading.Lock()
        self._examples: list[dict[str, Any]] | None = None
        self._pages: dict[tuple[tuple[str, str], ...], bytes] = {}
        self._pages_lock = threading.Lock()

    # -- kept answers, for the server's event loop ------------------------------------------------

    def inline(
        self,
        method: str,
        path: str,
        query_string: str,
        accept: str | None,
        cache_control: str | None = None,
    ) -> tuple[Key, Response] | None:
        """A kept answer to this request, if any: the server's loop may then answer it itself
        (:meth:`pinned`), since answering it needs no worker."""
        if self.answers is None:
            return None
        key = answer_key(method, path, query_string, accept, cache_control)
        if key is None:
            return None
        response = self.answers.get(key)
        return None if response is None else (key, response)

    @contextlib.contextmanager
    def pinned(self, kept: tuple[Key, Response]) -> Iterator[None]:
        """While serving the request :meth:`inline` found ``kept`` for, on this thread, answer it
        with ``kept`` even if the cache dropped it meanwhile."""
        self._local.pinned = kept
        try:
            yield
        finally:
            self._local.pinned = None

    # -- the pages made from the graph, built on first use (they import rdflib) ------------------

    @property
    def descriptions(self) -> Descriptions | None:
        """The Service Description and VoID of ``kg`` (``None`` without a graph)."""
        from il2kg.server.describe import Descriptions

        return self._made("_descriptions", Descriptions)

    @property
    def documents(self) -> Documents | None:
        """The documents of the graph's minted IRIs (``None`` without a graph)."""
        from il2kg.server.deref import Documents

        return self._made("_documents", Documents)

    def _made(self, name: str, make: Callable[[KnowledgeGraph], _T]) -> _T | None:
        """The attribute ``name``, made from ``kg`` by ``make`` on first use."""
        if self.kg is None:
            return None
        with self._made_lock:
            if getattr(self, name) is None:
                setattr(self, name, make(self.kg))
            made: _T = getattr(self, name)
        return made

    def caption(self) -> str:
        """What data and version the pages show; made on first use (it reads the whole dataset,
        which start-up should not wait for)."""
        if callable(self._caption):
            self._caption = self._caption()
        return self._caption

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            resp = self.handle(environ)
        except Exception as exc:  # never a traceback to the client
            resp = _error("500 Internal Server Error", f"internal error: {type(exc).__name__}")
        start_response(resp.status, self.headers(resp))
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [resp.body]

    def headers(self, resp: Response) -> list[tuple[str, str]]:
        """The headers this application sends with ``resp`` (what the server adds apart)."""
        headers = [
            ("Content-Type", resp.content_type),
            ("Content-Length", str(len(resp.body))),
            ("X-Content-Type-Options", "nosniff"),
            *resp.headers,
        ]
        if self.cors:
            headers += _CORS_HEADERS
        return headers

    def handle(self, environ: dict[str, Any]) -> Response:
        """Route one request."""
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS":  # a CORS preflight (the CORS headers are added to every answer)
            allow = "GET, POST, OPTIONS" if path in ("/query", "/sparql") else "GET, HEAD, OPTIONS"
            return Response("204 No Content", b"", headers=[("Allow", allow)])
        if path in ("/query", "/sparql"):
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
        if path in ("/.well-known/void", "/void") and self.descriptions is not None:
            return self.descriptions.void(environ)
        if path == "/":
            params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            if "query" in params:  # a permalink: the page, or the answer in a named format
                return self.query(environ) if "format" in params else self.page(params["query"][0])
            if self._wants_description(environ, explicit=True):
                return self.descriptions.service(environ)  # type: ignore[union-attr]
            return self.page(None)
        if self.documents is not None:
            if path == "/lookup":
                return self.documents.lookup(environ)
            for kind in ("page", "rdf"):
                if path.startswith(f"/{kind}/"):
                    return self.documents.document(environ, kind, path[len(kind) + 2 :])
            resource = self.documents.resource(environ, path)
            if resource is not None:
                return resource
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
        """Answer one SPARQL Protocol query request (a kept answer if there is one)."""
        key = answer_key(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT"),
            environ.get("HTTP_CACHE_CONTROL"),
        )
        if key is not None:
            pinned: tuple[Key, Response] | None = getattr(self._local, "pinned", None)
            if pinned is not None and pinned[0] == key:
                return pinned[1]
            kept = self.answers.get(key) if self.answers is not None else None
            if kept is not None:
                return kept
        return self._query(environ, key)

    def _query(self, environ: dict[str, Any], key: Key | None) -> Response:
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
                if self._wants_description(environ):
                    return self.descriptions.service(environ)  # type: ignore[union-attr]
                return Response("303 See Other", b"", headers=[("Location", "./")])
            return _error("400 Bad Request", "give exactly one query (the 'query' parameter)")
        text = queries[0]
        if len(text.encode()) > MAX_QUERY_BYTES:
            return _error("413 Content Too Large", f"the query is over {MAX_QUERY_BYTES:,} bytes")
        browser = wants_html(environ.get("HTTP_ACCEPT"), _ALL_TYPES)
        if browser and self.kg is not None and "format" not in names:
            return self.page(text)  # a browser: the page shows the query and runs it by fetch
        graphs = {k: tuple(v for n, v in params if n == k) for k in _GRAPH_PARAMS}
        for name, values in graphs.items():
            for value in values:
                problem = _iri_problem(value)
                if problem:
                    return _error("400 Bad Request", f"{name}: {problem}")
        try:
            checked = self.checked.check(text)
        except QueryError as exc:
            return _error("400 Bad Request", str(exc))
        format_name = next((v for k, v in params if k == "format"), None)
        chosen = choose(environ.get("HTTP_ACCEPT"), format_name, checked.form)
        if chosen is None:
            offered = GRAPH_TYPES if checked.form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
            return _error(
                "406 Not Acceptable",
                f"a {checked.form} answer is available as: {', '.join(sorted(set(offered)))}",
            )
        fmt, content_type = chosen
        from il2kg.query.stores import DATA_GRAPH, ONTOLOGY_GRAPH

        default_graphs, named_graphs = graphs["default-graph-uri"], graphs["named-graph-uri"]
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
        except PoolFull as exc:
            return Response(
                "503 Service Unavailable",
                f"busy: {exc}\n".encode(),
                headers=[("Retry-After", str(exc.retry_after))],
            )
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
        if key is not None and self.answers is not None:  # a worker's answer: keep it
            kept = Response(
                "200 OK", answer.body, content_type, [*headers, ("X-Il2kg-Cache", "hit")]
            )
            if self.answers.put(key, kept):
                headers.append(("X-Il2kg-Cache", "miss"))
        return Response("200 OK", answer.body, content_type, headers)

    def page(self, query: str | None) -> Response:
        """The query page (``query``: the query of a permalink, run at once)."""
        from il2kg.server.pages import examples, query_page

        if self.kg is None:
            return _error("404 Not Found", "the query page is not available on this server")
        with self._pages_lock:
            if self._examples is None:
                self._examples = examples(self.kg)
        return query_page(
            self._examples, query=query, caption=self.caption(), timeout=self.pool.timeout
        )

    def _wants_description(self, environ: dict[str, Any], *, explicit: bool = False) -> bool:
        """Whether a GET without a query asks for the Service Description rather than the page.

        At the endpoint URL anything but a browser's Accept gets it; at the root (``explicit``)
        only an Accept naming an RDF type (or ``?format=``) does.
        """
        if self.descriptions is None:
            return False
        accept = environ.get("HTTP_ACCEPT") or ""
        if "format=" in environ.get("QUERY_STRING", ""):
            return True
        if wants_html(accept, _RDF_TYPES):
            return False
        return not explicit or any(m in _RDF_TYPES for m, _ in accepted(accept))

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


_GRAPH_PARAMS: Final = ("default-graph-uri", "named-graph-uri")


def _iri_problem(value: str) -> str:
    """Why ``value`` is not an absolute IRI (as Oxigraph reads it), or ``""``."""
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        shown = value if len(value) <= 80 else value[:80] + "..."
        return f"not a valid absolute IRI: {shown!r} ({exc})"
    return ""


class _HTTPError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


__all__ = ["MAX_QUERY_BYTES", "App", "Response"]

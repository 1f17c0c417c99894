"""Real triple stores: push the graph over the Graph Store Protocol, query over the SPARQL Protocol.

Works with any SPARQL 1.1 server (Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso, Amazon
Neptune); only the standard protocols are used, through the standard library's ``http.client``
(with the proxy of ``$http_proxy``/``$https_proxy``/``$no_proxy``, as urllib would):

- :func:`push` replaces two named graphs, the curated data (:data:`~il2kg.query.stores.DATA_GRAPH`)
  and the ontology (:data:`~il2kg.query.stores.ONTOLOGY_GRAPH`), each with one ``PUT ...?graph=IRI``
  (SPARQL 1.1 Graph Store HTTP Protocol §5.3: a PUT replaces the graph's content).
- :func:`query_endpoint` sends a query that passed the gate (:func:`il2kg.query.gate.check_query`)
  as an HTML-form POST, with ``default-graph-uri`` = the data graph and ``named-graph-uri`` = the
  ontology graph (SPARQL 1.1 Protocol §2.1.4), the layout of the local engines, and returns the same
  :class:`~il2kg.query.results.Results` as the local engines, so every output format works.

What a remote can do to il2kg is bounded: one deadline (``timeout``) covers a whole request
(connect, send, every read, redirects); at most :data:`MAX_ANSWER_BYTES` of an answer and
:data:`MAX_ERROR_BYTES` of an error body are read; credentials go only to the origin (scheme, host,
port) of the URL they came with, as no redirect leaving it is followed, nor one that would turn the
request into a GET (301/302/303), nor https to http; a URL with ``user:password@`` is refused;
answers that are not SPARQL JSON results are an :class:`EndpointError`; and a remote's text reaches
a message only through :func:`clean_text` (no control characters, no terminal escapes).

The hook for ``il2kg query --endpoint``: ``query_endpoint(url, text, ...)`` returns ``Results``;
``Auth.from_options(user, password, token)`` builds credentials from the CLI options.

Where the endpoints are (examples): Oxigraph ``http://host:7878/store`` (push) and ``/query``;
Fuseki ``http://host:3030/ds/data`` and ``/ds/query``; GraphDB
``http://host:7200/repositories/ID/rdf-graphs/service`` and ``/repositories/ID``; Virtuoso
``http://host:8890/sparql-graph-crud-auth`` and ``/sparql``; Neptune
``https://host:8182/sparql/gsp/`` and ``/sparql``.

Why this module is longer than ~400 lines: the bounded HTTP client (one deadline, size caps, the
redirect policy) and the two protocols on top of it are kept together, so that no request can
bypass the client's rules.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from il2kg.errors import EndpointError, OptionError, QueryError, QueryTimeout
from il2kg.namespaces import DATASET_IRI, ONTOLOGY_IRI

if TYPE_CHECKING:
    from il2kg.query.gate import CheckedQuery
    from il2kg.query.results import Results, Term

#: The named graphs of a pushed il2kg (same values as :mod:`il2kg.query.stores`, kept import-light).
DATA_GRAPH: Final = DATASET_IRI
ONTOLOGY_GRAPH: Final = ONTOLOGY_IRI
#: The dataset a query sees on a remote store, as the local engines lay it out
#: (:mod:`il2kg.query.engines`): the data as default graph, the ontology as a named graph.
DEFAULT_GRAPHS: Final = (DATA_GRAPH,)
NAMED_GRAPHS: Final = (ONTOLOGY_GRAPH,)

#: Oxigraph answers a query stopped by its --timeout-s with HTTP 200 and this text in the body.
CANCELLED_MARKERS: Final = (b"operation has been cancelled", b"query has been cancelled")

#: The largest answer read from an endpoint (SPARQL JSON or N-Triples); a longer one is an
#: :class:`EndpointError`, read no further than this.
MAX_ANSWER_BYTES: Final = 256 * 1024 * 1024
#: The most read of an error body, or of what a store answers to a push; the rest is not read.
MAX_ERROR_BYTES: Final = 64 * 1024
#: Redirects followed at most: same origin, and only 307/308 (which repeat the method and body).
MAX_REDIRECTS: Final = 5
#: How much of a remote's text goes into a message.
MAX_EXCERPT_CHARS: Final = 500

_USER_AGENT: Final = "il2kg (https://w3id.org/il2kg)"
_XSD_DECIMAL: Final = "http://www.w3.org/2001/XMLSchema#decimal"
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CHUNK: Final = 64 * 1024
_LONGEST_WAIT: Final = 1e7  # seconds (115 days)
_REDIRECTS: Final = (301, 302, 303, 307, 308)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


# -- what a remote says, made safe to print -------------------------------------------------------


def clean_text(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    """``text`` made safe for a terminal and one message line: whitespace runs (CR, LF, tab…)
    become one space, every other control or format character (C0, DEL, C1 with ESC/CSI/OSC,
    bidi overrides, U+2028/U+2029) becomes a visible ``\\x1b``/``\\u202e`` escape; cut at
    ``limit`` characters (``…`` marks the cut)."""
    squeezed = " ".join(text.split())
    shown = "".join(_escaped(ch) for ch in squeezed[:limit])
    return shown + "…" if len(squeezed) > limit else shown


def _escaped(ch: str) -> str:
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def _body_text(body: bytes, limit: int = MAX_EXCERPT_CHARS) -> str:
    return clean_text(body[: limit * 4].decode("utf-8", "replace"), limit)


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*@")


def redact(url: str) -> str:
    """``url`` fit for a message: any ``user:password@`` replaced by ``***@``, control
    characters escaped, long URLs cut."""
    shown = _USERINFO.sub(lambda m: (m.group(1) or "") + "//***@", url.strip())
    if "//" not in url and "@" in url.split("?", 1)[0].split("#", 1)[0]:
        shown = "***@" + url.rpartition("@")[2]  # no scheme: drop everything before the last @
    return clean_text(shown, 300)


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    return (
        parts.scheme,
        (parts.hostname or "").lower(),
        parts.port or _DEFAULT_PORTS.get(parts.scheme, 0),
    )


def _show_origin(parts: urllib.parse.SplitResult) -> str:
    scheme, host, port = _origin(parts)
    host = f"[{host}]" if ":" in host else host
    return clean_text(f"{scheme}://{host}:{port}", 300)


@dataclass(frozen=True)
class Auth:
    """Credentials for a store: HTTP Basic (``user``/``password``) or a Bearer ``token``.

    They are sent to the origin (scheme, host and port) of the URL they were given with, and
    never to another: il2kg follows no redirect that leaves it.
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_options(
        cls, user: str | None = None, password: str | None = None, token: str | None = None
    ) -> Auth | None:
        """Credentials from CLI options, or ``None`` when none were given.

        Raises :class:`EndpointError` when both a user and a token are given, a password
        without a user, a user name with ``:``, or a value with control characters (a token
        must be printable ASCII). Messages never show a value.
        """
        if token and (user or password):
            raise EndpointError("give either --user/--password or --token, not both")
        if password and not user:
            raise EndpointError("--password needs --user")
        if not (user or token):
            return None
        for what, value in (("user name", user), ("password", password)):
            if value and any(unicodedata.category(c) == "Cc" for c in value):
                raise EndpointError(f"the {what} holds a control character (a newline?)")
        if user and ":" in user:
            raise EndpointError("an HTTP Basic user name cannot hold ':'")
        if token and not all("!" <= c <= "~" for c in token):
            raise EndpointError(
                "the token holds a space, a control character (a newline?) or non-ASCII text"
            )
        return cls(user, password, token)

    def header(self) -> str:
        """The ``Authorization`` header value."""
        if self.token:
            return f"Bearer {self.token}"
        raw = f"{self.user}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:  # never print secrets
        kind = "token" if self.token else f"user={self.user!r}"
        return f"Auth({kind})"


@dataclass(frozen=True)
class PushedGraph:
    """One named graph replaced by :func:`push`."""

    graph: str
    triples: int
    bytes: int
    status: int
    seconds: float


def check_endpoint_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host and no credentials in it; raise
    :class:`EndpointError` otherwise (the message never shows a ``user:password@``)."""
    shown = redact(url)
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        raise EndpointError(f"'{shown}' holds spaces or control characters: it is not a URL")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number or out of range)
    except ValueError as exc:
        raise EndpointError(f"'{shown}' is not a valid URL ({clean_text(str(exc))})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"'{shown}' is not an http(s) URL of a SPARQL endpoint or graph store")
    if "@" in parts.netloc:
        raise EndpointError(
            f"'{shown}' holds credentials (user:password@): il2kg does not take them from a URL, "
            "where they would be printed and logged. Give the URL without them and the "
            "credentials with --user/--password or --token (push), or with $IL2KG_USER/"
            "$IL2KG_PASSWORD or $IL2KG_TOKEN"
        )
    try:
        parts.hostname.encode("idna")
    except UnicodeError as exc:
        raise EndpointError(f"'{shown}' has a host name that is not valid") from exc
    return url


def _with_params(url: str, params: Sequence[tuple[str, str]]) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


# -- HTTP: one deadline, bounded reads, no redirect that leaves the origin -----------------------


class _Deadline:
    """One deadline for a whole request: connects, sends, every read, and redirects.

    A timer shuts the request's sockets down when it passes, which ends any blocked ``recv``,
    however slowly a server dribbles its answer (a socket timeout alone applies per read).
    """

    def __init__(self, timeout: float, shown: str) -> None:
        if not timeout > 0:  # also NaN
            raise OptionError(f"a timeout must be a positive number of seconds, not {timeout!r}")
        self.timeout = timeout
        self.shown = shown
        # beyond _LONGEST_WAIT (inf, 1e308) is "no limit": timers and sockets take no more
        self.end = time.monotonic() + min(timeout, _LONGEST_WAIT)
        self.fired = threading.Event()
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer: threading.Timer | None = None

    def expired(self) -> QueryTimeout:
        return QueryTimeout(f"{self.shown} did not answer within {self.timeout:g} s")

    def left(self) -> float:
        """Seconds left; raises :class:`QueryTimeout` when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self.fired.is_set():
            raise self.expired()
        return left

    def connect(
        self, address: tuple[str, int], timeout: float | None = None, source: Any = None
    ) -> socket.socket:
        """``socket.create_connection`` under the deadline (the hook http.client calls)."""
        sock = socket.create_connection(address, self.left(), source)
        with self._lock:
            # shutdown() acts on the connection, so a duplicate descriptor cuts the socket even
            # after TLS has taken it over
            self._watched.append(sock.dup())
            if self._timer is None:
                self._timer = threading.Timer(max(self.end - time.monotonic(), 0), self._cut)
                self._timer.daemon = True
                self._timer.start()
        return sock

    def _cut(self) -> None:
        self.fired.set()
        with self._lock:
            for sock in self._watched:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        with self._lock:
            for sock in self._watched:
                sock.close()
            self._watched.clear()


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str
    location: str | None
    over: bool  # the body was longer than what was read


def _proxy_for(scheme: str, host: str) -> tuple[str, int, dict[str, str]] | None:
    """The proxy urllib would use for ``scheme://host`` ($http_proxy, $https_proxy, $no_proxy)."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if not parts.hostname:
        return None
    headers = {}
    if parts.username is not None:
        raw = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode("ascii")
    return parts.hostname, parts.port or 8080, headers


def _connection(
    parts: urllib.parse.SplitResult, deadline: _Deadline
) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection to ``parts`` (through the environment's proxy, if any), the request target,
    and headers for the proxy."""
    host = (parts.hostname or "").encode("idna").decode("ascii")
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    target = urllib.parse.quote(target, safe="!#$%&'()*+,-./:;=?@[]^_`{|}~")
    proxy = _proxy_for(parts.scheme, host)
    extra: dict[str, str] = {}
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if proxy is None:
            conn = http.client.HTTPSConnection(host, port, context=context)
        else:
            conn = http.client.HTTPSConnection(proxy[0], proxy[1], context=context)
            conn.set_tunnel(host, port, headers=proxy[2])
    elif proxy is None:
        conn = http.client.HTTPConnection(host, port)
    else:
        conn = http.client.HTTPConnection(proxy[0], proxy[1])
        netloc = f"[{host}]" if ":" in host else host
        target = f"http://{netloc}{'' if port == 80 else f':{port}'}{target}"
        extra = proxy[2]
    conn.__dict__["_create_connection"] = deadline.connect  # every socket under the deadline
    return conn, target, extra


def _read(resp: http.client.HTTPResponse, cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of the body, read in chunks; and whether there was more."""
    chunks: list[bytes] = []
    size = 0
    while size <= cap:
        chunk = resp.read1(min(_CHUNK, cap + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:cap], True


def _exchange(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    deadline: _Deadline,
    cap: int,
) -> _Reply:
    """One request and its answer (at most ``cap`` bytes of a 2xx body, :data:`MAX_ERROR_BYTES`
    of any other), under ``deadline``."""
    shown = redact(url)
    parts = urllib.parse.urlsplit(url)
    conn, target, extra = _connection(parts, deadline)
    try:
        sent: OSError | None = None
        try:
            conn.request(method, target, body=body, headers={**headers, **extra})
        except (BrokenPipeError, ConnectionResetError) as exc:
            sent = exc  # the server may have answered before taking the whole body (413…)
        try:
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException):
            if sent is not None:
                raise sent from None
            raise
        status = resp.status
        location = resp.getheader("Location")
        content_type = resp.getheader("Content-Type", "") or ""
        if status in _REDIRECTS and location is not None:
            return _Reply(status, b"", content_type, location, False)
        limit = cap if 200 <= status < 300 else MAX_ERROR_BYTES
        length = resp.getheader("Content-Length", "")
        if length.isdigit() and int(length) > limit and limit == cap:
            data, over = b"", True
        else:
            data, over = _read(resp, limit)
        if deadline.fired.is_set():  # a body ended by the deadline's cut is not whole
            raise deadline.expired()
        return _Reply(status, data, content_type, None, over)
    except QueryTimeout:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if deadline.fired.is_set() or isinstance(exc, TimeoutError):
            raise deadline.expired() from exc
        if isinstance(exc, http.client.HTTPException) and not isinstance(
            exc, http.client.RemoteDisconnected | http.client.IncompleteRead
        ):
            raise EndpointError(
                f"{shown} answered with a malformed HTTP response ({type(exc).__name__})"
            ) from exc
        reason = clean_text(str(exc) or type(exc).__name__)
        raise EndpointError(f"cannot reach {shown}: {reason}") from exc
    finally:
        conn.close()


def _redirect(method: str, url: str, status: int, location: str) -> str:
    """The URL a redirect leads to, if il2kg may follow it; else :class:`EndpointError`.

    Followed: 307 and 308 to the same origin (scheme, host and port), which repeat the method
    and its body. Refused: another origin (the credentials stay with theirs), https to http,
    and 301/302/303, which would turn the request into a GET without its query or data.
    """
    shown = redact(url)
    try:
        target = urllib.parse.urljoin(url, location.strip())
        parts = urllib.parse.urlsplit(target)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError as exc:
        raise EndpointError(
            f"{shown} redirected (HTTP {status}) to an invalid URL: {redact(location)}"
        ) from exc
    here = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(
            f"{shown} redirected (HTTP {status}) to {redact(target)}, which is not an http(s) URL"
        )
    where = _show_origin(parts)
    if here.scheme == "https" and parts.scheme == "http":
        raise EndpointError(
            f"{shown} redirected (HTTP {status}) from https to plain http ({where}); refused: "
            "the request and its credentials would travel unencrypted"
        )
    if _origin(parts) != _origin(here) or "@" in parts.netloc:
        raise EndpointError(
            f"{shown} redirected (HTTP {status}) to another origin, {where}; not followed, "
            "so that credentials stay with their origin. If you trust it, give that URL instead"
        )
    if status not in (307, 308):
        raise EndpointError(
            f"{shown} redirected (HTTP {status}) to {where}{clean_text(parts.path, 200)}; not "
            f"followed: a {status} would turn the {method} into a GET without its "
            f"{'query' if method == 'POST' else 'data'}. Give that URL instead"
        )
    return urllib.parse.urlunsplit(parts._replace(fragment=""))


def _request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    auth: Auth | None,
    timeout: float,
    cap: int | None = None,
) -> _Reply:
    """Send one request under one deadline of ``timeout`` seconds (connects, sends, reads and
    redirects together) and read at most ``cap`` bytes of its answer (default
    :data:`MAX_ANSWER_BYTES`).

    Raises :class:`EndpointError` (unreachable, malformed answer, a redirect not followed) or
    :class:`QueryTimeout`.
    """
    check_endpoint_url(url)
    head = {"User-Agent": _USER_AGENT, **headers}
    if auth is not None:
        head["Authorization"] = auth.header()
    deadline = _Deadline(timeout, redact(url))
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            reply = _exchange(
                method, current, body, head, deadline, MAX_ANSWER_BYTES if cap is None else cap
            )
            if reply.location is None:
                return reply
            current = _redirect(method, current, reply.status, reply.location)
        raise EndpointError(f"{redact(url)} redirected more than {MAX_REDIRECTS} times")
    finally:
        deadline.close()


def _http_error(what: str, url: str, status: int, body: bytes) -> EndpointError:
    text = _body_text(body)
    hint = ""
    if status in (401, 403):
        hint = " (check --user/--password or --token, and that the store accepts writes)"
    elif status == 404:
        hint = " (is this the store's Graph Store Protocol URL, e.g. http://host:7878/store?)"
    elif status == 405:
        hint = " (the URL does not accept this method: is it the right endpoint?)"
    elif 300 <= status < 400:
        hint = " (a redirect without a Location)"
    excerpt = f": {text}" if text else ""
    return EndpointError(f"{what} {redact(url)} failed with HTTP {status}{hint}{excerpt}")


def put_graph(
    store_url: str,
    graph: str,
    data: bytes,
    content_type: str = "application/n-triples",
    auth: Auth | None = None,
    timeout: float = 600.0,
) -> int:
    """Replace the named graph ``graph`` of a Graph Store Protocol service with ``data``.

    Returns the HTTP status (200, 201 or 204). Raises :class:`EndpointError`, or
    :class:`QueryTimeout` past ``timeout`` seconds for the whole request. At most
    :data:`MAX_ERROR_BYTES` of what the store answers is read.
    """
    url = _with_params(check_endpoint_url(store_url), [("graph", graph)])
    reply = _request(
        "PUT", url, data, {"Content-Type": content_type}, auth, timeout, cap=MAX_ERROR_BYTES
    )
    if reply.status not in (200, 201, 204):
        raise _http_error("PUT", url, reply.status, reply.body)
    return reply.status


def push(
    ntriples: bytes,
    store_url: str,
    graph: str = DATA_GRAPH,
    ontology_graph: str | None = ONTOLOGY_GRAPH,
    auth: Auth | None = None,
    timeout: float = 600.0,
) -> list[PushedGraph]:
    """Replace the data graph (``ntriples``, and the ontology graph unless ``None``) in a remote
    store whose Graph Store Protocol URL is ``store_url``.

    :raises EndpointError: when the store refuses or cannot be reached.
    """
    from il2kg.query.stores import ontology_ntriples

    if ontology_graph is not None and ontology_graph == graph:
        raise EndpointError("the data and the ontology must go to different named graphs")
    payloads = [(graph, ntriples)]
    if ontology_graph is not None:
        payloads.append((ontology_graph, ontology_ntriples()))
    pushed = []
    for iri, data in payloads:
        t = time.perf_counter()
        status = put_graph(store_url, iri, data, auth=auth, timeout=timeout)
        pushed.append(
            PushedGraph(iri, data.count(b"\n"), len(data), status, time.perf_counter() - t)
        )
    return pushed


# -- queries ------------------------------------------------------------------------------------


def _not_json_results(why: str) -> EndpointError:
    return EndpointError(f"the endpoint did not answer with SPARQL JSON results: {why}")


def _term(d: object, var: str, row: int) -> Term:
    from il2kg.query.results import Term

    where = f"binding of ?{clean_text(var, 100)} in result {row + 1}"
    if not isinstance(d, dict):
        raise _not_json_results(f"the {where} is a {type(d).__name__}, not an RDF term object")
    kind = d.get("type")
    value = d.get("value")
    datatype = d.get("datatype")
    lang = d.get("xml:lang")
    if not isinstance(value, str):
        raise _not_json_results(f"the {where} has no string 'value'")
    if not (datatype is None or isinstance(datatype, str)) or not (
        lang is None or isinstance(lang, str)
    ):
        raise _not_json_results(f"the {where} has a 'datatype' or 'xml:lang' that is no string")
    try:
        if kind == "uri":
            return Term.iri(value)
        if kind == "bnode":
            return Term("bnode", value)
        if kind in ("literal", "typed-literal"):
            if datatype == _XSD_DECIMAL and not _DECIMAL.fullmatch(value):
                # no exponent in xsd:decimal: "1e999999999" would be a billion digits
                raise ValueError(f"{clean_text(value, 40)!r} is not an xsd:decimal")
            return Term.literal(value, datatype, lang)
    except (ValueError, ArithmeticError) as exc:
        raise _not_json_results(
            f"the {where} is not a valid term ({clean_text(str(exc))})"
        ) from exc
    shown = clean_text(repr(kind), 100)
    raise EndpointError(f"the endpoint sent an RDF term of unknown type {shown} ({where})")


def results_from_json(data: bytes, limit: int | None = None) -> Results:
    """Parse SPARQL 1.1 Query Results JSON (a ``SELECT`` or ``ASK`` answer) into ``Results``.

    Keeps the first ``limit`` rows (all when ``None``); ``total`` counts them all.
    Raises :class:`EndpointError` when the body is not SPARQL JSON results: not JSON, no
    ``head``, ``vars`` not a list of names, ``bindings`` not a list of objects, a term that is
    not an object with a string ``value``, a ``boolean`` that is not ``true``/``false``.
    """
    from il2kg.query.results import Results

    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        why = clean_text(str(exc)) if isinstance(exc, ValueError) else "nested too deeply"
        raise EndpointError(f"the endpoint did not answer with SPARQL JSON: {why}") from exc
    if not isinstance(doc, dict):
        raise _not_json_results(f"the answer is a JSON {type(doc).__name__}, not an object")
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise _not_json_results("'boolean' is not true or false")
        return Results(form="ASK", boolean=doc["boolean"], total=1, engine="remote")
    head = doc.get("head")
    if not isinstance(head, dict):
        raise _not_json_results("no 'head' object")
    variables = head.get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _not_json_results("'head.vars' is not a list of variable names")
    results = doc.get("results")
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list):
        raise _not_json_results("'results.bindings' is not a list")
    kept = bindings if limit is None else bindings[:limit]
    rows = []
    for i, b in enumerate(kept):
        if not isinstance(b, dict):
            raise _not_json_results(f"result {i + 1} is a {type(b).__name__}, not an object")
        rows.append(tuple(_term(b[v], v, i) if v in b else None for v in variables))
    for i, b in enumerate(bindings[len(kept) :], start=len(kept)):
        if not isinstance(b, dict):  # counted rows are checked as well
            raise _not_json_results(f"result {i + 1} is a {type(b).__name__}, not an object")
    return Results(
        form="SELECT",
        variables=tuple(variables),
        rows=tuple(rows),
        total=len(bindings),
        truncated=len(kept) < len(bindings),
        engine="remote",
    )


def triples_from_ntriples(data: bytes, form: str, limit: int | None = None) -> Results:
    """Parse an N-Triples answer of a ``CONSTRUCT``/``DESCRIBE`` query into ``Results``."""
    import pyoxigraph as ox

    from il2kg.query.results import Results, Term

    def conv(t: Any) -> Term:
        if isinstance(t, ox.NamedNode):
            return Term.iri(t.value)
        if isinstance(t, ox.BlankNode):
            return Term("bnode", t.value)
        return Term.literal(t.value, t.datatype.value, t.language)

    try:
        triples = sorted(
            {
                (conv(t.subject), conv(t.predicate), conv(t.object))
                for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            },
            key=lambda tr: tuple(x.n3() for x in tr),
        )
    except SyntaxError as exc:
        raise EndpointError(f"the endpoint sent invalid N-Triples: {exc}") from exc
    kept = triples if limit is None else triples[:limit]
    return Results(
        form=form,
        triples=tuple(kept),
        total=len(triples),
        truncated=len(kept) < len(triples),
        engine="remote",
    )


def inject_values(text: str, bindings: Mapping[str, Term]) -> str:
    """``text`` with ``VALUES`` rows binding ``bindings`` at the start of its WHERE group.

    Remote endpoints have no substitution API; a ``VALUES`` block first in the outermost group
    pattern is in scope for its triple patterns and ``FILTER`` s, as a substitution would be.
    Raises :class:`~il2kg.errors.QueryError` when the query has no group pattern to bind in.
    """
    from il2kg.query.gate import tokenize, unescape

    if not bindings:
        return text
    source = unescape(text)
    tokens = tokenize(source)
    start = 0
    for i, tok in enumerate(tokens):
        if tok.kind == "word" and tok.text.upper() == "WHERE":
            start = i
            break
    brace = next((t for t in tokens[start:] if t.text == "{"), None)
    if brace is None:
        raise QueryError("this query has no WHERE group in which to bind parameters")
    lines = source.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: brace.line - 1]) + brace.column
    names = list(bindings)
    block = (
        " VALUES ("
        + " ".join(f"?{n}" for n in names)
        + ") { ("
        + " ".join(bindings[n].n3() for n in names)
        + ") } "
    )
    return source[:offset] + block + source[offset:]


def query_endpoint(
    url: str,
    query: str | CheckedQuery,
    *,
    bindings: Mapping[str, Term] | None = None,
    default_graphs: Sequence[str] | None = DEFAULT_GRAPHS,
    named_graphs: Sequence[str] | None = NAMED_GRAPHS,
    auth: Auth | None = None,
    timeout: float = 30.0,
    limit: int | None = None,
) -> Results:
    """Run a read-only query on a remote SPARQL endpoint; return engine-independent ``Results``.

    The query passes the gate first (no update, ``SERVICE`` or ``FROM``; the pinned prefixes
    are declared for it). ``bindings`` (see :func:`il2kg.query.params.bind_params`) are sent as a
    ``VALUES`` block (:func:`inject_values`). ``default_graphs`` and ``named_graphs`` become ``default-graph-uri`` and
    ``named-graph-uri`` parameters (both ``None``: the store's own dataset); the defaults give
    the layout of the local engines, so a store filled by :func:`push` answers as they do. Raises :class:`~il2kg.errors.QueryError` for a
    refused query or one the endpoint rejects (HTTP 400), :class:`~il2kg.errors.QueryTimeout`
    when it runs past ``timeout`` (also when the server reports cancelling it), and
    :class:`EndpointError` for other failures.
    """
    from il2kg.query.gate import CheckedQuery, check_query

    checked = query if isinstance(query, CheckedQuery) else check_query(query)
    terms = dict(bindings or {})
    # the VALUES block holds only terms serialised by Term.n3 (IRIs and literals checked when made)
    sent = replace(checked, text=inject_values(checked.text, terms)) if terms else checked
    params = [("query", sent.with_prologue())]
    params += [("default-graph-uri", g) for g in default_graphs or ()]
    params += [("named-graph-uri", g) for g in named_graphs or ()]
    graph_form = checked.form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph_form else "application/sparql-results+json"
    t = time.perf_counter()
    reply = _request(
        "POST",
        check_endpoint_url(url),
        urllib.parse.urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        auth,
        timeout,
    )
    elapsed = time.perf_counter() - t
    status, body, shown = reply.status, reply.body, redact(url)
    if any(m in body[-300:] for m in CANCELLED_MARKERS) or (
        status in (503, 504) and b"timeout" in body.lower()
    ):
        raise QueryTimeout(f"the query ran past the time limit of {shown}")
    if status == 400:
        raise QueryError(f"{shown} refused the query: {_body_text(body, 1000)}")
    if status != 200:
        raise _http_error("query on", url, status, body)
    if reply.over:
        raise EndpointError(
            f"the answer of {shown} is over {MAX_ANSWER_BYTES:,} bytes, the most il2kg reads "
            "of an answer; ask for less (LIMIT, fewer variables)"
        )
    results = (
        triples_from_ntriples(body, checked.form, limit)
        if graph_form
        else results_from_json(body, limit)
    )
    object.__setattr__(results, "elapsed", elapsed)
    return results

"""Real triple stores: push the graph over the Graph Store Protocol, query over the SPARQL Protocol.

Works with any SPARQL 1.1 server (Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso, Amazon
Neptune); only the standard protocols are used, through the standard library's HTTP client:

- :func:`push` replaces two named graphs, the curated data (:data:`~il2kg.query.stores.DATA_GRAPH`)
  and the ontology (:data:`~il2kg.query.stores.ONTOLOGY_GRAPH`), each with one ``PUT ...?graph=IRI``
  (SPARQL 1.1 Graph Store HTTP Protocol §5.3: a PUT replaces the graph's content).
- :func:`query_endpoint` sends a query that passed the gate (:func:`il2kg.query.gate.check_query`)
  as an HTML-form POST, with ``default-graph-uri`` = the data graph and ``named-graph-uri`` = the
  ontology graph (SPARQL 1.1 Protocol §2.1.4), the layout of the local engines, and returns the same
  :class:`~il2kg.query.results.Results` as the local engines, so every output format works.

The hook for ``il2kg query --endpoint``: ``query_endpoint(url, text, ...)`` returns ``Results``;
``Auth.from_options(user, password, token)`` builds credentials from the CLI options.

Where the endpoints are (examples): Oxigraph ``http://host:7878/store`` (push) and ``/query``;
Fuseki ``http://host:3030/ds/data`` and ``/ds/query``; GraphDB
``http://host:7200/repositories/ID/rdf-graphs/service`` and ``/repositories/ID``; Virtuoso
``http://host:8890/sparql-graph-crud-auth`` and ``/sparql``; Neptune
``https://host:8182/sparql/gsp/`` and ``/sparql``.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from il2kg.errors import EndpointError, QueryError, QueryTimeout
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

_USER_AGENT: Final = "il2kg (https://w3id.org/il2kg)"


@dataclass(frozen=True)
class Auth:
    """Credentials for a store: HTTP Basic (``user``/``password``) or a Bearer ``token``."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_options(
        cls, user: str | None = None, password: str | None = None, token: str | None = None
    ) -> Auth | None:
        """Credentials from CLI options, or ``None`` when none were given.

        Raises :class:`EndpointError` when both a user and a token are given, or a password
        without a user.
        """
        if token and (user or password):
            raise EndpointError("give either --user/--password or --token, not both")
        if password and not user:
            raise EndpointError("--password needs --user")
        if not (user or token):
            return None
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
    """``url`` if it is an http(s) URL with a host; raise :class:`EndpointError` otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"'{url}' is not an http(s) URL of a SPARQL endpoint or graph store")
    return url


def _with_params(url: str, params: Sequence[tuple[str, str]]) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


def _request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    auth: Auth | None,
    timeout: float,
) -> tuple[int, bytes, str]:
    """Send one request; return (status, body, content type). Raises EndpointError/QueryTimeout."""
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("User-Agent", _USER_AGENT)
    for k, v in headers.items():
        req.add_header(k, v)
    if auth is not None:
        req.add_header("Authorization", auth.header())
    opener = urllib.request.build_opener(urllib.request.HTTPRedirectHandler())
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:2000].decode("utf-8", "replace").strip()
        return exc.code, detail.encode(), exc.headers.get("Content-Type", "") if exc.headers else ""
    except TimeoutError as exc:
        raise QueryTimeout(f"{url} did not answer within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise QueryTimeout(f"{url} did not answer within {timeout:g} s") from exc
        raise EndpointError(f"cannot reach {url}: {reason}") from exc
    except OSError as exc:
        raise EndpointError(f"cannot reach {url}: {exc}") from exc


def _http_error(what: str, url: str, status: int, body: bytes) -> EndpointError:
    text = body.decode("utf-8", "replace").strip()
    hint = ""
    if status in (401, 403):
        hint = " (check --user/--password or --token, and that the store accepts writes)"
    elif status == 404:
        hint = " (is this the store's Graph Store Protocol URL, e.g. http://host:7878/store?)"
    elif status == 405:
        hint = " (the URL does not accept this method: is it the right endpoint?)"
    excerpt = f": {text[:500]}" if text else ""
    return EndpointError(f"{what} {url} failed with HTTP {status}{hint}{excerpt}")


def put_graph(
    store_url: str,
    graph: str,
    data: bytes,
    content_type: str = "application/n-triples",
    auth: Auth | None = None,
    timeout: float = 600.0,
) -> int:
    """Replace the named graph ``graph`` of a Graph Store Protocol service with ``data``.

    Returns the HTTP status (200, 201 or 204). Raises :class:`EndpointError`.
    """
    url = _with_params(check_endpoint_url(store_url), [("graph", graph)])
    status, body, _ = _request("PUT", url, data, {"Content-Type": content_type}, auth, timeout)
    if status not in (200, 201, 204):
        raise _http_error("PUT", url, status, body)
    return status


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


def _term(d: dict[str, Any]) -> Term:
    from il2kg.query.results import Term

    kind = d.get("type")
    value = str(d.get("value", ""))
    if kind == "uri":
        return Term.iri(value)
    if kind == "bnode":
        return Term("bnode", value)
    if kind in ("literal", "typed-literal"):
        return Term.literal(value, d.get("datatype"), d.get("xml:lang"))
    raise EndpointError(f"the endpoint sent an RDF term of unknown type {kind!r}")


def results_from_json(data: bytes, limit: int | None = None) -> Results:
    """Parse SPARQL 1.1 Query Results JSON (a ``SELECT`` or ``ASK`` answer) into ``Results``.

    Keeps the first ``limit`` rows (all when ``None``); ``total`` counts them all.
    Raises :class:`EndpointError` when the body is not SPARQL JSON results.
    """
    from il2kg.query.results import Results

    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise EndpointError(f"the endpoint did not answer with SPARQL JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise EndpointError("the endpoint did not answer with SPARQL JSON results")
    if "boolean" in doc:
        return Results(form="ASK", boolean=bool(doc["boolean"]), total=1, engine="remote")
    try:
        variables = tuple(doc["head"]["vars"])
        bindings = doc["results"]["bindings"]
    except (KeyError, TypeError) as exc:
        raise EndpointError("the endpoint did not answer with SPARQL JSON results") from exc
    kept = bindings if limit is None else bindings[:limit]
    rows = tuple(tuple(_term(b[v]) if v in b else None for v in variables) for b in kept)
    return Results(
        form="SELECT",
        variables=variables,
        rows=rows,
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
    status, body, _ = _request(
        "POST",
        check_endpoint_url(url),
        urllib.parse.urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        auth,
        timeout,
    )
    elapsed = time.perf_counter() - t
    if any(m in body[-300:] for m in CANCELLED_MARKERS) or (
        status in (503, 504) and b"timeout" in body.lower()
    ):
        raise QueryTimeout(f"the query ran past the time limit of {url}")
    if status == 400:
        raise QueryError(
            f"{url} refused the query: {body.decode('utf-8', 'replace').strip()[:1000]}"
        )
    if status != 200:
        raise _http_error("query on", url, status, body)
    results = (
        triples_from_ntriples(body, checked.form, limit)
        if graph_form
        else results_from_json(body, limit)
    )
    object.__setattr__(results, "elapsed", elapsed)
    return results

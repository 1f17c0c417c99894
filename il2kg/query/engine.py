"""SPARQL over the knowledge graph: safe execution on two engines, reasoning, named queries.

The pieces, in the order a query meets them:

1. **The gate** (:func:`il2kg.query.gate.check_query`): refuses Update, ``SERVICE`` and
   ``FROM`` before any engine sees the text; predeclares the prefix map.
2. **Parameters** (:class:`Param`): ``--param entity=IL2RB`` is bound as an RDF term through the
   engine's own mechanism (pyoxigraph ``substitutions``, rdflib ``initBindings``), never pasted
   into the text; an ``entity`` value may be a CURIE, an IRI, a label or a synonym.
3. **Isolation** (:func:`execute`): the query runs in a forked child process that blocks
   sockets, ``urllib`` and subprocesses with an audit hook (and sets rdflib's
   ``SPARQL_LOAD_GRAPHS = False``); the parent kills it at the timeout
   (:class:`~il2kg.errors.QueryTimeout`, exit 3) and answers are capped at ``limit`` rows while
   the rest are only counted.
4. **Engines**: ``oxigraph`` (default; pyoxigraph imports in ~10 ms and answers in ms) or
   ``rdflib``. Both load the data graph as the default graph and the ontology as the named graph
   ``<https://w3id.org/il2kg/ontology>``, and give equal :class:`~il2kg.query.results.Results`.
5. **Reasoning** (:data:`REASONING`): ``none`` (default) or ``rdfs``, which materialises, with
   SPARQL ``INSERT`` s on either engine, the ``owl:inverseOf`` and ``owl:SymmetricProperty``
   triples, the ``rdfs:subPropertyOf*`` triples, types from ``rdfs:domain``/``rdfs:range`` (named
   classes, object properties) and ``rdfs:subClassOf*`` types: one pass, in that order, in ms.

Named queries (:func:`named_queries`) are ``il2kg/queries/*.rq`` with a comment header::

    # question: Which kinases associate with the IL-2 receptor, and which chain does each bind?
    # param: complex (entity, default IL2KG:IL2R_ABG): the receptor complex
    # expect-columns: kinase chain
    # expect: HGNC:6190 HGNC:6009
    # expect: HGNC:6193 HGNC:6010

``expect`` rows (shell-quoted words: CURIEs for IRIs, lexical forms for literals, ``true`` or
``false`` for ASK) are the answer on the shipped data, projected on ``expect-columns``; the tests
compare them as exact sets.
"""

from __future__ import annotations

import os
import pickle
import re
import select
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

from il2kg.errors import Il2kgError, QueryError, QueryTimeout, UnknownEntityError
from il2kg.namespaces import ONTOLOGY_IRI, VOCABULARIES, check_curie, expand, split_curie
from il2kg.query.gate import PREDECLARED, CheckedQuery, check_query, syntax_error
from il2kg.query.results import Results, Row, Term, Triple
from il2kg.resources import ontology_dir, queries_dir

ENGINES: Final = ("oxigraph", "rdflib")
REASONING: Final = ("none", "rdfs")
DEFAULT_ENGINE: Final = "oxigraph"
DEFAULT_REASONING: Final = "none"
#: Seconds a query may run (the child process is killed after that).
DEFAULT_TIMEOUT: Final = 5.0
#: Rows (or triples) returned at most; more are counted, not returned.
DEFAULT_LIMIT: Final = 10_000
#: Answers counted at most beyond the limit.
COUNT_CAP: Final = 1_000_000
PARAM_TYPES: Final = ("entity", "iri", "string", "integer", "decimal", "year")

_XSD = VOCABULARIES["xsd"]
_RDFS = VOCABULARIES["rdfs"]
_RDF = VOCABULARIES["rdf"]
_SKOS = VOCABULARIES["skos"]
_DCT = VOCABULARIES["dcterms"]
_LABEL = _RDFS + "label"

# -- reasoning ------------------------------------------------------------------------------------

_ONT = f"<{ONTOLOGY_IRI}>"
#: The materialisation of ``--reasoning rdfs``: SPARQL Updates run in this order.
RDFS_RULES: Final = (
    # owl:inverseOf, declared in either direction
    f"INSERT {{ ?o ?q ?s }} WHERE {{ GRAPH {_ONT} {{ {{ ?p owl:inverseOf ?q }} UNION "
    f"{{ ?q owl:inverseOf ?p }} }} ?s ?p ?o . FILTER(isIRI(?o) && isIRI(?q)) }}",
    f"INSERT {{ ?o ?p ?s }} WHERE {{ GRAPH {_ONT} {{ ?p a owl:SymmetricProperty }} "
    f"?s ?p ?o . FILTER(isIRI(?o)) }}",
    # rdfs7: sub-properties
    f"INSERT {{ ?s ?q ?o }} WHERE {{ GRAPH {_ONT} {{ ?p rdfs:subPropertyOf+ ?q }} ?s ?p ?o }}",
    # rdfs2/rdfs3: domain and range (named classes, object properties)
    f"INSERT {{ ?s a ?c }} WHERE {{ GRAPH {_ONT} {{ ?p rdfs:domain ?c . FILTER(isIRI(?c)) }} "
    f"?s ?p ?o }}",
    f"INSERT {{ ?o a ?c }} WHERE {{ GRAPH {_ONT} {{ ?p a owl:ObjectProperty ; rdfs:range ?c . "
    f"FILTER(isIRI(?c)) }} ?s ?p ?o . FILTER(isIRI(?o)) }}",
    # rdfs9: super-classes
    f"INSERT {{ ?x a ?d }} WHERE {{ GRAPH {_ONT} {{ ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?d)) }} "
    f"?x a ?c }}",
)
_RULE_PREFIXES: Final = {"owl": VOCABULARIES["owl"], "rdfs": _RDFS}


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        raise QueryError(f"unknown {what} '{value}' (choose from {', '.join(choices)})")


def oxigraph_store(ntriples: bytes, reasoning: str = DEFAULT_REASONING) -> Any:
    """A pyoxigraph ``Store``: the data as default graph, the ontology as a named graph."""
    import pyoxigraph as ox

    _check_choice(reasoning, REASONING, "reasoning")
    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    store.load(
        path=ontology_dir() / "il2kg.ttl",
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(ONTOLOGY_IRI),
    )
    if reasoning == "rdfs":
        for rule in RDFS_RULES:
            store.update(rule, prefixes=_RULE_PREFIXES)
    return store


def rdflib_dataset(ntriples: bytes, reasoning: str = DEFAULT_REASONING) -> Any:
    """An rdflib ``Dataset``: the data as default graph, the ontology as a named graph."""
    from rdflib import Dataset, URIRef

    _check_choice(reasoning, REASONING, "reasoning")
    ds = Dataset()
    ds.default_graph.parse(data=ntriples, format="nt")
    ds.graph(URIRef(ONTOLOGY_IRI)).parse(ontology_dir() / "il2kg.ttl", format="turtle")
    if reasoning == "rdfs":
        for rule in RDFS_RULES:
            ds.update(rule, initNs=_RULE_PREFIXES)
    return ds


# -- engine adapters (run inside the child) -------------------------------------------------------


class _Engine:
    name = ""

    def run(
        self, text: str, prefixes: dict[str, str], bindings: dict[str, Term]
    ) -> tuple[str, tuple[str, ...], Any]:
        raise NotImplementedError

    def label(self, iri: str) -> str | None:
        raise NotImplementedError


class _Oxigraph(_Engine):
    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.store = store
        self._label = ox.NamedNode(_LABEL)

    def _to_ox(self, t: Term) -> Any:
        ox = self.ox
        if t.kind == "uri":
            return ox.NamedNode(t.value)
        if t.kind == "bnode":
            return ox.BlankNode(t.value)
        if t.lang:
            return ox.Literal(t.value, language=t.lang)
        if t.datatype:
            return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype))
        return ox.Literal(t.value)

    def term(self, node: Any) -> Term:
        ox = self.ox
        if isinstance(node, ox.NamedNode):
            return Term.iri(node.value)
        if isinstance(node, ox.BlankNode):
            return Term("bnode", node.value)
        if isinstance(node, ox.Literal):
            return Term.literal(node.value, node.datatype.value, node.language)
        return Term.literal(str(node))

    def run(
        self, text: str, prefixes: dict[str, str], bindings: dict[str, Term]
    ) -> tuple[str, tuple[str, ...], Any]:
        ox = self.ox
        subs = {ox.Variable(k): self._to_ox(v) for k, v in bindings.items()}
        try:
            res = self.store.query(text, prefixes=prefixes, substitutions=subs or None)
        except SyntaxError as exc:
            raise syntax_error(text, str(exc)) from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None
        if isinstance(res, ox.QueryBoolean):
            return "ASK", (), bool(res)
        if isinstance(res, ox.QuerySolutions):
            names = tuple(v.value for v in res.variables)
            rows = (
                tuple(self.term(s[i]) if s[i] is not None else None for i in range(len(names)))
                for s in res
            )
            return "SELECT", names, rows
        return (
            "GRAPH",
            (),
            ((self.term(t.subject), self.term(t.predicate), self.term(t.object)) for t in res),
        )

    def label(self, iri: str) -> str | None:
        for q in self.store.quads_for_pattern(
            self.ox.NamedNode(iri), self._label, None, self.ox.DefaultGraph()
        ):
            return str(q.object.value)
        return None


class _Rdflib(_Engine):
    name = "rdflib"

    def __init__(self, ds: Any) -> None:
        import rdflib
        import rdflib.plugins.sparql

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.rdflib = rdflib
        self.ds = ds
        self._label = rdflib.URIRef(_LABEL)

    def _to_rdflib(self, t: Term) -> Any:
        r = self.rdflib
        if t.kind == "uri":
            return r.URIRef(t.value)
        if t.kind == "bnode":
            return r.BNode(t.value)
        return r.Literal(
            t.value, lang=t.lang, datatype=r.URIRef(t.datatype) if t.datatype else None
        )

    def term(self, node: Any) -> Term:
        r = self.rdflib
        if isinstance(node, r.Literal):
            dt = str(node.datatype) if node.datatype is not None else None
            return Term.literal(str(node), dt, node.language)
        if isinstance(node, r.BNode):
            return Term("bnode", str(node))
        return Term.iri(str(node))

    def run(
        self, text: str, prefixes: dict[str, str], bindings: dict[str, Term]
    ) -> tuple[str, tuple[str, ...], Any]:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            parsed = parseQuery(text)
        except ParseException as exc:
            raise syntax_error(text, f"at {exc.lineno}:{exc.col}: {exc.msg}") from None
        _walk_rdflib_algebra(parsed)
        init = {self.rdflib.Variable(k): self._to_rdflib(v) for k, v in bindings.items()}
        try:
            res = self.ds.query(text, initNs=prefixes, initBindings=init)
        except Il2kgError:
            raise
        except Exception as exc:  # rdflib raises many kinds of errors on evaluation
            raise QueryError(f"query failed ({type(exc).__name__}): {exc}") from None
        if res.type == "ASK":
            return "ASK", (), bool(res.askAnswer)
        if res.type == "SELECT":
            names = tuple(str(v) for v in (res.vars or ()))
            rows = (tuple(self.term(x) if x is not None else None for x in row) for row in res)
            return "SELECT", names, rows
        assert res.graph is not None
        return "GRAPH", (), ((self.term(s), self.term(p), self.term(o)) for s, p, o in res.graph)

    def label(self, iri: str) -> str | None:
        v = self.ds.default_graph.value(self.rdflib.URIRef(iri), self._label)
        return str(v) if v is not None else None


def _walk_rdflib_algebra(parsed: Any) -> None:
    """Second line of defence on the rdflib engine: refuse SERVICE / FROM in the parse tree."""
    stack: list[Any] = [parsed]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise QueryError("SERVICE (a federated query) is disabled")
        if name == "DatasetClause":
            raise QueryError("FROM / FROM NAMED is disabled")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


# -- parameters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A declared parameter of a named query: ``name``, ``type`` (:data:`PARAM_TYPES`),
    ``default`` (as written, e.g. a CURIE) and a one-line ``help``."""

    name: str
    type: str = "entity"
    default: str | None = None
    help: str = ""


_INT_RE = re.compile(r"[+-]?\d+")
_DEC_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)")


def _iri_term(value: str) -> Term | None:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*", value):
            return Term.iri(value)
        raise QueryError(f"'<{value}>' is not a valid IRI")
    if re.match(r"https?://", value):
        return Term.iri(value) if not re.search(r"[<>\"{}|^`\\\s]", value) else None
    try:
        split_curie(value)
    except ValueError:
        return None
    problem = check_curie(value)
    if problem:
        raise QueryError(problem)
    return Term.iri(expand(value))


def parse_value(name: str, value: str, type_: str | None = None) -> Term | str:
    """Turn a parameter's text into a :class:`Term`, or keep it as a name to resolve.

    With ``type_`` ``None`` (an inline query): a CURIE or ``<IRI>`` is an IRI, an integer or a
    decimal a number, ``"quoted"`` text a string, anything else an entity name. A returned
    ``str`` is an entity name, resolved by label or synonym when the query runs.
    Raises :class:`~il2kg.errors.QueryError` when the value does not fit the type.
    """
    if type_ is None:
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            return Term.literal(value[1:-1])
        if _INT_RE.fullmatch(value):
            return Term.literal(value, _XSD + "integer")
        if _DEC_RE.fullmatch(value):
            return Term.literal(value, _XSD + "decimal")
        return _iri_term(value) or value
    _check_choice(type_, PARAM_TYPES, "parameter type")
    if type_ in ("entity", "iri"):
        t = _iri_term(value)
        if t is not None:
            return t
        if type_ == "iri":
            raise QueryError(f"parameter '{name}' needs a CURIE or an <IRI>, not '{value}'")
        return value
    if type_ == "string":
        return Term.literal(value)
    checks = {
        "integer": (_INT_RE, "integer"),
        "year": (re.compile(r"\d{4}"), "gYear"),
        "decimal": (_DEC_RE, "decimal"),
    }
    pattern, dt = checks[type_]
    if not pattern.fullmatch(value):
        raise QueryError(f"parameter '{name}' needs a {type_}, not '{value}'")
    return Term.literal(value, _XSD + dt)


_LOOKUP = (
    "SELECT DISTINCT ?e ?label ?how ?name WHERE {"
    " ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label ."
    " { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?n BIND(1 AS ?how) }"
    " UNION { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?n BIND(2 AS ?how) }"
    " UNION { ?e <http://purl.org/dc/terms/identifier> ?n BIND(2 AS ?how) }"
    " FILTER(LCASE(STR(?n)) = LCASE(STR(?name)))"
    "}"
)
_NEAR = (
    "SELECT DISTINCT ?e ?label ?name WHERE {"
    " ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label ."
    " { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?n }"
    " UNION { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"
    " FILTER(CONTAINS(LCASE(STR(?n)), LCASE(STR(?name))))"
    "} ORDER BY STRLEN(?label) LIMIT 5"
)


def _resolve(engine: _Engine, name: str) -> Term:
    """The IRI of the one entity whose label, synonym or identifier is ``name``."""
    from il2kg.namespaces import compress

    lit = {"name": Term.literal(name)}
    _, _, rows = engine.run(_LOOKUP, {}, lit)
    found: dict[str, tuple[int, str]] = {}
    for e, label, how, _ in rows:
        rank = int(how.value)
        if rank == 1 and label.value == name:
            rank = 0
        old = found.get(e.value)
        if old is None or rank < old[0]:
            found[e.value] = (rank, label.value)
    if found:
        best = min(r for r, _ in found.values())
        top = sorted((iri, lab) for iri, (r, lab) in found.items() if r == best)
        if len(top) == 1:
            return Term.iri(top[0][0])
        raise UnknownEntityError(name, [(compress(i), lab) for i, lab in top], ambiguous=True)
    _, _, near = engine.run(_NEAR, {}, lit)
    candidates = [(compress(e.value), label.value) for e, label, _ in near]
    raise UnknownEntityError(name, candidates, ambiguous=False)


# -- execution ------------------------------------------------------------------------------------

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


def _harden_child() -> None:
    """Block network, subprocesses and rdflib's graph loading in this (child) process."""
    loaded = sys.modules.get("rdflib.plugins.sparql")
    if loaded is not None:
        loaded.SPARQL_LOAD_GRAPHS = False  # type: ignore[attr-defined]
    sys.addaudithook(_audit_hook)


@dataclass(frozen=True)
class _Job:
    """Everything the child needs, built before the fork."""

    query: CheckedQuery
    build: Callable[[], Any]
    engine: str
    bindings: Mapping[str, Term | str]
    limit: int
    labels: bool


def _collect(job: _Job) -> Results:
    start = time.perf_counter()
    target = job.build()
    eng: _Engine = _Oxigraph(target) if job.engine == "oxigraph" else _Rdflib(target)
    resolved = {
        k: (v if isinstance(v, Term) else _resolve(eng, v)) for k, v in job.bindings.items()
    }
    form, names, answer = eng.run(job.query.text, job.query.prefixes(), resolved)
    if form == "ASK":
        return Results(
            "ASK",
            boolean=answer,
            total=1,
            engine=eng.name,
            elapsed=time.perf_counter() - start,
        )
    kept: list[Any] = []
    total = 0
    for item in answer:
        if total < job.limit:
            kept.append(item)
        total += 1
        if total >= COUNT_CAP:
            break
    labels: dict[str, str] = {}
    if job.labels:
        for iri in _iris(kept, form):
            if len(labels) > 5000:
                break
            lab = eng.label(iri)
            if lab is not None:
                labels[iri] = lab
    real_form = job.query.form
    if form == "SELECT":
        return Results(
            real_form,
            variables=names,
            rows=tuple(kept),
            total=total,
            truncated=total > len(kept),
            labels=labels,
            engine=eng.name,
            elapsed=time.perf_counter() - start,
        )
    return Results(
        real_form,
        triples=tuple(kept),
        total=total,
        truncated=total > len(kept),
        labels=labels,
        engine=eng.name,
        elapsed=time.perf_counter() - start,
    )


def _iris(items: Iterable[Row | Triple], form: str) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        for t in item:
            if t is not None and t.kind == "uri" and t.value not in seen:
                seen.add(t.value)
                yield t.value


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

    The child installs the audit hook of :func:`_harden_child` first. Raises
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
            _harden_child()
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


def execute(
    query: str | CheckedQuery,
    build: Callable[[], Any],
    *,
    engine: str = DEFAULT_ENGINE,
    bindings: Mapping[str, Term | str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int | None = None,
    labels: bool = True,
) -> Results:
    """Run a query through the gate on a store built by ``build()`` in an isolated child.

    ``build`` returns a pyoxigraph ``Store`` (``engine="oxigraph"``) or an rdflib ``Graph`` /
    ``Dataset`` (``engine="rdflib"``); it runs in the child (a store built before may be
    returned by a closure: the fork shares it). ``bindings`` maps variable names to
    :class:`Term` (or entity names, resolved by label). Answers beyond ``limit`` are counted.
    Raises :class:`~il2kg.errors.QueryError`, :class:`~il2kg.errors.QueryTimeout`,
    :class:`~il2kg.errors.UnknownEntityError`.
    """
    _check_choice(engine, ENGINES, "engine")
    checked = query if isinstance(query, CheckedQuery) else check_query(query)
    if timeout <= 0:
        raise QueryError("the timeout must be positive")
    job = _Job(checked, build, engine, dict(bindings or {}), limit or DEFAULT_LIMIT, labels)
    result: Results = run_isolated(lambda: _collect(job), timeout)
    return result


def run_query(
    ntriples: bytes,
    query: str,
    *,
    params: Mapping[str, str] | None = None,
    declared: Iterable[Param] = (),
    engine: str = DEFAULT_ENGINE,
    reasoning: str = DEFAULT_REASONING,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int | None = None,
    labels: bool = True,
) -> Results:
    """Check and run ``query`` on a graph given as N-Triples (what ``KnowledgeGraph.query`` does).

    ``params`` are ``name -> text`` (see :func:`parse_value`); ``declared`` their types and
    defaults (a named query's header). Raises :class:`~il2kg.errors.QueryError` (and subclasses)
    or :class:`~il2kg.errors.UnknownEntityError`.
    """
    _check_choice(engine, ENGINES, "engine")
    _check_choice(reasoning, REASONING, "reasoning")
    checked = check_query(query)
    bindings = bind_params(checked, params or {}, declared)
    make = oxigraph_store if engine == "oxigraph" else rdflib_dataset
    return execute(
        checked,
        lambda: make(ntriples, reasoning),
        engine=engine,
        bindings=bindings,
        timeout=timeout,
        limit=limit,
        labels=labels,
    )


def bind_params(
    checked: CheckedQuery, params: Mapping[str, str], declared: Iterable[Param] = ()
) -> dict[str, Term | str]:
    """Typed bindings for a query from ``name -> text`` values and declared defaults.

    Raises :class:`~il2kg.errors.QueryError` for an undeclared parameter of a named query, a
    missing required one, or a value that does not fit its type.
    """
    decl = {p.name: p for p in declared}
    out: dict[str, Term | str] = {}
    for name in params:
        if decl and name not in decl:
            raise QueryError(
                f"unknown parameter '{name}' (this query takes: {', '.join(sorted(decl))})"
            )
        if checked.form == "SELECT" and not checked.select_star and name not in checked.variables:
            raise QueryError(
                f"parameter '{name}' must be a variable the SELECT returns (?{name}): "
                "engines bind parameters as RDF terms only on projected variables"
            )
    for name, value in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"'{name}' is not a variable name")
        out[name] = parse_value(name, value, decl[name].type if name in decl else None)
    for p in decl.values():
        if p.name not in out:
            if p.default is None:
                raise QueryError(f"missing parameter '{p.name}': give --param {p.name}=VALUE")
            out[p.name] = parse_value(p.name, p.default, p.type)
    return out


# -- named queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedQuery:
    """A shipped query: its ``name`` (file stem), ``question``, ``params``, the expected answer
    (``expect_columns`` and ``expect`` rows, or ``expect_boolean``) and its ``text``."""

    name: str
    question: str
    text: str
    params: tuple[Param, ...] = ()
    expect_columns: tuple[str, ...] = ()
    expect: frozenset[tuple[str, ...]] = frozenset()
    expect_boolean: bool | None = None
    notes: str = ""
    path: Path | None = field(default=None, compare=False)


_PARAM_RE = re.compile(
    r"(?P<name>\w+)\s*\((?P<type>\w+)(?:,\s*default\s+(?P<default>[^)]+))?\)\s*:?\s*(?P<help>.*)"
)


def parse_named_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read a named query's header (see the module docstring).

    Raises :class:`~il2kg.errors.QueryError` naming the file for a malformed header.
    """
    where = str(path) if path else name
    question = ""
    params: list[Param] = []
    columns: tuple[str, ...] = ()
    expect: set[tuple[str, ...]] = set()
    boolean: bool | None = None
    notes: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        value = value.strip()
        if not sep or " " in key:
            if body:
                notes.append(body)
            continue
        if key == "question":
            question = value
        elif key == "param":
            m = _PARAM_RE.fullmatch(value)
            if m is None:
                raise QueryError(
                    f"{where}:{n}: malformed 'param:' line (name (type[, default X]): help)"
                )
            _check_choice(m["type"], PARAM_TYPES, f"parameter type in {where}:{n}")
            default = m["default"].strip() if m["default"] else None
            params.append(Param(m["name"], m["type"], default, m["help"].strip()))
        elif key == "expect-columns":
            columns = tuple(value.split())
        elif key == "expect":
            if value in ("true", "false") and not columns:
                boolean = value == "true"
                continue
            words = tuple(shlex.split(value))
            if len(words) != len(columns):
                raise QueryError(
                    f"{where}:{n}: 'expect:' has {len(words)} values for "
                    f"{len(columns)} expect-columns"
                )
            expect.add(words)
        else:
            notes.append(body)
    if not question:
        raise QueryError(f"{where}: a named query needs a '# question: ...' line")
    return NamedQuery(
        name=name,
        question=question,
        text=text,
        params=tuple(params),
        expect_columns=columns,
        expect=frozenset(expect),
        expect_boolean=boolean,
        notes=" ".join(notes),
        path=path,
    )


@cache
def _named_queries(folder: str) -> dict[str, NamedQuery]:
    out = {}
    for path in sorted(Path(folder).glob("*.rq")):
        out[path.stem] = parse_named_query(path.stem, path.read_text(encoding="utf-8"), path)
    return out


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries shipped in ``il2kg/queries/`` (or ``folder``), by name."""
    return _named_queries(str(folder or queries_dir()))


def looks_like_a_name(text: str) -> bool:
    """True if ``text`` reads as a named query's name rather than as SPARQL."""
    return bool(text) and not any(c.isspace() or c in "{}?<>" for c in text)


def get_named_query(name: str, folder: Path | None = None) -> NamedQuery:
    """One named query; raises :class:`~il2kg.errors.QueryError` listing close names."""
    queries = named_queries(folder)
    if name in queries:
        return queries[name]
    import difflib

    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    hint = f"; did you mean: {', '.join(close)}?" if close else "; see `il2kg queries`"
    raise QueryError(f"no named query '{name}'{hint}")


def expected_rows(results: Results, columns: Iterable[str]) -> set[tuple[str, ...]]:
    """Project answers on ``columns`` as CURIE / lexical strings (to compare with ``expect``)."""
    idx = [results.variables.index(c) for c in columns]
    return {tuple("" if r[i] is None else r[i].curie() for i in idx) for r in results.rows}  # type: ignore[union-attr]


__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_LIMIT",
    "DEFAULT_REASONING",
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "PREDECLARED",
    "REASONING",
    "NamedQuery",
    "Param",
    "Results",
    "Term",
    "bind_params",
    "check_query",
    "execute",
    "expected_rows",
    "get_named_query",
    "named_queries",
    "oxigraph_store",
    "parse_named_query",
    "parse_value",
    "rdflib_dataset",
    "run_isolated",
    "run_query",
]

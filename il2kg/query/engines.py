"""SPARQL over the knowledge graph: safe execution on two engines, reasoning, named queries.

The pieces, in the order a query meets them:

1. **The gate** (:func:`il2kg.query.gate.check_query`): refuses Update, ``SERVICE`` and
   ``FROM`` before any engine sees the text; predeclares the prefix map.
2. **Parameters** (:class:`Param`): ``--param entity=IL2RB`` is bound as an RDF term through the
   engine's own mechanism (pyoxigraph ``substitutions``, rdflib ``initBindings``), never pasted
   into the text; an ``entity`` value may be a CURIE, an IRI, a label or a synonym.
3. **Isolation** (:func:`execute`): the query runs in a forked child process
   (:mod:`il2kg.query.sandbox`) that has no network at all: its own empty network namespace
   and a seccomp filter that refuses every socket but ``AF_UNIX``, plus an audit hook against
   ``urllib`` and subprocesses and rdflib's ``SPARQL_LOAD_GRAPHS = False``. The child dies with
   its parent; the parent kills it at the timeout (:class:`~il2kg.errors.QueryTimeout`, exit 3)
   or on Ctrl-C, and answers are capped at ``limit`` rows while the rest are only counted.
   The rdflib engine also refuses ``SERVICE`` / ``FROM`` found in its own parse tree
   (:func:`refuse_outbound`); where the platform grants no kernel barrier, so does the
   oxigraph engine (:func:`refuse_outbound_without_barrier`).
4. **Engines**: ``oxigraph`` (default; pyoxigraph imports in ~10 ms and answers in ms) or
   ``rdflib``. Both load the data graph as the default graph and the ontology as the named graph
   ``<https://w3id.org/il2kg/ontology>``, and give equal :class:`~il2kg.query.results.Results`.
5. **Reasoning** (:data:`REASONING`): ``none`` (default) or ``rdfs``, which materialises, with
   SPARQL ``INSERT`` s on either engine, the ``owl:inverseOf`` and ``owl:SymmetricProperty``
   triples, the ``rdfs:subPropertyOf*`` triples, types from ``rdfs:domain``/``rdfs:range`` (named
   classes, object properties) and ``rdfs:subClassOf*`` types: one pass, in that order, in ms.

"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from il2kg.errors import Il2kgError, QueryError, StoreError
from il2kg.namespaces import VOCABULARIES
from il2kg.query.gate import CheckedQuery, check_query, syntax_error
from il2kg.query.layout import (
    COUNT_CAP,
    DEFAULT_ENGINE,
    DEFAULT_LIMIT,
    DEFAULT_REASONING,
    DEFAULT_TIMEOUT,
    ENGINES,
    REASONING,
    check_choice,
    oxigraph_store,
    rdflib_dataset,
)
from il2kg.query.params import Param, bind_params
from il2kg.query.results import Results, Row, Term, Triple
from il2kg.query.sandbox import check_timeout, kernel_barrier_active, run_isolated

_LABEL = VOCABULARIES["rdfs"] + "label"

# -- engine adapters (run inside the child) -------------------------------------------------------


class _Engine:
    name = ""
    #: The terms of the answer being read, by engine node: a term repeated over rows is made
    #: (and pickled, and sent) once.
    _terms: dict[Any, Term]

    def term(self, node: Any) -> Term:
        raise NotImplementedError

    def shared(self, node: Any) -> Term:
        """:meth:`term`, made once per distinct node of the answer (see :meth:`reset`)."""
        found = self._terms.get(node)
        if found is None:
            found = self._terms[node] = self.term(node)
        return found

    def reset(self) -> None:
        """Forget the terms of the previous answer."""
        self._terms = {}

    def run(
        self, text: str, prefixes: dict[str, str], bindings: dict[str, Term]
    ) -> tuple[str, tuple[str, ...], Any]:
        raise NotImplementedError

    def item(self, form: str, raw: Any) -> Row | Triple:
        """One answer of :meth:`run` (a ``SELECT`` row or a triple) as :class:`Term` s."""
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
        refuse_outbound_without_barrier(text)
        try:
            res = self.store.query(text, prefixes=prefixes, substitutions=subs or None)
        except SyntaxError as exc:
            raise syntax_error(text, str(exc)) from None
        except (OSError, RuntimeError) as exc:
            raise _failed(exc, f"query failed: {exc}") from None
        if isinstance(res, ox.QueryBoolean):
            return "ASK", (), bool(res)
        if isinstance(res, ox.QuerySolutions):
            return "SELECT", tuple(v.value for v in res.variables), res
        return "GRAPH", (), res

    def item(self, form: str, raw: Any) -> Row | Triple:
        term = self.shared
        if form == "SELECT":
            return tuple(None if v is None else term(v) for v in raw)
        return (term(raw.subject), term(raw.predicate), term(raw.object))

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
        #: the store evaluates query texts itself (oxrdflib: pyoxigraph does, never rdflib's
        #: engine), so rdflib's parse is checked only where the oxigraph engine checks it
        self._delegated = type(ds.store).__module__.partition(".")[0] == "oxrdflib"

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
        if self._delegated:
            refuse_outbound_without_barrier(text)
        else:
            refuse_outbound(parse_rdflib(text))
        init = {self.rdflib.Variable(k): self._to_rdflib(v) for k, v in bindings.items()}
        try:
            res = self.ds.query(text, initNs=prefixes, initBindings=init)
        except Il2kgError:
            raise
        except SyntaxError as exc:  # pyoxigraph's, through oxrdflib (rdflib's parse came first)
            raise syntax_error(text, str(exc)) from None
        except Exception as exc:  # rdflib raises many kinds of errors on evaluation
            raise _failed(exc, f"query failed ({type(exc).__name__}): {exc}") from None
        if res.type == "ASK":
            return "ASK", (), bool(res.askAnswer)
        if res.type == "SELECT":
            return "SELECT", tuple(str(v) for v in (res.vars or ())), res
        assert res.graph is not None
        return "GRAPH", (), res.graph

    def item(self, form: str, raw: Any) -> Row | Triple:
        term = self.shared
        if form == "SELECT":
            return tuple(None if x is None else term(x) for x in raw)
        s, p, o = raw
        return (term(s), term(p), term(o))

    def label(self, iri: str) -> str | None:
        v = self.ds.default_graph.value(self.rdflib.URIRef(iri), self._label)
        return str(v) if v is not None else None


def _failed(exc: Exception, message: str) -> Il2kgError:
    """What an engine raises for ``exc``: a :class:`StoreError` when the storage failed (the
    caller may rebuild the store), else a ``QueryError``."""
    return StoreError(message) if storage_failed(exc) else QueryError(message)


def storage_failed(exc: BaseException) -> bool:
    """Whether pyoxigraph's ``exc`` says the store is damaged or unreadable, not the query wrong.

    RocksDB's I/O errors come as ``OSError`` (a refused socket's ``PermissionError`` is the
    sandbox at work, not the store), its checksum failures as ``RuntimeError("Corruption: …")``.
    """
    if isinstance(exc, OSError):
        return not isinstance(exc, PermissionError)
    return isinstance(exc, RuntimeError) and "Corruption" in str(exc)


def parse_rdflib(text: str) -> Any:
    """rdflib's parse of a query (the tree its evaluation starts from); a caret message if bad."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)
    except ParseException as exc:
        raise syntax_error(text, f"at {exc.lineno}:{exc.col}: {exc.msg}") from None
    except (ValueError, OverflowError) as exc:  # e.g. an escape that is no code point
        raise QueryError(f"SPARQL syntax error: {exc}") from None


#: Parse-tree nodes that reach outside the graph, and why each is refused.
_OUTBOUND: Final = {
    "ServiceGraphPattern": "SERVICE (a federated query) is disabled",
    "DatasetClause": "FROM / FROM NAMED is disabled",
    "Load": "LOAD is disabled",
}


def refuse_outbound(parsed: Any, why: str = "") -> None:
    """Refuse ``SERVICE``, ``FROM`` / ``FROM NAMED`` and ``LOAD`` anywhere in an rdflib parse.

    ``parsed`` is what :func:`parse_rdflib` returns: pyparsing ``ParseResults`` holding rdflib
    ``CompValue`` nodes (ordered dicts with a ``name``), lists and terms; every one is visited.
    """
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[Any] = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            refused = _OUTBOUND.get(node.name)
            if refused is not None:
                raise QueryError(refused + why)
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


_NO_BARRIER: Final = (
    " (this platform gives the query process no network barrier, neither a network namespace "
    "nor a seccomp filter, so the engine's own parse is checked as well)"
)


def refuse_outbound_without_barrier(text: str) -> None:
    """Where no kernel barrier holds (see :func:`il2kg.query.sandbox.barrier`), refuse on a parse.

    Called in the query process before pyoxigraph runs ``text``: if this process is not behind
    a network namespace or a seccomp filter, the query must parse with rdflib and show no
    ``SERVICE``, ``LOAD`` or ``FROM`` anywhere, else it is refused and the message says why.
    """
    if kernel_barrier_active():
        return
    try:
        parsed = parse_rdflib(text)
    except QueryError as exc:
        raise QueryError(f"{exc}{_NO_BARRIER}") from None
    refuse_outbound(parsed, _NO_BARRIER)


@dataclass(frozen=True)
class Job:
    """One query as a query process answers it (picklable: a warm process receives it)."""

    query: CheckedQuery
    engine: str
    bindings: Mapping[str, Term]
    limit: int
    labels: bool


def engine_for(engine: str, target: Any) -> _Engine:
    """The engine adapter over ``target``: a pyoxigraph ``Store`` or an rdflib ``Dataset``."""
    return _Oxigraph(target) if engine == "oxigraph" else _Rdflib(target)


def collect(job: Job, make: Callable[[], _Engine]) -> Results:
    """Answer ``job`` on the engine ``make()`` gives (in the query process; timed from here)."""
    start = time.perf_counter()
    eng = make()
    eng.reset()
    form, names, answer = eng.run(job.query.text, job.query.prefixes(), dict(job.bindings))
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
    try:  # answers are computed while they are read: the storage may fail here too
        for raw in answer:
            if total < job.limit:
                kept.append(eng.item(form, raw))
            total += 1
            if total >= COUNT_CAP:
                break
    except (OSError, RuntimeError) as exc:
        raise _failed(exc, f"query failed ({type(exc).__name__}): {exc}") from None
    labels: dict[str, str] = {}
    eng.reset()
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


def make_job(
    query: str | CheckedQuery,
    engine: str = DEFAULT_ENGINE,
    bindings: Mapping[str, Term] | None = None,
    limit: int | None = None,
    labels: bool = True,
) -> Job:
    """Gate ``query`` (unless it passed already) and pack it with its options."""
    check_choice(engine, ENGINES, "engine")
    checked = query if isinstance(query, CheckedQuery) else check_query(query)
    return Job(checked, engine, dict(bindings or {}), limit or DEFAULT_LIMIT, labels)


def _iris(items: Iterable[Row | Triple], form: str) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        for t in item:
            if t is not None and t.kind == "uri" and t.value not in seen:
                seen.add(t.value)
                yield t.value


def execute(
    query: str | CheckedQuery,
    build: Callable[[], Any],
    *,
    engine: str = DEFAULT_ENGINE,
    bindings: Mapping[str, Term] | None = None,
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
    check_timeout(timeout)
    job = make_job(query, engine, bindings, limit, labels)
    try:
        result: Results = run_isolated(
            lambda: collect(job, lambda: engine_for(engine, build())), timeout
        )
    except StoreError as exc:
        raise QueryError(str(exc)) from None
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
    check_choice(engine, ENGINES, "engine")
    check_choice(reasoning, REASONING, "reasoning")
    check_timeout(timeout)
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

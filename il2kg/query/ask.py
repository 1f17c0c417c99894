"""One road for every query: look the name up once, gate once, bind once, run on one backend.

A :class:`Backend` runs a checked query with its bound terms. Three implement it:

- :class:`LocalBackend`: the engines (``oxigraph`` or ``rdflib``) with optional ``rdfs``
  reasoning, in the sandbox (:mod:`il2kg.query.sandbox`); ``oxigraph`` reads the on-disk store
  of the build cache when the graph has one (:class:`GraphSource`), else builds one in memory;
- :class:`StoreBackend`: the rdflib API over a memory or on-disk Oxigraph store
  (:mod:`il2kg.query.stores`; ``oxigraph`` without a location is the cached store), in the
  same sandbox;
- :class:`RemoteBackend`: a SPARQL 1.1 endpoint (:mod:`il2kg.query.remote`).

:func:`backend_for` picks one from the options a user gave and refuses contradictions
(``--store`` with ``--endpoint``, ``--engine`` or ``--reasoning`` where they do not apply) with an
:class:`~il2kg.errors.OptionError` (exit 2) instead of ignoring them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from il2kg.errors import OptionError, QueryError, StoreError
from il2kg.query.catalogue import NamedQuery, get_named_query, looks_like_a_name, query_names
from il2kg.query.checked import CheckedCache
from il2kg.query.gate import CheckedQuery
from il2kg.query.layout import (
    DEFAULT_ENGINE,
    DEFAULT_REASONING,
    DEFAULT_TIMEOUT,
    ENGINES,
    REASONING,
    STORES,
    check_choice,
)
from il2kg.query.params import NameResolver, bind_params
from il2kg.query.results import Results, Term

if TYPE_CHECKING:
    from il2kg.query.remote import Auth


class Backend(Protocol):
    """Something that answers a gated query with its parameters bound as terms."""

    @property
    def name(self) -> str: ...

    def run(
        self,
        checked: CheckedQuery,
        bindings: Mapping[str, Term],
        *,
        timeout: float,
        limit: int | None,
        labels: bool,
    ) -> Results: ...


@dataclass(frozen=True)
class GraphSource:
    """The graph a local backend queries: its N-Triples (read only when a backend needs them)
    and, where a build cache keeps one, the on-disk Oxigraph store of it.

    ``store(reasoning, rebuild)`` gives the folder of that store (laid out as
    :func:`il2kg.query.layout.oxigraph_store` lays out its in-memory one, see
    :func:`il2kg.query.stores.cached_store`), filled first if needed; ``rebuild`` asks for it to
    be filled again (it was found damaged). ``None`` (or a ``None`` answer): no store, the
    backends build one in memory per query.
    """

    ntriples: Callable[[], bytes]
    store: Callable[[str, bool], Path | None] | None = None

    @classmethod
    def of(cls, graph: bytes | GraphSource) -> GraphSource:
        """``graph`` itself, or N-Triples bytes as a source without a store."""
        if isinstance(graph, GraphSource):
            return graph
        return cls(lambda: graph)


class _InSandbox:
    """A backend whose store is opened or built in the query sandbox: a subclass says how, and
    for which engine; :meth:`run` is the same for all of them.

    Where the graph has an on-disk store (:class:`GraphSource`) and the subclass can read it,
    the query runs in a warm process that keeps the store open (:mod:`il2kg.query.warm`); a
    store RocksDB finds damaged is rebuilt and the query asked once more. Otherwise the store is
    built in memory in a one-shot child (:func:`il2kg.query.engines.execute`).
    """

    graph: GraphSource

    def _engine(self) -> str:
        raise NotImplementedError

    def _build(self) -> Callable[[], Any]:
        raise NotImplementedError

    def _reasoning(self) -> str:
        raise NotImplementedError

    def _store_reader(self) -> Callable[[Path], Any] | None:
        """What opens an on-disk store folder in the child (``None``: this backend reads none)."""
        return None

    def _stored(self, rebuild: bool) -> tuple[str, Callable[[], Any]] | None:
        reader = self._store_reader()
        if reader is None or self.graph.store is None:
            return None
        folder = self.graph.store(self._reasoning(), rebuild)
        return None if folder is None else (str(folder), functools.partial(reader, folder))

    def run(
        self,
        checked: CheckedQuery,
        bindings: Mapping[str, Term],
        *,
        timeout: float,
        limit: int | None,
        labels: bool,
    ) -> Results:
        from il2kg.query.engines import execute, make_job

        stored = self._stored(rebuild=False)
        if stored is not None:
            from il2kg.query.warm import forget, run_warm

            job = make_job(checked, self._engine(), bindings, limit, labels)
            try:
                return run_warm(*stored, job, timeout)
            except StoreError:  # RocksDB refused to open or read it: fill it again, ask again
                forget(stored[0])
                stored = self._stored(rebuild=True)
            if stored is not None:
                try:
                    return run_warm(*stored, job, timeout)
                except StoreError as exc:
                    forget(stored[0])
                    raise QueryError(str(exc)) from None
        # no store (or it cannot be filled again): a store built in memory for this query
        return execute(
            checked,
            self._build(),
            engine=self._engine(),
            bindings=bindings,
            timeout=timeout,
            limit=limit,
            labels=labels,
        )


@dataclass(frozen=True)
class LocalBackend(_InSandbox):
    """The pyoxigraph or rdflib engine on the graph (the cached on-disk store for oxigraph)."""

    graph: GraphSource
    engine: str = DEFAULT_ENGINE
    reasoning: str = DEFAULT_REASONING

    def __post_init__(self) -> None:
        check_choice(self.engine, ENGINES, "engine")
        check_choice(self.reasoning, REASONING, "reasoning")

    @property
    def name(self) -> str:
        return self.engine

    def _engine(self) -> str:
        return self.engine

    def _reasoning(self) -> str:
        return self.reasoning

    def _build(self) -> Callable[[], Any]:
        from il2kg.query.layout import oxigraph_store, rdflib_dataset

        make = oxigraph_store if self.engine == "oxigraph" else rdflib_dataset
        nt, reasoning = self.graph.ntriples(), self.reasoning
        return lambda: make(nt, reasoning)

    def _store_reader(self) -> Callable[[Path], Any] | None:
        if self.engine != "oxigraph":
            return None
        from il2kg.query.stores import open_read_only

        return open_read_only


@dataclass(frozen=True)
class StoreBackend(_InSandbox):
    """The rdflib Graph API over a ``memory`` or ``oxigraph`` store (``location`` on disk)."""

    graph: GraphSource
    store: str = "memory"
    location: str | Path | None = None
    reasoning: str = DEFAULT_REASONING

    def __post_init__(self) -> None:
        check_choice(self.store, STORES, "store")
        check_choice(self.reasoning, REASONING, "reasoning")

    @property
    def name(self) -> str:
        return f"rdflib on {self.store}"

    def _engine(self) -> str:
        return "rdflib"

    def _reasoning(self) -> str:
        return self.reasoning

    def _build(self) -> Callable[[], Any]:
        from il2kg.query.stores import open_dataset

        nt, store, location, reasoning = (
            self.graph.ntriples(),
            self.store,
            self.location,
            self.reasoning,
        )
        return lambda: open_dataset(nt, store, location, reasoning)

    def _store_reader(self) -> Callable[[Path], Any] | None:
        if self.store != "oxigraph" or self.location is not None:
            return None  # a folder the user chose is filled and opened as before
        from il2kg.query.stores import read_only_dataset

        return read_only_dataset


@dataclass(frozen=True)
class RemoteBackend:
    """A remote SPARQL 1.1 endpoint (credentials, if any, stay with its origin)."""

    url: str
    auth: Auth | None = None

    @property
    def name(self) -> str:
        return "remote"

    def run(
        self,
        checked: CheckedQuery,
        bindings: Mapping[str, Term],
        *,
        timeout: float,
        limit: int | None,
        labels: bool,
    ) -> Results:
        from il2kg.query.remote import query_endpoint

        return query_endpoint(
            self.url, checked, bindings=bindings, auth=self.auth, timeout=timeout, limit=limit
        )


def backend_for(
    graph: bytes | GraphSource,
    *,
    endpoint: str | None = None,
    store: str | None = None,
    location: str | Path | None = None,
    engine: str | None = None,
    reasoning: str | None = None,
    auth: Auth | None = None,
) -> Backend:
    """The one backend the options name for ``graph`` (N-Triples, or a :class:`GraphSource`
    with its cached store); ``None`` means "not given".

    :raises OptionError: for options that contradict each other or do not apply.
    """
    if endpoint is not None:
        given = [
            f"--{n}"
            for n, v in (("store", store), ("engine", engine), ("reasoning", reasoning))
            if v is not None
        ]
        if given:
            raise OptionError(
                f"{' and '.join(given)} cannot be combined with --endpoint: "
                "the remote endpoint evaluates the query itself"
            )
        from il2kg.query.remote import check_endpoint_url

        check_endpoint_url(endpoint)
        return RemoteBackend(endpoint, auth)
    if auth is not None:
        raise OptionError("credentials are only for --endpoint")
    if store is not None:
        if engine is not None:
            raise OptionError("--engine cannot be combined with --store: a store is read by rdflib")
        return StoreBackend(GraphSource.of(graph), store, location, reasoning or DEFAULT_REASONING)
    if location is not None:
        raise OptionError("a store location needs --store oxigraph")
    return LocalBackend(
        GraphSource.of(graph), engine or DEFAULT_ENGINE, reasoning or DEFAULT_REASONING
    )


def lookup(query: str, by_name: bool = True) -> NamedQuery | None:
    """The named query ``query`` names, or ``None`` when it is SPARQL text.

    :raises QueryError: for a name that is no named query (with the closest names).
    """
    name = query.strip()
    if by_name and (name in query_names() or looks_like_a_name(name)):
        return get_named_query(name)
    return None


#: What the gate said of the texts this process asked last (the gate is a pure function of the text).
_checked = CheckedCache()


def ask(
    query: str | NamedQuery,
    backend: Backend,
    *,
    by_name: bool = True,
    params: Mapping[str, str] | None = None,
    resolve: NameResolver | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int | None = None,
    labels: bool = True,
) -> Results:
    """Answer ``query`` (SPARQL text, the name of a named query, or a :class:`NamedQuery`).

    Named queries get their declared parameters and defaults; entity names among the
    parameters are turned into IRIs by ``resolve``.

    :raises QueryError: refused, malformed, an unknown name or parameter (``QueryTimeout`` past
        ``timeout``); :raises UnknownEntityError: for an entity name; :raises EndpointError:
        from a remote backend.
    """
    nq = query if isinstance(query, NamedQuery) else lookup(query, by_name)
    text, declared = (nq.text, nq.params) if nq is not None else (str(query), ())
    from il2kg.query.sandbox import check_timeout

    check_timeout(timeout)  # nan, 0 and negative values are refused; inf means no limit
    checked = _checked.check(text)
    bindings = bind_params(checked, params or {}, declared, resolve)
    return backend.run(checked, bindings, timeout=timeout, limit=limit, labels=labels)

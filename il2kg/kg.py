"""The facade: one object that opens a data directory, validates it once, and caches the build.

>>> from il2kg import KnowledgeGraph
>>> kg = KnowledgeGraph()            # the shipped data
>>> kg.stats().entities > 0
True

Why this module is longer than ~400 lines: it is the whole public API a Python user needs,
one short typed method per use (validate, write, resolve, search, card, neighbors, paths, query,
ask, push), each delegating to the stage below that does the work.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from il2kg.cache import BuildCache, cache_key
from il2kg.namespaces import expand
from il2kg.paths.defaults import DEFAULT_MAX_PATHS
from il2kg.paths.defaults import DEFAULT_TIMEOUT as DEFAULT_PATH_TIMEOUT
from il2kg.query.layout import (
    DEFAULT_ENGINE,
    DEFAULT_REASONING,
    DEFAULT_TIMEOUT,
    Engine,
    Reasoning,
    Store,
)
from il2kg.resources import cache_dir, default_data_dir, ontology_dir

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    import networkx as nx
    from rdflib import Graph

    from il2kg.curate.card import EntityCard
    from il2kg.curate.conflicts import Conflict
    from il2kg.curate.stats import Stats
    from il2kg.dataset.model import Dataset
    from il2kg.dataset.ontology import Vocabulary
    from il2kg.files import FileBytes
    from il2kg.paths.network import PathGraph
    from il2kg.paths.resolve import Resolver, SearchHit
    from il2kg.paths.results import Neighbor, PathResult
    from il2kg.query.catalogue import NamedQuery
    from il2kg.query.remote import Auth, PushedGraph
    from il2kg.query.results import Results


#: What read commands derive from a cache entry and keep in it (see :meth:`BuildCache.write_derived`).
NAMES_FILE = "names.json"
CARDS_FILE = "cards.jsonl"


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Switch Python's cyclic garbage collector off for a block (restored afterwards)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_free_lists() -> None:
    """Give back the memory that Python's free lists pin, without walking the live objects.

    A full collection empties the free lists (of tuples, lists, dicts, floats …); the blocks
    they hold, scattered over the allocator's arenas, keep whole arenas from being returned:
    at 10^5 relations, ~145 MiB after the cache entry's model was made and freed. The live
    objects are frozen first, so the collection walks none of them (milliseconds, not the
    seconds of a walk of the ~5 M objects of a dataset); they are unfrozen into the oldest
    generation. Not done when the program froze objects itself (unfreezing would undo that).
    """
    if gc.get_freeze_count():
        return
    gc.freeze()
    try:
        gc.collect()
    finally:
        gc.unfreeze()


#: glibc's mallopt parameter for the size from which blocks are mapped (``M_MMAP_THRESHOLD``).
_M_MMAP_THRESHOLD = -3


def fixed_mmap_threshold(size: int = 128 * 1024) -> bool:
    """Fix glibc's mmap threshold at ``size`` for this process (``False`` elsewhere).

    glibc raises the threshold each time a mapped block of up to 32 MiB is freed; blocks below
    it then come from the heap, which is not given back to the system when they are freed. A
    build frees a model part of a few tens of MB before it sorts the N-Triples in 6 MB runs, so
    the runs stayed resident while the sorted result was read back: +170 MiB of peak at 10^5
    relations. A fixed threshold keeps every large block mapped (and returned when freed).
    """
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


class KnowledgeGraph:
    """The il2kg knowledge graph of one data directory.

    Everything is computed lazily and at most once: the validated dataset, the RDF graph, the
    networkx projection. Builds are cached on disk keyed by content (see :mod:`il2kg.cache`).

    Raises :class:`~il2kg.errors.DataError` (listing every problem) when the data is invalid.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        use_cache: bool = True,
        cache_root: str | Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.use_cache = use_cache
        self._cache = BuildCache(Path(cache_root) if cache_root else cache_dir())
        self._manifest: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.data_dir)!r})"

    # -- the build -----------------------------------------------------------------------------

    @cached_property
    def _key(self) -> str:
        from il2kg.resources import data_files  # not from .load: pydantic is slow to import

        return cache_key(data_files(self.data_dir), self.data_dir, ontology_dir())

    @cached_property
    def _raw(self) -> tuple[dict[str, Any], bytes | FileBytes]:
        """The cache entry: the model as plain JSON data, and the sorted N-Triples.

        On a cache miss the data is loaded, validated and built (raising ``DataError``), and
        the entry written; the N-Triples are then left in a file (the entry's ``graph.nt``, or
        a temporary file without the cache), not in memory. Nothing here imports pydantic or
        rdflib on a hit.
        """
        if self.use_cache:
            hit = self._cache.read(self._key)
            if hit is not None:
                model, nt, manifest = hit
                self._manifest = manifest
                return model, nt
        import tempfile

        from il2kg.dataset.load import load_dataset
        from il2kg.dataset.ontology import read_vocabulary
        from il2kg.dataset.read import dataset_to_json
        from il2kg.files import FileBytes
        from il2kg.paths.network import network_to_json, to_networkx
        from il2kg.rdf.build import dataset_triples
        from il2kg.rdf.formats import ntriples_dump, ntriples_dumps

        fixed_mmap_threshold()  # the build's large blocks go back to the system when freed
        with gc_paused():  # the cyclic GC doubles the cost of building millions of objects
            vocab = read_vocabulary(ontology_dir() / "il2kg.ttl")
            ds = load_dataset(self.data_dir, vocab)
            self.__dict__["dataset"] = ds
            model = {"vocabulary": vocab.to_json()}
            staged = self._cache.stage(self._key, model) if self.use_cache else None
            if staged is not None:
                # The entry's model is written before the triples exist, a part at a time, and
                # not kept: the validated dataset is at hand (the network is projected from it
                # on use). Each part is freed before the next is made (at 10^5 relations the
                # network's 160 MiB before the dataset's 80), and the free lists emptied after
                # it. The networkx graph is emptied: its cached views make a cycle that the
                # paused collector would keep (~150 MiB at 10^5 relations).
                def network() -> dict[str, Any]:
                    graph = to_networkx(ds)
                    data = network_to_json(graph)
                    graph.clear()
                    return data

                for part, make in (("network", network), ("dataset", lambda: dataset_to_json(ds))):
                    written = self._cache.add_part(staged, part, make())
                    release_free_lists()
                    if not written:
                        staged = None
                        break
            # The N-Triples go to the entry's graph.nt (or a temporary file) and stay there.
            fh: BinaryIO | None = None
            if staged is not None:
                try:
                    fh = open(staged.graph, "w+b")  # noqa: SIM115 (kept open by FileBytes)
                except OSError:
                    self._cache.discard(staged)
                    staged = None
            if fh is None:
                fh = tempfile.TemporaryFile(prefix="il2kg-nt-")  # noqa: SIM115 (as above)
            built: bytes | FileBytes
            try:
                ntriples_dump(dataset_triples(ds), fh)
                built = FileBytes(fh, staged.graph if staged else None)
            except BaseException as exc:
                fh.close()
                if staged is not None:
                    self._cache.discard(staged)
                if not isinstance(exc, OSError):
                    raise
                # no room for a temporary file (a full disk, a file size limit): in memory
                staged, built = None, ntriples_dumps(dataset_triples(ds), spill=False)
            release_free_lists()
            if staged is not None:
                self._cache.commit(staged, built)
        return model, built

    def _part(self, name: str) -> Any:
        """One part of the build: ``vocabulary``, ``dataset`` or ``network`` (JSON data; ``None``
        when built without the cache) or ``graph`` (the N-Triples).

        From the cache entry, that part alone (checked against its digest); else from
        :attr:`_raw`, which builds (or raises ``DataError``). Nothing here imports pydantic or
        rdflib on a hit.
        """
        if self.use_cache and "_raw" not in self.__dict__:
            kept: dict[str, Any] = self.__dict__.setdefault("_parts", {})
            if name in kept:
                return kept[name]
            if name == "graph":  # in its file, hashed but not read
                graph = self._cache.read_graph(self._key)
                if graph is not None:
                    self._manifest.update(graph[1])
                    kept[name] = graph[0]
                    return graph[0]
            elif (hit := self._cache.read_part(self._key, f"{name}.json")) is not None:
                blob, manifest = hit
                try:
                    with gc_paused():
                        value = json.loads(blob)
                except ValueError:
                    pass  # a digest that matches bytes that are no JSON: build
                else:
                    self._manifest.update(manifest)
                    kept[name] = value
                    return value
        model, nt = self._raw
        return nt if name == "graph" else model.get(name)

    @cached_property
    def dataset(self) -> Dataset:
        """The validated entities and relations."""
        from il2kg.dataset.read import dataset_from_json

        model = self._part("dataset")
        if "dataset" in self.__dict__:  # built just now by _raw
            return self.__dict__["dataset"]  # type: ignore[no-any-return]
        return dataset_from_json(model)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The ontology's classes and curated predicates."""
        from il2kg.dataset.ontology import Vocabulary

        return Vocabulary.from_json(self._part("vocabulary"))

    def _graph(self) -> bytes | FileBytes:
        """The N-Triples as they are at hand: the file a build left them in or the cache
        entry's (:class:`~il2kg.files.FileBytes`), read by :attr:`ntriples` only; ``bytes``
        when a build could not write a temporary file."""
        nt: bytes | FileBytes = self._part("graph")
        return nt

    @property
    def ntriples(self) -> bytes:
        """The graph as sorted N-Triples (what the query engines load).

        They are in a file (the build's, or the cache entry's); they are read into memory on
        the first use of this property (a build, its SHACL, its ``nt`` output and a build on a
        warm cache never hold them whole).
        """
        nt = self._graph()
        if isinstance(nt, bytes):
            return nt
        kept: bytes | None = self.__dict__.get("_ntriples")
        if kept is None:
            kept = self.__dict__["_ntriples"] = nt.read()
        return kept

    def ntriples_digest(self) -> str:
        """The SHA-256 (hex) of :attr:`ntriples`; from the build cache's manifest when the entry
        exists, so a caller that only needs to name or trust a store reads no N-Triples."""
        if self.use_cache:
            recorded = self._cache.digest(self._key)
            if recorded is not None:
                return recorded
        from il2kg.query.stores import content_digest

        nt = self._graph()
        return content_digest(nt) if isinstance(nt, bytes) else nt.sha256()

    @cached_property
    def graph(self) -> Graph:
        """The data graph as an rdflib ``Graph`` (ontology not included)."""
        from rdflib import Graph

        from il2kg.rdf.build import bind_prefixes, build_graph

        if "dataset" in self.__dict__:  # cheaper than parsing the N-Triples
            return build_graph(self.dataset)
        g = bind_prefixes(Graph())
        g.parse(data=self.ntriples, format="nt")
        return g

    @cached_property
    def ontology(self) -> Graph:
        """The ontology graph (``ontology/il2kg.ttl``)."""
        from rdflib import Graph

        return Graph().parse(ontology_dir() / "il2kg.ttl", format="turtle")

    def network(self) -> nx.MultiDiGraph:
        """The networkx projection: entities and curated, non-negated relations (a new copy)."""
        from il2kg.paths.network import network_from_json, to_networkx

        data = self._part("network")
        if data is None:  # built without the cache: project the dataset
            return to_networkx(self.dataset)
        return network_from_json(data)

    # -- operations ----------------------------------------------------------------------------

    def validate(self, shacl: bool = True) -> Stats:
        """Validate the data (YAML, model, identifiers, domain/range and, with ``shacl``, SHACL).

        Returns the statistics of the valid data; raises :class:`~il2kg.errors.DataError`.
        """
        from il2kg.curate.stats import compute_stats
        from il2kg.errors import DataError

        ds = self.dataset
        if shacl and not self._manifest.get("shacl_ok"):
            from il2kg.rdf.shacl import shacl_problems

            with gc_paused():
                problems = shacl_problems(
                    self._graph(),
                    lambda: self.graph,
                    ds,
                    ontology_dir() / "il2kg.ttl",
                    ontology_dir() / "shapes.ttl",
                )
            if problems:
                raise DataError(problems)
            if self.use_cache:
                self._cache.mark(self._key, shacl_ok=True)
            self._manifest["shacl_ok"] = True
        return compute_stats(ds, self.vocabulary)

    def stats(self) -> Stats:
        """Counts by class and predicate, and evidence coverage."""
        from il2kg.curate.stats import compute_stats

        return compute_stats(self.dataset, self.vocabulary)

    def dumps(self, fmt: str) -> dict[str, bytes]:
        """Serialise to ``fmt`` (see :data:`il2kg.rdf.formats.FORMATS`)."""
        from il2kg.files import FileBytes

        return {
            name: data.read() if isinstance(data, FileBytes) else data
            for name, data in self._dumps(fmt).items()
        }

    def dump(self, out: BinaryIO, fmt: str) -> None:
        """Write the graph in ``fmt``, a one-file format, to the open binary file ``out`` (the
        N-Triples copied from their file in blocks, never read whole).

        :raises OutputError: for an unknown format or one that writes a directory.
        """
        from il2kg.errors import OutputError
        from il2kg.files import FileBytes

        files = self._dumps(fmt)
        if "" not in files:
            raise OutputError(f"format '{fmt}' writes a directory, not one file")
        data = files[""]
        if isinstance(data, FileBytes):
            data.copy_to(out)
        else:
            out.write(data)

    def _dumps(self, fmt: str) -> Mapping[str, bytes | FileBytes]:
        """:meth:`dumps`, N-Triples left in the file a build wrote them to (for copying)."""
        from il2kg.rdf.formats import dumps

        return dumps(
            fmt,
            ntriples=self._graph(),
            graph=lambda: self.graph,
            ds=self.dataset,
            vocab=self.vocabulary,
        )

    def write(self, path: str | Path, fmt: str | None = None) -> list[Path]:
        """Write the graph to ``path`` atomically; the format comes from ``fmt`` or the suffix."""
        from il2kg.files import atomic_write_many
        from il2kg.rdf.formats import format_for

        target = Path(path)
        fmt = format_for(target, fmt)
        files = {
            (target / name if name else target): data for name, data in self._dumps(fmt).items()
        }
        atomic_write_many(files)  # KGX's nodes.tsv and edges.tsv land together or not at all
        return list(files)

    # -- lookups and paths (il2kg.paths) ---------------------------------------------------------------

    @cached_property
    def resolver(self) -> Resolver:
        """The name index of the entities (see :mod:`il2kg.paths.resolve`), built once."""
        from il2kg.paths.resolve import NameSource, Resolver

        if self.use_cache:  # kept in the cache entry by an earlier process
            kept = self._cache.read_derived(self._key, NAMES_FILE)
            if kept is not None:
                with gc_paused():
                    return Resolver.from_json(json.loads(kept))
        if "dataset" in self.__dict__:
            resolver = Resolver(self.dataset)
        else:
            resolver = Resolver(NameSource.from_nodes(self.path_graph.nodes))
        if self.use_cache:
            self._cache.write_derived(self._key, NAMES_FILE, _json_bytes(resolver.to_json()))
        return resolver

    def resolve(self, name: str) -> str:
        """The entity id for a CURIE, IRI, label or synonym; raises ``UnknownEntityError``."""
        return self.resolver.resolve(name)

    def search(self, term: str, limit: int = 10) -> list[SearchHit]:
        """Entities matching ``term`` over ids, labels, synonyms and xrefs, best first."""
        return self.resolver.search(term, limit)

    @cached_property
    def path_graph(self) -> PathGraph:
        """The projection path searches walk, built once (do not modify): the graph of
        :meth:`network` without networkx (see :class:`~il2kg.paths.network.PathGraph`)."""
        from il2kg.paths.network import PathGraph, to_networkx

        data = self._part("network")
        with gc_paused():  # ~10^6 containers at 10^5 entities: collections would double the cost
            if data is None:  # built without the cache: project the dataset
                return PathGraph.from_networkx(to_networkx(self.dataset))
            return PathGraph.from_json(data)

    @cached_property
    def direct_graph(self) -> PathGraph:
        """:attr:`path_graph` without summary (``direct: false``) relations: what paths walk
        unless asked for summaries."""
        from il2kg.paths.network import PathGraph, network_to_json, to_networkx, without_summaries

        data = self._part("network")
        with gc_paused():
            if data is None:  # built without the cache: project the dataset
                data = network_to_json(to_networkx(self.dataset))
            return PathGraph.from_json(without_summaries(data))

    def paths(
        self,
        source: str,
        target: str,
        *,
        k: int = 1,
        all_paths: bool = False,
        max_length: int | None = None,
        max_paths: int = DEFAULT_MAX_PATHS,
        timeout: float | None = DEFAULT_PATH_TIMEOUT,
        directed: bool = True,
        predicates: Collection[str] = (),
        exclude_predicates: Collection[str] = (),
        via: Sequence[str] = (),
        avoid: Collection[str] = (),
        metapath: str | Sequence[str] | None = None,
        qualifiers: Mapping[str, str] | None = None,
        summaries: bool = False,
        sign: str | None = None,
    ) -> PathResult:
        """Ranked paths between two entities named any way :meth:`resolve` accepts.

        Paths walk direct relations (mechanisms); ``summaries`` brings indirect summary
        relations back into the search. Each path carries its net ``effect`` (two inhibitions
        make an activation); ``sign`` keeps only ``positive`` or ``negative`` paths.

        ``k`` shortest simple paths (or ``all_paths`` up to ``max_length``), ``directed`` unless
        told otherwise; ``predicates``/``exclude_predicates`` by name (with sub-predicates),
        ``via`` waypoints in order, ``avoid`` entities, a ``metapath`` of classes
        (``"Cytokine>ReceptorComplex>Kinase"``), ``qualifiers`` the relations must carry.

        :raises UnknownEntityError: for a name; :raises PathNotFound: when no path fits;
            :raises Il2kgError: for unknown predicates, classes or qualifier keys.
        """
        from il2kg.paths.constraints import query_paths

        return query_paths(
            self.path_graph if summaries else self.direct_graph,
            self.vocabulary,
            self.resolver,
            source,
            target,
            k=k,
            all_paths=all_paths,
            max_length=max_length,
            max_paths=max_paths,
            timeout=timeout,
            directed=directed,
            predicates=predicates,
            exclude_predicates=exclude_predicates,
            via=via,
            avoid=avoid,
            metapath=metapath,
            qualifiers=qualifiers,
            sign=sign,
        )

    def neighbors(
        self,
        name: str,
        *,
        depth: int = 1,
        predicates: Collection[str] = (),
        types: Collection[str] = (),
        directed: bool = False,
    ) -> list[Neighbor]:
        """Entities within ``depth`` hops of the one ``name`` designates, nearest first.

        :raises UnknownEntityError: for the name; :raises Il2kgError: for unknown predicates
            or classes, or ``depth < 1``.
        """
        from il2kg.paths.constraints import query_neighbors

        _, found = query_neighbors(
            self.path_graph,
            self.vocabulary,
            self.resolver,
            name,
            depth=depth,
            predicates=predicates,
            types=types,
            directed=directed,
        )
        return found

    def neighbors_df(
        self,
        name: str,
        *,
        depth: int = 1,
        predicates: Collection[str] = (),
        types: Collection[str] = (),
        directed: bool = False,
    ) -> Any:
        """:meth:`neighbors` as a pandas DataFrame, with labels (``pip install 'il2kg[pandas]'``)."""
        from il2kg.paths.results import neighbors_to_df

        found = self.neighbors(
            name, depth=depth, predicates=predicates, types=types, directed=directed
        )
        return neighbors_to_df(found, self.labels)

    def card(self, name: str) -> EntityCard:
        """Everything curated about one entity: ids, names, description, relations, evidence.

        :raises UnknownEntityError: when ``name`` designates no entity, or several.
        """
        eid = self.resolve(name)
        cards: dict[str, EntityCard] | None = self.__dict__.get("_cards")
        if cards is not None:  # derived by this object (the cache could not keep them)
            return cards[eid]
        if self.use_cache:  # kept in the cache entry by an earlier process
            kept = self._cache.read_record(self._key, CARDS_FILE, eid)
            if kept is not None:
                from il2kg.curate.card import EntityCard

                return EntityCard.from_json(json.loads(kept))
        from il2kg.curate.card import entity_card, entity_cards

        if not self.use_cache:
            return entity_card(self.dataset, eid)
        with gc_paused():
            cards = {c.id: c for c in entity_cards(self.dataset)}
        self.__dict__["_cards"] = cards
        self._cache.write_records(
            self._key, CARDS_FILE, {i: _json_bytes(c.to_json()) for i, c in cards.items()}
        )
        return cards[eid]

    def conflicts(self) -> list[Conflict]:
        """Claims the evidence disagrees on: contested ones, and negations in another context."""
        from il2kg.curate.conflicts import find_conflicts

        return find_conflicts(self.dataset)

    @cached_property
    def labels(self) -> Mapping[str, str]:
        """Entity id -> label (read from the cached network: no need to load the dataset)."""
        if "path_graph" not in self.__dict__ and (data := self._part("network")) is not None:
            return {n: str(d["label"]) for n, d in data["nodes"]}
        return {n: str(d["label"]) for n, d in self.path_graph.nodes.items()}

    def label(self, entity_id: str) -> str:
        """The label of an entity id (the id itself when it is not an entity of the graph)."""
        return self.labels.get(entity_id, entity_id)

    # -- SPARQL (see il2kg.query.ask) -------------------------------------------------------------

    def resolve_iri(self, name: str) -> str:
        """The IRI of the entity ``name`` designates (what query parameters are resolved with).

        :raises UnknownEntityError: when it designates none or several.
        """
        return expand(self.resolve(name))

    def query(
        self,
        query: str,
        *,
        params: Mapping[str, str] | None = None,
        engine: Engine = DEFAULT_ENGINE,
        reasoning: Reasoning = DEFAULT_REASONING,
        timeout: float = DEFAULT_TIMEOUT,
        limit: int | None = None,
        labels: bool = True,
    ) -> Results:
        """Run a SPARQL query (prefixes of the pinned map predeclared) in the query sandbox.

        ``params`` bind ``?name`` to a CURIE, ``<IRI>``, number, ``"string"`` or entity name (any
        name :meth:`resolve` understands); ``engine`` is ``oxigraph`` or ``rdflib``;
        ``reasoning`` ``none`` or ``rdfs``. Returns :class:`~il2kg.query.results.Results`
        (``.records()`` gives plain dicts).

        :raises QueryError: refused or malformed (``QueryTimeout`` past ``timeout``).
        :raises UnknownEntityError: for a parameter naming no entity, or several.
        """
        return self.ask(
            query,
            by_name=False,
            params=params,
            engine=engine,
            reasoning=reasoning,
            timeout=timeout,
            limit=limit,
            labels=labels,
        )

    def named_query(
        self,
        name: str,
        /,
        *,
        engine: Engine = DEFAULT_ENGINE,
        reasoning: Reasoning = DEFAULT_REASONING,
        timeout: float = DEFAULT_TIMEOUT,
        limit: int | None = None,
        labels: bool = True,
        **params: str,
    ) -> Results:
        """Run a named query of ``il2kg queries`` with its parameters as keywords.

        >>> KnowledgeGraph("tests/fixtures/kb").named_query("kinases-of-receptor").column("kinase")
        ['HGNC:6190', 'HGNC:6193']
        """
        from il2kg.query.catalogue import get_named_query

        return self.ask(
            get_named_query(name),
            params=params,
            engine=engine,
            reasoning=reasoning,
            timeout=timeout,
            limit=limit,
            labels=labels,
        )

    def ask(
        self,
        query: str | NamedQuery,
        *,
        by_name: bool = True,
        params: Mapping[str, str] | None = None,
        endpoint: str | None = None,
        store: Store | None = None,
        location: str | Path | None = None,
        engine: Engine | None = None,
        reasoning: Reasoning | None = None,
        auth: Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        limit: int | None = None,
        labels: bool = True,
    ) -> Results:
        """Answer ``query``, a SPARQL text or (with ``by_name``) the name of a named query.

        Locally on ``engine`` by default; through the rdflib API on ``store`` (``memory`` or
        ``oxigraph``, see :mod:`il2kg.query.stores`); or on a remote SPARQL ``endpoint`` (see
        :mod:`il2kg.query.remote`). Named queries get their declared parameters and defaults;
        entity names are resolved as :meth:`resolve` does, whatever the backend.

        :raises OptionError: for options that contradict each other (``store`` with
            ``endpoint`` …).
        :raises QueryError: refused, malformed, unknown name (``QueryTimeout`` past ``timeout``).
        :raises UnknownEntityError: for a parameter naming no entity, or several.
        :raises EndpointError: from a remote endpoint.
        """
        from il2kg.query.ask import GraphSource, ask, backend_for

        source = GraphSource(lambda: self.ntriples, self._query_store if self.use_cache else None)
        backend = backend_for(
            source,
            endpoint=endpoint,
            store=store,
            location=location,
            engine=engine,
            reasoning=reasoning,
            auth=auth,
        )
        return ask(
            query,
            backend,
            by_name=by_name,
            params=params,
            resolve=self.resolve_iri,
            timeout=timeout,
            limit=limit,
            labels=labels,
        )

    def _query_store(self, reasoning: str, rebuild: bool) -> Path | None:
        """The on-disk Oxigraph store of this graph in the build cache (``None``: cannot be kept).

        On a warm cache only the entry's manifest and the store's marker are read: the first
        query of a process does not read or hash the N-Triples. Filled on first use; checked
        once per reasoning in this object (and again when a query found it damaged).
        """
        from il2kg.errors import StoreError
        from il2kg.query.stores import cached_store

        checked: dict[str, Path] = self.__dict__.setdefault("_stores", {})
        if not rebuild and reasoning in checked:
            return checked[reasoning]

        digest = self._cache.digest(self._key)
        if digest is None:  # no entry yet: build it (or raise DataError)
            _ = self._raw
            digest = self._cache.digest(self._key)
            if digest is None:  # the cache cannot be written
                return None
        try:
            folder = cached_store(
                self._cache.folder(self._key, f"oxigraph-{reasoning}"),
                digest,
                lambda: self.ntriples,
                reasoning,
                rebuild=rebuild,
            )
        except StoreError:
            return None
        checked[reasoning] = folder
        return folder

    def push(
        self,
        store_url: str,
        *,
        graph: str | None = None,
        ontology_graph: str | None = None,
        with_ontology: bool = True,
        auth: Auth | None = None,
        timeout: float = 600.0,
    ) -> list[PushedGraph]:
        """Replace the data (and ontology) graphs of a remote store over the Graph Store Protocol.

        :raises EndpointError: when the store refuses or cannot be reached.
        """
        from il2kg.query.remote import DATA_GRAPH, ONTOLOGY_GRAPH, push

        self.validate()
        return push(
            self.ntriples,
            store_url,
            graph=graph or DATA_GRAPH,
            ontology_graph=(ontology_graph or ONTOLOGY_GRAPH) if with_ontology else None,
            auth=auth,
            timeout=timeout,
        )

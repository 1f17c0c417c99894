"""The facade: one object that opens a data directory, validates it once, and caches the build.

>>> from il2kg import KnowledgeGraph
>>> kg = KnowledgeGraph()            # the shipped data
>>> kg.stats().entities > 0
True
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BuildCache, cache_key
from .load import Dataset, data_files, dataset_from_json, dataset_to_json
from .ontology import Vocabulary
from .resources import cache_dir, default_data_dir, ontology_dir

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from .stats import Stats


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
        self._built_graph: Graph | None = None
        self._manifest: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.data_dir)!r})"

    # -- the build -----------------------------------------------------------------------------

    @cached_property
    def _key(self) -> str:
        return cache_key(data_files(self.data_dir), self.data_dir, ontology_dir())

    @cached_property
    def _entry(self) -> tuple[Dataset, Vocabulary, bytes]:
        if self.use_cache:
            hit = self._cache.read(self._key)
            if hit is not None:
                model, nt, manifest = hit
                self._manifest = manifest
                return (
                    dataset_from_json(model["dataset"]),
                    Vocabulary.from_json(model["vocabulary"]),
                    nt,
                )
        from .load import load_dataset
        from .ontology import read_vocabulary
        from .rdf import build_graph
        from .serialize import ntriples_dumps

        ds = load_dataset(self.data_dir)
        vocab = read_vocabulary(ontology_dir() / "il2kg.ttl")
        graph = build_graph(ds)
        self._built_graph = graph
        nt = ntriples_dumps(graph)
        if self.use_cache:
            model = {"dataset": dataset_to_json(ds), "vocabulary": vocab.to_json()}
            self._cache.write(self._key, model, nt)
        return ds, vocab, nt

    @property
    def dataset(self) -> Dataset:
        """The validated entities and relations."""
        return self._entry[0]

    @property
    def vocabulary(self) -> Vocabulary:
        """The ontology's classes and curated predicates."""
        return self._entry[1]

    @property
    def ntriples(self) -> bytes:
        """The graph as sorted N-Triples (what the query engines load)."""
        return self._entry[2]

    @cached_property
    def graph(self) -> Graph:
        """The data graph as an rdflib ``Graph`` (ontology not included)."""
        self._entry  # noqa: B018 - builds or reads the cache
        if self._built_graph is not None:
            return self._built_graph
        from rdflib import Graph

        from .rdf import bind_prefixes

        g = bind_prefixes(Graph())
        g.parse(data=self.ntriples, format="nt")
        return g

    @cached_property
    def ontology(self) -> Graph:
        """The ontology graph (``ontology/il2kg.ttl``)."""
        from rdflib import Graph

        return Graph().parse(ontology_dir() / "il2kg.ttl", format="turtle")

    def network(self) -> nx.MultiDiGraph:
        """The networkx projection: entities and curated, non-negated relations."""
        from .network import to_networkx

        return to_networkx(self.dataset)

    # -- operations ----------------------------------------------------------------------------

    def validate(self, shacl: bool = True) -> Stats:
        """Validate the data (YAML, model, identifiers, domain/range and, with ``shacl``, SHACL).

        Returns the statistics of the valid data; raises :class:`~il2kg.errors.DataError`.
        """
        from .errors import DataError
        from .stats import compute_stats

        ds = self.dataset
        if shacl and not self._manifest.get("shacl_ok"):
            from .shacl import shacl_problems

            problems = shacl_problems(
                self.graph, ds, ontology_dir() / "il2kg.ttl", ontology_dir() / "shapes.ttl"
            )
            if problems:
                raise DataError(problems)
            if self.use_cache:
                self._cache.mark(self._key, shacl_ok=True)
            self._manifest["shacl_ok"] = True
        return compute_stats(ds, self.vocabulary)

    def stats(self) -> Stats:
        """Counts by class and predicate, and evidence coverage."""
        from .stats import compute_stats

        return compute_stats(self.dataset, self.vocabulary)

    def dumps(self, fmt: str) -> dict[str, bytes]:
        """Serialise to ``fmt`` (see :data:`il2kg.serialize.FORMATS`)."""
        from .serialize import dumps

        return dumps(fmt, ntriples=self.ntriples, graph=lambda: self.graph, ds=self.dataset,
                     vocab=self.vocabulary)

    def write(self, path: str | Path, fmt: str | None = None) -> list[Path]:
        """Write the graph to ``path`` atomically; the format comes from ``fmt`` or the suffix."""
        from .serialize import atomic_write, format_for

        target = Path(path)
        fmt = format_for(target, fmt)
        written = []
        for name, data in self.dumps(fmt).items():
            out = target / name if name else target
            atomic_write(out, data)
            written.append(out)
        return written

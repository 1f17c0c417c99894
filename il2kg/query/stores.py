"""Where the graph lives while it is queried: rdflib's memory store or Oxigraph under rdflib.

Both give an rdflib :class:`~rdflib.Graph`, so every caller uses the same API:

- ``memory``: rdflib's own in-memory store and SPARQL engine (pure Python). Fine for the curated
  data (thousands of triples); slow on large graphs and on queries with several ``?x a <Class>``
  patterns, which rdflib's planner joins as a cartesian product (see docs/performance.md).
- ``oxigraph``: the `oxrdflib <https://github.com/oxigraph/oxrdflib>`_ store over pyoxigraph: the
  same ``Graph`` API with Oxigraph's Rust storage and SPARQL engine (10-100× faster from about
  10^5 triples on). Give a ``location`` (a folder) to keep the loaded graph on disk: the next open
  with the same content skips the load.

Queries must be passed as strings: oxrdflib cannot run an rdflib ``prepareQuery()`` object.

>>> from il2kg import KnowledgeGraph
>>> g = open_graph(KnowledgeGraph("tests/fixtures/kb").ntriples, "oxigraph")
>>> len(g) > 100
True
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg.errors import StoreError
from il2kg.namespaces import DATASET_IRI, ONTOLOGY_IRI
from il2kg.query.layout import STORES

if TYPE_CHECKING:
    from rdflib import Dataset, Graph, URIRef


#: The store kinds, for ``--store`` (the first is the default).
#: The named graph holding the curated data (in Oxigraph stores and remote triple stores).
DATA_GRAPH: Final = DATASET_IRI
#: The named graph holding the ontology (``ontology/il2kg.ttl``).
ONTOLOGY_GRAPH: Final = ONTOLOGY_IRI
#: The file in an on-disk store's folder that records what it holds.
MARKER: Final = "il2kg-store.json"


def content_digest(ntriples: bytes) -> str:
    """The SHA-256 of a graph's N-Triples, which names what an on-disk store holds."""
    return hashlib.sha256(ntriples).hexdigest()


def open_graph(
    ntriples: bytes,
    store: str = "memory",
    location: str | Path | None = None,
    identifier: str = DATA_GRAPH,
) -> Graph:
    """An rdflib ``Graph`` holding ``ntriples``, in the chosen ``store``.

    ``location`` (``oxigraph`` only) is a folder for an on-disk store: if it already holds these
    exact triples (by SHA-256) it is opened as is, else it is emptied and loaded. The triples go
    into the named graph ``identifier``, which is also the graph the rdflib API and SPARQL see.

    Raises :class:`StoreError` for an unknown store, a ``location`` with ``memory``, or a
    folder that cannot be used (another process holds it open, or it is not an il2kg store).
    """
    from rdflib import Graph, URIRef

    if store not in STORES:
        raise StoreError(f"unknown store '{store}' (choose from {', '.join(STORES)})")
    if store == "memory":
        if location is not None:
            raise StoreError("the memory store cannot be kept on disk; use --store oxigraph")
        from il2kg.rdf.build import bind_prefixes

        g = bind_prefixes(Graph(identifier=URIRef(identifier)))
        g.parse(data=ntriples, format="nt")
        return g
    return _oxigraph_graph(ntriples, location, URIRef(identifier))


def load_store(location: str | Path, graphs: dict[str, bytes], reasoning: str = "none") -> Path:
    """Make the folder ``location`` an on-disk Oxigraph store holding exactly ``graphs``.

    ``graphs`` maps named-graph IRIs (``""`` for the default graph) to N-Triples; with
    ``reasoning="rdfs"`` the inferences of :data:`il2kg.query.layout.RDFS_RULES` are materialised.
    A folder that already holds the same (by SHA-256, recorded in :data:`MARKER`) is left as
    is; a stale il2kg store is rebuilt; a non-empty folder that is not an il2kg store is
    refused (:class:`StoreError`).
    """
    import pyoxigraph

    folder = Path(location)
    wanted = {iri: content_digest(nt) for iri, nt in graphs.items()}
    if reasoning != "none":
        wanted["reasoning"] = reasoning
    marker = folder / MARKER
    if folder.exists() and any(folder.iterdir()) and not marker.exists():
        raise StoreError(
            f"{folder} is not empty and is not an il2kg store; choose an empty or new folder"
        )
    try:
        recorded = json.loads(marker.read_text()) if marker.exists() else {}
    except (OSError, ValueError):
        recorded = {}
    if recorded.get("graphs") == wanted:
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # a stale il2kg store (checked above): rebuild it whole
    try:
        folder.mkdir(parents=True)
        ox = pyoxigraph.Store(str(folder))
        _fill(ox, graphs, reasoning)
        ox.flush()
        del ox
    except OSError as exc:
        raise StoreError(f"cannot write an Oxigraph store in {folder}: {exc}") from exc
    marker.write_text(json.dumps({"graphs": wanted}, indent=2) + "\n")
    return folder


def _fill(ox: Any, graphs: dict[str, bytes], reasoning: str) -> None:
    import pyoxigraph

    for iri, nt in graphs.items():
        target = pyoxigraph.NamedNode(iri) if iri else pyoxigraph.DefaultGraph()
        ox.bulk_load(input=nt, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=target)
    if reasoning != "none":
        from il2kg.query.layout import RDFS_RULES, RULE_PREFIXES

        for rule in RDFS_RULES:
            ox.update(rule, prefixes=RULE_PREFIXES)


def _oxigraph_graph(ntriples: bytes, location: str | Path | None, identifier: URIRef) -> Graph:
    import pyoxigraph
    from oxrdflib import OxigraphStore
    from rdflib import Graph

    from il2kg.rdf.build import bind_prefixes

    if location is None:
        ox = pyoxigraph.Store()
        ox.bulk_load(
            input=ntriples,
            format=pyoxigraph.RdfFormat.N_TRIPLES,
            to_graph=pyoxigraph.NamedNode(str(identifier)),
        )
    else:
        folder = load_store(location, {str(identifier): ntriples})
        try:
            ox = pyoxigraph.Store(str(folder))
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store in {folder}: {exc}") from exc
    return bind_prefixes(Graph(store=OxigraphStore(store=ox), identifier=identifier))


def open_dataset(
    ntriples: bytes,
    store: str = "memory",
    location: str | Path | None = None,
    reasoning: str = "none",
) -> Dataset:
    """An rdflib ``Dataset`` laid out as the query engines expect (see :mod:`il2kg.query.layout`).

    The data is the default graph, the ontology the named graph :data:`ONTOLOGY_GRAPH`;
    ``reasoning="rdfs"`` materialises the inferences. ``store="oxigraph"`` puts the same
    ``Dataset`` API over pyoxigraph (queries passed as strings run on Oxigraph's engine);
    ``location`` keeps it on disk and reuses it while the content is unchanged. This is the
    hook behind ``il2kg query --store``: pass ``lambda: open_dataset(nt, store, location,
    reasoning)`` as the ``build`` of :func:`il2kg.query.engines.execute` with ``engine="rdflib"``.

    Raises :class:`StoreError`.
    """
    from rdflib import Dataset

    if store not in STORES:
        raise StoreError(f"unknown store '{store}' (choose from {', '.join(STORES)})")
    if store == "memory":
        if location is not None:
            raise StoreError("the memory store cannot be kept on disk; use --store oxigraph")
        from il2kg.query.layout import rdflib_dataset

        ds: Dataset = rdflib_dataset(ntriples, reasoning)
        return ds
    import pyoxigraph
    from oxrdflib import OxigraphStore

    graphs = {"": ntriples, ONTOLOGY_GRAPH: ontology_ntriples()}
    if location is None:
        ox = pyoxigraph.Store()
        _fill(ox, graphs, reasoning)
    else:
        folder = load_store(location, graphs, reasoning)
        try:
            ox = pyoxigraph.Store(str(folder))
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store in {folder}: {exc}") from exc
    return Dataset(store=OxigraphStore(store=ox))


def ontology_ntriples() -> bytes:
    """The ontology (``ontology/il2kg.ttl``) as N-Triples."""
    import pyoxigraph

    from il2kg.resources import ontology_dir

    quads = pyoxigraph.parse(
        path=str(ontology_dir() / "il2kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE
    )
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""

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

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
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


def load_store(
    location: str | Path,
    graphs: Mapping[str, bytes | Callable[[], bytes]],
    reasoning: str = "none",
    *,
    reclaim: bool = False,
    check_files: bool = False,
    digests: Mapping[str, str] | None = None,
) -> Path:
    """Make the folder ``location`` an on-disk Oxigraph store holding exactly ``graphs``.

    ``graphs`` maps named-graph IRIs (``""`` for the default graph) to N-Triples; with
    ``reasoning="rdfs"`` the inferences of :data:`il2kg.query.layout.RDFS_RULES` are materialised.
    A folder that already holds the same (by SHA-256, recorded in :data:`MARKER`) is left as
    is; a stale il2kg store is rebuilt; a non-empty folder that is not an il2kg store is
    refused (:class:`StoreError`).

    Crash-safe: the store is filled in a temporary sibling folder, the marker written last, and
    the whole folder renamed into place, so ``location`` is either absent, the old store or the
    complete new one, whenever the process is killed. Fillers take a lock (``fcntl.flock`` on the
    sibling ``.NAME.lock``), so processes racing on a fresh location fill it once and all use it;
    what a killed filler left behind (temporary siblings) is removed by the next one. A folder of
    Oxigraph files without a marker (a fill interrupted by an il2kg older than this one, or a store
    il2kg did not write) is rebuilt with ``reclaim`` (for folders il2kg owns, in the build cache)
    and refused otherwise. With ``check_files`` a store whose files are not those the marker
    lists (:func:`files_intact`) is rebuilt as well. A graph may be given as a function that
    returns its N-Triples, with its SHA-256 in ``digests``: it is called only to fill the store.
    """
    folder = Path(location)
    if folder.is_symlink():  # fill where the link points, keep the link
        folder = folder.resolve()
    known = digests or {}

    def _bytes(nt: bytes | Callable[[], bytes]) -> bytes:
        return nt() if callable(nt) else nt

    wanted: dict[str, str] = {
        iri: known[iri] if iri in known else content_digest(_bytes(nt))
        for iri, nt in graphs.items()
    }
    if reasoning != "none":
        wanted["reasoning"] = reasoning

    def holds() -> bool:
        return _recorded(folder) == wanted and (not check_files or files_intact(folder))

    if holds():  # the common case: no lock, nothing written
        return folder
    _refuse_foreign(folder, reclaim)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with _filling_lock(folder):
            if holds():  # another process filled it meanwhile
                return folder
            _refuse_foreign(folder, reclaim)
            _remove_leftovers(folder)
            filled = {iri: _bytes(nt) for iri, nt in graphs.items()}
            # the marker records what was loaded, whatever digest the caller had trusted
            recorded = {iri: content_digest(nt) for iri, nt in filled.items()}
            _fill_beside(folder, filled, reasoning, {**wanted, **recorded})
    except OSError as exc:
        raise StoreError(f"cannot write an Oxigraph store in {folder}: {exc}") from exc
    return folder


#: Oxigraph's (RocksDB's) own files: a folder holding only these and no marker is an Oxigraph store
#: whose filling was interrupted (by an il2kg older than the crash-safe fill), or not il2kg's.
_ROCKSDB_FILES: Final = re.compile(
    r"(CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|MANIFEST-\d+|OPTIONS-\d+(\.dbtmp)?"
    r"|\d+\.(log|sst|blob|dbtmp)|[0-9A-Fa-f-]+\.dbtmp)"
)


def _marker(folder: Path, field: str) -> dict[str, Any] | None:
    """One field of the marker of ``folder`` (``None``: no readable marker, or no such field)."""
    try:
        recorded = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    value = recorded.get(field) if isinstance(recorded, dict) else None
    return value if isinstance(value, dict) else None


def _recorded(folder: Path) -> dict[str, str] | None:
    """What the marker of ``folder`` says it holds (``None``: no readable marker)."""
    return _marker(folder, "graphs")


#: Files of a store that change while it is only read (RocksDB's info log, its lock file).
_VOLATILE: Final = re.compile(r"LOCK|LOG(\.old\.\d+)?")


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.name: p.stat().st_size
        for p in folder.iterdir()
        if p.name != MARKER and not _VOLATILE.fullmatch(p.name)
    }


def files_intact(folder: Path) -> bool:
    """Whether ``folder`` holds exactly the files (names and sizes) its marker lists.

    A cheap check (no file is read) that catches a store whose files were removed, truncated,
    replaced or added to after it was filled; damage inside a file is caught by RocksDB's block
    checksums when it is read (a :class:`StoreError` from the query process).
    """
    files = _marker(folder, "files")
    if not files:
        return False
    try:
        return _file_sizes(folder) == files
    except OSError:
        return False


def _refuse_foreign(folder: Path, reclaim: bool) -> None:
    """Refuse a non-empty folder that is not an il2kg store (nor, with ``reclaim``, an Oxigraph one)."""
    try:
        names = [p.name for p in folder.iterdir()]
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise StoreError(f"{folder} is a file, not a folder for a store") from None
    except OSError as exc:
        raise StoreError(f"cannot read the store folder {folder}: {exc}") from exc
    if not names or MARKER in names:
        return
    if all(_ROCKSDB_FILES.fullmatch(n) for n in names):
        if reclaim:
            return
        raise StoreError(
            f"{folder} holds an Oxigraph store without il2kg's marker ({MARKER}): an interrupted "
            "fill by an older il2kg, or not il2kg's; remove it or choose another folder"
        )
    raise StoreError(
        f"{folder} is not empty and is not an il2kg store; choose an empty or new folder"
    )


@contextlib.contextmanager
def _filling_lock(folder: Path, wait: float = 600.0) -> Iterator[None]:
    """Hold the exclusive lock of ``folder``'s fillers (a no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder.parent / f".{folder.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"another process has been filling {folder} for {wait:g} s; "
                        "stop it or choose another --location"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remove_leftovers(folder: Path) -> None:
    """Remove what interrupted fillers left beside ``folder`` (call with the lock held)."""
    import glob
    import shutil  # here, not at the top: it imports the compression modules

    for prefix in (f".{folder.name}.filling-", f".{folder.name}.old-"):
        for left in folder.parent.glob(glob.escape(prefix) + "*"):
            shutil.rmtree(left, ignore_errors=True)


def _fill_beside(
    folder: Path, graphs: dict[str, bytes], reasoning: str, wanted: dict[str, str]
) -> None:
    """Fill a temporary sibling of ``folder``, write the marker, rename it into place."""
    import secrets
    import shutil

    import pyoxigraph

    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = folder.parent / f".{folder.name}.filling-{tag}"
    try:
        tmp.mkdir()
        ox = pyoxigraph.Store(str(tmp))
        _fill(ox, graphs, reasoning)
        ox.flush()
        del ox  # closes RocksDB before the folder moves
        marker = {"graphs": wanted, "files": _file_sizes(tmp)}
        _write_synced(tmp / MARKER, json.dumps(marker, indent=2) + "\n")
        _sync_dir(tmp)
        if folder.exists() or folder.is_symlink():
            # a stale store, or an interrupted one: move it aside, then the new one in
            old = folder.parent / f".{folder.name}.old-{tag}"
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
        _sync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fill(ox: Any, graphs: dict[str, bytes], reasoning: str) -> None:
    import pyoxigraph

    for iri, nt in graphs.items():
        target = pyoxigraph.NamedNode(iri) if iri else pyoxigraph.DefaultGraph()
        ox.bulk_load(input=nt, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=target)
    if reasoning != "none":
        from il2kg.query.layout import RDFS_RULES, RULE_PREFIXES

        for rule in RDFS_RULES:
            ox.update(rule, prefixes=RULE_PREFIXES)


def cached_store(
    folder: Path,
    digest: str,
    ntriples: Callable[[], bytes],
    reasoning: str = "none",
    *,
    rebuild: bool = False,
) -> Path:
    """The on-disk store the local ``oxigraph`` engine reads, kept in the build cache at ``folder``.

    Laid out as :func:`il2kg.query.layout.oxigraph_store` lays out its in-memory store: the data
    (whose N-Triples have the SHA-256 ``digest``) as the default graph, the ontology as the named
    graph :data:`ONTOLOGY_GRAPH`, ``reasoning`` materialised. When the marker names ``digest`` and
    ``reasoning`` and the files are the ones it lists (:func:`files_intact`), the folder is used
    as is and ``ntriples`` is not called; otherwise (absent, stale, damaged, half-filled) it is
    filled again from ``ntriples()``, crash-safe (:func:`load_store`). ``rebuild``: the caller found
    the store damaged (RocksDB refused to open or read it): fill it again whatever the marker says.

    Raises :class:`StoreError` when the folder cannot be written.
    """
    if rebuild:
        with contextlib.suppress(OSError):
            (folder / MARKER).unlink()
    else:
        recorded = _recorded(folder) or {}
        expected = None if reasoning == "none" else reasoning
        if (
            recorded.get("") == digest
            and recorded.get("reasoning") == expected
            and files_intact(folder)
        ):
            return folder
    graphs = {"": ntriples(), ONTOLOGY_GRAPH: ontology_ntriples()}
    return load_store(folder, graphs, reasoning, reclaim=True, check_files=True)


def open_read_only(folder: str | Path) -> Any:
    """A read-only ``pyoxigraph.Store`` on ``folder`` (what a query process opens).

    Raises :class:`StoreError` when RocksDB refuses the folder (missing, damaged).
    """
    import pyoxigraph

    try:
        return pyoxigraph.Store.read_only(str(folder))
    except (OSError, RuntimeError) as exc:  # RocksDB: I/O errors, "Corruption: …"
        raise StoreError(f"cannot open the Oxigraph store in {folder}: {exc}") from exc


def read_only_dataset(folder: str | Path) -> Dataset:
    """The rdflib ``Dataset`` API (oxrdflib) over :func:`open_read_only` (``--store oxigraph``)."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    return Dataset(store=OxigraphStore(store=open_read_only(folder)))


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
    """The ontology (``ontology/il2kg.ttl``) as N-Triples, the same bytes on every call.

    pyoxigraph gives each parsed blank node (the ``owl:unionOf`` lists) a random label; they are
    renamed ``o0``, ``o1`` … in the order they appear, so the digest that stores record
    (:func:`load_store`) stays the same across calls and processes and a store is reused.
    """
    import pyoxigraph

    from il2kg.resources import ontology_dir

    labels: dict[str, Any] = {}

    def stable(term: Any) -> Any:
        if isinstance(term, pyoxigraph.BlankNode):
            if term.value not in labels:
                labels[term.value] = pyoxigraph.BlankNode(f"o{len(labels)}")
            return labels[term.value]
        return term

    quads = [
        pyoxigraph.Quad(stable(q.subject), q.predicate, stable(q.object), q.graph_name)
        for q in pyoxigraph.parse(
            path=str(ontology_dir() / "il2kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE
        )
    ]
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""

"""A content-keyed cache of validated builds, so repeated commands do not re-parse YAML.

The key hashes il2kg's own code, the ontology, the shapes and every data file (path and bytes).
An entry holds the validated model, one JSON file per part (``vocabulary.json``, ``dataset.json``,
``network.json``), and the graph (``graph.nt``) with a manifest of their SHA-256 digests, so that a
command reads the parts it needs only; an entry whose files do not match their digests is rebuilt. The first
local query adds the graph's on-disk Oxigraph store (``oxigraph-none/``, one per reasoning),
which goes with the entry (:func:`il2kg.query.stores.cached_store`); the first read commands add
what they derive from it once (the name index, the entity cards: :meth:`BuildCache.write_derived`,
:meth:`BuildCache.write_records`), each file carrying the digest of its own content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from il2kg.resources import PACKAGE_DIR

if TYPE_CHECKING:
    from il2kg.files import FileBytes

CACHE_FORMAT = 3
_GRAPH = "graph.nt"
#: Entries kept; older ones (by last write) are removed when a new one is written.
MAX_ENTRIES = 16
_KEY = re.compile(r"[0-9a-f]{64}")
#: Data files larger than this are not hashed (il2kg.dataset.yamlio.MAX_FILE_BYTES refuses them;
#: the constant is repeated so that a cache hit does not import the YAML reader).
_DATA_FILE_BYTES = 64 * 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_file(h: hashlib._Hash, f: Path, limit: int) -> None:
    """Feed ``f``'s bytes to ``h`` in chunks; a file that cannot be read or is over ``limit``
    bytes feeds a marker instead (the build then reports it; nothing failed is ever cached)."""
    try:
        with open(f, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                h.update(b"\0oversized\0%d" % size)
                return
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        h.update(b"\0unreadable\0%d" % (exc.errno or 0))


def cache_key(data_files: list[Path], data_dir: Path, ontology: Path) -> str:
    """The digest of everything a build depends on.

    That includes ``data_dir.name``: the model holds file locations (``data/f.yaml``), so a copy
    of a data directory under another name has its own entry. Files are read in chunks.
    """
    h = hashlib.sha256(f"il2kg-cache-{CACHE_FORMAT}".encode())
    for src in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(src.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        _hash_file(h, src, 1 << 40)
    for f in sorted(ontology.glob("*.ttl")):
        h.update(f.name.encode() + b"\0")
        _hash_file(h, f, 1 << 40)
    h.update(b"\0data-dir\0" + os.fsencode(data_dir.name) + b"\0")
    for f in data_files:
        h.update(b"\0" + os.fsencode(f.relative_to(data_dir).as_posix()) + b"\0")
        _hash_file(h, f, _DATA_FILE_BYTES)
    return h.hexdigest()


@dataclass(frozen=True)
class Staged:
    """An entry begun by :meth:`BuildCache.stage`: its key, temporary folder, files' digests."""

    key: str
    folder: Path
    digests: dict[str, str]

    @property
    def parts(self) -> tuple[str, ...]:
        """The model's parts written so far (``dataset``, ``network`` …)."""
        return tuple(sorted(name.removesuffix(".json") for name in self.digests))

    @property
    def graph(self) -> Path:
        """Where the entry's graph goes: a builder may write it there itself (see
        :meth:`BuildCache.commit`), so that it is never copied."""
        return self.folder / _GRAPH


#: Items of a long JSON list encoded together by :func:`_json_pieces`.
_JSON_SLICE = 2_000


def _json_pieces(data: Any, depth: int = 2) -> Iterator[str]:
    """``json.dumps(data, separators=(",", ":"))`` in pieces: the lists of the top ``depth``
    levels a slice of :data:`_JSON_SLICE` items at a time, so that no part is ever held as one
    text (the network part is 70 MB at 10^5 relations)."""
    if depth and isinstance(data, dict) and data:
        yield "{"
        for i, (k, v) in enumerate(data.items()):
            yield ("," if i else "") + json.dumps(k) + ":"
            yield from _json_pieces(v, depth - 1)
        yield "}"
    elif depth and isinstance(data, list) and len(data) > _JSON_SLICE:
        yield "["
        for i in range(0, len(data), _JSON_SLICE):
            piece = json.dumps(data[i : i + _JSON_SLICE], separators=(",", ":"))
            yield ("," if i else "") + piece[1:-1]
        yield "]"
    else:
        yield json.dumps(data, separators=(",", ":"))


class BuildCache:
    """Read and write cache entries below ``root``; every failure means 'not cached'."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: the record indexes read so far (an entry's derived files never change but with it)
        self._indexes: dict[tuple[str, str], dict[str, Any]] = {}

    def _manifest(self, key: str) -> dict[str, Any] | None:
        try:
            manifest = json.loads((self.root / key / "manifest.json").read_bytes())
        except (OSError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def _discard(self, key: str) -> None:
        import shutil  # here, as in every writer: it imports the compression modules

        with contextlib.suppress(OSError):
            shutil.rmtree(self.root / key)

    def read_part(self, key: str, name: str) -> tuple[bytes, dict[str, Any]] | None:
        """File ``name`` of entry ``key`` (``graph.nt``, ``dataset.json`` …) and the manifest,
        or ``None`` if absent; a file that does not match its digest discards the entry."""
        manifest = self._manifest(key)
        if manifest is None or not isinstance(manifest.get(name), str):
            return None
        try:
            blob = (self.root / key / name).read_bytes()
        except OSError:
            return None
        if manifest[name] != _sha(blob):
            self._discard(key)
            return None
        return blob, manifest

    def read_graph(self, key: str) -> tuple[FileBytes, dict[str, Any]] | None:
        """The graph (``graph.nt``) of entry ``key`` as a :class:`~il2kg.files.FileBytes`
        (hashed in blocks, not read) and the manifest, or ``None`` if absent; a graph that does
        not match its digest discards the entry."""
        from il2kg.files import FileBytes

        manifest = self._manifest(key)
        if manifest is None or not isinstance(manifest.get(_GRAPH), str):
            return None
        path = self.root / key / _GRAPH
        try:
            graph = FileBytes(open(path, "rb"), path)  # noqa: SIM115 (closed by FileBytes)
            digest = graph.sha256()
        except OSError:
            return None
        if manifest[_GRAPH] != digest:
            self._discard(key)
            return None
        return graph, manifest

    def read(self, key: str) -> tuple[dict[str, Any], FileBytes, dict[str, Any]] | None:
        """The cached model, N-Triples (in their file) and manifest, or ``None`` if absent or
        corrupted."""
        manifest = self._manifest(key)
        if manifest is None:
            return None
        model: dict[str, Any] = {}
        for name in sorted(manifest.get("parts", [])):
            hit = self.read_part(key, f"{name}.json")
            if hit is None:
                return None
            try:
                model[name] = json.loads(hit[0])
            except ValueError:
                return None
        graph = self.read_graph(key)
        return None if graph is None else (model, graph[0], manifest)

    def digest(self, key: str, name: str = "graph.nt") -> str | None:
        """The SHA-256 the manifest of entry ``key`` records for ``name`` (``None``: no entry).

        Only the small manifest is read: what a query needs to trust the entry's on-disk store.
        """
        manifest = self._manifest(key)
        value = manifest.get(name) if manifest is not None else None
        return value if isinstance(value, str) else None

    def folder(self, key: str, name: str) -> Path:
        """A folder kept inside entry ``key`` (removed with it), e.g. its on-disk query store."""
        return self.root / key / name

    @staticmethod
    def model_blobs(model: dict[str, Any]) -> dict[str, bytes]:
        """The model's files, one JSON file per part (what :meth:`stage` takes, so that a caller
        can free ``model``)."""
        return {
            f"{part}.json": json.dumps(data, separators=(",", ":")).encode()
            for part, data in model.items()
        }

    def stage(self, key: str, model: dict[str, Any] | None = None) -> Staged | None:
        """Begin entry ``key``: a temporary folder, with ``model``'s parts written into it
        (``None``: it cannot be written).

        ``model`` is the model (part name -> JSON data) or its :meth:`model_blobs`; more parts
        can be added one at a time (:meth:`add_part`), so that a caller frees each before it
        makes the next. :meth:`commit` adds the graph and renames the folder into place,
        :meth:`discard` removes it.
        """
        import tempfile

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}.", dir=self.root))
        except OSError:
            return None
        staged = Staged(key, tmp, {})
        for name, data in (model or {}).items():
            if not self.add_part(staged, name.removesuffix(".json"), data):
                return None
        return staged

    def add_part(self, staged: Staged, part: str, data: Any) -> bool:
        """Write part ``part`` of a staged entry: its JSON data (encoded a piece at a time,
        the bytes of :meth:`model_blobs`) or those bytes. ``False``: it could not be written,
        and the staged entry is discarded."""
        h = hashlib.sha256()
        try:
            with open(staged.folder / f"{part}.json", "wb") as fh:
                for piece in [data] if isinstance(data, bytes) else _json_pieces(data):
                    blob = piece if isinstance(piece, bytes) else piece.encode()
                    h.update(blob)
                    fh.write(blob)
        except OSError:
            self.discard(staged)
            return False
        staged.digests[f"{part}.json"] = h.hexdigest()
        return True

    def commit(
        self, staged: Staged, nt: bytes | FileBytes, extra: dict[str, Any] | None = None
    ) -> None:
        """Finish a staged entry with its graph, atomically; ignore failures.

        ``nt`` is the graph's bytes, or a :class:`~il2kg.files.FileBytes`: written at
        :attr:`Staged.graph` already (only hashed), else copied there in blocks.
        """
        import shutil

        try:
            if isinstance(nt, bytes):
                staged.graph.write_bytes(nt)
                digest = _sha(nt)
            else:  # a FileBytes (not imported here: a cache hit needs no tempfile, no shutil)
                if nt.path != staged.graph:
                    with open(staged.graph, "wb") as fh:
                        nt.copy_to(fh)
                digest = nt.sha256()
            manifest = staged.digests | {_GRAPH: digest} | (extra or {})
            manifest["parts"] = list(staged.parts)
            (staged.folder / "manifest.json").write_text(json.dumps(manifest, sort_keys=True))
            target = self.root / staged.key
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(staged.folder, target)
        except OSError:
            self.discard(staged)
            return
        self.prune()

    @staticmethod
    def discard(staged: Staged) -> None:
        """Remove a staged entry that will not be committed."""
        import shutil

        shutil.rmtree(staged.folder, ignore_errors=True)

    def write(
        self,
        key: str,
        model: dict[str, Any],
        nt: bytes | FileBytes,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Store an entry atomically (a temporary folder renamed into place); ignore failures.

        ``model`` is the model, or its :meth:`model_blobs`.
        """
        staged = self.stage(key, model)
        if staged is not None:
            self.commit(staged, nt, extra)

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Remove all but the ``keep`` most recently written entries (other files are left)."""
        import shutil

        with contextlib.suppress(OSError):
            entries = [p for p in self.root.iterdir() if p.is_dir() and _KEY.fullmatch(p.name)]
            entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[keep:]:
                shutil.rmtree(old, ignore_errors=True)

    def _attach(self, key: str, name: str, data: bytes) -> None:
        """Write ``data`` as file ``name`` of entry ``key`` atomically (not when there is no
        such entry, e.g. it was pruned meanwhile); ignore failures."""
        import tempfile

        entry = self.root / key
        if not (entry / "manifest.json").is_file():
            return
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=entry)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, entry / name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def write_derived(self, key: str, name: str, data: bytes) -> None:
        """Keep ``data``, derived from entry ``key``, beside it (a first line holds its SHA-256)."""
        self._attach(key, name, _sha(data).encode() + b"\n" + data)

    def read_derived(self, key: str, name: str) -> bytes | None:
        """What :meth:`write_derived` kept, or ``None`` if absent or not matching its digest."""
        try:
            raw = (self.root / key / name).read_bytes()
        except OSError:
            return None
        digest, sep, data = raw.partition(b"\n")
        return data if sep and digest == _sha(data).encode() else None

    def write_records(self, key: str, name: str, records: dict[str, bytes]) -> None:
        """Keep records (id -> bytes) derived from entry ``key`` in one file, with an index of
        each record's offset, length and SHA-256, so that :meth:`read_record` reads one."""
        index: dict[str, tuple[int, int, str]] = {}
        offset = 0
        for rid, data in records.items():
            index[rid] = (offset, len(data), _sha(data))
            offset += len(data)
        self._indexes.pop((key, name), None)
        self._attach(key, name, b"".join(records.values()))
        self.write_derived(key, f"{name}.index", json.dumps(index).encode())

    def read_record(self, key: str, name: str, rid: str) -> bytes | None:
        """Record ``rid`` of what :meth:`write_records` kept (``None``: absent, or damaged)."""
        index = self._indexes.get((key, name))
        if index is None:
            raw = self.read_derived(key, f"{name}.index")
            if raw is None:
                return None
            try:
                index = json.loads(raw)
            except ValueError:
                return None
            if not isinstance(index, dict):
                return None
            self._indexes[(key, name)] = index
        try:
            offset, length, digest = index[rid]
            with open(self.root / key / name, "rb") as fh:
                fh.seek(offset)
                data = fh.read(length)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return data if _sha(data) == digest else None

    def mark(self, key: str, **flags: Any) -> None:
        """Record extra facts (e.g. that SHACL passed) in an entry's manifest."""
        import tempfile

        path = self.root / key / "manifest.json"
        try:
            manifest = json.loads(path.read_bytes()) | flags
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "w") as fh:
                json.dump(manifest, fh, sort_keys=True)
            os.replace(tmp, path)
        except (OSError, ValueError):
            pass

"""A content-keyed cache of validated builds, so repeated commands do not re-parse YAML.

The key hashes il2kg's own code, the ontology, the shapes and every data file (path and bytes).
An entry holds the validated model (``model.json``) and the graph (``graph.nt``) with a manifest
of their SHA-256 digests; an entry whose files do not match their digests is rebuilt. The first
local query adds the graph's on-disk Oxigraph store (``oxigraph-none/``, one per reasoning),
which goes with the entry (:func:`il2kg.query.stores.cached_store`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from il2kg.resources import PACKAGE_DIR

CACHE_FORMAT = 2
_FILES = ("model.json", "graph.nt")
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


class BuildCache:
    """Read and write cache entries below ``root``; every failure means 'not cached'."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, key: str) -> tuple[dict[str, Any], bytes, dict[str, Any]] | None:
        """The cached model, N-Triples and manifest, or ``None`` if absent or corrupted."""
        entry = self.root / key
        try:
            manifest = json.loads((entry / "manifest.json").read_bytes())
            blobs = {name: (entry / name).read_bytes() for name in _FILES}
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict) or any(
            manifest.get(name) != _sha(blob) for name, blob in blobs.items()
        ):
            with contextlib.suppress(OSError):
                shutil.rmtree(entry)
            return None
        try:
            model = json.loads(blobs["model.json"])
        except ValueError:
            return None
        return model, blobs["graph.nt"], manifest

    def digest(self, key: str, name: str = "graph.nt") -> str | None:
        """The SHA-256 the manifest of entry ``key`` records for ``name`` (``None``: no entry).

        Only the small manifest is read: what a query needs to trust the entry's on-disk store.
        """
        try:
            manifest = json.loads((self.root / key / "manifest.json").read_bytes())
        except (OSError, ValueError):
            return None
        value = manifest.get(name) if isinstance(manifest, dict) else None
        return value if isinstance(value, str) else None

    def folder(self, key: str, name: str) -> Path:
        """A folder kept inside entry ``key`` (removed with it), e.g. its on-disk query store."""
        return self.root / key / name

    @staticmethod
    def model_blob(model: dict[str, Any]) -> bytes:
        """``model.json``'s bytes (what :meth:`stage` takes, so a caller can free ``model``)."""
        return json.dumps(model, separators=(",", ":")).encode()

    def stage(self, key: str, model: dict[str, Any] | bytes) -> Staged | None:
        """Begin entry ``key``: its model written into a temporary folder (``None``: cannot be).

        So that the model's bytes need not be kept while the graph is built; :meth:`commit`
        adds the graph and renames the folder into place, :meth:`discard` removes it.
        """
        blob = model if isinstance(model, bytes) else self.model_blob(model)
        tmp: Path | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}.", dir=self.root))
            (tmp / "model.json").write_bytes(blob)
        except OSError:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            return None
        return Staged(key, tmp, {"model.json": _sha(blob)})

    def commit(self, staged: Staged, nt: bytes, extra: dict[str, Any] | None = None) -> None:
        """Finish a staged entry with its graph, atomically; ignore failures."""
        manifest = staged.digests | {"graph.nt": _sha(nt)} | (extra or {})
        try:
            (staged.folder / "graph.nt").write_bytes(nt)
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
        shutil.rmtree(staged.folder, ignore_errors=True)

    def write(
        self,
        key: str,
        model: dict[str, Any] | bytes,
        nt: bytes,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Store an entry atomically (a temporary folder renamed into place); ignore failures.

        ``model`` is the model, or its :meth:`model_blob`.
        """
        staged = self.stage(key, model)
        if staged is not None:
            self.commit(staged, nt, extra)

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Remove all but the ``keep`` most recently written entries (other files are left)."""
        with contextlib.suppress(OSError):
            entries = [p for p in self.root.iterdir() if p.is_dir() and _KEY.fullmatch(p.name)]
            entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[keep:]:
                shutil.rmtree(old, ignore_errors=True)

    def mark(self, key: str, **flags: Any) -> None:
        """Record extra facts (e.g. that SHACL passed) in an entry's manifest."""
        path = self.root / key / "manifest.json"
        try:
            manifest = json.loads(path.read_bytes()) | flags
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "w") as fh:
                json.dump(manifest, fh, sort_keys=True)
            os.replace(tmp, path)
        except (OSError, ValueError):
            pass

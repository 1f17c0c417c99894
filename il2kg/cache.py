"""A content-keyed cache of validated builds, so repeated commands do not re-parse YAML.

The key hashes il2kg's own code, the ontology, the shapes and every data file (path and bytes).
An entry holds the validated model (``model.json``) and the graph (``graph.nt``) with a manifest
of their SHA-256 digests; an entry whose files do not match their digests is rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from il2kg.resources import PACKAGE_DIR

CACHE_FORMAT = 1
_FILES = ("model.json", "graph.nt")
#: Entries kept; older ones (by last write) are removed when a new one is written.
MAX_ENTRIES = 16
_KEY = re.compile(r"[0-9a-f]{64}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_key(data_files: list[Path], data_dir: Path, ontology: Path) -> str:
    """The digest of everything a build depends on."""
    h = hashlib.sha256(f"il2kg-cache-{CACHE_FORMAT}".encode())
    for src in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(src.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + src.read_bytes())
    for f in sorted(ontology.glob("*.ttl")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    for f in data_files:
        h.update(f.relative_to(data_dir).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


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

    def write(
        self, key: str, model: dict[str, Any], nt: bytes, extra: dict[str, Any] | None = None
    ) -> None:
        """Store an entry atomically (a temporary folder renamed into place); ignore failures."""
        blobs = {"model.json": json.dumps(model, separators=(",", ":")).encode(), "graph.nt": nt}
        manifest = {name: _sha(b) for name, b in blobs.items()} | (extra or {})
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}.", dir=self.root))
            for name, b in blobs.items():
                (tmp / name).write_bytes(b)
            (tmp / "manifest.json").write_text(json.dumps(manifest, sort_keys=True))
            target = self.root / key
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(Exception):
                shutil.rmtree(tmp, ignore_errors=True)
            return
        self.prune()

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

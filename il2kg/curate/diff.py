"""What changed between two versions of the curated data: entities and relations added, removed
and changed, with their evidence. Versions are data directories or git revisions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from il2kg.dataset.model import Dataset
from il2kg.errors import DataError, Il2kgError, Problem
from il2kg.namespaces import printable, shown


@dataclass
class Change:
    """One entity or relation that differs: its key, and the fields before and after."""

    kind: str  # "entity" | "relation"
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def status(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"

    def fields(self) -> list[str]:
        """The names of the fields that differ."""
        a, b = self.before or {}, self.after or {}
        return sorted(k for k in {*a, *b} if a.get(k) != b.get(k))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "status": self.status,
            "fields": self.fields(),
            "before": self.before,
            "after": self.after,
        }


@dataclass
class DataDiff:
    """All changes between two datasets, entities first, each sorted by key."""

    changes: list[Change] = field(default_factory=list)

    def count(self, kind: str, status: str) -> int:
        return sum(c.kind == kind and c.status == status for c in self.changes)

    def summary(self) -> str:
        parts = []
        for kind in ("entity", "relation"):
            n = {s: self.count(kind, s) for s in ("added", "removed", "changed")}
            parts.append(f"{kind} +{n['added']} -{n['removed']} ~{n['changed']}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "changes": [c.to_json() for c in self.changes]}


def _relation_key(d: dict[str, Any]) -> str:
    neg = "NOT " if d.get("negated") else ""
    q = d.get("qualifiers") or {}
    ctx = "".join(f" [{k}={v}]" for k, v in sorted(q.items()))
    return f"{d['subject']} {neg}{d['predicate']} {d['object']}{ctx}"


def diff_datasets(old: Dataset, new: Dataset) -> DataDiff:
    """Compare two datasets by entity id and by relation key."""
    out = DataDiff()
    a = {k: e.model_dump(exclude_none=True, exclude_defaults=True) for k, e in old.entities.items()}
    b = {k: e.model_dump(exclude_none=True, exclude_defaults=True) for k, e in new.entities.items()}
    for k in sorted({*a, *b}):
        if a.get(k) != b.get(k):
            out.changes.append(Change("entity", k, a.get(k), b.get(k)))
    ra = {
        _relation_key(d): d
        for d in (r.model_dump(exclude_none=True, exclude_defaults=True) for r in old.relations)
    }
    rb = {
        _relation_key(d): d
        for d in (r.model_dump(exclude_none=True, exclude_defaults=True) for r in new.relations)
    }
    for k in sorted({*ra, *rb}):
        if ra.get(k) != rb.get(k):
            out.changes.append(Change("relation", k, ra.get(k), rb.get(k)))
    return out


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git -C repo args``; its stdout, or :class:`Il2kgError` with git's own message."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True
        ).stdout
    except OSError as exc:
        raise Il2kgError(f"cannot run git: {exc.strerror or exc}") from exc
    except subprocess.CalledProcessError as exc:
        detail = printable(exc.stderr.decode("utf-8", "replace").strip())
        raise Il2kgError(f"git {args[0]} failed: {detail}") from exc


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """The components of a tree path relative to the data folder, or ``None`` if unsafe."""
    parts = tuple(name.split("/"))
    if any(p in ("", ".", "..") or "\0" in p for p in parts):
        return None
    return parts


def _tree_entries(rev: str, subdir: str, repo: Path) -> list[tuple[str, str, int, str]]:
    """(mode, object id, size, path below ``subdir``) of every regular file of ``rev:subdir``."""
    if rev.startswith("-") or "\0" in rev or not rev:
        raise Il2kgError(f"{shown(rev)} is not a git revision")
    try:
        tree = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}")
    except Il2kgError as exc:
        raise Il2kgError(
            f"{shown(rev)} is neither a directory nor a git revision of {repo}"
        ) from exc
    tree_id = tree.decode().strip()
    prefix = _git(repo, "rev-parse", "--show-prefix").decode().strip()  # repo below the top
    subdir = prefix + subdir
    listing = _git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", tree_id, "--", subdir)
    out = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_name = record.partition(b"\t")
        mode, kind, oid, size = meta.decode().split()
        name = raw_name.decode("utf-8", "surrogateescape")
        rel = name[len(subdir) + 1 :] if name.startswith(subdir + "/") else None
        parts = _safe_parts(rel) if rel is not None else None
        if parts is None:
            raise Il2kgError(
                f"revision {shown(rev)} holds an unsafe path {shown(name)} "
                "(with '..', '.', an empty or absolute part): refusing to check it out"
            )
        if kind == "blob" and mode in ("100644", "100755") and name.endswith((".yaml", ".yml")):
            out.append((mode, oid, int(size), "/".join(parts)))
    return out


@contextlib.contextmanager
def revision_checkout(rev: str, subdir: str, repo: Path) -> Iterator[Path]:
    """Check out the data files of ``subdir`` at git revision ``rev`` into a temporary folder.

    Yields the folder (named like ``subdir``), removed again on exit. Only regular ``.yaml`` and
    ``.yml`` files are written; every path is checked to stay inside the folder (``..``, ``.``,
    empty and absolute parts are refused, the listing is read NUL-separated) and every file is
    created new (``O_EXCL | O_NOFOLLOW``), so a crafted tree cannot write anywhere else.

    :raises Il2kgError: ``rev`` is not a revision, or holds an unsafe path.
    :raises DataError: a file of the revision is over the size limit.
    """
    from il2kg.dataset.yamlio import MAX_FILE_BYTES

    entries = _tree_entries(rev, subdir, repo)
    big = [
        Problem(
            f"{subdir}/{path}",
            1,
            1,
            "",
            "",
            f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
        )
        for _, _, size, path in entries
        if size > MAX_FILE_BYTES
    ]
    if big:
        raise DataError(big)
    tmp = Path(tempfile.mkdtemp(prefix="il2kg-diff-"))
    try:
        root = tmp / (Path(subdir).name or "data")
        try:
            _write_blobs(repo, root, entries)
        except OSError as exc:
            raise Il2kgError(f"cannot check out {shown(rev)}: {exc.strerror or exc}") from exc
        yield root
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_blobs(repo: Path, root: Path, entries: list[tuple[str, str, int, str]]) -> None:
    root.mkdir()
    request = "".join(f"{oid}\n" for _, oid, _, _ in entries).encode()
    blobs = _git(repo, "cat-file", "--batch", stdin=request)
    at = 0
    real_root = os.path.realpath(root)
    for _, oid, size, path in entries:
        header_end = blobs.index(b"\n", at)
        header = blobs[at:header_end].split()
        if len(header) != 3 or header[0].decode() != oid or int(header[2]) != size:
            raise Il2kgError(f"git cat-file gave an unexpected answer for {shown(path)}")
        data = blobs[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        target = root.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.commonpath([real_root, os.path.realpath(target.parent)]) != real_root:
            raise Il2kgError(f"unsafe path {shown(path)}")  # pragma: no cover - checked before
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(target, flags, 0o644), "wb") as fh:
            fh.write(data)

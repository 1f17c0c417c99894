"""What changed between two versions of the curated data: entities and relations added, removed
and changed, with their evidence. Versions are data directories or git revisions.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from il2kg.dataset.model import Dataset
from il2kg.errors import Il2kgError


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


def materialise_revision(rev: str, subdir: str, repo: Path) -> Path:
    """Check out ``subdir`` of git revision ``rev`` into a temporary folder; return its path."""
    try:
        names = subprocess.run(
            ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", rev, "--", subdir],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise Il2kgError(
            f"'{rev}' is neither a directory nor a git revision of {repo}: {detail.strip()}"
        ) from exc
    root = Path(tempfile.mkdtemp(prefix="il2kg-diff-")) / Path(subdir).name
    root.mkdir(parents=True)
    for name in names:
        blob = subprocess.run(
            ["git", "-C", str(repo), "show", f"{rev}:{name}"], capture_output=True, check=True
        ).stdout
        target = root / Path(name).relative_to(subdir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return root

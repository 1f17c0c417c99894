"""Claims the evidence disagrees on: what ``il2kg conflicts`` lists.

Two kinds:

- **contested**: a relation with evidence that supports it and evidence that refutes it;
- **context**: a negated relation and a positive one with the same subject, predicate and object
  in different contexts (qualifiers: cell type, species, regimen ...). In the *same* context the
  pair is a contradiction, which validation refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from il2kg.dataset.ids import statement_id

if TYPE_CHECKING:
    from il2kg.dataset.model import Dataset, Relation


@dataclass(frozen=True)
class Conflict:
    """One disagreement: its kind, the relations involved, and a readable summary."""

    kind: str
    statements: tuple[str, ...]
    summary: str
    where: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "statements": list(self.statements),
            "summary": self.summary,
            "where": list(self.where),
        }


def _context(rel: Relation) -> str:
    q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
    return ", ".join(f"{k}={v}" for k, v in sorted(q.items())) or "no context"


def find_conflicts(ds: Dataset) -> list[Conflict]:
    """Every conflict of ``ds``, contested claims first, each group in data order."""

    def label(eid: str) -> str:
        ent = ds.entities.get(eid)
        return f"{ent.label} ({eid})" if ent else eid

    def at(i: int) -> str:
        loc = ds.relation_locations[i]
        return f"{loc[0]}:{loc[1]}"

    out: list[Conflict] = []
    for i, rel in enumerate(ds.relations):
        pro = [e.source for e in rel.evidence if e.supports]
        con = [e.source for e in rel.evidence if not e.supports]
        if pro and con:
            neg = "NOT " if rel.negated else ""
            out.append(
                Conflict(
                    "contested",
                    (statement_id(rel),),
                    f"{label(rel.subject)} {neg}{rel.predicate} {label(rel.object)} "
                    f"[{_context(rel)}]: supported by {', '.join(pro)}; refuted by {', '.join(con)}",
                    (at(i),),
                )
            )
    by_triple: dict[tuple[str, str, str], list[int]] = {}
    for i, rel in enumerate(ds.relations):
        by_triple.setdefault((rel.subject, rel.predicate, rel.object), []).append(i)
    for (s, p, o), idx in by_triple.items():
        for i in idx:
            if not ds.relations[i].negated:
                continue
            for j in idx:
                pos = ds.relations[j]
                if pos.negated:
                    continue
                out.append(
                    Conflict(
                        "context",
                        (statement_id(ds.relations[i]), statement_id(pos)),
                        f"{label(s)} {p} {label(o)}: holds in [{_context(pos)}], "
                        f"NOT in [{_context(ds.relations[i])}]",
                        (at(j), at(i)),
                    )
                )
    return out

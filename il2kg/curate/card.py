"""The entity card of ``il2kg show`` and :meth:`KnowledgeGraph.card`: everything curated about one
entity, its relations grouped by predicate, each with the evidence that supports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from il2kg.dataset.ids import statement_id
from il2kg.errors import UnknownEntityError
from il2kg.namespaces import expand

if TYPE_CHECKING:
    from il2kg.dataset.model import Dataset, Relation


@dataclass(frozen=True)
class RelationView:
    """One relation of an entity as its card shows it: the other end, and why it is believed."""

    predicate: str
    other: str
    other_label: str
    negated: bool
    status: str
    statement: str
    evidence: tuple[dict[str, object], ...]
    qualifiers: dict[str, str]
    quantities: tuple[dict[str, Any], ...]
    comment: str | None
    direct: bool = True
    via: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "predicate": self.predicate,
            "other": self.other,
            "other_label": self.other_label,
            "negated": self.negated,
            "status": self.status,
            "statement": self.statement,
            "evidence": list(self.evidence),
            "qualifiers": self.qualifiers,
            "quantities": list(self.quantities),
            "comment": self.comment,
            "direct": self.direct,
            "via": list(self.via),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RelationView:
        """The view :meth:`to_json` gave."""
        return cls(
            predicate=data["predicate"],
            other=data["other"],
            other_label=data["other_label"],
            negated=data["negated"],
            status=data["status"],
            statement=data["statement"],
            evidence=tuple(data["evidence"]),
            qualifiers=data["qualifiers"],
            quantities=tuple(data["quantities"]),
            comment=data["comment"],
            direct=data["direct"],
            via=tuple(data["via"]),
        )


@dataclass(frozen=True)
class EntityCard:
    """Everything curated about one entity, with its relations grouped by predicate."""

    id: str
    iri: str
    label: str
    type: str
    synonyms: tuple[str, ...]
    xrefs: tuple[str, ...]
    description: str | None
    details: dict[str, str]
    outgoing: dict[str, tuple[RelationView, ...]]
    incoming: dict[str, tuple[RelationView, ...]]
    location: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "iri": self.iri,
            "label": self.label,
            "type": self.type,
            "synonyms": list(self.synonyms),
            "xrefs": list(self.xrefs),
            "description": self.description,
            "details": self.details,
            "outgoing": {p: [r.to_json() for r in rs] for p, rs in self.outgoing.items()},
            "incoming": {p: [r.to_json() for r in rs] for p, rs in self.incoming.items()},
            "location": self.location,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntityCard:
        """The card :meth:`to_json` gave (what the build cache keeps for ``il2kg show``)."""

        def groups(d: Mapping[str, Any]) -> dict[str, tuple[RelationView, ...]]:
            return {p: tuple(RelationView.from_json(r) for r in rs) for p, rs in d.items()}

        return cls(
            id=data["id"],
            iri=data["iri"],
            label=data["label"],
            type=data["type"],
            synonyms=tuple(data["synonyms"]),
            xrefs=tuple(data["xrefs"]),
            description=data["description"],
            details=data["details"],
            outgoing=groups(data["outgoing"]),
            incoming=groups(data["incoming"]),
            location=data["location"],
        )

    def _repr_html_(self) -> str:
        """The card for notebooks: names, ids, then each relation with its evidence (escaped)."""
        from html import escape

        def e(text: object) -> str:
            return escape(str(text), quote=True)

        out = [
            f'<div class="il2kg-card"><h3>{e(self.label)} <small><code>{e(self.id)}</code> '
            f"· {e(self.type)}</small></h3>"
        ]
        if self.description:
            out.append(f"<p>{e(self.description)}</p>")
        facts = [
            ("IRI", self.iri),
            ("synonyms", ", ".join(self.synonyms)),
            ("xrefs", ", ".join(self.xrefs)),
            *self.details.items(),
            ("curated at", self.location),
        ]
        out.append(
            "<table>"
            + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts if v)
            + "</table>"
        )
        for title, groups, arrow in (
            ("outgoing", self.outgoing, "→"),
            ("incoming", self.incoming, "←"),
        ):
            if not groups:
                continue
            n = sum(len(rs) for rs in groups.values())
            out.append(f"<h4>{title} relations ({n})</h4><table>")
            out.append("<tr><th>predicate</th><th>other</th><th>status</th><th>evidence</th></tr>")
            for pred, rs in groups.items():
                for r in rs:
                    neg = "NOT " if r.negated else ""
                    ev = "; ".join(
                        f"{x.get('source', '')} ({x.get('status', '')})" for x in r.evidence
                    )
                    quals = ", ".join(f"{k}={v}" for k, v in sorted(r.qualifiers.items()))
                    out.append(
                        f"<tr><td>{arrow} {e(neg + pred)}</td>"
                        f"<td><code>{e(r.other)}</code> {e(r.other_label)}"
                        + (f"<br><small>{e(quals)}</small>" if quals else "")
                        + f"</td><td>{e(r.status)}</td><td>{e(ev)}</td></tr>"
                    )
            out.append("</table>")
        out.append("</div>")
        return "".join(out)


def entity_cards(ds: Dataset) -> Iterator[EntityCard]:
    """The card of every entity, in one pass over the relations (what the cache keeps)."""
    touching: dict[str, list[Relation]] = {}
    for rel in ds.relations:
        touching.setdefault(rel.subject, []).append(rel)
        if rel.object != rel.subject:
            touching.setdefault(rel.object, []).append(rel)
    for eid in ds.entities:
        yield entity_card(ds, eid, touching.get(eid, []))


def entity_card(ds: Dataset, eid: str, relations: Iterable[Relation] | None = None) -> EntityCard:
    """The card of entity ``eid`` (an id; names go through the resolver first).

    Negated relations are included and flagged. ``relations``: those of ``ds`` that touch the
    entity, in their order, when the caller has them at hand (default: all of ``ds``). Raises
    :class:`~il2kg.errors.UnknownEntityError` for an unknown id.
    """
    # here, not at the top: the evidence rules import the pydantic model, and `import il2kg`
    # (a query on the cached store, `il2kg --help`) should not pay for it
    from il2kg.dataset.evidence import evidence_record

    ent = ds.entities.get(eid)
    if ent is None:
        raise UnknownEntityError(eid, [], False)
    out: dict[str, list[RelationView]] = {}
    inc: dict[str, list[RelationView]] = {}
    for rel in ds.relations if relations is None else relations:
        if eid not in (rel.subject, rel.object):
            continue
        evidence = tuple(evidence_record(e, ds.references.get(e.source)) for e in rel.evidence)
        for side, other, bucket in (
            ("out", rel.object, out),
            ("in", rel.subject, inc),
        ):
            if (side == "out" and rel.subject != eid) or (side == "in" and rel.object != eid):
                continue
            other_ent = ds.entities.get(other)
            bucket.setdefault(rel.predicate, []).append(
                RelationView(
                    predicate=rel.predicate,
                    other=other,
                    other_label=other_ent.label if other_ent else other,
                    negated=rel.negated,
                    status=rel.best_status(),
                    statement=statement_id(rel),
                    evidence=evidence,
                    qualifiers=rel.qualifiers.model_dump(exclude_none=True)
                    if rel.qualifiers
                    else {},
                    quantities=tuple(q.model_dump(exclude_none=True) for q in rel.quantities),
                    comment=rel.comment,
                    direct=rel.direct,
                    via=tuple(rel.via),
                )
            )
    details = {
        k: str(v)
        for k, v in (
            ("date", ent.date),
            ("event_type", ent.event_type),
            ("trial_phase", ent.trial_phase),
            ("route", ent.route),
            ("dose", ent.dose),
        )
        if v is not None
    }
    loc = ds.entity_locations.get(eid)

    def grouped(d: dict[str, list[RelationView]]) -> dict[str, tuple[RelationView, ...]]:
        return {
            p: tuple(sorted(rs, key=lambda r: (r.negated, r.other_label.casefold(), r.other)))
            for p, rs in sorted(d.items())
        }

    return EntityCard(
        id=eid,
        iri=expand(eid),
        label=ent.label,
        type=ent.type,
        synonyms=tuple(ent.synonyms),
        xrefs=tuple(ent.xrefs),
        description=ent.description,
        details=details,
        outgoing=grouped(out),
        incoming=grouped(inc),
        location=f"{loc[0]}:{loc[1]}" if loc else "",
    )

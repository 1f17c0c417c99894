"""What a path search returns: :class:`Hop`, :class:`Path`, :class:`PathResult`, :class:`Neighbor`,
and the cost of a hop (the defaults every search shares are in :mod:`il2kg.paths.defaults`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from il2kg import resources
from il2kg.paths.defaults import REVERSE_COST, STATUS_COST


def _esc(text: str) -> str:
    """HTML-escaped ``text`` (html is imported here: it loads its table of entities)."""
    from html import escape

    return escape(text)


Direction = Literal["forward", "inverse", "reverse"]


@dataclass(frozen=True)
class Hop:
    """One step of a path: from ``source`` to ``target`` along one curated relation.

    ``predicate`` reads from ``source`` to ``target`` (the inverse predicate when ``direction``
    is ``"inverse"``); ``subject``/``relation``/``object`` are the relation as curated.
    ``alternatives`` lists the other relations linking the same two entities in the allowed
    directions (the hop shows the best-evidenced one).
    """

    source: str
    target: str
    predicate: str
    direction: Direction
    subject: str
    relation: str
    object: str
    statement: str
    status: str
    sources: tuple[str, ...]
    qualifiers: Mapping[str, str] = field(default_factory=dict)
    quantities: tuple[Mapping[str, Any], ...] = ()
    alternatives: tuple[str, ...] = ()
    #: The sign the hop carries: "positive", "negative", "none", or "reversed" for a causal
    #: relation walked against its direction (which gives a path no sign).
    effect: str = "none"
    #: False for a summary relation; ``via`` then names the mechanism it summarises.
    direct: bool = True
    via: tuple[str, ...] = ()
    #: The evidence items with their registry records (citation, type, species, status).
    evidence: tuple[Mapping[str, Any], ...] = ()

    @property
    def arrow(self) -> str:
        """``—binds→`` (forward or inverse) or ``←binds—`` (walked against the relation)."""
        if self.direction == "reverse":
            return f"←{self.predicate}—"
        return f"—{self.predicate}→"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "predicate": self.predicate,
            "direction": self.direction,
            "relation": {
                "subject": self.subject,
                "predicate": self.relation,
                "object": self.object,
            },
            "statement": self.statement,
            "status": self.status,
            "sources": list(self.sources),
            "qualifiers": dict(self.qualifiers),
            "quantities": [dict(q) for q in self.quantities],
            "alternatives": list(self.alternatives),
            "effect": self.effect,
            "direct": self.direct,
            "via": list(self.via),
            "evidence": [dict(e) for e in self.evidence],
        }


@dataclass(frozen=True)
class Path:
    """A simple path: ``nodes[0] hops[0] nodes[1] ...``; lower ``cost`` ranks first."""

    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    cost: float
    #: The net effect: "positive" or "negative" (the product of the causal hops' signs), "none"
    #: when no hop is causal, "unsigned" when a causal hop is walked against its direction.
    effect: str = "none"

    @property
    def length(self) -> int:
        return len(self.hops)

    def chain(self, labels: Mapping[str, str] | None = None) -> str:
        """A readable chain: ``IL2 —binds→ high-affinity IL-2 receptor —has_part→ IL2RB``."""
        name = (lambda n: labels.get(n, n)) if labels is not None else (lambda n: n)
        parts = [name(self.nodes[0])]
        for hop in self.hops:
            parts += [hop.arrow, name(hop.target)]
        return " ".join(parts)

    def _repr_html_(self) -> str:
        """The hops as an HTML table for notebooks (ids; every text escaped)."""
        return _path_html(self, None)

    def to_json(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "cost": round(self.cost, 4),
            "effect": self.effect,
            "nodes": list(self.nodes),
            "hops": [h.to_json() for h in self.hops],
        }


@dataclass(frozen=True)
class PathResult:
    """The ranked paths and, if a bound cut the search short, why (``truncated``)."""

    paths: tuple[Path, ...]
    truncated: str | None = None
    examined: int = 0

    def to_df(self, labels: Mapping[str, str] | None = None) -> Any:
        """One row per hop of every path (``path`` is the rank, from 1) as a
        :class:`pandas.DataFrame` (needs ``pip install 'il2kg[pandas]'``).

        With ``labels`` (e.g. :attr:`KnowledgeGraph.labels`) ``source_label`` and
        ``target_label`` columns follow ``source`` and ``target``.
        """
        pd = resources.pandas()
        rows = []
        for rank, p in enumerate(self.paths, 1):
            for i, h in enumerate(p.hops, 1):
                row: dict[str, Any] = {"path": rank, "hop": i, "cost": p.cost, "source": h.source}
                if labels is not None:
                    row["source_label"] = labels.get(h.source, h.source)
                row |= {"predicate": h.predicate, "direction": h.direction, "target": h.target}
                if labels is not None:
                    row["target_label"] = labels.get(h.target, h.target)
                rows.append(row | _hop_columns(h))
        cols = ["path", "hop", "cost", "source"]
        cols += ["source_label"] if labels is not None else []
        cols += ["predicate", "direction", "target"]
        cols += ["target_label"] if labels is not None else []
        return _frame(pd, rows, [*cols, *_HOP_COLUMNS], ("path", "hop"))

    def _repr_html_(self) -> str:
        """The ranked paths for notebooks: an HTML table of hops per path (escaped)."""
        if not self.paths:
            return "<p>no path</p>"
        parts = [
            f"<details open><summary>path {i}: {p.length} hops, cost {p.cost:.2f}</summary>"
            f"{_path_html(p, None)}</details>"
            for i, p in enumerate(self.paths, 1)
        ]
        if self.truncated:
            parts.append(f"<p><i>search cut short: {_esc(self.truncated)}</i></p>")
        return "".join(parts)


@dataclass(frozen=True)
class Neighbor:
    """An entity within ``distance`` hops, and the first hop of the way back to it."""

    id: str
    label: str
    type: str
    distance: int
    hop: Hop

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "distance": self.distance,
            "hop": self.hop.to_json(),
        }


#: The columns every hop row has after its ends (see :meth:`PathResult.to_df`).
_HOP_COLUMNS = ("relation", "subject", "object", "statement", "status", "sources", "qualifiers")


def _hop_columns(h: Hop) -> dict[str, Any]:
    return {
        "relation": h.relation,
        "subject": h.subject,
        "object": h.object,
        "statement": h.statement,
        "status": h.status,
        "sources": "|".join(h.sources),
        "qualifiers": ";".join(f"{k}={v}" for k, v in sorted(h.qualifiers.items())),
    }


def _frame(pd: Any, rows: list[dict[str, Any]], columns: list[str], ints: Iterable[str]) -> Any:
    """A DataFrame of ``rows`` with ``columns`` in order; ``ints`` as ``Int64`` (also when empty)."""
    df = pd.DataFrame(rows, columns=columns)
    for c in ints:
        df[c] = df[c].astype("Int64")
    return df


def neighbors_to_df(neighbors: Iterable[Neighbor], labels: Mapping[str, str] | None = None) -> Any:
    """A neighbourhood (:meth:`KnowledgeGraph.neighbors`) as a :class:`pandas.DataFrame`: one
    row per entity, nearest first, with the first hop of the way back to it (``via`` is where
    that hop starts; ``via_label`` follows it when ``labels`` are given)."""
    pd = resources.pandas()
    rows = []
    for n in neighbors:
        h = n.hop
        row: dict[str, Any] = {
            "id": n.id,
            "label": n.label,
            "type": n.type,
            "distance": n.distance,
            "via": h.source,
        }
        if labels is not None:
            row["via_label"] = labels.get(h.source, h.source)
        row |= {"predicate": h.predicate, "direction": h.direction}
        rows.append(row | _hop_columns(h))
    cols = ["id", "label", "type", "distance", "via"]
    cols += ["via_label"] if labels is not None else []
    cols += ["predicate", "direction", *_HOP_COLUMNS]
    return _frame(pd, rows, cols, ("distance",))


def _path_html(p: Path, labels: Mapping[str, str] | None) -> str:
    name = (lambda n: labels.get(n, n)) if labels is not None else (lambda n: n)
    head = "".join(
        f"<th>{c}</th>" for c in ("#", "from", "predicate", "to", "status", "sources", "statement")
    )
    body = "".join(
        "<tr>"
        f"<td>{i}</td><td><code>{_esc(name(h.source))}</code></td>"
        f"<td>{_esc(h.arrow)}</td><td><code>{_esc(name(h.target))}</code></td>"
        f"<td>{_esc(h.status)}</td><td>{_esc(', '.join(h.sources))}</td>"
        f"<td><code>{_esc(h.statement)}</code></td>"
        "</tr>"
        for i, h in enumerate(p.hops, 1)
    )
    return (
        f'<table class="il2kg-path"><caption style="text-align:left">{_esc(p.chain(labels))}'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def hop_cost(status: str, n_sources: int, direction: Direction = "forward") -> float:
    """The cost of one hop: curation status, plus ``0.5 / sources``, plus a reverse penalty.

    >>> hop_cost("verified", 2) < hop_cost("verified", 1) < hop_cost("unverified", 3)
    True
    """
    cost = STATUS_COST.get(status, 1.0) + 0.5 / max(n_sources, 1)
    return cost + (REVERSE_COST if direction == "reverse" else 0.0)


def net_effect(signs: Sequence[str]) -> str:
    """The effect of a chain of hop signs: two negatives make a positive.

    >>> net_effect(["none", "negative", "negative"]), net_effect(["positive", "reversed"])
    ('positive', 'unsigned')
    """
    causal = [s for s in signs if s != "none"]
    if not causal:
        return "none"
    if "reversed" in causal:
        return "unsigned"
    return "negative" if causal.count("negative") % 2 else "positive"

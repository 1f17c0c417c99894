"""What a path search returns: :class:`Hop`, :class:`Path`, :class:`PathResult`, :class:`Neighbor`,
and the defaults and costs every search shares (constants only: the CLI imports this module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["forward", "inverse", "reverse"]

#: Default bound on path length (hops) for shortest and k-shortest searches.
DEFAULT_MAX_LENGTH = 10
#: Default bound on path length for ``all_paths`` (the number of paths grows ~10x per hop).
DEFAULT_ALL_MAX_LENGTH = 4
#: Default bound on the number of paths examined (and returned by ``all_paths``).
DEFAULT_MAX_PATHS = 1000
#: The most paths the CLI lets a search examine, so that what it prints is bounded as well.
MAX_PATHS_LIMIT = 100_000
#: Default time bound of a search, in seconds.
DEFAULT_TIMEOUT = 10.0
#: Hop costs by curation status.
STATUS_COST: Mapping[str, float] = {"verified": 0.0, "expert_knowledge": 0.5, "unverified": 1.0}
#: Cost of walking a relation against its direction (undirected search only).
REVERSE_COST = 0.1
#: Weight of the hub penalty of intermediate nodes.
HUB_WEIGHT = 0.1


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

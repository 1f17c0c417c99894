"""Neighbourhoods: the entities within some hops of one, each with the hop that reached it.

The explorer's focus view uses the same function, so the CLI and the page agree by construction.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from il2kg.errors import Il2kgError
from il2kg.paths.results import Neighbor
from il2kg.paths.search import _best_hop, _type_matcher, _Walker

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.paths.network import PathGraph


def neighbors(
    graph: nx.MultiDiGraph | PathGraph,
    source: str,
    *,
    depth: int = 1,
    predicates: Collection[str] | None = None,
    types: Collection[str] = (),
    ancestors: Mapping[str, Collection[str]] | None = None,
    directed: bool = False,
    inverses: Mapping[str, str] | None = None,
    limit: int = 10_000,
) -> list[Neighbor]:
    """Entities within ``depth`` hops of ``source`` (both directions unless ``directed``).

    Each comes with the hop that reached it (from its parent on a shortest path). ``types``
    keeps only entities of those classes (by subclass through ``ancestors``), but the walk goes
    through any class. Ordered by distance, then label. Raises
    :class:`~il2kg.errors.Il2kgError` for an unknown id or ``depth < 1``.
    """
    if source not in graph:
        raise Il2kgError(f"{source!r} is not an entity of the graph")
    if depth < 1:
        raise Il2kgError("depth must be at least 1")
    w = _Walker(
        graph,
        directed=directed,
        inverses=inverses or {},
        predicates=predicates,
        exclude_predicates=(),
        qualifiers={},
        avoid=(),
    )
    matches = _type_matcher(ancestors)
    wanted = tuple(types)
    seen = {source: 0}
    queue = deque([source])
    out: list[Neighbor] = []
    while queue and len(seen) <= limit:
        u = queue.popleft()
        if seen[u] >= depth:
            continue
        for v in sorted(w.successors(u)):
            if v in seen:
                continue
            seen[v] = seen[u] + 1
            queue.append(v)
            node = w.node[v]
            vtype = str(node.get("type", ""))
            if wanted and not any(matches(vtype, t) for t in wanted):
                continue
            hop, _ = _best_hop(u, v, w.edges(u, v))
            out.append(Neighbor(v, str(node.get("label", v)), vtype, seen[v], hop))
    out.sort(key=lambda n: (n.distance, n.label.casefold(), n.id))
    return out

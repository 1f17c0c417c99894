"""Paths between entities over the projection of :mod:`il2kg.paths.network`.

Pure, typed functions over a :class:`~il2kg.paths.network.PathGraph` (or a networkx
``MultiDiGraph`` laid out the same way: same answers) whose nodes are entity ids (attributes
``label``, ``type``) and whose edges are curated relations (attributes ``predicate``, ``statement``,
``status``, ``sources``, ``qualifiers``, ``quantities``). Negated relations are never walked,
even if a graph carries them.

Direction. By default a path follows relations in their stated direction, and also walks a
relation backwards when the ontology declares an inverse predicate (``IL2RB part_of IL2R_BG`` is
walked from the complex as ``IL2R_BG has_part IL2RB``). ``directed=False`` walks any relation
either way, shown as ``←predicate—``.

The search. Breadth-first balls grown from both ends of each segment (source -> ``via`` ... ->
target) give the shortest length and, for the nodes a path of the wanted length can use, the
hops still needed (for the shortest length exactly the nodes of shortest paths); a depth-first
enumeration of simple paths then never enters a node that cannot reach the target in time.
Shortest paths come level by level (length d, then d+1, ...) until ``k`` paths are found; a
metapath fixes the length and the class allowed at each position. Every search is bounded in
length (``max_length``), number of paths examined (``max_paths``) and time (``timeout``); when a
bound cuts the answer, :attr:`PathResult.truncated` says which.

Ranking among paths of equal length: lower :func:`hop_cost` sums first (verified over expert
knowledge over unverified; more sources better), plus a hub penalty of
``HUB_WEIGHT * log2(1 + degree)`` for every intermediate node, so that a path through a
specific mediator beats one through a node linked to everything. Ties go by node labels.

Cost. A node's neighbours in a walk mode (direction, inverses, filters) are listed once, on
first use, and a PathGraph keeps the lists between searches; candidate paths are ranked by
costs computed per pair of nodes, and hops are described only for the paths returned.
``bench/bench_paths_nx.py`` times this against networkx; ``tests/_reference_search.py`` is the
search before that work, which ``tests/test_paths_perf_equivalence.py`` holds it to.

Why this module is longer than ~400 lines: it is one algorithm (the walker, the distance bounds,
the bounded enumeration and the explanation of a missing path share their state); the result
types are :mod:`il2kg.paths.results`, neighbourhoods :mod:`il2kg.paths.neighbors`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from il2kg.errors import Il2kgError, NoPathError, PathNotFound
from il2kg.paths.defaults import (
    DEFAULT_ALL_MAX_LENGTH,
    DEFAULT_MAX_LENGTH,
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    HUB_WEIGHT,
)
from il2kg.paths.network import PathGraph
from il2kg.paths.results import Direction, Hop, Path, PathResult, hop_cost

if TYPE_CHECKING:
    import networkx as nx


class _Stop(Exception):
    """Internal: a bound was hit."""


@dataclass(frozen=True)
class _Edge:
    other: str
    direction: Direction
    data: Mapping[str, Any]
    shown: str


#: How many walk modes (direction, inverses, filters) a PathGraph keeps adjacency lists for.
_MODES_KEPT = 16


def _memo_of(graph: nx.MultiDiGraph | PathGraph) -> dict[Any, Any]:
    """What a search may keep between calls: on a PathGraph (read-only) its own memo; a
    networkx graph may change between calls, so a fresh one for every call."""
    return graph.memo if isinstance(graph, PathGraph) else {}


def _degree(graph: nx.MultiDiGraph | PathGraph, node: str) -> int:
    """Relations at ``node`` either way, as ``MultiDiGraph.degree`` counts them."""
    return sum(len(k) for k in graph._succ[node].values()) + sum(
        len(k) for k in graph._pred[node].values()
    )


class _Walker:
    """Which steps a search may take: direction, predicate, qualifier and node constraints.

    The neighbours of a node in this walk mode are worked out once, on first use, as a tuple
    (relations that may be walked either way folded in, each neighbour once, in the order of
    the adjacency), and kept in the graph's memo for the next search in the same mode.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph | PathGraph,
        *,
        directed: bool,
        inverses: Mapping[str, str],
        predicates: Collection[str] | None,
        exclude_predicates: Collection[str],
        qualifiers: Mapping[str, str],
        avoid: Collection[str],
        memo: dict[Any, Any] | None = None,
    ) -> None:
        self.g = graph
        self.directed = directed
        self.inverses = inverses
        self.predicates = frozenset(predicates) if predicates is not None else None
        self.exclude = frozenset(exclude_predicates)
        self.qualifiers = dict(qualifiers)
        self.avoid = frozenset(avoid)
        # the raw adjacency dicts (node -> node -> key -> data): networkx's read-only views
        # cost several times more per access, which dominates a search on a large graph
        self._succ: Mapping[str, Mapping[str, Mapping[Any, Mapping[str, Any]]]] = graph._succ
        self._pred: Mapping[str, Mapping[str, Mapping[Any, Mapping[str, Any]]]] = graph._pred
        self.node: Mapping[str, Mapping[str, Any]] = graph._node
        self._plain = predicates is None and not exclude_predicates and not qualifiers
        self.memo = memo if memo is not None else _memo_of(graph)
        mode = (
            "adjacency",
            directed,
            tuple(sorted(inverses.items())),
            None if self.predicates is None else tuple(sorted(self.predicates)),
            tuple(sorted(self.exclude)),
            tuple(sorted(self.qualifiers.items())),
        )
        lists = self.memo.get(mode)
        if lists is None:
            kept = [key for key in self.memo if isinstance(key, tuple) and key[0] == "adjacency"]
            for key in kept[: max(0, len(kept) - _MODES_KEPT + 1)]:
                del self.memo[key]
            lists = self.memo[mode] = ({}, {})
        #: node -> the nodes one step after it / one step before it (avoided nodes included)
        self.outs: dict[str, tuple[str, ...]] = lists[0]
        self.ins: dict[str, tuple[str, ...]] = lists[1]

    def edge_ok(self, data: Mapping[str, Any], shown: str) -> bool:
        if data.get("negated"):
            return False
        if self._plain:
            return True
        pred = data.get("predicate", "")
        names = {pred, shown}
        if self.predicates is not None and not (names & self.predicates):
            return False
        if names & self.exclude:
            return False
        if self.qualifiers:
            q = data.get("qualifiers") or {}
            for key, value in self.qualifiers.items():
                if key in q and str(q[key]) != value:
                    return False
        return True

    def out_of(self, u: str) -> tuple[str, ...]:
        """Nodes ``v`` with a step ``u -> v`` (each once, ``u`` itself left out)."""
        found = self.outs.get(u)
        if found is None:
            found = self.outs[u] = self._adjacent(u, self._succ[u], self._pred[u])
        return found

    def into(self, v: str) -> tuple[str, ...]:
        """Nodes ``u`` with a step ``u -> v`` (for the backward searches)."""
        found = self.ins.get(v)
        if found is None:
            found = self.ins[v] = self._adjacent(v, self._pred[v], self._succ[v])
        return found

    def _adjacent(
        self,
        start: str,
        along: Mapping[str, Mapping[Any, Mapping[str, Any]]],
        against: Mapping[str, Mapping[Any, Mapping[str, Any]]],
    ) -> tuple[str, ...]:
        """Nodes reached by a relation in its direction (``along``), or against it (``against``)
        where the predicate has a declared inverse or the search is undirected."""
        edge_ok, inverses, directed = self.edge_ok, self.inverses, self.directed
        seen = {start}
        out: list[str] = []
        for w, keys in along.items():
            if w in seen:
                continue
            for data in keys.values():
                if edge_ok(data, data.get("predicate", "")):
                    seen.add(w)
                    out.append(w)
                    break
        for w, keys in against.items():
            if w in seen:
                continue
            for data in keys.values():
                pred = data.get("predicate", "")
                inv = inverses.get(pred)
                if inv is not None:
                    if edge_ok(data, inv):
                        seen.add(w)
                        out.append(w)
                        break
                elif not directed and edge_ok(data, pred):
                    seen.add(w)
                    out.append(w)
                    break
        return tuple(out)

    def edges(self, u: str, v: str) -> list[_Edge]:
        """The allowed relations of the step ``u -> v``: forwards first, then against."""
        out = []
        for data in self._succ[u].get(v, {}).values():
            e = _Edge(v, "forward", data, data.get("predicate", ""))
            if self.edge_ok(data, e.shown):
                out.append(e)
        for data in self._pred[u].get(v, {}).values():
            pred = data.get("predicate", "")
            inv = self.inverses.get(pred)
            if inv is not None:
                e = _Edge(v, "inverse", data, inv)
            elif not self.directed:
                e = _Edge(v, "reverse", data, pred)
            else:
                continue
            if self.edge_ok(data, e.shown):
                out.append(e)
        return out

    def steps(self, u: str) -> dict[str, list[_Edge]]:
        """The allowed steps from ``u``, grouped by the node they reach."""
        avoid = self.avoid
        return {v: self.edges(u, v) for v in self.out_of(u) if v not in avoid}

    def successors(self, u: str) -> Sequence[str]:
        found = self.out_of(u)
        return [n for n in found if n not in self.avoid] if self.avoid else found

    def predecessors(self, v: str) -> Sequence[str]:
        found = self.into(v)
        return [n for n in found if n not in self.avoid] if self.avoid else found

    def bfs(
        self, start: str, limit: int, backward: bool, deadline: float | None = None
    ) -> dict[str, int]:
        """Hop distances from (or, ``backward``, to) ``start``, up to ``limit`` hops."""
        dist = {start: 0}
        queue = deque([start])
        nxt = self.predecessors if backward else self.successors
        count = 0
        while queue:
            u = queue.popleft()
            d = dist[u]
            if d >= limit:
                continue
            count += 1
            if deadline is not None and count % 2048 == 0 and time.monotonic() > deadline:
                raise _Stop("time limit")
            for v in nxt(u):
                if v not in dist:
                    dist[v] = d + 1
                    queue.append(v)
        return dist


class _Meet:
    """Balls grown alternately, smaller frontier first, from the source and to the target.

    A path of at most ``a + b`` hops has all its nodes in one of the two balls (radius ``a``
    forwards, ``b`` backwards), so distances to the target computed inside their union are
    exact for every node such a path can use, and cost about the square root of a full search.
    """

    def __init__(self, w: _Walker, source: str, target: str, deadline: float | None) -> None:
        self.w, self.target, self.deadline = w, target, deadline
        self.fd: dict[str, int] = {source: 0}
        self.bd: dict[str, int] = {target: 0}
        self.ff, self.bf = [source], [target]
        self.a = self.b = 0
        #: the length of a shortest path once :meth:`shortest` found one (then ``a + b``)
        self.length: int | None = None

    def _radius(self) -> float:
        return (self.a if self.ff else math.inf) + (self.b if self.bf else math.inf)

    def _grow(self) -> bool:
        forward = bool(self.ff) and (not self.bf or len(self.ff) <= len(self.bf))
        if not forward and not self.bf:
            return False
        dist, frontier = (self.fd, self.ff) if forward else (self.bd, self.bf)
        nxt = self.w.out_of if forward else self.w.into
        avoid = self.w.avoid
        depth = (self.a if forward else self.b) + 1
        new: list[str] = []
        deadline = self.deadline
        for i, u in enumerate(frontier):
            if deadline is not None and i % 256 == 0 and time.monotonic() > deadline:
                raise _Stop("time limit")
            for v in nxt(u):
                if v not in dist and v not in avoid:
                    dist[v] = depth
                    new.append(v)
        if forward:
            self.ff, self.a = new, depth
        else:
            self.bf, self.b = new, depth
        self.length = None  # the balls overlap now: no longer the shape _on_shortest reads
        return True

    def shortest(self, limit: int) -> int:
        """The length of a shortest path, or ``limit + 1`` if longer than ``limit``."""
        while True:
            small, big = (self.fd, self.bd) if len(self.fd) <= len(self.bd) else (self.bd, self.fd)
            best = min((d + big[x] for x, d in small.items() if x in big), default=None)
            if best is not None:
                # the balls meet first where a shortest path crosses them: best == a + b
                self.length = best if best == self.a + self.b else None
                return best if best <= limit else limit + 1
            if self.a + self.b >= limit or not self.ff or not self.bf or not self._grow():
                return limit + 1

    def distances(self, length: int) -> dict[str, int]:
        """Lower bounds of the hops to the target, exact on every node a path of ``length``
        hops may use (nodes that no such path uses may be missing)."""
        if length == self.length:
            return self._on_shortest()
        while self._radius() < length and self._grow():
            pass
        fd, bd, a, b = self.fd, self.bd, self.a, self.b
        # a node on a path of at most `length` hops is at most `length` hops from both ends
        # when counted through it; outside a ball, its distance to that end exceeds the radius
        far_b, far_f = length - b - 1, length - a - 1
        if not self.ff:  # the forward ball is all the source reaches
            far_f = -1
        if not self.bf:
            far_b = -1
        inside: set[str] = set()
        for x, d in fd.items():
            e = bd.get(x)
            if (e is not None and d + e <= length) or (e is None and d <= far_b):
                inside.add(x)
        for x, e in bd.items():
            if x not in fd and e <= far_f:
                inside.add(x)
        dist = {self.target: 0}
        queue = deque([self.target])
        into, avoid, deadline = self.w.into, self.w.avoid, self.deadline
        count = 0
        while queue:
            v = queue.popleft()
            d = dist[v]
            if d >= length:
                continue
            count += 1
            if deadline is not None and count % 2048 == 0 and time.monotonic() > deadline:
                raise _Stop("time limit")
            for u in into(v):
                if u not in dist and u in inside and u not in avoid:
                    dist[u] = d + 1
                    queue.append(u)
        return dist

    def _on_shortest(self) -> dict[str, int]:
        """Exact hops to the target for the nodes on shortest paths (of ``a + b`` hops).

        The backward ball has them for the nodes within ``b`` hops of the target; the others
        are the nodes of the forward ball one step before one that is on a shortest path, level
        by level back towards the source.
        """
        assert self.length is not None
        fd, total = self.fd, self.length
        dist = dict(self.bd)
        level = [x for x, d in fd.items() if d == self.a and x in dist]
        into, deadline = self.w.into, self.deadline
        for i in range(self.a - 1, -1, -1):
            if deadline is not None and time.monotonic() > deadline:
                raise _Stop("time limit")
            prev: list[str] = []
            for v in level:
                for u in into(v):
                    if fd.get(u) == i and u not in dist:
                        dist[u] = total - i
                        prev.append(u)
            level = prev
        return dist


def _best_hop(u: str, v: str, edges: list[_Edge]) -> tuple[Hop, float]:
    def key(e: _Edge) -> tuple[float, str, str]:
        d = e.data
        return (
            hop_cost(d.get("status", "unverified"), len(d.get("sources", ())), e.direction),
            e.shown,
            str(d.get("statement", "")),
        )

    ranked = sorted(edges, key=key)
    best, d = ranked[0], ranked[0].data
    subj, obj = (u, v) if best.direction == "forward" else (v, u)
    alternatives = tuple(
        dict.fromkeys(
            (f"←{e.shown}—" if e.direction == "reverse" else e.shown)
            for e in ranked[1:]
            if e.shown != best.shown or e.direction != best.direction
        )
    )
    hop = Hop(
        source=u,
        target=v,
        predicate=best.shown,
        direction=best.direction,
        subject=subj,
        relation=d.get("predicate", ""),
        object=obj,
        statement=str(d.get("statement", "")),
        status=str(d.get("status", "unverified")),
        sources=tuple(d.get("sources", ())),
        qualifiers=dict(d.get("qualifiers") or {}),
        quantities=tuple(dict(q) for q in d.get("quantities", ())),
        alternatives=alternatives,
    )
    return hop, key(best)[0]


def _hop_cost(edges: list[_Edge]) -> float:
    """The cost :func:`_best_hop` gives the best of ``edges`` (without building the hop)."""
    return min(
        hop_cost(e.data.get("status", "unverified"), len(e.data.get("sources", ())), e.direction)
        for e in edges
    )


def _type_matcher(
    ancestors: Mapping[str, Collection[str]] | None,
) -> Callable[[str, str], bool]:
    def matches(node_type: str, wanted: str) -> bool:
        if node_type == wanted:
            return True
        return ancestors is not None and wanted in ancestors.get(node_type, ())

    return matches


def parse_metapath(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"Cytokine>ReceptorComplex>Kinase"`` -> ``("Cytokine", "ReceptorComplex", "Kinase")``.

    Raises :class:`~il2kg.errors.Il2kgError` for fewer than two classes or an empty one.
    """
    parts = tuple(p.strip() for p in (text.split(">") if isinstance(text, str) else text))
    if len(parts) < 2 or not all(parts):
        raise Il2kgError(f"a metapath names two or more classes separated by '>': {text!r}")
    return parts


def search_paths(
    graph: nx.MultiDiGraph | PathGraph,
    source: str,
    target: str,
    *,
    k: int = 1,
    all_paths: bool = False,
    max_length: int | None = None,
    max_paths: int = DEFAULT_MAX_PATHS,
    timeout: float | None = DEFAULT_TIMEOUT,
    directed: bool = True,
    inverses: Mapping[str, str] | None = None,
    predicates: Collection[str] | None = None,
    exclude_predicates: Collection[str] = (),
    via: Sequence[str] = (),
    avoid: Collection[str] = (),
    metapath: Sequence[str] | None = None,
    ancestors: Mapping[str, Collection[str]] | None = None,
    qualifiers: Mapping[str, str] | None = None,
) -> PathResult:
    """Ranked simple paths from ``source`` to ``target`` (entity ids), with the bounds hit.

    ``k`` shortest paths (ranked by length, then cost), or with ``all_paths`` every simple path
    of at most ``max_length`` hops (at most ``max_paths`` of them). ``predicates`` keeps only
    relations whose predicate (as stored or as read along the hop) is listed;
    ``exclude_predicates`` drops them. ``via`` entities must be passed in order; ``avoid``
    entities never. ``metapath`` is a sequence of classes, one per node, matched by subclass
    through ``ancestors`` (class -> its ancestors, e.g. ``Vocabulary.ancestors``).
    ``qualifiers`` (``{"cell_type": "CL:0000815"}``) drops relations qualified with another
    value for a key; unqualified relations hold everywhere and stay. ``inverses`` maps a
    predicate to its declared inverse (see the module docstring).

    Raises :class:`NoPathError` (a :class:`~il2kg.errors.PathNotFound`) with the nearest
    reachable entities when nothing connects them, and :class:`~il2kg.errors.Il2kgError` for
    unknown ids or contradictory constraints.
    """
    for name, node in (("source", source), ("target", target), *(("via", v) for v in via)):
        if node not in graph:
            raise Il2kgError(f"{name} {node!r} is not an entity of the graph")
    if source == target:
        raise Il2kgError("source and target are the same entity")
    avoid_set = frozenset(avoid)
    clash = avoid_set & {source, target, *via}
    if clash:
        raise Il2kgError(f"cannot both use and avoid {', '.join(sorted(clash))}")
    if k < 1:
        raise Il2kgError("k must be at least 1")
    mp = tuple(metapath) if metapath is not None else None
    if mp is not None and len(mp) < 2:
        raise Il2kgError("a metapath names at least two classes (source and target)")
    if max_length is None:
        max_length = DEFAULT_ALL_MAX_LENGTH if all_paths else DEFAULT_MAX_LENGTH
    if mp is not None:
        max_length = len(mp) - 1
    if max_length < 1:
        raise Il2kgError("max_length must be at least 1")

    walker = _Walker(
        graph,
        directed=directed,
        inverses=inverses or {},
        predicates=predicates,
        exclude_predicates=exclude_predicates,
        qualifiers=qualifiers or {},
        avoid=avoid_set,
    )
    deadline = time.monotonic() + timeout if timeout is not None else None
    try:
        result = _search(
            walker,
            source,
            target,
            k,
            all_paths,
            max_length,
            max_paths,
            deadline,
            via,
            mp,
            ancestors,
        )
    except _Stop as stop:
        raise PathNotFound(
            f"the search stopped at its {stop} before finding any path; "
            "narrow it (--max-length, --predicate, --via) or raise the limit"
        ) from None
    if not result.paths and result.truncated is None:
        raise _no_path(graph, walker, source, target, directed, max_length, mp, via)
    if not result.paths:
        raise PathNotFound(
            f"no path found before the search stopped ({result.truncated}); "
            "narrow it (--max-length, --predicate, --via) or raise the limit"
        )
    return result


def find_paths(
    graph: nx.MultiDiGraph | PathGraph, source: str, target: str, *, k: int = 1, **options: Any
) -> list[Path]:
    """The ``k`` best paths from ``source`` to ``target``; see :func:`search_paths`.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("A", "B", key="binds", predicate="binds", status="verified", sources=["PMID:1"])
    'binds'
    >>> g.add_edge("B", "C", key="activates", predicate="activates", status="verified")
    'activates'
    >>> [p.chain() for p in find_paths(g, "A", "C")]
    ['A —binds→ B —activates→ C']

    Raises :class:`~il2kg.errors.PathNotFound` when nothing connects them.
    """
    return list(search_paths(graph, source, target, k=k, **options).paths)


def _search(
    w: _Walker,
    source: str,
    target: str,
    k: int,
    all_paths: bool,
    max_length: int,
    max_paths: int,
    deadline: float | None,
    via: Sequence[str],
    metapath: tuple[str, ...] | None,
    ancestors: Mapping[str, Collection[str]] | None,
) -> PathResult:
    g = w.g
    goals = [*via, target]
    # distance maps to each goal; tail[j] = hops still needed from goals[j-1] onwards
    # one meet-in-the-middle search per segment (source -> via ... -> target): the lower bound
    # of the hops still needed from any node, computed only where a short path can go
    meets = [_Meet(w, a, b, deadline) for a, b in zip([source, *via], goals, strict=True)]
    seg = [m.shortest(max_length) for m in meets]
    tail = [0] * (len(goals) + 1)  # tail[j]: hops from goals[j - 1] to the target, at least
    for j in range(len(goals) - 1, 0, -1):
        tail[j] = seg[j] + tail[j + 1]
    lower = seg[0] + tail[1]
    inf = max_length + 1
    dists: list[dict[str, int]] = [{} for _ in goals]
    if lower > max_length:
        return PathResult(())

    layers: list[frozenset[str]] | None = None
    if metapath is not None:
        layers = _metapath_layers(w, g, source, target, metapath, ancestors, deadline)
        if layers is None:
            return PathResult(())

    # found paths as (rank key, nodes); their hops are described once the best are known
    found: list[tuple[tuple[int, float, tuple[str, ...]], tuple[str, ...]]] = []
    truncated: str | None = None
    examined = 0
    memo = w.memo
    hub: dict[str, float] = memo.setdefault("hub", {})
    names: dict[str, str] = memo.setdefault("names", {})
    pair_cost: dict[tuple[str, str], float] = {}
    node = w.node

    def emit(path: list[str]) -> None:
        nonlocal examined
        cost = 0.0
        for uv in pairwise(path):
            c = pair_cost.get(uv)
            if c is None:
                c = pair_cost[uv] = _hop_cost(w.edges(*uv))
            cost += c
        for n in path[1:-1]:
            h = hub.get(n)
            if h is None:
                h = hub[n] = HUB_WEIGHT * math.log2(1 + _degree(g, n))
            cost += h
        key = []
        for n in path:
            name = names.get(n)
            if name is None:
                name = names[n] = str(node[n].get("label", n)).casefold()
            key.append(name)
        found.append(((len(path) - 1, cost, tuple(key)), tuple(path)))
        examined += 1

    last = len(goals) - 1
    blocked = w.avoid

    def enumerate_level(length: int, exact: bool) -> None:
        """Every simple path of ``length`` hops (or at most, unless ``exact``)."""
        for j, m in enumerate(meets):  # a segment may take what the others leave of length
            dists[j] = m.distances(length - (lower - seg[j]))
        path = [source]
        on_path = {source}
        ticks = 0
        out_of = w.out_of

        def dfs(u: str, stage: int) -> None:
            nonlocal ticks
            ticks += 1
            if deadline is not None and ticks % 1024 == 0 and time.monotonic() > deadline:
                raise _Stop("time limit")
            depth = len(path) - 1
            if u == goals[stage]:
                stage += 1
                if stage == len(goals):
                    if not exact or depth == length:
                        if examined >= max_paths:
                            raise _Stop(f"limit of {max_paths} paths")
                        emit(path)
                    return
            if depth >= length:
                return
            dist = dists[stage]
            room = length - depth - 1 - tail[stage + 1]  # hops left after the next one
            layer = layers[depth + 1] if layers is not None else None
            for v in out_of(u):
                if dist.get(v, inf) > room or v in on_path or v in blocked:
                    continue
                if v == target and stage < last:
                    continue
                if layer is not None and v not in layer:
                    continue
                path.append(v)
                on_path.add(v)
                dfs(v, stage)
                path.pop()
                on_path.discard(v)

        dfs(source, 0)

    try:
        if all_paths:
            enumerate_level(max_length, exact=False)
        else:
            first = max_length if metapath is not None else max(lower, 1)
            for length in range(first, max_length + 1):
                enumerate_level(length, exact=True)
                if len(found) >= k:
                    break
    except _Stop as stop:
        truncated = str(stop)
    found.sort(key=lambda item: item[0])
    if not all_paths:
        found = found[:k]
    paths = []
    hop_of: dict[tuple[str, str], Hop] = {}  # hops are immutable: one per pair of nodes
    for (_, cost, _), nodes in found:
        hops = []
        for uv in pairwise(nodes):
            hop = hop_of.get(uv)
            if hop is None:
                hop = hop_of[uv] = _best_hop(*uv, w.edges(*uv))[0]
            hops.append(hop)
        paths.append(Path(nodes, tuple(hops), cost))
    return PathResult(tuple(paths), truncated, examined)


def _metapath_layers(
    w: _Walker,
    g: nx.MultiDiGraph | PathGraph,
    source: str,
    target: str,
    metapath: tuple[str, ...],
    ancestors: Mapping[str, Collection[str]] | None,
    deadline: float | None,
) -> list[frozenset[str]] | None:
    """Per position, the nodes of the right class that can still reach the target in step."""
    matches = _type_matcher(ancestors)
    node = w.node

    def ok(n: str, i: int) -> bool:
        return matches(str(node[n].get("type", "")), metapath[i])

    if not ok(source, 0) or not ok(target, len(metapath) - 1):
        return None
    layers: list[frozenset[str]] = [frozenset()] * len(metapath)
    layers[-1] = frozenset({target})
    for i in range(len(metapath) - 2, -1, -1):
        if deadline is not None and time.monotonic() > deadline:
            raise _Stop("time limit")
        layer = {u for v in layers[i + 1] for u in w.predecessors(v) if ok(u, i)}
        if i == 0:
            layer &= {source}
        if not layer:
            return None
        layers[i] = frozenset(layer)
    return layers


def _no_path(
    g: nx.MultiDiGraph | PathGraph,
    w: _Walker,
    source: str,
    target: str,
    directed: bool,
    max_length: int,
    metapath: tuple[str, ...] | None,
    via: Sequence[str],
) -> NoPathError:
    node = w.node

    def name(n: str) -> str:
        return f"{node[n].get('label', n)} ({n})"

    def nearest(start: str, backward: bool) -> list[tuple[str, int]]:
        dist = w.bfs(start, 2, backward=backward, deadline=time.monotonic() + 2.0)
        near = [(n, d) for n, d in dist.items() if n != start]
        near.sort(key=lambda nd: (nd[1], -_degree(g, nd[0]), str(node[nd[0]].get("label", ""))))
        return near[:5]

    what = "directed " if directed else ""
    bound = (
        f"of {len(metapath) - 1} hops matching {'>'.join(metapath)}"
        if metapath
        else (f"of at most {max_length} hops")
    )
    lines = [f"no {what}path {bound} from {name(source)} to {name(target)}"]
    if via:
        lines[0] += " through " + ", then ".join(name(v) for v in via)
    try:
        fwd, back = nearest(source, False), nearest(target, True)
    except _Stop:
        fwd, back = [], []
    lines.append(
        f"{name(source)} reaches: "
        + (", ".join(f"{name(n)} [{d}]" for n, d in fwd) if fwd else "nothing")
    )
    lines.append(
        f"{name(target)} is reached from: "
        + (", ".join(f"{name(n)} [{d}]" for n, d in back) if back else "nothing")
    )
    if directed:
        loose = _Walker(
            g,
            directed=False,
            inverses=w.inverses,
            predicates=w.predicates,
            exclude_predicates=w.exclude,
            qualifiers=w.qualifiers,
            avoid=w.avoid,
            memo=w.memo,
        )
        try:
            apart = _Meet(loose, source, target, time.monotonic() + 1.0).shortest(max_length)
        except _Stop:
            apart = max_length + 1
        if apart <= max_length:
            lines.append(
                f"ignoring direction they are {apart} hop{'s' if apart != 1 else ''} apart: try --undirected"
            )
    return NoPathError("\n".join(lines), source, target, fwd, back)


def expand_predicates(
    names: Collection[str], parents: Mapping[str, Collection[str]], inverses: Mapping[str, str]
) -> frozenset[str]:
    """Predicates named, with their sub-predicates (``binds`` brings ``preferentially_binds``).

    ``parents`` maps each predicate to its direct parents. Raises
    :class:`~il2kg.errors.Il2kgError` naming any unknown predicate.
    """
    known = set(parents) | set(inverses)
    unknown = sorted(set(names) - known)
    if unknown:
        raise Il2kgError(
            f"unknown predicate {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    chosen = set(names)
    changed = True
    while changed:
        changed = False
        for p, ps in parents.items():
            if p not in chosen and chosen & set(ps):
                chosen.add(p)
                changed = True
    return frozenset(chosen)

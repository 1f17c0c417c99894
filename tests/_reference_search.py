"""THE TEST ORACLE: il2kg/paths/search.py as it was at 471b933, before the performance work of
issue #18 (plus, at the end, il2kg/paths/neighbors.py's ``neighbors`` of that commit). Do not
edit: tests/test_paths_perf_equivalence.py checks that today's search gives the same answers,
and bench/bench_paths_nx.py times it as the "before". Its text as it was follows.

Paths between entities over the networkx projection (:mod:`il2kg.paths.network`).

Pure, typed functions over a ``MultiDiGraph`` whose nodes are entity ids (attributes ``label``,
``type``) and whose edges are curated relations (attributes ``predicate``, ``statement``,
``status``, ``sources``, ``qualifiers``, ``quantities``). Negated relations are never walked,
even if a graph carries them.

Direction. By default a path follows relations in their stated direction, and also walks a
relation backwards when the ontology declares an inverse predicate (``IL2RB part_of IL2R_BG`` is
walked from the complex as ``IL2R_BG has_part IL2RB``). ``directed=False`` walks any relation
either way, shown as ``←predicate—``.

The search. A breadth-first search backwards from the target (and from each ``via`` waypoint)
gives, for every node, a lower bound on the hops still needed; a depth-first enumeration of
simple paths then never enters a node that cannot reach the target within the length bound.
Shortest paths come level by level (length d, then d+1, ...) until ``k`` paths are found; a
metapath fixes the length and the class allowed at each position. Every search is bounded in
length (``max_length``), number of paths examined (``max_paths``) and time (``timeout``); when a
bound cuts the answer, :attr:`PathResult.truncated` says which.

Ranking among paths of equal length: lower :func:`hop_cost` sums first (verified over expert
knowledge over unverified; more sources better), plus a hub penalty of
``HUB_WEIGHT * log2(1 + degree)`` for every intermediate node, so that a path through a
specific mediator beats one through a node linked to everything. Ties go by node labels.

Why this module is longer than ~400 lines: it is one algorithm (the walker, the distance bounds,
the bounded enumeration and the explanation of a missing path share their state); the result
types are :mod:`il2kg.paths.results`, neighbourhoods :mod:`il2kg.paths.neighbors`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
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
from il2kg.paths.results import Direction, Hop, Neighbor, Path, PathResult, hop_cost

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


class _Walker:
    """Which steps a search may take: direction, predicate, qualifier and node constraints."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        directed: bool,
        inverses: Mapping[str, str],
        predicates: Collection[str] | None,
        exclude_predicates: Collection[str],
        qualifiers: Mapping[str, str],
        avoid: Collection[str],
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
        self._plain = predicates is None and not exclude_predicates and not qualifiers

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

    def _out_edges(self, u: str) -> Iterator[_Edge]:
        for v, keys in self._succ[u].items():
            for data in keys.values():
                yield _Edge(v, "forward", data, data.get("predicate", ""))
        for w, keys in self._pred[u].items():
            for data in keys.values():
                pred = data.get("predicate", "")
                inv = self.inverses.get(pred)
                if inv is not None:
                    yield _Edge(w, "inverse", data, inv)
                elif not self.directed:
                    yield _Edge(w, "reverse", data, pred)

    def _in_nodes(self, v: str) -> Iterator[str]:
        """Nodes ``u`` with a step ``u -> v`` (for the backward searches)."""
        return self._adjacent(self._pred[v], self._succ[v])

    def _out_nodes(self, u: str) -> Iterator[str]:
        """Nodes ``v`` with a step ``u -> v`` (cheaper than :meth:`steps` for searching)."""
        return self._adjacent(self._succ[u], self._pred[u])

    def _adjacent(
        self, along: Mapping[str, Mapping[str, Any]], against: Mapping[str, Mapping[str, Any]]
    ) -> Iterator[str]:
        """Nodes reached by a relation in its direction (``along``), or against it (``against``)
        where the predicate has a declared inverse or the search is undirected."""
        edge_ok, inverses, directed = self.edge_ok, self.inverses, self.directed
        for w, keys in along.items():
            for data in keys.values():
                if edge_ok(data, data.get("predicate", "")):
                    yield w
                    break
        for w, keys in against.items():
            for data in keys.values():
                pred = data.get("predicate", "")
                inv = inverses.get(pred)
                if inv is not None:
                    if edge_ok(data, inv):
                        yield w
                        break
                elif not directed and edge_ok(data, pred):
                    yield w
                    break

    def steps(self, u: str) -> dict[str, list[_Edge]]:
        """The allowed steps from ``u``, grouped by the node they reach."""
        out: dict[str, list[_Edge]] = {}
        for e in self._out_edges(u):
            if e.other == u or e.other in self.avoid:
                continue
            if self.edge_ok(e.data, e.shown):
                out.setdefault(e.other, []).append(e)
        return out

    def successors(self, u: str) -> Iterator[str]:
        return self._distinct(u, self._out_nodes(u))

    def predecessors(self, v: str) -> Iterator[str]:
        return self._distinct(v, self._in_nodes(v))

    def _distinct(self, start: str, nodes: Iterator[str]) -> Iterator[str]:
        """``nodes`` once each, without ``start`` and the avoided nodes."""
        seen: set[str] = {start}
        avoid = self.avoid
        for n in nodes:
            if n not in seen and n not in avoid:
                seen.add(n)
                yield n

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

    def _radius(self) -> float:
        return (self.a if self.ff else math.inf) + (self.b if self.bf else math.inf)

    def _grow(self) -> bool:
        forward = bool(self.ff) and (not self.bf or len(self.ff) <= len(self.bf))
        if not forward and not self.bf:
            return False
        dist, frontier = (self.fd, self.ff) if forward else (self.bd, self.bf)
        nxt = self.w.successors if forward else self.w.predecessors
        depth = (self.a if forward else self.b) + 1
        new: list[str] = []
        for i, u in enumerate(frontier):
            if self.deadline is not None and i % 256 == 0 and time.monotonic() > self.deadline:
                raise _Stop("time limit")
            for v in nxt(u):
                if v not in dist:
                    dist[v] = depth
                    new.append(v)
        if forward:
            self.ff, self.a = new, depth
        else:
            self.bf, self.b = new, depth
        return True

    def shortest(self, limit: int) -> int:
        """The length of a shortest path, or ``limit + 1`` if longer than ``limit``."""
        while True:
            small, big = (self.fd, self.bd) if len(self.fd) <= len(self.bd) else (self.bd, self.fd)
            best = min((d + big[x] for x, d in small.items() if x in big), default=None)
            if best is not None:
                return best if best <= limit else limit + 1
            if self.a + self.b >= limit or not self.ff or not self.bf or not self._grow():
                return limit + 1

    def distances(self, length: int) -> dict[str, int]:
        """Hops to the target from every node a path of ``length`` hops may use."""
        while self._radius() < length and self._grow():
            pass
        fd, bd = self.fd, self.bd
        dist = {self.target: 0}
        queue = deque([self.target])
        count = 0
        while queue:
            v = queue.popleft()
            d = dist[v]
            if d >= length:
                continue
            count += 1
            if self.deadline is not None and count % 2048 == 0 and time.monotonic() > self.deadline:
                raise _Stop("time limit")
            for u in self.w.predecessors(v):
                if u not in dist and (u in fd or u in bd):
                    dist[u] = d + 1
                    queue.append(u)
        return dist


def _hub_penalty(graph: nx.MultiDiGraph, node: str) -> float:
    return HUB_WEIGHT * math.log2(1 + graph.degree(node))


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
    graph: nx.MultiDiGraph,
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
    graph: nx.MultiDiGraph, source: str, target: str, *, k: int = 1, **options: Any
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

    found: list[tuple[tuple[int, float, tuple[str, ...]], Path]] = []
    truncated: str | None = None
    examined = 0
    hub: dict[str, float] = {}
    labels = g.nodes

    def emit(nodes: list[str]) -> None:
        nonlocal examined
        hops: list[Hop] = []
        cost = 0.0
        for u, v in pairwise(nodes):
            hop, c = _best_hop(u, v, w.steps(u)[v])
            hops.append(hop)
            cost += c
        for n in nodes[1:-1]:
            if n not in hub:
                hub[n] = _hub_penalty(g, n)
            cost += hub[n]
        names = tuple(str(labels[n].get("label", n)).casefold() for n in nodes)
        found.append(((len(hops), cost, names), Path(tuple(nodes), tuple(hops), cost)))
        examined += 1

    def enumerate_level(length: int, exact: bool) -> None:
        """Every simple path of ``length`` hops (or at most, unless ``exact``)."""
        for j, m in enumerate(meets):  # a segment may take what the others leave of length
            dists[j] = m.distances(length - (lower - seg[j]))
        path = [source]
        on_path = {source}
        ticks = 0

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
                        emit(list(path))
                    return
            if depth >= length:
                return
            for v in w.successors(u):
                if v in on_path:
                    continue
                if v == target and stage < len(goals) - 1:
                    continue
                if layers is not None and v not in layers[depth + 1]:
                    continue
                need = dists[stage].get(v, inf) + tail[stage + 1]
                if depth + 1 + need > length:
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
    paths = tuple(p for _, p in found)
    if not all_paths:
        paths = paths[:k]
    return PathResult(paths, truncated, examined)


def _metapath_layers(
    w: _Walker,
    g: nx.MultiDiGraph,
    source: str,
    target: str,
    metapath: tuple[str, ...],
    ancestors: Mapping[str, Collection[str]] | None,
    deadline: float | None,
) -> list[frozenset[str]] | None:
    """Per position, the nodes of the right class that can still reach the target in step."""
    matches = _type_matcher(ancestors)

    def ok(n: str, i: int) -> bool:
        return matches(str(g.nodes[n].get("type", "")), metapath[i])

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
    g: nx.MultiDiGraph,
    w: _Walker,
    source: str,
    target: str,
    directed: bool,
    max_length: int,
    metapath: tuple[str, ...] | None,
    via: Sequence[str],
) -> NoPathError:
    def name(n: str) -> str:
        return f"{g.nodes[n].get('label', n)} ({n})"

    def nearest(start: str, backward: bool) -> list[tuple[str, int]]:
        dist = w.bfs(start, 2, backward=backward, deadline=time.monotonic() + 2.0)
        near = [(n, d) for n, d in dist.items() if n != start]
        near.sort(key=lambda nd: (nd[1], -g.degree(nd[0]), str(g.nodes[nd[0]].get("label", ""))))
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


def neighbors(
    graph: nx.MultiDiGraph,
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
        for v, edges in sorted(w.steps(u).items()):
            if v in seen:
                continue
            seen[v] = seen[u] + 1
            queue.append(v)
            node = graph.nodes[v]
            vtype = str(node.get("type", ""))
            if wanted and not any(matches(vtype, t) for t in wanted):
                continue
            hop, _ = _best_hop(u, v, edges)
            out.append(Neighbor(v, str(node.get("label", v)), vtype, seen[v], hop))
    out.sort(key=lambda n: (n.distance, n.label.casefold(), n.id))
    return out

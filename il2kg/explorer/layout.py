"""Node positions for the explorer, computed once when the page is built (no physics in the page).

A Fruchterman-Reingold force layout in numpy with a fixed seed, so the same graph always gives
the same picture. Up to :data:`EXACT_LIMIT` nodes every pair repels; above, each node is pushed
by a seeded sample of :data:`SAMPLE` nodes (scaled up to the whole), which keeps one iteration
linear in the number of nodes. A weak pull to the centre keeps unconnected pieces close.
Nodes with no edge at all take no part in the simulation: they sit on rings :data:`SPACING`
apart just outside the rest, in the order of their names (left to themselves they are pushed
far out, and a fitted view of the whole graph shrinks to a speck: at 2,000 synthetic nodes the
9 % without an edge made it 7 times too small). The result is in vis-network canvas units:
neighbours sit about :data:`SPACING` apart.

>>> pos = layout(["a", "b", "c"], [("a", "b"), ("b", "c")])
>>> sorted(pos) == ["a", "b", "c"] and pos == layout(["c", "b", "a"], [("b", "c"), ("a", "b")])
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

#: Every pair repels up to this many nodes; above, a sampled repulsion is used.
EXACT_LIMIT: Final = 1500
#: How many nodes push each node per iteration above :data:`EXACT_LIMIT`.
SAMPLE: Final = 200
#: The typical distance between neighbours, in canvas units (vis-network pixels at scale 1).
SPACING: Final = 130.0
SEED: Final = 7


def _iterations(n: int) -> int:
    return 250 if n <= 200 else 150 if n <= EXACT_LIMIT else 60


def layout(
    nodes: Sequence[str], edges: Iterable[tuple[str, str]], seed: int = SEED
) -> dict[str, tuple[float, float]]:
    """Positions ``{node: (x, y)}``, rounded to 0.1, for the undirected graph given.

    The answer depends only on the set of nodes, the set of edges (self-loops and repeats are
    ignored) and ``seed``, not on their order.
    """
    order = sorted(set(nodes))
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(order)}
    pairs = sorted(
        {
            (min(index[a], index[b]), max(index[a], index[b]))
            for a, b in edges
            if a in index and b in index and a != b
        }
    )
    parts = _components(n, pairs)
    if len(parts) == 1:
        return _force(order, pairs, seed)
    # the largest piece in the middle, the others (each laid out alone) on rings around it
    placed = [_piece(order, pairs, part, seed) for part in parts]
    out = dict(placed[0])
    out.update(_rings(placed[1:], out))
    return out


def _components(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The connected pieces of the graph over 0..n-1, largest first (ties: smallest index)."""
    root = list(range(n))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for a, b in pairs:
        root[find(a)] = find(b)
    parts: dict[int, list[int]] = {}
    for i in range(n):
        parts.setdefault(find(i), []).append(i)
    return sorted(parts.values(), key=lambda part: (-len(part), part[0]))


def _piece(
    order: list[str], pairs: list[tuple[int, int]], part: list[int], seed: int
) -> dict[str, tuple[float, float]]:
    """The layout of one connected piece (the indices ``part`` of ``order``), alone."""
    if len(part) == 1:
        return {order[part[0]]: (0.0, 0.0)}
    inside = set(part)
    renumber = {old: new for new, old in enumerate(part)}
    sub = [(renumber[a], renumber[b]) for a, b in pairs if a in inside]
    return _force([order[i] for i in part], sub, seed)


def _force(
    order: list[str], pairs: list[tuple[int, int]], seed: int
) -> dict[str, tuple[float, float]]:
    """The force layout of the sorted nodes ``order`` (two or more) joined by ``pairs``
    (sorted pairs of indices into ``order``)."""
    n = len(order)
    src = np.array([p[0] for p in pairs], dtype=np.intp)
    dst = np.array([p[1] for p in pairs], dtype=np.intp)
    degree = np.bincount(np.concatenate([src, dst]), minlength=n).astype(np.float64)
    # the edges of hubs are longer, so that a hub's many neighbours find room around it
    length = 1.0 + 0.25 * np.sqrt(degree[src] + degree[dst]) if len(pairs) else np.ones(0)
    rng = np.random.RandomState(seed)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)) * np.sqrt(n) / 2
    k = 1.0  # the ideal edge length in layout units
    iterations = _iterations(n)
    temperature = np.sqrt(n) / 4
    cool = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = _repulsion(pos, k, rng)
        if len(pairs):
            delta = pos[src] - pos[dst]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            pull = delta * (dist / (k * length))[:, None]
            np.subtract.at(disp, src, pull)
            np.add.at(disp, dst, pull)
        disp -= 0.05 * pos  # gravity
        step = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        pos += disp * (np.minimum(step, temperature) / step)[:, None]
        temperature -= cool
    pos -= pos.mean(axis=0)
    pos *= SPACING / k
    return {
        v: (round(float(pos[i, 0]), 1), round(float(pos[i, 1]), 1)) for i, v in enumerate(order)
    }


def _rings(
    pieces: list[dict[str, tuple[float, float]]], middle: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """``pieces`` in order, each moved whole, around ``middle`` on concentric rings: the first
    ring just outside its farthest node, pieces and rings :data:`SPACING` apart."""
    xy = np.array(list(middle.values()))
    cx, cy = xy.mean(axis=0)
    radius = float(np.hypot(xy[:, 0] - cx, xy[:, 1] - cy).max()) + SPACING
    out: dict[str, tuple[float, float]] = {}
    i = 0
    while i < len(pieces):
        ring: list[tuple[dict[str, tuple[float, float]], float, float, float]] = []
        used, widest = 0.0, 0.0
        while i < len(pieces):  # pieces along the ring until it is full
            pts = np.array(list(pieces[i].values()))
            mx, my = pts.mean(axis=0)
            size = float(np.hypot(pts[:, 0] - mx, pts[:, 1] - my).max())
            if ring and used + 2 * size + SPACING > 2 * np.pi * radius:
                break
            ring.append((pieces[i], mx, my, size))
            used += 2 * size + SPACING
            widest = max(widest, size)
            i += 1
        at = 0.0
        for piece, mx, my, size in ring:
            angle = (at + size) / (radius + widest)
            px, py = cx + (radius + widest) * np.cos(angle), cy + (radius + widest) * np.sin(angle)
            for v, (x, y) in piece.items():
                out[v] = (round(float(px + x - mx), 1), round(float(py + y - my), 1))
            at += 2 * size + SPACING
        radius += 2 * widest + SPACING
    return out


def _repulsion(
    pos: NDArray[np.float64], k: float, rng: np.random.RandomState
) -> NDArray[np.float64]:
    """The repulsive displacement of every node (k^2 / d along the line between two nodes)."""
    n = len(pos)
    disp = np.zeros_like(pos)
    if n <= EXACT_LIMIT:
        others, weight = pos, 1.0
    else:
        others, weight = pos[rng.choice(n, SAMPLE, replace=False)], n / SAMPLE
    step = max(1, 2_000_000 // len(others))
    for start in range(0, n, step):
        block = pos[start : start + step]
        delta = block[:, None, :] - others[None, :, :]
        dist2 = np.maximum((delta**2).sum(axis=2), 1e-4)
        disp[start : start + step] = weight * (delta * (k * k / dist2)[:, :, None]).sum(axis=1)
    return disp

"""Benchmarks of path lookups (not a timed test; run by hand).

    python bench/bench_paths.py            # both parts
    python bench/bench_paths.py --cold     # only the fresh-process cost
    python bench/bench_paths.py --synthetic --nodes 100000

1. Cold start: ``python -m il2kg path IL-2 STAT5A`` on the shipped data as a fresh process (the
   build cache warm), timed side by side with ``python -c "import rdflib, networkx"``; prints the
   median of each and their ratio, and checks with ``-X importtime`` that the path command
   imports none of rdflib, pyvis, pyshacl, pyoxigraph.
2. Synthetic: a hub-heavy random graph of N entities (preferential attachment, ~3 relations per
   entity, random predicates, statuses and classes) built directly as a networkx graph; times
   shortest, 5-shortest, metapath and bounded all-paths searches between random pairs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("rdflib", "pyvis", "pyshacl", "pyoxigraph")
PATH_CMD = [sys.executable, "-m", "il2kg", "path", "IL-2", "STAT5A"]
BASELINE = [sys.executable, "-c", "import rdflib, networkx"]


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def cold(repeat: int) -> None:
    subprocess.run(PATH_CMD, check=True, capture_output=True, cwd=ROOT)  # warm the build cache
    ours, base = [], []
    for _ in range(repeat):  # alternate so that machine noise hits both alike
        ours.append(_time(PATH_CMD))
        base.append(_time(BASELINE))
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    print(f"cold start, median of {repeat}:")
    print(f"  il2kg path IL-2 STAT5A          {m_ours * 1000:7.0f} ms")
    print(f"  python -c 'import rdflib, networkx' {m_base * 1000:7.0f} ms")
    print(f"  ratio                           {m_ours / m_base:7.2f}")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *PATH_CMD[1:]],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
    bad = sorted(m for m in FORBIDDEN if m in modules)
    print(f"  heavy modules imported by the path command: {', '.join(bad) or 'none'}")
    print(f"  networkx imported: {'networkx' in modules}; pydantic: {'pydantic' in modules}")


PREDICATES = ("binds", "activates", "phosphorylates", "recruits", "part_of", "inhibits")
CLASSES = ("Cytokine", "ReceptorComplex", "ReceptorChain", "Kinase", "STAT", "CellType")
STATUSES = ("verified", "verified", "expert_knowledge", "unverified")


def synthetic_graph(n: int, m: int = 3, seed: int = 1):  # type: ignore[no-untyped-def]
    """A hub-heavy MultiDiGraph shaped like il2kg's projection (see il2kg.paths.network)."""
    import networkx as nx

    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    ends: list[str] = []  # every edge end once: sampling from it is preferential attachment
    for i in range(n):
        node = f"SYN:{i}"
        g.add_node(node, label=f"entity {i}", type=rng.choice(CLASSES))
        targets = {rng.choice(ends) for _ in range(m)} if ends else set()
        if not ends:
            ends.append(node)
        for t in sorted(targets):
            pred = rng.choice(PREDICATES)
            s, o = (node, t) if rng.random() < 0.5 else (t, node)
            g.add_edge(
                s,
                o,
                key=pred,
                predicate=pred,
                statement=f"{i}-{t}",
                status=rng.choice(STATUSES),
                sources=["PMID:1"] * rng.randint(1, 3),
                qualifiers={},
                quantities=[],
            )
            ends += [node, t]
    return g


def synthetic(n: int, pairs: int) -> None:
    from il2kg.errors import PathNotFound
    from il2kg.paths.search import search_paths

    t0 = time.perf_counter()
    g = synthetic_graph(n)
    print(
        f"\nsynthetic graph: {g.number_of_nodes():,} entities, {g.number_of_edges():,} relations, "
        f"max degree {max(d for _, d in g.degree()):,} (built in {time.perf_counter() - t0:.1f} s)"
    )
    rng = random.Random(7)
    nodes = list(g.nodes)
    anc = {c: frozenset({c, "Entity"}) for c in CLASSES}
    cases = {
        "shortest, directed": {},
        "shortest, undirected": {"directed": False},
        "5 shortest, undirected": {"directed": False, "k": 5},
        "metapath, undirected (4 classes)": {
            "directed": False,
            "metapath": ("Entity", "Entity", "Entity", "Entity"),
            "ancestors": anc,
        },
        "all <= 3 hops, undirected": {"directed": False, "all_paths": True, "max_length": 3},
    }
    far = [(s, s, t) for s, t in (rng.sample(nodes, 2) for _ in range(pairs))]
    near = [_walk(g, rng, rng.choice(nodes), 3) for _ in range(pairs)]  # 3 steps apart at most
    cases["5 shortest via a waypoint, undirected"] = {"directed": False, "k": 5, "via": "mid"}
    for name, opts in cases.items():
        times, found, cut = [], 0, 0
        chosen = near if ("metapath" in opts or "all_paths" in opts or "via" in opts) else far
        for s, mid, t in ((w[0], w[len(w) // 2], w[-1]) for w in chosen):
            t0 = time.perf_counter()
            kwargs = dict(opts) | ({"via": [mid]} if "via" in opts else {})
            try:
                r = search_paths(g, s, t, timeout=5.0, **kwargs)  # type: ignore[arg-type]
                found += 1
                cut += r.truncated is not None
            except PathNotFound:
                pass
            times.append(time.perf_counter() - t0)
        print(
            f"  {name:34s} median {statistics.median(times) * 1000:7.1f} ms, "
            f"max {max(times) * 1000:7.1f} ms; {found}/{len(chosen)} connected, {cut} truncated"
        )


def _walk(g, rng: random.Random, start: str, steps: int) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """A random walk ignoring direction, without revisits (a pair at most ``steps`` apart)."""
    walk = [start]
    for _ in range(steps):
        options = sorted((set(g.succ[walk[-1]]) | set(g.pred[walk[-1]])) - set(walk))
        if not options:
            break
        walk.append(rng.choice(options))
    return tuple(walk) if len(walk) > 2 else (walk[0], walk[0], walk[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cold", action="store_true")
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=20)
    args = ap.parse_args()
    both = not (args.cold or args.synthetic)
    if args.cold or both:
        cold(args.repeat)
    if args.synthetic or both:
        synthetic(args.nodes, args.pairs)


if __name__ == "__main__":
    main()

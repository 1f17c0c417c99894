"""Paths at scale: il2kg's search against networkx on the same graph, side by side in one run.

    python bench/bench_paths_nx.py                          # 10^5 entities, 3·10^5 relations
    python bench/bench_paths_nx.py --pairs 200 --reps 3 --reference
    python bench/bench_paths_nx.py --data-dir DIR           # a real KB's projection instead

The graph is the projection of a synthetic KB from ``bench/make_synthetic.py`` (``--relations``,
``--entities``), built straight from the generated records in the same shape as
:func:`il2kg.paths.network.to_networkx` (no YAML, validation or RDF: that would take minutes at
this size), or with ``--data-dir`` the ``path_graph`` of a real KB. Pairs: a random entity with
outgoing relations and one of the entities 3 to 6 directed hops from it (2 when there is none).
For each pair, ``--reps`` rounds (after one warm-up) of, interleaved in a rotating order:

- il2kg k=1 (directed, with the ontology's inverses) | ``nx.shortest_path`` |
  ``nx.all_shortest_paths`` (at most 1000): the like-for-like baseline of k=1, which ranks every
  shortest path
- il2kg k=5 | ``islice(nx.shortest_simple_paths(DiGraph), 5)``
- il2kg k=1 undirected | ``nx.shortest_path`` on the undirected ``Graph``
- with ``--gc-freeze``, the graphs are moved out of the garbage collector's reach first: at
  this size a full collection walks ~10^6 containers (a pause of 0.1 s or more that lands on
  whichever case is running);
- with ``--reference``: the same il2kg cases with the search as it was before the performance
  work (``tests/_reference_search.py``, on the networkx graph), and a check that both give the
  same answers.

Prints per case the median, p99 and max of the per-pair medians (ms), and the per-pair ratios
(median, p99, max) to the baselines; ``--json FILE`` keeps everything.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from common import machine, peak_rss_mb, table, write_results  # noqa: E402

_RANK = {"verified": 0, "expert_knowledge": 1, "unverified": 2}


def synthetic_network(relations: int, entities: int | None, seed: int = 1) -> Any:
    """The networkx projection of the synthetic KB ``make_synthetic.generate`` describes.

    Nodes and edges as :func:`il2kg.paths.network.to_networkx` makes them from the validated
    dataset (sorted entities, negated relations left out, ``predicate#n`` keys for repeats);
    the statement id is a hash of the relation's key, as in :mod:`il2kg.dataset.ids`.
    """
    import networkx as nx
    from make_synthetic import generate

    ents, rels = generate(relations, seed, entities)
    g = nx.MultiDiGraph()
    for e in sorted(ents, key=lambda e: e["id"]):
        g.add_node(
            e["id"],
            label=e["label"],
            type=e["type"],
            synonyms=list(e.get("synonyms", [])),
            xrefs=list(e.get("xrefs", [])),
        )
    for rel in rels:
        if rel.get("negated"):
            continue
        s, p, o = rel["subject"], rel["predicate"], rel["object"]
        quals = rel.get("qualifiers", {})
        key, n = p, 1
        while g.has_edge(s, o, key):
            n += 1
            key = f"{p}#{n}"
        parts = [s, p, o, *(f"{k}={v}" for k, v in sorted(quals.items()))]
        g.add_edge(
            s,
            o,
            key=key,
            predicate=p,
            statement=hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16],
            status=min((ev["status"] for ev in rel["evidence"]), key=_RANK.__getitem__),
            sources=[ev.get("source") or ev.get("name") or "" for ev in rel["evidence"]],
            qualifiers=dict(quals),
            quantities=[dict(q) for q in rel.get("quantities", [])],
        )
    return g


def inverses() -> dict[str, str]:
    """The declared inverse predicates of the shipped ontology (as ``KnowledgeGraph.paths``)."""
    from il2kg import KnowledgeGraph

    vocab = KnowledgeGraph().vocabulary
    return {p: info.inverse for p, info in vocab.predicates.items() if info.inverse}


def reference_module() -> Any:
    """Today's search before the performance work: the test oracle ``tests/_reference_search.py``."""
    spec = importlib.util.spec_from_file_location(
        "_reference_search", ROOT / "tests" / "_reference_search.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def pick_pairs(g: Any, n: int, seed: int) -> list[tuple[str, str, int]]:
    import networkx as nx

    rng = random.Random(seed)
    nodes = [v for v in g.nodes if g.out_degree(v) > 0]
    pairs: list[tuple[str, str, int]] = []
    while len(pairs) < n:
        s = rng.choice(nodes)
        dist = nx.single_source_shortest_path_length(g, s, cutoff=6)
        far = [v for v, d in dist.items() if d >= 3] or [v for v, d in dist.items() if d >= 2]
        if far:
            t = rng.choice(sorted(far))
            pairs.append((s, t, dist[t]))
    return pairs


def answer(result: Any) -> Any:
    """What must not change: paths, order, costs, hops, truncation."""
    return (
        [(p.nodes, p.cost, [h.to_json() for h in p.hops]) for p in result.paths],
        result.truncated,
        result.examined,
    )


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--relations", type=int, default=300_000)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reference", action="store_true", help="also time the pre-work search")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once the graphs are built (full collections then skip them)",
    )
    args = ap.parse_args()

    import networkx as nx

    from il2kg.errors import PathNotFound
    from il2kg.paths.search import search_paths

    out: dict[str, Any] = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    t0 = time.perf_counter()
    if args.data_dir is not None:
        from il2kg import KnowledgeGraph

        kg = KnowledgeGraph(args.data_dir)
        pg = kg.path_graph
        G = kg.network()
    else:
        from il2kg.paths.network import PathGraph

        G = synthetic_network(args.relations, args.entities)
        pg = PathGraph.from_networkx(G)
    out["graph_s"] = round(time.perf_counter() - t0, 2)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    inv = inverses()
    D, U = nx.DiGraph(G), nx.Graph(G)
    pairs = pick_pairs(G, args.pairs, args.seed)
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
    print(
        f"graph: {out['nodes']:,} entities, {out['edges']:,} walkable relations "
        f"(made in {out['graph_s']} s); {len(pairs)} pairs, {args.reps} rounds each",
        file=sys.stderr,
        flush=True,
    )

    def ours(k: int = 1, directed: bool = True) -> Callable[[str, str], Any]:
        return lambda a, b: search_paths(pg, a, b, k=k, directed=directed, inverses=inv)

    cases: dict[str, Callable[[str, str], Any]] = {
        "il2kg k=1": ours(),
        "nx.shortest_path": lambda a, b: nx.shortest_path(G, a, b),
        "nx.all_shortest_paths(<=1000)": lambda a, b: list(
            islice(nx.all_shortest_paths(G, a, b), 1000)
        ),
        "il2kg k=5": ours(k=5),
        "nx.shortest_simple_paths k=5": lambda a, b: list(
            islice(nx.shortest_simple_paths(D, a, b), 5)
        ),
        "il2kg k=1 undirected": ours(directed=False),
        "nx.shortest_path undirected": lambda a, b: nx.shortest_path(U, a, b),
    }
    if args.reference:
        ref = reference_module()

        def before(k: int = 1, directed: bool = True) -> Callable[[str, str], Any]:
            return lambda a, b: ref.search_paths(G, a, b, k=k, directed=directed, inverses=inv)

        cases |= {
            "before k=1": before(),
            "before k=5": before(k=5),
            "before k=1 undirected": before(directed=False),
        }
    same = {"il2kg k=1": "before k=1", "il2kg k=5": "before k=5"}
    same["il2kg k=1 undirected"] = "before k=1 undirected"
    per_pair: list[dict[str, Any]] = []
    mismatches: list[str] = []
    for n, (a, b, d) in enumerate(pairs):
        times: dict[str, list[float]] = {c: [] for c in cases}
        answers: dict[str, Any] = {}
        order = list(cases)
        for rnd in range(args.reps + 1):
            shift = (rnd + n) % len(order)
            for c in order[shift:] + order[:shift]:
                t = time.perf_counter()
                try:
                    got = cases[c](a, b)
                except (PathNotFound, nx.NetworkXNoPath) as exc:
                    got = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - t) * 1000
                if rnd:
                    times[c].append(elapsed)
                answers[c] = answer(got) if hasattr(got, "paths") else got
        if args.reference:
            mismatches += [f"{a} {b} {c}" for c, r in same.items() if answers[c] != answers[r]]
        med = {c: statistics.median(v) for c, v in times.items()}
        per_pair.append({"pair": [a, b], "hops": d, "ms": med})
        print(n, a, b, d, {c: round(v, 2) for c, v in med.items()}, file=sys.stderr, flush=True)

    rows = []
    for c in cases:
        vals = [p["ms"][c] for p in per_pair]
        rows.append((c, statistics.median(vals), pct(vals, 0.99), max(vals)))
    ratios = [
        ("il2kg k=1", "nx.all_shortest_paths(<=1000)"),
        ("il2kg k=1", "nx.shortest_path"),
        ("il2kg k=5", "nx.shortest_simple_paths k=5"),
        ("il2kg k=1 undirected", "nx.shortest_path undirected"),
    ]
    if args.reference:
        ratios += [
            ("before k=1", "nx.all_shortest_paths(<=1000)"),
            ("before k=5", "nx.shortest_simple_paths k=5"),
            ("before k=1 undirected", "nx.shortest_path undirected"),
            ("il2kg k=1", "before k=1"),
            ("il2kg k=5", "before k=5"),
            ("il2kg k=1 undirected", "before k=1 undirected"),
        ]
    rrows = []
    for x, y in ratios:
        rs = [p["ms"][x] / p["ms"][y] for p in per_pair if p["ms"][y] > 0]
        rrows.append((f"{x} / {y}", statistics.median(rs), pct(rs, 0.99), max(rs)))
    print(f"\n{out['nodes']:,} entities, {out['edges']:,} relations, {len(pairs)} pairs")
    print(f"{'case (ms, per-pair medians)':44s} {'median':>9s} {'p99':>9s} {'max':>9s}")
    for c, m, p99, mx in rows:
        print(f"{c:44s} {m:9.2f} {p99:9.2f} {mx:9.2f}")
    print(f"\n{'ratio (per pair)':64s} {'median':>8s} {'p99':>8s} {'max':>8s}")
    for c, m, p99, mx in rrows:
        print(f"{c:64s} {m:8.2f} {p99:8.2f} {mx:8.2f}")
    if args.reference:
        print(f"\nsame answers as before: {'yes' if not mismatches else 'NO: ' + str(mismatches)}")
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(f"peak RSS {out['peak_rss_mb']} MiB")
    out |= {"pairs": per_pair, "cases": rows, "ratios": rrows, "mismatches": mismatches}
    cases = table(
        f"Paths on {out['nodes']:,} entities and {out['edges']:,} relations, {len(pairs)} pairs "
        "(ms over the per-pair medians)",
        ["case", "median", "p99", "max"],
        [[c, f"{m:.2f}", f"{p99:.2f}", f"{mx:.1f}"] for c, m, p99, mx in rows],
    )
    per_pair_ratios = table(
        "Ratios per pair (il2kg against networkx, same pair, same run)",
        ["ratio", "median", "p99", "max"],
        [[c, f"{m:.2f}×", f"{p99:.2f}×", f"{mx:.2f}×"] for c, m, p99, mx in rrows],
    )
    notes = [f"peak RSS {out['peak_rss_mb']} MiB"]
    if args.reference:
        notes.append("same answers as before: " + ("yes" if not mismatches else "NO"))
    write_results(args.json, "paths", [cases, per_pair_ratios], notes=notes, raw=out)


if __name__ == "__main__":
    main()

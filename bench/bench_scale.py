"""Benchmarks at scale, each side by side with a baseline measured in the same run.

- ``queries``: query latency on the synthetic KBs, per query class and for every named query,
  on ``--store memory`` (rdflib), ``--store oxigraph`` (rdflib API over oxrdflib) and pyoxigraph
  queried directly (the baseline). A query still running after ``--cap`` seconds is stopped and
  reported as a timeout.
- ``paths``: ``KnowledgeGraph.paths`` (5 ranked paths, length <= 4) against networkx called
  directly (``shortest_simple_paths`` on the same projection, first 5).
- ``html``: the explorer page (whole graph up to 10^4 relations, else a depth-1 neighbourhood of
  a hub) against pyvis filling a ``Network`` with the same nodes and edges and rendering it.
- ``cold``: ``il2kg path`` and ``il2kg query`` as fresh processes (build cache warm) against
  ``python -c "import rdflib, networkx"``.

Usage::

    python bench/bench_scale.py queries --sizes 1e3 1e4 1e5
    python bench/bench_scale.py paths html cold
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROOT,
    WORK_DIR,
    emit,
    kb_dir,
    markdown_table,
    nt_file,
    run_child,
    table,
    timed,
    wall,
    write_results,
)

#: query classes that stress different parts of an engine (prefixes of the pinned map apply)
CLASSES: dict[str, str] = {
    "two type patterns + join": (
        "SELECT ?c ?r WHERE { ?c a il2kg:Cytokine . ?r a il2kg:ReceptorComplex . ?c il2kg:binds ?r }"
    ),
    "statement -> evidence -> source": (
        "SELECT ?s ?o ?src WHERE { ?st rdf:subject ?s ; rdf:predicate il2kg:expands ; "
        "rdf:object ?o ; il2kg:hasEvidence ?e . ?e il2kg:curationStatus il2kg:Verified ; "
        "dcterms:source ?src }"
    ),
    "label FILTER(CONTAINS)": (
        'SELECT ?e ?l WHERE { ?e rdfs:label ?l FILTER(CONTAINS(LCASE(?l), "kinase 1")) }'
    ),
    "COUNT by predicate": (
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?st rdf:predicate ?p } GROUP BY ?p ORDER BY DESC(?n)"
    ),
    "subClassOf+ in the ontology graph": (
        "SELECT ?e ?c WHERE { GRAPH <https://w3id.org/il2kg/ontology> "
        "{ ?c rdfs:subClassOf+ il2kg:GeneOrProtein } ?e a ?c }"
    ),
    "two-hop neighbourhood": (
        "SELECT DISTINCT ?x WHERE { ?a il2kg:expands ?cell . ?x il2kg:expressed_in ?cell } LIMIT 1000"
    ),
}


class _Cap(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Cap


def _queries() -> dict[str, str]:
    """The query classes, then every named query with its default parameters bound."""
    from il2kg.query.catalogue import named_queries
    from il2kg.query.gate import check_query
    from il2kg.query.params import bind_params
    from il2kg.query.remote import inject_values
    from il2kg.query.results import Term

    out = dict(CLASSES)
    for name, nq in sorted(named_queries().items()):
        bound = bind_params(check_query(nq.text), {}, nq.params)
        terms = {k: v for k, v in bound.items() if isinstance(v, Term)}
        if len(terms) == len(bound):
            out[f"named: {name}"] = inject_values(nq.text, terms)
    return out


def _child_queries(size: str, store: str, cap: float) -> None:
    from il2kg.query.gate import PREDECLARED
    from il2kg.query.layout import oxigraph_store
    from il2kg.query.stores import open_dataset

    nt = nt_file(size).read_bytes()
    t = time.perf_counter()
    if store == "pyoxigraph":
        st = oxigraph_store(nt)

        def run(q: str) -> int:
            res = st.query(q, prefixes=PREDECLARED)
            return sum(1 for _ in res) if hasattr(res, "__iter__") else 1
    else:
        ds = open_dataset(nt, store)

        def run(q: str) -> int:
            res = ds.query(q, initNs=PREDECLARED)
            return 1 if res.type == "ASK" else sum(1 for _ in res)

    load = time.perf_counter() - t
    signal.signal(signal.SIGALRM, _on_alarm)
    latencies: dict[str, float | None] = {}
    for name, q in _queries().items():
        try:
            signal.setitimer(signal.ITIMER_REAL, cap)
            ms, _ = timed(lambda q=q: run(q), repeat=3, warmup=1)
            latencies[name] = round(ms, 2)
        except _Cap:
            latencies[name] = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    emit({"store": store, "size": size, "load_s": round(load, 2), "ms": latencies})


def _child_paths(size: str) -> None:
    import random
    from itertools import islice

    import networkx as nx

    from il2kg import KnowledgeGraph
    from il2kg.errors import PathNotFound

    kg = KnowledgeGraph(kb_dir(size))
    g = kg.network()
    simple = nx.DiGraph(g)
    rng = random.Random(3)
    nodes = sorted(g.nodes)
    pairs = []
    while len(pairs) < 10:
        a, b = rng.choice(nodes), rng.choice(nodes)
        if a != b and nx.has_path(simple, a, b):
            pairs.append((a, b))
    kg.paths(*pairs[0], k=5, max_length=4)  # builds the path graph once

    def ours() -> int:
        n = 0
        for a, b in pairs:
            with contextlib.suppress(PathNotFound):
                n += len(kg.paths(a, b, k=5, max_length=4).paths)
        return n

    def direct() -> int:
        n = 0
        for a, b in pairs:
            for p in islice(nx.shortest_simple_paths(simple, a, b), 5):
                n += len(p) <= 5
        return n

    ours_ms, _ = timed(ours, repeat=3)
    nx_ms, _ = timed(direct, repeat=3)
    emit({"size": size, "pairs": len(pairs), "il2kg_ms": ours_ms / 10, "networkx_ms": nx_ms / 10})


def _child_html(size: str) -> None:
    from il2kg import KnowledgeGraph
    from il2kg.explorer.page import explorer
    from il2kg.explorer.views import focus_view, whole_view

    kg = KnowledgeGraph(kb_dir(size))
    ds = kg.dataset
    g = kg.network()
    hub = max(g.degree, key=lambda nd: nd[1])[0]
    whole = len(ds.relations) <= 10_000
    view = whole_view(ds) if whole else focus_view(ds, hub, 1)
    t = time.perf_counter()
    page = explorer(kg) if whole else explorer(kg, focus=hub, depth=1)
    ours = time.perf_counter() - t

    from pyvis.network import Network

    t = time.perf_counter()
    net = Network(directed=True, cdn_resources="in_line")
    for n in sorted(view.nodes):
        e = ds.entities[n]
        net.add_node(n, label=e.label, title=e.type)
    for i in view.relations:
        r = ds.relations[i]
        net.add_edge(r.subject, r.object, title=r.predicate)
    html = net.generate_html()
    base = time.perf_counter() - t
    emit(
        {
            "size": size,
            "view": "whole graph" if whole else f"depth-1 around a hub ({hub})",
            "nodes": page.nodes,
            "edges": page.edges,
            "il2kg_s": round(ours, 2),
            "pyvis_s": round(base, 2),
            "bytes": len(page.html),
            "pyvis_bytes": len(html),
        }
    )


def cold(rounds: int) -> dict[str, float]:
    """Median wall times (ms) of the fresh-process commands and their baseline."""
    py = sys.executable
    cmds = {
        "il2kg path IL-2 STAT5A": [py, "-m", "il2kg", "path", "IL-2", "STAT5A"],
        "il2kg query kinases-of-receptor": [
            py,
            "-m",
            "il2kg",
            "query",
            "kinases-of-receptor",
            "-q",
        ],
        "python -c 'import rdflib, networkx'": [py, "-c", "import rdflib, networkx"],
    }
    for c in cmds.values():
        wall(c, repeat=1)  # warm the build cache and the OS file cache
    return {name: round(wall(c, repeat=rounds), 1) for name, c in cmds.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("parts", nargs="*", default=["queries", "paths", "html", "cold"])
    ap.add_argument("--sizes", nargs="+", default=["1e3", "1e4", "1e5"])
    ap.add_argument("--cap", type=float, default=30.0, help="seconds per query at most")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=None, help="also write the tables here")
    args = ap.parse_args()
    if args.child:
        kind, size, *rest = args.child
        if kind == "queries":
            _child_queries(size, rest[0], args.cap)
        elif kind == "paths":
            _child_paths(size)
        else:
            _child_html(size)
        return
    me = str(Path(__file__).resolve())
    out: dict[str, Any] = {"cap": args.cap}
    for part in args.parts:
        if part == "cold":
            out["cold"] = cold(args.rounds)
            print(json.dumps(out["cold"]), file=sys.stderr, flush=True)
            continue
        rows = []
        for size in args.sizes:
            if part == "queries":
                for store in ("pyoxigraph", "oxigraph", "memory"):
                    child = [me, "--cap", str(args.cap), "--child", "queries", size, store]
                    rows.append(run_child(child, timeout=7200))
                    print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            else:
                rows.append(run_child([me, "--child", part, size]))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        out[part] = rows
    name = "-".join(args.parts) + "-" + "-".join(args.sizes)
    (WORK_DIR / f"results-{name}.json").write_text(json.dumps(out, indent=2))
    print(report(out))
    write_results(args.json, "scale", tables_of(out), raw=out)


def report(out: dict[str, Any]) -> str:
    """Markdown tables of the results."""
    return "\n\n".join(markdown_table(t["header"], t["rows"]) for t in tables_of(out))


def tables_of(out: dict[str, Any]) -> list[dict[str, Any]]:
    """The results as tables (``bench/common.py``'s format)."""
    parts = []
    if "queries" in out:
        by = {(r["size"], r["store"]): r for r in out["queries"]}
        sizes = sorted({r["size"] for r in out["queries"]}, key=float)
        names = list(out["queries"][0]["ms"])

        def cell(size: str, store: str, q: str) -> str:
            v = by.get((size, store), {}).get("ms", {}).get(q)
            return "timeout" if v is None else f"{v:,.1f}"

        header = ["query"] + [
            f"{s}: {st}" for s in sizes for st in ("pyoxigraph", "oxigraph", "memory")
        ]
        rows = [
            [q] + [cell(s, st, q) for s in sizes for st in ("pyoxigraph", "oxigraph", "memory")]
            for q in names
        ]
        loads = ["load (s)"] + [
            f"{by[(s, st)]['load_s']:.1f}" if (s, st) in by else ""
            for s in sizes
            for st in ("pyoxigraph", "oxigraph", "memory")
        ]
        parts.append(
            table(
                "Median ms of 3 runs after a warm-up per query, by store "
                f"(timeout: over {out.get('cap', '?')} s for warm-up + runs)",
                header,
                [loads, *rows],
            )
        )
    if "paths" in out:
        parts.append(
            table(
                "Paths (5 ranked, length <= 4) against networkx",
                ["relations", "il2kg paths (ms per pair)", "networkx direct (ms per pair)"],
                [
                    [r["size"], f"{r['il2kg_ms']:.1f}", f"{r['networkx_ms']:.1f}"]
                    for r in out["paths"]
                ],
            )
        )
    if "html" in out:
        parts.append(
            table(
                "The explorer page against pyvis rendering the same nodes and edges",
                ["relations", "view", "nodes / edges", "il2kg html (s)", "pyvis direct (s)"],
                [
                    [
                        r["size"],
                        r["view"],
                        f"{r['nodes']:,} / {r['edges']:,}",
                        r["il2kg_s"],
                        r["pyvis_s"],
                    ]
                    for r in out["html"]
                ],
            )
        )
    if "cold" in out:
        parts.append(
            table(
                "Fresh processes",
                ["command (fresh process)", "median ms"],
                [list(kv) for kv in out["cold"].items()],
            )
        )
    return parts


if __name__ == "__main__":
    _ = ROOT
    main()

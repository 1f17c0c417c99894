"""Benchmark: validate + build time and peak memory, against a baseline in the same run.

il2kg: ``KnowledgeGraph(kb, use_cache=False).validate(shacl=True)`` and its sorted N-Triples,
i.e. what ``il2kg --no-cache validate`` + ``il2kg build -f nt`` do, with a breakdown by phase.
Baseline: the least any tool must do with the same input: load the same YAML files with
``yaml.CSafeLoader`` and parse the same triples (as N-Triples) into an rdflib graph. A second
reference loads the N-Triples into pyoxigraph.

Usage::

    python bench/bench_build.py [--sizes 1e3 1e4 1e5] [--no-shacl]

Each measurement runs in its own process (peak memory is per process).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WORK_DIR, emit, kb_dir, markdown_table, nt_file, run_child

#: (module, function) pairs timed as phases of the build
_PHASES = [
    ("il2kg.dataset.read", "read_dataset", "read YAML + model"),
    ("il2kg.dataset.rules", "check_dataset", "semantic checks"),
    ("il2kg.rdf.formats", "ntriples_dumps", "RDF triples + sorted N-Triples"),
    ("il2kg.rdf.shacl", "shacl_problems", "SHACL"),
]


def _child_il2kg(kb: Path, shacl: bool) -> None:
    import importlib

    phases: dict[str, float] = {}

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - t

        return inner

    for module, name, label in _PHASES:
        try:
            mod = importlib.import_module(module)
            setattr(mod, name, wrap(label, getattr(mod, name)))
        except (ImportError, AttributeError):
            pass  # the library changed; the total is still measured

    from il2kg import KnowledgeGraph

    t = time.perf_counter()
    kg = KnowledgeGraph(kb, use_cache=False)
    stats = kg.validate(shacl=shacl)
    n = kg.ntriples.count(b"\n")
    total = time.perf_counter() - t
    emit(
        {
            "seconds": round(total, 2),
            "triples": n,
            "relations": stats.relations,
            "entities": stats.entities,
            "phases": {k: round(v, 2) for k, v in phases.items()},
        }
    )


def _child_baseline(kb: Path, nt: Path) -> None:
    import yaml
    from rdflib import Graph

    t = time.perf_counter()
    for f in sorted(kb.glob("*.yaml")):
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    t_yaml = time.perf_counter() - t
    g = Graph()
    g.parse(nt, format="nt")
    total = time.perf_counter() - t
    emit({"seconds": round(total, 2), "yaml": round(t_yaml, 2), "triples": len(g)})


def _child_pyoxigraph(nt: Path) -> None:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    emit({"seconds": round(time.perf_counter() - t, 2), "triples": len(store)})


def run(sizes: list[str], shacl: bool) -> list[dict[str, Any]]:
    """Run the build benchmark for each size; return one result dict per size."""
    me = str(Path(__file__).resolve())
    results = []
    for size in sizes:
        kb = kb_dir(size)
        nt = nt_file(size)
        ours = run_child([me, "--child", "il2kg", str(kb)] + ([] if shacl else ["--no-shacl"]))
        base = run_child([me, "--child", "baseline", str(kb), str(nt)])
        oxi = run_child([me, "--child", "pyoxigraph", str(kb), str(nt)])
        results.append({"size": size, "il2kg": ours, "baseline": base, "pyoxigraph": oxi})
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return results


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of :func:`run`'s results."""
    rows = []
    for r in results:
        ours, base, oxi = r["il2kg"], r["baseline"], r["pyoxigraph"]
        rows.append(
            [
                f"{ours['relations']:,}",
                f"{ours['triples']:,}",
                f"{ours['seconds']:.1f} s / {ours['peak_rss_mb']:,.0f} MiB",
                f"{base['seconds']:.1f} s / {base['peak_rss_mb']:,.0f} MiB",
                f"{oxi['seconds']:.1f} s / {oxi['peak_rss_mb']:,.0f} MiB",
                ", ".join(f"{k} {v:.1f}" for k, v in ours["phases"].items()),
            ]
        )
    return markdown_table(
        [
            "relations",
            "triples",
            "il2kg validate+build",
            "baseline: CSafeLoader + rdflib parse",
            "pyoxigraph load",
            "il2kg phases (s)",
        ],
        rows,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["1e3", "1e4", "1e5"])
    ap.add_argument("--no-shacl", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, kb, *rest = args.child
        if kind == "il2kg":
            _child_il2kg(Path(kb), shacl=not args.no_shacl)
        elif kind == "baseline":
            _child_baseline(Path(kb), Path(rest[0]))
        else:
            _child_pyoxigraph(Path(rest[0]))
        return
    results = run(args.sizes, shacl=not args.no_shacl)
    out = WORK_DIR / "results-build.json"
    out.write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()

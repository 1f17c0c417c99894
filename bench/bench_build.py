"""Benchmark: validate + build CPU time and peak memory, against the floor in the same run.

il2kg: the commands themselves, each in a fresh process, on a synthetic KB:

- ``il2kg --no-cache --data-dir KB build -f nt -o OUT`` (validation with SHACL included), with a
  breakdown of its CPU by phase;
- ``il2kg --data-dir KB build -f nt -o OUT`` on an empty build cache (it also writes the entry);
- ``il2kg --no-cache --data-dir KB validate`` (its cost must grow with the size).

Floor: the least any tool must do with the same input: load the same YAML files with
``yaml.CSafeLoader`` (no line numbers, no checks) and write the same triples as N-Triples with
pyoxigraph (``ox.serialize(ox.parse(path=NT))``, streamed). CPU seconds (user + system, all
threads) and peak resident memory (``VmHWM``), each measurement in its own process.

Usage::

    python bench/bench_build.py [--sizes 1e3 3e3 1e4 1e5] [--json PATH]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WORK_DIR, emit, kb_dir, markdown_table, nt_file, run_child, table, write_results

#: (module, function, label) timed as phases of ``build --no-cache`` (CPU seconds)
_PHASES = [
    ("il2kg.dataset.read", "read_dataset", "read"),
    ("il2kg.dataset.rules", "check_dataset", "checks"),
    ("il2kg.rdf.formats", "ntriples_dump", "N-Triples"),
    ("il2kg.rdf.shacl", "shacl_problems", "SHACL"),
]
#: the il2kg commands measured: name -> (arguments after --data-dir KB, with the build cache)
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "build --no-cache": (["build", "-f", "nt", "-o", "{out}"], False),
    "build (empty cache)": (["build", "-f", "nt", "-o", "{out}"], True),
    "validate --no-cache": (["validate"], False),
}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _count_lines(path: Path) -> int:
    """Lines of a file, read in chunks (not to add the file's size to the peak measured)."""
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _child_il2kg(kb: Path, command: str) -> None:
    import importlib

    phases: dict[str, float] = {}

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(*a: Any, **k: Any) -> Any:
            t = _cpu()
            try:
                return fn(*a, **k)
            finally:
                phases[label] = phases.get(label, 0.0) + _cpu() - t

        return inner

    for module, name, label in _PHASES:
        try:
            mod = importlib.import_module(module)
            setattr(mod, name, wrap(label, getattr(mod, name)))
        except (ImportError, AttributeError):
            pass  # the library changed; the total is still measured

    from il2kg.cli import main as il2kg_main

    args, cached = COMMANDS[command]
    work = Path(tempfile.mkdtemp(prefix="il2kg-bench-build-"))
    os.environ["IL2KG_CACHE_DIR"] = str(work / "cache")
    argv = [] if cached else ["--no-cache"]
    argv += ["--data-dir", str(kb), *(a.replace("{out}", str(work / "kb.nt")) for a in args)]
    t, wall = _cpu(), time.perf_counter()
    try:
        try:
            il2kg_main(argv)  # the console script's entry point, as a user runs it
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
        cpu, wall = _cpu() - t, time.perf_counter() - wall
        out = work / "kb.nt"
        triples = _count_lines(out) if out.exists() else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    emit(
        {
            "cpu": round(cpu, 2),
            "wall": round(wall, 2),
            "triples": triples,
            "phases": {k: round(v, 2) for k, v in phases.items()},
        }
    )


def _child_floor(kb: Path, nt: Path) -> None:
    import pyoxigraph as ox
    import yaml

    t, wall = _cpu(), time.perf_counter()
    for f in sorted(kb.glob("*.yaml")):
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    t_yaml = _cpu() - t
    with tempfile.TemporaryDirectory(prefix="il2kg-bench-floor-") as tmp:
        out = Path(tmp) / "kb.nt"
        ox.serialize(
            ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES),
            output=str(out),
            format=ox.RdfFormat.N_TRIPLES,
        )
        cpu, wall = _cpu() - t, time.perf_counter() - wall
        triples = _count_lines(out)
    emit(
        {
            "cpu": round(cpu, 2),
            "wall": round(wall, 2),
            "yaml": round(t_yaml, 2),
            "triples": triples,
        }
    )


def run(sizes: list[str], commands: list[str]) -> list[dict[str, Any]]:
    """Run the floor and each il2kg command for each size; one result dict per size."""
    me = str(Path(__file__).resolve())
    results = []
    for size in sizes:
        kb = kb_dir(size)
        nt = nt_file(size)
        r: dict[str, Any] = {"size": size, "relations": 0}
        r["floor"] = run_child([me, "--child", "floor", str(kb), str(nt)])
        for name in commands:
            r[name] = run_child([me, "--child", "il2kg", str(kb), name])
        r["triples"] = r["floor"]["triples"]
        r["relations"] = sum(f.read_text().count("\n  - ") for f in kb.glob("relations-*.yaml"))
        results.append(r)
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return results


def _cell(m: dict[str, Any], floor: dict[str, Any] | None = None) -> str:
    text = f"{m['cpu']:.1f} s / {m['peak_rss_mb']:,.0f} MiB"
    if floor is not None and floor["cpu"] > 0:
        text += f" ({m['cpu'] / floor['cpu']:.1f}× CPU)"
    return text


def result_table(results: list[dict[str, Any]], commands: list[str]) -> dict[str, Any]:
    """The table of :func:`run`'s results (CPU seconds / peak RSS, ratio to the floor)."""
    rows = []
    for r in results:
        phases = r.get("build --no-cache", {}).get("phases", {})
        rows.append(
            [
                f"{r['relations']:,}",
                f"{r['triples']:,}",
                _cell(r["floor"]),
                *(_cell(r[c], r["floor"]) for c in commands),
                ", ".join(f"{k} {v:.1f}" for k, v in phases.items()),
            ]
        )
    return table(
        "Validate + build: CPU seconds / peak resident memory, against the floor",
        [
            "relations",
            "triples",
            "floor: CSafeLoader + pyoxigraph N-Triples",
            *(f"il2kg {c}" for c in commands),
            "build --no-cache phases (CPU s)",
        ],
        rows,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["1e3", "3e3", "1e4", "1e5"])
    ap.add_argument(
        "--commands", nargs="+", default=list(COMMANDS), choices=list(COMMANDS), metavar="CMD"
    )
    ap.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the results")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, kb, *rest = args.child
        if kind == "il2kg":
            _child_il2kg(Path(kb), rest[0])
        else:
            _child_floor(Path(kb), Path(rest[0]))
        return
    results = run(args.sizes, args.commands)
    (WORK_DIR / "results-build.json").write_text(json.dumps(results, indent=2))
    t = result_table(results, args.commands)
    write_results(
        args.json,
        "build",
        [t],
        notes=[
            "CPU = user + system seconds of the whole process (all threads); memory = VmHWM.",
            "Each cell is its own fresh process; the floor parses the YAML with yaml.CSafeLoader "
            "and writes the same triples with pyoxigraph.",
        ],
    )
    print(markdown_table(t["header"], t["rows"]))


if __name__ == "__main__":
    main()

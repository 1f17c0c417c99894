"""Run the benchmarks and rewrite the tables of ``docs/performance.md`` from their results.

    python bench/report.py                      # every benchmark (about an hour on 2 cores)
    python bench/report.py --only endpoint cold # some of them
    python bench/report.py --render             # only rewrite the tables from the last results
    python bench/report.py --list               # what runs, with which options

Each benchmark runs as its own process with ``--json``, writing
``$IL2KG_BENCH_DIR/results/NAME.json`` (``bench/common.py``'s ``write_results``: tables, notes,
the machine, the load average). The section of ``docs/performance.md`` between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` is then replaced by those tables, with the
command, date and load average they were measured with; the text around the markers (what the
figures mean, what changed) is the authors' and stays. ``<!-- bench:machine -->`` gets the
machine of the newest result.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, ROOT, WORK_DIR, markdown_table

DOC = ROOT / "docs" / "performance.md"
RESULTS = WORK_DIR / "results"
#: name -> the benchmark and its options, in the order they run (and the sections' names).
BENCHES: dict[str, list[str]] = {
    "build": ["bench_build.py", "--sizes", "1e3", "3e3", "1e4", "1e5"],
    "warm": ["bench_warm.py", "--rounds", "5"],
    "scale": ["bench_scale.py", "queries", "--sizes", "1e4", "1e5", "--cap", "10"],
    "scale-html": ["bench_scale.py", "html", "--sizes", "1e3", "1e4", "1e5"],
    "paths": ["bench_paths_nx.py", "--pairs", "100", "--reps", "1", "--reference"],
    "cold": ["bench_cold.py"],
    "explorer": ["bench_explorer.py", "--nodes", "2000", "5000", "--reps", "3", "--pyvis-max", "0"],
    "endpoint": ["bench_endpoint.py", "--duration", "10"],
    "endpoint-1e6": [
        "bench_endpoint.py",
        "--relations",
        "60000",
        "--duration",
        "10",
        "--queries",
        "ask",
        "lookup",
    ],
}
_SECTION = re.compile(r"(<!-- bench:([\w-]+) -->\n)(.*?)(<!-- /bench:\2 -->)", re.S)


class ReportError(Exception):
    pass


def run(name: str) -> Path:
    """Run benchmark ``name``; return its results file."""
    out = RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    script, *options = BENCHES[name]
    cmd = [sys.executable, str(BENCH_DIR / script), *options, "--json", str(out)]
    print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    tmp = out.with_suffix(".running")
    if out.exists():
        out.replace(tmp)  # a failed run must not leave the last results looking new
    proc = subprocess.run(cmd, cwd=ROOT, check=False)
    if proc.returncode != 0 or not out.exists():
        if tmp.exists():
            tmp.replace(out)
        raise ReportError(f"{name} failed (exit {proc.returncode}); its section is left as it was")
    tmp.unlink(missing_ok=True)
    return out


def render_result(doc: dict[str, Any]) -> str:
    """The Markdown of one result: where it comes from, its tables, its notes."""
    command = doc["command"].replace(str(ROOT) + "/", "")
    command = re.sub(r" --json \S+", "", command)
    load = ", ".join(f"{x:g}" for x in doc.get("load_average", []))
    parts = [f"*`{command}`, {doc['date']}, load average {load}*"]
    for t in doc["tables"]:
        parts.append(f"**{t['title']}**\n\n" + markdown_table(t["header"], t["rows"]))
    if doc.get("notes"):
        parts.append("\n".join(f"- {n}" for n in doc["notes"]))
    return "\n\n".join(parts) + "\n"


def render_machine(m: dict[str, str]) -> str:
    return (
        f"**Machine:** {m['cpus']} CPUs ({m['cpu']}), {m['memory']} RAM, Python {m['python']}, "
        f"{m['os']}, rdflib {m['rdflib']}, pyoxigraph {m['pyoxigraph']}.\n"
    )


def rewrite(text: str, results: dict[str, dict[str, Any]]) -> tuple[str, list[str]]:
    """``text`` with every section that has a result replaced; and the sections left alone."""
    names = {m.group(2) for m in _SECTION.finditer(text)}
    unknown = names - set(BENCHES) - {"machine"}
    if unknown:
        raise ReportError(f"{DOC.name}: sections with no benchmark: {', '.join(sorted(unknown))}")
    newest = max(results.values(), key=lambda d: str(d["date"]), default=None)
    left: list[str] = []

    def section(m: re.Match[str]) -> str:
        name = m.group(2)
        if name == "machine":
            body = render_machine(newest["machine"]) if newest else m.group(3)
        elif name in results:
            body = render_result(results[name])
        else:
            left.append(name)
            body = m.group(3)
        return m.group(1) + body + m.group(4)

    return _SECTION.sub(section, text), left


def load_results(names: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for name in names:
        path = RESULTS / f"{name}.json"
        if path.exists():
            found[name] = json.loads(path.read_text())
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(BENCHES), default=None)
    ap.add_argument("--render", action="store_true", help="do not run: render the last results")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for name, (script, *options) in BENCHES.items():
            print(f"{name:14} python bench/{script} {' '.join(options)}")
        return 0
    failed = []
    if not args.render:
        for name in args.only or list(BENCHES):
            try:
                run(name)
            except ReportError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed.append(name)
    try:
        text, left = rewrite(DOC.read_text(), load_results(list(BENCHES)))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    DOC.write_text(text)
    print(
        f"rewrote {DOC.relative_to(ROOT)}"
        + (f"; no results yet for: {', '.join(left)}" if left else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

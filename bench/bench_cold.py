"""Cold start of the read commands against ``python -c "import click"``, side by side in one run.

    python bench/bench_cold.py                 # this checkout
    python bench/bench_cold.py --against REV   # also a git revision (checked out to a temp folder)
    python bench/bench_cold.py --json out.json # also write the table (bench/common.py's format)

Each command runs in a fresh process on the shipped data with a warm build cache (and compiled
bytecode, as an installed package has it, even under PYTHONDONTWRITEBYTECODE); runs alternate
between the commands and the baseline so that machine noise hits all alike. Prints the median of
each and its ratio to the baseline (the target of docs/performance.md: every read command at most
2.5x the baseline).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import table, write_results

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "--help": ["--help"],
    "path": ["path", "IL-2", "STAT5A"],
    "show": ["show", "CD25"],
    "search": ["search", "CD25"],
    "query": ["query", "kinases-of-receptor", "-q"],
}
BASELINE = [sys.executable, "-c", "import click"]


def _time(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False, capture_output=True, cwd=cwd, env=env)
    return time.perf_counter() - t0


def _env(tree: Path | None, cache: Path) -> dict[str, str]:
    env = dict(os.environ, IL2KG_CACHE_DIR=str(cache))
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env["IL2KG_DATA_DIR"] = str(tree / "data")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--against", metavar="REV", default=None, help="also time this git revision")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="il2kg-cold-"))
    trees: dict[str, Path | None] = {"this tree": None}
    try:
        if args.against:
            other = work / "tree"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(other), args.against],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            trees[args.against] = other
        runs: dict[tuple[str, str], list[float]] = {}
        base: list[float] = []
        envs = {
            name: _env(tree, work / f"cache-{i}") for i, (name, tree) in enumerate(trees.items())
        }
        for name, env in envs.items():  # bytecode, and each build cache warmed once
            tree = trees[name] or ROOT
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(tree / "il2kg")],
                capture_output=True,
                check=False,
            )
            where = subprocess.run(  # -m puts the working folder first: run in the tree
                [sys.executable, "-c", "import il2kg; print(il2kg.__file__)"],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            assert Path(where).is_relative_to(tree), (name, where)
            for argv in (["validate"], *COMMANDS.values()):
                subprocess.run(
                    [sys.executable, "-m", "il2kg", *argv],
                    cwd=tree,
                    env=env,
                    capture_output=True,
                    check=False,
                )
        for _ in range(args.repeat):
            base.append(_time(BASELINE, dict(os.environ)))
            for cmd, argv in COMMANDS.items():
                for name, env in envs.items():
                    runs.setdefault((cmd, name), []).append(
                        _time([sys.executable, "-m", "il2kg", *argv], env, trees[name] or ROOT)
                    )
        b = statistics.median(base)
        print(
            f"cold start, median of {args.repeat} (baseline: python -c 'import click' {b * 1000:.0f} ms)"
        )
        print(f"  {'command':<10}" + "".join(f"{name:>22}" for name in trees))
        rows = []
        for cmd in COMMANDS:
            cells = []
            row: list[object] = [f"il2kg {' '.join(COMMANDS[cmd])}"]
            for name in trees:
                m = statistics.median(runs[(cmd, name)])
                cells.append(f"{m * 1000:8.0f} ms {m / b:5.2f}x")
                row += [round(m * 1000), f"{m / b:.2f}x"]
            rows.append(row)
            print(f"  {cmd:<10}" + "".join(f"{c:>22}" for c in cells))
        header = ["command", "median ms", "ratio to baseline"]
        if args.against:
            header += [f"median ms ({args.against})", f"ratio ({args.against})"]
        write_results(
            args.json,
            "cold",
            [
                table(
                    f"Cold start on the shipped data, warm build cache, median of {args.repeat} "
                    f"(baseline: python -c 'import click', {b * 1000:.0f} ms)",
                    header,
                    [
                        ["python -c 'import click'", round(b * 1000), "1.00x"]
                        + (["", ""] if args.against else []),
                        *rows,
                    ],
                )
            ],
            notes=["target: every read command at most 2.5x the baseline"],
        )
    finally:
        if args.against:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(work / "tree")],
                check=False,
                capture_output=True,
                cwd=ROOT,
            )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

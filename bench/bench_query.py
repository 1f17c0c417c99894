"""Benchmark: a named query from a fresh process vs. merely importing rdflib's SPARQL engine.

Runs both commands alternately (so machine noise hits both alike), several rounds, and prints
the median wall time of each and their ratio. The target: ratio <= 1.0, i.e. il2kg answers a
named question on the shipped graph before `python -c "import rdflib.plugins.sparql"` is done.
The build cache is warmed first (one untimed run), as it is after any `il2kg` command.

    python bench/bench_query.py                       # kinases-of-receptor, 7 rounds
    python bench/bench_query.py --query il2-receptor-chains --rounds 15 --engine rdflib
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--query", default="kinases-of-receptor", help="named query to run")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--engine", default="oxigraph", choices=["oxigraph", "rdflib"])
    args = ap.parse_args()

    py = sys.executable
    baseline = [py, "-c", "import rdflib.plugins.sparql"]
    ours = [py, "-m", "il2kg", "query", args.query, "-q", "--engine", args.engine]
    timed(ours)  # warm the build cache and the OS file cache
    timed(baseline)
    base_t, our_t = [], []
    for _ in range(args.rounds):
        base_t.append(timed(baseline))
        our_t.append(timed(ours))
    b, o = statistics.median(base_t), statistics.median(our_t)
    print(f"baseline  import rdflib.plugins.sparql     median {b * 1000:7.1f} ms")
    print(f"il2kg     query {args.query} ({args.engine})  median {o * 1000:7.1f} ms")
    print(f"ratio     {o / b:.2f}  ({'OK' if o <= b else 'SLOWER than the baseline'})")


if __name__ == "__main__":
    main()

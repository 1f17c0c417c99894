"""Benchmark: queries at ~10^6 triples through il2kg against a warm pyoxigraph store, side by side.

The KB is ``make_synthetic`` at 60,000 relations (about 1.3 million triples), its build cache and
query store warmed by one untimed ``il2kg query``. Two queries: a 1-row lookup by identifier and a
4-pattern join of ~40,000 rows (every row returned: ``limit`` above the row count on both sides).

- **in one process**: ``KnowledgeGraph.query`` and ``ask(store="oxigraph")`` (first call of the
  process, then warm) against pyoxigraph's in-memory ``Store`` (loaded first, not timed) and its
  read-only on-disk store (``Store.read_only``, opened first), all interleaved, every answer read
  to the last value;
- **fresh processes**: a Python script that opens a ``KnowledgeGraph`` and asks once, and
  ``il2kg query`` (CSV to a pipe), against a script that opens the pyoxigraph on-disk store and
  writes the same answer as CSV, interleaved.

    python bench/bench_warm.py                    # 5 rounds
    python bench/bench_warm.py --rounds 9 --relations 60000
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WORK_DIR, machine, markdown_table, write_results
from common import table as result_table

PREFIXES = (
    "PREFIX il2kg: <https://w3id.org/il2kg/vocab/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)
QUERIES = {
    "lookup (1 row)": PREFIXES + 'SELECT ?e WHERE { ?e dcterms:identifier "HGNC:10005" }',
    "join (~40k rows)": PREFIXES + "SELECT ?k ?chain ?stat ?label WHERE { ?k a il2kg:Kinase . "
    "?k il2kg:associates_with ?chain . ?k il2kg:phosphorylates ?stat . ?stat rdfs:label ?label }",
}
LIMIT = 1_000_000

#: The baseline as a fresh process: open the on-disk store, answer, write CSV.
OX_SCRIPT = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
res = store.query(open(sys.argv[2]).read())
sys.stdout.buffer.write(res.serialize(format=ox.QueryResultsFormat.CSV))
"""
#: il2kg's library as a fresh process: open the graph, ask once.
KG_SCRIPT = """
import sys
from il2kg import KnowledgeGraph
kg = KnowledgeGraph(sys.argv[1])
store = "oxigraph" if sys.argv[3] == "store" else None
res = kg.ask(open(sys.argv[2]).read(), by_name=False, store=store, limit=LIMIT, timeout=600)
print(res.total)
""".replace("LIMIT", str(LIMIT))


def il2kg(kb: Path, *args: str) -> list[str]:
    """The command line of ``il2kg --data-dir kb ARGS``."""
    return [sys.executable, "-m", "il2kg", "--data-dir", str(kb), *args]


def prepare(relations: int) -> tuple[Path, Path, Path, Path]:
    """The KB, its N-Triples, the il2kg cache (warmed) and the baseline's on-disk store."""
    import pyoxigraph as ox
    from make_synthetic import write_kb

    kb = WORK_DIR / f"kb-warm-{relations}"
    if not (kb / ".complete").exists():
        write_kb(kb, relations)
        (kb / ".complete").write_text("ok\n")
    cache = WORK_DIR / f"cache-warm-{relations}"
    os.environ["IL2KG_CACHE_DIR"] = str(cache)
    nt = WORK_DIR / f"kb-warm-{relations}.nt"
    if not nt.exists():
        subprocess.run(il2kg(kb, "build", "-f", "nt", "-o", str(nt)), check=True)
    # fills il2kg's query store in the cache (once; what any first query does)
    ask = il2kg(kb, "query", "--timeout", "900", "-q", "ASK { ?s ?p ?o }")
    subprocess.run(ask, check=True, stdout=subprocess.DEVNULL)
    base = WORK_DIR / f"kb-warm-{relations}.oxigraph"
    if not (base / "done").exists():
        store = ox.Store(str(base))
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(
            path=str(Path(__file__).resolve().parent.parent / "ontology" / "il2kg.ttl"),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode("https://w3id.org/il2kg/ontology"),
        )
        store.flush()
        del store
        (base / "done").write_text("ok\n")
    return kb, nt, cache, base


def _read_all(solutions: Any) -> int:
    n = 0
    for row in solutions:
        for value in row:
            if value is not None:
                _ = value.value
        n += 1
    return n


def in_process(kb: Path, nt: Path, base: Path, rounds: int) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per road and query; 'first' is the first call of this process."""
    import pyoxigraph as ox

    from il2kg import KnowledgeGraph

    times: dict[str, dict[str, list[float]]] = {q: {} for q in QUERIES}

    def clock(road: str, q: str, fn: Any) -> Any:
        t = time.perf_counter()
        out = fn()
        times[q].setdefault(road, []).append((time.perf_counter() - t) * 1000)
        return out

    kg = KnowledgeGraph(kb)
    first = next(iter(QUERIES))
    clock("il2kg first call", first, lambda: kg.query(QUERIES[first], limit=LIMIT, timeout=600))
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    disk = ox.Store.read_only(str(base))
    roads: dict[str, Callable[[str], int]] = {
        "pyoxigraph memory": lambda q: _read_all(memory.query(q)),
        "pyoxigraph disk": lambda q: _read_all(disk.query(q)),
        "il2kg query": lambda q: kg.query(q, limit=LIMIT, timeout=600).total,
        "il2kg --store oxigraph": lambda q: (
            kg.ask(q, by_name=False, store="oxigraph", limit=LIMIT, timeout=600).total
        ),
    }
    for name, text in QUERIES.items():
        counts = {road: fn(text) for road, fn in roads.items()}  # warm-up, and same answers
        assert len(set(counts.values())) == 1, counts
        for i in range(rounds):
            order = list(roads.items())
            order = order[i % len(order) :] + order[: i % len(order)]
            for road, fn in order:
                clock(road, name, functools.partial(fn, text))
    # the road before the cached store: a store built in memory from the N-Triples per call
    from il2kg.query.ask import ask, backend_for

    before = backend_for(nt.read_bytes())
    for name, text in QUERIES.items():
        clock(
            "il2kg, no cached store (before)",
            name,
            lambda text=text: ask(text, before, by_name=False, limit=LIMIT, timeout=900),
        )
    return times


def processes(
    kb: Path, base: Path, rounds: int, files: dict[str, Path]
) -> dict[str, dict[str, list[float]]]:
    """Wall milliseconds of whole processes, interleaved."""
    py = sys.executable
    cli = ("--format", "csv", "-q", "--limit", str(LIMIT), "--timeout", "600")
    commands: dict[str, Callable[[Path], list[str]]] = {
        "pyoxigraph script (disk store)": lambda f: [py, "-c", OX_SCRIPT, str(base), str(f)],
        "il2kg library script": lambda f: [py, "-c", KG_SCRIPT, str(kb), str(f), "engine"],
        "il2kg query (CLI)": lambda f: il2kg(kb, "query", "-f", str(f), *cli),
        "il2kg query --store oxigraph": lambda f: il2kg(
            kb, "query", "-f", str(f), *cli, "--store", "oxigraph"
        ),
    }
    times: dict[str, dict[str, list[float]]] = {q: {} for q in QUERIES}
    for name, f in files.items():
        for cmd in commands.values():  # warm the OS file cache
            subprocess.run(cmd(f), check=True, stdout=subprocess.DEVNULL)
        for i in range(rounds):
            order = list(commands.items())
            order = order[i % len(order) :] + order[: i % len(order)]
            for road, cmd in order:
                t = time.perf_counter()
                subprocess.run(cmd(f), check=True, stdout=subprocess.DEVNULL)
                times[name].setdefault(road, []).append((time.perf_counter() - t) * 1000)
    return times


def _fmt(ms: float) -> str:
    return f"{ms:,.2f}" if ms < 10 else f"{ms:,.0f}"


HEADER = ["query", "road", "median ms", "min ms", "runs"]


def rows_of(times: dict[str, dict[str, list[float]]], baselines: list[str]) -> list[list[Any]]:
    rows = []
    for q, roads in times.items():
        bases = [statistics.median(roads[b]) for b in baselines]
        for road, xs in roads.items():
            med = statistics.median(xs)
            ratios = [
                "1.00× (baseline)" if road == b else f"{med / base:.2f}×"
                for b, base in zip(baselines, bases, strict=True)
            ]
            rows.append([q, road, _fmt(med), _fmt(min(xs)), len(xs), *ratios])
    return rows


def table(times: dict[str, dict[str, list[float]]], baseline: str) -> str:
    return markdown_table([*HEADER, "vs " + baseline], rows_of(times, [baseline]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=60_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None, help="also write the raw times here")
    args = ap.parse_args()
    kb, nt, _, base = prepare(args.relations)
    files = {}
    for i, (name, text) in enumerate(QUERIES.items()):
        files[name] = WORK_DIR / f"warm-q{i}.rq"
        files[name].write_text(text)
    triples = sum(1 for _ in nt.open("rb"))
    print(f"## {args.relations:,} relations, {triples:,} data triples\n")
    print(json.dumps(machine()))
    inproc = in_process(kb, nt, base, args.rounds)
    print("\n### One process (il2kg's first call, then warm; pyoxigraph stores opened first)\n")
    print(table(inproc, "pyoxigraph memory"))
    print()
    print(table(inproc, "pyoxigraph disk"))
    procs = processes(kb, base, args.rounds, files)
    print("\n### Fresh processes (wall, whole process)\n")
    print(table(procs, "pyoxigraph script (disk store)"))
    bases = ["pyoxigraph memory", "pyoxigraph disk"]
    write_results(
        args.json,
        "warm",
        [
            result_table(
                f"One process at {triples:,} data triples ({args.relations:,} synthetic "
                f"relations): il2kg's first call, then warm; pyoxigraph stores opened first",
                [*HEADER, *("vs " + b for b in bases)],
                rows_of(inproc, bases),
            ),
            result_table(
                "Fresh processes (wall time of the whole process)",
                [*HEADER, "vs pyoxigraph script (disk store)"],
                rows_of(procs, ["pyoxigraph script (disk store)"]),
            ),
        ],
        raw={"in_process": inproc, "processes": procs},
    )


if __name__ == "__main__":
    main()

"""The endpoint against ``oxigraph serve-read-only`` on the same store, side by side in one run.

    python bench/bench_endpoint.py                        # the shipped data, 10 s per cell
    python bench/bench_endpoint.py --relations 60000      # ~1.3 M triples (synthetic KB)
    python bench/bench_endpoint.py --json results.json    # also write the tables (bench/report.py)
    python bench/bench_endpoint.py --memory-only          # start-up and idle memory only

Starts ``il2kg serve`` (its defaults) on a free loopback port, which fills or reuses its on-disk
Oxigraph store, copies that store and starts ``oxigraph serve-read-only`` on the copy. Both
answer the same dataset: il2kg lays out data and ontology by itself; Oxigraph is given the same
graphs with ``default-graph-uri`` / ``named-graph-uri``. Every query is first asked of both and
the answers compared. Then for each query and number of clients, ``wrk`` (Debian's ``wrk``:
keep-alive connections, closed loop) runs for ``--duration`` seconds against one server and then
the other, the order alternating; the servers' process trees are sampled for CPU and memory.

Memory is sampled twice: 1 s after the first answers (il2kg's query workers alive), and once
il2kg has ended its idle workers (``il2kg serve --worker-idle``, 30 s by default).

Two kinds of load: ``same`` repeats one query text (what a dashboard or a crawler does), and
``distinct`` gives every request a query text of its own (a Lua script appends a distinct
comment line with a number), so an answer remembered by text never helps.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, WORK_DIR, markdown_table, table, write_results

DATA_GRAPH = "https://w3id.org/il2kg/dataset"
ONTOLOGY_GRAPH = "https://w3id.org/il2kg/ontology"
PREFIXES = (
    "PREFIX il2kg: <https://w3id.org/il2kg/vocab/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)
#: Small queries (the issue's "small queries"): an ASK, a 1-row lookup, a few-row join.
QUERIES = {
    "ask": PREFIXES + "ASK { ?s a il2kg:Kinase }",
    "lookup": PREFIXES
    + 'SELECT ?e ?label WHERE { ?e dcterms:identifier "{ID}" ; rdfs:label ?label }',
    "join": PREFIXES
    + "SELECT ?k ?label WHERE { ?k a il2kg:Kinase ; rdfs:label ?label } ORDER BY ?label LIMIT 10",
}
ACCEPT = "application/sparql-results+json"
#: wrk script for the ``distinct`` load: request i asks the query with a comment ``# n`` appended
#: (n distinct per request), a query text no earlier request had, with the same answer.
DISTINCT_LUA = """
-- every request a text of its own: this run's nonce, the wrk thread's number, a counter
-- (wrk's threads share no state and math.random is seeded alike in each: not random enough)
local base = os.getenv("BENCH_PATH") .. "%0A%23%20" .. os.getenv("BENCH_NONCE")
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
counter = 0
request = function()
  counter = counter + 1
  return wrx.format("GET", base .. "-" .. tostring(id) .. "-" .. tostring(counter))
end
""".replace("wrx", "wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 900) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return time.monotonic() - t0
        except Exception:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def tree(pid: int) -> list[Any]:
    import psutil

    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_mem_mb(pid: int) -> dict[str, float]:
    import psutil

    rss = pss = 0
    for q in tree(pid):
        try:
            m = q.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += m.rss
        pss += m.pss
    return {"rss": rss / 2**20, "pss": pss / 2**20}


def per_process_pss(pid: int) -> str:
    """Each process of the tree: its PSS (MiB) and its place (server, child, grandchild)."""
    import psutil

    parts = []
    for q in tree(pid):
        try:
            shown = "server" if q.pid == pid else "child" if q.ppid() == pid else "grandchild"
            parts.append(f"{q.memory_full_info().pss / 2**20:.1f} ({shown})")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return " + ".join(parts)


def tree_cpu_s(pid: int) -> float:
    import psutil

    t = 0.0
    for q in tree(pid):
        try:
            c = q.cpu_times()
        except psutil.NoSuchProcess:
            continue
        t += c.user + c.system
    return t


class PeakMem(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_mem_mb(self.pid)["pss"])
            self.done.wait(0.5)


_LAT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, clients: int, seconds: int, distinct: bool) -> dict[str, Any]:
    cmd = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--latency"]
    cmd += ["--timeout", "10s", "-H", f"Accept: {ACCEPT}"]
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(DISTINCT_LUA)
    try:
        if distinct:
            parts = urllib.parse.urlsplit(url)
            env["BENCH_PATH"] = parts.path + "?" + parts.query
            env["BENCH_NONCE"] = os.urandom(6).hex()  # no text of an earlier run comes again
            cmd += ["-s", lua.name]
        out = subprocess.run(
            [*cmd, url], capture_output=True, text=True, timeout=seconds + 60, env=env
        ).stdout
    finally:
        os.unlink(lua.name)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    res: dict[str, Any] = {f"p{p}": float(v) * scale[u] for p, v, u in _LAT.findall(out)}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["errors"] += sum(int(x) for x in m.groups()) if m else 0
    return res


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    kids = tree(proc.pid)[1:]
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    for k in kids:
        if k.is_running():
            k.kill()


def answer(url: str) -> Any:
    req = urllib.request.Request(url, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=None, help="a synthetic KB of this size")
    ap.add_argument("--duration", type=int, default=10, help="seconds per cell")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--queries", nargs="+", default=list(QUERIES), choices=list(QUERIES))
    ap.add_argument(
        "--loads", nargs="+", default=["same", "distinct"], choices=["same", "distinct"]
    )
    ap.add_argument("--starts", type=int, default=3, help="start-ups to time (warm cache)")
    ap.add_argument("--serve-args", default="", help="more options for il2kg serve")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--memory-only", action="store_true", help="start-up and idle memory only (no wrk runs)"
    )
    args = ap.parse_args()
    if args.memory_only:
        args.loads = []
    if not shutil.which("wrk"):
        sys.exit("bench_endpoint needs wrk (Debian: apt-get install wrk)")
    il2kg = str(Path(sys.executable).with_name("il2kg"))
    oxigraph = str(Path(sys.executable).with_name("oxigraph"))
    cmd = [il2kg]
    name = "shipped"
    if args.relations:
        from make_synthetic import write_kb

        kb = WORK_DIR / f"kb-{args.relations}"
        if not (kb / ".complete").exists():
            write_kb(kb, args.relations)
            (kb / ".complete").write_text("ok\n")
        cmd += ["--data-dir", str(kb)]
        name = f"{args.relations:,} synthetic relations"
    work = WORK_DIR / "endpoint" / (str(args.relations) if args.relations else "shipped")
    work.mkdir(parents=True, exist_ok=True)
    il_loc, ox_loc = work / "il2kg-store", work / "oxigraph-store"
    env = dict(os.environ, IL2KG_CACHE_DIR=str(WORK_DIR / "endpoint-cache"))
    serve = [*cmd, "serve", "--location", str(il_loc), *args.serve_args.split()]

    def start_il2kg() -> tuple[subprocess.Popen[bytes], int, float]:
        port = free_port()
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [*serve, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        wait_http(f"http://127.0.0.1:{port}/health")
        return proc, port, time.monotonic() - t0

    def start_oxigraph() -> tuple[subprocess.Popen[bytes], int, float]:
        port = free_port()
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(ox_loc), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")
        return proc, port, time.monotonic() - t0

    # the first start fills the store (and the build cache); then time warm starts of both
    proc, _, first = start_il2kg()
    stop(proc)
    shutil.rmtree(ox_loc, ignore_errors=True)
    shutil.copytree(il_loc, ox_loc)
    starts: dict[str, list[float]] = {"il2kg": [], "oxigraph": []}
    for _ in range(args.starts):
        for server, starter in (("il2kg", start_il2kg), ("oxigraph", start_oxigraph)):
            p, _, secs = starter()
            starts[server].append(secs)
            stop(p)
    il, il_port, _ = start_il2kg()
    ox, ox_port, _ = start_oxigraph()
    try:
        ident = answer(
            f"http://127.0.0.1:{il_port}/query?"
            + urllib.parse.urlencode(
                {
                    "query": PREFIXES
                    + "SELECT ?i WHERE { ?e a il2kg:Kinase ; dcterms:identifier ?i } ORDER BY ?i LIMIT 1"
                }
            )
        )["results"]["bindings"][0]["i"]["value"]
        texts = {q: QUERIES[q].replace("{ID}", ident) for q in args.queries}
        urls = {
            "il2kg": lambda q: (
                f"http://127.0.0.1:{il_port}/query?" + urllib.parse.urlencode({"query": q})
            ),
            "oxigraph": lambda q: (
                f"http://127.0.0.1:{ox_port}/query?"
                + urllib.parse.urlencode(
                    # the query last: the distinct load appends to the URL
                    {"default-graph-uri": DATA_GRAPH, "named-graph-uri": ONTOLOGY_GRAPH, "query": q}
                )
            ),
        }
        pids = {"il2kg": il.pid, "oxigraph": ox.pid}
        for q, text in texts.items():
            a, b = answer(urls["il2kg"](text)), answer(urls["oxigraph"](text))
            if a != b:
                sys.exit(f"{q}: il2kg and oxigraph answer differently:\n{a}\n{b}")
        time.sleep(1)
        idle = {s: tree_mem_mb(pid) for s, pid in pids.items()}
        for s, pid in pids.items():
            print(f"idle PSS of {s}: {per_process_pss(pid)}", flush=True)
        # il2kg ends a worker idle for --worker-idle seconds: wait for that, then measure again
        t0 = time.monotonic()
        while len(tree(il.pid)) > 2 and time.monotonic() - t0 < 300:
            time.sleep(0.5)
        waited = time.monotonic() - t0
        retired = {s: tree_mem_mb(pid) for s, pid in pids.items()}
        for s, pid in pids.items():
            print(f"PSS of {s} {waited:.0f} s later: {per_process_pss(pid)}", flush=True)
        cells: dict[tuple[str, str, int, str], dict[str, Any]] = {}
        flip = False
        for load in args.loads:
            for q, text in texts.items():
                for c in args.clients:
                    order = ["il2kg", "oxigraph"] if not flip else ["oxigraph", "il2kg"]
                    flip = not flip
                    for s in order:
                        sampler = PeakMem(pids[s])
                        sampler.start()
                        cpu0 = tree_cpu_s(pids[s])
                        r = wrk(urls[s](text), c, args.duration, load == "distinct")
                        r["cpu_ms_per_req"] = (
                            1000 * (tree_cpu_s(pids[s]) - cpu0) / r["requests"]
                            if r["requests"]
                            else 0
                        )
                        sampler.done.set()
                        sampler.join()
                        r["peak_pss"] = sampler.peak
                        cells[(load, q, c, s)] = r
                        print(
                            f"{load:8} {q:7} c={c:<3} {s:9} {r['rps']:9.0f} req/s  "
                            f"p50 {r.get('p50', 0):.2f} ms  p99 {r.get('p99', 0):.2f} ms  "
                            f"cpu/req {r['cpu_ms_per_req']:.3f} ms  errors {r['errors']}",
                            flush=True,
                        )
    finally:
        stop(il)
        stop(ox)

    rows = []
    for (load, q, c, s), r in cells.items():
        if s != "il2kg":
            continue
        o = cells[(load, q, c, "oxigraph")]
        rows.append(
            [
                load,
                q,
                c,
                f"{r['rps']:,.0f}",
                f"{o['rps']:,.0f}",
                f"**{r['rps'] / o['rps']:.2f}×**" if o["rps"] else "-",
                f"{r.get('p50', 0):.2f} / {o.get('p50', 0):.2f}",
                f"{r.get('p99', 0):.2f} / {o.get('p99', 0):.2f}",
                f"{r['cpu_ms_per_req']:.3f} / {o['cpu_ms_per_req']:.3f}",
                r["errors"] + o["errors"],
            ]
        )
    throughput = table(
        f"Throughput on {name} ({args.duration} s per cell, wrk, keep-alive)",
        [
            "load",
            "query",
            "clients",
            "il2kg req/s",
            "oxigraph req/s",
            "il2kg / oxigraph",
            "p50 ms (il2kg / oxigraph)",
            "p99 ms",
            "server CPU ms/req",
            "errors",
        ],
        rows,
    )
    med = {s: statistics.median(v) for s, v in starts.items()}
    startup = table(
        f"Start-up and memory on {name} (warm store; {args.starts} starts each)",
        ["", "il2kg serve", "oxigraph serve-read-only", "ratio"],
        [
            [
                "start-up to first answer (median)",
                f"{med['il2kg']:.2f} s",
                f"{med['oxigraph']:.2f} s",
                f"{med['il2kg'] / med['oxigraph']:.1f}×",
            ],
            [
                "idle memory, process tree PSS",
                f"{idle['il2kg']['pss']:.0f} MiB",
                f"{idle['oxigraph']['pss']:.0f} MiB",
                f"{idle['il2kg']['pss'] / idle['oxigraph']['pss']:.1f}×",
            ],
            [
                f"idle memory once the idle workers ended ({waited + 1:.0f} s without a query)",
                f"{retired['il2kg']['pss']:.0f} MiB",
                f"{retired['oxigraph']['pss']:.0f} MiB",
                f"{retired['il2kg']['pss'] / retired['oxigraph']['pss']:.1f}×",
            ],
            ["first start (fills the store)", f"{first:.1f} s", "", ""],
        ],
    )
    tables = [startup] if args.memory_only else [throughput, startup]
    for t in tables:
        print("\n" + t["title"] + "\n" + markdown_table(t["header"], t["rows"]))
    write_results(args.json, "endpoint", tables)


if __name__ == "__main__":
    main()

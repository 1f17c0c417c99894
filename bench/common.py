"""Helpers shared by the benchmarks: synthetic KBs on disk, child processes, timing, tables.

Every measurement that reports memory runs in its own child process, which prints one JSON
object on its last line of standard output (``peak_rss_mb`` from ``getrusage``), so the peak
of one step is never inflated by an earlier one.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
#: Where synthetic KBs and their built graphs are kept between runs.
WORK_DIR = Path(os.environ.get("IL2KG_BENCH_DIR", "/tmp/il2kg-bench"))
SIZES = {"1e3": 1_000, "3e3": 3_000, "1e4": 10_000, "1e5": 100_000}


def kb_dir(size: str) -> Path:
    """The synthetic KB of ``size`` ('1e3', '1e4', '1e5'), generated on first use."""
    sys.path.insert(0, str(BENCH_DIR))
    from make_synthetic import write_kb

    out = WORK_DIR / f"kb-{size}"
    stamp = out / ".complete"
    if not stamp.exists():
        write_kb(out, SIZES[size])
        stamp.write_text("ok\n")
    return out


def nt_file(size: str) -> Path:
    """The built data graph of the KB of ``size`` as N-Triples (built on first use)."""
    out = WORK_DIR / f"kb-{size}.nt"
    if not out.exists():
        from il2kg import KnowledgeGraph

        kg = KnowledgeGraph(kb_dir(size), use_cache=False)
        tmp = out.with_suffix(".tmp")
        tmp.write_bytes(kg.ntriples)
        tmp.replace(out)
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB.

    ``VmHWM`` rather than ``getrusage``: Linux carries ``ru_maxrss`` over from the parent
    through fork + exec, so a child would report its parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(result: dict[str, Any]) -> None:
    """Print a child's result (the last line of its output)."""
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result), flush=True)


def run_child(args: Sequence[str], timeout: float = 1800) -> dict[str, Any]:
    """Run ``python <args>`` in a fresh process; return the JSON it printed last."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def timed(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> tuple[float, Any]:
    """The median wall time of ``fn()`` in milliseconds over ``repeat`` runs, and its last result."""
    out = None
    for _ in range(warmup):
        out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def wall(cmd: Sequence[str], repeat: int = 5) -> float:
    """The median wall time of a command in milliseconds (output discarded; must exit 0)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def machine() -> dict[str, str]:
    """What the benchmarks ran on."""
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pyoxigraph
    import rdflib

    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu or platform.processor(),
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
        "rdflib": rdflib.__version__,
        "pyoxigraph": pyoxigraph.__version__,
    }


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """One result table as ``bench/report.py`` renders it into ``docs/performance.md``."""
    return {"title": title, "header": list(header), "rows": [list(r) for r in rows]}


def write_results(
    path: Path | None,
    bench: str,
    tables: Sequence[dict[str, Any]],
    *,
    command: str = "",
    notes: Sequence[str] = (),
    raw: Any = None,
) -> None:
    """Write a benchmark's tables (made by :func:`table`) as JSON to ``path`` (if given).

    ``bench/report.py`` runs every benchmark with ``--json`` and rewrites the section of
    ``docs/performance.md`` between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``.
    """
    if path is None:
        return
    doc = {
        "bench": bench,
        "command": command or " ".join(["python", *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "tables": list(tables),
        "notes": list(notes),
    }
    if raw is not None:
        doc["raw"] = raw
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")

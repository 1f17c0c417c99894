"""``bench/report.py``: the tables of docs/performance.md come from the benchmarks' results, and
every section of the page names a benchmark that exists."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = _load("report")


def _result(title: str, date: str = "2026-12-02 03:00 UTC") -> dict[str, Any]:
    return {
        "bench": "x",
        "command": f"python {ROOT}/bench/bench_cold.py --repeat 3 --json /tmp/x.json",
        "date": date,
        "machine": {
            "cpus": "2",
            "cpu": "Some CPU",
            "memory": "23.5 GiB",
            "python": "3.11.7",
            "os": "Linux-6",
            "rdflib": "7.6",
            "pyoxigraph": "0.5.13",
        },
        "load_average": [0.5, 1.0, 1.5],
        "tables": [{"title": title, "header": ["a", "b"], "rows": [[1, "2×"], [3, "4×"]]}],
        "notes": ["a note"],
    }


PAGE = """# Performance
<!-- bench:machine -->
old machine
<!-- /bench:machine -->
What the figures mean stays.
<!-- bench:cold -->
| old | table |
<!-- /bench:cold -->
Between.
<!-- bench:warm -->
kept: no result
<!-- /bench:warm -->
"""


def test_sections_are_replaced_from_results_and_the_prose_stays() -> None:
    text, left = report.rewrite(PAGE, {"cold": _result("Cold start")})
    assert left == ["warm"]
    assert "What the figures mean stays." in text and "Between." in text
    assert "old machine" not in text and "| old | table |" not in text
    assert "**Machine:** 2 CPUs (Some CPU), 23.5 GiB RAM" in text
    cold = re.search(r"<!-- bench:cold -->\n(.*?)<!-- /bench:cold -->", text, re.S)
    assert cold is not None
    body = cold.group(1)
    assert "*`python bench/bench_cold.py --repeat 3`, 2026-12-02 03:00 UTC" in body  # no --json
    assert "| a | b |\n|---|---|\n| 1 | 2× |\n| 3 | 4× |" in body
    assert "- a note" in body
    assert "kept: no result" in text
    again, _ = report.rewrite(text, {"cold": _result("Cold start")})
    assert again == text  # rendering is stable


def test_a_section_without_a_benchmark_is_an_error() -> None:
    with pytest.raises(report.ReportError, match="no benchmark: nosuch"):
        report.rewrite("<!-- bench:nosuch -->\nx\n<!-- /bench:nosuch -->\n", {})


def test_the_page_sections_and_the_benchmarks_match() -> None:
    page = (ROOT / "docs" / "performance.md").read_text()
    sections = set(re.findall(r"<!-- bench:([\w-]+) -->", page))
    closed = set(re.findall(r"<!-- /bench:([\w-]+) -->", page))
    assert sections == closed
    assert sections - {"machine"} == set(report.BENCHES)
    for script, *_ in report.BENCHES.values():
        assert (ROOT / "bench" / script).exists(), script
        assert "--json" in (ROOT / "bench" / script).read_text(), f"{script} takes no --json"

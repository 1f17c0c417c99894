"""Real JavaScript clients of ``il2kg serve`` (npm packages of ``tests/js``, installed by .ci/run):

- the Comunica SPARQL client, run by node, given the bare endpoint URL: it introspects the
  endpoint (the Service Description) and answers a named query with the rows of the local engine;
- axe-core in headless Chromium: the query page and the IRI cards have no serious or critical
  accessibility violation.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.server.endpoint import Endpoint
from il2kg.server.pages import examples

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")


def _need(module: str) -> Path:
    path = JS / "node_modules" / module
    if NODE is None or not path.exists():  # pragma: no cover - depends on the machine
        pytest.skip(f"JS TESTS SKIPPED: no node or no {module} (npm ci --prefix tests/js)")
    return path


class _Recorder:
    """A WSGI wrapper that records (method, path, query string, Accept) of every request."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.seen: list[tuple[str, str, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.seen.append(
            (
                environ["REQUEST_METHOD"],
                environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
                environ.get("HTTP_ACCEPT", ""),
            )
        )
        return self.app(environ, start_response)


def _as_sets(row: dict[str, str]) -> tuple[tuple[str, object], ...]:
    """A row with GROUP_CONCAT's parts as a set (their order is not fixed by SPARQL)."""
    return tuple(
        sorted((k, frozenset(v.split(" | ")) if k == "sources" else v) for k, v in row.items())
    )  # type: ignore[misc]


def test_comunica_introspects_and_answers_a_named_query(
    shipped_endpoint: Endpoint, shipped_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    _need("@comunica/query-sparql")
    example = {e["name"]: e for e in examples(shipped_kg)}["kinases-of-receptor"]
    query = tmp_path / "q.rq"
    query.write_text(example["text"], encoding="utf-8")
    recorder = _Recorder(shipped_endpoint.server.application)
    shipped_endpoint.server.application = recorder
    try:
        done = subprocess.run(
            [
                NODE or "node",
                str(JS / "comunica_query.mjs"),
                shipped_endpoint.url + "/query",
                str(query),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=JS,
        )
    finally:
        shipped_endpoint.server.application = recorder.app
    assert done.returncode == 0, done.stderr[-3000:]
    remote = [_as_sets(r) for r in json.loads(done.stdout)]
    local = shipped_kg.named_query("kinases-of-receptor")
    local_rows = [
        _as_sets({v: t.value for v, t in zip(local.variables, row, strict=True) if t is not None})
        for row in local.rows
    ]
    assert sorted(remote, key=str) == sorted(local_rows, key=str)
    assert len(remote) == 6
    # it asked the endpoint URL what it is (no query), then sent the query
    first = recorder.seen[0]
    assert first[:3] == ("GET", "/query", "") and "text/turtle" in first[3], recorder.seen
    assert any("query" in q or m == "POST" for m, _, q, _ in recorder.seen[1:])


AXE_PAGES = [
    "/",
    "/page/entity/IL2R_ABG",
    "/lookup?iri=https%3A%2F%2Fidentifiers.org%2Fhgnc%3A6008",
    "/page/vocab/Kinase",
]


@pytest.mark.parametrize("path", AXE_PAGES)
def test_pages_pass_axe_core(chromium: Any, shipped_endpoint: Endpoint, path: str) -> None:
    axe = (_need("axe-core") / "axe.min.js").read_text(encoding="utf-8")
    ctx = chromium.new_context()
    try:
        page = ctx.new_page()
        page.route(
            "**/*",
            lambda r: (
                r.continue_() if r.request.url.startswith(shipped_endpoint.url) else r.abort()
            ),
        )
        page.goto(shipped_endpoint.url + path)
        if path == "/":  # with a results table shown
            page.wait_for_selector("body[data-ready=true]")
            page.click("#example-kinases-of-receptor button")
            page.wait_for_selector("body[data-labels=done]", timeout=30_000)
        page.evaluate(axe + "\n;0")  # through DevTools: the page's CSP does not apply
        result = page.evaluate("axe.run(document).then(r => r.violations.map(v =>"
                               " ({id: v.id, impact: v.impact, nodes: v.nodes.length})))")  # fmt: skip
    finally:
        ctx.close()
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], bad

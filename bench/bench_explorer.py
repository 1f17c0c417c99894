"""The explorer in headless Chromium: time to interactive and one redraw, side by side.

Three pages of the same graph, loaded interleaved, each in a fresh browser context:

- ``il2kg``: ``il2kg html`` as it is, the layout computed when the page was built;
- ``in-page layout``: the same file with the positions removed and the previous in-page force
  layout switched back on (forceAtlas2, the iteration budget of the page before this change,
  continuous curves) - the page as it was;
- ``bare pyvis``: ``pyvis.network.Network`` with its defaults, the same nodes and edges,
  ``generate_html()``, plus one line that marks the page ready when its layout stops (its CDN
  requests are aborted, as every request but the file is).

Time to interactive: navigation start to ``<body data-ready="true">`` (set when the page can be
used), recorded by a script injected before the page's own. One redraw: the median time from
``network.moveTo()`` to vis-network's ``afterDrawing`` over five zooms.

    python bench/bench_explorer.py                       # the shipped graph
    python bench/bench_explorer.py --sizes 1e3 1e4 --reps 3   # and synthetic KBs
    python bench/bench_explorer.py --sizes 20000 --reps 1     # ~5,000 nodes
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs"))

from common import kb_dir, machine, markdown_table
from make_screenshot import ARGS  # Chromium's flags, the same as for the docs' pictures

CHROMIUM = "/usr/bin/chromium"
PRELUDE = """
window.__readyAt = null;
new MutationObserver(function (_, obs) {
  if (document.body && document.body.getAttribute('data-ready') === 'true') {
    window.__readyAt = performance.now(); obs.disconnect(); }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
"""
FRAME = """() => new Promise(done => {
  const net = (window.il2kgExplorer && window.il2kgExplorer.network) || window.network;
  const times = []; let i = 0;
  const one = () => { const t = performance.now();
    net.once('afterDrawing', () => { times.push(performance.now() - t); i += 1;
      if (i < 5) setTimeout(one, 20); else done(times); });
    net.moveTo({ scale: net.getScale() * (i % 2 ? 1.05 : 0.95) }); };
  one(); })"""
_DATA = re.compile(r'(<script type="application/json" id="il2kg-data">)(.*?)(</script>)', re.S)


def in_page_layout(html: str) -> str:
    """The page with its positions dropped and the former in-page force layout switched on."""
    m = _DATA.search(html)
    assert m is not None
    data = json.loads(m.group(2))
    n = len(data["nodes"])
    for node in data["nodes"]:
        node.pop("x", None)
        node.pop("y", None)
    data["options"]["physics"] = {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -120,
            "centralGravity": 0.01,
            "springLength": 150,
            "springConstant": 0.08,
            "avoidOverlap": 0.3,
        },
        "minVelocity": 1.0,
        "stabilization": {
            "enabled": True,
            "iterations": 1000 if n <= 100 else 400 if n <= 400 else 150,
            "updateInterval": 25,
            "fit": True,
        },
    }
    data["options"]["edges"]["smooth"] = {"enabled": True, "type": "continuous", "roundness": 0.3}
    from il2kg.explorer.payload import json_for_script

    return html[: m.start(2)] + json_for_script(data) + html[m.end(2) :]


def bare_pyvis(html: str) -> str:
    """pyvis with its defaults over the nodes and edges of an il2kg page."""
    from pyvis.network import Network

    m = _DATA.search(html)
    assert m is not None
    data = json.loads(m.group(2))
    net = Network(directed=True, cdn_resources="in_line")
    for node in data["nodes"]:
        net.add_node(node["id"], label=node["label"], title=node["kind"])
    for e in data["edges"]:
        net.add_edge(e["from"], e["to"], title=e["predicate"])
    page = net.generate_html()
    mark = (
        "network.once('stabilizationIterationsDone', function () {"
        " document.body.setAttribute('data-ready', 'true'); });"
    )
    return page.replace("return network;", mark + "\n                  return network;", 1)


def load(browser: Any, path: Path, cap_s: float) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    url = path.resolve().as_uri()
    ctx.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
    ctx.add_init_script(PRELUDE)
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="commit")
        ready = None
        start = time.monotonic()
        while ready is None:  # not wait_for_function: the page's CSP forbids its eval
            if time.monotonic() - start > cap_s:
                raise TimeoutError(f"not ready in {cap_s:.0f} s")
            time.sleep(0.05)
            ready = page.evaluate("window.__readyAt")
        dcl = page.evaluate(
            "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        frames = page.evaluate(FRAME)
        return {"ready_ms": max(ready, dcl), "frame_ms": statistics.median(frames)}
    finally:
        ctx.close()


def pages(size: str, folder: Path) -> tuple[str, dict[str, Path], tuple[int, int]]:
    from il2kg import KnowledgeGraph
    from il2kg.explorer.page import explorer

    if size == "shipped":
        kg = KnowledgeGraph()
    elif size.isdigit():  # a number of relations: a synthetic KB of that size
        from common import WORK_DIR
        from make_synthetic import write_kb

        folder = WORK_DIR / f"kb-{size}"
        if not (folder / ".complete").exists():
            write_kb(folder, int(size))
            (folder / ".complete").write_text("ok\n")
        kg = KnowledgeGraph(folder)
    else:
        kg = KnowledgeGraph(kb_dir(size))
    t = time.perf_counter()
    page = explorer(kg)
    build_s = time.perf_counter() - t
    out = {}
    for name, html in (
        ("il2kg", page.html),
        ("in-page layout", in_page_layout(page.html)),
        ("bare pyvis", bare_pyvis(page.html)),
    ):
        out[name] = folder / f"{size}-{name.replace(' ', '-')}.html"
        out[name].write_text(html, encoding="utf-8")
    return f"{build_s:.1f}", out, (page.nodes, page.edges)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        nargs="*",
        default=[],
        help="synthetic KBs too: 1e3, 1e4 or a number of relations",
    )
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cap", type=float, default=90.0, help="seconds to wait for a page")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in ["shipped", *args.sizes]:
            build_s, files, (n, e) = pages(size, Path(tmp))
            runs: dict[str, list[dict[str, Any]]] = {k: [] for k in files}
            for rep in range(args.reps):
                order = list(files) if rep % 2 == 0 else list(reversed(files))
                for name in order:
                    try:
                        runs[name].append(load(browser, files[name], args.cap))
                    except Exception as exc:  # a page that never got ready within the cap
                        print(f"{size} {name}: {exc}"[:300], file=sys.stderr)
            ours = statistics.median(r["ready_ms"] for r in runs["il2kg"])
            for name, rs in runs.items():
                tti = statistics.median(r["ready_ms"] for r in rs) if rs else None
                frame = statistics.median(r["frame_ms"] for r in rs) if rs else None
                rows.append(
                    [
                        size,
                        f"{n:,} / {e:,}",
                        name,
                        f"{files[name].stat().st_size / 2**20:.2f}",
                        f"{tti:,.0f}" if tti else f"> {args.cap:.0f} s",
                        f"{frame:,.0f}" if frame else "",
                        f"{tti / ours:.1f}×" if tti else "",
                        build_s if name == "il2kg" else "",
                    ]
                )
        browser.close()
    m = machine()
    print(f"{m['cpus']} CPUs ({m['cpu']}), {m['memory']}, Python {m['python']}; "
          f"headless Chromium, software rendering; {args.reps} loads each, interleaved")  # fmt: skip
    print(
        markdown_table(
            [
                "graph",
                "nodes / edges",
                "page",
                "MiB",
                "time to interactive (ms)",
                "one redraw (ms)",
                "vs il2kg",
                "il2kg html (s)",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()

"""The explorer in headless Chromium: time to interactive, one redraw and a frame while moving.

Four pages of the same graph, loaded interleaved, each in a fresh browser context:

- ``il2kg``: ``il2kg html`` as it is, the layout computed when the page was built and the
  drawing options of its size (above `LARGE_NODES` nodes or `LARGE_EDGES` edges: edges and
  labels hidden while moving, mipmapped glyphs);
- ``small-graph options``: the same file with the drawing options of a small graph (everything
  drawn while moving, as for the shipped graph), the baseline of the redraw and the moving frame;
- ``in-page layout``: the same file with the positions removed and the previous in-page force
  layout switched back on (forceAtlas2, the iteration budget of the page before the layout
  moved to build time, continuous curves) - the baseline of the time to interactive;
- ``bare pyvis``: ``pyvis.network.Network`` with its defaults, the same nodes and edges,
  ``generate_html()``, plus one line that marks the page ready when its layout stops (its CDN
  requests are aborted, as every request but the file is); only up to ``--pyvis-max`` nodes
  (at 1,000 nodes it was not ready in 90 s).

What is measured, in the page:

- time to interactive: navigation start to ``<body data-ready="true">`` (set when the page can
  be used), recorded by a script injected before the page's own;
- one redraw: ``network.redraw()`` (a whole still frame: nodes, edges, labels) followed by
  reading one pixel back, which makes Chromium rasterise what was drawn, so the time is the
  drawing and not only the recording of it; the median of 9, the view as the page opens;
- a frame while moving: real input (Playwright's mouse: a drag of the view and wheel zooms over
  the canvas), each frame timed from vis-network's ``beforeDrawing`` to ``afterDrawing`` plus
  the same one-pixel read; the median over the frames of the gesture.

Synthetic graphs come from ``bench/make_synthetic.py`` with four relations per entity, so
``--nodes N`` is the synthetic KB of 4N relations (N entities, every one drawn).

    python bench/bench_explorer.py                               # the shipped graph
    python bench/bench_explorer.py --nodes 300 1000 2000 5000 --reps 2 --json out.json
    python bench/bench_explorer.py --sizes 1e4 --reps 1          # a KB by its relations
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs"))

from common import WORK_DIR, kb_dir, machine, markdown_table, table, write_results
from make_screenshot import ARGS  # Chromium's flags, the same as for the docs' pictures

CHROMIUM = "/usr/bin/chromium"
PRELUDE = """
window.__readyAt = null;
new MutationObserver(function (_, obs) {
  if (document.body && document.body.getAttribute('data-ready') === 'true') {
    window.__readyAt = performance.now(); obs.disconnect(); }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
"""
_NET = "((window.il2kgExplorer && window.il2kgExplorer.network) || window.network)"
#: One still redraw: network.redraw() and a one-pixel read-back (rasterises the frame).
REDRAW = f"""() => new Promise(done => setTimeout(() => {{
  const net = {_NET};
  const ctx = net.canvas.frame.canvas.getContext('2d');
  const times = [];
  for (let i = 0; i < 9; i++) {{
    const t = performance.now(); net.redraw(); ctx.getImageData(0, 0, 1, 1);
    times.push(performance.now() - t); }}
  done(times); }}, 300))"""
#: Record every frame drawn from now on (beforeDrawing -> afterDrawing + a one-pixel read-back).
FRAMES_ON = f"""() => {{
  const net = {_NET};
  const ctx = net.canvas.frame.canvas.getContext('2d');
  window.__frames = []; let t0 = 0;
  net.on('beforeDrawing', () => {{ t0 = performance.now(); }});
  net.on('afterDrawing', () => {{ ctx.getImageData(0, 0, 1, 1);
    window.__frames.push(performance.now() - t0); }}); }}"""
_DATA = re.compile(r'(<script type="application/json" id="il2kg-data">)(.*?)(</script>)', re.S)


def _payload(html: str) -> tuple[re.Match[str], dict[str, Any]]:
    m = _DATA.search(html)
    assert m is not None
    return m, json.loads(m.group(2))


def _with_payload(html: str, m: re.Match[str], data: dict[str, Any]) -> str:
    from il2kg.explorer.payload import json_for_script

    return html[: m.start(2)] + json_for_script(data) + html[m.end(2) :]


def small_graph_options(html: str) -> str:
    """The page with the drawing options il2kg gives a small graph (no hiding while moving)."""
    from il2kg.explorer.page import drawing, vis_options

    m, data = _payload(html)
    data["options"] = vis_options(0, 0)
    data["drawing"] = drawing(0, 0)
    return _with_payload(html, m, data)


def in_page_layout(html: str) -> str:
    """The page with its positions dropped and the former in-page force layout switched on."""
    m, data = _payload(html)
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
    return _with_payload(html, m, data)


def bare_pyvis(html: str) -> str:
    """pyvis with its defaults over the nodes and edges of an il2kg page."""
    from pyvis.network import Network

    _, data = _payload(html)
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


def _moving_frames(page: Any) -> list[float]:
    """Drag the view, then zoom with the wheel, over the middle of the canvas; every frame."""
    page.evaluate(FRAMES_ON)
    box = page.locator("canvas").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + 12 * i, y + 6 * i)
        page.wait_for_timeout(30)
    page.mouse.up()
    for i in range(6):
        page.mouse.wheel(0, -120 if i % 2 == 0 else 120)
        page.wait_for_timeout(40)
    page.wait_for_timeout(400)  # the last frame after the gesture: labels and edges back
    frames: list[float] = page.evaluate("window.__frames")
    return frames[:-1] if len(frames) > 2 else frames


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
        redraws = page.evaluate(REDRAW)
        frames = _moving_frames(page)
        return {
            "ready_ms": max(ready, dcl),
            "redraw_ms": statistics.median(redraws),
            "move_ms": statistics.median(frames) if frames else None,
        }
    finally:
        ctx.close()


def _kb(size: str) -> Path:
    """The synthetic KB of ``size`` ('1e3', '1e4', '1e5' or a number of relations)."""
    if not size.isdigit():
        return kb_dir(size)
    from make_synthetic import write_kb

    folder = WORK_DIR / f"kb-{size}"
    if not (folder / ".complete").exists():
        write_kb(folder, int(size))
        (folder / ".complete").write_text("ok\n")
    return folder


PAGES = ("il2kg", "small-graph options", "in-page layout", "bare pyvis")


def pages(size: str, folder: Path, pyvis_max: int) -> tuple[float, dict[str, Path], int, int]:
    from il2kg import KnowledgeGraph
    from il2kg.explorer.page import explorer

    kg = KnowledgeGraph() if size == "shipped" else KnowledgeGraph(_kb(size))
    t = time.perf_counter()
    page = explorer(kg)
    build_s = time.perf_counter() - t
    variants = {
        "il2kg": lambda h: h,
        "small-graph options": small_graph_options,
        "in-page layout": in_page_layout,
        "bare pyvis": bare_pyvis,
    }
    out = {}
    for name, make in variants.items():
        if name == "bare pyvis" and page.nodes > pyvis_max:
            continue
        out[name] = folder / f"{size}-{name.replace(' ', '-')}.html"
        out[name].write_text(make(page.html), encoding="utf-8")
    return build_s, out, page.nodes, page.edges


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _ms(value: float | None, missing: str = "") -> str:
    return f"{value:,.0f}" if value is not None else missing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--nodes",
        nargs="*",
        type=int,
        default=[],
        help="synthetic graphs of about this many nodes (a KB of 4 relations a node)",
    )
    ap.add_argument(
        "--sizes", nargs="*", default=[], help="synthetic KBs by relations: 1e3, 1e4 or a number"
    )
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cap", type=float, default=90.0, help="seconds to wait for a page")
    ap.add_argument(
        "--pyvis-max", type=int, default=500, help="bare pyvis only up to this many nodes"
    )
    ap.add_argument("--json", type=Path, default=None, help="write the results here (JSON)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    sizes = ["shipped", *(str(4 * n) for n in args.nodes), *args.sizes]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in sizes:
            build_s, files, n, e = pages(size, Path(tmp), args.pyvis_max)
            runs: dict[str, list[dict[str, Any]]] = {k: [] for k in files}
            for rep in range(args.reps):
                order = list(files) if rep % 2 == 0 else list(reversed(files))
                for name in order:
                    try:
                        runs[name].append(load(browser, files[name], args.cap))
                    except Exception as exc:  # a page that never got ready within the cap
                        print(f"{size} {name}: {exc}"[:300], file=sys.stderr)
            ours = _median(runs["il2kg"], "ready_ms")
            graph = "shipped" if size == "shipped" else f"synthetic, {size} relations"
            for name in PAGES:
                if name not in files:
                    rows.append([graph, f"{n:,} / {e:,}", name, "", f"not run (> {args.pyvis_max:,} nodes)", "", "", "", ""])  # fmt: skip
                    continue
                rs = runs[name]
                tti = _median(rs, "ready_ms")
                rows.append(
                    [
                        graph,
                        f"{n:,} / {e:,}",
                        name,
                        f"{files[name].stat().st_size / 2**20:.2f}",
                        _ms(tti, f"not ready in {args.cap:.0f} s"),
                        f"{tti / ours:.1f}×" if tti and ours else "",
                        _ms(_median(rs, "redraw_ms")),
                        _ms(_median(rs, "move_ms")),
                        f"{build_s:.1f}" if name == "il2kg" else "",
                    ]
                )
        browser.close()
    m = machine()
    setting = (
        f"{m['cpus']} CPUs ({m['cpu']}), {m['memory']}, Python {m['python']}, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; headless Chromium "
        f"({CHROMIUM}), software rendering, 1400 × 900 viewport; {args.reps} loads each, "
        "interleaved; medians"
    )
    header = [
        "graph",
        "nodes / edges",
        "page",
        "MiB",
        "time to interactive (ms)",
        "vs il2kg",
        "one redraw (ms)",
        "frame while moving (ms)",
        "il2kg html (s)",
    ]
    print(setting)
    print(markdown_table(header, rows))
    write_results(
        args.json,
        "explorer",
        [table("The explorer in headless Chromium", header, rows)],
        notes=[
            setting,
            "one redraw: network.redraw() and a one-pixel read-back, median of 9, the view "
            "as the page opens; frame while moving: beforeDrawing to afterDrawing plus the "
            "read-back, median over a drag and six wheel zooms",
        ],
    )


if __name__ == "__main__":
    main()

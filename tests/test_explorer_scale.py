"""The explorer at scale: what a large graph leaves out while the view moves, and its layout.

The browser tests drive the page with real input (Playwright's mouse: a drag of the view and
wheel zooms) in Debian's headless Chromium and count what each frame draws on the canvas:
labels are ``fillText`` calls, edges (lines and arrow heads) ``lineTo`` calls, glyphs
``drawImage`` calls. A graph counts as large by its size (``LARGE_NODES``/``LARGE_EDGES``); the
fixture KB is drawn once as it is (small) and once with the threshold lowered below its size,
so the same 14 nodes show both behaviours.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.explorer import page as explorer_page
from il2kg.explorer.layout import SPACING, layout
from il2kg.explorer.page import drawing, is_large, vis_options, write_explorer

from .conftest import Page

#: Counts what every frame draws from now on: [fillText, lineTo, drawImage] per frame.
COUNT_FRAMES = """() => {
  const net = il2kgExplorer.network;
  const ctx = net.canvas.frame.canvas.getContext('2d');
  const calls = { fillText: 0, lineTo: 0, drawImage: 0 };
  Object.keys(calls).forEach(name => {
    const real = ctx[name];
    ctx[name] = function () { calls[name] += 1; return real.apply(this, arguments); };
  });
  window.__frames = [];
  net.on('beforeDrawing', () => { Object.keys(calls).forEach(k => { calls[k] = 0; }); });
  net.on('afterDrawing', () => {
    window.__frames.push([calls.fillText, calls.lineTo, calls.drawImage]); });
}"""


def test_large_is_decided_by_size_and_the_shipped_graph_stays_as_drawn(
    shipped_kg: KnowledgeGraph,
) -> None:
    small, large = vis_options(1000, 1500), vis_options(1001, 10)
    assert not is_large(1000, 1500) and is_large(1001, 10) and is_large(10, 1501)
    for opts, on in ((small, False), (large, True)):
        assert opts["interaction"]["hideEdgesOnDrag"] is on
        assert opts["interaction"]["hideEdgesOnZoom"] is on
        assert opts["nodes"]["shapeProperties"]["interpolation"] is on
    assert drawing(1000, 1500) == {"hideLabelsWhileMoving": False, "arrowsFromScale": 0}
    assert drawing(5000, 20000) == {"hideLabelsWhileMoving": True, "arrowsFromScale": 0.15}
    # the shipped graph (407 nodes, 854 edges) keeps everything drawn while moving
    g = shipped_kg.network()
    assert not is_large(g.number_of_nodes(), g.number_of_edges())


@pytest.fixture
def pages(
    fixture_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """The fixture KB's page as it is (small) and as a large graph is drawn."""
    small = tmp_path / "small.html"
    write_explorer(fixture_kg, small)
    monkeypatch.setattr(explorer_page, "LARGE_NODES", 5)
    large = tmp_path / "large.html"
    write_explorer(fixture_kg, large)
    return {"small": small, "large": large}


@pytest.fixture
def counting(open_page: Any) -> Any:
    """Open a page (``open_page`` of tests/conftest.py) and count what each frame draws."""

    def _open(path: Path) -> Page:
        opened: Page = open_page(path)
        opened.page.evaluate(COUNT_FRAMES)
        return opened

    return _open


def _middle(page: Any) -> tuple[float, float]:
    box = page.locator("#graph canvas").bounding_box()
    return box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5


def _drag(page: Any) -> list[list[int]]:
    """The frames drawn while the view is dragged (the mouse still held down)."""
    x, y = _middle(page)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 8):
        page.mouse.move(x + 10 * i, y + 5 * i)
        page.wait_for_timeout(30)
    frames: list[list[int]] = page.evaluate("window.__frames.splice(0)")
    page.mouse.up()
    return frames


def _zoom(page: Any) -> list[list[int]]:
    """The frames drawn during three wheel turns, 40 ms apart (one zoom)."""
    x, y = _middle(page)
    page.mouse.move(x, y)
    for _ in range(3):
        page.mouse.wheel(0, -100)
        page.wait_for_timeout(40)
    frames: list[list[int]] = page.evaluate("window.__frames.splice(0)")
    return frames


def _still(page: Any) -> list[int]:
    """The last frame drawn once the view has stopped (after vis-network's 250 ms)."""
    page.wait_for_timeout(600)
    frames: list[list[int]] = page.evaluate("window.__frames.splice(0)")
    assert frames, "no frame drawn after the view stopped"
    return frames[-1]


def test_browser_a_large_graph_hides_labels_and_edges_while_moving(
    pages: dict[str, Path], counting: Any
) -> None:
    opened = counting(pages["large"])
    page = opened.page
    page.evaluate("il2kgExplorer.network.redraw()")
    labels, lines, glyphs = page.evaluate("window.__frames.splice(0)")[-1]
    assert labels >= 14 and lines > 0 and glyphs >= 14  # all drawn while still
    for gesture in (_drag, _zoom):
        frames = gesture(page)
        assert frames, "the gesture drew no frame"
        assert all(f[0] == 0 and f[1] == 0 for f in frames), frames  # no label, no edge
        assert all(f[2] > 0 for f in frames), frames  # the glyphs (those in view) drawn
        after = _still(page)
        assert after[0] > 0 and after[1] > 0, after  # labels and edges back once still
    opts = page.evaluate("il2kgExplorer.network.nodesHandler.options.shapeProperties")
    assert opts["interpolation"] is True
    assert opened.blocked == [] and opened.errors == []


def test_browser_a_small_graph_draws_everything_while_moving(
    pages: dict[str, Path], counting: Any
) -> None:
    opened = counting(pages["small"])
    page = opened.page
    for frames in (_drag(page), _zoom(page)):
        assert frames, "the gesture drew no frame"
        assert all(f[0] > 0 and f[1] > 0 and f[2] > 0 for f in frames), frames
    opts = page.evaluate("il2kgExplorer.network.nodesHandler.options.shapeProperties")
    assert opts["interpolation"] is False
    assert opened.errors == []


def test_browser_a_large_graph_is_still_usable_after_moving(
    pages: dict[str, Path], counting: Any
) -> None:
    opened = counting(pages["large"])
    page = opened.page
    _drag(page)
    _zoom(page)
    _still(page)
    # a click on a node's glyph opens its panel; the search still selects
    at = page.evaluate(
        "(() => { const n = il2kgExplorer.network;"
        " return n.canvasToDOM(n.getPositions(['HGNC:6008'])['HGNC:6008']); })()"
    )
    box = page.locator("#graph canvas").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel h2") == "IL2RA"
    page.fill("#search", "tac antigen")
    page.press("#search", "Enter")
    assert page.evaluate("il2kgExplorer.network.getSelectedNodes()") == ["HGNC:6008"]
    assert opened.errors == []


def test_pieces_without_edges_between_them_sit_close_around_the_largest() -> None:
    hub = [f"n{i:02d}" for i in range(30)]
    edges = [("n00", v) for v in hub[1:]] + [(hub[i], hub[i + 1]) for i in range(1, 29)]
    edges += [("pair-a", "pair-b")]
    lonely = [f"z{i}" for i in range(40)]
    nodes = [*hub, "pair-a", "pair-b", *lonely]
    pos = layout(nodes, edges)
    assert pos == layout(list(reversed(nodes)), list(reversed(edges)))
    assert len(set(pos.values())) == len(nodes)
    centre = [sum(pos[v][k] for v in hub) / len(hub) for k in (0, 1)]
    reach = max(math.dist(pos[v], centre) for v in hub)
    outside = [math.dist(pos[v], centre) for v in ["pair-a", "pair-b", *lonely]]
    # outside the largest piece, within a few rings of it (not pushed away by its repulsion)
    assert min(outside) > reach
    assert max(outside) < reach + 4 * SPACING
    assert math.dist(pos["pair-a"], pos["pair-b"]) < 2 * SPACING  # a piece moves whole
    gaps = [math.dist(pos[a], pos[b]) for i, a in enumerate(lonely) for b in lonely[i + 1 :]]
    assert min(gaps) > 0.9 * SPACING


def _lines_at(page: Any, scale: float) -> int:
    """The ``lineTo`` calls of one still frame at zoom ``scale`` (edges, and arrow heads)."""
    page.evaluate(f"il2kgExplorer.network.moveTo({{scale: {scale}}})")
    page.evaluate("window.__frames.splice(0); il2kgExplorer.network.redraw()")
    lines: int = page.evaluate("window.__frames.splice(0)")[-1][1]
    return lines


def test_browser_a_large_graph_draws_arrow_heads_only_zoomed_in(
    pages: dict[str, Path], counting: Any
) -> None:
    large, small = counting(pages["large"]).page, counting(pages["small"]).page
    # below 0.15 the large page draws the edges without their heads; the small page always both
    assert 0 < _lines_at(large, 0.1) < _lines_at(large, 0.2)
    assert _lines_at(small, 0.1) == _lines_at(small, 0.2) > _lines_at(large, 0.1)
    assert _lines_at(large, 0.2) == _lines_at(small, 0.2)

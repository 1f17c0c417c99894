"""Shared fixtures. The build cache goes to a private temporary folder for the whole session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

os.environ["IL2KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="il2kg-test-cache-")
os.environ.pop("IL2KG_DATA_DIR", None)

from il2kg import KnowledgeGraph
from tests._net import Listener

if TYPE_CHECKING:
    from il2kg.server.endpoint import Endpoint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_KB = FIXTURES / "kb"
SHIPPED_DATA = ROOT / "data"


@pytest.fixture(scope="session")
def fixture_kg() -> KnowledgeGraph:
    """The tiny hand-drawable knowledge base (tests/fixtures/kb)."""
    return KnowledgeGraph(FIXTURE_KB)


@pytest.fixture(scope="session")
def shipped_kg() -> KnowledgeGraph:
    """The real curated data shipped in data/."""
    return KnowledgeGraph(SHIPPED_DATA)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A recording loopback listener, one per test module."""
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture
def net(listener: Listener) -> Listener:
    """The module's listener, its record cleared for this test."""
    listener.reset()
    return listener


def serving(kg: KnowledgeGraph, folder: Path, **options: Any) -> Endpoint:
    """``il2kg serve`` of ``kg`` on a free loopback port, in a background thread."""
    from il2kg.server.endpoint import start

    return start(kg, port=0, location=folder / "store", background=True, **options)


@pytest.fixture(scope="session")
def fixture_endpoint(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    """The endpoint over the fixture knowledge base, default options (no CORS)."""
    ep = serving(fixture_kg, tmp_path_factory.mktemp("fixture-serve"))
    yield ep
    ep.stop()


@pytest.fixture(scope="session")
def shipped_endpoint(
    shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    """The endpoint over the shipped data (20 s timeout, CORS on), shared by the test modules."""
    ep = serving(shipped_kg, tmp_path_factory.mktemp("shipped-serve"), timeout=20, cors=True)
    yield ep
    ep.stop()


CHROMIUM = Path("/usr/bin/chromium")
#: Debian's headless Chromium, with nothing of its own reaching the network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright), one per test module (Playwright's sync API allows one
    at a time: the explorer tests start their own); each test opens its own context."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"BROWSER TESTS SKIPPED: playwright is not installed ({exc})")
    if not CHROMIUM.exists():  # pragma: no cover
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM} (apt install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """An opened explorer page with the requests it tried and the errors it logged."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """Open an explorer file in a fresh context, every request but the file's aborted and
    recorded, errors and dialogs recorded; returns once the page is ready (a :class:`Page`)."""
    contexts = []

    def _open(path: Path) -> Page:
        ctx = chromium.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(ctx)
        page = ctx.new_page()
        url = path.resolve().as_uri()
        opened = Page(page, url)

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                opened.blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        return opened

    yield _open
    for ctx in contexts:
        ctx.close()

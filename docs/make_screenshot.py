"""Regenerate docs/explorer.png: the explorer on the shipped data, shot in headless Chromium.

Run from the repository root:

    python docs/make_screenshot.py            # focus IL2RB, 1 hop (the picture in the docs)
    python docs/make_screenshot.py --focus aldesleukin --depth 2 -o /tmp/shot.png

Needs Playwright (python) and Chromium at /usr/bin/chromium (Debian: apt install chromium).
Every request but the page itself is aborted: the picture shows the page as it is offline.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from il2kg import KnowledgeGraph
from il2kg.explorer.page import write_explorer

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", default="IL2RB")
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).with_name("explorer.png")
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "explorer.html"
        write_explorer(KnowledgeGraph(), page_file, focus=args.focus, depth=args.depth)
        url = page_file.as_uri()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 860})
            page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.output))
            browser.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

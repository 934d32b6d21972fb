"""Take the README screenshot from a running dashboard with Debian's chromium (headless).

Usage: python scripts/screenshot.py [URL] [OUT]   (default http://127.0.0.1:8050/ docs/screenshot.png)
"""
from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def main(url: str = "http://127.0.0.1:8050/", out: str = "docs/screenshot.png") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1250})
        page.goto(url)
        page.wait_for_selector("#home-displacement-chart .scatterlayer .trace", state="attached", timeout=60_000)
        page.wait_for_timeout(2000)
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

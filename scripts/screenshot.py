"""Take the README screenshots from a running dashboard with Debian's chromium (headless): the first
screen on a desktop (1440x900) and on a phone (390x844), as a user sees it on opening the page.

Usage: python scripts/screenshot.py [URL] [OUTDIR]   (default http://127.0.0.1:8050/ docs/)
       writes OUTDIR/screenshot.png (desktop), OUTDIR/screenshot-phone.png (a phone's first screen) and
       OUTDIR/screenshot-phone-map.png (the phone scrolled to the map)
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# name: (width, height, pixel ratio, the element scrolled to the top first, or None for the first screen)
SHOTS = {"screenshot.png": (1440, 900, 1, None), "screenshot-phone.png": (390, 844, 2, None),
         "screenshot-phone-map.png": (390, 844, 2, "#home-map-block")}


def main(url: str = "http://127.0.0.1:8050/", outdir: str = "docs") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, (width, height, scale, element) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
            page.goto(url)
            page.wait_for_selector("#home-map .geo .choroplethlocation", state="attached", timeout=60_000)
            page.wait_for_selector("#home-headline .card", state="attached", timeout=60_000)
            if element:
                page.evaluate("sel => document.querySelector(sel).scrollIntoView()", element)
            page.wait_for_timeout(2500)  # the labels' decluttering and the charts below settle
            page.screenshot(path=str(Path(outdir) / name))
            page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

"""The page in a real browser: Debian's chromium, headless, driven by Playwright.

Opens the served app, waits for the map and the charts, checks there are no console errors and no
request to any host but 127.0.0.1, then moves the date range by keyboard and sees the charts change.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from etl.config import ROOT

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ALLOWED_SCHEMES = {"data", "blob", "about"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_warehouse):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make test` (installs it as root) or apt-get install chromium")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "IDLIB_WAREHOUSE": str(built_warehouse)}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited: {proc.stdout.read()}")
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("dashboard did not answer within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def chart_signature(page, graph_id: str) -> str:
    """What a chart currently draws: its x axis range and number of points."""
    return page.evaluate(
        """id => { const g = document.querySelector('#' + id + ' .js-plotly-plot');
                  const pts = g.data.reduce((n, tr) => n + (tr.x ? tr.x.length : 0), 0);
                  return JSON.stringify([g.layout.xaxis.range, pts]); }""",
        graph_id,
    )


def wait_rendered(page):
    for selector in ("#home-map .geo .choroplethlocation", "#home-displacement-chart .scatterlayer .trace",
                     "#home-casualties-chart .scatterlayer .trace", "#home-refugees-chart .scatterlayer .trace"):
        page.wait_for_selector(selector, state="attached", timeout=60_000)


def test_page_renders_offline_with_no_console_errors(page, server):
    page.goto(server)
    wait_rendered(page)
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate("document.querySelector('#home-map .js-plotly-plot').data[0].locations.length")
    assert page.locator("#home-map .geo path.choroplethlocation").count() == drawn >= 9
    assert "Warehouse version" in page.inner_text("#home-version")
    assert page.locator("#home-displacement-sources li").count() > 0
    off_host = [u for u in page.requests
                if urlparse(u).scheme not in ALLOWED_SCHEMES and urlparse(u).hostname != "127.0.0.1"]
    assert off_host == []
    assert page.console_errors == []


def test_moving_the_date_range_changes_the_charts(page, server):
    page.goto(server)
    wait_rendered(page)
    before = {g: chart_signature(page, g) for g in ("home-displacement-chart", "home-casualties-chart")}
    text_before = page.inner_text("#home-range-text")
    handle = page.locator("#home-range [role=slider]").first
    handle.focus()
    for _ in range(8):
        page.keyboard.press("PageUp")
    page.wait_for_function("t => document.querySelector('#home-range-text').innerText !== t", arg=text_before,
                           timeout=30_000)
    page.wait_for_function(
        """([id, sig]) => { const g = document.querySelector('#' + id + ' .js-plotly-plot');
               const pts = g.data.reduce((n, tr) => n + (tr.x ? tr.x.length : 0), 0);
               return JSON.stringify([g.layout.xaxis.range, pts]) !== sig; }""",
        arg=["home-displacement-chart", before["home-displacement-chart"]], timeout=30_000,
    )
    after = {g: chart_signature(page, g) for g in before}
    assert after["home-displacement-chart"] != before["home-displacement-chart"]
    assert after["home-casualties-chart"] != before["home-casualties-chart"]
    assert page.console_errors == []

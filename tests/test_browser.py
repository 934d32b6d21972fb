"""The page in a real browser: Debian's chromium, headless, driven by Playwright.

Two servers (tests/conftest.py, one of each per session): one on the warehouse built from the committed data (the offline default a new user
sees), one on a small SYNTHETIC warehouse with admin levels 1-3, conflict events and flows (see
tests/conftest.py), for the analyst's controls: admin level, indicator, time slider and play, map
click, URL round trip with back and forward, layer toggles, an empty selection.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import panels
from dashboard.i18n import BIDI_CONTROLS
from etl.config import ROOT
from tests.conftest import served_env

CHARTS = tuple(panel.name for panel in panels.charts())  # the registered charts, in page order

pytestmark = pytest.mark.browser
# Debian's chromium-headless-shell when installed (scripts/ensure-browser.sh installs it; the same
# pages drawn pixel for pixel, with about a third less CPU than chromium's own headless mode, which
# the browser tests spent most of their time in), else Debian's chromium
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium-headless-shell",) if os.path.exists(p)),
                shutil.which("chromium") or "/usr/bin/chromium")
ALLOWED_SCHEMES = {"data", "blob", "about"}
TIMEOUT = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(warehouse_root, **extra_env):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make test` (installs it as root) or apt-get install chromium")
    port = free_port()
    # one gunicorn worker of four threads (served, the app runs two workers per core): every callback
    # of a test's pages meets the same warm caches, and a server starts once, not twice. The browser
    # tests took 17 % less CPU (312 -> 258 s) and 4 % less time than with two workers of two threads;
    # the load test (test_export_load.py) serves with the defaults.
    env = {**os.environ, "PORT": str(port), "IDLIB_WAREHOUSE": str(warehouse_root), "WEB_CONCURRENCY": "1",
           "DASHBOARD_THREADS": "4", **extra_env}
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
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# `server` and `synthetic_server` (the app served on the offline default and on the synthetic
# warehouse) are in tests/conftest.py: one of each per session, for every browser test file


# `browser` (Debian's chromium, headless, one per test process for the whole session) is in
# tests/conftest.py too; each test opens its own context (`page`)


# every Content-Security-Policy violation of the page, reported to the test through a binding
# (Playwright's init scripts and bindings are not subject to the page's CSP)
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", e => window.__cspViolation(
    [e.effectiveDirective, e.blockedURI || "inline", (e.sample || "").slice(0, 60), e.sourceFile].join(" ")));"""


def on_console(page, message):
    if message.type == "error":
        page.console_errors.append(message.text)
    if "Content Security Policy" in message.text:
        page.csp_violations.append(message.text)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.console_errors = []
    page.csp_violations = []  # the server's CSP must hold for everything a test does (checked at the end)
    page.requests = []
    page.updates = []  # bodies of the callback responses
    page.expose_function("__cspViolation", lambda text: page.csp_violations.append(text))
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda m: on_console(page, m))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("response", lambda r: page.updates.append(r) if "_dash-update-component" in r.url else None)
    yield page
    violations = list(page.csp_violations)
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


# ---- helpers -------------------------------------------------------------------------------------

def wait_rendered(page):
    page.wait_for_selector("#home-map .geo .choroplethlocation", state="attached", timeout=TIMEOUT)
    for chart in CHARTS:
        page.wait_for_selector(f"#home-{chart}-chart .js-plotly-plot .main-svg", state="attached", timeout=TIMEOUT)


def open_page(page, url):
    page.goto(url)
    wait_rendered(page)


# `g` is the map's plotly div, `A` its admin-areas trace (after the land it is drawn over)
MAP_JS = ("const g = document.querySelector('#home-map .js-plotly-plot'); "
          "const A = g && g.data && g.data.find(t => t.name === 'Admin areas');")


def map_data(page, expression: str):
    return page.evaluate(f"() => {{ {MAP_JS} return {expression}; }}")


def wait_map(page, condition: str):
    page.wait_for_function(f"() => {{ {MAP_JS} return !!A && ({condition}); }}", timeout=TIMEOUT)


def area_path(page, pcode: str):
    """The SVG path of an admin area on the map (choropleth paths come in trace order)."""
    index = map_data(page, f"g.data.slice(0, g.data.indexOf(A)).filter(t => t.type === 'choropleth')"
                           f".reduce((n, t) => n + t.locations.length, 0) + A.locations.indexOf('{pcode}')")
    return page.locator("#home-map .geo path.choroplethlocation").nth(index)


def trace_names(page, graph_id: str) -> list[str]:
    return page.evaluate(
        "id => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => t.name || '')", graph_id)


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def choose(page, dropdown_id: str, option_text: str, search: str | None = None):
    page.click(f"#{dropdown_id}")
    content = page.locator(".dash-dropdown-content")
    content.wait_for(timeout=TIMEOUT)
    if search:
        # typed into the dropdown's own search box: keys typed before the box has the focus (it takes
        # it a frame after opening, later on a busy machine) would be lost
        content.locator("input.dash-dropdown-search").fill(search)
    content.locator("[role=option]", has_text=option_text).first.click()
    page.keyboard.press("Escape")


def update_bodies(page, since: int) -> list[str]:
    bodies = []
    for response in page.updates[since:]:
        try:
            bodies.append(response.text())
        except Exception:  # noqa: BLE001  (a response the page no longer holds)
            continue
    return bodies


def settle(page, ms: int = 300):
    """Let pending callbacks finish (Dash marks the document while it waits)."""
    try:
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=TIMEOUT)
    except Exception as exc:
        stuck = page.evaluate("() => Array.from(document.querySelectorAll('[data-dash-is-loading=\"true\"]'))"
                              ".map(e => e.id || e.className || e.tagName)")
        raise AssertionError(f"still loading: {stuck}; console: {page.console_errors[:5]}") from exc
    page.wait_for_timeout(ms)


# ---- the offline default ------------------------------------------------------------------------

def test_page_renders_offline_with_no_console_errors(page, server):
    open_page(page, server)
    page.wait_for_load_state("networkidle")
    drawn = map_data(page, "g.data.filter(t => t.type === 'choropleth').reduce((n, t) => n + t.locations.length, 0)")
    assert page.locator("#home-map .geo path.choroplethlocation").count() == drawn
    assert map_data(page, "A.locations.length") >= 9
    assert "Warehouse version" in page.inner_text("#home-version")
    assert page.locator("#home-displacement-sources li").count() > 0
    off_host = [u for u in page.requests
                if urlparse(u).scheme not in ALLOWED_SCHEMES and urlparse(u).hostname != "127.0.0.1"]
    assert off_host == []
    assert page.console_errors == []


def test_a_csp_violation_is_reported_to_the_tests(page, server):
    """Proof that the `page` fixture's CSP check can fail: the page served with a policy that lacks
    the hash of Dash's inline renderer script is reported (and does not render)."""
    def without_hashes(route):
        response = route.fetch()
        headers = dict(response.headers)
        csp = headers.get("content-security-policy", "")
        assert "'sha256-" in csp
        headers["content-security-policy"] = re.sub(r" 'sha256-[^']+'", "", csp)
        route.fulfill(response=response, headers=headers)

    page.route(server, without_hashes)
    page.goto(server)
    for _ in range(50):
        if page.csp_violations:
            break
        page.wait_for_timeout(200)
    reported = list(page.csp_violations)
    page.csp_violations.clear()  # expected here: not a failure of this test's teardown
    assert any("script-src" in v and "inline" in v for v in reported), reported
    assert page.locator("#home-map").count() == 0  # the renderer never ran


def test_moving_the_date_range_changes_the_charts(page, server):
    open_page(page, server)
    text_before = page.inner_text("#home-range-text")
    before = trace_names(page, "home-displacement-chart")
    handle = page.locator("#home-range [role=slider]").first
    handle.focus()
    for _ in range(8):
        page.keyboard.press("PageUp")
    page.wait_for_function("t => document.querySelector('#home-range-text').innerText !== t", arg=text_before,
                           timeout=TIMEOUT)
    settle(page)
    assert "from" in query(page)
    assert trace_names(page, "home-displacement-chart") != before
    assert page.console_errors == []


# the direct labels of the main sources of the offline default in December 2019 - March 2020, by the
# name each starts with (dashboard/organisations.py short names)
MAIN_LABELS = {"en": ("OCHA", "UN HNAP", "REACH", "UN SG"), "ar": ("أوتشا", "HNAP", "ريتش", "الأمين العام")}
LABEL_BOXES_JS = """id => {
  const root = document.querySelector('#' + id + ' .js-plotly-plot');
  const svg = root.querySelector('.main-svg').getBoundingClientRect();
  const boxes = Array.from(root.querySelectorAll('.infolayer .annotation')).map(a => {
    const r = a.querySelector('.annotation-text-g').getBoundingClientRect();
    return {text: a.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  return {svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom}, boxes: boxes};
}"""


@pytest.mark.parametrize("lang,width", [("en", 1440), ("en", 390), ("ar", 1440), ("ar", 390)])
def test_direct_labels_of_the_displacement_chart_never_overlap(page, server, lang, width):
    """December 2019 to March 2020, the window of the offensive: each main source's line is labelled
    at its end, and no two labels overlap or run off the chart (bounding boxes in the browser), on a
    wide screen and on a phone, in English and Arabic."""
    page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
    open_page(page, server + f"?from=2019-12&to=2020-03{'&lang=ar' if lang == 'ar' else ''}")
    page.locator("#home-displacement-chart").scroll_into_view_if_needed()
    settle(page)
    found = page.evaluate(LABEL_BOXES_JS, "home-displacement-chart")
    svg = found["svg"]
    for b in found["boxes"]:  # the text as read: without the isolates around its runs of the other direction
        b["text"] = "".join(ch for ch in b["text"] if ch not in BIDI_CONTROLS)
    labels = [b for b in found["boxes"] if b["text"].startswith(MAIN_LABELS[lang])]
    for name in MAIN_LABELS[lang]:
        assert any(b["text"].startswith(name) for b in labels), (name, [b["text"] for b in found["boxes"]])
    for i, a in enumerate(labels):
        assert a["left"] >= svg["left"] - 1 and a["right"] <= svg["right"] + 1, ("cut", a, svg)
        for b in labels[i + 1:]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, ("overlap", a, b)
    # nor is the chart itself off the screen: the page does not scroll sideways on a phone (a wide
    # table or control row once made it, and an Arabic page opened scrolled past the chart's start)
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client and svg["left"] >= -1 and svg["right"] <= client + 1, (scroll, client, svg)
    assert page.console_errors == []


# ---- the analyst's controls (synthetic warehouse) -----------------------------------------------

def test_admin_level_switch_redraws_the_map(page, synthetic_server):
    open_page(page, synthetic_server)
    assert all(len(p) == 4 for p in map_data(page, "A.locations"))
    page.click("#home-level label:has-text('Sub-districts')")
    wait_map(page, "A.locations.length > 50 && A.locations.every(p => p.length === 8)")
    assert query(page)["level"] == "3"
    assert page.locator("#home-map .geo path.choroplethlocation").count() > 50
    assert page.console_errors == []


def test_indicator_switch_recolours_without_resending_geometry(page, synthetic_server):
    open_page(page, synthetic_server)
    title = map_data(page, "A.colorbar && A.colorbar.title.text")
    since = len(page.updates)
    choose(page, "home-indicator", "Conflict events")
    wait_map(page, "A.colorbar.title.text === 'Conflict events'")
    settle(page)
    assert title != "Conflict events" and query(page)["ind"] == "events"
    bodies = update_bodies(page, since)
    map_bodies = [b for b in bodies if "home-map" in b]
    assert map_bodies and not any("coordinates" in b or "geojson" in b for b in map_bodies)
    assert page.console_errors == []


def test_slider_step_and_play(page, synthetic_server):
    open_page(page, synthetic_server + "?ind=events&from=2020-01&to=2020-06")
    assert page.inner_text("#home-step-label") == "Map period: the whole range"
    since = len(page.updates)
    page.locator("#home-step [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#home-step-label').innerText.includes('January 2020')",
                           timeout=TIMEOUT)
    wait_map(page, "(g.layout.title.text || '').includes('Jan 2020')")
    settle(page)
    assert query(page)["at"] == "2020-01-01"
    map_bodies = [b for b in update_bodies(page, since) if "home-map" in b]
    assert map_bodies and not any("coordinates" in b or "geojson" in b or "FeatureCollection" in b for b in map_bodies)
    page.click("#home-play")
    page.wait_for_function("() => document.querySelector('#home-step-label').innerText.includes('March 2020')",
                           timeout=TIMEOUT)
    assert page.get_attribute("#home-play", "aria-pressed") == "true"
    page.click("#home-play")  # pause
    page.wait_for_function("() => document.querySelector('#home-play').getAttribute('aria-pressed') === 'false'",
                           timeout=TIMEOUT)
    settle(page, 1800)
    stopped_at = page.inner_text("#home-step-label")
    page.wait_for_timeout(2000)
    assert page.inner_text("#home-step-label") == stopped_at  # paused: no more steps
    assert query(page)["at"] >= "2020-03-01"  # the URL holds where it stopped
    assert page.console_errors == []


def test_clicking_an_area_filters_the_charts(page, synthetic_server):
    open_page(page, synthetic_server + "?ind=events")
    before = trace_names(page, "home-events-chart")
    assert map_data(page, "A.locations.indexOf('SY07')") >= 0
    area_path(page, "SY07").click(force=True)
    page.wait_for_function("() => document.querySelector('#home-areas').innerText.includes('SY07')", timeout=TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('#home-events-chart .js-plotly-plot').data.some(t => (t.name || '').includes('—'))",
        timeout=TIMEOUT)
    settle(page)
    after = trace_names(page, "home-events-chart")
    assert after != before and all("Idleb" in n or "Idlib" in n for n in after if "—" in n)
    assert query(page)["area"] == "SY07"
    wait_map(page, "A.marker.line.width[A.locations.indexOf('SY07')] > 2")  # outlined
    assert page.console_errors == []


def control_state(page) -> dict:
    return page.evaluate("""() => ({
        level: document.querySelector('#home-level input:checked').value,
        indicator: document.querySelector('#home-indicator').innerText,
        range: document.querySelector('#home-range-text').innerText,
        areas: document.querySelector('#home-areas').innerText,
        agg: document.querySelector('#home-agg input:checked').value,
        layers: [...document.querySelectorAll('#home-layers input:checked')].map(i => i.value),
        step: document.querySelector('#home-step-label').innerText,
        map: document.querySelector('#home-map .js-plotly-plot').data.find(t => t.name === 'Admin areas').locations.length,
        events: document.querySelector('#home-events-chart .js-plotly-plot').layout.title.text,
    })""")


def test_a_copied_url_restores_the_view_and_back_and_forward_work(page, browser, synthetic_server):
    link = synthetic_server + "?level=2&ind=events&from=2019-01&to=2020-12&area=SY07&agg=week&layers=border,events"
    open_page(page, link)
    state = control_state(page)
    assert state["level"] == "2" and state["indicator"] == "Conflict events" and state["agg"] == "week"
    assert state["range"] == "Showing 1 Jan 2019 to 31 Dec 2020" and "SY07" in state["areas"]
    assert state["layers"] == ["border", "events"] and "per week" in state["events"]
    # change the view by hand, then open its URL in a fresh tab: the same state
    page.click("#home-level label:has-text('Sub-districts')")
    wait_map(page, "A.locations.every(p => p.length === 8)")
    settle(page)
    changed = control_state(page)
    copied = page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    open_page(other, copied)
    assert control_state(other) == changed
    other.context.close()
    # back: level 2 again; forward: level 3
    page.go_back()
    wait_map(page, "A.locations.every(p => p.length === 6)")
    settle(page)
    assert control_state(page) == state
    page.go_forward()
    wait_map(page, "A.locations.every(p => p.length === 8)")
    settle(page)
    assert control_state(page)["level"] == "3"
    assert page.console_errors == []


def test_layer_toggles_show_and_hide_layers_without_geometry(page, synthetic_server):
    open_page(page, synthetic_server)
    border = map_data(page, "g.data.findIndex(t => t.name === 'Syria–Türkiye border')")
    bands = map_data(page, "g.data.findIndex(t => t.name === '10, 25 and 50 km from the border')")
    assert map_data(page, f"g.data[{border}].visible") is True
    assert map_data(page, f"g.data[{bands}].visible") is False
    since = len(page.updates)
    page.click("#home-layers label:has-text('Border')")
    page.click("#home-layers label:has-text('10/25/50 km from the border')")
    wait_map(page, f"g.data[{border}].visible === false && g.data[{bands}].visible === true")
    settle(page)
    assert set(query(page)["layers"].split(",")) == {"bands", "crossings", "towns", "events", "flows"}
    assert not any("coordinates" in b or "geojson" in b for b in update_bodies(page, since) if "home-map" in b)
    assert page.locator("#home-map .geo .scatterlayer path.js-line").count() > 0
    assert page.console_errors == []


# an annotation's text as read: its lines (plotly's tspan.line) joined by spaces (textContent runs
# a wrapped note's lines together: "every figureof this chart")
AS_READ_JS = """a => {
    const lines = Array.from(a.querySelectorAll('tspan.line')).map(l => l.textContent);
    return lines.length ? lines.join(' ') : a.textContent; }"""


def notes_as_read(page, chart: str) -> list[str]:
    """The texts of a chart's annotations, as read."""
    return page.evaluate(f"""(chart) => Array.from(document.querySelectorAll(chart + ' .annotation-text'))
        .map({AS_READ_JS})""", chart)


def test_an_empty_selection_says_so(page, synthetic_server):
    open_page(page, synthetic_server + "?from=2011-03&to=2011-04&ind=events")
    for chart in ("displacement", "casualties", "events", "refugees"):
        page.wait_for_selector(f"#home-{chart}-chart .annotation-text", state="attached", timeout=TIMEOUT)
        texts = notes_as_read(page, f"#home-{chart}-chart")
        assert any("No figures in the selected period" in t for t in texts), chart
    # the border chart has nothing in the period, and says when its movements are (dashboard/panels/empty.py)
    border = " ".join(notes_as_read(page, "#home-border-chart"))
    assert "No figures in the selected period" in border and "Movements with a known destination are loaded for" in border
    assert "No Conflict events figures" in page.inner_text("#home-map-note")
    assert page.locator("#home-alert").is_hidden()
    assert page.console_errors == []


CHART_STATE_JS = """id => {
    const g = document.querySelector('#' + id + ' .js-plotly-plot');
    const drawn = g.data.some(t => t.visible !== false && !(t.meta && t.meta.table === false)
                                   && (t.y || []).some(v => v !== null && v !== undefined));
    const notes = Array.from(g.querySelectorAll('.annotation-text')).map(AS_READ);
    return {drawn, notes};
}""".replace("AS_READ", AS_READ_JS)


@pytest.mark.parametrize("link", ["?src=UNHCR&area=SY07", "?src=GeoNames&area=SY02"])
def test_one_source_and_one_area_draw_every_chart(page, server, link):
    """Shared links of one organisation and one area (they broke two charts and left the page
    loading): every chart draws or says it has nothing to draw."""
    open_page(page, server + link)
    settle(page)
    for chart in CHARTS:
        state = page.evaluate(CHART_STATE_JS, f"home-{chart}-chart")
        # (an empty chart says why: nothing in the period, nothing loaded, or the filter that excludes all)
        assert state["drawn"] or any(n.startswith("No ") or "every figure of this chart" in n
                                     for n in state["notes"]), (chart, state)
    assert page.locator("#home-alert").is_hidden()
    assert not page.locator("[data-dash-is-loading='true']").count()
    assert page.console_errors == []


def test_no_traceback_reaches_the_page(page, synthetic_server):
    """A damaged link opens with defaults; nothing in the page shows Python internals."""
    open_page(page, synthetic_server + "?level=9&ind=<script>&from=garbage&area=SY99,%00&top=-1&at=x")
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    assert json.loads(json.dumps(control_state(page)))["level"] == "1"
    assert page.console_errors == []


# ---- exports ---------------------------------------------------------------------------------------

def test_export_buttons_deliver_the_map_image_the_data_and_the_report(page, server, tmp_path):
    """Clicking Download and Situation report gives files made for the view on screen (the page
    keeps working, with no request off 127.0.0.1)."""
    import io

    import openpyxl
    from pypdf import PdfReader

    downloads = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    open_page(page, server + "?from=2020-02&to=2020-02&ind=idp_arrivals")
    settle(page, 1000)
    assert downloads == []  # nothing is exported until a button is clicked
    # nor is the export callback even called to draw the page (a request pending in it once kept
    # the export status loading after back and forward under load)
    asked = [r.request.post_data or "" for r in page.updates]
    assert asked and not any("home-download" in body for body in asked)
    with page.expect_download(timeout=120_000) as info:
        page.click("#home-export-go")
    png = tmp_path / info.value.suggested_filename
    info.value.save_as(png)
    assert png.name == "idlib_map_2020-02_2020-02.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 2000  # twice 1,000 px
    page.wait_for_function("() => document.querySelector('#home-export-status').innerText.includes('Downloaded')",
                           timeout=TIMEOUT)

    choose(page, "home-export-what", "Displacement")
    choose(page, "home-export-format", "Excel data (XLSX)")
    page.wait_for_function("() => document.querySelector('#home-export-format').innerText.includes('XLSX')",
                           timeout=TIMEOUT)
    with page.expect_download(timeout=120_000) as info:
        page.click("#home-export-go")
    assert info.value.suggested_filename == "idlib_displacement_2020-02_2020-02.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert book.sheetnames == ["data", "sources", "notes"]
    assert 752131 in [c.value for row in book["data"].iter_rows() for c in row]

    with page.expect_download(timeout=180_000) as info:
        page.click("#home-report-go")
    assert info.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(info.value.path())
    assert len(reader.pages) >= 4 and "Situation report" in reader.pages[0].extract_text()
    assert page.inner_text("#home-alert") == "" and page.console_errors == []
    off_host = [u for u in page.requests
                if urlparse(u).scheme not in ALLOWED_SCHEMES and urlparse(u).hostname != "127.0.0.1"]
    assert off_host == []


def test_a_failed_export_says_why_and_the_page_keeps_working(page, built_warehouse, backend):
    """No browser for the renderer on the server: the image export fails with a plain message; the
    data export and the controls still work."""
    with serve(built_warehouse, BROWSER_PATH="/nonexistent/chromium", **served_env(built_warehouse, backend)) as url:
        open_page(page, url)
        page.click("#home-export-go")
        page.wait_for_function("() => document.querySelector('#home-export-status').innerText.includes('failed')",
                               timeout=TIMEOUT)
        status = page.inner_text("#home-export-status")
        assert "The export failed." in status and "did not start" in status and "Traceback" not in status
        choose(page, "home-export-format", "CSV data")
        with page.expect_download(timeout=60_000) as info:
            page.click("#home-export-go")
        assert info.value.suggested_filename.endswith(".csv")
        assert not page.is_disabled("#home-export-go")

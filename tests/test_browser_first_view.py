# ruff: noqa: F811  (the browser fixtures are imported from tests/test_browser.py and used as arguments)
"""The analyst's first view in headless chromium (issue 15), on the offline default and on a warehouse
built from every real file in ../shared/data (the README's worked example: COD-AB admin 1-3, OCHA
communities and camps, HIU sites, the monthly sheet, OCHA IDP movements, UCDP GED; skipped when absent):

- at 1440x900 (and 1920x1080) the map and the headline figures are in the first viewport;
- at 390x844 nothing overflows the page sideways, the map takes the width, the graphs' tool bars
  cover no title;
- selecting Idleb (SY07) frames it: the map's visible extent lies within Idleb's bounding box grown
  by 50 % (and holds Idleb);
- a pan and zoom is kept in the URL, survives a reload and reaches the PNG export;
- hovering each Idleb sub-district's point (with every layer on) names that sub-district;
- every empty panel of the offline default says why and what would fill it.

The visible extent is read from plotly's own projection: the corners of the map's frame, inverted.
"""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.extent import VIEW  # noqa: F401  (the map's box, for the reader)
from tests.test_browser import (  # noqa: F401
    CHARTS,
    CSP_LISTENER,
    TIMEOUT,
    choose,
    on_console,
    serve,
    settle,
)

pytestmark = pytest.mark.browser
ALL_LAYERS = "border,bands,crossings,towns,camps,events,flows"

EXTENT_JS = """() => {
    const gd = document.querySelector('#home-map .js-plotly-plot');
    const geo = gd._fullLayout.geo._subplot, b = geo.bounds;
    const nw = geo.projection.invert(b[0]), se = geo.projection.invert(b[1]);
    return [nw[0], se[1], se[0], nw[1]];
}"""
FRAME_RECT_JS = """() => {
    const r = document.querySelector('#home-map .js-plotly-plot')._fullLayout.geo._subplot.bgRect.node()
        .getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
}"""
SCREEN_POINT_JS = """([lon, lat]) => {
    const g = document.querySelector('#home-map .js-plotly-plot')._fullLayout.geo._subplot;
    const p = g.projection([lon, lat]), r = g.bgRect.node().getBoundingClientRect();
    return [r.left + p[0] - g.bounds[0][0], r.top + p[1] - g.bounds[0][1]];
}"""


@pytest.fixture(scope="module")
def shared_root(shared_warehouse):
    """The warehouse from every real file in ../shared/data (the README's worked example, built once
    per session in tests/conftest.py): COD-AB admin 1-3, OCHA communities and camps, HIU sites and
    crossings, the monthly sheet, OCHA's IDP movements, UCDP's Syria GED release."""
    return shared_warehouse[0]


@pytest.fixture(params=["default", "shared"])
def site(request):
    """(url, warehouse root) of the offline default and of the ../shared/data warehouse."""
    if request.param == "default":
        return request.getfixturevalue("server"), request.getfixturevalue("built_warehouse")
    return request.getfixturevalue("shared_server"), request.getfixturevalue("shared_root")


def sized_page(browser, width: int, height: int):
    """A page of the given size that records console errors and CSP violations (see `done`)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.console_errors, page.csp_violations = [], []
    page.expose_function("__cspViolation", lambda text: page.csp_violations.append(text))
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda m: on_console(page, m))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def done(page):
    errors, violations = list(page.console_errors), list(page.csp_violations)
    page.context.close()
    assert errors == [] and violations == [], (errors, violations)


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#home-map .geo .choroplethlocation", state="attached", timeout=TIMEOUT)
    settle(page, 500)


def warehouse_of(root):
    from etl.core.warehouse import open_live

    return open_live(root)


def bbox_of(root, pcode: str) -> tuple:
    areas = warehouse_of(root).read("admin_areas")
    return tuple(areas.loc[areas["pcode"] == pcode].geometry.iloc[0].bounds)


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def inside(outer, inner, tolerance=0.0) -> bool:
    return (outer[0] <= inner[0] + tolerance and outer[1] <= inner[1] + tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


# ---- the first viewport ----------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)])
def test_the_map_and_the_headline_figures_are_in_the_first_viewport(browser, site, size):
    url, _ = site
    width, height = size
    page = sized_page(browser, width, height)
    open_map(page, url)
    left, top, right, bottom = page.evaluate(FRAME_RECT_JS)
    assert 0 <= left and right <= width and 0 <= top and bottom <= height, ("map frame", left, top, right, bottom)
    assert right - left >= 0.4 * width  # the map, not a thumbnail
    cards = page.evaluate("""() => Array.from(document.querySelectorAll('#home-headline .card')).map(c => {
        const r = c.getBoundingClientRect();
        return [c.id, r.top, r.bottom, c.querySelector('.card-value').innerText]; })""")
    seen = [c for c in cards if c[1] >= 0 and c[2] <= height]
    assert len(cards) == 5 and len(seen) >= 3, cards
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    done(page)


AREA_ROWS_JS = """() => Array.from(document.querySelectorAll('#home-area-panel .area-figure')).map(row => {
    const box = e => { if (!e) return null; const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const dt = row.querySelector('dt');
    return {name: dt.innerText, dt: box(dt), overflow: dt.scrollWidth > dt.clientWidth + 1,
            others: Array.from(row.querySelectorAll('.area-value, .area-sources li')).map(box)}; })"""


@pytest.mark.parametrize("lang, width, height", [("en", 1440, 900), ("ar", 1440, 900), ("ar", 390, 844)])
def test_the_area_panels_names_stand_clear_of_their_figures_and_sources(browser, server, lang, width, height):
    """Seen on a screenshot: with a long source line (an '[copy; original not found]' marker) the
    indicator's name was squeezed to a sliver and ran under the line. Each name's box meets no box
    of its value or sources, and its text fits its box."""
    page = sized_page(browser, width, height)
    open_map(page, server + f"?lang={lang}&area=SY07&from=2020-01&to=2020-03")
    page.wait_for_selector("#home-area-panel .area-figure", timeout=TIMEOUT)
    rows = page.evaluate(AREA_ROWS_JS)
    assert len(rows) >= 2 and any(len(r["others"]) > 1 for r in rows), rows

    def meet(a, b):
        return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5

    clash = [(r["name"], o) for r in rows for o in r["others"] if meet(r["dt"], o)]
    assert clash == [] and not [r["name"] for r in rows if r["overflow"]], (clash, rows)
    done(page)


def test_on_a_phone_nothing_overflows_and_the_map_takes_the_width(browser, site):
    url, _ = site
    page = sized_page(browser, 390, 844)
    open_map(page, url)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    left, _, right, _ = page.evaluate(FRAME_RECT_JS)
    assert right - left >= 0.85 * 390
    # the time sliders and every control lie inside the page
    wide = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#home-range, #home-step, .step-row, .period, .cards, .map-block, .chart-block')).filter(e => {
            const r = e.getBoundingClientRect(); return r.width && (r.left < 0 || r.right > 390); }).map(e => e.id || e.className)""")
    assert wide == []
    # the month inputs show their whole value (YYYY-MM), not a sliver of it
    cut = page.evaluate("""() => ['home-from', 'home-to'].map(id => document.getElementById(id)).filter(e =>
        e.getBoundingClientRect().width < 60 || e.scrollWidth > e.clientWidth).map(e => e.id)""")
    assert cut == []
    # the sliders' marks (years, months) are readable: no two shown overlap
    page.locator("#home-step").scroll_into_view_if_needed()
    settle(page, 300)
    overlaps = page.evaluate("""() => Array.from(document.querySelectorAll('.dash-slider-root')).flatMap(s => {
        const shown = Array.from(s.querySelectorAll('.dash-slider-mark')).filter(m =>
            getComputedStyle(m).visibility !== 'hidden' && m.getBoundingClientRect().width);
        return shown.slice(1).filter((m, i) => m.getBoundingClientRect().left < shown[i].getBoundingClientRect().right)
            .map(m => m.innerText); })""")
    assert overlaps == []
    # the filters are in a drawer: hidden, then opened by the Filters button
    assert not page.is_visible("#home-filters")
    page.click("#home-filters-toggle")
    page.wait_for_selector("#home-filters", state="visible", timeout=TIMEOUT)
    assert page.get_attribute("#home-filters-toggle", "aria-expanded") == "true"
    # no graph's tool bar covers its title (the titles are headings above the graphs)
    for graph in ("home-map", *(f"home-{c}-chart" for c in CHARTS)):
        if page.evaluate("id => document.getElementById(id).closest('[hidden]') !== null", graph):
            continue  # a chart no source fills is not on the page (issue 13)
        page.locator(f"#{graph}").scroll_into_view_if_needed()
        page.hover(f"#{graph} .js-plotly-plot")
        covered = page.evaluate("""id => {
            const t = document.getElementById(id + '-title').getBoundingClientRect();
            const bar = document.querySelector('#' + id + ' .modebar');
            if (!bar) return false;
            const m = bar.getBoundingClientRect();
            return !!t.width && m.left < t.right && t.left < m.right && m.top < t.bottom && t.top < m.bottom; }""", graph)
        assert not covered, graph
    # the legend is collapsible, and closed at first on a phone
    assert page.get_attribute("#home-map-legend", "open") is None
    done(page)


# ---- framing ----------------------------------------------------------------------------------------

def test_selecting_idleb_frames_it(browser, site):
    url, root = site
    page = sized_page(browser, 1440, 900)
    open_map(page, url)
    before = page.evaluate(EXTENT_JS)
    choose(page, "home-areas", "SY07", search="SY07")
    page.wait_for_function("() => new URLSearchParams(location.search).get('area') === 'SY07'", timeout=TIMEOUT)
    page.wait_for_function(f"b => {{ const e = ({EXTENT_JS})(); return Math.abs(e[0] - b[0]) > 1e-3; }}", arg=before,
                           timeout=TIMEOUT)
    settle(page, 500)
    extent = page.evaluate(EXTENT_JS)
    west, south, east, north = bbox_of(root, "SY07")
    dx, dy = (east - west) * 0.25, (north - south) * 0.25  # grown by 50 %: a quarter on each side
    assert inside((west - dx, south - dy, east + dx, north + dy), extent), (extent, (west, south, east, north))
    assert inside(extent, (west, south, east, north), tolerance=0.01)  # Idleb is in view, whole
    # outlined on the map
    assert page.evaluate("""() => { const g = document.querySelector('#home-map .js-plotly-plot');
        const A = g.data.find(t => t.type === 'choropleth' && Array.isArray(t.text));
        return A.marker.line.width[A.locations.indexOf('SY07')]; }""") > 2
    done(page)


def test_a_pan_and_zoom_survive_a_reload_and_reach_the_png_export(browser, server, built_warehouse, tmp_path):
    from PIL import Image

    page = sized_page(browser, 1440, 900)
    open_map(page, server)
    west, south, east, north = bbox_of(built_warehouse, "SY07")
    x, y = page.evaluate(SCREEN_POINT_JS, [(west + east) / 2, (south + north) / 2])
    page.mouse.move(x, y)
    # three zooms, each a gesture of its own: the next wheel waits until plotly has ended the last
    # one (its plotly_relayout, which Dash sends to the server)
    page.evaluate("() => { window.__relayouts = 0; document.querySelector('#home-map .js-plotly-plot')"
                  ".on('plotly_relayout', () => { window.__relayouts++; }); }")
    for zooms in range(3):
        page.mouse.wheel(0, -300)
        page.wait_for_function("n => window.__relayouts > n", arg=zooms, timeout=TIMEOUT)
    page.wait_for_function("() => new URLSearchParams(location.search).has('bbox')", timeout=TIMEOUT)
    settle(page, 500)
    zoomed = page.evaluate(EXTENT_JS)
    bbox = [float(v) for v in query(page)["bbox"].split(",")]
    assert all(abs(a - b) < 0.002 for a, b in zip(zoomed, bbox)), (zoomed, bbox)
    assert zoomed[2] - zoomed[0] < 0.8 * (east - west)  # zoomed in, inside Idleb
    page.reload()
    open_map(page, page.url)
    again = page.evaluate(EXTENT_JS)
    assert all(abs(a - b) < 0.005 for a, b in zip(again, zoomed)), (again, zoomed)

    def sea_share(png: bytes) -> float:
        """The share of the map's frame painted in the sea's colour (#dce9f2)."""
        image = Image.open(io.BytesIO(png)).convert("RGB")
        w, h = image.size
        crop = image.crop((int(w * 0.05), int(h * 0.15), int(w * 0.95), int(h * 0.5)))
        pixels = list(crop.get_flattened_data()) if hasattr(crop, "get_flattened_data") else list(crop.getdata())
        return sum(1 for p in pixels if abs(p[0] - 0xdc) < 6 and abs(p[1] - 0xe9) < 6 and abs(p[2] - 0xf2) < 6) / len(pixels)

    def export() -> bytes:
        with page.expect_download(timeout=120_000) as info:
            page.click("#home-export-go")
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        return path.read_bytes()
    zoomed_png = export()
    page.click("#home-reset-view")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('bbox')", timeout=TIMEOUT)
    settle(page, 500)
    framed_png = export()
    # the default frame shows the Mediterranean west of Idleb; zoomed into Idleb, no sea
    assert sea_share(framed_png) > 0.03 and sea_share(zoomed_png) < 0.005, (sea_share(framed_png), sea_share(zoomed_png))
    done(page)


# ---- hover goes to the area first --------------------------------------------------------------------

# the map's hover label (its texts, as Playwright's all_text_contents reads them, joined by spaces);
# plotly sets gd._hoverdata anew, and draws the label, in the same task when it hovers a new point
HOVER_LABEL_JS = """() => {
    window.__lastHover = document.querySelector('#home-map .js-plotly-plot')._hoverdata;
    return Array.from(document.querySelectorAll('#home-map .hoverlayer .hovertext')).map(e => e.textContent).join(' '); }"""
# true once plotly has hovered a point other than the last one checked and its label holds `name`
HOVER_NAMES_JS = """name => {
    const hovered = document.querySelector('#home-map .js-plotly-plot')._hoverdata;
    if (!hovered || hovered === window.__lastHover) return false;
    const label = Array.from(document.querySelectorAll('#home-map .hoverlayer .hovertext')).map(e => e.textContent).join(' ');
    if (!label.includes(name)) return false;
    window.__lastHover = hovered;
    return true; }"""


@pytest.mark.parametrize("where", ["shared", "synthetic"])
def test_hovering_each_idleb_sub_district_names_it(browser, request, where):
    """Every layer on (border, bands, crossings, towns, camps, events, flows), sub-districts, Idleb
    framed: the hover label at each sub-district's point (area_metrics: inside the polygon) names it."""
    if where == "shared":
        url, root = request.getfixturevalue("shared_server"), request.getfixturevalue("shared_root")
        view = "?level=3&ind=events&from=2019-01&to=2019-11"
    else:
        url, root = request.getfixturevalue("synthetic_server"), request.getfixturevalue("synthetic_warehouse")
        view = "?level=3&ind=events&from=2020-01&to=2020-03&top=100"
    live = warehouse_of(root)
    areas = live.read("admin_areas")
    if not (areas["level"] == 3).any():
        pytest.skip("no sub-districts in this warehouse")
    names = dict(zip(areas["pcode"], areas["name_en"]))
    metrics = live.read("area_metrics")
    points = metrics[(metrics["level"] == 3) & metrics["pcode"].str.startswith("SY07")]
    assert len(points) >= 20
    page = sized_page(browser, 1440, 1400)
    open_map(page, url + view + f"&layers={ALL_LAYERS}&area=SY07")
    page.locator("#home-map").scroll_into_view_if_needed()
    rows = list(points.itertuples())
    screen = page.evaluate(f"lonlats => lonlats.map({SCREEN_POINT_JS})", [[r.lon, r.lat] for r in rows])  # one round trip
    wrong = []
    for r, (x, y) in zip(rows, screen):
        page.mouse.move(x, y)
        try:  # until plotly has hovered this point (not the last one) and its label names it
            page.wait_for_function(HOVER_NAMES_JS, arg=names[r.pcode], timeout=3000)
            continue
        except PlaywrightTimeout:
            label = page.evaluate(HOVER_LABEL_JS)
        if names[r.pcode] not in label:
            wrong.append((r.pcode, names[r.pcode], label[:80]))
    assert wrong == []
    done(page)


# ---- empty states ------------------------------------------------------------------------------------

def test_every_empty_panel_of_the_offline_default_says_why(browser, server):
    """The offline default has no conflict events and no movements placed in sub-districts: the charts
    drawn from them, and the map's events and flows layers, say which sources would fill them and link
    to the README's section (served at /help/data); a chart with nothing drawn cites no source."""
    page = sized_page(browser, 1440, 900)
    open_map(page, server)
    empty = page.evaluate("""() => Array.from(document.querySelectorAll('.chart-block')).map(b => {
        // each note as read: its lines (tspan.line) joined by spaces, as a wrapped sentence reads
        const notes = Array.from(b.querySelectorAll('.annotation-text')).map(a => {
            const lines = Array.from(a.querySelectorAll('tspan.line')).map(l => l.textContent);
            return lines.length ? lines.join(' ') : a.textContent; });
        const links = Array.from(b.querySelectorAll('.annotation-text a')).map(a => a.getAttribute('href')
            || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '');
        return [b.id, notes.join(' '), links, b.querySelector('.sources').innerText]; })
        .filter(b => /are loaded|No figures in the selected period|exclude/.test(b[1]))""")  # (not the key dates' and direct labels' annotations)
    names = {e[0] for e in empty}
    assert {"home-events-block", "home-border-block"} <= names, empty
    for block, text, _links, _sources in empty:
        assert "are loaded" in text or "filter" in text or "No figures in the selected period" in text, (block, text)
    events = next(e for e in empty if e[0] == "home-events-block")
    assert "No conflict events are loaded" in events[1] and "ACLED" in events[1] and "UCDP" in events[1]
    assert any(link.startswith("/help/data#") for link in events[2])
    assert "none for the selected period" in events[3]  # no source listed for a chart that draws nothing
    border = next(e for e in empty if e[0] == "home-border-block")
    assert "No movements with a known destination are loaded" in border[1] and "cod_ab" in border[1]
    notes = page.inner_text("#home-map-note")
    assert "No conflict events are loaded" in notes and "No origin–destination movements are loaded" in notes
    assert page.locator("#home-map-note a[href^='/help/data']").count() >= 2
    # the link leads to the README's section, served by the app (offline)
    page.goto(server.rstrip("/") + "/help/data#sources-the-etl-reads")
    assert page.locator("#sources-the-etl-reads").count() == 1 and page.locator("#acled-event-exports-acled").count() == 1
    done(page)


# ---- Arabic ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_the_arabic_page_fits_both_screens(browser, server, size):
    """Right to left, the same first view: nothing overflows sideways, the month inputs show their
    values, the slider marks do not overlap; on the desktop the map and three figures are in view."""
    width, height = size
    page = sized_page(browser, width, height)
    open_map(page, server + "?lang=ar")
    assert page.locator(".page[dir='rtl']").count() >= 1  # the page is in Arabic, right to left
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    cut = page.evaluate("""() => ['home-from', 'home-to'].map(id => document.getElementById(id)).filter(e =>
        e.getBoundingClientRect().width < 60 || e.scrollWidth > e.clientWidth).map(e => e.id)""")
    assert cut == []
    overlaps = page.evaluate("""() => Array.from(document.querySelectorAll('.dash-slider-root')).flatMap(s => {
        const shown = Array.from(s.querySelectorAll('.dash-slider-mark')).filter(m =>
            getComputedStyle(m).visibility !== 'hidden' && m.getBoundingClientRect().width)
            .map(m => m.getBoundingClientRect()).sort((a, b) => a.left - b.left);
        return shown.slice(1).filter((r, i) => r.left < shown[i].right).map(r => r.left); })""")
    assert overlaps == []
    if width >= 1000:
        left, top, right, bottom = page.evaluate(FRAME_RECT_JS)
        assert 0 <= left and right <= width and 0 <= top and bottom <= height
        seen = page.evaluate(f"""() => Array.from(document.querySelectorAll('#home-headline .card')).filter(c => {{
            const r = c.getBoundingClientRect(); return r.top >= 0 && r.bottom <= {height}; }}).length""")
        assert seen >= 3
    done(page)

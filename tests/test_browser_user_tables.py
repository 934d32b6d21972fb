# ruff: noqa: F811  (the browser fixtures are imported from tests/test_browser.py and used as arguments)
"""What users' files bring, in a real browser (Debian's chromium, Playwright):

- on a warehouse of the SYNTHETIC layout fixtures (tests/fixtures/layouts/): each new table reaches
  the page: people in need, severity, population, monthly event counts and earthquake deaths as
  map indicators; the people-in-need and asylum charts; the counts beside the events; earthquake
  deaths never drawn as conflict deaths;
- on a warehouse built from every real file in ../shared/data (README's worked example; skipped
  when absent): OCHA's January 2019 origin -> destination flows drawn toward the border, and the
  UCDP Syria events drawn as points.

Screenshots go to $IDLIB_SCREENSHOTS when it is set (the review of issue 13 looked at them).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import served_env
from tests.test_browser import TIMEOUT, map_data, page, serve, settle, trace_names, wait_map  # noqa: F401

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("IDLIB_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def open_view(page, url: str, charts: tuple[str, ...] = ()) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    page.wait_for_selector("#home-map .geo .choroplethlocation", state="attached", timeout=TIMEOUT)
    for chart in charts:
        page.wait_for_selector(f"#home-{chart}-chart .js-plotly-plot .main-svg", state="attached", timeout=TIMEOUT)
    settle(page)


@pytest.fixture(scope="module")
def layouts_server(layouts_warehouse, backend):
    with serve(layouts_warehouse, **served_env(layouts_warehouse, backend)) as url:
        yield url


def area_values(page) -> dict:
    """pcode -> the value the map's hover shows ("<indicator>: 240,000"); the trace's z holds class
    indices, not values."""
    texts = map_data(page, "Object.fromEntries(A.locations.map((p, i) => [p, A.customdata[i][0]]))")
    out = {}
    for pcode, text in texts.items():
        number = str(text).rsplit(": ", 1)[-1].replace(",", "")
        try:
            out[pcode] = float(number)
        except ValueError:  # "no data"
            continue
    return out


@pytest.mark.parametrize(("indicator", "query", "expected"), [
    ("people_in_need", "from=2023-01&to=2023-12&level=3", {"SY070301": 240000, "SY070300": 72000}),
    ("severity", "from=2023-01&to=2023-12&level=3", {"SY070301": 5, "SY070000": 3}),
    ("population", "from=2022-01&to=2022-12&level=3", {"SY070000": 40000}),
    ("events_counted", "from=2019-05&to=2019-05&level=2", {"SY0702": 112, "SY0704": 41}),
    ("killed_earthquake", "from=2023-02&to=2023-02&level=3", {"SY070300": 230, "SY070305": 210}),
])
def test_each_new_table_is_a_map_indicator(page, layouts_server, indicator, query, expected):
    open_view(page, f"{layouts_server}?{query}&ind={indicator}")
    wait_map(page, "A.customdata && A.customdata.some(c => /\\d$/.test(c[0]))")
    got = area_values(page)
    assert {p: got.get(p) for p in expected} == expected
    menu = page.locator("#home-indicator").inner_text()
    assert menu.strip()  # the indicator's label shows in its control
    shot(page, f"indicator-{indicator}")
    assert page.console_errors == []


def test_the_new_charts_draw_and_earthquake_deaths_are_not_conflict_deaths(page, layouts_server):
    open_view(page, f"{layouts_server}?from=2018-01&to=2023-12", charts=("needs", "asylum", "casualties", "events"))
    assert page.locator("#home-needs-block").is_visible() and page.locator("#home-asylum-block").is_visible()
    assert trace_names(page, "home-needs-chart") == ["SYNTHETIC TEST DATA"]
    bars = page.evaluate("() => document.querySelector('#home-needs-chart .js-plotly-plot').data[0].x")
    assert sorted(bars) == [362000, 395500, 436000]
    assert "Recognized (refugee status)" in trace_names(page, "home-asylum-chart")
    page.locator("#home-needs-block").scroll_into_view_if_needed()
    shot(page, "needs-and-asylum-charts")
    casualties = trace_names(page, "home-casualties-chart")
    # its deaths and injuries named by cause (its community figures drawn as places within the area, issue 16)
    assert any(n.startswith("SYNTHETIC TEST DATA (earthquake) — earthquake") and "injured" not in n for n in casualties)
    assert any(n.startswith("SYNTHETIC TEST DATA (earthquake) — earthquake: injured") for n in casualties)
    assert "OCHA — earthquake" in casualties  # the committed earthquake figure, apart from OCHA's conflict deaths
    assert not [n for n in casualties if "SYNTHETIC TEST DATA (earthquake)" in n and "earthquake" not in n[34:]]
    assert "ACLED (monthly counts)" in trace_names(page, "home-events-chart")
    page.locator("#home-casualties-block").scroll_into_view_if_needed()
    shot(page, "casualties-by-cause")
    assert page.console_errors == []


def test_the_default_page_hides_the_charts_no_source_fills(page, server):
    """(`server`: the session's app on the offline default, tests/conftest.py)"""
    open_view(page, server)
    assert not page.locator("#home-needs-block").is_visible()
    assert not page.locator("#home-asylum-block").is_visible()
    options = page.evaluate("() => document.querySelector('#home-export-what').innerText")
    assert "People in need" not in options


def test_real_flows_toward_the_border_and_ucdp_events_as_points(page, shared_server):
    """OCHA's January 2019 workbook: flows between governorates (Hama -> Idleb 1,537, Aleppo -> Idleb
    2,273, Idleb -> Aleppo 6,366) drawn as arcs at the governorate level; UCDP's Syria release drawn
    as points in May 2019 (168 events in Idlib's box that month, SOURCE.txt)."""
    open_view(page, f"{shared_server}?from=2019-01&to=2019-01&level=1&ind=flows_in&layers=border,bands,crossings,flows")
    wait_map(page, "g.data.some(t => t.name && t.meta && t.meta.sources && t.meta.sources.includes('ocha-idp-flows-2019-01'))")
    flows = map_data(page, "g.data.filter(t => (t.meta && t.meta.sources || []).includes('ocha-idp-flows-2019-01'))"
                           ".map(t => ({name: t.name, n: (t.lon || []).filter(v => v !== null).length, "
                           "text: JSON.stringify(t.hovertext || t.text || t.customdata || '')}))")
    assert flows and sum(f["n"] for f in flows) > 0
    text = " ".join(f["text"] for f in flows)
    assert "Hama" in text and "Idleb" in text and "1,537" in text
    assert "people displaced" in text and "movements" not in text  # OCHA's matrix counts people
    note = page.locator("#home-map-notes, .map-notes").first.inner_text() if page.locator(".map-notes").count() else ""
    shot(page, "real-ocha-flows-2019-01")
    open_view(page, f"{shared_server}?from=2019-05&to=2019-05&level=3&ind=events&layers=border,crossings,events")
    wait_map(page, "g.data.some(t => t.type === 'scattergeo' && (t.meta && t.meta.sources || []).includes('ucdp-ged-syria')"
                   " && (t.lon || []).length > 0)")
    points = map_data(page, "g.data.filter(t => t.type === 'scattergeo' && (t.meta && t.meta.sources || [])"
                            ".includes('ucdp-ged-syria') && !/density/i.test(t.name || '')).reduce((n, t) => n + (t.lon || []).length, 0)")
    assert points >= 100, note
    shot(page, "real-ucdp-events-2019-05")
    assert page.console_errors == []

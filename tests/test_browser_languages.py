# ruff: noqa: F811  (the browser fixtures are imported from tests/test_browser.py and used as arguments)
"""Arabic and English in the browser, right to left, and accessibility (WCAG 2.1 AA): axe-core
from npm injected into the page, and a keyboard-only walk through every control."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard.i18n import strip_bidi, translator
from tests.test_browser import TIMEOUT, choose, open_page, page, settle  # noqa: F401

pytestmark = pytest.mark.browser
AR = translator("ar")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_script() -> str:
    from scripts.fetch_axe import fetch

    return str(fetch())


def axe_violations(page, axe_script) -> list[dict]:
    # evaluated by the test, not added as a <script> element: the page's CSP refuses inline scripts
    page.evaluate(Path(axe_script).read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""", WCAG)


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_arabic_page_is_right_to_left_and_translated(page, server):
    open_page(page, server + "?lang=ar")
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.get_attribute(".page", "dir") == "rtl"
    assert page.inner_text("h1") == AR("Idlib displacement dashboard")
    # every label, button, heading and option of the interface is in Arabic (data, such as source
    # titles, organisations and area names, keeps its own language)
    chrome = page.evaluate("""() => Array.from(document.querySelectorAll(
        'label.control-label, button, summary, h1, .lede, #home-range-text, #home-step-label, .dash-dropdown-value,'
        + ' .dash-options-list-option-text')).map(e => e.innerText.trim()).filter(Boolean)""")
    untranslated = [text for text in chrome if LATIN_WORD.search(re.sub(r"\b(PNG|SVG|PDF|CSV|XLSX|English|UTC)\b", "", text))]
    assert len(chrome) > 30 and untranslated == []
    assert "شباط" in page.inner_text("#home-range-text") or "آب" in page.inner_text("#home-range-text")
    # the charts stay left to right (time runs left to right) with an Arabic title
    assert page.get_attribute("#home-displacement-chart >> xpath=ancestor::div[contains(@class,'graph')]", "dir") == "ltr"
    assert page.evaluate("() => document.querySelector('#home-displacement-chart .gtitle').textContent").strip() \
        .strip("\u202b\u202c") == AR("Displacement in north-west Syria, by reporting period")
    assert page.console_errors == []


def test_the_language_switch_redraws_the_page_and_keeps_the_view(page, server):
    open_page(page, server + "?from=2020-02&to=2020-03")
    page.click("#home-lang input[value=ar]")
    page.wait_for_function("() => document.documentElement.dir === 'rtl'", timeout=TIMEOUT)
    page.wait_for_function("t => document.querySelector('h1').innerText === t", arg=AR("Idlib displacement dashboard"),
                           timeout=TIMEOUT)
    assert query(page) == {"from": "2020-02", "to": "2020-03", "lang": "ar"}
    page.go_back()
    page.wait_for_function("() => document.documentElement.dir === 'ltr'", timeout=TIMEOUT)
    assert page.inner_text("h1") == "Idlib displacement dashboard"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_finds_no_serious_or_critical_violation(page, server, axe_script, lang):
    open_page(page, server + f"?lang={lang}&from=2020-02&to=2020-02")
    page.wait_for_load_state("networkidle")
    settle(page, 800)
    for summary in page.locator(".table-view summary").all()[:2]:  # the map's and a chart's data tables open
        summary.click()
    page.wait_for_selector("#home-map-table table", timeout=TIMEOUT)
    violations = axe_violations(page, axe_script)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_axe_on_the_analysts_page_with_events_and_flows(page, synthetic_server, axe_script):
    open_page(page, synthetic_server + "?level=3&ind=events&lang=ar")
    settle(page, 800)
    bad = [v for v in axe_violations(page, axe_script) if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_every_chart_and_the_map_have_a_text_alternative_and_a_table(page, server):
    open_page(page, server + "?from=2020-02&to=2020-02&ind=idp_arrivals")
    settle(page, 500)
    for graph in ("home-map", "home-displacement-chart"):
        box = page.locator(f"#{graph} >> xpath=ancestor::div[@role='figure']")
        assert box.get_attribute("aria-describedby") == f"{graph}-summary"
        assert page.text_content(f"#{graph}-summary").startswith("Chart:")
    assert page.locator("#home-map-table tr").count() == 0  # built when opened, not on every view
    page.click("#home-map-table >> xpath=.. >> summary")
    page.wait_for_selector("#home-map-table tbody tr", timeout=TIMEOUT)  # written by assets/a11y.js on opening
    rows = page.locator("#home-map-table tbody tr")
    assert rows.count() >= 9
    idleb = page.locator("#home-map-table tbody tr", has_text="SY07").inner_text()
    assert "Idleb" in idleb and "344,110" in idleb  # the value the map colours Idleb by (HNAP, Feb 2020)
    # an open table follows the map
    choose(page, "home-indicator", "IDP departures")
    page.wait_for_function("() => !document.querySelector('#home-map-table').innerText.includes('344,110')",
                           timeout=TIMEOUT)
    assert "IDP departures" in page.text_content("#home-map-summary")


def tab_to(page, predicate_js: str, limit: int = 200):
    """Press Tab until the focused element matches; the focused elements seen when it does not."""
    seen = []
    # one round trip per press: true when the focused element matches, else what it is
    check = (f"() => {{ const e = document.activeElement; if (!!e && ({predicate_js})) return true;"
             " return e ? e.tagName + '#' + e.id + '.' + (e.name || '') : null; }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(check)
        if focused is True:
            return True
        seen.append(focused)
    return seen[:40]


# the control owning the focused element, and whether its focus is visible (past the last control
# the focus is on the page itself)
FOCUSED_JS = """() => {
    const e = document.activeElement, c = e && e.closest('[id^=home-]');
    if (e === document.body) return [c ? c.id : null, true];
    const s = getComputedStyle(e);
    return [c ? c.id : null, s.outlineStyle !== 'none' || s.boxShadow !== 'none']; }"""


def test_keyboard_alone_reaches_every_control_and_changes_the_view(page, synthetic_server):
    open_page(page, synthetic_server)
    settle(page, 500)
    controls = ["home-lang", "home-range", "home-level", "home-indicator", "home-per10k", "home-agg", "home-areas",
                "home-sources", "home-etypes", "home-reset", "home-export-what", "home-export-format",
                "home-export-width", "home-export-go", "home-report-go", "home-layers", "home-topn", "home-play",
                "home-step", "home-step-unit"]
    # every element the focus lands on is recorded by the page as it lands (one round trip per press,
    # not two), with whether its focus is visible
    page.evaluate(f"""() => {{ window.__tabbed = [];
        document.addEventListener('focusin', () => window.__tabbed.push(({FOCUSED_JS})()), true); }}""")
    for _ in range(320):  # (the presets, month inputs, cards, rate and key-date controls and source links: ~230 stops)
        page.keyboard.press("Tab")
    tabbed = page.evaluate("() => window.__tabbed")
    assert len(tabbed) >= 230, len(tabbed)
    assert [owner for owner, visible_focus in tabbed if not visible_focus] == []
    reached = {owner for owner, _ in tabbed if owner}
    assert [c for c in controls if c not in reached] == []

    open_page(page, synthetic_server)
    settle(page, 500)
    # the indicator: a dropdown opened with Enter, an option chosen with the arrows and Enter
    found = tab_to(page, "e.id === 'home-indicator'")
    assert found is True, found
    before = query(page).get("ind")
    page.keyboard.press("Enter")
    page.wait_for_selector(".dash-dropdown-content", timeout=TIMEOUT)
    # the open list puts the focus on the chosen option; an arrow pressed before that happens moves
    # from the top of the list onto the chosen option itself (seen once under load: nothing changed)
    focused_option = "() => (document.activeElement.closest('.dash-dropdown-content [role=option] input') || {}).value"
    page.wait_for_function(f"() => ({focused_option})() !== undefined", timeout=TIMEOUT)
    chosen = page.evaluate(focused_option)
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"c => ({focused_option})() !== c", arg=chosen, timeout=TIMEOUT)
    page.keyboard.press("Enter")
    page.wait_for_function("b => new URLSearchParams(location.search).get('ind') !== b", arg=before, timeout=TIMEOUT)
    settle(page)
    # each next change starts from the page opened afresh at the view reached
    open_page(page, page.url)
    settle(page, 500)
    # the admin level: a radio group, changed with the arrow keys
    assert tab_to(page, "e.name === 'home-level'")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('level=2')", timeout=TIMEOUT)
    settle(page)
    open_page(page, page.url)
    settle(page, 500)
    # the period: the slider's handle moved with Page Up
    assert tab_to(page, "e.getAttribute('role') === 'slider' && !!e.closest('#home-range')")
    text = page.inner_text("#home-range-text")
    for _ in range(3):
        page.keyboard.press("PageUp")
    page.wait_for_function("t => document.querySelector('#home-range-text').innerText !== t", arg=text, timeout=TIMEOUT)
    page.wait_for_function("() => new URLSearchParams(location.search).has('from')", timeout=TIMEOUT)
    settle(page)
    open_page(page, page.url)
    settle(page, 500)
    # play / pause with Enter
    assert tab_to(page, "e.id === 'home-play'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#home-play').getAttribute('aria-pressed') === 'true'",
                           timeout=TIMEOUT)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#home-play').getAttribute('aria-pressed') === 'false'",
                           timeout=TIMEOUT)


def test_arabic_axis_titles_clear_their_tick_labels(page, server):
    """plotly.js measures labels in a hidden SVG under <body>; in a right-to-left page it measured
    them wrong and drew the y axis titles over the tick labels (assets/style.css keeps it ltr)."""
    open_page(page, server + "?lang=ar&from=2020-01&to=2020-03")
    settle(page, 500)
    # the displacement chart has no y axis title: a panel per unit, each titled above its plot
    for graph in ("home-casualties-chart", "home-refugees-chart"):
        title, labels = page.evaluate("""id => {
            const gd = document.querySelector('#' + id + ' .js-plotly-plot'), at = gd.getBoundingClientRect();
            const t = gd.querySelector('.ytitle').getBoundingClientRect();
            const ticks = Array.from(gd.querySelectorAll('.ytick text')).map(e => e.getBoundingClientRect().left - at.left);
            return [[t.left - at.left, t.right - at.left], Math.min(...ticks)]; }""", graph)
        assert 0 <= title[0] and title[1] <= labels, (graph, title, labels)
    assert page.evaluate("() => document.querySelectorAll('#home-displacement-chart .ytitle, "
                         "#home-displacement-chart .y2title').length") == 0


# per chart with dates on its x axis and a legend: how far the lowest tick label reaches below the
# legend's top (> 0: the legend, white, covers the labels' ends), the labels' rotation and text
TICKS_UNDER_LEGEND_JS = """() => Array.from(document.querySelectorAll('[id^=home-][id$=-chart] .js-plotly-plot'))
    .map(gd => {
        const ticks = Array.from(gd.querySelectorAll('.xaxislayer-above text'));
        const legend = gd.querySelector('.legend');
        if (!ticks.length || !legend) return null;
        return [gd.parentElement.id, Math.max(...ticks.map(e => e.getBoundingClientRect().bottom))
                - legend.getBoundingClientRect().top, ticks[0].getAttribute('transform') || '', ticks[0].textContent];
    }).filter(Boolean)"""


@pytest.mark.parametrize("width", [390, 1440])
def test_the_charts_month_labels_end_above_their_legend(page, server, width):
    """Over a few months the x axis labels months ("كانون الثاني 2020"); where they crowd, plotly
    slants them: on a phone, and in Arabic on a wide screen too. The legend (white) under the axis
    covered the slanted Arabic labels' ends (by 8-28 px, measured) and touched the English ones on a
    phone; the room under the plot is now set by language (figures.series.AXIS_PX)."""
    page.set_viewport_size({"width": width, "height": 844})
    slanted = 0
    for lang in ("en", "ar"):
        for span in ("from=2019-12&to=2020-03", "from=2019-09&to=2019-11"):
            open_page(page, server + f"?lang={lang}&{span}")
            settle(page, 500)
            charts = page.evaluate(TICKS_UNDER_LEGEND_JS)
            assert charts, (lang, span)
            for chart, below, transform, text in charts:
                assert below <= 0, (lang, width, span, chart, below, transform, text)
                slanted += "rotate" in transform
    assert slanted  # the case the test is for: slanted labels were drawn


# the x position of each character of `needle` in the first text node under `selector` holding it
CHAR_X_JS = """([selector, needle]) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(needle);
        if (at < 0) continue;
        const xs = [];
        for (let i = at; i < at + needle.length; i++) {
            const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
            xs.push(r.getBoundingClientRect().left);
        }
        return xs;
    }
    return null; }"""


def test_the_arabic_footer_timestamp_reads_in_order(page, server):
    """The footer's build time was the warehouse's ISO timestamp, which an Arabic line turned round
    ("06T06:07:26+00:00-12-2026"): now a CLDR date and the time in <bdi>, and on screen the version
    and the time each run left to right, unbroken, and the version (first in the sentence) right of
    the time (last)."""
    open_page(page, server + "?lang=ar")
    bdi = page.eval_on_selector_all("#home-version bdi", "els => els.map(e => e.textContent)")
    version, stamp = bdi[0], strip_bidi(bdi[1])
    assert re.fullmatch(r"\d{1,2} [\u0600-\u06FF ]+ \d{4} \d{2}:\d{2} UTC", stamp), stamp
    assert not re.search(r"\dT\d", bdi[1]) and "+00:00" not in page.inner_text("#home-version")
    time = re.search(r"\d{2}:\d{2} UTC", stamp).group(0)
    for needle in (version, time):
        xs = page.evaluate(CHAR_X_JS, ["#home-version", needle])
        assert xs and all(a < b for a, b in zip(xs, xs[1:])), (needle, xs)  # left to right, in order
    boxes = page.eval_on_selector_all("#home-version bdi", "els => els.map(e => e.getBoundingClientRect().left)")
    assert boxes[0] > boxes[1]  # right to left: the version, then the date


def test_arabic_controls_keep_their_gap_and_the_play_button_its_room(page, server):
    """In Arabic a checkbox or radio sits right of its label with a gap (it touched it), and the
    step slider's month labels stay clear of the Play button."""
    open_page(page, server + "?lang=ar&from=2020-01&to=2020-12")
    gaps = page.evaluate("""() => Array.from(document.querySelectorAll('.dash-options-list-option')).filter(
        o => o.offsetParent).map(o => {
            const box = o.querySelector('input').getBoundingClientRect();
            const text = o.querySelector('.dash-options-list-option-text').getBoundingClientRect();
            return box.left - text.right; })""")
    assert gaps and min(gaps) >= 4, gaps
    play = page.eval_on_selector("#home-play", "e => e.getBoundingClientRect().toJSON()")
    marks = page.eval_on_selector_all("#home-step .dash-slider-mark", "els => els.map(e => e.getBoundingClientRect().toJSON())")
    assert marks and all(m["right"] <= play["left"] or m["left"] >= play["right"] or m["top"] >= play["bottom"]
                         for m in marks), (play, marks)

"""Arabic text in logical order: the runs of another direction inside Arabic text (Latin words,
acronyms, P-codes, ISO dates, timestamps, versions, addresses) isolated with Unicode bidi isolates,
dates written as CLDR formats, and the page's footer timestamp never an ISO string.

"Logical order" here: with the bidi controls removed the text is exactly the text as written
(nothing reordered or lost), every isolate is closed, and each left-to-right run (an ISO date, an
acronym, a version) lies whole inside one isolate, so that the bidi algorithm lays it out left to
right as one unit; what the renderers make of that is checked in tests/dashboard/export/test_arabic.py
(SVG text and pypdf) and in the browser (tests/test_browser_languages.py)."""
from __future__ import annotations

import re

import pytest
from dash import html

from dashboard.figures.common import bidi_figure
from dashboard.i18n import FSI, LRI, PDI, RLE, bidi_line, fmt_published, fmt_timestamp, isolate, strip_bidi

ISOLATED = re.compile(f"[{LRI}{FSI}]([^{PDI}]*){PDI}")


def runs(text: str) -> list[str]:
    return ISOLATED.findall(text)


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in (LRI, FSI, "\u2067")
        depth -= ch == PDI
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("text, expected", [
    # the legend: the acronym isolated, the Arabic and its brackets left to the algorithm
    ("OCHA (الوافدون من النازحين): ضمن 10 كم", ["OCHA"]),
    # an ISO date and a timestamp whole (not '16-04-2015', not '06T06:07:26+00:00-12-2026')
    ("نُشر في 2015-04-16", ["2015-04-16"]),
    ("أُنشئ في 2026-12-06T06:07:26+00:00", ["2026-12-06T06:07:26+00:00"]),
    ("المنطقة SY0702 (إدلب)", ["SY0702"]),
    ("نسخة البيانات 20261206T115248.915283Z-ec76، المبنية", ["20261206T115248.915283Z-ec76"]),
    # a Latin title with its own brackets and dates in one run; an address whole
    ("ريتش: Northwest Syria: Situation Overview (16 March 2020)، نُشر", ["Northwest Syria: Situation Overview (16 March 2020)"]),
    ("صفحة https://www.geonames.org/ ok", ["https://www.geonames.org/ ok"]),
    # plain numbers and CLDR dates are left as they are (the algorithm keeps them in order)
    ("الفترة: 1 شباط 2020 – 29 شباط 2020", []),
    ("أوتشا \u2066~752,131\u2069", ["~752,131"]),  # already isolated: not again
])
def test_isolate_keeps_the_text_and_isolates_each_left_to_right_run(text, expected):
    out = isolate(text, "ar")
    assert strip_bidi(out) == strip_bidi(text)
    assert balanced(out)
    assert runs(out) == expected


def test_isolate_leaves_english_markup_and_placeholders_alone():
    assert isolate("OCHA: 2015-04-16", "en") == "OCHA: 2015-04-16"
    assert isolate("HNAP", "ar") == "HNAP"  # no Arabic: nothing to order
    out = isolate("<b>أوتشا</b> %{y:,}<br>OCHA &amp; WFP", "ar")
    assert "<b>" in out and "</b>" in out and "<br>" in out and "&amp;" in out
    assert f"{FSI}%{{y:,}}{PDI}" in out  # a placeholder's value isolated by its own first letter


def test_bidi_line_embeds_arabic_right_to_left():
    line = bidi_line("OCHA (الوافدون من النازحين): ضمن 10 كم", "ar")
    assert line.startswith(RLE) and runs(line) == ["OCHA"]
    assert bidi_line("OCHA", "en") == "OCHA"


def test_dates_in_arabic_are_cldr_never_iso():
    assert fmt_published("2015-04-16", "ar") == "16 نيسان 2015"
    assert fmt_published("2020-03", "ar") == "آذار 2020"
    assert fmt_published("2015-04-16", "en") == "2015-04-16"
    stamp = fmt_timestamp("2026-12-06T06:07:26+00:00", "ar")
    assert strip_bidi(stamp) == "6 كانون الأول 2026 06:07 UTC" and runs(stamp) == ["06:07 UTC"]
    assert fmt_timestamp("2026-12-06T06:07:26+00:00", "en") == "6 Dec 2026 06:07 UTC"


def test_an_arabic_figure_has_its_legend_hovers_and_annotations_isolated():
    fig = {"data": [{"type": "scatter", "name": "OCHA (الوافدون من النازحين): 2015-04-16",
                     "hovertemplate": "أوتشا: %{y:,}<br>%{x}<extra></extra>"}],
           "layout": {"annotations": [{"text": "HNAP \u2066742,109\u2069<br>منذ 2015-04-16"}, {"text": "1"}],
                      "yaxis": {"title": {"text": "الأشخاص (OCHA)"}}, "legend": {}}}
    out = bidi_figure(fig, "ar")
    name = out["data"][0]["name"]
    assert name.startswith(RLE) and runs(name) == ["OCHA", "2015-04-16"]
    assert strip_bidi(name) == fig["data"][0]["name"]
    first, second = out["layout"]["annotations"][0]["text"].split("<br>")
    assert first == "HNAP \u2066742,109\u2069"  # no Arabic: as it is
    assert second.startswith(RLE) and runs(second) == ["2015-04-16"]
    assert out["layout"]["annotations"][1]["text"] == "1"  # a key date's number: no Arabic, as it is
    assert runs(out["layout"]["yaxis"]["title"]["text"]) == ["OCHA"]
    assert bidi_figure(fig, "en") is fig and fig["data"][0]["name"] == "OCHA (الوافدون من النازحين): 2015-04-16"


def test_the_footer_writes_the_build_time_as_a_cldr_date_in_bdi(use_warehouse):
    from dashboard.data.warehouse import warehouse
    from dashboard.page.layout import page
    from dashboard.page.parts import page_parts_for
    from dashboard.request import Request

    wh = warehouse()
    request = Request.from_query(wh, "lang=ar")
    footer = _find(page(request, page_parts_for(request)), "home-version")
    values = [c.children for c in footer.children if isinstance(c, html.Bdi)]
    assert values == [wh.version, fmt_timestamp(wh.built_at, "ar")]
    assert re.search(r"[\u0600-\u06FF]", values[1])  # the month by its Arabic name
    assert wh.built_at not in str(footer.children) and not re.search(r"\d{4}-\d{2}-\d{2}", str(footer.children))


def _find(component, ident):
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, ident)
            if found is not None:
                return found
    return None

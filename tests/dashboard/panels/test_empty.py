"""Empty charts say why (dashboard/panels/empty.py), as plain functions on the warehouse built from the
committed data (the offline default): a kind of data not loaded (and which source formats fill it,
linked to the README's section served at /help/data), no rows in the period, a filter excluding
everything. The browser test (tests/test_browser_first_view.py) checks the same notes on the page."""
import pytest

from dashboard import panels
from dashboard.data.warehouse import warehouse
from dashboard.export.files import context_of, page_figure
from dashboard.panels import views
from dashboard.panels.empty import HELP_URL, is_empty
from dashboard.request import Request

CHARTS = tuple(panel.name for panel in panels.charts())


@pytest.fixture
def wh(use_warehouse):
    views.cache_clear()
    return warehouse()


def empty_charts(wh, query: str) -> dict[str, tuple[str, list]]:
    """{chart: (its note, the source ids it cites)} for the charts with nothing to draw."""
    request = Request.from_query(wh, query)
    out = {}
    for name, (fig, ids) in zip(CHARTS, views.charts(CHARTS, request)):
        if is_empty(fig):
            note = " ".join(a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "empty")
            note = note.replace("<br>", " ")  # its sentences as read, whatever the wrapping
            out[name] = (note, list(ids))
    return out


def test_every_empty_chart_of_the_offline_default_says_why_and_what_would_fill_it(wh):
    empty = empty_charts(wh, "")
    # the offline default holds no conflict events and no movements placed in sub-districts
    assert {"events", "border"} <= set(empty), sorted(empty)
    for name, (note, ids) in empty.items():
        assert "are loaded" in note, (name, note)  # the reason: a kind of data not loaded
        assert "They come from:" in note and f'href="{HELP_URL}#sources-the-etl-reads"' in note, (name, note)
        assert ids == [], (name, ids)  # a chart that draws nothing cites no source
    assert "acled" in empty["events"][0] and "ucdp" in empty["events"][0]
    assert "movements" in empty["border"][0] and "cod_ab" in empty["border"][0]


def test_a_period_without_rows_says_so_and_when_the_data_are(wh):
    empty = empty_charts(wh, "?from=2011-03&to=2011-04")
    note, _ = empty["displacement"]
    assert "No figures in the selected period." in note and "Displacement figures are loaded for" in note
    assert HELP_URL not in note  # displacement figures are loaded: nothing to add, nothing to link


def test_a_filter_excluding_everything_is_named(wh):
    empty = empty_charts(wh, "?src=UNHCR")
    note, _ = empty["casualties"]
    assert "The source filter excludes every figure of this chart" in note
    assert "No conflict events are loaded" in note  # and the kind of data that would add to it


def test_the_note_is_in_the_pages_language(wh):
    empty = empty_charts(wh, "?lang=ar")
    for name, (note, _) in empty.items():
        assert "are loaded" not in note and "لم تُحمَّل" in note, (name, note)


def test_an_exported_empty_chart_says_the_same(wh):
    request = Request.from_query(wh, "")
    fig, sources, _ = page_figure("events", context_of(request))
    (page_fig, _), = views.charts(("events",), request)
    assert is_empty(fig) and fig["layout"]["annotations"] == page_fig["layout"]["annotations"] and sources == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_empty_chart_shows_no_axes_nor_legend_and_its_note_fits_a_phone(wh, lang):
    """An empty chart's ticks (0, 0, 0; 0 %-100 %) would read as figures and its axis title ran into
    the note on a 390 px phone: it draws no axis and no legend, and its note's lines (the link apart)
    are at most WRAP characters, never broken inside a word such as "sub-district"."""
    import re

    from dashboard.i18n import BIDI_CONTROLS
    from dashboard.panels.empty import EMPTY_HEIGHT_PX, WRAP

    request = Request.from_query(wh, f"?lang={lang}")
    drawn = 0
    for fig, _ in views.charts(CHARTS, request):
        if not is_empty(fig):
            continue
        drawn += 1
        layout = fig["layout"]
        axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
        assert axes and all(layout[k].get("visible") is False for k in axes), layout
        assert layout["showlegend"] is False and layout["height"] <= EMPTY_HEIGHT_PX
        note = next(a["text"] for a in layout["annotations"] if a.get("name") == "empty")
        lines = ["".join(c for c in line if c not in BIDI_CONTROLS) for line in note.split("<br>")
                 if "<a " not in line]
        assert lines and all(len(line) <= WRAP for line in lines), lines
        assert not [line for line in lines if re.search(r"\w-$", line)], lines
    assert drawn >= 2  # events and border movement, at least, in the offline default

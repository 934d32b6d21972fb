"""Figure builders as pure functions on tiny frames."""
import pandas as pd
from shapely.geometry import Polygon

from dashboard.figures.map import area_figure_lines, clockwise
from dashboard.figures.series import casualties_figure, displacement_figure, refugees_figure
from dashboard.i18n import translator

t = translator("en")
SOURCES = pd.DataFrame({
    "source_id": ["a", "b"], "organisation": ["OCHA", "SNHR"], "title": ["T1", "T2"],
    "published": ["2020-03", "2020-02-01"],
})
NO_DATES = pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"), "label_en": pd.Series(dtype="string")})
D = pd.Timestamp


def disp(**kw):
    row = {"fact_id": "x", "period_start": D("2020-02-01"), "period_end": D("2020-02-29"), "area_en": "NW Syria",
           "pcode": None, "direction": "total", "value": 100, "qualifier": "exact", "low": None, "high": None,
           "unit": "people_displaced", "measure": "period", "kind": "observation", "source_id": "a", "note": ""}
    return {**row, **kw}


def test_units_and_measures_get_separate_traces():
    frame = pd.DataFrame([disp(), disp(unit="displacements", value=200), disp(measure="cumulative", value=900)])
    before = frame.copy()
    fig = displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t)
    names = [tr.name for tr in fig.data]
    assert names == ["People displaced", "People displaced (cumulative since period start)", "Displacements (movements)"]
    assert fig.data[1].line.dash == "dot"
    pd.testing.assert_frame_equal(frame, before)  # inputs not mutated


def test_published_range_drawn_as_bar_from_low_to_high():
    frame = pd.DataFrame([disp(value=None, low=800_000, high=1_000_000)])
    fig = displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t)
    bar = fig.data[-1]
    assert bar.y[0] == 900_000 and bar.error_y.array[0] == 100_000 and bar.error_y.arrayminus[0] == 100_000
    assert "800,000–1,000,000" in bar.hovertext[0]


def test_each_casualty_source_has_its_own_trace_and_long_totals_are_apart():
    cas = pd.DataFrame([
        {**disp(source_id="a"), "killed": 187, "area_en": "NW Syria"},
        {**disp(source_id="b"), "killed": 286, "area_en": "NW Syria"},
        {**disp(source_id="a", period_start=D("2011-03-01"), period_end=D("2021-03-31")), "killed": 33271, "area_en": "Idleb"},
    ])
    fig = casualties_figure(cas, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t)
    assert [tr.name for tr in fig.data] == ["OCHA", "SNHR", "War-wide and multi-year totals"]
    assert fig.data[2].visible == "legendonly"


def test_refugee_series_are_never_joined():
    ref = pd.DataFrame({
        "date": [D("2013-12-31"), D("2013-12-26")], "persons": [224655, 557342], "qualifier": ["exact"] * 2,
        "series": ["DGMM", "UN_AFAD"], "unit": ["syrians_under_tp", "registered_refugees"],
        "asylum_iso3": ["TUR", "TUR"], "source_id": ["a", "b"],
    })
    fig = refugees_figure(ref, SOURCES, D("2013-01-01"), D("2014-01-01"), t)
    assert [len(tr.x) for tr in fig.data] == [1, 1]


def test_clockwise_rings_for_plotly_geo():
    ccw = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    assert ccw.exterior.is_ccw and not clockwise(ccw).exterior.is_ccw


def test_area_hover_includes_sub_districts_by_pcode_prefix():
    frame = pd.DataFrame([disp(pcode="SY070301", area_en="Dana", value=248842, direction="arrivals", unit="idp_arrivals"),
                          disp(pcode="SY02", area_en="Aleppo")])
    lines = area_figure_lines(frame, SOURCES, 4, t)
    assert lines["SY07"] == ["248,842 IDP arrivals, Dana, 1 Feb 2020 – 29 Feb 2020 (OCHA)"]
    assert set(lines) == {"SY07", "SY02"}

"""Figure builders as pure functions on tiny frames."""
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.labels import legend_height, legend_name
from dashboard.figures.map import figure_sources
from dashboard.figures.series import (
    border_figure,
    casualties_figure,
    displacement_figure,
    events_figure,
    refugees_figure,
)
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


def test_units_get_their_own_panels_and_measures_their_own_traces():
    frame = pd.DataFrame([disp(), disp(unit="displacements", value=200), disp(measure="cumulative", value=900)])
    before = frame.copy()
    fig = go.Figure(displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    drawn = [tr for tr in fig.data if tr.name]
    assert [(tr.name, tr.yaxis or "y", tr.legendgroup) for tr in drawn] == [
        ("OCHA", "y", "people_displaced"), ("OCHA (cumulative)", "y", "people_displaced"),
        ("OCHA", "y2", "displacements")]  # a panel (y axis) per unit, the legend grouped by unit
    assert drawn[1].line.dash == "dot" and drawn[0].line.color == drawn[2].line.color == "#0072B2"
    assert drawn[0].legendgrouptitle.text == "People displaced"
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1]  # stacked, not overlaid
    pd.testing.assert_frame_equal(frame, before)  # inputs not mutated


def test_published_range_drawn_as_bar_from_low_to_high():
    frame = pd.DataFrame([disp(value=None, low=800_000, high=1_000_000)])
    fig = go.Figure(displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    bar = fig.data[-1]
    assert bar.y[0] == 900_000 and bar.error_y.array[0] == 100_000 and bar.error_y.arrayminus[0] == 100_000
    assert "800,000–1,000,000" in bar.hovertext[0]


def test_each_casualty_source_has_its_own_trace_and_long_totals_are_apart():
    cas = pd.DataFrame([
        {**disp(source_id="a"), "killed": 187, "area_en": "NW Syria"},
        {**disp(source_id="b"), "killed": 286, "area_en": "NW Syria"},
        {**disp(source_id="a", period_start=D("2011-03-01"), period_end=D("2021-03-31")), "killed": 33271, "area_en": "Idleb"},
    ])
    fig = go.Figure(casualties_figure(cas, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    assert [tr.name for tr in fig.data] == ["OCHA", "SNHR", "Range between sources", "War-wide and multi-year totals"]
    assert fig.data[3].visible == "legendonly"
    # the war-wide row keeps its qualifier, period, area and source in the data table
    assert fig.data[3].meta["rows"] == [["1 Mar 2011 – 31 Mar 2021 (10 years)", "33,271", "Idleb", "OCHA, 2020-03"]]


def test_refugee_series_are_never_joined():
    ref = pd.DataFrame({
        "date": [D("2013-12-31"), D("2013-12-26")], "persons": [224655, 557342], "qualifier": ["exact"] * 2,
        "series": ["DGMM", "UN_AFAD"], "unit": ["syrians_under_tp", "registered_refugees"],
        "asylum_iso3": ["TUR", "TUR"], "source_id": ["a", "b"],
    })
    fig = go.Figure(refugees_figure(ref, SOURCES, D("2013-01-01"), D("2014-01-01"), t))
    assert [len(tr.x) for tr in fig.data] == [1, 1]


def test_refugees_and_asylum_seekers_of_one_organisation_never_share_a_line():
    ref = pd.DataFrame({
        "date": [D("2017-12-31"), D("2017-12-31"), D("2018-12-31"), D("2018-12-31")],
        "persons": [3_400_000, 300, 3_600_000, 200], "qualifier": ["exact"] * 4, "series": ["UNHCR"] * 4,
        "unit": ["refugees", "asylum_seekers"] * 2, "asylum_iso3": ["TUR"] * 4, "source_id": ["a"] * 4,
    })
    fig = go.Figure(refugees_figure(ref, SOURCES, D("2017-01-01"), D("2019-01-01"), t))
    lines = {tr.name: list(tr.y) for tr in fig.data if tr.mode == "lines+markers"}
    assert lines == {"UNHCR: refugees": [3_400_000, 3_600_000], "UNHCR: asylum seekers": [300, 200]}


def test_a_long_legend_entry_takes_two_lines_and_the_legend_its_height():
    """'Türkiye government (DGMM/PMM): Syrians under temporary protection' ran off a phone's legend
    (320 px): it breaks after the colon, and the legend's height counts the second line."""
    ref = pd.DataFrame({
        "date": [D("2019-12-31")], "persons": [3_576_370], "qualifier": ["exact"], "series": ["DGMM"],
        "unit": ["syrians_under_tp"], "asylum_iso3": ["TUR"], "source_id": ["a"],
    })
    fig = refugees_figure(ref, SOURCES, D("2019-12-01"), D("2020-03-31"), t)
    name = next(tr["name"] for tr in fig["data"] if tr.get("mode") == "lines+markers")
    assert name == "Türkiye government (DGMM/PMM):<br>Syrians under temporary protection"
    one_line = [{**tr, "name": name.replace("<br>", " ")} if tr.get("name") == name else tr for tr in fig["data"]]
    assert legend_height(fig["data"], 320) == legend_height(one_line, 320) + 19
    assert legend_name("UNHCR", "refugees") == "UNHCR: refugees"  # a short one stays on one line


def test_sources_disagreeing_on_the_same_period_are_shaded_between():
    cas = pd.DataFrame([
        {**disp(source_id="a"), "killed": 187, "area_en": "NW Syria", "unit": "people_killed"},
        {**disp(source_id="b"), "killed": 286, "area_en": "NW Syria", "unit": "people_killed"},
    ])
    fig = go.Figure(casualties_figure(cas, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    band = next(tr for tr in fig.data if tr.name == "Range between sources")
    assert band.fill == "toself" and min(y for y in band.y if y is not None) == 187
    assert max(y for y in band.y if y is not None) == 286
    assert "OCHA, SNHR" in band.hovertext[0]
    assert band.meta["sources"] == ["a", "b"]


def test_one_source_alone_gets_no_band():
    cas = pd.DataFrame([{**disp(source_id="a"), "killed": 187, "unit": "people_killed"}])
    fig = go.Figure(casualties_figure(cas, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    assert "Range between sources" not in [tr.name for tr in fig.data]


def test_every_trace_names_the_sources_of_the_rows_it_draws():
    frame = pd.DataFrame([disp(source_id="a"), disp(source_id="b", unit="displacements", value=50)])
    fig = go.Figure(displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t))
    by_name = {tr.name: tr.meta["sources"] for tr in fig.data}
    assert by_name["OCHA"] == ["a"] and by_name["SNHR"] == ["b"]
    assert figure_sources(fig) == ["a", "b"]


def event_rows(**kw):
    row = {"bucket_start": D("2020-02-01"), "bucket_end": D("2020-02-29"), "area": None, "dataset": "ACLED",
           "source_id": "a", "events": 10, "fatalities": 30, "fatalities_low": None, "fatalities_high": None}
    return {**row, **kw}


def test_event_fatalities_per_dataset_with_ucdp_low_high_band_and_range_between_datasets():
    events = pd.DataFrame([event_rows(), event_rows(dataset="UCDP", source_id="b", fatalities=20, fatalities_low=15,
                                                    fatalities_high=40)])
    empty = pd.DataFrame(columns=list(disp()) + ["killed"])
    fig = go.Figure(casualties_figure(empty, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t, events=events))
    names = [tr.name for tr in fig.data]
    assert "Fatalities in conflict events (ACLED)" in names and "Fatalities in conflict events (UCDP)" in names
    high = next(i for i, tr in enumerate(fig.data) if (tr.name or "").endswith("low–high estimate"))
    assert list(fig.data[high].y) == [40] and list(fig.data[high - 1].y) == [15]  # filled down to the low line
    assert fig.data[high].fill == "tonexty"
    between = next(i for i, tr in enumerate(fig.data) if tr.name == "Range between datasets")
    assert list(fig.data[between].y) == [30] and list(fig.data[between - 1].y) == [20]
    assert figure_sources(fig) == ["a", "b"]


def test_event_counts_per_compared_area():
    events = pd.DataFrame([event_rows(area="SY07"), event_rows(area="SY02", events=4, source_id="a")])
    fig = go.Figure(events_figure(events, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t,
                        names={"SY07": "Idleb", "SY02": "Aleppo"}))
    assert sorted(tr.name for tr in fig.data) == ["ACLED — Aleppo", "ACLED — Idleb"]


def test_border_figure_draws_shares_and_mean_distance():
    summary = pd.DataFrame([{
        "bucket_start": D("2020-02-01"), "bucket_end": D("2020-02-29"), "area": None, "source_id": "a",
        "unit": "displacements", "basis": "flow", "persons": 1000, "within_10_km": 200, "within_25_km": 600,
        "within_50_km": 900, "share_10": 0.2, "share_25": 0.6, "share_50": 0.9, "mean_toward_km": 12.5,
        "mean_dest_border_km": 20.0,
    }])
    fig = go.Figure(border_figure(summary, SOURCES, D("2020-01-01"), D("2020-03-31"), t))
    shares = [tr for tr in fig.data if tr.yaxis in (None, "y")]
    assert sorted(tr.y[0] for tr in shares) == [0.2, 0.6, 0.9]
    toward = [tr for tr in fig.data if tr.yaxis == "y2"]
    assert toward[0].y[0] == 12.5
    assert figure_sources(fig) == ["a"]
    empty = go.Figure(border_figure(summary.iloc[0:0], SOURCES, D("2020-01-01"), D("2020-03-31"), t))
    assert "No movements" in empty.layout.annotations[0].text
    assert not [a for a in fig.layout.annotations if a.name == "no-distance"]  # flows give the distance


def test_border_figure_of_arrivals_says_why_it_draws_no_distance():
    """Arrivals give a destination only (no distance moved): the lower plot, which would stay blank,
    says so and which data give it, in the page's language."""
    from dashboard.i18n import translator

    summary = pd.DataFrame([{
        "bucket_start": D("2020-02-01"), "bucket_end": D("2020-02-29"), "area": None, "source_id": "a",
        "unit": "idps", "basis": "arrivals", "persons": 1000, "within_10_km": 200, "within_25_km": 600,
        "within_50_km": 900, "share_10": 0.2, "share_25": 0.6, "share_50": 0.9, "mean_toward_km": None,
        "mean_dest_border_km": 20.0,
    }])
    for lang in ("en", "ar"):
        fig = go.Figure(border_figure(summary, SOURCES, D("2020-01-01"), D("2020-03-31"), translator(lang)))
        assert not [tr for tr in fig.data if tr.yaxis == "y2"]
        notes = [a for a in fig.layout.annotations if a.name == "no-distance"]
        assert len(notes) == 1, lang
        low, high = fig.layout.yaxis2.domain
        assert low <= notes[0].y <= high  # in the lower plot, not over the shares
        text = notes[0].text.replace("<br>", " ")
        assert ("origin–destination" in text) if lang == "en" else ("المنشأ والوجهة" in text), text


def test_border_figure_names_organisations_as_the_other_charts_do():
    """By the registry's short name in the page's language ('UN HNAP', 'HNAP' in Arabic), never by
    the facts list's cell with its copy marker, which ran off a phone's legend."""
    from dashboard.i18n import translator

    sources = pd.DataFrame({"source_id": ["h"], "title": ["T"], "published": ["2020-03"],
                            "organisation": ["UN HNAP (Humanitarian Needs Assessment Programme) [copy; original not found]"]})
    summary = pd.DataFrame([{
        "bucket_start": D("2020-02-01"), "bucket_end": D("2020-02-29"), "area": None, "source_id": "h",
        "unit": "idps", "basis": "arrivals", "persons": 10, "within_10_km": 2, "within_25_km": 6,
        "within_50_km": 9, "share_10": 0.2, "share_25": 0.6, "share_50": 0.9, "mean_toward_km": None,
        "mean_dest_border_km": 20.0}])
    for lang, short in (("en", "UN HNAP"), ("ar", "HNAP")):
        fig = border_figure(summary, sources, D("2020-01-01"), D("2020-03-31"), translator(lang))
        names = [trace["name"] for trace in fig["data"]]
        assert names and all(name.startswith(f"{short} (") and "copy" not in name for name in names), names


def test_trace_types_are_in_the_served_plotly_bundle():
    """The page loads plotly.js's geo partial bundle (scatter, scattergeo, choropleth only)."""
    frame = pd.DataFrame([disp()])
    figs = [displacement_figure(frame, SOURCES, NO_DATES, D("2020-01-01"), D("2020-03-31"), t)]
    for fig in figs:
        assert {tr["type"] for tr in fig["data"]} <= {"scatter", "scattergeo", "choropleth"}


def test_the_left_margin_fits_the_widest_y_label_without_plotlys_automargin():
    """Charts set their left margin from their values (automargin draws every chart twice in the
    browser); hidden (legend-only) traces count, since a click on the legend shows them."""
    from dashboard.figures.common import DIGIT_PX, TITLE_GAP_PX, base_layout, fit_y_margin

    def fig(*ys, visible=True):
        data = [{"type": "scatter", "x": ["2020-01-01"] * len(y), "y": list(y), "visible": visible} for y in ys]
        return {"data": data, "layout": base_layout("t", "People", "2020-01-01", "2020-12-31", "en")}

    small = fit_y_margin(fig([0, 950]))["layout"]
    large = fit_y_margin(fig([0, 950], [None, 1_234_567], visible="legendonly"))["layout"]
    assert small["yaxis"]["automargin"] is False and large["yaxis"]["automargin"] is False
    assert large["margin"]["l"] >= len("1,358,024") * DIGIT_PX  # 1,234,567 and the tenth above it
    assert large["yaxis"]["title"]["standoff"] == TITLE_GAP_PX  # measured from the labels by plotly
    assert small["margin"]["l"] < large["margin"]["l"]
    share = {"data": [{"type": "scatter", "y": [0.2, 0.9]}],
             "layout": {"yaxis": {"tickformat": ".0%", "range": [0, 1.02]}, "margin": {"l": 60}}}
    assert fit_y_margin(share)["layout"]["margin"]["l"] == 60  # "100%" fits the usual margin


def test_every_population_type_the_etl_writes_has_a_label_and_a_line_style():
    """UNHCR's API and Refugee Data Finder give nine population types: none reaches a legend as its
    raw unit name ('host_community')."""
    from dashboard.figures.series import REFUGEE_DASH, REFUGEE_UNITS
    from etl.contracts import REFUGEE_UNITS as WRITTEN

    assert [u for u in WRITTEN if u not in REFUGEE_UNITS or u not in REFUGEE_DASH] == []
    assert all("_" not in label for label in REFUGEE_UNITS.values())

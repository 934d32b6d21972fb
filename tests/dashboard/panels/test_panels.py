"""What the page shows for a request, as plain functions (no browser): on the warehouse built
from the committed data, and on a small synthetic one with admin levels 1-3, events and flows."""
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import panels
from dashboard.data import catalog
from dashboard.data.state import ViewState
from dashboard.data.warehouse import warehouse
from dashboard.extent import POINT_LIMIT
from dashboard.figures.map import TRACE, figure_sources
from dashboard.i18n import translator
from dashboard.organisations import registry
from dashboard.page.callbacks import patch_from
from dashboard.page.components import sources_block
from dashboard.page.layout import range_text
from dashboard.page.parts import page_parts
from dashboard.panels import map as map_panel
from dashboard.panels import views
from dashboard.panels.map_base import map_base
from dashboard.panels.map_parts import ALL_PARTS, all_notes, classes_from_store, classes_to_store, parts_for, source_ids
from dashboard.request import Request

t = translator("en")
CHARTS = tuple(panel.name for panel in panels.charts())


def request_of(wh, query: str) -> Request:
    return Request.from_query(wh, query)


def chart_figure(name: str, request: Request) -> dict:
    """A chart as the exports draw it (its inputs made afresh)."""
    panel = panels.get(name)
    return panel.figure(panel.load(request), request)


def chart_view(name: str, request: Request):
    """A chart and its source list as the page shows them."""
    (fig, ids), = views.charts((name,), request)
    return fig, sources_block(request.wh, ids, f"home-{name}-source-list", request.lang)


def map_figure(request: Request) -> tuple[dict, dict, list[str]]:
    """The full map figure, its dynamic part and its notes, as the page shows them."""
    fig, update = map_panel.full(request)
    return fig, update["dyn"], all_notes(update["notes"])


@pytest.fixture
def wh(use_warehouse):
    return warehouse()


@pytest.fixture
def syn(use_synthetic):
    return warehouse()


def hovers(fig) -> str:
    return " ".join(h for tr in fig["data"] if tr.get("hovertext") is not None for h in tr["hovertext"] if h)


def F(fig: dict) -> go.Figure:
    """The figure as plotly.py validates it: a wrong property name or value raises here."""
    return go.Figure(fig)


def test_default_view_builds_every_part(wh):
    parts = page_parts(request_of(wh, ""))
    assert {"map", "map_notes", "map_sources", *CHARTS, *(f"{c}_sources" for c in CHARTS)} <= set(parts)
    areas = parts["map"]["data"][TRACE["areas"]]
    assert {"SY02", "SY05", "SY06", "SY07"} <= set(areas["locations"]) <= {f"SY{i:02d}" for i in range(1, 15)}
    units = {tr.legendgroup for tr in F(parts["displacement"]).data}
    assert {"people_displaced", "displacements"} <= units  # units kept apart, a panel each
    assert "Türkiye government (DGMM/PMM):<br>Syrians under temporary protection" in [
        tr.name for tr in F(parts["refugees"]).data]  # on two lines: one ran off a phone's legend


def test_february_2020_shows_that_month_with_its_sources(wh):
    request = request_of(wh, "?from=2020-02&to=2020-02")
    assert range_text(request.state, t) == "Showing 1 Feb 2020 to 29 Feb 2020"
    fig, sources = chart_view("displacement", request)
    assert [pd.Timestamp(x) for x in F(fig).layout.xaxis.range] == [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-29")]
    assert "752,131" in hovers(fig)  # OCHA, February 2020 (facts 1.38)
    # the list's lines, as the browser writes them (assets/a11y.js): [before, title, link, after, kind]
    items = json.loads(getattr(sources, "data-sources"))
    assert "Cross Border Humanitarian Reach and Activities from Turkey - Feb 2020" in [i[1] for i in items]
    assert all(i[2] and i[2].startswith("http") for i in items)


def test_scenarios_never_drawn_as_observations(wh):
    text = hovers(chart_figure("displacement", request_of(wh, "?from=2011-03")))
    scenarios = wh["displacement"][wh["displacement"]["kind"] == "scenario"]
    assert not scenarios.empty
    assert "<b>900,000</b>" not in text  # 1.10: a UN estimate of possible displacement ("up to")
    assert "<b>~900,000</b>" in text  # 1.40a: observed, OCHA 20 Feb 2020


def test_idleb_hover_shows_both_names_and_the_indicator(wh):
    fig, _, _ = map_figure(request_of(wh, "?from=2020-02&to=2020-02&ind=idp_arrivals"))
    areas = fig["data"][TRACE["areas"]]
    i = list(areas["locations"]).index("SY07")
    assert "إدلب" in areas["text"][i]
    # HNAP, February 2020: arrivals to Dana (SY070301) 248,842 and Salqin (SY070302) 95,268 (facts 1.39)
    assert "344,110" in areas["customdata"][i][0]
    assert "UN HNAP" in areas["customdata"][i][2]
    no_data = list(areas["locations"]).index("SY05")
    assert areas["z"][no_data] == 0 and "no data" in areas["customdata"][no_data][0]  # not drawn as zero


def test_an_arabic_hover_reads_right_to_left_with_its_latin_names_whole(wh):
    """SVG text is laid out left to right unless told: the Arabic map's hover lines are embedded right
    to left (RLE ... PDF) with their Latin runs isolated, so 'المصدر: UN HNAP …' starts on the right."""
    from dashboard.i18n import LRI, PDF, PDI, RLE, strip_bidi

    fig, _, _ = map_figure(request_of(wh, "?from=2020-02&to=2020-02&ind=idp_arrivals&lang=ar"))
    areas = fig["data"][TRACE["areas"]]
    value, period, source = areas["customdata"][list(areas["locations"]).index("SY07")]
    for line in (value, period, source):
        assert line.startswith(RLE) and line.endswith(PDF), repr(line)
    assert strip_bidi(value).endswith(": 344,110") and f"{LRI}UN HNAP" in source and PDI in source
    name = areas["text"][list(areas["locations"]).index("SY07")]  # the page's language first, then English
    assert name.startswith(RLE) and strip_bidi(name) == "إدلب · Idleb (SY07)", repr(name)
    english, _, _ = map_figure(request_of(wh, "?from=2020-02&to=2020-02&ind=idp_arrivals"))
    assert all(strip_bidi(c) == c for row in english["data"][TRACE["areas"]]["customdata"] for c in row)


def test_empty_period_says_so(wh):
    request = request_of(wh, "?from=2011-03&to=2011-03")
    for chart in ("displacement", "casualties", "refugees", "events"):
        notes = [a.text for a in F(chart_figure(chart, request)).layout.annotations]
        assert "No figures in the selected period" in notes, chart


# ---- the synthetic warehouse: levels 1-3, a million-event layout in small ---------------------

def test_levels_and_indicators_of_the_synthetic_warehouse(syn):
    bounds = catalog.bounds(syn)
    assert bounds.levels == (1, 2, 3)
    assert {"events", "fatalities", "flows_in", "flows_out"} <= set(bounds.indicators)
    assert bounds.event_types


def test_level_three_map_with_events_density_and_top_flows(syn):
    fig, dyn, notes = map_figure(request_of(syn, "?level=3&ind=events&top=10"))
    areas = fig["data"][TRACE["areas"]]
    assert len(areas["locations"]) > 50 and all(len(p) == 8 for p in areas["locations"])
    density = fig["data"][TRACE["density"]]
    assert density["visible"] and sum(c[0] for c in density["customdata"]) > POINT_LIMIT  # too many for points
    arrows = fig["data"][TRACE["arrows"]]
    assert 0 < len(arrows["lon"]) <= 10
    assert any("density" in n for n in notes)
    assert "synthetic" in " ".join(figure_sources(fig))


def test_a_step_sends_values_only(syn):
    dyn = map_panel.update(request_of(syn, "?level=3&ind=fatalities&from=2020-01&to=2020-12&at=2020-03-01"))["dyn"]
    patch = json.dumps(patch_from(dyn).to_plotly_json(), default=str)
    assert "coordinates" not in patch and "geojson" not in patch and "FeatureCollection" not in patch
    assert len(patch) < 120_000


def test_month_steps_keep_their_classes_while_playing(syn):
    colorbars = set()
    for at in ("2020-01-01", "2020-02-01", "2020-03-01"):
        dyn = map_panel.update(request_of(syn, f"?level=2&ind=events&from=2020-01&to=2020-12&at={at}"))["dyn"]
        colorbars.add(tuple(dyn["data"][TRACE["areas"]]["colorbar"]["ticktext"]))
    assert len(colorbars) == 1


def _ids(frame) -> set:
    return set(frame["source_id"].dropna().astype(str))


def contributing(wh, name: str, state: ViewState) -> set:
    """The sources of the rows a chart should draw, computed here independently of the app."""
    start, end = state.start, state.end_day
    sources = wh["sources"]
    reg = registry()
    allowed = ({s for s, o in zip(sources["source_id"], sources["organisation"]) if set(reg.ids(o)) & set(state.sources)}
               if state.sources else None)

    def keep(ids):
        return ids if allowed is None else ids & allowed

    timeline = wh["timeline"]
    dated = keep(_ids(timeline[(timeline["date"] >= start) & (timeline["date"] <= end)]))

    def published(table):
        f = wh[table]
        f = f[(f["period_start"] <= end) & (f["period_end"] >= start) & (f["kind"] != "scenario")]
        if table == "displacement":
            f = f[f["direction"] != "flow"]
        if state.areas:
            f = f[f["pcode"].fillna("").str.startswith(tuple(state.areas))]
        return keep(_ids(f))

    def events():
        where = "date_start BETWEEN ? AND ?"
        params = [start, end]
        if state.etypes:
            where += " AND list_contains(?, event_type)"
            params.append(list(state.etypes))
        rows = wh.query(f"SELECT source_id, coalesce(adm3_pcode, adm2_pcode, adm1_pcode) AS p FROM events WHERE {where}",
                        params)
        if state.areas:
            rows = rows[rows["p"].fillna("").str.startswith(tuple(state.areas))]
        return keep(_ids(rows))

    def moves(basis_clause, side):
        rows = wh.query(f"SELECT source_id, {side} AS p, dest_border_km FROM moves WHERE period_start BETWEEN ? AND ? "
                        f"AND {basis_clause}", [start, end])
        if state.areas:
            rows = rows[rows["p"].fillna("").str.startswith(tuple(state.areas))]
        return rows

    # a chart with nothing to draw draws no key dates either, and cites no source
    if name == "displacement":
        drawn = published("displacement") | keep(_ids(moves("basis = 'flow'", "dest_pcode")))
        return drawn | dated if drawn else set()
    if name == "casualties":
        drawn = published("casualties") | events()
        return drawn | dated if drawn else set()
    if name == "events":
        drawn = events()
        return drawn | dated if drawn else set()
    if name == "refugees":
        f = wh["refugees"]
        f = f[(f["date"] >= start) & (f["date"] <= end) & (f["asylum_iso3"] == "TUR") & (f["unit"] != "returns")]
        return keep(_ids(f))
    if name == "border":
        rows = moves("true", "CASE WHEN basis = 'flow' THEN origin_pcode ELSE dest_pcode END")
        return keep(_ids(rows[rows["dest_border_km"].notna()]))
    if name == "needs":  # users' tables (issue 13): absent from versions that no source filled them in
        f = wh.frames.get("needs")
        if f is None:
            return set()
        f = f[(f["period_start"] <= end) & (f["period_end"] >= start) & f["people_in_need"].notna()]
        return keep(_ids(f[f["pcode"].fillna("").str.startswith(tuple(state.areas) or ("",))]))
    if name == "asylum":
        f = wh.frames.get("asylum")
        if f is None:
            return set()
        f = f[(f["origin_iso3"] == "SYR") & f["year"].between(start.year, end.year) & (f["unit"] == "persons")]
        return keep(_ids(f[f["value"].notna()]))
    raise AssertionError(name)


@pytest.mark.parametrize("query", [
    "", "?from=2019-01&to=2020-12&agg=week", "?area=SY07,SY02&from=2018-01",
    "?src=SYNTHETIC%20DATA%20(benchmark,%20not%20real)&etype=Battles", "?src=OCHA,UNHCR&from=2018-01&to=2020-06",
])
def test_every_chart_lists_every_source_that_contributed(syn, query):
    request = request_of(syn, query)
    state = request.state
    for name in CHARTS:
        fig, block = chart_view(name, request)
        listed = set(block.to_plotly_json()["props"].get("data-source-ids", "").split()) - {""}
        expected = contributing(syn, name, state)
        assert listed == expected, (name, query, sorted(listed ^ expected))
        assert listed == set(figure_sources(fig))


def test_map_lists_the_sources_of_what_it_draws(syn):
    parts = page_parts(request_of(syn, "?level=3&ind=events&layers=border,crossings,events,flows"))
    listed = set(parts["map_sources"].to_plotly_json()["props"]["data-source-ids"].split())
    crossings = syn["crossings"]
    assert _ids(crossings[crossings.geometry.notna()]) <= listed
    assert _ids(syn["border"]) <= listed and _ids(map_base(syn, 3).areas) <= listed
    assert any("synthetic" in s for s in listed)
    assert "geonames" not in {s for s in listed if s not in _ids(crossings)}  # towns layer off


@pytest.mark.parametrize("query", ["", "?level=3&ind=fatalities&per10k=1&agg=week&area=SY07,SY02&layers=border,bands,camps,events,flows",
                                   "?level=2&ind=flows_in&at=2020-03-01&from=2020-01&to=2020-06"])
def test_every_figure_is_valid_plotly_with_trace_types_the_page_loads(syn, query):
    """plotly.py validates every property; the page loads plotly.js's geo partial bundle, which has
    scatter, scattergeo and choropleth only."""
    parts = page_parts(request_of(syn, query))
    for name in ("map", *CHARTS):
        fig = F(parts[name])
        assert {tr.type for tr in fig.data} <= {"scatter", "scattergeo", "choropleth"}, name


def test_an_event_type_filter_recomputes_only_the_events(syn):
    request = request_of(syn, "?ind=idp_arrivals&etype=Battles")
    parts = parts_for({"home-etypes"}, request.state)
    assert parts == {"events"}
    update = map_panel.update(request, parts)
    touched = {name for name, i in TRACE.items() if i in update["dyn"]["data"]}
    assert touched == {f"event{i}" for i in range(8)} | {"density"}
    assert set(update["notes"]) == {"events"}  # the other notes stay as they are on the page
    # with an indicator that counts events, the areas follow the filter too
    assert "areas" in parts_for({"home-etypes"}, request_of(syn, "?ind=events").state)
    assert parts_for({"home-level"}, request.state) == ALL_PARTS


def test_a_step_reuses_the_classes_of_the_range(syn):
    request = request_of(syn, "?level=2&ind=events&from=2020-01&to=2020-12&at=2020-02-01")
    full = map_panel.update(request)
    kept = classes_from_store(classes_to_store(full["classes"]))
    assert kept == full["classes"]
    step = map_panel.update(request_of(syn, "?level=2&ind=events&from=2020-01&to=2020-12&at=2020-03-01"),
                            parts_for({"home-step"}, request.state), classes=kept)
    assert step["classes"] is kept
    colorbar = step["dyn"]["data"][TRACE["areas"]]["colorbar"]
    assert tuple(colorbar["ticktext"]) == kept.labels


def test_map_sources_are_the_union_of_its_parts(syn):
    full = map_panel.update(request_of(syn, "?level=3&ind=idp_arrivals"))
    listed = set(source_ids(full["sources"]))
    events_only = set(full["sources"]["events"]) - set(full["sources"]["areas"])
    assert events_only and events_only <= listed
    # switching the events layer off drops the sources only the events brought
    off = request_of(syn, "?level=3&ind=idp_arrivals&layers=border,flows")
    hidden = map_panel.update(off, parts_for({"home-layers"}, off.state))
    merged = set(source_ids({**full["sources"], **hidden["sources"]}))
    assert hidden["sources"]["events"] == [] and not events_only & merged
    assert set(hidden["sources"]["flows"]) <= merged

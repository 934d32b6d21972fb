"""The tables of users' files reach the page (issue 13): map indicators, the people-in-need and
asylum charts, monthly counts beside the events, casualties per cause. On the warehouse of the
SYNTHETIC layout fixtures (tests/conftest.py `layouts_warehouse`)."""
from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboard import panels
from dashboard.data import indicators
from dashboard.data.warehouse import warehouse
from dashboard.request import Request


@pytest.fixture(scope="module")
def wh(layouts_warehouse):
    return warehouse(layouts_warehouse)


def request(wh, query: str) -> Request:
    return Request.from_query(wh, query)


def values(wh, query: str) -> dict:
    r = request(wh, query)
    frame = indicators.area_values(wh, r.state.indicator, r.sel)
    return dict(zip(frame["pcode"], frame["value"]))


def test_every_new_indicator_is_offered_when_its_table_is_filled(wh):
    offered = set(indicators.available(wh))
    assert {"people_in_need", "severity", "population", "events_counted", "fatalities_counted", "killed_earthquake",
            "injured_earthquake"} <= offered


def test_people_in_need_take_each_area_s_highest_sector_and_sum_up_the_levels(wh):
    sub = values(wh, "?from=2023-01&to=2023-12&level=3&ind=people_in_need")
    assert sub == {"SY070000": 120000, "SY070300": 72000, "SY070301": 240000, "SY070302": 50000}  # max over sectors
    assert values(wh, "?from=2023-01&to=2023-12&level=1&ind=people_in_need") == {"SY07": sum(sub.values())}
    assert values(wh, "?from=2023-01&to=2023-12&level=3&ind=severity")["SY070301"] == 5
    assert values(wh, "?from=2023-01&to=2023-12&level=2&ind=severity") == {}  # a severity is never summed up
    assert values(wh, "?from=2021-01&to=2021-12&level=3&ind=people_in_need") == {}  # another year: none


def test_monthly_counts_earthquake_figures_and_population_on_the_map(wh):
    counted = values(wh, "?from=2019-05&to=2019-05&level=2&ind=events_counted")
    assert counted["SY0702"] == 112 and counted["SY0704"] == 41  # 'Al Mara', 'Jisr Ash Shugur' matched
    deaths = values(wh, "?from=2023-02&to=2023-02&level=3&ind=killed_earthquake")
    assert deaths == {"SY070300": 230, "SY070302": 175, "SY070305": 210}
    assert values(wh, "?from=2023-02&to=2023-02&level=2&ind=injured_earthquake")["SY0703"] == 420 + 40 + 500 + 35 + 9
    population = values(wh, "?from=2022-01&to=2022-12&level=3&ind=population")
    assert population["SY070000"] == 40000 and len(population) == 26


def test_the_charts_of_the_new_tables_draw_what_was_loaded(wh):
    r = request(wh, "?from=2018-01&to=2023-12")
    needs = panels.get("needs")
    fig = needs.figure(needs.load(r), r)
    go.Figure(fig)
    [bars] = fig["data"]
    assert dict(zip(bars["y"], bars["x"])) == {"Health": 436000, "WASH": 395500, "Intersectoral": 362000}
    asylum = panels.get("asylum")
    made = asylum.load(r)
    fig = asylum.figure(made, r)
    go.Figure(fig)
    by_name = {t["name"]: t for t in fig["data"]}
    assert by_name["Applications"]["y"] == [104561]
    assert by_name["Recognized (refugee status)"]["y"] == [41120 + 8105]  # persons only: Cyprus counts cases
    note = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "3 figures were suppressed by UNHCR" in note and "cases, not persons" in note
    rows = asylum.rows(made, r)
    assert set(rows["unit"]) == {"persons", "cases"} and rows["suppressed_figures"].sum() == 3
    assert panels.get("needs").shown(wh) and panels.get("asylum").shown(wh)


def test_earthquake_deaths_are_never_drawn_as_conflict_deaths(wh):
    r = request(wh, "?from=2023-01&to=2023-03")
    casualties = panels.get("casualties")
    fig = casualties.figure(casualties.load(r), r)
    go.Figure(fig)
    names = [t.get("name") or "" for t in fig["data"]]
    quake = [n for n in names if n.startswith("SYNTHETIC TEST DATA (earthquake)")]
    # its deaths, named by cause (the community figures as places within the area, issue 16)
    assert any(n.startswith("SYNTHETIC TEST DATA (earthquake) — earthquake") and "injured" not in n for n in quake)
    assert any(n.startswith("SYNTHETIC TEST DATA (earthquake) — earthquake: injured") for n in quake)  # injuries drawn
    assert all("earthquake" in n for n in names if "SYNTHETIC TEST DATA (earthquake)" in n)
    assert fig["layout"]["yaxis"]["title"]["text"] == "People killed or injured"  # injuries share the axis
    before = request(wh, "?from=2016-01&to=2016-03")  # no injury published then
    assert casualties.figure(casualties.load(before), before)["layout"]["yaxis"]["title"]["text"] == "People killed"
    ind = indicators.INDICATORS
    assert ind["fatalities"].kind == "fatalities" and ind["killed_earthquake"].causes == ("earthquake",)


def test_the_committed_figures_keep_ocha_s_earthquake_deaths_apart_from_its_conflict_deaths(built_warehouse):
    """OCHA publishes both in the offline default (4,500 earthquake deaths, 6 Feb - 6 Mar 2023; 187
    people killed in February 2020): one trace each, never one line through both."""
    default = warehouse(built_warehouse)
    r = request(default, "?from=2019-01&to=2024-12")
    casualties = panels.get("casualties")
    traces = {t.get("name"): t for t in casualties.figure(casualties.load(r), r)["data"]}
    assert 4500 in traces["OCHA — earthquake"]["y"] and 4500 not in (traces["OCHA"]["y"])
    assert 187 in traces["OCHA"]["y"] and 187 not in traces["OCHA — earthquake"]["y"]
    assert 8700 in traces["OCHA — earthquake: injured"]["y"]  # injuries reach the chart


def test_monthly_counts_are_a_dataset_of_the_events_chart(wh):
    r = request(wh, "?from=2019-04&to=2019-07")
    events = panels.get("events")
    fig = events.figure(events.load(r), r)
    counted = next(t for t in fig["data"] if t.get("name") == "ACLED (monthly counts)")
    assert sum(v for v in counted["y"] if v) == 112 + 97 + 20 + 41 + 66 + 0 + 30 + 4
    weekly = request(wh, "?from=2019-04&to=2019-07&agg=week")
    assert not any(t.get("name") == "ACLED (monthly counts)" for t in events.figure(events.load(weekly), weekly)["data"])


def test_the_default_warehouse_hides_the_charts_no_source_fills(built_warehouse):
    default = warehouse(built_warehouse)
    assert not panels.get("needs").shown(default) and not panels.get("asylum").shown(default)


def test_the_flows_say_what_they_count(wh, monkeypatch):
    """OCHA's origin x arrival matrix counts people; CCCM's and ISMI's flows count movements: the
    map's legend and hover never say one for the other."""
    from dashboard.data import map_queries
    from dashboard.panels import map as map_panel

    r = request(wh, "?from=2019-01&to=2019-01&level=1&ind=flows_in")
    assert map_queries.flow_units(wh, r.sel) == {"people_displaced"}  # SYNTHETIC OCHA-layout flows
    assert map_panel.flow_unit(r) == "people displaced"
    monkeypatch.setattr(map_queries, "flow_units", lambda *_: {"people_displaced", "displacements"})
    assert map_panel.flow_unit(r) == "people or movements, as each source counts"
    monkeypatch.setattr(map_queries, "flow_units", lambda *_: {"displacements"})
    assert map_panel.flow_unit(r) == "displacements (movements)"

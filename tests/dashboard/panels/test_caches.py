"""The per-request caches of the panels (map values, charts): a repeated view is served the same
result; the charts do not depend on the map's own controls, so states that differ only there share
one entry, and what is cached equals what is computed afresh."""
from __future__ import annotations

import dataclasses
import json

import plotly
import pytest

from dashboard import panels
from dashboard.data.state import CONTROL_FIELDS
from dashboard.panels import map as map_panel
from dashboard.panels import views
from dashboard.request import Request

CHARTS = tuple(panel.name for panel in panels.charts())
EVENT_CHARTS = next(tuple(p.name for p in group) for group in panels.chart_groups() if len(group) > 1)


def as_json(value) -> str:
    return json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


@pytest.fixture
def syn(use_synthetic):
    from dashboard.data.warehouse import warehouse

    map_panel._update.cache_clear()
    map_panel._framed.cache_clear()
    views.cache_clear()
    return warehouse()


def fresh(name: str, request: Request) -> tuple[dict, list[str]]:
    """A chart made afresh from the full request (nothing cached), an empty one saying why (as the page)."""
    from dashboard.panels.empty import explained

    panel = panels.get(name)
    made = panel.load(request)
    fig = explained(panel, panel.figure(made, request), request)
    return fig, panel.sources(made, fig)


def test_a_repeated_view_is_computed_once(syn):
    request = Request.from_query(syn, "?level=2&ind=events&from=2020-01&to=2020-12")
    first = map_panel.update(request)
    assert map_panel.update(Request.from_query(syn, "?level=2&ind=events&from=2020-01&to=2020-12")) is first
    other = dataclasses.replace(request.state, etypes=request.state.etypes[:1] or ("Battles",))
    assert map_panel.update(Request.of(syn, other)) is not first
    charts = views.charts(CHARTS, request)
    assert views.charts(CHARTS, request) is charts
    assert map_panel._framed.cache_info().hits == 1 and views._charts.cache_info().hits == 1
    assert map_panel._update.cache_info().misses == 2
    # a pan or zoom (a new frame) reuses the map's values: only its frame and scale bar are new
    panned = map_panel.update(Request.of(syn, dataclasses.replace(request.state, frame=(36.1, 35.3, 37.2, 36.4))))
    assert map_panel._update.cache_info().hits == 1
    assert panned["dyn"]["layout"]["geo"]["lonaxis"]["range"] == [36.1, 37.2]
    assert panned["dyn"]["data"][1] is first["dyn"]["data"][1]  # the areas' values, shared


def test_a_chart_is_keyed_on_what_it_is_drawn_from_and_equals_a_fresh_computation(syn):
    request = Request.from_query(syn, "?level=2&ind=events&from=2019-06&to=2020-12&at=2020-03-01&layers=border,events"
                                      "&top=10&etype=Battles&agg=week")
    state = request.state
    assert state.step and state.etypes and state.agg == "week"
    for names in (EVENT_CHARTS, ("displacement",), ("refugees",), ("border",), CHARTS):
        cached = views.charts(names, request)
        fresh_ = tuple(fresh(name, request) for name in names)  # nothing cached, the full request
        assert as_json(cached) == as_json(fresh_), names
    # the refugees chart is drawn from the range and the sources only
    other = Request.of(syn, dataclasses.replace(state, step=state.step + 1, indicator=None, topn=50, etypes=(),
                                                agg="month", areas=("SY07",)))
    assert views.charts(("refugees",), other) is views.charts(("refugees",), request)
    assert views.charts(EVENT_CHARTS, other) is not views.charts(EVENT_CHARTS, request)


def test_the_cache_keys_follow_the_controls_that_redraw_each_chart():
    control_fields = {"home-range": ("start", "end"), "home-areas": ("areas",), "home-sources": ("sources",),
                      "home-etypes": ("etypes",), "home-agg": ("agg",), "home-rate": ("rate",),
                      "home-keydates": ("keydates",)}
    for panel in panels.charts():
        assert set(panel.fields) == {f for c in panel.triggers for f in control_fields[c]}, panel.name


def test_each_control_sets_the_fields_it_is_said_to(syn):
    """state.CONTROL_FIELDS (from which a panel's cached fields follow) names what from_controls
    reads from each control: changing one control changes those fields of the state and no other."""
    from dashboard.data import catalog
    from dashboard.data.state import controls, from_controls

    bounds = catalog.bounds(syn)
    base = Request.from_query(syn, "?from=2019-06&to=2020-06&ind=none").state
    values = controls(base, bounds)
    changed = {
        "home-range": [values["home-range"][0] + 1, values["home-range"][1]], "home-level": bounds.levels[-1],
        "home-indicator": bounds.indicators[0], "home-per10k": ["per10k"], "home-areas": ["SY07"],
        "home-sources": [bounds.organisations[0]], "home-etypes": list(bounds.event_types[:1]), "home-agg": "week",
        "home-layers": ["border"], "home-topn": 50, "home-step": 2, "home-step-unit": "week", "home-lang": "ar",
        "home-rate": "month", "home-keydates": ["disaster"], "home-frame": "36.1,35.3,37.2,36.4",
    }
    assert set(changed) == set(CONTROL_FIELDS)
    before = from_controls(values, bounds)
    for control, value in changed.items():
        after = from_controls({**values, control: value}, bounds)
        differ = {f.name for f in dataclasses.fields(before) if getattr(before, f.name) != getattr(after, f.name)}
        assert differ and differ <= set(CONTROL_FIELDS[control]), (control, differ)


def test_each_language_has_its_own_entries(syn):
    english = Request.from_query(syn, "?from=2020-01&to=2020-12")
    arabic = Request.from_query(syn, "?from=2020-01&to=2020-12&lang=ar")
    assert views.charts(("displacement",), arabic) is not views.charts(("displacement",), english)
    assert as_json(views.charts(("displacement",), arabic)[0][0]) != as_json(views.charts(("displacement",), english)[0][0])

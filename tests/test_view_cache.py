"""The per-state caches of dashboard.view (map values, charts): a repeated view is served the same
result; the charts do not depend on the map's own controls, so states that differ only there share
one entry, and what is cached equals what is computed afresh."""
from __future__ import annotations

import dataclasses
import json

import plotly
import pytest

from dashboard import i18n, view
from dashboard.i18n import translator
from dashboard.state import parse_query


def as_json(value) -> str:
    return json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


@pytest.fixture
def syn(use_synthetic):
    from dashboard.data import warehouse

    view._map_update_cached.cache_clear()
    view._chart_views_cached.cache_clear()
    return warehouse()


def test_a_repeated_view_is_computed_once(syn):
    state = parse_query("?level=2&ind=events&from=2020-01&to=2020-12", view.bounds(syn))
    t = translator("en")
    first = view.map_update(syn, state, t)
    assert view.map_update(syn, state, t) is first
    other = dataclasses.replace(state, etypes=state.etypes[:1] or ("Battles",))
    assert view.map_update(syn, other, t) is not first
    charts = view.chart_views(view.CHARTS, syn, state, t)
    assert view.chart_views(view.CHARTS, syn, state, t) is charts
    assert view._map_update_cached.cache_info().hits == 1 and view._chart_views_cached.cache_info().hits == 1


def test_a_chart_is_keyed_on_what_it_is_drawn_from_and_equals_a_fresh_computation(syn):
    bounds = view.bounds(syn)
    t = translator("en")
    state = parse_query("?level=2&ind=events&from=2019-06&to=2020-12&at=2020-03-01&layers=border,events&top=10"
                        "&etype=Battles&agg=week", bounds)
    assert state.step and state.etypes and state.agg == "week"
    for names in (view.EVENT_CHARTS, ("displacement",), ("refugees",), ("border",), view.CHARTS):
        cached = view.chart_views(names, syn, state, t)
        fresh = tuple(view.chart_view(name, syn, state, t) for name in names)  # nothing cached, the full state
        assert as_json(cached) == as_json(fresh), names
    # the refugees chart is drawn from the range and the sources only
    other = dataclasses.replace(state, step=state.step + 1, indicator=None, topn=50, etypes=(), agg="month",
                                areas=("SY07",))
    assert view.chart_views(("refugees",), syn, other, t) is view.chart_views(("refugees",), syn, state, t)
    assert view.chart_views(view.EVENT_CHARTS, syn, other, t) is not view.chart_views(view.EVENT_CHARTS, syn, state, t)


def test_the_cache_keys_follow_the_controls_that_redraw_each_chart():
    from dashboard.callbacks import CHART_TRIGGERS

    control_fields = {"home-range": ("start", "end"), "home-areas": ("areas",), "home-sources": ("sources",),
                      "home-etypes": ("etypes",), "home-agg": ("agg",)}
    for name, controls in CHART_TRIGGERS.items():
        assert set(view.CHART_FIELDS[name]) == {f for c in controls for f in control_fields[c]}, name


def test_each_language_has_its_own_entries(syn):
    state = parse_query("?from=2020-01&to=2020-12", view.bounds(syn))
    english = view.chart_views(("displacement",), syn, state, translator("en"), "en")
    token = i18n.current.set("ar")
    try:
        arabic = view.chart_views(("displacement",), syn, state, translator("ar"), "ar")
    finally:
        i18n.current.reset(token)
    assert arabic is not english and as_json(arabic[0][0]) != as_json(english[0][0])

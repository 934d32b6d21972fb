"""The view state and its URL: every control round-trips, bad values fall back to defaults."""
import pandas as pd
import pytest

from dashboard.data.state import (
    Bounds,
    ViewState,
    controls,
    default_state,
    from_controls,
    parse_query,
    step_starts,
    step_window,
    to_query,
)

D = pd.Timestamp
BOUNDS = Bounds(
    first=D("2011-03-01"), last=D("2024-12-01"), default_start=D("2017-08-01"), levels=(1, 2, 3),
    indicators=("idp_arrivals", "events"), default_indicator="idp_arrivals", organisations=("ACLED", "OCHA", "UCDP"),
    event_types=("Battles", "Protests"), pcodes=frozenset({"SY07", "SY0703", "SY070301", "SY02"}),
)


def test_default_view_is_a_bare_url():
    assert to_query(default_state(BOUNDS), BOUNDS) == ""
    assert parse_query("", BOUNDS) == default_state(BOUNDS)


def test_every_field_round_trips_through_the_query_string():
    state = ViewState(
        start=D("2019-12-01"), end=D("2020-03-01"), level=3, indicator="events", per10k=True,
        areas=("SY070301", "SY02"), sources=("ACLED", "UCDP"), etypes=("Battles",), agg="week",
        layers=("border", "flows"), topn=50, step=2, step_unit="month",
    )
    query = to_query(state, BOUNDS)
    assert "area=SY070301,SY02" in query and "at=2020-01-01" in query
    assert parse_query(query, BOUNDS) == state


def test_controls_round_trip():
    state = ViewState(start=D("2020-01-01"), end=D("2020-06-01"), level=2, indicator=None, areas=("SY07",),
                      step=3, step_unit="week")
    assert from_controls(controls(state, BOUNDS), BOUNDS) == state


@pytest.mark.parametrize("query", [
    "?level=9", "?ind=nonsense", "?from=garbage&to=2099-01", "?area=SY99,<script>", "?top=7", "?agg=year",
    "?layers=border,tiles", "?at=1999-01-01", "?src=Nobody", "?etype=Riots",
])
def test_damaged_links_still_open_with_defaults_for_what_does_not_fit(query):
    state = parse_query(query, BOUNDS)
    base = default_state(BOUNDS)
    assert state.level in BOUNDS.levels and state.indicator in (*BOUNDS.indicators, None)
    assert BOUNDS.first <= state.start <= state.end <= BOUNDS.last
    assert set(state.areas) <= BOUNDS.pcodes and set(state.sources) <= set(BOUNDS.organisations)
    assert state.topn == base.topn or "top" not in query
    assert set(state.layers) <= {"border", "bands", "crossings", "towns", "camps", "events", "flows"}
    assert state.step == 0


def test_reversed_range_is_put_in_order():
    state = parse_query("?from=2020-05&to=2020-01", BOUNDS)
    assert (state.start, state.end) == (D("2020-01-01"), D("2020-05-01"))


def test_steps_cover_the_range_by_month_and_by_week():
    state = ViewState(start=D("2020-01-01"), end=D("2020-03-01"))
    assert step_starts(state) == [D("2020-01-01"), D("2020-02-01"), D("2020-03-01")]
    assert step_window(state) == (D("2020-01-01"), D("2020-03-31"))
    assert step_window(ViewState(start=D("2020-01-01"), end=D("2020-03-01"), step=2)) == (D("2020-02-01"), D("2020-02-29"))
    weeks = step_starts(ViewState(start=D("2020-02-01"), end=D("2020-02-01"), step_unit="week"))
    assert weeks[0] == D("2020-01-27") and weeks[-1] == D("2020-02-24") and len(weeks) == 5
    first_week = step_window(ViewState(start=D("2020-02-01"), end=D("2020-02-01"), step=1, step_unit="week"))
    assert first_week == (D("2020-02-01"), D("2020-02-02"))  # clipped to the range


def test_weekly_steps_only_where_the_data_allow():
    assert parse_query("?ind=events&unit=week", BOUNDS).step_unit == "week"
    assert parse_query("?ind=idp_arrivals&unit=week", BOUNDS).step_unit == "month"

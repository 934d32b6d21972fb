"""The page's callback as a plain function, on the warehouse built from the committed data."""
import pandas as pd
import pytest

from dashboard import queries
from dashboard.callbacks import KEYS, view
from dashboard.data import warehouse


@pytest.fixture
def wh(use_warehouse):
    return warehouse()


def full_range(wh):
    first, last = queries.data_months(wh.frames)
    return first, [0, queries.months_between(first, last)]


def trace_names(fig):
    return [t.name for t in fig.data if t.name]


def test_full_range_builds_every_part(wh):
    first, value = full_range(wh)
    out = view(value, first.isoformat())
    assert set(out) == set(KEYS)
    drawn = set(out["map"].data[0].locations)
    assert {"SY02", "SY05", "SY06", "SY07"} <= drawn <= {f"SY{i:02d}" for i in range(1, 15)}  # governorates in view
    assert "People displaced" in trace_names(out["displacement"])
    assert "Displacements (movements)" in trace_names(out["displacement"])  # units kept apart
    assert "Türkiye government (DGMM/PMM)" in trace_names(out["refugees"])


def test_february_2020_shows_that_month_with_its_sources(wh):
    first, _ = full_range(wh)
    lo = queries.months_between(first, pd.Timestamp("2020-02-01"))
    out = view([lo, lo], first.isoformat())
    assert out["range_text"] == "Showing 1 Feb 2020 to 29 Feb 2020"
    fig = out["displacement"]
    assert [pd.Timestamp(x) for x in fig.layout.xaxis.range] == [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-29")]
    hovers = " ".join(h for tr in fig.data if tr.hovertext is not None for h in tr.hovertext if h)
    assert "752,131" in hovers  # OCHA, February 2020 (facts 1.38)
    sources_html = str(out["displacement_sources"])
    assert "Cross Border Humanitarian Reach and Activities from Turkey - Feb 2020" in sources_html


def test_scenarios_never_drawn_as_observations(wh):
    first, value = full_range(wh)
    out = view(value, first.isoformat())
    hovers = " ".join(h for tr in out["displacement"].data if tr.hovertext is not None for h in tr.hovertext if h)
    scenarios = wh["displacement"][wh["displacement"]["kind"] == "scenario"]
    assert not scenarios.empty
    for fact in scenarios.itertuples():
        assert fact.note[:30] not in hovers
    assert "<b>900,000</b>" not in hovers  # 1.10: a UN estimate of possible displacement ("up to")
    assert "<b>~900,000</b>" in hovers  # 1.40a: observed, OCHA 20 Feb 2020


def test_idleb_hover_lists_its_figures(wh):
    first, value = full_range(wh)
    fig = view(value, first.isoformat())["map"]
    choropleth = fig.data[0]
    idleb = list(choropleth.locations).index("SY07")
    assert "إدلب" in choropleth.hovertext[idleb]
    assert "Dana" in choropleth.hovertext[idleb] or "Idleb" in choropleth.hovertext[idleb]


def test_empty_period_says_so(wh):
    first, _ = full_range(wh)
    assert first == pd.Timestamp("2011-03-01")  # start of the war-wide casualty totals
    out = view([0, 0], first.isoformat())
    for chart in ("displacement", "casualties", "refugees"):
        notes = [a.text for a in out[chart].layout.annotations]
        assert "No figures in the selected period" in notes, chart


def test_indicator_draws_a_choropleth_with_no_data_apart_from_zero(wh):
    first, _ = full_range(wh)
    lo = queries.months_between(first, pd.Timestamp("2020-02-01"))
    fig = view([lo, lo], first.isoformat(), level=1, indicator="idp_arrivals")["map"]
    no_data, scaled = fig.data[0], fig.data[1]
    values = dict(zip(scaled.locations, scaled.z))
    # HNAP, February 2020: arrivals to Dana (SY070301) 248,842 and Salqin (SY070302) 95,268 (facts 1.39)
    assert values["SY07"] >= 248_842 + 95_268
    assert "SY07" not in set(no_data.locations)
    assert len(no_data.locations) + len(scaled.locations) == len(set(no_data.locations) | set(scaled.locations))


def test_area_values_aggregate_sub_district_codes_to_the_level():
    frame = pd.DataFrame({
        "unit": ["idp_arrivals"] * 4, "measure": ["period", "period", "cumulative", "period"],
        "kind": ["observation"] * 4, "value": pd.array([10, 5, 100, 7], dtype="Int64"),
        "pcode": pd.array(["SY070301", "SY070302", "SY070301", "SY02"], dtype="string"),
    })
    assert queries.area_values(frame, 1, "idp_arrivals").to_dict() == {"SY02": 7.0, "SY07": 15.0}
    assert queries.area_values(frame, 3, "idp_arrivals").to_dict() == {"SY070301": 10.0, "SY070302": 5.0}

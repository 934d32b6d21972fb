"""events_monthly and area_stocks on tiny SYNTHETIC tables (invented events and figures)."""
from __future__ import annotations

import pandas as pd

from etl.contracts import AREA_STOCKS, EVENTS_MONTHLY, IDP_STOCK
from etl.core.contracts import validate
from etl.core.issues import Issues
from etl.derived.area_stocks import area_stocks
from etl.derived.events_monthly import events_monthly
from tests.etl.adapters.helpers import assert_conforms
from tests.etl.derived import world

IDLEB = {"adm1_pcode": "SY07", "adm2_pcode": "SY0703", "adm3_pcode": "SY070301"}


def event(event_id, date, fatalities, low=None, high=None, **more):
    return {"event_id": event_id, "date_start": date, "fatalities": fatalities, "fatalities_low": low,
            "fatalities_high": high, "event_type": "1", **IDLEB, **more}


def test_events_per_month_area_type_and_source():
    events = world.events([
        event("u1", "2020-01-03", 2, 1, 3),
        event("u2", "2020-01-31", 0, date_end="2020-02-02"),  # counts in the month it starts
        event("u3", "2020-01-15", 5, 4, 6),
        event("u4", "2020-01-20", 1, 1, 1, source_id="other-synthetic"),
        event("a1", "2020-01-05", 3, dataset="ACLED", event_type="Battles", adm3_pcode=None),
        event("a2", "2020-01-06", 4, dataset="ACLED", event_type="Battles", adm3_pcode=None),
        event("a3", "2020-02-01", 7, dataset="ACLED", event_type=None, adm3_pcode=None),
        event("x1", "2019-12-31", 9, 9, 9, adm1_pcode=None, adm2_pcode=None, adm3_pcode=None),  # outside every area
    ])
    before = events.copy()
    out = events_monthly(events)
    pd.testing.assert_frame_equal(events, before)
    assert_conforms(out, EVENTS_MONTHLY)
    assert out["month"].is_monotonic_increasing
    rows = {(r.month.strftime("%Y-%m"), r.dataset, r.source_id, r.adm3_pcode if pd.notna(r.adm3_pcode) else None,
             r.event_type if pd.notna(r.event_type) else None):
            (r.events, r.fatalities, None if pd.isna(r.fatalities_low) else r.fatalities_low,
             None if pd.isna(r.fatalities_high) else r.fatalities_high)
            for r in out.itertuples()}
    assert rows == {
        ("2019-12", "UCDP", world.SOURCE, None, "1"): (1, 9, 9, 9),
        # u1 + u2 + u3: low and high summed over the events that give them (u2 gives none)
        ("2020-01", "UCDP", world.SOURCE, "SY070301", "1"): (3, 7, 5, 9),
        ("2020-01", "UCDP", "other-synthetic", "SY070301", "1"): (1, 1, 1, 1),
        ("2020-01", "ACLED", world.SOURCE, None, "Battles"): (2, 7, None, None),  # no low/high at all: NA, not 0
        ("2020-02", "ACLED", world.SOURCE, None, None): (1, 7, None, None),
    }
    december = out[out["month"] == pd.Timestamp("2019-12-01")].iloc[0]
    assert pd.isna(december["adm1_pcode"]) and pd.isna(december["adm2_pcode"])
    assert set(out.loc[out["dataset"] == "ACLED", "adm2_pcode"]) == {"SY0703"}


def stock(fact_id, pcode, value, **more):
    return {"fact_id": fact_id, "pcode": pcode, "value": value, **more}


def test_stocks_sum_up_from_communities_and_published_areas_win():
    rows = [
        stock("1", "C1001", 100, adm3_pcode="SY070301"),
        stock("2", "C1002", 50),  # its sub-district from locations
        stock("3", None, 5, adm3_pcode="SY070301"),  # a community under the producer's own code
        stock("4", "C1003", 30, adm3_pcode="SY070302"),
        stock("5", "SY070302", 200),  # published by the source: wins over C1003's 30
        stock("6", "SY07", 1000),  # published: wins over the sum of its districts
        stock("6b", "SY07", 999),  # the same area twice: the first by fact_id is used, this one reported
        stock("7", "C1001", 40, source_id="other-synthetic", adm3_pcode="SY070301"),  # another source: never summed with the first
        stock("8", "C1001", 70, date="2022-12-31", adm3_pcode="SY070301"),  # another date
        stock("9", "C1001", 500, unit="population", adm3_pcode="SY070301"),  # another unit
        stock("10", "C1001", 3, unit="idp_sites"),  # not a stock of people
        stock("11", "C1009", 60),  # no sub-district anywhere: reported, left out
        stock("12", None, 80),  # no P-code, no sub-district: a regional figure, not an area's
        stock("13", "SY", 90),  # Syria as a whole: no area of levels 1-3
    ]
    locations = world.locations([("C1002", "SY070301", None), ("C1009", None, None)])
    issues = Issues()
    out = area_stocks(world.idp_stock(rows), locations, issues)
    assert_conforms(out, AREA_STOCKS)
    got = {(r.date.strftime("%Y-%m-%d"), r.source_id, r.unit, r.pcode): (r.level, r.value, r.parts) for r in out.itertuples()}
    nov, dec, s1, s2 = "2022-11-30", "2022-12-31", world.SOURCE, "other-synthetic"
    assert got == {
        (nov, s1, "idps", "SY070301"): (3, 100 + 50 + 5, 3),
        (nov, s1, "idps", "SY070302"): (3, 200, 1),
        (nov, s1, "idps", "SY0703"): (2, 155 + 200, 3 + 1),
        (nov, s1, "idps", "SY07"): (1, 1000, 1),
        (nov, s2, "idps", "SY070301"): (3, 40, 1),
        (nov, s2, "idps", "SY0703"): (2, 40, 1),
        (nov, s2, "idps", "SY07"): (1, 40, 1),
        (dec, s1, "idps", "SY070301"): (3, 70, 1),
        (dec, s1, "idps", "SY0703"): (2, 70, 1),
        (dec, s1, "idps", "SY07"): (1, 70, 1),
        (nov, s1, "population", "SY070301"): (3, 500, 1),
        (nov, s1, "population", "SY0703"): (2, 500, 1),
        (nov, s1, "population", "SY07"): (1, 500, 1),
    }
    assert list(out["date"]) == sorted(out["date"])
    assert sorted((p.table, p.column, p.value) for p in issues.problems) == [
        ("area_stocks", "fact_id", "6b"), ("area_stocks", "pcode", "C1009")]


def test_idp_stock_contract_takes_an_optional_sub_district():
    raw = pd.DataFrame({
        "fact_id": ["1", "2", "3"], "date": ["2022-11-30"] * 3, "area_en": ["x"] * 3, "pcode": ["C1001"] * 3,
        "value": ["5"] * 3, "qualifier": ["exact"] * 3, "unit": ["idps"] * 3, "source_id": ["s"] * 3,
        "adm3_pcode": ["SY070301", "", "SY07"],
    }, dtype="string")
    issues = Issues()
    good = validate(raw, IDP_STOCK, "stock.csv", issues)
    assert list(good["fact_id"]) == ["1", "2"] and good["adm3_pcode"].iloc[0] == "SY070301"
    assert [(p.row, p.column, p.reason) for p in issues.problems] == [
        (4, "adm3_pcode", "expected a sub-district P-code such as SY070301")]

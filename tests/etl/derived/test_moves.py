"""Which displacement rows become moves and where their ends are placed (SYNTHETIC world of
tests/etl/derived/world.py: sub-districts 5, 20, 40 and 80 km from the border)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from etl.contracts import MOVES
from etl.core.issues import Issues
from etl.derived import tables as derived_tables
from tests.etl.adapters.helpers import assert_conforms
from tests.etl.derived import world

A, B, C, D = world.CENTRES
COMMUNITY_XY = (520_000.0, world.BORDER_Y - 12_000)  # a community 12 km from the border, inside no square


def build(rows, locations=None):
    issues = Issues()
    tables = {"admin_areas": world.admin_areas(), "border": world.border(), "countries": world.countries(),
              "displacement": world.displacement(rows)}
    if locations is not None:
        tables["locations"] = locations
    return derived_tables.build(tables, issues), issues


def test_arrivals_count_at_their_destination_only_and_other_rows_are_left_out():
    out, issues = build([
        world.arrival("a1", B, 700),
        world.arrival("a2", "SY07", 5000),  # a governorate: destination not known at sub-district level
        world.flow("s1", D, A, 9999, kind="scenario"),  # a planning scenario
        world.arrival("s2", A, 9999, kind="scenario"),
        {"fact_id": "d1", "direction": "departures", "pcode": C, "origin_pcode": C, "value": 50, "unit": "idp_departures"},
        {"fact_id": "t1", "direction": "total", "pcode": A, "value": 80, "unit": "people_displaced"},
        world.flow("f1", C, B, 40, kind="estimate"),
    ])
    moves = out["moves"].set_index("fact_id")
    assert_conforms(out["moves"], MOVES)
    assert sorted(moves.index) == ["a1", "f1"]
    a1 = moves.loc["a1"]
    assert (a1["basis"], a1["dest_pcode"], a1["persons"], a1["unit"]) == ("arrival", B, 700, "idp_arrivals")
    assert pd.isna(a1["origin_pcode"]) and np.isnan(a1["origin_lon"]) and np.isnan(a1["origin_border_km"])
    assert a1["dest_border_km"] == pytest.approx(20, abs=0.05)
    assert np.isnan(a1["toward_border_km"]) and np.isnan(a1["distance_km"])
    assert moves.loc["f1", "kind"] == "estimate"

    summary = out["border_movement"].set_index("basis")
    arrivals = summary.loc["arrival"]
    assert (arrivals["persons"], arrivals["within_10_km"], arrivals["within_25_km"]) == (700, 0, 700)
    assert np.isnan(arrivals["mean_toward_km"])  # no origin, no movement toward the border
    assert arrivals["mean_dest_border_km"] == pytest.approx(20, abs=0.05)
    assert not issues.problems


def test_a_community_arrival_is_placed_at_the_community():
    locations = world.locations([("C1001", A, COMMUNITY_XY), ("C1002", A, None)])
    out, issues = build([
        world.arrival("a1", A, 100, location_pcode="C1001"),  # the community's own point: 12 km
        world.arrival("a2", A, 200, location_pcode="C1002"),  # listed without coordinates: the sub-district's point
        world.arrival("a3", A, 300, location_pcode="C9999"),  # not listed: the sub-district's point
        world.flow("f1", B, A, 400, location_pcode="C1001"),  # flows go from area to area
    ], locations)
    moves = out["moves"].set_index("fact_id")
    community = world.to_wgs84([shapely.Point(COMMUNITY_XY)]).iloc[0]
    a1 = moves.loc["a1"]
    assert a1["dest_border_km"] == pytest.approx(12, abs=0.05)
    assert (a1["dest_lon"], a1["dest_lat"]) == (pytest.approx(community.x, abs=1e-7), pytest.approx(community.y, abs=1e-7))
    for fact_id in ("a2", "a3", "f1"):
        assert moves.loc[fact_id, "dest_border_km"] == pytest.approx(5, abs=0.05), fact_id
    assert moves.loc["a2", "dest_lon"] == moves.loc["a3", "dest_lon"] != a1["dest_lon"]
    summary = out["border_movement"].set_index("basis").loc["arrival"]
    assert (summary["within_10_km"], summary["within_25_km"]) == (500, 600)
    assert summary["mean_dest_border_km"] == pytest.approx((100 * 12 + 500 * 5) / 600, abs=0.05)
    assert not issues.problems


def test_p_codes_without_geometry_are_reported_once_and_their_rows_kept():
    out, issues = build([
        world.arrival("a1", "SY079999", 10),
        world.arrival("a2", "SY079999", 20, source_id="other-synthetic"),
        world.flow("f1", "SY078888", A, 30),  # origin unknown: destination still placed
        world.flow("f2", "SY078888", "SY079999", 40),
        world.arrival("a3", C, 50),
    ])
    moves = out["moves"].set_index("fact_id")
    assert sorted(moves.index) == ["a1", "a2", "a3", "f1", "f2"]
    assert moves.loc[["a1", "a2", "f2"], "dest_border_km"].isna().all()
    f1 = moves.loc["f1"]
    assert np.isnan(f1["origin_border_km"]) and np.isnan(f1["toward_border_km"]) and np.isnan(f1["distance_km"])
    assert f1["dest_border_km"] == pytest.approx(5, abs=0.05)
    reported = [(p.table, p.file, p.column, p.value) for p in issues.problems]
    assert reported == [  # by P-code
        ("moves", world.SOURCE, "origin_pcode", "SY078888"),
        ("moves", "other-synthetic", "dest_pcode", "SY079999"),  # first source by name
    ]
    assert all("kept" in p.reason for p in issues.problems)
    summary = out["border_movement"].set_index(["source_id", "basis"])
    flows = summary.loc[(world.SOURCE, "flow")]
    assert (flows["persons"], flows["persons_unplaced"], flows["within_10_km"]) == (30, 40, 30)
    assert np.isnan(flows["mean_toward_km"])  # f1's origin is unknown, f2 is unplaced
    arrivals = summary.loc[(world.SOURCE, "arrival")]
    assert (arrivals["persons"], arrivals["persons_unplaced"], arrivals["within_50_km"]) == (50, 10, 50)
    other = summary.loc[("other-synthetic", "arrival")]
    assert (other["persons"], other["persons_unplaced"]) == (0, 20) and np.isnan(other["share_10"])

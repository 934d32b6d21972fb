"""Movement toward the border on a SYNTHETIC case whose distances are known by construction
(tests/etl/derived/world.py): representative points 5, 20, 40 and 80 km from a straight border,
flows between them with known persons, and the summary computed by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely

from etl.contracts import AREA_METRICS, BORDER_BANDS, BORDER_MOVEMENT, MOVES
from etl.core.issues import Issues
from etl.derived import tables as derived_tables
from etl.derived.border_movement import summarise_border_movement
from tests.etl.adapters.helpers import assert_conforms
from tests.etl.derived import world

A, B, C, D = world.CENTRES  # 5, 20, 40, 80 km from the border


def build(displacement=None, countries=None, locations=None):
    issues = Issues()
    tables = {"admin_areas": world.admin_areas(), "border": world.border(),
              "countries": world.countries() if countries is None else countries}
    if displacement is not None:
        tables["displacement"] = displacement
    if locations is not None:
        tables["locations"] = locations
    return derived_tables.build(tables, issues), issues


def straight_km(origin: str, dest: str) -> float:
    (x0, y0), (x1, y1) = world.CENTRES[origin], world.CENTRES[dest]
    return math.hypot(x1 - x0, y1 - y0) / 1000


def test_representative_points_lie_at_their_known_distance_from_the_border():
    out, issues = build()
    metrics = out["area_metrics"].set_index("pcode")
    assert_conforms(out["area_metrics"], AREA_METRICS)
    assert list(metrics.index) == ["SY07", "SY0703", *world.CENTRES]  # levels 1-3 only, by level and P-code
    for pcode, km in world.BORDER_KM.items():
        assert metrics.loc[pcode, "border_km"] == pytest.approx(km, abs=0.05)
        assert metrics.loc[pcode, "area_km2"] == pytest.approx(16.0, rel=1e-6)  # 4 km squares
    # the governorate box spans 0-100 km from the border: its point is 50 km away, its area 200 x 100 km
    assert metrics.loc["SY07", "border_km"] == pytest.approx(50, abs=0.05)
    assert metrics.loc["SY07", "area_km2"] == pytest.approx(20_000, rel=1e-6)
    # lon/lat are the metric centres converted back to EPSG:4326
    centre = world.to_wgs84([shapely.Point(world.CENTRES[A])]).iloc[0]
    assert (metrics.loc[A, "lon"], metrics.loc[A, "lat"]) == (pytest.approx(centre.x, abs=1e-7), pytest.approx(centre.y, abs=1e-7))
    assert not issues.problems


FLOWS = [  # (fact_id, origin, destination, persons)
    ("f1", D, A, 1000),  # 80 -> 5 km: 75 km closer
    ("f2", C, B, 300),  # 40 -> 20 km
    ("f3", A, C, 100),  # 5 -> 40 km: moved away from the border
    ("f4", B, A, 600),  # 20 -> 5 km
]


def test_flows_between_known_points_give_the_hand_computed_summary():
    displacement = world.displacement([world.flow(f, o, d, p) for f, o, d, p in FLOWS])
    out, issues = build(displacement)
    moves = out["moves"].set_index("fact_id")
    assert_conforms(out["moves"], MOVES)
    km = world.BORDER_KM
    for fact_id, origin, dest, _ in FLOWS:
        row = moves.loc[fact_id]
        assert row["basis"] == "flow"
        assert row["origin_border_km"] == pytest.approx(km[origin], abs=0.05)
        assert row["dest_border_km"] == pytest.approx(km[dest], abs=0.05)
        assert row["toward_border_km"] == pytest.approx(km[origin] - km[dest], abs=0.05)
        assert row["distance_km"] == pytest.approx(straight_km(origin, dest), abs=0.05)
    assert moves.loc["f1", "distance_km"] == pytest.approx(125, abs=0.05)  # 100 km east, 75 km north

    summary = out["border_movement"]
    assert_conforms(summary, BORDER_MOVEMENT)
    assert len(summary) == 1
    row = summary.iloc[0]
    # by hand: destinations A (5 km) take 1000 + 600, B (20 km) 300, C (40 km) 100; 2000 in all
    assert (row["persons"], row["persons_unplaced"]) == (2000, 0)
    assert (row["within_10_km"], row["within_25_km"], row["within_50_km"]) == (1600, 1900, 2000)
    assert (row["share_10"], row["share_25"], row["share_50"]) == (
        pytest.approx(0.8, abs=1e-4), pytest.approx(0.95, abs=1e-4), pytest.approx(1.0, abs=1e-4))
    toward = (1000 * 75 + 300 * 20 + 100 * -35 + 600 * 15) / 2000  # 43.25 km closer, persons-weighted
    assert row["mean_toward_km"] == pytest.approx(toward, abs=0.05)
    dest = (1000 * 5 + 300 * 20 + 100 * 40 + 600 * 5) / 2000  # 9 km
    assert row["mean_dest_border_km"] == pytest.approx(dest, abs=0.05)
    assert (row["basis"], row["unit"], row["source_id"]) == ("flow", "displacements", world.SOURCE)
    assert not issues.problems


def test_summary_regroups_filtered_rows_with_the_callers_bucket_and_thresholds():
    displacement = world.displacement(
        [world.flow(f, o, d, p) for f, o, d, p in FLOWS]
        + [world.flow("f5", A, D, 400, period_start="2020-02-01", period_end="2020-02-29"),  # away, to 80 km
           world.flow("f6", D, B, None, low=10, high=20, period_start="2020-02-01", period_end="2020-02-29")]
    )
    moves, _ = build(displacement)
    moves = moves["moves"]
    before = moves.copy()
    bucket = moves.assign(bucket=np.where(moves["dest_pcode"] == A, "near", "far"))
    summary = summarise_border_movement(bucket, ["bucket"], thresholds=(15, 60)).set_index("bucket")
    pd.testing.assert_frame_equal(moves, before)  # pure: the input is unchanged
    assert list(summary.columns) == [
        "persons", "persons_unplaced", "within_15_km", "within_60_km", "share_15", "share_60",
        "mean_toward_km", "mean_dest_border_km"]
    # 'far': f2 (300 to 20 km), f3 (100 to 40 km), f5 (400 to 80 km); f6 has no persons and counts nowhere
    far = summary.loc["far"]
    assert (far["persons"], far["within_15_km"], far["within_60_km"]) == (800, 0, 400)
    assert far["share_60"] == pytest.approx(0.5)
    assert far["mean_toward_km"] == pytest.approx((300 * 20 + 100 * -35 + 400 * -75) / 800, abs=0.05)
    near = summary.loc["near"]
    assert (near["persons"], near["within_15_km"]) == (1600, 1600)
    assert near["mean_dest_border_km"] == pytest.approx(5, abs=0.05)
    whole = summarise_border_movement(moves, [])
    assert len(whole) == 1 and whole["persons"].iloc[0] == 2400
    empty = summarise_border_movement(moves.iloc[0:0], ["basis", "period_start"])
    assert empty.empty and list(empty.columns)[:2] == ["basis", "period_start"]
    assert str(empty["persons"].dtype) == "Int64" and str(empty["share_10"].dtype) == "float64"


def test_border_bands_lie_at_their_distance_on_the_syrian_side():
    out, issues = build()
    bands = out["border_bands"]
    assert_conforms(bands, BORDER_BANDS, geometry=True)
    assert list(bands["distance_km"]) == [10, 25, 50]
    assert set(bands["source_id"]) == {world.SOURCE}
    metric = bands.to_crs(world.METRIC)
    line = world.border().to_crs(world.METRIC).geometry.iloc[0]
    for d, band in zip(bands["distance_km"], metric.geometry):
        points = shapely.line_interpolate_point(band, np.linspace(0, 1, 400), normalized=True)
        distance = shapely.distance(points, line) / 1000
        assert np.abs(distance - d).max() < 0.2, (d, distance.min(), distance.max())  # simplified by ~150 m
        assert (shapely.get_y(points) <= world.BORDER_Y + 1).all()  # Syrian side
        # 300 km parallel to the border plus a quarter circle of radius d at each end
        assert band.length / 1000 == pytest.approx(300 + math.pi * d, rel=0.005)
        assert shapely.distance(shapely.Point(550_000, world.BORDER_Y - d * 1000), band) < 150  # metres
    assert not issues.problems


def test_without_syrias_polygon_no_band_is_drawn_and_the_run_says_why():
    out, issues = build(countries=world.countries(with_syria=False))
    assert out["border_bands"].empty
    assert [(p.table, p.column, p.value) for p in issues.problems] == [("border_bands", "iso3", "SYR")]

"""The fast admin join (etl.core.joins.assign_admin_pcodes: coordinates tested against prepared
areas, the snap only for the points that missed) against a simple reference: a geopandas `sjoin`
per level, then `sjoin_nearest` for the rest. Identical P-codes, join status and snap distance for
every point of a generated file, including points exactly on vertices that areas share and points
just across the border; and no point outside the country is given its P-codes silently.

All points and areas here are SYNTHETIC (a Voronoi tiling of a made-up country), except the
COD-AB test, which reads the real boundaries from ../shared/data when present.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from etl.core.issues import Issues
from etl.core.joins import LEVELS, METRIC_CRS, TOLERANCE_M, assign_admin_pcodes
from etl.transforms import with_admin_pcodes

# ---- the reference -------------------------------------------------------------------------------


def _first_per_point(joined: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    ordered = joined.sort_values(order, kind="stable")
    return ordered[~ordered.index.duplicated(keep="first")]


def reference_join(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, tolerance_m: float = TOLERANCE_M) -> pd.DataFrame:
    """The plain way: per level, sjoin (intersects; the smallest P-code on a shared edge), then
    sjoin_nearest in UTM 37N within the tolerance for the points that missed."""
    located = gpd.GeoDataFrame(geometry=gpd.GeoSeries(points.geometry.values, crs=points.crs).to_crs(admin_areas.crs))
    has = located.geometry.notna() & ~located.geometry.is_empty
    candidates = located[has.to_numpy()]
    out = pd.DataFrame(index=located.index)
    snaps, missing = [], pd.Series(False, index=located.index)
    for level in LEVELS:
        areas = admin_areas.loc[admin_areas["level"] == level, ["pcode", "geometry"]].reset_index(drop=True)
        pcode = pd.Series(pd.NA, index=candidates.index, dtype="string")
        snap = pd.Series(np.nan, index=candidates.index)
        if not areas.empty and not candidates.empty:
            inside = _first_per_point(gpd.sjoin(candidates, areas, predicate="intersects"), ["pcode"])
            pcode[inside.index] = inside["pcode"].astype("string")
            rest = candidates[pcode.isna()]
            if not rest.empty:
                near = gpd.sjoin_nearest(rest.to_crs(METRIC_CRS), areas.to_crs(METRIC_CRS),
                                         max_distance=tolerance_m, distance_col="snap_m")
                near = _first_per_point(near, ["snap_m", "pcode"])
                pcode[near.index] = near["pcode"].astype("string")
                snap[near.index] = near["snap_m"]
        pcode = pcode.reindex(located.index)
        out[f"adm{level}_pcode"] = pcode
        snaps.append(snap.reindex(located.index))
        if not areas.empty:
            missing |= pcode.isna()
    snap_m = pd.concat(snaps, axis=1).max(axis=1)
    out["admin_join"] = np.select([~has.to_numpy(), missing.to_numpy(), snap_m.notna().to_numpy()],
                                  ["no_geometry", "outside", "snapped"], default="within")
    out["admin_snap_m"] = snap_m.round(1)
    return out


def assert_same_as_reference(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame) -> pd.DataFrame:
    fast = assign_admin_pcodes(points, admin_areas).reset_index(drop=True)
    slow = reference_join(points, admin_areas).reset_index(drop=True)
    for level in LEVELS:
        column = f"adm{level}_pcode"
        differ = fast[column].fillna("").to_numpy() != slow[column].fillna("").to_numpy()
        assert not differ.any(), f"{column} differs at {np.flatnonzero(differ)[:10]}"
    assert fast["admin_join"].tolist() == slow["admin_join"].tolist()
    np.testing.assert_array_equal(fast["admin_snap_m"].astype("float64").to_numpy(), slow["admin_snap_m"].to_numpy())
    return fast


# ---- a synthetic country -------------------------------------------------------------------------

COUNTRY = Polygon([(36.0, 35.0), (37.3, 35.05), (37.6, 35.9), (37.0, 36.6), (36.4, 36.45), (36.05, 35.8)])


def synthetic_areas(seed: int = 3) -> gpd.GeoDataFrame:
    """SYNTHETIC nested areas: Voronoi sub-districts clipped to COUNTRY, districts as unions of
    them, one governorate; P-codes in COD-AB's shape (SY99, SY9901, SY990101)."""
    rng = np.random.default_rng(seed)
    seeds = shapely.points(rng.uniform(36.0, 37.6, 60), rng.uniform(35.0, 36.6, 60))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=COUNTRY.buffer(1)))
    cells = [c for c in shapely.intersection(cells, COUNTRY) if not c.is_empty and c.area > 1e-6]
    district_of = np.arange(len(cells)) % 7
    rows = [("SY99", 1, COUNTRY)]
    for d in range(7):
        members = [c for c, k in zip(cells, district_of) if k == d]
        rows.append((f"SY99{d:02d}", 2, shapely.union_all(members)))
        rows += [(f"SY99{d:02d}{j:02d}", 3, c) for j, c in enumerate(members)]
    pcode, level, geometry = zip(*rows)
    return gpd.GeoDataFrame({"pcode": pcode, "level": level, "name_en": [f"Synthetic {p}" for p in pcode]},
                            geometry=list(geometry), crs="EPSG:4326")


def synthetic_points(areas: gpd.GeoDataFrame, n: int = 4000, seed: int = 5) -> gpd.GeoDataFrame:
    """Inside points, points exactly on shared vertices, points 50-1500 m outside the border (some
    snapped, some not), far points and missing geometry, shuffled; each with an event_id."""
    rng = np.random.default_rng(seed)
    inside = shapely.points(rng.uniform(36.0, 37.6, n), rng.uniform(35.0, 36.6, n))
    sub = areas[areas["level"] == 3]
    xy = shapely.get_coordinates(shapely.get_exterior_ring(sub.geometry.to_numpy()))
    vertices = shapely.points(np.unique(xy, axis=0))
    shared = vertices[shapely.STRtree(sub.geometry.to_numpy()).query(vertices, predicate="intersects")[0]]
    metric = gpd.GeoSeries([COUNTRY], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    ring = metric.exterior
    along = shapely.line_interpolate_point(ring, rng.uniform(0, ring.length, 400))
    outward = shapely.buffer(metric, 1)  # which side is out: the point moved away from the centroid
    centre = np.array(metric.centroid.coords[0])
    a = shapely.get_coordinates(along)
    direction = (a - centre) / np.hypot(*(a - centre).T)[:, None]
    across = a + direction * rng.uniform(50, 1500, len(a))[:, None]
    across = across[~shapely.contains_xy(outward, across[:, 0], across[:, 1])]
    across = gpd.GeoSeries(shapely.points(across), crs=METRIC_CRS).to_crs("EPSG:4326").to_numpy()
    far = shapely.points(rng.uniform(38.0, 39.0, 50), rng.uniform(36.0, 37.0, 50))
    geometry = np.concatenate([inside, shared, across, far, np.array([None] * 5, dtype=object)])
    geometry = geometry[rng.permutation(len(geometry))]
    return gpd.GeoDataFrame({"event_id": [f"SYNTH{i}" for i in range(len(geometry))], "source_id": "synthetic"},
                            geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")


def test_fast_join_equals_the_reference_on_synthetic_areas():
    areas = synthetic_areas()
    points = synthetic_points(areas)
    out = assert_same_as_reference(points, areas)
    kinds = out["admin_join"].value_counts().to_dict()
    assert kinds.get("snapped", 0) > 50 and kinds.get("outside", 0) > 50 and kinds.get("no_geometry") == 5
    # points on shared vertices are there: several sub-districts touch them
    sub = areas[areas["level"] == 3]
    touching = shapely.STRtree(sub.geometry.to_numpy()).query(points.geometry.to_numpy(), predicate="intersects")[0]
    assert (np.bincount(touching, minlength=len(points)) >= 2).sum() > 50


def test_fast_join_equals_the_reference_in_any_row_order_and_crs():
    areas = synthetic_areas(seed=11)
    points = synthetic_points(areas, n=1000, seed=12)
    assert_same_as_reference(points.iloc[::-1], areas.iloc[::-1])
    assert_same_as_reference(points.to_crs(METRIC_CRS), areas)


def test_no_point_outside_the_country_gets_its_pcodes_without_a_report():
    areas = synthetic_areas()
    points = synthetic_points(areas)
    issues = Issues()
    out = with_admin_pcodes(points, areas, "events", issues)
    country = areas.loc[areas["level"] == 1].geometry.iloc[0]
    known = out.geometry.notna().to_numpy()
    outside = known & ~shapely.intersects(country, out.geometry.to_numpy())
    given = outside & out["adm1_pcode"].notna().to_numpy()
    assert given.sum() > 50  # the snap did its work
    reported = {p.value.split(":")[0] for p in issues.problems if p.value and "given that area's P-codes" in p.reason}
    assert set(out.loc[given, "event_id"]) <= reported
    moved = assign_admin_pcodes(points, areas)
    snapped = set(moved.loc[moved["admin_snap_m"].notna().to_numpy(), "event_id"])
    assert reported == snapped  # and only points the snap moved are reported as snapped


# ---- the real boundaries and a generated export ---------------------------------------------------


@pytest.mark.shared
def test_fast_join_equals_the_reference_on_cod_ab_and_a_synthetic_acled_export(tmp_path):
    """A SYNTHETIC ACLED export (bench/etl_input.py: points in Idleb and Aleppo, on vertices shared
    by sub-districts, in Türkiye within a kilometre of the border, far outside, bad rows) read by
    the real adapter and joined to COD-AB both ways."""
    from bench.etl_input import admin_areas, generate
    from bench.synthetic import COD_AB_DIR
    from etl.adapters import acled
    from etl.core.spec import SourceSpec
    from tests.conftest import shared_path

    shared_path(COD_AB_DIR.name)
    areas = admin_areas(tmp_path, 0, COD_AB_DIR)
    csv_path = tmp_path / "acled-synthetic.csv"
    counts = generate(csv_path, 20_000, areas, seed=4)
    events = acled.read(SourceSpec("synthetic-acled", "acled", path=csv_path), csv_path, Issues())["events"]
    admin = areas.admin[areas.admin["level"].isin(LEVELS)]
    out = assert_same_as_reference(events, admin)
    kinds = out["admin_join"].value_counts().to_dict()
    assert kinds.get("snapped", 0) >= counts["across"] * 0.9  # Türkiye within 1 km of the line
    issues = Issues()
    joined = with_admin_pcodes(events, admin, "events", issues)
    syria = shapely.union_all(admin.loc[admin["level"] == 1].geometry.to_numpy())
    outside = ~shapely.intersects(syria, joined.geometry.to_numpy())
    given = joined.loc[outside & joined["adm3_pcode"].notna().to_numpy(), "event_id"]
    reported = {p.value.split(":")[0] for p in issues.problems if p.value and "given that area's P-codes" in p.reason}
    assert len(given) >= counts["across"] * 0.9 and set(given) <= reported

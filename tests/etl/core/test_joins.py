"""Point-in-polygon P-codes: inside, on a shared edge, just outside (snapped), far outside."""
from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from etl.core.joins import JOIN_COLUMNS, assign_admin_pcodes, nearest_candidates, unjoined
from tests.conftest import shared_path

# two adjacent sub-districts sharing the edge lon = 36.6 (synthetic squares near Idlib city)
WEST, EAST = box(36.5, 35.8, 36.6, 35.9), box(36.6, 35.8, 36.7, 35.9)
DEG_PER_KM_LON = 1 / (111.32 * np.cos(np.radians(35.85)))  # at this latitude


@pytest.fixture
def admin_areas() -> gpd.GeoDataFrame:
    both = box(36.5, 35.8, 36.7, 35.9)
    return gpd.GeoDataFrame(
        {
            "pcode": ["SY07", "SY0700", "SY070001", "SY070000"],
            "level": [1, 2, 3, 3],
            "name_en": ["Idleb", "Idleb", "East", "West"],
        },
        geometry=[both, both, EAST, WEST],
        crs="EPSG:4326",
    )


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["inside west", "shared edge", "500 m east", "5 km east", "no coordinates"]},
        geometry=[
            Point(36.55, 35.85),
            Point(36.6, 35.85),
            Point(36.7 + 0.5 * DEG_PER_KM_LON, 35.85),
            Point(36.7 + 5 * DEG_PER_KM_LON, 35.85),
            None,
        ],
        index=[10, 10, 11, 12, 13],  # repeated labels must not confuse the join
        crs="EPSG:4326",
    )


def test_points_get_the_pcodes_of_their_areas(points, admin_areas):
    out = assign_admin_pcodes(points, admin_areas)
    assert list(out.columns) == ["name", "geometry"] + JOIN_COLUMNS
    assert list(out.index) == list(points.index)
    table = out.drop(columns="geometry").reset_index(drop=True)
    assert all(out[c].dtype == "string" for c in ["adm1_pcode", "adm2_pcode", "adm3_pcode", "admin_join"])
    assert table["adm3_pcode"].fillna("").tolist() == ["SY070000", "SY070000", "SY070001", "", ""]
    assert table["adm2_pcode"].fillna("").tolist() == ["SY0700", "SY0700", "SY0700", "", ""]
    assert table["adm1_pcode"].fillna("").tolist() == ["SY07", "SY07", "SY07", "", ""]
    assert table["admin_join"].tolist() == ["within", "within", "snapped", "outside", "no_geometry"]
    assert table.loc[2, "admin_snap_m"] == pytest.approx(500, abs=10)
    assert table["admin_snap_m"].isna().tolist() == [True, True, False, True, True]


def test_shared_edge_goes_to_the_smallest_pcode_whatever_the_row_order(points, admin_areas):
    forward = assign_admin_pcodes(points, admin_areas)
    backward = assign_admin_pcodes(points.iloc[::-1], admin_areas.iloc[::-1])
    assert forward.iloc[1]["adm3_pcode"] == backward.iloc[3]["adm3_pcode"] == "SY070000"


def test_inputs_are_not_changed(points, admin_areas):
    before_points, before_areas = points.copy(), admin_areas.copy()
    assign_admin_pcodes(points, admin_areas)
    assert_geodataframe_equal(points, before_points)
    assert_geodataframe_equal(admin_areas, before_areas)


def test_unjoined_lists_points_without_an_area(points, admin_areas):
    out = assign_admin_pcodes(points, admin_areas)
    assert unjoined(out)["name"].tolist() == ["5 km east", "no coordinates"]
    with pytest.raises(ValueError, match="assign_admin_pcodes"):
        unjoined(points)


def test_tolerance_decides_what_is_snapped(points, admin_areas):
    strict = assign_admin_pcodes(points, admin_areas, tolerance_m=100)
    assert strict["admin_join"].tolist()[2] == "outside"
    loose = assign_admin_pcodes(points, admin_areas, tolerance_m=10_000)
    assert loose["adm3_pcode"].tolist()[3] == "SY070001"
    assert loose["admin_snap_m"].tolist()[3] == pytest.approx(5000, abs=50)


def test_missing_levels_leave_their_column_empty(points, admin_areas):
    out = assign_admin_pcodes(points, admin_areas[admin_areas["level"] == 3])
    assert out["adm1_pcode"].isna().all() and out["adm2_pcode"].isna().all()
    assert out["adm3_pcode"].tolist()[:3] == ["SY070000", "SY070000", "SY070001"]
    assert out["admin_join"].tolist()[:3] == ["within", "within", "snapped"]


def test_points_in_another_crs_are_reprojected(points, admin_areas):
    metric = assign_admin_pcodes(points.to_crs("EPSG:32637"), admin_areas)
    plain = assign_admin_pcodes(points, admin_areas)
    assert metric["adm3_pcode"].tolist()[:3] == plain["adm3_pcode"].tolist()[:3]


def test_points_without_crs_are_refused(points, admin_areas):
    with pytest.raises(ValueError, match="EPSG:4326"):
        assign_admin_pcodes(points.set_crs(None, allow_override=True), admin_areas)


def test_admin_areas_need_pcode_and_level(points, admin_areas):
    with pytest.raises(ValueError, match="level"):
        assign_admin_pcodes(points, admin_areas.drop(columns="level"))


def test_no_points(points, admin_areas):
    out = assign_admin_pcodes(points.iloc[:0], admin_areas)
    assert out.empty and list(out.columns) == ["name", "geometry"] + JOIN_COLUMNS


def test_nearest_candidates(admin_areas):
    far = Point(36.7 + 5 * DEG_PER_KM_LON, 35.85)
    table = nearest_candidates(far, admin_areas, level=3)
    assert table["pcode"].tolist() == ["SY070001", "SY070000"]
    assert table["name_en"].tolist() == ["East", "West"]
    assert table["distance_m"].iloc[0] == pytest.approx(5000, abs=50)
    inside = nearest_candidates(Point(36.55, 35.85), admin_areas, level=3, n=1)
    assert inside.to_dict("records") == [{"pcode": "SY070000", "name_en": "West", "distance_m": 0.0}]
    assert nearest_candidates(far, admin_areas, level=4).empty


def test_performance_100k_points_against_272_polygons():
    """A sanity check with the size of COD-AB admin 3: timing printed, not asserted."""
    cells = [box(36 + 0.1 * i, 35 + 0.1 * j, 36.1 + 0.1 * i, 35.1 + 0.1 * j) for i in range(16) for j in range(17)]
    areas = gpd.GeoDataFrame(
        {"pcode": [f"SY{k:06d}" for k in range(272)], "level": 3}, geometry=cells, crs="EPSG:4326"
    )
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(35.99, 37.61, 100_000), rng.uniform(34.99, 36.71, 100_000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    started = time.perf_counter()
    out = assign_admin_pcodes(points, areas)
    elapsed = time.perf_counter() - started
    counts = out["admin_join"].value_counts().to_dict()
    print(f"\n100,000 points x 272 polygons: {elapsed:.2f} s; {counts}")
    assert out["adm3_pcode"].notna().sum() == counts.get("within", 0) + counts.get("snapped", 0)


# ---- real files ------------------------------------------------------------------------------


def cod_ab_areas() -> gpd.GeoDataFrame:
    folder = shared_path("syr_cod_ab_uncs_unocha_20201217_shp")
    frames = []
    for level in (1, 2, 3):
        table = gpd.read_file(folder / f"syr_admbnda_adm{level}_uncs_unocha_20201217.shp")
        frames.append(gpd.GeoDataFrame(
            {"pcode": table[f"ADM{level}_PCODE"], "level": level, "name_en": table[f"ADM{level}_EN"]},
            geometry=table.geometry, crs=table.crs,
        ))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.shared
def test_hiu_idp_sites_against_cod_ab():
    """HIU's 2015 IDP sites carry a community P-code; its first 8 characters name the sub-district.
    The geometric join should agree for most sites (HIU placed them with older boundaries)."""
    zipped = shared_path("hiu_syria_sites_2015", "Syria_IDPSites_2015Apr16_HIU_USDoS.zip")
    sites = gpd.read_file(f"zip://{zipped}")
    out = assign_admin_pcodes(sites, cod_ab_areas())
    stated = out["PCODE"].str[:8]
    agree = out["adm3_pcode"] == stated
    shown = ["NAME", "ADM2", "ADM3", "PCODE", "adm3_pcode", "admin_join", "admin_snap_m"]
    print(f"\nHIU IDP sites: {int(agree.sum())}/{len(out)} agree on admin 3; "
          f"joins {out['admin_join'].value_counts().to_dict()}")
    print("disagreements:\n" + out.loc[~agree, shown].to_string())
    print("snapped:\n" + out.loc[out["admin_join"] == "snapped", shown].to_string())
    assert len(out) == 42
    assert agree.mean() >= 0.85
    assert unjoined(out).empty
    assert (out["adm1_pcode"] == out["PCODE"].str[:4]).mean() >= 0.95

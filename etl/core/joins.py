"""Give points (events, sites, communities) the P-codes of the admin areas they lie in.

Point-in-polygon against the admin_areas table (COD-AB governorates, districts and sub-districts,
levels 1-3): a point inside or on the edge of an area gets its P-code; on an edge shared by two
areas the smallest P-code wins, so the result does not depend on row order. A point just outside
every area of a level (on the coast, across a border line drawn at a coarser scale than the
point's source) is snapped to the nearest area within `tolerance_m` metres, measured in UTM 37N
(EPSG:32637, which covers north-west Syria). Points further away keep empty P-codes and are
listed by `unjoined`.

Adds to a copy of the points:
    adm1_pcode, adm2_pcode, adm3_pcode  P-code per level (<NA> when no area, or the level is absent)
    admin_join     within | snapped | outside | no_geometry
    admin_snap_m   metres moved to the nearest area, the largest over the levels (<NA> unless snapped)

Pure functions; inputs are not changed.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

METRIC_CRS = "EPSG:32637"  # UTM 37N
WGS84 = "EPSG:4326"
LEVELS = (1, 2, 3)
TOLERANCE_M = 1000.0
JOIN_COLUMNS = [f"adm{level}_pcode" for level in LEVELS] + ["admin_join", "admin_snap_m"]


def _areas(admin_areas: gpd.GeoDataFrame, level: int) -> gpd.GeoDataFrame:
    """The areas of one level, with valid geometry, as (pcode, geometry)."""
    areas = admin_areas.loc[admin_areas["level"] == level, ["pcode", "geometry"]].reset_index(drop=True)
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty]
    if not areas.geometry.is_valid.all():
        areas = areas.set_geometry(areas.geometry.make_valid())
    return areas


def _first_per_point(joined: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per point (index): the first in `order`, e.g. the smallest P-code it touches."""
    ordered = joined.sort_values(order, kind="stable")
    return ordered[~ordered.index.duplicated(keep="first")]


def _check(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("pcode", "level") if c not in admin_areas.columns]
    if missing:
        raise ValueError(f"admin_areas: expected column(s) {', '.join(missing)}; found {list(admin_areas.columns)}")
    for name, frame in (("points", points), ("admin_areas", admin_areas)):
        if frame.crs is None:
            raise ValueError(f"{name}: no coordinate reference system; expected EPSG:4326 (longitude, latitude)")


def _join_level(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, tolerance_m: float) -> tuple[pd.Series, pd.Series]:
    """P-code per point (index of `points`) and the snap distance of snapped points."""
    pcode = pd.Series(pd.NA, index=points.index, dtype="string")
    snap = pd.Series(np.nan, index=points.index, dtype="float64")
    if areas.empty or points.empty:
        return pcode, snap
    inside = _first_per_point(gpd.sjoin(points, areas, how="inner", predicate="intersects"), ["pcode"])
    pcode[inside.index] = inside["pcode"].astype("string")
    rest = points[pcode.isna()]
    if rest.empty or tolerance_m <= 0:
        return pcode, snap
    near = gpd.sjoin_nearest(
        rest.to_crs(METRIC_CRS), areas.to_crs(METRIC_CRS), how="inner", max_distance=tolerance_m, distance_col="snap_m"
    )
    near = _first_per_point(near, ["snap_m", "pcode"])  # equidistant: the smallest P-code
    pcode[near.index] = near["pcode"].astype("string")
    snap[near.index] = near["snap_m"]
    return pcode, snap


def assign_admin_pcodes(
    points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, tolerance_m: float = TOLERANCE_M
) -> gpd.GeoDataFrame:
    """A copy of `points` with adm1_pcode, adm2_pcode, adm3_pcode, admin_join and admin_snap_m
    (see the module docstring). `admin_areas` has columns pcode, level and geometry; levels 1-3
    that it lacks leave their column empty."""
    _check(points, admin_areas)
    located = gpd.GeoDataFrame(
        geometry=gpd.GeoSeries(points.geometry.values, crs=points.crs).to_crs(admin_areas.crs)
    )  # positional index: the input's may repeat
    has_geometry = located.geometry.notna() & ~located.geometry.is_empty
    candidates = located[has_geometry.to_numpy()]
    out = points.copy()
    snaps, missing = [], pd.Series(False, index=located.index)
    for level in LEVELS:
        areas = _areas(admin_areas, level)
        pcode, snap = _join_level(candidates, areas, tolerance_m)
        pcode = pcode.reindex(located.index)
        out[f"adm{level}_pcode"] = pcode.array
        snaps.append(snap.reindex(located.index))
        if not areas.empty:
            missing |= pcode.isna()
    snap_m = pd.concat(snaps, axis=1).max(axis=1)
    status = np.select(
        [~has_geometry.to_numpy(), missing.to_numpy(), snap_m.notna().to_numpy()],
        ["no_geometry", "outside", "snapped"],
        default="within",
    )
    out["admin_join"] = pd.array(status, dtype="string")
    out["admin_snap_m"] = pd.array(snap_m.round(1).to_numpy(), dtype="Float64")
    return out


def unjoined(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows of assign_admin_pcodes' output that lack a P-code at a level the admin areas have:
    no area within the tolerance ('outside') or no coordinates ('no_geometry')."""
    if "admin_join" not in points.columns:
        raise ValueError("unjoined: expected the output of assign_admin_pcodes (no admin_join column)")
    return points[points["admin_join"].isin(["outside", "no_geometry"])]


def nearest_candidates(point: BaseGeometry, admin_areas: gpd.GeoDataFrame, level: int, n: int = 3) -> pd.DataFrame:
    """The `n` areas of `level` nearest to a point (EPSG:4326), nearest first, for reports:
    columns pcode, name_en (when admin_areas has it) and distance_m (0 inside the area)."""
    columns = ["pcode"] + (["name_en"] if "name_en" in admin_areas.columns else [])
    areas = admin_areas.loc[admin_areas["level"] == level, columns + ["geometry"]]
    if areas.empty or point is None or point.is_empty:
        return pd.DataFrame({**{c: pd.Series(dtype="string") for c in columns}, "distance_m": pd.Series(dtype="float64")})
    where = gpd.GeoSeries([point], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    distance = areas.geometry.to_crs(METRIC_CRS).distance(where)
    table = areas[columns].assign(distance_m=distance.round(1).to_numpy())
    return table.sort_values(["distance_m", "pcode"], kind="stable").head(n).reset_index(drop=True)

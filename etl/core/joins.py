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

from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
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


def _check(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("pcode", "level") if c not in admin_areas.columns]
    if missing:
        raise ValueError(f"admin_areas: expected column(s) {', '.join(missing)}; found {list(admin_areas.columns)}")
    for name, frame in (("points", points), ("admin_areas", admin_areas)):
        if frame.crs is None:
            raise ValueError(f"{name}: no coordinate reference system; expected EPSG:4326 (longitude, latitude)")


def _ranks(pcodes: np.ndarray) -> np.ndarray:
    """Each P-code's position in sorted order: the smaller rank wins a tie (a shared edge, two
    areas at the same distance), whatever the rows' order."""
    order = np.argsort(pcodes.astype(str), kind="stable")
    ranks = np.empty(len(pcodes), dtype=np.int64)
    ranks[order] = np.arange(len(pcodes))
    return ranks


def _smallest(point_index: np.ndarray, area_index: np.ndarray, ranks: np.ndarray, n: int) -> np.ndarray:
    """Per point (0..n-1) the area of smallest rank among its pairs; -1 for points without one."""
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, point_index, ranks[area_index])
    by_rank = np.argsort(ranks)
    found = best != np.iinfo(np.int64).max
    return np.where(found, by_rank[np.where(found, best, 0)], -1)


def _by_x(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Points sorted by x once for every level: (order, x, y in that order); None unless every
    geometry is a point."""
    if not (shapely.get_type_id(geometries) == 0).all():
        return None
    x, y = shapely.get_x(geometries), shapely.get_y(geometries)
    order = np.argsort(x, kind="stable")
    return order, x[order], y[order]


def _intersecting_pairs(geometries: np.ndarray, polygons: np.ndarray,
                        by_x: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """(point, area) index pairs of every geometry that intersects (inside or on the edge) an
    area. Points are tested by their coordinates against each area prepared once, among the points
    within the area's bounding box (found by a binary search on the points sorted by x, `by_x`):
    no point objects, no tree over them. Other geometries go through an STRtree."""
    if by_x is None:
        tree = shapely.STRtree(geometries)
        area, point = tree.query(polygons, predicate="intersects")
        return point, area
    order, xs, ys = by_x
    bounds = shapely.bounds(polygons)
    points, areas = [], []
    for k, polygon in enumerate(polygons):
        lo = np.searchsorted(xs, bounds[k, 0], side="left")
        hi = np.searchsorted(xs, bounds[k, 2], side="right")
        band = ys[lo:hi]
        candidates = np.flatnonzero((band >= bounds[k, 1]) & (band <= bounds[k, 3])) + lo
        if not len(candidates):
            continue
        shapely.prepare(polygon)
        hit = candidates[shapely.intersects_xy(polygon, xs[candidates], ys[candidates])]
        points.append(order[hit])
        areas.append(np.full(len(hit), k, dtype=np.int64))
    if not points:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(points), np.concatenate(areas)


def _snap(geometries: np.ndarray, crs, areas: gpd.GeoDataFrame, ranks: np.ndarray,
          tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """For points outside every area: the nearest area within `tolerance_m` metres (UTM 37N) and
    the distance, -1 / NaN beyond it. Only these points and the level's areas are reprojected,
    once each; equidistant areas go to the smallest P-code. Which areas lie within the tolerance
    is asked of each area prepared (an indexed test, not a distance to every edge); the distance
    is measured for those pairs only."""
    metric_points = gpd.GeoSeries(geometries, crs=crs).to_crs(METRIC_CRS).to_numpy()
    metric_areas = areas.geometry.to_crs(METRIC_CRS).to_numpy()
    point, area = _pairs_within(metric_points, metric_areas, tolerance_m)
    distance = shapely.distance(metric_areas[area], metric_points[point])
    nearest = np.full(len(geometries), -1, dtype=np.int64)
    metres = np.full(len(geometries), np.nan)
    if len(point):
        pick = np.lexsort((ranks[area], distance, point))  # per point: nearest, then smallest P-code
        first = pick[np.r_[True, point[pick][1:] != point[pick][:-1]]]
        nearest[point[first]] = area[first]
        metres[point[first]] = distance[first]
    return nearest, metres


def _pairs_within(points: np.ndarray, polygons: np.ndarray, metres: float) -> tuple[np.ndarray, np.ndarray]:
    """(point, area) index pairs of the points within `metres` of an area (both metric)."""
    x, y = shapely.get_x(points), shapely.get_y(points)
    bounds = shapely.bounds(polygons)
    found_points, found_areas = [], []
    for k, polygon in enumerate(polygons):
        if polygon is None or shapely.is_empty(polygon):
            continue
        near = np.flatnonzero((x >= bounds[k, 0] - metres) & (x <= bounds[k, 2] + metres)
                              & (y >= bounds[k, 1] - metres) & (y <= bounds[k, 3] + metres))
        if not len(near):
            continue
        shapely.prepare(polygon)
        hit = near[shapely.dwithin(polygon, points[near], metres)]
        found_points.append(hit)
        found_areas.append(np.full(len(hit), k, dtype=np.int64))
    if not found_points:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(found_points), np.concatenate(found_areas)


def _join_level(geometries: np.ndarray, crs, areas: gpd.GeoDataFrame, tolerance_m: float,
                pairs: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per point the position of its area in `areas` (-1 where none) and the snap distance (NaN
    unless snapped); `pairs`: the level's _intersecting_pairs."""
    n = len(geometries)
    found = np.full(n, -1, dtype=np.int64)
    snap = np.full(n, np.nan)
    if areas.empty or n == 0:
        return found, snap
    ranks = _ranks(areas["pcode"].astype(str).to_numpy())
    point, area = pairs
    found = _smallest(point, area, ranks, n)
    rest = np.flatnonzero(found < 0)
    if not len(rest) or tolerance_m <= 0:
        return found, snap
    nearest, metres = _snap(geometries[rest], crs, areas, ranks, tolerance_m)
    snapped = nearest >= 0
    found[rest[snapped]] = nearest[snapped]
    snap[rest[snapped]] = metres[snapped]
    return found, snap


def _pcodes(areas: gpd.GeoDataFrame, found: np.ndarray) -> pd.arrays.ArrowStringArray:
    """The P-codes of the areas at positions `found` (-1: missing) as a "string" column, taken by
    pyarrow (no Python string per point)."""
    codes = pa.array(areas["pcode"].astype(str).to_numpy() if len(areas) else [], pa.large_string())
    return pd.arrays.ArrowStringArray(pc.take(codes, pa.array(found, mask=found < 0)))


def assign_admin_pcodes(
    points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, tolerance_m: float = TOLERANCE_M
) -> gpd.GeoDataFrame:
    """A copy of `points` with adm1_pcode, adm2_pcode, adm3_pcode, admin_join and admin_snap_m
    (see the module docstring). `admin_areas` has columns pcode, level and geometry; levels 1-3
    that it lacks leave their column empty.

    One vectorised point-in-polygon pass per level (each area prepared once, tested against the
    coordinates of the points in its bounding box), then the snap for the points that missed only.
    The result is the same as a geopandas `sjoin` (predicate intersects) per level followed by
    `sjoin_nearest` for the rest (tests/etl/core/test_joins_reference.py checks it point by point)."""
    _check(points, admin_areas)
    geometries = gpd.GeoSeries(points.geometry.values, crs=points.crs)
    if points.crs != admin_areas.crs:
        geometries = geometries.to_crs(admin_areas.crs)
    geometries = geometries.to_numpy()
    has_geometry = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    located = np.flatnonzero(has_geometry)
    candidates = geometries[located]
    out = points.copy(deep=False)  # copy-on-write (pandas 3): the input is not changed
    n = len(points)
    snap_m = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    by_x = _by_x(candidates) if len(candidates) else None
    levels = {level: _areas(admin_areas, level) for level in LEVELS}

    def pairs(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
        if areas.empty or not len(candidates):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return _intersecting_pairs(candidates, areas.geometry.to_numpy(), by_x)

    # the point-in-polygon tests of the levels, two at a time in threads (shapely works without
    # Python's lock; each level prepares its own areas); the snaps after, one level at a time
    with ThreadPoolExecutor(2) as pool:
        inside = dict(zip(LEVELS, pool.map(pairs, levels.values()), strict=True))
    for level in LEVELS:
        areas = levels[level]
        found, snap = _join_level(candidates, admin_areas.crs, areas, tolerance_m, inside[level])
        column = np.full(n, -1, dtype=np.int64)
        column[located] = found
        out[f"adm{level}_pcode"] = pd.Series(_pcodes(areas, column), index=out.index)
        snap_m[located] = np.fmax(snap_m[located], snap)
        if not areas.empty:
            missing |= column < 0
    status = np.select(
        [~has_geometry, missing, ~np.isnan(snap_m)],
        ["no_geometry", "outside", "snapped"],
        default="within",
    )
    out["admin_join"] = pd.array(status, dtype="string")
    out["admin_snap_m"] = pd.array(np.round(snap_m, 1), dtype="Float64")
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
    return nearest_candidates_many([point], admin_areas, level, n)[0]


def nearest_candidates_many(points, admin_areas: gpd.GeoDataFrame, level: int, n: int = 3) -> list[pd.DataFrame]:
    """nearest_candidates for each of `points` (EPSG:4326), with the areas reprojected once for
    all of them and the points together: one table per point."""
    columns = ["pcode"] + (["name_en"] if "name_en" in admin_areas.columns else [])
    areas = admin_areas.loc[admin_areas["level"] == level, columns + ["geometry"]]
    nothing = pd.DataFrame({**{c: pd.Series(dtype="string") for c in columns}, "distance_m": pd.Series(dtype="float64")})
    points = list(points)
    known = [i for i, p in enumerate(points) if p is not None and not p.is_empty]
    if areas.empty or not known:
        return [nothing.copy() for _ in points]
    metric_areas = areas.geometry.to_crs(METRIC_CRS).to_numpy()
    where = gpd.GeoSeries([points[i] for i in known], crs=WGS84).to_crs(METRIC_CRS).to_numpy()
    bounds = shapely.bounds(metric_areas)
    tables: list[pd.DataFrame] = [nothing.copy() for _ in points]
    attributes = areas[columns].reset_index(drop=True)
    pcodes = attributes["pcode"].astype(str).to_numpy()
    for i, point in zip(known, where, strict=True):
        distance = np.round(_nearest_distances(metric_areas, bounds, point, n), 1)
        measured = np.flatnonzero(~np.isinf(distance))  # the others are never among the n nearest
        # as sort_values(["distance_m", "pcode"], kind="stable").head(n), on the few measured
        nearest = sorted(measured, key=lambda k: (bool(np.isnan(distance[k])), np.nan_to_num(distance[k]), pcodes[k]))[:n]
        tables[i] = attributes.iloc[nearest].assign(distance_m=distance[nearest]).reset_index(drop=True)
    return tables


def _nearest_distances(polygons: np.ndarray, bounds: np.ndarray, point: BaseGeometry, n: int) -> np.ndarray:
    """The distance from `point` to each polygon wherever it may be among the `n` nearest (rounded
    to 0.1 m, ties included); infinity for the others. A polygon's bounding box is never further
    than the polygon, so the distance to every edge is measured only for the polygons whose box
    lies within the n-th nearest distance found so far."""
    x, y = point.x, point.y
    box = np.hypot(np.maximum(np.maximum(bounds[:, 0] - x, x - bounds[:, 2]), 0),
                   np.maximum(np.maximum(bounds[:, 1] - y, y - bounds[:, 3]), 0))
    box = np.where(np.isnan(box), 0.0, box)  # an empty polygon: measured (as shapely measures it)
    distance = np.full(len(polygons), np.inf)
    todo = np.argsort(box, kind="stable")[: 2 * n]
    while len(todo):
        distance[todo] = shapely.distance(polygons[todo], point)
        known = np.sort(distance[np.isfinite(distance) | np.isnan(distance)])
        if len(known) < n or np.isnan(known[n - 1]):
            todo = np.flatnonzero(distance == np.inf)  # fewer than n measured (or NaN): measure all
            continue
        todo = np.flatnonzero((distance == np.inf) & (box <= known[n - 1] + 1.0))
    return distance

"""Distances to the Syria–Türkiye border, measured in a metric CRS (UTM 37N, EPSG:32637):

- `area_points` / `area_metrics`: each admin area's representative point (point_on_surface of its
  polygon in the metric CRS, so it always lies inside the area) and that point's distance to the
  border line;
- `border_bands`: the lines at 10, 25 and 50 km from the border on the Syrian side;
- `summarise_border_movement`: per group of moves, the persons whose destination lies within 10,
  25 and 50 km of the border and the mean distance moved toward it (the dashboard reuses it on
  filtered rows with its own groupings).

Pure functions: frames in, frames out; problems go into the run's Issues.
"""
from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from etl.contracts import AREA_METRICS, BORDER_BANDS
from etl.core.issues import Issues
from etl.derived_schema import WGS84, conform, empty
from etl.transforms import METRIC_CRS

BAND_KM = (10, 25, 50)
WEB_TOLERANCE_M = 150.0  # band lines simplified for the browser (the plan: about 100-200 m)
QUAD_SEGS = 64  # buffer arcs: at 50 km a chord strays at most 50 km * (1 - cos(pi / 256)), about 4 m
SYRIA = "SYR"
LEVELS = (1, 2, 3)


def border_line(border: gpd.GeoDataFrame) -> BaseGeometry | None:
    """The border (every stretch) as one line in the metric CRS; None when there is none."""
    if border is None or border.empty:
        return None
    geometry = border.geometry[border.geometry.notna() & ~border.geometry.is_empty]
    if geometry.empty:
        return None
    line = geometry.to_crs(METRIC_CRS).union_all()
    return None if line.is_empty else line


def distance_km(points_metric: np.ndarray, line: BaseGeometry | None) -> np.ndarray:
    """Distance (km) from each metric point (a shapely array, None allowed) to the line; NaN
    without a line or a point."""
    if line is None:
        return np.full(len(points_metric), np.nan)
    return shapely.distance(points_metric, line) / 1000.0


def area_points(admin_areas: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> pd.DataFrame:
    """The columns of area_metrics plus the metric coordinates x, y of each representative point,
    one row per admin area of levels 1-3 (an area without geometry keeps NaN coordinates)."""
    areas = admin_areas[admin_areas["level"].isin(LEVELS).fillna(False).astype(bool)]
    polygons = areas.geometry.to_crs(METRIC_CRS)
    if (polygons.notna() & ~polygons.is_valid).any():
        polygons = polygons.make_valid()
    has_shape = (polygons.notna() & ~polygons.is_empty).to_numpy()
    metric = np.array([None] * len(areas), dtype=object)
    metric[has_shape] = shapely.point_on_surface(polygons.to_numpy()[has_shape])
    lonlat = gpd.GeoSeries(metric, crs=METRIC_CRS).to_crs(WGS84)
    return pd.DataFrame({
        "pcode": areas["pcode"].to_numpy(),
        "level": areas["level"].to_numpy(),
        "lon": _coord(lonlat.to_numpy(), shapely.get_x),
        "lat": _coord(lonlat.to_numpy(), shapely.get_y),
        "border_km": distance_km(metric, border_line(border)),
        "area_km2": np.where(has_shape, shapely.area(polygons.to_numpy()), np.nan) / 1e6,
        "source_id": areas["source_id"].to_numpy(),
        "x": _coord(metric, shapely.get_x),
        "y": _coord(metric, shapely.get_y),
    })


def _coord(points: np.ndarray, get) -> np.ndarray:
    """x or y of each point; NaN where there is no point."""
    out = np.full(len(points), np.nan)
    known = ~shapely.is_missing(points) if len(points) else np.zeros(0, dtype=bool)
    out[known] = get(points[known])
    return out


def area_metrics(points: pd.DataFrame) -> pd.DataFrame:
    """The area_metrics table from area_points' output: one row per admin area of levels 1-3 with
    its representative point (lon, lat), that point's distance to the border (border_km; NaN
    without a border), area_km2 and source_id. Sorted by level, pcode."""
    return conform(points.sort_values(["level", "pcode"], kind="stable"), AREA_METRICS)


def syria_polygon(countries: gpd.GeoDataFrame) -> BaseGeometry | None:
    """Syria's polygon (countries.iso3 == 'SYR') in the metric CRS; None when absent."""
    if countries is None or countries.empty or "iso3" not in countries:
        return None
    syria = countries[countries["iso3"] == SYRIA]
    syria = syria[syria.geometry.notna() & ~syria.geometry.is_empty]
    if syria.empty:
        return None
    polygon = syria.geometry.to_crs(METRIC_CRS).make_valid().union_all()
    return None if polygon.is_empty else polygon


def _lines_only(geometry: BaseGeometry) -> BaseGeometry:
    """The line parts of an intersection (touching points dropped), merged where they join."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("LineString", "LinearRing")]
    if not parts:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.MultiLineString(parts))


def band_lines(line: BaseGeometry, syria: BaseGeometry, distances_km: Sequence[int] = BAND_KM,
               tolerance_m: float = WEB_TOLERANCE_M) -> list[BaseGeometry]:
    """For each distance d: where the distance to `line` equals d (the boundary of line.buffer(d)),
    inside `syria`, simplified by `tolerance_m`. Metric CRS in and out."""
    out = []
    for d in distances_km:
        ring = line.buffer(d * 1000.0, quad_segs=QUAD_SEGS).boundary
        out.append(_lines_only(ring.intersection(syria)).simplify(tolerance_m))
    return out


def border_bands(border: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, issues: Issues,
                 distances_km: Sequence[int] = BAND_KM) -> gpd.GeoDataFrame:
    """The geometry table border_bands: distance_km, source_id (the border's), lines (EPSG:4326)
    where the distance to the border is distance_km, on the Syrian side. Empty without a border;
    without Syria's polygon the side cannot be told, which is reported."""
    line = border_line(border)
    if line is None:
        return empty(BORDER_BANDS, geometry=True)
    syria = syria_polygon(countries)
    if syria is None:
        issues.add("border_bands", "countries", None, "iso3", SYRIA,
                   "expected Syria's polygon (iso3 SYR) in countries to tell the Syrian side of the border; "
                   "no bands drawn")
        return empty(BORDER_BANDS, geometry=True)
    lines = band_lines(line, syria, distances_km)
    source = border["source_id"].dropna() if "source_id" in border else pd.Series(dtype="string")
    frame = pd.DataFrame({
        "distance_km": list(distances_km),
        "source_id": source.iloc[0] if len(source) else pd.NA,
        "geometry": gpd.GeoSeries(lines, crs=METRIC_CRS).to_crs(WGS84).to_numpy(),
    })
    frame = frame[~shapely.is_empty(frame["geometry"].to_numpy())]
    return conform(gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84), BORDER_BANDS, geometry=True)


SUMMARY_BASE = ["persons", "persons_unplaced"]


def summary_columns(thresholds: Sequence[float] = BAND_KM) -> list[str]:
    """The columns summarise_border_movement adds after the `by` columns."""
    return (SUMMARY_BASE + [f"within_{t:g}_km" for t in thresholds] + [f"share_{t:g}" for t in thresholds]
            + ["mean_toward_km", "mean_dest_border_km"])


def summarise_border_movement(moves: pd.DataFrame, by: list[str],
                              thresholds: Sequence[float] = BAND_KM) -> pd.DataFrame:
    """Movement toward the border, per group of `moves` rows (columns `by`, which may include a
    column the caller added, such as a time bucket; NA is a group of its own):

    - persons: persons whose destination's distance to the border is known;
    - persons_unplaced: persons whose destination has no known distance;
    - within_<t>_km: persons whose destination is at most t km from the border, for each threshold;
    - share_<t>: within_<t>_km / persons (NaN when persons is 0);
    - mean_toward_km: persons-weighted mean of toward_border_km over the rows that have it (both
      ends placed; NaN for arrivals, whose origin is unknown); > 0 means closer to the border;
    - mean_dest_border_km: persons-weighted mean distance of the destinations to the border.

    Rows without persons count nowhere. Pure: `moves` is not changed; sorted by `by`.
    """
    by = list(by)
    counts = SUMMARY_BASE + [f"within_{t:g}_km" for t in thresholds]
    if moves.empty:
        frame = pd.DataFrame({c: moves[c] if c in moves else pd.Series(dtype="object") for c in by})
        for column in summary_columns(thresholds):
            frame[column] = pd.Series(dtype="Int64" if column in counts else "float64")
        return frame.reset_index(drop=True)
    persons = moves["persons"].astype("Float64").to_numpy("float64", na_value=np.nan)
    dest = moves["dest_border_km"].to_numpy("float64", na_value=np.nan)
    toward = moves["toward_border_km"].to_numpy("float64", na_value=np.nan)
    counted = ~np.isnan(persons)
    placed = counted & ~np.isnan(dest)
    moved = placed & ~np.isnan(toward)
    p = np.where(counted, persons, 0).astype("int64")
    work = {
        "persons": np.where(placed, p, 0),
        "persons_unplaced": np.where(counted & ~placed, p, 0),
        **{f"within_{t:g}_km": np.where(placed & (dest <= t), p, 0) for t in thresholds},
        "_toward_sum": np.where(moved, p * np.nan_to_num(toward), 0.0),
        "_toward_persons": np.where(moved, p, 0),
        "_dest_sum": np.where(placed, p * np.nan_to_num(dest), 0.0),
    }
    frame = pd.DataFrame(work)
    for column in by:  # the caller's dtypes (string, datetime) kept for the keys
        frame[column] = moves[column].reset_index(drop=True)
    keys = by or np.zeros(len(frame), dtype="int8")  # no grouping: one row for all
    sums = frame.groupby(keys, dropna=False, sort=True).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        total = sums["persons"].to_numpy("float64")
        for t in thresholds:
            sums[f"share_{t:g}"] = np.where(total > 0, sums[f"within_{t:g}_km"] / total, np.nan)
        toward_persons = sums["_toward_persons"].to_numpy("float64")
        sums["mean_toward_km"] = np.where(toward_persons > 0, sums["_toward_sum"] / toward_persons, np.nan)
        sums["mean_dest_border_km"] = np.where(total > 0, sums["_dest_sum"] / total, np.nan)
    sums = sums.astype({c: "Int64" for c in counts})
    return sums[by + summary_columns(thresholds)]

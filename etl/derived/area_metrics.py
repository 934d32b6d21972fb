"""The area_metrics table: each admin area's representative point (point_on_surface of its
polygon in the metric CRS, so it always lies inside the area), that point's distance to the
Syria–Türkiye border and the area's size. `area_points` also gives the metric coordinates the
moves table places its ends at.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.contracts import AREA_METRICS
from etl.core.geo import METRIC_CRS, WGS84
from etl.derived.border_line import border_line, distance_km
from etl.derived.schema import conform

LEVELS = (1, 2, 3)


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

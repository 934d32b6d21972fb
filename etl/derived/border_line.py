"""The Syria–Türkiye border as one line in the metric CRS, and distances to it (km)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from etl.core.geo import METRIC_CRS

BAND_KM = (10, 25, 50)  # the distances of the bands and of the movement shares


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

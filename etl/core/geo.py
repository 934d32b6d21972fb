"""Coordinates: geometry is stored in WGS84 (EPSG:4326) and distances are measured in UTM zone
37N (EPSG:32637, metres), which covers north-west Syria and southern Türkiye; `with_points` makes
the point of each row from its lat / lon columns, the one rule every table with points follows."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:32637"


def with_points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The frame with a point per row at (lon, lat) in WGS84; None where either is unknown. The
    frame's index and columns are kept."""
    lon = frame["lon"].astype("float64").to_numpy()
    lat = frame["lat"].astype("float64").to_numpy()
    known = ~(np.isnan(lon) | np.isnan(lat))
    points = np.full(len(frame), None, dtype=object)
    points[known] = shapely.points(lon[known], lat[known])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, index=frame.index, crs=WGS84), crs=WGS84)

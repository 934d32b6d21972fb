"""The border_bands table: the lines at 10, 25 and 50 km from the Syria–Türkiye border on the
Syrian side (where the distance to the border line equals d, inside Syria's polygon), simplified
for the browser. Measured in the metric CRS (UTM 37N), stored in EPSG:4326.
"""
from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from etl.contracts import BORDER_BANDS
from etl.core.geo import METRIC_CRS, WGS84
from etl.core.issues import Issues
from etl.derived.border_line import BAND_KM, border_line
from etl.derived.schema import conform, empty

WEB_TOLERANCE_M = 150.0  # band lines simplified for the browser (the plan: about 100-200 m)
QUAD_SEGS = 64  # buffer arcs: at 50 km a chord strays at most 50 km * (1 - cos(pi / 256)), about 4 m
SYRIA = "SYR"


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

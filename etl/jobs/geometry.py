"""Boundaries from Natural Earth 10 m (public domain), derived once by etl.derive.natural_earth
and committed under data/geometry/ with their provenance.

Writes: admin_areas (Syria level 0, its 14 governorates level 1), countries (Syria, Türkiye),
border (the Syria–Türkiye land border as a line).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from etl.config import GEOMETRY_DIR
from etl.core.issues import SourceError
from etl.core.readers import read_geojson
from etl.core.warehouse import SourceFile

TABLES = ("admin_areas", "countries", "border")
LICENCE = "Natural Earth: public domain"
SOURCE_ID = "natural-earth-10m"


def _require(frame: gpd.GeoDataFrame, path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(str(path), f"expected properties {', '.join(missing)} on every feature")
    invalid = ~frame.geometry.is_valid | frame.geometry.is_empty
    if invalid.any():
        row = int(invalid.to_numpy().nonzero()[0][0]) + 1
        raise SourceError(str(path), f"feature {row}: expected a valid, non-empty geometry")


def admin_areas(countries: gpd.GeoDataFrame, governorates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Syria as level 0 (P-code SY) and the governorates as level 1."""
    syria = countries[countries["iso3"] == "SYR"]
    level0 = gpd.GeoDataFrame(
        {
            "pcode": ["SY"],
            "level": [0],
            "parent_pcode": [pd.NA],
            "name_en": ["Syrian Arab Republic"],
            "name_ar": ["الجمهورية العربية السورية"],
        },
        geometry=list(syria.geometry),
        crs="EPSG:4326",
    )
    level1 = governorates[["pcode", "level", "parent_pcode", "name_en", "name_ar", "geometry"]]
    out = pd.concat([level0, level1], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    out["geometry"] = shapely.make_valid(out.geometry.values)
    out = out.astype({"pcode": "string", "parent_pcode": "string", "name_en": "string", "name_ar": "string"})
    out["level"] = out["level"].astype("int8")
    out["source_id"] = SOURCE_ID
    return out.sort_values(["level", "pcode"]).reset_index(drop=True)


def run(ctx) -> None:
    paths = {name: GEOMETRY_DIR / f"{name}.geojson" for name in ("countries", "border", "governorates")}
    countries = read_geojson(paths["countries"])
    border = read_geojson(paths["border"])
    governorates = read_geojson(paths["governorates"])
    _require(countries, paths["countries"], ["iso3", "name_en", "name_ar", "name_tr"])
    _require(border, paths["border"], ["name_en", "name_ar", "name_tr"])
    _require(governorates, paths["governorates"], ["pcode", "level", "parent_pcode", "name_en", "name_ar"])
    if set(countries["iso3"]) != {"SYR", "TUR"}:
        raise SourceError(str(paths["countries"]), f"expected features SYR and TUR, found {sorted(countries['iso3'])}")
    sources = [SourceFile.of(p, LICENCE) for p in paths.values()]
    ctx.write("admin_areas", admin_areas(countries, governorates), sources[2:] + sources[:1])
    countries = countries[["iso3", "name_en", "name_ar", "name_tr", "geometry"]].assign(source_id=SOURCE_ID)
    ctx.write("countries", countries.sort_values("iso3").reset_index(drop=True), sources[:1])
    border = border[["name_en", "name_ar", "name_tr", "geometry"]].assign(source_id=SOURCE_ID)
    ctx.write("border", border.reset_index(drop=True), sources[1:2])

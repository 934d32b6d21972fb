"""Boundaries from Natural Earth 10 m (public domain), derived once by etl.prepare.natural_earth
and committed under data/geometry/ with their provenance (data/geometry/PROVENANCE.md).

Reads: a directory holding countries.geojson, border.geojson and governorates.geojson.
Writes: admin_areas (Syria level 0, its 14 governorates level 1), countries (Syria, Türkiye, and
neighbours drawn as land such as Lebanon),
border (the Syria–Türkiye land border as a line).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from etl.contracts import ADMIN_AREAS
from etl.core.contracts import validate
from etl.core.issues import Issues, SourceError
from etl.core.readers import read_geojson
from etl.core.spec import SourceSpec

TABLES = ("admin_areas", "countries", "border")
LAYERS = ("countries", "border", "governorates")


def _require(frame: gpd.GeoDataFrame, path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(str(path), f"expected properties {', '.join(missing)} on every feature")
    invalid = ~frame.geometry.is_valid | frame.geometry.is_empty
    if invalid.any():
        row = int(invalid.to_numpy().nonzero()[0][0]) + 1
        raise SourceError(str(path), f"feature {row}: expected a valid, non-empty geometry")


def checked_governorates(governorates: gpd.GeoDataFrame, path: Path, source_id: str) -> gpd.GeoDataFrame:
    """The governorates' attributes against the admin-areas contract; this is the project's own
    derived file, so any problem stops the run (a SourceError naming the feature)."""
    columns = ["pcode", "level", "parent_pcode", "name_en", "name_ar"]
    text = pd.DataFrame({c: governorates[c].astype("string") for c in columns}).assign(source_id=source_id)
    problems = Issues()
    good = validate(text.reset_index(drop=True), ADMIN_AREAS, path.name, problems, first_row=1)
    if problems.problems:
        first = problems.problems[0]
        raise SourceError(str(path), f"feature {first.row}, property {first.column!r}: {first.reason}")
    repeated = good["pcode"][good["pcode"].duplicated()]
    if len(repeated):
        raise SourceError(str(path), f"expected unique P-codes; repeated: {', '.join(sorted(repeated))}")
    return gpd.GeoDataFrame(good.sort_index(), geometry=list(governorates.geometry), crs="EPSG:4326")


def admin_areas(countries: gpd.GeoDataFrame, governorates: gpd.GeoDataFrame, source_id: str) -> gpd.GeoDataFrame:
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
    out = gpd.GeoDataFrame(pd.concat([level0, level1], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    out["geometry"] = shapely.make_valid(out.geometry.values)
    out = out.astype({"pcode": "string", "parent_pcode": "string", "name_en": "string", "name_ar": "string"})
    out["level"] = out["level"].astype("Int64")
    out["source_id"] = source_id
    columns = ["pcode", "level", "parent_pcode", "name_en", "name_ar", "source_id", "geometry"]
    return out[columns].sort_values(["level", "pcode"]).reset_index(drop=True)


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    paths = {name: path / f"{name}.geojson" for name in LAYERS}
    countries = read_geojson(paths["countries"])
    border = read_geojson(paths["border"])
    governorates = read_geojson(paths["governorates"])
    _require(countries, paths["countries"], ["iso3", "name_en", "name_ar", "name_tr"])
    _require(border, paths["border"], ["name_en", "name_ar", "name_tr"])
    _require(governorates, paths["governorates"], ["pcode", "level", "parent_pcode", "name_en", "name_ar"])
    governorates = checked_governorates(governorates, paths["governorates"], spec.name)
    if not {"SYR", "TUR"} <= set(countries["iso3"]):
        raise SourceError(str(paths["countries"]), f"expected features SYR and TUR, found {sorted(map(str, countries['iso3']))}")
    countries = countries[["iso3", "name_en", "name_ar", "name_tr", "geometry"]].assign(source_id=spec.name)
    border = border[["name_en", "name_ar", "name_tr", "geometry"]].assign(source_id=spec.name)
    return {
        "admin_areas": admin_areas(countries, governorates, spec.name),
        "countries": countries.sort_values("iso3").reset_index(drop=True),
        "border": border.reset_index(drop=True),
    }

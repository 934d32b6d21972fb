"""The US Department of State's Humanitarian Information Unit (HIU) Syria layers
(https://hiu.state.gov/data ; US Government work, public domain; cite "Humanitarian Information
Unit, U.S. Department of State"), as zipped shapefiles of 2015: the layer is told by its fields.

- 'Syria_BorderCrossings_<date>_HIU_USDoS' (NAME, LAT_DD, LONG_DD) -> crossings (crossing_id
  'hiu-<slug of NAME>', name_en = NAME, precision 'crossing', point). HIU lists every crossing of
  Syria's borders (Türkiye, Iraq, Jordan, Lebanon); all are loaded.
- 'Syria_IDPSites_<date>_HIU_USDoS' (DESIGNATIO, NAME, ADM1..ADM4, PCODE, LAT_DD, LONG_DD) ->
  locations, kind 'site': location_pcode 'HIU-<slug of NAME>' (HIU gives sites no P-code of their
  own), parent_pcode = the community part of PCODE (SY070301C4127 -> C4127), the sub-district part
  as adm3_pcode (the spatial join fills it where the point says otherwise).
- 'Syria_RefugeeSites_<date>_HIU_USDoS' (COUNTRY, DESIGNATIO, STATUS, NAME, ADMIN1, LAT, LONG) ->
  locations, kind 'refugee_camp' (camps of Syrian refugees in Türkiye, Jordan and Iraq); those
  outside the region the dashboard covers (Iraq's east) are reported and left out.
Names with encoding damage ('Apaydiná') are repaired where possible. Options: none.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from etl.contracts import CROSSINGS, LOCATIONS
from etl.core import limits
from etl.core.contracts import validate
from etl.core.issues import Issues, SourceError
from etl.core.names import repaired
from etl.core.spec import SourceSpec

TABLES = ("crossings", "locations")


def slug(name: str) -> str:
    """Lower-case letters and digits joined by '-', accents dropped ('Akçakale' -> 'akcakale')."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower().replace("ı", "i")).strip("-")


def crossing_ids(names) -> list[str]:
    """'hiu-<slug of NAME>', made unique with the feature's row where names repeat or have no
    Latin letters (an Arabic-only name)."""
    ids = []
    for row, name in enumerate(names, start=1):
        base = slug(name) if isinstance(name, str) else ""
        ids.append(f"hiu-{base}" if base else (f"hiu-{row}" if isinstance(name, str) and name.strip() else ""))
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid and cid in seen:
            ids[i] = f"{cid}-{i + 1}"
        seen.setdefault(cid, i)
    return ids


def _slug_ids(names: pd.Series) -> list[str]:
    """'HIU-<slug>', made unique with the feature's row where names repeat."""
    return [f"HIU-{i[4:]}" if i else "" for i in crossing_ids(names)]


def read_sites(layer: gpd.GeoDataFrame, spec: SourceSpec, file: str, issues: Issues) -> dict[str, pd.DataFrame]:
    """IDP sites or refugee camps as locations (see the module docstring)."""
    names = repaired(layer["NAME"])
    idp = "PCODE" in layer.columns
    codes = layer["PCODE"].astype("string").str.strip().str.upper() if idp else pd.Series(pd.NA, index=layer.index)
    parts = codes.str.extract(r"^(SY\d{6})(C\d{3,6})$")
    points = [g if g is not None and g.geom_type == "Point" and not g.is_empty else None for g in layer.geometry]
    raw = pd.DataFrame({
        "location_pcode": _slug_ids(names), "name_en": names, "name_ar": pd.NA,
        "kind": "site" if idp else "refugee_camp", "adm1_pcode": parts[0].str.slice(0, 4) if idp else pd.NA,
        "adm2_pcode": parts[0].str.slice(0, 6) if idp else pd.NA, "adm3_pcode": parts[0] if idp else pd.NA,
        "parent_pcode": parts[1] if idp else pd.NA,
        "lat": [f"{g.y:.6f}" if g is not None else "" for g in points],
        "lon": [f"{g.x:.6f}" if g is not None else "" for g in points],
        "location_precision": "exact", "population": pd.NA, "source_id": spec.name,
    }, dtype="string")
    raw.index = range(len(raw))
    good = validate(raw, LOCATIONS, file, issues, first_row=1)
    geometry = gpd.points_from_xy(good["lon"].astype("float64"), good["lat"].astype("float64"))
    table = gpd.GeoDataFrame(good[LOCATIONS.names], geometry=geometry, crs="EPSG:4326").reset_index(drop=True)
    return {"locations": table}


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    location = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        info = pyogrio.read_info(location)
    except Exception as exc:  # GDAL raises several types; the message is what matters
        raise SourceError(path.name, f"expected a zipped point shapefile of HIU border crossings: {exc}") from None
    limits.check_layer(info, path.name)
    try:
        layer = gpd.read_file(location)
    except Exception as exc:  # GDAL raises several types; the message is what matters
        raise SourceError(path.name, f"expected a zipped point shapefile of HIU border crossings: {exc}") from None
    if "NAME" not in layer.columns:
        raise SourceError(path.name, f"row 1: expected a NAME column; found {', '.join(map(str, layer.columns))}")
    layer = layer.to_crs("EPSG:4326") if layer.crs is not None else layer.set_crs("EPSG:4326")
    if "DESIGNATIO" in layer.columns:
        return read_sites(layer, spec, path.name, issues)
    names = repaired(layer["NAME"])
    points = [g if g is not None and g.geom_type == "Point" and not g.is_empty else None for g in layer.geometry]
    raw = pd.DataFrame({
        "crossing_id": crossing_ids(names),
        "name_en": names,
        "lat": [f"{g.y:.6f}" if g is not None else "" for g in points],
        "lon": [f"{g.x:.6f}" if g is not None else "" for g in points],
        "precision": "crossing",
        "coord_source_id": spec.name,
    }, dtype="string")
    # a feature's row is its position in the layer, counted from 1 (a shapefile's FID + 1)
    raw.index = range(len(raw))
    good = validate(raw, CROSSINGS, path.name, issues, first_row=1)
    missing = good["lat"].isna()
    for row in good.index[missing]:
        issues.add("crossings", path.name, int(row), "geometry", None, "expected a point")
    good = good[~missing]
    geometry = gpd.points_from_xy(good["lon"].astype("float64"), good["lat"].astype("float64"))
    out = good.drop(columns=["lat", "lon"]).rename(columns={"coord_source_id": "source_id"})
    return {"crossings": gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326").reset_index(drop=True)}

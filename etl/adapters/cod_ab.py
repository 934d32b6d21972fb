"""OCHA Common Operational Dataset - Administrative Boundaries of Syria (COD-AB).

Source: OCHA / UN Cartographic Section, on HDX as "Syrian Arab Republic - Subnational
Administrative Boundaries" (https://data.humdata.org/dataset/cod-ab-syr); licence CC BY-IGO.
Users download zipped shapefiles (one zip holding syr_admbnda_adm0..3_*.shp, beside boundary
lines, label points and neighbourhoods), GeoJSON, or a GeoPackage with one layer per level.

Reads, as `path`: a .zip (.shp, .geojson or .gpkg files, in any subfolder), a folder of such
files, a single .shp / .geojson / .json (one level) or a .gpkg (one layer per level). Each polygon
layer's level is the deepest P-code column it carries, in either attribute schema:
- classic: ADM3_EN, ADM3_AR, ADM3_PCODE with the parents' ADM2_*, ADM1_*, ADM0_* columns (and
  ADM3_REF, ADM3ALT1EN, date, validOn, ... which are not read);
- HDX's newer lower-case schema: adm3_name, adm3_name1, adm3_pcode, ... with lang, lang1 naming
  the language of each name column (without them, name is English and name1 Arabic).
Point and line layers (label points, boundary lines), layers without geometry and layers deeper
than admin 3 (neighbourhoods) are not read. A polygon layer without any P-code column, or whose
name says admN / adminN while ADMN_PCODE is missing, stops the run with a SourceError naming it.

Writes:
- admin_areas: pcode, level (0-3), parent_pcode (the parent level's P-code column of the same
  row; without that column, the P-code less its last two digits; none for level 0), name_en,
  name_ar, source_id + geometry (polygons, EPSG:4326, full resolution).
- admin_areas_web: the same rows simplified for the browser (etl.core.topology.web_simplify):
  each level simplified as a coverage so neighbours keep their shared edges, coordinates on a
  1e-5 degree grid. At the default 150 m, Idlib's 26 sub-districts weigh about 52 KB as GeoJSON.

Options:
- levels: list of admin levels to load (default [0, 1, 2, 3]).
- web_tolerance_m: simplification tolerance of admin_areas_web in metres (default 150: under a pixel
  on the dashboard's map of north-west Syria).

Problems name the layer as `file` ('syr_adm.zip/syr_admbnda_adm3_uncs_unocha_20201217.shp',
'syr_adm.gpkg:admin3', or the file name alone) and the feature's position in it, counted from 1
(a shapefile's FID + 1) as `row`. Rows are left out (and reported) for: an empty or missing
geometry, a geometry that is not a polygon, a missing or malformed P-code, a P-code of the wrong
length for its level, a P-code that does not start with its parent's, a missing English name,
a P-code already read (the first kept). Reported and kept: invalid geometries repaired with
shapely.make_valid (polygonal parts kept), names repaired from mojibake (UTF-8 read as
Latin-1/Windows-1252, as GDAL reads a shapefile that lost its .cpg), a parent P-code not found
among the parent level's areas. Also handled: reprojection to EPSG:4326, Z coordinates dropped,
byte-order marks and spaces in headers and cells, lower-case P-codes.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from etl.contracts import ADMIN_AREAS
from etl.core import limits
from etl.core.contracts import validate
from etl.core.headers import clean_header
from etl.core.issues import Issues, SourceError
from etl.core.names import repaired
from etl.core.spec import SourceSpec
from etl.core.topology import web_simplify

TABLES = ("admin_areas", "admin_areas_web")
LEVELS = (0, 1, 2, 3)
WEB_TOLERANCE_M = 150.0  # under a pixel at the map's regional extent (about 550 m a pixel)
VECTOR_SUFFIXES = (".shp", ".geojson", ".json", ".gpkg")
COLLECTED_SUFFIXES = (".shp", ".geojson", ".gpkg")  # in a zip or folder, .json may be anything
TABLE = ADMIN_AREAS.table
EXAMPLE_PCODES = {0: "SY", 1: "SY07", 2: "SY0703", 3: "SY070301"}

_PCODE_COLUMN = re.compile(r"ADM(\d)_PCODE")
_LEVEL_IN_NAME = re.compile(r"adm(?:in)?(\d)(?!\d)", re.IGNORECASE)
_NOT_AREAS = ("Point", "Line")  # declared geometry types of label-point and boundary-line layers


@dataclass(frozen=True)
class Layer:
    label: str  # how problems name it
    source: str  # what GDAL opens: a path, or a /vsizip/ path inside a zip
    name: str | None = None  # the layer inside a GeoPackage


def _options(spec: SourceSpec) -> tuple[tuple[int, ...], float]:
    """The `levels` and `web_tolerance_m` options, checked."""
    levels = spec.options.get("levels", list(LEVELS))
    if not isinstance(levels, list | tuple) or not levels or any(type(v) is not int or v not in LEVELS for v in levels):
        raise SourceError(spec.name, f"option levels: expected a list of admin levels among 0, 1, 2, 3; got {levels!r}")
    tolerance = spec.options.get("web_tolerance_m", WEB_TOLERANCE_M)
    if type(tolerance) not in (int, float) or not 0 <= tolerance < float("inf"):
        raise SourceError(spec.name, f"option web_tolerance_m: expected a number of metres >= 0; got {tolerance!r}")
    return tuple(levels), float(tolerance)


def _expand(label: str, source: str) -> list[Layer]:
    """One Layer per file, or per table of a GeoPackage."""
    if not source.lower().endswith(".gpkg"):
        return [Layer(label, source)]
    try:
        names = pyogrio.list_layers(source)[:, 0]
    except Exception as exc:  # pyogrio raises several types; the message is what matters
        raise SourceError(label, f"expected a GeoPackage GDAL can open: {exc}") from None
    return [Layer(f"{label}:{name}", source, name) for name in names]


def find_layers(path: Path) -> list[Layer]:
    """The vector layers under `path`: a zip, a folder, or one .shp/.geojson/.json/.gpkg file."""
    if not path.exists():
        raise SourceError(path.name, "file or folder not found")
    if path.is_dir():
        members = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.suffix.lower() in COLLECTED_SUFFIXES)
        return [layer for m in members for layer in _expand(f"{path.name}/{m}", str(path / m))]
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise SourceError(path.name, "expected a zip archive of shapefiles, GeoJSON or GeoPackage files") from None
        members = sorted(
            n for n in names if PurePosixPath(n).suffix.lower() in COLLECTED_SUFFIXES and not n.startswith("__MACOSX/")
        )
        return [layer for m in members for layer in _expand(f"{path.name}/{m}", f"/vsizip/{path.resolve()}/{m}")]
    if suffix in VECTOR_SUFFIXES:
        return _expand(path.name, str(path))
    if suffix in (".xlsx", ".xls", ".csv", ".ods"):
        raise SourceError(path.name, "expected boundaries (a .zip, folder, .shp, .geojson or .gpkg); this is a table "
                                     "without geometry: to load a P-code gazetteer, use adapter = \"gazetteer\"")
    raise SourceError(path.name, "expected a .zip, a folder, or a .shp, .geojson, .json or .gpkg file")


def _columns(fields) -> dict[str, str]:
    """Upper-cased clean header -> the header as read (the first of any repeats)."""
    out: dict[str, str] = {}
    for name in fields:
        out.setdefault(clean_header(name).upper(), name)
    return out


def _missing_dbf(layer: Layer) -> bool:
    """A shapefile whose .dbf (its attribute table) is not beside its .shp."""
    if not layer.source.lower().endswith(".shp"):
        return False
    stem = layer.source[:-4]
    if layer.source.startswith("/vsizip/"):
        archive, _, member = layer.source.removeprefix("/vsizip/").partition(".zip/")
        try:
            with zipfile.ZipFile(archive + ".zip") as zipped:
                names = {n.lower() for n in zipped.namelist()}
        except (OSError, zipfile.BadZipFile):
            return False
        return (member[:-4] + ".dbf").lower() not in names
    folder = Path(stem).parent
    return not any(p.name.lower() == Path(stem).name.lower() + ".dbf" for p in folder.iterdir())


def layer_level(layer: Layer, fields) -> int:
    """The deepest admin level whose P-code column the layer carries."""
    levels = [int(m.group(1)) for c in _columns(fields) if (m := _PCODE_COLUMN.fullmatch(c))]
    if not levels and _missing_dbf(layer):
        raise SourceError(layer.label, "this shapefile has no .dbf beside its .shp: the .dbf holds every area's names "
                                       "and P-codes; copy (or unzip) all of the shapefile's files (.shp, .shx, .dbf, "
                                       ".prj, .cpg) together")
    if not levels:
        raise SourceError(layer.label, "expected a P-code column such as ADM3_PCODE (classic) or adm3_pcode (HDX)")
    level = max(levels)
    named = _LEVEL_IN_NAME.findall(PurePosixPath(layer.label).name)
    if named and int(named[-1]) > level:
        n = int(named[-1])
        raise SourceError(layer.label, f"the name says admin {n}: expected column ADM{n}_PCODE or adm{n}_pcode")
    return level


def _read_info(layer: Layer) -> dict:
    try:
        return pyogrio.read_info(layer.source, layer=layer.name)
    except Exception as exc:  # pyogrio raises several types; the message is what matters
        raise SourceError(layer.label, f"expected a vector layer GDAL can read: {exc}") from None


def _is_area_layer(info: dict) -> bool:
    kind = info["geometry_type"]
    return kind is not None and not any(word in kind for word in _NOT_AREAS)


def _read_frame(layer: Layer) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326."""
    try:
        with warnings.catch_warnings():  # mixed-type GeoJSON properties: kept as text, which is what is wanted
            warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
            frame = pyogrio.read_dataframe(layer.source, layer=layer.name)
    except Exception as exc:  # pyogrio raises several types; the message is what matters
        raise SourceError(layer.label, f"expected a vector layer GDAL can read: {exc}") from None
    if frame.crs is None:
        raise SourceError(layer.label, "expected a coordinate reference system (for a shapefile, its .prj file)")
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs("EPSG:4326")


def _text(series: pd.Series) -> pd.Series:
    """Cells as text without byte-order marks or surrounding spaces (blank stays blank)."""
    return series.astype("string").str.replace("\ufeff", "", regex=False).str.strip()


def name_columns(columns: dict[str, str], level: int, frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """The (English, Arabic) name columns of `level`: ADMn_EN / ADMn_AR, or admn_name{k} paired
    with lang{k} (without lang columns: admn_name English, admn_name1 Arabic)."""
    if f"ADM{level}_EN" in columns:
        return columns[f"ADM{level}_EN"], columns.get(f"ADM{level}_AR")
    by_language: dict[str, str] = {}
    for suffix, default in (("", "en"), ("1", "ar"), ("2", None), ("3", None)):
        name = columns.get(f"ADM{level}_NAME{suffix}")
        lang = columns.get(f"LANG{suffix}")
        if name is None:
            continue
        stated = _text(frame[lang]).str.lower().replace("", pd.NA).dropna() if lang else []
        language = stated.iloc[0] if len(stated) else default
        if language:
            by_language.setdefault(language, name)
    return by_language.get("en"), by_language.get("ar")


def repair_names(text: pd.Series, column: str, file: str, issues: Issues) -> pd.Series:
    """Names with mojibake repaired, each repair reported (rows numbered from 1)."""
    fixed = repaired(text)
    changed = (fixed != text).fillna(False)
    for position in np.flatnonzero(changed.to_numpy()):
        issues.note(TABLE, file, int(position) + 1, column, text.iloc[position],
                    "name repaired from encoding damage (UTF-8 read as Latin-1); row kept", detail=repr(fixed.iloc[position]))
    return fixed


def raw_rows(frame: pd.DataFrame, level: int, file: str, source_id: str, issues: Issues) -> pd.DataFrame:
    """The layer's attributes as contract columns (text), one row per feature."""
    columns = _columns(frame.columns.drop("geometry"))
    name_en, name_ar = name_columns(columns, level, frame)
    if name_en is None:
        raise SourceError(
            file, f"expected an English name column ADM{level}_EN, or adm{level}_name with lang 'en' (or no lang column)"
        )
    pcode = _text(frame[columns[f"ADM{level}_PCODE"]]).str.upper()
    parent_column = columns.get(f"ADM{level - 1}_PCODE") if level else None
    if level == 0:
        parent = pd.Series(pd.NA, index=frame.index, dtype="string")
    elif parent_column:
        parent = _text(frame[parent_column]).str.upper()
    else:
        parent = pcode.str.slice(0, -2)
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    return pd.DataFrame({
        "pcode": pcode,
        "level": str(level),
        "parent_pcode": parent,
        "name_en": repair_names(_text(frame[name_en]), "name_en", file, issues),
        "name_ar": repair_names(_text(frame[name_ar]), "name_ar", file, issues) if name_ar else empty,
        "source_id": source_id,
    })


def checked_polygons(geometry: np.ndarray, pcodes: pd.Series, file: str, issues: Issues) -> tuple[np.ndarray, np.ndarray]:
    """(2-D polygons with invalid ones repaired, mask of usable rows); problems reported."""
    geometry = shapely.force_2d(geometry)
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    polygonal = np.isin(shapely.get_type_id(geometry), (3, 6))  # Polygon, MultiPolygon
    invalid = polygonal & ~missing & ~shapely.is_valid(geometry)
    repaired = geometry.copy()
    repaired[invalid] = shapely.make_valid(geometry[invalid], method="structure", keep_collapsed=False)
    ok = ~missing & polygonal & ~shapely.is_empty(repaired)
    for i in np.flatnonzero(missing | ~polygonal | invalid):
        row, value = int(i) + 1, pcodes.iloc[i]
        if missing[i]:
            reason = "expected a polygon; the geometry is empty"
        elif not polygonal[i]:
            reason = f"expected a polygon or multipolygon, found a {geometry[i].geom_type}"
        elif ok[i]:
            reason = "invalid geometry repaired with make_valid; row kept"
        else:
            reason = "invalid geometry with no area left after make_valid"
        detail = shapely.is_valid_reason(geometry[i]) if invalid[i] else None
        issues.add(TABLE, file, row, "geometry", value, reason, kept=bool(ok[i]), detail=detail)
    return repaired, ok


def in_range(geometry: np.ndarray, pcodes: pd.Series, label: str, issues: Issues) -> np.ndarray:
    """Features whose coordinates are longitudes and latitudes (-180..180, -90..90); each other one
    is reported by its feature (a GeoJSON written with projected metres but read as EPSG:4326)."""
    bounds = shapely.bounds(geometry)
    ok = np.isnan(bounds).any(axis=1) | ((np.abs(bounds[:, [0, 2]]) <= 180) & (np.abs(bounds[:, [1, 3]]) <= 90)).all(axis=1)
    for i in np.flatnonzero(~ok):
        issues.add(TABLE, label, int(i) + 1, "geometry", pcodes.iloc[i],
                   "expected longitudes and latitudes (EPSG:4326); this feature's coordinates are out of range",
                   detail=f"bounds {', '.join(f'{v:,.1f}' for v in bounds[i])} (projected metres in a GeoJSON?)")
    if len(ok) and not ok.any():
        raise SourceError(label, "expected longitudes and latitudes (EPSG:4326); every feature's coordinates are out "
                                 "of range: a GeoJSON holds EPSG:4326 by definition, so reproject the file before loading it")
    return ok


def read_layer(layer: Layer, level: int, source_id: str, issues: Issues) -> pd.DataFrame:
    """The layer's good rows (contract columns, geometry, and where they came from)."""
    frame = _read_frame(layer)
    raw = raw_rows(frame, level, layer.label, source_id, issues)
    ranged = in_range(frame.geometry.to_numpy(), raw["pcode"], layer.label, issues)
    geometry, usable = checked_polygons(frame.geometry.to_numpy(), raw["pcode"], layer.label, issues)
    usable = usable & ranged
    good = validate(raw, ADMIN_AREAS, layer.label, issues, first_row=1).sort_index()
    pattern = rf"SY\d{{{2 * level}}}"
    wrong_length = ~good["pcode"].str.fullmatch(pattern)
    for row, value in good.loc[wrong_length, "pcode"].items():
        issues.add(TABLE, layer.label, int(row), "pcode", value,
                   f"expected an admin-{level} P-code such as {EXAMPLE_PCODES[level]}")
    good = good[~wrong_length & usable[good.index.to_numpy() - 1]].copy()
    good["geometry"] = geometry[good.index.to_numpy() - 1]
    good["_file"] = layer.label
    good["_row"] = good.index.to_numpy()
    return good.reset_index(drop=True)


def drop_duplicates(rows: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """Keep the first row of each (level, P-code); report the others with where it was first."""
    repeated = rows.duplicated(["level", "pcode"]).to_numpy()
    if repeated.any():
        kept = rows.loc[~repeated]
        first = {(lv, p): (f, r) for lv, p, f, r in zip(kept["level"], kept["pcode"], kept["_file"], kept["_row"])}
        for lv, pcode, file, row in zip(*(rows.loc[repeated, c] for c in ("level", "pcode", "_file", "_row"))):
            seen_file, seen_row = first[(lv, pcode)]
            issues.add(TABLE, file, int(row), "pcode", pcode, "expected a unique P-code",
                       detail=f"already read from {seen_file}, row {seen_row}")
    return rows.loc[~repeated]


def report_orphans(rows: pd.DataFrame, levels_read: set[int], issues: Issues) -> None:
    """Report areas whose parent P-code is not among the parent level's areas (rows kept)."""
    for level in sorted(levels_read):
        if level - 1 not in levels_read:
            continue
        parents = set(rows.loc[rows["level"] == level - 1, "pcode"])
        orphans = rows[(rows["level"] == level) & ~rows["parent_pcode"].isin(parents)]
        for _, r in orphans.iterrows():
            issues.note(TABLE, r["_file"], int(r["_row"]), "parent_pcode", r["parent_pcode"],
                        f"parent P-code not found among the admin-{level - 1} areas read; row kept")


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, gpd.GeoDataFrame]:
    """admin_areas (full resolution) and admin_areas_web (simplified) from every polygon layer of
    the chosen levels under `path`."""
    levels, tolerance = _options(spec)
    frames, levels_read = [], set()
    for layer in find_layers(path):
        info = _read_info(layer)
        if not _is_area_layer(info):
            continue
        level = layer_level(layer, info["fields"])
        if level in levels:
            limits.check_layer(info, layer.label)
            frames.append(read_layer(layer, level, spec.name, issues))
            levels_read.add(level)
    if not frames:
        wanted = ", ".join(map(str, levels))
        raise SourceError(path.name, f"expected a polygon layer of admin level {wanted} (ADMn_PCODE or admn_pcode columns)")
    rows = drop_duplicates(pd.concat(frames, ignore_index=True), issues)
    report_orphans(rows, levels_read, issues)
    rows = rows.sort_values(["level", "pcode"]).reset_index(drop=True)
    areas = gpd.GeoDataFrame(rows[ADMIN_AREAS.names], geometry=rows["geometry"].to_numpy(), crs="EPSG:4326")
    return {"admin_areas": areas, "admin_areas_web": web_simplify(areas, tolerance)}

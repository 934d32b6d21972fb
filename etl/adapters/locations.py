"""P-coded locations of Syria: OCHA's communities list (admin 4) and the CCCM camp/site P-code lists.

Sources:
- OCHA Syria "Populated places / P-coded locations" (HDX, data.humdata.org, dataset "Syria -
  Populated places"; licence CC BY-IGO): one row per community, with admin 1-3 names and P-codes,
  the community P-code (C1234), its type ('Community') and coordinates. Users download the xlsx
  (sheet 'Sheet1', headers admin0Name_en ... admin3Pcode, admin4Name_en, admin4Name_ar, Column1,
  admin4Pcode, LocationName_en, LocationName_ar, Location_Pcode, location_type, LastUpdateDate,
  Latitude_y, Longitude_x) or a CSV copy with lower-case snake headers (location_name_en, ...,
  latitude_y, longitude_x, plus zone / area-of-control columns, which are not read).
- CCCM camp and site P-code lists (CCCM Cluster / NWS Cash Working Group extracts; licence as
  published): columns admin4Pcode, Location_Pcode (CP123456), LocationName_en (often
  'English / Arabic' in one field), Locationme_ar (sic), location_type. These lists carry no
  coordinates: a camp is placed at its parent community (admin4Pcode) by `place_camps`.

The layout is recognised from the header (case, spaces, underscores and punctuation ignored): a
header with admin1Pcode or coordinates is a communities list; one with neither is a camp list.
Reads an .xlsx/.xlsm workbook with openpyxl (the first sheet, or option `sheet`) or a UTF-8 CSV (a
byte-order mark tolerated), told apart by the content (etl/core/readers.py read_rows).
An HXL hashtag row under the header (HDX copies) is skipped; data then starts on row 3.

Options:
- sheet: workbook sheet name (default: the first sheet).
- communities_path: for a camp list, the communities file (xlsx or CSV, a path relative to the
  camp file's folder or absolute). Camps are then placed at their parent community and camps whose
  parent is unknown or has no coordinates are reported (and kept, without coordinates). Without
  it, camps are returned unplaced (parent_pcode set) for the pipeline to call `place_camps`.
  (The communities file is read from its first sheet.)

Writes: locations (location_pcode, name_en, name_ar, kind, adm1_pcode, adm2_pcode, adm3_pcode,
parent_pcode, lat, lon, location_precision, population, source_id + point geometry, None where the
coordinates are unknown). parent_pcode is a camp's community; it is empty for communities.
location_precision is 'exact' for a community's own coordinates and 'parent_community' for a camp
placed at its community. Neither source publishes population, so it stays empty.

location_type -> kind: Community -> community; Planned Camp, Camp -> camp; Informal Site, NWS
sites, NES sites, Site and a blank type in a camp list -> site (these lists mix formal camps with
informal settlements, so 'site' claims no more than the list does); Reception Center(re) ->
reception_centre; Collective Center(re) and School (schools used as shelters) -> collective_centre.
A blank type in a communities list -> community. Any other type is reported and the row left out.

Quirks handled: byte-order marks, stray spaces in headers and cells (types like 'Informal Site  '),
P-codes in lower case or with spaces ('Cp000123', ' CP000123'), coordinates as text with float
noise (37.287941000000004, rounded to 6 decimals, about 0.1 m), names damaged by a wrong decoding
('Ø¥Ø¯Ù„Ø¨' repaired to 'إدلب'), a camp's own P-code repeated in its name, duplicated P-codes
(the first row kept, later ones reported). CCCM's temporary codes (TEMP001) are kept; a P-code
the contract does not know ('N/A') is reported by validation with its row.
"""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.contracts import LOCATIONS
from etl.core.contracts import reject_duplicates, validate_rows
from etl.core.geo import WGS84, with_points
from etl.core.headers import clean_header, header_key, header_summary, is_hashtag_row
from etl.core.issues import Issues, SourceError
from etl.core.names import has_arabic_script, repair_mojibake
from etl.core.readers import read_rows
from etl.core.spec import SourceSpec

TABLES = ("locations",)

# canonical field -> accepted header keys (lower case, no spaces or underscores), first found wins
FIELDS = {
    "location_pcode": ("locationpcode",),
    "name_en": ("locationnameen",),
    "name_ar": ("locationnamear", "locationmear"),
    "location_type": ("locationtype",),
    "adm1_pcode": ("admin1pcode",),
    "adm2_pcode": ("admin2pcode",),
    "adm3_pcode": ("admin3pcode",),
    "parent_pcode": ("admin4pcode",),
    "lat": ("latitudey", "latitude", "lat"),
    "lon": ("longitudex", "longitude", "lon", "long"),
}
# the published spelling of each field's header, for error messages
PUBLISHED = {
    "location_pcode": "Location_Pcode", "name_en": "LocationName_en", "adm1_pcode": "admin1Pcode",
    "adm2_pcode": "admin2Pcode", "adm3_pcode": "admin3Pcode", "parent_pcode": "admin4Pcode",
    "lat": "Latitude_y", "lon": "Longitude_x",
}
COMMUNITY_FIELDS = ("location_pcode", "name_en", "adm1_pcode", "adm2_pcode", "adm3_pcode", "lat", "lon")
CAMP_FIELDS = ("parent_pcode", "location_pcode", "name_en")

KIND_BY_TYPE = {
    "community": "community",
    "camp": "camp",
    "planned camp": "camp",
    "informal site": "site",
    "nws sites": "site",
    "nes sites": "site",
    "site": "site",
    "reception center": "reception_centre",
    "reception centre": "reception_centre",
    "collective center": "collective_centre",
    "collective centre": "collective_centre",
    "school": "collective_centre",
}
_LATIN = re.compile(r"[A-Za-z]")
COORD_DECIMALS = 6


def split_bilingual(name: str) -> tuple[str, str | None]:
    """'Al Ezza / العزة' -> ('Al Ezza', 'العزة'), in either order. The split is at a '/' with
    Latin script only on one side and Arabic script only on the other; where several qualify
    ('Shahba'1 (Bab Al Hawa Lower/1)/ الشهبا 1'), the one leaving the shortest Arabic part.
    Otherwise (name, None)."""
    splits = []
    for match in re.finditer("/", name):
        left, right = name[: match.start()].strip(), name[match.end():].strip()
        for latin, arabic in ((left, right), (right, left)):
            if latin and not has_arabic_script(latin) and has_arabic_script(arabic) and not _LATIN.search(arabic):
                splits.append((latin, arabic))
    if not splits:
        return name, None
    return min(splits, key=lambda pair: len(pair[1]))


def drop_own_pcode(name: str, pcode: str) -> str:
    """'Al nour Village CP002248' -> 'Al nour Village' (a camp's P-code repeated in its name)."""
    if not pcode:
        return name
    stripped = re.sub(rf"[\s,;:-]*\b{re.escape(pcode)}\s*$", "", name, flags=re.IGNORECASE).strip()
    return stripped or name


def field_columns(header: list[str]) -> dict[str, int]:
    """Canonical field -> index of the column that holds it, for the fields the header has."""
    keys = [header_key(c) for c in header]
    columns = {}
    for field, aliases in FIELDS.items():
        found = next((keys.index(a) for a in aliases if a in keys), None)
        if found is not None:
            columns[field] = found
    return columns


def data_rows(rows: list[list[str]], columns: dict[str, int]) -> list[tuple[int, dict[str, str]]]:
    """(row number in the file, {field: cell text}) for each row under the header (and under an
    HXL hashtag row if there is one); wholly blank rows are left out."""
    first = 3 if len(rows) > 1 and is_hashtag_row(rows[1]) else 2
    return [
        (number, {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()})
        for number, cells in enumerate(rows[first - 1:], start=first)
        if any(c.strip() for c in cells)
    ]


def require_fields(present: dict[str, int], fields: tuple[str, ...], header: list[str], layout: str, file: str) -> None:
    missing = [PUBLISHED[f] for f in fields if f not in present]
    if missing:
        raise SourceError(
            file,
            f"row 1: expected column(s) {', '.join(missing)} for a {layout} list (case, spaces and underscores "
            f"ignored); {header_summary(header, [PUBLISHED[f] for f in fields], missing)}",
        )


def kind_of(location_type: str, layout: str) -> str | None:
    """The contract's kind for a published location_type (None when the type is not known)."""
    key = re.sub(r"\s+", " ", location_type).strip().lower()
    if not key:
        return "community" if layout == "communities" else "site"
    return KIND_BY_TYPE.get(key)


def normalise(cells: dict[str, str], layout: str) -> dict[str, str | None]:
    """One row's source text -> contract text: trimmed, P-codes upper-case without spaces, names
    repaired and split, kind mapped, precision set for a community's own coordinates."""
    text = {field: value.strip() for field, value in cells.items()}
    for field in ("location_pcode", "adm1_pcode", "adm2_pcode", "adm3_pcode", "parent_pcode", "lat", "lon"):
        if field in text:
            text[field] = re.sub(r"\s+", "", text[field])
            if field not in ("lat", "lon"):
                text[field] = text[field].upper()
    name_en, split_ar = split_bilingual(drop_own_pcode(repair_mojibake(text["name_en"]), text["location_pcode"]))
    out = {**text, "name_en": name_en, "name_ar": repair_mojibake(text.get("name_ar", "")) or split_ar}
    out["kind"] = kind_of(text.get("location_type", ""), layout)
    if layout == "communities":
        out["parent_pcode"] = None
        out["location_precision"] = "exact" if text.get("lat") or text.get("lon") else None
    return out


def reject_unknown_types(rows: list[tuple[int, dict]], file: str, issues: Issues) -> list[tuple[int, dict]]:
    for number, row in rows:
        if row["kind"] is None:
            issues.add(
                "locations", file, number, "location_type", row["location_type"],
                "expected a location type: Community, Planned Camp, Camp, Informal Site, NWS sites, NES sites, "
                "Reception Center, Collective Center, School, or blank",
            )
    return [(number, row) for number, row in rows if row["kind"] is not None]


def place_camps(camps: pd.DataFrame, communities: pd.DataFrame) -> gpd.GeoDataFrame:
    """Place camps at their parent community (parent_pcode -> the community's location_pcode).

    Fills lat, lon, adm1-3 P-codes and the point, and sets location_precision 'parent_community'.
    Camps whose parent is unknown or has no coordinates are returned unchanged (no geometry,
    location_precision empty), never dropped. Pure: the inputs are not modified; the index is kept.
    """
    known = communities[(communities["kind"] == "community") & communities["lat"].notna()]
    parents = known.drop_duplicates("location_pcode").set_index("location_pcode")
    out = pd.DataFrame(camps).drop(columns="geometry", errors="ignore").copy()
    found = out["parent_pcode"].isin(parents.index)
    matched = out.loc[found, "parent_pcode"]
    for column in ("lat", "lon", "adm1_pcode", "adm2_pcode", "adm3_pcode"):
        out.loc[found, column] = parents.loc[matched, column].to_numpy()
    out.loc[found, "location_precision"] = "parent_community"
    return with_points(out[LOCATIONS.names])


def report_unplaced(camps: pd.DataFrame, communities_file: str, file: str, issues: Issues) -> None:
    """Report camps left without coordinates by place_camps (index = row in the camp file)."""
    unplaced = camps["location_precision"].isna()
    for row, parent in camps.loc[unplaced, "parent_pcode"].items():
        issues.note(
            "locations", file, int(row), "admin4Pcode", parent,
            f"expected the P-code of a community with coordinates in {communities_file}; "
            "camp kept without coordinates",
        )


def load(path: Path, source_id: str, sheet: str | None, issues: Issues) -> tuple[gpd.GeoDataFrame, str]:
    """One communities or camp file -> (LOCATIONS rows indexed by their row in the file, layout)."""
    file = path.name
    table = read_rows(path, sheet)
    if not table or not any(c.strip() for c in table[0]):
        raise SourceError(file, "row 1: expected a header row (Location_Pcode, LocationName_en, ...); found nothing")
    header = [clean_header(c) for c in table[0]]
    columns = field_columns(header)
    layout = "communities" if {"adm1_pcode", "lat", "lon"} & set(columns) else "camps"
    require_fields(columns, COMMUNITY_FIELDS if layout == "communities" else CAMP_FIELDS, header, layout, file)
    rows = data_rows(table, columns)
    rows = reject_unknown_types([(n, normalise(cells, layout)) for n, cells in rows], file, issues)
    raw = pd.DataFrame([row for _, row in rows], index=[n for n, _ in rows], dtype="string")
    raw["source_id"] = source_id
    good = validate_rows(raw, LOCATIONS, file, issues)
    good = reject_duplicates(good, "location_pcode", "locations", file, issues)
    for column in ("lat", "lon"):
        good[column] = good[column].round(COORD_DECIMALS)
    return with_points(good[LOCATIONS.names]), layout


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    sheet = spec.options.get("sheet")
    locations, layout = load(path, spec.name, sheet, issues)
    communities_option = spec.options.get("communities_path")
    if communities_option and layout == "camps":
        communities_path = Path(communities_option)
        if not communities_path.is_absolute():
            communities_path = path.parent / communities_path
        # the communities file's own problems are reported when it is loaded as a source itself
        communities, _ = load(communities_path, spec.name, None, Issues())
        locations = place_camps(locations, communities)
        report_unplaced(locations, communities_path.name, path.name, issues)
    locations = locations.sort_values("location_pcode", kind="stable").reset_index(drop=True)
    return {"locations": gpd.GeoDataFrame(locations, geometry="geometry", crs=WGS84)}

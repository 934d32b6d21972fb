"""HXL-tagged tables (Humanitarian Exchange Language, https://hxlstandard.org), as published on HDX
(data.humdata.org): a CSV with a row of hashtags such as #date, #adm3+code, #affected+idps, usually
as row 2 under a text header (English or Arabic), sometimes as row 1 with no text header. The
licence is the dataset's own (stated on its HDX page; record it in the sources file).

Parsed with libhxl (hashtags, attributes, the hashtag row wherever it is in the first 25 rows);
the cells are then checked against the canonical contracts. Which tables a file fills is decided
by the hashtags present (tags match as HXL tag patterns: '#affected+killed' also matches
'#affected+killed+civilians'; of several matching columns the one with the fewest attributes,
i.e. the total, is used; sex, age and household breakdowns (+f, +m, +children, +adults,
+elderly, +infants, +hh) are never read as totals of persons):

- events: #geo+lat, #geo+lon and #affected+killed on each row, with #date or #date+start (e.g.
  HDX's per-country UCDP exports). event_id from #event+id or #meta+id, else
  '<source name>:<row>'; fatalities from #affected+killed; admin names from #adm1/2/3+name;
  event_type from #event+type; reported_by from #meta+source; notes from #description. A
  file that has these tags is read as events only.
- casualties: #affected+killed (+ #affected+injured, #affected+killed+children) with a date and
  an area. civilians_only and the unit civilians_killed when the killed column has +civilians,
  else people_killed; cause from option `cause` (conflict, earthquake, other; 'unknown' when the
  sources file does not say: the hashtags never tell a cause), kind observation, qualifier exact.
- idp_stock: #affected+idps (value = persons, unit idps) with a date and an area.
- displacement: #affected+idps+arrivals (or +new) -> direction arrivals, unit idp_arrivals;
  #affected+idps+departures -> direction departures, unit idp_departures; measure period, kind
  observation, qualifier exact; dest_pcode (arrivals) or origin_pcode (departures) = the area.
  One file can fill idp_stock and displacement at once.

Dates: #date, #date+start and #date+end (year-only #date+year columns are ignored). A figure's
period is #date+start..#date+end (either falling back to #date); with #date alone it is the
month the date falls in (HDX monthly figures). A stock's date is #date, else #date+end, else
#date+start. Dates may be ISO, YYYY-MM, d/m/Y, Excel serial numbers or epoch milliseconds.
Option `period_start` (a date): the start of every figure's period, for figures cumulative since
an event (an earthquake's deaths to the date of each report).
Area: pcode = the deepest of #adm3+code, #adm2+code, #adm1+code filled on the row; area_en = the
first filled of #adm3+name, #adm2+name, #adm1+name, #loc+name (Arabic +i_ar columns are not
English names), else the P-code. Names finer than the P-code (or with no P-code) go to the
pipeline's name matcher (etl/core/areas.py), which fills pcode and reports each miss.

fact_id of a figure row: '<source name>:<row>' ('<source name>:<row>:<direction>' in
displacement, where one row gives one figure per direction). Rows are numbered as in the file
(data rows from 3 under a text header and a hashtag row). '*' (suppressed) and blank figure
cells are not figures: a figure row needs its value, so such rows are reported. Wholly blank rows
are skipped.

Writes: the tables named above that the file's hashtags feed (events with point geometry), and
`area_names` for the pipeline's name matcher.
"""
from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import hxl
import pandas as pd

from etl.contracts import CASUALTIES, CAUSES, DISPLACEMENT, EVENTS, IDP_STOCK
from etl.core import areas, limits
from etl.core.contracts import reject_duplicates, validate_rows
from etl.core.dates import iso_dates, month_span
from etl.core.geo import with_points
from etl.core.issues import Issues, SourceError
from etl.core.names import repair_mojibake
from etl.core.numbers import counts
from etl.core.spec import SourceSpec

TABLES = ("idp_stock", "displacement", "casualties", "events", "area_names")

_NOT_TOTALS = "-f-m-children-adults-elderly-infants-hh"
# role -> HXL tag patterns, in order of preference
ROLES = {
    "date": ("#date-start-end-year",),
    "date_start": ("#date+start-year",),
    "date_end": ("#date+end-year",),
    "adm1_code": ("#adm1+code",),
    "adm2_code": ("#adm2+code",),
    "adm3_code": ("#adm3+code",),
    "adm1_name": ("#adm1+name-i_ar",),
    "adm2_name": ("#adm2+name-i_ar",),
    "adm3_name": ("#adm3+name-i_ar",),
    "loc_name": ("#loc+name-i_ar",),
    "idps": ("#affected+idps-arrivals-departures-new" + _NOT_TOTALS,),
    "arrivals": ("#affected+idps+arrivals" + _NOT_TOTALS, "#affected+idps+new" + _NOT_TOTALS),
    "departures": ("#affected+idps+departures" + _NOT_TOTALS,),
    "killed": ("#affected+killed" + _NOT_TOTALS,),
    "injured": ("#affected+injured" + _NOT_TOTALS,),
    "children_killed": ("#affected+killed+children",),
    "lat": ("#geo+lat",),
    "lon": ("#geo+lon",),
    "event_id": ("#event+id", "#meta+id"),
    "event_type": ("#event+type",),
    "reported_by": ("#meta+source",),
    "notes": ("#description",),
}
FIGURE_ROLES = {"casualties": {"killed"}, "idp_stock": {"idps"}, "displacement": {"arrivals", "departures"}}
CONTRACTS = {"casualties": CASUALTIES, "idp_stock": IDP_STOCK, "displacement": DISPLACEMENT}
COUNTS = ("idps", "arrivals", "departures", "killed", "injured", "children_killed")
DIRECTIONS = {"arrivals": ("arrivals", "idp_arrivals", "dest_pcode"), "departures": ("departures", "idp_departures", "origin_pcode")}
EXPECTED_TAGS = (
    "expected HXL hashtags for IDP figures (#affected+idps, #affected+idps+arrivals, "
    "#affected+idps+departures), casualties (#affected+killed) or events (#geo+lat, #geo+lon, "
    "#affected+killed)"
)


def find_columns(columns: list[hxl.Column]) -> dict[str, hxl.Column]:
    """Role -> the column that fills it: the first pattern that matches wins; among columns it
    matches, the one with the fewest attributes (the total), then the leftmost."""
    found = {}
    for role, patterns in ROLES.items():
        for pattern in patterns:
            matches = hxl.TagPattern.parse(pattern).get_matching_columns(columns)
            if matches:
                found[role] = min(matches, key=lambda c: (len(c.attributes), c.column_number))
                break
    return found


def read_hxl(path: Path) -> tuple[list[hxl.Column], list[tuple[int, list[str]]]]:
    """(columns, [(row number in the file, cells)]) parsed by libhxl."""
    try:
        limits.check_lines(path, path.name)
        with path.open("rb") as stream:
            dataset = hxl.data(stream, hxl.InputOptions(encoding="utf-8-sig"))
            columns = dataset.columns
            if len(columns) > limits.active().columns:
                raise limits.active().refuse(path.name, f"the header has {len(columns):,} columns", "columns")
            rows = [
                (row.source_row_number + 1, ["" if v is None else str(v) for v in row.values])
                for row in limits.bounded_rows(dataset, path.name, header_rows=0, width=lambda r: len(r.values))
            ]
    except hxl.input.HXLTagsNotFoundException:
        raise SourceError(
            path.name, "expected an HXL hashtag row (such as #date, #adm1+code, #affected+idps) in lines 1-25; none is one"
        ) from None
    except (hxl.HXLException, OSError, csv.Error) as exc:
        raise SourceError(path.name, f"expected an HXL-tagged CSV file: {exc}") from None
    return columns, rows


def role_frame(found: dict[str, hxl.Column], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """One text column per role found, one row per non-blank file row, indexed by row number."""
    records, numbers = [], []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        records.append({r: cells[c.column_number].strip() if c.column_number < len(cells) else "" for r, c in found.items()})
        numbers.append(number)
    return pd.DataFrame(records, columns=list(found), index=numbers, dtype="string")


def clean_date(text: pd.Series) -> pd.Series:
    """Dates to ISO text; 'YYYY-MM' is the first of that month. Unreadable ones stay as written."""
    s = text.str.strip()
    return iso_dates(s.str.replace(r"^(\d{4}-\d{2})$", r"\1-01", regex=True))


def first_filled(frame: pd.DataFrame, roles: tuple[str, ...]) -> pd.Series:
    """Per row, the first non-blank cell among `roles` (in that order), else <NA>."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for role in reversed(roles):
        if role in frame:
            out = frame[role].mask(frame[role].fillna("") == "", out)
    return out


def area(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(area_en, pcode) per row."""
    pcode = first_filled(frame, ("adm3_code", "adm2_code", "adm1_code")).str.replace(r"\s+", "", regex=True).str.upper()
    name = first_filled(frame, ("adm3_name", "adm2_name", "adm1_name", "loc_name")).fillna("").map(repair_mojibake)
    name = name.astype("string").mask(name == "")
    return name.fillna(pcode), pcode


def dates(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """ISO text for 'date' (stock), 'start' and 'end' (periods) per row."""
    blank = pd.Series("", index=frame.index, dtype="string")
    day = clean_date(frame["date"]) if "date" in frame else blank
    start = clean_date(frame["date_start"]) if "date_start" in frame else None
    end = clean_date(frame["date_end"]) if "date_end" in frame else None
    if start is None and end is None:
        period_start, period_end = month_span(day)
    else:
        period_start = day if start is None else start.mask(start == "", day)
        period_end = day if end is None else end.mask(end == "", day)
    stock = day if "date" in frame else (end if end is not None else start)
    return {"date": stock, "start": period_start, "end": period_end}


def require_area_and_date(frame: pd.DataFrame, file: str, tables: list[str]) -> None:
    """Figures need a date and an area: without the columns for them the file cannot be read."""
    what = " and ".join(tables)
    if not {"date", "date_start", "date_end"} & set(frame.columns):
        raise SourceError(file, f"{what}: expected a date column tagged #date, or #date+start and #date+end")
    if not {"adm1_code", "adm2_code", "adm3_code", "adm1_name", "adm2_name", "adm3_name", "loc_name"} & set(frame.columns):
        raise SourceError(
            file, f"{what}: expected an area column tagged #adm1+code, #adm2+code, #adm3+code, #adm1+name, "
            "#adm2+name, #adm3+name or #loc+name"
        )


def figure_base(frame: pd.DataFrame, name: str, suffix: str = "") -> pd.DataFrame:
    """The columns every figure row has: fact_id '<source name>:<row><suffix>', area, qualifier, source."""
    area_en, pcode = area(frame)
    fact_ids = pd.Series([f"{name}:{row}{suffix}" for row in frame.index], index=frame.index, dtype="string")
    return pd.DataFrame(
        {"fact_id": fact_ids, "area_en": area_en, "pcode": pcode, "qualifier": "exact", "source_id": name},
        index=frame.index,
    )


def idp_stock(frame: pd.DataFrame, when: dict[str, pd.Series], name: str) -> pd.DataFrame:
    out = figure_base(frame, name)
    out["date"], out["value"], out["unit"] = when["date"], frame["idps"], "idps"
    return out


def displacement(frame: pd.DataFrame, when: dict[str, pd.Series], name: str) -> pd.DataFrame:
    """One row per direction column and file row (index = row number, repeated per direction)."""
    parts = []
    for role, (direction, unit, movement_pcode) in DIRECTIONS.items():
        if role not in frame:
            continue
        out = figure_base(frame, name, suffix=f":{direction}")
        out["period_start"], out["period_end"] = when["start"], when["end"]
        out["direction"], out["value"], out["unit"] = direction, frame[role], unit
        out["measure"], out["kind"] = "period", "observation"
        out[movement_pcode] = out["pcode"]
        parts.append(out)
    return pd.concat(parts)


def casualties(frame: pd.DataFrame, when: dict[str, pd.Series], name: str, civilians: bool, cause: str) -> pd.DataFrame:
    out = figure_base(frame, name)
    out["period_start"], out["period_end"] = when["start"], when["end"]
    out["killed"] = frame["killed"]
    for role in ("injured", "children_killed"):
        if role in frame:
            out[role] = frame[role]
    out["civilians_only"] = "true" if civilians else "false"
    out["unit"] = "civilians_killed" if civilians else "people_killed"
    out["cause"], out["kind"] = cause, "observation"
    return out


def options(spec: SourceSpec, file: str) -> dict:
    """`cause` (casualties; default 'unknown') and `period_start`, checked."""
    cause = str(spec.options.get("cause", "unknown"))
    if cause not in CAUSES:
        raise SourceError(file, f"option cause = {cause!r}: expected one of {', '.join(CAUSES)}")
    start = spec.options.get("period_start")
    if start is not None and clean_date(pd.Series([str(start)], dtype="string")).iloc[0] is pd.NA:
        raise SourceError(file, f"option period_start = {start!r}: expected a date such as 2023-02-06")
    return {"cause": cause, "period_start": None if start is None else str(start)}


def names_to_match(frame: pd.DataFrame, table: str, built: pd.DataFrame, file: str, name: str,
                   found: dict[str, hxl.Column]) -> list[dict]:
    """area_names records for rows whose names go finer than their P-code (etl/core/areas.py)."""
    records = []
    for row in frame.index:
        names = {lv: (frame.at[row, f"adm{lv}_name"] if f"adm{lv}_name" in frame else None) for lv in (1, 2, 3)}
        names = {lv: (repair_mojibake(str(n)).strip() or None) if isinstance(n, str) else None for lv, n in names.items()}
        pcodes = built.loc[[row], "pcode"] if row in built.index else None
        pcode = None if pcodes is None or pcodes.isna().all() else str(pcodes.iloc[0])
        if not areas.needs_matching(names, pcode):
            continue
        finest = max(lv for lv, n in names.items() if n)
        for key in built.loc[[row], "fact_id"]:
            records.append({"table": table, "key": key, "target": "pcode", "adm1": names[1], "adm2": names[2],
                            "adm3": names[3], "within": pcode, "file": file, "row": row,
                            "column": found[f"adm{finest}_name"].display_tag, "source_id": name})
    return records


def events(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    given_id = frame["event_id"] if "event_id" in frame else pd.Series("", index=frame.index, dtype="string")
    row_id = pd.Series([f"{name}:{r}" for r in frame.index], index=frame.index, dtype="string")
    out = pd.DataFrame({"event_id": given_id.mask(given_id == "", row_id), "dataset": "HXL"}, index=frame.index)
    out["date_start"], out["date_end"] = event_dates(frame)
    for role, column in (("adm1_name", "admin1_name"), ("adm2_name", "admin2_name"), ("adm3_name", "admin3_name")):
        if role in frame:
            out[column] = frame[role].map(repair_mojibake).astype("string")
    for role in ("event_type", "reported_by", "notes", "lat", "lon"):
        if role in frame:
            out[role] = frame[role]
    out["fatalities"], out["source_id"] = frame["killed"], name
    return out


def event_dates(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Events keep their own days: start = #date+start or #date, end = #date+end or the start."""
    blank = pd.Series("", index=frame.index, dtype="string")
    day = clean_date(frame["date"]) if "date" in frame else blank
    start = clean_date(frame["date_start"]).mask(lambda s: s.fillna("") == "", day) if "date_start" in frame else day
    end = clean_date(frame["date_end"]) if "date_end" in frame else blank
    return start, end.mask(end.fillna("") == "", start)


def event_table(frame: pd.DataFrame, given_ids: bool, name: str, file: str, issues: Issues) -> gpd.GeoDataFrame:
    good = validate_rows(events(frame, name), EVENTS, file, issues)
    if given_ids:
        good = reject_duplicates(good, "event_id", "events", file, issues)
    return with_points(good.sort_values(list(EVENTS.key), kind="stable").reset_index(drop=True))


def figure_tables(frame: pd.DataFrame, found: dict[str, hxl.Column], name: str, file: str, issues: Issues,
                  given: dict | None = None):
    """The figure tables that the roles found feed, validated, and the names left to match."""
    given = given or {"cause": "unknown", "period_start": None}
    tables = [table for table, roles in FIGURE_ROLES.items() if roles & set(found)]
    require_area_and_date(frame, file, tables)
    when = dates(frame)
    if given["period_start"]:
        when["start"] = pd.Series(str(pd.Timestamp(given["period_start"]).date()), index=frame.index, dtype="string")
    built = {}
    if "casualties" in tables:
        built["casualties"] = casualties(frame, when, name, found["killed"].has_attribute("civilians"), given["cause"])
    if "idp_stock" in tables:
        built["idp_stock"] = idp_stock(frame, when, name)
    if "displacement" in tables:
        built["displacement"] = displacement(frame, when, name)
    out = {table: validate_rows(raw, CONTRACTS[table], file, issues).reset_index(drop=True) for table, raw in built.items()}
    pending = [r for table, raw in built.items() for r in names_to_match(frame, table, raw, file, name, found)]
    if pending:
        out["area_names"] = areas.frame(pending)
    return out


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    columns, rows = read_hxl(path)
    found = find_columns(columns)
    frame = role_frame(found, rows)
    for role in COUNTS:
        if role in frame:
            frame[role] = counts(frame[role])
    for role in ("lat", "lon"):
        if role in frame:
            frame[role] = frame[role].str.replace(r"\s+", "", regex=True)
    if {"lat", "lon", "killed"} <= set(found) and {"date", "date_start"} & set(found):
        return {"events": event_table(frame, "event_id" in found, spec.name, file, issues)}
    if not set().union(*FIGURE_ROLES.values()) & set(found):
        tags = ", ".join(sorted({c.display_tag for c in columns if c.tag})) or "none"
        raise SourceError(file, f"{EXPECTED_TAGS}; found {tags}")
    return figure_tables(frame, found, spec.name, file, issues, options(spec, file))

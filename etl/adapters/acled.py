"""ACLED political violence and protest events, from the CSV that registered users download with
ACLED's Data Export Tool (https://acleddata.com/data-export-tool/) or its API.
Licence: ACLED Terms of Use (https://acleddata.com/terms-of-use/); attribution required: name
ACLED (acleddata.com) and cite Raleigh, Linke, Hegre & Karlsen (2010), "Introducing ACLED",
Journal of Peace Research 47(5).

Reads: one ACLED export, a .csv or a .zip holding one CSV, in UTF-8 with or without byte-order
mark, comma-separated as exported (';' or tab when re-saved by Excel in some locales; the
delimiter is taken from the header line). Both the 2023+ column set (event_id_cnty, event_date,
..., tags, timestamp) and older exports (data_id, iso3, no sub_event_type) are read; header
names are matched ignoring case and surrounding spaces. An HXL hashtag row under the header
(HDX copies) is skipped and data rows are then numbered from 3.
Options (spec.options): none.

Writes: events (etl.contracts.EVENTS + point geometry, EPSG:4326):
    event_id = event_id_cnty, dataset = "ACLED", date_start = date_end = event_date,
    event_type, sub_event_type, admin1/admin2/admin3 -> admin1_name/admin2_name/admin3_name (as
    given; P-codes are joined by the pipeline), latitude/longitude -> lat/lon, geo_precision (1-3),
    fatalities (fatalities_low/high empty), source -> reported_by, notes.

Quirks handled: byte-order mark; header names with stray spaces or upper case; event_date as
YYYY-MM-DD, '15 March 2020' or an Excel serial number (a CSV re-saved from Excel); coordinates
stored as text with stray spaces or a decimal comma ('36,63'); UTF-8 text that was read as
Windows-1252 and saved again ('Ø¥Ø¯Ù„Ø¨' is repaired to 'إدلب'; damage that cannot be undone is
kept as given); the timestamp column (epoch seconds or milliseconds) is not used.

Rejected rows (each reported with file, row, column, value and reason; never loaded): anything
the EVENTS contract rejects (coordinates outside the region the dashboard covers, negative or
missing fatalities, unreadable dates, ...), geo_precision outside ACLED's 1-3, dates before
ACLED's coverage (1997) or in the future, cells beyond the header's last column, and a repeated
event_id (the first valid row is kept).

Also reads ACLED's monthly counts by district, as HDX publishes them, into events_aggregated
(dataset ACLED, one row per district, month and event type; names matched to P-codes by the
pipeline, each miss reported with its nearest candidates):
- HDX's workbooks '<country>_hrp_political_violence_events_and_fatalities_by_month-year_as-of-
  <date>.xlsx' (and the demonstration and civilian-targeting ones): columns Country, Admin1,
  Admin2, ISO3, Admin1 Pcode / Admin2 Pcode (when given), Month, Year, Events, Fatalities (not in
  the demonstrations file), on every sheet that has them; the event type is the file's (option
  `event_type`, else read from the file name: political_violence, civilian_targeting,
  demonstration);
- HDX HAPI's conflict events CSV (hdx_hapi_conflict_event_<...>.csv, HXL hashtag row): location_code,
  admin1_code, admin1_name, admin2_code, admin2_name, event_type, events, fatalities,
  reference_period_start, reference_period_end.
Rows of other countries (a global file) are left out and counted in one note (option `iso3`,
default SYR).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from etl.contracts import EVENTS, EVENTS_AGGREGATED
from etl.core import areas
from etl.core.contracts import reject, reject_beyond_header, typed_rows, validate_records
from etl.core.csv_columns import read_text_rows
from etl.core.dates import iso_dates
from etl.core.events import finish_events
from etl.core.headers import header_key
from etl.core.issues import Issues, SourceError
from etl.core.mapped import build
from etl.core.mapping import locate, parse, records
from etl.core.memory import release_arrow
from etl.core.names import repaired
from etl.core.numbers import decimal_text
from etl.core.sheets import describe, file_kind, read_sheets
from etl.core.spec import SourceSpec
from etl.core.timing import step

TABLES = ("events", "events_aggregated", "area_names")
REQUIRED = (
    "event_id_cnty", "event_date", "event_type", "admin1", "admin2", "admin3",
    "latitude", "longitude", "geo_precision", "fatalities", "source", "notes",
)
OPTIONAL = ("sub_event_type",)  # absent from exports before 2019
COVERAGE_START = "1997-01-01"  # ACLED's first events (Africa); Syria is covered from 2017
ACLED_PRECISIONS = (1, 2, 3)


def events_text(raw: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """ACLED columns as EVENTS columns, still text, quirks normalised."""
    date = iso_dates(raw["event_date"])
    missing = pd.Series(pd.arrays.ArrowStringArray(pa.nulls(len(raw), pa.large_string())), index=raw.index)
    return pd.DataFrame(
        {
            "event_id": raw["event_id_cnty"],
            "dataset": "ACLED",
            "date_start": date,
            "date_end": date,
            "event_type": repaired(raw["event_type"]),
            "sub_event_type": repaired(raw["sub_event_type"]),
            "violence_type": missing,
            "admin1_name": repaired(raw["admin1"]),
            "admin2_name": repaired(raw["admin2"]),
            "admin3_name": repaired(raw["admin3"]),
            "lat": decimal_text(raw["latitude"]),
            "lon": decimal_text(raw["longitude"]),
            "geo_precision": raw["geo_precision"],
            "fatalities": raw["fatalities"],
            "fatalities_low": missing,
            "fatalities_high": missing,
            "reported_by": repaired(raw["source"]),
            "notes": repaired(raw["notes"]),
            "source_id": source_id,
        },
        index=raw.index,
        copy=False,  # the text columns as read: a million notes are not copied
    )


# ---- monthly counts by district (HDX, HAPI) ---------------------------------------------------------

HDX_COLUMNS = {"adm1_name": "Admin1", "adm2_name": "Admin2", "year": "Year", "month": "Month", "events": "Events"}
HDX_OPTIONAL = {"adm1_pcode": "Admin1 Pcode", "adm2_pcode": "Admin2 Pcode", "fatalities": "Fatalities"}
HAPI_COLUMNS = {"adm1_name": "admin1_name", "adm2_name": "admin2_name", "adm1_pcode": "admin1_code",
                "adm2_pcode": "admin2_code", "event_type": "event_type", "events": "events", "fatalities": "fatalities",
                "period_start": "reference_period_start", "period_end": "reference_period_end"}
EVENT_TYPES_IN_NAMES = ("political_violence", "civilian_targeting", "demonstration")
COUNTRY = {"hdx": ("ISO3", "Country"), "hapi": ("location_code",)}


def _hapi_header(path: Path) -> bool:
    """Whether a CSV's header is HDX HAPI's conflict-event table (not an event export)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline(65536)
    except OSError:
        return False
    names = {header_key(c) for c in first.split(",")}
    return {"events", "referenceperiodstart"} <= names


def _event_type(spec: SourceSpec, file: str) -> str:
    given = spec.options.get("event_type")
    if given:
        return str(given)
    found = [t for t in EVENT_TYPES_IN_NAMES if t in file.lower().replace("-", "_")]
    if not found:
        raise SourceError(file, "expected the event type of these monthly counts: HDX's file names say it "
                                "(political_violence, civilian_targeting, demonstration); this one does not, so set "
                                "option event_type in the sources file")
    return found[0]


def _foreign(rows: list[list[str]], first: int, names: list[str], layout: str, iso3: str) -> set[int]:
    """Row indexes of other countries' rows (a global file)."""
    keys = [header_key(n) for n in names]
    for column in COUNTRY[layout]:
        if header_key(column) in keys:
            at = keys.index(header_key(column))
            wanted = {iso3.casefold(), "syria", "syrian arab republic"}
            return {i for i in range(first, len(rows))
                    if at < len(rows[i]) and rows[i][at].strip() and rows[i][at].strip().casefold() not in wanted}
    return set()


def read_aggregates(spec: SourceSpec, path: Path, layout: str, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    iso3 = str(spec.options.get("iso3", "SYR"))
    constants = {"dataset": "ACLED"}
    if layout == "hdx":
        constants["event_type"] = _event_type(spec, file)
    sheets = read_sheets(path, pattern=".*") if layout == "hdx" else read_sheets(path)
    built, names, foreign, used = [], [], 0, 0
    fields = tuple(c for c in EVENTS_AGGREGATED.names if c not in ("fact_id", "source_id", "area_en")) + (
        "adm1_name", "adm2_name", "adm1_pcode", "adm2_pcode", "year", "month")
    for sheet, rows in sheets:
        columns = dict(HDX_COLUMNS if layout == "hdx" else HAPI_COLUMNS)
        top = next((r for r in rows[:30] if {header_key(v) for v in columns.values()} <= {header_key(c) for c in r}), None)
        if top is None:
            continue  # a sheet of notes
        present = {header_key(c) for c in top}
        if layout == "hdx":
            columns.update({k: v for k, v in HDX_OPTIONAL.items() if header_key(v) in present})
        mapping = parse(columns, constants, {}, {}, file, fields)
        where = f"{file}, sheet {sheet!r}" if len(sheets) > 1 else file
        header = locate(rows, mapping, file, sheet)
        skip = _foreign(rows, header.first_data, header.names, layout, iso3)
        foreign += len(skip)
        used += 1
        kept = [r if i not in skip else [] for i, r in enumerate(rows)]
        for record in records(kept, header, mapping, sheet):
            fact_id = f"{spec.name}:{record.row}" + (f":{sheet}" if len(sheets) > 1 else "")
            out, pending = build(record, EVENTS_AGGREGATED, spec.name, fact_id, where)
            out["file"] = where
            built.append(out)
            names += pending
    if not used:
        wanted = ", ".join((HDX_COLUMNS if layout == "hdx" else HAPI_COLUMNS).values())
        raise SourceError(file, f"expected ACLED's monthly counts with columns {wanted}; no sheet has them")
    if foreign:
        issues.note(EVENTS_AGGREGATED.table, file, None, COUNTRY[layout][0], None,
                    f"rows of countries other than {iso3} are not read", detail=f"{foreign:,} rows")
    parts = [validate_records([r for r in built if r["file"] == w], EVENTS_AGGREGATED, w, issues)
             for w in dict.fromkeys(r["file"] for r in built)]
    table = pd.concat(parts, ignore_index=True) if parts else EVENTS_AGGREGATED.empty()
    return {"events_aggregated": table, "area_names": areas.frame(names)}


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    kind = file_kind(path)
    if kind in ("xlsx", "ods"):
        return read_aggregates(spec, path, "hdx", issues)
    if kind == "xls":
        raise SourceError(file, f"expected an ACLED export (.csv, or a .zip of one) or HDX's monthly counts (.xlsx); "
                                f"this is {describe(kind)}: save it as .xlsx")
    if kind == "text" and _hapi_header(path):
        return read_aggregates(spec, path, "hapi", issues)
    with step("read CSV"):
        rows = read_text_rows(path, REQUIRED, OPTIONAL)
    with step("validate and event rules"):
        first_row, beyond_header = rows.first_row, rows.beyond_header
        text, rows = events_text(rows.frame, spec.name), None  # the columns as read, held once
        release_arrow()  # the reader's blocks
        typed = typed_rows(text, EVENTS, file, issues, first_row=first_row)
        del text
        rules = reject_beyond_header(typed.columns(["geo_precision"]), beyond_header, EVENTS.table, file, issues)
        precision = rules["geo_precision"]
        rules = reject(
            rules, precision.notna() & ~precision.isin(ACLED_PRECISIONS), "geo_precision", precision,
            "expected ACLED's geo_precision 1, 2 or 3", EVENTS.table, file, issues,
        )
        # the table is taken once, by finish_events, for all the rules (and let go of there)
        kept, typed = typed.keep(rules.index), None
        return {"events": finish_events(kept, EVENTS, COVERAGE_START, "ACLED", file, issues)}

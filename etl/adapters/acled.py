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
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contracts import EVENTS
from etl.core.contracts import reject, reject_beyond_header, validate
from etl.core.csv_columns import read_text_rows
from etl.core.dates import iso_dates
from etl.core.events import finish_events, keep_rows
from etl.core.issues import Issues
from etl.core.names import repaired
from etl.core.numbers import decimal_text
from etl.core.spec import SourceSpec
from etl.core.timing import step

TABLES = ("events",)
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
    return pd.DataFrame(
        {
            "event_id": raw["event_id_cnty"],
            "dataset": "ACLED",
            "date_start": date,
            "date_end": date,
            "event_type": repaired(raw["event_type"]),
            "sub_event_type": repaired(raw["sub_event_type"]),
            "violence_type": pd.NA,
            "admin1_name": repaired(raw["admin1"]),
            "admin2_name": repaired(raw["admin2"]),
            "admin3_name": repaired(raw["admin3"]),
            "lat": decimal_text(raw["latitude"]),
            "lon": decimal_text(raw["longitude"]),
            "geo_precision": raw["geo_precision"],
            "fatalities": raw["fatalities"],
            "fatalities_low": pd.NA,
            "fatalities_high": pd.NA,
            "reported_by": repaired(raw["source"]),
            "notes": repaired(raw["notes"]),
            "source_id": source_id,
        },
        index=raw.index,
        copy=False,  # the text columns as read: a million notes are not copied
    )


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    with step("read CSV"):
        rows = read_text_rows(path, REQUIRED, OPTIONAL)
    with step("validate and event rules"):
        first_row, beyond_header = rows.first_row, rows.beyond_header
        text, rows = events_text(rows.frame, spec.name), None  # the columns as read, held once
        good = validate(text, EVENTS, file, issues, first_row=first_row)
        del text
        rules = reject_beyond_header(good[["geo_precision"]], beyond_header, EVENTS.table, file, issues)
        precision = rules["geo_precision"]
        rules = reject(
            rules, precision.notna() & ~precision.isin(ACLED_PRECISIONS), "geo_precision", precision,
            "expected ACLED's geo_precision 1, 2 or 3", EVENTS.table, file, issues,
        )
        good = keep_rows(good, rules.index)  # one copy of the table for both rules
        return {"events": finish_events(good, EVENTS, COVERAGE_START, "ACLED", file, issues)}

"""UCDP Georeferenced Event Dataset (GED): events of organised violence with at least one death,
from the CSV downloaded at https://ucdp.uu.se/downloads/ (the global GED CSV, usually zipped,
or a candidate release), or from HDX's per-country export (conflict_data_<ISO3>.csv), which
carries an HXL hashtag row under the header.
Licence: CC BY 4.0. Cite Sundberg & Melander (2013), "Introducing the UCDP Georeferenced Event
Dataset", Journal of Peace Research 50(4), and Davies, Pettersson & Öberg (2023), "Organized
violence 1989-2022, and the return of conflict between states", Journal of Peace Research 60(4).

Reads: one GED CSV, or a .zip holding one CSV (ged191.csv, GEDEvent_v23_1.csv, ...), UTF-8 with
or without byte-order mark. Column sets of GED 19.1 onwards and of the HDX export (which lacks
relid, code_status and where_description) are read; header names are matched ignoring case and
surrounding spaces. The HXL hashtag row ('#date+year', '#adm1+name', '#geo+lat', ...) is
detected (most of its non-empty cells start with '#') and skipped; data rows are then numbered
from 3.
Options (spec.options): none.

Writes: events (etl.contracts.EVENTS + point geometry, EPSG:4326):
    event_id = "UCDP-" + id, dataset = "UCDP", date_start, date_end,
    violence_type = type_of_violence and event_type its label (1 state-based, 2 non-state,
    3 one-sided), adm_1/adm_2 -> admin1_name/admin2_name (as given, e.g. 'Idlib governorate';
    P-codes are joined by the pipeline), latitude/longitude -> lat/lon, where_prec ->
    geo_precision (1-7), best/low/high -> fatalities/fatalities_low/fatalities_high,
    source_office -> reported_by, notes = where_description (later GED releases), else source_headline.

Quirks handled: byte-order mark; header names with stray spaces; date_start/date_end as
'YYYY-MM-DD HH:MM:SS.000', YYYY-MM-DD or an Excel serial number; coordinates stored as text
(stray spaces, decimal comma); text damaged by a Windows-1252 reading (repaired by etl.core.names.repair_mojibake);
multi-line quoted cells (source_original) count as one row.

Rejected rows (reported with file, row, column, value and reason; never loaded): anything the
EVENTS contract rejects (coordinates outside the region the dashboard covers, estimates not in
the order low <= best <= high, negative deaths, unreadable dates, ...), dates before GED's
coverage (1989) or in the future, cells beyond the header's last column, a repeated id.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contracts import EVENTS
from etl.core.contracts import reject_beyond_header, validate
from etl.core.csv_columns import read_text_rows
from etl.core.dates import iso_dates
from etl.core.events import finish_events
from etl.core.issues import Issues
from etl.core.names import repaired
from etl.core.numbers import decimal_text
from etl.core.spec import SourceSpec

TABLES = ("events",)
REQUIRED = (
    "id", "type_of_violence", "source_office", "source_headline", "where_prec", "adm_1", "adm_2",
    "latitude", "longitude", "date_start", "date_end", "low", "best", "high",
)
OPTIONAL = ("where_description",)  # later GED releases; not in GED 19.1 nor the HDX export
VIOLENCE_TYPES = {1: "state-based", 2: "non-state", 3: "one-sided"}
COVERAGE_START = "1989-01-01"  # GED covers 1989 onwards


def date_columns(raw: pd.DataFrame, columns: tuple[str, ...]) -> list[pd.Series]:
    """iso_dates over several columns in one pass (its cost is mostly per call, not per row)."""
    dates = iso_dates(pd.concat([raw[c] for c in columns], ignore_index=True))
    return [dates.iloc[i * len(raw):(i + 1) * len(raw)].set_axis(raw.index) for i in range(len(columns))]


def events_text(raw: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """GED columns as EVENTS columns, still text, quirks normalised."""
    ids = raw["id"].str.strip()
    start, end = date_columns(raw, ("date_start", "date_end"))
    description = repaired(raw["where_description"]).str.strip()
    return pd.DataFrame(
        {
            "event_id": ("UCDP-" + ids).where(ids != "", ""),
            "dataset": "UCDP",
            "date_start": start,
            "date_end": end,
            "event_type": pd.NA,  # labelled from the validated violence_type
            "sub_event_type": pd.NA,
            "violence_type": raw["type_of_violence"],
            "admin1_name": repaired(raw["adm_1"]),
            "admin2_name": repaired(raw["adm_2"]),
            "admin3_name": pd.NA,
            "lat": decimal_text(raw["latitude"]),
            "lon": decimal_text(raw["longitude"]),
            "geo_precision": raw["where_prec"],
            "fatalities": raw["best"],
            "fatalities_low": raw["low"],
            "fatalities_high": raw["high"],
            "reported_by": repaired(raw["source_office"]),
            "notes": description.where(description != "", repaired(raw["source_headline"])),
            "source_id": source_id,
        },
        index=raw.index,
    )


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    rows = read_text_rows(path, REQUIRED, OPTIONAL)
    good = validate(events_text(rows.frame, spec.name), EVENTS, file, issues, first_row=rows.first_row)
    good["event_type"] = good["violence_type"].map(VIOLENCE_TYPES).astype("string")
    good = reject_beyond_header(good, rows.beyond_header, EVENTS.table, file, issues)
    return {"events": finish_events(good, EVENTS, COVERAGE_START, "UCDP GED", file, issues)}

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

from etl.contracts import EVENT_ATTRIBUTES, EVENTS
from etl.core.contracts import reject_beyond_header, validate
from etl.core.csv_columns import read_text_rows
from etl.core.dates import iso_dates
from etl.core.events import finish_events
from etl.core.issues import Issues
from etl.core.names import repaired
from etl.core.numbers import decimal_text
from etl.core.spec import SourceSpec

TABLES = ("events", "event_attributes")
REQUIRED = (
    "id", "type_of_violence", "source_office", "source_headline", "where_prec", "adm_1", "adm_2",
    "latitude", "longitude", "date_start", "date_end", "low", "best", "high",
)
OPTIONAL = ("where_description",)  # later GED releases; not in GED 19.1 nor the HDX export
# the other columns a GED release carries, kept as published in event_attributes (absent ones are skipped)
ATTRIBUTES = (
    "relid", "year", "active_year", "code_status", "conflict_dset_id", "conflict_new_id", "conflict_name",
    "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "gwnoa", "side_a",
    "side_b_dset_id", "side_b_new_id", "gwnob", "side_b", "number_of_sources", "source_article", "source_date",
    "source_original", "where_coordinates", "geom_wkt", "priogrid_gid", "country", "country_id", "iso3", "region",
    "event_clarity", "date_prec", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "start_year",
    "end_year",
)
OUT_OF_ORDER = ("estimates not in the order low <= best <= high, as published; the event is kept with its best "
                "estimate, and low and high are left out of the low-high band")
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


def keep_out_of_order(text: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Events whose published low, best and high are not in order (the Syria release has 101, such
    as id 219459: low 177, best 142, high 177): kept with their best estimate, their low and high
    left out (so out of the band) and said in the notes. Returns the frame and the rows changed."""
    numbers = {c: pd.to_numeric(text[c].str.replace(",", "", regex=False), errors="coerce")
               for c in ("fatalities_low", "fatalities", "fatalities_high")}
    low, best, high = numbers["fatalities_low"], numbers["fatalities"], numbers["fatalities_high"]
    wrong = ((low > best) | (best > high) | (low > high)).fillna(False).astype(bool)
    if not wrong.any():
        return text, wrong
    out = text.copy()
    said = ("UCDP published low " + text["fatalities_low"] + ", best " + text["fatalities"] + ", high "
            + text["fatalities_high"] + " (not in order): low and high left out")
    out.loc[wrong, "notes"] = (said[wrong] + "; " + out.loc[wrong, "notes"].fillna("")).str.removesuffix("; ")
    out.loc[wrong, ["fatalities_low", "fatalities_high"]] = pd.NA
    return out, wrong


def note_out_of_order(text: pd.DataFrame, wrong: pd.Series, kept: pd.Index, file: str, issues: Issues) -> None:
    """A note on each row kept with its estimates out of order (rows rejected for another reason get none)."""
    for row in text.index[wrong & text.index.isin(kept)]:
        issues.note(EVENTS.table, file, int(row), "best", f"low {text.at[row, 'fatalities_low']}, best "
                    f"{text.at[row, 'fatalities']}, high {text.at[row, 'fatalities_high']}", OUT_OF_ORDER,
                    detail=f"id {str(text.at[row, 'event_id']).removeprefix('UCDP-')}")


def attributes(raw: pd.DataFrame, good: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """The GED columns the events table has no place for, as published, per event kept."""
    present = [c for c in ATTRIBUTES if c in raw.columns]
    rows = raw.loc[good.index, present] if len(good) else raw.iloc[0:0][present]
    long = rows.assign(event_id=good["event_id"]).melt(id_vars="event_id", var_name="attribute", value_name="value")
    long = long[long["value"].fillna("").str.strip() != ""]
    return long.assign(value=repaired(long["value"]).str.strip(), source_id=source_id)[EVENT_ATTRIBUTES.names] \
        .sort_values(["event_id", "attribute"]).reset_index(drop=True).astype("string")


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    rows = read_text_rows(path, REQUIRED, OPTIONAL + ATTRIBUTES)
    published = events_text(rows.frame, spec.name)
    text, wrong = keep_out_of_order(published)
    good = validate(text, EVENTS, file, issues, first_row=rows.first_row)
    good["event_type"] = good["violence_type"].map(VIOLENCE_TYPES).astype("string")
    good = reject_beyond_header(good, rows.beyond_header, EVENTS.table, file, issues)
    events = finish_events(good, EVENTS, COVERAGE_START, "UCDP GED", file, issues)
    note_out_of_order(published, wrong, good.index, file, issues)
    kept = rows.frame.loc[rows.frame.index.isin(good.index)]
    kept = kept.assign(event_id="UCDP-" + kept["id"].str.strip())
    kept = kept[kept["event_id"].isin(set(events["event_id"]))].drop_duplicates("event_id")
    return {"events": events, "event_attributes": attributes(kept, kept[["event_id"]], spec.name)}

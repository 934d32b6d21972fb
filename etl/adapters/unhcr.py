"""UNHCR population figures, in the two layouts users download.

1. Refugee Data Finder CSV export (https://www.unhcr.org/refugee-statistics/download, licence
   CC BY 4.0; the same columns come from api.unhcr.org/population/v1 as CSV). One row per year,
   country of origin and country of asylum. Some versions put a few lines above the header
   ("Extracted from UNHCR's Refugee Data Finder on ...", a blank line); the header is found below
   them. Columns read: Year, Country of origin (ISO), Country of asylum (ISO), Refugees under
   UNHCR's mandate, Asylum-seekers, Returned refugees, Others of concern (API names: year, coo_iso,
   coa_iso, refugees, asylum_seekers, returned_refugees, ooc). The IDP, stateless, 'other people in
   need of international protection' and host community columns are not read: the refugees table
   has no unit for them. Cells may be '-' or '*' (not published, suppressed: not zero) or numbers
   with thousands separators ('3,587,266').
   Writes one refugees row per non-empty measure: fact_id '<source>:<row>:<unit>', date = the
   year's 31 December (option reference_date), unit refugees / asylum_seekers / returns /
   others_of_concern, series 'UNHCR', qualifier 'exact', the source column and country names in the
   note. A row whose measures are all '-', '*' or blank gives no figure and is not an error.

2. Operational Data Portal population time series (JSON; https://data.unhcr.org/en/situations/syria,
   e.g. https://data.unhcr.org/population/get/timeseries?widget_id=...&sv_id=4&population_group=5460;
   licence: UNHCR ODP terms, cite UNHCR). Shape {"data": {"timeseries": [entry, ...]}},
   {"data": [entry, ...]} or a bare list; an entry dates its figure by "data_date" (epoch
   milliseconds), "unix_timestamp" (epoch seconds) or "year" + "month" (the month's last day), and
   gives "individuals" as a number or text; "*" is suppressed and gives no figure. Epoch numbers of 10^11
   and more are milliseconds, smaller ones seconds; a date outside 1990-2100 is reported as misread.
   Writes one refugees row per entry: fact_id '<source>:<n>' (n = the entry's position in the
   list, from 1, which is also the row reported for problems), origin, asylum, unit and series
   from the options, qualifier 'exact'.

The layout is recognised from the content: JSON starts with '{' or '['; anything else is read as
CSV (UTF-8, byte-order mark tolerated).

Options:
- reference_date (CSV): 'MM-DD' the yearly figures stand for (default '12-31'; '06-30' for a
  mid-year export).
- origin_iso3 (JSON, default 'SYR'), asylum_iso3 (JSON, default 'TUR'; 'REG' for a regional total),
  unit (JSON, default 'registered_refugees'), series (JSON, default 'UNHCR').
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd

from etl.contracts import ISO3, REFUGEE_SERIES, REFUGEE_UNITS, REFUGEES
from etl.core import limits
from etl.core.contracts import validate_records
from etl.core.dates import YEARS, day_of, epoch_day, month_of
from etl.core.headers import TextTable, keys, text_table
from etl.core.issues import Issues, SourceError
from etl.core.names import clean_name
from etl.core.numbers import count_cell, json_integer
from etl.core.readers import read_rows
from etl.core.spec import SourceSpec

TABLES = ("refugees",)

YEAR = keys("Year")
ORIGIN_ISO = keys("Country of origin (ISO)", "Country of origin ISO", "coo_iso", "Origin ISO")
ASYLUM_ISO = keys("Country of asylum (ISO)", "Country of asylum ISO", "coa_iso", "Asylum ISO")
ORIGIN_NAME = keys("Country of origin", "coo_name")
ASYLUM_NAME = keys("Country of asylum", "coa_name")
MEASURES = {  # refugees unit -> the headers that carry it
    "refugees": keys("Refugees under UNHCR's mandate", "refugees"),
    "asylum_seekers": keys("Asylum-seekers", "asylum_seekers"),
    "returns": keys("Returned refugees", "returned_refugees"),
    "others_of_concern": keys("Others of concern", "ooc"),
}
NOT_PUBLISHED = ("-", "*")
DATE_REASON = "expected epoch milliseconds (data_date), epoch seconds (unix_timestamp) or year and month"


# --- Refugee Data Finder CSV ---------------------------------------------------------------------


def reference_date(spec: SourceSpec, file: str) -> str:
    """The option reference_date checked ('MM-DD', a day that exists in every year)."""
    text = str(spec.options.get("reference_date", "12-31"))
    if not re.fullmatch(r"\d{2}-\d{2}", text) or text == "02-29" or day_of(f"2001-{text}") is None:
        raise SourceError(file, f"option reference_date={text!r}: expected MM-DD such as '12-31' or '06-30'")
    return text


def _finder_header(found: set[str]) -> bool:
    return bool(found & YEAR) and bool(found & ORIGIN_ISO)


def finder_columns(table: TextTable, file: str) -> dict:
    """The source header of each field and of each measure present, or a SourceError."""
    cols = {
        "year": table.find(YEAR), "origin": table.find(ORIGIN_ISO), "asylum": table.find(ASYLUM_ISO),
        "origin_name": table.find(ORIGIN_NAME), "asylum_name": table.find(ASYLUM_NAME),
        "measures": {unit: col for unit, aliases in MEASURES.items() if (col := table.find(aliases))},
    }
    if not cols["asylum"] or not cols["measures"]:
        raise SourceError(
            file, "expected 'Country of asylum (ISO)' and at least one of 'Refugees under UNHCR's mandate', "
            f"'Asylum-seekers', 'Returned refugees', 'Others of concern' in the header; found {', '.join(table.columns[:14])}",
        )
    return cols


def finder_records(row: int, cells: dict, cols: dict, day: str, source_id: str, file: str, issues: Issues) -> list[dict]:
    """The refugees records (text cells) of one row: one per published measure."""
    year = cells[cols["year"]].strip()
    if not re.fullmatch(r"\d{4}", year):
        issues.add("refugees", file, row, cols["year"], year, "expected a year such as 2023")
        return []
    names = [clean_name(cells[cols[k]]) if cols[k] else None for k in ("origin_name", "asylum_name")]
    countries = f" ({names[0] or '?'} in {names[1] or '?'})" if any(names) else ""
    records = []
    for unit, column in cols["measures"].items():
        persons = count_cell(cells[column], NOT_PUBLISHED)
        if persons is None:
            continue
        records.append({
            "row": row, "fact_id": f"{source_id}:{row}:{unit}", "date": f"{year}-{day}",
            "origin_iso3": cells[cols["origin"]].strip().upper(), "asylum_iso3": cells[cols["asylum"]].strip().upper(),
            "persons": persons, "qualifier": "exact", "series": "UNHCR", "unit": unit, "source_id": source_id,
            "note": column + countries,
            "columns": {"persons": column, "date": cols["year"], "origin_iso3": cols["origin"], "asylum_iso3": cols["asylum"]},
        })
    return records


def read_finder(spec: SourceSpec, path: Path, issues: Issues) -> pd.DataFrame:
    file = path.name
    day = reference_date(spec, file)
    table = text_table(read_rows(path), file, _finder_header, "'Year' and 'Country of origin (ISO)'")
    cols = finder_columns(table, file)
    records = [r for row, cells in table.rows for r in finder_records(row, cells, cols, day, spec.name, file, issues)]
    return validate_records(records, REFUGEES, file, issues)


# --- Operational Data Portal time series JSON ----------------------------------------------------


def odp_options(spec: SourceSpec, file: str) -> dict[str, str]:
    """origin_iso3, asylum_iso3, unit and series, checked against the refugees contract."""
    options = {
        "origin_iso3": str(spec.options.get("origin_iso3", "SYR")).upper(),
        "asylum_iso3": str(spec.options.get("asylum_iso3", "TUR")).upper(),
        "unit": str(spec.options.get("unit", "registered_refugees")),
        "series": str(spec.options.get("series", "UNHCR")),
    }
    for name in ("origin_iso3", "asylum_iso3"):
        if not re.fullmatch(ISO3, options[name]):
            raise SourceError(file, f"option {name}={options[name]!r}: expected an ISO 3166 alpha-3 code (REG for regional)")
    for name, allowed in (("unit", REFUGEE_UNITS), ("series", REFUGEE_SERIES)):
        if options[name] not in allowed:
            raise SourceError(file, f"option {name}={options[name]!r}: expected one of {', '.join(allowed)}")
    return options


def timeseries(document, file: str) -> list:
    """The list of entries, wherever the response puts it."""
    data = document.get("data") if isinstance(document, dict) else document
    if isinstance(data, dict):
        data = data.get("timeseries")
    if not isinstance(data, list):
        raise SourceError(file, 'expected a time series as {"data": {"timeseries": [...]}} or {"data": [...]}')
    return data


def entry_date(entry: dict) -> tuple[str, object, date | None, bool]:
    """(key the date came from, its value, the day or None, True when built from year + month)."""
    for key in ("data_date", "unix_timestamp"):
        if entry.get(key) not in (None, ""):
            value = entry[key]
            number = json_integer(value)
            day = epoch_day(number) if number is not None else day_of(str(value))
            return key, value, day, False
    year, month = json_integer(entry.get("year")), json_integer(entry.get("month"))
    bounds = month_of(f"{year}-{month}") if year is not None and month is not None else None
    return "month", f"{entry.get('year')}-{entry.get('month')}", bounds[1] if bounds else None, True


def odp_record(row: int, entry, options: dict, source_id: str, file: str, issues: Issues) -> dict | None:
    """The refugees record (text cells) of one entry; None when suppressed ('*') or reported."""
    if not isinstance(entry, dict):
        issues.add("refugees", file, row, "timeseries", json.dumps(entry)[:80], "expected an object with a date and individuals")
        return None
    individuals = entry.get("individuals")
    if str(individuals).strip() == "*":
        return None
    key, value, day, monthly = entry_date(entry)
    if day is None or not YEARS[0] <= day.year <= YEARS[1]:
        issues.add("refugees", file, row, key, value, DATE_REASON)
        return None
    persons = count_cell(str(individuals)) if individuals is not None else None
    return {
        "row": row, "fact_id": f"{source_id}:{row}", "date": str(day), **options, "persons": persons,
        "qualifier": "exact", "source_id": source_id,
        "note": f"figure for {day:%Y-%m}, dated the month's last day" if monthly else None,
        "columns": {"date": key, "persons": "individuals"},
    }


def read_timeseries(spec: SourceSpec, path: Path, issues: Issues) -> pd.DataFrame:
    file = path.name
    options = odp_options(spec, file)
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(file, f"expected UTF-8 JSON; byte {exc.start} is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise SourceError(file, f"expected JSON: {exc}") from None
    entries = timeseries(document, file)
    limits.check_count(len(entries), file, "entries")
    records = [
        r for row, entry in enumerate(entries, start=1)
        if (r := odp_record(row, entry, options, spec.name, file, issues))
    ]
    return validate_records(records, REFUGEES, file, issues)


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    try:
        with path.open("rb") as stream:
            head = stream.read(64).decode("utf-8-sig", errors="ignore").lstrip()
    except OSError as exc:
        raise SourceError(path.name, f"cannot open the file: {exc.strerror}") from None
    reader = read_timeseries if head[:1] in ("{", "[") else read_finder
    return {"refugees": reader(spec, path, issues)}

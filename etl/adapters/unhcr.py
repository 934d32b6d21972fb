"""UNHCR population figures, in the two layouts users download.

1. Refugee Data Finder CSV export (https://www.unhcr.org/refugee-statistics/download, licence
   CC BY 4.0; the same columns come from api.unhcr.org/population/v1 as CSV). One row per year,
   country of origin and country of asylum. Some versions put a few lines above the header
   ("Extracted from UNHCR's Refugee Data Finder on ...", a blank line); the header is found below
   them. Countries by ISO code (Country of origin (ISO), coo_iso, ...) or, when the export has
   names only, by name ('Syrian Arab Rep.', 'Türkiye', 'Iran (Islamic Rep. of)': etl/core/countries.py,
   pycountry and GeoNames); a name that is no country ('Stateless', 'Various/unknown') is reported.
   Every population type is read, each its own unit: Refugees under UNHCR's mandate (refugees),
   Asylum-seekers (asylum_seekers), Returned refugees (returns), IDPs of concern to UNHCR
   (idps_of_concern), Returned IDPs (returned_idps), Stateless persons (stateless), Others of
   concern (others_of_concern), Other people in need of international protection
   (other_in_need_of_protection), Host Community (host_community); API names refugees,
   asylum_seekers, returned_refugees, idps, returned_idps, stateless, ooc, oip, hst. Another column
   of figures is reported as not read, never ignored without a word. Cells may be '-' or '*' (not
   published, suppressed: never zero, never a number; the '*' cells are counted in a note per
   column) or numbers with thousands separators ('3,587,266').
   Writes one refugees row per published measure: fact_id '<source>:<row>:<unit>', date = the
   year's 31 December (option reference_date), series 'UNHCR', qualifier 'exact', the source
   column and country names in the note. A row whose measures are all '-', '*' or blank gives no
   figure and is not an error.

   The asylum downloads of the same finder (asylum-applications.csv: Authority, Application type,
   Cases / Persons, Number of applications; asylum-decisions.csv: Authority, Stage of procedure,
   Cases / Persons, Recognized decisions, Complementary protection, Rejected decisions, Otherwise
   closed, Total decisions; API names procedure_type, app_type, dec_level, app_pc / dec_pc,
   applied, dec_recognized, dec_other, dec_rejected, dec_closed, dec_total) write the `asylum`
   table instead: one row per measure given, fact_id '<source>:<row>:<measure>', unit persons or
   cases from 'Cases / Persons' (P / C; option unit when the column is absent); '*' is kept as
   suppressed (suppressed true, no value).

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

from etl.contracts import ASYLUM, ISO3, REFUGEE_SERIES, REFUGEE_UNITS, REFUGEES
from etl.core import limits
from etl.core.contracts import validate_records
from etl.core.countries import iso3
from etl.core.dates import YEARS, day_of, epoch_day, month_of
from etl.core.headers import TextTable, keys, text_table
from etl.core.issues import Issues, SourceError
from etl.core.names import clean_name
from etl.core.numbers import count_cell, json_integer
from etl.core.readers import read_rows
from etl.core.spec import SourceSpec

TABLES = ("refugees", "asylum")

YEAR = keys("Year")
ORIGIN_ISO = keys("Country of origin (ISO)", "Country of origin ISO", "coo_iso", "Origin ISO")
ASYLUM_ISO = keys("Country of asylum (ISO)", "Country of asylum ISO", "coa_iso", "Asylum ISO")
ORIGIN_NAME = keys("Country of origin", "coo_name", "Origin")
ASYLUM_NAME = keys("Country of asylum", "coa_name", "Asylum", "Country / territory of asylum/residence")
MEASURES = {  # refugees unit -> the headers that carry it: every population type of the Refugee Data Finder
    "refugees": keys("Refugees under UNHCR's mandate", "refugees"),
    "asylum_seekers": keys("Asylum-seekers", "asylum_seekers"),
    "returns": keys("Returned refugees", "returned_refugees"),
    "idps_of_concern": keys("IDPs of concern to UNHCR", "IDPs of concern", "idps"),
    "returned_idps": keys("Returned IDPs", "returned_idps"),
    "stateless": keys("Stateless persons", "stateless"),
    "others_of_concern": keys("Others of concern to UNHCR", "Others of concern", "ooc"),
    "other_in_need_of_protection": keys("Other people in need of international protection", "oip"),
    "host_community": keys("Host Community", "hst"),
}
NOT_PUBLISHED = ("-", "*")
DATE_REASON = "expected epoch milliseconds (data_date), epoch seconds (unix_timestamp) or year and month"
COUNTRY_REASON = ("expected a country ISO 3166 knows, by alpha-3 code or name (pycountry, GeoNames); "
                  "UNHCR's 'Stateless', 'Unknown' or 'Various' are no country")
# asylum applications and decisions (the Refugee Data Finder's other downloads; API names after)
ASYLUM_MEASURES = {
    "applications": keys("Number of applications", "applied", "Applications", "Applied during year"),
    "decisions_recognized": keys("Recognized decisions", "dec_recognized"),
    "decisions_complementary": keys("Complementary protection", "dec_other"),
    "decisions_rejected": keys("Rejected decisions", "Rejected", "dec_rejected"),
    "decisions_closed": keys("Otherwise closed", "dec_closed"),
    "decisions_total": keys("Total decisions", "dec_total"),
}
AUTHORITY = keys("Authority", "procedure_type")
PROCEDURE = keys("Stage of procedure", "Application type", "Procedure type", "app_type", "dec_level")
CASES_PERSONS = keys("Cases / Persons", "Cases/Persons", "app_pc", "dec_pc")
UNITS = {"p": "persons", "c": "cases", "persons": "persons", "cases": "cases"}


# --- Refugee Data Finder CSV ---------------------------------------------------------------------


def reference_date(spec: SourceSpec, file: str) -> str:
    """The option reference_date checked ('MM-DD', a day that exists in every year)."""
    text = str(spec.options.get("reference_date", "12-31"))
    if not re.fullmatch(r"\d{2}-\d{2}", text) or text == "02-29" or day_of(f"2001-{text}") is None:
        raise SourceError(file, f"option reference_date={text!r}: expected MM-DD such as '12-31' or '06-30'")
    return text


def _finder_header(found: set[str]) -> bool:
    return bool(found & YEAR) and bool(found & (ORIGIN_ISO | ORIGIN_NAME)) and bool(found & (ASYLUM_ISO | ASYLUM_NAME))


def finder_columns(table: TextTable, file: str, header_row: int, issues: Issues) -> dict:
    """The source header of each field and of each measure present, or a SourceError; headers that
    look like figures but are no population type are reported (never ignored without a word)."""
    cols = {
        "year": table.find(YEAR), "origin": table.find(ORIGIN_ISO), "asylum": table.find(ASYLUM_ISO),
        "origin_name": table.find(ORIGIN_NAME), "asylum_name": table.find(ASYLUM_NAME),
        "measures": {unit: col for unit, aliases in MEASURES.items() if (col := table.find(aliases))},
        "asylum_measures": {m: col for m, aliases in ASYLUM_MEASURES.items() if (col := table.find(aliases))},
        "authority": table.find(AUTHORITY), "procedure": table.find(PROCEDURE), "unit": table.find(CASES_PERSONS),
    }
    if not (cols["asylum"] or cols["asylum_name"]) or not (cols["measures"] or cols["asylum_measures"]):
        raise SourceError(
            file, "expected 'Country of asylum (ISO)' or 'Country of asylum', and at least one of "
            f"{', '.join(repr(m) for m in ('Refugees under UNHCR' + chr(39) + 's mandate', 'Asylum-seekers', 'Recognized decisions', 'Number of applications'))} "
            f"in the header; found {', '.join(table.columns[:14])}",
        )
    known = {c for c in cols.values() if isinstance(c, str)} | set(cols["measures"].values()) | set(cols["asylum_measures"].values())
    for column in table.columns:
        cells = [cells[column] for _, cells in table.rows[:50]]
        numeric = sum(bool(re.fullmatch(r"[\d,\s]+|[-*]", c.strip())) for c in cells if c.strip())
        if column not in known and numeric and numeric == sum(bool(c.strip()) for c in cells):
            issues.add("refugees", file, header_row, column, None,
                       "column of figures not read: it is no population type this adapter knows", kept=True)
    return cols


def _country(cells: dict, code_col: str | None, name_col: str | None) -> tuple[str | None, str, str | None]:
    """(ISO3 or None, what the file says, the column it says it in): the ISO column, else the name."""
    written = cells[code_col].strip() if code_col else ""
    if written:
        return (written.upper() if re.fullmatch(ISO3, written.upper()) else None), written, code_col
    name = clean_name(cells[name_col]) if name_col else None
    return (iso3(name) if name else None), name or "", name_col or code_col  # a blank ISO cell and no name column: the ISO column


def row_countries(row: int, cells: dict, cols: dict, table: str, file: str, issues: Issues) -> tuple | None:
    """(origin ISO3, asylum ISO3, their names for the note) or None after reporting which is unknown."""
    found = []
    for side in ("origin", "asylum"):
        code, written, column = _country(cells, cols[side], cols[f"{side}_name"])
        if code is None:
            issues.add(table, file, row, column or cols[f"{side}_name"], written, COUNTRY_REASON)
            return None
        found.append(code)
    names = [clean_name(cells[cols[k]]) if cols[k] else None for k in ("origin_name", "asylum_name")]
    return found[0], found[1], (f" ({names[0] or '?'} in {names[1] or '?'})" if any(names) else "")


def finder_records(row: int, cells: dict, cols: dict, day: str, source_id: str, file: str, issues: Issues,
                   suppressed: dict) -> list[dict]:
    """The refugees records (text cells) of one row: one per published measure; '*' and '-' give none
    (not zero) and are counted in `suppressed` per column."""
    year = cells[cols["year"]].strip()
    if not re.fullmatch(r"\d{4}", year):
        issues.add("refugees", file, row, cols["year"], year, "expected a year such as 2023")
        return []
    figures = {unit: column for unit, column in cols["measures"].items() if cells[column].strip()}
    for column in figures.values():
        if cells[column].strip() == "*":
            suppressed[column] = suppressed.get(column, 0) + 1
    figures = {u: c for u, c in figures.items() if count_cell(cells[c], NOT_PUBLISHED) is not None}
    if not figures:
        return []
    countries = row_countries(row, cells, cols, "refugees", file, issues)
    if countries is None:
        return []
    origin, asylum, named = countries
    return [{
        "row": row, "fact_id": f"{source_id}:{row}:{unit}", "date": f"{year}-{day}", "origin_iso3": origin,
        "asylum_iso3": asylum, "persons": count_cell(cells[column], NOT_PUBLISHED), "qualifier": "exact",
        "series": "UNHCR", "unit": unit, "source_id": source_id, "note": column + named,
        "columns": {"persons": column, "date": cols["year"], "origin_iso3": cols["origin"] or cols["origin_name"],
                    "asylum_iso3": cols["asylum"] or cols["asylum_name"]},
    } for unit, column in figures.items()]


def asylum_records(row: int, cells: dict, cols: dict, unit_option: str | None, source_id: str, file: str,
                   issues: Issues) -> list[dict]:
    """The asylum records (text cells) of one row: one per measure given; '*' is kept as suppressed
    (no number, never zero); '-' and blank give none."""
    year = cells[cols["year"]].strip()
    if not re.fullmatch(r"\d{4}", year):
        issues.add("asylum", file, row, cols["year"], year, "expected a year such as 2023")
        return []
    given = {m: c for m, c in cols["asylum_measures"].items() if cells[c].strip() not in ("", "-")}
    if not given:
        return []
    countries = row_countries(row, cells, cols, "asylum", file, issues)
    if countries is None:
        return []
    origin, asylum, named = countries
    written_unit = cells[cols["unit"]].strip().casefold() if cols["unit"] else (unit_option or "")
    unit = UNITS.get(written_unit, written_unit or None)
    out = []
    for measure, column in given.items():
        star = cells[column].strip() == "*"
        out.append({
            "row": row, "fact_id": f"{source_id}:{row}:{measure}", "year": year, "origin_iso3": origin,
            "asylum_iso3": asylum, "authority": cells[cols["authority"]].strip() if cols["authority"] else None,
            "procedure": cells[cols["procedure"]].strip() if cols["procedure"] else None, "measure": measure,
            "unit": unit, "value": None if star else count_cell(cells[column]), "suppressed": "true" if star else "false",
            "source_id": source_id, "note": column + named + (" (suppressed: '*' in the file)" if star else ""),
            "columns": {"value": column, "year": cols["year"], "unit": cols["unit"] or "unit",
                        "origin_iso3": cols["origin"] or cols["origin_name"], "asylum_iso3": cols["asylum"] or cols["asylum_name"]},
        })
    return out


def read_finder(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    day = reference_date(spec, file)
    rows = read_rows(path)
    table = text_table(rows, file, _finder_header, "'Year', the country of origin and the country of asylum")
    header_row = (table.rows[0][0] - 1) if table.rows else len(rows)
    cols = finder_columns(table, file, header_row, issues)
    if cols["asylum_measures"]:
        unit = spec.options.get("unit")
        if not cols["unit"] and unit not in ("persons", "cases"):
            raise SourceError(file, "expected 'Cases / Persons' in the header, or option unit = \"persons\" or \"cases\"")
        records = [r for row, cells in table.rows for r in asylum_records(row, cells, cols, unit, spec.name, file, issues)]
        return {"asylum": validate_records(records, ASYLUM, file, issues)}
    suppressed: dict[str, int] = {}
    records = [r for row, cells in table.rows
               for r in finder_records(row, cells, cols, day, spec.name, file, issues, suppressed)]
    for column, n in suppressed.items():
        issues.add("refugees", file, header_row, column, "*", "suppressed figures ('*'): no figure loaded, never zero",
                   kept=True, detail=f"{n:,} cell(s)")
    return {"refugees": validate_records(records, REFUGEES, file, issues)}


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
    if head[:1] in ("{", "["):
        return {"refugees": read_timeseries(spec, path, issues)}
    return read_finder(spec, path, issues)

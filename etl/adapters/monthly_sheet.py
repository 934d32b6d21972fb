"""Monthly community displacement sheets for northern Syria: one row per community (admin 4) with
its population, IDPs, and the IDPs who arrived, left and returned in the last 30 days.

Source: e.g. 'monthly_displacement_northen_syria_november_2022.xlsx' (sheet 'Nov 22'), shared in
the NWS Cash Working Group's intercluster_4Ws_review repository; the producer is not named in the
file (probably the ACU IMU's monthly displacement product). No licence is stated: check provenance
and licence with the producer before publishing. Later months follow the same layout.

Reads: an .xlsx workbook (the first sheet, or option `sheet`) or a CSV copy of it. Header row
(found in the first rows; case, spaces, underscores and punctuation ignored; English or Arabic):
Date ('2022 - November', or a date / Excel serial standing for its month), Admin1, Admin2, Admin3,
Admin4 (P-codes), admin1Name_en .. admin4Name_en, ' Population (Individuals)', ' Population
(HHs)', ' IDPs (Individuals)', ' IDPs (HHs)', ' New IDPs arrived last 30 days(Individuals)', ...,
' Departures left last 30 days(Individuals)', ..., ' Returnees arrived last 30 days(Individuals)',
... (the real headers start with a space). Required: Date, Admin3, Admin4, admin4Name_en and at
least one '(Individuals)' column.

Writes, per community row (row = the Excel row):
- idp_stock: unit 'idps' from IDPs (Individuals) and unit 'population' from Population
  (Individuals); date = the last day of the month; area_en = the community name; pcode = the
  Admin4 community P-code (C1234); adm3_pcode = the Admin3 sub-district P-code when it is one
  (a malformed Admin3 leaves it empty: the stock still loads); fact_id '<source>:<row>:idps' /
  ':population'.
- displacement: direction 'arrivals' (unit idp_arrivals), 'departures' (idp_departures) and
  'returns' (idp_returns) from the 'last 30 days' columns, period = the calendar month of the
  report (the note says so), pcode = the Admin3 sub-district P-code, location_pcode = the Admin4
  P-code, dest_pcode (arrivals) / origin_pcode (departures) = the sub-district, measure 'period',
  kind 'observation'; fact_id '<source>:<row>:arrivals' / ':departures' / ':returns'.
Every figure is qualifier 'exact'; the matching '(HHs)' count goes into the note. Zero is data and
is loaded; a blank or '*' cell is not zero and gives no row; a row with no figure at all is
reported. Community codes that are not OCHA P-codes (the producer's own 'ACU0210') leave pcode /
location_pcode empty and are named in the note, so the figure still loads under its name.

Options:
- sheet: workbook sheet name (default: the first sheet).
- encoding: CSV text encoding (default 'utf-8-sig').
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contracts import ANY_PCODE, DISPLACEMENT, IDP_STOCK, SUB_DISTRICT
from etl.core.contracts import validate_records
from etl.core.dates import month_of
from etl.core.headers import TextTable, keys, text_table
from etl.core.issues import Issues, SourceError
from etl.core.names import clean_name, join_notes
from etl.core.numbers import count_cell
from etl.core.readers import read_rows
from etl.core.spec import SourceSpec

TABLES = ("idp_stock", "displacement")

DATE = keys("Date", "Month", "Reporting period", "Reporting month", "التاريخ", "الشهر")
ADMIN3 = keys("Admin3", "admin3Pcode", "adm3_pcode", "Sub-district Pcode", "رمز الناحية")
ADMIN4 = keys("Admin4", "admin4Pcode", "adm4_pcode", "Community Pcode", "Location Pcode", "رمز التجمع", "رمز المجتمع")
ADMIN3_NAME = keys("admin3Name_en", "admin3Name", "Sub-district", "Sub-district name", "الناحية")
ADMIN4_NAME = keys("admin4Name_en", "admin4Name", "Community", "Community name", "Location name", "التجمع", "المجتمع")
_PERSONS = ("(Individuals)", "(Ind)", "(Persons)", "(أفراد)")
_HOUSEHOLDS = ("(HHs)", "(HH)", "(Households)", "(Families)", "(عائلات)", "(أسر)")
# measure -> the header stems that carry it (English, Arabic)
STEMS = {
    "population": ("Population", "Total population", "عدد السكان", "السكان"),
    "idps": ("IDPs", "عدد النازحين", "النازحون"),
    "arrivals": ("New IDPs arrived last 30 days", "New IDP arrivals last 30 days", "النازحون الجدد الواصلون خلال آخر 30 يوم"),
    "departures": ("Departures left last 30 days", "Departures last 30 days", "المغادرون خلال آخر 30 يوم"),
    "returns": ("Returnees arrived last 30 days", "Returnees last 30 days", "العائدون خلال آخر 30 يوم"),
}
PERSONS = {m: keys(*(f"{s} {u}" for s in stems for u in _PERSONS)) for m, stems in STEMS.items()}
HOUSEHOLDS = {m: keys(*(f"{s} {u}" for s in stems for u in _HOUSEHOLDS)) for m, stems in STEMS.items()}
STOCK = {"idps": "idps", "population": "population"}  # measure -> idp_stock unit
FLOWS = {  # measure -> (direction, displacement unit)
    "arrivals": ("arrivals", "idp_arrivals"),
    "departures": ("departures", "idp_departures"),
    "returns": ("returns", "idp_returns"),
}
MONTH_REASON = "expected the month of the report ('2022 - November', 'November 2022', '2022-11' or a date)"


def _is_header(found: set[str]) -> bool:
    return bool(found & DATE) and bool(found & ADMIN4)


def sheet_columns(table: TextTable, file: str) -> dict[str, str | None]:
    """The source header of each field, or a SourceError naming what is missing."""
    cols = {
        "date": table.find(DATE), "admin3": table.find(ADMIN3), "admin4": table.find(ADMIN4),
        "admin3_name": table.find(ADMIN3_NAME), "admin4_name": table.find(ADMIN4_NAME),
    }
    for measure in STEMS:
        cols[measure] = table.find(PERSONS[measure])
        cols[f"{measure}_hh"] = table.find(HOUSEHOLDS[measure])
    missing = [label for label, field in (("Admin3", "admin3"), ("admin4Name_en", "admin4_name")) if not cols[field]]
    if not any(cols[m] for m in STEMS):
        missing.append("at least one of ' IDPs (Individuals)', ' Population (Individuals)' or the 'last 30 days' columns")
    if missing:
        raise SourceError(file, f"expected {', '.join(missing)} in the header; found {', '.join(table.columns[:12])}")
    return cols


def community(cells: dict, cols: dict) -> dict:
    """What every record of a community row shares: name, P-codes and the note on where it is."""
    written = cells[cols["admin4"]].strip()
    code = written.upper() if re.fullmatch(ANY_PCODE, written.upper()) else None
    sub_district = cells[cols["admin3"]].strip().upper() or None
    sub_name = clean_name(cells[cols["admin3_name"]]) if cols["admin3_name"] else None
    return {
        "name": clean_name(cells[cols["admin4_name"]]), "pcode": code, "sub_district": sub_district,
        "where": join_notes(
            " ".join(filter(None, ("sub-district", sub_district, sub_name))) if sub_district or sub_name else None,
            f"community code {written} is the producer's, not an OCHA P-code" if written and not code else None,
        ),
    }


def _figure(cells: dict, cols: dict, measure: str) -> tuple[str | None, str | None]:
    """(individuals as text or None when blank / suppressed, 'households N' or None)."""
    individuals = count_cell(cells[cols[measure]])
    households = count_cell(cells[cols[f"{measure}_hh"]]) if cols[f"{measure}_hh"] else None
    return individuals, f"households {households}" if households and households.isdigit() else None


def stock_record(row: int, measure: str, figure: tuple, month: tuple, place: dict, cols: dict, source_id: str) -> dict:
    """The idp_stock record (text cells) of one community and stock measure."""
    individuals, households = figure
    return {
        "row": row, "fact_id": f"{source_id}:{row}:{measure}", "date": str(month[1]), "area_en": place["name"],
        "pcode": place["pcode"], "value": individuals, "qualifier": "exact", "unit": STOCK[measure],
        "source_id": source_id, "note": join_notes(households, place["where"]),
        "adm3_pcode": place["sub_district"] if re.fullmatch(SUB_DISTRICT, place["sub_district"] or "") else None,
        "columns": {"value": cols[measure], "date": cols["date"], "area_en": cols["admin4_name"], "pcode": cols["admin4"],
                    "adm3_pcode": cols["admin3"]},
    }


def flow_record(row: int, measure: str, figure: tuple, month: tuple, place: dict, cols: dict, source_id: str, label: str) -> dict:
    """The displacement record (text cells) of one community and 'last 30 days' measure."""
    individuals, households = figure
    direction, unit = FLOWS[measure]
    sub_district = place["sub_district"]
    return {
        "row": row, "fact_id": f"{source_id}:{row}:{measure}", "period_start": str(month[0]),
        "period_end": str(month[1]), "area_en": place["name"], "pcode": sub_district, "direction": direction,
        "value": individuals, "qualifier": "exact", "unit": unit, "measure": "period", "kind": "observation",
        "source_id": source_id,
        "note": join_notes(f"'last 30 days' of the {label} report, taken as that calendar month", households, place["where"]),
        "origin_pcode": sub_district if direction == "departures" else None,
        "dest_pcode": sub_district if direction == "arrivals" else None,
        "location_pcode": place["pcode"],
        "columns": {
            "value": cols[measure], "period_start": cols["date"], "period_end": cols["date"],
            "area_en": cols["admin4_name"], "pcode": cols["admin3"], "origin_pcode": cols["admin3"],
            "dest_pcode": cols["admin3"], "location_pcode": cols["admin4"],
        },
    }


def community_records(row: int, cells: dict, cols: dict, source_id: str, file: str, issues: Issues) -> tuple[list, list]:
    """(idp_stock records, displacement records) of one community row; a row without a readable
    month or without any figure is reported instead."""
    month = month_of(cells[cols["date"]])
    if month is None:
        issues.add("idp_stock", file, row, cols["date"], cells[cols["date"]], MONTH_REASON)
        return [], []
    figures = {m: _figure(cells, cols, m) for m in STEMS if cols[m]}
    figures = {m: figure for m, figure in figures.items() if figure[0] is not None}
    if not figures:
        column = cols["idps"] or next(cols[m] for m in STEMS if cols[m])
        issues.add("idp_stock", file, row, column, cells[column],
                   "no figure in this row: every '(Individuals)' count is blank or suppressed")
        return [], []
    place, label = community(cells, cols), cells[cols["date"]].strip()
    stock = [stock_record(row, m, f, month, place, cols, source_id) for m, f in figures.items() if m in STOCK]
    flows = [flow_record(row, m, f, month, place, cols, source_id, label) for m, f in figures.items() if m in FLOWS]
    return stock, flows


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    rows = read_rows(path, spec.options.get("sheet"), spec.options.get("encoding", "utf-8-sig"))
    table = text_table(rows, file, _is_header, "'Date' and 'Admin4'")
    cols = sheet_columns(table, file)
    stock, flows = [], []
    for row, cells in table.rows:
        row_stock, row_flows = community_records(row, cells, cols, spec.name, file, issues)
        stock += row_stock
        flows += row_flows
    return {
        "idp_stock": validate_records(stock, IDP_STOCK, file, issues),
        "displacement": validate_records(flows, DISPLACEMENT, file, issues),
    }

"""IDP movement tables (origin sub-district -> destination sub-district), as published by the CCCM
Cluster's IDP Situation Monitoring Initiative (ISMI) for north-west Syria, the Humanitarian Needs
Assessment Programme (HNAP) and CCCM/ACU movement trackers.

Where users get them: the producers' pages on HDX (data.humdata.org, e.g. "Syria - IDP movements"
datasets) or the CCCM Cluster's and ISMI's monthly sharing (xlsx). Licence: as published by the
producer (HDX datasets are mostly CC BY-IGO); cite the producer as the sources file says.

Reads: an .xlsx/.xlsm workbook (the first sheet, or option `sheet`) or a CSV (UTF-8, byte-order
mark tolerated) with one row per movement. Header names vary by producer; they are matched with
case, spaces, underscores and punctuation ignored, mojibake repaired, and in English or Arabic:
- period: 'Month' / 'Date' / 'Reporting period' / 'الشهر' (a month: 'Feb-20', 'February 2020',
  '2020-02', '2022 - November', or a date / Excel serial date, which stands for its month), or
  'Start date' + 'End date' (dates);
- origin: 'Origin Sub-district Pcode' / 'admin3Pcode_origin' / 'Origin admin3 Pcode' and/or
  'Origin Sub-district' (name); optional 'Origin Governorate', 'Origin District' (names);
- destination: the same with 'Destination' ('Destination Sub-district Pcode', ...);
- value: 'Individuals' / 'IDPs (Individuals)' / '# of individuals' / 'عدد الأفراد';
  optional 'Households' (kept in the note).
Preamble rows above the header and an HXL hashtag row under it are skipped. Rows are numbered as
the spreadsheet shows them.

Writes:
- displacement: one row per movement with both P-codes: fact_id '<source>:<row>', period_start /
  period_end (a month -> its first and last day), area_en 'origin -> destination' (names, or
  P-codes where no names are given), pcode empty, direction 'flow', origin_pcode, dest_pcode,
  value (individuals), qualifier 'exact', unit 'displacements' (ISMI and CCCM count movements, not
  people: one person moving twice counts twice), measure 'period', kind 'observation', note.
- unmatched_movements: the same columns, for movements named but not P-coded on one or both
  sides (origin_pcode / dest_pcode left empty, the names in area_en and the note). They cannot
  enter `displacement` (its contract requires both P-codes for a flow); the pipeline's name matcher
  fills the P-codes and moves them over.
A movement with neither a P-code nor a name on one side is reported and left out; so is a row whose
period cannot be read, or whose value is suppressed ('*'). Problems in rows bound for either table
are reported under 'displacement'.

Options:
- sheet: workbook sheet name (default: the first sheet).
- unit: 'displacements' (default) or 'people_displaced' when the producer counts people.
- encoding: CSV text encoding (default 'utf-8-sig').

The readers it shares with the monthly_sheet and unhcr adapters are in etl/core (readers.read_rows,
headers.text_table and header_key, dates.month_of and day_of, numbers.count_cell,
contracts.validate_records).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contracts import DISPLACEMENT, PCODE
from etl.core.contracts import Contract, validate_records
from etl.core.dates import day_of, month_of
from etl.core.headers import TextTable, keys, text_table
from etl.core.issues import Issues, SourceError
from etl.core.names import clean_name, join_notes
from etl.core.numbers import count_cell
from etl.core.readers import read_rows
from etl.core.spec import SourceSpec

TABLES = ("displacement", "unmatched_movements")
UNITS = ("displacements", "people_displaced")

# 'unmatched_movements': the displacement contract without its rule that a flow has both P-codes
UNMATCHED = Contract(
    "unmatched_movements",
    DISPLACEMENT.columns,
    DISPLACEMENT.key,
    tuple(r for r in DISPLACEMENT.rules if r.reason != "expected origin_pcode and dest_pcode for a flow"),
)
SIDES = {"origin": ("origin", "from", "departure"), "destination": ("destination", "dest", "arrival", "current", "to")}
_ADMIN3 = ("subdistrict", "sub district", "admin3", "adm3", "nahiya")


def _side_aliases(words: tuple[str, ...], levels: tuple[str, ...], suffixes: tuple[str, ...]) -> frozenset[str]:
    """'Origin Sub-district Pcode', 'admin3Pcode_origin', 'admin3_origin_pcode', ..."""
    forms = set()
    for w in words:
        for level in levels:
            for s in suffixes:
                forms |= {f"{w} {level} {s}", f"{level} {s} {w}", f"{level} {w} {s}"}
    return keys(*forms)


PERIOD = keys("Month", "Date", "Reporting period", "Reporting month", "Period", "Month year", "الشهر", "التاريخ", "الفترة")
START = keys("Start date", "Period start", "From date", "Date from", "تاريخ البداية")
END = keys("End date", "Period end", "To date", "Date to", "تاريخ النهاية")
INDIVIDUALS = keys(
    "Individuals", "IDPs (Individuals)", "# of individuals", "Number of individuals", "No. of individuals",
    "Total individuals", "IDPs", "Individual", "Ind", "عدد الأفراد", "الأفراد", "أفراد", "عدد النازحين",
)
HOUSEHOLDS = keys(
    "Households", "HHs", "HH", "# of households", "Number of households", "IDPs (HHs)", "IDPs (Households)",
    "Families", "عدد العائلات", "العائلات", "عدد الأسر", "الأسر",
)
_ARABIC_SIDES = {"origin": ("الأصل", "الأصلية", "المصدر"), "destination": ("الوجهة", "الحالية", "الوصول")}
PCODES = {
    side: _side_aliases(words, _ADMIN3, ("pcode", "p code", "code"))
    | keys(*(f"رمز {n} {a}" for n in ("ناحية", "الناحية") for a in _ARABIC_SIDES[side]))
    for side, words in SIDES.items()
}
NAMES = {
    side: _side_aliases(words, _ADMIN3, ("", "name", "name en", "name english"))
    | keys(*(f"{n} {a}" for n in ("ناحية", "الناحية") for a in _ARABIC_SIDES[side]))
    for side, words in SIDES.items()
}
PARENTS = {
    side: {
        "governorate": _side_aliases(words, ("governorate", "admin1", "adm1"), ("", "name", "name en")),
        "district": _side_aliases(words, ("district", "admin2", "adm2"), ("", "name", "name en")),
    }
    for side, words in SIDES.items()
}
PERIOD_REASON = "expected a month ('Feb-20', 'February 2020', '2020-02', '2022 - November', a date) or start and end dates"


def _movement_header(found: set[str]) -> bool:
    return bool(found & INDIVIDUALS) and bool(found & (PCODES["origin"] | NAMES["origin"]))


def movement_columns(table: TextTable, file: str) -> dict[str, str | None]:
    """The source header of each field, or a SourceError naming what is missing."""
    cols = {
        "period": table.find(PERIOD), "start": table.find(START), "end": table.find(END),
        "value": table.find(INDIVIDUALS), "households": table.find(HOUSEHOLDS),
    }
    for side in SIDES:
        cols[f"{side}_pcode"] = table.find(PCODES[side])
        cols[f"{side}_name"] = table.find(NAMES[side])
        for level, aliases in PARENTS[side].items():
            cols[f"{side}_{level}"] = table.find(aliases)
    missing = []
    if not cols["period"] and not (cols["start"] and cols["end"]):
        missing.append("a period ('Month', 'Date', 'Reporting period', or 'Start date' and 'End date')")
    for side in SIDES:
        if not cols[f"{side}_pcode"] and not cols[f"{side}_name"]:
            missing.append(f"the {side} sub-district ('{side.title()} Sub-district Pcode' or '{side.title()} Sub-district')")
    if missing:
        raise SourceError(file, "expected " + "; ".join(missing) + f" in the header; found {', '.join(table.columns[:12])}")
    return cols


def _cell(cells: dict[str, str], column: str | None) -> str:
    return cells[column] if column else ""


def _period(cells: dict, cols: dict) -> tuple[str, str] | None:
    """period_start / period_end text: the start and end dates where both are given (kept as
    written when unreadable, for validation to report), else the month."""
    start, end = _cell(cells, cols["start"]).strip(), _cell(cells, cols["end"]).strip()
    if start and end:
        return tuple(str(day) if (day := day_of(t)) else t for t in (start, end))
    month = month_of(_cell(cells, cols["period"]))
    return (str(month[0]), str(month[1])) if month else None


def _place(cells: dict, cols: dict, side: str) -> tuple[str | None, str | None]:
    """(P-code, name) of one side; a P-code written in the name column counts as the P-code."""
    pcode = _cell(cells, cols[f"{side}_pcode"]).strip().upper() or None
    name = clean_name(_cell(cells, cols[f"{side}_name"]))
    if pcode is None and name and re.fullmatch(PCODE, name.upper()):
        return name.upper(), None
    return pcode, name


def _unmatched_note(cells: dict, cols: dict, side: str, name: str | None) -> str:
    """"origin named 'Salqin' (Idleb / Harim) has no P-code": what the name matcher needs."""
    within = " / ".join(filter(None, (clean_name(_cell(cells, cols[f"{side}_{level}"])) for level in ("governorate", "district"))))
    return f"{side} named '{name}'" + (f" ({within})" if within else "") + " has no P-code"


def movement_record(row: int, cells: dict, cols: dict, unit: str, source_id: str, file: str, issues: Issues) -> dict | None:
    """The displacement record (text cells) of one movement row, or None after reporting why not."""
    period = _period(cells, cols)
    if period is None:
        column = cols["period"] or cols["start"]
        issues.add("displacement", file, row, column, cells[column], PERIOD_REASON)
        return None
    places = {side: _place(cells, cols, side) for side in SIDES}
    for side, (pcode, name) in places.items():
        if pcode is None and name is None:
            column = cols[f"{side}_pcode"] or cols[f"{side}_name"]
            issues.add("displacement", file, row, column, cells[column], f"expected the {side} sub-district P-code or name")
            return None
    if cells[cols["value"]].strip() == "*":
        issues.add("displacement", file, row, cols["value"], "*", "value suppressed ('*') by the publisher: no figure to load")
        return None
    households = count_cell(_cell(cells, cols["households"]))
    (origin, origin_name), (dest, dest_name) = places["origin"], places["destination"]
    note = join_notes(
        f"households {households}" if households and households.isdigit() else None,
        *(_unmatched_note(cells, cols, side, name) for side, (pcode, name) in places.items() if pcode is None),
    )
    return {
        "row": row, "fact_id": f"{source_id}:{row}", "period_start": period[0], "period_end": period[1],
        "area_en": f"{origin_name or origin} → {dest_name or dest}", "direction": "flow",
        "value": count_cell(cells[cols["value"]]), "qualifier": "exact", "unit": unit, "measure": "period",
        "kind": "observation", "source_id": source_id, "note": note, "origin_pcode": origin, "dest_pcode": dest,
        "columns": {
            "period_start": cols["start"] or cols["period"], "period_end": cols["end"] or cols["period"],
            "value": cols["value"], "origin_pcode": cols["origin_pcode"] or cols["origin_name"],
            "dest_pcode": cols["destination_pcode"] or cols["destination_name"],
            "area_en": cols["origin_name"] or cols["origin_pcode"],
        },
    }


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    unit = spec.options.get("unit", "displacements")
    if unit not in UNITS:
        raise SourceError(file, f"option unit={unit!r}: expected one of {', '.join(UNITS)}")
    rows = read_rows(path, spec.options.get("sheet"), spec.options.get("encoding", "utf-8-sig"))
    table = text_table(rows, file, _movement_header, "the origin sub-district and 'Individuals'")
    cols = movement_columns(table, file)
    records = [r for row, cells in table.rows if (r := movement_record(row, cells, cols, unit, spec.name, file, issues))]
    # one validation for both tables: the flow rule the unmatched rows skip holds for coded rows
    good = validate_records(records, UNMATCHED, file, issues, table="displacement")
    coded = good["origin_pcode"].notna() & good["dest_pcode"].notna()
    return {
        "displacement": good[coded].reset_index(drop=True),
        "unmatched_movements": good[~coded].reset_index(drop=True),
    }

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

This module also holds the reading helpers the monthly_sheet and unhcr adapters share
(read_rows, text_table, header_key, repair_mojibake, month_of, day_of, count_cell,
validate_records).
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from etl.adapters.base import SourceSpec, clean_header
from etl.contracts import DISPLACEMENT, PCODE
from etl.core import limits
from etl.core.contracts import Contract, validate
from etl.core.issues import Issues, SourceError
from etl.core.names import repair_mojibake

TABLES = ("displacement", "unmatched_movements")
UNITS = ("displacements", "people_displaced")
HEADER_SCAN = 30  # rows searched for the header (exports put titles and notes above it)

# ---------------------------------------------------------------------------------------------
# Reading helpers shared with monthly_sheet and unhcr (candidates for etl/adapters/base.py).
# Records are built row by row in plain Python (files are small; pandas per-cell overhead is not)
# and validated once per table.
# ---------------------------------------------------------------------------------------------

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_ARABIC_MARKS = re.compile("[\u064b-\u0652]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_THOUSANDS = re.compile(r"(?<=\d)[,\s'’٬](?=\d{3}(?!\d))")
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
YEARS = (1990, 2100)  # a month outside these years is a misread cell, not data
EXCEL_EPOCH = date(1899, 12, 30)
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y")


def header_key(name) -> str:
    """A header reduced for matching: case, spaces, underscores, punctuation, Arabic letter
    variants and diacritics ignored ('Origin Sub-district Pcode' -> 'originsubdistrictpcode')."""
    text = repair_mojibake(clean_header(name)).casefold().translate(_ARABIC_FOLD)
    return re.sub(r"[\W_]+", "", _ARABIC_MARKS.sub("", text))


def keys(*names: str) -> frozenset[str]:
    """Header aliases in matching form."""
    return frozenset(header_key(n) for n in names)


def _cell_text(value) -> str:
    """An openpyxl cell value as the text a CSV export would hold (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path, file: str, sheet: str | None) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SourceError(file, f"expected an .xlsx workbook readable by openpyxl: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SourceError(file, f"expected a sheet named {sheet!r}; found {', '.join(book.sheetnames)}")
        if not book.worksheets:
            raise SourceError(file, "expected a workbook with at least one worksheet")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in limits.sheet_rows(ws, file)]
    finally:
        book.close()


def _csv_rows(path: Path, file: str, encoding: str) -> list[list[str]]:
    try:
        handle = path.open(encoding=encoding, newline="")
    except LookupError:
        raise SourceError(file, f"option encoding: unknown text encoding {encoding!r}") from None
    except OSError as exc:
        raise SourceError(file, f"cannot open the file: {exc.strerror}") from None
    with handle:
        return list(limits.csv_records(handle, file))


def read_rows(path: Path, sheet: str | None = None, encoding: str = "utf-8-sig") -> list[list[str]]:
    """Every row of a workbook sheet or CSV file as text cells, rows as the spreadsheet shows them.

    The format is recognised from the content (an .xlsx is a zip file), not from the name.
    """
    file = path.name
    try:
        with path.open("rb") as stream:
            magic = stream.read(8)
    except OSError as exc:
        raise SourceError(file, f"cannot open the file: {exc.strerror}") from None
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_rows(path, file, sheet)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(file, "expected .xlsx or CSV; this is an old binary .xls workbook: save it as .xlsx")
    return _csv_rows(path, file, encoding)


def _is_hashtag_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


def _unique_headers(cells: list[str]) -> list[str]:
    """Cleaned header names, blanks named by position and repeats marked (the first one counts)."""
    out: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = repair_mojibake(clean_header(cell)) or f"(column {position})"
        while name in out:
            name += " (again)"
        out.append(name)
    return out


@dataclass(frozen=True)
class TextTable:
    """The data rows under a header, as text: (row number as the spreadsheet shows it, header -> cell)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def find(self, aliases: frozenset[str]) -> str | None:
        """The first header whose key is one of `aliases`."""
        return next((c for c in self.columns if header_key(c) in aliases), None)


def text_table(rows: list[list[str]], file: str, is_header: Callable[[set[str]], bool], expected: str) -> TextTable:
    """The rows under the first row that `is_header` accepts (given its header keys).

    Blank rows and an HXL hashtag row under the header are skipped; short rows are padded with
    blanks and cells beyond the header ignored.
    """
    top = next((i for i, row in enumerate(rows[:HEADER_SCAN]) if is_header({header_key(c) for c in row})), None)
    if top is None:
        first = next((i + 1 for i, row in enumerate(rows[:HEADER_SCAN]) if any(c.strip() for c in row)), None)
        seen = f"row {first} is the first that is not blank" if first else "they are all blank"
        raise SourceError(file, f"expected a header row with {expected} in the first {HEADER_SCAN} rows; {seen}")
    header = _unique_headers(rows[top])
    start = top + 2 if top + 1 < len(rows) and _is_hashtag_row(rows[top + 1]) else top + 1
    body = [
        (number, dict(zip(header, row + [""] * (len(header) - len(row)))))
        for number, row in enumerate(rows[start:], start=start + 1)
        if any(c.strip() for c in row)
    ]
    return TextTable(header, body)


def clean_name(text: str) -> str | None:
    """A name with mojibake repaired and outer spaces (no-break spaces too) stripped; None if blank."""
    return repair_mojibake(text).strip() or None


def count_cell(text: str, suppressed: Iterable[str] = ("*",)) -> str | None:
    """A count as plain digits: Arabic-Indic digits translated, thousands separators removed
    ('1,234', '1 234', '١٬٢٣٤'); suppression markers and blanks are None. Anything else is
    returned for validation to report."""
    text = _THOUSANDS.sub("", text.strip().translate(_DIGITS))
    return None if text == "" or text in suppressed else text


def day_of(text: str) -> date | None:
    """A date written the ways base.iso_dates reads (ISO, Excel serial, epoch milliseconds,
    d/m/Y, d-m-Y, '15 March 2020', 'March 15, 2020'), one cell at a time."""
    text = text.strip()
    try:
        if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", text):
            return date(*map(int, m.groups()))
        if re.fullmatch(r"\d{11,13}", text):
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
        if re.fullmatch(r"\d+(\.\d+)?", text) and 1 <= float(text) < 80000:
            return EXCEL_EPOCH + timedelta(days=round(float(text)))
    except (ValueError, OverflowError, OSError):
        return None
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _month_parts(parts: list[str]) -> tuple[int, int] | None:
    """(year, month) from two tokens: 'feb 20', 'february 2020', '2022 november', '2020 02', '02 2020'."""
    a, b = parts
    if a in MONTHS and re.fullmatch(r"\d{2}|\d{4}", b):
        return int(b) + (2000 if len(b) == 2 else 0), MONTHS[a]
    if b in MONTHS and re.fullmatch(r"\d{4}", a):
        return int(a), MONTHS[b]
    if re.fullmatch(r"\d{4}", a) and re.fullmatch(r"\d{1,2}", b):
        return int(a), int(b)
    if re.fullmatch(r"\d{1,2}", a) and re.fullmatch(r"\d{4}", b):
        return int(b), int(a)
    return None


def month_of(text: str) -> tuple[date, date] | None:
    """First and last day of the month a cell names: 'Feb-20', 'February 2020', '2020-02',
    '2022 - November', or a date (an Excel serial, '2020-02-01', ...) standing for its month.
    None when it names no month between 1990 and 2100."""
    parts = [p for p in re.split(r"[\s\-/_.,]+", text.strip().casefold().translate(_DIGITS)) if p]
    found = _month_parts(parts) if len(parts) == 2 else None
    if found is None and (day := day_of(text)) is not None:
        found = day.year, day.month
    if found is None or not (YEARS[0] <= found[0] <= YEARS[1] and 1 <= found[1] <= 12):
        return None
    first = date(found[0], found[1], 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def join_notes(*parts: str | None) -> str | None:
    """Non-blank parts joined with '; ' (None when all are blank)."""
    return "; ".join(p for p in parts if p) or None


def validate_records(records: list[dict], contract: Contract, file: str, issues: Issues, table: str | None = None) -> pd.DataFrame:
    """validate() for records built from a file, in file order.

    Each record holds the contract's columns as text, 'row' (its row in the file; one row may give
    several records) and 'columns' (contract column -> the source header it came from). Problems
    are reported at that row and header, under `table` (default: the contract's), each once.
    Returns the good records, typed, in file order, with a fresh index.
    """
    if not records:
        return contract.empty()
    raw = pd.DataFrame([[r.get(c) for c in contract.names] for r in records], columns=contract.names, dtype="string")
    local = Issues()
    good = validate(raw, contract, file, local, first_row=0)
    seen = {astuple(p) for p in issues.problems}
    for p in local.problems:
        record = records[p.row]
        problem = (table or p.table, file, record["row"], record["columns"].get(p.column, p.column), p.value, p.reason)
        if problem not in seen:
            seen.add(problem)
            issues.add(*problem)
    return good.sort_index(kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Movement tables
# ---------------------------------------------------------------------------------------------

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

"""The numbers behind a panel as a table, and its CSV and XLSX files.

A panel's rows (`Panel.rows`: one row per published figure or per bucket of a series, made from the
same inputs as its figure) are given their sources' organisation, title and publication date, and
the sources they cite. The XLSX has three sheets: data, sources, notes (filters, units, caveats).

Every text cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, as OWASP advises for CSV injection, and
XLSX cells are typed as text, so no export can run a formula when opened.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from dashboard.i18n import Translate
from dashboard.organisations import attribute, registry
from etl.contracts import public_url

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SOURCE_COLUMNS = ["source_id", "organisation", "via", "title", "url", "link_kind", "published", "accessed", "licence",
                  "note"]


def neutral(value):
    """A text cell that cannot be read as a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutral(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutral).astype(object)
    return out


def cell(value):
    """A plain Python value for a file: None for missing, whole numbers as int (752131, not 752131.0)."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Table:
    name: str
    data: pd.DataFrame
    sources: pd.DataFrame
    notes: tuple[tuple[str, str], ...]  # (heading, text)


def with_sources(rows: pd.DataFrame, sources: pd.DataFrame, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows with their sources' organisations (as the registry names them, one name per
    organisation, and as the source writes it), titles and dates; and the sources they cite."""
    reg = registry()
    lookup = sources.set_index("source_id")
    ids_per_row = [[i for i in str(s).split(",") if i] if isinstance(s, str) else [] for s in rows.get("source_id", [])]
    cited = sorted({i for ids in ids_per_row for i in ids})
    if len(rows):
        series = rows["series"] if "series" in rows else [None] * len(rows)
        org_ids = [[attribute(lookup["organisation"].get(i), s, reg) for i in ids] for ids, s in zip(ids_per_row, series)]
        rows = rows.assign(
            organisation_id=["; ".join(dict.fromkeys(o)) for o in org_ids],
            organisation_name=["; ".join(dict.fromkeys(reg.get(x, str(lookup["organisation"].get(i, x))).name(lang)
                                                       for x, i in zip(o, ids))) for o, ids in zip(org_ids, ids_per_row)],
        )
        for column in ("organisation", "title", "published"):
            rows = rows.assign(**{column: ["; ".join(str(lookup[column].get(i, "")) for i in ids) for ids in ids_per_row]})
    used = sources[sources["source_id"].isin(cited)]
    used = used[[c for c in SOURCE_COLUMNS if c in used.columns]].sort_values(["organisation", "source_id"])
    if len(used):
        used = used.assign(organisation_ids=["; ".join(reg.ids(o)) for o in used["organisation"]])
    return rows, used


def table(name: str, rows: pd.DataFrame, sources: pd.DataFrame, notes: tuple[tuple[str, str], ...],
          lang: str = "en") -> Table:
    """The table of panel `name`: its rows with their sources, the sources cited, the notes."""
    data, used = with_sources(rows, sources, lang)
    return Table(name, data.reset_index(drop=True), used.reset_index(drop=True), notes)


def to_csv(tab: Table) -> bytes:
    """The data sheet as UTF-8 CSV with a byte-order mark (Excel reads the Arabic names right)."""
    frame = neutral_frame(tab.data)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # quotes any cell holding a line break (pandas leaves \r bare)
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow(["" if v is None else v for v in map(cell, row)])
    return out.getvalue().encode("utf-8-sig")


def _sheet(book, title: str, frame: pd.DataFrame, formats: dict) -> None:
    """One sheet: the header, then the rows, every text cell written as text (never a formula, a
    number or a link), dates as dates; columns as wide as their longest cell (8 to 60); the header
    row frozen."""
    sheet = book.add_worksheet(title)
    frame = neutral_frame(frame)
    widths = [len(str(c)) for c in frame.columns]
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, str(name))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for col, raw in enumerate(row):
            value = cell(raw)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            elif isinstance(value, (datetime, date)):
                if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: UTC
                    value = value.astimezone(UTC).replace(tzinfo=None)
                sheet.write_datetime(r, col, value, formats["datetime" if isinstance(value, datetime) else "date"])
            else:
                value = str(value)
                sheet.write_string(r, col, value)
            widths[col] = max(widths[col], len(str(value)))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(60, max(8, width + 2)))
    sheet.freeze_panes(1, 0)


def sources_sheet(sources: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """The sources as the sheet lists them: a source without a web address says "no public link"
    (a local file path never leaves the server)."""
    if "url" not in sources:
        return sources
    return sources.assign(url=[public_url(u) or t("no public link") for u in sources["url"]])


def to_xlsx(tab: Table, t: Translate) -> bytes:
    """The table as a workbook (XlsxWriter: a writer only, several times faster than openpyxl here)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
    formats = {"date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
    _sheet(book, t("data"), tab.data, formats)
    _sheet(book, t("sources"), sources_sheet(tab.sources, t), formats)
    _sheet(book, t("notes"), pd.DataFrame(list(tab.notes), columns=[t("note"), t("text")]), formats)
    book.close()
    return out.getvalue()

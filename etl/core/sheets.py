"""The sheets of a table file as published, as rows of text cells: a CSV, an Excel workbook
(.xlsx/.xlsm) or an OpenDocument spreadsheet (.ods), one rule for all three.

- `sheet_names`: the sheets of a file (a CSV has one, named after the file);
- `read_sheets`: the sheets asked for, by name, by position (1 = the first) or every sheet whose
  name matches a regular expression, each as (name, rows), rows as the spreadsheet shows them
  (row 1 first), every cell as text (etl.core.readers.cell_text).

The format is told by the content (xlsx is a zip archive, ods a zip holding an OpenDocument
mimetype), never by the name alone; a wrong guess is reported as what the file is ('this is an
Excel workbook', 'an old binary .xls'). Workbooks are read within the run's limits (rows, cells).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from etl.core import limits
from etl.core.issues import SourceError
from etl.core.readers import cell_text, read_rows

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def file_kind(path: Path) -> str:
    """'xlsx', 'ods', 'xls' (old binary Excel) or 'text', from the first bytes of the file."""
    try:
        with path.open("rb") as stream:
            magic = stream.read(8)
    except OSError as exc:
        raise SourceError(path.name, f"cannot open the file: {exc.strerror}") from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if not magic.startswith(b"PK\x03\x04"):
        return "text"
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    except zipfile.BadZipFile as exc:
        raise SourceError(path.name, f"the file starts like a zip archive (.xlsx, .ods) but is damaged: {exc}") from None
    return "zip"


def describe(kind: str) -> str:
    """What a file is, in a message."""
    return {"xlsx": "an Excel workbook (.xlsx)", "ods": "an OpenDocument spreadsheet (.ods)",
            "xls": "an old binary Excel workbook (.xls)", "zip": "a zip archive", "text": "a text file"}[kind]


def _ods_book(path: Path) -> dict[str, pd.DataFrame]:
    limits.check_archive(path)
    try:
        return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="odf")
    except ImportError:
        raise SourceError(path.name, "reading .ods needs the Python package odfpy (see requirements.txt)") from None
    except Exception as exc:  # odfpy raises several types; the message is what matters
        raise SourceError(path.name, f"expected an OpenDocument spreadsheet readable by odfpy: {exc}") from None


def sheet_names(path: Path) -> list[str]:
    kind = file_kind(path)
    if kind == "xlsx":
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types; the message is what matters
            raise SourceError(path.name, f"expected an Excel workbook (.xlsx) readable by openpyxl: {exc}") from None
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    if kind == "ods":
        return list(_ods_book(path))
    if kind == "xls":
        raise SourceError(path.name, "expected .xlsx, .ods or CSV; this is an old binary .xls workbook: save it as .xlsx")
    if kind == "zip":
        raise SourceError(path.name, "expected a CSV, .xlsx or .ods file; this is a zip archive: unzip it first")
    return [path.stem]


def choose(names: list[str], sheet=None, pattern: str | None = None, file: str = "") -> list[str]:
    """The sheets asked for: `sheet` by name or position (1 = the first), or every sheet whose name
    matches `pattern` (a regular expression, searched), or the first sheet."""
    if pattern is not None:
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            raise SourceError(file, f"option sheets = {pattern!r}: not a regular expression ({exc})") from None
        chosen = [n for n in names if rx.search(n)]
        if not chosen:
            raise SourceError(file, f"option sheets = {pattern!r}: no sheet matches; the sheets are {', '.join(names)}")
        return chosen
    if sheet is None:
        return names[:1]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 1 <= sheet <= len(names):
            raise SourceError(file, f"option sheet = {sheet}: expected 1 to {len(names)} (the sheets are "
                                    f"{', '.join(names)})")
        return [names[sheet - 1]]
    if str(sheet) not in names:
        near = [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise SourceError(file, f"expected a sheet named {sheet!r}{hint}; the sheets are {', '.join(names)}")
    return [str(sheet)]


def read_sheets(path: Path, sheet=None, pattern: str | None = None,
                encoding: str = "utf-8-sig") -> list[tuple[str, list[list[str]]]]:
    """(sheet name, rows of text cells) for each sheet asked for (see `choose`)."""
    kind = file_kind(path)
    names = sheet_names(path)
    chosen = choose(names, sheet, pattern, path.name)
    if kind == "text":
        return [(chosen[0], read_rows(path, encoding=encoding))]
    if kind == "ods":
        book = _ods_book(path)
        out = []
        for name in chosen:
            frame = book[name]
            limits.check_count(len(frame), f"{path.name}, sheet {name!r}", "rows")
            out.append((name, [[cell_text(None if pd.isna(v) else v) for v in row] for row in frame.itertuples(index=False)]))
        return out
    return [(name, read_rows(path, name)) for name in chosen]

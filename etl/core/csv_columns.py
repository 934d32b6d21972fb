"""The wanted columns of a large delimited text file (an ACLED or UCDP export of a million rows),
read while the file streams: a .csv, or the one CSV inside a .zip, UTF-8 with or without a
byte-order mark, comma-separated as exported (';' or tab when the header line holds more of
those: Excel re-saves), columns picked by their cleaned, lower-case header name. An HXL hashtag
row under the header is skipped; data rows are then numbered from 3.

Two readers give the same rows: pyarrow's CSV parser in blocks (etl/core/csv_arrow.py, about 20
times faster) and, for files it might read otherwise (see there: garbage under a header, a quote
left open), Python's csv module line by line, its cells kept as Arrow-backed text every
CHUNK_ROWS rows. Limits (etl/core/limits.py) apply while either reads.
"""
from __future__ import annotations

import contextvars
import io
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.core import csv_arrow, limits
from etl.core.checked_bytes import Scan, scan
from etl.core.headers import clean_header, is_hashtag_row, require_columns
from etl.core.issues import SourceError

DELIMITERS = (",", ";", "\t")
CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class TextRows:
    """The data rows of a delimited file, every cell as text."""

    frame: pd.DataFrame  # the wanted columns (absent optional ones blank), indexed by row number
    first_row: int  # 2, or 3 under an HXL hashtag row
    beyond_header: dict[int, tuple[int, str]]  # row -> (column number, value) of a cell past the header


@contextmanager
def _text_stream(path: Path, file: str) -> Iterator[io.TextIOBase]:
    """The file (or the one CSV inside a zip) as UTF-8 text, byte-order mark dropped."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise SourceError(file, f"expected a zip archive holding one CSV: {exc}") from None
        with archive:
            names = archive.namelist()
            members = [n for n in names if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
            if any(n.startswith("xl/") for n in names) or "mimetype" in names:
                what = "an Excel workbook (.xlsx)" if any(n.startswith("xl/") for n in names) else "a spreadsheet (.ods)"
                raise SourceError(file, f"expected a CSV file (or a zip holding one); this is {what}, not a CSV: "
                                        "export the sheet as CSV, or read it with an adapter for workbooks")
            if len(members) != 1:
                raise SourceError(file, f"expected a zip holding exactly one .csv file; found {members or 'none'}")
            with archive.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceError(file, f"cannot open the file: {exc.strerror}") from None
    with handle:
        yield handle


def sniff_delimiter(header_line: str) -> str:
    """',' as exported; ';' or tab when the header line holds more of those (Excel re-saves)."""
    return max(DELIMITERS, key=header_line.count) if any(d in header_line for d in DELIMITERS) else ","


class _Column:
    """The cells of one wanted column, turned into Arrow-backed text every CHUNK_ROWS rows."""

    def __init__(self):
        self.chunks: list[pd.Series] = []
        self.pending: list[str] = []

    def add(self, cell: str) -> None:
        self.pending.append(cell)
        if len(self.pending) >= CHUNK_ROWS:
            self.chunks.append(pd.Series(self.pending, dtype="string"))
            self.pending = []

    def series(self, rows: int, index: range) -> pd.Series:
        parts = [*self.chunks, pd.Series(self.pending, dtype="string")]
        whole = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return whole.iloc[:rows].set_axis(index)


def _positions(header: list[str], wanted: tuple[str, ...], file: str) -> dict[str, int]:
    positions = {}
    for name in wanted:
        found = [i for i, h in enumerate(header) if h == name]
        if len(found) > 1:
            raise SourceError(file, f"row 1: expected column {name} once in the header; found it {len(found)} times")
        if found:
            positions[name] = found[0]
    return positions


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _header(records: Iterator[list[str]], required: tuple[str, ...], optional: tuple[str, ...],
            file: str) -> tuple[list[str], dict[str, int]]:
    """The header record (the first) and the positions of the wanted columns in it."""
    first = next(records, None)
    if first is None or _blank(first) and all(_blank(r) for r in records):
        raise SourceError(file, "expected a header row; the file is empty")
    header = [clean_header(c).lower() for c in first]
    require_columns(pd.DataFrame(columns=header), list(required), file)
    return header, _positions(header, required + optional, file)


def _collect(records: Iterator[list[str]], required: tuple[str, ...], optional: tuple[str, ...], file: str) -> TextRows:
    header, positions = _header(records, required, optional, file)
    columns = {name: _Column() for name in positions}
    first_row, count, kept, beyond = 2, 0, 0, {}
    for number, record in enumerate(records, start=2):
        if number == 2 and is_hashtag_row(record):
            first_row = 3
            continue
        count += 1
        if not _blank(record):
            kept = count  # blank records at the end of the file are dropped
        for name, i in positions.items():
            columns[name].add(record[i] if i < len(record) else "")
        extra = next(((i + 1, c) for i, c in enumerate(record[len(header):], start=len(header)) if c.strip()), None)
        if extra:
            beyond[number] = extra
    index = range(first_row, first_row + kept)
    cells = {name: column.series(kept, index) for name, column in columns.items()}
    cells.update({name: pd.Series("", index=index, dtype="string") for name in optional if name not in positions})
    return TextRows(pd.DataFrame(cells, index=index), first_row, beyond)


def read_text_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> TextRows:
    """The wanted columns of a delimited text file (or of the one CSV in a zip), picked by
    (cleaned, lower-case) header name while the file streams within the run's limits. Short
    records are padded with blanks, a non-blank cell past the header's last column is noted for
    rejection, blank records at the end are dropped. Read by pyarrow (csv_arrow), or line by
    line where pyarrow might read the file otherwise."""
    file = path.name
    try:
        with _text_stream(path, file) as handle:
            sniffed: list[str] = []
            records = limits.csv_records(handle, file, sniff=lambda line: sniffed.append(sniff_delimiter(line)) or sniffed[0])
            header, positions = _header(records, required, optional, file)
        if not _blank(header):
            with _checked_file(path, file) as (source, scanned):
                found = csv_arrow.read(source, file, len(header), sniffed[0], positions, scanned)
            return _arrow_rows(found, optional)
    except csv_arrow.Unusual:
        pass
    except zipfile.BadZipFile as exc:
        raise SourceError(file, f"the zip archive is damaged: {exc}") from None
    return read_line_by_line(path, required, optional)


def read_line_by_line(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> TextRows:
    """read_text_rows with Python's csv module, line by line (the reference the fast reader
    matches, and its fallback)."""
    file = path.name
    try:
        with _text_stream(path, file) as handle:
            return _collect(limits.csv_records(handle, file, sniff=sniff_delimiter), required, optional, file)
    except zipfile.BadZipFile as exc:
        raise SourceError(file, f"the zip archive is damaged: {exc}") from None


@contextmanager
def _checked_file(path: Path, file: str) -> Iterator[tuple[Path, Scan | Future]]:
    """A plain file for pyarrow to read, and what checked_bytes.scan found in it: the file itself,
    scanned in a thread while pyarrow parses it (a Future; both work without Python's lock), or the
    one CSV of a zip (found by _text_stream already) inflated into a temporary file, scanned first."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream, ThreadPoolExecutor(1) as thread:
            # in the run's context: the scan checks the active limits
            yield path, thread.submit(contextvars.copy_context().run, scan, stream, file)
        return
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory(prefix="etl-csv-") as folder:
        member = next(n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX/"))
        inflated = Path(folder) / "inflated.csv"
        with archive.open(member) as stream, inflated.open("wb") as copy:
            scanned = scan(stream, file, copy)
        yield inflated, scanned


def _arrow_rows(found: csv_arrow.Records, optional: tuple[str, ...]) -> TextRows:
    """TextRows from what csv_arrow read: as _collect makes them from the same records."""
    first_row = 3 if found.second is not None and is_hashtag_row(found.second) else 2
    kept = max(0, found.last_filled - first_row + 1)
    index = range(first_row, first_row + kept)
    cells = {name: pd.Series(pd.arrays.ArrowStringArray(column.slice(first_row - 2, kept)), index=index)
             for name, column in found.columns.items()}
    cells.update({name: pd.Series("", index=index, dtype="string") for name in optional if name not in cells})
    beyond = {row: cell for row, cell in found.beyond.items() if row >= first_row}
    return TextRows(pd.DataFrame(cells, index=index), first_row, beyond)

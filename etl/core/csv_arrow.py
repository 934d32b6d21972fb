"""The fast way to read a large delimited export (etl/core/csv_columns.py): pyarrow's streaming
CSV reader, in blocks, every cell as text, keeping only the wanted columns.

It reads a file as the line-by-line reader of csv_columns does (Python's csv module: the same
records, cells and record numbers) within the same limits: sizes are checked before
(etl/core/limits.py), lines and UTF-8 in one pass over the bytes before (etl/core/checked_bytes.py),
rows per block while it streams. Records of another width than the header (a shifted row, a short one) are skipped by
pyarrow and read again from their text by Python's csv module, then put back in place. Whatever
it might read differently raises `Unusual`, and csv_columns reads the file line by line instead:
- more than ODD_ROWS records of another width than the header (a file that is not a table:
  garbage under a valid header), one wider than the column limit, or one whose text Python's csv
  module would read otherwise within the file (a quote left open to the end of the file);
- a record longer than a block (BLOCK bytes), or any other error of pyarrow's.
"""
from __future__ import annotations

import csv
import io
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.core import limits
from etl.core.checked_bytes import Scan

ODD_ROWS = 1000
TEXT = pa.large_string()  # as pandas' "string" columns hold text: wrapped without a copy
BLOCK = 16 << 20


class Unusual(Exception):
    """The file needs the line-by-line reader to be read exactly as it reads it."""


@dataclass(frozen=True)
class Records:
    """Every record after the header (record 1), in file order, its wanted columns as text."""

    columns: dict[str, pa.Array]  # wanted column -> cells of records 2, 3, ...
    second: list[str] | None  # every cell of record 2 (the hashtag-row rule), None when there is none
    last_filled: int  # number of the last record with a non-blank cell (1 when none)
    beyond: dict[int, tuple[int, str]]  # record -> (column number, value) of a non-blank cell past the header


@dataclass
class _Odd:
    """The records pyarrow skipped, read from their text by Python's csv module. pyarrow calls
    `handle` from its own threads too (where the run's limits are not active: hence `columns`)."""

    delimiter: str
    columns: int  # the column limit
    rows: dict[int, list[str]] = field(default_factory=dict)  # record number -> cells

    def handle(self, row) -> str:
        if row.number is None or len(self.rows) >= ODD_ROWS or row.actual_columns > self.columns:
            return "error"
        cells = _cells(row.text, self.delimiter)
        if cells is None:
            return "error"
        self.rows[row.number] = cells
        return "skip"


def _cells(text: str, delimiter: str) -> list[str] | None:
    """The one record of `text` as Python's csv module reads it; None when it would read it
    otherwise followed by the rest of the file (a quote left open)."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    followed = list(csv.reader(io.StringIO(text + "\n", newline=""), delimiter=delimiter))
    if len(records) > 1 or records != followed:
        return None
    return records[0] if records else []


def blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _last_filled(batch: pa.RecordBatch) -> int:
    """Index of the last row of `batch` with a non-blank cell; -1 when none."""
    for i in range(batch.num_rows - 1, -1, -1):
        if not blank([column[i].as_py() for column in batch.columns]):
            return i
    return -1


def _options(names: list[str], delimiter: str, handler) -> tuple:
    return (
        pacsv.ReadOptions(column_names=names, use_threads=False, block_size=BLOCK),
        pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                           invalid_row_handler=handler),
        pacsv.ConvertOptions(column_types=dict.fromkeys(names, TEXT), strings_can_be_null=False,
                             quoted_strings_can_be_null=False, check_utf8=False),  # UTF-8: checked_bytes
    )


def read(source: Path, file: str, width: int, delimiter: str, wanted: dict[str, int],
         scanned: Scan | Future) -> Records:
    """The columns at positions `wanted` of every record after the header in the file `source`
    (the header is record 1, `width` cells wide). `scanned`: its lines, and the first line beyond
    the line limit or bytes not in UTF-8 (etl/core/checked_bytes.py), raised unless the row limit
    comes first; a Future when the scan runs in a thread while pyarrow parses (both without
    Python's lock): its problem is then raised after the parse, as it is raised before it."""
    bound = limits.active()
    if isinstance(scanned, Scan):
        _raise_early(scanned, bound)
    names = [f"c{i}" for i in range(width)]
    odd = _Odd(delimiter, bound.columns)
    chunks: dict[str, list[pa.Array]] = {name: [] for name in wanted}
    valid, filled, heads, failed = 0, [], [], None  # valid: rows pyarrow gave, the header included
    try:
        with pacsv.open_csv(str(source), *_options(names, delimiter, odd.handle)) as reader:
            for batch in reader:
                start = valid
                valid += batch.num_rows
                for i in range(min(2 - len(heads), batch.num_rows)):  # the header and the next row
                    heads.append([column[i].as_py() for column in batch.columns])
                for name, i in wanted.items():
                    chunks[name].append(batch.column(i))
                if (last := _last_filled(batch)) >= 0:
                    filled.append(start + last)
                if valid - 1 + len(odd.rows) > bound.rows or _early(scanned, bound):
                    break
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:  # a skipped record we cannot take, a block too short
        failed = str(exc)
    except BaseException:
        if isinstance(scanned, Future):
            _raise_early(scanned.result(), bound)  # the scan's problem comes first, as when it was checked before
        raise
    if isinstance(scanned, Future):
        scanned = scanned.result()
        _raise_early(scanned, bound)
    problem = scanned.problem
    if failed is not None or valid == 0:
        raise Unusual(failed or "no header row")
    if valid - 1 + len(odd.rows) > bound.rows:
        line = _line_of_record(source, names, delimiter, bound.rows + 2, scanned.lines)
        if problem is not None and problem.line <= line:
            raise problem.error
        raise bound.refuse(file, f"more than {bound.rows:,} rows (stopped reading at line {line:,})", "rows")
    if problem is not None:
        raise problem.error
    return _records(chunks, wanted, valid, odd.rows, filled, heads[1] if len(heads) > 1 else None, width)


def _early(scanned: Scan | Future, bound: limits.Limits) -> bool:
    """Whether the scan running beside the parse has found a problem it raises first (no need to
    parse on)."""
    if not isinstance(scanned, Future) or not scanned.done() or scanned.exception() is not None:
        return False
    problem = scanned.result().problem
    return problem is not None and problem.line <= bound.rows + 2


def _raise_early(scanned: Scan, bound: limits.Limits) -> None:
    """The scan's problem when it lies before any record past the row limit."""
    if scanned.problem is not None and scanned.problem.line <= bound.rows + 2:
        raise scanned.problem.error


def _records(chunks: dict[str, list[pa.Array]], wanted: dict[str, int], valid: int, odd: dict[int, list[str]],
             filled: list[int], second: list[str] | None, width: int) -> Records:
    """The records after the header in file order: pyarrow's rows numbered around the skipped ones."""
    total = valid + len(odd)
    skipped = np.array(sorted(odd), dtype=np.int64)
    given = np.ones(total, dtype=bool)  # records pyarrow gave (not np.setdiff1d: it sorts a million numbers)
    given[skipped - 1] = False
    numbers = np.flatnonzero(given) + 1
    if numbers[0] != 1:
        raise Unusual("the header was not read as a record")
    if 2 in odd:
        second = None
    columns = {}
    for name in list(chunks):
        parts = chunks.pop(name)  # the blocks as read go once the column is whole: one copy held, not two
        column = pa.chunked_array(parts, TEXT).slice(1)  # the header off
        del parts
        if len(odd):
            i = wanted[name]
            column = _interleaved(column, [odd[n][i] if i < len(odd[n]) else "" for n in skipped], skipped)
        columns[name] = column.combine_chunks()
    last = max([int(numbers[i]) for i in filled] + [n for n, cells in odd.items() if not blank(cells)] + [1])
    beyond = {}
    for n, cells in odd.items():
        extra = next(((i + 1, c) for i, c in enumerate(cells[width:], start=width) if c.strip()), None)
        if extra:
            beyond[n] = extra
    return Records(columns, odd.get(2, second), last, beyond)


def _interleaved(column: pa.ChunkedArray, cells: list[str], skipped: np.ndarray) -> pa.ChunkedArray:
    """`column` (pyarrow's rows, records 2, 3, ... without the skipped ones) with `cells` put back
    at the records `skipped` (sorted): slices of the column between them, no copy of it (a take
    of every row would cost as much as reading the file)."""
    parts, start = [], 0
    for k, number in enumerate(skipped.tolist()):
        before = number - 2 - k  # pyarrow's rows before this record
        parts.append(column.slice(start, before - start))
        parts.append(pa.array([cells[k]], TEXT))
        start = before
    parts.append(column.slice(start))
    return pa.chunked_array([chunk for part in parts for chunk in (part.chunks if isinstance(part, pa.ChunkedArray)
                                                                   else [part])], TEXT)


def _line_of_record(source: Path, names: list[str], delimiter: str, record: int, lines: int) -> int:
    """The line on which record `record` ends, as etl.core.limits counts lines: the records up
    to it plus the line breaks inside their cells; the file's last line (of `lines`) when it is
    the last record (it may end inside a quote). Only asked when the row limit is passed."""
    skipped: dict[int, int] = {}  # record number -> line breaks in its text

    def note(row) -> str:
        if row.number is not None:
            skipped[row.number] = _breaks(pa.array([row.text]))[0]
        return "skip"

    counts: list[np.ndarray] = []
    with pacsv.open_csv(str(source), *_options(names, delimiter, note)) as reader:
        for batch in reader:
            per_row = np.zeros(batch.num_rows, dtype=np.int64)
            for column in batch.columns:
                per_row += _breaks(column)
            counts.append(per_row)
            if sum(map(len, counts)) + len(skipped) > record:
                break
    valid = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    if len(valid) + len(skipped) <= record:
        return lines
    numbers = np.setdiff1d(np.arange(1, len(valid) + len(skipped) + 1), np.array(sorted(skipped), dtype=np.int64))
    breaks = int(valid[numbers[: len(valid)] <= record].sum()) + sum(b for n, b in skipped.items() if n <= record)
    return record + breaks


def _breaks(column: pa.Array) -> np.ndarray:
    """Line breaks in each cell, counted as lines are ('\r\n' is one)."""
    n, r, rn = (pc.count_substring(column, s).to_numpy(zero_copy_only=False) for s in ("\n", "\r", "\r\n"))
    return (n + r - rn).astype(np.int64)

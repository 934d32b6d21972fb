"""Declare a table's contract once (columns, types, ranges, required fields, row rules) and
validate raw rows against it, flagging bad rows instead of dropping them silently.

`validate` takes the rows of a source file as read (text), returns the rows that satisfy the
contract with their declared types, and records every rejected row in the run's `Issues` with the
file, the row number as a spreadsheet shows it, the column, the value and what was expected.
`validate_rows` (a frame indexed by row number) and `validate_records` (records built row by row,
each naming its row and source headers) do the same for rows the adapters assemble themselves.

The rules adapters add after validation, on frames indexed by row number, are here too, one each:
`reject_duplicates` (the first row in file order keeps a key), `reject` (rows a test fails),
`reject_beyond_header` (a value past the header's last column), `reject_outside_coverage` (dates
before a dataset's coverage or in the future).
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.core import cells
from etl.core.cells import DTYPES
from etl.core.issues import Issues

KINDS = ("str", "int", "float", "date", "bool")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def expected(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return {
            "str": "text",
            "int": "a whole number",
            "float": "a number",
            "date": "a date as YYYY-MM-DD",
            "bool": "true or false",
        }[self.kind]


@dataclass(frozen=True)
class RowRule:
    """A rule across columns: `ok(frame)` gives True where a row satisfies it."""

    column: str
    ok: Callable[[pd.DataFrame], pd.Series]
    reason: str


@dataclass(frozen=True)
class Contract:
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def empty(self) -> pd.DataFrame:
        return pd.DataFrame({c.name: pd.Series(dtype=DTYPES[c.kind]) for c in self.columns})


@dataclass
class Typed:
    """Every row of a file typed by its contract, indexed by row number ("source_row"), and the
    positions of the rows that passed, in the contract's key order. Later rules read the few
    columns they need (`columns`) and leave rows out (`keep`); the whole table is taken once, by
    `rows` (a million rows of text are not copied once per rule), or by `last_rows`, which lets
    go of the table as it was (its memory is free for what comes next)."""

    frame: pd.DataFrame
    order: np.ndarray

    def columns(self, names: list[str]) -> pd.DataFrame:
        """The columns `names` of the rows kept, in order."""
        return self.frame[names].take(self.order)

    def keep(self, rows: pd.Index) -> Typed:
        """Keep only the rows whose number is in `rows` (order unchanged); returns itself."""
        if len(rows) != len(self.order):
            inside = self.frame.index.isin(rows)
            self.order = self.order[inside[self.order]]
        return self

    def rows(self, names: list[str] | None = None) -> pd.DataFrame:
        """The rows kept (all columns, or `names`), in order."""
        frame = self.frame if names is None else self.frame[names]
        if np.array_equal(self.order, np.arange(len(frame))):
            return frame
        if len(frame) < cells.PARALLEL_ROWS:
            return frame.take(self.order)
        # frame.take, two columns at a time in threads (pyarrow's and numpy's take release Python's lock)
        with ThreadPoolExecutor(cells.THREADS) as pool:
            arrays = list(pool.map(lambda name: frame[name].array.take(self.order), frame.columns))
        return pd.DataFrame(dict(zip(frame.columns, arrays, strict=True)), index=frame.index.take(self.order), copy=False)

    def last_rows(self, names: list[str] | None = None) -> pd.DataFrame:
        """rows(), the last use of this Typed: it lets go of the whole table."""
        rows = self.rows(names)
        self.frame = pd.DataFrame(columns=self.frame.columns)  # not a slice: a slice would keep the table's buffers
        self.order = np.arange(0)
        return rows


def validate(raw: pd.DataFrame, contract: Contract, file: str, issues: Issues, first_row: int = 2) -> pd.DataFrame:
    """Check `raw` (text cells, one row per data row) against `contract`.

    Returns the good rows with declared columns and dtypes, sorted by the key, indexed by their
    row number in the file (`first_row` is the number of the first data row: 2 under one header
    row, 3 under an HXL hashtag row). Rows that fail any check are recorded in `issues` (one
    problem per failed cell or rule) and left out.
    """
    return typed_rows(raw, contract, file, issues, first_row).rows()


def typed_rows(raw: pd.DataFrame, contract: Contract, file: str, issues: Issues, first_row: int = 2) -> Typed:
    """validate() before its one copy of the table: every row typed, and the good ones' order."""
    missing = [c.name for c in contract.columns if c.required and c.name not in raw.columns]
    if missing:
        for name in missing:
            issues.add(contract.table, file, first_row - 1, name, None, "required column is missing from the header")
        empty = contract.empty()
        return Typed(empty, np.arange(0))
    bad = np.zeros(len(raw), dtype=bool)
    out = {}
    row_no = np.arange(first_row, len(raw) + first_row)

    def flag(mask: np.ndarray, column: str, values: pd.Series, reason: str):
        nonlocal bad
        if not mask.any():
            return
        for at in np.flatnonzero(mask):
            issues.add(contract.table, file, int(row_no[at]), column, values.iloc[at], reason)
        bad = bad | mask

    sources = [raw[col.name] if col.name in raw.columns else pd.Series(pd.NA, index=raw.index, dtype="string")
               for col in contract.columns]
    for col, source, checked in zip(contract.columns, sources, cells.check_all(sources, contract.columns), strict=True):
        for mask, reason in checked.failed:
            flag(mask, col.name, source, reason)
        out[col.name] = checked.typed
    typed_frame = pd.DataFrame(out, index=raw.index, copy=False)
    for rule in contract.rules:
        broken = ~rule.ok(typed_frame).fillna(True)
        flag(broken.to_numpy(dtype=bool, na_value=False), rule.column, raw.get(rule.column, typed_frame[rule.column]),
             rule.reason)
    typed_frame.index = pd.Index(row_no, name="source_row")
    kept = np.flatnonzero(~bad)
    keys = typed_frame[list(contract.key)]
    return Typed(typed_frame, kept[sorted_by(keys.iloc[kept] if len(kept) < len(keys) else keys, list(contract.key))])


def sorted_by(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The positions that sort `frame` by `keys`, as frame.sort_values(keys, kind="stable") would
    (ascending, missing values last, ties in their order), computed by pyarrow."""
    if frame.empty:
        return np.arange(0)
    table = pa.table({k: pa.array(frame[k], from_pandas=True) for k in keys})
    # null placement per key (pyarrow 25 deprecated the sort-wide option, warning on every call)
    return pc.sort_indices(table, sort_keys=[(k, "ascending", "at_end") for k in keys]).to_numpy()


def in_order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """frame.sort_values(keys, kind="stable"), without a copy when it is sorted already."""
    order = sorted_by(frame, keys)
    return frame if np.array_equal(order, np.arange(len(frame))) else frame.take(order)


DUPLICATE = "expected a unique {column}; row {row} has it too and is kept"
REPEATED = "expected a unique {column}; row {row} has it"  # the wording of the event and GeoNames adapters


def reject_duplicates(frame: pd.DataFrame, column: str, table: str, file: str, issues: Issues,
                      reason: str = DUPLICATE, keep_order: bool = False) -> pd.DataFrame:
    """Keep the first row (in file order) of each value of `column`; report the others, naming
    the row kept (`reason`, formatted with column and row). `frame` is indexed by row number in
    the file; the rows kept come back in file order (in `frame`'s order with `keep_order`)."""
    in_file_order = np.argsort(frame.index.to_numpy(), kind="stable")
    values = frame[column].iloc[in_file_order]
    codes, _ = pd.factorize(values, use_na_sentinel=False)  # one hash of the column (missing values alike)
    _, first = np.unique(codes, return_index=True)  # each value's first position in file order
    repeated = np.ones(len(codes), dtype=bool)
    repeated[first] = False
    if repeated.any():
        rows = values.index.to_numpy()
        for at in np.flatnonzero(repeated):
            issues.add(table, file, int(rows[at]), column, values.iloc[at],
                       reason.format(column=column, row=rows[first[codes[at]]]))
    drop = np.zeros(len(frame), dtype=bool)
    drop[in_file_order[repeated]] = True
    kept = frame[~drop] if drop.any() else frame
    return kept if keep_order else kept.sort_index()


def reject(good: pd.DataFrame, bad: pd.Series, column: str, values: pd.Series, reason: str, table: str, file: str,
           issues: Issues) -> pd.DataFrame:
    """Report the rows of `good` (indexed by row number) where `bad`, and leave them out."""
    bad = bad.fillna(False).astype(bool) if bad.dtype != bool else bad
    if not bad.any():
        return good
    for row, value in values[bad].items():
        issues.add(table, file, int(row), column, value, reason)
    return good[~bad]


def reject_beyond_header(good: pd.DataFrame, beyond: dict[int, tuple[int, str]], table: str, file: str,
                         issues: Issues) -> pd.DataFrame:
    """Rows with a value in a cell past the header's last column (a shifted row); `beyond` maps a
    row number to (column number, value)."""
    if not beyond:
        return good
    present = good.index[good.index.isin(list(beyond))]  # a few rows of a million: no set of the index
    for row in sorted(int(r) for r in present):
        number, value = beyond[row]
        issues.add(table, file, row, f"column {number}", value, "expected no value past the header's last column")
    return good.drop(index=present) if len(present) else good


def reject_outside_coverage(good: pd.DataFrame, start: str, dataset: str, table: str, file: str, issues: Issues,
                            columns: tuple[str, ...] = ("date_start", "date_end")) -> pd.DataFrame:
    """Dates before the dataset's coverage or in the future: a misread date (such as a year read
    as an Excel serial number), not an event."""
    today = pd.Timestamp.today().normalize()
    reason = f"expected a date from {start} ({dataset}'s coverage) to today"
    outside = pd.Series(False, index=good.index)
    for column in columns:
        dates = good[column]
        bad = (dates < pd.Timestamp(start)) | (dates > today)
        if bad.any():
            reject(good, bad, column, dates.where(bad).dt.strftime("%Y-%m-%d"), reason, table, file, issues)
            outside |= bad
    return good[~outside] if outside.any() else good


def validate_rows(raw: pd.DataFrame, contract: Contract, file: str, issues: Issues) -> pd.DataFrame:
    """validate() for rows indexed by their row number in the file (gaps where blank rows were
    left out), so that problems and good rows carry the row numbers the user sees."""
    if raw.empty:
        return contract.empty().rename_axis("source_row")
    found = Issues()
    good = validate(raw.reset_index(drop=True).fillna(""), contract, file, found, first_row=0)
    rows = list(raw.index)
    for p in found.problems:
        issues.add(p.table, p.file, rows[p.row], p.column, p.value, p.reason)
    return good.set_axis([rows[i] for i in good.index]).rename_axis("source_row")


def validate_records(records: list[dict], contract: Contract, file: str, issues: Issues,
                     table: str | None = None) -> pd.DataFrame:
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
    seen = {astuple(p)[:6] for p in issues.problems}
    for p in local.problems:
        record = records[p.row]
        problem = (table or p.table, file, record["row"], record["columns"].get(p.column, p.column), p.value, p.reason)
        if problem not in seen:
            seen.add(problem)
            issues.add(*problem)
    return good.sort_index(kind="stable").reset_index(drop=True)

"""One column's cells checked against its declared Column (etl/core/contracts.py): the typed values
and, per check, the cells that fail it, every step a column-wise pyarrow or pandas operation.

A column that repeats its values (dates, event types, admin names, counts: nearly every column of
an export but its ids, coordinates and free text) is checked once per distinct value and the
results are spread back to its cells by their codes (pd.factorize): a million dates are a few
thousand days to parse. Every check is a rule on one cell, so both ways give the same result
(tests/etl/core/test_cells.py); coordinates (kind "float") are always checked cell by cell, as
pandas reads a '-0' in a column according to the other cells.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from etl.core.ascii_fast import arrow_text, days, numbers

DTYPES = {"str": "string", "int": "Int64", "float": "Float64", "date": "datetime64[s]", "bool": "boolean"}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
SAMPLE = 10_000  # cells looked at to tell whether a column repeats its values
REPEATS = 0.5  # ... it does when at most this share of them are distinct
BLANK = "required value is empty"
PARALLEL_ROWS = 100_000  # from this many rows a table's columns are checked in threads
THREADS = 2


@dataclass(frozen=True)
class Checked:
    """A column's typed values and its failed checks: (mask over the cells, reason), in the order
    validate reports them."""

    typed: pd.Series
    failed: list[tuple[np.ndarray, str]]


def check_all(sources: list[pd.Series], columns) -> Iterator[Checked]:
    """check() of each source against its column, in order; the columns of a large table two at a
    time in threads (pyarrow and numpy do the work without Python's lock), each on its own."""
    if not sources or len(sources[0]) < PARALLEL_ROWS:
        yield from map(check, sources, columns)
        return
    with ThreadPoolExecutor(THREADS) as pool:
        yield from pool.map(check, sources, columns)


def check(source: pd.Series, column) -> Checked:  # column: etl.core.contracts.Column
    """The cells of `source` (text, as read) against `column`."""
    text = source.astype("string")
    if column.kind != "float" and len(text) > 2 * SAMPLE and repeats(text):
        return by_distinct(text, column)
    return each_cell(text, column)


def repeats(text: pd.Series) -> bool:
    """Whether the column's first SAMPLE cells repeat their values (at most REPEATS distinct)."""
    head = text.iloc[:SAMPLE]
    return head.nunique(dropna=False) <= REPEATS * len(head)


def each_cell(text: pd.Series, column) -> Checked:
    """The checks run over every cell of the "string" column `text`."""
    stripped = _stripped(text)
    blank = (stripped.isna() | (stripped == "")).to_numpy(dtype=bool, na_value=True)
    typed, failed = _parse(stripped, blank, column)
    checks = [(failed, f"expected {column.expected}")]
    if column.required:
        checks.append((blank, BLANK))
    if column.choices:
        checks.append((_mask(typed.notna() & ~typed.isin(column.choices)), f"expected {column.expected}"))
    if column.min is not None:
        checks.append((_mask(typed.notna() & (typed < column.min)), f"expected a value >= {column.min:g}"))
    if column.max is not None:
        checks.append((_mask(typed.notna() & (typed > column.max)), f"expected a value <= {column.max:g}"))
    return Checked(typed, checks)


def by_distinct(text: pd.Series, column) -> Checked:
    """each_cell on the distinct values of `text`, spread back to its cells. A missing cell is
    blank: it fails the required check only."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="string")
    found = each_cell(distinct, column)
    missing = codes < 0
    at = np.where(missing, 0, codes)
    if found.typed is distinct:  # text that needs neither stripping nor a blank made missing: the column as it is
        typed = text
    elif column.kind == "str" and _stripped(distinct) is distinct:  # only blanks made missing: no copy of the rest
        typed = text.mask(np.where(missing, False, (distinct == "").to_numpy(dtype=bool)[at]))
    else:
        typed = pd.Series(found.typed.array.take(codes, allow_fill=True), index=text.index)
    spread = []
    for mask, reason in found.failed:
        cells = mask[at] if len(mask) else np.zeros(len(codes), dtype=bool)
        spread.append((np.where(missing, reason == BLANK, cells), reason))
    return Checked(typed, spread)


def _mask(flags: pd.Series) -> np.ndarray:
    return flags.to_numpy() if flags.dtype == bool else flags.to_numpy(dtype=bool, na_value=False)


def _parse(text: pd.Series, blank: np.ndarray, column) -> tuple[pd.Series, np.ndarray]:
    """(typed values, mask of non-blank cells that failed to parse). `text` is stripped."""
    if column.kind == "str":  # masked only where there is a blank: a long text column is not copied
        return (text.mask(blank) if blank.any() else text), np.zeros(len(text), dtype=bool)
    blanked = text.mask(blank) if blank.any() else text
    if column.kind in ("int", "float"):
        typed = numbers(blanked.str.replace(",", "", regex=False))  # pd.to_numeric, at pyarrow's speed
        if column.kind == "int":
            typed = typed.where(typed.isna() | ((typed == typed.round()) & (typed.abs() < 2**53)))
        typed = typed.astype(DTYPES[column.kind])
    elif column.kind == "date":
        typed = days(blanked)  # pd.to_datetime(format="%Y-%m-%d"), at pyarrow's speed
    else:  # bool
        low = text.str.lower()
        typed = pd.Series(pd.NA, index=text.index, dtype="boolean")
        typed[low.isin(_TRUE).fillna(False).astype(bool)] = True
        typed[low.isin(_FALSE).fillna(False).astype(bool)] = False
    failed = ~blank & typed.isna().to_numpy(dtype=bool)
    return typed, failed


def _stripped(text: pd.Series) -> pd.Series:
    """text.str.strip(), without a copy of a column that has no cell to strip (a million notes):
    whether a cell starts or ends with a space is asked of its first and last characters with
    the very function that strips (pyarrow's utf8_trim_whitespace, as pandas' str.strip)."""
    if not len(text):
        return text.str.strip()
    arrow = arrow_text(text)
    for ends in (pc.utf8_slice_codeunits(arrow, 0, 1), pc.utf8_slice_codeunits(arrow, -1, 2**31 - 1)):
        spaces = pc.and_(pc.greater(pc.utf8_length(ends), 0), pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(ends)), 0))
        if pc.any(spaces).as_py():
            return text.str.strip()
    return text

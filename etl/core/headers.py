"""Header rows of tables as published, one rule each:

- `clean_header`: a header name without byte-order marks and with its spaces folded
  (' IDPs (Individuals)' -> 'IDPs (Individuals)');
- `header_key`: a header reduced for matching aliases: case, spaces, underscores and
  punctuation ignored, mojibake repaired, Arabic letter variants folded and diacritics dropped
  ('Origin Sub-district Pcode' -> 'originsubdistrictpcode', 'Latitude_y' -> 'latitudey');
- `is_hashtag_row`: the HXL hashtag row that HDX copies put under the text header;
- `text_table`: the header row found among the first rows (titles and notes above it), the
  hashtag row under it skipped, the data rows kept with their numbers as the spreadsheet shows them;
- `require_columns` / `header_summary`: what a header lacks, without echoing the header (it may be
  a line of a file that is not a table at all).

Pure functions.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from etl.core.issues import SourceError
from etl.core.names import fold_arabic, repair_mojibake

HEADER_SCAN = 30  # rows searched for the header (exports put titles and notes above it)
# an HXL hashtag with its attributes, as libhxl reads one (hxl.model.Column.PATTERN)
HASHTAG = re.compile(r"\s*#[A-Za-z][_0-9A-Za-z]*(\s*\+[A-Za-z][_0-9A-Za-z]*)*\s*")


def clean_header(name) -> str:
    """Strip spaces and byte-order marks that real headers carry (' IDPs (Individuals)')."""
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "")).strip()


def clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [clean_header(c) for c in out.columns]
    return out


def header_key(name) -> str:
    """A header reduced for matching (see the module docstring)."""
    return re.sub(r"[\W_]+", "", fold_arabic(repair_mojibake(clean_header(name)).casefold()))


def keys(*names: str) -> frozenset[str]:
    """Header aliases in matching form."""
    return frozenset(header_key(n) for n in names)


def is_hashtag_row(cells: list) -> bool:
    """An HXL hashtag row: at least one cell, and every non-blank cell an HXL hashtag ('#adm1+name',
    '#affected+idps'). One text cell makes it a data row, to be loaded or reported, never skipped;
    so does a row of spreadsheet errors ('#N/A', '#REF!'), which are not hashtags."""
    filled = [str(c) for c in cells if c is not None and str(c).strip()]
    return bool(filled) and all(HASHTAG.fullmatch(c) for c in filled)


def unique_headers(cells: list[str]) -> list[str]:
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
    header = unique_headers(rows[top])
    start = top + 2 if top + 1 < len(rows) and is_hashtag_row(rows[top + 1]) else top + 1
    body = [
        (number, dict(zip(header, row + [""] * (len(header) - len(row)))))
        for number, row in enumerate(rows[start:], start=start + 1)
        if any(c.strip() for c in row)
    ]
    return TextTable(header, body)


def require_columns(frame: pd.DataFrame, columns: list[str], file: str, header_row: int = 1) -> None:
    """Raise a SourceError naming every required column missing from the header."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(file, f"row {header_row}: expected column(s) {', '.join(missing)} in the header; "
                                f"{header_summary(list(frame.columns), columns, missing)}")


def header_summary(header: list, expected: list[str], missing: list[str]) -> str:
    """What a header row has, without echoing it: its number of cells, how many expected columns
    it has, and near-misses of the missing ones ('event date' for event_date)."""
    cells = [str(c) for c in header if str(c).strip()]
    present = len(expected) - len(missing)
    text = f"that row has {len(cells)} non-blank cell(s) and {present} of the {len(expected)} expected column(s)"
    near_keys = {re.sub(r"[\W_]+", "", c.casefold()): c for c in cells if len(c) <= 80}
    near = []
    for name in missing:
        close = difflib.get_close_matches(re.sub(r"[\W_]+", "", name.casefold()), list(near_keys), n=1, cutoff=0.8)
        if close:
            near.append(f"{near_keys[close[0]]!r} for {name}")
    return text + (f" (near misses: {', '.join(near)})" if near else "")

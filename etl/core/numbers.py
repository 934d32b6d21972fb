"""Numbers as real files write them, one rule each:

- a count in a text cell (`count_cell`, `counts` for a column): Arabic-Indic digits read as
  digits, thousands separators removed ('1,234', '1 234', "1'234", '١٬٢٣٤'); a suppression
  marker ('*' by default: UNHCR, CCCM and others print it for small counts) and a blank cell are
  no figure (None / <NA>), never zero;
- a coordinate in a text cell (`decimal_text`): stray spaces removed, a decimal comma ('36,63')
  read as a point;
- a whole number in JSON (`json_integer`): a JSON integer, a float with no fraction, or text of
  up to 19 digits with an optional minus sign; booleans are not numbers.

Anything else is returned as written for validation to report. Pure functions.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pyarrow.compute as pc

from etl.core.names import ascii_digits

SUPPRESSED = ("*",)
_THOUSANDS = re.compile(r"(?<=\d)[,\s'’٬](?=\d{3}(?!\d))")
_WHOLE = re.compile(r"-?\d{1,19}")  # 19 digits: the longest a 64-bit integer is


def count_cell(text: str, suppressed: Iterable[str] = SUPPRESSED) -> str | None:
    """A count as plain digits (see the module docstring); None when blank or suppressed."""
    text = _THOUSANDS.sub("", ascii_digits(text.strip()))
    return None if text == "" or text in suppressed else text


def counts(text: pd.Series, suppressed: Iterable[str] = SUPPRESSED) -> pd.Series:
    """count_cell over a column of text: <NA> for blank and suppressed cells."""
    markers = tuple(suppressed)
    return text.astype("string").map(lambda t: count_cell(t, markers), na_action="ignore").astype("string")


def suppressed_to_blank(text: pd.Series, markers: tuple[str, ...] = SUPPRESSED) -> pd.Series:
    """A column's cells stripped, suppression markers made blank (not given, not zero)."""
    s = text.astype("string").str.strip()
    return s.mask(s.isin(markers))


def decimal_text(text: pd.Series) -> pd.Series:
    """Coordinates stored as text: stray spaces removed, a decimal comma ('36,63') made a point.
    Python's regular expressions, run by pyarrow on ASCII cells (etl/core/ascii_fast.py)."""
    from etl.core.ascii_fast import PY_SPACE, by_ascii

    def fast(cells):
        if not pc.any(pc.match_substring_regex(cells, PY_SPACE + "|,")).as_py():
            return cells  # nothing to remove or replace: the cells as they are, not a copy
        cells = pc.replace_substring_regex(cells, PY_SPACE + "+", "")
        return pc.replace_substring_regex(cells, r"^([+-]?[0-9]+),([0-9]+)$", r"\1.\2")

    return by_ascii(text, fast, _decimal_text)


def _decimal_text(text: pd.Series) -> pd.Series:
    s = text.astype("string").str.replace(r"\s+", "", regex=True)
    return s.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)


def json_integer(value) -> int | None:
    """A whole number from JSON (see the module docstring), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    return None

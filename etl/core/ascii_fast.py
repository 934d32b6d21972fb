"""Column rules written for Python's str and re, run at pyarrow's speed on the cells where both
agree: plain ASCII text, nearly every cell of a million-row export. `by_ascii` applies a pyarrow
function to the ASCII cells and the Python rule to the others (and to missing cells), so the
result is the rule's, cell for cell. `PY_SPACE` is Python's `\\s` on ASCII text as an RE2 class
(RE2's own `\\s` leaves out \\v and \\x1c-\\x1f).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PY_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"  # re.match(r"\s", c) for every ASCII c (tests/etl/core)


TEXT = pa.large_string()  # the Arrow type of pandas' "string" columns: no copy between the two


def arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """The column as Arrow text (TEXT), the very arrays of an Arrow-backed column (no copy)."""
    arrow = pa.array(column.astype("string").array, from_pandas=True)
    arrow = arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])
    return arrow if arrow.type == TEXT else arrow.cast(TEXT)


def by_ascii(column: pd.Series, fast: Callable[[pa.ChunkedArray], pa.ChunkedArray],
             slow: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`slow` (a rule over a column of "string" cells) computed with `fast` (pyarrow, over the
    same cells as Arrow text) wherever a cell is ASCII text; a "string" column, same index."""
    text = column.astype("string")
    arrow = arrow_text(text)
    ascii_ = pc.fill_null(pc.string_is_ascii(arrow), False)
    out = fast(arrow)  # chunked as read: no copy of a column `fast` leaves as it is
    if not pc.all(ascii_).as_py():
        out = out.combine_chunks()
        rest = pc.invert(ascii_).combine_chunks()
        values = pa.array(slow(text[rest.to_numpy(zero_copy_only=False)]).astype(object), out.type, from_pandas=True)
        out = pc.replace_with_mask(out, rest, values)
    return pd.Series(pd.arrays.ArrowStringArray(out), index=text.index)


def unique_map(column: pd.Series, rule: Callable[[str], str]) -> pd.Series:
    """rule() over each distinct cell once (missing cells stay missing), as a "string" column."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    mapped = pd.array([rule(v) for v in uniques], dtype="string")
    return pd.Series(mapped.take(codes, allow_fill=True), index=column.index, dtype="string")


PLAIN_NUMBER = r"^[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?$"
ISO_DAY = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$"


def numbers(text: pd.Series) -> pd.Series:
    """pd.to_numeric(text, errors="coerce") as "Float64" (NA where a cell is no number): plain
    decimal numbers cast by pyarrow (correctly rounded, as pandas reads them), anything else
    ('inf', '1e400', spaces inside) read by pandas itself; a column with a '-0' by pandas alone
    (which reads it 0 or -0.0 depending on the other cells)."""
    text = text.astype("string")
    arrow = arrow_text(text)
    plain = pc.fill_null(pc.match_substring_regex(arrow, PLAIN_NUMBER), False)
    values = pc.cast(pc.if_else(plain, arrow, pa.scalar(None, TEXT)), pa.float64())
    out = values.to_numpy(zero_copy_only=False).astype("float64")  # null -> NaN
    rest = (~plain.to_numpy(zero_copy_only=False)) & text.notna().to_numpy()
    if rest.any():
        out[rest] = pd.to_numeric(text[rest], errors="coerce").astype("Float64").to_numpy("float64", na_value=np.nan)
    if np.any((out == 0) & np.signbit(out)):  # '-0': pandas reads it 0 or -0.0 as the column goes
        return pd.to_numeric(text, errors="coerce").astype("Float64")
    return pd.Series(pd.arrays.FloatingArray(np.nan_to_num(out, nan=0.0, posinf=np.inf, neginf=-np.inf),
                                             np.isnan(out)), index=text.index)


def days(text: pd.Series) -> pd.Series:
    """pd.to_datetime(text, format="%Y-%m-%d", errors="coerce") as "datetime64[s]": ISO days of
    the years 1000-2999 parsed by pyarrow (a day that does not exist, such as 2020-02-30, is
    refused as pandas refuses it: the parsed day must print back as the cell), anything else
    read by pandas itself."""
    text = text.astype("string")
    arrow = arrow_text(text)
    plain = pc.fill_null(pc.match_substring_regex(arrow, ISO_DAY), False)
    parsed = pc.strptime(pc.if_else(plain, arrow, pa.scalar(None, TEXT)), format="%Y-%m-%d", unit="s",
                         error_is_null=True)
    exists = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), arrow), False)
    parsed = pc.if_else(exists, parsed, pa.scalar(None, parsed.type))
    out = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    rest = (~plain.to_numpy(zero_copy_only=False)) & text.notna().to_numpy()
    if rest.any():
        out[rest] = pd.to_datetime(text[rest], format="%Y-%m-%d", errors="coerce").astype("datetime64[s]").to_numpy()
    return pd.Series(out, index=text.index, dtype="datetime64[s]")

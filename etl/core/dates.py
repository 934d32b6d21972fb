"""Dates and months as real files write them, one rule each, for a column (vectorised) or a cell:

- a day: ISO dates and datetimes ('2020-02-01', '2020-02-01 00:00:00.000'), Excel serial numbers
  (1 to 79,999 days after 1899-12-30), epoch milliseconds (11 to 13 digits), '15/02/2020',
  '15-02-2020', '15 March 2020', '15 Mar 2020', 'March 15, 2020';
- a month: 'Feb-20', 'February 2020', '2020-02', '2022 - November', '02/2020', or any day above
  standing for its month, between 1990 and 2100;
- an epoch number in JSON: milliseconds from 10^11 up, seconds below.

What cannot be read is returned as written (columns) or as None (cells), so that validation
reports it with its row and column. Pure functions.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow.compute as pc

from etl.core.names import ascii_digits

EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = (1, 80000)  # serial numbers read as days: 1900-01-01 up to the year 2118
EPOCH_MS_TEXT = r"\d{11,13}"  # a cell of 11 to 13 digits is epoch milliseconds (1970-04-26 to 2286)
EPOCH_MS = 10**11  # a JSON epoch number at or above this is milliseconds (10**11 s is the year 5138)
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y")
YEARS = (1990, 2100)  # a month outside these years is a misread cell, not data
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


def iso_dates(text: pd.Series) -> pd.Series:
    """Each cell's day (see the module docstring) as ISO text (YYYY-MM-DD); anything else is
    returned unchanged so that validation reports it with its row and column. Cells that start
    with an ISO day in ASCII digits (nearly all of a large export) are cut by pyarrow; the others
    go through every rule."""
    from etl.core.ascii_fast import arrow_text

    s = text.astype("string").str.strip()
    arrow = arrow_text(s)
    iso = pc.fill_null(pc.match_substring_regex(arrow, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"), False)
    out = pd.Series(pd.arrays.ArrowStringArray(pc.utf8_slice_codeunits(arrow, 0, 10).combine_chunks()), index=s.index)
    rest = ~iso.to_numpy(zero_copy_only=False) & s.notna().to_numpy()
    if rest.any():  # else nothing is left for the rules (a clean export)
        out[rest] = _iso_dates(s[rest])
    return out


def _iso_dates(s: pd.Series) -> pd.Series:
    """iso_dates by its rules, cell by cell (`s` stripped)."""
    out = s.copy()
    iso = s.str.match(r"^\d{4}-\d{2}-\d{2}")
    out[iso.fillna(False)] = s[iso.fillna(False)].str.slice(0, 10)
    numeric = pd.to_numeric(s, errors="coerce")
    serial = numeric.notna() & (numeric >= EXCEL_SERIALS[0]) & (numeric < EXCEL_SERIALS[1]) & ~iso.fillna(False)
    if serial.any():  # each rule only where it has cells: a few cells cost the same as many
        excel_epoch = pd.Timestamp(EXCEL_EPOCH)
        out[serial] = (excel_epoch + pd.to_timedelta(numeric[serial].round(), unit="D")).dt.strftime("%Y-%m-%d")
    epoch_ms = numeric.notna() & s.str.fullmatch(EPOCH_MS_TEXT).fillna(False)
    if epoch_ms.any():
        out[epoch_ms] = pd.to_datetime(numeric[epoch_ms], unit="ms", utc=True).dt.strftime("%Y-%m-%d")
    rest = s.notna() & ~iso.fillna(False) & ~serial & ~epoch_ms
    for fmt in DAY_FORMATS:
        if not rest.any():
            break
        parsed = pd.to_datetime(s[rest], format=fmt, errors="coerce")
        done = parsed.notna()
        out[done[done].index] = parsed[done].dt.strftime("%Y-%m-%d")
        rest = rest & ~rest.index.isin(done[done].index)
    return out


def day_of(text: str) -> date | None:
    """The day one cell names, by the rules of iso_dates; None when it names none."""
    text = text.strip()
    try:
        if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", text):
            return date(*map(int, m.groups()))
        if re.fullmatch(EPOCH_MS_TEXT, text):
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
        if re.fullmatch(r"\d+(\.\d+)?", text) and EXCEL_SERIALS[0] <= float(text) < EXCEL_SERIALS[1]:
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
    '2022 - November', or a day (an Excel serial, '2020-02-01', ...) standing for its month.
    None when it names no month between 1990 and 2100."""
    parts = [p for p in re.split(r"[\s\-/_.,]+", ascii_digits(text.strip().casefold())) if p]
    found = _month_parts(parts) if len(parts) == 2 else None
    if found is None and (day := day_of(text)) is not None:
        found = day.year, day.month
    if found is None or not (YEARS[0] <= found[0] <= YEARS[1] and 1 <= found[1] <= 12):
        return None
    first = date(found[0], found[1], 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def month_span(iso: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(first day, last day) of the month of each ISO date in a column; other text is returned
    as it is."""
    parsed = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    ok = parsed.notna()
    start, end = iso.copy(), iso.copy()
    start[ok] = parsed[ok].dt.to_period("M").dt.start_time.dt.strftime("%Y-%m-%d")
    end[ok] = parsed[ok].dt.to_period("M").dt.end_time.dt.strftime("%Y-%m-%d")
    return start, end


def epoch_day(number: int) -> date | None:
    """The UTC day of an epoch number from JSON: milliseconds from EPOCH_MS up, else seconds."""
    try:
        return datetime.fromtimestamp(number / 1000 if abs(number) >= EPOCH_MS else number, tz=UTC).date()
    except (ValueError, OverflowError, OSError):
        return None

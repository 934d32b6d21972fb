"""What every adapter shares: the description of one source, and helpers for the common quirks
of real files.

Rules every adapter keeps:
- Read the layout exactly as published (byte-order marks, header names with stray spaces, text
  dates, Excel serial dates, '*' suppression markers, Arabic and English headers).
- A file that cannot be read at all (wrong format, a required column missing) raises
  `SourceError(file, what was expected)`; nothing is half-loaded.
- A bad row is reported with `issues.add(table, file, row, column, value, reason)` and left out;
  the rest of the file loads. Rows are numbered as the user sees them: header = row 1, first data
  row = 2 (3 under an HXL hashtag row; the Excel row number in a workbook).
- Output tables have exactly the columns of their contract in etl/contracts.py (plus `geometry`,
  EPSG:4326, for geometry tables), `source_id` = `spec.name`, and a fresh RangeIndex.
- Read only: no network (the pipeline fetches URLs first), no writing, no globals.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.core.issues import SourceError

EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class SourceSpec:
    """One entry of the sources file (data/sources.toml or --config PATH)."""

    name: str  # unique; becomes source_id of every row read from it
    adapter: str
    path: Path | None = None
    url: str | None = None
    organisation: str = ""
    title: str = ""
    published: str = ""
    licence: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)  # [source.limits], see etl/core/limits.py

    @property
    def location(self) -> str:
        return self.url or (str(self.path) if self.path else "")


def clean_header(name) -> str:
    """Strip spaces and byte-order marks that real headers carry (' IDPs (Individuals)')."""
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "")).strip()


def clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [clean_header(c) for c in out.columns]
    return out


def require_columns(frame: pd.DataFrame, columns: list[str], file: str, header_row: int = 1) -> None:
    """Raise a SourceError naming every required column missing from the header."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(file, f"row {header_row}: expected column(s) {', '.join(missing)} in the header; "
                                f"{header_summary(list(frame.columns), columns, missing)}")


def header_summary(header: list, expected: list[str], missing: list[str]) -> str:
    """What a header row has, without echoing it (it may be a line of a file that is not a table
    at all): its number of cells, how many expected columns it has, and near-misses of the
    missing ones ('event date' for event_date)."""
    cells = [str(c) for c in header if str(c).strip()]
    present = len(expected) - len(missing)
    text = f"that row has {len(cells)} non-blank cell(s) and {present} of the {len(expected)} expected column(s)"
    keys = {re.sub(r"[\W_]+", "", c.casefold()): c for c in cells if len(c) <= 80}
    near = []
    for name in missing:
        close = difflib.get_close_matches(re.sub(r"[\W_]+", "", name.casefold()), list(keys), n=1, cutoff=0.8)
        if close:
            near.append(f"{keys[close[0]]!r} for {name}")
    return text + (f" (near misses: {', '.join(near)})" if near else "")


def iso_dates(text: pd.Series) -> pd.Series:
    """Normalise dates written the ways real files write them to ISO text (YYYY-MM-DD).

    Accepts ISO dates and datetimes, Excel serial numbers (1..80000), epoch milliseconds
    (11 to 13 digits), d/m/Y and d-m-Y, '15 March 2020' and 'March 15, 2020'. Anything else is
    returned unchanged so that validation reports it with its row and column.
    """
    s = text.astype("string").str.strip()
    out = s.copy()
    iso = s.str.match(r"^\d{4}-\d{2}-\d{2}")
    out[iso.fillna(False)] = s[iso.fillna(False)].str.slice(0, 10)
    numeric = pd.to_numeric(s, errors="coerce")
    serial = numeric.notna() & (numeric >= 1) & (numeric < 80000) & ~iso.fillna(False)
    out[serial] = (EXCEL_EPOCH + pd.to_timedelta(numeric[serial].round(), unit="D")).dt.strftime("%Y-%m-%d")
    epoch_ms = numeric.notna() & s.str.fullmatch(r"\d{11,13}").fillna(False)
    out[epoch_ms] = pd.to_datetime(numeric[epoch_ms], unit="ms", utc=True).dt.strftime("%Y-%m-%d")
    rest = s.notna() & ~iso.fillna(False) & ~serial & ~epoch_ms
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y"):
        parsed = pd.to_datetime(s[rest], format=fmt, errors="coerce")
        done = parsed.notna()
        out[done[done].index] = parsed[done].dt.strftime("%Y-%m-%d")
        rest = rest & ~rest.index.isin(done[done].index)
    return out


def suppressed_to_blank(text: pd.Series, markers: tuple[str, ...] = ("*",)) -> pd.Series:
    """UNHCR and others print '*' for suppressed small counts: treat as not given (blank)."""
    s = text.astype("string").str.strip()
    return s.mask(s.isin(markers))

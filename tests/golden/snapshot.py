"""A warehouse version as compact, diff-friendly text: what the golden test compares and what
`python -m tests.golden.update` writes under tests/golden/warehouse/.

Per version, `manifest.json`: for each table its columns and dtypes (as pandas reads the
published Parquet), row count, rejected rows, sort key, and source files (path and sha256).
Per table, its rows as CSV sorted by key: every cell as text (floats to 12 significant digits,
dates as ISO, missing as <NA>, geometry as WKT rounded to 1e-6 degrees, or that WKT's sha256
when it is longer than a line). A table whose CSV would exceed ROWS_FILE_LIMIT is stored as a
digest per row (key and sha256 of the row's line) plus the full lines of a few rows.

Left out on purpose (they change with every run or machine): the version name, build time and
code version of the manifest, and the folder of any absolute source path (only its file name
is kept); no table column is volatile today (VOLATILE_COLUMNS says so explicitly).

Pure functions of frames and manifests, plus `snapshot(version)` which reads a version.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
import shapely

from etl import contracts
from etl.core.contracts import Contract

FLOAT_DIGITS = 12
WKT_DECIMALS = 6  # 1e-6 degrees, about 0.1 m
WKT_INLINE = 100  # longer WKT is stored as its sha256
ROWS_FILE_LIMIT = 64 * 1024  # a larger table is stored as digests plus SAMPLE_ROWS full rows
SAMPLE_ROWS = 8
NA = "<NA>"
VOLATILE_MANIFEST = ("version", "built_at", "code_version")  # never compared
VOLATILE_COLUMNS: dict[str, tuple[str, ...]] = {}  # table -> columns never compared (none today)
# sort keys of tables without a contract (their natural keys)
KEYS = {
    "countries": ["iso3"], "border": ["source_id"], "places": ["geonameid"], "admin_areas_web": ["pcode"],
    "rejects": ["table", "file", "row", "column", "value", "reason"],
}


def contract_keys() -> dict[str, list[str]]:
    found = {c.table: list(c.key) for c in vars(contracts).values() if isinstance(c, Contract) and c.key}
    return found | KEYS


def cell(value) -> str:
    """One cell as text, the same on every machine."""
    if value is None or value is pd.NA or value is pd.NaT:
        return NA
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return format(value, f".{FLOAT_DIGITS}g")
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, shapely.Geometry):
        wkt = shapely.to_wkt(value, rounding_precision=WKT_DECIMALS, trim=True)
        if len(wkt) <= WKT_INLINE:
            return wkt
        coords = shapely.get_num_coordinates(value)
        return f"{value.geom_type} {coords} coords sha256:{hashlib.sha256(wkt.encode()).hexdigest()[:16]}"
    if hasattr(value, "item"):  # numpy scalars
        return cell(value.item())
    return str(value)


def line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


@dataclass(frozen=True)
class TableText:
    """One table as text: its header, its rows (sorted by key), and how it is keyed."""

    columns: list[str]
    key: list[str]
    rows: list[list[str]]

    def key_of(self, row: list[str]) -> str:
        return " | ".join(f"{k}={row[self.columns.index(k)]}" for k in self.key)

    def csv(self) -> str:
        return line(self.columns) + "".join(line(r) for r in self.rows)


def table_text(frame: pd.DataFrame, table: str) -> TableText:
    """The rows of a table as text cells, sorted by its key (then by the whole row)."""
    dropped = VOLATILE_COLUMNS.get(table, ())
    columns = [str(c) for c in frame.columns if c not in dropped]
    key = [k for k in contract_keys().get(table, []) if k in columns] or columns[:1]
    values = frame[columns].astype(object).to_numpy() if len(frame) else []
    rows = [[cell(v) for v in row] for row in values]
    positions = [columns.index(k) for k in key]
    rows.sort(key=lambda r: ([r[i] for i in positions], r))
    return TableText(columns, key, rows)


def digest(row: list[str]) -> str:
    return hashlib.sha256(line(row).encode("utf-8")).hexdigest()[:20]


def sample(rows: list[list[str]], n: int = SAMPLE_ROWS) -> list[list[str]]:
    """n rows spread evenly over the sorted table (first and last included)."""
    if len(rows) <= n:
        return rows
    picks = sorted({round(i * (len(rows) - 1) / (n - 1)) for i in range(n)})
    return [rows[i] for i in picks]


def source_path(path: str) -> str:
    """A source file as the manifest names it, without the folder of an absolute path."""
    return f"<absolute>/{PurePath(path).name}" if PurePath(path).is_absolute() else path


def manifest_entry(meta: dict, frame: pd.DataFrame, text: TableText) -> dict:
    return {
        "columns": [f"{c}: {frame[c].dtype}" for c in frame.columns],
        "rows": meta["rows"],
        "rejected": meta["rejected"],
        "geometry": meta["geometry"],
        "key": text.key,
        "sources": [{"path": source_path(s["path"]), "sha256": s["sha256"], "licence": s.get("licence", "")}
                    for s in meta["sources"]],
    }


def snapshot(version) -> tuple[dict, dict[str, TableText]]:
    """(manifest without volatile fields, table -> its text) of a warehouse Version."""
    manifest, texts = {}, {}
    for table, meta in sorted(version.manifest["tables"].items()):
        frame = version.read(table)
        texts[table] = table_text(frame, table)
        manifest[table] = manifest_entry(meta, frame, texts[table])
    return manifest, texts

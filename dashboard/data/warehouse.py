"""Read-only access to the live warehouse version, with no Dash imports.

Small tables (boundaries, published figures, sources) are loaded once per published version as
pandas frames (`displacement` without its origin -> destination rows, which `moves` holds) and shared read-only; callers must not mutate them (the figure builders copy what
they change). The large tables (conflict events, their monthly aggregate, the movements with
their distances to the border) are copied once per version into an embedded DuckDB database and
queried with SQL: a filter over a million events takes milliseconds there. Each thread queries
through its own DuckDB cursor. Nothing here is per user: every user reads the same version.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from dashboard.extent import CELL_DEGREES, IN_VIEW
from etl.config import Settings
from etl.contracts import public_url
from etl.core.warehouse import live_version, open_version

TABLES = (
    "admin_areas", "countries", "border", "crossings", "places", "sources",
    "displacement", "casualties", "refugees", "idp_stock", "timeline",
)
OPTIONAL = ("admin_areas_web", "locations", "area_metrics", "border_bands", "area_stocks",
            "needs", "population", "events_aggregated", "asylum")  # the last four: versions from issue 13 on
# tables queried with SQL, with the columns the dashboard needs (geometry stays on disk)
SQL_TABLES = {
    "events": {
        "event_id": "VARCHAR", "dataset": "VARCHAR", "date_start": "TIMESTAMP", "event_type": "VARCHAR",
        "lat": "DOUBLE", "lon": "DOUBLE", "fatalities": "BIGINT", "fatalities_low": "BIGINT",
        "fatalities_high": "BIGINT", "source_id": "VARCHAR", "adm1_pcode": "VARCHAR", "adm2_pcode": "VARCHAR",
        "adm3_pcode": "VARCHAR",
    },
    "events_monthly": {
        "month": "TIMESTAMP", "adm1_pcode": "VARCHAR", "adm2_pcode": "VARCHAR", "adm3_pcode": "VARCHAR",
        "dataset": "VARCHAR", "event_type": "VARCHAR", "source_id": "VARCHAR", "events": "BIGINT",
        "fatalities": "BIGINT", "fatalities_low": "BIGINT", "fatalities_high": "BIGINT",
    },
    "moves": {
        "fact_id": "VARCHAR", "basis": "VARCHAR", "period_start": "TIMESTAMP", "period_end": "TIMESTAMP",
        "origin_pcode": "VARCHAR", "dest_pcode": "VARCHAR", "persons": "BIGINT", "unit": "VARCHAR",
        "source_id": "VARCHAR", "origin_lon": "DOUBLE", "origin_lat": "DOUBLE", "dest_lon": "DOUBLE",
        "dest_lat": "DOUBLE", "origin_border_km": "DOUBLE", "dest_border_km": "DOUBLE",
        "toward_border_km": "DOUBLE", "distance_km": "DOUBLE",
    },
    "border_movement": {
        "period_start": "TIMESTAMP", "period_end": "TIMESTAMP", "source_id": "VARCHAR", "unit": "VARCHAR",
        "basis": "VARCHAR", "persons": "BIGINT", "within_10_km": "BIGINT", "within_25_km": "BIGINT",
        "within_50_km": "BIGINT", "mean_toward_km": "DOUBLE", "mean_dest_border_km": "DOUBLE",
    },
}
SORT_KEYS = {"events": "date_start", "events_monthly": "month", "moves": "period_start", "border_movement": "period_start"}



def _prefixes(column: str, prefix: str) -> str:
    """area1/2/3 (or o1.., d1..) columns: the P-code cut to each admin level, NULL when coarser."""
    return ", ".join(f"CASE WHEN length({column}) >= {w} THEN substr({column}, 1, {w}) END AS {prefix}{lv}"
                     for lv, w in ((1, 4), (2, 6), (3, 8)))


# columns computed once at load, so that queries group by plain columns
DERIVED = {
    "events": f"{_prefixes('pcode', 'area')}, CAST(floor(lon / {CELL_DEGREES}) AS INTEGER) AS cx, "
              f"CAST(floor(lat / {CELL_DEGREES}) AS INTEGER) AS cy",
    "events_monthly": _prefixes("pcode", "area"),
    "moves": f"{_prefixes('origin_pcode', 'o')}, {_prefixes('dest_pcode', 'd')}",
    "border_movement": "",
}
PCODE = {"events": "coalesce(adm3_pcode, adm2_pcode, adm1_pcode)", "events_monthly": "coalesce(adm3_pcode, adm2_pcode, adm1_pcode)"}


@dataclass(frozen=True, eq=False)
class Warehouse:
    """One published version; hashed by identity, so per-version results can be cached."""

    version: str
    built_at: str
    code_version: str
    frames: dict
    db: duckdb.DuckDBPyConnection | None = None
    sql_tables: tuple[str, ...] = ()
    postgis: tuple[str, str] | None = None  # (URL, schema) of a version read from PostgreSQL/PostGIS
    _local: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame | gpd.GeoDataFrame:
        return self.frames[name]

    def has(self, name: str) -> bool:
        return name in self.frames or name in self.sql_tables

    def rows(self, name: str) -> int:
        if name in self.sql_tables:
            return int(self.query(f"SELECT count(*) AS n FROM {name}")["n"].iloc[0])
        return len(self.frames.get(name, ()))

    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run a read-only SQL query on the version's DuckDB tables; a DataFrame back."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self.db.cursor()
            self._local.cursor = cursor
        return cursor.execute(sql, params or []).df()

    def area_at(self, table: str, level: int, lon: float, lat: float) -> str | None:
        """The P-code of the first area of `level` in `table` (in the table's order) containing the
        point: asked of PostGIS, through its GiST index, for a version read from PostgreSQL; else
        found through the frame's spatial index (an STRtree built once per version and level)."""
        if self.postgis:
            return _area_at_postgis(*self.postgis, table, level, lon, lat)
        areas = _level_areas(self, table, level)
        hits = areas.sindex.query(Point(lon, lat), predicate="within")
        return str(areas["pcode"].iloc[int(hits.min())]) if len(hits) else None


@lru_cache(maxsize=24)
def _level_areas(wh: Warehouse, table: str, level: int) -> gpd.GeoDataFrame:
    frame = wh.frames[table]
    return frame[frame["level"] == level].reset_index(drop=True)


def _area_at_postgis(url: str, schema: str, table: str, level: int, lon: float, lat: float) -> str | None:
    from psycopg import sql

    from etl.core.postgis import ROW, pool

    query = sql.SQL("SELECT pcode FROM {} WHERE level = %s AND ST_Contains(geometry, ST_SetSRID(ST_MakePoint(%s, %s), "
                    "4326)) ORDER BY {} LIMIT 1").format(sql.Identifier(schema, table), sql.Identifier(ROW))
    with pool(url).connection() as conn:
        row = conn.execute(query, [level, lon, lat]).fetchone()
    return str(row[0]) if row else None


def _sql_database(live) -> duckdb.DuckDBPyConnection:
    """The SQL tables of a version, copied into an in-memory DuckDB (typed, with the derived
    columns of DERIVED; empty when the version has no such table)."""
    from dashboard import config

    db = duckdb.connect(":memory:", config={"threads": config.server().duckdb_threads})
    tables = live.manifest["tables"]
    for name, columns in SQL_TABLES.items():
        present = set(tables[name]["columns"]) if name in tables else set()
        select = ", ".join(
            f'CAST("{c}" AS {t}) AS {c}' if c in present else f"CAST(NULL AS {t}) AS {c}" for c, t in columns.items()
        )
        if name in tables and hasattr(live, "path"):  # the Parquet warehouse: DuckDB reads the file
            source = f"read_parquet('{(live.path / tables[name]['file']).as_posix()}')"
        elif name in tables:  # PostGIS: the table read once per version and handed to DuckDB
            db.register(f"_{name}", pd.DataFrame(live.read(name)[sorted(present & set(columns))]))
            source = f"_{name}"
        else:
            source = "(SELECT 1 AS placeholder WHERE false)"
        base = f"SELECT {select} FROM {source}"
        if name in PCODE:
            base = f"SELECT *, {PCODE[name]} AS pcode FROM ({base})"
        derived = f", {DERIVED[name]}" if DERIVED[name] else ""
        db.execute(f"CREATE TABLE {name} AS SELECT *{derived} FROM ({base}) ORDER BY {SORT_KEYS[name]}")
        if source == f"_{name}":
            db.unregister(source)  # copied: the frame read from PostGIS is let go
    # the time series of the whole region need neither areas nor points: two small aggregates
    sums = ("count(*) AS events, sum(fatalities) AS fatalities, sum(fatalities_low) AS fatalities_low, "
            "sum(fatalities_high) AS fatalities_high")
    db.execute(f"CREATE TABLE events_by_day AS SELECT date_start AS day, dataset, source_id, event_type, {sums} "
               f"FROM events GROUP BY ALL ORDER BY day")
    # the map's density view over whole months: events per month and 10 km cell in view
    db.execute(f"CREATE TABLE events_cells AS SELECT date_trunc('month', date_start) AS month, cx, cy, event_type, "
               f"source_id, count(*) AS events, sum(fatalities) AS fatalities FROM events WHERE {IN_VIEW} "
               f"GROUP BY ALL ORDER BY month")
    # which sources those cells hold, per month and event type: the map's source line without a scan
    db.execute("CREATE TABLE events_cell_sources AS SELECT DISTINCT month, event_type, source_id FROM events_cells "
               "ORDER BY month")
    db.execute("CREATE TABLE events_by_month AS SELECT month, dataset, source_id, event_type, sum(events) AS events, "
               "sum(fatalities) AS fatalities, sum(fatalities_low) AS fatalities_low, "
               "sum(fatalities_high) AS fatalities_high FROM events_monthly GROUP BY ALL ORDER BY month")
    return db


# small tables also copied into DuckDB, for the map's per-area sums
FRAME_TABLES = {
    "published_displacement": ("displacement", {
        "period_start": "TIMESTAMP", "period_end": "TIMESTAMP", "pcode": "VARCHAR", "value": "DOUBLE",
        "unit": "VARCHAR", "measure": "VARCHAR", "kind": "VARCHAR", "source_id": "VARCHAR"}),
    "area_stocks": ("area_stocks", {
        "date": "TIMESTAMP", "pcode": "VARCHAR", "level": "BIGINT", "unit": "VARCHAR", "value": "DOUBLE",
        "source_id": "VARCHAR", "parts": "BIGINT"}),
    "published_needs": ("needs", {
        "period_start": "TIMESTAMP", "period_end": "TIMESTAMP", "pcode": "VARCHAR", "sector": "VARCHAR",
        "people_in_need": "DOUBLE", "severity": "DOUBLE", "source_id": "VARCHAR"}),
    "published_casualties": ("casualties", {
        "period_start": "TIMESTAMP", "period_end": "TIMESTAMP", "pcode": "VARCHAR", "killed": "DOUBLE",
        "injured": "DOUBLE", "cause": "VARCHAR", "kind": "VARCHAR", "source_id": "VARCHAR"}),
    "published_events_aggregated": ("events_aggregated", {
        "period_start": "TIMESTAMP", "period_end": "TIMESTAMP", "pcode": "VARCHAR", "dataset": "VARCHAR",
        "event_type": "VARCHAR", "events": "DOUBLE", "fatalities": "DOUBLE", "source_id": "VARCHAR"}),
}


def _add_frames(db: duckdb.DuckDBPyConnection, frames: dict) -> None:
    for name, (frame_name, columns) in FRAME_TABLES.items():
        frame = frames.get(frame_name)
        if frame is None or frame.empty:
            db.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            continue
        copy = pd.DataFrame({c: frame[c] for c in columns})  # noqa: F841  (read by DuckDB by name)
        select = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in columns.items())
        db.execute(f"CREATE TABLE {name} AS SELECT {select} FROM copy")


def _numpy_backed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects, numbers as numpy: on the small frames the page works
    with, every selection is several times faster than with Arrow-backed strings."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        is_text = isinstance(dtype, pd.StringDtype) or (str(dtype).endswith("[pyarrow]") and "string" in str(dtype))
        if is_text:  # (a GeoDataFrame's geometry column is never text)
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


STATS = {"retrieved": "retrieved", "rows": "rows_read", "rejected": "rejected_rows", "kept": "kept_rows"}


def with_stats(sources: pd.DataFrame, stats: dict) -> pd.DataFrame:
    """The sources table with what the run recorded of each source named in the sources file (the
    manifest's source_stats; empty for a version built before them, and for the documents a
    cited-figures source cites): when it was downloaded (ISO 8601, UTC; none for a file read from
    disk), rows read, rejected and kept with a note."""
    out = sources.copy()
    ids = out["source_id"].astype(str)
    for key, column in STATS.items():
        values = [stats.get(i, {}).get(key) for i in ids]
        out[column] = pd.array(values, dtype="string" if key == "retrieved" else "Int64")
    return out


@lru_cache(maxsize=2)
def _load(root: str, version: str) -> Warehouse:
    return _load_from(open_version(Path(root), version))


@lru_cache(maxsize=2)
def _load_postgis(url: str, version: str) -> Warehouse:
    from etl.core.postgis import PostgisVersion

    return _load_from(PostgisVersion(url, version))


def _load_from(live) -> Warehouse:
    """A version's tables as the page reads them, from the Parquet warehouse or from PostGIS."""
    tables = live.manifest["tables"]
    frames = {name: _numpy_backed(live.read(name)) for name in TABLES}
    # a source's url only when it is a web address: a version built before the ETL refused them may
    # hold a local file path, which never leaves the server (the page says "no public link")
    frames["sources"]["url"] = frames["sources"]["url"].map(public_url)
    frames["sources"] = with_stats(frames["sources"], live.manifest.get("source_stats") or {})
    # origin -> destination rows (there can be hundreds of thousands) are queried from `moves`
    disp = frames["displacement"]
    frames["displacement"] = disp[disp["direction"] != "flow"].reset_index(drop=True)
    for name in OPTIONAL:
        if name in tables:
            frames[name] = _numpy_backed(live.read(name))
    db = _sql_database(live)
    _add_frames(db, frames)
    postgis = (live.url, live.schema) if hasattr(live, "schema") else None
    return Warehouse(live.name, live.built_at, live.manifest["code_version"], frames, db, (*SQL_TABLES, *FRAME_TABLES),
                     postgis)


def load(root: Path | str, version: str) -> Warehouse:
    """One published version (the live one or not), loaded once per process; `root` a warehouse
    folder or a postgresql:// URL."""
    if str(root).startswith(("postgresql://", "postgres://")):
        return _load_postgis(str(root), version)
    return _load(str(root), version)


def warehouse(root: Path | None = None) -> Warehouse:
    """The live version; a newly published version is picked up on the next call. With
    IDLIB_WAREHOUSE_URL (and no `root`), the live version of that PostgreSQL/PostGIS database."""
    settings = Settings.from_env()
    if root is None and settings.warehouse_url:
        from etl.core.postgis import live

        return _load_postgis(settings.warehouse_url, live(settings.warehouse_url)[0])
    root = root or settings.warehouse_dir
    return _load(str(root), live_version(root))

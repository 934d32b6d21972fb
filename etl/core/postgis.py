"""A warehouse version published to PostgreSQL/PostGIS (issue 18), beside the Parquet warehouse the
run builds: `python -m etl run --target postgresql://user@host/db`.

Layout in the database:

    idlib.live                 one row: the live version's name, its schema, when it was published
    v_<version>.<table>        each table of the version (geometry as PostGIS geometry, SRID 4326,
                               with a GiST index; P-code columns indexed)
    v_<version>._manifest      the version's manifest (jsonb), as manifest.json holds it
    v_<version>._columns       each column's pandas type, so a table reads back as it was written

A version is written, indexed and made live in ONE transaction (PostgreSQL's DDL is transactional):
a run that fails or is killed half way leaves nothing of itself, and the version live before stays
live, whole. Readers look up idlib.live and read that schema; the versions older than the last
`keep` are dropped afterwards, never the live one.

Types: text, bigint, double precision, boolean, timestamp, jsonb (lists and dicts), and
geometry(Geometry, 4326); a column the mapping does not know stops the publish naming it.
"""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd

from etl.core.warehouse import Version

CONTROL = "idlib"
PREFIX = "v_"
INDEXED = re.compile(r"(^|_)pcode$")
ROW = "_row"  # each table's row number, so that a table reads back in the order it was written


class PublishError(Exception):
    """The database refused the version; the message says what and where. Nothing was changed."""


def schema_of(version: str) -> str:
    return PREFIX + re.sub(r"[^a-z0-9_]", "_", version.lower())


def sql_type(frame: pd.DataFrame, column: str) -> str:
    dtype = frame[column].dtype
    if isinstance(frame, gpd.GeoDataFrame) and column == frame.geometry.name:
        return "geometry(Geometry, 4326)"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values = frame[column].dropna()
        if len(values) and isinstance(values.iloc[0], (list, dict, tuple)):
            return "jsonb"
        return "text"
    raise PublishError(f"column {column!r}: no PostgreSQL type for {dtype}")


def rows(frame: pd.DataFrame, types: list[str]):
    """The frame's rows as Python values for COPY: None for missing, geometries as hex EWKB."""
    columns = []
    for column, kind in zip(frame.columns, types):
        series = frame[column]
        if kind.startswith("geometry"):
            import shapely

            values = [None if g is None else g for g in series]
            values = [None if g is None else shapely.to_wkb(shapely.set_srid(g, 4326), hex=True, include_srid=True)
                      for g in values]
        elif kind == "jsonb":
            values = [None if v is None or (not isinstance(v, (list, dict, tuple)) and pd.isna(v))
                      else json.dumps(v, default=str) for v in series]
        else:
            values = [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in series.astype(object)]
        columns.append(values)
    return zip(*columns) if columns else iter(())


def publish(url: str, version: Version, keep: int = 3) -> str:
    """Write `version` into its own schema and make it live, in one transaction; then drop versions
    older than the last `keep`. Returns the schema."""
    import psycopg
    from psycopg import sql

    schema = schema_of(version.name)
    try:
        with psycopg.connect(url, autocommit=False, application_name="idlib-etl-publish") as conn:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(CONTROL)))
                conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {}.live (one boolean PRIMARY KEY DEFAULT true CHECK (one), "
                                     "version text NOT NULL, schema text NOT NULL, published_at timestamptz NOT NULL)")
                             .format(sql.Identifier(CONTROL)))
            with conn.transaction():
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                written = {}
                for table in sorted(version.manifest["tables"]):
                    frame = version.read(table)
                    _write_table(conn, schema, table, frame)
                    written[table] = _dtypes(frame)
                conn.execute(sql.SQL("CREATE TABLE {}._columns (table_name text, column_name text, position int, "
                                     "dtype text)").format(sql.Identifier(schema)))
                for table, columns in sorted(written.items()):
                    with conn.cursor() as cur:
                        cur.executemany(sql.SQL("INSERT INTO {}._columns VALUES (%s, %s, %s, %s)").format(
                            sql.Identifier(schema)), [(table, c, i, d) for i, (c, d) in enumerate(columns)])
                conn.execute(sql.SQL("CREATE TABLE {}._manifest (manifest jsonb NOT NULL)").format(sql.Identifier(schema)))
                conn.execute(sql.SQL("INSERT INTO {}._manifest VALUES (%s)").format(sql.Identifier(schema)),
                             [json.dumps(version.manifest)])
                conn.execute(sql.SQL("INSERT INTO {}.live (one, version, schema, published_at) VALUES (true, %s, %s, now()) "
                                     "ON CONFLICT (one) DO UPDATE SET version = excluded.version, schema = excluded.schema, "
                                     "published_at = excluded.published_at").format(sql.Identifier(CONTROL)),
                             [version.name, schema])
            _prune(conn, schema, keep)
    except psycopg.Error as exc:
        raise PublishError(f"PostgreSQL refused warehouse version {version.name}: {str(exc).strip()}; "
                           "the version live before stays live") from None
    return schema


def _dtypes(frame: pd.DataFrame) -> list[tuple[str, str]]:
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return [(str(c), "geometry" if c == geometry else str(frame[c].dtype)) for c in frame.columns]


def _restore(frame: pd.DataFrame, dtypes: list[tuple[str, str]]) -> pd.DataFrame:
    """The frame with the pandas types it was written with (text, nullable integers, dates...)."""
    for column, dtype in dtypes:
        if dtype in ("geometry", "object"):
            continue
        values = frame[column]
        if dtype.startswith("datetime64"):
            frame[column] = pd.to_datetime(values).astype(dtype)
        elif dtype in ("float64", "Float64"):
            frame[column] = pd.to_numeric(values.astype(object).where(values.notna(), None), errors="raise").astype(dtype)
        else:
            frame[column] = values.astype(object).where(values.notna(), None).astype(dtype)
    return frame


def live(url: str) -> tuple[str, str]:
    """(version, schema) live in the database, through the process's pool of connections."""
    with pool(url).connection() as conn:
        row = conn.execute(f"SELECT version, schema FROM {CONTROL}.live").fetchone()
    if row is None:
        raise PublishError(f"no live version in {CONTROL}.live: publish one with python -m etl run --target ...")
    return row


def live_version(url: str) -> str | None:
    """The version live in the database, or None when none was ever published there (a plain
    connection: for the command line, which has no pool)."""
    import psycopg

    try:
        with psycopg.connect(url, application_name="idlib-etl-publish") as conn:
            row = conn.execute(f"SELECT version FROM {CONTROL}.live").fetchone()
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):  # nothing published there yet
        return None
    except psycopg.Error as exc:
        raise PublishError(f"PostgreSQL refused to say which version it serves: {str(exc).strip()}") from None
    return row[0] if row else None


_POOLS: dict = {}


def pool(url: str):
    """One small pool of connections per database and process (psycopg_pool)."""
    if url not in _POOLS:
        from psycopg_pool import ConnectionPool

        _POOLS[url] = ConnectionPool(url, min_size=1, max_size=4, open=True, kwargs={"autocommit": True},
                                     name="idlib-warehouse")
    return _POOLS[url]


def _write_table(conn, schema: str, table: str, frame: pd.DataFrame) -> None:
    from psycopg import sql

    types = [sql_type(frame, str(c)) for c in frame.columns]
    target = sql.Identifier(schema, table)
    conn.execute(sql.SQL("CREATE TABLE {} ({} bigint NOT NULL, {})").format(target, sql.Identifier(ROW), sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(str(c)), sql.SQL(t)) for c, t in zip(frame.columns, types))))
    columns = sql.SQL(", ").join(sql.Identifier(str(c)) for c in [ROW, *frame.columns])
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, columns)) as copy:
        for i, row in enumerate(rows(frame, types)):
            copy.write_row((i, *row))
    for column, kind in zip(frame.columns, types):
        if kind.startswith("geometry"):
            conn.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(target, sql.Identifier(str(column))))
        elif INDEXED.search(str(column)) and kind == "text":
            conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(target, sql.Identifier(str(column))))


def _prune(conn, live: str, keep: int) -> None:
    from psycopg import sql

    with conn.transaction():
        found = [r[0] for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname DESC", [PREFIX + "%"])]
        for schema in [s for s in found if s != live][max(0, keep - 1):]:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


class PostgisVersion:
    """A version as the database serves it (the live one unless named): its name, manifest and
    tables, read-only, with the pandas types they were written with."""

    def __init__(self, url: str, version: str | None = None):
        self.url = url
        if version is None:
            version, schema = live(url)
        else:
            schema = schema_of(version)
        self.name, self.schema = version, schema
        with pool(url).connection() as conn:
            found = conn.execute(f'SELECT manifest FROM "{schema}"._manifest').fetchone()
            self.manifest = found[0]
            self.dtypes: dict[str, list[tuple[str, str]]] = {}
            for table, column, dtype in conn.execute(
                    f'SELECT table_name, column_name, dtype FROM "{schema}"._columns ORDER BY table_name, position'):
                self.dtypes.setdefault(table, []).append((column, dtype))

    @property
    def built_at(self) -> str:
        return self.manifest["built_at"]

    def read(self, table: str) -> pd.DataFrame:
        from psycopg import sql

        meta = self.manifest["tables"][table]
        columns = self.dtypes[table]
        query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns), sql.Identifier(self.schema, table),
            sql.Identifier(ROW))
        with pool(self.url).connection() as conn:
            cur = conn.execute(query)
            frame = pd.DataFrame(cur.fetchall(), columns=[c for c, _ in columns])
        frame = _restore(frame, columns)
        if not meta.get("geometry"):
            return frame
        import shapely

        geometry = next(c for c, d in columns if d == "geometry")
        hexes = [v if isinstance(v, (str, bytes)) else None for v in frame[geometry]]  # hex EWKB, or none
        frame[geometry] = shapely.from_wkb(pd.array(hexes, dtype=object).to_numpy())
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

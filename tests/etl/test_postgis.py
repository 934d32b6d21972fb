"""The warehouse published to PostgreSQL/PostGIS (etl/core/postgis.py, issue 18), against a real
PostgreSQL 15 + PostGIS 3 cluster that this module starts on a free port (tests/services.py)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest

from etl.config import ROOT
from etl.core import postgis
from etl.core.warehouse import open_live
from tests.services import postgres, wait_for


@pytest.fixture(scope="module")
def database():
    with postgres() as url:
        yield url


def query(url: str, text: str, args=None):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(text, args).fetchall()


def test_a_version_is_published_whole_and_read_back_as_written(database, built_warehouse):
    version = open_live(built_warehouse)
    schema = postgis.publish(database, version, keep=2)
    live = postgis.PostgisVersion(database)
    assert (live.name, live.schema) == (version.name, schema) and live.manifest == version.manifest
    for table, meta in version.manifest["tables"].items():
        assert query(database, f'SELECT count(*) FROM "{schema}"."{table}"')[0][0] == meta["rows"], table
    areas, back = version.read("admin_areas"), live.read("admin_areas")
    assert list(back.columns) == list(areas.columns) and back.crs.to_epsg() == 4326
    mine = areas.set_index("pcode").sort_index()
    theirs = back.set_index("pcode").sort_index()
    assert mine.index.equals(theirs.index) and (mine["level"].astype(int) == theirs["level"].astype(int)).all()
    assert all(a.equals_exact(b, 1e-9) for a, b in zip(mine.geometry, theirs.geometry))  # geometries as written
    timeline, read = version.read("timeline"), live.read("timeline")
    assert len(timeline) > 0 and sorted(map(str, read["fact_id"])) == sorted(map(str, timeline["fact_id"]))
    cited, back_cited = version.read("sources").set_index("source_id"), live.read("sources").set_index("source_id")
    assert back_cited.loc[cited.index, "title"].tolist() == cited["title"].tolist()
    indexes = {r[0] for r in query(database, "SELECT indexdef FROM pg_indexes WHERE schemaname = %s", [schema])}
    assert any("USING gist (geometry)" in i and ".admin_areas " in i for i in indexes)  # spatial queries use an index


def run_cli(url: str, warehouse, *extra):
    env = {**os.environ, "IDLIB_WAREHOUSE": str(warehouse), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "etl", "run", "--target", url, *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_killed_while_publishing_leaves_the_previous_version_live_and_whole(database, built_warehouse, tmp_path):
    warehouse = tmp_path / "wh"
    shutil.copytree(built_warehouse, warehouse, symlinks=True)
    first = run_cli(database, warehouse)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err[-2000:]
    [(before, before_schema)] = query(database, "SELECT version, schema FROM idlib.live")
    assert f"published warehouse version {before} to PostgreSQL" in out

    second = run_cli(database, warehouse)
    copying = wait_for(lambda: query(database, "SELECT 1 FROM pg_stat_activity WHERE application_name = "
                                               "'idlib-etl-publish' AND query ILIKE 'COPY%%'"), timeout=300, every=0.005)
    assert copying, "the second run never reached its COPY"
    second.send_signal(signal.SIGKILL)
    second.communicate(timeout=60)
    assert wait_for(lambda: not query(database, "SELECT 1 FROM pg_stat_activity WHERE application_name = "
                                                "'idlib-etl-publish'"), timeout=60)
    [(after, after_schema)] = query(database, "SELECT version, schema FROM idlib.live")
    assert (after, after_schema) == (before, before_schema)
    schemas = {r[0] for r in query(database, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'v\\_%%'")}
    newest = open_live(warehouse).name  # the killed run's local version (its Parquet publish finished first)
    assert postgis.schema_of(newest) not in schemas or newest == before  # nothing of the killed publish remains
    live = postgis.PostgisVersion(database)
    for table, meta in live.manifest["tables"].items():  # the live version whole
        assert query(database, f'SELECT count(*) FROM "{before_schema}"."{table}"')[0][0] == meta["rows"], table


def test_old_versions_are_dropped_but_never_the_live_one(database, built_warehouse):
    version = open_live(built_warehouse)
    manifest = dict(version.manifest)
    names = []
    for i in range(3):
        fake = type(version)(version.path, {**manifest, "version": f"29990101T00000{i}.000000Z-test"})
        names.append(postgis.publish(database, fake, keep=2))
    schemas = {r[0] for r in query(database, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'v\\_%%'")}
    assert names[-1] in schemas and names[-2] in schemas and names[0] not in schemas
    assert query(database, "SELECT schema FROM idlib.live") == [(names[-1],)]


def test_a_refused_target_is_a_plain_message(tmp_path, built_warehouse):
    from tests.services import free_port

    warehouse = tmp_path / "wh"
    shutil.copytree(built_warehouse, warehouse, symlinks=True)
    run = run_cli(f"postgresql://idlib@127.0.0.1:{free_port()}/idlib", warehouse)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 1 and "PostgreSQL refused warehouse version" in err and "stays live" in err
    assert "Traceback" not in err


def test_refresh_with_a_target_makes_the_database_serve_the_live_version(database, built_warehouse, tmp_path,
                                                                         monkeypatch, capsys):
    """`python -m etl refresh --target URL` (for a scheduler): a database that does not serve the live
    version gets it, whether or not the refresh rebuilt; one that does is left alone; a refused target
    is a plain message and exit 1."""
    import psycopg

    from etl.__main__ import main
    from etl.core import exits
    from etl.core.warehouse import live_version
    from tests.services import free_port

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE DATABASE refreshed")
    url = database.rsplit("/", 1)[0] + "/refreshed"
    warehouse = tmp_path / "wh"
    shutil.copytree(built_warehouse, warehouse, symlinks=True)
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("IDLIB_CACHE", str(tmp_path / "cache"))
    assert postgis.live_version(url) is None
    assert main(["refresh", "--target", url]) == exits.OK
    out = capsys.readouterr().out
    live = live_version(warehouse)
    assert postgis.live_version(url) == live and f"published warehouse version {live} to PostgreSQL" in out, out
    first = query(url, "SELECT published_at FROM idlib.live")
    assert main(["refresh", "--target", url]) == exits.OK
    out = capsys.readouterr().out
    assert f"PostgreSQL already serves warehouse version {live}" in out and "up to date" in out, out
    assert query(url, "SELECT published_at FROM idlib.live") == first  # not published again
    assert main(["refresh", "--target", f"postgresql://idlib@127.0.0.1:{free_port()}/idlib"]) == exits.FAILED
    err = capsys.readouterr().err
    assert "PostgreSQL refused" in err and "Traceback" not in err


def test_column_types(database):
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [1.5, None], "c": pd.array(["x", None], dtype="string"),
                          "d": pd.to_datetime(["2020-01-01", None]), "e": pd.array([True, None], dtype="boolean"),
                          "f": [["x"], None]})
    assert [postgis.sql_type(frame, c) for c in frame.columns] == [
        "bigint", "double precision", "text", "timestamp", "boolean", "jsonb"]

"""The ETL on the committed data (data/sources.toml), table by table against the stored expected
output in tests/golden/warehouse/: columns, dtypes, row counts, sources and every row. Any changed
number, name, date or geometry fails, naming the table, the columns and the rows."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from etl.config import ROOT
from etl.core.warehouse import open_live
from tests.golden import store
from tests.golden.snapshot import ROWS_FILE_LIMIT, TableText, snapshot
from tests.golden.store import GOLDEN, REGENERATE, compare


def test_the_committed_data_builds_the_expected_warehouse(built_warehouse):
    manifest, texts = snapshot(open_live(built_warehouse))
    problems = compare(GOLDEN, manifest, texts)
    assert not problems, ("The warehouse built from the committed data differs from tests/golden/warehouse/:\n"
                          + "\n".join(problems) + "\n" + REGENERATE)


def test_the_etl_published_to_postgis_serves_the_expected_warehouse(tmp_path):
    """`python -m etl run --target postgresql://...` on the committed data: the version PostgreSQL/
    PostGIS serves, read back as the dashboard reads it, is the golden warehouse, table by table."""
    from etl.core.postgis import PostgisVersion
    from tests.services import postgres

    with postgres() as url:
        run = subprocess.run([sys.executable, "-m", "etl", "run", "--target", url], cwd=ROOT, capture_output=True,
                             text=True, timeout=900, env={**os.environ, "IDLIB_WAREHOUSE": str(tmp_path / "wh")})
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        assert "to PostgreSQL" in run.stdout
        served = PostgisVersion(url)
        assert served.name == open_live(tmp_path / "wh").name
        manifest, texts = snapshot(served)
    problems = compare(GOLDEN, manifest, texts)
    assert not problems, ("The warehouse PostGIS serves differs from tests/golden/warehouse/:\n" + "\n".join(problems))


@pytest.mark.parametrize("limit", [ROWS_FILE_LIMIT, 0])  # rows in full; digests plus a sample of rows
def test_a_changed_number_is_named_by_table_column_and_row(built_warehouse, tmp_path, monkeypatch, limit):
    monkeypatch.setattr(store, "ROWS_FILE_LIMIT", limit)
    manifest, texts = snapshot(open_live(built_warehouse))
    store.write(tmp_path, manifest, texts)
    assert compare(tmp_path, manifest, texts) == []
    table = texts["displacement"]
    value, middle = table.columns.index("value"), len(table.rows) // 2
    rows = [list(r) for r in table.rows]
    rows[0][value] = str(int(rows[0][value]) + 1)
    rows[middle][value] = str(int(rows[middle][value]) + 1)
    changed = dict(texts, displacement=TableText(table.columns, table.key, rows))
    problems = compare(tmp_path, manifest, changed)
    assert len(problems) == 1 and problems[0].startswith("table displacement:\n  2 row(s) differ"), problems
    assert f"{table.key_of(rows[0])}: value: '{table.rows[0][value]}' -> '{rows[0][value]}'" in problems[0]
    assert table.key_of(rows[middle]) in problems[0]


def test_a_dropped_column_and_a_changed_dtype_are_named(built_warehouse, tmp_path):
    manifest, texts = snapshot(open_live(built_warehouse))
    store.write(tmp_path, manifest, texts)
    entry = dict(manifest["refugees"], columns=[c.replace(": Int64", ": float64") for c in manifest["refugees"]["columns"]])
    problems = compare(tmp_path, dict(manifest, refugees=entry), texts)
    assert len(problems) == 1 and "dtypes: persons Int64 -> float64" in problems[0], problems
    del manifest["timeline"]
    assert "table timeline: expected, but the run did not publish it" in compare(tmp_path, manifest, texts)

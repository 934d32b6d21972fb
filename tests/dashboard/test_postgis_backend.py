"""The dashboard reading the warehouse from PostgreSQL/PostGIS (IDLIB_WAREHOUSE_URL, issue 18) against
a real PostgreSQL 15 + PostGIS 3 cluster started here (tests/services.py): the same tables, the same
SQL answers and the same page, chart for chart, as from the Parquet warehouse; and a version
published while the page is being drawn is picked up with no request failing."""
from __future__ import annotations

import json
import threading

import pandas as pd
import pytest
from plotly.io.json import to_json_plotly

from dashboard.data import warehouse as warehouse_module
from dashboard.request import Request
from etl.core import postgis
from etl.core.warehouse import open_live
from tests.services import postgres

VIEWS = ("", "from=2019-12&to=2020-03", "from=2020-02&to=2020-02&area=SY07&lang=ar", "level=3&from=2023-01&to=2023-12",
         "indicator=people_in_need&level=2")


@pytest.fixture(scope="module")
def published(built_warehouse, backend):
    if backend is not None:
        pytest.skip("compares the Parquet warehouse with PostGIS itself (its own server): run in the Parquet pass")
    with postgres() as url:
        version = open_live(built_warehouse)
        postgis.publish(url, version, keep=3)
        yield url, version


def test_every_table_reads_back_as_from_parquet(published, built_warehouse):
    url, version = published
    parquet = warehouse_module.load(built_warehouse, version.name)
    database = warehouse_module.load(url, version.name)
    assert database is not parquet and database.version == parquet.version
    assert set(database.frames) == set(parquet.frames)
    for name, frame in parquet.frames.items():
        other = database.frames[name]
        if hasattr(frame, "geometry") and "geometry" in frame:
            assert all(a is b is None or (a is not None and b is not None and a.equals_exact(b, 1e-9))
                       for a, b in zip(frame.geometry, other.geometry)), name
            frame, other = pd.DataFrame(frame.drop(columns="geometry")), pd.DataFrame(other.drop(columns="geometry"))
        pd.testing.assert_frame_equal(other, frame, obj=name)
    for table in (*warehouse_module.SQL_TABLES, *warehouse_module.FRAME_TABLES):
        ask = f"SELECT * FROM {table}"
        pd.testing.assert_frame_equal(database.query(ask), parquet.query(ask), obj=table)


@pytest.mark.parametrize("view", VIEWS)
def test_the_page_is_the_same_from_either_backend(published, built_warehouse, view):
    from dashboard.page import layout
    from dashboard.page.parts import page_parts_for

    url, version = published
    pages = []
    for wh in (warehouse_module.load(built_warehouse, version.name), warehouse_module.load(url, version.name)):
        request = Request.from_query(wh, view)
        pages.append(to_json_plotly(layout.page(request, page_parts_for(request)).to_plotly_json()))
    # compared as JSON values: a key's place in an object means nothing to Dash or plotly (seen: an
    # earlier test in the same process left a cached trace with "type" after "x")
    if json.loads(pages[0]) != json.loads(pages[1]):  # say where they part
        at = next(i for i, (a, b) in enumerate(zip(pages[0], pages[1])) if a != b)
        raise AssertionError(f"the pages part at character {at}:\nParquet: {pages[0][max(0, at - 400):at + 300]}\n"
                             f"PostGIS: {pages[1][max(0, at - 400):at + 300]}")


def test_a_version_published_while_the_page_is_drawn_is_picked_up_with_no_request_failing(published, monkeypatch):
    from dashboard.panels import views

    url, version = published
    monkeypatch.setenv("IDLIB_WAREHOUSE_URL", url)
    first = warehouse_module.warehouse()
    assert first.version == version.name
    errors, seen, stop = [], set(), threading.Event()

    def answer():
        while not stop.is_set():
            try:
                wh = warehouse_module.warehouse()
                seen.add(wh.version)
                views.charts(("displacement",), Request.from_query(wh, "from=2019-12&to=2020-03"))
            except Exception as exc:  # noqa: BLE001 - every failure is what the test looks for
                errors.append(repr(exc))

    threads = [threading.Thread(target=answer) for _ in range(3)]
    for thread in threads:
        thread.start()
    newer = type(version)(version.path, {**version.manifest, "version": "29991231T000000.000000Z-next"})
    try:
        postgis.publish(url, newer, keep=3)
        for _ in range(200):  # until every thread has drawn from the new version
            if newer.name in seen:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert newer.name in seen and warehouse_module.warehouse().version == newer.name  # no stale version after


def test_the_area_under_a_click_is_asked_of_postgis_through_its_spatial_index(published, built_warehouse):
    """A click on the map (a point) finds the same area from either backend at every level, PostGIS
    answering through the GiST index of the version's geometry (not a scan of every polygon)."""
    import numpy as np
    import psycopg

    from dashboard.panels.map_base import MAP_BBOX, _areas_table, area_at

    url, version = published
    parquet, database = warehouse_module.load(built_warehouse, version.name), warehouse_module.load(url, version.name)
    assert database.postgis and parquet.postgis is None
    points = [(float(lon), float(lat)) for lon in np.linspace(MAP_BBOX[0], MAP_BBOX[2], 23)
              for lat in np.linspace(MAP_BBOX[1], MAP_BBOX[3], 17)]
    for level in (1, 2, 3):
        table = _areas_table(parquet, level)
        if not (parquet[table]["level"] == level).any():
            continue
        found = [area_at(wh, level, {"lon": lon, "lat": lat}) for wh in (parquet, database) for lon, lat in points]
        half = len(points)
        assert found[:half] == found[half:], level
        assert sum(p is not None for p in found[:half]) > half / 4, level  # most points fall in some area
    schema = database.postgis[1]
    with psycopg.connect(url) as conn:
        conn.execute(f'ANALYZE "{schema}".admin_areas')
        plan = "\n".join(r[0] for r in conn.execute(
            f'EXPLAIN SELECT pcode FROM "{schema}".admin_areas WHERE level = 1 AND '
            "ST_Contains(geometry, ST_SetSRID(ST_MakePoint(36.6, 35.9), 4326)) ORDER BY _row LIMIT 1"))
    assert "Index Scan" in plan and "geometry_idx" in plan, plan

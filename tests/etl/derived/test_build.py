"""derived_tables.build: every table always there with its columns and dtypes, and the pipeline
publishing all six on the committed default data."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl import contracts, pipeline
from etl.core.geo import METRIC_CRS
from etl.core.issues import Issues
from etl.core.warehouse import open_live
from etl.derived import tables as derived_tables
from etl.derived.schema import dtypes

CONTRACTS = {c.table: c for c in contracts.DERIVED_TABLES}


def assert_typed(table: str, frame: pd.DataFrame) -> None:
    geometry = table in derived_tables.GEOMETRY_TABLES
    expected = dtypes(CONTRACTS[table])
    assert list(frame.columns) == list(expected) + (["geometry"] if geometry else []), table
    for column, dtype in expected.items():
        assert str(frame[column].dtype).startswith(dtype.split("[")[0]), (table, column, frame[column].dtype)
    assert isinstance(frame, gpd.GeoDataFrame) == geometry, table


@pytest.mark.parametrize("given", ["nothing", "empty tables"])
def test_empty_inputs_give_empty_tables_with_their_columns(given):
    tables = {} if given == "nothing" else {t: pipeline.empty(t) for t in pipeline.SOURCE_TABLES}
    issues = Issues()
    out = derived_tables.build(tables, issues)
    assert tuple(out) == derived_tables.TABLES
    for table, frame in out.items():
        assert frame.empty, table
        assert_typed(table, frame)
    assert not issues.problems


def test_floats_are_numpy_and_dates_are_seconds():
    assert dtypes(contracts.MOVES)["dest_border_km"] == "float64"
    assert dtypes(contracts.MOVES)["period_start"] == "datetime64[s]"
    assert dtypes(contracts.AREA_STOCKS)["value"] == "Int64"


@pytest.fixture(scope="module")
def live(built_warehouse):
    return open_live(built_warehouse)


def test_the_default_data_publishes_all_six_tables(live):
    published = live.manifest["tables"]
    assert set(derived_tables.TABLES) <= set(published)
    assert set(derived_tables.TABLES) <= set(pipeline.ALWAYS)
    for table in derived_tables.TABLES:
        frame = live.read(table)
        assert list(frame.columns) == published[table]["columns"]
        assert list(frame.columns) == CONTRACTS[table].names + (["geometry"] if published[table]["geometry"] else [])
    # provenance: a derived table lists the files of the tables it comes from
    assert published["moves"]["sources"] and published["border_bands"]["sources"]


def test_default_area_metrics_and_bands_measure_from_the_natural_earth_border(live):
    admin = live.read("admin_areas")
    metrics = live.read("area_metrics")
    assert sorted(metrics["pcode"]) == sorted(admin.loc[admin["level"].between(1, 3), "pcode"])
    line = live.read("border").to_crs(METRIC_CRS).union_all()
    points = gpd.GeoSeries(gpd.points_from_xy(metrics["lon"], metrics["lat"]), crs="EPSG:4326").to_crs(METRIC_CRS)
    np.testing.assert_allclose(metrics["border_km"], points.distance(line) / 1000, atol=0.01)
    polygons = admin.set_index("pcode").loc[metrics["pcode"]].geometry.to_numpy()
    assert shapely.contains(polygons, gpd.points_from_xy(metrics["lon"], metrics["lat"]).to_numpy()).all()
    idleb = metrics.set_index("pcode").loc["SY07"]
    assert 5 < idleb["border_km"] < 60  # Idleb's representative point, somewhere between its towns and the border

    bands = live.read("border_bands")
    assert list(bands["distance_km"]) == [10, 25, 50]
    countries = live.read("countries").set_index("iso3")
    syria = countries.loc[["SYR"]].to_crs(METRIC_CRS).union_all().buffer(1)
    for d, band in zip(bands["distance_km"], bands.to_crs(METRIC_CRS).geometry):
        points = shapely.line_interpolate_point(band, np.linspace(0, 1, 300), normalized=True)
        assert np.abs(shapely.distance(points, line) / 1000 - d).max() < 0.25, d
        assert shapely.contains(syria, points).all(), d


def test_default_moves_are_the_sub_district_arrivals_reported_unplaced_without_cod_ab(live):
    displacement = live.read("displacement")
    expected = displacement[(displacement["direction"] == "arrivals") & (displacement["kind"] != "scenario")
                            & displacement["pcode"].str.fullmatch(r"SY\d{6}").fillna(False)]
    moves = live.read("moves")
    assert sorted(moves["fact_id"]) == sorted(expected["fact_id"])
    assert (moves["basis"] == "arrival").all()
    # the offline default has governorates only: sub-district destinations cannot be placed
    assert moves["dest_border_km"].isna().all()
    unplaced = set(expected["pcode"])
    rejects = live.read("rejects")
    assert set(rejects.loc[rejects["table"] == "moves", "value"]) == unplaced
    summary = live.read("border_movement")
    assert summary["persons_unplaced"].sum() == expected["value"].sum()
    assert (summary["persons"] == 0).all()

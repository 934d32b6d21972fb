"""HIU border crossings adapter: the zipped point shapefile (NAME, LAT_DD, LONG_DD), names with
encoding damage, points outside the region, null geometry, files without a NAME column, and
HIU's own 2015 file.

The example tests write real zipped shapefiles with geopandas. The property test feeds the adapter
GeoJSON written with json.dumps instead: the adapter reads whatever GDAL reads, and writing a
thousand shapefiles would take most of the test's time budget.
"""
from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from etl.adapters import hiu
from etl.contracts import LAT_RANGE, LON_RANGE
from etl.core.issues import Issues, SourceError
from etl.core.names import repair_mojibake
from etl.core.spec import SourceSpec
from tests.conftest import shared_path
from tests.etl.adapters.helpers import assert_located
from tests.etl.adapters.test_crossings_adapter import OUTPUT_COLUMNS, assert_crossings_conform

SPEC = SourceSpec(name="hiu-test", adapter="hiu")
ARABIC_MOJIBAKE = "باب الهوى".encode().decode("cp1252")  # UTF-8 read as Windows-1252
TURKISH_MOJIBAKE = "Cilvegözü".encode().decode("cp1252")  # 'CilvegÃ¶zÃ¼'


def zipped_shapefile(folder: Path, frame: gpd.GeoDataFrame, name: str = "Syria_BorderCrossings_HIU") -> Path:
    """`frame` written as a shapefile, its parts zipped the way HIU publishes them."""
    shapes = folder / "shapes"
    shapes.mkdir(exist_ok=True)
    frame.to_file(shapes / f"{name}.shp", engine="pyogrio")
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in sorted(shapes.glob(f"{name}.*")):
            z.write(part, part.name)
    return archive


def crossings_frame(names: list, points: list, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """HIU's layout: NAME, LAT_DD, LONG_DD and the point (synthetic values)."""
    return gpd.GeoDataFrame({
        "NAME": names,
        "LAT_DD": [p.y if p is not None else None for p in points],
        "LONG_DD": [p.x if p is not None else None for p in points],
    }, geometry=points, crs="EPSG:4326").to_crs(crs)


def read(path: Path) -> tuple[gpd.GeoDataFrame, Issues]:
    issues = Issues()
    out = hiu.read(SPEC, path, issues)["crossings"]
    assert_crossings_conform([out])
    assert_located(issues, path.name)
    return out, issues


def problems(issues: Issues) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def test_zipped_shapefile_with_damaged_names_and_bad_points(tmp_path):
    frame = crossings_frame(
        ["Bab al-Hawa", TURKISH_MOJIBAKE, "Apaydiná", ARABIC_MOJIBAKE, "Far away", "", "No point"],
        [Point(36.679994, 36.233738), Point(36.5576, 36.2276), Point(36.7, 36.3), Point(36.6619, 36.3255),
         Point(10.0, 50.0), Point(36.6, 36.1), None],
    )
    out, issues = read(zipped_shapefile(tmp_path, frame))
    assert sorted(out["name_en"]) == ["Apaydiná", "Bab al-Hawa", "Cilvegözü", "باب الهوى"]  # damage repaired
    by_name = out.set_index("name_en")
    assert by_name.loc["Bab al-Hawa", "crossing_id"] == "hiu-bab-al-hawa"
    assert (by_name.loc["Bab al-Hawa"].geometry.x, by_name.loc["Bab al-Hawa"].geometry.y) == (36.679994, 36.233738)
    assert set(out["precision"]) == {"crossing"} and set(out["source_id"]) == {"hiu-test"}
    assert out[["name_ar", "name_tr", "syrian_admin", "geonameid", "note"]].isna().all().all()
    assert problems(issues) == {  # row = the feature's position in the layer, from 1
        (5, "lat", "expected a value <= 38.5"),
        (5, "lon", "expected a value >= 35"),
        (6, "crossing_id", "required value is empty"),  # the DBF stores an empty NAME as null: no id either
        (6, "name_en", "required value is empty"),
        (7, "geometry", "expected a point"),
    }


def test_projected_shapefile_is_read_in_degrees(tmp_path):
    frame = crossings_frame(["Bab al-Salam"], [Point(37.085886, 36.634557)], crs="EPSG:3857")
    out, issues = read(zipped_shapefile(tmp_path, frame))
    assert not issues.problems
    assert out.geometry.iloc[0].x == pytest.approx(37.085886) and out.geometry.iloc[0].y == pytest.approx(36.634557)


def test_layer_without_name_column_raises(tmp_path):
    frame = crossings_frame(["Atmeh"], [Point(36.661886, 36.325483)]).rename(columns={"NAME": "SITE"})
    archive = zipped_shapefile(tmp_path, frame)
    with pytest.raises(SourceError, match=r"row 1: expected a NAME column; found SITE, LAT_DD, LONG_DD, geometry") as raised:
        hiu.read(SPEC, archive, Issues())
    assert str(raised.value).startswith(archive.name)


def test_zip_without_a_shapefile_raises(tmp_path):
    archive = tmp_path / "crossings.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "no layer here")
    with pytest.raises(SourceError, match="crossings.zip: expected a zipped point shapefile of HIU border crossings"):
        hiu.read(SPEC, archive, Issues())


# Faults of etl/adapters/hiu.py found by the property tests, now fixed.


def test_a_line_is_reported_not_a_crash(tmp_path):
    frame = gpd.GeoDataFrame({"NAME": ["Border"]}, geometry=[LineString([(36.6, 36.2), (36.7, 36.3)])], crs="EPSG:4326")
    _, issues = read(zipped_shapefile(tmp_path, frame))
    assert problems(issues) == {(1, "geometry", "expected a point")}


def test_crossing_ids_are_unique(tmp_path):
    frame = crossings_frame(["Bab al-Hawa", "Bab al-Hawa", "باب السلامة", "جرابلس"], [Point(36.68, 36.23)] * 4)
    out, _ = read(zipped_shapefile(tmp_path, frame))
    assert out["crossing_id"].is_unique


# Property: whatever the features hold, read() raises SourceError naming the file, or returns
# crossings that satisfy the contract; a feature with a name and a point in the region is loaded
# (its name repaired where the encoding is damaged), every other one is reported with its row.

IN_REGION = st.tuples(st.floats(LON_RANGE[0], LON_RANGE[1]), st.floats(LAT_RANGE[0], LAT_RANGE[1])).map(
    lambda p: [round(p[0], 4), round(p[1], 4)]
)
OUTSIDE = st.tuples(st.floats(-180, 180), st.floats(-90, 90)).filter(
    lambda p: not (LON_RANGE[0] - 0.01 <= p[0] <= LON_RANGE[1] + 0.01 and LAT_RANGE[0] - 0.01 <= p[1] <= LAT_RANGE[1] + 0.01)
).map(list)
GEOMETRIES = st.one_of(
    IN_REGION.map(lambda c: {"type": "Point", "coordinates": c}),
    IN_REGION.map(lambda c: {"type": "Point", "coordinates": c + [412.0]}),  # with elevation
    OUTSIDE.map(lambda c: {"type": "Point", "coordinates": c}),
    st.sampled_from([None, {"type": "Point", "coordinates": []}]),
)
NAMES = st.one_of(
    st.sampled_from(["Bab al-Hawa", "Atmeh", "(Bab al-) Kasab", "Al Ra'-ee", "Apaydiná", "Karkamisá", "", "  ", None]),
    st.sampled_from(["Cilvegözü", "باب الهوى", "Öncüpınar", "جرابلس"]).flatmap(
        lambda n: st.sampled_from([n, n.encode().decode("cp1252", errors="replace")])
    ),
    # GDAL strings end at NUL, so no shapefile or GeoJSON read through it can carry one
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8),
)


@st.composite
def hiu_layers(draw):
    """A GeoJSON FeatureCollection of 1-6 crossings in HIU's attribute layout; now and then the
    name column under another name, extra attributes, and LAT_DD/LONG_DD that disagree with the point."""
    name_key = "NAME" if draw(st.integers(0, 20)) else draw(st.sampled_from(["Name", "NAME_EN", "SITE"]))
    features = []
    for _ in range(draw(st.integers(1, 6))):
        geometry = draw(GEOMETRIES)
        properties = {name_key: draw(NAMES), "LAT_DD": draw(st.one_of(st.none(), st.floats(-90, 90))),
                      "LONG_DD": draw(st.one_of(st.none(), st.floats(-180, 180)))}
        if draw(st.integers(0, 5)) == 0:
            properties["F10"] = draw(st.text(max_size=4))
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def loadable(feature: dict) -> bool:
    """A name that is not blank once repaired, and a point inside the region."""
    name, geometry = feature["properties"].get("NAME"), feature["geometry"]
    return (
        isinstance(name, str) and repair_mojibake(name).strip() != ""
        and geometry is not None and len(geometry["coordinates"]) >= 2
        and LON_RANGE[0] <= geometry["coordinates"][0] <= LON_RANGE[1]
        and LAT_RANGE[0] <= geometry["coordinates"][1] <= LAT_RANGE[1]
    )


@pytest.mark.filterwarnings("ignore:OGRGeoJSONReadRawPoint:RuntimeWarning")  # GDAL on '"coordinates": []'
def test_malformed_layers_never_load_bad_features_nor_lose_any():
    outputs: list[gpd.GeoDataFrame] = []
    runs: list[int] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crossings.geojson"

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(hiu_layers())
        def check(layer):
            runs.append(1)
            path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
            issues = Issues()
            try:
                out = hiu.read(SPEC, path, issues)["crossings"]
            except SourceError as exc:
                assert path.name in str(exc)
                assert "NAME" not in layer["features"][0]["properties"]
                return
            assert list(out.columns) == OUTPUT_COLUMNS and isinstance(out.index, pd.RangeIndex)
            assert_located(issues, path.name)
            features = layer["features"]
            reported = {p.row for p in issues.problems}
            assert reported <= set(range(1, len(features) + 1))
            assert len(out) + len(reported) == len(features)
            expected = [repair_mojibake(f["properties"]["NAME"]).strip() for f in features if loadable(f)]
            assert sorted(out["name_en"]) == sorted(expected)
            assert all(point is not None for point in out.geometry)
            if len(out):
                outputs.append(out)

        check()
    # a share of the examples, since the profile sets their number
    assert len(outputs) > len(runs) / 4, f"only {len(outputs)} of {len(runs)} generated layers loaded a crossing"
    assert_crossings_conform(outputs)


# HIU's file of 16 April 2015 (../shared/data/hiu_syria_sites_2015): 29 crossings on all of Syria's
# borders, every one with a name and a point.


@pytest.mark.shared
def test_real_hiu_border_crossings():
    path = shared_path("hiu_syria_sites_2015", "Syria_BorderCrossings_2015Apr16_HIU_USDoS.zip")
    out, issues = read(path)
    assert not issues.problems
    assert len(out) == 29 and out["crossing_id"].is_unique
    hawa = out.set_index("name_en").loc["Bab al-Hawa"]
    assert hawa["crossing_id"] == "hiu-bab-al-hawa"
    assert (round(hawa.geometry.y, 4), round(hawa.geometry.x, 4)) == (36.2337, 36.68)
    assert {"Bab al-Salam", "Atmeh", "Jarablus", "(Bab al-) Kasab"} <= set(out["name_en"])

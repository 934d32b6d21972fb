"""COD-AB adapter: zipped shapefiles, folders, GeoJSON and GeoPackage in both attribute schemas,
their quirks, the web copy's shared edges, malformed input, and the real Syria release.

Every fixture is synthetic (a made-up hierarchy of squares near Idlib), written into tmp_path.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box, mapping

from etl.adapters import cod_ab
from etl.contracts import ADMIN_AREAS
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from etl.core.topology import snap_coverage, web_geojson, web_geojson_bytes, web_simplify
from tests.conftest import shared_path
from tests.etl.adapters.helpers import assert_all_conform, assert_conforms, assert_located

SPEC = SourceSpec(name="cod-ab-test", adapter="cod_ab")
MOJIBAKE = "إدلب".encode().decode("cp1252")  # 'Ø¥Ø¯Ù„Ø¨': UTF-8 read as Windows-1252
BOW_TIE = {"type": "Polygon", "coordinates": [[[36, 35], [36.5, 35.5], [36.5, 35], [36, 35.5], [36, 35]]]}
# a synthetic hierarchy: (pcode, English, Arabic, geometry) by level; parents are P-code prefixes
AREAS = {
    0: [("SY", "Syrian Arab Republic", "الجمهورية العربية السورية", box(36, 35, 37, 36))],
    1: [("SY07", "Idleb", "إدلب", box(36, 35, 37, 36))],
    2: [("SY0703", "Harim", "حارم", box(36, 35, 36.5, 36)), ("SY0704", "Jisr-Ash-Shugur", "جسر الشغور", box(36.5, 35, 37, 36))],
    3: [
        ("SY070301", "Dana", "الدانا", box(36, 35, 36.5, 35.5)),
        ("SY070302", "Salqin", "سلقين", box(36, 35.5, 36.5, 36)),
        ("SY070401", "Jisr-Ash-Shugur", "جسر الشغور", box(36.5, 35, 37, 36)),
    ],
}
NAMES = {pcode: (en, ar) for rows in AREAS.values() for pcode, en, ar, _ in rows}
DANA = mapping(AREAS[3][0][3])


def ancestor(pcode: str, level: int) -> str:
    return pcode[: 2 + 2 * level]


def classic_properties(level: int, pcode: str) -> dict:
    """ADMn_EN / ADMn_AR / ADMn_PCODE for the area and each of its parents (as in the real files)."""
    props = {"Shape_Leng": 1.5, "ADM0_REF": None}
    for k in range(level, -1, -1):
        code = ancestor(pcode, k)
        props |= {f"ADM{k}_EN": NAMES[code][0], f"ADM{k}_AR": NAMES[code][1], f"ADM{k}_PCODE": code}
    return props | {"validOn": "2020-12-17"}


def lower_properties(level: int, pcode: str) -> dict:
    """HDX's lower-case schema: admn_name (English), admn_name1 (Arabic), lang, lang1."""
    props = {}
    for k in range(level, -1, -1):
        code = ancestor(pcode, k)
        props |= {f"adm{k}_name": NAMES[code][0], f"adm{k}_name1": NAMES[code][1], f"adm{k}_pcode": code}
    return props | {"lang": "en", "lang1": "ar", "valid_on": "2020-12-17"}


def layer(level: int, schema=classic_properties) -> gpd.GeoDataFrame:
    rows = AREAS[level]
    return gpd.GeoDataFrame([schema(level, p) for p, *_ in rows], geometry=[g for *_, g in rows], crs="EPSG:4326")


def feature(properties: dict, geometry) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict], bom: bool = False) -> Path:
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    return path


def write_shapefiles(folder: Path, levels=(0, 1, 2, 3)) -> Path:
    """syr_admbnda_admN shapefiles as in the HDX zip, with the label points and boundary lines."""
    folder.mkdir(parents=True, exist_ok=True)
    for level in levels:
        layer(level).to_file(folder / f"syr_admbnda_adm{level}_uncs_unocha_20201217.shp")
    points = layer(3).set_geometry(layer(3).representative_point())
    points.to_file(folder / "syr_admbndp_admALL_uncs_unocha_itos_20201217.shp")
    lines = gpd.GeoDataFrame({"admLevel": [1]}, geometry=[box(36, 35, 37, 36).boundary], crs="EPSG:4326")
    lines.to_file(folder / "syr_admbndl_admALL_uncs_unocha_itos_20201217.shp")
    return folder


def zip_folder(folder: Path, archive: Path, under: str = "") -> Path:
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(folder.iterdir()):
            out.write(file, f"{under}{file.name}")
    return archive


def read(path: Path, file: str | None = None, **options) -> tuple[dict, Issues]:
    """Read with the adapter; both tables honour the contract and problems name `file`."""
    issues = Issues()
    spec = SourceSpec(name=SPEC.name, adapter="cod_ab", options=options)
    tables = cod_ab.read(spec, path, issues)
    for table in ("admin_areas", "admin_areas_web"):
        assert_conforms(tables[table], ADMIN_AREAS, geometry=True)
    assert tables["admin_areas_web"]["pcode"].tolist() == tables["admin_areas"]["pcode"].tolist()
    if file is not None:
        assert_located(issues, file)
    return tables, issues


def problems(issues: Issues) -> set[tuple[str, int, str, str | None]]:
    return {(p.file, p.row, p.column, p.value) for p in issues.problems}


# --- layouts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["zip", "folder"])
def test_shapefiles_classic_schema(tmp_path, layout):
    folder = write_shapefiles(tmp_path / "syr_adm_shp")
    path = zip_folder(folder, tmp_path / "syr_adm_shp.zip", under="syr_adm_shp/") if layout == "zip" else folder
    tables, issues = read(path)
    areas = tables["admin_areas"]
    assert not issues.problems, issues.summary()
    assert areas["level"].value_counts().sort_index().tolist() == [1, 1, 2, 3]  # points and lines not read
    parents = areas.set_index("pcode")["parent_pcode"]
    assert pd.isna(parents["SY"])
    assert parents.drop("SY").to_dict() == {
        "SY07": "SY", "SY0703": "SY07", "SY0704": "SY07", "SY070301": "SY0703", "SY070302": "SY0703", "SY070401": "SY0704",
    }
    by_pcode = areas.set_index("pcode")
    assert by_pcode.loc["SY07", "name_ar"] == "إدلب"
    assert by_pcode.loc["SY070301", "name_en"] == "Dana"
    assert (areas["source_id"] == SPEC.name).all()
    assert shapely.equals(areas.geometry.to_numpy(), [g for level in AREAS for *_, g in AREAS[level]]).all()


def test_geojson_lowercase_schema_with_bom_and_spaced_headers(tmp_path):
    features = []
    for pcode, *_rest, geom in AREAS[3]:
        props = lower_properties(3, pcode)
        props[" adm3_pcode"] = props.pop("adm3_pcode")  # a header with a leading space
        props["\ufeffadm3_name"] = props.pop("adm3_name")  # a byte-order mark in a header
        props["adm3_name1"] = f" {props['adm3_name1']} "  # spaces around a cell
        features.append(feature(props, mapping(geom)))
    path = write_geojson(tmp_path / "syr_admbnda_adm3.geojson", features, bom=True)
    tables, issues = read(path, path.name)
    areas = tables["admin_areas"]
    assert not issues.problems, issues.summary()
    assert areas["pcode"].tolist() == ["SY070301", "SY070302", "SY070401"]
    assert areas["level"].tolist() == [3, 3, 3]
    assert areas["parent_pcode"].tolist() == ["SY0703", "SY0703", "SY0704"]
    assert areas["name_en"].tolist() == ["Dana", "Salqin", "Jisr-Ash-Shugur"]
    assert areas["name_ar"].tolist() == ["الدانا", "سلقين", "جسر الشغور"]


def test_lang_columns_decide_which_name_is_english(tmp_path):
    props = {"adm1_pcode": "SY07", "adm1_name": "إدلب", "adm1_name1": "Idleb", "lang": "ar", "lang1": "en", "adm0_pcode": "SY"}
    path = write_geojson(tmp_path / "adm1.geojson", [feature(props, mapping(box(36, 35, 37, 36)))])
    areas = read(path, path.name)[0]["admin_areas"]
    assert areas[["name_en", "name_ar"]].iloc[0].tolist() == ["Idleb", "إدلب"]


def test_zip_of_geojson_in_both_schemas(tmp_path):
    adm1 = write_geojson(tmp_path / "syr_admbnda_adm1.geojson", [feature(lower_properties(1, "SY07"), mapping(AREAS[1][0][3]))])
    adm2 = write_geojson(
        tmp_path / "syr_admbnda_adm2.geojson",
        [feature(classic_properties(2, p), mapping(g)) for p, *_, g in AREAS[2]],
    )
    archive = tmp_path / "syr_adm_geojson.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(adm1, "geojson/syr_admbnda_adm1.geojson")
        out.write(adm2, "geojson/syr_admbnda_adm2.geojson")
        out.writestr("geojson/metadata.json", "{}")  # not a layer: .json is read only as a single file
        out.writestr("__MACOSX/geojson/._syr_admbnda_adm1.geojson", b"\x00\x05\x16\x07")
    areas = read(archive)[0]["admin_areas"]
    assert areas["pcode"].tolist() == ["SY07", "SY0703", "SY0704"]
    assert areas["name_ar"].tolist() == ["إدلب", "حارم", "جسر الشغور"]


def test_geopackage_layers_reprojected_to_wgs84(tmp_path):
    path = tmp_path / "syr_adm.gpkg"
    layer(1).to_file(path, layer="syr_admbnda_adm1")
    layer(2, lower_properties).to_crs("EPSG:32637").to_file(path, layer="syr_admbnda_adm2")
    adm3 = layer(3)
    pd.concat([adm3, adm3.iloc[[0]]]).to_crs("EPSG:3857").to_file(path, layer="syr_admbnda_adm3")  # row 4 repeats row 1
    tables, issues = read(path, "syr_adm.gpkg:syr_admbnda_adm3")
    areas = tables["admin_areas"]
    assert problems(issues) == {("syr_adm.gpkg:syr_admbnda_adm3", 4, "pcode", "SY070301")}
    assert areas["level"].value_counts().sort_index().tolist() == [1, 2, 3]
    harim = areas.set_index("pcode").geometry["SY0703"]
    assert shapely.equals_exact(shapely.normalize(harim), shapely.normalize(box(36, 35, 36.5, 36)), tolerance=1e-7)


def test_levels_option_reads_only_those_levels(tmp_path):
    folder = write_shapefiles(tmp_path / "shp")
    areas = read(folder, levels=[2, 3])[0]["admin_areas"]
    assert sorted(areas["level"].unique()) == [2, 3]
    with pytest.raises(SourceError, match="syr_admbnda_adm3.geojson: expected a polygon layer of admin level 0"):
        path = write_geojson(tmp_path / "syr_admbnda_adm3.geojson", [feature(lower_properties(3, "SY070301"), mapping(box(36, 35, 37, 36)))])
        read(path, levels=[0])


@pytest.mark.parametrize(
    "options, message",
    [({"levels": [4]}, "option levels"), ({"levels": "3"}, "option levels"), ({"web_tolerance_m": -1}, "web_tolerance_m")],
)
def test_bad_options_are_refused(tmp_path, options, message):
    path = write_geojson(tmp_path / "a.geojson", [feature(lower_properties(1, "SY07"), mapping(box(36, 35, 37, 36)))])
    with pytest.raises(SourceError, match=message):
        read(path, **options)


# --- rows rejected, repaired, reported ---------------------------------------------------------


def test_bow_tie_is_repaired_and_reported(tmp_path):
    features = [
        feature(lower_properties(3, "SY070301"), BOW_TIE),
        feature(lower_properties(3, "SY070302"), mapping(box(36, 35.5, 36.5, 36))),
    ]
    path = write_geojson(tmp_path / "syr_admbnda_adm3.geojson", features)
    tables, issues = read(path, path.name)
    areas = tables["admin_areas"].set_index("pcode")
    dana = areas.geometry["SY070301"]
    assert dana.is_valid and dana.geom_type == "MultiPolygon" and math.isclose(dana.area, 0.125)
    [problem] = issues.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (path.name, 1, "geometry", "SY070301")
    assert problem.reason == "invalid geometry repaired with make_valid; row kept" and problem.kept
    assert problem.detail.startswith("Self-intersection")


def test_bad_rows_are_rejected_with_file_row_and_column(tmp_path):
    def row(pcode, parent="SY0703", geometry=DANA, name="Dana"):
        return feature({"adm3_pcode": pcode, "adm2_pcode": parent, "adm3_name": name, "adm3_name1": "الدانا"}, geometry)

    features = [
        row("SY070301"),  # 1: kept
        row("SY070301"),  # 2: duplicate P-code
        row("SY070401", parent="SY0703"),  # 3: not under its parent
        row("SY0703", parent="SY07"),  # 4: an admin-2 P-code in the admin-3 layer
        row(""),  # 5: no P-code
        row("SY070302", geometry=None),  # 6: no geometry
        row("SY070303", geometry={"type": "Point", "coordinates": [36.2, 35.2]}),  # 7: not a polygon
        row("SY070304", name=" "),  # 8: no English name
        row("sy070305 ", geometry=mapping(box(36, 35.5, 36.5, 36))),  # 9: lower case, kept as SY070305
    ]
    path = write_geojson(tmp_path / "adm3.geojson", features)
    tables, issues = read(path, path.name)
    assert tables["admin_areas"]["pcode"].tolist() == ["SY070301", "SY070305"]
    found = {(p.row, p.column): p.reason for p in issues.problems}
    assert found[(2, "pcode")] == "expected a unique P-code"
    assert next(p.detail for p in issues.problems if p.row == 2) == "already read from adm3.geojson, row 1"
    assert found[(3, "parent_pcode")] == "expected the parent P-code to be the start of the P-code"
    assert found[(4, "pcode")] == "expected an admin-3 P-code such as SY070301"
    assert found[(5, "pcode")] == "required value is empty"
    assert found[(6, "geometry")] == "expected a polygon; the geometry is empty"
    assert found[(7, "geometry")] == "expected a polygon or multipolygon, found a Point"
    assert found[(8, "name_en")] == "required value is empty"
    assert len(issues.problems) == 7


def test_mojibake_names_are_repaired_and_reported(tmp_path):
    features = [
        feature({"ADM1_PCODE": "SY07", "ADM1_EN": "Idleb", "ADM1_AR": MOJIBAKE, "ADM0_PCODE": "SY"}, mapping(box(36, 35, 37, 36))),
        feature({"ADM1_PCODE": "SY02", "ADM1_EN": "Apaydiná", "ADM1_AR": "حلب", "ADM0_PCODE": "SY"}, mapping(box(37, 35, 38, 36))),
    ]
    path = write_geojson(tmp_path / "adm1.geojson", features)
    tables, issues = read(path, path.name)
    areas = tables["admin_areas"].set_index("pcode")
    assert areas.loc["SY07", "name_ar"] == "إدلب"
    assert areas.loc["SY02", "name_en"] == "Apaydiná"  # not damage that can be undone: kept as given
    assert problems(issues) == {(path.name, 1, "name_ar", MOJIBAKE)}


def test_shapefile_without_cpg_is_read_as_latin1_and_repaired(tmp_path):
    folder = write_shapefiles(tmp_path / "shp", levels=(1,))
    (folder / "syr_admbnda_adm1_uncs_unocha_20201217.cpg").unlink()  # GDAL then assumes ISO-8859-1
    file = "shp/syr_admbnda_adm1_uncs_unocha_20201217.shp"
    tables, issues = read(folder, file)
    assert tables["admin_areas"]["name_ar"].tolist() == ["إدلب"]
    assert [(p.row, p.column) for p in issues.problems] == [(1, "name_ar")]


def test_missing_parent_level_column_gives_the_pcode_prefix(tmp_path):
    props = {"adm2_pcode": "SY0703", "adm2_name": "Harim"}
    path = write_geojson(tmp_path / "adm2.geojson", [feature(props, mapping(box(36, 35, 36.5, 36)))])
    areas = read(path, path.name)[0]["admin_areas"]
    assert areas[["pcode", "parent_pcode", "name_ar"]].iloc[0].tolist() == ["SY0703", "SY07", pd.NA]


def test_area_whose_parent_is_absent_is_reported_and_kept(tmp_path):
    folder = tmp_path / "geojson"
    folder.mkdir()
    write_geojson(folder / "syr_admbnda_adm2.geojson", [feature(lower_properties(2, "SY0703"), mapping(AREAS[2][0][3]))])
    write_geojson(folder / "syr_admbnda_adm3.geojson", [feature(lower_properties(3, p), mapping(g)) for p, *_, g in AREAS[3]])
    tables, issues = read(folder, "geojson/syr_admbnda_adm3.geojson")
    assert "SY070401" in set(tables["admin_areas"]["pcode"])
    [problem] = issues.problems
    assert (problem.row, problem.column, problem.value) == (3, "parent_pcode", "SY0704")
    assert problem.reason == "parent P-code not found among the admin-2 areas read; row kept"


# --- whole files refused -----------------------------------------------------------------------


def test_missing_pcode_column_names_the_file_and_the_column(tmp_path):
    props = {"ADM3_EN": "Dana", "ADM2_EN": "Harim"}
    path = write_geojson(tmp_path / "regions.geojson", [feature(props, mapping(box(36, 35, 37, 36)))])
    with pytest.raises(SourceError, match=r"^regions.geojson: expected a P-code column such as ADM3_PCODE"):
        read(path)
    # the name says admin 3, the deepest P-code column is admin 2: ADM3_PCODE is missing
    props = {"ADM3_EN": "Dana", "ADM2_PCODE": "SY0703", "ADM2_EN": "Harim"}
    path = write_geojson(tmp_path / "syr_admbnda_adm3_uncs_unocha_20201217.geojson", [feature(props, mapping(box(36, 35, 37, 36)))])
    with pytest.raises(SourceError, match=r"adm3_uncs_unocha_20201217.geojson: .* expected column ADM3_PCODE or adm3_pcode"):
        read(path)


def test_missing_english_name_column_is_refused(tmp_path):
    path = write_geojson(tmp_path / "adm1.geojson", [feature({"ADM1_PCODE": "SY07", "ADM1_AR": "إدلب"}, mapping(box(36, 35, 37, 36)))])
    with pytest.raises(SourceError, match=r"^adm1.geojson: expected an English name column ADM1_EN, or adm1_name"):
        read(path)


def test_unreadable_inputs_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    (tmp_path / "broken.geojson").write_text("{ not json")
    folder = write_shapefiles(tmp_path / "noprj", levels=(1,))
    (folder / "syr_admbnda_adm1_uncs_unocha_20201217.prj").unlink()
    cases = [
        (tmp_path / "absent.zip", "absent.zip: file or folder not found"),
        (tmp_path / "notes.txt", "notes.txt: expected a .zip, a folder"),
        (tmp_path / "broken.zip", "broken.zip: expected a zip archive"),
        (tmp_path / "broken.geojson", "broken.geojson: expected a vector layer GDAL can read"),
        (folder, "noprj/syr_admbnda_adm1_uncs_unocha_20201217.shp: expected a coordinate reference system"),
    ]
    for path, message in cases:
        with pytest.raises(SourceError) as caught:
            read(path)
        assert str(caught.value).startswith(message), str(caught.value)


# --- the web copy ------------------------------------------------------------------------------


def wiggly_edge(p, q, n=80, amplitude=0.003):
    """Points from p to q along a sine wiggle; the same points (reversed) for q to p."""
    if p > q:
        return wiggly_edge(q, p, n, amplitude)[::-1]
    (x0, y0), (x1, y1) = p, q
    t = np.linspace(0, 1, n)
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    wiggle = np.sin(math.pi * t) ** 2 * (amplitude * np.sin(3 * math.pi * t) + amplitude / 10 * np.sin(37 * math.pi * t))
    return list(zip(x0 + (x1 - x0) * t + nx * wiggle, y0 + (y1 - y0) * t + ny * wiggle))


def wiggly_grid(cells=4, size=0.05) -> gpd.GeoDataFrame:
    """cells x cells adjacent squares near Idlib whose shared edges are identical wiggly lines."""
    def corner(i, j):
        return (36.4 + i * size, 35.8 + j * size)

    polygons = []
    for i in range(cells):
        for j in range(cells):
            ring = [corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1), corner(i, j)]
            points = [pt for a, b in zip(ring, ring[1:]) for pt in wiggly_edge(a, b)[:-1]]
            start = 37 * len(polygons) % len(points)  # rings start anywhere, as in real files
            polygons.append(shapely.Polygon(points[start:] + points[:start]))
    pcodes = [f"SY07{k:04d}" for k in range(len(polygons))]
    return gpd.GeoDataFrame({"pcode": pcodes, "level": 3}, geometry=polygons, crs="EPSG:4326")


def assert_tiles(geoms: np.ndarray, relative: float = 1e-9) -> None:
    """A valid coverage: union area = sum of areas, no overlaps, shared edges vertex for vertex."""
    assert shapely.is_valid(geoms).all()
    union, total = shapely.union_all(geoms).area, shapely.area(geoms).sum()
    assert abs(union - total) <= relative * total, (union, total)
    assert shapely.coverage_is_valid(geoms)
    tree = shapely.STRtree(geoms)
    for a, b in zip(*tree.query(geoms, predicate="intersects")):
        if a < b:
            assert shapely.intersection(geoms[a], geoms[b]).area <= relative * total
            shared_a = shapely.intersection(geoms[a].boundary, geoms[b])
            shared_b = shapely.intersection(geoms[b].boundary, geoms[a])
            assert shapely.equals(shared_a, shared_b)


def test_web_simplify_keeps_neighbours_edges_shared():
    grid = wiggly_grid()
    assert_tiles(grid.geometry.to_numpy())
    web = web_simplify(grid, tolerance_m=60)
    geoms = web.geometry.to_numpy()
    assert_tiles(geoms)
    assert math.isclose(shapely.union_all(geoms).area, shapely.union_all(grid.geometry.to_numpy()).area, rel_tol=2e-3)
    coords = shapely.get_coordinates(geoms)
    assert np.abs(coords - np.round(coords, 5)).max() < 1e-9  # five decimals
    assert shapely.get_num_coordinates(geoms).sum() < 0.3 * shapely.get_num_coordinates(grid.geometry.to_numpy()).sum()
    metric = gpd.GeoSeries(geoms, crs=4326).to_crs(32637)
    original = grid.geometry.to_crs(32637)
    assert (metric.hausdorff_distance(original) < 120).all()
    assert list(web.columns) == list(grid.columns) and web["pcode"].tolist() == grid["pcode"].tolist()
    # simplifying each square on its own would open gaps and overlaps along the shared edges
    one_by_one = shapely.simplify(original.to_numpy(), 60)
    assert not shapely.coverage_is_valid(one_by_one)


def test_snap_coverage_keeps_the_coverage_where_plain_rounding_breaks_it():
    # two squares sharing an edge with a tiny spike, narrower than the grid
    spike = [(1.0, 0.500015), (1.000019, 0.500017), (1.00001, 0.50002)]
    left = shapely.Polygon([(0, 0), (1, 0), *spike, (1, 1), (0, 1)])
    right = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1, 1), *spike[::-1]])
    geoms = np.array([left, right], dtype=object)
    assert_tiles(geoms)
    rounded = shapely.transform(geoms, lambda c: np.round(c, 5))
    assert not shapely.is_valid(rounded).any()  # plain rounding crosses the spike over itself
    snapped = snap_coverage(geoms, 1e-5)
    assert_tiles(snapped)
    assert np.allclose(shapely.area(snapped), shapely.area(geoms), rtol=0, atol=1e-9)
    coords = shapely.get_coordinates(snapped)
    assert np.abs(coords - np.round(coords, 5)).max() < 1e-12


def test_web_geojson_has_pcode_only_and_five_decimals():
    web = web_simplify(wiggly_grid(cells=2), tolerance_m=25)
    text = web_geojson(web)
    parsed = json.loads(text)
    assert [f["properties"] for f in parsed["features"]] == [{"pcode": p} for p in web["pcode"]]
    numbers = [c for f in parsed["features"] for ring in f["geometry"]["coordinates"] for xy in ring for c in xy]
    assert max(len(repr(c).split(".")[1]) for c in numbers) <= 5
    assert web_geojson_bytes(web) == len(text.encode())


def test_web_simplify_refuses_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance_m"):
        web_simplify(wiggly_grid(cells=1), -5)


# --- the real release --------------------------------------------------------------------------

REAL = "syr_cod_ab_uncs_unocha_20201217_shp"


@pytest.fixture(scope="module")
def real():
    folder = shared_path(REAL)
    issues = Issues()
    tables = cod_ab.read(SourceSpec(name="cod-ab-syr", adapter="cod_ab"), folder, issues)
    return tables, issues


@pytest.mark.shared
def test_real_release_levels_pcodes_and_names(real):
    tables, issues = real
    areas = tables["admin_areas"]
    assert not issues.problems, issues.summary()
    assert_conforms(areas, ADMIN_AREAS, geometry=True)
    assert areas["level"].value_counts().sort_index().tolist() == [1, 14, 62, 272]
    assert areas["pcode"].is_unique
    idlib = areas[(areas["level"] == 3) & areas["pcode"].str.startswith("SY07")]
    assert len(idlib) == 26
    assert idlib["name_ar"].str.contains(r"[\u0621-\u064A]").all()
    by_pcode = areas.set_index("pcode")
    assert by_pcode.loc["SY070301", ["name_en", "parent_pcode"]].tolist() == ["Dana", "SY0703"]
    assert by_pcode.loc["SY07", "name_ar"] == "إدلب"
    level2 = set(areas.loc[areas["level"] == 2, "pcode"])
    assert set(areas.loc[areas["level"] == 3, "parent_pcode"]) <= level2
    assert areas.geometry.is_valid.all()


@pytest.mark.shared
def test_real_release_web_copy(real):
    tables, _ = real
    web = tables["admin_areas_web"]
    assert_conforms(web, ADMIN_AREAS, geometry=True)
    idlib = web[(web["level"] == 3) & web["pcode"].str.startswith("SY07")]
    size = web_geojson_bytes(idlib)
    assert size <= 300_000, size
    assert_tiles(idlib.geometry.to_numpy())
    for level in range(4):
        assert shapely.coverage_is_valid(web.loc[web["level"] == level].geometry.to_numpy())
    full = tables["admin_areas"]
    assert math.isclose(shapely.area(web.geometry.to_numpy()).sum(), shapely.area(full.geometry.to_numpy()).sum(), rel_tol=1e-3)


@pytest.mark.shared
def test_real_release_as_the_hdx_zip(real, tmp_path):
    folder = shared_path(REAL)
    archive = zip_folder(folder, tmp_path / "syr_adm_20201217_shp.zip", under="syr_adm_20201217/")
    tables, issues = read(archive, levels=[1, 3])
    assert not issues.problems
    assert tables["admin_areas"]["level"].value_counts().sort_index().tolist() == [14, 272]


# --- malformed input ---------------------------------------------------------------------------

PCODES = {0: ["SY"], 1: ["SY07", "SY02"], 2: ["SY0703", "SY0704"], 3: ["SY070301", "SY070302", "SY070401"]}
SQUARES = [mapping(box(36 + 0.1 * i, 35.5, 36.1 + 0.1 * i, 35.6)) for i in range(6)]
GEOMETRIES = SQUARES + [
    None,
    BOW_TIE,
    {"type": "Polygon", "coordinates": []},
    {"type": "Point", "coordinates": [36.2, 35.2]},
    {"type": "LineString", "coordinates": [[36, 35], [36.1, 35.1]]},
    {"type": "Polygon", "coordinates": [[[36, 35], [36.2, 35], [36.4, 35], [36, 35]]]},  # no area
    {"type": "MultiPolygon", "coordinates": [SQUARES[0]["coordinates"], SQUARES[1]["coordinates"]]},
]
garbage = st.one_of(
    st.none(), st.just(""), st.just(" "), st.text(max_size=8), st.integers(-10, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(), st.just(MOJIBAKE), st.just("\ufeffSY07"),
)


def mostly(good, bad=garbage):
    """Good values two times in three, so that rows get through and the output is checked."""
    return st.one_of(good, good, bad)


# strategies built once: hypothesis spends its time validating strategies made inside a draw
PCODE_CELLS = {level: mostly(st.sampled_from(codes)) for level, codes in PCODES.items()}
NAME_CELLS = mostly(st.sampled_from(["Idleb", "Harim", "Dana", MOJIBAKE]))
ARABIC_CELLS = mostly(st.sampled_from(["إدلب", "حارم", MOJIBAKE]))
GEOMETRY_CELLS = mostly(st.sampled_from(SQUARES), st.sampled_from(GEOMETRIES))
LANGS = st.sampled_from(["en", "ar", "", None])
EXTRA_COLUMNS = st.sampled_from(["validOn", "ADM3_REF", "extra"])
KEY_SETS = st.sets(st.integers(0, 3), max_size=2)


@st.composite
def cod_ab_files(draw):
    """A small GeoJSON layer in one of the schemas, with garbage cells, geometries and columns."""
    level = draw(st.integers(0, 3))
    classic = draw(st.booleans())
    pcode_key, name_key, arabic_key = (
        (f"ADM{level}_PCODE", f"ADM{level}_EN", f"ADM{level}_AR") if classic
        else (f"adm{level}_pcode", f"adm{level}_name", f"adm{level}_name1")
    )
    parent_key = (f"ADM{level - 1}_PCODE" if classic else f"adm{level - 1}_pcode") if level else None
    features = []
    for _ in range(draw(st.integers(1, 6))):
        props = {pcode_key: draw(PCODE_CELLS[level]), name_key: draw(NAME_CELLS), arabic_key: draw(ARABIC_CELLS)}
        if parent_key:
            props[parent_key] = draw(PCODE_CELLS[level - 1])
        if not classic:
            props |= {"lang": draw(LANGS), "lang1": "ar"}
        if draw(st.booleans()):
            props[draw(EXTRA_COLUMNS)] = draw(garbage)
        features.append(feature(props, draw(GEOMETRY_CELLS)))
    keys = [pcode_key, name_key, arabic_key, parent_key]
    dropped = [keys[k] for k in draw(KEY_SETS)]  # missing columns
    for f in features:
        for key in dropped:
            f["properties"].pop(key, None)
    name = draw(st.sampled_from([f"syr_admbnda_adm{level}.geojson", "layer.geojson", "layer.json"]))
    return name, features


def test_malformed_layers_load_conforming_rows_or_raise_source_error():
    """Each example's shape, geometries and row counts are checked as it runs; the rows of all
    examples are then re-validated against the contract together (validate() has a fixed cost
    per call)."""
    collected: list[tuple[list, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory() as folder:

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(cod_ab_files())
        def check(case):
            name, features = case
            path = write_geojson(Path(folder) / name, features, bom=name.endswith(".json"))
            issues = Issues()
            try:
                tables = cod_ab.read(SPEC, path, issues)
            except SourceError as exc:
                assert str(exc).startswith(f"{name}:"), str(exc)
                return
            finally:
                os.remove(path)
            areas, web = tables["admin_areas"], tables["admin_areas_web"]
            assert_located(issues, name)
            assert list(areas.columns) == ADMIN_AREAS.names + ["geometry"] and areas.crs == "EPSG:4326"
            assert web[ADMIN_AREAS.names].equals(areas[ADMIN_AREAS.names]) and web.crs == "EPSG:4326"
            if len(areas):  # validate() is the slow part: an empty table is checked by its columns
                assert isinstance(areas.index, pd.RangeIndex)
                collected.append((features, areas))
                geoms = areas.geometry.to_numpy()
                assert np.isin(shapely.get_type_id(geoms), (3, 6)).all() and shapely.is_valid(geoms).all()
                assert not shapely.is_empty(geoms).any() and shapely.is_valid(web.geometry.to_numpy()).all()
                assert areas["pcode"].is_unique
            rejected = {p.row for p in issues.problems if not p.reason.endswith("row kept")}
            assert len(areas) + len(rejected) == len(features)  # every row loaded or reported, never both

        check()
    assert_all_conform({"admin_areas": collected}, {"admin_areas": ADMIN_AREAS}, geometry=True)

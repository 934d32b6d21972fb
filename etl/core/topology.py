"""Light copies of polygon coverages for the browser, keeping neighbours' shared edges.

An administrative level is a coverage: its areas do not overlap and neighbours share their
edges vertex for vertex. Simplifying each polygon on its own (Douglas-Peucker per feature) opens
gaps and slivers along those edges; `web_simplify` simplifies each level as one coverage
(`shapely.coverage_simplify`, Visvalingam-Whyatt on the shared edges, in metres) and then snaps
the result to a 1e-5 degree grid (about 1 m; five decimals in GeoJSON) by snap-rounding the
level's edges together and rebuilding every area from the faces they enclose, so that rounding
cannot open gaps, create overlaps or cross an edge over itself.

`web_geojson` writes the copy as the browser receives it (a FeatureCollection with a `pcode`
property only) and `web_geojson_bytes` measures it.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely

METRIC_CRS = "EPSG:32637"  # UTM zone 37N: Syria lies across it
GRID_DEGREES = 1e-5  # five decimals, about 1.1 m at Idlib's latitude


def snap_coverage(polygons: np.ndarray, grid: float = GRID_DEGREES) -> np.ndarray:
    """Round a coverage's coordinates to `grid` while keeping it a coverage.

    The boundaries of all polygons are unioned with snap-rounding (every vertex and crossing on
    the grid), polygonized into faces, and each face is given to the polygon that contains a
    point inside it; each polygon is then the union of its faces. Faces that no polygon contains
    (holes in the coverage) are left out. A polygon left with no face (narrower than the grid)
    falls back to `shapely.set_precision`, which may make it empty.
    """
    polygons = np.asarray(polygons, dtype=object)
    if len(polygons) == 0:
        return polygons
    edges = shapely.union_all(shapely.boundary(polygons), grid_size=grid)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    face_index, polygon_index = shapely.STRtree(polygons).query(shapely.point_on_surface(faces), predicate="intersects")
    owner = np.full(len(faces), -1)
    for face, polygon in zip(face_index[::-1], polygon_index[::-1]):
        owner[face] = polygon  # reversed: a point on a shared edge goes to the first polygon
    out = np.empty(len(polygons), dtype=object)
    for i, polygon in enumerate(polygons):
        mine = faces[owner == i]
        out[i] = shapely.coverage_union_all(mine) if len(mine) else shapely.set_precision(polygon, grid)
    return out


def web_simplify(areas: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """A copy of `areas` (EPSG:4326, a `level` column) simplified level by level as coverages.

    `tolerance_m` is the Visvalingam-Whyatt tolerance in metres (about the square root of the
    largest triangle removed); 0 only rounds. Coordinates come out on a 1e-5 degree grid.
    Levels are simplified independently: areas of one level still tile, but an admin-2 edge and
    the admin-3 edges under it are simplified separately.
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m must be >= 0 metres, got {tolerance_m}")
    out = areas.copy()
    geometry = out.geometry.to_numpy().copy()
    for level in out["level"].unique():
        rows = (out["level"] == level).to_numpy(dtype=bool)
        metric = gpd.GeoSeries(geometry[rows], crs=out.crs).to_crs(METRIC_CRS).to_numpy()
        simplified = shapely.coverage_simplify(metric, tolerance_m) if tolerance_m else metric
        degrees = gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(out.crs).to_numpy()
        geometry[rows] = snap_coverage(degrees)
    return out.set_geometry(gpd.GeoSeries(geometry, index=out.index, crs=out.crs))


def web_geojson(areas: gpd.GeoDataFrame) -> str:
    """The areas as the browser receives them: a compact FeatureCollection, `pcode` only."""
    features = [
        {"type": "Feature", "properties": {"pcode": pcode}, "geometry": shapely.geometry.mapping(geom)}
        for pcode, geom in zip(areas["pcode"], areas.geometry)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False)


def web_geojson_bytes(areas: gpd.GeoDataFrame) -> int:
    """Size in bytes (UTF-8) of `web_geojson(areas)`."""
    return len(web_geojson(areas).encode("utf-8"))

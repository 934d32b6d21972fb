"""The input of the ETL benchmark (bench/etl_run.py): a CLEARLY SYNTHETIC export in ACLED's 2023+
layout (the 31 columns of acleddata.com's export tool, comma-separated, UTF-8), and the admin
boundaries to join it to.

    python -m bench.etl_input --rows 1000000 --out /tmp/acled-synthetic.csv

Admin areas: OCHA COD-AB from ../shared/data when present (read by the ETL's own adapter),
otherwise the dashboard benchmark's synthetic sub-districts (bench.synthetic.synthetic_areas)
written as a GeoPackage in COD-AB's classic schema, one layer per level, for the ETL to read.

The rows, in file order (shuffled), every one saying SYNTHETIC in its notes:
- points inside the sub-districts, mostly in Idleb (SY07) and Aleppo (SY02), 5 decimals as ACLED
  writes them (rounding may move a point near the border just outside Syria: realistic);
- `EDGE_SHARE` exactly on a vertex two sub-districts share (written with every digit, so the ETL
  reads the very same point);
- `ACROSS_SHARE` in Türkiye within a kilometre of the Syrian border (50-950 m outside COD-AB's
  Syria, on the Turkish side of the Syria-Türkiye line): the snap's business;
- `OUTSIDE_SHARE` in neighbouring countries more than 3 km from Syria (kept, without P-codes);
- `BAD_SHARE` with one bad value each (a date, a coordinate, fatalities, geo_precision, an
  event_id repeated or missing), plus a few rows shifted past the header's last column and a few
  blank lines: the rejects' business.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from bench.synthetic import COD_AB_DIR, sample_points
from etl.config import DATA_DIR

HEADER = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
WEIGHT = {"SY07": 40.0, "SY02": 12.0}  # events per sub-district, against 1 elsewhere: mostly Idleb, then Aleppo
EDGE_SHARE, ACROSS_SHARE, OUTSIDE_SHARE, BAD_SHARE = 0.005, 0.003, 0.005, 0.002
SHIFTED_ROWS, BLANK_LINES = 20, 3
METRIC = "EPSG:32637"
EVENT_TYPES = {  # event_type -> (disorder type, sub-event types, share)
    "Explosions/Remote violence": ("Political violence", ("Shelling/artillery/missile attack", "Air/drone strike",
                                                          "Remote explosive/landmine/IED"), 0.45),
    "Battles": ("Political violence", ("Armed clash", "Government regains territory"), 0.25),
    "Violence against civilians": ("Political violence", ("Attack", "Abduction/forced disappearance"), 0.12),
    "Strategic developments": ("Strategic developments", ("Looting/property destruction", "Arrests", "Other"), 0.08),
    "Protests": ("Demonstrations", ("Peaceful protest", "Protest with intervention"), 0.08),
    "Riots": ("Demonstrations", ("Violent demonstration", "Mob violence"), 0.02),
}
ACTORS = ("SYNTHETIC armed group A", "SYNTHETIC armed group B", "SYNTHETIC military forces",
          "SYNTHETIC militia C", "Civilians (SYNTHETIC)", "Protesters (SYNTHETIC)")
SOURCES = ("SYNTHETIC observatory", "SYNTHETIC local news; SYNTHETIC wire", "SYNTHETIC monitor")
NOTE_WORDS = ("shelling", "reported", "village", "outskirts", "drone", "struck", "near", "road", "a",
              "vehicle", "market", "casualties,", "unknown", "forces", "positions", "the", "of", "on", '"the source"')
BAD_KINDS = ("date", "date_text", "latitude", "longitude_blank", "fatalities", "fatalities_text", "precision",
             "event_id_blank", "event_id_repeated", "latitude_beyond")


@dataclass(frozen=True)
class Areas:
    """Where the admin areas come from and what they are."""

    path: Path  # what the ETL's cod_ab adapter reads
    kind: str  # "OCHA COD-AB" or "synthetic"
    admin: gpd.GeoDataFrame  # admin_areas as the ETL reads them (levels 0-3)


def admin_areas(workdir: Path, seed: int = 0, cod_ab_dir: Path | None = COD_AB_DIR) -> Areas:
    """COD-AB when present, else synthetic sub-districts written as a GeoPackage under `workdir`."""
    from etl.adapters import cod_ab
    from etl.core.issues import Issues
    from etl.core.spec import SourceSpec

    if cod_ab_dir is not None and Path(cod_ab_dir).is_dir():
        path, kind = Path(cod_ab_dir), "OCHA COD-AB"
    else:
        path, kind = workdir / f"synthetic-admin-s{seed}.gpkg", "synthetic"
        if not path.exists():
            write_synthetic_areas(path, seed)
    read = cod_ab.read(SourceSpec("areas", "cod_ab", path=path), path, Issues())
    return Areas(path, kind, read["admin_areas"])


def write_synthetic_areas(path: Path, seed: int) -> None:
    """bench.synthetic's Voronoi districts and sub-districts inside the real governorates, as a
    GeoPackage in COD-AB's classic schema (layers admin0..admin3)."""
    from bench.synthetic import default_tables, synthetic_areas

    real, _ = default_tables(None)
    areas = synthetic_areas(real["admin_areas"], np.random.default_rng(seed))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for level in (0, 1, 2, 3):
        rows = areas[areas["level"] == level]
        columns = {f"ADM{level}_EN": rows["name_en"].to_numpy(), f"ADM{level}_AR": rows["name_ar"].to_numpy(),
                   f"ADM{level}_PCODE": rows["pcode"].to_numpy()}
        if level:
            columns[f"ADM{level - 1}_PCODE"] = rows["parent_pcode"].to_numpy()
        layer = gpd.GeoDataFrame(columns, geometry=rows.geometry.to_numpy(), crs="EPSG:4326")
        layer.to_file(tmp, layer=f"admin{level}", driver="GPKG")
    tmp.replace(path)


# --- points -----------------------------------------------------------------------------------------

def inside_points(subdistricts: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    weights = np.array([WEIGHT.get(p[:4], 1.0) for p in subdistricts["pcode"]]) * rng.lognormal(0, 0.5, len(subdistricts))
    counts = rng.multinomial(n, weights / weights.sum())
    parts = [sample_points(g, int(k), rng) for g, k in zip(subdistricts.geometry, counts) if k]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def shared_vertices(subdistricts: gpd.GeoDataFrame) -> np.ndarray:
    """(lon, lat) of every vertex that two or more sub-districts share, exactly as stored."""
    rings = shapely.get_rings(shapely.get_parts(subdistricts.geometry.to_numpy()))
    xy, owner = shapely.get_coordinates(rings, return_index=True)
    polygon_of_ring = np.repeat(np.arange(len(subdistricts)),
                                [len(shapely.get_rings(shapely.get_parts(g))) for g in subdistricts.geometry])
    pairs = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "area": polygon_of_ring[owner]}).drop_duplicates()
    shared = pairs.groupby(["x", "y"]).size()
    return shared[shared >= 2].index.to_frame().to_numpy()


def across_border_points(syria, border: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points 50-950 m outside `syria` (metric) on the Turkish side of the Syria-Türkiye line."""
    line = border.to_crs(METRIC).union_all()
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        k = 2 * (n - got) + 16
        along = shapely.line_interpolate_point(line, rng.uniform(0, line.length, k))
        ahead = shapely.line_interpolate_point(line, shapely.line_locate_point(line, along) + 10.0)
        a, b = shapely.get_coordinates(along), shapely.get_coordinates(ahead)
        normal = np.column_stack([-(b - a)[:, 1], (b - a)[:, 0]])
        normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-9)[:, None]
        offset = rng.uniform(50, 1500, k)[:, None]
        candidates = np.vstack([a + normal * offset, a - normal * offset])
        points = shapely.points(candidates)
        gap = shapely.distance(syria, points)
        keep = (gap >= 50) & (gap <= 950) & (candidates[:, 1] > a.min(axis=0)[1] - 200_000)
        out.append(candidates[keep])
        got += int(keep.sum())
    metric = np.concatenate(out)[:n]
    return shapely.get_coordinates(gpd.GeoSeries(shapely.points(metric), crs=METRIC).to_crs("EPSG:4326").to_numpy())


def outside_points(syria_wgs84, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points in the region the events contract allows but more than about 3 km from Syria."""
    far = shapely.buffer(syria_wgs84, 0.03)
    shapely.prepare(far)
    out, got = [], 0
    while got < n:
        k = 3 * (n - got) + 16
        xy = np.column_stack([rng.uniform(35.0, 42.5, k), rng.uniform(32.0, 38.5, k)])
        keep = ~shapely.contains_xy(far, xy[:, 0], xy[:, 1])
        out.append(xy[keep])
        got += int(keep.sum())
    return np.concatenate(out)[:n]


# --- the file ---------------------------------------------------------------------------------------

def pick(codes, categories) -> pa.Array:
    """Text from integer codes into `categories` (-1: blank)."""
    codes = np.asarray(codes)
    taken = pc.take(pa.array(list(categories), pa.string()), pa.array(codes, mask=codes < 0))
    return pc.fill_null(taken, "")


def text(values) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def notes_pool(rng: np.random.Generator, size: int = 2000) -> list[str]:
    """Notes of 60-400 characters, each saying it is synthetic."""
    pool = []
    for _ in range(size):
        words = rng.choice(NOTE_WORDS, int(rng.integers(4, 26)))
        pool.append("SYNTHETIC, not a real event: " + " ".join(words) + ".")
    return pool


def event_table(lon: np.ndarray, lat: np.ndarray, exact: np.ndarray, names: pd.DataFrame,
                rng: np.random.Generator) -> pa.Table:
    """The 31 columns as text; `exact` marks coordinates written with every digit."""
    n = len(lon)
    days = rng.integers(0, 365 * 8, n)
    dates = np.datetime64("2017-01-01") + days.astype("timedelta64[D]")
    types = list(EVENT_TYPES)
    kind = rng.choice(len(types), n, p=[EVENT_TYPES[t][2] for t in types])
    subs = [s for t in types for s in EVENT_TYPES[t][1]]
    offset = np.cumsum([0] + [len(EVENT_TYPES[t][1]) for t in types])
    sub = offset[kind] + (rng.random(n) * np.diff(offset)[kind]).astype(int)
    dead = np.where(rng.random(n) < 0.35, rng.geometric(0.4, n), 0)
    rounded_lon, rounded_lat = np.round(lon, 5), np.round(lat, 5)
    blank = pick(np.zeros(n, dtype=int), [""])
    columns = {
        "event_id_cnty": pc.binary_join_element_wise("SYR", text(np.arange(1, n + 1)), ""),
        "event_date": text(dates.astype(str)),
        "year": text(dates.astype("datetime64[Y]").astype(int) + 1970),
        "time_precision": text(rng.choice([1, 2, 3], n, p=[0.8, 0.15, 0.05])),
        "disorder_type": pick(kind, [EVENT_TYPES[t][0] for t in types]),
        "event_type": pick(kind, types),
        "sub_event_type": pick(sub, subs),
        "actor1": pick(rng.integers(0, len(ACTORS), n), ACTORS),
        "assoc_actor_1": blank,
        "inter1": text(rng.integers(1, 8, n)),
        "actor2": pick(rng.integers(-1, len(ACTORS), n), ACTORS),
        "assoc_actor_2": blank,
        "inter2": text(rng.integers(0, 8, n)),
        "interaction": text(rng.integers(10, 80, n)),
        "civilian_targeting": pick(np.where(rng.random(n) < 0.2, 0, -1), ["Civilian targeting"]),
        "iso": pick(np.zeros(n, dtype=int), ["760"]),
        "region": pick(np.zeros(n, dtype=int), ["Middle East"]),
        "country": pick(np.zeros(n, dtype=int), ["Syria"]),
        "admin1": pa.array(names["admin1"].to_numpy(), pa.string()),
        "admin2": pa.array(names["admin2"].to_numpy(), pa.string()),
        "admin3": pa.array(names["admin3"].to_numpy(), pa.string()),
        "location": pa.array(names["admin3"].to_numpy(), pa.string()),
        "latitude": pc.if_else(pa.array(exact), text(lat), text(rounded_lat)),
        "longitude": pc.if_else(pa.array(exact), text(lon), text(rounded_lon)),
        "geo_precision": text(rng.choice([1, 2, 3], n, p=[0.6, 0.3, 0.1])),
        "source": pick(rng.integers(0, len(SOURCES), n), SOURCES),
        "source_scale": pick(rng.integers(0, 3, n), ["Local partner-National", "National", "Subnational"]),
        "notes": pick(rng.integers(0, 2000, n), notes_pool(rng)),
        "fatalities": text(dead),
        "tags": blank,
        "timestamp": text((days + 17167) * 86400 + 43200),
    }
    return pa.table({name: pc.fill_null(columns[name], "") for name in HEADER})


def damage(table: pa.Table, rng: np.random.Generator, share: float) -> pa.Table:
    """One bad value in about `share` of the rows (see BAD_KINDS)."""
    n = table.num_rows
    rows = rng.choice(n, max(len(BAD_KINDS), int(n * share)), replace=False)
    kinds = np.arange(len(rows)) % len(BAD_KINDS)
    values = {
        "date": ("event_date", "2020-02-30"), "date_text": ("event_date", "last week"),
        "latitude": ("latitude", "north"), "longitude_blank": ("longitude", ""),
        "fatalities": ("fatalities", "-3"), "fatalities_text": ("fatalities", "many"),
        "precision": ("geo_precision", "5"), "event_id_blank": ("event_id_cnty", ""),
        "latitude_beyond": ("latitude", "48.85"),
    }
    columns = {name: table.column(name).to_numpy(zero_copy_only=False).astype(object) for name in
               {"event_date", "latitude", "longitude", "fatalities", "geo_precision", "event_id_cnty"}}
    for row, kind in zip(rows, kinds):
        name = BAD_KINDS[kind]
        if name == "event_id_repeated":
            columns["event_id_cnty"][row] = columns["event_id_cnty"][(row + 1) % n]
        else:
            column, value = values[name]
            columns[column][row] = value
    for name, values_ in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values_, pa.string()))
    return table


def odd_lines(table: pa.Table, rng: np.random.Generator) -> dict[int, str]:
    """Lines to put before some data rows: rows shifted past the header's last column, blank lines."""
    out = {}
    for i in rng.choice(table.num_rows, SHIFTED_ROWS + BLANK_LINES, replace=False)[:SHIFTED_ROWS]:
        row = [str(v) for v in table.slice(int(i), 1).to_pylist()[0].values()]
        row[0] = f"SYRSHIFTED{int(i)}"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([*row, "value past the last column"])
        out[int(i)] = buffer.getvalue()
    for i in rng.choice(table.num_rows, BLANK_LINES, replace=False):
        out[int(i)] = out.get(int(i), "") + "\n"
    return out


def quoted_as_needed(column: pa.Array) -> pa.Array:
    """A cell as a CSV writer quotes it: in quotes (inner quotes doubled) only when it holds a
    delimiter, a quote or a line break."""
    needs = pc.match_substring_regex(column, '[,"\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, column)


def write_csv(table: pa.Table, odd: dict[int, str], path: Path, chunk: int = 100_000) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        cuts = sorted({0, table.num_rows, *odd, *range(0, table.num_rows, chunk)})
        for start, stop in zip(cuts, cuts[1:]):
            if start in odd:
                out.write(odd[start])
            part = table.slice(start, stop - start)
            lines = pc.binary_join_element_wise(*[quoted_as_needed(c.combine_chunks()) for c in part.columns], ",")
            out.write("\n".join(lines.to_pylist()) + "\n")
    tmp.replace(path)


def generate(path: Path, rows: int, areas: Areas, seed: int = 0) -> dict:
    """Write the synthetic export to `path`; returns how many rows of each kind it holds."""
    rng = np.random.default_rng(seed)
    admin = areas.admin
    subdistricts = admin[admin["level"] == 3].sort_values("pcode").reset_index(drop=True)
    syria = shapely.union_all(admin.loc[admin["level"] == 1].geometry.to_numpy())
    counts = {"edge": int(rows * EDGE_SHARE), "across": int(rows * ACROSS_SHARE), "outside": int(rows * OUTSIDE_SHARE)}
    counts["inside"] = rows - sum(counts.values())
    lon, lat = inside_points(subdistricts, counts["inside"], rng)
    vertices = shared_vertices(subdistricts)
    edge = vertices[rng.integers(0, len(vertices), counts["edge"])]
    border = gpd.read_file(DATA_DIR / "geometry" / "border.geojson")
    syria_metric = gpd.GeoSeries([syria], crs="EPSG:4326").to_crs(METRIC).iloc[0]
    across = across_border_points(syria_metric, border, counts["across"], rng)
    outside = outside_points(syria, counts["outside"], rng)
    xy = np.vstack([np.column_stack([lon, lat]), edge, across, outside])
    exact = np.zeros(len(xy), dtype=bool)
    exact[counts["inside"]:counts["inside"] + counts["edge"]] = True
    order = rng.permutation(len(xy))
    xy, exact = xy[order], exact[order]
    names = area_names(xy, subdistricts, admin)
    table = damage(event_table(xy[:, 0], xy[:, 1], exact, names, rng), rng, BAD_SHARE)
    write_csv(table, odd_lines(table, rng), path)
    return {**counts, "bad": max(len(BAD_KINDS), int(rows * BAD_SHARE)), "shifted": SHIFTED_ROWS, "blank": BLANK_LINES}


def area_names(xy: np.ndarray, subdistricts: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> pd.DataFrame:
    """admin1-3 names as ACLED would give them (the sub-district the point falls in; blank outside)."""
    tree = shapely.STRtree(subdistricts.geometry.to_numpy())
    points = shapely.points(xy)
    at, area = tree.query(points, predicate="intersects")
    first = np.full(len(xy), -1)
    first[at[::-1]] = area[::-1]
    name = dict(zip(admin["pcode"], admin["name_en"]))
    pcode = subdistricts["pcode"].to_numpy()
    codes = [(name.get(p[:4], ""), name.get(p[:6], ""), name.get(p, "")) for p in pcode]
    table = pd.DataFrame(codes + [("", "", "")], columns=["admin1", "admin2", "admin3"])
    return table.iloc[np.where(first >= 0, first, len(codes))].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.etl_input", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    parser.add_argument("--synthetic-areas", action="store_true", help="synthetic sub-districts even with COD-AB")
    args = parser.parse_args(argv)
    areas = admin_areas(args.out.parent, args.seed, None if args.synthetic_areas else COD_AB_DIR)
    print(generate(args.out, args.rows, areas, args.seed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

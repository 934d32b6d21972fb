"""A small SYNTHETIC world for the derived-table tests, drawn in UTM 37N (EPSG:32637) metres so
that every distance is known by construction, then converted to EPSG:4326 as the ETL receives
its inputs. None of it is real geography: the P-codes are Idleb's format, the places invented.

    border      y = 4,000,000 m, from x = 400,000 to 700,000 (300 km)
    Syria       the box south of it, Türkiye the box north of it
    SY07        governorate: x 450-650 km, y 3,900-4,000 km; SY0703 its only district
    SY070301..4 4 km squares whose centres lie 5, 20, 40 and 80 km south of the border
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from etl.contracts import ADMIN_AREAS, DISPLACEMENT, EVENTS, IDP_STOCK, LOCATIONS

METRIC = "EPSG:32637"
BORDER_Y = 4_000_000.0
BORDER_X = (400_000.0, 700_000.0)
# sub-district -> centre (metres); the distance to the border is BORDER_Y - y
CENTRES = {
    "SY070301": (500_000.0, BORDER_Y - 5_000),
    "SY070302": (530_000.0, BORDER_Y - 20_000),
    "SY070303": (545_000.0, BORDER_Y - 40_000),
    "SY070304": (600_000.0, BORDER_Y - 80_000),
}
BORDER_KM = {pcode: (BORDER_Y - y) / 1000 for pcode, (_, y) in CENTRES.items()}  # 5, 20, 40, 80
SOURCE = "synthetic-test"


def to_wgs84(geometries: list) -> gpd.GeoSeries:
    return gpd.GeoSeries(geometries, crs=METRIC).to_crs("EPSG:4326")


def admin_areas() -> gpd.GeoDataFrame:
    rows = [("SY", 0, None, box(350_000, 3_850_000, 750_000, BORDER_Y)),
            ("SY07", 1, "SY", box(450_000, 3_900_000, 650_000, BORDER_Y)),
            ("SY0703", 2, "SY07", box(450_000, 3_900_000, 650_000, BORDER_Y))]
    rows += [(p, 3, "SY0703", box(x - 2000, y - 2000, x + 2000, y + 2000)) for p, (x, y) in CENTRES.items()]
    frame = ADMIN_AREAS.empty().reindex(range(len(rows)))
    frame["pcode"] = pd.array([r[0] for r in rows], dtype="string")
    frame["level"] = pd.array([r[1] for r in rows], dtype="Int64")
    frame["parent_pcode"] = pd.array([r[2] for r in rows], dtype="string")
    frame["name_en"] = frame["pcode"]
    frame["source_id"] = SOURCE
    return gpd.GeoDataFrame(frame, geometry=to_wgs84([r[3] for r in rows]), crs="EPSG:4326")


def border() -> gpd.GeoDataFrame:
    line = LineString([(BORDER_X[0], BORDER_Y), (BORDER_X[1], BORDER_Y)])
    return gpd.GeoDataFrame({"name_en": ["synthetic border"], "source_id": [SOURCE]}, geometry=to_wgs84([line]),
                            crs="EPSG:4326")


def countries(with_syria: bool = True) -> gpd.GeoDataFrame:
    rows = [("TUR", box(350_000, BORDER_Y, 750_000, 4_150_000))]
    if with_syria:
        rows.append(("SYR", box(350_000, 3_850_000, 750_000, BORDER_Y)))
    return gpd.GeoDataFrame({"iso3": pd.array([r[0] for r in rows], dtype="string"), "source_id": SOURCE},
                            geometry=to_wgs84([r[1] for r in rows]), crs="EPSG:4326")


def frame(contract, rows: list[dict]) -> pd.DataFrame:
    """Rows of a contract's table with its dtypes (columns not given are empty)."""
    empty = contract.empty()
    out = pd.DataFrame([{c: r.get(c) for c in contract.names} for r in rows], columns=contract.names)
    return out.astype(empty.dtypes.to_dict()) if rows else empty


def displacement(rows: list[dict]) -> pd.DataFrame:
    defaults = {"area_en": "synthetic", "qualifier": "exact", "unit": "displacements", "measure": "period",
                "kind": "observation", "source_id": SOURCE, "period_start": "2020-01-01", "period_end": "2020-01-31"}
    return frame(DISPLACEMENT, [defaults | r for r in rows])


def flow(fact_id: str, origin: str, dest: str, persons: int | None, **more) -> dict:
    return {"fact_id": fact_id, "direction": "flow", "origin_pcode": origin, "dest_pcode": dest, "value": persons,
            "pcode": dest, **more}


def arrival(fact_id: str, pcode: str, persons: int, **more) -> dict:
    return {"fact_id": fact_id, "direction": "arrivals", "pcode": pcode, "dest_pcode": pcode, "value": persons,
            "unit": "idp_arrivals", **more}


def locations(rows: list[tuple[str, str | None, tuple[float, float] | None]]) -> gpd.GeoDataFrame:
    """(location_pcode, adm3_pcode, metric (x, y) or None) -> the locations table."""
    points = to_wgs84([None if xy is None else Point(xy) for _, _, xy in rows])
    out = frame(LOCATIONS, [{
        "location_pcode": code, "name_en": code, "kind": "community", "adm3_pcode": adm3, "source_id": SOURCE,
        "lon": None if xy is None else point.x, "lat": None if xy is None else point.y,
    } for (code, adm3, xy), point in zip(rows, points)])
    return gpd.GeoDataFrame(out, geometry=points.to_numpy(), crs="EPSG:4326")


def events(rows: list[dict]) -> gpd.GeoDataFrame:
    defaults = {"dataset": "UCDP", "date_end": None, "lat": 35.9, "lon": 36.6, "source_id": SOURCE}
    out = frame(EVENTS, [defaults | {k: v for k, v in r.items() if not k.startswith("adm")} for r in rows])
    for level in (1, 2, 3):
        out[f"adm{level}_pcode"] = pd.array([r.get(f"adm{level}_pcode") for r in rows], dtype="string")
    out["date_end"] = out["date_end"].fillna(out["date_start"])
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326")


def idp_stock(rows: list[dict]) -> pd.DataFrame:
    defaults = {"area_en": "synthetic", "qualifier": "exact", "unit": "idps", "source_id": SOURCE, "date": "2022-11-30"}
    return frame(IDP_STOCK, [defaults | r for r in rows])

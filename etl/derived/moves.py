"""The moves table: displacement rows placed on the map with their distances to the Syria–Türkiye
border (for the movement-toward-the-border figures and the map's flow arcs).

- basis "flow": direction 'flow' (origin_pcode -> dest_pcode), between areas of any admin level
  (OCHA's monthly matrix is by governorate; CCCM's movements by sub-district); the map draws each
  flow at the levels both its ends are known at;
- basis "arrival": direction 'arrivals' whose pcode is a sub-district (SY070301): destination only.
The border summary (etl/derived/tables.py) counts destinations known at sub-district level only: a
governorate's point says nothing of how near the border its arrivals went.
Planning scenarios are left out. Each end sits at its admin area's representative point (see
etl/derived/area_metrics.py); an arrival whose location_pcode is a community with coordinates in `locations`
sits at that community instead. A P-code with no geometry leaves its distances NaN and is
reported once (table "moves"); its rows stay.

Pure functions; everything vectorised (the bench feeds 200,000 rows).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from etl.contracts import MOVES, PCODE, SUB_DISTRICT
from etl.core.geo import METRIC_CRS, WGS84
from etl.core.issues import Issues, report_each
from etl.derived.border_line import border_line, distance_km
from etl.derived.schema import conform, empty

UNPLACED = ("expected a P-code with a polygon in admin_areas (sub-districts come with COD-AB); "
            "its rows are kept with their distances empty")


def select(displacement: pd.DataFrame) -> pd.DataFrame:
    """The displacement rows that make moves, with basis, origin and destination (no scenarios)."""
    rows = displacement[(displacement["kind"] != "scenario").fillna(True).astype(bool)]
    flow = (rows["direction"] == "flow").fillna(False).astype(bool)
    arrival = ((rows["direction"] == "arrivals") & rows["pcode"].str.fullmatch(SUB_DISTRICT)).fillna(False).astype(bool)
    dest = rows["dest_pcode"].where(flow, rows["pcode"])
    known = dest.str.fullmatch(SUB_DISTRICT).fillna(False).astype(bool)
    admin = (dest.str.fullmatch(PCODE) & rows["origin_pcode"].str.fullmatch(PCODE)).fillna(False).astype(bool)
    keep = (flow & admin) | (arrival & known)
    out = rows.loc[keep, ["fact_id", "period_start", "period_end", "location_pcode", "value", "unit", "kind", "source_id"]]
    return out.assign(
        basis=np.where(flow[keep], "flow", "arrival"),
        origin_pcode=rows.loc[keep, "origin_pcode"].where(flow[keep]),
        dest_pcode=dest[keep],
        persons=rows.loc[keep, "value"],
    )


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """values[at] with NaN where at == -1 (not found)."""
    out = np.full(len(at), np.nan)
    found = at >= 0
    out[found] = values[at[found]]
    return out


def _positions(index: pd.Index, codes: pd.Series) -> np.ndarray:
    return index.get_indexer(codes.astype("string").fillna("").to_numpy(dtype=object))


def located_communities(locations: pd.DataFrame, border: gpd.GeoDataFrame) -> pd.DataFrame:
    """Communities (and other located sites) with coordinates: lon, lat, metric x, y and
    border_km, indexed by location_pcode."""
    columns = ["lon", "lat", "x", "y", "border_km"]
    if locations is None or locations.empty or not {"lon", "lat", "location_pcode"} <= set(locations.columns):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}, index=pd.Index([], dtype="string"))
    known = locations[locations["lon"].notna() & locations["lat"].notna()].drop_duplicates("location_pcode")
    lon, lat = known["lon"].to_numpy("float64"), known["lat"].to_numpy("float64")
    x, y = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True).transform(lon, lat)
    points = gpd.points_from_xy(x, y).to_numpy() if len(known) else np.array([], dtype=object)
    frame = pd.DataFrame({"lon": lon, "lat": lat, "x": x, "y": y, "border_km": distance_km(points, border_line(border))},
                         index=pd.Index(known["location_pcode"].astype("string").to_numpy(), dtype="string"))
    return frame


def build_moves(displacement: pd.DataFrame, points: pd.DataFrame, locations: pd.DataFrame,
                border: gpd.GeoDataFrame, issues: Issues) -> pd.DataFrame:
    """The moves table (see the module docstring); `points` is etl.derived.area_metrics.area_points' output."""
    if displacement.empty:
        return empty(MOVES)
    rows = select(displacement).reset_index(drop=True)
    if rows.empty:
        return empty(MOVES)
    areas = pd.Index(points["pcode"].astype("string").to_numpy(), dtype="string")
    at_origin, at_dest = _positions(areas, rows["origin_pcode"]), _positions(areas, rows["dest_pcode"])
    ends = {}
    for end, at in (("origin", at_origin), ("dest", at_dest)):
        for column in ("lon", "lat", "x", "y", "border_km"):
            ends[f"{end}_{column}"] = _take(points[column].to_numpy("float64"), at)
    communities = located_communities(locations, border)
    at_community = _positions(communities.index, rows["location_pcode"])
    at_community[(rows["basis"] != "arrival").to_numpy()] = -1
    use = at_community >= 0
    for column in ("lon", "lat", "x", "y", "border_km"):
        ends[f"dest_{column}"][use] = communities[column].to_numpy("float64")[at_community[use]]
    flow = (rows["basis"] == "flow").to_numpy()
    moves = rows.assign(
        origin_lon=ends["origin_lon"], origin_lat=ends["origin_lat"], dest_lon=ends["dest_lon"], dest_lat=ends["dest_lat"],
        origin_border_km=ends["origin_border_km"], dest_border_km=ends["dest_border_km"],
        toward_border_km=np.where(flow, ends["origin_border_km"] - ends["dest_border_km"], np.nan),
        distance_km=np.where(flow, np.hypot(ends["dest_x"] - ends["origin_x"], ends["dest_y"] - ends["origin_y"]) / 1000.0,
                             np.nan),
    )
    report_unplaced(moves, np.isnan(ends["origin_x"]) & flow, np.isnan(ends["dest_x"]), issues)
    moves = moves.sort_values(["period_start", "period_end", "fact_id"], kind="stable")
    return conform(moves, MOVES)


def report_unplaced(moves: pd.DataFrame, origin_missing: np.ndarray, dest_missing: np.ndarray, issues: Issues) -> None:
    """Each P-code that left a move without a position, once (with the first source using it)."""
    found = pd.concat([
        pd.DataFrame({"pcode": moves.loc[origin_missing, "origin_pcode"], "column": "origin_pcode",
                      "source_id": moves.loc[origin_missing, "source_id"]}),
        pd.DataFrame({"pcode": moves.loc[dest_missing, "dest_pcode"], "column": "dest_pcode",
                      "source_id": moves.loc[dest_missing, "source_id"]}),
    ])
    if found.empty:
        return
    found = found.sort_values(["pcode", "column", "source_id"]).drop_duplicates("pcode")
    report_each(issues, "moves", list(zip(found["source_id"], found["column"], found["pcode"])), UNPLACED, kept=True)

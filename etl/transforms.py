"""Transforms across sources, after every adapter has read its file: admin P-codes for points,
which towns the map keeps, camps placed through their community, names matched to P-codes.

Pure functions: frames in, frames out, problems into the run's Issues.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.core.geo import METRIC_CRS, WGS84
from etl.core.issues import Issues

BORDER_KM = 30
IDLEB = "SY07"
ADM_COLUMNS = ("adm1_pcode", "adm2_pcode", "adm3_pcode")


def select_places(places: gpd.GeoDataFrame, border: gpd.GeoDataFrame, border_km: float = BORDER_KM) -> gpd.GeoDataFrame:
    """Towns of Idleb governorate and towns within `border_km` of the Syria–Türkiye border."""
    if places.empty or border.empty:
        return places
    line = border.to_crs(METRIC_CRS).union_all()
    near = places.to_crs(METRIC_CRS).distance(line) <= border_km * 1000
    in_idleb = places["adm1_pcode"].fillna("") == IDLEB if "adm1_pcode" in places else False
    return places[near | in_idleb].reset_index(drop=True)


def with_admin_pcodes(points: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, table: str, issues: Issues) -> gpd.GeoDataFrame:
    """adm1..3 P-codes by spatial join (Syrian points only are expected to match)."""
    from etl.core.joins import assign_admin_pcodes

    if points.empty:
        out = points.copy()
        for column in ADM_COLUMNS:
            out[column] = pd.Series(dtype="string")
        return out
    # only what the join and its reports read: the events' other columns (a million notes) are not copied
    slim = points[[c for c in ("event_id", "location_pcode", "source_id") if c in points] + [points.geometry.name]]
    located = slim[(points.geometry.notna() & ~points.geometry.is_empty).to_numpy()]
    joined = assign_admin_pcodes(located, admin_areas)
    out = points.copy(deep=False)  # copy-on-write: the input stays as it was
    for column in ADM_COLUMNS:
        existing = out[column] if column in out else pd.Series(pd.NA, index=out.index, dtype="string")
        joined_col = joined[column] if column in joined else pd.Series(pd.NA, index=joined.index, dtype="string")
        out[column] = existing.astype("string").fillna(joined_col.reindex(out.index).astype("string"))
    if table in REPORT_UNJOINED:
        report_unjoined(joined, admin_areas, table, issues)
    return out


REPORT_UNJOINED = ("events", "locations")  # places include Türkiye's towns by design


def report_unjoined(joined: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, table: str, issues: Issues, limit: int = 200):
    """Points outside every admin area (beyond the snap tolerance), with their nearest areas.
    They stay loaded (a strike across the border is still an event), without P-codes. Points
    snapped to an area they lie outside (within the tolerance: across a border line or off the
    coast) are reported too, each one, with the area and the distance: a point in Türkiye 300 m
    from the line is given a Syrian P-code only with a note saying so."""
    from etl.core.joins import TOLERANCE_M, nearest_candidates_many, unjoined

    outside = unjoined(joined)
    level = 1 if not (admin_areas["level"] == 3).any() else 3
    listed_rows = outside.iloc[:limit]
    nearest = nearest_candidates_many(listed_rows.geometry.to_numpy(), admin_areas, level)
    for (_, r), candidates in zip(listed_rows.iterrows(), nearest, strict=True):
        key = r.get("event_id", r.get("location_pcode"))
        listed = ", ".join(f"{c.pcode} {getattr(c, 'name_en', '')} {c.distance_m / 1000:.1f} km" for c in candidates.itertuples())
        issues.add(table, str(r["source_id"]), None, "geometry", key,
                   f"point outside every admin area; kept without P-codes (nearest: {listed or 'none'})")
    if len(outside) > limit:
        r = outside.iloc[limit]
        issues.add(table, str(r["source_id"]), None, "geometry", None,
                   f"{len(outside) - limit} more points outside every admin area (not listed)")
    # snapped at any level (also a point snapped at one level and too far at another)
    snapped = joined[joined["admin_snap_m"].notna().to_numpy()]
    reason = (f"point outside every admin area but within {TOLERANCE_M / 1000:g} km of one (across a border line "
              "or off the coast): given that area's P-codes")
    finest = snapped["adm3_pcode"].fillna(snapped["adm2_pcode"]).fillna(snapped["adm1_pcode"])
    for r, pcode in zip(snapped.itertuples(), finest, strict=True):  # every one: none is given P-codes silently
        key = getattr(r, "event_id", getattr(r, "location_pcode", None))
        issues.add(table, str(r.source_id), None, "geometry", f"{key}: {pcode} at {r.admin_snap_m} m", reason)


def _row_of(fact_id: str) -> int | None:
    """'<source>:<row>[:...]' -> row."""
    parts = str(fact_id).split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def admin_candidates(admin_areas: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(admin_areas[["pcode", "level", "parent_pcode", "name_en", "name_ar"]])


def match_movements(unmatched: pd.DataFrame, admin_areas: pd.DataFrame, files: dict[str, str], issues: Issues) -> pd.DataFrame:
    """Give named-only movements their sub-district P-codes; report names that stay unmatched
    with their nearest candidates. Returns the rows now fully P-coded (ready for displacement)."""
    from etl.core.names import NameMatcher

    if unmatched.empty:
        return unmatched
    if not (admin_areas["level"] == 3).any():
        for r in unmatched.itertuples():
            issues.add("displacement", files.get(r.source_id, r.source_id), _row_of(r.fact_id), "area_en", r.area_en,
                       "sub-district names need admin-3 boundaries (load COD-AB) to be matched to P-codes")
        return unmatched.iloc[0:0]
    matcher = NameMatcher(admin_candidates(admin_areas))
    out = unmatched.copy()
    keep = pd.Series(True, index=out.index)
    for idx, r in out.iterrows():
        names = str(r["area_en"]).split(" → ")
        for side, name in zip(("origin_pcode", "dest_pcode"), names, strict=False):
            if pd.notna(r[side]):
                continue
            match = matcher.match(name, level=3)
            if match.pcode is None:
                issues.add("displacement", files.get(r["source_id"], r["source_id"]), _row_of(r["fact_id"]), side, name,
                           f"expected a sub-district name matching a P-code; {match}")
                keep[idx] = False
            else:
                out.loc[idx, side] = match.pcode
    return out[keep].reset_index(drop=True)


def place_unplaced_camps(locations: gpd.GeoDataFrame, issues: Issues, files: dict[str, str]) -> gpd.GeoDataFrame:
    """Camps listed without coordinates, placed at their parent community (from any source)."""
    from etl.adapters.locations import place_camps

    if locations.empty:
        return locations
    unplaced = locations["lat"].isna() & locations["parent_pcode"].notna()
    if not unplaced.any():
        return locations
    placed = place_camps(locations[unplaced], locations[~unplaced])
    out = locations.copy()
    out.loc[unplaced, placed.columns] = placed
    for r in placed[placed["location_precision"].isna()].itertuples():
        issues.add("locations", files.get(r.source_id, r.source_id), None, "parent_pcode", r.parent_pcode,
                   f"camp {r.location_pcode}: expected a community with coordinates; kept without a position")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)

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
    keep = (points.geometry.notna() & ~points.geometry.is_empty).to_numpy().copy()
    if table == "locations" and "kind" in points:
        # refugee camps lie in the neighbouring countries by definition: never snapped into a Syrian area
        # (HIU's Kilis-Elbeyli camp lies 851 m inside Türkiye) nor reported as outside Syria
        keep = keep & (points["kind"].astype("string").fillna("") != "refugee_camp").to_numpy(dtype=bool)
    located = slim[keep]
    joined = assign_admin_pcodes(located, admin_areas)
    out = points.copy(deep=False)  # copy-on-write: the input stays as it was
    for column in ADM_COLUMNS:
        joined_col = joined[column] if column in joined else pd.Series(pd.NA, index=joined.index, dtype="string")
        joined_col = joined_col if joined_col.index.equals(out.index) else joined_col.reindex(out.index)
        if column not in out:  # nothing to keep: the join's column itself (a million P-codes not copied)
            out[column] = joined_col.astype("string")
            continue
        out[column] = out[column].astype("string").fillna(joined_col.astype("string"))
    if table in REPORT_UNJOINED:
        report_unjoined(joined, admin_areas, table, issues)
        report_snapped(joined, table, issues)
    return out


SNAPPED = ("point outside Syria's admin areas (across the border line or the coast) but within the snap's "
           "tolerance of one: given that area's P-codes; kept")


def report_snapped(joined: gpd.GeoDataFrame, table: str, issues: Issues) -> None:
    """Points the join moved across a boundary line into the nearest area at any level (etl/core/joins.py):
    every one is named, with how far it was moved and where to, so that a strike just across the border
    is never counted as Syrian without a word."""
    snapped = joined[joined["admin_snap_m"].notna().to_numpy()]
    finest = snapped["adm3_pcode"].fillna(snapped["adm2_pcode"]).fillna(snapped["adm1_pcode"])
    keys = snapped["event_id"] if "event_id" in snapped else snapped.get("location_pcode", pd.Series(None, index=snapped.index))
    for source, key, where, metres in zip(snapped["source_id"], keys, finest, snapped["admin_snap_m"], strict=True):
        issues.note(table, str(source), None, "geometry", key, SNAPPED, detail=f"moved {float(metres):,.0f} m into {where}")


REPORT_UNJOINED = ("events", "locations")  # places include Türkiye's towns by design


def report_unjoined(joined: gpd.GeoDataFrame, admin_areas: gpd.GeoDataFrame, table: str, issues: Issues, limit: int = 200):
    """Points outside every admin area (beyond the snap tolerance), with their nearest areas.
    They stay loaded (a strike across the border is still an event), without P-codes; points the
    snap moved are reported by report_snapped."""
    from etl.core.joins import nearest_candidates_many, unjoined

    outside = unjoined(joined)
    level = 1 if not (admin_areas["level"] == 3).any() else 3
    listed_rows = outside.iloc[:limit]
    nearest = nearest_candidates_many(listed_rows.geometry.to_numpy(), admin_areas, level)
    keys = listed_rows["event_id"] if "event_id" in listed_rows else listed_rows.get("location_pcode")
    keys = keys if keys is not None else pd.Series(None, index=listed_rows.index, dtype=object)
    for source, key, candidates in zip(listed_rows["source_id"], keys, nearest, strict=True):
        names = candidates["name_en"] if "name_en" in candidates else [""] * len(candidates)
        listed = ", ".join(f"{pcode} {name} {metres / 1000:.1f} km"
                           for pcode, name, metres in zip(candidates["pcode"], names, candidates["distance_m"], strict=True))
        issues.note(table, str(source), None, "geometry", key, OUTSIDE, detail=f"nearest: {listed or 'none'}")
    if len(outside) > limit:
        issues.note(table, str(outside.iloc[limit]["source_id"]), None, "geometry", None, OUTSIDE,
                    detail=f"and {len(outside) - limit} more not listed")


OUTSIDE = "point outside every admin area; kept without P-codes"


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
                           "expected a sub-district name matching a P-code", detail=str(match))
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
        issues.note("locations", files.get(r.source_id, r.source_id), None, "parent_pcode", r.parent_pcode,
                    f"camp {r.location_pcode}: expected a community with coordinates; kept without a position")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)


# ---- area names to P-codes (etl/core/areas.py) ----------------------------------------------------

NO_MATCH = "expected an area name matching a P-code; kept without a P-code"
COARSER = "expected an area name matching a P-code; kept at the coarser area its other names matched"
FLOW_UNMATCHED = "expected origin and destination names matching P-codes; a flow needs both, so it is left out"
NO_SUB_DISTRICT_OF = ("expected a community listed with its sub-district (a communities list or a gazetteer); kept "
                      "without a P-code")
NO_AREAS = ("area names need admin areas to be matched to P-codes (load COD-AB for districts and sub-districts, "
            "a communities list for communities)")


def name_candidates(admin_areas: pd.DataFrame, gazetteer: pd.DataFrame | None) -> pd.DataFrame:
    """Admin areas (levels 1-3) and gazetteer entries as the name matcher's candidates; a
    gazetteer's P-codes and alternative spellings add to the areas', its names never replace them."""
    areas = admin_candidates(admin_areas)
    areas = areas[areas["level"].between(1, 3)]
    if gazetteer is None or gazetteer.empty:
        return areas
    listed = pd.DataFrame(gazetteer[["pcode", "level", "parent_pcode", "name_en", "name_ar", "alt_names"]])
    listed = listed[listed["level"].between(1, 3)]
    return pd.concat([areas, listed], ignore_index=True)


def community_candidates(locations: pd.DataFrame, gazetteer: pd.DataFrame | None) -> pd.DataFrame:
    """Communities (admin 4) with their sub-district: from the locations table and a gazetteer's level 4."""
    parts = []
    if locations is not None and len(locations) and "kind" in locations:
        known = locations[(locations["kind"] == "community") & locations["adm3_pcode"].notna()]
        parts.append(pd.DataFrame({"pcode": known["location_pcode"], "level": 4, "parent_pcode": known["adm3_pcode"],
                                   "name_en": known["name_en"], "name_ar": known["name_ar"]}))
    if gazetteer is not None and len(gazetteer):
        level4 = gazetteer[gazetteer["level"] == 4]
        parts.append(pd.DataFrame(level4[["pcode", "level", "parent_pcode", "name_en", "name_ar", "alt_names"]]))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True).drop_duplicates("pcode") if parts else pd.DataFrame()


def _community_matcher(communities: pd.DataFrame):
    """(name, sub-district P-code) -> Match among the communities of that sub-district."""
    from etl.core.names import NameMatcher

    if communities.empty:
        return None
    by_parent = {parent: rows for parent, rows in communities.groupby("parent_pcode")}
    made: dict[str, NameMatcher] = {}

    def match(name: str, sub_district: str):
        if sub_district not in made:
            made[sub_district] = NameMatcher(by_parent.get(sub_district, communities.iloc[0:0]))
        return made[sub_district].match(name, level=4)
    return match


def match_area_names(tables: dict[str, pd.DataFrame], pending: pd.DataFrame, files: dict[str, str],
                     issues: Issues) -> dict[str, pd.DataFrame]:
    """Fill the P-codes of rows that name their areas (see etl/core/areas.py): each chain of names
    is matched top down (governorate, district, sub-district, community); a name that matches
    nothing is reported with its nearest candidates and the row keeps the P-code of the coarser
    names that matched (a flow whose origin or destination matched nothing is left out). Returns
    the tables changed."""
    from etl.core.areas import LEVEL_NAMES, chain_match
    from etl.core.names import NameMatcher

    if pending is None or pending.empty:
        return {}
    candidates = name_candidates(tables["admin_areas"], tables.get("gazetteer"))
    matchers = {lv: NameMatcher(candidates[candidates["level"] == lv]) for lv in (1, 2, 3)
                if (candidates["level"] == lv).any()}
    communities = community_candidates(tables.get("locations"), tables.get("gazetteer"))
    community = _community_matcher(communities)
    parent_of = dict(zip(communities["pcode"], communities["parent_pcode"])) if len(communities) else {}
    changed: dict[str, pd.DataFrame] = {}
    dropped: dict[str, set] = {}
    said: set[tuple] = set()  # a name is reported once per row (a melted row gives several records)

    def report(table, file, row, column, value, reason, kept, detail):
        if (table, file, row, column, value, reason) not in said:
            said.add((table, file, row, column, value, reason))
            issues.add(table, file, row, column, value, reason, kept=kept, detail=detail)
    for table, rows in pending.groupby("table", sort=False):
        frame = changed.get(table, tables.get(table))
        if frame is None or frame.empty:
            continue
        frame = frame.copy()
        position = pd.Series(range(len(frame)), index=frame["fact_id"].astype("string"))
        for r in rows.itertuples(index=False):
            names = {lv: getattr(r, f"adm{lv}") for lv in (1, 2, 3, 4)}
            names = {lv: (n if isinstance(n, str) and n.strip() else None) for lv, n in names.items()}
            within = r.within if isinstance(r.within, str) and r.within else None
            result = chain_match(matchers, community, names, within)
            at = position.get(r.key)
            if at is None:
                continue
            named = getattr(r, "file", None)  # the file as the adapter named it (with its sheet)
            file = named if isinstance(named, str) and named else files.get(r.source_id, r.source_id)
            row = None if pd.isna(r.row) else int(r.row)
            if result.miss is not None:
                level, match = result.miss
                detail = f"{LEVEL_NAMES[level]} {match}" if (matchers or community) else NO_AREAS
                flow_side = r.target in ("origin_pcode", "dest_pcode") and frame["direction"].iat[at] == "flow"
                if flow_side and result.pcode is None:
                    report(table, file, row, r.column, names[level], FLOW_UNMATCHED, False, detail)
                    dropped.setdefault(table, set()).add(at)
                    continue
                report(table, file, row, r.column, names[level], COARSER if result.pcode else NO_MATCH, True, detail)
            code = result.pcode
            if result.level == 4:  # a community: its own P-code where the table keeps one, its sub-district as the area
                if "location_pcode" in frame.columns:
                    frame.iloc[at, frame.columns.get_loc("location_pcode")] = code
                code = parent_of.get(code)
                if code is None:
                    issues.note(table, file, row, r.column, result.pcode, NO_SUB_DISTRICT_OF)
            if code is not None:
                frame.iloc[at, frame.columns.get_loc(r.target)] = code
        changed[table] = frame
    for table, rows in dropped.items():
        changed[table] = changed[table].drop(changed[table].index[sorted(rows)]).reset_index(drop=True)
    return changed

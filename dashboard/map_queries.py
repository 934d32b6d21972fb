"""Queries behind the map's point and flow layers: conflict events in view (points, or a density
of cells when there are many) and the largest origin → destination flows between areas.
"""
from __future__ import annotations

import pandas as pd

from dashboard.data import Warehouse
from dashboard.figures.map import DENSITY_CELL, POINT_LIMIT, VIEW
from dashboard.selection import EVENT_PCODE, Selection, sql_filters

_IN_VIEW = f"lon BETWEEN {VIEW['lon'][0]} AND {VIEW['lon'][1]} AND lat BETWEEN {VIEW['lat'][0]} AND {VIEW['lat'][1]}"


def event_types(wh: Warehouse) -> list[str]:
    """Event types by number of events, most frequent first."""
    rows = wh.query("SELECT event_type, sum(events) AS n FROM events_monthly WHERE event_type IS NOT NULL "
                    "GROUP BY event_type ORDER BY n DESC, event_type")
    return [str(x) for x in rows["event_type"]]


def events_in_view(wh: Warehouse, sel: Selection, limit: int = POINT_LIMIT):
    """(points, density, total): the events of the map's period in view, as points when there are
    at most `limit`, else as counts per cell of DENSITY_CELL degrees."""
    where, params = sql_filters(sel, "date_start", EVENT_PCODE, "event_type",
                                start=sel.window_start, end=sel.window_end)
    total = int(wh.query(f"SELECT count(*) AS n FROM events WHERE {where} AND {_IN_VIEW}", params)["n"].iloc[0])
    if total == 0:
        return None, None, 0
    if total <= limit:
        points = wh.query(
            f"SELECT lon, lat, event_type, fatalities, date_start, dataset, source_id FROM events "
            f"WHERE {where} AND {_IN_VIEW} ORDER BY date_start", params)
        return points, None, total
    cell = DENSITY_CELL
    density = wh.query(
        f"SELECT (floor(lon / {cell}) + 0.5) * {cell} AS lon, (floor(lat / {cell}) + 0.5) * {cell} AS lat, "
        f"count(*) AS events, sum(fatalities) AS fatalities, "
        f"string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS sources FROM events "
        f"WHERE {where} AND {_IN_VIEW} GROUP BY 1, 2 ORDER BY events", params)
    return None, density, total


def top_flows(wh: Warehouse, sel: Selection, topn: int, names: dict) -> tuple[pd.DataFrame, int, int]:
    """(flows, pairs, internal): the `topn` largest origin → destination flows between areas of the
    map's level in the map's period (movements whose reporting period lies inside it), the number
    of area pairs there were, and the persons who moved within one area (not drawable as an arc).
    With areas selected, only flows from or to them."""
    width = sel.width
    where, params = sql_filters(sel, "period_start", None, None, start=sel.window_start, end=sel.window_end)
    area_clause = ""
    if sel.areas:
        ors = " OR ".join("starts_with(origin_pcode, ?) OR starts_with(dest_pcode, ?)" for _ in sel.areas)
        area_clause = f" AND ({ors})"
        params = [*params, *[a for a in sel.areas for _ in (0, 1)]]
    params.append(pd.Timestamp(sel.window_end))
    pairs = wh.query(
        f"SELECT substr(origin_pcode, 1, {width}) AS origin, substr(dest_pcode, 1, {width}) AS dest, "
        f"sum(persons) AS persons, string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS sources, "
        f"any_value(unit) AS unit FROM moves WHERE basis = 'flow' AND {where}{area_clause} "
        f"AND period_end <= ? AND length(origin_pcode) >= {width} AND length(dest_pcode) >= {width} "
        f"GROUP BY 1, 2", params)
    if pairs.empty:
        return pairs.assign(o_lon=[], o_lat=[], d_lon=[], d_lat=[], label=[]), 0, 0
    internal = int(pairs.loc[pairs["origin"] == pairs["dest"], "persons"].sum())
    between = pairs[pairs["origin"] != pairs["dest"]]
    top = between.sort_values(["persons", "origin", "dest"], ascending=[False, True, True]).head(topn)
    metrics = wh.frames.get("area_metrics")
    if metrics is None or metrics.empty:
        return top.iloc[0:0].assign(o_lon=[], o_lat=[], d_lon=[], d_lat=[], label=[]), len(between), internal
    points = metrics.set_index("pcode")[["lon", "lat"]]
    top = top.join(points.rename(columns={"lon": "o_lon", "lat": "o_lat"}), on="origin")
    top = top.join(points.rename(columns={"lon": "d_lon", "lat": "d_lat"}), on="dest")
    top = top.dropna(subset=["o_lon", "o_lat", "d_lon", "d_lat"])
    top["label"] = [f"{names.get(o, o)} → {names.get(d, d)}" for o, d in zip(top["origin"], top["dest"])]
    return top.reset_index(drop=True), len(between), internal

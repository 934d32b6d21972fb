"""Queries behind the map's point and flow layers: conflict events in view (points, or a density
of cells when there are many) and the largest origin → destination flows between areas.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from dashboard.data.selection import EVENT_PCODE, Selection, sql_filters
from dashboard.data.warehouse import Warehouse
from dashboard.extent import CELL_DEGREES, IN_VIEW, POINT_LIMIT


def event_types(wh: Warehouse) -> list[str]:
    """Event types by number of events, most frequent first."""
    rows = wh.db.cursor().execute(
        "SELECT event_type, sum(events) AS n FROM events_monthly WHERE event_type IS NOT NULL "
        "GROUP BY event_type ORDER BY n DESC, event_type").fetchall()
    return [str(r[0]) for r in rows]


def _whole_months(sel: Selection) -> bool:
    start, end = pd.Timestamp(sel.window_start), pd.Timestamp(sel.window_end)
    return start.day == 1 and (end + pd.Timedelta(days=1)).day == 1


def _sources_in_view(sel: Selection) -> tuple[str, list]:
    """The sources of the events in view: from the sources of the per-month cells when the period
    is made of whole months (a table of a few thousand rows), else from the events."""
    start, end = pd.Timestamp(sel.window_start), pd.Timestamp(sel.window_end)
    if _whole_months(sel) and not sel.areas:
        where, params = sql_filters(sel, "month", None, "event_type", start=start, end=end)
        return f"SELECT DISTINCT source_id FROM events_cell_sources WHERE {where}", params
    where, params = sql_filters(sel, "date_start", EVENT_PCODE, "event_type", start=start, end=end)
    return f"SELECT DISTINCT source_id FROM events WHERE {where} AND {IN_VIEW}", params


def events_in_view(wh: Warehouse, sel: Selection, limit: int = POINT_LIMIT):
    """(points, density, total): the events of the map's period in view, as points when there are
    at most `limit`, else as counts per cell of CELL_DEGREES (one scan for the density; a second,
    small one for the points when there are few). Points and density are dicts of numpy arrays
    (the density with a `sources` list of source ids)."""
    where, params = sql_filters(sel, "date_start", EVENT_PCODE, "event_type",
                                start=sel.window_start, end=sel.window_end)
    cell = CELL_DEGREES
    cursor = wh.db.cursor()
    if _whole_months(sel) and not sel.areas:  # the per-month cells (warehouse.py): a fifth of the rows
        cell_where, cell_params = sql_filters(sel, "month", None, "event_type", start=sel.window_start, end=sel.window_end)
        density = cursor.execute(
            f"SELECT (cx + 0.5) * {cell} AS lon, (cy + 0.5) * {cell} AS lat, sum(events) AS events, "
            f"coalesce(sum(fatalities), 0) AS fatalities FROM events_cells WHERE {cell_where} GROUP BY cx, cy "
            f"ORDER BY events", cell_params).fetchnumpy()
    else:
        density = cursor.execute(
            f"SELECT (cx + 0.5) * {cell} AS lon, (cy + 0.5) * {cell} AS lat, count(*) AS events, "
            f"coalesce(sum(fatalities), 0) AS fatalities FROM events WHERE {where} AND {IN_VIEW} GROUP BY cx, cy "
            f"ORDER BY events", params).fetchnumpy()
    total = int(density["events"].sum()) if len(density["events"]) else 0
    if total == 0:
        return None, None, 0
    if total > limit:
        density["sources"] = sorted(str(r[0]) for r in cursor.execute(*_sources_in_view(sel)).fetchall())
        return None, density, total
    points = cursor.execute(
        f"SELECT lon, lat, event_type, coalesce(fatalities, 0) AS fatalities, date_start, dataset, source_id, pcode "
        f"FROM events WHERE {where} AND {IN_VIEW} ORDER BY date_start", params).fetchnumpy()
    return points, None, total


def top_flows(wh: Warehouse, sel: Selection, topn: int, names: dict) -> tuple[pd.DataFrame, int, int]:
    """(flows, pairs, internal): the `topn` largest origin → destination flows between areas of the
    map's level in the map's period (movements whose reporting period lies inside it), the number
    of area pairs there were, and the persons who moved within one area (not drawable as an arc).
    With areas selected, only flows from or to them."""
    lv = sel.level
    where, params = sql_filters(sel, "period_start", None, None, start=sel.window_start, end=sel.window_end)
    if sel.areas:
        ors = " OR ".join("starts_with(origin_pcode, ?) OR starts_with(dest_pcode, ?)" for _ in sel.areas)
        where += f" AND ({ors})"
        params += [a for a in sel.areas for _ in (0, 1)]
    where += f" AND basis = 'flow' AND period_end <= ? AND o{lv} IS NOT NULL AND d{lv} IS NOT NULL"
    params.append(pd.Timestamp(sel.window_end))
    rows = wh.db.cursor().execute(
        f"WITH per_source AS MATERIALIZED (SELECT o{lv} AS origin, d{lv} AS dest, source_id, sum(persons) AS persons "
        f"FROM moves WHERE {where} GROUP BY 1, 2, 3), "
        f"pairs AS (SELECT origin, dest, sum(persons) AS persons, list(source_id) AS ids FROM per_source GROUP BY 1, 2) "
        f"SELECT origin, dest, persons, ids, (SELECT count(*) FROM pairs WHERE origin <> dest AND persons > 0) AS n_pairs, "
        f"(SELECT coalesce(sum(persons), 0) FROM pairs WHERE origin = dest) AS internal "
        f"FROM pairs WHERE origin <> dest AND persons > 0 ORDER BY persons DESC, origin, dest LIMIT ?",
        [*params, int(topn)]).fetchall()  # a matrix's zero cells are data, but no flow to draw
    empty = pd.DataFrame(columns=["origin", "dest", "persons", "sources", "o_lon", "o_lat", "d_lon", "d_lat", "label"])
    if not rows:
        internal = wh.db.cursor().execute(
            f"SELECT coalesce(sum(persons), 0) FROM moves WHERE {where} AND o{lv} = d{lv}", params).fetchone()[0]
        return empty, 0, int(internal)
    pairs, internal = int(rows[0][4]), int(rows[0][5])
    points = _area_points(wh)
    if not points:
        return empty, pairs, internal
    out = []
    for o, d, persons, ids, _, _ in rows:
        if o in points and d in points:
            out.append((o, d, int(persons), ",".join(sorted(ids)), points[o][0], points[o][1], points[d][0],
                        points[d][1], f"{names.get(o, o)} → {names.get(d, d)}"))
    return pd.DataFrame(out, columns=empty.columns), pairs, internal


@lru_cache(maxsize=4)
def _area_points(wh: Warehouse) -> dict:
    metrics = wh.frames.get("area_metrics")
    if metrics is None or metrics.empty:
        return {}
    return dict(zip(metrics["pcode"], zip(metrics["lon"], metrics["lat"])))


def flow_units(wh: Warehouse, sel: Selection) -> frozenset[str]:
    """The units of the flows of the map's period: movements (CCCM, ISMI) or people (OCHA's matrix).
    The same whatever the event types, areas or level: kept per window and sources."""
    return _flow_units(wh, sel.window_start, sel.window_end, sel.source_ids)


@lru_cache(maxsize=64)
def _flow_units(wh: Warehouse, start, end, source_ids: tuple[str, ...] | None) -> frozenset[str]:
    sel = Selection(start=start, end=end, window_start=start, window_end=end, level=1, areas=(), source_ids=source_ids,
                    etypes=(), agg="month", stepping=False)
    where, params = sql_filters(sel, "period_start", None, None)
    rows = wh.db.cursor().execute(f"SELECT DISTINCT unit FROM moves WHERE basis = 'flow' AND {where}", params).fetchall()
    return frozenset(str(r[0]) for r in rows)

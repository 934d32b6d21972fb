"""Queries behind the time series: conflict events and their fatalities, movements from
origin–destination data, and movement toward the border, per day, week or month, for the whole
region or for each compared area.

Published figures (tables `displacement`, `casualties`, `refugees`) are drawn as published, each
over its own period (see dashboard/figures/series.py); what is bucketed here are records finer
than a month (events) or tables of many rows (movements).
"""
from __future__ import annotations

import pandas as pd

from dashboard.data.selection import EVENT_PCODE, Selection, sql_filters
from dashboard.data.warehouse import Warehouse

BUCKET_END = {"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH"}
THRESHOLDS = (10, 25, 50)


def _area_runs(sel: Selection) -> list[tuple[str | None, tuple[str, ...]]]:
    """(area label key, areas filter) per series: one per compared area, or one for all."""
    return [(a, (a,)) for a in sel.areas] if sel.areas else [(None, ())]


def _event_source(sel: Selection, area: str | None, areas: tuple) -> tuple[str, str, str, str, list]:
    """(table, date column, count expression, WHERE, parameters) the event series reads for one run."""
    if area is None:  # the whole region: the small per-day or per-month aggregates (warehouse.py)
        table, date_col, count = ("events_by_month", "month", "sum(events)") if sel.agg == "month" \
            else ("events_by_day", "day", "sum(events)")
    elif sel.agg == "month":
        table, date_col, count = "events_monthly", "month", "sum(events)"
    else:
        table, date_col, count = "events", "date_start", "count(*)"
    where, params = sql_filters(sel, date_col, EVENT_PCODE if area else None, "event_type", areas=areas)
    return table, date_col, count, where, params


def event_series(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """bucket_start, bucket_end, area, dataset, source_id, events, fatalities, fatalities_low,
    fatalities_high per bucket of `sel.agg`."""
    frames = []
    for area, areas in _area_runs(sel):
        table, date_col, count, where, params = _event_source(sel, area, areas)
        low, high = "sum(fatalities_low)", "sum(fatalities_high)"
        frame = wh.query(
            f"SELECT date_trunc('{sel.agg}', {date_col}) AS bucket_start, dataset, source_id, "
            f"{count}::BIGINT AS events, sum(fatalities)::BIGINT AS fatalities, "
            f"{low}::BIGINT AS fatalities_low, {high}::BIGINT AS fatalities_high FROM {table} "
            f"WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1", params)
        frames.append(frame.assign(area=area))
    out = _with_end(pd.concat(frames, ignore_index=True), sel.agg)
    out.attrs["agg"] = sel.agg
    return out


# the end of the bucket that starts at {x}: the month's last day, a week's seventh day, the day
BUCKET_LAST_DAY = {"month": "last_day({x})", "week": "{x} + INTERVAL 6 DAY", "day": "{x}"}


def event_totals(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """The event series' totals without its buckets: dataset, source_id, fatalities, first (the
    first bucket's start), last (the last bucket's end), summed over the compared areas as the
    series' rows would be. One aggregate where the series returns a row per bucket, and no pandas
    work on a view with one run (a headline figure needs no more)."""
    frames = []
    for area, areas in _area_runs(sel):
        table, date_col, _count, where, params = _event_source(sel, area, areas)
        bucket = f"date_trunc('{sel.agg}', {date_col})"
        last = BUCKET_LAST_DAY[sel.agg].format(x=f"max({bucket})")
        frames.append(wh.query(
            f"SELECT dataset, source_id, sum(fatalities)::BIGINT AS fatalities, min({bucket})::TIMESTAMP AS first, "
            f"({last})::TIMESTAMP AS last FROM {table} WHERE {where} GROUP BY 1, 2", params))
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True).groupby(["dataset", "source_id"], as_index=False).agg(
        fatalities=("fatalities", "sum"), first=("first", "min"), last=("last", "max"))


def _with_end(frame: pd.DataFrame, agg: str) -> pd.DataFrame:
    starts = pd.to_datetime(frame["bucket_start"])
    if agg == "month":  # the month's last day (vectorised: adding a MonthEnd offset is not)
        ends = starts + pd.to_timedelta(starts.dt.days_in_month - 1, unit="D")
    elif agg == "week":
        ends = starts + pd.Timedelta(days=6)
    else:
        ends = starts
    return frame.assign(bucket_start=starts, bucket_end=ends)


def flow_series(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """Movements from origin–destination data per bucket: bucket_start, bucket_end, area, unit,
    source_id, persons. For a compared area, the movements INTO it (by destination). A movement is
    counted in the bucket of its period's start; periods longer than the bucket stay whole."""
    frames = []
    for area, areas in _area_runs(sel):
        where, params = sql_filters(sel, "period_start", "dest_pcode", None, areas=areas)
        frame = wh.query(
            f"SELECT date_trunc('{sel.agg}', period_start) AS bucket_start, max(period_end) AS last_end, unit, "
            f"source_id, sum(persons)::BIGINT AS persons FROM moves WHERE basis = 'flow' AND {where} "
            f"GROUP BY 1, 3, 4 ORDER BY 1", params)
        frames.append(frame.assign(area=area))
    out = _with_end(pd.concat(frames, ignore_index=True), sel.agg)
    out["bucket_end"] = out[["bucket_end", "last_end"]].max(axis=1) if len(out) else out["bucket_end"]
    out = out.drop(columns="last_end")
    out.attrs["agg"] = sel.agg
    return out


# a movement of a compared area (parameters: the area twice): a flow by its origin, arrivals by destination
MOVE_IN_AREA = ("((basis = 'flow' AND starts_with(origin_pcode, ?)) OR "
                "(basis <> 'flow' AND starts_with(dest_pcode, ?)))")


def border_series(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """Movement toward the border per bucket, source, unit and basis (and compared area):
    persons with a known destination, persons within 10/25/50 km of the border, the shares, the
    persons-weighted mean distance moved toward the border and mean distance of the destination.

    Without compared areas it sums the ETL's `border_movement` table (shares and means are
    recombined with their persons as weights, so coarser buckets are exact); with areas it sums
    the `moves` rows whose origin (flows) or destination (arrivals) lies in each area."""
    frames = []
    within = ", ".join(f"sum(within_{km}_km)::DOUBLE AS within_{km}_km" for km in THRESHOLDS)
    for area, _ in _area_runs(sel):
        where, params = sql_filters(sel, "period_start", None, None)
        if area is None:
            sql = (f"SELECT date_trunc('{sel.agg}', period_start) AS bucket_start, source_id, unit, basis, "
                   f"max(period_end) AS last_end, sum(persons)::DOUBLE AS persons, {within}, "
                   f"sum(mean_toward_km * persons) AS toward_sum, "
                   f"sum(persons) FILTER (WHERE mean_toward_km IS NOT NULL)::DOUBLE AS toward_persons, "
                   f"sum(mean_dest_border_km * persons) AS dest_sum FROM border_movement WHERE {where} "
                   f"GROUP BY 1, 2, 3, 4 ORDER BY 1")
        else:
            params = [*params, area, area]
            counts = ", ".join(
                f"sum(persons) FILTER (WHERE dest_border_km <= {km})::DOUBLE AS within_{km}_km" for km in THRESHOLDS)
            sql = (f"SELECT date_trunc('{sel.agg}', period_start) AS bucket_start, source_id, unit, basis, "
                   f"max(period_end) AS last_end, "
                   f"sum(persons) FILTER (WHERE dest_border_km IS NOT NULL)::DOUBLE AS persons, {counts}, "
                   f"sum(persons * toward_border_km) FILTER (WHERE toward_border_km IS NOT NULL) AS toward_sum, "
                   f"sum(persons) FILTER (WHERE toward_border_km IS NOT NULL)::DOUBLE AS toward_persons, "
                   f"sum(persons * dest_border_km) FILTER (WHERE dest_border_km IS NOT NULL) AS dest_sum "
                   f"FROM moves WHERE {where} AND {MOVE_IN_AREA} GROUP BY 1, 2, 3, 4 ORDER BY 1")
        frames.append(wh.query(sql, params).assign(area=area))
    return _shares(pd.concat(frames, ignore_index=True), sel.agg)


def border_series_totals(wh: Warehouse, sel: Selection, km: int = 25) -> pd.DataFrame:
    """The border series' totals without its buckets, for a headline figure: per source and basis,
    persons, persons within `km` of the border, first (the first bucket's start) and last (the last
    bucket's end), over the buckets the series keeps (those with persons) and summed over the
    compared areas as the series' rows would be. One query where `border_series` returns a row per
    bucket and computes shares and means the headline does not show."""
    runs, params = [], []
    for area, _ in _area_runs(sel):
        where, run_params = sql_filters(sel, "period_start", None, None)
        if area is None:
            runs.append(f"SELECT date_trunc('{sel.agg}', period_start) AS bucket_start, source_id, basis, "
                        f"max(period_end) AS last_end, sum(persons)::DOUBLE AS persons, "
                        f"sum(within_{km}_km)::DOUBLE AS within FROM border_movement WHERE {where} "
                        f"GROUP BY 1, 2, unit, 3 HAVING sum(persons) > 0")
        else:
            run_params = [*run_params, area, area]
            runs.append(f"SELECT date_trunc('{sel.agg}', period_start) AS bucket_start, source_id, basis, "
                        f"max(period_end) AS last_end, "
                        f"sum(persons) FILTER (WHERE dest_border_km IS NOT NULL)::DOUBLE AS persons, "
                        f"sum(persons) FILTER (WHERE dest_border_km <= {km})::DOUBLE AS within FROM moves "
                        f"WHERE {where} AND {MOVE_IN_AREA} GROUP BY 1, 2, unit, 3 "
                        f"HAVING sum(persons) FILTER (WHERE dest_border_km IS NOT NULL) > 0")
        params += run_params
    bucket_last = BUCKET_LAST_DAY[sel.agg].format(x="bucket_start")
    return wh.query(
        f"SELECT source_id, basis, sum(persons) AS persons, coalesce(sum(within), 0)::DOUBLE AS within, "
        f"min(bucket_start)::TIMESTAMP AS first, "
        f"max(greatest(({bucket_last})::TIMESTAMP, coalesce(last_end::TIMESTAMP, ({bucket_last})::TIMESTAMP))) AS last "
        f"FROM ({' UNION ALL '.join(runs)}) GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2 NULLS LAST", params)


def border_totals(wh: Warehouse, sel: Selection, km: int = 25) -> list[tuple]:
    """(source_id, basis, persons, persons within `km` of the border) over the map's period,
    most persons first."""
    where, params = sql_filters(sel, "period_start", None, None, start=sel.window_start, end=sel.window_end)
    return wh.db.cursor().execute(
        f"SELECT source_id, basis, sum(persons)::DOUBLE AS persons, sum(within_{km}_km)::DOUBLE AS within "
        f"FROM border_movement WHERE {where} GROUP BY 1, 2 HAVING sum(persons) > 0 ORDER BY persons DESC, 1, 2",
        params).fetchall()


def _shares(out: pd.DataFrame, agg: str) -> pd.DataFrame:
    out = _with_end(out, agg)
    if len(out):
        out["bucket_end"] = out[["bucket_end", "last_end"]].max(axis=1)
    persons = pd.to_numeric(out["persons"], errors="coerce").astype(float)
    for km in THRESHOLDS:
        within = pd.to_numeric(out[f"within_{km}_km"], errors="coerce").astype(float).fillna(0.0)  # none within: 0
        out[f"within_{km}_km"] = within
        out[f"share_{km}"] = within / persons.where(persons > 0)
    tp = pd.to_numeric(out["toward_persons"], errors="coerce").astype(float)
    out["mean_toward_km"] = pd.to_numeric(out["toward_sum"], errors="coerce").astype(float) / tp.where(tp > 0)
    out["mean_dest_border_km"] = pd.to_numeric(out["dest_sum"], errors="coerce").astype(float) / persons.where(persons > 0)
    out = out[persons.fillna(0) > 0]
    return out.drop(columns=["toward_sum", "toward_persons", "dest_sum", "last_end"]).reset_index(drop=True)

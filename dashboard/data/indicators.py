"""Map indicators: the value of each admin area for the period the map shows.

An indicator is summed over the areas' P-codes (figures at a finer level count for the coarser
area that contains them) and over time (figures whose reporting period lies inside the map's
period), except stocks (IDPs present), which take the latest figure in the period. A value is
missing, not zero, where nothing was reported: the map draws the two apart.

Sources are never added to each other where they cover the same time: each source's figures
are summed on their own, and where two sources' periods overlap for an area (ACLED and UCDP
counting the same strikes, two agencies counting the same arrivals) the larger figure is shown
and the hover names both; sources covering different times are added.

`area_values` gives the values of the current period; `pooled_values` the values of every step
of the date range, so that the map's classes stay the same while the time slider plays. Both are
SQL on the version's DuckDB tables (dashboard/data/warehouse.py) plus plain Python on the few rows that
come back.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.data.selection import Selection, sql_filters
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import N_


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # English message id
    kind: str  # displacement | flow_in | flow_out | stock | events | fatalities | needs | severity | counted | casualties
    unit: str | None = None  # for counted: the events_aggregated column; for casualties: killed or injured
    sub_monthly: bool = False  # data finer than months (weekly steps make sense)
    causes: tuple[str, ...] = ()  # casualties: the causes it counts (never an earthquake's deaths as conflict's)


INDICATORS = {
    i.key: i for i in (
        Indicator("idp_arrivals", N_("IDP arrivals"), "displacement", "idp_arrivals"),
        Indicator("idp_departures", N_("IDP departures"), "displacement", "idp_departures"),
        Indicator("flows_in", N_("Movements into the area (origin–destination data)"), "flow_in", "displacements"),
        Indicator("flows_out", N_("Movements out of the area (origin–destination data)"), "flow_out", "displacements"),
        Indicator("idp_stock", N_("IDPs present (latest figure in the period)"), "stock", "idps"),
        Indicator("people_displaced", N_("People displaced"), "displacement", "people_displaced"),
        Indicator("displacements", N_("Displacements (movements)"), "displacement", "displacements"),
        Indicator("idp_returns", N_("IDP returns"), "displacement", "idp_returns"),
        Indicator("events", N_("Conflict events"), "events", sub_monthly=True),
        Indicator("fatalities", N_("Fatalities in conflict events"), "fatalities", sub_monthly=True),
        Indicator("events_counted", N_("Conflict events (monthly counts by area)"), "counted", "events"),
        Indicator("fatalities_counted", N_("Fatalities (monthly counts by area)"), "counted", "fatalities"),
        Indicator("people_in_need", N_("People in need (highest sector figure per area)"), "needs"),
        Indicator("severity", N_("Severity of needs, 1–5 (highest sector, areas as published)"), "severity"),
        Indicator("population", N_("Population (latest figure in the period)"), "stock", "population"),
        Indicator("killed_earthquake", N_("Earthquake deaths (published figures)"), "casualties", "killed",
                  causes=("earthquake",)),
        Indicator("injured_earthquake", N_("Earthquake injuries (published figures)"), "casualties", "injured",
                  causes=("earthquake",)),
    )
}
EVENT_KINDS = ("events", "fatalities")
USER_KINDS = ("needs", "severity", "counted", "casualties")  # from the tables of users' files (issue 13)


def values_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "pcode": [r["pcode"] for r in rows], "value": np.array([r["value"] for r in rows], dtype=float),
        "sources": [r["sources"] for r in rows], "detail": [r["detail"] for r in rows],
    })


def available(wh: Warehouse) -> list[str]:
    """Indicators with any P-coded data in the warehouse, in menu order."""
    units = {r[0] for r in wh.db.cursor().execute(
        "SELECT DISTINCT unit FROM published_displacement WHERE pcode IS NOT NULL AND measure = 'period' "
        "AND kind <> 'scenario'").fetchall()}
    stock_units = {r[0] for r in wh.db.cursor().execute("SELECT DISTINCT unit FROM area_stocks").fetchall()}
    flows = wh.db.cursor().execute("SELECT count(*) FROM moves WHERE basis = 'flow'").fetchone()[0]
    events = wh.db.cursor().execute("SELECT count(*) FROM events_monthly").fetchone()[0]
    out = []
    for key, ind in INDICATORS.items():
        if (ind.kind == "displacement" and ind.unit in units) or (ind.kind in ("flow_in", "flow_out") and flows) \
                or (ind.kind == "stock" and ind.unit in stock_units) or (ind.kind in EVENT_KINDS and events) \
                or (ind.kind in USER_KINDS and _has_user_data(wh, ind)):
            out.append(key)
    return out


def _has_user_data(wh: Warehouse, ind: Indicator) -> bool:
    """Whether an indicator of the users' tables has any P-coded figure."""
    if ind.kind in ("needs", "severity"):
        column = "people_in_need" if ind.kind == "needs" else "severity"
        sql, params = f"SELECT count(*) FROM published_needs WHERE pcode IS NOT NULL AND {column} IS NOT NULL", []
    elif ind.kind == "counted":
        sql, params = f"SELECT count(*) FROM published_events_aggregated WHERE pcode IS NOT NULL AND {ind.unit} IS NOT NULL", []
    else:
        sql = (f"SELECT count(*) FROM published_casualties WHERE pcode IS NOT NULL AND {ind.unit} IS NOT NULL "
               f"AND kind <> 'scenario' AND list_contains(?, cause)")
        params = [list(ind.causes)]
    return bool(wh.db.cursor().execute(sql, params).fetchone()[0])


def combine_sources(raw: list[tuple], organisations: dict | None = None) -> dict:
    """Per key: the sum where sources cover different times, the largest where they overlap.
    In: (key, source_id, value, first, last) tuples. Out: key -> (value, source ids, detail text
    naming the figures compared, or '')."""
    organisations = organisations or {}
    by_key: dict = {}
    for key, source, value, first, last in raw:
        if value is None:
            continue
        by_key.setdefault(key, []).append((pd.Timestamp(first), pd.Timestamp(last), float(value), str(source)))
    out = {}
    for key, rows in by_key.items():
        sources = sorted({r[3] for r in rows})
        if len(sources) == 1:
            out[key] = (sum(r[2] for r in rows), sources, "")
            continue
        rows.sort(key=lambda r: (r[0], r[3]))
        clusters, current, end = [], [], None
        for row in rows:
            if current and row[0] > end:
                clusters.append(current)
                current, end = [], None
            current.append(row)
            end = row[1] if end is None else max(end, row[1])
        clusters.append(current)
        total, detail = 0.0, []
        for cluster in clusters:
            total += max(r[2] for r in cluster)
            if len({r[3] for r in cluster}) > 1:
                detail.append(", ".join(f"{organisations.get(r[3], r[3])} {r[2]:,.0f}" for r in cluster))
        out[key] = (total, sources, "; ".join(detail))
    return out


# ---- the SQL behind each kind of indicator ------------------------------------------------------

def _raw_sql(ind: Indicator, sel: Selection, start, end, bucket: str | None) -> tuple[str, list]:
    """(bucket?, pcode, source_id, value, first, last) per area and source (and bucket)."""
    lv = sel.level
    if ind.kind == "displacement":
        where, params = sql_filters(sel, "period_start", None, None, start=start, end=end)
        table, area, value = "published_displacement", f"substr(pcode, 1, {sel.width})", "sum(value)"
        where += f" AND unit = ? AND measure = 'period' AND kind <> 'scenario' AND value IS NOT NULL " \
                 f"AND length(pcode) >= {sel.width}"
        params.append(ind.unit)
        date_col, first, last = "period_start", "min(period_start)", "max(period_end)"
        fit_end = "period_end"
    elif ind.kind in ("counted", "casualties"):
        where, params = sql_filters(sel, "period_start", None, None, start=start, end=end)
        area, value = f"substr(pcode, 1, {sel.width})", f"sum({ind.unit})"
        table = "published_events_aggregated" if ind.kind == "counted" else "published_casualties"
        where += f" AND {ind.unit} IS NOT NULL AND length(pcode) >= {sel.width}"
        if ind.kind == "casualties":
            where += " AND kind <> 'scenario' AND list_contains(?, cause)"
            params.append(list(ind.causes))
        date_col, first, last, fit_end = "period_start", "min(period_start)", "max(period_end)", "period_end"
    elif ind.kind in ("flow_in", "flow_out"):
        where, params = sql_filters(sel, "period_start", None, None, start=start, end=end)
        side = "d" if ind.kind == "flow_in" else "o"
        table, area, value = "moves", f"{side}{lv}", "sum(persons)"
        where += f" AND basis = 'flow' AND {side}{lv} IS NOT NULL"
        date_col, first, last, fit_end = "period_start", "min(period_start)", "max(period_end)", "period_end"
    else:
        raw_events = bucket == "week" or (bucket is None and (pd.Timestamp(end) - pd.Timestamp(start)).days < 27)
        measure = "fatalities" if ind.kind == "fatalities" else None
        if raw_events:
            table, date_col, value = "events", "date_start", f"sum({measure})" if measure else "count(*)"
            first, last = "min(date_start)", "max(date_start)"
        else:
            table, date_col, value = "events_monthly", "month", f"sum({measure or 'events'})"
            first, last = "min(month)", "max(month) + INTERVAL 1 MONTH - INTERVAL 1 DAY"
        where, params = sql_filters(sel, date_col, None, "event_type", start=start, end=end)
        area = f"area{lv}"
        where += f" AND area{lv} IS NOT NULL"
        fit_end = None
    head, group = "", "1, 2"  # by position: events tables have a `pcode` column of their own
    if bucket:
        head, group = f"date_trunc('{bucket}', {date_col}) AS bucket, ", "1, 2, 3"
        if fit_end:  # a figure counts for a step only if its period lies inside the step
            where += f" AND {fit_end} < date_trunc('{bucket}', {date_col}) + INTERVAL 1 {bucket}"
    elif fit_end:
        where += f" AND {fit_end} <= ?"
        params.append(pd.Timestamp(end))
    sql = (f"SELECT {head}{area} AS pcode, source_id, {value}::DOUBLE AS value, {first} AS first, {last} AS last "
           f"FROM {table} WHERE {where} GROUP BY {group}")
    return sql, params


def _stock_sql(ind: Indicator, sel: Selection, start, end, bucket: str | None, unit: str | None = None,
               latest: bool = True) -> tuple[str, list]:
    """The latest (or earliest) stock figure per area (and bucket): ties go to the figure summing
    fewest parts, i.e. published for the area itself. Rows: ([bucket,] pcode, source_id, value)."""
    where, params = sql_filters(sel, "date", None, None, start=start, end=end)
    where += " AND level = ? AND unit = ?"
    params += [sel.level, unit or ind.unit]
    order = "date DESC" if latest else "date ASC"
    if bucket:
        inner, partition, outer = f"date_trunc('{bucket}', date) AS bucket, ", f"date_trunc('{bucket}', date), pcode", "bucket, "
    else:
        inner, partition, outer = "", "pcode", ""
    sql = (f"SELECT {outer}pcode, source_id, value::DOUBLE AS value FROM (SELECT {inner}pcode, source_id, value, "
           f"row_number() OVER (PARTITION BY {partition} ORDER BY {order}, parts, source_id) AS rn "
           f"FROM area_stocks WHERE {where}) WHERE rn = 1")
    return sql, params


def _needs_sql(ind: Indicator, sel: Selection, start, end, bucket: str | None) -> tuple[str, list]:
    """People in need or severity per area (and bucket): the figures whose period overlaps the window,
    the latest per source and area. People in need: each area's highest sector figure (the usual
    inter-sector approximation when no inter-sector figure is given), from the finest areas a source
    published, summed up to the map's level. Severity: the highest sector's, for areas published at
    the map's level only (a severity is never summed or averaged)."""
    width = sel.width
    params: list = [pd.Timestamp(end), pd.Timestamp(start)]
    sources = ""
    if sel.source_ids is not None:
        sources, params = " AND list_contains(?, source_id)", [*params, list(sel.source_ids)]
    head = f"date_trunc('{bucket}', period_start) AS bucket, " if bucket else ""
    by = "bucket, " if bucket else ""
    if ind.kind == "needs":
        per = (f"SELECT {head}source_id, pcode, period_start, period_end, max(people_in_need) AS v FROM published_needs "
               f"WHERE people_in_need IS NOT NULL AND pcode IS NOT NULL AND period_start <= ? AND period_end >= ?{sources} "
               f"GROUP BY ALL")
        finest = "length(pcode) = max(length(pcode)) OVER (PARTITION BY source_id)"
        latest = (f"SELECT *, row_number() OVER (PARTITION BY {by}source_id, pcode ORDER BY period_start DESC) AS rn "
                  f"FROM ({per}) QUALIFY {finest}")
        sql = (f"SELECT {by}substr(pcode, 1, {width}) AS pcode, source_id, sum(v)::DOUBLE AS value, "
               f"min(period_start) AS first, max(period_end) AS last FROM ({latest}) WHERE rn = 1 "
               f"AND length(pcode) >= {width} GROUP BY ALL")
    else:
        per = (f"SELECT {head}source_id, pcode, period_start, period_end, max(severity) AS v FROM published_needs "
               f"WHERE severity IS NOT NULL AND length(pcode) = {width} AND period_start <= ? AND period_end >= ?{sources} "
               f"GROUP BY ALL")
        sql = (f"SELECT {by}pcode, source_id, v::DOUBLE AS value, period_start AS first, period_end AS last FROM ({per}) "
               f"QUALIFY row_number() OVER (PARTITION BY {by}source_id, pcode ORDER BY period_start DESC) = 1")
    if sel.areas:
        sql = f"SELECT * FROM ({sql}) WHERE " + " OR ".join("starts_with(pcode, ?)" for _ in sel.areas)
        params += list(sel.areas)
    return sql, params


def area_values(wh: Warehouse, key: str, sel: Selection, organisations: dict | None = None) -> pd.DataFrame:
    """pcode, value, sources (comma-separated ids), detail for the map's period."""
    ind = INDICATORS.get(key)
    if ind is None:
        return values_frame([])
    start, end = sel.window_start, sel.window_end
    cursor = wh.db.cursor()
    if ind.kind in ("needs", "severity"):
        raw = cursor.execute(*_needs_sql(ind, sel, start, end, None)).fetchall()
        combined = combine_sources(raw, organisations) if ind.kind == "needs" else _highest(raw)
        return values_frame([{"pcode": p, "value": v, "sources": ",".join(s), "detail": d}
                             for p, (v, s, d) in sorted(combined.items())])
    if ind.kind == "stock":
        rows = cursor.execute(*_stock_sql(ind, sel, start, end, None)).fetchall()
        return values_frame([{"pcode": p, "value": v, "sources": s, "detail": ""} for p, s, v in rows])
    raw = cursor.execute(*_raw_sql(ind, sel, start, end, None)).fetchall()
    combined = combine_sources(raw, organisations)
    return values_frame([{"pcode": p, "value": v, "sources": ",".join(s), "detail": d}
                         for p, (v, s, d) in sorted(combined.items())])


def pooled_values(wh: Warehouse, key: str, sel: Selection, step_unit: str = "month",
                  whole_range: pd.DataFrame | None = None) -> pd.DataFrame:
    """pcode, value of every area at every step of the range (or of the whole range when the map
    is not stepping): what the map's classes are computed from. Within one step all sources
    overlap, so the largest counts."""
    ind = INDICATORS.get(key)
    if ind is None:
        return pd.DataFrame({"pcode": [], "value": []})
    if not sel.stepping:
        if whole_range is not None:
            return whole_range[["pcode", "value"]]
        return area_values(wh, key, replace(sel, window_start=sel.start, window_end=sel.end))[["pcode", "value"]]
    bucket = "week" if step_unit == "week" else "month"
    cursor = wh.db.cursor()
    if ind.kind in ("needs", "severity"):
        sql, params = _needs_sql(ind, sel, sel.start, sel.end, None)  # figures for a year: the whole range's
        rows = cursor.execute(f"SELECT pcode, max(value) FROM ({sql}) GROUP BY pcode", params).fetchall()
        return pd.DataFrame(rows, columns=["pcode", "value"])
    if ind.kind == "stock":
        rows = cursor.execute(*_stock_sql(ind, sel, sel.start, sel.end, bucket)).fetchall()
        return pd.DataFrame([(p, v) for _, p, _, v in rows], columns=["pcode", "value"])
    sql, params = _raw_sql(ind, sel, sel.start, sel.end, bucket)
    rows = cursor.execute(f"SELECT pcode, max(value) FROM ({sql}) GROUP BY bucket, pcode", params).fetchall()
    return pd.DataFrame(rows, columns=["pcode", "value"])


def _highest(raw: list[tuple]) -> dict:
    """Per key: the highest value over sources (a severity phase is never added up), naming them."""
    out: dict = {}
    for key, source, value, _first, _last in raw:
        if value is None:
            continue
        best, sources, _ = out.get(key, (None, [], ""))
        out[key] = (value if best is None else max(best, value), sorted({*sources, str(source)}), "")
    return out


# ---- per 10,000 people ---------------------------------------------------------------------------

def population(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """pcode, population, sources: the latest population figure on or before the end of the map's
    period (else the earliest after it), per area of the level."""
    ind = INDICATORS["idp_stock"]
    early = pd.Timestamp("1900-01-01")
    before = wh.db.cursor().execute(*_stock_sql(ind, sel, early, sel.window_end, None, unit="population")).fetchall()
    after = wh.db.cursor().execute(*_stock_sql(ind, sel, sel.window_end + pd.Timedelta(days=1),
                                               pd.Timestamp("2100-01-01"), None, unit="population", latest=False)).fetchall()
    got = {p: (v, s) for p, s, v in after}
    got.update({p: (v, s) for p, s, v in before})
    return pd.DataFrame([(p, v, s) for p, (v, s) in sorted(got.items())], columns=["pcode", "population", "sources"])


def per_person(state) -> bool:
    """Whether the map shows its indicator per 10,000 people: when asked, except for a severity phase."""
    ind = INDICATORS.get(state.indicator)
    return bool(state.per10k) and ind is not None and ind.kind != "severity"


def per_10k(values: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """Values per 10,000 people; areas without a population figure have no value."""
    people = dict(zip(pop["pcode"], zip(pop["population"], pop["sources"])))
    rows = []
    for p, v, s, d in zip(values["pcode"], values["value"], values["sources"], values["detail"]):
        if p in people and people[p][0] and people[p][0] > 0:
            n, ps = people[p]
            ids = sorted(set(str(s).split(",")) | {str(ps)})
            rows.append({"pcode": p, "value": v / n * 10_000, "sources": ",".join(ids), "detail": d})
    return values_frame(rows)


# ---- one area's figures, source by source (the page's area panel) ---------------------------------

def source_figures(wh: Warehouse, key: str, sel: Selection, pcode: str) -> list[tuple]:
    """(source_id, value, first day, last day) of one area for the map's period, one row per
    source (a stock: each source's latest figure in the period). `sel.level` must be the area's."""
    ind = INDICATORS.get(key)
    if ind is None:
        return []
    start, end = sel.window_start, sel.window_end
    cursor = wh.db.cursor()
    if ind.kind == "stock":
        where, params = sql_filters(sel, "date", None, None, start=start, end=end)
        rows = cursor.execute(
            f"SELECT source_id, value::DOUBLE, date, date FROM (SELECT source_id, value, date, row_number() OVER "
            f"(PARTITION BY source_id ORDER BY date DESC, parts) AS rn FROM area_stocks WHERE {where} AND level = ? "
            f"AND unit = ? AND pcode = ?) WHERE rn = 1 ORDER BY source_id",
            [*params, sel.level, ind.unit, pcode]).fetchall()
        return [(str(s), float(v), pd.Timestamp(a), pd.Timestamp(b)) for s, v, a, b in rows]
    sql, params = _raw_sql(ind, sel, start, end, None)
    rows = cursor.execute(f"SELECT source_id, value, first, last FROM ({sql}) WHERE pcode = ? ORDER BY source_id",
                          [*params, pcode]).fetchall()
    return [(str(s), float(v), pd.Timestamp(a), pd.Timestamp(b)) for s, v, a, b in rows if v is not None]


def figure_range(rows: list[tuple]) -> tuple[float, float]:
    """(low, high) of an area's figures from several sources: figures whose periods overlap count
    the same people, so each group of overlapping figures gives its smallest and its largest (never
    their sum); groups covering different times are added (as the map does, which colours by
    `high`). One source: low == high, its figures added."""
    rows = sorted(rows, key=lambda r: (r[2], r[0]))
    low = high = 0.0
    cluster: list[tuple] = []
    end = None
    for row in [*rows, None]:
        if row is None or (cluster and row[2] > end):
            if cluster:
                per_source: dict[str, float] = {}
                for source, value, _, _ in cluster:
                    per_source[source] = per_source.get(source, 0.0) + value
                low += min(per_source.values())
                high += max(per_source.values())
            cluster, end = [], None
            if row is None:
                break
        cluster.append(row)
        end = row[3] if end is None else max(end, row[3])
    return low, high

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
of the date range, so that the map's classes stay the same while the time slider plays.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dashboard.data import Warehouse
from dashboard.selection import EVENT_PCODE, Selection, contained, from_sources, sql_filters


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # English message id
    kind: str  # displacement | flow_in | flow_out | stock | events | fatalities
    unit: str | None = None
    sub_monthly: bool = False  # data finer than months (weekly steps make sense)


INDICATORS = {
    i.key: i for i in (
        Indicator("idp_arrivals", "IDP arrivals", "displacement", "idp_arrivals"),
        Indicator("idp_departures", "IDP departures", "displacement", "idp_departures"),
        Indicator("flows_in", "Movements into the area (origin–destination data)", "flow_in", "displacements"),
        Indicator("flows_out", "Movements out of the area (origin–destination data)", "flow_out", "displacements"),
        Indicator("idp_stock", "IDPs present (latest figure in the period)", "stock", "idps"),
        Indicator("people_displaced", "People displaced", "displacement", "people_displaced"),
        Indicator("displacements", "Displacements (movements)", "displacement", "displacements"),
        Indicator("idp_returns", "IDP returns", "displacement", "idp_returns"),
        Indicator("events", "Conflict events", "events", sub_monthly=True),
        Indicator("fatalities", "Fatalities in conflict events", "fatalities", sub_monthly=True),
    )
}
RAW = ["pcode", "source_id", "value", "first", "last"]  # per area and source: sum and time span


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"pcode": pd.Series(dtype="string"), "value": pd.Series(dtype="float64"),
                         "sources": pd.Series(dtype="object"), "detail": pd.Series(dtype="object")})


def available(wh: Warehouse) -> list[str]:
    """Indicators with any P-coded data in the warehouse, in menu order."""
    disp = wh["displacement"]
    coded = disp[disp["pcode"].notna() & (disp["measure"] == "period") & (disp["kind"] != "scenario")
                 & (disp["direction"] != "flow")]
    units = set(coded["unit"].dropna())
    stocks = wh.frames.get("area_stocks")
    flows = int(wh.query("SELECT count(*) AS n FROM moves WHERE basis = 'flow'")["n"].iloc[0])
    events = wh.rows("events_monthly")
    out = []
    for key, ind in INDICATORS.items():
        if (ind.kind == "displacement" and ind.unit in units) or (ind.kind in ("flow_in", "flow_out") and flows) \
                or (ind.kind == "stock" and stocks is not None and (stocks["unit"] == ind.unit).any()) \
                or (ind.kind in ("events", "fatalities") and events):
            out.append(key)
    return out


def combine_sources(raw: pd.DataFrame, keys: list[str], organisations: dict | None = None) -> pd.DataFrame:
    """Per `keys` (an area, or a step and an area): the sum where sources cover different times,
    the largest where they overlap. In: keys + source_id, value, first, last. Out: keys, value,
    sources (comma-separated ids of every source considered), detail (text naming the figures
    when overlapping sources were compared, else '')."""
    if raw.empty:
        return pd.DataFrame(columns=[*keys, "value", "sources", "detail"])
    organisations = organisations or {}
    raw = raw.sort_values([*keys, "first", "source_id"])
    single = raw.groupby(keys, sort=False)["source_id"].transform("nunique") == 1
    # dict-style aggregation: pandas' named aggregation costs about 10 ms more per call
    easy = raw[single].groupby(keys, sort=False).agg({"value": "sum", "source_id": "first"})
    easy = easy.reset_index().rename(columns={"source_id": "sources"})
    easy["detail"] = ""
    rows = []
    for key, group in raw[~single].groupby(keys, sort=False):
        total, detail, clusters = 0.0, [], []
        current, end = [], None
        for r in group.itertuples(index=False):
            if current and r.first > end:
                clusters.append(current)
                current = []
            current.append(r)
            end = r.last if end is None or not current[:-1] else max(end, r.last)
        clusters.append(current)
        for cluster in clusters:
            best = max(cluster, key=lambda x: x.value)
            total += best.value
            if len({x.source_id for x in cluster}) > 1:
                detail.append(", ".join(f"{organisations.get(x.source_id, x.source_id)} {x.value:,.0f}" for x in cluster))
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key)), "value": total,
                     "sources": ",".join(sorted(set(group["source_id"]))), "detail": "; ".join(detail)})
    out = pd.concat([easy, pd.DataFrame(rows, columns=[*keys, "value", "sources", "detail"])], ignore_index=True)
    return out.sort_values(keys).reset_index(drop=True)


# ---- raw values per area and source -------------------------------------------------------------

def _displacement_rows(wh: Warehouse, ind: Indicator, sel: Selection) -> pd.DataFrame:
    disp = wh["displacement"]
    rows = disp[
        (disp["unit"] == ind.unit) & (disp["measure"] == "period") & (disp["kind"] != "scenario")
        & (disp["direction"] != "flow") & disp["value"].notna()
        & (disp["pcode"].str.len() >= sel.width).fillna(False)
    ]
    rows = from_sources(rows, sel)
    return pd.DataFrame({
        "period_start": rows["period_start"], "period_end": rows["period_end"], "source_id": rows["source_id"],
        "pcode": rows["pcode"].str.slice(0, sel.width), "value": rows["value"].astype("float64"),
    })


def _raw_from_periods(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "source_id", "value", "first", "last"])
    out = rows.groupby([*keys, "source_id"], sort=True).agg({"value": "sum", "period_start": "min", "period_end": "max"})
    return out.reset_index().rename(columns={"period_start": "first", "period_end": "last"})


def _stock_rows(wh: Warehouse, sel: Selection, unit: str) -> pd.DataFrame:
    stocks = wh.frames.get("area_stocks")
    if stocks is None or stocks.empty:
        return pd.DataFrame(columns=["date", "pcode", "value", "source_id", "parts"])
    rows = stocks[(stocks["unit"] == unit) & (stocks["level"] == sel.level)]
    rows = from_sources(rows, sel)
    return rows.assign(value=rows["value"].astype("float64"))[["date", "pcode", "value", "source_id", "parts"]]


def _latest(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The latest figure per key (ties: the one summing fewest parts, i.e. published for the area)."""
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "value", "sources", "detail"])
    ordered = rows.sort_values([*keys, "date", "parts", "source_id"], ascending=[True] * len(keys) + [False, True, True])
    latest = ordered.drop_duplicates(keys, keep="first")
    return latest.assign(sources=latest["source_id"].astype(str), detail="")[[*keys, "value", "sources", "detail"]]


def _flow_sql(ind: Indicator, sel: Selection, bucket: str | None, start, end) -> tuple[str, list]:
    side = "dest_pcode" if ind.kind == "flow_in" else "origin_pcode"
    where, params = sql_filters(sel, "period_start", None, None, start=start, end=end)
    if bucket:
        head, keys = f"date_trunc('{bucket}', period_start) AS bucket, ", "bucket, pcode, source_id"
        fit = f"period_end < date_trunc('{bucket}', period_start) + INTERVAL 1 {bucket}"
    else:
        head, keys, fit = "", "pcode, source_id", "period_end <= ?"
        params = [*params, pd.Timestamp(end)]
    sql = (f"SELECT {head}substr({side}, 1, {sel.width}) AS pcode, source_id, sum(persons)::DOUBLE AS value, "
           f"min(period_start) AS first, max(period_end) AS last FROM moves "
           f"WHERE basis = 'flow' AND {where} AND length({side}) >= {sel.width} AND {fit} GROUP BY {keys}")
    return sql, params


def _event_sql(ind: Indicator, sel: Selection, bucket: str | None, start, end) -> tuple[str, list]:
    """From the monthly aggregate, except for weekly steps (raw events)."""
    if bucket == "week" or (bucket is None and sel.stepping and (end - start).days < 27):
        table, date_col, count = "events", "date_start", "count(*)"
        last = f"max({date_col})"
    else:
        table, date_col, count = "events_monthly", "month", "sum(events)"
        last = f"max({date_col}) + INTERVAL 1 MONTH - INTERVAL 1 DAY"
    measure = count if ind.kind == "events" else "sum(fatalities)"
    where, params = sql_filters(sel, date_col, None, "event_type", start=start, end=end)
    head, keys = (f"date_trunc('{bucket}', {date_col}) AS bucket, ", "bucket, pcode, source_id") if bucket \
        else ("", "pcode, source_id")
    sql = (f"SELECT {head}substr({EVENT_PCODE}, 1, {sel.width}) AS pcode, source_id, {measure}::DOUBLE AS value, "
           f"min({date_col}) AS first, {last} AS last FROM {table} "
           f"WHERE {where} AND length({EVENT_PCODE}) >= {sel.width} GROUP BY {keys}")
    return sql, params


def area_values(wh: Warehouse, key: str, sel: Selection, organisations: dict | None = None) -> pd.DataFrame:
    """pcode, value, sources (comma-separated ids), detail for the map's period."""
    ind = INDICATORS.get(key)
    if ind is None:
        return _empty()
    start, end = sel.window_start, sel.window_end
    if ind.kind == "stock":
        rows = _stock_rows(wh, sel, ind.unit)
        out = _latest(rows[(rows["date"] >= start) & (rows["date"] <= end)], ["pcode"])
    else:
        if ind.kind == "displacement":
            raw = _raw_from_periods(contained(_displacement_rows(wh, ind, sel), start, end), ["pcode"])
        elif ind.kind in ("flow_in", "flow_out"):
            raw = wh.query(*_flow_sql(ind, sel, None, start, end))
        else:
            raw = wh.query(*_event_sql(ind, sel, None, start, end))
        out = combine_sources(raw, ["pcode"], organisations)
    return _typed(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return _empty()
    out = frame[["pcode", "value", "sources", "detail"]].copy()
    out["pcode"] = out["pcode"].astype("string")
    out["value"] = out["value"].astype("float64")
    return out.reset_index(drop=True)


def pooled_values(wh: Warehouse, key: str, sel: Selection, step_unit: str = "month") -> pd.DataFrame:
    """pcode, value of every area at every step of the range (or of the whole range when the map
    is not stepping): what the map's classes are computed from."""
    ind = INDICATORS.get(key)
    empty = pd.DataFrame({"pcode": pd.Series(dtype="string"), "value": pd.Series(dtype="float64")})
    if ind is None:
        return empty
    if not sel.stepping:
        return area_values(wh, key, replace(sel, window_start=sel.start, window_end=sel.end))[["pcode", "value"]]
    bucket = "week" if step_unit == "week" else "month"
    period = "W" if bucket == "week" else "M"
    if ind.kind == "stock":
        rows = _stock_rows(wh, sel, ind.unit)
        rows = rows[(rows["date"] >= sel.start) & (rows["date"] <= sel.end)]
        rows = rows.assign(bucket=rows["date"].dt.to_period(period).dt.start_time)
        return _latest(rows, ["bucket", "pcode"])[["pcode", "value"]] if len(rows) else empty
    if ind.kind == "displacement":
        rows = contained(_displacement_rows(wh, ind, sel), sel.start, sel.end)
        starts = rows["period_start"].dt.to_period(period).dt.start_time
        ends = starts + (pd.Timedelta(days=7) if bucket == "week" else pd.offsets.MonthBegin(1))
        raw = _raw_from_periods(rows[rows["period_end"] < ends].assign(bucket=starts), ["bucket", "pcode"])
    elif ind.kind in ("flow_in", "flow_out"):
        raw = wh.query(*_flow_sql(ind, sel, bucket, sel.start, sel.end))
    else:
        raw = wh.query(*_event_sql(ind, sel, bucket, sel.start, sel.end))
    if raw.empty:
        return empty
    # within one step every source overlaps every other: the largest counts
    return raw.groupby(["bucket", "pcode"], as_index=False)["value"].max()[["pcode", "value"]]


# ---- per 10,000 people ---------------------------------------------------------------------------

def population(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    """pcode, population, sources: the latest population figure on or before the end of the map's
    period (else the earliest after it), per area of the level."""
    rows = _stock_rows(wh, sel, "population")
    if rows.empty:
        return pd.DataFrame({"pcode": pd.Series(dtype="string"), "population": pd.Series(dtype="float64"),
                             "sources": pd.Series(dtype="object")})
    before = _latest(rows[rows["date"] <= sel.window_end], ["pcode"])
    after = rows[rows["date"] > sel.window_end].sort_values("date").drop_duplicates("pcode")
    after = after.assign(sources=after["source_id"].astype(str))[["pcode", "value", "sources"]]
    merged = pd.concat([before[["pcode", "value", "sources"]], after[~after["pcode"].isin(before["pcode"])]],
                       ignore_index=True)
    return merged.rename(columns={"value": "population"})


def per_10k(values: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """Values per 10,000 people; areas without a population figure have no value."""
    merged = values.merge(pop, on="pcode", how="inner", suffixes=("", "_pop"))
    merged = merged[merged["population"] > 0]
    if merged.empty:
        return _empty()
    out = merged.assign(
        value=merged["value"] / merged["population"] * 10_000,
        sources=[",".join(sorted(set(f"{a},{b}".strip(",").split(",")))) for a, b in zip(merged["sources"], merged["sources_pop"])],
    )
    return _typed(out)

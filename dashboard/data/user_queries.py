"""Queries behind the charts of the tables users' files add (issue 13): people in need by sector,
asylum applications and decisions by year, and monthly counts of conflict events by area as a
series beside the events. Pure pandas on the version's small frames (dashboard/data/warehouse.py);
no Dash.
"""
from __future__ import annotations

import pandas as pd

from dashboard.data.selection import Selection, from_sources

ASYLUM_ORDER = ("applications", "decisions_recognized", "decisions_complementary", "decisions_rejected",
                "decisions_closed", "decisions_total")


def _in_areas(pcodes: pd.Series, areas: tuple[str, ...]) -> pd.Series:
    if not areas:
        return pd.Series(True, index=pcodes.index)
    text = pcodes.fillna("").astype(str)
    return text.map(lambda p: any(p.startswith(a) for a in areas)).astype(bool)


def needs_by_sector(needs: pd.DataFrame | None, sel: Selection) -> pd.DataFrame:
    """Per source and sector, the people in need of the latest period overlapping the range, summed
    over the finest areas the source published (in the selected areas, or all), and the highest
    severity among them: source_id, sector, period_start, period_end, people_in_need, severity,
    areas (how many areas the figures are for)."""
    columns = ["source_id", "sector", "period_start", "period_end", "people_in_need", "severity", "areas"]
    if needs is None or needs.empty:
        return pd.DataFrame(columns=columns)
    frame = from_sources(needs, sel)
    frame = frame[(frame["period_start"] <= sel.end) & (frame["period_end"] >= sel.start) & frame["pcode"].notna()]
    frame = frame[_in_areas(frame["pcode"], sel.areas)]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    finest = frame["pcode"].str.len() == frame.groupby("source_id")["pcode"].transform(lambda p: p.str.len().max())
    frame = frame[finest]
    latest = frame["period_start"] == frame.groupby("source_id")["period_start"].transform("max")
    frame = frame[latest]
    out = frame.groupby(["source_id", "sector", "period_start", "period_end"], dropna=False).agg(
        people_in_need=("people_in_need", lambda v: v.sum(min_count=1)), severity=("severity", "max"),
        areas=("pcode", "nunique")).reset_index()
    return out.sort_values(["source_id", "people_in_need"], ascending=[True, True], kind="stable")[columns]


def asylum_by_year(asylum: pd.DataFrame | None, sel: Selection) -> pd.DataFrame:
    """Applications and decisions on Syrians' asylum claims per year, summed over the countries of
    asylum, persons and cases apart: year, measure, unit, value, suppressed (figures published as
    '*', not in the value), countries, source_id (comma-separated)."""
    columns = ["year", "measure", "unit", "value", "suppressed", "countries", "source_id"]
    if asylum is None or asylum.empty:
        return pd.DataFrame(columns=columns)
    frame = from_sources(asylum, sel)
    frame = frame[(frame["origin_iso3"] == "SYR") & frame["year"].between(sel.start.year, sel.end.year)]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = frame.groupby(["year", "measure", "unit"]).agg(
        value=("value", lambda v: v.sum(min_count=1)), suppressed=("suppressed", "sum"),
        countries=("asylum_iso3", "nunique"), source_id=("source_id", lambda s: ",".join(sorted(set(s))))).reset_index()
    out["order"] = out["measure"].map({m: i for i, m in enumerate(ASYLUM_ORDER)})
    return out.sort_values(["year", "unit", "order"]).drop(columns="order")[columns].reset_index(drop=True)


def counted_event_series(counted: pd.DataFrame | None, sel: Selection, label: str) -> pd.DataFrame:
    """Monthly counts of events by area (events_aggregated) as rows of the event series
    (dashboard/data/series_queries.py event_series), per month and source, for the whole region or
    each compared area; `label` names the dataset ('ACLED (monthly counts)'). Months only: a
    monthly count cannot be split into weeks or days, so other steps give no rows."""
    columns = ["bucket_start", "bucket_end", "area", "dataset", "source_id", "events", "fatalities",
               "fatalities_low", "fatalities_high"]
    if counted is None or counted.empty or sel.agg != "month":
        return pd.DataFrame(columns=columns)
    frame = from_sources(counted, sel)
    frame = frame[(frame["period_start"] >= sel.start) & (frame["period_end"] <= sel.end)]
    if sel.etypes:
        frame = frame[frame["event_type"].isin(sel.etypes)]
    parts = []
    for area in (sel.areas or (None,)):
        rows = frame if area is None else frame[_in_areas(frame["pcode"], (area,))]
        if rows.empty:
            continue
        summed = rows.groupby(["period_start", "dataset", "source_id"]).agg(
            events=("events", "sum"), fatalities=("fatalities", lambda v: v.sum(min_count=1)),
            end=("period_end", "max")).reset_index()
        parts.append(pd.DataFrame({
            "bucket_start": summed["period_start"], "bucket_end": summed["end"], "area": area,
            "dataset": [label.format(dataset=d) for d in summed["dataset"]], "source_id": summed["source_id"],
            "events": summed["events"].astype("int64"), "fatalities": summed["fatalities"],
            "fatalities_low": pd.NA, "fatalities_high": pd.NA,
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

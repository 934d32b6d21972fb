"""What the chart panels share: their inputs (published figures of the range, a bucketed series,
the key dates), the query of conflict events two of them are drawn from, and the rows of their
data exports (one row per published figure or per bucket of a series, tidy)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard.data import catalog, series_queries, user_queries
from dashboard.data.selection import Selection
from dashboard.data.state import KEY_DATE_KINDS
from dashboard.data.warehouse import Warehouse
from dashboard.figures.common import area_rows, isos, with_source_names
from dashboard.figures.published import RATE_DAYS, scope_of
from dashboard.panels.base import Shared
from dashboard.request import Request

PUBLISHED_COLUMNS = [
    "period_start", "period_end", "area_en", "area_ar", "pcode", "value", "killed", "qualifier", "low", "high", "unit", "measure",
    "kind", "source_id", "location_pcode", "direction", "injured", "cause",
]


@dataclass(frozen=True)
class ChartInputs:
    """The rows a chart is drawn from (the same for the page, the image and the data exports)."""

    published: pd.DataFrame | None = None  # published figures of the range
    series: pd.DataFrame | None = None  # a bucketed series (events, movements, the border summary)
    timeline: pd.DataFrame | None = None  # key dates of the range


def published(frame: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Published figures overlapping the range, scenarios left out, only the columns the charts
    use (every selection below copies fewer columns)."""
    keep = ((frame["period_start"] <= sel.end) & (frame["period_end"] >= sel.start) & (frame["kind"] != "scenario"))
    if sel.source_ids is not None:
        keep &= frame["source_id"].isin(sel.source_ids)
    return frame.loc[keep, [c for c in PUBLISHED_COLUMNS if c in frame.columns]]


def timeline_of(request: Request) -> pd.DataFrame:
    """The key dates of the range (from the selected sources), of the kinds the view shows (a key
    date of no kind is always shown). Shared by the charts of a view and kept per worker: read it,
    never change it."""
    sel = request.sel
    return _timeline(request.wh, sel.start, sel.end, sel.source_ids, tuple(request.state.keydates))


@lru_cache(maxsize=64)
def _timeline(wh: Warehouse, start, end, source_ids: tuple[str, ...] | None, kinds: tuple[str, ...]) -> pd.DataFrame:
    timeline = wh["timeline"]
    if source_ids is not None:
        timeline = timeline[timeline["source_id"].isin(source_ids)]
    keep = (timeline["date"] >= start) & (timeline["date"] <= end)
    if "kind" in timeline and kinds != KEY_DATE_KINDS:
        keep &= timeline["kind"].isna() | timeline["kind"].isin(list(kinds))
    return timeline[keep]


def _event_series(request: Request) -> pd.DataFrame:
    """Events per bucket and dataset, with the monthly counts by area of users' files (HDX's ACLED
    aggregates, HAPI) beside them as datasets of their own when the chart counts months."""
    events = series_queries.event_series(request.wh, request.sel)
    counted = user_queries.counted_event_series(request.wh.frames.get("events_aggregated"), request.sel,
                                                request.t("{dataset} (monthly counts)"))
    if len(counted):
        agg = events.attrs.get("agg")
        events = pd.concat([events, counted.astype({"events": "int64"})], ignore_index=True)
        events.attrs["agg"] = agg
    return with_source_names(events, request.wh["sources"])


# the casualties and conflict-events charts are drawn from the same series of events
EVENT_SERIES = Shared("event-series", _event_series)


def event_totals(request: Request) -> pd.DataFrame:
    """The totals of the event series (`_event_series`) per dataset and source, without its buckets:
    dataset, source_id, fatalities, first, last and the source's names. For a headline figure:
    one aggregate query instead of a row per day."""
    totals = series_queries.event_totals(request.wh, request.sel)
    counted = user_queries.counted_event_series(request.wh.frames.get("events_aggregated"), request.sel,
                                                request.t("{dataset} (monthly counts)"))
    if len(counted):
        counted = counted.groupby(["dataset", "source_id"], as_index=False).agg(
            fatalities=("fatalities", lambda v: v.sum(min_count=1)), first=("bucket_start", "min"),
            last=("bucket_end", "max"))
        totals = pd.concat([totals, counted], ignore_index=True)
    return with_source_names(totals, request.wh["sources"])


# ---- the rows of the data exports -----------------------------------------------------------------

def published_rows(frame: pd.DataFrame, value_col: str, record: str, areas: tuple,
                   request: Request | None = None) -> pd.DataFrame:
    """One row per published figure, per compared area (the rows each area's traces draw), with
    what keeps its meaning: the qualifier, the period and its length in days, the area and the kind
    of area it covers, its mean per month, and (with `request`) how many of its days lie in the
    period shown."""
    parts = []
    for area, rows in area_rows(frame, areas):
        if rows.empty:
            continue

        def col(name, rows=rows):
            return rows[name].to_numpy() if name in rows else None
        days = ((rows["period_end"] - rows["period_start"]).dt.days + 1).to_numpy()
        value = pd.to_numeric(rows[value_col], errors="coerce").to_numpy() if value_col in rows else None
        out = {
            "record": record, "compared_area": area or "", "period_start": isos(rows["period_start"]),
            "period_end": isos(rows["period_end"]), "days": days, "area": col("area_en"), "area_ar": col("area_ar"),
            "pcode": col("pcode"),
            "area_kind": [scope_of(a, p, lp) for a, p, lp in zip(
                rows["area_en"], rows["pcode"] if "pcode" in rows else [None] * len(rows),
                rows["location_pcode"] if "location_pcode" in rows else [None] * len(rows))],
            "unit": col("unit"), "measure": col("measure"), "direction": col("direction"), "kind": col("kind"),
            "value": col(value_col), "qualifier": col("qualifier"), "low": col("low"), "high": col("high"),
            "cause": col("cause"), "injured": col("injured") if value_col == "killed" else None,
            "mean_per_month": None if value is None else [round(v * RATE_DAYS["month"] / d, 1) if v == v else None
                                                          for v, d in zip(value, days)],
            "source_id": col("source_id"),
        }
        if request is not None:
            sel = request.sel
            inside = ((rows["period_end"].clip(upper=sel.end) - rows["period_start"].clip(lower=sel.start)).dt.days + 1)
            out["days_in_period_shown"] = inside.clip(lower=0).to_numpy()
        parts.append(pd.DataFrame(out).dropna(axis=1, how="all"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def series_rows(frame: pd.DataFrame | None, value_col: str, record, unit: str, extra: dict | None = None,
                request: Request | None = None) -> pd.DataFrame:
    """One row per bucket of a series (and compared area): its period, the area (the compared area,
    or the whole region), the count as the dataset records it (qualifier 'exact') and its source."""
    if frame is None or frame.empty:
        return pd.DataFrame()
    compared = frame["area"].fillna("").to_numpy()
    if request is not None:
        names = catalog.names(request.wh, "en")
        area = [names.get(a, a) if a else "north-west Syria (all areas)" for a in compared]
    else:
        area = [a or "north-west Syria (all areas)" for a in compared]
    out = {
        "record": record if isinstance(record, str) else list(record), "compared_area": compared,
        "period_start": isos(frame["bucket_start"]), "period_end": isos(frame["bucket_end"]), "area": area,
        "unit": frame["unit"].to_numpy() if "unit" in frame else unit, "value": frame[value_col].to_numpy(),
        "qualifier": "exact", "source_id": frame["source_id"].to_numpy(),
    }
    for column, source in (extra or {}).items():
        out[column] = frame[source].to_numpy()
    return pd.DataFrame(out)


def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of a data export from its parts (an empty table with its columns when there are none)."""
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"record": [], "value": [], "source_id": []})

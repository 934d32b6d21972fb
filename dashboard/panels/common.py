"""What the chart panels share: their inputs (published figures of the range, a bucketed series,
the key dates), the query of conflict events two of them are drawn from, and the rows of their
data exports (one row per published figure or per bucket of a series, tidy)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.data import series_queries, user_queries
from dashboard.data.selection import Selection, from_sources
from dashboard.figures.common import area_rows, isos, with_source_names
from dashboard.panels.base import Shared
from dashboard.request import Request

PUBLISHED_COLUMNS = [
    "period_start", "period_end", "area_en", "pcode", "value", "killed", "qualifier", "low", "high", "unit", "measure",
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
    """The key dates of the range (from the selected sources)."""
    sel = request.sel
    timeline = from_sources(request.wh["timeline"], sel)
    return timeline[(timeline["date"] >= sel.start) & (timeline["date"] <= sel.end)]


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


# ---- the rows of the data exports -----------------------------------------------------------------

def published_rows(frame: pd.DataFrame, value_col: str, record: str, areas: tuple) -> pd.DataFrame:
    """One row per published figure, per compared area (the rows each area's traces draw)."""
    parts = []
    for area, rows in area_rows(frame, areas):
        if rows.empty:
            continue

        def col(name, rows=rows):
            return rows[name].to_numpy() if name in rows else None
        parts.append(pd.DataFrame({
            "record": record, "compared_area": area or "", "period_start": isos(rows["period_start"]),
            "period_end": isos(rows["period_end"]), "area": col("area_en"), "pcode": col("pcode"), "unit": col("unit"),
            "measure": col("measure"), "direction": col("direction"), "kind": col("kind"), "value": col(value_col),
            "qualifier": col("qualifier"), "low": col("low"), "high": col("high"), "cause": col("cause"),
            "injured": col("injured") if value_col == "killed" else None, "source_id": col("source_id"),
        }).dropna(axis=1, how="all"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def series_rows(frame: pd.DataFrame | None, value_col: str, record, unit: str, extra: dict | None = None) -> pd.DataFrame:
    """One row per bucket of a series (and compared area)."""
    if frame is None or frame.empty:
        return pd.DataFrame()
    out = {
        "record": record if isinstance(record, str) else list(record), "compared_area": frame["area"].fillna("").to_numpy(),
        "period_start": isos(frame["bucket_start"]), "period_end": isos(frame["bucket_end"]),
        "unit": frame["unit"].to_numpy() if "unit" in frame else unit, "value": frame[value_col].to_numpy(),
        "source_id": frame["source_id"].to_numpy(),
    }
    for column, source in (extra or {}).items():
        out[column] = frame[source].to_numpy()
    return pd.DataFrame(out)


def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of a data export from its parts (an empty table with its columns when there are none)."""
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"record": [], "value": [], "source_id": []})

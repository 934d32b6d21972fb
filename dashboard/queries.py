"""Pure selections on warehouse tables: date ranges, observations, the sources behind a view."""
from __future__ import annotations

import pandas as pd

PERIOD_TABLES = ("displacement", "casualties")


def month_start(ts: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + (last.month - first.month)


def data_months(frames: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month covered by any dated figure."""
    dates = [frames[t]["period_start"] for t in PERIOD_TABLES] + [frames[t]["period_end"] for t in PERIOD_TABLES]
    dates += [frames["refugees"]["date"], frames["timeline"]["date"]]
    stacked = pd.concat([d.dropna() for d in dates])
    return month_start(stacked.min()), month_start(stacked.max())


def range_dates(first: pd.Timestamp, value: list[int]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Slider value [i, j] (months after `first`) -> first day of month i, last day of month j."""
    lo, hi = sorted(int(v) for v in value)
    start = first + pd.DateOffset(months=lo)
    end = first + pd.DateOffset(months=hi + 1) - pd.Timedelta(days=1)
    return start, end


def overlapping(frame: pd.DataFrame, start, end, start_col="period_start", end_col="period_end") -> pd.DataFrame:
    """Rows whose period overlaps [start, end]."""
    return frame[(frame[start_col] <= end) & (frame[end_col] >= start)]


def within(frame: pd.DataFrame, start, end, column="date") -> pd.DataFrame:
    return frame[(frame[column] >= start) & (frame[column] <= end)]


def observations(frame: pd.DataFrame) -> pd.DataFrame:
    """Observed figures only: planning scenarios never go on an observation chart."""
    return frame[frame["kind"] != "scenario"]


def sources_for(sources: pd.DataFrame, *frames: pd.DataFrame) -> pd.DataFrame:
    """The sources cited by the rows of `frames`, in a stable order."""
    ids = set()
    for frame in frames:
        ids.update(frame["source_id"].dropna())
    return sources[sources["source_id"].isin(ids)].sort_values(["organisation", "published", "source_id"])

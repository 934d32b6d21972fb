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


PCODE_LENGTH = {0: 2, 1: 4, 2: 6, 3: 8}
MAP_BBOX = (35.0, 34.6, 40.8, 37.7)  # lon/lat box of the map view: north-west Syria and the border


def admin_levels(admin_areas: pd.DataFrame) -> list[int]:
    return sorted(int(level) for level in admin_areas["level"].dropna().unique() if 1 <= int(level) <= 3)


def areas_for_level(admin_areas, admin_areas_web, level: int):
    """Areas of one level in the map view, from the simplified web copy where there is one."""
    web = admin_areas_web if admin_areas_web is not None and (admin_areas_web["level"] == level).any() else admin_areas
    areas = web[web["level"] == level]
    return areas.cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]]


def area_values(displacement: pd.DataFrame, level: int, unit: str) -> pd.Series:
    """Sum of period figures of `unit` whose P-code lies in each area of `level`, by P-code.

    Only figures carrying a P-code at least as deep as the level count; cumulative totals and
    scenarios are left out, so nothing is counted twice."""
    width = PCODE_LENGTH[level]
    rows = displacement[
        (displacement["unit"] == unit) & (displacement["measure"] == "period") & (displacement["kind"] != "scenario")
        & displacement["value"].notna() & (displacement["pcode"].str.len() >= width).fillna(False)
    ]
    return rows.groupby(rows["pcode"].str.slice(0, width))["value"].sum().astype("float64")

"""The events_monthly table: conflict events per month, admin area (adm1-3 P-codes), dataset,
event type and source, with event counts and fatalities (best, and low / high where the source
gives them).

Pure functions; groupby on integer codes only (the bench feeds a million events).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.contracts import EVENTS_MONTHLY
from etl.derived.schema import column_or_na, conform, empty

EVENT_KEYS = ["month", "adm1_pcode", "adm2_pcode", "adm3_pcode", "dataset", "event_type", "source_id"]


def month_start(dates: pd.Series) -> np.ndarray:
    """The first day of each date's month, as datetime64[s]."""
    return dates.to_numpy("datetime64[s]").astype("datetime64[M]").astype("datetime64[s]")


def events_monthly(events: pd.DataFrame) -> pd.DataFrame:
    """Events per month (of date_start), adm1-3 P-codes, dataset, event type and source: events
    (count), fatalities (sum of best), fatalities_low / fatalities_high (sums over the events
    that give them; NA when none does). Sorted by month, then the other keys."""
    if events.empty:
        return empty(EVENTS_MONTHLY)
    events = events.reset_index(drop=True)
    keys = {"month": pd.Series(month_start(events["date_start"]))}
    keys |= {k: column_or_na(events, k).astype("string") for k in EVENT_KEYS[1:]}
    # group on integer codes (NA a code of its own): much faster than on a million strings
    codes = {k: pd.factorize(v, use_na_sentinel=False) for k, v in keys.items()}
    coded = pd.DataFrame({k: c for k, (c, _) in codes.items()}).assign(
        events=1,
        fatalities=events["fatalities"].astype("Int64"),
        fatalities_low=column_or_na(events, "fatalities_low", "Int64").astype("Int64"),
        fatalities_high=column_or_na(events, "fatalities_high", "Int64").astype("Int64"),
    )
    grouped = coded.groupby(EVENT_KEYS, sort=False)
    sums = grouped[["events", "fatalities"]].sum()
    sums[["fatalities_low", "fatalities_high"]] = grouped[["fatalities_low", "fatalities_high"]].sum(min_count=1)
    sums = sums.reset_index()
    for k, (_, uniques) in codes.items():
        sums[k] = uniques.take(sums[k].to_numpy())
    sums = sums.sort_values(EVENT_KEYS, kind="stable", na_position="last")
    return conform(sums, EVENTS_MONTHLY)

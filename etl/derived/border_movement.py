"""Movement toward the border: per group of moves, the persons whose destination lies within 10,
25 and 50 km of the border and the mean distance moved toward it. The border_movement table is
its summary per period, source, unit and basis (etl/derived/tables.py).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from etl.derived.border_line import BAND_KM

SUMMARY_BASE = ["persons", "persons_unplaced"]


def summary_columns(thresholds: Sequence[float] = BAND_KM) -> list[str]:
    """The columns summarise_border_movement adds after the `by` columns."""
    return (SUMMARY_BASE + [f"within_{t:g}_km" for t in thresholds] + [f"share_{t:g}" for t in thresholds]
            + ["mean_toward_km", "mean_dest_border_km"])


def summarise_border_movement(moves: pd.DataFrame, by: list[str],
                              thresholds: Sequence[float] = BAND_KM) -> pd.DataFrame:
    """Movement toward the border, per group of `moves` rows (columns `by`, which may include a
    column the caller added, such as a time bucket; NA is a group of its own):

    - persons: persons whose destination's distance to the border is known;
    - persons_unplaced: persons whose destination has no known distance;
    - within_<t>_km: persons whose destination is at most t km from the border, for each threshold;
    - share_<t>: within_<t>_km / persons (NaN when persons is 0);
    - mean_toward_km: persons-weighted mean of toward_border_km over the rows that have it (both
      ends placed; NaN for arrivals, whose origin is unknown); > 0 means closer to the border;
    - mean_dest_border_km: persons-weighted mean distance of the destinations to the border.

    Rows without persons count nowhere. Pure: `moves` is not changed; sorted by `by`.
    """
    by = list(by)
    counts = SUMMARY_BASE + [f"within_{t:g}_km" for t in thresholds]
    if moves.empty:
        frame = pd.DataFrame({c: moves[c] if c in moves else pd.Series(dtype="object") for c in by})
        for column in summary_columns(thresholds):
            frame[column] = pd.Series(dtype="Int64" if column in counts else "float64")
        return frame.reset_index(drop=True)
    persons = moves["persons"].astype("Float64").to_numpy("float64", na_value=np.nan)
    dest = moves["dest_border_km"].to_numpy("float64", na_value=np.nan)
    toward = moves["toward_border_km"].to_numpy("float64", na_value=np.nan)
    counted = ~np.isnan(persons)
    placed = counted & ~np.isnan(dest)
    moved = placed & ~np.isnan(toward)
    p = np.where(counted, persons, 0).astype("int64")
    work = {
        "persons": np.where(placed, p, 0),
        "persons_unplaced": np.where(counted & ~placed, p, 0),
        **{f"within_{t:g}_km": np.where(placed & (dest <= t), p, 0) for t in thresholds},
        "_toward_sum": np.where(moved, p * np.nan_to_num(toward), 0.0),
        "_toward_persons": np.where(moved, p, 0),
        "_dest_sum": np.where(placed, p * np.nan_to_num(dest), 0.0),
    }
    frame = pd.DataFrame(work)
    for column in by:  # the caller's dtypes (string, datetime) kept for the keys
        frame[column] = moves[column].reset_index(drop=True)
    keys = by or np.zeros(len(frame), dtype="int8")  # no grouping: one row for all
    sums = frame.groupby(keys, dropna=False, sort=True).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        total = sums["persons"].to_numpy("float64")
        for t in thresholds:
            sums[f"share_{t:g}"] = np.where(total > 0, sums[f"within_{t:g}_km"] / total, np.nan)
        toward_persons = sums["_toward_persons"].to_numpy("float64")
        sums["mean_toward_km"] = np.where(toward_persons > 0, sums["_toward_sum"] / toward_persons, np.nan)
        sums["mean_dest_border_km"] = np.where(total > 0, sums["_dest_sum"] / total, np.nan)
    sums = sums.astype({c: "Int64" for c in counts})
    return sums[by + summary_columns(thresholds)]

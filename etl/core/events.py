"""The last rules of an event export (ACLED, UCDP), after validation against the events contract:
dates within the dataset's coverage (a date before it or in the future is a misread cell, not an
event), one row per event_id (the first valid one in file order; the others reported), then
exactly the contract's columns plus a point per event (EPSG:4326), in the contract's key order."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.core.contracts import REPEATED, Contract, in_order, reject_duplicates, reject_outside_coverage
from etl.core.geo import with_points
from etl.core.issues import Issues


def keep_rows(frame: pd.DataFrame, rows: pd.Index) -> pd.DataFrame:
    """The rows of `frame` (indexed by unique row numbers) whose number is in `rows`, in
    `frame`'s order; `frame` itself when none is left out."""
    return frame if len(rows) == len(frame) else frame[frame.index.isin(rows)]


def finish_events(good: pd.DataFrame, contract: Contract, coverage_start: str, dataset: str, file: str,
                  issues: Issues) -> gpd.GeoDataFrame:
    """The events table of one export (see the module docstring); `good` is indexed by row number."""
    # the rules see the columns they read; the whole table is filtered once, at the end (a million
    # rows of text are copied once, not once per rule)
    rules = good[["date_start", "date_end", "event_id"]]
    rules = reject_outside_coverage(rules, coverage_start, dataset, contract.table, file, issues)
    rules = reject_duplicates(rules, "event_id", contract.table, file, issues, reason=REPEATED, keep_order=True)
    good = keep_rows(good, rules.index)
    good = in_order(good, list(contract.key))  # the key order validate gave (kept, unless an adapter changed it)
    return with_points(good[contract.names].reset_index(drop=True))

"""The last rules of an event export (ACLED, UCDP), after validation against the events contract:
dates within the dataset's coverage (a date before it or in the future is a misread cell, not an
event), one row per event_id (the first valid one in file order; the others reported), then
exactly the contract's columns plus a point per event (EPSG:4326), in the contract's key order."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.core.contracts import REPEATED, Contract, Typed, in_order, reject_duplicates, reject_outside_coverage
from etl.core.geo import with_points
from etl.core.issues import Issues
from etl.core.memory import release_arrow


def finish_events(good: pd.DataFrame | Typed, contract: Contract, coverage_start: str, dataset: str, file: str,
                  issues: Issues) -> gpd.GeoDataFrame:
    """The events table of one export (see the module docstring); `good` is indexed by row number,
    or is validation's Typed rows (in the key order), taken here once."""
    # the rules see the columns they read; the whole table is taken once, at the end (a million
    # rows of text are copied once, not once per rule)
    validated = isinstance(good, Typed)
    typed = good if validated else Typed(good, np.arange(len(good)))
    del good
    rules = typed.columns(["date_start", "date_end", "event_id"])
    rules = reject_outside_coverage(rules, coverage_start, dataset, contract.table, file, issues)
    rules = reject_duplicates(rules, "event_id", contract.table, file, issues, reason=REPEATED, keep_order=True)
    typed.keep(rules.index)
    if validated:  # the table as validated is let go of before the points are made
        out = typed.last_rows(contract.names)
    else:
        out = in_order(typed.rows(contract.names), list(contract.key))  # the key order validate gave (kept, unless an adapter changed it)
    del typed
    release_arrow()  # the table as validated is gone: its pages are for the points now
    return with_points(out.reset_index(drop=True))

"""What a view selects, resolved against the warehouse: dates, areas, source ids, event types.

`Selection` is what every query takes. It is built from the URL's `ViewState`: organisations
become the source ids they published, the map's time step becomes a window of dates.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.data.state import ViewState, step_window
from dashboard.organisations import registry

PCODE_LENGTH = {0: 2, 1: 4, 2: 6, 3: 8}


@dataclass(frozen=True)
class Selection:
    start: pd.Timestamp  # the date range (first day of the first month)
    end: pd.Timestamp  # last day of the range
    window_start: pd.Timestamp  # what the map shows: the range, or one step of it
    window_end: pd.Timestamp
    level: int
    areas: tuple[str, ...]
    source_ids: tuple[str, ...] | None  # None: every source
    etypes: tuple[str, ...]
    agg: str
    stepping: bool  # the map shows one step of the range

    @property
    def width(self) -> int:
        return PCODE_LENGTH[self.level]


def source_ids_of(sources: pd.DataFrame, organisations) -> tuple[str, ...] | None:
    """The sources naming any of the organisations (registry ids, dashboard/organisations.py)."""
    if not organisations:
        return None
    wanted, reg = set(organisations), registry()
    return tuple(sorted(s for s, o in zip(sources["source_id"], sources["organisation"]) if wanted & set(reg.ids(o))))


def selection(state: ViewState, sources: pd.DataFrame) -> Selection:
    window_start, window_end = step_window(state)
    return Selection(
        start=state.start, end=state.end_day, window_start=window_start, window_end=window_end,
        level=state.level, areas=tuple(state.areas), source_ids=source_ids_of(sources, state.sources),
        etypes=tuple(state.etypes), agg=state.agg, stepping=state.step > 0,
    )


# ---- pandas selections --------------------------------------------------------------------------

def from_sources(frame: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    if sel.source_ids is None:
        return frame
    return frame[frame["source_id"].isin(sel.source_ids)]


# ---- SQL fragments -------------------------------------------------------------------------------

EVENT_PCODE = "pcode"  # events and events_monthly: the finest admin P-code of the event (warehouse.py)


def sql_filters(sel: Selection, date_col: str, pcode_expr: str | None, types_col: str | None,
                start=None, end=None, areas=None) -> tuple[str, list]:
    """A WHERE clause and its parameters for the selection (dates, sources, event types, areas)."""
    clauses = [f"{date_col} BETWEEN ? AND ?"]
    params: list = [pd.Timestamp(start if start is not None else sel.start),
                    pd.Timestamp(end if end is not None else sel.end)]
    if sel.source_ids is not None:
        clauses.append("list_contains(?, source_id)")
        params.append(list(sel.source_ids))
    if types_col and sel.etypes:
        clauses.append(f"{types_col} IN ({', '.join('?' * len(sel.etypes))})")
        params += list(sel.etypes)
    areas = sel.areas if areas is None else areas
    if pcode_expr and areas:
        clauses.append("(" + " OR ".join(f"starts_with({pcode_expr}, ?)" for _ in areas) + ")")
        params += list(areas)
    return " AND ".join(clauses), params

"""The casualties chart: published casualty figures per organisation (and compared area), war-wide
totals apart, plus fatalities in conflict events per dataset; drawn from the same series of events
as the conflict-events chart (one query for both)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from dashboard.data import catalog
from dashboard.data.selection import Selection
from dashboard.data.warehouse import Warehouse
from dashboard.figures.series import casualties_figure, published_casualty_traces
from dashboard.i18n import N_, translator
from dashboard.panels.base import Panel, register
from dashboard.panels.common import (
    EVENT_SERIES,
    ChartInputs,
    joined,
    published,
    published_rows,
    series_rows,
    timeline_of,
)
from dashboard.request import Request


def inputs(request: Request, events: pd.DataFrame | None = None) -> ChartInputs:
    """`events`: the event series of the request (EVENT_SERIES), when the caller has it. The published
    figures' traces are made once per period, areas and sources (`_published_traces`); the figures'
    rows are selected only for a data export (`rows`)."""
    events = EVENT_SERIES.query(request) if events is None else events
    return ChartInputs(series=events, timeline=timeline_of(request))


@lru_cache(maxsize=64)
def _published_traces(wh: Warehouse, start, end, areas: tuple, source_ids: tuple | None, lang: str,
                      rate: str = "published") -> tuple:
    """The published casualty traces of a period, areas, sources and rate: the same while event
    types change, so made once per worker (the dicts are only read after this)."""
    sel = Selection(start=start, end=end, window_start=start, window_end=end, level=1, areas=areas,
                    source_ids=source_ids, etypes=(), agg="month", stepping=False)
    return published_casualty_traces(published(wh["casualties"], sel), wh["sources"], translator(lang), areas,
                                     catalog.names(wh, lang), start, end, rate, catalog.organisation_table(wh))


def figure(inputs: ChartInputs, request: Request) -> dict:
    sel, wh = request.sel, request.wh
    traces = _published_traces(wh, sel.start, sel.end, sel.areas, sel.source_ids, request.lang, request.state.rate)
    return casualties_figure(None, wh["sources"], inputs.timeline, sel.start, sel.end, request.t, events=inputs.series,
                             areas=sel.areas, names=catalog.names(wh, request.lang), published=traces,
                             rate=request.state.rate)


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    series = inputs.series
    figures = published(request.wh["casualties"], request.sel) if inputs.published is None else inputs.published
    parts = [published_rows(figures, "killed", "published figure", request.sel.areas, request)]
    if series is not None and len(series):
        parts.append(series_rows(series, "fatalities", [f"fatalities in conflict events ({d})" for d in series["dataset"]],
                                 "people killed", {"low": "fatalities_low", "high": "fatalities_high"}, request=request))
    return joined(parts)


PANEL = register(Panel(
    name="casualties", label=N_("Casualties"), title=N_("Casualties in Idlib and north-west Syria, by source and period"),
    triggers=("home-range", "home-areas", "home-sources", "home-etypes", "home-agg", "home-rate", "home-keydates"),
    inputs=inputs, figure=figure, rows=rows, report_px=440, order=20, shared=EVENT_SERIES,
))

"""The conflict-events chart: events per day, week or month, per dataset (and compared area), the
range between datasets shaded; drawn from the same series of events as the casualties chart."""
from __future__ import annotations

import pandas as pd

from dashboard.data import catalog
from dashboard.figures.series import events_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import EVENT_SERIES, ChartInputs, joined, series_rows, timeline_of
from dashboard.request import Request


def inputs(request: Request, events: pd.DataFrame | None = None) -> ChartInputs:
    """`events`: the event series of the request (EVENT_SERIES), when the caller has it."""
    events = EVENT_SERIES.query(request) if events is None else events
    return ChartInputs(series=events, timeline=timeline_of(request))


def figure(inputs: ChartInputs, request: Request) -> dict:
    sel = request.sel
    return events_figure(inputs.series, request.wh["sources"], inputs.timeline, sel.start, sel.end, request.t,
                         agg=sel.agg, names=catalog.names(request.wh, request.lang))


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    series = inputs.series
    if series is None or not len(series):
        return joined([])
    return joined([series_rows(series, "events", [f"conflict events ({d})" for d in series["dataset"]], "events",
                               request=request)])


PANEL = register(Panel(
    name="events", label=N_("Conflict events"), title=N_("Conflict events"),
    triggers=("home-range", "home-areas", "home-sources", "home-etypes", "home-agg", "home-rate", "home-keydates"),
    inputs=inputs, figure=figure, rows=rows, report_px=400, order=40, shared=EVENT_SERIES,
))

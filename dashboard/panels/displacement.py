"""The displacement chart: published displacement figures per unit (and compared area), each over
the period it covers, plus movements from origin–destination data per source, bucketed."""
from __future__ import annotations

import pandas as pd

from dashboard.data import catalog, series_queries
from dashboard.figures.series import displacement_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import ChartInputs, joined, published, published_rows, series_rows, timeline_of
from dashboard.request import Request


def inputs(request: Request, shared=None) -> ChartInputs:
    sel = request.sel
    return ChartInputs(published=published(request.wh["displacement"], sel),
                       series=series_queries.flow_series(request.wh, sel), timeline=timeline_of(request))


def figure(inputs: ChartInputs, request: Request) -> dict:
    sel, wh = request.sel, request.wh
    return displacement_figure(inputs.published, wh["sources"], inputs.timeline, sel.start, sel.end, request.t,
                               flows=inputs.series, areas=sel.areas, names=catalog.names(wh, request.lang),
                               rate=request.state.rate, names_en=catalog.names(wh, "en"),
                               orgs=catalog.organisation_table(wh))


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    return joined([
        published_rows(inputs.published, "value", "published figure", request.sel.areas, request),
        series_rows(inputs.series, "persons", "movements, origin-destination data", "displacements", request=request),
    ])


PANEL = register(Panel(
    name="displacement", label=N_("Displacement"), title=N_("Displacement in north-west Syria, by reporting period"),
    triggers=("home-range", "home-areas", "home-sources", "home-agg", "home-rate", "home-keydates"),
    inputs=inputs, figure=figure, rows=rows, report_px=440, order=10,
))

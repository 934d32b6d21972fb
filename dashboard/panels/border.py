"""The chart of movement toward the Turkish border: per period and source, the share of displaced
people whose destination lies within 10, 25 and 50 km of the border, and the mean distance moved
toward it (computed in the ETL; see README, *Derived tables*)."""
from __future__ import annotations

import pandas as pd

from dashboard.data import catalog, series_queries
from dashboard.figures.series import border_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import ChartInputs, joined, series_rows
from dashboard.request import Request

EXTRA_COLUMNS = ("basis", "within_10_km", "within_25_km", "within_50_km", "share_10", "share_25", "share_50",
                 "mean_toward_km", "mean_dest_border_km")


def inputs(request: Request, shared=None) -> ChartInputs:
    return ChartInputs(series=series_queries.border_series(request.wh, request.sel))


def figure(inputs: ChartInputs, request: Request) -> dict:
    sel = request.sel
    return border_figure(inputs.series, request.wh["sources"], sel.start, sel.end, request.t,
                         names=catalog.names(request.wh, request.lang))


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    series = inputs.series
    if series is None or not len(series):
        return joined([])
    return joined([series_rows(series, "persons", "people with a known destination", "",
                               {c: c for c in EXTRA_COLUMNS}, request=request)])


PANEL = register(Panel(
    name="border", label=N_("Movement toward the border"), title=N_("Movement toward the Turkish border"),
    triggers=("home-range", "home-areas", "home-sources", "home-agg"),
    inputs=inputs, figure=figure, rows=rows, report_px=520, order=50,
))

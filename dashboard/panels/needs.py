"""The chart of people in need by sector (users' HNO files, table `needs`): the latest period in
the range, the selected areas (or all), one bar per sector and source, coloured by the highest
severity; shown only when a source fills the table."""
from __future__ import annotations

import pandas as pd

from dashboard.data import user_queries
from dashboard.figures.common import isos
from dashboard.figures.needs import needs_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import ChartInputs
from dashboard.request import Request


def has_data(wh) -> bool:
    needs = wh.frames.get("needs")
    return needs is not None and bool(len(needs))


def inputs(request: Request, shared=None) -> ChartInputs:
    return ChartInputs(series=user_queries.needs_by_sector(request.wh.frames.get("needs"), request.sel))


def figure(inputs: ChartInputs, request: Request) -> dict:
    return needs_figure(inputs.series, request.wh["sources"], request.t)


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    frame = inputs.series
    return pd.DataFrame({
        "record": "people in need (sum of the areas' figures)", "sector": frame["sector"].to_numpy(),
        "period_start": isos(frame["period_start"]), "period_end": isos(frame["period_end"]),
        "areas": frame["areas"].to_numpy(), "value": frame["people_in_need"].to_numpy(),
        "highest_severity": frame["severity"].to_numpy(), "source_id": frame["source_id"].to_numpy(),
    })


PANEL = register(Panel(
    name="needs", label=N_("People in need"), title=N_("People in need by sector, with the highest severity"),
    triggers=("home-range", "home-areas", "home-sources"),
    inputs=inputs, figure=figure, rows=rows, report_px=420, order=35, has_data=has_data,
))

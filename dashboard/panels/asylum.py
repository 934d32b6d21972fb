"""The chart of asylum applications and decisions of Syrians by year (UNHCR's asylum downloads,
table `asylum`): decisions stacked by outcome, applications as a line, persons only, suppressed
figures counted in a note; shown only when a source fills the table."""
from __future__ import annotations

import pandas as pd

from dashboard.data import user_queries
from dashboard.figures.needs import asylum_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import ChartInputs
from dashboard.request import Request


def has_data(wh) -> bool:
    asylum = wh.frames.get("asylum")
    return asylum is not None and bool(len(asylum))


def inputs(request: Request, shared=None) -> ChartInputs:
    return ChartInputs(series=user_queries.asylum_by_year(request.wh.frames.get("asylum"), request.sel))


def figure(inputs: ChartInputs, request: Request) -> dict:
    return asylum_figure(inputs.series, request.wh["sources"], request.t)


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    frame = inputs.series
    return pd.DataFrame({
        "record": "asylum, summed over countries of asylum", "year": frame["year"].to_numpy(),
        "measure": frame["measure"].to_numpy(), "unit": frame["unit"].to_numpy(), "value": frame["value"].to_numpy(),
        "suppressed_figures": frame["suppressed"].to_numpy(), "countries": frame["countries"].to_numpy(),
        "source_id": frame["source_id"].to_numpy(),
    })


PANEL = register(Panel(
    name="asylum", label=N_("Asylum"), title=N_("Asylum applications and decisions of Syrians, by year"),
    triggers=("home-range", "home-sources"),
    inputs=inputs, figure=figure, rows=rows, report_px=420, order=38, has_data=has_data,
))

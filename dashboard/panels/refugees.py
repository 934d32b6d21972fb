"""The chart of Syrians under temporary protection in Türkiye: each published series apart (the
Turkish government's and UNHCR's figures are never joined), the range between them shaded."""
from __future__ import annotations

import pandas as pd

from dashboard.data import catalog
from dashboard.data.selection import from_sources
from dashboard.figures.common import isos
from dashboard.figures.series import refugees_figure
from dashboard.i18n import N_
from dashboard.panels.base import Panel, register
from dashboard.panels.common import ChartInputs
from dashboard.request import Request


def inputs(request: Request, shared=None) -> ChartInputs:
    sel = request.sel
    refugees = from_sources(request.wh["refugees"], sel)
    return ChartInputs(published=refugees[(refugees["date"] >= sel.start) & (refugees["date"] <= sel.end)])


def figure(inputs: ChartInputs, request: Request) -> dict:
    sel = request.sel
    return refugees_figure(inputs.published, request.wh["sources"], sel.start, sel.end, request.t,
                           orgs=catalog.organisation_table(request.wh))


def rows(inputs: ChartInputs, request: Request) -> pd.DataFrame:
    frame = inputs.published
    frame = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
    dates = isos(frame["date"])
    return pd.DataFrame({
        "record": "published figure", "series": frame["series"].to_numpy(), "date": dates,
        "period_start": dates, "period_end": dates, "area": "Türkiye",
        "origin": frame["origin_iso3"].to_numpy(), "asylum": frame["asylum_iso3"].to_numpy(),
        "unit": frame["unit"].to_numpy(), "value": frame["persons"].to_numpy(),
        "qualifier": frame["qualifier"].to_numpy(), "source_id": frame["source_id"].to_numpy(),
    })


PANEL = register(Panel(
    name="refugees", label=N_("Syrians in Türkiye"), title=N_("Syrians under temporary protection in Türkiye"),
    triggers=("home-range", "home-sources"),
    inputs=inputs, figure=figure, rows=rows, report_px=400, order=30,
))

"""The page layout, a function of the warehouse and the language."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard import queries
from dashboard.data import Warehouse
from dashboard.figures.series import DISPLACEMENT_UNITS
from dashboard.i18n import Translate

GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
CHARTS = ("displacement", "casualties", "refugees")
LEVEL_LABELS = {1: "Governorates", 2: "Districts", 3: "Sub-districts"}


def slider_marks(first, n_months: int) -> dict:
    marks = {}
    for i in range(n_months + 1):
        month = first + pd.DateOffset(months=i)
        if month.month == 1:
            marks[i] = str(month.year)
    return marks


def chart_block(name: str, t: Translate) -> html.Section:
    return html.Section(
        [
            dcc.Loading(dcc.Graph(id=f"home-{name}-chart", config=GRAPH_CONFIG)),
            html.Div(id=f"home-{name}-sources"),
        ],
        className="chart-block", id=f"home-{name}-block",
    )


def build(wh: Warehouse, t: Translate) -> html.Div:
    first, last = queries.data_months(wh.frames)
    n = queries.months_between(first, last)
    # open on the period the displacement figures cover; the slider reaches back to 2011
    default_start = queries.months_between(first, queries.month_start(wh["displacement"]["period_start"].min()))
    return html.Div(
        [
            html.Header(
                [
                    html.H1(t("Idlib displacement dashboard")),
                    html.P(t(
                        "Displacement, casualties and the movement of people toward the Turkish border, "
                        "from published figures with their sources."
                    ), className="lede"),
                ]
            ),
            html.Section(
                [
                    html.Label(t("Period"), htmlFor="home-range", className="control-label"),
                    dcc.RangeSlider(
                        id="home-range", min=0, max=n, step=1, value=[default_start, n],
                        marks=slider_marks(first, n), allowCross=False, updatemode="mouseup",
                        tooltip=None, allow_direct_input=False,
                    ),
                    html.P(id="home-range-text", className="range-text", **{"aria-live": "polite"}),
                    html.Div(
                        [
                            html.Div([
                                html.Label(t("Admin level"), htmlFor="home-level", className="control-label"),
                                dcc.RadioItems(
                                    id="home-level", value=1, inline=True,
                                    options=[{"label": t(LEVEL_LABELS[lv]), "value": lv} for lv in queries.admin_levels(wh["admin_areas"])],
                                ),
                            ], className="control"),
                            html.Div([
                                html.Label(t("Map indicator"), htmlFor="home-indicator", className="control-label"),
                                dcc.Dropdown(
                                    id="home-indicator", value=None, clearable=True, searchable=False,
                                    placeholder=t("Areas only (figures on hover)"),
                                    options=[{"label": t(label), "value": unit} for unit, label in DISPLACEMENT_UNITS.items()],
                                ),
                            ], className="control control-wide"),
                        ],
                        className="control-row",
                    ),
                ],
                className="controls",
            ),
            html.Section(
                [
                    dcc.Loading(dcc.Graph(id="home-map", config=GRAPH_CONFIG)),
                    html.Div(id="home-map-sources"),
                ],
                className="map-block",
            ),
            html.Div([chart_block(name, t) for name in CHARTS], className="charts"),
            html.Footer(
                [
                    html.Span(t("Warehouse version {v}, built {b}").format(v=wh.version, b=wh.built_at), id="home-version"),
                    html.Span(" · "),
                    html.Span(t("Numbers are as published by the organisations cited under each chart.")),
                ]
            ),
            dcc.Store(id="home-first-month", data=first.isoformat()),
        ],
        className="page",
    )

"""Callbacks: they only wire controls to the pure query and figure functions."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, callback

from dashboard import queries
from dashboard.components.sources import source_list, unlocated_note
from dashboard.data import warehouse
from dashboard.figures.common import fmt_date
from dashboard.figures.map import map_figure
from dashboard.figures.series import DISPLACEMENT_UNITS, casualties_figure, displacement_figure, refugees_figure
from dashboard.i18n import translator


def view(value: list[int], first_iso: str, level: int = 1, indicator: str | None = None, lang: str = "en") -> dict:
    """Everything the page shows for a date range, admin level and map indicator (a plain
    function, tested without a browser)."""
    t = translator(lang)
    wh = warehouse()
    level = level if level in queries.admin_levels(wh["admin_areas"]) else 1
    start, end = queries.range_dates(pd.Timestamp(first_iso), value)
    src = wh["sources"]
    displacement = queries.observations(queries.overlapping(wh["displacement"], start, end))
    casualties = queries.observations(queries.overlapping(wh["casualties"], start, end))
    refugees = queries.within(wh["refugees"], start, end)
    timeline = queries.within(wh["timeline"], start, end)
    turkey = refugees[(refugees["asylum_iso3"] == "TUR") & (refugees["unit"] != "returns")]
    areas = queries.areas_for_level(wh["admin_areas"], wh.frames.get("admin_areas_web"), level)
    values = queries.area_values(displacement, level, indicator) if indicator else None
    unit_label = t(DISPLACEMENT_UNITS[indicator]) if indicator else ""
    geo = [areas, wh["countries"], wh["border"], wh["crossings"], wh["places"]]
    return {
        "range_text": t("Showing {start} to {end}").format(start=fmt_date(start), end=fmt_date(end)),
        "map": map_figure(*geo, displacement, src, t, values=values, unit_label=unit_label),
        "map_sources": [
            unlocated_note(wh["crossings"], t),
            source_list(queries.sources_for(src, *geo, displacement), t, "home-map-source-list"),
        ],
        "displacement": displacement_figure(displacement, src, timeline, start, end, t),
        "displacement_sources": source_list(queries.sources_for(src, displacement, timeline), t, "home-displacement-source-list"),
        "casualties": casualties_figure(casualties, src, timeline, start, end, t),
        "casualties_sources": source_list(queries.sources_for(src, casualties, timeline), t, "home-casualties-source-list"),
        "refugees": refugees_figure(refugees, src, start, end, t),
        "refugees_sources": source_list(queries.sources_for(src, turkey), t, "home-refugees-source-list"),
    }


KEYS = ("range_text", "map", "map_sources", "displacement", "displacement_sources",
        "casualties", "casualties_sources", "refugees", "refugees_sources")


@callback(
    Output("home-range-text", "children"),
    Output("home-map", "figure"),
    Output("home-map-sources", "children"),
    Output("home-displacement-chart", "figure"),
    Output("home-displacement-sources", "children"),
    Output("home-casualties-chart", "figure"),
    Output("home-casualties-sources", "children"),
    Output("home-refugees-chart", "figure"),
    Output("home-refugees-sources", "children"),
    Input("home-range", "value"),
    Input("home-first-month", "data"),
    Input("home-level", "value"),
    Input("home-indicator", "value"),
)
def update(value, first_iso, level, indicator):
    out = view(value, first_iso, int(level or 1), indicator or None)
    return tuple(out[k] for k in KEYS)

"""The NAIVE baseline Dash app that python -m bench.run measures the real dashboard against.

    IDLIB_WAREHOUSE=bench/results/warehouse-... PORT=8051 python -m bench.baseline_app

The baseline as issue 4 defines it: on every callback, filter the full events and displacement
DataFrames in pandas and rebuild a plotly.express choropleth with the full (unsimplified)
GeoJSON of the chosen admin level, plus px time series. It is a yardstick, honest and
straightforward: the warehouse's live version is read once at start with the warehouse's own
reader (as dashboard/data/warehouse.py does), the GeoJSON of each level is built once (rings oriented
clockwise, as plotly's geo choropleth needs, like the real map), nothing is deliberately slowed
and nothing is cached between callbacks.

Controls carry the real app's ids for the benchmarked scenarios:
home-range.value [i, j] (months after the first event month), home-step.value (0 = the whole
range, k = the k-th month of it), home-level.value (1/2/3), home-etypes.value (event types).
Outputs: home-map.figure (events per area), home-events-chart.figure (events per month and
type), home-displacement-chart.figure (displacement flows per month).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html
from shapely.geometry import mapping

from dashboard.figures.map import clockwise
from etl.config import ASSETS_DIR, Settings
from etl.core.warehouse import open_live

GRAPH_CONFIG = {"displaylogo": False, "topojsonURL": "/assets/topojson/"}
LEVELS = {1: "Governorates", 2: "Districts", 3: "Sub-districts"}
DEFAULT_LEVEL = 1


@dataclass(frozen=True)
class BaselineData:
    events: pd.DataFrame
    flows: pd.DataFrame
    geojson: dict[int, dict]  # admin level -> full-resolution FeatureCollection
    first_month: pd.Timestamp
    n_months: int
    event_types: list[str]


def load(root: Path | None = None) -> BaselineData:
    """Everything the baseline shows, from the live warehouse version under `root`."""
    live = open_live(root or Settings.from_env().warehouse_dir)
    events = live.read("events")
    displacement = live.read("displacement")
    admin = live.read("admin_areas")
    geojson = {
        int(level): {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"pcode": p}, "geometry": mapping(clockwise(g))}
                         for p, g in zip(areas["pcode"], areas.geometry)],
        }
        for level, areas in admin[admin["level"].between(1, 3)].groupby("level")
    }
    dates = events["date_start"].dropna()
    first = (dates.min() if len(dates) else pd.Timestamp("2015-01-01")).to_period("M").to_timestamp()
    last = (dates.max() if len(dates) else first).to_period("M").to_timestamp()
    n_months = (last.year - first.year) * 12 + last.month - first.month
    return BaselineData(
        events=events, flows=displacement[displacement["direction"] == "flow"], geojson=geojson,
        first_month=first, n_months=n_months,
        event_types=sorted(events["event_type"].dropna().unique().tolist()),
    )


def period(data: BaselineData, value, step) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day shown: the range [i, j] in months, or its k-th month when step k > 0."""
    lo, hi = sorted(int(v) for v in (value or [0, data.n_months]))
    if step:
        lo = hi = min(lo + int(step) - 1, hi)
    start = data.first_month + pd.DateOffset(months=lo)
    end = data.first_month + pd.DateOffset(months=hi + 1) - pd.Timedelta(days=1)
    return start, end


def figures(data: BaselineData, value, step, level, etypes) -> tuple[dict, dict, dict]:
    """The map, the events series and the displacement series, rebuilt from the full frames."""
    level = int(level or DEFAULT_LEVEL)
    start, end = period(data, value, step)
    ev = data.events
    ev = ev[(ev["date_start"] >= start) & (ev["date_start"] <= end) & ev["event_type"].isin(etypes or [])]
    column = f"adm{level}_pcode"
    counts = ev.groupby(column).size().rename("events").reset_index()
    area_map = px.choropleth(
        counts, geojson=data.geojson.get(level, {"type": "FeatureCollection", "features": []}), locations=column,
        featureidkey="properties.pcode", color="events", color_continuous_scale="OrRd", fitbounds="locations",
        title=f"Events by {LEVELS[level].lower()}, {start:%Y-%m-%d} to {end:%Y-%m-%d}",
    )
    monthly = (ev.groupby([ev["date_start"].dt.to_period("M").dt.to_timestamp(), "event_type"]).size()
               .rename("events").reset_index())
    events_chart = px.line(monthly, x="date_start", y="events", color="event_type", title="Events per month")
    fl = data.flows
    fl = fl[(fl["period_start"] <= end) & (fl["period_end"] >= start)]
    per_month = fl.groupby("period_start")["value"].sum().rename("persons").reset_index()
    displacement_chart = px.bar(per_month, x="period_start", y="persons", title="Displacements per month (flows)")
    return area_map, events_chart, displacement_chart


def layout(data: BaselineData) -> html.Div:
    n = data.n_months
    return html.Div([
        html.H1("Naive baseline (benchmark yardstick)"),
        dcc.RangeSlider(id="home-range", min=0, max=n, step=1, value=[0, n], marks=None, allowCross=False),
        dcc.Slider(id="home-step", min=0, max=n + 1, step=1, value=0, marks=None),
        dcc.RadioItems(id="home-level", value=DEFAULT_LEVEL, inline=True,
                       options=[{"label": label, "value": lv} for lv, label in LEVELS.items() if lv in data.geojson]),
        dcc.Checklist(id="home-etypes", options=data.event_types, value=list(data.event_types), inline=True),
        dcc.Graph(id="home-map", config=GRAPH_CONFIG),
        dcc.Graph(id="home-events-chart", config=GRAPH_CONFIG),
        dcc.Graph(id="home-displacement-chart", config=GRAPH_CONFIG),
    ])


def create_app(root: Path | None = None) -> Dash:
    data = load(root)
    app = Dash(__name__, assets_folder=str(ASSETS_DIR), serve_locally=True, update_title=None,
               title="Naive baseline")
    app.layout = layout(data)

    @app.callback(
        Output("home-map", "figure"), Output("home-events-chart", "figure"), Output("home-displacement-chart", "figure"),
        Input("home-range", "value"), Input("home-step", "value"), Input("home-level", "value"),
        Input("home-etypes", "value"),
    )
    def update(value, step, level, etypes):
        return figures(data, value, step, level, etypes)

    return app


def main() -> int:
    port = os.environ.get("PORT", "8051")
    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"Naive baseline on http://{host}:{port}/", flush=True)
    app.run(host=host, port=int(port), debug=False, dev_tools_disable_version_check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

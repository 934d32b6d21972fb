"""The dashboard's callbacks belong to the dashboard's app only: another Dash app created in the same
process (the bench's naive baseline, a test app) must not inherit them. CI once failed when the
baseline app ran the dashboard's map callback against a warehouse that did not exist."""
from __future__ import annotations

from dash import Dash, html

import dashboard.page.callbacks  # noqa: F401  (importing it must register nothing globally)
import dashboard.page.layout
from dashboard import panels
from dashboard.page.app import create_app


def _dependencies(app: Dash) -> list[dict]:
    return app.server.test_client().get("/_dash-dependencies").get_json()


def test_another_app_in_the_process_gets_none_of_the_dashboards_callbacks():
    create_app()
    other = Dash(__name__)
    other.layout = html.Div(id="home-map")
    assert _dependencies(other) == []


def test_the_dashboard_app_has_all_its_callbacks_each_time_it_is_created():
    first, second = _dependencies(create_app()), _dependencies(create_app())
    outputs = {d["output"] for d in first}
    # the document's language; a title per graph; the map's frame and legend, the period's controls, the
    # filters' drawer (the graphs' text alternatives are written by assets/a11y.js, not by callbacks)
    clientside = 1 + len(dashboard.page.layout.graph_ids()) + 4
    charts = len(panels.chart_groups())  # a callback per group of charts (made when the app is)
    export = 1  # the export's, in the web process or on the workers' queue (made when the app is)
    assert len(first) == len(dashboard.page.callbacks._CALLBACKS) + charts + export + clientside == len(second)
    assert any("home-map.figure" in o for o in outputs) and any("home-page.children" in o for o in outputs)
    assert not [o for o in outputs if o.endswith("-summary.children")]  # no callback on the figures for them


def test_a_step_of_the_time_slider_reaches_the_map_at_once():
    """No callback both listens to the slider and writes it: Dash would hold the map's update (and
    the URL's) back until that callback answered, one more round trip per step."""
    deps = _dependencies(create_app())
    writes_step = [d for d in deps if "home-step.value" in d["output"].replace("..", " ").split()]
    listens_to_step = [d for d in deps if {"id": "home-step", "property": "value"} in d["inputs"]]
    assert {d["output"] for d in writes_step} & {d["output"] for d in listens_to_step} == set()
    assert any("home-map.figure" in d["output"] for d in listens_to_step)
    assert any(d["output"] == "home-step-label.children" for d in listens_to_step)

"""A panel is one module: a panel registered here, by this test alone (a tiny chart of the key dates
of the timeline table), appears everywhere the page and the exports list panels, with no other
module edited: on the page (its graph block, its callback, answered by the server), in the export
menu, in the data export, in the report's pages and on the command line. It is unregistered after.
"""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from dashboard import panels
from dashboard.data.state import controls
from dashboard.data.warehouse import warehouse
from dashboard.export import files, report
from dashboard.figures.common import base_layout, isos, source_ids
from dashboard.panels.common import timeline_of
from dashboard.request import Request

VIEW = "from=2019-12&to=2020-03"


def inputs(request: Request, shared=None) -> pd.DataFrame:
    return timeline_of(request)


def figure(dates: pd.DataFrame, request: Request) -> dict:
    sel = request.sel
    trace = {"type": "scatter", "x": isos(dates["date"]), "y": [1] * len(dates), "mode": "markers",
             "name": "Key dates (test)", "meta": {"sources": source_ids(dates)}}
    return {"data": [trace], "layout": base_layout("Key dates (test)", "", sel.start, sel.end, request.lang)}


def rows(dates: pd.DataFrame, request: Request) -> pd.DataFrame:
    return pd.DataFrame({"record": "key date", "date": isos(dates["date"]), "label": dates["label_en"].to_numpy(),
                         "source_id": dates["source_id"].to_numpy()})


KEY_DATES = panels.Panel(
    name="keydates", label="Key dates (test)", title="Key dates of the period (test)",
    triggers=("home-range", "home-sources"), inputs=inputs, figure=figure, rows=rows, report_px=300, order=99,
)


@pytest.fixture
def registered(use_warehouse):
    before = panels.names()
    panels.register(KEY_DATES)
    try:
        yield KEY_DATES
    finally:
        panels.unregister(KEY_DATES.name)
        assert panels.names() == before


def find(component, component_id: str):
    """The component with this id in a layout (a tree of Dash components)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


def test_a_registered_panel_is_on_the_page_with_its_callback(registered):
    from dashboard.page import layout
    from dashboard.page.app import create_app
    from dashboard.page.parts import page_parts_for

    assert panels.names()[-1] == "keydates" and "keydates" in layout.graph_ids()[-1]
    request = Request.from_query(warehouse(), VIEW)
    parts = page_parts_for(request)
    page = layout.page(request, parts)
    block = find(page, "home-keydates-block")
    assert block is not None and block.to_plotly_json()["props"]["aria-label"] == "Key dates (test)"
    graph = find(page, "home-keydates-chart")
    assert graph.figure["data"][0]["name"] == "Key dates (test)" and len(graph.figure["data"][0]["x"]) > 0
    assert find(page, "home-keydates-sources") is not None

    app = create_app()
    [key] = [k for k in app.callback_map if "home-keydates-chart.figure" in k]
    # its text alternative (a paragraph assets/a11y.js writes when the figure is drawn) and its title
    assert find(page, "home-keydates-chart-summary") is not None
    assert "home-keydates-chart-title.children" in app.callback_map
    # the server answers the chart's callback as the page sends it (a new date range)
    spec = app.callback_map[key]
    values = {**{f"{c}.value": v for c, v in controls(request.state, request.bounds).items()}}
    values["home-range.value"] = [values["home-range.value"][0] - 1, values["home-range.value"][1]]
    body = {
        "output": key, "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")],
        "inputs": [{**i, "value": values[f"{i['id']}.{i['property']}"]} for i in spec["inputs"]],
        "state": [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in spec["state"]],
        "changedPropIds": ["home-range.value"],
    }
    answer = app.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.data[:500]
    response = answer.get_json()["response"]
    assert response["home-keydates-chart"]["figure"]["data"][0]["name"] == "Key dates (test)"
    assert "home-keydates-source-list" in str(response["home-keydates-sources"])


def test_a_registered_panel_is_in_the_export_menu_the_data_export_and_the_report(registered):
    from dashboard.export.__main__ import parser
    from dashboard.i18n import translator
    from dashboard.page import layout

    menu = find(layout.export_section(translator("en")), "home-export-what")
    assert {"label": "Key dates (test)", "value": "keydates"} in menu.options

    ctx = files.context_of(Request.from_query(warehouse(), VIEW), pd.Timestamp("2026-11-30 09:15", tz="UTC"))
    data = list(csv.DictReader(io.StringIO(files.chart_data("keydates", ctx, "csv").decode("utf-8-sig"))))
    dates = timeline_of(ctx.request)
    assert len(data) == len(dates) > 0 and {r["record"] for r in data} == {"key date"}
    assert [r["label"] for r in data] == list(dates["label_en"]) and all(r["organisation"] for r in data)
    notes = files.data_table("keydates", ctx).notes
    assert ("Chart", "Key dates of the period (test)") in notes

    pages = report.report_pages(ctx)
    # its number among the panels with something to draw (needs, asylum: only when loaded; charts with
    # nothing to draw for the view are left out of the report)
    n = [name for name, _ in report.drawn_charts(ctx)[0]].index("keydates") + 1
    text = [" ".join(a["text"] for a in page["layout"]["annotations"]) for page in pages]
    assert any(f"Figure {n}. Key dates of the period (test)" in page for page in text)  # the contents
    titled = [p for p in pages if any(f"Figure {n}. Key dates (test)" in a["text"] for a in p["layout"]["annotations"])]
    assert len(titled) == 1 and titled[0]["data"][0]["name"] == "Key dates (test)"

    args = parser().parse_args(["data", "keydates", "--format", "csv"])
    assert args.name == "keydates"


def test_a_panel_sharing_a_query_must_share_its_controls():
    events = panels.get("events")
    odd = panels.Panel(name="odd", label="Odd", title="Odd", triggers=("home-range",), inputs=inputs, figure=figure,
                       rows=rows, report_px=300, order=98, shared=events.shared)
    with pytest.raises(ValueError, match="share a query but not their controls"):
        panels.register(odd)
    with pytest.raises(ValueError, match="unknown controls"):
        panels.register(panels.Panel(name="odd", label="Odd", title="Odd", triggers=("home-nothing",), inputs=inputs,
                                     figure=figure, rows=rows, report_px=300, order=98))
    assert "odd" not in panels.names()

"""bench.client against a tiny Dash app served on 127.0.0.1 by the test: the renderer's request
format, first-view callbacks, cascades, concurrent sends, Patch, PreventUpdate, new components."""
from __future__ import annotations

import threading

import pytest
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import request
from werkzeug.serving import make_server

from bench.client import DashClient, apply_patch, split_output


def tiny_app() -> tuple[Dash, dict]:
    seen: dict = {"bodies": [], "calls": {}}
    barrier = threading.Barrier(2, timeout=20)
    app = Dash(__name__)
    app.layout = html.Div([
        dcc.Location(id="url"),
        dcc.Dropdown(id="pick", options=["a", "b", "stop"], value="a"),
        html.Div(id="left"), html.Div(id="right"), html.Div(id="both"), html.Div(id="echo-url"),
        dcc.Graph(id="fig"), html.Div(id="holder"), html.Div(id="client-side"), dcc.Input(id="norm", value="x"),
    ])

    def count(name):
        seen["calls"][name] = seen["calls"].get(name, 0) + 1

    @app.server.before_request
    def record():
        if request.path.endswith("_dash-update-component"):
            seen["bodies"].append(request.get_json())

    @app.callback(Output("left", "children"), Input("pick", "value"))
    def left(v):
        count("left")
        if v == "stop":
            raise PreventUpdate
        barrier.wait()  # returns only when `right` runs at the same time: the two are sent together
        return f"L{v}"

    @app.callback(Output("right", "children"), Output("right", "title"), Input("pick", "value"), State("url", "search"))
    def right(v, search):
        count("right")
        if v == "stop":
            return no_update, no_update
        barrier.wait()
        return f"R{v}", f"search={search!r}"

    @app.callback(Output("both", "children"), Input("left", "children"), Input("right", "children"),
                  prevent_initial_call=True)
    def both(a, b):
        count("both")
        return f"{a}+{b}"

    @app.callback(Output("echo-url", "children"), Input("url", "pathname"), prevent_initial_call=True)
    def echo_url(path):
        return f"at {path}"

    @app.callback(Output("fig", "figure"), Input("pick", "value"))
    def fig(v):
        if ctx.triggered_id == "pick" and v != "a":
            p = Patch()
            p["layout"]["title"] = v
            p["data"][0]["y"].append(9)
            return p
        return {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}], "layout": {"title": "first"},
                "geo": {"type": "FeatureCollection", "features": []}}

    @app.callback(Output("holder", "children"), Input("pick", "value"))
    def holder(v):
        return html.Div([dcc.Input(id="inner", value=f"in-{v}"), html.Span(id="inner-echo")])

    @app.callback(Output("inner-echo", "children"), Input("inner", "value"))
    def inner_echo(v):
        return f"echo {v}"

    @app.callback(Output("norm", "value"), Input("norm", "value"))
    def norm(v):  # a circular callback: its output is its own input
        count("norm")
        return (v or "").upper()

    app.clientside_callback("function(v) { return v; }", Output("client-side", "children"), Input("pick", "value"))
    return app, seen


@pytest.fixture
def served():
    app, seen = tiny_app()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", seen
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_first_view_runs_the_initial_callbacks_and_their_cascade(served):
    url, seen = served
    with DashClient(url) as client:
        step = client.load()
        assert step.errors == []
        assert client.get("left", "children") == "La" and client.get("right", "children") == "Ra"
        assert client.get("both", "children") == "La+Ra"  # prevent_initial_call, but fired by its inputs changing
        assert client.get("right", "title") == "search=''"  # dcc.Location mounted with the URL's search
        assert client.get("echo-url", "children") == "at /"  # Location's pathname set on mount fires its callback
        assert client.get("inner-echo", "children") == "echo in-a"  # components returned in children get their callbacks
        assert seen["calls"]["both"] == 1  # waited for both inputs, then sent once
        labels = [r.label for r in step.requests]
        assert labels[:1] == ["GET /"] and {"GET _dash-layout", "GET _dash-dependencies"} <= set(labels)
        assert any("client-side" in s and "clientside" in s for s in step.skipped)


def test_request_body_has_the_renderers_format(served):
    url, seen = served
    with DashClient(url) as client:
        client.load()
        seen["bodies"].clear()
        client.set("pick", "value", "b")
    right = next(b for b in seen["bodies"] if b["output"] == "..right.children...right.title..")
    assert right["outputs"] == [{"id": "right", "property": "children"}, {"id": "right", "property": "title"}]
    assert right["inputs"] == [{"id": "pick", "property": "value", "value": "b"}]
    assert right["state"] == [{"id": "url", "property": "search", "value": ""}]
    assert right["changedPropIds"] == ["pick.value"]
    left = next(b for b in seen["bodies"] if b["output"] == "left.children")
    assert left["outputs"] == {"id": "left", "property": "children"} and "state" not in left
    both = next(b for b in seen["bodies"] if b["output"] == "both.children")
    assert set(both["changedPropIds"]) == {"left.children", "right.children"}


def test_a_step_records_each_response_and_applies_patches(served):
    url, _ = served
    with DashClient(url) as client:
        first = client.load()
        fig_request = next(r for r in first.requests if r.label == "fig.figure")
        assert fig_request.has_geometry and fig_request.raw_bytes > 0 and fig_request.gzip_bytes > 0
        step = client.set("pick", "value", "b")
        assert step.errors == [] and step.seconds > 0
        assert {r.label for r in step.requests} >= {"left.children", "..right.children...right.title..", "both.children",
                                                    "fig.figure", "holder.children", "inner-echo.children"}
        assert all(r.status == 200 and r.seconds > 0 and r.raw_bytes == r.wire_bytes for r in step.requests)
        figure = client.get("fig", "figure")
        assert figure["layout"]["title"] == "b" and figure["data"][0]["y"] == [3, 4, 9]
        assert not next(r for r in step.requests if r.label == "fig.figure").has_geometry
        assert client.get("both", "children") == "Lb+Rb"
        assert client.get("inner-echo", "children") == "echo in-b"


def test_prevented_updates_change_nothing_and_cascade_nowhere(served):
    url, seen = served
    with DashClient(url) as client:
        client.load()
        calls = seen["calls"]["both"]
        step = client.set("pick", "value", "stop")
        assert {r.status for r in step.requests if r.label == "left.children"} == {204}
        assert client.get("left", "children") == "La" and client.get("right", "children") == "Ra"
        assert seen["calls"]["both"] == calls


def test_a_circular_callback_runs_once_per_action(served):
    url, seen = served
    with DashClient(url) as client:
        client.load()
        assert client.get("norm", "value") == "X" and seen["calls"]["norm"] == 1
        client.set("norm", "value", "ab")
        assert client.get("norm", "value") == "AB" and seen["calls"]["norm"] == 2


def test_setting_an_unknown_component_is_an_error(served):
    url, _ = served
    with DashClient(url) as client:
        client.load()
        with pytest.raises(KeyError, match="nowhere"):
            client.set("nowhere", "value", 1)


def test_split_output_and_patch_operations():
    assert split_output("..a.b...c.d@x1..") == [("a", "b"), ("c", "d@x1")]
    assert split_output('{"i":1,"t":"x"}.value') == [('{"i":1,"t":"x"}', "value")]
    before = {"data": [{"y": [1, 2]}], "layout": {"title": "t", "n": 1}}
    patch = {"__dash_patch_update": "__dash_patch_update", "operations": [
        {"operation": "Assign", "location": ["layout", "title"], "params": {"value": "u"}},
        {"operation": "Extend", "location": ["data", -1, "y"], "params": {"value": [3]}},
        {"operation": "Merge", "location": ["layout"], "params": {"value": {"m": 2}}},
        {"operation": "Add", "location": ["layout", "n"], "params": {"value": 4}},
        {"operation": "Insert", "location": ["data", 0, "y"], "params": {"index": 0, "value": 0}},
        {"operation": "Delete", "location": ["layout", "m"], "params": {}},
    ]}
    after = apply_patch(before, patch)
    assert after == {"data": [{"y": [0, 1, 2, 3]}], "layout": {"title": "u", "n": 5}}
    assert before == {"data": [{"y": [1, 2]}], "layout": {"title": "t", "n": 1}}  # not mutated

"""bench.load on a tiny Dash app served by the test: users' requests are counted, failures recorded,
the figures and the report's rows made. No timing is asserted."""
from __future__ import annotations

import threading

import pytest
from dash import Dash, Input, Output, dcc, html
from flask import request
from werkzeug.serving import make_server

from bench import load, report
from bench.scenarios import Scenario

SCENARIO = (Scenario("filter", "filter change", "pick", "value", "option-subsets"),)


@pytest.fixture
def tiny():
    """A page with one dropdown and one callback that fails (HTTP 500) when "bad" is picked."""
    seen = {"posts": 0, "failures": 0, "gets": 0}
    lock = threading.Lock()
    app = Dash(__name__)
    app.layout = html.Div([dcc.Dropdown(id="pick", options=["a", "b", "bad"], value=["a"], multi=True),
                           html.Div(id="out")])

    @app.server.before_request
    def count():
        with lock:
            seen["posts" if request.method == "POST" else "gets"] += 1

    @app.callback(Output("out", "children"), Input("pick", "value"))
    def out(value):
        if "bad" in (value or []):
            with lock:
                seen["failures"] += 1
            raise RuntimeError("a failing callback")
        return ",".join(value or [])

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()


def test_a_tiny_load_run_counts_every_request_and_records_every_error(tiny):
    url, seen = tiny
    result = load.run(url, [1, 3], seconds=1.0, think=0.05, ramp=0.2, scenarios=SCENARIO)
    levels = result["levels"]
    assert [lv["users"] for lv in levels] == [1, 3]
    posts = sum(lv["actions"] + lv["first_views"] for lv in levels)  # one callback per action and per first view
    gets = sum(3 * lv["first_views"] for lv in levels)  # the page, its layout and its dependencies
    assert sum(lv["requests"] for lv in levels) == posts + gets == seen["posts"] + seen["gets"]
    assert sum(lv["errors"] for lv in levels) == seen["failures"] > 0
    assert all("HTTP 500" in e for lv in levels for e in lv["error_examples"])
    for lv in levels:
        assert lv["first_views"] >= lv["users"] and lv["actions"] > 0
        assert lv["p50_ms"] <= lv["p95_ms"] <= lv["max_ms"]
        assert lv["scenarios"]["filter"]["n"] == lv["actions"]
        assert 0 <= lv["client_cpu_share"] <= 1 and lv["server_cpu_share"] is None
    rows = load.rows(result)
    assert len(rows) == 2 and rows[1][0] == 3 and len(rows[0]) == len(load.HEADERS)


def test_a_server_that_is_gone_gives_errors_not_a_crash():
    from bench.serve import free_port

    result = load.run(f"http://127.0.0.1:{free_port()}/", [2], seconds=0.5, think=0.1, ramp=0.0, scenarios=SCENARIO)
    level = result["levels"][0]
    assert level["errors"] >= 2 and level["actions"] == 0
    assert any("ConnectionRefusedError" in e for e in level["error_examples"])


def test_the_load_targets_and_the_report_table():
    levels = [{"users": u, "actions": 10, "first_views": u, "requests": 100, "errors": e, "error_examples": [],
               "p50_ms": 100.0, "p95_ms": p95, "max_ms": p95, "first_view_p95_ms": 900.0, "client_cpu_share": 0.1,
               "server_cpu_share": 0.8, "other_cpu_share": 0.05, "server_memory": {"rss_mib": 1000.0, "peak_mib": 1100.0, "processes": 5}}
              for u, e, p95 in ((10, 0, 300.0), (25, 0, 1200.0), (50, 2, 4000.0))]
    run = {"levels": levels, "seconds": 60, "think_seconds": 1.0, "memory_before": {"rss_mib": 900.0}}
    verdicts = {t["name"]: t["ok"] for t in load.targets(run)}
    assert verdicts == {"load: errors at every level": False, "load: p95 at 25 users": False}
    result = {"apps": {"real": {"load": run}}}
    text = "\n".join(report.load_parts(result))
    assert "60 s per level" in text and "1,200 ms" in text and "80%" in text
    fake = {"data": {"events": 20_000, "moves": 1, "years": 1, "seed": 0, "admin_areas": "x", "generation_seconds": None},
            "machine": {"cpu": "cpu", "cpus": 2, "cpus_usable": 2, "ram_gib": 1, "os": "os", "python": "3.11",
                        "chromium": "c", "packages": {}},
            "settings": {"reps": 1, "warmup": 0, "first_view_runs": 0}, "apps": {"real": {"load": run}}, "ratios": {}}
    fake["targets"] = report.targets(fake)
    assert "load: p95 at 25 users" in report.markdown(fake) and "MISSED" in report.text(fake)


def test_the_runner_takes_the_load_options():
    from bench.run import parse_args

    assert parse_args([]).load_seconds == 60 and parse_args([]).load_users == [10, 25, 50]
    assert parse_args(["--quick"]).load_seconds == 15
    assert parse_args(["--quick", "--load-seconds", "60", "--load-users", "5,7"]).load_seconds == 60
    assert parse_args(["--load-users", "5,7", "--load-think", "0"]).load_users == [5, 7]
    with pytest.raises(SystemExit):
        parse_args(["--load-users", "0"])

"""bench.office's parts (issue 18): the client polls a background callback as Dash's renderer does
(a server made here answers with a cacheKey and a job, then progress, then the response), the
export workers' log is read, and a level's figures are what its tallies hold."""
from __future__ import annotations

import json
import threading

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from bench.client import DashClient
from bench.load import Tally
from bench.office import Reports, summary, worker_seconds


def background_server():
    app = Flask("background")
    seen = {"posts": []}
    layout = {"type": "Div", "namespace": "dash_html_components", "props": {"children": [
        {"type": "Button", "namespace": "dash_html_components", "props": {"id": "go", "n_clicks": 0}},
        {"type": "Div", "namespace": "dash_html_components", "props": {"id": "out", "children": None}}]}}
    spec = {"output": "out.children", "inputs": [{"id": "go", "property": "n_clicks"}], "state": [],
            "prevent_initial_call": True, "clientside_function": None, "background": {"interval": 50}}

    @app.get("/_dash-layout")
    def dash_layout():
        return jsonify(layout)

    @app.get("/_dash-dependencies")
    def deps():
        return jsonify([spec])

    @app.get("/")
    def index():
        return "<html></html>"

    @app.post("/_dash-update-component")
    def update():
        seen["posts"].append(dict(request.args))
        if "cacheKey" not in request.args:
            return jsonify({"cacheKey": "signed-key", "job": "signed-job"})
        if len(seen["posts"]) < 4:
            return jsonify({"progress": {"out.children": "drawing"}})
        clicks = request.get_json()["inputs"][0]["value"]
        return jsonify({"multi": True, "response": {"out": {"children": f"file for click {clicks}"}}})

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, seen


def test_the_client_polls_a_background_callback_until_its_answer():
    server, seen = background_server()
    try:
        with DashClient(f"http://127.0.0.1:{server.server_port}/", timeout=30) as client:
            client.load()
            step = client.set("go", "n_clicks", 1)
        assert client.get("out", "children") == "file for click 1" and step.errors == []
        [record] = [r for r in step.requests if r.label == "out.children"]
        assert record.polls == 3 and record.status == 200
        assert seen["posts"][0] == {} and all(p == {"cacheKey": "signed-key", "job": "signed-job"} for p in seen["posts"][1:])
    finally:
        server.shutdown()


def test_the_workers_log_gives_each_jobs_time(tmp_path):
    (tmp_path / "worker1.log").write_text(
        "[2026-12-07 07:40:01,123: INFO/MainProcess] Task background_callback_ab12[4f-1] received\n"
        "[2026-12-07 07:40:13,456: INFO/MainProcess] Task background_callback_ab12[4f-1] succeeded in 12.3s: None\n"
        "[2026-12-07 07:41:00,000: INFO/MainProcess] Task idlib.export[77] succeeded in 4.0s: {...}\n")
    (tmp_path / "worker2.log").write_text(
        "[2026-12-07 07:40:02,000: INFO/MainProcess] Task background_callback_ab12[5a-2] succeeded in 9.5s: None\n")
    assert sorted(worker_seconds(tmp_path)) == [9.5, 12.3]  # the page's jobs only


def test_a_levels_figures_are_its_tallies():
    tally, reports = Tally(), Reports()
    tally.actions_ms += [100.0, 200.0, 300.0]
    tally.requests = 30
    tally.errors.append("HTTP 502: bad gateway")
    reports.ms += [10_000.0, 14_000.0]
    reports.refused, reports.late, reports.requests = 1, 2, 12
    level = summary("office", 10, tally, reports, 47.0, {"redis": [14.0]}, [9.0, 11.0])
    assert (level["actions"], level["requests"], level["errors"], level["reports"], level["reports_refused"],
            level["reports_late"]) == (3, 42, 1, 2, 1, 2)
    assert level["p50_ms"] == 200.0 and level["report_p50_ms"] == 12_000.0 and level["worker_run_p50_ms"] == 10_000.0
    assert level["queue_wait_p50_ms"] == 2_000.0 and level["worker_jobs"] == 2
    kept = summary("office", 10, tally, reports, 47.0, {}, [9.0])  # fewer jobs than reports: some were kept results
    assert kept["queue_wait_p50_ms"] is None
    assert json.loads(json.dumps(level))  # written as JSON by --json


def test_each_users_reports_are_of_a_view_of_their_own():
    """No user's report can be answered from another's kept result (the workers are measured)."""
    from urllib.parse import parse_qs, urlsplit

    from bench.office import report_view

    views = [report_view(i) for i in range(100)]
    assert len(set(views)) == 100
    first = parse_qs(urlsplit(views[0]).query)
    assert first == {"from": ["2016-01"], "to": ["2016-03"]}
    assert parse_qs(urlsplit(views[99]).query) == {"from": ["2024-04"], "to": ["2024-06"]}


def test_the_queue_left_by_a_level_is_dropped_before_the_next():
    """Reports still queued when a level ends are dropped (and counted), so the next level is not
    measured with its predecessor's queue (a real redis-server; no worker, so nothing runs)."""
    from celery import Celery

    from bench.office import drain
    from dashboard.export.queue import QUEUE
    from tests.services import redis_server

    with redis_server() as url:
        app = Celery("queued-reports", broker=url)
        for _ in range(3):
            app.send_task("idlib.export", args=[["report"]], queue=QUEUE)
        assert drain(url, timeout=5) == 3
        assert drain(url, timeout=5) == 0
        app.close()

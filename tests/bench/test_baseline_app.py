"""bench.baseline_app builds its figures from the full frames and full-resolution GeoJSON, and
answers a callback round trip through the bench client."""
from __future__ import annotations

import threading

import pandas as pd
import pytest
from werkzeug.serving import make_server

from bench import baseline_app
from bench.client import DashClient


@pytest.fixture(scope="module")
def data(small_synthetic):
    root, _ = small_synthetic
    return baseline_app.load(root)


def test_the_map_carries_the_full_geojson_of_the_level(data, small_synthetic):
    _, version = small_synthetic
    admin = version.read("admin_areas")
    area_map, events_chart, displacement_chart = baseline_app.figures(data, [0, data.n_months], 0, 3, data.event_types)
    geojson = area_map.data[0].geojson
    features = geojson["features"]
    assert len(features) == (admin["level"] == 3).sum()
    full_vertices = sum(len(g.exterior.coords) if g.geom_type == "Polygon" else sum(len(p.exterior.coords) for p in g.geoms)
                        for g in admin.loc[admin["level"] == 3].geometry)
    sent_vertices = sum(len(f["geometry"]["coordinates"][0]) if f["geometry"]["type"] == "Polygon"
                        else sum(len(p[0]) for p in f["geometry"]["coordinates"]) for f in features)
    assert sent_vertices == full_vertices  # unsimplified
    assert sum(area_map.data[0].z) == len(data.events)
    assert len(events_chart.data) == len(data.event_types)
    assert sum(sum(t.y) for t in displacement_chart.data) == data.flows["value"].sum()


def test_a_step_shows_one_month_and_a_filter_fewer_events(data):
    whole = baseline_app.period(data, [0, data.n_months], 0)
    one = baseline_app.period(data, [0, data.n_months], 3)
    assert one[0] == data.first_month + pd.DateOffset(months=2) and one[1] < one[0] + pd.Timedelta(days=31)
    assert whole[0] == data.first_month
    area_map, _, _ = baseline_app.figures(data, [0, data.n_months], 0, 1, data.event_types[:1])
    assert 0 < sum(area_map.data[0].z) < len(data.events)


def test_the_served_baseline_answers_the_benchmark_controls(small_synthetic):
    root, _ = small_synthetic
    app = baseline_app.create_app(root)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with DashClient(f"http://127.0.0.1:{server.server_port}/") as client:
            first = client.load()
            assert first.errors == [] and first.has_geometry
            for component in ("home-range", "home-step", "home-level", "home-etypes", "home-map", "home-events-chart"):
                assert client.has(component)
            step = client.set("home-step", "value", 2)
            assert step.errors == [] and step.has_geometry  # the naive app resends geometry on every step
            assert client.get("home-map", "figure")["layout"]["title"]["text"].startswith("Events by governorates")
    finally:
        server.shutdown()
        thread.join(timeout=10)

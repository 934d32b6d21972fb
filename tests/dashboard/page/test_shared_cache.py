"""The cache the app processes share through Redis (dashboard/page/shared_cache.py, issue 18),
against a real redis-server (Debian's, installed by scripts/ensure-redis.sh) that this module starts
on a free port and stops; skipped, saying why, where there is none."""
from __future__ import annotations

import subprocess
import sys

import pytest
from flask import Flask

from dashboard import config
from dashboard.data.state import controls
from dashboard.data.warehouse import warehouse
from dashboard.page import shared_cache
from dashboard.request import Request
from etl.config import ROOT
from tests.services import free_port, redis_server


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def with_redis(redis_url, monkeypatch):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("IDLIB_REDIS_URL", redis_url)
    config.reset()
    yield redis_url
    config.reset()


def bound_app() -> Flask:
    app = Flask("shared-cache-test")
    shared_cache.init(app)
    return app


CHILD = """
import sys
from flask import Flask
from dashboard.page import shared_cache
app = Flask("other-process")
shared_cache.init(app)
def compute():
    raise SystemExit("computed again in the other process")
with app.test_request_context():
    print(shared_cache.shared("charts:test", sys.argv[1], {"range": [0, 12]}, compute))
"""


def test_an_output_computed_in_one_process_is_served_in_another(with_redis):
    calls = []
    with bound_app().test_request_context():
        first = shared_cache.shared("charts:test", "v1", {"range": [0, 12]}, lambda: calls.append(1) or {"answer": 42})
        again = shared_cache.shared("charts:test", "v1", {"range": [0, 12]}, lambda: calls.append(1) or {"answer": 0})
    assert first == again == {"answer": 42} and calls == [1]
    done = subprocess.run([sys.executable, "-c", CHILD, "v1"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.strip() == "{'answer': 42}"
    # a version published since is never answered from the older version's entry
    other = subprocess.run([sys.executable, "-c", CHILD, "v2"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert other.returncode != 0 and "computed again in the other process" in other.stderr


def test_redis_down_answers_without_it(monkeypatch):
    monkeypatch.setenv("IDLIB_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    config.reset()
    try:
        with bound_app().test_request_context():
            assert shared_cache.shared("charts:test", "v1", [1], lambda: "drawn") == "drawn"
    finally:
        config.reset()


def test_without_a_redis_url_nothing_is_shared(monkeypatch):
    monkeypatch.delenv("IDLIB_REDIS_URL", raising=False)
    config.reset()
    calls = []
    with bound_app().test_request_context():
        for _ in range(2):
            shared_cache.shared("charts:test", "v1", [1], lambda: calls.append(1) or "drawn")
    assert calls == [1, 1]


def test_a_bad_redis_url_is_named(monkeypatch):
    monkeypatch.setenv("IDLIB_REDIS_URL", "http://user:secret@cache.example:6379")
    config.reset()
    try:
        with pytest.raises(ValueError, match="IDLIB_REDIS_URL must start with redis://") as caught:
            config.server()
        assert "secret" not in str(caught.value)
    finally:
        config.reset()


@pytest.mark.parametrize(("output", "kind", "drawer"), [
    ("home-displacement-chart.figure", "charts", "dashboard.panels.views.charts"),
    ("home-headline.children", "headline", "dashboard.page.callbacks.headline_for"),
    ("home-area-panel.children", "area-panel", "dashboard.page.callbacks.area_for"),
])
def test_the_page_callbacks_are_answered_from_the_shared_cache(with_redis, use_warehouse, monkeypatch, output, kind,
                                                               drawer):
    """A chart's, the headline's and the area panel's callback as the page sends it: the first answer
    is drawn and stored under the live warehouse version; the same request again is answered from
    Redis without drawing."""
    import redis

    from dashboard.page.app import create_app

    app = create_app()
    [key] = [k for k in app.callback_map if output in k]
    spec = app.callback_map[key]
    request = Request.from_query(warehouse(), "from=2019-12&to=2020-03")
    values = {f"{c}.value": v for c, v in controls(request.state, request.bounds).items()}
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {
        "output": key, "outputs": outputs if key.startswith("..") else outputs[0],  # one output: not a list
        "inputs": [{**i, "value": values[f"{i['id']}.{i['property']}"]} for i in spec["inputs"]],
        "state": [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in spec["state"]],
        "changedPropIds": ["home-range.value"],
    }
    client = app.server.test_client()
    first = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200
    stored = [k.decode() for k in redis.Redis.from_url(with_redis).keys(f"{shared_cache.PREFIX}{kind}:*")]
    assert stored and all(f":{warehouse().version}:" in k for k in stored)

    def not_again(*_a, **_k):
        raise AssertionError("drawn again although the shared cache holds the answer")
    monkeypatch.setattr(drawer, not_again)
    again = client.post("/_dash-update-component", json=body)
    assert again.status_code == 200 and again.get_json() == first.get_json()

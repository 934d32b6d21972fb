"""The server against hostile requests (dashboard.page.security): security headers on every kind of
response, the Content-Security-Policy's script hashes matching the page's inline scripts, 413 for
an over-limit callback body, 404 for unknown component paths, 400 for callback bodies the page
never sends; and, on the gunicorn server `python -m dashboard` runs, the body limit's setting and a
connection kept alive across a pause."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from dashboard.page.app import create_app
from dashboard.page.security import DEFAULT_MAX_BODY_KB

# a callback that needs no warehouse: the time slider's units follow the indicator
STEP_UNITS = {
    "output": "..home-step-unit.options...home-step-unit.value..",
    "outputs": [{"id": "home-step-unit", "property": "options"}, {"id": "home-step-unit", "property": "value"}],
    "inputs": [{"id": "home-indicator", "property": "value", "value": "events"}],
    "state": [{"id": "home-step-unit", "property": "value", "value": "month"},
              {"id": "home-lang", "property": "value", "value": "en"}],
    "changedPropIds": ["home-indicator.value"],
}


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


class InlineScripts(HTMLParser):
    """The text of every <script> without src that a browser would run (not JSON data blocks)."""

    def __init__(self):
        super().__init__()
        self.scripts, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type", "text/javascript") in (
                "text/javascript", "application/javascript", "module"):
            self._open = []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append("".join(self._open))
            self._open = None


def policy(response) -> dict[str, list[str]]:
    csp = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}


def assert_hardened(response):
    csp = policy(response)
    assert csp.get("default-src") == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp.get("frame-ancestors") == ["'none'"] and csp.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "no-referrer"


def test_every_kind_of_response_carries_the_security_headers(client):
    page = client.get("/")
    assert page.status_code == 200
    assert_hardened(page)
    asset = client.get("/assets/a11y.js")
    assert asset.status_code == 200 and asset.mimetype == "text/javascript"
    assert_hardened(asset)
    suite = client.get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert suite.status_code == 200
    assert_hardened(suite)
    answer = client.post("/_dash-update-component", json=STEP_UNITS)
    assert answer.status_code == 200 and answer.get_json()["response"]["home-step-unit"]["value"] == "month"
    assert_hardened(answer)
    missing = client.get("/_dash-component-suites/nope/x.js")
    assert missing.status_code == 404
    assert_hardened(missing)


def test_the_csp_allows_exactly_the_pages_inline_scripts_and_no_inline_callback(client):
    response = client.get("/")
    parser = InlineScripts()
    parser.feed(response.get_data(as_text=True))
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in parser.scripts}
    allowed = {v for v in policy(response)["script-src"] if v.startswith("'sha")}
    assert hashes and hashes == allowed
    # the one inline script left is Dash's renderer; clientside callbacks are functions in assets/
    assert [s.strip() for s in parser.scripts] == ["var renderer = new DashRenderer();"]


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/nope/x.js",
    "/_dash-component-suites/dash/nope.js",
    "/_dash-component-suites/dash/dcc/",
    "/_dash-component-suites/dash/../../etc/passwd",
    "/_dash-component-suites/plotly/package_data/%00.js",
    "/assets/nope.js",
])
def test_unknown_component_and_asset_paths_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data and b"registered" not in response.data


@pytest.mark.parametrize("body", [
    [1],
    "text",
    {"output": "nope.children", "inputs": []},
    {"output": ["list"], "inputs": []},
    {**STEP_UNITS, "inputs": []},  # fewer inputs than the callback declares
    {**STEP_UNITS, "inputs": [{"id": "home-level", "property": "value", "value": 3}]},  # not its input
    {**STEP_UNITS, "inputs": "home-indicator"},
    {**STEP_UNITS, "outputs": "x"},
    {**STEP_UNITS, "changedPropIds": [1]},
])
def test_callback_bodies_the_page_never_sends_are_400(client, body):
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert b"Traceback" not in response.data


def test_an_over_limit_callback_body_is_413_and_the_limit_is_set(client, app):
    assert app.server.config["MAX_CONTENT_LENGTH"] == DEFAULT_MAX_BODY_KB * 1024
    padded = {**STEP_UNITS, "changedPropIds": ["home-indicator.value", "x" * (DEFAULT_MAX_BODY_KB * 1024)]}
    response = client.post("/_dash-update-component", data=json.dumps(padded), content_type="application/json")
    assert response.status_code == 413
    assert b"Traceback" not in response.data
    assert_hardened(response)


def test_the_body_limit_is_the_apps_argument():
    small = create_app(max_body_bytes=300).server.test_client()
    assert small.post("/_dash-update-component", json=STEP_UNITS).status_code == 413
    assert create_app(max_body_bytes=2000).server.test_client().post(
        "/_dash-update-component", json=STEP_UNITS).status_code == 200


# ---- through gunicorn, as `python -m dashboard` serves ------------------------------------------

@pytest.fixture(scope="module")
def served(built_warehouse, backend):
    from tests.conftest import served_env
    from tests.test_browser import serve

    with serve(built_warehouse, WEB_CONCURRENCY="1", DASHBOARD_MAX_BODY_KB="8", **served_env(built_warehouse, backend)) as url:
        yield urlparse(url)


def test_gunicorn_applies_the_body_limit_setting_also_to_chunked_bodies(served):
    body = json.dumps({**STEP_UNITS, "changedPropIds": ["home-indicator.value", "x" * 9000]}).encode()
    for chunked in (False, True):
        conn = http.client.HTTPConnection(served.hostname, served.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if chunked:
            conn.request("POST", "/_dash-update-component", body=iter([body[:4000], body[4000:]]), headers=headers,
                         encode_chunked=True)
        else:
            conn.request("POST", "/_dash-update-component", body=body, headers=headers)
        response = conn.getresponse()
        assert (chunked, response.status) == (chunked, 413)
        assert b"Traceback" not in response.read()
        conn.close()


def test_an_idle_connection_stays_open_between_clicks(served):
    """gunicorn's default keep-alive (2 s) closed a connection a few seconds idle, and a request
    sent on it as it closed was reset; the connection must serve a request after a pause."""
    conn = http.client.HTTPConnection(served.hostname, served.port, timeout=30)
    conn.request("POST", "/_dash-update-component", body=json.dumps(STEP_UNITS),
                 headers={"Content-Type": "application/json"})
    first = conn.getresponse()
    assert first.status == 200 and first.read()
    sock = conn.sock
    time.sleep(4)
    conn.request("GET", "/_dash-layout")  # raises (reset or closed) if the server closed the connection
    second = conn.getresponse()
    assert second.status == 200 and second.read()
    assert conn.sock is sock  # the same connection, not a new one
    assert re.search(r"keep-alive", second.getheader("Connection", "keep-alive"), re.I)
    conn.close()

"""`python -m etl refresh` against a server on 127.0.0.1 that gives ETag and Last-Modified and
answers conditional requests with 304: nothing changed, nothing downloaded and nothing rebuilt;
the file changed, a new version published; a source down, nothing published (or, with
--keep-going, published without it, exit 3)."""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from etl.__main__ import main
from etl.config import ROOT
from etl.core import exits
from etl.core.fetch import fetch
from etl.core.warehouse import live_version, open_live

FIXTURE = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"


@pytest.fixture
def server():
    state = {"body": FIXTURE.read_bytes(), "log": [], "down": False}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = state["body"]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            state["log"].append((self.path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")))
            if state["down"]:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Mon, 30 Nov 2026 08:00:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/acled/export.csv"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_a_cached_file_is_asked_for_conditionally_and_a_304_returns_it(server, tmp_path):
    first = fetch(server["url"], tmp_path, backoff=0)
    again = fetch(server["url"], tmp_path, backoff=0)
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.path == first.path and again.sha256 == first.sha256
    assert server["log"][0][1:] == (None, None)
    assert server["log"][1][1].startswith('"') and server["log"][1][2] == "Mon, 30 Nov 2026 08:00:00 GMT"
    server["body"] = FIXTURE.read_bytes() + b"\n"
    changed = fetch(server["url"], tmp_path, backoff=0)
    assert not changed.from_cache and changed.sha256 != first.sha256


def test_refresh_rebuilds_only_when_an_input_changed(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(tmp_path / "wh"))
    monkeypatch.setenv("IDLIB_CACHE", str(tmp_path / "cache"))
    config = tmp_path / "sources.toml"
    config.write_text(f'extends_default = true\n[[source]]\nname = "acled-test"\nadapter = "acled"\nurl = "{server["url"]}"\n'
                      'organisation = "ACLED (synthetic test file)"\ntitle = "Synthetic ACLED export"\n', encoding="utf-8")
    assert main(["refresh", "--config", str(config)]) == exits.OK  # no warehouse yet: built
    built = live_version(tmp_path / "wh")
    assert "published warehouse version" in capsys.readouterr().out
    inputs = open_live(tmp_path / "wh").manifest["inputs"]
    assert [path for path, _ in inputs["acled-test"]] == [server["url"]]

    assert main(["refresh", "--config", str(config)]) == exits.OK
    assert f"up to date: no input changed since warehouse version {built}" in capsys.readouterr().out
    assert live_version(tmp_path / "wh") == built
    assert server["log"][-1][1] is not None  # asked conditionally, answered 304

    server["body"] = FIXTURE.read_bytes().replace(b"\n", b"\r\n")  # the publisher changed the file
    assert main(["refresh", "--config", str(config)]) == exits.OK
    assert live_version(tmp_path / "wh") != built
    assert len([entry for entry in server["log"] if entry[1] is None]) == 1  # downloaded once in full, then conditionally
    changed = live_version(tmp_path / "wh")

    server["down"] = True
    monkeypatch.setattr("etl.core.fetch.time.sleep", lambda s: None)
    assert main(["refresh", "--config", str(config)]) == exits.FAILED
    assert "HTTP 503" in capsys.readouterr().err
    assert live_version(tmp_path / "wh") == changed  # nothing published
    assert main(["refresh", "--config", str(config), "--keep-going"]) == exits.PARTIAL
    assert "acled-test" in capsys.readouterr().err
    left = open_live(tmp_path / "wh")
    assert left.manifest["failed_sources"][0]["source"] == "acled-test"
    assert (left.read("events")["source_id"] == "acled-test").sum() == 0  # the older cached copy is not used

"""`python -m etl refresh` against a server on 127.0.0.1 that gives ETag and Last-Modified and
answers conditional requests with 304: nothing changed, nothing downloaded and nothing rebuilt;
the file changed, a new version published; a source down, nothing published (or, with
--keep-going, published without it, exit 3)."""
from __future__ import annotations

import hashlib

import pytest

from etl.__main__ import main
from etl.config import ROOT
from etl.core import exits
from etl.core.fetch import fetch
from etl.core.warehouse import live_version, open_live
from tests.etl import replay

FIXTURE = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"


@pytest.fixture
def server():
    state = {"body": FIXTURE.read_bytes(), "log": [], "down": False}

    def answer(request):
        body = state["body"]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        state["log"].append((request.path, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")))
        if state["down"]:
            return 503, {}, b""
        if request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "text/csv", "ETag": etag, "Last-Modified": "Mon, 30 Nov 2026 08:00:00 GMT"}, body

    with replay.served(answer) as base:
        state["url"] = f"{base}/acled/export.csv"
        yield state


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

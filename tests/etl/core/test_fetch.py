"""fetch(): retries, timeouts, cut-short bodies, the cache and --offline, against a local HTTP
server on 127.0.0.1 (no network)."""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from etl.core.fetch import PART_PREFIX, FetchError, fetch, url_key
from etl.core.issues import SourceError

BODY = b"admin1Pcode,admin1Name_en\nSY07,Idleb\n" * 50
FAST = {"backoff": 0.01, "timeout": 2.0}


class Handler(BaseHTTPRequestHandler):
    """Routes by path; counts requests per path on the server."""

    def log_message(self, *args):  # keep test output clean
        pass

    def send_body(self, body: bytes, status: int = 200, content_type: str = "text/csv"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        server = self.server
        with server.lock:
            server.hits[self.path] = server.hits.get(self.path, 0) + 1
            hits = server.hits[self.path]
        if self.path == "/data.csv":
            self.send_body(BODY)
        elif self.path == "/download":  # no extension in the URL
            self.send_body(b"PK\x03\x04 not really a zip", content_type="application/zip")
        elif self.path == "/flaky.csv":
            self.send_body(b"busy", status=500) if hits <= 2 else self.send_body(BODY)
        elif self.path == "/limited.csv":  # rate limited once
            self.send_body(b"slow down", status=429) if hits == 1 else self.send_body(BODY)
        elif self.path == "/broken.csv":
            self.send_body(b"Internal Server Error", status=500)
        elif self.path == "/stall.csv":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            server.stop.wait(5)  # longer than the client's read timeout
        elif self.path == "/short.csv":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_body(b"Not Found", status=404)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits, httpd.lock, httpd.stop = {}, threading.Lock(), threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield httpd
    httpd.stop.set()  # release stalled handlers
    httpd.shutdown()
    httpd.server_close()  # joins handler threads
    thread.join(timeout=5)
    assert not thread.is_alive()


def url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def leftovers(cache: Path) -> list[str]:
    """Files in the cache that are not a finished entry or its metadata."""
    return [p.name for p in cache.rglob("*") if p.is_file() and p.name.startswith(PART_PREFIX)]


def entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob("*") if p.is_file() and not p.name.startswith(PART_PREFIX))


class Unreachable:
    def get(self, *args, **kwargs):
        raise requests.ConnectionError("connection refused")


class NoNetwork:
    def get(self, *args, **kwargs):
        raise AssertionError("offline fetch touched the network")


def test_download_is_cached_by_url_and_content(server, tmp_path):
    address = url(server, "/data.csv")
    got = fetch(address, tmp_path, **FAST)
    sha = hashlib.sha256(BODY).hexdigest()
    assert got.sha256 == sha and got.url == address and not got.from_cache
    assert got.path == tmp_path / url_key(address) / f"{sha}.csv"
    assert got.path.read_bytes() == BODY
    datetime.fromisoformat(got.retrieved_at)
    meta = json.loads((got.path.parent / "meta.json").read_text())
    assert meta == {
        "url": address, "sha256": sha, "retrieved_at": got.retrieved_at, "content_type": "text/csv",
        "size": len(BODY), "file": got.path.name,
    }
    assert leftovers(tmp_path) == []


def test_extension_from_content_type_when_the_url_has_none(server, tmp_path):
    assert fetch(url(server, "/download"), tmp_path, **FAST).path.suffix == ".zip"


def test_progress_reports_bytes_and_total(server, tmp_path):
    seen = []
    fetch(url(server, "/data.csv"), tmp_path, progress=lambda done, total: seen.append((done, total)), **FAST)
    assert seen and seen[-1] == (len(BODY), len(BODY))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_server_errors_are_retried(server, tmp_path):
    got = fetch(url(server, "/flaky.csv"), tmp_path, retries=3, **FAST)
    assert got.path.read_bytes() == BODY
    assert server.hits["/flaky.csv"] == 3


def test_rate_limit_is_retried(server, tmp_path):
    assert fetch(url(server, "/limited.csv"), tmp_path, **FAST).path.read_bytes() == BODY
    assert server.hits["/limited.csv"] == 2


def test_persistent_server_error_gives_up_naming_url_attempts_and_cause(server, tmp_path):
    address = url(server, "/broken.csv")
    with pytest.raises(FetchError) as caught:
        fetch(address, tmp_path, retries=2, **FAST)
    message = str(caught.value)
    assert address in message and "3 attempt(s)" in message and "HTTP 500" in message
    assert "No cached copy" in message
    assert isinstance(caught.value, SourceError) and caught.value.url == address
    assert server.hits["/broken.csv"] == 3
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []


def test_stalled_body_times_out(server, tmp_path):
    with pytest.raises(FetchError, match="timed out") as caught:
        fetch(url(server, "/stall.csv"), tmp_path, timeout=0.5, retries=1, backoff=0.01)
    assert "2 attempt(s)" in str(caught.value)
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []


def test_body_cut_short_is_retried_then_reported(server, tmp_path):
    with pytest.raises(FetchError, match="expected 1000 bytes, got 10") as caught:
        fetch(url(server, "/short.csv"), tmp_path, retries=1, **FAST)
    assert "2 attempt(s)" in str(caught.value)
    assert server.hits["/short.csv"] == 2
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []


def test_not_found_is_not_retried(server, tmp_path):
    address = url(server, "/missing.csv")
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetch(address, tmp_path, retries=3, **FAST)
    assert address in str(caught.value) and "not retried" in str(caught.value)
    assert server.hits["/missing.csv"] == 1
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []


def test_connection_refused_gives_up(tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    httpd.server_close()  # nothing listens on this port any more
    with pytest.raises(FetchError, match="could not connect"):
        fetch(f"http://127.0.0.1:{port}/data.csv", tmp_path, retries=1, **FAST)
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []


def test_offline_returns_the_cached_copy_without_the_network(server, tmp_path):
    online = fetch(url(server, "/data.csv"), tmp_path, **FAST)
    offline = fetch(url(server, "/data.csv"), tmp_path, offline=True, session=NoNetwork())
    assert offline.from_cache
    assert (offline.path, offline.sha256, offline.retrieved_at) == (online.path, online.sha256, online.retrieved_at)


def test_offline_without_a_cached_copy(tmp_path):
    with pytest.raises(FetchError, match="no cached copy of URL; run once online without --offline") as caught:
        fetch("https://data.humdata.org/x.csv", tmp_path, offline=True, session=NoNetwork())
    assert "https://data.humdata.org/x.csv" in str(caught.value)


def test_offline_detects_a_damaged_cached_copy(server, tmp_path):
    online = fetch(url(server, "/data.csv"), tmp_path, **FAST)
    online.path.write_bytes(BODY[:10])
    with pytest.raises(FetchError, match="damaged"):
        fetch(url(server, "/data.csv"), tmp_path, offline=True)


def test_online_failure_with_a_cached_copy_says_use_offline(server, tmp_path):
    """A failed download is never silently replaced by an older cached copy."""
    good = fetch(url(server, "/data.csv"), tmp_path, **FAST)
    with pytest.raises(FetchError) as caught:  # the same URL, now unreachable
        fetch(url(server, "/data.csv"), tmp_path, retries=1, session=Unreachable(), **FAST)
    message = str(caught.value)
    assert "--offline" in message and str(good.path) in message and good.retrieved_at in message


def test_expected_sha256_mismatch_is_an_error_and_not_cached(server, tmp_path):
    address = url(server, "/data.csv")
    with pytest.raises(FetchError, match="expected 0{64}"):
        fetch(address, tmp_path, expected_sha256="0" * 64, **FAST)
    assert leftovers(tmp_path) == [] and entries(tmp_path) == []
    got = fetch(address, tmp_path, expected_sha256=hashlib.sha256(BODY).hexdigest().upper(), **FAST)
    assert got.path.read_bytes() == BODY


def test_expected_sha256_mismatch_keeps_the_current_cached_version(server, tmp_path):
    address = url(server, "/data.csv")
    first = fetch(address, tmp_path, **FAST)
    meta_before = (first.path.parent / "meta.json").read_text()
    with pytest.raises(FetchError, match="--offline"):
        fetch(address, tmp_path, expected_sha256="f" * 64, **FAST)
    assert (first.path.parent / "meta.json").read_text() == meta_before
    with pytest.raises(FetchError, match="expected f{64}"):
        fetch(address, tmp_path, offline=True, expected_sha256="f" * 64)


def test_only_http_urls(tmp_path):
    with pytest.raises(FetchError, match="expected an http"):
        fetch("ftp://example.org/x.csv", tmp_path)

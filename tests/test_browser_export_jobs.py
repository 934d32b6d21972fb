# ruff: noqa: F811  (the browser fixtures are imported from tests/test_browser.py and used as arguments)
"""Exports as background jobs (issue 18): the app served with IDLIB_REDIS_URL enqueues the export on
the Celery queue in a real redis-server started here, an export worker (`python -m dashboard.worker`,
its own process) draws it, and the page delivers the file, in headless chromium."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from etl.config import ROOT
from tests.conftest import served_env
from tests.services import redis_server, wait_for
from tests.test_browser import TIMEOUT, choose, open_page, page, serve, settle  # noqa: F401 (`page` is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def queue(built_warehouse, backend, tmp_path_factory):
    """(app URL, the worker's log file) with Redis, one export worker and the app."""
    with redis_server() as url:
        log = tmp_path_factory.mktemp("worker") / "worker.log"
        env = {**os.environ, "IDLIB_REDIS_URL": url, "IDLIB_WAREHOUSE": str(built_warehouse),
               "EXPORT_WORKER_NAME": "test-export@%h", **served_env(built_warehouse, backend)}
        with open(log, "w") as out:
            worker = subprocess.Popen([sys.executable, "-m", "dashboard.worker"], cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT)
        try:
            assert wait_for(lambda: "ready" in log.read_text(errors="replace") or worker.poll() is not None,
                            timeout=120, every=0.2)
            assert worker.poll() is None, log.read_text()[-3000:]
            # two gunicorn workers: the page's polls for a job reach either process
            with serve(built_warehouse, **served_env(built_warehouse, backend), IDLIB_REDIS_URL=url, WEB_CONCURRENCY="2", DASHBOARD_THREADS="2",
                       IDLIB_SECRET_KEY="test-secret-shared-by-the-app-processes") as app:
                yield app, log, url
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def test_an_export_is_drawn_by_a_worker_and_delivered_to_the_page(page, queue, tmp_path):
    app, log, _ = queue
    open_page(page, app + "?from=2020-02&to=2020-02")
    settle(page, 500)
    with page.expect_download(timeout=180_000) as info:
        page.click("#home-export-go")  # the map, PNG, as the export panel opens
    png = tmp_path / info.value.suggested_filename
    info.value.save_as(png)
    assert png.name == "idlib_map_2020-02_2020-02.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.wait_for_function("() => document.querySelector('#home-export-status').innerText.includes('Downloaded')",
                           timeout=TIMEOUT)
    choose(page, "home-export-what", "Displacement")
    choose(page, "home-export-format", "CSV data")
    with page.expect_download(timeout=120_000) as info:
        page.click("#home-export-go")
    assert info.value.suggested_filename == "idlib_displacement_2020-02_2020-02.csv"
    assert b"752131" in open(info.value.path(), "rb").read()
    text = wait_for(lambda: log.read_text(errors="replace").count("succeeded") >= 2 and log.read_text(), timeout=30)
    assert text and text.count("background_callback_") >= 2  # both drawn by the worker, not the web process
    assert page.console_errors == []


def test_the_command_line_has_a_worker_draw_its_export(queue, built_warehouse, tmp_path):
    _, log, url = queue
    env = {**os.environ, "IDLIB_REDIS_URL": url, "IDLIB_WAREHOUSE": str(built_warehouse)}
    out = tmp_path / "displacement.csv"
    done = subprocess.run([sys.executable, "-m", "dashboard.export", "data", "displacement", "--format", "csv",
                           "--from", "2020-02", "--to", "2020-02", "--queue", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "waiting for an export worker" in done.stderr and b"752131" in out.read_bytes()
    assert wait_for(lambda: "idlib.export" in log.read_text(errors="replace"), timeout=30)  # drawn by the worker
    bad = subprocess.run([sys.executable, "-m", "dashboard.export", "data", "displacement", "--from", "1990-01",
                          "--queue"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "the export worker could not draw it" in bad.stderr and "1990-01" in bad.stderr
    assert "Traceback" not in bad.stderr
    unset = subprocess.run([sys.executable, "-m", "dashboard.export", "data", "displacement", "--queue"], cwd=ROOT,
                           env={k: v for k, v in env.items() if k != "IDLIB_REDIS_URL"}, capture_output=True, text=True,
                           timeout=300)
    assert unset.returncode == 2 and "set IDLIB_REDIS_URL" in unset.stderr


def test_a_worker_without_a_queue_says_what_to_set():
    env = {k: v for k, v in os.environ.items() if k != "IDLIB_REDIS_URL"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "dashboard.worker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "set IDLIB_REDIS_URL" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 120

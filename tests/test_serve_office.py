"""`make serve-office` (scripts/serve_office.py, issue 18): the whole stack on this machine from
Debian's packages (PostgreSQL + PostGIS, Redis, two app servers, two export workers, nginx), on free
ports, answering through nginx with both app servers behind it, and stopped whole by SIGTERM."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from etl.config import ROOT
from tests.services import PG_BIN, free_port, wait_for

pytestmark = pytest.mark.browser  # (it starts export workers, which draw with chromium)


def listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_office_stack_serves_through_nginx_and_stops_whole(tmp_path):
    for needed, why in ((PG_BIN / "initdb", "PostgreSQL 15"), (Path("/usr/share/postgresql/15/extension/postgis.control"),
                        "PostGIS"), (shutil.which("redis-server"), "redis-server"),
                        (shutil.which("nginx") or (Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None),
                         "nginx")):
        if not needed or not Path(needed).exists():
            pytest.skip(f"no {why} (make services / scripts/ensure-*.sh install Debian's packages as root)")
    folder = Path(tempfile.mkdtemp(prefix="idlib-office-", dir="/tmp"))
    ports = [free_port() for _ in range(5)]
    env = {**os.environ, "PORT": str(ports[0]), "IDLIB_OFFICE_DIR": str(folder),
           "IDLIB_OFFICE_PORTS": " ".join(map(str, ports[1:])), "IDLIB_WAREHOUSE": str(tmp_path / "wh")}
    log = tmp_path / "office.log"
    with open(log, "w") as out:
        stack = subprocess.Popen([sys.executable, "scripts/serve_office.py"], cwd=ROOT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: "serving on" in log.read_text() or stack.poll() is not None, timeout=400, every=0.5)
        assert stack.poll() is None, log.read_text()[-3000:]
        base = f"http://127.0.0.1:{ports[0]}"
        with urllib.request.urlopen(base + "/", timeout=30) as answer:
            page = answer.read().decode()
            assert answer.headers["Server"].startswith("nginx")
        script = next(part.split('"')[0] for part in page.split('src="')[1:] if "_dash-component-suites" in part)
        statuses = []
        for _ in range(2):
            request = urllib.request.Request(base + script, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
                statuses.append(answer.headers["X-Cache-Status"])
                assert answer.headers["Content-Encoding"] == "gzip"
            time.sleep(0.5)  # nginx files the entry once the upstream's answer is complete
        assert statuses == ["MISS", "HIT"]  # Dash's fingerprinted scripts are cached by nginx
        for _ in range(8):  # nginx spreads the pages over both app servers
            urllib.request.urlopen(base + "/_dash-layout", timeout=30).read()
        served = (folder / "nginx-access.log").read_text()
        assert f"127.0.0.1:{ports[3]}" in served and f"127.0.0.1:{ports[4]}" in served  # both app servers answered
        assert "published warehouse version" in log.read_text() and "to PostgreSQL" in log.read_text()
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=120)
    assert "serve-office: stopped" in log.read_text()
    time.sleep(1)
    assert not [p for p in ports if listening(p)]  # nginx, both app servers, Redis and PostgreSQL are gone
    shutil.rmtree(folder, ignore_errors=True)

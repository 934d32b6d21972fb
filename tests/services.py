"""Servers the tests start and stop themselves (issue 18): Redis (scripts/ensure-redis.sh) and
PostgreSQL 15 with PostGIS 3 from Debian's packages (scripts/ensure-postgis.sh installs them as
root), each throw-away, on a free port of 127.0.0.1. PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` user the package creates. Tests skip, saying why, where the packages are absent."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str], owner: str | None, **kw) -> subprocess.CompletedProcess:
    if owner:
        cmd = ["runuser", "-u", owner, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


@contextmanager
def postgres():
    """A running PostgreSQL with PostGIS: yields the URL of database `idlib` (trust authentication,
    on 127.0.0.1 only)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip("no PostgreSQL 15 (Debian's postgresql-15 and postgresql-15-postgis-3; scripts/ensure-postgis.sh)")
    if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        pytest.skip("no PostGIS for PostgreSQL 15 (Debian's postgresql-15-postgis-3; scripts/ensure-postgis.sh)")
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to own the test cluster")
        owner = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="idlib-pg-", dir="/tmp"))
    if owner:
        shutil.chown(folder, owner, owner)
    data = folder / "data"
    done = _as_owner([str(PG_BIN / "initdb"), "-D", str(data), "-U", "idlib", "--auth=trust", "-E", "UTF8",
                      "--no-sync"], owner)
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr[-1000:]}")
    port = free_port()
    start = _as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
                       f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                       f"-c full_page_writes=off", "start"], owner)
    if start.returncode:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {start.stderr[-800:]} {log[-1500:]}")
    try:
        created = _as_owner([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "idlib", "idlib"], owner)
        if created.returncode:
            raise RuntimeError(f"createdb failed: {created.stderr}")
        yield f"postgresql://idlib@127.0.0.1:{port}/idlib"
    finally:
        _as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], owner)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(check, timeout: float = 30, every: float = 0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(every)
    return None


@contextmanager
def redis_server():
    """A running redis-server (no persistence): yields its URL (database 0)."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("no redis-server (Debian's package redis-server; scripts/ensure-redis.sh installs it as root)")
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="idlib-redis-"))
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    try:
        if not wait_for(lambda: _pings(client), timeout=10, every=0.05):
            raise RuntimeError("redis-server did not answer within 10 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False

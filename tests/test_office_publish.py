"""A new warehouse version published to PostgreSQL/PostGIS while two app servers (two gunicorn
processes each, sharing a Redis cache) answer users' page loads (issue 18): no request fails while
the version changes, and every page load begun after the switch shows the new version's figures,
in every process, never the old one's (the shared cache is keyed by version).

The first version is the offline default; the second the SYNTHETIC warehouse (tests/conftest.py),
whose conflict-event charts differ, so a stale figure cannot pass for a new one."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from contextlib import ExitStack

import pytest

from bench.client import DashClient
from etl.core import postgis
from etl.core.warehouse import open_live
from tests.services import postgres, redis_server
from tests.test_browser import serve

VIEW = "/?from=2019-12&to=2020-03"


def page_seen(url: str) -> dict:
    """One user's page load: its failures, the version it names and a digest of every figure on it."""
    with DashClient(url, timeout=180) as client:
        step = client.load(VIEW)
        errors = step.errors + [f"{r.label}: HTTP {r.status}" for r in step.requests if r.status not in (200, 204)]
        named = json.dumps(client.get("home-version", "children"), ensure_ascii=False)
        figures = {key: c["props"]["figure"] for key, c in sorted(client.components.items()) if "figure" in c["props"]}
    digest = hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()
    return {"errors": errors, "named": named, "figures": digest, "charts": len(figures)}


def test_a_version_published_while_two_app_servers_answer_fails_no_request_and_leaves_no_stale_figure(
        built_warehouse, synthetic_warehouse, backend):
    if backend is not None:
        pytest.skip("starts its own PostgreSQL and Redis: run once, in the Parquet pass")
    first, second = open_live(built_warehouse), open_live(synthetic_warehouse)
    assert first.name != second.name
    with ExitStack() as stack:
        url = stack.enter_context(postgres())
        cache = stack.enter_context(redis_server())
        postgis.publish(url, first, keep=3)
        env = {"IDLIB_WAREHOUSE_URL": url, "IDLIB_REDIS_URL": cache, "WEB_CONCURRENCY": "2", "DASHBOARD_THREADS": "2",
               "IDLIB_SECRET_KEY": "test-secret-shared-by-the-app-servers"}
        servers = [stack.enter_context(serve(built_warehouse, **env)) for _ in range(2)]

        seen, errors, switched, stop = [], [], [], threading.Event()

        def user(n: int):
            while not stop.is_set():
                server = servers[n % 2]
                begun = time.monotonic()
                try:
                    got = page_seen(server)
                except Exception as exc:  # noqa: BLE001 - a failed request is what the test looks for
                    errors.append(f"{server}: {exc!r}")
                    continue
                errors.extend(f"{server}: {e}" for e in got["errors"])
                seen.append({**got, "server": server, "begun": begun, "after": bool(switched) and begun > switched[0]})
                n += 1

        users = [threading.Thread(target=user, args=(n,)) for n in range(4)]
        for thread in users:
            thread.start()
        try:
            # both servers answer from the first version before the switch
            assert wait_until(lambda: {s["server"] for s in seen} == set(servers), 300), errors
            postgis.publish(url, second, keep=3)
            switched.append(time.monotonic())
            # then until each server has answered two page loads begun after the switch
            assert wait_until(lambda: all(sum(s["after"] and s["server"] == server for s in seen) >= 2
                                          for server in servers), 400), errors
        finally:
            stop.set()
            for thread in users:
                thread.join(timeout=300)

    assert errors == []
    before = [s for s in seen if s["begun"] < switched[0]]
    after = [s for s in seen if s["after"]]
    assert before and after
    old = {s["figures"] for s in before if first.name in s["named"]}
    new = {s["figures"] for s in after}
    assert all(second.name in s["named"] and first.name not in s["named"] for s in after), [s["named"] for s in after]
    assert len(new) == 1 and not (new & old), "a page begun after the switch showed the first version's figures"
    assert all(s["charts"] >= 4 for s in seen)


def wait_until(check, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return False

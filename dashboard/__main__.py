"""python -m dashboard: serve the dashboard on http://127.0.0.1:$PORT (default 8050).

Served by gunicorn: WEB_CONCURRENCY worker processes (default: twice the number of cores) with
DASHBOARD_THREADS threads each (default 2), so that the callbacks one change sets off (the
map and the charts it touches) run side by side instead of waiting for each other under one
Python interpreter lock. Each worker loads the live warehouse and renders the default view once
when it starts, before it takes requests. DASHBOARD_SERVER=flask uses Flask's single-process
development server instead (HOST, PORT as above).

DASHBOARD_MAX_BODY_KB (default 256) is the largest request body accepted (a callback's; larger
ones are answered 413). DASHBOARD_KEEPALIVE (default 75 seconds) is how long gunicorn keeps an idle
connection open. gunicorn's default, 2 s, closes a browser's connections between two clicks and
while the map plays, and a request sent as the server closes its connection is reset. 75 s keeps
them open through a user's pauses and is longer than the idle timeout of the usual reverse proxies
(nginx's upstream keep-alive, cloud load balancers: 60 s), so that a proxy closes an idle
connection first. Idle connections wait in the worker's poller, not in a thread.
"""
from __future__ import annotations

import gc
import logging
import os
import sys

from dashboard.security import DEFAULT_MAX_BODY_KB

log = logging.getLogger("dashboard")


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def warm_up(app) -> None:
    """Answer one request in this process before it takes real ones (Dash sets itself up on the
    first request, and two threads arriving first at once could see it half done), then load the
    live warehouse and render the default view, so the first visitor does not wait."""
    from dashboard.warm import warm

    app.server.test_client().get("/")
    try:
        warm()
    except Exception as exc:  # noqa: BLE001  (a missing warehouse is reported on the page)
        log.warning("warm-up skipped: %s", exc)
    # what is loaded now (the warehouse, the default view) lives as long as the worker: keep it
    # out of the garbage collector's scans, which otherwise pause requests for tens of ms
    gc.collect()
    gc.freeze()


def serve_gunicorn(dash_app, host: str, port: int, workers: int, threads: int, keepalive: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
                "keepalive": keepalive, "timeout": 120, "graceful_timeout": 10, "accesslog": None, "errorlog": "-",
                "loglevel": "warning", "post_worker_init": lambda worker: warm_up(dash_app),
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return dash_app.server

    Server().run()


def main() -> int:
    port = os.environ.get("PORT", "8050")
    if not port.isdigit():
        print(f"error: PORT must be a number, got {port!r}", file=sys.stderr)
        return 2
    try:
        workers = _positive("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))
        threads = _positive("DASHBOARD_THREADS", 2)
        max_body_kb = _positive("DASHBOARD_MAX_BODY_KB", DEFAULT_MAX_BODY_KB)
        keepalive = _positive("DASHBOARD_KEEPALIVE", 75)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from dashboard.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(max_body_bytes=max_body_kb * 1024)
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"Dashboard on http://{host}:{port}/", flush=True)
    if os.environ.get("DASHBOARD_SERVER") == "flask":
        warm_up(app)
        app.run(host=host, port=int(port), debug=False, dev_tools_disable_version_check=True, threaded=True)
    else:
        serve_gunicorn(app, host, int(port), workers, threads, keepalive)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""python -m dashboard: serve the dashboard on http://127.0.0.1:$PORT (default 8050).

Served by gunicorn: WEB_CONCURRENCY worker processes (default: twice the number of cores) with
DASHBOARD_THREADS threads each (default 2), so that the callbacks one change sets off (the
map and the charts it touches) run side by side instead of waiting for each other under one
Python interpreter lock. Each worker loads the live warehouse and renders the default view once
when it starts, before it takes requests. DASHBOARD_SERVER=flask uses Flask's single-process
development server instead (HOST, PORT as above). Settings are read by dashboard.config.

DASHBOARD_MAX_BODY_KB (default 256) is the largest request body accepted (a callback's; larger
ones are answered 413). DASHBOARD_KEEPALIVE (default 75 seconds) is how long gunicorn keeps an idle
connection open. gunicorn's default, 2 s, closes a browser's connections between two clicks and
while the map plays, and a request sent as the server closes its connection is reset. 75 s keeps
them open through a user's pauses and is longer than the idle timeout of the usual reverse proxies
(nginx's upstream keep-alive, cloud load balancers: 60 s), so that a proxy closes an idle
connection first. Idle connections wait in the worker's poller, not in a thread.

Before the workers start, the server makes its run directory (EXPORT_RUN_DIR, unless given), where
the slot files of dashboard.export.limit bound the image and report exports of all its processes
together. Log lines carry the time and the process id.
"""
from __future__ import annotations

import gc
import logging
import sys

log = logging.getLogger("dashboard")


def warm_up(app) -> None:
    """Answer one request in this process before it takes real ones (Dash sets itself up on the
    first request, and two threads arriving first at once could see it half done), then load the
    live warehouse and render the default view, so the first visitor does not wait."""
    from dashboard.page.warm import warm

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
    from dashboard import config

    try:
        serving = config.server()
        config.exports()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from dashboard.export import limit
    from dashboard.page.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    for chatty in ("kaleido", "choreographer", "browser_proc"):  # a line per tab and page otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if not config.exports().run_dir:
        # made here, before gunicorn forks its workers, which read it from the environment
        config.set_run_dir(limit.make_run_dir())
    app = create_app(max_body_bytes=serving.max_body_kb * 1024)
    print(f"Dashboard on http://{serving.host}:{serving.port}/", flush=True)
    if serving.kind == "flask":
        warm_up(app)
        app.run(host=serving.host, port=serving.port, debug=False, dev_tools_disable_version_check=True, threaded=True)
    else:
        serve_gunicorn(app, serving.host, serving.port, serving.workers, serving.threads, serving.keepalive)
    return 0


if __name__ == "__main__":
    sys.exit(main())

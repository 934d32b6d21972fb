"""create_app() -> Dash: the app factory. Nothing is loaded at import time.

The layout is a small shell; the page is rendered from the URL's query string by a callback
(dashboard.page.callbacks.render_page), so a copied link opens the same view. A failing callback
never shows a traceback: the server logs it and the page says so in plain words. The server's
security headers, body limit and answers to malformed requests are in dashboard.page.security.
"""
from __future__ import annotations

import logging
import re

from dash import Dash

from dashboard import config
from etl.config import ASSETS_DIR

from . import help, security, sources_page

log = logging.getLogger(__name__)
# the chunks of dcc that the page needs (graphs, sliders, dropdowns): dcc fetches them only once the
# page is drawn, one more round trip before anything shows; preloaded, they come with the scripts
ASYNC_CHUNKS = ("async-graph.js", "async-slider.js", "async-dropdown.js")


# Scripts Dash puts on every page that this page does without:
# - @babel/polyfill (core-js 2 and regenerator-runtime), loaded before React: core-js adds nothing
#   that a browser the page supports lacks, took 150-300 ms of script time on every first view, and
#   replaced parseFloat, parseInt and trim with slower ones. The one part the bundles use, the
#   `regeneratorRuntime` global of dash-renderer's and dcc's lazy components, is served alone
#   (assets/regenerator-runtime.js, loaded before dash-renderer);
# - dash_table's bundle: the page has no DataTable (its tables are made in the browser, assets/a11y.js).
UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/(?:deps/polyfill@|dash_table/bundle\.)[^"]*"></script>\s*')


def without_unused_scripts(interpolate):
    """Dash's interpolate_index, with the script tags of UNUSED_SCRIPTS taken out of the page."""
    def interpolate_index(**kwargs):
        kwargs["scripts"] = UNUSED_SCRIPTS.sub("", kwargs.get("scripts", ""))
        return interpolate(**kwargs)
    return interpolate_index


# the base map plotly.js fetches when it first draws the map (dashboard/figures/map.py: resolution 110),
# fetched with the scripts instead of after them
TOPOJSON = "assets/topojson/world_110m.json"


def preload_links(prefix: str) -> str:
    return "\n".join([f'<link rel="preload" href="{prefix}_dash-component-suites/dash/dcc/{chunk}" as="script">'
                       for chunk in ASYNC_CHUNKS]
                      + [f'<link rel="preload" href="{prefix}{TOPOJSON}" as="fetch" crossorigin="anonymous">'])


def create_app(max_body_bytes: int = security.DEFAULT_MAX_BODY_KB * 1024) -> Dash:
    """The app, with its callbacks and the server's defences (dashboard.page.security); request bodies
    larger than `max_body_bytes` are refused (413). Its chart callbacks are made from the panels
registered when it is made (dashboard.panels)."""
    from dashboard.i18n import translator

    from . import callbacks, jobs, layout, shared_cache

    app = Dash(
        __name__,
        assets_folder=str(ASSETS_DIR),
        title=translator("en")("Idlib displacement dashboard"),
        serve_locally=True,
        update_title=None,
        compress=True,
        suppress_callback_exceptions=True,  # the page is built by a callback from the URL
        on_error=callbacks.error_message,
        background_callback_manager=jobs.manager(),  # IDLIB_REDIS_URL: exports on the workers' queue (issue 18)
    )
    # Dash's template wraps its scripts in a <footer>: a second "contentinfo" landmark beside the page's own
    app.index_string = app.index_string.replace("<html>", '<html lang="en" dir="ltr">').replace(
        "{%css%}", "{%css%}\n" + preload_links(app.config.requests_pathname_prefix)).replace(
        "<footer>", "<div hidden>").replace("</footer>", "</div>")
    app.interpolate_index = without_unused_scripts(app.interpolate_index)
    app.layout = layout.shell
    if config.server().secret_key:  # the same in every process and server (export jobs' handles)
        app.server.secret_key = config.server().secret_key
    shared_cache.init(app.server)  # IDLIB_REDIS_URL: the callbacks' outputs shared by every process (issue 18)
    callbacks.register(app)
    help.register(app.server)  # /help/data: the README's sections on loading data (linked from empty charts)
    sources_page.register(app.server)  # /sources: every source with its licence, download time, rows and rejects
    security.harden(app, max_body_bytes)  # after the callbacks: the CSP hashes their inline scripts
    return app

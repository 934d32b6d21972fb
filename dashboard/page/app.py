"""create_app() -> Dash: the app factory. Nothing is loaded at import time.

The layout is a small shell; the page is rendered from the URL's query string by a callback
(dashboard.page.callbacks.render_page), so a copied link opens the same view. A failing callback
never shows a traceback: the server logs it and the page says so in plain words. The server's
security headers, body limit and answers to malformed requests are in dashboard.page.security.
"""
from __future__ import annotations

import logging

from dash import Dash

from etl.config import ASSETS_DIR

from . import help, security

log = logging.getLogger(__name__)
# the chunks of dcc that the page needs (graphs, sliders, dropdowns): dcc fetches them only once the
# page is drawn, one more round trip before anything shows; preloaded, they come with the scripts
ASYNC_CHUNKS = ("async-graph.js", "async-slider.js", "async-dropdown.js")


def preload_links(prefix: str) -> str:
    return "\n".join(f'<link rel="preload" href="{prefix}_dash-component-suites/dash/dcc/{chunk}" as="script">'
                     for chunk in ASYNC_CHUNKS)


def create_app(max_body_bytes: int = security.DEFAULT_MAX_BODY_KB * 1024) -> Dash:
    """The app, with its callbacks and the server's defences (dashboard.page.security); request bodies
    larger than `max_body_bytes` are refused (413). Its chart callbacks are made from the panels
registered when it is made (dashboard.panels)."""
    from dashboard.i18n import translator

    from . import callbacks, layout

    app = Dash(
        __name__,
        assets_folder=str(ASSETS_DIR),
        title=translator("en")("Idlib displacement dashboard"),
        serve_locally=True,
        update_title=None,
        compress=True,
        suppress_callback_exceptions=True,  # the page is built by a callback from the URL
        on_error=callbacks.error_message,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en" dir="ltr">').replace(
        "{%css%}", "{%css%}\n" + preload_links(app.config.requests_pathname_prefix))
    app.layout = layout.shell
    callbacks.register(app)
    help.register(app.server)  # /help/data: the README's sections on loading data (linked from empty charts)
    security.harden(app, max_body_bytes)  # after the callbacks: the CSP hashes their inline scripts
    return app

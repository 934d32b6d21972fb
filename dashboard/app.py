"""create_app() -> Dash: the app factory. Nothing is loaded at import time."""
from __future__ import annotations

import logging

from dash import Dash, html

from etl.config import ASSETS_DIR

log = logging.getLogger(__name__)


def serve_layout():
    """Layout per page load, from the live warehouse; a clear page if there is none."""
    from dashboard import layout
    from dashboard.data import warehouse
    from dashboard.i18n import translator
    from etl.core.warehouse import WarehouseError

    t = translator("en")
    try:
        return layout.build(warehouse(), t)
    except WarehouseError as exc:
        log.error("no warehouse: %s", exc)
        return html.Div([
            html.H1(t("Idlib displacement dashboard")),
            html.P(t("The data warehouse has not been built yet. Run `make run` or `python -m etl run`.")),
        ], className="page")


def create_app() -> Dash:
    import dashboard.callbacks  # noqa: F401  (registers the callbacks)
    from dashboard.i18n import translator

    app = Dash(
        __name__,
        assets_folder=str(ASSETS_DIR),
        title=translator("en")("Idlib displacement dashboard"),
        serve_locally=True,
        update_title=None,
    )
    app.layout = serve_layout
    return app

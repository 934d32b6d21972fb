"""The panels: one module per thing the page shows (map, displacement, casualties, refugees,
conflict events, movement toward the border), each with its query, figure, export rows and
report size, found through one registry (dashboard/panels/base.py).

    from dashboard import panels
    for panel in panels.registered(): ...        # in page order
    panel = panels.get("refugees")
    inputs = panel.load(request); figure = panel.figure(inputs, request)

Every module of this package is imported with it; a panel module registers its panel
(`register(Panel(...))`), so adding a chart is adding a module here (plus its figure builder and
its query when they are new, and its messages).
"""
from __future__ import annotations

import importlib
import pkgutil

from dashboard.panels.base import (  # noqa: F401  (the registry's interface)
    Panel,
    Shared,
    chart_groups,
    charts,
    get,
    inputs_of,
    names,
    register,
    registered,
    unregister,
)


def _import_panel_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_panel_modules()

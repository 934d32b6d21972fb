"""What a panel is, and the registry of the panels the page shows.

A `Panel` is one thing the page shows (the map, a chart): its name, its titles, the controls that
redraw it, its query (`inputs(request, shared)`, run once per request), its figure
(`figure(inputs, request)`), the rows of its data export (`rows(inputs, request)`), its notes and
the sources it cites, and its height on a page of the situation report. The page, the export
menu, the data and image exports, the report and the command line all list the registered
panels, in their `order`: adding a chart is one module in dashboard/panels/ that calls `register`.

Two panels drawn from the same query name the same `Shared` query: the page redraws them with one
callback and the query runs once for both (so they must be redrawn by the same controls).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.data.state import CONTROL_FIELDS, CONTROL_IDS
from dashboard.figures.common import figure_sources
from dashboard.request import Request


@dataclass(frozen=True)
class Shared:
    """A query several panels are drawn from (`query(request)`), run once for all of them."""

    key: str
    query: Callable[[Request], Any]


def no_notes(inputs, request: Request) -> list[str]:
    return []


def drawn_sources(inputs, figure: dict) -> list[str]:
    """The sources of the visible traces of the figure (what a chart's source list shows)."""
    return figure_sources(figure)


@dataclass(frozen=True)
class Panel:
    name: str  # in the page's ids (home-<name>-chart), the export menu and the command line
    label: str  # N_ message: its short name (the export menu, the section's label)
    title: str  # N_ message: its full title (the data export's notes, the report's contents)
    triggers: tuple[str, ...]  # the controls that redraw it (dashboard.data.state.CONTROL_IDS)
    inputs: Callable[[Request, Any], Any]  # (request, the shared query's result or None) -> its inputs
    figure: Callable[[Any, Request], dict]  # (inputs, request) -> the figure (a plotly dict)
    rows: Callable[[Any, Request], pd.DataFrame]  # (inputs, request) -> the rows of its data export
    report_px: int  # the plot's height on its page of the situation report
    order: int  # its place on the page, in the menus and the report (lowest first)
    shared: Shared | None = None
    notes: Callable[[Any, Request], list[str]] = no_notes  # sentences printed with its data
    sources: Callable[[Any, dict], list[str]] = drawn_sources  # (inputs, figure) -> source ids it cites
    kind: str = "chart"  # "chart": a graph the chart callbacks redraw; "map": the map's own machinery
    has_data: Callable[[Any], bool] | None = None  # (warehouse) -> whether it has anything to draw; None: always

    def shown(self, wh) -> bool:
        """Whether the page shows it (and the report and the export menu list it) for a warehouse:
        a chart of a table no source fills (people in need, asylum) stays out of the way."""
        return self.has_data is None or bool(self.has_data(wh))

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields of the view state it is drawn from (its cache keeps only these)."""
        return tuple(dict.fromkeys(f for control in self.triggers for f in CONTROL_FIELDS[control]))

    def load(self, request: Request, shared: Any = None) -> Any:
        """Its inputs for a request (its shared query run here unless its result is given)."""
        if self.shared is not None and shared is None:
            shared = self.shared.query(request)
        return self.inputs(request, shared)


_REGISTRY: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    """Adds a panel to every list of panels (the page, the exports, the report, the CLI)."""
    if panel.name in _REGISTRY:
        raise ValueError(f"a panel named {panel.name!r} is registered already")
    unknown = [c for c in panel.triggers if c not in CONTROL_IDS]
    if unknown:
        raise ValueError(f"panel {panel.name!r}: unknown controls {unknown}: expected some of {', '.join(CONTROL_IDS)}")
    for other in _REGISTRY.values():
        if panel.shared is not None and other.shared == panel.shared and other.triggers != panel.triggers:
            raise ValueError(f"panels {other.name!r} and {panel.name!r} share a query but not their controls")
    _REGISTRY[panel.name] = panel
    return panel


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> tuple[Panel, ...]:
    """The registered panels, in page order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda p: p.order))


def names() -> tuple[str, ...]:
    return tuple(p.name for p in registered())


def get(name: str) -> Panel:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown chart {name!r}: expected one of {', '.join(names())}") from None


def charts() -> tuple[Panel, ...]:
    """The panels drawn as charts (the map has its own machinery)."""
    return tuple(p for p in registered() if p.kind == "chart")


def chart_groups() -> list[tuple[Panel, ...]]:
    """The charts, one group per callback: alone, or with the charts drawn from the same query, at
    the place of the first of them."""
    groups: dict[object, list[Panel]] = {}
    for panel in charts():
        groups.setdefault(panel.shared or panel.name, []).append(panel)
    return [tuple(group) for group in groups.values()]


def inputs_of(group, request: Request) -> list:
    """The inputs of several panels for one request, each shared query run once."""
    shared: dict[Shared, Any] = {}
    out = []
    for panel in group:
        if panel.shared is not None and panel.shared not in shared:
            shared[panel.shared] = panel.shared.query(request)
        out.append(panel.inputs(request, shared.get(panel.shared) if panel.shared else None))
    return out

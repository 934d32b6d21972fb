"""Every figure and source list of the page for a request (plain data, tested without a browser),
and the pages most people open first, computed once per warehouse version and view state.

`page_parts_for(request)` memoises the parts of a page by its request (the warehouse version and
the view state, its language included: a request is hashed by those), so the default view is
rendered once per worker (at start, by dashboard.page.warm) rather than for every visitor. The
parts are plain data, never changed after they are made; nothing here depends on who asks.
"""
from __future__ import annotations

from functools import lru_cache

from dashboard import panels
from dashboard.figures.common import fmt_period
from dashboard.panels import map as map_panel
from dashboard.panels import views
from dashboard.panels.map_parts import NOTE_PARTS, classes_to_store, source_ids
from dashboard.request import Request

from .components import shown, sources_block, under_chart, unlocated_note
from .layout import notes
from .side import area_for, headline_for


def page_parts(request: Request) -> dict:
    """The map (figure, notes, sources, what the page keeps of it), every chart with its sources, the
    headline figures and the area panel."""
    wh, t, lang = request.wh, request.t, request.lang
    fig, update = map_panel.full(request)
    parts = {
        "map": fig,
        "map_notes": {part: notes(update["notes"].get(part, [])) for part in NOTE_PARTS},
        "map_sources": sources_block(wh, source_ids(update["sources"]), "home-map-source-list", lang),
        "map_parts": update["sources"],
        "map_classes": classes_to_store(update["classes"]),
        "unlocated": unlocated_note(wh["crossings"], t),
        "headline": headline_for(request),
        "area": area_for(request),
    }
    names = tuple(panel.name for panel in panels.charts())
    period = fmt_period(request.sel.start, request.sel.end, lang)
    for name, (fig, ids) in zip(names, views.charts(names, request)):
        parts[name] = shown(fig, lang)
        parts[f"{name}_sources"] = under_chart(fig, sources_block(wh, ids, f"home-{name}-source-list", lang), t, period)
    return parts


def page_parts_for(request: Request) -> dict:
    """`page_parts`, memoised per request and set of registered panels (see the module)."""
    return _page_parts(request, panels.names())


@lru_cache(maxsize=16)
def _page_parts(request: Request, _names: tuple[str, ...]) -> dict:
    return page_parts(request)

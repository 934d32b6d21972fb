"""The charts of a request, as the page shows them, cached per worker.

`charts(names, request)` gives (figure, source ids) of several charts, their shared query run once.
The cache is keyed on the warehouse version, the fields of the view state the charts are drawn
from (`Panel.fields`, which follow from the controls that redraw them) and the language, so that
the refugees chart of a date range is shared by people with different event filters. Each chart is
also kept on its own (`chart`, keyed on its own fields): the exports of a view (an image, the
report's pages) take the charts the page drew for it rather than drawing them again, and a chart
drawn with one group of charts is reused by another. Nothing here depends on who asks; the result
is shared: read it, never change it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from dashboard.panels import empty
from dashboard.panels.base import Shared, get
from dashboard.panels.empty import explained
from dashboard.request import Request

CHART_CACHE = 128  # view states kept per worker process (a few MB each at most)
SHARED_CACHE = 8  # a shared query's result is only needed while its charts are drawn, one after the other


def fields_of(names) -> set[str]:
    """The view state's fields the charts `names` are drawn from."""
    return {f for name in names for f in get(name).fields}


def charts(names, request: Request) -> tuple[tuple[dict, list[str]], ...]:
    """(figure, source ids) of the charts `names` for a request (cached; see the module)."""
    names = tuple(names)
    return _charts(names, request.only(fields_of(names)))


def chart(name: str, request: Request) -> tuple[dict, list[str], list[str]]:
    """(figure, source ids, notes) of one chart for a request, as the page draws it (an empty chart
    says why); cached on the chart's own fields (see the module)."""
    return _chart(name, request.only(get(name).fields))


@lru_cache(maxsize=CHART_CACHE)
def _charts(names: tuple[str, ...], request: Request) -> tuple[tuple[dict, list[str]], ...]:
    return tuple(chart(name, request)[:2] for name in names)


@lru_cache(maxsize=CHART_CACHE * 8)  # (about as many charts as the page shows per view state)
def _chart(name: str, request: Request) -> tuple[dict, list[str], list[str]]:
    panel = get(name)
    made = panel.load(request, _shared(panel.shared, request) if panel.shared is not None else None)
    fig = explained(panel, panel.figure(made, request), request)
    return fig, panel.sources(made, fig), panel.notes(made, request)


@lru_cache(maxsize=SHARED_CACHE)
def _shared(shared: Shared, request: Request) -> Any:
    """A query several charts are drawn from, run once for all of them: charts that share a query
    are redrawn by the same controls (base.register), so they ask with the same narrowed request."""
    return shared.query(request)


def cache_clear() -> None:
    _charts.cache_clear()
    _chart.cache_clear()
    _shared.cache_clear()
    empty.cache_clear()

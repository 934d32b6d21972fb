"""The charts of a request, as the page shows them, cached per worker.

`charts(names, request)` gives (figure, source ids) of several charts, their shared query run once.
The cache is keyed on the warehouse version, the fields of the view state the charts are drawn
from (`Panel.fields`, which follow from the controls that redraw them) and the language, so that
the refugees chart of a date range is shared by people with different event filters. Nothing here
depends on who asks; the result is shared: read it, never change it.
"""
from __future__ import annotations

from functools import lru_cache

from dashboard.panels.base import get, inputs_of
from dashboard.panels.empty import explained
from dashboard.request import Request

CHART_CACHE = 128  # view states kept per worker process (a few MB each at most)


def fields_of(names) -> set[str]:
    """The view state's fields the charts `names` are drawn from."""
    return {f for name in names for f in get(name).fields}


def charts(names, request: Request) -> tuple[tuple[dict, list[str]], ...]:
    """(figure, source ids) of the charts `names` for a request (cached; see the module)."""
    names = tuple(names)
    return _charts(names, request.only(fields_of(names)))


@lru_cache(maxsize=CHART_CACHE)
def _charts(names: tuple[str, ...], request: Request) -> tuple[tuple[dict, list[str]], ...]:
    group = [get(name) for name in names]
    out = []
    for panel, made in zip(group, inputs_of(group, request)):
        fig = explained(panel, panel.figure(made, request), request)  # an empty chart says why
        out.append((fig, panel.sources(made, fig)))
    return tuple(out)


def cache_clear() -> None:
    _charts.cache_clear()

"""The pages most people open first, computed once per warehouse version and language.

`page_parts_for(wh, query, lang)` memoises the figures and source lists of a page by its
canonical query string (dashboard.state.to_query), so the default view is rendered once per
worker (at start, by `warm`) rather than for every visitor. The parts are plain data, never
changed after they are made; nothing here depends on who asks.
"""
from __future__ import annotations

from functools import lru_cache

from dashboard import view
from dashboard.data import Warehouse, warehouse
from dashboard.i18n import translator
from dashboard.state import parse_query


@lru_cache(maxsize=16)
def page_parts_for(wh: Warehouse, query: str, lang: str = "en") -> dict:
    from dashboard.callbacks import page_parts

    state = parse_query(query, view.bounds(wh))
    return page_parts(wh, state, translator(lang), lang)


def warm(lang: str = "en") -> None:
    """Load the live version and render its default view (the bare URL)."""
    wh = warehouse()
    view.bounds(wh)
    page_parts_for(wh, "", lang)

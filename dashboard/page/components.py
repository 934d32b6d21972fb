"""Pieces of the page built from plain data (no callbacks here): the source list under a chart
or the map (organisation, title, publication date and link of every source that contributed to
what it shows), and the note on crossings that cannot be drawn. A source without a web address (a
file read from disk) shows its title and "no public link": a local path never leaves the server.

A source list is an ordered list of plain HTML: each line one list item holding one link.
(dcc.Markdown cost the first view about 450 KB of script, markdown and highlight.js, fetched and
run after the page; the list of components is larger raw but compresses to about the same on the
wire.)
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
from dash import html

from dashboard.data.catalog import who_and_when
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import Translate, translator
from etl.contracts import public_url


def source_list(sources: pd.DataFrame, t: Translate, list_id: str) -> html.Div:
    if sources.empty:
        return html.Div(t("Sources: none for the selected period."), className="sources", id=list_id)
    items = []
    for r in sources.itertuples():
        who, published = who_and_when(r, t)
        url = public_url(r.url)
        title = html.A(str(r.title), href=url, target="_blank") if url else f"{r.title} ({t('no public link')})"
        items.append(html.Li([f"{who}: ", title, f", {t('published')} {published}."]))
    return html.Div([html.P(t("Sources ({n}):").format(n=len(sources)), className="sources-label"), html.Ol(items)],
                    className="sources", id=list_id, **{"data-source-ids": " ".join(sources["source_id"].astype(str))})


def unlocated_note(crossings: pd.DataFrame, t: Translate) -> html.P | None:
    """Crossings whose position no offline source gives: listed, not drawn."""
    missing = crossings[crossings["precision"] == "unknown"]
    if missing.empty:
        return None
    names = ", ".join(f"{r.name_en} / {r.name_tr} ({r.name_ar})" for r in missing.itertuples())
    return html.P(t("Crossings not drawn (no position in the offline sources): {names}.").format(names=names),
                  className="map-note", id="home-unlocated-crossings")


def sources_block(wh: Warehouse, ids, list_id: str, lang: str = "en") -> html.Div:
    """The source list of `ids` (a chart's or the map's), in `lang`."""
    return _sources_block(wh, tuple(sorted(ids)), list_id, lang)


@lru_cache(maxsize=256)
def _sources_block(wh: Warehouse, ids: tuple[str, ...], list_id: str, lang: str) -> html.Div:
    """Cached per version, set of sources and language (components are only serialised, never
    changed, after this)."""
    src = wh["sources"]
    rows = src[src["source_id"].isin(ids)].sort_values(["organisation", "published", "source_id"])
    return source_list(rows, translator(lang), list_id)

"""The source line under a chart: organisation, title, publication date and link of every
source that contributed to what the chart shows. A source without a web address (a file read from
disk) shows its title and "no public link": a local path never leaves the server.

An ordered list of plain HTML: each line one list item holding one link. (dcc.Markdown cost the
first view about 450 KB of script, markdown and highlight.js, fetched and run after the page; the
list of components is larger raw but compresses to about the same on the wire.)
"""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.i18n import Translate
from etl.contracts import public_url


def who_and_when(r, t: Translate) -> tuple[str, str]:
    """('OCHA, via Reuters', '2020-03 (approx.)'): a source's organisation and publication date, as
    every source line writes them (the page's lists and the exports)."""
    via = f", {t('via')} {r.via}" if isinstance(r.via, str) and r.via else ""
    approx = f" ({t('approx.')})" if r.published_approx else ""
    return f"{r.organisation}{via}", f"{r.published}{approx}"


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

"""The source line under a chart: organisation, title, publication date and link of every
source that contributed to what the chart shows."""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.i18n import Translate


def source_list(sources: pd.DataFrame, t: Translate, list_id: str) -> html.Div:
    if sources.empty:
        return html.Div(t("Sources: none for the selected period."), className="sources", id=list_id)
    items = []
    for r in sources.itertuples():
        published = f"{r.published}{' (approx.)' if r.published_approx else ''}"
        via = f", {t('via')} {r.via}" if isinstance(r.via, str) and r.via else ""
        items.append(html.Li([
            html.Span(f"{r.organisation}{via}: "),
            html.A(r.title, href=r.url, target="_blank", rel="noopener noreferrer"),
            html.Span(f", {t('published')} {published}."),
        ], **{"data-source-id": r.source_id}))
    label = t("Sources ({n}):").format(n=len(items))
    return html.Div([html.Span(label, className="sources-label"), html.Ol(items)], className="sources", id=list_id)


def unlocated_note(crossings: pd.DataFrame, t: Translate) -> html.P | None:
    """Crossings whose position no offline source gives: listed, not drawn."""
    missing = crossings[crossings["precision"] == "unknown"]
    if missing.empty:
        return None
    names = ", ".join(f"{r.name_en} / {r.name_tr} ({r.name_ar})" for r in missing.itertuples())
    return html.P(t("Crossings not drawn (no position in the offline sources): {names}.").format(names=names),
                  className="map-note", id="home-unlocated-crossings")

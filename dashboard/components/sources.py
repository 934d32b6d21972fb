"""The source line under a chart: organisation, title, publication date and link of every
source that contributed to what the chart shows.

Written as Markdown (one component, an ordered list of links): a list of a hundred sources costs
a few kilobytes instead of the tens a tree of HTML components would.
"""
from __future__ import annotations

import re

import pandas as pd
from dash import dcc, html

from dashboard.i18n import Translate

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown (titles may hold brackets, asterisks, underscores)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def md_url(url: str) -> str:
    return str(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def who_and_when(r, t: Translate) -> tuple[str, str]:
    """('OCHA, via Reuters', '2020-03 (approx.)'): a source's organisation and publication date, as
    every source line writes them (the page's lists and the exports)."""
    via = f", {t('via')} {r.via}" if isinstance(r.via, str) and r.via else ""
    approx = f" ({t('approx.')})" if r.published_approx else ""
    return f"{r.organisation}{via}", f"{r.published}{approx}"


def source_list(sources: pd.DataFrame, t: Translate, list_id: str) -> html.Div:
    if sources.empty:
        return html.Div(t("Sources: none for the selected period."), className="sources", id=list_id)
    lines = [f"**{md_escape(t('Sources ({n}):').format(n=len(sources)))}**", ""]
    for i, r in enumerate(sources.itertuples(), start=1):
        who, published = who_and_when(r, t)
        lines.append(f"{i}. {md_escape(who)}: [{md_escape(r.title)}]({md_url(r.url)}), "
                     f"{md_escape(t('published'))} {md_escape(published)}.")
    return html.Div(dcc.Markdown("\n".join(lines), link_target="_blank"), className="sources", id=list_id,
                    **{"data-source-ids": " ".join(sources["source_id"].astype(str))})


def unlocated_note(crossings: pd.DataFrame, t: Translate) -> html.P | None:
    """Crossings whose position no offline source gives: listed, not drawn."""
    missing = crossings[crossings["precision"] == "unknown"]
    if missing.empty:
        return None
    names = ", ".join(f"{r.name_en} / {r.name_tr} ({r.name_ar})" for r in missing.itertuples())
    return html.P(t("Crossings not drawn (no position in the offline sources): {names}.").format(names=names),
                  className="map-note", id="home-unlocated-crossings")

"""Pieces of the page built from plain data (no callbacks here): the source list under a chart
or the map (organisation, title, publication date and link of every source that contributed to
what it shows), and the note on crossings that cannot be drawn. A source without a web address (a
file read from disk) shows its title and "no public link": a local path never leaves the server.
Each line says what its link opens (the source's link kind: the publisher's page, ReliefWeb or a
data portal, a news agency, a news or other report, or "copy of …, original not found").

A source list is an ordered list of plain HTML: each line one list item holding one link. Its lines
are sent as data and written into the list by the browser (assets/a11y.js), as text, never as
markup: Dash's renderer takes time for every component of the first view, and a list item and a
link per source were about a quarter of them. (dcc.Markdown cost the first view about 450 KB of
script, markdown and highlight.js, fetched and run after the page.)
"""
from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd
from dash import html

from dashboard.data.catalog import around_title, who_and_when
from dashboard.data.state import KEY_DATE_LABELS
from dashboard.data.warehouse import Warehouse
from dashboard.figures.common import LISTED_META, bidi_figure
from dashboard.i18n import Translate, fmt_published, translator
from etl.contracts import public_url


def source_items(sources: pd.DataFrame, t: Translate) -> list[list]:
    """A source list's lines as plain data, each [text before the title, title, link or None, text
    after it, link kind]; a source without a web address has its whole line in the first field."""
    items = []
    for r in sources.itertuples():
        who, _ = who_and_when(r, t)
        before, after = around_title(r, t)
        url = public_url(r.url)
        kind = str(getattr(r, "link_kind", "") or "")
        if url:
            items.append([f"{who}: {before}", str(r.title), url, f"{after}.", kind])
        else:  # "Title (no public link)": a local path never leaves the server
            items.append([f"{who}: {before}{r.title}{after}.", "", None, "", kind])
    return items


def data_as_of(sources: pd.DataFrame, t: Translate) -> str:
    """How fresh what a panel draws is: the latest publication date among its sources and, for
    sources the ETL downloaded, the latest day it did ("Data as of 2020-03 (latest publication),
    downloaded 2026-12-07")."""
    if sources.empty:
        return t("Data as of: nothing drawn for this view.")
    published = sorted(str(p) for p in sources["published"].dropna() if str(p))
    text = (t("Data as of {date} (latest publication among the sources below)").format(
        date=fmt_published(published[-1], t.lang)) if published else t("Data as of: no publication date given"))
    downloaded = sorted(str(d) for d in sources["retrieved"].dropna()) if "retrieved" in sources else []
    if downloaded:
        text += t(", downloaded {date}").format(date=fmt_published(downloaded[-1][:10], t.lang))
    return text + "."


def source_list(sources: pd.DataFrame, t: Translate, list_id: str) -> html.Div:
    """The list of `sources`: its lines travel as data (`data-sources`, see source_items) and the
    browser writes them into the empty <ol> as text and links (assets/a11y.js), each line one list
    item holding one link, as `data-link-kind` says. As Dash components (a list item and a link per
    source) the page's lists were about 400 of its components, and Dash's renderer takes time for
    each on every first view."""
    if sources.empty:
        return html.Div([html.P(data_as_of(sources, t), className="data-as-of"),
                         html.P(t("Sources: none for the selected period."))], className="sources", id=list_id)
    items = source_items(sources, t)
    return html.Div([html.P(data_as_of(sources, t), className="data-as-of"),
                     html.P(t("Sources ({n}):").format(n=len(sources)), className="sources-label"),
                     html.Ol(className="source-items")],
                    className="sources", id=list_id,
                    **{"data-source-ids": " ".join(sources["source_id"].astype(str)),
                       "data-sources": json.dumps(items, ensure_ascii=False, separators=(",", ":"))})


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


# ---- under a chart: its key dates and its figures side by side for the period shown ---------------

WINDOW_ROWS = 40  # rows of the common-window table on the page (all are in the data export)


def shown(fig: dict, lang: str = "en") -> dict:
    """The figure as the page sends it: without the common-window rows and the key dates' list
    (the page writes them under the chart as HTML, which escapes them; in the figure they are as
    the data writes them, and no text from data goes to the browser unescaped); in Arabic, its
    text set right to left with its Latin, number and date runs isolated (`bidi_figure`)."""
    fig = bidi_figure(fig, lang)
    meta = (fig.get("layout") or {}).get("meta")
    if not isinstance(meta, dict) or not any(k in meta for k in LISTED_META):
        return fig
    return {**fig, "layout": {**fig["layout"], "meta": {k: v for k, v in meta.items() if k not in LISTED_META}}}


def key_dates_block(fig: dict, t: Translate) -> html.Div | None:
    """The numbered key dates of a chart (the numbers above its plot), in its language. The lines
    travel as data (`data-key-dates`: [number, " when: label", " (kind)" or ""]) and the browser
    writes them into the empty list as text (assets/a11y.js), as it does a source list's."""
    rows = ((fig.get("layout") or {}).get("meta") or {}).get("key_dates") or []
    if not rows:
        return None
    items = [[str(n), f" {when}: {label}", f" ({t(KEY_DATE_LABELS[kind])})" if kind in KEY_DATE_LABELS else ""]
             for n, _, when, label, kind in rows]
    return html.Div([html.P(t("Key dates (numbered above the chart):"), className="sources-label"),
                     html.Ul(className="key-dates")], className="sources key-dates-block",
                    **{"data-key-dates": json.dumps(items, ensure_ascii=False, separators=(",", ":"))})


def window_rows_shown(fig: dict, t: Translate) -> dict | None:
    """The common-window table's words and rows as the page shows them (at most WINDOW_ROWS rows),
    each row [colour, organisation, value, period, share inside, mean per month, area, area differs]:
    plain text, set as text by the browser (never as markup)."""
    rows = ((fig.get("layout") or {}).get("meta") or {}).get("window") or []
    if not rows:
        return None
    head = [t("Source"), t("Figure"), t("Its period"), t("Days in the period shown"), t("Mean per month"), t("Area")]
    body = []
    for w in rows[:WINDOW_ROWS]:
        share = t("{inside} of {days} days ({share})").format(inside=w["inside_days"], days=w["days"],
                                                              share=f"{w['share']:.0%}")
        body.append([str(w["colour"]), str(w["organisation"]), str(w["value"]), f"{w['period']} ({w['length']})",
                     share, str(w["per_month"]), f"{w['area']} ({w['scope']})", bool(w["area_differs"])])
    return {"head": head, "rows": body, "differs": t("area differs"), "total": len(rows)}


def window_block(fig: dict, t: Translate, period: str) -> html.Details | None:
    """The common-window view: every published figure whose period overlaps the period shown, with
    the share of its period inside it, its mean per month, its area and whether that area differs
    from the chart's. Listed side by side, never added.

    The table itself is made in the browser when the view is opened (assets/a11y.js), from the rows
    the element carries (`data-window`, see window_rows_shown): as Dash components its 40 rows of six
    cells under each of two charts were about 600 of the page's 1,450 components, and Dash's renderer
    takes time for each on every first view, although the view starts closed."""
    shown_rows = window_rows_shown(fig, t)
    if shown_rows is None:
        return None
    more = shown_rows["total"] - WINDOW_ROWS
    return html.Details([
        html.Summary(t("Figures overlapping {period}, side by side ({n})").format(period=period, n=shown_rows["total"])),
        html.P(t("Each figure covers its own period and area: they are listed, never added. A figure whose period is "
                 "longer than the period shown is not a figure for it; its mean per month is given for comparison."),
               className="range-text"),
        html.Div(className="window-table-slot"),  # filled when opened (assets/a11y.js)
    ] + ([html.P(t("{n} more values are in the data export (CSV or XLSX).").format(n=more))] if more > 0 else []),
        className="table-view window-view",
        **{"data-window": json.dumps(shown_rows, ensure_ascii=False, separators=(",", ":"))})


def under_chart(fig: dict, sources: html.Div, t: Translate, period: str) -> list:
    """What the page shows under a chart: its figures side by side, its key dates, its sources."""
    return [part for part in (window_block(fig, t, period), key_dates_block(fig, t), sources) if part is not None]

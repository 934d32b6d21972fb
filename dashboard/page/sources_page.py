"""/sources: every source of the live warehouse version on one page, as plain HTML (no script), in
two parts. The datasets the ETL read: who published each, its title and link, licence, publication
date, when the ETL downloaded it (for sources fetched from the web; else "read from disk"), and the
rows its adapter read, rejected and kept with a note. Then the documents whose figures are cited,
with how many each organisation published: who, title and link, what the link leads to (the
publisher's page, a portal, a copy whose original was not found), licence and publication date.
`?lang=ar` gives it in Arabic, right to left. Linked from the page's footer."""
from __future__ import annotations

import html

import pandas as pd
from flask import request

from dashboard.data.catalog import link_label, who_and_when
from dashboard.data.warehouse import warehouse
from dashboard.i18n import LANGUAGES, direction, fmt_timestamp, translator
from dashboard.organisations import attribute, registry
from etl.contracts import public_url


def _count(value) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def _table(src: pd.DataFrame, t, lang: str, read: bool, label: str) -> str:
    """A table of sources, one row each. `read` (datasets the ETL read): when each was downloaded and
    the rows the ETL read, rejected and kept; else (cited documents) what each link leads to."""
    head = [t("Organisation"), t("Title"), t("Licence"), t("Published")]
    head += [t("Downloaded"), t("Rows read"), t("Rows rejected"), t("Rows kept with a note")] if read else [t("Link")]
    rows = []
    for r in src.itertuples():
        who, published = who_and_when(r, t)
        url = public_url(r.url)
        title = html.escape(str(r.title))
        title = f'<a href="{html.escape(url)}">{title}</a>' if url else f"{title} ({html.escape(t('no public link'))})"
        got = getattr(r, "retrieved", None)
        got = (fmt_timestamp(got, lang) if isinstance(got, str) and got else t("read from disk")) if read \
            else link_label(r, t)
        licence = r.licence if isinstance(r.licence, str) else ""
        cells = [html.escape(who), title, html.escape(licence), html.escape(published), html.escape(got)]
        numbers = [_count(r.rows_read), _count(r.rejected_rows), _count(r.kept_rows)] if read else []
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells)
                    + "".join(f'<td class="number">{c}</td>' for c in numbers) + "</tr>")
    header = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{html.escape(label)}">'
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def page(lang: str) -> str:
    """Two parts: the datasets the ETL read (files and APIs, with the rows it read, rejected and kept),
    then the documents whose published figures are cited (a hundred or more on the offline
    default), with how many each organisation published."""
    t = translator(lang)
    wh = warehouse()
    src = wh["sources"].sort_values(["organisation", "published", "source_id"])
    read = src["rows_read"].notna()
    datasets, cited = src[read], src[~read]
    parts = []
    if len(datasets):
        heading = t("Datasets read by the ETL ({n})").format(n=len(datasets))
        parts.append(f'<h2 id="sources-datasets">{html.escape(heading)}</h2>'
                     + _table(datasets, t, lang, True, heading))
    if len(cited):
        heading = t("Documents whose figures are cited ({n})").format(n=len(cited))
        reg = registry()
        # each organisation by its one short name ('OCHA' for 'OCHA [copy; original not found]')
        by_org = pd.Series([reg.get(attribute(o, None, reg), str(o)).short(lang)
                            for o in cited["organisation"]]).value_counts()
        listed = t(", ").join(f"{who} ({n})" for who, n in by_org.items())  # (the list's comma: '، ' in Arabic)
        never = t("Not downloaded by the ETL: their figures were copied from them, each with its source, into the "
                  "committed facts list (data/figures).")
        parts.append(f'<h2 id="sources-cited">{html.escape(heading)}</h2>'
                     f'<p class="sources-cited-how">{html.escape(never)}</p>'
                     f'<p class="sources-by-org">{html.escape(t("By organisation: {list}").format(list=listed))}</p>'
                     + _table(cited, t, lang, False, heading))
    version = html.escape(t("Warehouse version {v}, built {b}").format(v=wh.version, b=fmt_timestamp(wh.built_at, lang)))
    back = html.escape(t("Back to the dashboard"))
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(t('Sources'))}</title>"
            '<link rel="stylesheet" href="/assets/style.css"></head><body>'
            f'<main class="page sources-page" id="sources-page"><p><a href="/?lang={lang}">{back}</a></p>'
            f"<h1>{html.escape(t('Sources ({n})').format(n=len(src)))}</h1><p>{version}</p>"
            f"{''.join(parts)}</main></body></html>")


def register(server) -> None:
    def sources():
        lang = request.args.get("lang", "en")
        lang = lang if lang in LANGUAGES else "en"
        return page(lang), 200, {"Content-Type": "text/html; charset=utf-8"}
    server.add_url_rule("/sources", "sources_page", sources)

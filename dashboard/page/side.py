"""The headline figures above the map and the area panel beside it, as Dash components, from the
plain data of dashboard/panels/headline.py and dashboard/panels/area.py."""
from __future__ import annotations

from dash import html

from dashboard.i18n import Translate, listed
from dashboard.panels import area, headline


def headline_cards(cards, t: Translate) -> list:
    """One card per figure: a link to its chart (Enter or a click scrolls there), its value in large
    type, what and when, and its sources."""
    out = []
    for card in cards:
        body = [
            html.Span(card.title, className="card-title"),
            html.Span(card.value, className="card-value" + (" card-empty" if card.empty else "")),
        ]
        # each part in its own direction: dates in the page's language, areas and organisations as published
        if card.when:
            body.append(html.Span(card.when, className="card-when"))
        if card.what:  # a name as published in its own direction; a sentence in the page's (clamped: whole on hover)
            body.append(html.Span(card.what, className="card-when", title=card.what,
                                  **({} if card.sentence else {"dir": "auto"})))
        if card.sources:
            # a sentence in the page's language ("OCHA, published May 2022"): the page's direction, not
            # the first letter's (an organisation in Latin letters set an Arabic sentence left to right)
            sources = listed(card.sources, t.lang, strong=True)
            body.append(html.Span(sources, className="card-source", title=sources))
        elif card.empty and not card.what:  # (a card saying why it is empty needs no second line)
            body.append(html.Span(t("Nothing published for this period and area."), className="card-source"))
        out.append(html.A(body, href=f"#{card.target}", className="card", id=f"home-card-{card.key}",
                          **{"data-source-ids": " ".join(card.source_ids)}))
    return out


def area_panel(made: area.Panel, t: Translate) -> list:
    """The selected areas' figures, or the areas with the highest value of the map's indicator (each a
    button that selects it), or how to choose an area."""
    out: list = []
    if made.areas:
        for facts in made.areas:
            out.append(_facts(facts, t))
        return out
    out.append(html.P(t("Click an area on the map, or choose one under Areas, to see its figures here."),
                      className="area-hint"))
    if made.top:
        out.append(html.H3(t("Highest {indicator}, {period}").format(indicator=made.indicator, period=made.period),
                           className="area-top-title"))
        out.append(html.Ol([html.Li(html.Button(f"{r.name} ({r.pcode}): {r.value}", className="link-button",
                                                id={"type": "home-pick", "pcode": r.pcode}, n_clicks=0))
                            for r in made.top], className="area-top"))
    return out


def _facts(facts: area.AreaFacts, t: Translate) -> html.Section:
    names = facts.name + (f" · {facts.other_name}" if facts.other_name else "")
    parents = " › ".join(f"{n} ({p})" for n, p in facts.parents)
    rows = []
    for fig in facts.figures:
        detail = [html.Li(line) for line in fig.lines]
        rows.append(html.Div([
            html.Dt(fig.label + (" ◂" if fig.shown else ""), title=t("shown on the map") if fig.shown else None),
            html.Dd(html.Span(fig.value, className="area-value" + (" card-empty" if not fig.lines else ""))),
            # the sources in a second dd across the row's width: inside the value's dd, a long source
            # line widened the value's column until the indicator's name ran under it
            html.Dd(html.Ul(detail, className="area-sources"), className="area-detail") if detail else None,
        ], className="area-figure" + (" area-shown" if fig.shown else "")))
    return html.Section([
        html.H3(names, className="area-name"),
        html.P([f"{facts.level} · {t('P-code')} ", html.Strong(facts.pcode)]
               + ([html.Br(), t("In: {parents}").format(parents=parents)] if parents else []), className="area-meta"),
        html.P(t("Figures for {period}").format(period=facts.period), className="area-period"),
        html.Dl(rows, className="area-figures"),
    ], className="area-facts", **{"aria-label": facts.name})


def headline_for(request) -> list:
    return headline_cards(headline.cards(request), request.t)


def area_for(request) -> list:
    return area_panel(area.panel(request), request.t)

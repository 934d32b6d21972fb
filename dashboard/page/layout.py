"""The page layout: a static shell (URL, the page container) and the page itself, a function of
the request read from the URL (warehouse version, view state, language) and of the figures made
for it (dashboard/page/parts.py). The charts are the registered panels (dashboard.panels), in
their order."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard import panels
from dashboard.data import catalog
from dashboard.data.indicators import INDICATORS
from dashboard.data.state import LAYERS, LEVEL_LABELS, TOP_N, ViewState, controls, step_starts
from dashboard.i18n import LANGUAGE_NAMES, N_, Translate, direction, fmt_date
from dashboard.panels.map_parts import NOTE_PARTS
from dashboard.request import Request

GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def graph_config(lang: str) -> dict:
    """plotly.js's Arabic locale (assets/plotly-locale-ar.js: month names, Syrian usage) in Arabic."""
    return {**GRAPH_CONFIG, "locale": "ar"} if lang == "ar" else GRAPH_CONFIG


def graph(graph_id: str, figure, lang: str, t: Translate):
    """A graph, laid out left to right in both languages (time runs left to right; plotly's SVG
    text is not mirrored), with a loading state, a text alternative and a data table (both made in
    the browser from the figure shown: assets/a11y.js; the table's container is left empty here,
    and filled when it is opened)."""
    return html.Div([
        html.Div(dcc.Loading(dcc.Graph(id=graph_id, figure=figure, config=graph_config(lang)), delay_show=400),
                 dir="ltr", className="graph", role="figure", **{"aria-describedby": f"{graph_id}-summary"}),
        html.P(id=f"{graph_id}-summary", className="visually-hidden"),
        html.Details([html.Summary(t("Data table")), html.Div(id=f"{graph_id}-table")], className="table-view"),
    ])


TABLE_LABELS = {
    "area": N_("Area"), "value": N_("Value"), "period": N_("Period"), "source": N_("Source"), "series": N_("Series"),
    "chart": N_("Chart:"), "series_list": N_("Shown:"), "rows": N_("The data table below lists its {n} values."),
    "more": N_("{n} more values are in the data export (CSV or XLSX)."), "empty": N_("No figures in the selected period"),
}


def graph_ids() -> tuple[str, ...]:
    """The page's graphs: the map and each registered chart."""
    return ("home-map", *(f"home-{panel.name}-chart" for panel in panels.charts()))


def table_labels(t: Translate) -> dict:
    return {key: t(text) for key, text in TABLE_LABELS.items()}


LAYER_LABELS = {
    "border": N_("Border"), "bands": N_("10/25/50 km from the border"), "crossings": N_("Crossings"), "towns": N_("Towns"),
    "camps": N_("Camps and sites"), "events": N_("Conflict events"), "flows": N_("Flows"),
}
AGG_LABELS = {"day": N_("Daily"), "week": N_("Weekly"), "month": N_("Monthly")}
STEP_LABELS = {"month": N_("Months"), "week": N_("Weeks")}


def shell() -> html.Div:
    """What /_dash-layout serves: the URL, the page container (filled from the URL by a callback)."""
    return html.Div([
        dcc.Location(id="home-url", refresh=False),
        dcc.Store(id="home-pushed"),
        html.Div(id="home-alert", role="alert", className="alert", hidden=True),
        dcc.Store(id="home-doc-lang"),
        html.Div(html.P("Loading…", className="loading-note"), id="home-page"),
    ])


def slider_marks(first: pd.Timestamp, n_months: int) -> dict:
    marks = {}
    for i in range(n_months + 1):
        month = first + pd.DateOffset(months=i)
        if month.month == 1:
            marks[i] = str(month.year)
    return marks


def step_marks(state: ViewState, t: Translate) -> dict:
    starts = step_starts(state)
    marks = {0: t("All")}
    every = max(1, len(starts) // 8)
    for i, start in enumerate(starts, start=1):
        if i % every == 0:  # (the first month is not labelled when it would crowd "All")
            marks[i] = fmt_date(start, "MMM y", lang=t.lang) if state.step_unit == "month" else fmt_date(start, lang=t.lang)
    return marks


def weeks_allowed(indicator: str | None) -> bool:
    """Weekly steps where the data allow: indicators counted from dated events (or none)."""
    return indicator is None or (indicator in INDICATORS and INDICATORS[indicator].sub_monthly)


def step_unit_options(indicator: str | None, t: Translate) -> list[dict]:
    weeks = weeks_allowed(indicator)
    return [{"label": t(STEP_LABELS["month"]), "value": "month"},
            {"label": t(STEP_LABELS["week"]) if weeks else t("Weeks (monthly figures only)"), "value": "week",
             "disabled": not weeks}]


def step_label(state: ViewState, t: Translate) -> str:
    starts = step_starts(state)
    if state.step <= 0 or state.step > len(starts):
        return t("Map period: the whole range")
    start = starts[state.step - 1]
    text = (fmt_date(start, "MMMM y", lang=t.lang) if state.step_unit == "month"
            else t("week of {d}").format(d=fmt_date(start, lang=t.lang)))
    return t("Map period: {period}").format(period=text)


def _control(label: str, control, html_for: str, wide: bool = False) -> html.Div:
    return html.Div([html.Label(label, htmlFor=html_for, className="control-label"), control],
                    className="control control-wide" if wide else "control")


def range_text(state: ViewState, t: Translate) -> str:
    return t("Showing {start} to {end}").format(start=fmt_date(state.start, lang=t.lang),
                                                 end=fmt_date(state.end_day, lang=t.lang))


def controls_section(request: Request) -> html.Section:
    state, bounds, t = request.state, request.bounds, request.t
    values = controls(state, bounds)
    return html.Section([
        html.Label(t("Period"), htmlFor="home-range", className="control-label"),
        dcc.RangeSlider(
            id="home-range", min=0, max=bounds.n_months, step=1, value=values["home-range"],
            marks=slider_marks(bounds.first, bounds.n_months), allowCross=False, updatemode="mouseup",
            tooltip=None, allow_direct_input=False,
        ),
        html.P(range_text(state, t), id="home-range-text", className="range-text", **{"aria-live": "polite"}),
        html.Div([
            _control(t("Admin level"), dcc.RadioItems(
                id="home-level", value=state.level, inline=True,
                options=[{"label": t(LEVEL_LABELS[lv]), "value": lv} for lv in bounds.levels]), "home-level"),
            _control(t("Map indicator"), dcc.Dropdown(
                id="home-indicator", value=state.indicator, clearable=True, searchable=False,
                placeholder=t("Areas only"),
                options=[{"label": t(INDICATORS[k].label), "value": k} for k in bounds.indicators]),
                "home-indicator", wide=True),
            _control(t("Scale"), dcc.Checklist(
                id="home-per10k", value=values["home-per10k"], inline=True,
                options=[{"label": t("per 10,000 people"), "value": "per10k"}]), "home-per10k"),
            _control(t("Time series"), dcc.RadioItems(
                id="home-agg", value=state.agg, inline=True,
                options=[{"label": t(AGG_LABELS[a]), "value": a} for a in AGG_LABELS]), "home-agg"),
        ], className="control-row"),
        html.Div([
            _control(t("Areas (compare up to 4)"), dcc.Dropdown(
                id="home-areas", value=list(state.areas), multi=True, searchable=True,
                placeholder=t("All areas: search in English or Arabic"), options=catalog.area_options(request.wh, state.lang)),
                "home-areas", wide=True),
            _control(t("Sources"), dcc.Dropdown(
                id="home-sources", value=list(state.sources), multi=True, searchable=True,
                placeholder=t("All sources"),
                options=[{"label": o, "value": o} for o in bounds.organisations]), "home-sources", wide=True),
            _control(t("Event types"), dcc.Dropdown(
                id="home-etypes", value=list(state.etypes), multi=True, searchable=True,
                placeholder=t("All event types") if bounds.event_types else t("No conflict events loaded"),
                disabled=not bounds.event_types,
                options=[{"label": e, "value": e} for e in bounds.event_types]), "home-etypes", wide=True),
            html.Div(dcc.Link(t("Clear all filters"), href="/", id="home-reset", className="button-link"),
                     className="control control-reset"),
        ], className="control-row"),
    ], className="controls", **{"aria-label": t("Filters")})


EXPORT_FORMATS = {"png": N_("PNG image"), "svg": N_("SVG (vector)"), "pdf": N_("PDF (vector)"), "csv": N_("CSV data"),
                  "xlsx": N_("Excel data (XLSX)")}
EXPORT_WIDTHS = (800, 1000, 1200, 1600)


def export_section(t: Translate, wh=None) -> html.Section:
    """Export one chart or the map (image or data) and the situation report, for the view on screen."""
    what = [{"label": t(panel.label), "value": panel.name} for panel in panels.registered()
            if wh is None or panel.shown(wh)]
    return html.Section([
        html.Div([
            _control(t("Export"), dcc.Dropdown(id="home-export-what", value="map", clearable=False, searchable=False,
                                               options=what), "home-export-what", wide=True),
            _control(t("Format"), dcc.Dropdown(id="home-export-format", value="png", clearable=False, searchable=False,
                                               options=[{"label": t(v), "value": k} for k, v in EXPORT_FORMATS.items()]),
                     "home-export-format", wide=True),
            _control(t("Width (pixels)"), dcc.Dropdown(id="home-export-width", value=1000, clearable=False,
                                                       searchable=False,
                                                       options=[{"label": str(w), "value": w} for w in EXPORT_WIDTHS]),
                     "home-export-width"),
            html.Div(html.Button(t("Download"), id="home-export-go", n_clicks=0, className="button"),
                     className="control control-reset"),
            html.Div(html.Button(t("Situation report (PDF)"), id="home-report-go", n_clicks=0, className="button"),
                     className="control control-reset"),
        ], className="control-row"),
        html.P(t("Images carry the title, period, filters, sources and generation time; PNG is drawn at twice the "
                 "width chosen. Data files list every source and the filters."), className="range-text"),
        dcc.Loading(html.P(id="home-export-status", className="range-text", **{"aria-live": "polite"}), delay_show=300),
        # with the buttons, so that drawing the page does not fire the export callback (Dash fires a
        # callback whose inputs are inserted by another callback unless its outputs come with them)
        dcc.Download(id="home-download"),
    ], className="controls export", **{"aria-label": t("Export")})


def map_section(state: ViewState, parts: dict, t: Translate) -> html.Section:
    return html.Section([
        html.Div([
            _control(t("Layers"), dcc.Checklist(
                id="home-layers", value=list(state.layers), inline=True,
                options=[{"label": t(LAYER_LABELS[x]), "value": x} for x in LAYERS]), "home-layers", wide=True),
            _control(t("Flows drawn"), dcc.Dropdown(
                id="home-topn", value=state.topn, clearable=False, searchable=False,
                options=[{"label": t("Top {n}").format(n=n), "value": n} for n in TOP_N]), "home-topn"),
        ], className="control-row"),
        html.Div([
            html.Button("▶ " + t("Play"), id="home-play", n_clicks=0, className="play-button",
                        **{"aria-pressed": "false", "aria-label": t("Play the months of the period on the map")}),
            html.Label(t("Map period"), htmlFor="home-step", className="visually-hidden"),
            html.Div(dcc.Slider(
                id="home-step", min=0, max=len(step_starts(state)), step=1, value=state.step,
                marks=step_marks(state, t), updatemode="mouseup", allow_direct_input=False,
            ), className="step-slider"),
            html.Label(t("Map steps"), htmlFor="home-step-unit", className="visually-hidden"),
            dcc.RadioItems(id="home-step-unit", value=state.step_unit, inline=True,
                           options=step_unit_options(state.indicator, t)),
            dcc.Interval(id="home-interval", interval=1500, disabled=True, n_intervals=0),
        ], className="step-row"),
        html.P(step_label(state, t), id="home-step-label", className="range-text", **{"aria-live": "polite"}),
        graph("home-map", parts["map"], state.lang, t),
        html.Div(
            [html.Div(parts["map_notes"][part], id=f"home-map-note-{part}") for part in NOTE_PARTS]
            + ([parts["unlocated"]] if parts["unlocated"] is not None else []),
            id="home-map-note", className="map-note", **{"aria-live": "polite"}),
        html.Div(parts["map_sources"], id="home-map-sources"),
        dcc.Store(id="home-map-parts", data=parts["map_parts"]),
        dcc.Store(id="home-map-classes", data=parts["map_classes"]),
    ], className="map-block", **{"aria-label": t("Map")})


def notes(sentences: list[str]) -> list:
    return [html.P(n) for n in sentences]


def chart_block(panel: panels.Panel, figure, sources, t: Translate, lang: str = "en") -> html.Section:
    name = panel.name
    return html.Section(
        [
            graph(f"home-{name}-chart", figure, lang, t),
            html.Div(sources, id=f"home-{name}-sources"),
        ],
        className="chart-block", id=f"home-{name}-block", **{"aria-label": t(panel.label)},
    )


def page(request: Request, parts: dict) -> html.Div:
    """The page for a request; `parts` holds the figures and source lists (see page.parts)."""
    wh, state, t = request.wh, request.state, request.t
    return html.Div(
        [
            html.Header([
                html.Div([
                    html.Label(t("Language"), htmlFor="home-lang", className="control-label"),
                    dcc.RadioItems(id="home-lang", value=state.lang, inline=True,
                                   options=[{"label": html.Span(name, lang=code), "value": code}
                                            for code, name in LANGUAGE_NAMES.items()]),
                ], className="lang-switch"),
                html.H1(t("Idlib displacement dashboard")),
                html.P(t(
                    "Displacement, casualties and the movement of people toward the Turkish border, "
                    "from published figures with their sources."
                ), className="lede"),
            ]),
            controls_section(request),
            export_section(t, wh),
            map_section(state, parts, t),
            html.Div([html.Div(chart_block(panel, parts[panel.name], parts[f"{panel.name}_sources"], t, state.lang),
                               hidden=not panel.shown(wh)) for panel in panels.charts()], className="charts"),
            dcc.Store(id="home-table-labels", data=table_labels(t)),
            html.Footer([
                html.Span(t("Warehouse version {v}, built {b}").format(v=wh.version, b=wh.built_at), id="home-version"),
                html.Span(" · "),
                html.Span(t("Numbers are as published by the organisations cited under each chart.")),
            ]),
        ],
        className="page", dir=direction(state.lang), lang=state.lang,
    )

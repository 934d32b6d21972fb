"""The page layout: a static shell (URL, the page container) and the page itself, a function of
the request read from the URL (warehouse version, view state, language) and of the figures made
for it (dashboard/page/parts.py). The charts are the registered panels (dashboard.panels), in
their order."""
from __future__ import annotations

import json
import string

from dash import dcc, html

from dashboard import panels
from dashboard.data import catalog, periods
from dashboard.data.indicators import INDICATORS
from dashboard.data.state import (
    KEY_DATE_KINDS,
    KEY_DATE_LABELS,
    LAYERS,
    LEVEL_LABELS,
    RATE_LABELS,
    RATES,
    TOP_N,
    ViewState,
    controls,
    frame_text,
    step_starts,
)
from dashboard.i18n import LANGUAGE_NAMES, N_, Translate, direction, fmt_date, fmt_timestamp
from dashboard.panels.empty import HELP_URL
from dashboard.panels.map_parts import NOTE_PARTS
from dashboard.request import Request

GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}



def bdi_format(template: str, **values) -> list:
    """A translated message with its values filled in, each value in a <bdi> of its own (a version,
    a date, a time, a name whose direction differs from the message's: isolated, so that it keeps
    its order inside Arabic text and does not reorder the words around it)."""
    out: list = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            out.append(literal)
        if field is not None:
            out.append(html.Bdi(str(values[field]), className="bdi-value"))
    return out

def graph_config(lang: str) -> dict:
    """plotly.js's Arabic locale (assets/plotly-locale-ar.js: month names, Syrian usage) in Arabic."""
    return {**GRAPH_CONFIG, "locale": "ar"} if lang == "ar" else GRAPH_CONFIG


def figure_title(figure) -> str:
    """A figure's title as text (its markup dropped, entities read back, bidi marks removed): the
    page shows it as a heading above the graph (assets/a11y.js keeps it in step with the figure)."""
    import html as html_lib
    import re

    layout = (figure.get("layout") if isinstance(figure, dict) else None) or {}
    text = str((layout.get("title") or {}).get("text") or "")
    text = re.sub(r"<br\s*/?>", " ", text)
    return html_lib.unescape(re.sub(r"<[^>]*>", "", text)).strip("\u202b\u202c ")


def graph(graph_id: str, figure, lang: str, t: Translate, responsive: bool = False):
    """A graph, laid out left to right in both languages (time runs left to right; plotly's SVG
    text is not mirrored), under its title as an HTML heading (it wraps on a phone, and the graph's
    tool bar sits where plotly's own title was), with a loading state, a text alternative and a data
    table (both made in the browser from the figure shown: assets/a11y.js; the table's container is
    left empty here, and filled when it is opened)."""
    return html.Div([
        html.H2(figure_title(figure), id=f"{graph_id}-title", className="graph-title"),
        html.Div(dcc.Loading(dcc.Graph(id=graph_id, figure=figure, config=graph_config(lang),
                                       responsive=True if responsive else "auto",
                                       className="map-graph" if responsive else None), delay_show=400),
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


def period_section(request: Request) -> html.Section:
    """The period: presets from the warehouse's key dates, the first and last month typed or picked,
    and the range slider (kept in step with each other in the browser: assets/map.js)."""
    state, bounds, t = request.state, request.bounds, request.t
    values = controls(state, bounds)
    presets = periods.presets(request.wh, bounds, state.lang)
    chosen = next((p.value for p in presets if p.start == state.start and p.end == state.end), None)
    month_input = {"type": "text", "inputMode": "numeric", "pattern": r"\d{4}-\d{2}", "placeholder": t("YYYY-MM"),
                   "debounce": True, "maxLength": 7, "size": 8, "className": "month-input", "autoComplete": "off"}
    return html.Section([
        html.Div([
            html.Div([
                html.Label(t("Period"), htmlFor="home-preset", className="control-label"),
                dcc.Dropdown(id="home-preset", value=chosen, clearable=False, searchable=False,
                             placeholder=t("Choose a period…"),
                             options=[{"label": p.label, "value": p.value} for p in presets]),
            ], className="control control-wide inline-control"),
            html.Div([
                html.Label(t("From (month)"), htmlFor="home-from", className="control-label"),
                dcc.Input(id="home-from", value=f"{state.start:%Y-%m}", **month_input),
            ], className="control control-month inline-control"),
            html.Div([
                html.Label(t("To (month)"), htmlFor="home-to", className="control-label"),
                dcc.Input(id="home-to", value=f"{state.end:%Y-%m}", **month_input),
            ], className="control control-month inline-control"),
            html.P(range_text(state, t), id="home-range-text", className="range-text", **{"aria-live": "polite"}),
        ], className="control-row period-row"),
        html.Label(t("Months of the period"), htmlFor="home-range", className="visually-hidden"),
        html.Div(dcc.RangeSlider(
            id="home-range", min=0, max=bounds.n_months, step=1, value=values["home-range"],
            marks=periods.year_marks(bounds.first, bounds.n_months), allowCross=False, updatemode="mouseup",
            tooltip=None, allow_direct_input=False,
        ), className="range-slider"),
        dcc.Store(id="home-bounds", data={"first": f"{bounds.first:%Y-%m}", "last": f"{bounds.last:%Y-%m}",
                                          "presets": [p.value for p in presets]}),
    ], className="controls period", id="home-period", **{"aria-label": t("Period")})


def filters_section(request: Request) -> html.Section:
    """The filters: admin level, indicator, scale, areas, sources, event types, the time series'
    aggregation. A drawer on a phone (the Filters button), beside the map on a screen."""
    state, bounds, t = request.state, request.bounds, request.t
    values = controls(state, bounds)
    return html.Section([
        html.H2(t("Filters"), className="side-title"),
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
        _control(t("Areas (compare up to 4)"), dcc.Dropdown(
            id="home-areas", value=list(state.areas), multi=True, searchable=True,
            placeholder=t("All areas: search in English or Arabic"), options=catalog.area_options(request.wh, state.lang)),
            "home-areas", wide=True),
        _control(t("Sources"), dcc.Dropdown(
            id="home-sources", value=list(state.sources), multi=True, searchable=True,
            placeholder=t("All sources"),
            options=catalog.organisation_options(request.wh, state.lang)), "home-sources", wide=True),
        _control(t("Event types"), dcc.Dropdown(
            id="home-etypes", value=list(state.etypes), multi=True, searchable=True,
            placeholder=t("All event types") if bounds.event_types else t("No conflict events loaded"),
            disabled=not bounds.event_types,
            options=[{"label": e, "value": e} for e in bounds.event_types]), "home-etypes", wide=True),
        _control(t("Time series"), dcc.RadioItems(
            id="home-agg", value=state.agg, inline=True,
            options=[{"label": t(AGG_LABELS[a]), "value": a} for a in AGG_LABELS]), "home-agg"),
        _control(t("Published figures"), dcc.RadioItems(
            id="home-rate", value=state.rate, inline=True,
            options=[{"label": t(RATE_LABELS[r]), "value": r} for r in RATES]), "home-rate"),
        _control(t("Key dates"), dcc.Checklist(
            id="home-keydates", value=list(state.keydates), inline=True,
            options=[{"label": t(KEY_DATE_LABELS[k]), "value": k} for k in KEY_DATE_KINDS]), "home-keydates",
            wide=True),
        html.Div(dcc.Link(t("Clear all filters"), href="/", id="home-reset", className="button-link"),
                 className="control control-reset"),
    ], className="controls filters", id="home-filters", **{"aria-label": t("Filters")})


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
    ], className="controls export", id="home-export", **{"aria-label": t("Export")})


def map_section(state: ViewState, parts: dict, t: Translate) -> html.Section:
    """The map with its title, the reset-view button, its legend (made in the browser from the
    figure: assets/map.js), the time slider, the layers, the notes and the sources."""
    return html.Section([
        html.Div([
            html.Button(t("Reset view"), id="home-reset-view", n_clicks=0, className="button small",
                        title=t("Frame the selected areas, or Idlib and the border")),
            dcc.Input(id="home-frame", type="hidden", value=controls_frame(state)),
        ], className="map-tools"),
        graph("home-map", parts["map"], state.lang, t, responsive=True),
        html.Details([html.Summary(t("Legend")), html.Div(id="home-map-legend-items", className="legend-items")],
                     id="home-map-legend", className="map-legend", open=True),
        dcc.Store(id="home-map-ui"),
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
        html.Div([
            _control(t("Layers"), dcc.Checklist(
                id="home-layers", value=list(state.layers), inline=True,
                options=[{"label": t(LAYER_LABELS[x]), "value": x} for x in LAYERS]), "home-layers", wide=True),
            _control(t("Flows drawn"), dcc.Dropdown(
                id="home-topn", value=state.topn, clearable=False, searchable=False,
                options=[{"label": t("Top {n}").format(n=n), "value": n} for n in TOP_N]), "home-topn"),
        ], className="control-row"),
        html.Div(
            [html.Div(parts["map_notes"][part], id=f"home-map-note-{part}") for part in NOTE_PARTS]
            + ([parts["unlocated"]] if parts["unlocated"] is not None else []),
            id="home-map-note", className="map-note", **{"aria-live": "polite"}),
        html.Div(parts["map_sources"], id="home-map-sources"),
        dcc.Store(id="home-map-parts", data=parts["map_parts"]),
        dcc.Store(id="home-map-classes", data=parts["map_classes"]),
    ], className="map-block", id="home-map-block", **{"aria-label": t("Map")})


def controls_frame(state: ViewState) -> str:
    return frame_text(state.frame)


def notes(sentences: list[str]) -> list:
    """Sentences under the map; one that names the README's section links to it (served by the app)."""
    return [html.P([n, " ", html.A("README", href=f"{HELP_URL}#sources-the-etl-reads")] if "README" in n else n)
            for n in sentences]


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
    """The page for a request; `parts` holds the figures, source lists, headline cards and area panel
    (see page.parts). On a screen: the period, the headline figures, then the map beside the selected
    area's figures and the filters, all in the first view; the charts, the export below. On a phone:
    one column, the filters in a drawer."""
    wh, state, t = request.wh, request.state, request.t
    return html.Div(
        [
            html.Header([
                html.Div([
                    html.H1(t("Idlib displacement dashboard")),
                    html.P(t(
                        "Displacement, casualties and the movement of people toward the Turkish border, "
                        "from published figures with their sources."
                    ), className="lede"),
                ], className="title-block"),
                html.Div([
                    html.Button(t("Filters"), id="home-filters-toggle", n_clicks=0, className="button drawer-button",
                                **{"aria-controls": "home-side", "aria-expanded": "false"}),
                    html.A(t("Export"), href="#home-export", className="button-link header-link"),
                    html.Div([
                        html.Label(t("Language"), htmlFor="home-lang", className="control-label"),
                        dcc.RadioItems(id="home-lang", value=state.lang, inline=True,
                                       options=[{"label": html.Span(name, lang=code), "value": code}
                                                for code, name in LANGUAGE_NAMES.items()]),
                    ], className="lang-switch"),
                ], className="header-tools"),
            ], className="topbar"),
            period_section(request),
            html.Section(html.Div(parts["headline"], id="home-headline", className="cards"),
                         className="headline", **{"aria-label": t("Key figures for the period")}),
            html.Div([
                map_section(state, parts, t),
                html.Aside([
                    html.Section([
                        html.H2(t("Selected area"), className="side-title"),
                        html.Div(parts["area"], id="home-area-panel", **{"aria-live": "polite"}),
                    ], className="area-panel", **{"aria-label": t("Selected area")}),
                    filters_section(request),
                ], id="home-side", className="side"),
            ], className="main"),
            html.Div([html.Div(chart_block(panel, parts[panel.name], parts[f"{panel.name}_sources"], t, state.lang),
                               hidden=not panel.shown(wh)) for panel in panels.charts()], className="charts"),
            export_section(t, wh),
            # the words of the graphs' descriptions and data tables, read by assets/a11y.js
            html.Div(id="home-table-labels", hidden=True,
                     **{"data-labels": json.dumps(table_labels(t), ensure_ascii=False, separators=(",", ":"))}),
            html.Footer([
                html.Span(bdi_format(t("Warehouse version {v}, built {b}"), v=wh.version,
                                     b=fmt_timestamp(wh.built_at, t.lang)), id="home-version"),
                html.Span(" · "),
                html.Span(t("Numbers are as published by the organisations cited under each chart.")),
                html.Span(" · "),
                html.A(t("All sources: licences, download times, rows and rejects"), href=f"/sources?lang={state.lang}",
                       id="home-sources-page"),
            ]),
        ],
        className="page", dir=direction(state.lang), lang=state.lang,
    )

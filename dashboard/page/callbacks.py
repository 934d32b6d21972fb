"""Callbacks: they only wire the URL and the controls to the panels (dashboard.panels).

Each callback builds one `Request` (dashboard.request) from the URL or the controls, and hands it
to the panels; the URL's query string is parsed once, there.
- `render_page`: the URL's query string -> the whole page (first view, a pasted link, back and
  forward). Controls built from the URL, figures included, in one response.
- `push_url`: any control -> the query string (a new history entry), so a copied link restores
  the view; nothing when the URL says it already (as when the page was just drawn from it). While the map plays, steps are not written (one entry when it stops).
- `update_map`: a new admin level redraws the map with its geometry; anything else sends a
  `Patch` with values only (no geometry).
- one callback per group of charts changed by the same controls (the charts drawn from one shared
  query together: casualties and events), made from the registered panels when the app is made.
- `time_control`: the map's play/pause and the time slider's bounds; `step_label`: the period shown.
- `select_area`: clicking an area selects it (the charts follow); clicking it again clears it; the
  area panel's ranked areas select theirs.
- `update_headline`, `update_area_panel`: the headline figures and the selected area's figures.
- in the browser (assets/map.js, assets/a11y.js): the map's frame after a pan or zoom (or cleared by
  "Reset view" and a new selection), the period's presets and month inputs kept in step with the
  range slider, the filters' drawer, the map's legend and labels, the graphs' titles.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qs

from dash import ALL, ClientsideFunction, Dash, Input, Output, Patch, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import i18n, panels
from dashboard.data.state import CONTROL_IDS, ViewState, step_starts, to_query
from dashboard.data.warehouse import warehouse
from dashboard.figures.common import fmt_period
from dashboard.i18n import translator
from dashboard.panels import map as map_panel
from dashboard.panels import views
from dashboard.panels.map import MAP_TRIGGERS
from dashboard.panels.map_base import area_at
from dashboard.panels.map_parts import (
    ALL_PARTS,
    NOTE_PARTS,
    classes_from_store,
    classes_to_store,
    parts_for,
    source_ids,
)
from dashboard.request import Request
from etl.core.warehouse import WarehouseError

from . import layout, shared_cache
from .components import shown, sources_block, under_chart
from .parts import page_parts_for
from .side import area_for, headline_for

log = logging.getLogger(__name__)
CONTROL_INPUTS = [Input(c, "value") for c in CONTROL_IDS]
_CALLBACKS: list[tuple[tuple, dict, object]] = []


def callback(*args, **kwargs):
    """Collects a callback for `register`. Not Dash's global `callback`: that registry is taken by
    every Dash app created later in the process (the bench's baseline app, test apps)."""
    def collect(func):
        _CALLBACKS.append((args, kwargs, func))
        return func
    return collect


def register(app: Dash) -> None:
    """Wires every callback of this module to `app`, and one callback per group of registered charts."""
    for args, kwargs, func in _CALLBACKS:
        app.callback(*args, **kwargs)(func)
    for group in panels.chart_groups():
        args, func = chart_callback(group)
        app.callback(*args, prevent_initial_call=True)(func)
    register_export(app)
    register_clientside(app)


def query_language(search: str | None) -> str:
    """The `lang` of a query string (the only parameter read before the warehouse is opened)."""
    return i18n.language((parse_qs((search or "").lstrip("?")).get("lang") or [None])[0])


def _request(values) -> Request:
    """The request the controls' values make (in the order of CONTROL_IDS)."""
    return Request.from_controls(warehouse(), values)


@callback(
    Output("home-page", "children"),
    Output("home-pushed", "data", allow_duplicate=True),
    Input("home-url", "search"),
    State("home-pushed", "data"),
    prevent_initial_call="initial_duplicate",
)
def render_page(search, pushed):
    if pushed is not None and (search or "") == pushed:
        raise PreventUpdate  # the URL was written by push_url: the page already shows it
    try:
        wh = warehouse()
    except WarehouseError as exc:
        log.error("no warehouse: %s", exc)
        t = translator(query_language(search))
        return html.Div([
            html.H1(t("Idlib displacement dashboard")),
            html.P(t("The data warehouse has not been built yet. Run `make run` or `python -m etl run`.")),
        ], className="page"), no_update
    return shared_cache.shared("page", wh.version, search or "", lambda: _page(wh, search)), search or ""


def _page(wh, search: str | None):
    request = Request.from_query(wh, search)
    return layout.page(request, page_parts_for(request))


@callback(
    Output("home-url", "search"),
    Output("home-pushed", "data"),
    *CONTROL_INPUTS,
    Input("home-interval", "disabled"),
    State("home-pushed", "data"),
    prevent_initial_call=True,
)
def push_url(*args):
    *values, stopped, pushed = args
    if stopped is False and ctx.triggered_id in ("home-step", "home-interval"):
        raise PreventUpdate  # playing: one history entry when it stops
    request = _request(values)
    search = to_query(request.state, request.bounds)
    if pushed is not None and search == pushed:
        # the URL already says this (the page was just drawn from it, which fires this callback):
        # nothing to write, and nothing for the browser to apply
        raise PreventUpdate
    if ctx.triggered_id == "home-lang":
        return search, no_update  # a new language: render_page draws the page again in it
    return search, search


MAP_NOTE_OUTPUTS = [Output(f"home-map-note-{part}", "children") for part in NOTE_PARTS]


@callback(
    Output("home-map", "figure"),
    *MAP_NOTE_OUTPUTS,
    Output("home-map-sources", "children"),
    Output("home-map-parts", "data"),
    Output("home-map-classes", "data"),
    Output("home-range-text", "children"),
    *[Input(c, "value") if c in MAP_TRIGGERS else State(c, "value") for c in CONTROL_IDS],
    State("home-map-parts", "data"),
    State("home-map-classes", "data"),
    prevent_initial_call=True,
)
def update_map(*args):
    """A new admin level sends the whole map (with its geometry); any other change sends a Patch
    with the values of the parts it affects, and leaves the other notes as they are."""
    *values, part_sources, classes_data = args
    request = _request(values)
    changed = {key.split(".")[0] for key in ctx.triggered_prop_ids}
    parts = parts_for(changed, request.state)
    if parts == ALL_PARTS:
        fig, update = map_panel.full(request)
    else:
        # the slider alone moved: the classes made for the whole range still hold
        keep = classes_from_store(classes_data) if changed == {"home-step"} else None
        # a new frame (a reset, a new selection) replaces whatever pan or zoom the page shows
        revision = map_panel.new_revision(request) if "frame" in parts else None
        update = map_panel.update(request, parts, classes=keep, revision=revision)
        fig = patch_from(update["dyn"])
    notes = [layout.notes(update["notes"][part]) if part in update["notes"] else no_update for part in NOTE_PARTS]
    merged = {**(part_sources or {}), **update["sources"]}
    sources = sources_block(request.wh, source_ids(merged), "home-map-source-list", request.lang)
    classes = classes_to_store(update["classes"]) if "areas" in parts else no_update
    return (fig, *notes, sources, merged, classes, layout.range_text(request.state, request.t))


def _assign(patch, props: dict) -> None:
    for key, value in props.items():
        if isinstance(value, dict):
            _assign(patch[key], value)
        else:
            patch[key] = value


def patch_from(dyn: dict) -> Patch:
    """A dash Patch setting the dynamic props of the map (leaf by leaf: nothing else is resent)."""
    patch = Patch()
    for index, props in dyn["data"].items():
        _assign(patch["data"][index], props)
    _assign(patch["layout"], dyn["layout"])
    return patch


def chart_callback(group: tuple) -> tuple[list, object]:
    """(dependencies, function) of the callback of a group of charts changed by the same controls
    (those drawn from one shared query come together: the query runs once, and one request instead
    of two competes less for the server's cores)."""
    names = tuple(panel.name for panel in group)
    triggers = group[0].triggers
    dependencies = [
        *[Output(f"home-{name}-{part}", prop) for name in names for part, prop in (("chart", "figure"),
                                                                                   ("sources", "children"))],
        *[Input(c, "value") if c in triggers else State(c, "value") for c in CONTROL_IDS],
    ]

    def update_charts(*values):
        request = _request(values)

        def draw():
            period = fmt_period(request.sel.start, request.sel.end, request.lang)
            out: list = []
            for name, (fig, ids) in zip(names, views.charts(names, request)):
                sources = sources_block(request.wh, ids, f"home-{name}-source-list", request.lang)
                out += [shown(fig, request.lang), under_chart(fig, sources, request.t, period)]
            return tuple(out)
        return shared_cache.shared("charts:" + ",".join(names), request.wh.version, values, draw)

    update_charts.__name__ = f"update_{'_'.join(names)}_chart"
    return dependencies, update_charts


@callback(
    Output("home-step", "value"),
    Output("home-step", "max"),
    Output("home-step", "marks"),
    Output("home-interval", "disabled"),
    Output("home-play", "children"),
    Output("home-play", "aria-pressed"),
    Input("home-play", "n_clicks"),
    Input("home-interval", "n_intervals"),
    Input("home-range", "value"),
    Input("home-step-unit", "value"),
    State("home-interval", "disabled"),
    *[State(c, "value") for c in CONTROL_IDS],
    prevent_initial_call=True,
)
def time_control(_clicks, _ticks, _range, _unit, stopped, *values):
    """Play/pause, the interval's ticks and the slider's bounds. Not on the slider itself: a step
    the user takes goes straight to the map (a callback writing `home-step.value` would hold the
    map's update back until it answered)."""
    request = _request(values)
    state, t = request.state, request.t
    n = len(step_starts(state))
    step, playing = state.step, not stopped
    trigger = ctx.triggered_id
    if trigger == "home-play":
        playing = not playing
        if playing and (step == 0 or step >= n):
            step = 1
    elif trigger == "home-interval":
        if not playing:
            raise PreventUpdate
        step += 1
        if step > n:
            step, playing = n, False
    elif trigger in ("home-range", "home-step-unit") and step > n:
        step = 0
    shown = ViewState(**{**state.__dict__, "step": step})
    label = ("❚❚ " + t("Pause")) if playing else ("▶ " + t("Play"))
    new_step = step if step != state.step else no_update
    return (new_step, n, layout.step_marks(shown, t), not playing, label, "true" if playing else "false")


@callback(
    Output("home-step-label", "children"),
    Input("home-step", "value"),
    Input("home-range", "value"),
    Input("home-step-unit", "value"),
    *[State(c, "value") for c in CONTROL_IDS],
    prevent_initial_call=True,
)
def step_label(_step, _range, _unit, *values):
    """The period the map shows (after `time_control` when the range or the unit changed)."""
    request = _request(values)
    return layout.step_label(request.state, request.t)


@callback(
    Output("home-step-unit", "options"),
    Output("home-step-unit", "value"),
    Input("home-indicator", "value"),
    State("home-step-unit", "value"),
    State("home-lang", "value"),
    prevent_initial_call=True,
)
def step_units(indicator, unit, lang):
    """Weeks are offered where the data allow (dated events); monthly figures step by month."""
    t = translator(i18n.language(lang))
    allowed = layout.weeks_allowed(indicator)
    return layout.step_unit_options(indicator, t), (unit if allowed or unit != "week" else "month")


@callback(
    Output("home-areas", "value"),
    Input("home-map", "clickData"),
    Input({"type": "home-pick", "pcode": ALL}, "n_clicks"),
    State("home-areas", "value"),
    State("home-level", "value"),
    prevent_initial_call=True,
)
def select_area(click, _picks, selected, level):
    """A click on the map selects the area under it (clicking it again clears it); a ranked area of
    the area panel selects that area."""
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):  # a ranked area's button (drawn with n_clicks 0: only a real click counts)
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        return [trigger["pcode"]]
    points = (click or {}).get("points") or []
    area = area_at(warehouse(), int(level or 1), points[0]) if points else None
    if area is None:
        raise PreventUpdate
    selected = list(selected or [])
    if area in selected:
        return [a for a in selected if a != area]
    return [area]


HEADLINE_TRIGGERS = ("home-range", "home-areas", "home-sources", "home-etypes")
AREA_TRIGGERS = ("home-range", "home-step", "home-step-unit", "home-areas", "home-sources", "home-etypes",
                 "home-level", "home-indicator")


@callback(
    Output("home-headline", "children"),
    *[Input(c, "value") if c in HEADLINE_TRIGGERS else State(c, "value") for c in CONTROL_IDS],
    prevent_initial_call=True,
)
def update_headline(*values):
    """The headline figures for the period, areas, sources and event types (shared between the app
    processes as the charts are: the headline's queries cost as much as a chart's)."""
    request = _request(values)
    return shared_cache.shared("headline", request.wh.version, values, lambda: headline_for(request))


@callback(
    Output("home-area-panel", "children"),
    *[Input(c, "value") if c in AREA_TRIGGERS else State(c, "value") for c in CONTROL_IDS],
    prevent_initial_call=True,
)
def update_area_panel(*values):
    """The selected areas' figures for the map's period (or the areas the map's indicator ranks first)."""
    request = _request(values)
    return shared_cache.shared("area-panel", request.wh.version, values, lambda: area_for(request))


EXPORT_CALLBACK = (
    Output("home-download", "data"),
    Output("home-export-status", "children"),
    Input("home-export-go", "n_clicks"),
    Input("home-report-go", "n_clicks"),
    State("home-export-what", "value"),
    State("home-export-format", "value"),
    State("home-export-width", "value"),
    *[State(c, "value") for c in CONTROL_IDS],
)
EXPORT_RUNNING = [(Output("home-export-go", "disabled"), True, False), (Output("home-report-go", "disabled"), True, False)]


def register_export(app: Dash) -> None:
    """The export callback: in the web process, or, with a background manager (IDLIB_REDIS_URL), as a
    job on the export workers' queue whose progress the page shows."""
    if app._background_manager is None:
        app.callback(*EXPORT_CALLBACK, running=EXPORT_RUNNING, prevent_initial_call=True)(export_file)
        return
    app.callback(*EXPORT_CALLBACK, running=EXPORT_RUNNING, prevent_initial_call=True, background=True,
                 progress=Output("home-export-status", "children"), interval=500)(export_job)


def export_job(set_progress, go, report, what, fmt, width, *values):
    """export_file on an export worker: says so on the page while it works; an unexpected failure is
    a plain message, never a traceback."""
    if not {"home-export-go": go, "home-report-go": report}.get(ctx.triggered_id):
        raise PreventUpdate
    t = _request(values).t
    set_progress(html.Span(t("Drawing the export on an export worker…"), className="export-note"))
    try:
        return export_file(go, report, what, fmt, width, *values)
    except PreventUpdate:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback; the user gets a plain message
        log.exception("export job failed")
        return no_update, html.Span([html.Strong(t("The export failed.")), " ",
                                     t("An unexpected error occurred; it has been logged.")], className="export-error")


def export_file(_go, _report, what, fmt, width, *values):
    """The chart, map, data or report for the view on screen, as a download; a failed export says
    why on the page and leaves everything else as it was."""
    from dash import dcc

    from dashboard.export import files, isolated, render
    from dashboard.export.render import ExportError, QueueFull

    clicks = {"home-export-go": _go, "home-report-go": _report}
    if not clicks.get(ctx.triggered_id):  # the page was drawn (the buttons are new), nothing clicked
        raise PreventUpdate
    request = _request(values)
    t = request.t
    export_ctx = files.context_of(request)
    try:
        if ctx.triggered_id == "home-report-go":
            # a bounded number render at once in the whole server, each in a process that yields to the page
            data = isolated.run_report(export_ctx)
            name = files.filename("report", export_ctx, "pdf")
        elif fmt in files.DATA_FORMATS:
            data, name = files.chart_data(what, export_ctx, fmt), files.filename(what, export_ctx, fmt)
        elif fmt in files.IMAGE_FORMATS:
            width = int(width) if width in layout.EXPORT_WIDTHS else files.DEFAULT_WIDTH
            data = render.run_export(f"{what} {fmt}", lambda: files.chart_image(what, export_ctx, fmt, width))
            name = files.filename(what, export_ctx, fmt)
        else:
            raise PreventUpdate
    except QueueFull as exc:
        log.warning("export refused: %s", exc)
        return no_update, html.Span(t("The export queue is full, try again in a minute."), className="export-error")
    except ExportError as exc:
        log.warning("export failed: %s", exc)
        return no_update, html.Span([html.Strong(t("The export failed.")), " ", str(exc)], className="export-error")
    return dcc.send_bytes(data, name), t("Downloaded {file} ({size} KB).").format(file=name, size=f"{len(data) // 1024:,}")


def register_clientside(app: Dash) -> None:
    """Callbacks run in the browser (functions in assets/a11y.js and assets/map.js: no inline script,
    the page's CSP allows none): the document's language and direction, the graphs' titles, the
    map's frame, legend and labels, the period's controls, the filters' drawer."""
    app.clientside_callback(
        ClientsideFunction("a11y", "language"), Output("home-doc-lang", "data"), Input("home-lang", "value"),
    )
    # (each graph's description is written by assets/a11y.js when plotly.js has drawn a new figure:
    # as eight clientside callbacks on the figures, they cost every first view 0.2-0.4 s of Dash's
    # callback machinery)
    for graph_id in layout.graph_ids():
        app.clientside_callback(
            ClientsideFunction("a11y", "title"), Output(f"{graph_id}-title", "children"), Input(graph_id, "figure"),
            prevent_initial_call=True,
        )
    # a pan or zoom writes the frame shown (then the URL); "Reset view" and a new selection clear it
    app.clientside_callback(
        ClientsideFunction("map", "frame"), Output("home-frame", "value"),
        Input("home-map", "relayoutData"), Input("home-reset-view", "n_clicks"), Input("home-areas", "value"),
        State("home-frame", "value"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("map", "drawn"), Output("home-map-ui", "data"), Input("home-map", "figure"),
        State("home-lang", "value"),
    )
    # the presets, the two months and the slider are one control: each sets the others
    app.clientside_callback(
        ClientsideFunction("map", "period"),
        Output("home-range", "value"), Output("home-from", "value"), Output("home-to", "value"),
        Output("home-preset", "value"),
        Input("home-range", "value"), Input("home-from", "value"), Input("home-to", "value"),
        Input("home-preset", "value"), State("home-bounds", "data"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("map", "drawer"), Output("home-side", "className"),
        Output("home-filters-toggle", "aria-expanded"), Input("home-filters-toggle", "n_clicks"),
        State("home-side", "className"), prevent_initial_call=True,
    )


def callback_language() -> str:
    """The page's language, read from the failing callback's own inputs and states (the language
    switch, or the URL's `lang`); English for a callback that has neither."""
    values = {**(ctx.inputs or {}), **(ctx.states or {})}
    if values.get("home-lang.value") is not None:
        return i18n.language(values["home-lang.value"])
    if "home-url.search" in values:
        return query_language(values["home-url.search"])
    return i18n.DEFAULT


def error_message(exc: Exception) -> None:
    """Any failure in a callback: logged with its traceback on the server, a plain message on the
    page in its language; the page keeps working."""
    from dash import set_props

    log.exception("callback failed: %s", exc)
    t = translator(callback_language())
    set_props("home-alert", {
        "hidden": False,
        "children": [html.Strong(t("Something went wrong while updating the page.")), " ",
                     t("The last view stays on screen. Try another selection, or reload the page.")],
    })

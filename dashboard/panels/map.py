"""The map panel: a choropleth of the chosen indicator at the chosen admin level, conflict events
(points or density cells), the largest displacement flows, the border and its bands, crossings,
towns and camps, with a note under the map for each part and the sources of what it draws.

Its inputs (`inputs`) are the values of its parts for a request: the areas' values (per 10,000
people when asked) and their classes, the events, the flows, the notes and the source ids of each
part. The figure, the data export's rows and the notes are all made from them, so an export never
draws the map to read its notes nor computes its values twice.

On the page the map has more to it (dashboard/panels/map_parts.py): a control changes some parts
only, which are sent as a dash `Patch` (`update`); the whole figure, with its geometry, is sent
with a new admin level (`full`). `update` is cached per warehouse version, view state (its language
included), parts and classes: many people looking at the same view (the default, a popular filter,
the slider's steps) are served one computation. The result is shared: read it, never change it.
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from dashboard.data import catalog, indicators, map_queries, series_queries
from dashboard.data.selection import Selection
from dashboard.data.state import CONTROL_IDS, frame_text
from dashboard.extent import POINT_LIMIT
from dashboard.figures.classes import Classes, classify
from dashboard.figures.common import fmt_period
from dashboard.figures.map import DEFAULT_FOCUS, MapLayers, dynamic_props, fit_frame, static_sources
from dashboard.i18n import N_, Translate
from dashboard.panels import empty
from dashboard.panels.base import Panel, register
from dashboard.panels.map_base import base_dict, map_base
from dashboard.panels.map_parts import ALL_PARTS, FRAME_PARTS, all_notes, merged, source_ids
from dashboard.request import Request

MAP_TRIGGERS = tuple(c for c in CONTROL_IDS if c not in ("home-agg", "home-lang"))  # a language redraws the page
MAP_CACHE = 64  # view states kept per worker process (a few MB each at most)
QUERIES = ThreadPoolExecutor(max_workers=3, thread_name_prefix="map-queries")  # no state: a pool of threads


@dataclass(frozen=True)
class MapInputs:
    """What the map shows for a request, for the given parts (plain frames and dicts)."""

    parts: frozenset
    label: str = ""  # the indicator as shown ("IDP arrivals per 10,000 people"), or ""
    values: pd.DataFrame | None = None  # pcode, value (per 10,000 people when asked), sources, detail
    classes: Classes | None = None
    points: dict | None = None  # the events in view, when at most POINT_LIMIT
    density: dict | None = None  # else their count per cell of about 10 km
    flows: pd.DataFrame | None = None
    notes: dict | None = None  # part -> sentences shown under the map
    sources: dict | None = None  # part -> the source ids of what it draws


def frame_of(request: Request) -> tuple:
    """What the map shows (west, south, east, north): the user's pan and zoom (the URL's `bbox`), else
    the selected areas, else Idleb and the border area; fitted to the map's shape."""
    state = request.state
    if state.frame:
        return state.frame
    bbox = catalog.bounds_of(request.wh, state.areas) if state.areas else None
    return fit_frame(bbox or DEFAULT_FOCUS)


def period_text(sel: Selection, t: Translate) -> str:
    return t("Period: {period}").format(period=fmt_period(sel.window_start, sel.window_end, t.lang))


def map_title(label: str, sel: Selection, t: Translate) -> str:
    period = fmt_period(sel.window_start, sel.window_end, t.lang)
    if label:
        return t("{indicator}, {period}").format(indicator=label, period=period)
    return t("Idlib and the Syria–Türkiye border, {period}").format(period=period)


LAYER_KINDS = {"events": (N_("conflict events"), "events"), "flows": (N_("origin–destination movements"), None)}
FLOW_FORMATS = N_("IDP movement sheets with origin and destination sub-districts (movements), with COD-AB boundaries "
                  "(cod_ab) to place them")


def layer_not_loaded(layer: str, t: Translate) -> str:
    """A layer switched on whose kind of data the warehouse does not hold: what would fill it."""
    what, kind = LAYER_KINDS[layer]
    formats = t(empty.KINDS[kind].formats) if kind else t(FLOW_FORMATS)
    return t("No {what} are loaded: {formats} fill this layer (README, Sources the ETL reads).").format(
        what=t(what), formats=formats)


@lru_cache(maxsize=4)
def _has_flows(wh) -> bool:
    return bool(wh.db.cursor().execute("SELECT count(*) FROM moves WHERE basis = 'flow'").fetchone()[0])


def border_note(request: Request) -> list[str]:
    """One sentence on movement toward the border in the map's period (the source with most people)."""
    totals = series_queries.border_totals(request.wh, request.sel)
    if not totals:
        return []
    source_id, _, persons, within = totals[0]
    org = catalog.organisations(request.wh).get(source_id, source_id)
    return [request.t("{org}: of {n} people with a known destination in this period, {share} went to within 25 km of "
                      "the Turkish border.").format(org=org, n=f"{int(persons):,}", share=f"{within / persons:.0%}")]


def inputs(request: Request, shared=None, parts=ALL_PARTS, classes: Classes | None = None) -> MapInputs:
    """The map's values for a request, for the given parts; the areas' classes are reused from
    `classes` when given (so that they hold while the time slider plays)."""
    wh, state, t, sel = request.wh, request.state, request.t, request.sel
    orgs = catalog.organisations(wh)
    notes: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}
    values = None
    # the queries of the parts run side by side (DuckDB works without Python's lock)
    queries: dict = {}
    if "events" in parts and "events" in state.layers:
        queries["events"] = QUERIES.submit(map_queries.events_in_view, wh, sel)
    if "flows" in parts and "flows" in state.layers:
        queries["flows"] = QUERIES.submit(map_queries.top_flows, wh, sel, state.topn, catalog.both_names(wh))
    if "border" in parts:
        queries["border"] = QUERIES.submit(border_note, request)
    label = t(indicators.INDICATORS[state.indicator].label) if state.indicator in indicators.INDICATORS else ""
    per10k = indicators.per_person(state)  # never for a severity phase
    if per10k and label:
        label = t("{indicator} per 10,000 people").format(indicator=label)
    if "areas" in parts and state.indicator in indicators.INDICATORS:
        area_notes = []
        values = indicators.area_values(wh, state.indicator, sel, orgs)
        pop = indicators.population(wh, sel) if per10k else None
        if per10k:
            values = indicators.per_10k(values, pop)
            if pop.empty:
                area_notes.append(t("No population figures are loaded for this admin level: per-10,000 values cannot be shown."))
        if classes is None:
            pooled = indicators.pooled_values(wh, state.indicator, sel, state.step_unit,
                                              whole_range=None if per10k else values)
            if per10k:
                people = dict(zip(pop["pcode"], pop["population"]))
                pooled = pd.DataFrame({"value": [v / people[p] * 10_000 for p, v in zip(pooled["pcode"], pooled["value"])
                                                 if people.get(p)]})
            classes = classify(pooled["value"], decimals=1 if per10k else 0, no_data=t("No data"))
        if values.empty:
            area_notes.append(t("No {indicator} figures for areas of this level in this period.").format(indicator=label))
        notes["areas"] = area_notes
        sources["areas"] = sorted({i for s in values["sources"] for i in str(s).split(",") if i})
    elif "areas" in parts:
        notes["areas"], sources["areas"], classes = [], [], None
    points = density = None
    if "events" in parts:
        notes["events"], sources["events"] = [], []
        if "events" in state.layers and empty.extent(wh, "events") is None:
            notes["events"].append(layer_not_loaded("events", t))
        if "events" in state.layers:
            points, density, total = queries["events"].result()
            if density is not None:
                notes["events"].append(
                    t("{n} conflict events in view: shown as a density of cells of about 10 km (points above {limit}).")
                    .format(n=f"{total:,}", limit=f"{POINT_LIMIT:,}"))
                sources["events"] = list(density["sources"])
            elif total:
                notes["events"].append(t("{n} conflict events in view.").format(n=f"{total:,}"))
                sources["events"] = sorted({str(s) for s in points["source_id"]})
    flows = None
    if "flows" in parts:
        notes["flows"], sources["flows"] = [], []
        if "flows" in state.layers and not _has_flows(wh):
            notes["flows"].append(layer_not_loaded("flows", t))
        if "flows" in state.layers:
            flows, pairs, internal = queries["flows"].result()
            if pairs:
                text = t("Flows: the {n} largest of {pairs} area pairs.").format(n=min(state.topn, pairs), pairs=f"{pairs:,}")
                if internal:
                    text += " " + t("{p} movements within one area are not drawn.").format(p=f"{internal:,}")
                notes["flows"].append(text)
            sources["flows"] = sorted({i for s in flows["sources"] for i in str(s).split(",") if i})
    if "border" in parts:
        notes["border"] = queries["border"].result()
    if "layers" in parts:
        sources["layers"] = static_sources(map_base(wh, state.level), state.layers)
    return MapInputs(parts=frozenset(parts), label=label, values=values, classes=classes, points=points,
                     density=density, flows=flows, notes=notes, sources=sources)


def flow_unit(request: Request) -> str:
    """What the flows count, in their hover and legend: movements (CCCM, ISMI) or people (OCHA's
    origin x arrival matrix), never one said for the other."""
    units = map_queries.flow_units(request.wh, request.sel)
    t = request.t
    if units == {"people_displaced"}:
        return t("people displaced")
    if len(units) > 1:
        return t("people or movements, as each source counts")
    return t("displacements (movements)")


def _dynamic(inputs: MapInputs, request: Request, revision: str | None = None) -> dict:
    """The values of the map's traces for its inputs (see figures.map.dynamic_props), with the frame
    and scale bar when its parts include them (`revision`: the frame's uirevision, see frame_props)."""
    wh, state, t, sel = request.wh, request.state, request.t, request.sel
    frame = frame_of(request)
    layers = MapLayers(
        values=inputs.values, classes=inputs.classes, indicator_label=inputs.label, period_text=period_text(sel, t),
        events=inputs.points, density=inputs.density, event_types=catalog.bounds(wh).event_types, flows=inputs.flows,
        flow_unit=flow_unit(request), selected=tuple(state.areas), layers=tuple(state.layers),
        organisations=catalog.organisations(wh), title=map_title(inputs.label, sel, t),
        area_names=catalog.names(wh, request.lang), frame=frame,
        frame_revision=revision if revision is not None else frame_text(frame),
    )
    return dynamic_props(map_base(wh, state.level), layers, t, inputs.parts)


def frame_props(request: Request, parts, revision: str | None = None) -> dict:
    """The frame and scale bar of a request (`parts`: some of FRAME_PARTS), as dynamic props. A frame
    sent to a page that shows another (a reset, a new selection) needs a new `revision`, so that the
    browser drops the user's zoom: `new_revision()`."""
    return _dynamic(MapInputs(parts=frozenset(parts) & FRAME_PARTS), request, revision)


def new_revision(request: Request) -> str:
    return f"{frame_text(frame_of(request))}#{uuid.uuid4().hex[:8]}"


def _with_base(request: Request, dyn: dict) -> dict:
    """The full figure: the level's base figure (cached, shared) with the dynamic props set."""
    base = base_dict(request.wh, request.state.level, request.lang)
    return {
        "data": [merged(trace, dyn["data"].get(i, {})) for i, trace in enumerate(base["data"])],
        "layout": merged(base["layout"], dyn["layout"]),
    }


def figure(inputs: MapInputs, request: Request) -> dict:
    """The full map figure (the dict Dash sends) for its inputs, with its frame and scale bar."""
    return _with_base(request, _dynamic(replace(inputs, parts=inputs.parts | FRAME_PARTS), request))


def notes(inputs: MapInputs, request: Request) -> list[str]:
    return all_notes(inputs.notes or {})


def sources(inputs: MapInputs, fig: dict) -> list[str]:
    return source_ids(inputs.sources or {})


def rows(inputs: MapInputs, request: Request) -> pd.DataFrame:
    """The choropleth's values: one row per area of the level with a figure in the period."""
    state, sel, wh = request.state, request.sel, request.wh
    if state.indicator not in indicators.INDICATORS or inputs.values is None:
        return pd.DataFrame({"pcode": [], "value": [], "source_id": []})
    values = inputs.values
    unit = indicators.INDICATORS[state.indicator].label
    if indicators.per_person(state):
        unit = f"{unit} per 10,000 people"
    areas = wh["admin_areas"].set_index("pcode")
    return pd.DataFrame({
        "pcode": values["pcode"].to_numpy(), "level": state.level,
        "area": [areas["name_en"].get(p) for p in values["pcode"]],
        "area_ar": [areas["name_ar"].get(p) for p in values["pcode"]],
        "indicator": state.indicator, "unit": unit, "period_start": sel.window_start.date().isoformat(),
        "period_end": sel.window_end.date().isoformat(), "value": values["value"].to_numpy(),
        "source_id": values["sources"].to_numpy(),
    })


# ---- the page: cached updates ------------------------------------------------------------------

def update(request: Request, parts=ALL_PARTS, classes: Classes | None = None, revision: str | None = None) -> dict:
    """The map's values for a request, for the given parts: {"dyn": dynamic props, "notes": {part:
    sentences}, "sources": {part: source ids}, "classes": the classes of the areas (reused from
    `classes` when given)}. Cached per version, view state (but its frame), parts and classes; the
    frame and scale bar are added to each answer (`revision`: see frame_props). The result is
    shared: read it, never change it."""
    parts = frozenset(parts)
    if revision is None:
        return _framed(request, parts, classes)
    return _with_frame(request, parts, classes, revision)


@lru_cache(maxsize=MAP_CACHE)
def _framed(request: Request, parts: frozenset, classes: Classes | None) -> dict:
    return _with_frame(request, parts, classes, None)


def _with_frame(request: Request, parts: frozenset, classes: Classes | None, revision: str | None) -> dict:
    """The values of the parts (cached without the frame: a pan shares them) and the frame's props."""
    values = parts - FRAME_PARTS
    made = _update(Request(request.wh, replace(request.state, frame=None), request.bounds), values, classes) \
        if values else {"dyn": {"data": {}, "layout": {}}, "notes": {}, "sources": {}, "classes": None}
    if not parts & FRAME_PARTS:
        return made
    framed = frame_props(request, parts, revision)
    dyn = {"data": {**made["dyn"]["data"], **framed["data"]}, "layout": merged(made["dyn"]["layout"], framed["layout"])}
    return {**made, "dyn": dyn}


@lru_cache(maxsize=MAP_CACHE)
def _update(request: Request, parts: frozenset, classes: Classes | None) -> dict:
    made = inputs(request, None, parts, classes)
    return {"dyn": _dynamic(made, request), "notes": made.notes, "sources": made.sources, "classes": made.classes}


def full(request: Request) -> tuple[dict, dict]:
    """The full map figure (the dict Dash sends) and the update it was made from."""
    made = update(request)
    return _with_base(request, made["dyn"]), made


PANEL = register(Panel(
    name="map", label=N_("Map"), title=N_("Map"), triggers=MAP_TRIGGERS, inputs=inputs, figure=figure, rows=rows,
    notes=notes, sources=sources, report_px=560, order=0, kind="map",
))

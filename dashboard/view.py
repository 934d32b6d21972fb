"""What the page shows for a view state: plain functions from (warehouse, state, language) to
figures and source lists, called by the callbacks and by tests without a browser.

Results that depend only on the warehouse version (its extent, the map's geometry per admin
level, names) are cached per version; so are the map's values and the charts of a view state
(`map_update`, `chart_views`), which depend only on the version, the state and the language: many
people looking at the same view (the default, a popular filter, the slider's steps) are served
one computation. Nothing here depends on who asks; cached results are never changed after.
"""
from __future__ import annotations

import contextvars
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import pandas as pd
from shapely.geometry import Point, box

from dashboard import i18n, indicators, map_queries, series_queries
from dashboard.components.sources import source_list
from dashboard.data import Warehouse
from dashboard.figures.classes import Classes, classify
from dashboard.figures.common import fmt_date, fmt_period, with_source_names
from dashboard.figures.map import TRACE, MapBase, MapLayers, base_figure, dynamic_props, figure_sources, static_sources
from dashboard.figures.series import (
    border_figure,
    casualties_figure,
    displacement_figure,
    events_figure,
    published_casualty_traces,
    refugees_figure,
)
from dashboard.i18n import Translate, translator
from dashboard.selection import Selection, from_sources, selection
from dashboard.state import Bounds, ViewState, month_start

CHARTS = ("displacement", "casualties", "refugees", "events", "border")
EVENT_CHARTS = ("casualties", "events")  # drawn from the same series of conflict events
MAP_BBOX = (35.0, 34.6, 40.8, 37.7)  # lon/lat box of the map's areas: north-west Syria and the border
CLIP = box(34.7, 34.4, 41.0, 37.9)  # areas are cut to a box a little larger than the map's view
CAMP_KINDS = ("camp", "site", "reception_centre", "collective_centre")


# ---- per version -------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def bounds(wh: Warehouse) -> Bounds:
    dates = [wh["displacement"]["period_start"], wh["displacement"]["period_end"], wh["casualties"]["period_start"],
             wh["casualties"]["period_end"], wh["refugees"]["date"], wh["timeline"]["date"]]
    for table, col in (("events", "date_start"), ("moves", "period_start")):
        ext = wh.query(f"SELECT min({col}) AS lo, max({col}) AS hi FROM {table}")
        dates.append(pd.Series(pd.to_datetime([ext["lo"].iloc[0], ext["hi"].iloc[0]])))
    stacked = pd.concat([pd.to_datetime(d).dropna() for d in dates])
    first, last = month_start(stacked.min()), month_start(stacked.max())
    disp = wh["displacement"]["period_start"].dropna()
    default_start = month_start(disp.min()) if len(disp) else first
    areas = wh["admin_areas"]
    levels = tuple(sorted(int(v) for v in areas["level"].dropna().unique() if 1 <= int(v) <= 3)) or (1,)
    available = tuple(indicators.available(wh))
    orgs = tuple(sorted(wh["sources"]["organisation"].dropna().unique()))
    return Bounds(
        first=first, last=last, default_start=default_start, levels=levels, indicators=available,
        default_indicator=available[0] if available else None, organisations=orgs,
        event_types=tuple(map_queries.event_types(wh)),
        pcodes=frozenset(areas.loc[areas["level"].between(1, 3), "pcode"].dropna()),
    )


@lru_cache(maxsize=8)
def names(wh: Warehouse, lang: str = "en") -> dict:
    """P-code -> the area's name in `lang`: in Arabic, COD-AB's ADMx_AR (or Natural Earth's Arabic
    name); where there is none, the English name marked as such."""
    areas = wh["admin_areas"]
    if lang != "ar":
        return dict(zip(areas["pcode"], areas["name_en"]))
    t = translator(lang)
    return {p: ar if isinstance(ar, str) and ar else t("{name} (English name)").format(name=en)
            for p, en, ar in zip(areas["pcode"], areas["name_en"], areas["name_ar"])}


@lru_cache(maxsize=4)
def both_names(wh: Warehouse) -> dict:
    """P-code -> 'English · Arabic' (English alone where the Arabic name is missing)."""
    areas = wh["admin_areas"]
    return {p: f"{en} · {ar}" if isinstance(ar, str) and ar else str(en)
            for p, en, ar in zip(areas["pcode"], areas["name_en"], areas["name_ar"])}


@lru_cache(maxsize=4)
def organisations(wh: Warehouse) -> dict:
    src = wh["sources"]
    return dict(zip(src["source_id"], src["organisation"]))


@lru_cache(maxsize=8)
def area_options(wh: Warehouse, lang: str = "en") -> list[dict]:
    """Areas for the searchable selector: English and Arabic names and the P-code in each label,
    the page's language first."""
    areas = wh["admin_areas"]
    areas = areas[areas["level"].between(1, 3)].sort_values(["level", "pcode"])
    out = []
    for r in areas.itertuples():
        both = [r.name_en] + ([r.name_ar] if isinstance(r.name_ar, str) and r.name_ar else [])
        if lang == "ar":
            both.reverse()
        out.append({"label": f"{' · '.join(both)} ({r.pcode})", "value": r.pcode})
    return out


@lru_cache(maxsize=12)
def map_base(wh: Warehouse, level: int) -> MapBase:
    web = wh.frames.get("admin_areas_web")
    source = web if web is not None and (web["level"] == level).any() else wh["admin_areas"]
    areas = source[source["level"] == level]
    areas = areas.cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]].copy()
    # what lies far outside the view is never seen and only costs bytes; neighbours cut by the same
    # box keep their shared edges
    areas["geometry"] = areas.geometry.intersection(CLIP)
    towns = wh["places"].cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]]
    locations = wh.frames.get("locations")
    camps = None
    if locations is not None and len(locations):
        camps = locations[locations["kind"].isin(CAMP_KINDS) & locations.geometry.notna()]
        camps = camps.cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]]
    return MapBase(
        areas=areas.reset_index(drop=True), countries=wh["countries"], border=wh["border"],
        bands=wh.frames.get("border_bands"), crossings=wh["crossings"], towns=towns, camps=camps, level=level,
    )


def area_at(wh: Warehouse, level: int, point: dict) -> str | None:
    """The admin area a click on the map points at: the clicked area itself, or the area under a
    clicked event, cell, town or flow arrow."""
    if point.get("curveNumber") == TRACE["areas"] and point.get("location"):
        return str(point["location"])
    lon, lat = point.get("lon"), point.get("lat")
    if lon is None or lat is None:
        return None
    areas = map_base(wh, level).areas
    hits = areas[areas.geometry.contains(Point(float(lon), float(lat)))]
    return str(hits["pcode"].iloc[0]) if len(hits) else None


@lru_cache(maxsize=12)
def _base_dict(wh: Warehouse, level: int, lang: str) -> dict:
    return base_figure(map_base(wh, level), translator(lang)).to_plotly_json()


# ---- the map -------------------------------------------------------------------------------------

def _period_text(sel: Selection, t: Translate) -> str:
    return t("Period: {period}").format(period=fmt_period(sel.window_start, sel.window_end))


QUERIES = ThreadPoolExecutor(max_workers=3, thread_name_prefix="map-queries")  # no state: a pool of threads


def _submit(fn, *args):
    """Run `fn` in the pool with the request's context (its language: dashboard.i18n.current)."""
    return QUERIES.submit(contextvars.copy_context().run, fn, *args)


# Which parts of the map each control changes (the admin level redraws everything).
PART_TRIGGERS = {
    "home-range": {"areas", "events", "flows", "border", "title"},
    "home-step": {"areas", "events", "flows", "border", "title"},
    "home-step-unit": {"areas", "events", "flows", "border", "title"},
    "home-indicator": {"areas", "title"},
    "home-per10k": {"areas", "title"},
    "home-sources": {"areas", "events", "flows", "border"},
    "home-etypes": {"events"},  # and the areas when the indicator counts events
    "home-areas": {"outline", "flows"},
    "home-layers": {"layers", "events", "flows"},
    "home-topn": {"flows"},
}
ALL_PARTS = frozenset({"areas", "outline", "layers", "events", "flows", "border", "title"})
NOTE_PARTS = ("areas", "events", "flows", "border")  # each has its own note under the map
SOURCE_PARTS = ("layers", "areas", "events", "flows")  # what the map's source list is made of


def parts_for(changed, state: ViewState) -> frozenset:
    """The map parts to recompute when the controls `changed` (a set of ids) changed."""
    if not changed or "home-level" in changed:
        return ALL_PARTS
    parts: set[str] = set()
    for control in changed:
        parts |= PART_TRIGGERS.get(control, set())
    if "home-etypes" in changed and state.indicator in indicators.INDICATORS \
            and indicators.INDICATORS[state.indicator].kind in indicators.EVENT_KINDS:
        parts.add("areas")
    return frozenset(parts)


def classes_to_store(classes) -> dict | None:
    return None if classes is None else {"bins": list(classes.bins), "labels": list(classes.labels),
                                         "colors": list(classes.colors), "decimals": classes.decimals}


def classes_from_store(data) -> Classes | None:
    if not data:
        return None
    return Classes(tuple(data["bins"]), tuple(data["labels"]), tuple(data["colors"]), int(data["decimals"]))


MAP_CACHE, CHART_CACHE = 64, 128  # view states kept per worker process (a few MB each at most)


def map_update(wh: Warehouse, state: ViewState, t: Translate, parts=ALL_PARTS, classes: Classes | None = None) -> dict:
    """The map's values for a state, for the given parts: {"dyn": dynamic props, "notes": {part:
    sentences}, "sources": {part: source ids}, "classes": the classes of the areas (reused from
    `classes` when given, so that they hold while the time slider plays)}. Cached per version,
    state, parts, classes and language; the result is shared: read it, never change it."""
    return _map_update_cached(wh, state, t, frozenset(parts), classes, i18n.current.get())


@lru_cache(maxsize=MAP_CACHE)
def _map_update_cached(wh: Warehouse, state: ViewState, t: Translate, parts: frozenset, classes: Classes | None,
                       _lang: str) -> dict:
    return _map_update(wh, state, t, parts, classes)


def _map_update(wh: Warehouse, state: ViewState, t: Translate, parts, classes: Classes | None) -> dict:
    sel = selection(state, wh["sources"])
    orgs = organisations(wh)
    base = map_base(wh, state.level)
    notes: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}
    values = None
    # the queries of the parts run side by side (DuckDB works without Python's lock)
    queries: dict = {}
    if "events" in parts and "events" in state.layers:
        queries["events"] = _submit(map_queries.events_in_view, wh, sel)
    if "flows" in parts and "flows" in state.layers:
        queries["flows"] = _submit(map_queries.top_flows, wh, sel, state.topn, both_names(wh))
    if "border" in parts:
        queries["border"] = _submit(border_note, wh, sel, t)
    label = t(indicators.INDICATORS[state.indicator].label) if state.indicator in indicators.INDICATORS else ""
    if state.per10k and label:
        label = t("{indicator} per 10,000 people").format(indicator=label)
    if "areas" in parts and state.indicator in indicators.INDICATORS:
        area_notes = []
        values = indicators.area_values(wh, state.indicator, sel, orgs)
        pop = indicators.population(wh, sel) if state.per10k else None
        if state.per10k:
            values = indicators.per_10k(values, pop)
            if pop.empty:
                area_notes.append(t("No population figures are loaded for this admin level: per-10,000 values cannot be shown."))
        if classes is None:
            pooled = indicators.pooled_values(wh, state.indicator, sel, state.step_unit,
                                              whole_range=None if state.per10k else values)
            if state.per10k:
                people = dict(zip(pop["pcode"], pop["population"]))
                pooled = pd.DataFrame({"value": [v / people[p] * 10_000 for p, v in zip(pooled["pcode"], pooled["value"])
                                                 if people.get(p)]})
            classes = classify(pooled["value"], decimals=1 if state.per10k else 0, no_data=t("No data"))
        if values.empty:
            area_notes.append(t("No {indicator} figures for areas of this level in this period.").format(indicator=label))
        notes["areas"] = area_notes
        sources["areas"] = sorted({i for s in values["sources"] for i in str(s).split(",") if i})
    elif "areas" in parts:
        notes["areas"], sources["areas"], classes = [], [], None
    points = density = None
    if "events" in parts:
        notes["events"], sources["events"] = [], []
        if "events" in state.layers:
            points, density, total = queries["events"].result()
            if density is not None:
                notes["events"].append(
                    t("{n} conflict events in view: shown as a density of cells of about 10 km (points above {limit}).")
                    .format(n=f"{total:,}", limit=f"{map_queries.POINT_LIMIT:,}"))
                sources["events"] = list(density["sources"])
            elif total:
                notes["events"].append(t("{n} conflict events in view.").format(n=f"{total:,}"))
                sources["events"] = sorted({str(s) for s in points["source_id"]})
    flows = None
    if "flows" in parts:
        notes["flows"], sources["flows"] = [], []
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
        sources["layers"] = static_sources(base, state.layers)
    layers = MapLayers(
        values=values, classes=classes, indicator_label=label, period_text=_period_text(sel, t),
        events=points, density=density, event_types=bounds(wh).event_types, flows=flows,
        flow_unit=t("displacements (movements)"), selected=tuple(state.areas), layers=tuple(state.layers),
        organisations=orgs, title=map_title(label, sel, t),
    )
    return {"dyn": dynamic_props(base, layers, t, parts), "notes": notes, "sources": sources, "classes": classes}


def map_title(label: str, sel: Selection, t: Translate) -> str:
    period = fmt_period(sel.window_start, sel.window_end)
    if label:
        return t("{indicator}, {period}").format(indicator=label, period=period)
    return t("Idlib and the Syria–Türkiye border, {period}").format(period=period)


def border_note(wh: Warehouse, sel: Selection, t: Translate) -> list[str]:
    """One sentence on movement toward the border in the map's period (the source with most people)."""
    totals = series_queries.border_totals(wh, sel)
    if not totals:
        return []
    source_id, _, persons, within = totals[0]
    org = organisations(wh).get(source_id, source_id)
    return [t("{org}: of {n} people with a known destination in this period, {share} went to within 25 km of the Turkish border.")
            .format(org=org, n=f"{int(persons):,}", share=f"{within / persons:.0%}")]


def map_dynamic(wh: Warehouse, state: ViewState, t: Translate) -> tuple[dict, list[str]]:
    """Every dynamic prop of the map and all its notes (tests, exports)."""
    update = map_update(wh, state, t)
    return update["dyn"], [n for part in NOTE_PARTS for n in update["notes"].get(part, [])]


def _merged(base: dict, props: dict) -> dict:
    """A new dict: `base` with `props` set leaf by leaf (the parts not changed are shared, not
    copied: the cached base figure is never modified)."""
    out = dict(base)
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _merged(base[key], value)
        else:
            out[key] = value
    return out


def map_full(wh: Warehouse, state: ViewState, t: Translate, lang: str = "en") -> tuple[dict, dict]:
    """The full map figure (the dict Dash sends) and the update it was made from."""
    update = map_update(wh, state, t)
    base = _base_dict(wh, state.level, lang)
    fig = {
        "data": [_merged(trace, update["dyn"]["data"].get(i, {})) for i, trace in enumerate(base["data"])],
        "layout": _merged(base["layout"], update["dyn"]["layout"]),
    }
    return fig, update


def map_figure_dict(wh: Warehouse, state: ViewState, t: Translate, lang: str = "en") -> tuple[dict, dict, list[str]]:
    """The full map figure, its dynamic part and the notes."""
    fig, update = map_full(wh, state, t, lang)
    return fig, update["dyn"], [n for part in NOTE_PARTS for n in update["notes"].get(part, [])]


def map_source_ids(part_sources: dict) -> list[str]:
    """Sources of what the map draws, from the sources of each of its parts."""
    return sorted({i for part in SOURCE_PARTS for i in part_sources.get(part, [])})


# ---- the charts ----------------------------------------------------------------------------------

PUBLISHED_COLUMNS = [
    "period_start", "period_end", "area_en", "pcode", "value", "killed", "qualifier", "low", "high", "unit", "measure",
    "kind", "source_id", "location_pcode", "direction",
]


def _published(frame: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Published figures overlapping the range, scenarios left out, only the columns the charts
    use (every selection below copies fewer columns)."""
    keep = ((frame["period_start"] <= sel.end) & (frame["period_end"] >= sel.start) & (frame["kind"] != "scenario"))
    if sel.source_ids is not None:
        keep &= frame["source_id"].isin(sel.source_ids)
    return frame.loc[keep, [c for c in PUBLISHED_COLUMNS if c in frame.columns]]


@lru_cache(maxsize=64)
def _casualty_traces(wh: Warehouse, start, end, areas: tuple, source_ids: tuple | None, lang: str) -> tuple:
    """The published casualty traces of a period, areas and sources: the same while event types
    change, so made once per worker (the dicts are only read after this)."""
    sel = Selection(start=start, end=end, window_start=start, window_end=end, level=1, areas=areas,
                    source_ids=source_ids, etypes=(), agg="month", stepping=False)
    return published_casualty_traces(_published(wh["casualties"], sel), wh["sources"], translator(lang), areas,
                                     names(wh, lang))


def _timeline_of(wh: Warehouse, sel: Selection) -> pd.DataFrame:
    timeline = from_sources(wh["timeline"], sel)
    return timeline[(timeline["date"] >= sel.start) & (timeline["date"] <= sel.end)]


def chart_inputs(name: str, wh: Warehouse, state: ViewState, lang: str = "en") -> dict:
    """The rows a chart is drawn from (the same for the page, the image exports and the data
    exports): published figures, bucketed series, key dates, as frames."""
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}")
    sel = selection(state, wh["sources"])
    inputs = {"sel": sel, "timeline": _timeline_of(wh, sel)}
    if name == "displacement":
        inputs["published"] = _published(wh["displacement"], sel)
        inputs["series"] = series_queries.flow_series(wh, sel)
    elif name == "casualties":
        inputs["published"] = _published(wh["casualties"], sel)
        inputs["series"] = series_queries.event_series(wh, sel)
    elif name == "refugees":
        refugees = from_sources(wh["refugees"], sel)
        inputs["published"] = refugees[(refugees["date"] >= sel.start) & (refugees["date"] <= sel.end)]
    elif name == "events":
        inputs["series"] = series_queries.event_series(wh, sel)
    elif name == "border":
        inputs["series"] = series_queries.border_series(wh, sel)
    return inputs


def chart_figure(name: str, wh: Warehouse, state: ViewState, t: Translate, lang: str = "en",
                 events: pd.DataFrame | None = None) -> dict:
    """A chart's figure; `events`: the event series of this state, when the caller already has it
    (the casualties and events charts draw the same one)."""
    if name in EVENT_CHARTS:
        sel = selection(state, wh["sources"])
        events = series_queries.event_series(wh, sel) if events is None else events
        timeline, area_names = _timeline_of(wh, sel), names(wh, lang)
        if name == "events":
            return events_figure(events, wh["sources"], timeline, sel.start, sel.end, t, agg=sel.agg, names=area_names)
        # the published traces are cached: they do not change with event types
        published = _casualty_traces(wh, sel.start, sel.end, sel.areas, sel.source_ids, lang)
        return casualties_figure(None, wh["sources"], timeline, sel.start, sel.end, t, events=events,
                                 areas=sel.areas, names=area_names, published=published)
    inputs = chart_inputs(name, wh, state, lang)
    sel, src, timeline, area_names = inputs["sel"], wh["sources"], inputs["timeline"], names(wh, lang)
    if name == "displacement":
        return displacement_figure(inputs["published"], src, timeline, sel.start, sel.end, t, flows=inputs["series"],
                                   areas=sel.areas, names=area_names)
    if name == "refugees":
        return refugees_figure(inputs["published"], src, sel.start, sel.end, t)
    return border_figure(inputs["series"], src, sel.start, sel.end, t, names=area_names)


def sources_block(wh: Warehouse, ids: list[str], t: Translate, list_id: str, lang: str = "en"):
    return _sources_block(wh, tuple(sorted(ids)), list_id, lang)


@lru_cache(maxsize=256)
def _sources_block(wh: Warehouse, ids: tuple[str, ...], list_id: str, lang: str):
    """Cached per version, set of sources and language (components are only serialised, never
    changed, after this)."""
    src = wh["sources"]
    rows = src[src["source_id"].isin(ids)].sort_values(["organisation", "published", "source_id"])
    return source_list(rows, translator(lang), list_id)


def chart_view(name: str, wh: Warehouse, state: ViewState, t: Translate, lang: str = "en",
               events: pd.DataFrame | None = None) -> tuple[dict, object]:
    fig = chart_figure(name, wh, state, t, lang, events)
    return fig, sources_block(wh, figure_sources(fig), t, f"home-{name}-source-list", lang)


# the view state's fields each chart is drawn from (the page redraws a chart when one of them
# changes: dashboard.callbacks.CHART_TRIGGERS); the others are left out of the cache's key
CHART_FIELDS = {
    "displacement": ("start", "end", "areas", "sources", "agg"),
    "casualties": ("start", "end", "areas", "sources", "etypes", "agg"),
    "refugees": ("start", "end", "sources"),
    "events": ("start", "end", "areas", "sources", "etypes", "agg"),
    "border": ("start", "end", "areas", "sources", "agg"),
}
KEPT = ("level", "lang")  # kept in every chart's key all the same


def chart_state(chart_names, state: ViewState) -> ViewState:
    """`state` with the fields the charts are not drawn from at their defaults."""
    keep = set(KEPT).union(*(CHART_FIELDS[name] for name in chart_names))
    return ViewState(**{f.name: getattr(state, f.name) for f in dataclasses.fields(ViewState) if f.name in keep})


def chart_views(chart_names, wh: Warehouse, state: ViewState, t: Translate, lang: str = "en") -> tuple[tuple, ...]:
    """(figure, sources) of several charts; the event series is queried once for the two charts
    drawn from it. Cached per version, the state's fields the charts are drawn from, and language;
    the result is shared: read it, never change it."""
    return _chart_views_cached(tuple(chart_names), wh, chart_state(chart_names, state), t, lang, i18n.current.get())


@lru_cache(maxsize=CHART_CACHE)
def _chart_views_cached(chart_names: tuple, wh: Warehouse, state: ViewState, t: Translate, lang: str,
                        _current: str) -> tuple[tuple, ...]:
    events = None
    if sum(name in EVENT_CHARTS for name in chart_names) > 1:
        events = with_source_names(series_queries.event_series(wh, selection(state, wh["sources"])), wh["sources"])
    return tuple(chart_view(name, wh, state, t, lang, events if name in EVENT_CHARTS else None) for name in chart_names)


def range_text(state: ViewState, t: Translate) -> str:
    return t("Showing {start} to {end}").format(start=fmt_date(state.start), end=fmt_date(state.end_day))


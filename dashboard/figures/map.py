"""The map of Idlib and the Turkish border, drawn from our own vector layers on a plotly `geo`
subplot: no tile server, nothing fetched from the internet (the base topojson is served from
assets/topojson/), and it exports as vector graphics.

The figure has a fixed list of traces (`TRACE`), so that a change of period, indicator, filter
or layer is sent to the browser as values only (a dash `Patch` built from `dynamic_props`),
never as geometry. Geometry (the admin areas of the chosen level, the border, the 10/25/50 km
bands, crossings, towns, camps) is sent once, with the full figure, when the admin level changes.

Layers:
- admin areas of the chosen level, a choropleth of the chosen indicator in classes (missing data
  in grey, apart from zero), hover with English and Arabic names, value, period and source;
- the Syria–Türkiye border and lines 10, 25 and 50 km from it on the Syrian side;
- crossings, towns (GeoNames), camps and sites (when loaded);
- conflict events as points (symbol and colour by type, size by fatalities), or as a density of
  cells of about 10 km when there are more than `dashboard.extent.POINT_LIMIT` in view;
- displacement flows origin → destination as curved arcs with an arrowhead, width by persons, in
  three width classes (three traces, not one trace per line).

Every trace carries the source ids of what it draws in `meta["sources"]`; the list of sources
under the map is made from them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient

from dashboard.extent import VIEW
from dashboard.figures.classes import Classes, class_index, stepped_colorscale
from dashboard.figures.common import (  # noqa: F401  (re-exported)
    FONT,
    PALETTE,
    esc,
    figure_sources,
    font_family,
    title_layout,
)
from dashboard.i18n import N_, Translate

FOCUS = "SY07"
LAND_CLIP = box(34.5, 34.3, 41.2, 38.0)  # the land drawn: a little more than the view
LAND_COLOR, SEA_COLOR = "#f4f3ee", "#dce9f2"
EVENT_SLOTS = 8
EVENT_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "triangle-down")
FLOW_WIDTHS = (1.5, 3.5, 6.5)
FLOW_COLOR = "#3f2a86"
PRECISION_NOTE = {
    "crossing": N_("position of the crossing"),
    "nearest_town": N_("position of the nearest town (crossing not located exactly)"),
}

# the fixed trace order (indices used by the Patch)
_NAMES = ["land", "areas", "turkey", "border", "bands", "towns", "camps", "crossings"]
_NAMES += [f"event{i}" for i in range(EVENT_SLOTS)] + ["density", "flow0", "flow1", "flow2", "arrows"]
TRACE = {name: i for i, name in enumerate(_NAMES)}
LAYER_TRACES = {
    "border": ("border",), "bands": ("bands",), "towns": ("towns",), "camps": ("camps",),
    "crossings": ("crossings",), "events": tuple(f"event{i}" for i in range(EVENT_SLOTS)) + ("density",),
    "flows": ("flow0", "flow1", "flow2", "arrows"),
}


# ---- geometry helpers ----------------------------------------------------------------------------

def clockwise(geom):
    """plotly's geo Choropleth needs clockwise exterior rings (RFC 7946 order draws inverted)."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    return geom


def _rounded(obj, digits: int = 3):
    """Coordinates rounded to about 100 m (under a pixel at the map's extent): smaller JSON."""
    if isinstance(obj, (list, tuple)):
        return [_rounded(o, digits) for o in obj]
    return round(obj, digits) if isinstance(obj, float) else obj


def area_geojson(areas: gpd.GeoDataFrame) -> dict:
    features = []
    for pcode, geom in zip(areas["pcode"], areas.geometry):
        shape = mapping(clockwise(geom))
        features.append({"type": "Feature", "id": pcode, "properties": {},
                         "geometry": {"type": shape["type"], "coordinates": _rounded(shape["coordinates"])}})
    return {"type": "FeatureCollection", "features": features}


def line_coords(geoms, digits: int = 4) -> tuple[list, list]:
    """lon/lat lists of all line parts, separated by None, for a Scattergeo line trace."""
    lons, lats = [], []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            ring = part.exterior if isinstance(part, Polygon) else part
            xs, ys = ring.xy
            lons += [round(x, digits) for x in xs] + [None]
            lats += [round(y, digits) for y in ys] + [None]
    return lons, lats


def _ids(*frames) -> list[str]:
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and len(frame) and "source_id" in frame:
            ids.update(str(s) for s in frame["source_id"].dropna())
    return sorted(ids)


def _name(en, ar) -> str:
    """'Idleb · إدلب' for plotly (text from data escaped)."""
    return f"{esc(en)} · {esc(ar)}" if isinstance(ar, str) and ar else esc(en)


# ---- the static part: geometry per admin level ------------------------------------------------

@dataclass(frozen=True)
class MapBase:
    """What the map draws that does not change with period or filters."""

    areas: gpd.GeoDataFrame  # pcode, name_en, name_ar, source_id, geometry (the chosen level)
    countries: gpd.GeoDataFrame
    border: gpd.GeoDataFrame
    bands: gpd.GeoDataFrame | None
    crossings: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    camps: gpd.GeoDataFrame | None
    level: int = 1


def base_figure(base: MapBase, t: Translate) -> go.Figure:
    """Every trace in `TRACE` order, geometry filled in, values empty."""
    areas = base.areas
    traces: list = [None] * len(TRACE)
    # the land at 1:10m, drawn by us (the base topojson is 1:110m, too coarse at this scale)
    land = base.countries.copy()
    land["geometry"] = land.geometry.intersection(LAND_CLIP)
    land = land[~land.geometry.is_empty]
    traces[TRACE["land"]] = go.Choropleth(
        geojson=area_geojson(land.rename(columns={"iso3": "pcode"})), locations=list(land["iso3"]), featureidkey="id",
        z=[0] * len(land), zmin=0, zmax=1, colorscale=[[0, LAND_COLOR], [1, LAND_COLOR]], showscale=False,
        marker={"line": {"color": "#8aa0aa", "width": 0.6}}, hoverinfo="skip", name=t("Land"), showlegend=False,
        meta={"sources": _ids(land)},
    )
    traces[TRACE["areas"]] = go.Choropleth(
        geojson=area_geojson(areas), locations=list(areas["pcode"]), featureidkey="id",
        z=[0] * len(areas), zmin=-0.5, zmax=0.5, colorscale=[[0, "#eeeeea"], [1, "#eeeeea"]], showscale=False,
        text=[f"{_name(en, ar)} ({esc(p)})" for en, ar, p in zip(areas["name_en"], areas["name_ar"], areas["pcode"])],
        hovertemplate="<b>%{text}</b><br>%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        customdata=[["", "", ""]] * len(areas), marker={"line": {"color": "#777", "width": 0.7}},
        name=t("Admin areas"), meta={"sources": _ids(areas)},
    )
    tur = base.countries[base.countries["iso3"] == "TUR"]
    lons, lats = line_coords(tur.geometry)
    traces[TRACE["turkey"]] = go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#999", "width": 1}, name=t("Türkiye"),
        hoverinfo="skip", showlegend=False, meta={"sources": _ids(tur)},
    )
    lons, lats = line_coords(base.border.geometry)
    traces[TRACE["border"]] = go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#C0392B", "width": 3.5},
        name=t("Syria–Türkiye border"), hoverinfo="name", meta={"sources": _ids(base.border)},
    )
    bands = base.bands if base.bands is not None else gpd.GeoDataFrame({"distance_km": []}, geometry=[])
    lons, lats, texts = [], [], []
    for km, geom in zip(bands.get("distance_km", []), bands.geometry):
        x, y = line_coords([geom])
        lons += x
        lats += y
        label = t("{km} km from the Turkish border").format(km=int(km))
        texts += [label if v is not None else None for v in x]
    traces[TRACE["bands"]] = go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#C0392B", "width": 1, "dash": "dot"},
        name=t("10, 25 and 50 km from the border"), hovertext=texts, hoverinfo="text",
        meta={"sources": _ids(bands)},
    )
    towns = base.towns[base.towns.geometry.notna()]
    traces[TRACE["towns"]] = go.Scattergeo(
        lon=towns.geometry.x.round(4), lat=towns.geometry.y.round(4), mode="markers",
        marker={"size": 4, "color": "#333", "opacity": 0.7}, name=t("Towns (GeoNames)"),
        text=[_name(en, ar) for en, ar in zip(towns["name_en"], towns["name_ar"])],
        customdata=[f"{int(p):,}" if pd.notna(p) else "–" for p in towns["population"]],
        hovertemplate="%{text}<br>" + t("Population") + " %{customdata}<extra></extra>",
        meta={"sources": _ids(towns)},
    )
    camps = base.camps if base.camps is not None else gpd.GeoDataFrame({"name_en": []}, geometry=[])
    camps = camps[camps.geometry.notna() & ~camps.geometry.is_empty] if len(camps) else camps
    traces[TRACE["camps"]] = go.Scattergeo(
        lon=camps.geometry.x.round(4) if len(camps) else [], lat=camps.geometry.y.round(4) if len(camps) else [],
        mode="markers", marker={"size": 5, "symbol": "triangle-up", "color": "#2E7D32", "opacity": 0.8},
        name=t("Camps and IDP sites"),
        text=[f"{_name(en, ar)} ({esc(k)})" for en, ar, k in zip(camps.get("name_en", []), camps.get("name_ar", []),
                                                           camps.get("kind", []))],
        hovertemplate="%{text}<extra></extra>", meta={"sources": _ids(camps)},
    )
    located = base.crossings[base.crossings.geometry.notna() & ~base.crossings.geometry.is_empty]
    traces[TRACE["crossings"]] = go.Scattergeo(
        lon=located.geometry.x, lat=located.geometry.y, mode="markers",
        marker={"size": 12, "symbol": "diamond", "color": "#1B4F72", "line": {"color": "white", "width": 1}},
        name=t("Border crossings"),
        hovertext=[f"<b>{esc(r.name_en)}</b> · {esc(r.name_ar)} / {esc(r.name_tr)}<br>{t(PRECISION_NOTE.get(r.precision, ''))}"
                   for r in located.itertuples()],
        hoverinfo="text", meta={"sources": _ids(located)},
    )
    for i in range(EVENT_SLOTS):
        traces[TRACE[f"event{i}"]] = go.Scattergeo(
            lon=[], lat=[], mode="markers", name="", showlegend=False, visible=False,
            marker={"symbol": EVENT_SYMBOLS[i], "color": PALETTE[i % len(PALETTE)], "opacity": 0.75,
                    "line": {"color": "white", "width": 0.5}},
            hovertemplate="%{text}<extra></extra>", meta={"sources": []},
        )
    traces[TRACE["density"]] = go.Scattergeo(
        lon=[], lat=[], mode="markers", name=t("Conflict events (density, cells of about 10 km)"),
        marker={"symbol": "square", "color": "#54278f", "opacity": 0.55}, visible=False, showlegend=False,
        hovertemplate="%{text}<extra></extra>", meta={"sources": []},
    )
    for i in range(3):
        traces[TRACE[f"flow{i}"]] = go.Scattergeo(
            lon=[], lat=[], mode="lines", line={"color": FLOW_COLOR, "width": FLOW_WIDTHS[i]}, opacity=0.55,
            name="", hoverinfo="skip", showlegend=False, visible=False, meta={"sources": []},
        )
    traces[TRACE["arrows"]] = go.Scattergeo(
        lon=[], lat=[], mode="markers", name=t("Flow direction"), showlegend=False, visible=False,
        marker={"symbol": "triangle-up", "color": FLOW_COLOR, "angleref": "north", "size": 10},
        hovertemplate="%{text}<extra></extra>", meta={"sources": []},
    )
    fig = go.Figure(data=traces, layout={"template": {}})
    # no base layer is drawn: the sea is the background, the land our own polygons (plotly still
    # reads a topojson; the 1:110m one is the smallest)
    fig.update_geos(
        projection_type="mercator", resolution=110,
        lonaxis_range=list(VIEW["lon"]), lataxis_range=list(VIEW["lat"]), fitbounds=False,
        showland=False, showocean=False, showcountries=False, showcoastlines=False, showlakes=False,
        showframe=False, bgcolor=SEA_COLOR,
    )
    fig.update_layout(
        title=title_layout(t("Idlib and the Syria–Türkiye border"), t.lang),
        font={"family": font_family(t.lang), "size": 12, "color": "#222"}, paper_bgcolor="white", height=600, margin={"l": 0, "r": 0, "t": 40, "b": 0},
        legend={"orientation": "h", "y": -0.02, "x": 0}, uirevision="map", clickmode="event",
    )
    return fig


# ---- the dynamic part: values for a period, filters and layers ---------------------------------

@dataclass(frozen=True)
class MapLayers:
    """What the map shows for the current view (all plain frames, already selected)."""

    values: pd.DataFrame | None = None  # pcode, value, sources
    classes: Classes | None = None
    indicator_label: str = ""
    period_text: str = ""
    events: pd.DataFrame | None = None  # points: lon, lat, event_type, fatalities, date_start, dataset, source_id
    density: pd.DataFrame | None = None  # lon, lat, events, fatalities, sources
    event_types: tuple[str, ...] = ()  # the legend order of event types (slot i = type i)
    flows: pd.DataFrame | None = None  # o_lon, o_lat, d_lon, d_lat, persons, sources, label
    flow_unit: str = ""
    selected: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    title: str = ""
    organisations: dict = field(default_factory=dict)  # source_id -> organisation, for hover


def _orgs(ids: str, organisations: dict) -> str:
    names = sorted({str(organisations.get(i, i)) for i in str(ids).split(",") if i})
    return esc("; ".join(names))


def _area_props(base: MapBase, lay: MapLayers, t: Translate) -> dict:
    areas = base.areas
    if lay.values is None or lay.classes is None:
        return {
            "z": areas["pcode"].str.startswith(FOCUS).astype(int).tolist(), "zmin": -0.5, "zmax": 1.5,
            "colorscale": [[0, "#eeeeea"], [0.5, "#eeeeea"], [0.5, "#f6c89f"], [1, "#f6c89f"]], "showscale": False,
            "customdata": [[t("Choose a map indicator to colour the areas"), "", ""]] * len(areas),
            "meta": {"sources": _ids(areas)},
        }
    values = areas["pcode"].map(dict(zip(lay.values["pcode"], lay.values["value"])))
    by_sources = dict(zip(lay.values["pcode"], lay.values["sources"]))
    sources = [by_sources.get(p) or "" for p in areas["pcode"]]
    idx = class_index(values, lay.classes)
    decimals = lay.classes.decimals
    custom = []
    for v, s in zip(values, sources):
        value_text = (f"{lay.indicator_label}: {v:,.{decimals}f}" if pd.notna(v)
                      else f"{lay.indicator_label}: {t('no data')}")
        custom.append([value_text, lay.period_text, f"{t('Source')}: {_orgs(s, lay.organisations)}" if s else ""])
    k = lay.classes.count
    drawn = set(x for s in sources for x in str(s).split(",") if x)
    return {
        "z": idx.astype(float), "zmin": -0.5, "zmax": k - 0.5, "colorscale": stepped_colorscale(lay.classes.colors),
        "showscale": True,
        "colorbar": {"title": {"text": lay.indicator_label[:40]}, "tickvals": list(range(k)),
                     "ticktext": list(lay.classes.labels), "thickness": 14, "len": 0.75, "x": 1.0},
        "customdata": np.array(custom, dtype=str).reshape(len(custom), 3),
        "meta": {"sources": sorted(set(_ids(areas)) | drawn)},
    }


def _outline_props(base: MapBase, selected) -> dict:
    """Selected areas outlined in black (the outline widths are values, not geometry)."""
    chosen = np.isin(base.areas["pcode"].to_numpy(), list(selected))
    return {"marker": {"line": {"width": np.where(chosen, 3.5, 0.7).tolist(),
                                "color": np.where(chosen, "#000000", "#777777").tolist()}}}


def _escaped(values: np.ndarray) -> np.ndarray:
    """`esc` over an array of text, once per distinct value."""
    if not len(values):
        return values
    distinct, index = np.unique(values.astype(str), return_inverse=True)
    return np.array([esc(v) for v in distinct], dtype=object)[index]


def _event_props(lay: MapLayers, t: Translate, visible: bool) -> dict[str, dict]:
    """Event points per type slot (symbol and colour by type, size by fatalities), or the density
    of cells. Numbers go out as numpy arrays (serialised without a Python loop)."""
    props: dict[str, dict] = {}
    points = lay.events if lay.events is not None else {}
    density = lay.density if lay.density is not None else {}
    n = len(points.get("lon", ()))
    if n:
        types = np.array([x if isinstance(x, str) else t("Unspecified") for x in points["event_type"]], dtype=object)
        lon, lat = np.round(np.asarray(points["lon"], dtype=float), 4), np.round(np.asarray(points["lat"], dtype=float), 4)
        fat = np.asarray(points["fatalities"], dtype=float)
        size = np.round(5 + 2.2 * np.sqrt(np.clip(fat, 0, 400)), 1)
        days = np.asarray(points["date_start"]).astype("datetime64[D]").astype(str)
        datasets = _escaped(np.asarray(points["dataset"]).astype(str))
        source = np.asarray(points["source_id"]).astype(str)
        fat_text = np.array([f"{int(f):,}" for f in fat], dtype=object)
    template = ("%{customdata[0]} · %{customdata[1]} · %{customdata[2]} " + t("fatalities")
                + " · %{customdata[3]}<extra></extra>")
    shown = list(lay.event_types[:EVENT_SLOTS])
    for i in range(EVENT_SLOTS):
        etype = shown[i] if i < len(shown) else None
        if not n or etype is None:
            mask = np.zeros(n, dtype=bool)
        elif i == EVENT_SLOTS - 1 and len(lay.event_types) > EVENT_SLOTS:
            mask = ~np.isin(types, shown[:-1])
            etype = t("Other event types")
        else:
            mask = types == etype
        count = int(mask.sum())
        empty = np.array([], dtype=float)
        props[f"event{i}"] = {
            "lon": lon[mask] if count else empty, "lat": lat[mask] if count else empty,
            "marker": {"size": size[mask] if count else empty},
            "customdata": np.column_stack([_escaped(types[mask]), days[mask], fat_text[mask], datasets[mask]]).astype(str)
            if count else [],
            "hovertemplate": template, "name": f"{esc(etype)} ({count:,})" if etype else "",
            "showlegend": bool(visible and count), "visible": bool(visible and count),
            "meta": {"sources": sorted(set(source[mask].tolist())) if count else []},
        }
    if len(density.get("lon", ())):
        events = np.asarray(density["events"], dtype=float)
        props["density"] = {
            "lon": np.round(np.asarray(density["lon"], dtype=float), 3),
            "lat": np.round(np.asarray(density["lat"], dtype=float), 3),
            "marker": {"size": np.round(4 + 3 * np.log1p(events), 1), "color": "#54278f"},
            "customdata": np.column_stack([np.asarray(density["events"], dtype=np.int64),
                                           np.asarray(density["fatalities"], dtype=np.int64)]),
            "hovertemplate": t("{n} events, {f} fatalities in this cell of about 10 km").format(
                n="%{customdata[0]:,}", f="%{customdata[1]:,}") + "<extra></extra>",
            "visible": visible, "showlegend": visible, "meta": {"sources": list(density.get("sources", []))},
        }
    else:
        props["density"] = {"lon": [], "lat": [], "customdata": [], "visible": False, "showlegend": False,
                            "meta": {"sources": []}}
    return props


def arc(o_lon, o_lat, d_lon, d_lat, n: int = 12, bend: float = 0.18):
    """Points of a curved arc from origin to destination (a quadratic Bézier bent to the right of
    the direction of travel), and the position and bearing of its arrowhead (60% along)."""
    mx, my = (o_lon + d_lon) / 2, (o_lat + d_lat) / 2
    dx, dy = d_lon - o_lon, d_lat - o_lat
    cx, cy = mx + bend * dy, my - bend * dx
    ts = np.linspace(0, 1, n)
    xs = (1 - ts) ** 2 * o_lon + 2 * (1 - ts) * ts * cx + ts ** 2 * d_lon
    ys = (1 - ts) ** 2 * o_lat + 2 * (1 - ts) * ts * cy + ts ** 2 * d_lat
    ta = 0.6
    ax = (1 - ta) ** 2 * o_lon + 2 * (1 - ta) * ta * cx + ta ** 2 * d_lon
    ay = (1 - ta) ** 2 * o_lat + 2 * (1 - ta) * ta * cy + ta ** 2 * d_lat
    tx = 2 * (1 - ta) * (cx - o_lon) + 2 * ta * (d_lon - cx)
    ty = 2 * (1 - ta) * (cy - o_lat) + 2 * ta * (d_lat - cy)
    bearing = math.degrees(math.atan2(tx * math.cos(math.radians(ay)), ty)) % 360
    return xs, ys, (ax, ay, bearing)


def width_classes(persons: pd.Series) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Three width classes (terciles of the drawn flows; with three or fewer distinct values, the
    largest value takes the widest class): the class of each flow and each class's (low, high)."""
    v = persons.astype(float).to_numpy()
    if len(v) == 0:
        return np.array([], dtype=int), [(0, 0)] * 3
    distinct = np.unique(v)
    if len(distinct) <= 3:
        cls = np.searchsorted(distinct, v) + (3 - len(distinct))
    else:
        cls = np.searchsorted(np.quantile(v, [1 / 3, 2 / 3]), v, side="left")
    bounds = []
    for c in range(3):
        members = v[cls == c]
        bounds.append((int(members.min()), int(members.max())) if len(members) else (0, 0))
    return cls, bounds


def _flow_props(lay: MapLayers, t: Translate, visible: bool) -> dict[str, dict]:
    flows = lay.flows if lay.flows is not None and len(lay.flows) else None
    props: dict[str, dict] = {}
    empty = np.array([], dtype=float)
    if flows is None:
        for c in range(3):
            props[f"flow{c}"] = {"lon": empty, "lat": empty, "visible": False, "showlegend": False, "name": "",
                                 "meta": {"sources": []}}
        props["arrows"] = {"lon": empty, "lat": empty, "text": [], "marker": {"angle": empty, "size": empty},
                           "visible": False, "meta": {"sources": []}}
        return props
    persons = flows["persons"].to_numpy(dtype=float)
    cls, bounds = width_classes(flows["persons"])
    sources = [str(s) for s in flows["sources"]]
    arcs = [arc(o1, o2, d1, d2) for o1, o2, d1, d2 in zip(
        flows["o_lon"].to_numpy(dtype=float), flows["o_lat"].to_numpy(dtype=float),
        flows["d_lon"].to_numpy(dtype=float), flows["d_lat"].to_numpy(dtype=float))]
    gap = np.array([np.nan])
    for c in range(3):
        members = np.flatnonzero(cls == c)
        lo, hi = bounds[c]
        has = bool(len(members))
        lons = np.concatenate([np.concatenate([np.round(arcs[i][0], 4), gap]) for i in members]) if has else empty
        lats = np.concatenate([np.concatenate([np.round(arcs[i][1], 4), gap]) for i in members]) if has else empty
        props[f"flow{c}"] = {
            "lon": lons, "lat": lats, "visible": visible and has, "showlegend": visible and has,
            "name": (t("Flows: {lo}–{hi} {unit}").format(lo=f"{lo:,}", hi=f"{hi:,}", unit=lay.flow_unit)
                     if lo != hi else t("Flows: {n} {unit}").format(n=f"{hi:,}", unit=lay.flow_unit)) if has else "",
            "meta": {"sources": sorted({x for i in members for x in sources[i].split(",") if x})},
        }
    heads = np.array([a[2] for a in arcs])
    props["arrows"] = {
        "lon": np.round(heads[:, 0], 4), "lat": np.round(heads[:, 1], 4),
        "text": [f"{esc(label)}: {int(p):,} {lay.flow_unit}<br>{lay.period_text}<br>{t('Source')}: {_orgs(s, lay.organisations)}"
                 for label, p, s in zip(flows["label"], persons, sources)],
        "marker": {"angle": np.round(heads[:, 2], 1), "size": (8 + 3 * cls).astype(float)},
        "visible": visible, "meta": {"sources": sorted({x for s in sources for x in s.split(",") if x})},
    }
    return props


PARTS = ("areas", "outline", "layers", "events", "flows", "title")


def dynamic_props(base: MapBase, lay: MapLayers, t: Translate, parts=PARTS) -> dict:
    """The values of the map for a view, as {"data": {trace index: props}, "layout": props}, for
    the given parts only (a filter that changes only the events sends only the events). Nothing in
    it is geometry of the admin areas, border or bands."""
    on = set(lay.layers)
    props: dict[str, dict] = {}
    if "areas" in parts:
        props["areas"] = _area_props(base, lay, t)
    if "outline" in parts:
        props["areas"] = {**props.get("areas", {}), **_outline_props(base, lay.selected)}
    if "layers" in parts:
        for layer, names in LAYER_TRACES.items():
            if layer not in ("events", "flows"):
                props.update({name: {"visible": layer in on} for name in names})
    if "events" in parts:
        props.update(_event_props(lay, t, "events" in on))
    if "flows" in parts:
        props.update(_flow_props(lay, t, "flows" in on))
    layout = {"title": {"text": lay.title or t("Idlib and the Syria–Türkiye border")}} if "title" in parts else {}
    return {"data": {TRACE[name]: p for name, p in props.items()}, "layout": layout}


def static_sources(base: MapBase, layers) -> list[str]:
    """Sources of the geometry layers shown: the admin areas always, the others when switched on."""
    on = set(layers)
    ids = set(_ids(base.areas)) | set(_ids(base.countries[base.countries["iso3"] == "TUR"]))
    frames = {"border": base.border, "bands": base.bands, "towns": base.towns, "camps": base.camps,
              "crossings": base.crossings[base.crossings.geometry.notna() & ~base.crossings.geometry.is_empty]}
    for layer, frame in frames.items():
        if layer in on and frame is not None and len(frame):
            ids |= set(_ids(frame))
    return sorted(ids)


def apply_props(fig: go.Figure, dyn: dict) -> go.Figure:
    for index, props in dyn["data"].items():
        fig.data[index].update(props)
    fig.update_layout(dyn["layout"])
    return fig


def map_figure(base: MapBase, lay: MapLayers, t: Translate) -> go.Figure:
    return apply_props(base_figure(base, t), dynamic_props(base, lay, t))

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

The frame (`frame_layout`: the lon/lat box shown, Idleb and the border by default, the selected
areas, or a user's pan and zoom), the labels (governorates always, the level's areas, crossings
and towns by population, each with a white halo) and the scale bar are part of the figure, so an
export draws the same map. Labels are all sent; those that would collide are hidden, in the order
of their priority, by the page (assets/map.js, as the user zooms) and by `declutter` for an export.
Area polygons take hover and click: lines, labels, towns, camps, crossings and density cells do
not answer hover, and event points and flow arrows only under the pointer (`hoverdistance`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient

from dashboard.figures.classes import Classes, class_index, stepped_colorscale
from dashboard.figures.common import (  # noqa: F401  (re-exported)
    FONT,
    PALETTE,
    esc,
    figure_sources,
    font_family,
    title_layout,
)
from dashboard.i18n import RTL, Translate, bidi_line, bidi_lines

FOCUS = "SY07"
# Idleb governorate and the border area north of it (Afrin, A'zaz, Bab al-Hawa, Bab al-Salam): what the
# map opens on (west, south, east, north), before it is fitted to the map's shape
DEFAULT_FOCUS = (36.05, 35.25, 37.35, 36.85)
MAP_ASPECT = 1.1  # width / height of the map's frame, in Mercator units (the page's box has this shape)
FRAME_PAD = 0.04  # a frame fitted to areas leaves this share of their width and height on each side
LAND_CLIP = box(34.5, 34.3, 41.2, 38.0)  # the land drawn: a little more than the view
LAND_COLOR, SEA_COLOR = "#f4f3ee", "#dce9f2"
EVENT_SLOTS = 8
EVENT_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "triangle-down")
FLOW_WIDTHS = (1.5, 3.5, 6.5)
FLOW_COLOR = "#3f2a86"

# the fixed trace order (indices used by the Patch)
_NAMES = ["land", "areas", "turkey", "border", "bands", "towns", "camps", "crossings"]
_NAMES += [f"event{i}" for i in range(EVENT_SLOTS)] + ["density", "flow0", "flow1", "flow2", "arrows"]
_NAMES += ["scalebar", "area_labels", "crossing_labels", "town_labels"]  # drawn last: on top
TRACE = {name: i for i, name in enumerate(_NAMES)}
LABEL_TRACES = ("area_labels", "crossing_labels", "town_labels")
LAYER_TRACES = {
    "border": ("border",), "bands": ("bands",), "towns": ("towns", "town_labels"), "camps": ("camps",),
    "crossings": ("crossings", "crossing_labels"), "events": tuple(f"event{i}" for i in range(EVENT_SLOTS)) + ("density",),
    "flows": ("flow0", "flow1", "flow2", "arrows"),
}
# a white outline around label text (offset copies, no blur: a PDF export keeps it as vector text)
HALO = "1px 1px 0 #fff, -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 0 1px 0 #fff, 0 -1px 0 #fff"
LABEL_STYLE = {  # kind -> font size (px), weight, colour
    "governorate": (13, 700, "#1d1d1b"), "crossing": (11, 700, "#123a57"), "city": (11, 600, "#333333"),
    "area": (10, 400, "#333333"), "town": (9.5, 400, "#444444"),
}
TOWN_LABELS = 150  # towns labelled at most (the most populous in the map's box); the rest are dots
CITY_POPULATION = 100_000  # towns above this are labelled before the areas' names
LABEL_GAP = 2  # px kept clear around a label's text by `declutter`
CHAR_EM = 0.58  # mean advance of a character, in ems (DejaVu Sans / Noto Sans Arabic UI), for `declutter`


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


def _name(en, ar, lang: str = "en") -> str:
    """'Idleb · إدلب' for plotly (text from data escaped); in Arabic 'إدلب · Idleb', the page's language first."""
    if not (isinstance(ar, str) and ar):
        return esc(en)
    return f"{esc(ar)} · {esc(en)}" if lang in RTL else f"{esc(en)} · {esc(ar)}"


# ---- the frame: what part of the world the map shows ---------------------------------------------

def mercator_y(lat):
    """The Mercator ordinate of a latitude (in degrees of the equator, as longitudes are)."""
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(np.asarray(lat, dtype=float)) / 2)))


def mercator_lat(y):
    return np.degrees(2 * np.arctan(np.exp(np.radians(np.asarray(y, dtype=float)))) - np.pi / 2)


def fit_frame(bbox, aspect: float = MAP_ASPECT, pad: float = FRAME_PAD, min_degrees: float = 0.2) -> tuple:
    """The frame showing `bbox` (west, south, east, north) with `pad` of its size on each side, at
    least `min_degrees` wide, widened or heightened about its centre to the map's shape (`aspect`,
    width / height in Mercator units, as the map draws it)."""
    west, south, east, north = (float(v) for v in bbox)
    dx, dy = max(east - west, min_degrees), max(north - south, min_degrees)
    cx, cy = (west + east) / 2, (south + north) / 2
    west, east = cx - dx / 2 * (1 + 2 * pad), cx + dx / 2 * (1 + 2 * pad)
    south, north = cy - dy / 2 * (1 + 2 * pad), cy + dy / 2 * (1 + 2 * pad)
    y0, y1 = float(mercator_y(south)), float(mercator_y(north))
    width, height = east - west, y1 - y0
    if width / height < aspect:
        west, east = cx - height * aspect / 2, cx + height * aspect / 2
    else:
        ym = (y0 + y1) / 2
        y0, y1 = ym - width / aspect / 2, ym + width / aspect / 2
        south, north = float(mercator_lat(y0)), float(mercator_lat(y1))
    return tuple(round(v, 3) for v in (west, south, east, north))


def frame_aspect(layout: dict) -> float | None:
    """Width / height of a map figure's frame (Mercator units), from its geo ranges; None if it has none."""
    geo = layout.get("geo") or {}
    lon = (geo.get("lonaxis") or {}).get("range")
    lat = (geo.get("lataxis") or {}).get("range")
    if not lon or not lat:
        return None
    height = float(mercator_y(lat[1]) - mercator_y(lat[0]))
    return (lon[1] - lon[0]) / height if height > 0 else None


def frame_layout(frame, revision: str) -> dict:
    """The layout that shows `frame` (west, south, east, north) exactly; a new `revision` makes the
    browser drop a pan or zoom the user made (plotly's uirevision), so the frame is shown as sent."""
    west, south, east, north = frame
    # the centre and rotation plotly would compute from the ranges, set: a pan or zoom writes its own
    # into the figure the page holds, and a frame sent later must replace them
    middle = round((west + east) / 2, 4)
    return {"geo": {"lonaxis": {"range": [west, east]}, "lataxis": {"range": [south, north]},
                    "center": {"lon": middle, "lat": round((south + north) / 2, 4)},
                    "projection": {"scale": 1, "rotation": {"lon": middle}}, "uirevision": revision}}


SCALE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500)
KM_PER_DEGREE = 111.32  # at the equator


def scale_bar(frame, t: Translate) -> dict:
    """The props of the scale bar trace for a frame: a bar of a round length (about a fifth of the
    frame's width) with end ticks, in its lower left corner, labelled in km. Lengths hold at the
    bar's latitude (Mercator stretches the north of the frame by about 3 % more than its south)."""
    west, south, east, north = frame
    y0, y1 = float(mercator_y(south)), float(mercator_y(north))
    lat = float(mercator_lat(y0 + 0.07 * (y1 - y0)))
    km_per_lon = KM_PER_DEGREE * math.cos(math.radians(lat))
    want = 0.2 * (east - west) * km_per_lon
    km = min(SCALE_KM, key=lambda k: abs(math.log(k / want)))
    x0 = west + 0.04 * (east - west)
    x1 = x0 + km / km_per_lon
    tick = 0.012 * (y1 - y0)
    lo, hi = float(mercator_lat(mercator_y(lat) - tick)), float(mercator_lat(mercator_y(lat) + tick))
    label = t("{n} km").format(n=km)
    # the label is a point of its own at the ticks' top, not on the bar: its text ("50 كم": Arabic
    # letters reach below the baseline) then stands clear of the bar by the ticks' height
    return {
        "lon": [x0, x0, None, x0, x1, None, x1, x1, None, (x0 + x1) / 2],
        "lat": [lo, hi, None, lat, lat, None, lo, hi, None, hi],
        "text": ["", "", "", "", "", "", "", "", "", label],
        "visible": True,
    }


# ---- labels --------------------------------------------------------------------------------------

def _label_point(geom):
    """Where an area's name goes: its pole of inaccessibility (inside it, away from its edges)."""
    from shapely.ops import polylabel

    if geom is None or geom.is_empty:
        return None
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    try:
        point = polylabel(part, tolerance=0.005)
    except Exception:  # noqa: BLE001  (a degenerate ring: fall back to a point inside it)
        point = part.representative_point()
    return point.x, point.y


def _local_name(en, ar, lang: str) -> str:
    """A name in the page's language (Arabic where the data give it), escaped for plotly."""
    if lang == "ar" and isinstance(ar, str) and ar:
        return esc(ar)
    return esc(en) if isinstance(en, str) else ""


def label_rows(base: MapBase, lang: str) -> dict[str, list[tuple]]:
    """Per label trace, its labels: (lon, lat, text, kind, rank), rank being the global priority
    (0 first): governorates, crossings, cities, the level's areas by size, then the other towns."""
    out: dict[str, list[tuple]] = {name: [] for name in LABEL_TRACES}
    govs = base.governorates if base.governorates is not None else base.areas.iloc[0:0]
    for r in govs.itertuples():
        point = _label_point(r.geometry)
        if point:
            out["area_labels"].append((*point, _local_name(r.name_en, r.name_ar, lang), "governorate", 0))
    crossings = base.crossings[base.crossings.geometry.notna() & ~base.crossings.geometry.is_empty]
    if "precision" in crossings:  # one name per crossing: two sources placing it within ~3 km are one label
        crossings = crossings.assign(exact=crossings["precision"] == "crossing").sort_values("exact", ascending=False)
    placed: list[tuple[float, float]] = []
    named: set[str] = set()
    for r in crossings.itertuples():
        x, y = r.geometry.x, r.geometry.y
        key = re.sub(r"[^a-z]", "", str(r.name_en).lower())
        if key in named or any(abs(x - a) < 0.03 and abs(y - b) < 0.03 for a, b in placed):
            continue
        placed.append((x, y))
        named.add(key)
        out["crossing_labels"].append((x, y, _local_name(r.name_en, r.name_ar, lang), "crossing", 1))
    towns = base.towns[base.towns.geometry.notna()]
    towns = towns.assign(people=pd.to_numeric(towns["population"], errors="coerce").fillna(0))
    abroad = towns["country_iso2"].fillna("SY") != "SY" if "country_iso2" in towns else pd.Series(False, towns.index)
    # Syria's towns (at the districts' and sub-districts' levels their areas' names stand for them: the
    # same names twice, one spelling each), and the cities across the border (in Arabic by their
    # GeoNames Arabic names where there is one: كلس، الريحانية، أنطاكية; else their Turkish names)
    keep = abroad & (towns["people"] >= CITY_POPULATION) if base.level > 1 else ~abroad | (towns["people"] >= CITY_POPULATION)
    towns = towns[keep]
    towns = towns.sort_values("people", ascending=False).head(TOWN_LABELS)
    for r in towns.itertuples():
        kind = "city" if r.people >= CITY_POPULATION else "town"
        name = _local_name(r.name_en, r.name_ar, lang)
        out["town_labels"].append((r.geometry.x, r.geometry.y, name, kind, 2 if kind == "city" else 4))
    if base.level > 1:
        areas = base.areas.assign(size=shapely.area(np.asarray(base.areas.geometry.values)))
        areas = areas.sort_values("size", ascending=False)
        for r in areas.itertuples():
            point = _label_point(r.geometry)
            if point:
                out["area_labels"].append((*point, _local_name(r.name_en, r.name_ar, lang), "area", 3))
    # the rank orders labels across traces: within a rank, the order they come in (size, population)
    order = 0
    for kind_rank in range(5):
        for name in LABEL_TRACES:
            rows = out[name]
            for i, row in enumerate(rows):
                if row[4] == kind_rank:
                    rows[i] = (*row[:4], order)
                    order += 1
    return out


def _label_trace(rows: list[tuple], name: str, t: Translate) -> go.Scattergeo:
    styles = [LABEL_STYLE[r[3]] for r in rows]
    position = ["middle right" if r[3] == "crossing" else "top center" if r[3] in ("city", "town")
                else "middle center" for r in rows]
    return go.Scattergeo(
        lon=[round(r[0], 4) for r in rows], lat=[round(r[1], 4) for r in rows], mode="text",
        text=[r[2] for r in rows], customdata=[r[4] for r in rows], textposition=position,
        textfont={"size": [s[0] for s in styles], "weight": [s[1] for s in styles], "color": [s[2] for s in styles],
                  "shadow": HALO},
        hoverinfo="skip", showlegend=False, name=name, meta={"sources": [], "labels": True},
    )


def declutter(fig: dict, width: float, height: float, clear=()) -> dict:
    """The figure with the labels that would overlap a label of higher priority emptied, for a map
    drawn `width` x `height` px (what the page does in the browser, for an export that runs no
    script). Text sizes are estimated from the font size; the figure's frame gives the positions.
    `clear`: boxes (left, top, right, bottom px) no label may cover (an export's north arrow)."""
    layout = fig.get("layout") or {}
    geo = layout.get("geo") or {}
    lon_range = (geo.get("lonaxis") or {}).get("range")
    lat_range = (geo.get("lataxis") or {}).get("range")
    if not lon_range or not lat_range:
        return fig
    west, east = lon_range
    y0, y1 = float(mercator_y(lat_range[0])), float(mercator_y(lat_range[1]))
    scale = min(width / (east - west), height / (y1 - y0))  # px per Mercator degree (the frame is fitted)
    boxes, candidates = [tuple(b) for b in clear], []
    data = list(fig["data"])
    for trace in data:  # the scale bar and its label are never covered
        if trace.get("name") and (trace.get("meta") or {}).get("scalebar") and trace.get("lon"):
            xs = [(lon - west) * scale for lon in trace["lon"] if lon is not None]
            ys = [(y1 - float(mercator_y(lat))) * scale for lat in trace["lat"] if lat is not None]
            if xs and ys:
                boxes.append((min(xs) - 4, min(ys) - 18, max(xs) + 4, max(ys) + 4))
    for index, trace in enumerate(data):
        if not (trace.get("meta") or {}).get("labels") or trace.get("visible", True) is not True:
            continue
        font = trace.get("textfont") or {}
        sizes = font.get("size")
        positions = trace.get("textposition")
        for i, (lon, lat, text, rank) in enumerate(zip(trace["lon"], trace["lat"], trace["text"], trace["customdata"])):
            if not text or lon is None or lat is None:
                continue
            size = float(sizes[i] if isinstance(sizes, list | tuple) else sizes or 12)
            weights = font.get("weight")
            weight = float(weights[i] if isinstance(weights, list | tuple) else weights or 400)
            x = (lon - west) * scale
            y = (y1 - float(mercator_y(lat))) * scale
            # bold type is about a tenth wider; a label keeps LABEL_GAP px clear around it
            w = len(str(text)) * size * CHAR_EM * (1.1 if weight >= 600 else 1.0) + 2 * LABEL_GAP
            h = size * 1.25 + 2 * LABEL_GAP
            where = positions[i] if isinstance(positions, list | tuple) else positions or "middle center"
            left = x - w / 2 if "center" in where else x + 5 if "right" in where else x - w - 5
            top = y - h - 4 if where.startswith("top") else y - h / 2
            candidates.append((rank, index, i, (left, top, left + w, top + h)))
    hidden: dict[int, set] = {}
    for _rank, index, i, rect in sorted(candidates):
        inside = rect[0] >= 0 and rect[1] >= 0 and rect[2] <= width and rect[3] <= height
        if not inside or any(rect[0] < b[2] and b[0] < rect[2] and rect[1] < b[3] and b[1] < rect[3] for b in boxes):
            hidden.setdefault(index, set()).add(i)
        else:
            boxes.append(rect)
    for index, gone in hidden.items():
        trace = dict(data[index])
        trace["text"] = ["" if i in gone else text for i, text in enumerate(trace["text"])]
        data[index] = trace
    return {**fig, "data": data}


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
    governorates: gpd.GeoDataFrame | None = None  # level 1, labelled at every level


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
        text=[bidi_line(f"{_name(en, ar, t.lang)} ({esc(p)})", t.lang)
              for en, ar, p in zip(areas["name_en"], areas["name_ar"], areas["pcode"])],
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
        name=t("Syria–Türkiye border"), hoverinfo="skip", meta={"sources": _ids(base.border)},
    )
    bands = base.bands if base.bands is not None else gpd.GeoDataFrame({"distance_km": []}, geometry=[])
    lons, lats = [], []
    for geom in bands.geometry:
        x, y = line_coords([geom])
        lons += x
        lats += y
    traces[TRACE["bands"]] = go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#C0392B", "width": 1, "dash": "dot"},
        name=t("10, 25 and 50 km from the border"), hoverinfo="skip", meta={"sources": _ids(bands)},
    )
    towns = base.towns[base.towns.geometry.notna()]
    traces[TRACE["towns"]] = go.Scattergeo(
        lon=towns.geometry.x.round(4), lat=towns.geometry.y.round(4), mode="markers",
        marker={"size": 4, "color": "#333", "opacity": 0.7}, name=t("Towns (GeoNames)"), hoverinfo="skip",
        meta={"sources": _ids(towns)},
    )
    camps = base.camps if base.camps is not None else gpd.GeoDataFrame({"name_en": []}, geometry=[])
    camps = camps[camps.geometry.notna() & ~camps.geometry.is_empty] if len(camps) else camps
    traces[TRACE["camps"]] = go.Scattergeo(
        lon=camps.geometry.x.round(4) if len(camps) else [], lat=camps.geometry.y.round(4) if len(camps) else [],
        mode="markers", marker={"size": 5, "symbol": "triangle-up", "color": "#2E7D32", "opacity": 0.8},
        name=t("Camps and IDP sites"), hoverinfo="skip", meta={"sources": _ids(camps)},
    )
    located = base.crossings[base.crossings.geometry.notna() & ~base.crossings.geometry.is_empty]
    # a crossing placed at its nearest town (no offline source locates it) is drawn open
    exact = [p == "crossing" for p in located["precision"]] if "precision" in located else [True] * len(located)
    traces[TRACE["crossings"]] = go.Scattergeo(
        lon=located.geometry.x, lat=located.geometry.y, mode="markers",
        marker={"size": 11, "symbol": ["diamond" if e else "diamond-open" for e in exact], "color": "#1B4F72",
                "line": {"color": ["white" if e else "#1B4F72" for e in exact], "width": [1 if e else 2 for e in exact]}},
        name=t("Border crossings (open: placed at the nearest town)") if not all(exact) else t("Border crossings"),
        hoverinfo="skip", meta={"sources": _ids(located)},
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
        hoverinfo="skip", meta={"sources": []},
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
    traces[TRACE["scalebar"]] = go.Scattergeo(
        lon=[], lat=[], mode="lines+text", line={"color": "#1d1d1b", "width": 2}, textposition="top center",
        textfont={"size": 11, "color": "#1d1d1b", "shadow": HALO}, hoverinfo="skip", showlegend=False,
        name=t("Scale"), meta={"sources": [], "table": False, "scalebar": True},
    )
    for name, rows in label_rows(base, t.lang).items():
        traces[TRACE[name]] = _label_trace(rows, name, t)
    fig = go.Figure(data=traces, layout={"template": {}})
    # no base layer is drawn: the sea is the background, the land our own polygons (plotly still
    # reads a topojson; the 1:110m one is the smallest)
    west, south, east, north = fit_frame(DEFAULT_FOCUS)
    fig.update_geos(
        projection_type="mercator", resolution=110,
        lonaxis_range=[west, east], lataxis_range=[south, north], fitbounds=False,
        showland=False, showocean=False, showcountries=False, showcoastlines=False, showlakes=False,
        showframe=False, bgcolor=SEA_COLOR,
    )
    # the page draws the legend in HTML from the figure (assets/map.js: collapsible, readable on a phone);
    # an export turns plotly's legend on (dashboard/export/printed.py). The figure fills its box on the
    # page (no height: the page sets the box's shape); hover goes to the areas first (`hoverdistance`:
    # a point answers only under the pointer)
    fig.update_layout(
        title=title_layout(t("Idlib and the Syria–Türkiye border"), t.lang),
        font={"family": font_family(t.lang), "size": 12, "color": "#222"}, paper_bgcolor="white",
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, autosize=True, showlegend=False, hoverdistance=1,
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
    area_names: dict = field(default_factory=dict)  # P-code -> name, for the events' hover
    frame: tuple | None = None  # (west, south, east, north) shown
    frame_revision: str = ""  # plotly's uirevision of the frame (a new one drops a user's zoom)


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
    if t.lang in RTL:  # each hover line right to left, its Latin runs isolated ("المصدر: UN HNAP …" kept in order)
        custom = [[bidi_line(text, t.lang) if text else text for text in row] for row in custom]
    k = lay.classes.count
    drawn = set(x for s in sources for x in str(s).split(",") if x)
    return {
        "z": idx.astype(float), "zmin": -0.5, "zmax": k - 0.5, "colorscale": stepped_colorscale(lay.classes.colors),
        "showscale": False,  # the page's legend is HTML (assets/map.js), an export's is plotly's (printed.py)
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
        pcodes = np.asarray(points["pcode"]).astype(str) if "pcode" in points else np.full(n, "")
        distinct, index = np.unique(pcodes, return_inverse=True)
        where = np.array([f"{esc(lay.area_names.get(p, p))} ({esc(p)})" if p and p != "None" else ""
                          for p in distinct], dtype=object)[index]
    # the event's area first: a point under the pointer still names the area it lies in
    template = ("<b>%{customdata[4]}</b><br>%{customdata[0]} · %{customdata[1]} · %{customdata[2]} " + t("fatalities")
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
            "customdata": np.column_stack([_escaped(types[mask]), days[mask], fat_text[mask], datasets[mask],
                                           where[mask]]).astype(str) if count else [],
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
            # (the counts ride along for the data export and the tests; cells answer no hover: areas do)
            "customdata": np.column_stack([np.asarray(density["events"], dtype=np.int64),
                                           np.asarray(density["fatalities"], dtype=np.int64)]),
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
        "text": [bidi_lines(f"{esc(label)}: {int(p):,} {lay.flow_unit}<br>{lay.period_text}<br>{t('Source')}: "
                            f"{_orgs(s, lay.organisations)}", t.lang)
                 for label, p, s in zip(flows["label"], persons, sources)],
        "marker": {"angle": np.round(heads[:, 2], 1), "size": (8 + 3 * cls).astype(float)},
        "visible": visible, "meta": {"sources": sorted({x for s in sources for x in s.split(",") if x})},
    }
    return props


PARTS = ("areas", "outline", "layers", "events", "flows", "title", "frame", "scalebar")


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
    if lay.frame is not None:
        if "frame" in parts:
            layout.update(frame_layout(lay.frame, lay.frame_revision))
        if "scalebar" in parts:
            props["scalebar"] = scale_bar(lay.frame, t)
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

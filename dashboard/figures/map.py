"""The map of Idlib and the Turkish border, drawn from our own vector layers on a plotly `geo`
subplot: no tile server, nothing fetched from the internet (the base topojson is served from
assets/topojson/), and it exports as vector graphics.

Layers: admin areas of the chosen level (governorates by default, Idleb emphasised; with COD-AB
loaded also districts and sub-districts), drawn as a choropleth of the chosen indicator where
figures carry P-codes (areas without data drawn apart from zero); hover lists the figures of the
area and of its sub-areas for the selected period. Then the Syria–Türkiye border line, border
crossings and towns.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

from dashboard.figures.common import FONT, fmt_period, fmt_value
from dashboard.figures.series import DISPLACEMENT_UNITS
from dashboard.i18n import Translate

FOCUS = "SY07"
VIEW = {"lon": (35.0, 40.6), "lat": (34.75, 37.55)}
PRECISION_NOTE = {
    "crossing": "position of the crossing",
    "nearest_town": "position of the nearest town (crossing not located exactly)",
}


def clockwise(geom):
    """plotly's geo Choropleth needs clockwise exterior rings (RFC 7946 order draws inverted)."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    return geom


def area_geojson(areas: gpd.GeoDataFrame) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": pcode, "properties": {"pcode": pcode}, "geometry": mapping(clockwise(geom))}
            for pcode, geom in zip(areas["pcode"], areas.geometry)
        ],
    }


def line_coords(geoms) -> tuple[list, list]:
    """lon/lat lists of all line parts, separated by None, for a Scattergeo line trace."""
    lons, lats = [], []
    for geom in geoms:
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            ring = part.exterior if isinstance(part, Polygon) else part
            xs, ys = ring.xy
            lons += list(xs) + [None]
            lats += list(ys) + [None]
    return lons, lats


def in_sentence(label: str) -> str:
    """'People displaced' -> 'people displaced'; acronyms such as 'IDP arrivals' stay."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def area_figure_lines(displacement: pd.DataFrame, sources: pd.DataFrame, width: int, t: Translate, limit=6) -> dict:
    """Hover lines per area P-code (the first `width` characters): the figures of the area and of
    its sub-areas, oldest first, at most `limit` then '… and n more'. Computed once per view."""
    rows = displacement[(displacement["pcode"].str.len() >= width).fillna(False)]
    if rows.empty:
        return {}
    rows = rows.merge(sources[["source_id", "organisation"]], on="source_id", how="left").sort_values("period_start")
    lines = {}
    for key, group in rows.groupby(rows["pcode"].str.slice(0, width), sort=False):
        texts = [
            f"{fmt_value(r.value, r.qualifier, r.low, r.high)} {in_sentence(t(DISPLACEMENT_UNITS[r.unit]))}, "
            f"{r.area_en}, {fmt_period(r.period_start, r.period_end)} ({r.organisation})"
            for r in group.head(limit).itertuples()
        ]
        if len(group) > limit:
            texts.append(t("… and {n} more").format(n=len(group) - limit))
        lines[key] = texts
    return lines


def _area_hover(areas, displacement, sources, values, unit_label, t: Translate) -> list[str]:
    hover = []
    width = int(areas["pcode"].str.len().max()) if len(areas) else 4
    by_area = area_figure_lines(displacement, sources, width, t)
    for r in areas.itertuples():
        lines = by_area.get(r.pcode, [])
        body = "<br>".join(lines) if lines else t("No displacement figures for this area in the selected period")
        head = f"<b>{r.name_en}</b>{' · ' + r.name_ar if isinstance(r.name_ar, str) else ''} ({r.pcode})"
        if values is not None:
            value = values.get(r.pcode)
            head += "<br>" + (f"{unit_label}: {int(value):,}" if value is not None and pd.notna(value) else t("No data"))
        hover.append(f"{head}<br>{body}")
    return hover


def _choropleth(areas, values, unit_label, hover, t: Translate) -> list[go.Choropleth]:
    """Areas with a value on a sequential scale; areas without data hatched grey, not zero."""
    geojson = area_geojson(areas)
    if values is None or values.dropna().empty:
        return [go.Choropleth(
            geojson=geojson, locations=areas["pcode"], featureidkey="id",
            z=areas["pcode"].str.startswith(FOCUS).astype(int), zmin=0, zmax=1,
            colorscale=[[0, "#eeeeea"], [1, "#f6c89f"]], showscale=False,
            marker={"line": {"color": "#777", "width": 0.8}}, hovertext=hover, hoverinfo="text",
            name=t("Areas"),
        )]
    z = areas["pcode"].map(values)
    has = z.notna().to_numpy()
    hover = pd.Series(hover, index=areas.index)
    return [
        go.Choropleth(
            geojson=geojson, locations=areas["pcode"][~has], featureidkey="id", z=[0] * int((~has).sum()),
            colorscale=[[0, "#f2f2f2"], [1, "#f2f2f2"]], showscale=False, marker={"line": {"color": "#999", "width": 0.6}},
            hovertext=hover[~has], hoverinfo="text", name=t("No data"),
        ),
        go.Choropleth(
            geojson=geojson, locations=areas["pcode"][has], featureidkey="id", z=z[has],
            colorscale="YlOrRd", marker={"line": {"color": "#666", "width": 0.6}},
            colorbar={"title": {"text": unit_label}, "thickness": 12, "len": 0.6, "tickformat": ",d"},
            hovertext=hover[has], hoverinfo="text", name=unit_label,
        ),
    ]


def map_figure(
    areas, countries, border, crossings, places, displacement, sources, t: Translate,
    values: pd.Series | None = None, unit_label: str = "",
) -> go.Figure:
    """`areas`: the admin areas of the chosen level; `values`: an indicator by P-code, or None."""
    fig = go.Figure()
    hover = _area_hover(areas, displacement, sources, values, unit_label, t)
    fig.add_traces(_choropleth(areas, values, unit_label, hover, t))
    tur = countries[countries["iso3"] == "TUR"]
    lons, lats = line_coords(tur.geometry)
    fig.add_trace(go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#999", "width": 1},
        name=t("Türkiye"), hoverinfo="skip", showlegend=False,
    ))
    lons, lats = line_coords(border.geometry)
    fig.add_trace(go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": "#C0392B", "width": 3.5},
        name=t("Syria–Türkiye border"), hoverinfo="name",
    ))
    towns = places[places.geometry.notna()]
    fig.add_trace(go.Scattergeo(
        lon=towns.geometry.x, lat=towns.geometry.y, mode="markers",
        marker={"size": 4, "color": "#333", "opacity": 0.7}, name=t("Towns (GeoNames)"),
        hovertext=[
            f"{n}{' · ' + a if isinstance(a, str) else ''}<br>"
            + (t("Population {n}").format(n=f"{int(p):,}") if pd.notna(p) else t("Population not recorded"))
            for n, a, p in zip(towns["name_en"], towns["name_ar"].astype(object).where(towns["name_ar"].notna(), None), towns["population"])
        ],
        hoverinfo="text",
    ))
    located = crossings[crossings.geometry.notna() & ~crossings.geometry.is_empty]
    fig.add_trace(go.Scattergeo(
        lon=located.geometry.x, lat=located.geometry.y, mode="markers",
        marker={"size": 12, "symbol": "diamond", "color": "#1B4F72", "line": {"color": "white", "width": 1}},
        name=t("Border crossings"),
        hovertext=[
            f"<b>{r.name_en}</b> · {r.name_ar} / {r.name_tr}<br>{t(PRECISION_NOTE[r.precision])}"
            for r in located.itertuples()
        ],
        hoverinfo="text",
    ))
    fig.update_geos(
        projection_type="mercator", resolution=50,
        lonaxis_range=list(VIEW["lon"]), lataxis_range=list(VIEW["lat"]), fitbounds=False,
        showland=True, landcolor="#f7f7f4", showocean=True, oceancolor="#dce9f2",
        showcountries=True, countrycolor="#aaa", showcoastlines=True, coastlinecolor="#8aa",
        showlakes=True, lakecolor="#dce9f2", showframe=False,
    )
    fig.update_layout(
        title={"text": t("Idlib and the Syria–Türkiye border"), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 12}, height=560, margin={"l": 0, "r": 0, "t": 40, "b": 0},
        legend={"orientation": "h", "y": -0.02, "x": 0},
    )
    return fig

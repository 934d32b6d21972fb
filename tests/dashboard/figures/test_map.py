"""The map figure: fixed trace order, values only in the dynamic part, direction of flows,
sources of every visible trace."""
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from dashboard.figures.classes import classify
from dashboard.figures.map import (
    TRACE,
    MapBase,
    MapLayers,
    arc,
    base_figure,
    clockwise,
    dynamic_props,
    figure_sources,
    map_figure,
    width_classes,
)
from dashboard.i18n import translator

t = translator("en")


def gdf(rows, geoms):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:4326")


@pytest.fixture
def base():
    areas = gdf({"pcode": ["SY07", "SY02"], "name_en": ["Idleb", "Aleppo"], "name_ar": ["إدلب", "حلب"],
                 "source_id": ["cod", "cod"]}, [box(36.0, 35.5, 37.0, 36.3), box(37.0, 35.8, 38.5, 36.7)])
    countries = gdf({"iso3": ["TUR", "SYR"], "source_id": ["ne", "ne"]},
                    [box(35.5, 36.5, 40.0, 37.5), box(35.5, 32.5, 42.0, 36.5)])
    border = gdf({"name_en": ["border"], "source_id": ["ne"]}, [LineString([(36.0, 36.5), (39.0, 36.7)])])
    bands = gdf({"distance_km": [10, 25], "source_id": ["ne", "ne"]},
                [LineString([(36.0, 36.4), (39.0, 36.6)]), LineString([(36.0, 36.3), (39.0, 36.5)])])
    crossings = gdf({"name_en": ["Bab al-Hawa"], "name_ar": ["باب الهوى"], "name_tr": ["Cilvegözü"],
                     "precision": ["crossing"], "source_id": ["wiki"]}, [Point(36.69, 36.23)])
    towns = gdf({"name_en": ["Dana"], "name_ar": ["دانا"], "population": [1000], "source_id": ["geonames"]},
                [Point(36.77, 36.21)])
    return MapBase(areas, countries, border, bands, crossings, towns, None, level=1)


def layers(**kw):
    values = pd.DataFrame({"pcode": ["SY07"], "value": [120.0], "sources": ["acled,ucdp"], "detail": [""]})
    flows = pd.DataFrame({"o_lon": [36.5, 37.5], "o_lat": [35.7, 36.0], "d_lon": [36.7, 37.1], "d_lat": [36.2, 36.6],
                          "persons": [500, 90], "sources": ["cccm", "cccm"], "label": ["A → B", "C → D"]})
    events = pd.DataFrame({"lon": [36.5], "lat": [35.9], "event_type": ["Battles"], "fatalities": [3],
                           "date_start": [pd.Timestamp("2020-02-03")], "dataset": ["ACLED"], "source_id": ["acled"]})
    base_kw = dict(values=values, classes=classify([120.0, 30.0]), indicator_label="Conflict events",
                   period_text="Period: Feb 2020", events=events, event_types=("Battles",), flows=flows,
                   flow_unit="displacements", layers=("border", "crossings", "events", "flows"),
                   organisations={"acled": "ACLED", "ucdp": "UCDP", "cccm": "CCCM"})
    return MapLayers(**{**base_kw, **kw})


def test_dynamic_part_carries_no_geometry(base):
    dyn = dynamic_props(base, layers(), t)
    text = json.dumps(dyn, default=str)
    assert "coordinates" not in text and "FeatureCollection" not in text
    assert set(dyn["data"]) <= set(TRACE.values())


def test_full_figure_keeps_trace_order_and_geometry(base):
    fig = map_figure(base, layers(), t)
    assert len(fig.data) == len(TRACE)
    assert fig.data[TRACE["areas"]].type == "choropleth" and fig.data[TRACE["areas"]].geojson["features"]
    # area without a value is class 0 ("No data"), not zero
    areas = fig.data[TRACE["areas"]]
    z = dict(zip(areas.locations, areas.z))
    assert z["SY02"] == 0 and z["SY07"] >= 2
    hover = dict(zip(areas.locations, areas.customdata))
    assert "120" in hover["SY07"][0] and "ACLED; UCDP" in hover["SY07"][2]
    assert "no data" in hover["SY02"][0]
    assert "إدلب" in areas.text[0]


def test_sources_of_visible_traces_only(base):
    fig = map_figure(base, layers(layers=("border",)), t)
    ids = figure_sources(fig)
    assert "cccm" not in ids and "acled" in ids  # flows hidden; the choropleth's values are from ACLED/UCDP
    assert {"cod", "ne"} <= set(ids)
    shown = figure_sources(map_figure(base, layers(), t))
    assert {"cccm", "acled", "wiki"} <= set(shown)


def test_layers_toggle_visibility_only(base):
    on = dynamic_props(base, layers(), t)["data"]
    off = dynamic_props(base, layers(layers=()), t)["data"]
    assert on[TRACE["border"]]["visible"] is True and off[TRACE["border"]]["visible"] is False
    assert off[TRACE["flow0"]]["visible"] is False and off[TRACE["arrows"]]["visible"] is False


def test_arc_runs_from_origin_to_destination_with_arrow_pointing_along_it():
    xs, ys, (ax, ay, bearing) = arc(36.0, 35.0, 36.0, 36.0)  # due north
    assert (xs[0], ys[0]) == (36.0, 35.0) and (xs[-1], ys[-1]) == (36.0, 36.0)
    assert 35.0 < ay < 36.0
    assert bearing < 60 or bearing > 300  # roughly north (the arc is bent)
    _, _, (_, _, east) = arc(36.0, 35.0, 37.0, 35.0)  # due east
    assert 45 < east < 135


def test_flows_go_in_three_width_classes_not_one_trace_per_line(base):
    many = pd.DataFrame({"o_lon": np.linspace(36, 37, 30), "o_lat": [35.6] * 30, "d_lon": [36.7] * 30,
                         "d_lat": [36.2] * 30, "persons": np.arange(1, 31) * 100, "sources": ["cccm"] * 30,
                         "label": [f"f{i}" for i in range(30)]})
    fig = map_figure(base, layers(flows=many), t)
    lines = [fig.data[TRACE[f"flow{i}"]] for i in range(3)]
    assert sum(int(np.isnan(np.asarray(tr.lon, dtype=float)).sum()) for tr in lines) == 30  # one gap per arc
    assert lines[0].line.width < lines[1].line.width < lines[2].line.width
    assert len(fig.data[TRACE["arrows"]].lon) == 30
    cls, bounds = width_classes(many["persons"])
    assert bounds[0][1] < bounds[1][0] <= bounds[1][1] < bounds[2][0]


def test_clockwise_rings_for_plotly_geo():
    ccw = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    assert ccw.exterior.is_ccw and not clockwise(ccw).exterior.is_ccw


def test_base_figure_has_every_layer_even_without_data(base):
    fig = base_figure(base, t)
    assert [tr.type for tr in fig.data].count("scattergeo") == len(TRACE) - 2  # all but land and areas
    assert fig.data[TRACE["land"]].type == "choropleth" and TRACE["land"] < TRACE["areas"]  # drawn under


def test_the_scale_bars_label_stands_above_the_bar_and_its_ticks():
    """The label is its own point at the ticks' top (text drawn above it), never on the bar, where
    Arabic letters reaching below the baseline touched the line; the bar is a round length."""
    from dashboard.figures.map import SCALE_KM, scale_bar
    from dashboard.i18n import translator

    for lang in ("en", "ar"):
        bar = scale_bar((35.9, 35.6, 37.3, 36.9), translator(lang))
        (label,) = [t for t in bar["text"] if t]
        at = bar["text"].index(label)
        line_lats = [lat for i, lat in enumerate(bar["lat"]) if lat is not None and i != at]
        assert bar["lat"][at] >= max(line_lats)
        assert bar["lon"][at - 1] is None and bar["lat"][at - 1] is None  # not joined to the bar
        km = int(label.split()[0])
        assert km in SCALE_KM and ("كم" in label) == (lang == "ar")

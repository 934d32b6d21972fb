"""The map's geometry per warehouse version and admin level: the areas of the level (cut to a box a
little larger than the map's view), the border and its bands, crossings, towns and camps, and the
base figure drawn from them (every trace, values empty). Cached per version, level and language;
never changed after it is made."""
from __future__ import annotations

from functools import lru_cache

from shapely.geometry import Point, box

from dashboard.data.warehouse import Warehouse
from dashboard.figures.map import TRACE, MapBase, base_figure
from dashboard.i18n import translator

MAP_BBOX = (35.0, 34.6, 40.8, 37.7)  # lon/lat box of the map's areas: north-west Syria and the border
CLIP = box(34.7, 34.4, 41.0, 37.9)  # areas are cut to a box a little larger than the map's view
CAMP_KINDS = ("camp", "site", "reception_centre", "collective_centre")


def _areas_table(wh: Warehouse, level: int) -> str:
    """The table the map draws a level's areas from: the web copy when it holds the level."""
    web = wh.frames.get("admin_areas_web")
    return "admin_areas_web" if web is not None and (web["level"] == level).any() else "admin_areas"


def _areas(wh: Warehouse, level: int):
    """The areas of a level in the map's box, cut to a box a little larger (the web copy when loaded)."""
    source = wh[_areas_table(wh, level)]
    areas = source[source["level"] == level]
    areas = areas.cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]].copy()
    # what lies far outside the view is never seen and only costs bytes; neighbours cut by the same
    # box keep their shared edges
    areas["geometry"] = areas.geometry.intersection(CLIP)
    return areas


@lru_cache(maxsize=12)
def map_base(wh: Warehouse, level: int) -> MapBase:
    areas = _areas(wh, level)
    governorates = areas if level == 1 else _areas(wh, 1)
    towns = wh["places"].cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]]
    locations = wh.frames.get("locations")
    camps = None
    if locations is not None and len(locations):
        camps = locations[locations["kind"].isin(CAMP_KINDS) & locations.geometry.notna()]
        camps = camps.cx[MAP_BBOX[0]:MAP_BBOX[2], MAP_BBOX[1]:MAP_BBOX[3]]
    return MapBase(
        areas=areas.reset_index(drop=True), countries=wh["countries"], border=wh["border"],
        bands=wh.frames.get("border_bands"), crossings=wh["crossings"], towns=towns, camps=camps, level=level,
        governorates=governorates.reset_index(drop=True),
    )


@lru_cache(maxsize=12)
def base_dict(wh: Warehouse, level: int, lang: str) -> dict:
    """The base figure of a level as the dict Dash sends (its geometry), in `lang`."""
    return base_figure(map_base(wh, level), translator(lang)).to_plotly_json()


def area_at(wh: Warehouse, level: int, point: dict) -> str | None:
    """The admin area a click on the map points at: the clicked area itself, or the area under a
    clicked event, cell, town or flow arrow."""
    if point.get("curveNumber") == TRACE["areas"] and point.get("location"):
        return str(point["location"])
    lon, lat = point.get("lon"), point.get("lat")
    if lon is None or lat is None:
        return None
    if not CLIP.contains(Point(float(lon), float(lat))):  # the map's areas are cut to CLIP
        return None
    return wh.area_at(_areas_table(wh, level), level, float(lon), float(lat))

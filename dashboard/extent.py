"""The map's extent and its density grid, shared by the queries and the figure builders."""
from __future__ import annotations

VIEW = {"lon": (35.0, 40.6), "lat": (34.75, 37.55)}  # north-west Syria and the border, lon/lat
IN_VIEW = f"lon BETWEEN {VIEW['lon'][0]} AND {VIEW['lon'][1]} AND lat BETWEEN {VIEW['lat'][0]} AND {VIEW['lat'][1]}"
CELL_DEGREES = 0.1  # the map's density cells (about 10 km)

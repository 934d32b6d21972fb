"""The map's extent, its density grid and how many event points it draws: constants shared by the
queries (dashboard/data/) and the figure builders (dashboard/figures/), which import nothing else
of each other."""
from __future__ import annotations

VIEW = {"lon": (35.0, 40.6), "lat": (34.75, 37.55)}  # north-west Syria and the border, lon/lat
IN_VIEW = f"lon BETWEEN {VIEW['lon'][0]} AND {VIEW['lon'][1]} AND lat BETWEEN {VIEW['lat'][0]} AND {VIEW['lat'][1]}"
CELL_DEGREES = 0.1  # the map's density cells (about 10 km)
POINT_LIMIT = 1500  # more conflict events in view than this are drawn as a density of cells

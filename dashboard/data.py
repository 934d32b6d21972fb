"""Read-only access to the live warehouse version, with no Dash imports.

Tables are loaded once per published version and shared read-only; callers must not mutate
them (the figure builders copy what they change).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.config import Settings
from etl.core.warehouse import live_version, open_version

TABLES = (
    "admin_areas", "countries", "border", "crossings", "places", "sources",
    "displacement", "casualties", "refugees", "idp_stock", "timeline",
)
OPTIONAL = ("admin_areas_web", "events", "locations")


@dataclass(frozen=True)
class Warehouse:
    version: str
    built_at: str
    code_version: str
    frames: dict

    def __getitem__(self, name: str) -> pd.DataFrame | gpd.GeoDataFrame:
        return self.frames[name]


@lru_cache(maxsize=2)
def _load(root: str, version: str) -> Warehouse:
    live = open_version(Path(root), version)
    frames = {name: live.read(name) for name in TABLES}
    for name in OPTIONAL:
        if name in live.manifest["tables"]:
            frames[name] = live.read(name)
    return Warehouse(live.name, live.built_at, live.manifest["code_version"], frames)


def warehouse(root: Path | None = None) -> Warehouse:
    """The live version; a newly published version is picked up on the next call."""
    root = root or Settings.from_env().warehouse_dir
    return _load(str(root), live_version(root))

"""Border crossings from the US Department of State's Humanitarian Information Unit (HIU):
'Syria_BorderCrossings_<date>_HIU_USDoS' zipped shapefiles (https://hiu.state.gov/data ; US
Government work, public domain; cite "Humanitarian Information Unit, U.S. Department of State").

Reads: the zipped shapefile (or the .shp), a point layer with NAME, LAT_DD, LONG_DD (EPSG:4326).
Writes: crossings (crossing_id 'hiu-<slug of NAME>', name_en = NAME, precision 'crossing',
point geometry, source_id). HIU lists every crossing of Syria's borders (Türkiye, Iraq, Jordan,
Lebanon); all are loaded. Names with encoding damage are repaired where possible.
Options: none.
"""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from etl.contracts import CROSSINGS
from etl.core import limits
from etl.core.contracts import validate
from etl.core.issues import Issues, SourceError
from etl.core.names import repaired
from etl.core.spec import SourceSpec

TABLES = ("crossings",)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def crossing_ids(names) -> list[str]:
    """'hiu-<slug of NAME>', made unique with the feature's row where names repeat or have no
    Latin letters (an Arabic-only name)."""
    ids = []
    for row, name in enumerate(names, start=1):
        base = slug(name) if isinstance(name, str) else ""
        ids.append(f"hiu-{base}" if base else (f"hiu-{row}" if isinstance(name, str) and name.strip() else ""))
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid and cid in seen:
            ids[i] = f"{cid}-{i + 1}"
        seen.setdefault(cid, i)
    return ids


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    location = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        info = pyogrio.read_info(location)
    except Exception as exc:  # GDAL raises several types; the message is what matters
        raise SourceError(path.name, f"expected a zipped point shapefile of HIU border crossings: {exc}") from None
    limits.check_layer(info, path.name)
    try:
        layer = gpd.read_file(location)
    except Exception as exc:  # GDAL raises several types; the message is what matters
        raise SourceError(path.name, f"expected a zipped point shapefile of HIU border crossings: {exc}") from None
    if "NAME" not in layer.columns:
        raise SourceError(path.name, f"row 1: expected a NAME column; found {', '.join(map(str, layer.columns))}")
    layer = layer.to_crs("EPSG:4326") if layer.crs is not None else layer.set_crs("EPSG:4326")
    names = repaired(layer["NAME"])
    points = [g if g is not None and g.geom_type == "Point" and not g.is_empty else None for g in layer.geometry]
    raw = pd.DataFrame({
        "crossing_id": crossing_ids(names),
        "name_en": names,
        "lat": [f"{g.y:.6f}" if g is not None else "" for g in points],
        "lon": [f"{g.x:.6f}" if g is not None else "" for g in points],
        "precision": "crossing",
        "coord_source_id": spec.name,
    }, dtype="string")
    # a feature's row is its position in the layer, counted from 1 (a shapefile's FID + 1)
    raw.index = range(len(raw))
    good = validate(raw, CROSSINGS, path.name, issues, first_row=1)
    missing = good["lat"].isna()
    for row in good.index[missing]:
        issues.add("crossings", path.name, int(row), "geometry", None, "expected a point")
    good = good[~missing]
    geometry = gpd.points_from_xy(good["lon"].astype("float64"), good["lat"].astype("float64"))
    out = good.drop(columns=["lat", "lon"]).rename(columns={"coord_source_id": "source_id"})
    return {"crossings": gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326").reset_index(drop=True)}

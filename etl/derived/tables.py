"""The six derived tables of a run (see etl/derived/__init__.py), built from the canonical tables
after the joins. `build` is pure (no I/O), so the benchmark generator calls it on synthetic tables
too; tables it is not given count as empty.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.contracts import (
    ADMIN_AREAS,
    BORDER_MOVEMENT,
    DERIVED_TABLES,
    DISPLACEMENT,
    EVENTS,
    IDP_STOCK,
    LOCATIONS,
    SUB_DISTRICT,
)
from etl.core.contracts import Contract
from etl.core.geo import WGS84
from etl.core.issues import Issues
from etl.derived.area_metrics import area_metrics, area_points
from etl.derived.area_stocks import area_stocks
from etl.derived.border_bands import border_bands
from etl.derived.border_movement import summarise_border_movement
from etl.derived.events_monthly import events_monthly
from etl.derived.moves import build_moves
from etl.derived.schema import conform, empty

TABLES = ("area_metrics", "moves", "border_movement", "border_bands", "events_monthly", "area_stocks")
GEOMETRY_TABLES = ("border_bands",)
# the canonical tables each derived table is computed from (their source files go into the manifest)
INPUTS = {
    "area_metrics": ("admin_areas", "border"),
    "moves": ("displacement", "admin_areas", "border", "locations"),
    "border_movement": ("displacement", "admin_areas", "border", "locations"),
    "border_bands": ("border", "countries"),
    "events_monthly": ("events",),
    "area_stocks": ("idp_stock", "population", "locations"),
}
SUMMARY_BY = ["period_start", "period_end", "source_id", "unit", "basis"]


def _input(tables: dict[str, pd.DataFrame], name: str, contract: Contract | None = None,
           geometry: bool = False) -> pd.DataFrame:
    """tables[name], or an empty frame with the columns the derivations read."""
    frame = tables.get(name)
    if frame is not None:
        return frame
    frame = contract.empty() if contract is not None else pd.DataFrame({"source_id": pd.Series(dtype="string")})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84) if geometry else frame


def build(tables: dict[str, pd.DataFrame], issues: Issues) -> dict[str, pd.DataFrame]:
    """The six derived tables (TABLES), from the canonical tables of a run (after the joins);
    empty tables with the right columns where nothing feeds them."""
    admin_areas = _input(tables, "admin_areas", ADMIN_AREAS, geometry=True)
    border_lines = _input(tables, "border", geometry=True)
    locations = _input(tables, "locations", LOCATIONS, geometry=True)
    points = area_points(admin_areas, border_lines)
    moved = build_moves(_input(tables, "displacement", DISPLACEMENT), points, locations, border_lines, issues)
    return {
        "area_metrics": area_metrics(points),
        "moves": moved,
        "border_movement": conform(summarise_border_movement(sub_district_moves(moved), SUMMARY_BY), BORDER_MOVEMENT),
        "border_bands": border_bands(border_lines, _input(tables, "countries", geometry=True), issues),
        "events_monthly": events_monthly(_input(tables, "events", EVENTS, geometry=True)),
        "area_stocks": area_stocks(with_population(_input(tables, "idp_stock", IDP_STOCK), tables.get("population")),
                                   locations, issues),
    }


def with_population(idp_stock: pd.DataFrame, population: pd.DataFrame | None) -> pd.DataFrame:
    """The stocks with the population table's figures as stocks of unit 'population' (so that areas
    get their population, summed from their parts where the source published finer areas only)."""
    if population is None or population.empty:
        return idp_stock
    rows = pd.DataFrame({
        "fact_id": population["fact_id"], "date": population["date"], "area_en": population["area_en"],
        "area_ar": pd.Series(pd.NA, index=population.index, dtype="string"), "pcode": population["pcode"], "value": population["population"], "qualifier": population["qualifier"],
        "unit": "population", "source_id": population["source_id"], "note": population["note"],
        "adm3_pcode": pd.Series(pd.NA, index=population.index, dtype="string"),
    })
    return pd.concat([idp_stock, rows.astype(idp_stock.dtypes.to_dict())], ignore_index=True)


def sub_district_moves(moves: pd.DataFrame) -> pd.DataFrame:
    """The moves whose destination is known at sub-district level (what the border summary counts)."""
    return moves[moves["dest_pcode"].str.fullmatch(SUB_DISTRICT).fillna(False).astype(bool)]


def empty_table(name: str) -> pd.DataFrame:
    """An empty derived table with its columns and dtypes."""
    contract = next(c for c in DERIVED_TABLES if c.table == name)
    return empty(contract, geometry=name in GEOMETRY_TABLES)

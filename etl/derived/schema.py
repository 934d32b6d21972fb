"""Columns and dtypes of the tables the ETL derives (etl/derived/tables.py), from their contracts
in etl/contracts.py: text as pandas "string", whole numbers as "Int64", dates as
"datetime64[s]", and numbers as numpy "float64" with NaN where a distance or a share cannot be
computed (no geometry, no persons). Geometry tables add `geometry` (EPSG:4326).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.core.contracts import Contract
from etl.core.geo import WGS84

DTYPES = {"str": "string", "int": "Int64", "float": "float64", "date": "datetime64[s]", "bool": "boolean"}


def dtypes(contract: Contract) -> dict[str, str]:
    return {c.name: DTYPES[c.kind] for c in contract.columns}


def conform(frame: pd.DataFrame, contract: Contract, geometry: bool = False) -> pd.DataFrame:
    """The contract's columns, in its order, with their dtypes (and `geometry` last when asked);
    a fresh RangeIndex. Missing columns are an error: the derivation forgot one."""
    missing = [c for c in contract.names if c not in frame.columns]
    if missing:
        raise ValueError(f"{contract.table}: derived frame lacks column(s) {', '.join(missing)}")
    out = pd.DataFrame({name: _cast(frame[name], dtype) for name, dtype in dtypes(contract).items()})
    out = out.reset_index(drop=True)
    if geometry:
        return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(frame.geometry.to_numpy(), crs=WGS84), crs=WGS84)
    return out


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == "float64" and series.dtype != "float64":
        values = pd.to_numeric(series, errors="raise").astype("Float64").to_numpy("float64", na_value=float("nan"))
        return pd.Series(values, index=series.index)
    return series.astype(dtype)


def empty(contract: Contract, geometry: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes(contract).items()})
    if geometry:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return frame


def column_or_na(frame: pd.DataFrame, name: str, dtype: str = "string") -> pd.Series:
    """frame[name], or an all-NA column when the frame lacks it (raw, unjoined events)."""
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=dtype)

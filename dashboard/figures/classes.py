"""Classed map legends: values put into a few classes (quantiles, with mapclassify), plus a class
for zero and one for missing data, so that "nothing reported" never looks like "none".
"""
from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

NO_DATA_COLOR = "#c8c8c8"
ZERO_COLOR = "#fffbe0"
# ColorBrewer YlOrRd: sequential, light to dark, readable with the common colour-vision deficiencies
CLASS_COLORS = ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


@dataclass(frozen=True)
class Classes:
    bins: tuple[float, ...]  # upper bound of each positive class
    labels: tuple[str, ...]  # "No data", "0", then one per positive class
    colors: tuple[str, ...]
    decimals: int = 0

    @property
    def count(self) -> int:
        return len(self.labels)


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def classify(pooled, k: int = 5, decimals: int = 0, no_data: str = "No data", zero: str = "0") -> Classes:
    """Quantile classes of the positive values in `pooled` (fewer classes when there are fewer
    distinct values)."""
    values = np.asarray(pooled, dtype="float64")
    positive = values[np.isfinite(values) & (values > 0)]
    if decimals == 0:
        positive = np.round(positive)
    distinct = np.unique(positive)
    if len(distinct) == 0:
        bins: list[float] = []
    elif len(distinct) <= k:
        bins = [float(v) for v in distinct]
    else:
        raw = mapclassify.Quantiles(positive, k=k).bins
        bins = sorted({float(np.floor(b)) if decimals == 0 else round(float(b), decimals) for b in raw})
    labels = [no_data, zero]
    lower = 1.0 if decimals == 0 else 0.0
    for upper in bins:
        if decimals == 0:
            labels.append(_fmt(upper, 0) if lower >= upper else f"{_fmt(lower, 0)}–{_fmt(upper, 0)}")
            lower = upper + 1
        else:
            labels.append(f"{_fmt(lower, decimals)}–{_fmt(upper, decimals)}")
            lower = upper
    colors = (NO_DATA_COLOR, ZERO_COLOR, *_spread(CLASS_COLORS, len(bins)))
    return Classes(tuple(bins), tuple(labels), colors, decimals)


def _spread(palette: tuple[str, ...], n: int) -> tuple[str, ...]:
    """n colours from the palette, keeping its light and dark ends."""
    if n <= 0:
        return ()
    if n >= len(palette):
        return palette
    idx = np.round(np.linspace(0, len(palette) - 1, n)).astype(int)
    return tuple(palette[i] for i in idx)


def class_index(values: pd.Series, classes: Classes) -> np.ndarray:
    """0 for missing, 1 for zero, 2.. for the positive classes (the last class takes anything
    above its bound, e.g. a value added after the classes were made)."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    if classes.decimals == 0:
        v = np.round(v)
    out = np.zeros(len(v), dtype=int)
    present = np.isfinite(v)
    out[present & (v <= 0)] = 1
    positive = present & (v > 0)
    if classes.bins:
        pos = np.searchsorted(np.asarray(classes.bins), v[positive], side="left")
        out[positive] = 2 + np.minimum(pos, len(classes.bins) - 1)
    else:
        out[positive] = 1
    return out


def stepped_colorscale(colors: tuple[str, ...]) -> list[list]:
    """A colour scale with one flat band per class, for z = class index 0..n-1."""
    n = len(colors)
    scale = []
    for i, color in enumerate(colors):
        scale += [[i / n, color], [(i + 1) / n, color]]
    return scale

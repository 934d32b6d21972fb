"""Direct labels: the name and value of each line written at its end, in its colour, never over
another label.

Labels are annotations pointing at the line's last point with a short leader. Their vertical
places are computed here, in pixels, from the plot's height (which the figure sets), so the
result does not depend on the width the browser gives the chart: all the labels of one plot are
kept at least `LINE_PX` apart vertically (a one-dimensional dodge), whatever their x. A label
sits right of its point in the left part of the plot and left of it in the right part, so that
it is never cut at the plot's edge. Plain arithmetic on a few labels: no text is measured, and
plotly's automargin (which draws a chart twice) is not used.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LABEL_FONT = 11
LINE_PX = 17  # a label's height at 11 px (15 px) and a gap, so that two never touch
LEFT_PART = 0.62  # a label whose point lies further right than this share of the x axis goes left of it


@dataclass(frozen=True)
class Label:
    x: str  # the point labelled (a date on the x axis)
    y: float
    text: str
    colour: str
    yref: str = "y"
    priority: float = 0.0  # kept first when the plot cannot hold them all (larger first)


def _fraction(x, x_range) -> float:
    lo, hi = (pd.Timestamp(v) for v in x_range)
    span = (hi - lo).total_seconds() or 1.0
    return min(1.0, max(0.0, (pd.Timestamp(x) - lo).total_seconds() / span))


def dodge(wanted: list[float], plot_px: float, step: float = LINE_PX) -> list[float]:
    """Positions (px from the top) as close as possible to `wanted`, in the same order, each at
    least `step` from the next and all within [step/2, plot_px - step/2]."""
    if not wanted:
        return []
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    top, bottom = step / 2, max(step / 2, plot_px - step / 2)
    placed = [min(max(wanted[i], top), bottom) for i in order]
    for k in range(1, len(placed)):  # down: each below the previous
        placed[k] = max(placed[k], placed[k - 1] + step)
    if placed[-1] > bottom:  # up from the bottom where they ran out of room
        placed[-1] = bottom
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - step)
    out = [0.0] * len(wanted)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def annotations(labels: list[Label], x_range, y_range, plot_px: float) -> list[dict]:
    """Annotations for the labels of one plot whose y axis spans `y_range` over `plot_px` pixels:
    as many as fit (by priority), none within LINE_PX of another."""
    lo, hi = float(y_range[0]), float(y_range[1])
    span = (hi - lo) or 1.0
    fit = max(1, int(plot_px // LINE_PX))
    kept = sorted(labels, key=lambda lab: -lab.priority)[:fit]
    wanted = [plot_px * (1 - (min(max(lab.y, lo), hi) - lo) / span) for lab in kept]
    placed = dodge(wanted, plot_px)
    out = []
    for lab, want, at in zip(kept, wanted, placed):
        right_side = _fraction(lab.x, x_range) <= LEFT_PART
        out.append({
            "x": lab.x, "y": lab.y, "xref": "x", "yref": lab.yref, "text": lab.text, "showarrow": True,
            "arrowhead": 0, "arrowwidth": 1, "arrowcolor": lab.colour, "standoff": 3,
            "ax": 10 if right_side else -10, "ay": round(at - want, 1), "axref": "pixel", "ayref": "pixel",
            "xanchor": "left" if right_side else "right", "yanchor": "middle", "align": "left" if right_side else "right",
            "font": {"size": LABEL_FONT, "color": lab.colour}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
            "name": "direct-label",
        })
    return out

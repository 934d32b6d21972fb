"""Direct labels: the name and value of each line written at its end, in its colour, never over
another label.

Labels are annotations pointing at the line's last point with a short leader. Their vertical
places are computed here, in pixels, from the plot's height (which the figure sets; on a phone,
where the legend takes more of the figure, the plot is shorter, so they are placed for that
height: a taller plot only spreads them), so the result does not depend on the width the browser
gives the chart: the labels of one plot are kept apart vertically by their heights (a
one-dimensional dodge), whatever their x. A label goes right of its point where it fits on a
phone's plot, else left of it, so that it is not cut at the plot's edge. Plain arithmetic on a
few labels (their sizes estimated from their characters): no text is measured, and plotly's
automargin (which draws a chart twice) is not used.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LABEL_FONT = 11
LINE_PX = 20  # a label line's height at 11 px (16 px, 18 px in Arabic) and a gap, so that two never touch
TEXT_LINE_PX = 16  # each further line of a label (14 px, 16 px in Arabic)
NARROW_PLOT_PX = 220  # the plot's width on a phone: a label is put on the side where it fits there
CHAR_PX = 6.7  # a character of an 11 px label (DejaVu Sans), generous
LEADER_PX = 10  # the leader from the point to the label
MARGIN_PX = (55, 15)  # what a label may take of the left and right margins


@dataclass(frozen=True)
class Label:
    x: str  # the point labelled (a date on the x axis)
    y: float
    text: str
    colour: str
    yref: str = "y"
    priority: float = 0.0  # kept first when the plot cannot hold them all (larger first)


def width(text: str) -> float:
    """A label's width in px: its longest line."""
    return max(len(line) for line in text.split("<br>")) * CHAR_PX


def right_of_point(fraction: float, text: str, plot_px: float = NARROW_PLOT_PX) -> bool:
    """Whether a label goes right of its point (at `fraction` of the x axis): where it fits on a
    phone's plot, else on the side with more room."""
    w = width(text) + LEADER_PX
    room_right = plot_px * (1 - fraction) + MARGIN_PX[1]
    room_left = plot_px * fraction + MARGIN_PX[0]
    if w <= room_right:
        return True
    if w <= room_left:
        return False
    return room_right >= room_left


def _fraction(x, x_range) -> float:
    lo, hi = (pd.Timestamp(v) for v in x_range)
    span = (hi - lo).total_seconds() or 1.0
    return min(1.0, max(0.0, (pd.Timestamp(x) - lo).total_seconds() / span))


def height(text: str) -> float:
    """A label's height in px: LINE_PX for its first line, TEXT_LINE_PX for each further one."""
    return LINE_PX + TEXT_LINE_PX * text.count("<br>")


def dodge(wanted: list[float], plot_px: float, heights: list[float] | None = None) -> list[float]:
    """Centres (px from the top) as close as possible to `wanted`, in the same order, two
    neighbours at least half their heights apart, all inside [0, plot_px]."""
    if not wanted:
        return []
    heights = heights or [LINE_PX] * len(wanted)
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    h = [heights[i] for i in order]
    placed = [min(max(wanted[i], heights[i] / 2), max(heights[i] / 2, plot_px - heights[i] / 2)) for i in order]
    for k in range(1, len(placed)):  # down: each below the previous
        placed[k] = max(placed[k], placed[k - 1] + (h[k - 1] + h[k]) / 2)
    if placed[-1] > plot_px - h[-1] / 2:  # up from the bottom where they ran out of room
        placed[-1] = plot_px - h[-1] / 2
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - (h[k] + h[k + 1]) / 2)
    out = [0.0] * len(wanted)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def annotations(labels: list[Label], x_range, y_range, plot_px: float) -> list[dict]:
    """Annotations for the labels of one plot whose y axis spans `y_range` over `plot_px` pixels:
    as many as fit (by priority), none within LINE_PX of another."""
    lo, hi = float(y_range[0]), float(y_range[1])
    span = (hi - lo) or 1.0
    kept, used = [], 0.0
    for lab in sorted(labels, key=lambda lab: -lab.priority):  # as many as the plot holds
        if used + height(lab.text) <= plot_px:
            kept.append(lab)
            used += height(lab.text)
    wanted = [plot_px * (1 - (min(max(lab.y, lo), hi) - lo) / span) for lab in kept]
    placed = dodge(wanted, plot_px, [height(lab.text) for lab in kept])
    out = []
    for lab, want, at in zip(kept, wanted, placed):
        right_side = right_of_point(_fraction(lab.x, x_range), lab.text)
        out.append({
            "x": lab.x, "y": lab.y, "xref": "x", "yref": lab.yref, "text": lab.text, "showarrow": True,
            "arrowhead": 0, "arrowwidth": 1, "arrowcolor": lab.colour, "standoff": 3,
            "ax": 10 if right_side else -10, "ay": round(at - want, 1), "axref": "pixel", "ayref": "pixel",
            "xanchor": "left" if right_side else "right", "yanchor": "middle", "align": "left" if right_side else "right",
            "font": {"size": LABEL_FONT, "color": lab.colour}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
            "name": "direct-label",
        })
    return out


# ---- the legend under a chart: how tall it is, so that the plot keeps its height -----------------

CHAR = 0.6  # mean advance of a legend character as a multiple of the font size (DejaVu Sans, generous)
ENTRY_PX = 19  # a legend line at 12 px (plotly's spacing)


def _entries(data: list[dict]) -> list[tuple[str, list[str]]]:
    """(group title, entry names) per legend group, in trace order."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for trace in data:
        if trace.get("showlegend") is False or trace.get("visible", True) is False or not trace.get("name"):
            continue
        key = trace.get("legendgroup") or trace["name"]
        title = (trace.get("legendgrouptitle") or {}).get("text", "")
        old_title, names = groups.get(key, ("", []))
        if str(trace["name"]) not in names:
            names.append(str(trace["name"]))
        groups[key] = (old_title or title, names)
    return list(groups.values())


LEGEND_LINE_CHARS = 36  # an entry longer than this runs off a phone's legend (320 px): it takes two lines


def legend_name(first: str, second: str) -> str:
    """A legend entry 'first: second', on two lines where one would run off a phone's legend."""
    one = f"{first}: {second}"
    return one if len(one) <= LEGEND_LINE_CHARS else f"{first}:<br>{second}"


def legend_height(data: list[dict], width_px: float, font_px: float = 12) -> int:
    """The height of a horizontal legend of these traces at `width_px`: plotly stacks the entries of
    a titled group and sets groups side by side, wrapping; untitled entries flow in rows; an entry
    with a line break takes two lines."""
    groups = _entries(data)
    if not groups:
        return 0
    titled = any(title for title, _ in groups)
    if not titled:  # entries that do not fit one row are set in columns as wide as the widest (plotly.js)
        widths = [45 + max(len(x) for x in names[0].split("<br>")) * font_px * CHAR for _, names in groups]
        if sum(widths) > width_px:
            per_row = max(1, int(width_px // max(widths)))
            lines = max(1 + names[0].count("<br>") for _, names in groups)
            return int(-(-len(groups) // per_row) * (lines * ENTRY_PX + 2) + 6)
    height, row, used = 0, 0, 0.0
    for title, names in groups:
        texts = [line for x in [title, *names] for line in x.split("<br>")]  # an entry may take two lines
        if titled:
            lines = sum(1 + x.count("<br>") for x in names) + (1 if title else 0)
            width = 45 + max(len(x) for x in texts) * font_px * CHAR
        else:
            lines, width = 1 + names[0].count("<br>"), 45 + max(len(x) for x in names[0].split("<br>")) * font_px * CHAR
        if used and used + width > width_px:
            height, row, used = height + row, 0, 0.0
        used += width
        row = max(row, lines * ENTRY_PX + (8 if titled else 2))
    return int(height + row + 6)

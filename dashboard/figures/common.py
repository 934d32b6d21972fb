"""Helpers shared by the figure builders: number wording, hover text, key-date markers, traces.

Figures are built as plain dicts in plotly's JSON schema ({"data": [...], "layout": {...}}):
Dash sends them as they are, and an export wraps them in `go.Figure(fig)`, which validates them
(so do the tests). Building plotly.py objects instead costs 10-30 ms per chart on every request.

The language is an argument: the builders read it from the translator they are handed (`t.lang`),
for dates, the font stack and the side a title starts on.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.i18n import Translate

QUALIFIER_PREFIX = {"exact": "", "about": "~", "at_least": "≥ "}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Debian's fonts, no web font: DejaVu Sans (Latin, and Arabic names in English), Noto Sans Arabic UI
# (fonts-noto-ui-core) first for Arabic pages and exports
FONT = "DejaVu Sans, Noto Sans Arabic UI, Noto Sans, Arial, sans-serif"
FONT_AR = "Noto Sans Arabic UI, DejaVu Sans, Noto Sans, Arial, sans-serif"


# plotly.js reads a little HTML in every label, hover, legend entry, title and annotation (<b>, <br>,
# <a href>, <span style>, entities) and %{...} placeholders in hover templates: text from data goes
# through `esc` so that it shows as written
_PLOTLY_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;"})


# figure meta the page and the exports write out as text of their own (the figures compared over the
# period shown; the key dates' list), from data as written: taken out of a figure before it is sent
# to the browser or printed, where no text from data goes unescaped
LISTED_META = ("window", "key_dates")


def esc(text) -> str:
    """Text from data (a name, a title, an organisation) as plotly shows it literally: markup and
    placeholders escaped with the entities plotly.js decodes (a quote stays a quote: plotly.js
    does not decode `&quot;`)."""
    return "" if text is None else str(text).translate(_PLOTLY_ESCAPES)


def area_words(row, lang: str) -> str:
    """Where a published figure is for, as its source words it ('north-west Syria'), or on the
    Arabic page the same words in Arabic ('شمال غرب سوريا') when the warehouse has them (`area_ar`,
    from data/figures/area_names.csv); the source's words where it has none. `row`: a mapping."""
    if lang == "ar":
        arabic = row.get("area_ar")
        if isinstance(arabic, str) and arabic.strip():
            return arabic
    words = row.get("area_en")
    return "" if words is None or (isinstance(words, float) and words != words) else str(words)


def font_family(lang: str) -> str:
    """The font stack of a language."""
    return FONT_AR if lang in i18n.RTL else FONT


def title_layout(text: str, lang: str) -> dict:
    """A chart title on the side the reading starts: left in English, right in Arabic."""
    pinned = {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12}}
    if lang in i18n.RTL:
        return {"text": i18n.bidi_line(text, lang), "x": 1, "xanchor": "right", **pinned}
    return {"text": text, "x": 0, "xanchor": "left", **pinned}


GRID = {"gridcolor": "#e6e6e6", "linecolor": "#999", "zerolinecolor": "#cccccc", "automargin": True}
# the left margin is computed from the y values (fit_y_margin), not by plotly's automargin: that
# draws a chart twice, once to measure the tick labels and once with the margin they need (about
# half of a chart's drawing time in the browser)
DIGIT_PX = 7.6  # a digit of DejaVu Sans / Noto Sans at 12 px (0.636 em); other tick characters are narrower
TITLE_GAP_PX = 6  # the y axis title's standoff from its tick labels (plotly's default depends on the axis)
Y_TITLE_PX = 30  # that gap, the title's line, the tick marks and the edge (measured against automargin)


def fmt_date(ts, lang: str) -> str:
    """'1 Feb 2020', or the date in `lang` (see dashboard.i18n.fmt_date); memoised (a chart writes
    the same few dates in many hovers)."""
    try:
        return _fmt_date(ts, lang)
    except TypeError:  # not hashable
        return i18n.fmt_date(ts, lang=lang)


@lru_cache(maxsize=8192)
def _fmt_date(ts, lang: str) -> str:
    return i18n.fmt_date(ts, lang=lang)


def fmt_period(start, end, lang: str) -> str:
    return fmt_date(start, lang) if start == end else f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def fmt_value(value, qualifier: str, low=None, high=None) -> str:
    """'~752,131', '≥ 38,300', or a published range '800,000–1,000,000'."""
    if value is None or pd.isna(value):
        return f"{int(low):,}–{int(high):,}" if low is not None and high is not None and pd.notna(low) and pd.notna(high) else "?"
    return f"{QUALIFIER_PREFIX.get(qualifier, '')}{int(value):,}"


LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate and its end


def ltr(text: str, lang: str) -> str:
    """A number as written in a right-to-left line: isolated left to right, so that '≥ 1,600' keeps
    its sign ('≥' would be mirrored to '≤' inside Arabic text) and its digits in order."""
    return f"{LRI}{text}{PDI}" if lang in i18n.RTL else text


def bidi_figure(fig: dict, lang: str) -> dict:
    """The figure with its text in the order an Arabic reader reads it (a copy; the figure as it is
    in English): every trace's name, legend group title, hover template and hover text, every
    annotation, the axis, legend and colour bar titles and the colour bar's labels set right to
    left line by line with their Latin, number and date runs isolated (`i18n.bidi_lines`). SVG
    text is laid out left to right unless told: without this a legend 'OCHA (…): ضمن 10 كم' reads
    with OCHA at the wrong end and its brackets turned."""
    if lang not in i18n.RTL:
        return fig

    def fix(value):
        if isinstance(value, str):
            return i18n.bidi_lines(value, lang)
        if isinstance(value, (list, tuple)):
            return [fix(v) for v in value]
        return value

    def titled(block):
        if not isinstance(block, dict):
            return block
        block = dict(block)
        if isinstance(block.get("title"), dict) and "text" in block["title"]:
            block["title"] = {**block["title"], "text": fix(block["title"]["text"])}
        elif isinstance(block.get("title"), str):
            block["title"] = fix(block["title"])
        if "ticktext" in block:
            block["ticktext"] = fix(block["ticktext"])
        return block

    data = []
    for trace in fig.get("data") or []:
        trace = dict(trace)
        for key in ("name", "hovertemplate", "hovertext"):
            if key in trace:
                trace[key] = fix(trace[key])
        if isinstance(trace.get("legendgrouptitle"), dict):
            trace["legendgrouptitle"] = titled({"title": trace["legendgrouptitle"]})["title"]
        if isinstance(trace.get("colorbar"), dict):
            trace["colorbar"] = titled(trace["colorbar"])
        data.append(trace)
    layout = dict(fig.get("layout") or {})
    for key in list(layout):
        if key == "legend" or key.startswith(("xaxis", "yaxis", "coloraxis")):
            layout[key] = titled(layout[key])
            if key.startswith("coloraxis") and isinstance(layout[key].get("colorbar"), dict):
                layout[key]["colorbar"] = titled(layout[key]["colorbar"])
    if isinstance(layout.get("title"), dict) and "text" in layout["title"]:
        layout["title"] = {**layout["title"], "text": fix(layout["title"]["text"])}
    if layout.get("annotations"):
        layout["annotations"] = [{**a, "text": fix(a.get("text")), **({"hovertext": fix(a["hovertext"])} if "hovertext" in a else {})}
                                 if isinstance(a, dict) and "text" in a else a for a in layout["annotations"]]
    return {**fig, "data": data, "layout": layout}


def iso(ts) -> str | None:
    """A date as plotly reads it on a date axis ('2020-02-29'); None for a missing one."""
    if ts is None:
        return None
    try:
        return _iso(ts)
    except TypeError:  # not hashable
        return None if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


@lru_cache(maxsize=8192)
def _iso(ts) -> str | None:
    return None if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def isos(values) -> list:
    """Dates as 'YYYY-MM-DD' strings (None where missing); vectorised for datetime64 columns."""
    array = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(array, np.ndarray) and array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
        text = np.datetime_as_string(days)
        return [None if bad else str(s) for s, bad in zip(text, np.isnat(days))]
    return [iso(v) for v in values]


def plain(values) -> list:
    """Numbers as JSON-ready Python values (missing ones as None)."""
    return [None if v is None or pd.isna(v) else (int(v) if float(v).is_integer() else float(v)) for v in values]


def area_rows(frame: pd.DataFrame, areas: tuple[str, ...], column: str = "pcode") -> list[tuple[str | None, pd.DataFrame]]:
    """(area, rows) per compared area, or (None, all rows): the published figures of an area are the
    rows whose P-code lies in it (starts with its P-code: a sub-district's figure counts for its
    district and governorate). The one rule by which the charts, their data exports and the
    report's summary match figures to areas (the SQL queries apply the same: starts_with)."""
    if not areas:
        return [(None, frame)]
    # a boolean array, not a list: `frame[[]]` on an empty frame would select no columns
    codes = frame[column].astype("string").fillna("") if column in frame else pd.Series([""] * len(frame), dtype="string")
    return [(a, frame.loc[codes.str.startswith(a).to_numpy(dtype=bool)]) for a in areas]


SOURCE_NAME_COLUMNS = ("organisation", "title", "published")


def with_source_names(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Add organisation, title and publication date of each row's source (a copy; the frame as it
    is when it has them already)."""
    if all(column in frame.columns for column in SOURCE_NAME_COLUMNS):
        return frame
    # any frame a selection leaves is accepted: an empty one, or one whose rows name no source
    ids = list(frame["source_id"]) if "source_id" in frame.columns else [None] * len(frame)
    columns = {}
    for column in SOURCE_NAME_COLUMNS:
        lookup = dict(zip(sources["source_id"], sources[column]))
        columns[column] = pd.Series([lookup.get(i) for i in ids], index=frame.index, dtype=object)
    return frame.assign(**columns)


def source_ids(*frames: pd.DataFrame) -> list[str]:
    """The source ids of the rows of `frames` (what a trace's meta carries)."""
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and len(frame) and "source_id" in frame:
            ids.update(str(s) for s in frame["source_id"] if s is not None and not pd.isna(s))
    return sorted(ids)


def figure(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": layout}


def _tick_label(value: float, tickformat: str | None) -> str:
    """The widest tick label a y axis can show for values up to `value` (plotly's range and ticks
    run a little past the largest value, so a tenth is added)."""
    top = abs(value) * 1.1
    if tickformat == ",d":
        return f"{top:,.0f}"
    if tickformat and tickformat.endswith("%"):
        return f"{min(top, 1.0):.0%}"
    return f"{top:.3g}" + "k"  # plotly's default: three significant digits and an SI suffix


def fit_y_margin(fig: dict, minimum: int = 60) -> dict:
    """Sets the left margin from the widest y tick label of the figure's data (legend-only traces
    included: a click on the legend may show them) and turns the y axes' automargin off."""
    layout = fig["layout"]
    widest = 0
    for key, axis in list(layout.items()):
        if not (key.startswith("yaxis") and isinstance(axis, dict)) or axis.get("visible") is False \
                or axis.get("overlaying") or axis.get("showticklabels") is False:
            continue
        ref = "y" + key[len("yaxis"):]
        values = [abs(v) for tr in fig["data"] if tr.get("yaxis", "y") == ref
                  for v in (tr.get("y") or []) if isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)]
        largest = float(axis["range"][1]) if axis.get("range") else max(values, default=0.0)
        widest = max(widest, len(_tick_label(largest, axis.get("tickformat"))))
        layout[key] = {**axis, "automargin": False}
        if isinstance(axis.get("title"), dict) and axis["title"].get("text"):
            layout[key]["title"] = {**axis["title"], "standoff": TITLE_GAP_PX}
    layout["margin"] = {**layout.get("margin", {}), "l": max(minimum, round(widest * DIGIT_PX + Y_TITLE_PX))}
    return fig


def base_layout(title: str, y_title: str, start, end, lang: str, height: int = 360) -> dict:
    return {
        "template": {},
        "title": title_layout(title, lang),
        "font": {"family": font_family(lang), "size": 12, "color": "#222"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "height": height,
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hovermode": "closest",
        "xaxis": {"range": [iso(start), iso(end)], "type": "date", **GRID},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",d", **GRID},
        "annotations": [],
        "shapes": [],
    }


def empty_note(text: str) -> dict:
    """The note a chart with nothing to draw shows (named, so that dashboard/panels/empty.py can say why)."""
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
            "font": {"size": 14, "color": "#555"}, "name": "empty"}


KEY_DATE_ROW_PX = 17  # a row of key-date numbers above the plot
KEY_DATE_REF_PX = 280  # the narrowest plot the numbers are spaced for (a phone's): they never overlap wider
KEY_DATE_ROWS = 3
KEY_DATE_COLOUR = "#4D4D4D"


def _marker_px(text: str) -> float:
    return 7.0 * len(text) + 8


def key_date_markers(dates: list, start, end) -> list[tuple[list[int], int]]:
    """Key dates (sorted) grouped into numbered markers placed without overlap above the plot:
    ([indices], row) per marker. Dates closer than a marker's width (at KEY_DATE_REF_PX) share one
    marker ('4–5'); markers that would touch go to the next row (up to KEY_DATE_ROWS)."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    span = max((hi - lo).total_seconds(), 1.0)
    at = {d: (pd.Timestamp(d) - lo).total_seconds() / span * KEY_DATE_REF_PX for d in set(dates)}

    def px(d) -> float:
        return at[d]

    groups: list[list[int]] = []
    for i, d in enumerate(dates):
        if groups and px(d) - px(dates[groups[-1][0]]) < _marker_px(str(i + 1)) / 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    ends = [float("-inf")] * KEY_DATE_ROWS
    out = []
    for group in groups:
        text = _key_text(group)
        left, width = px(dates[group[0]]) - _marker_px(text) / 2, _marker_px(text)
        row = next((k for k in range(KEY_DATE_ROWS) if ends[k] + 3 <= left), None)
        if row is None:  # no row free: merge into the previous marker of the lowest row
            row = min(range(KEY_DATE_ROWS), key=lambda k: ends[k])
        ends[row] = left + width
        out.append((group, row))
    return out


def _key_text(group: list[int]) -> str:
    return str(group[0] + 1) if len(group) == 1 else f"{group[0] + 1}–{group[-1] + 1}"


def add_key_dates(fig: dict, timeline: pd.DataFrame, t: Translate, start=None, end=None, above_px: int = 0) -> None:
    """Key dates as dotted vertical lines, numbered above the plot (numbers never overlapping: see
    key_date_markers); hover on a number gives its dates and events, in the figure's language, and
    the figure's `layout.meta.key_dates` lists them ([number, date, date as written, label as
    written (not escaped), kind]) for the list the page and the exports print under the chart, and
    `layout.meta.strip_px` the height they take above the plot. `above_px`: room left between them
    and the plot (panel titles)."""
    if timeline is None or timeline.empty:
        return
    timeline = timeline.sort_values("date", kind="stable")
    layout = fig["layout"]
    start = start if start is not None else layout["xaxis"]["range"][0]
    end = end if end is not None else layout["xaxis"]["range"][1]
    dates = isos(timeline["date"])
    arabic = t.lang == "ar" and "label_ar" in timeline
    english = timeline["label_en"].tolist()
    raw = [str(ar if arabic and isinstance(ar, str) and ar else en)
           for en, ar in zip(english, timeline["label_ar"].tolist() if "label_ar" in timeline else english)]
    labels = [esc(label) for label in raw]
    kinds = timeline["kind"].tolist() if "kind" in timeline else [None] * len(dates)
    layout["shapes"] = layout.get("shapes", []) + [
        {"type": "line", "xref": "x", "yref": "paper", "x0": d, "x1": d, "y0": 0, "y1": 1, "layer": "below",
         "line": {"color": "#999", "width": 1, "dash": "dot"}} for d in dates
    ]
    notes = []
    rows_used = 0
    for group, row in key_date_markers(dates, start, end):
        rows_used = max(rows_used, row + 1)
        hover = "<br>".join(f"{i + 1}. {fmt_date(dates[i], t.lang)}: {labels[i]}" for i in group)
        notes.append({
            "x": dates[group[0]], "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "xanchor": "center",
            "yshift": 3 + above_px + row * KEY_DATE_ROW_PX, "text": _key_text(group), "showarrow": False, "hovertext": hover,
            "font": {"size": 10, "color": "white"}, "bgcolor": KEY_DATE_COLOUR, "borderpad": 2, "name": "key-date",
        })
    layout["annotations"] = layout.get("annotations", []) + notes
    strip = rows_used * KEY_DATE_ROW_PX
    layout["margin"] = {**layout.get("margin", {}), "t": layout.get("margin", {}).get("t", 50) + strip}
    meta = dict(layout.get("meta") or {})
    meta["key_dates"] = [[i + 1, d, fmt_date(d, t.lang), label, kind if isinstance(kind, str) else ""]
                         for i, (d, label, kind) in enumerate(zip(dates, raw, kinds))]
    meta["strip_px"] = meta.get("strip_px", 0) + strip
    layout["meta"] = meta
    # no drawing of its own: it carries the key dates' sources (the chart's source list) and stays
    # out of the legend and the data table
    fig["data"].append({
        "type": "scatter", "x": dates, "y": [None] * len(dates), "mode": "markers", "name": t("Key dates"),
        "showlegend": False, "hoverinfo": "skip", "meta": {"sources": source_ids(timeline), "table": False},
    })


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, missing values as None: the published figures a chart draws are few, and
    plain Python on them is much cheaper than pandas selections."""
    columns = [str(c) for c in frame.columns]
    values = [[_missing_as_none(v) for v in frame[c].tolist()] for c in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*values)] if columns else [{} for _ in range(len(frame))]


def _missing_as_none(value):
    if value is None or isinstance(value, str | int | bool):
        return value
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return None if not isinstance(value, str) and pd.isna(value) else value


def record_ids(rows: list[dict]) -> list[str]:
    return sorted({str(r["source_id"]) for r in rows if r.get("source_id") is not None})


def segment_trace(rows: list[dict], value_col: str, name: str, color: str, dash="solid", visible=True) -> dict:
    """Rows (records with a `hover`) as flat segments over their periods, one legend entry."""
    rows = [r for r in rows if r[value_col] is not None]
    xs, ys, texts = [], [], []
    for r in rows:
        value = plain([r[value_col]])[0]
        xs += [iso(r["period_start"]), iso(r["period_end"]), None]
        ys += [value, value, None]
        texts += [r["hover"], r["hover"], None]
    return {
        "type": "scatter", "x": xs, "y": ys, "hovertext": texts, "hoverinfo": "text", "name": name,
        "mode": "lines+markers", "line": {"color": color, "width": 3, "dash": dash},
        "marker": {"size": 6, "color": color}, "visible": visible, "connectgaps": False, "legendgroup": name,
        "meta": {"sources": record_ids(rows)},
    }


def range_trace(rows: list[dict], name: str, color: str, visible=True) -> dict:
    """Rows published as a low–high range: a vertical bar at the middle of the period."""
    rows = [r for r in rows if r["low"] is not None and r["high"] is not None]
    xs, ys, up, down = [], [], [], []
    for r in rows:
        start, end = pd.Timestamp(r["period_start"]), pd.Timestamp(r["period_end"])
        low, high = float(r["low"]), float(r["high"])
        centre = (low + high) / 2
        xs.append(iso(start + (end - start) / 2))
        ys.append(centre)
        up.append(high - centre)
        down.append(centre - low)
    return {
        "type": "scatter", "x": xs, "y": ys, "mode": "markers", "name": name, "legendgroup": name,
        "showlegend": False, "visible": visible,
        "marker": {"size": 7, "color": color, "symbol": "line-ew-open"}, "hovertext": [r["hover"] for r in rows],
        "hoverinfo": "text", "meta": {"sources": record_ids(rows)},
        "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down, "color": color,
                    "thickness": 2, "width": 6},
    }


def band_trace(boxes: list[dict], name: str, color: str, visible=True, showlegend=True) -> dict:
    """Shaded boxes from `low` to `high` over [x0, x1] (one polygon per box): the range between
    sources reporting the same quantity for the same period."""
    xs, ys, texts = [], [], []
    ids: set[str] = set()
    for b in boxes:
        x0, x1 = iso(b["x0"]), iso(b["x1"])
        xs += [x0, x1, x1, x0, x0, None]
        ys += [b["low"], b["low"], b["high"], b["high"], b["low"], None]
        texts += [b["hover"]] * 5 + [None]
        ids.update(b["sources"])
    return {
        "type": "scatter", "x": xs, "y": plain(ys), "fill": "toself", "mode": "lines",
        "line": {"width": 0, "color": color}, "fillcolor": color, "opacity": 0.25, "name": name,
        "hovertext": texts, "hoverinfo": "text", "visible": visible, "showlegend": showlegend, "legendgroup": name,
        "meta": {"sources": sorted(ids)},
    }


def source_range_boxes(rows: list[dict], value_col: str, keys: list[str], t: Translate) -> list[dict]:
    """Where two or more organisations report the same quantity for the same period (same `keys`),
    a box from the lowest to the highest of their figures."""
    groups: dict[tuple, list] = {}
    for r in rows:
        if r[value_col] is None:
            continue
        groups.setdefault(tuple(str(r[k]) for k in keys), []).append(r)
    boxes = []
    for key in sorted(groups):
        group = groups[key]
        orgs = sorted({str(r.get("org_label") or r["organisation"]) for r in group})
        if len(orgs) < 2:
            continue
        values = [float(r[value_col]) for r in group]
        lo, hi = min(values), max(values)
        boxes.append({
            "x0": min(r["period_start"] for r in group), "x1": max(r["period_end"] for r in group), "low": lo,
            "high": hi, "sources": record_ids(group),
            "hover": t("Range between sources: {lo}–{hi} ({orgs})").format(lo=f"{int(lo):,}", hi=f"{int(hi):,}",
                                                                           orgs=esc(", ".join(orgs))),
        })
    return boxes


# ---- bucketed series (events, movements): one point per day, week or month ---------------------

MARKERS_UP_TO = 60
BUCKET_FORMAT = {"day": "%-d %b %Y", "week": "%-d %b %Y", "month": "%b %Y"}


def bucket_hovertemplate(what: str, org: str, agg: str, t: Translate, extra: str = "") -> str:
    """Hover for a bucketed trace, set once for the trace (not per point): small responses."""
    when = "%{x|" + BUCKET_FORMAT.get(agg, "%b %Y") + "}"
    if agg == "week":
        when = t("week of {d}").format(d=when)
    return f"<b>%{{y:,}}</b> {what}{extra}<br>{when}<br>{t('Source')}: {esc(org)}<extra></extra>"


def column_lists(frame: pd.DataFrame, dates=(), numbers=(), others=()) -> dict[str, list]:
    """A frame's columns as plain lists, read once: `dates` as 'YYYY-MM-DD', `numbers` as JSON
    values, `others` as they are; None wherever a value is missing. The few hundred rows of a
    bucketed series are then walked in plain Python (a pandas selection per group and per column
    cost more than the work)."""
    cols = {c: isos(frame[c]) for c in dates}
    cols.update({c: plain(frame[c]) for c in numbers})
    cols.update({c: [_missing_as_none(v) for v in frame[c].tolist()] for c in others})
    return cols


def groups_of(values: list, index: list[int] | None = None) -> list[tuple[object, list[int]]]:
    """(value, positions) for each value of `values` (at `index`, else everywhere), sorted by value
    as text with a missing value last."""
    groups: dict = {}
    for i in (range(len(values)) if index is None else index):
        groups.setdefault(values[i], []).append(i)
    return [(v, groups[v]) for v in sorted(groups, key=lambda x: (x is None, str(x)))]


def pick(values: list, index: list[int]) -> list:
    return [values[i] for i in index]


def bucket_trace(frame: pd.DataFrame, value_col: str, name: str, color: str, hovertemplate: str, dash="solid",
                 customdata=None, table: tuple[str, str] | None = None) -> dict:
    """A bucketed series as a line with markers at each bucket's start (`frame` sorted by bucket);
    `table`: (source, area) written on each of its rows in the chart's data table."""
    ids = frame["source_id"] if "source_id" in frame else [None] * len(frame)
    return series_trace(isos(frame["bucket_start"]), plain(frame[value_col]), list(ids), name, color, hovertemplate,
                        dash, customdata, table)


def series_trace(x: list, y: list, ids: list, name: str, color: str, hovertemplate: str, dash="solid",
                 customdata=None, table: tuple[str, str] | None = None) -> dict:
    """`bucket_trace` on plain lists: buckets' starts, values (None where missing) and source ids;
    a bucket without a value is left out."""
    keep = [v is not None for v in y]
    xs = [v for v, k in zip(x, keep) if k]
    trace = {
        # markers only where they can be told apart (they cost the browser time to draw)
        "type": "scatter", "x": xs, "y": [v for v in y if v is not None],
        "mode": "lines+markers" if len(xs) <= MARKERS_UP_TO else "lines",
        "name": name, "legendgroup": name, "line": {"color": color, "width": 2, "dash": dash},
        "marker": {"size": 5, "color": color}, "hovertemplate": hovertemplate,
        "meta": {"sources": plain_ids([s for s, k in zip(ids, keep) if k])},
    }
    if table is not None:
        trace["meta"]["table_source"], trace["meta"]["table_area"] = table
    if customdata is not None:
        trace["customdata"] = [c for c, k in zip(customdata, keep) if k]
    return trace


def plain_ids(values) -> list[str]:
    """Sorted source ids of plain values (missing ones left out), as `source_ids` reads a column."""
    return sorted({str(s) for s in values if s is not None and not (isinstance(s, float) and s != s)
                   and s is not pd.NA})


def fill_band(x, low, high, name: str, color: str, sources: list[str], showlegend: bool = True) -> list[dict]:
    """A shaded band between two lines (`low` drawn invisibly, `high` filled down to it)."""
    return band_between(isos(x), plain(low), plain(high), name, color, sources, showlegend)


def band_between(x: list, low: list, high: list, name: str, color: str, sources: list[str],
                 showlegend: bool = True) -> list[dict]:
    """`fill_band` on plain lists (dates as 'YYYY-MM-DD', values as JSON values)."""
    return [
        {"type": "scatter", "x": x, "y": low, "mode": "lines", "line": {"width": 0, "color": color},
         "hoverinfo": "skip", "showlegend": False, "legendgroup": name, "meta": {"sources": sources}},
        {"type": "scatter", "x": list(x), "y": high, "mode": "lines", "line": {"width": 0, "color": color},
         "fill": "tonexty", "fillcolor": color, "opacity": 0.2, "hoverinfo": "skip", "name": name,
         "legendgroup": name, "showlegend": showlegend, "meta": {"sources": sources}},
    ]


def bucket_range_band(frame: pd.DataFrame, value_col: str, keys: list[str], name: str, color: str) -> list[dict]:
    """Per bucket where two or more sources report (same `keys`), a band from the lowest to the
    highest of their values."""
    key_columns = [list(map(str, frame[k])) for k in keys]
    return range_band(list(zip(*key_columns)) if keys else [()] * len(frame), isos(frame["bucket_start"]),
                      plain(frame[value_col]), list(frame["source_id"]), name, color)


def range_band(keys: list[tuple], buckets: list, values: list, ids: list, name: str, color: str) -> list[dict]:
    """`bucket_range_band` on plain lists: each row's key (a tuple of text), bucket start
    ('YYYY-MM-DD'), value (None where missing) and source id."""
    groups: dict[tuple, dict] = {}
    for key, bucket, value, source in zip(keys, buckets, values, ids):
        if value is None:
            continue
        cell = groups.setdefault(key, {}).setdefault(bucket, [float("inf"), float("-inf"), set()])
        cell[0], cell[1] = min(cell[0], float(value)), max(cell[1], float(value))
        cell[2].add(str(source))
    traces = []
    for key in sorted(groups):
        buckets_ = sorted((b, c) for b, c in groups[key].items() if len(c[2]) >= 2)
        if not buckets_:
            continue
        sources = sorted({s for _, c in buckets_ for s in c[2]})
        traces += band_between([b for b, _ in buckets_], plain([c[0] for _, c in buckets_]),
                               plain([c[1] for _, c in buckets_]), name, color, sources, showlegend=not traces)
    return traces


def figure_sources(fig) -> list[str]:
    """Source ids of the visible traces of a figure (a dict, or a go.Figure)."""
    data = fig["data"] if isinstance(fig, dict) else [tr.to_plotly_json() for tr in fig.data]
    ids: set[str] = set()
    for trace in data:
        if trace.get("visible", True) is False:
            continue
        ids.update((trace.get("meta") or {}).get("sources", []))
    return sorted(ids)

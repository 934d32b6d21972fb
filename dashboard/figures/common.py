"""Helpers shared by the figure builders: number wording, hover text, key-date markers."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import Translate

QUALIFIER_PREFIX = {"exact": "", "about": "~", "at_least": "≥ "}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"


def fmt_date(ts) -> str:
    return "" if pd.isna(ts) else pd.Timestamp(ts).strftime("%-d %b %Y")


def fmt_period(start, end) -> str:
    return fmt_date(start) if start == end else f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_value(value, qualifier: str, low=None, high=None) -> str:
    """'~752,131', '≥ 38,300', or a published range '800,000–1,000,000'."""
    if pd.isna(value):
        return f"{int(low):,}–{int(high):,}" if pd.notna(low) and pd.notna(high) else "?"
    return f"{QUALIFIER_PREFIX.get(qualifier, '')}{int(value):,}"


def with_source_names(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Add organisation and title of each row's source (a copy; inputs untouched)."""
    cols = sources[["source_id", "organisation", "title", "published"]]
    return frame.merge(cols, on="source_id", how="left", validate="many_to_one")


GRID = {"gridcolor": "#e6e6e6", "linecolor": "#999", "zerolinecolor": "#cccccc", "automargin": True}


def new_figure() -> go.Figure:
    """An empty figure without a template (the style is set explicitly by `base_layout`;
    resolving a named template costs about 30 ms per figure). Not validated as it is built: the
    builders' output is validated by the tests (tests/test_figures.py), and validation costs
    about 10 ms per trace on every request."""
    return go.Figure(layout={"template": {}}, _validate=False)


def scatter(**props) -> go.Scatter:
    """go.Scatter without per-request validation (see `new_figure`)."""
    return go.Scatter(**props, _validate=False)


def base_layout(fig: go.Figure, title: str, y_title: str, start, end) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 12, "color": "#222"},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=360,
        paper_bgcolor="white", plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="closest",
        xaxis={"range": [start, end], "type": "date", **GRID},
        yaxis={"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",d", **GRID},
    )
    return fig


def add_empty_note(fig: go.Figure, t: Translate) -> None:
    fig.add_annotation(
        text=t("No figures in the selected period"), showarrow=False,
        xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 14, "color": "#555"},
    )


def add_key_dates(fig: go.Figure, timeline: pd.DataFrame, t: Translate, label_limit: int = 8) -> None:
    """Dotted vertical lines at key dates; hover on the marker at the top gives the event."""
    if timeline.empty:
        return
    fig.update_layout(shapes=[
        {"type": "line", "xref": "x", "yref": "paper", "x0": d, "x1": d, "y0": 0, "y1": 1, "layer": "below",
         "line": {"color": "#888", "width": 1, "dash": "dot"}}
        for d in timeline["date"]
    ])
    fig.add_trace(
        scatter(
            x=timeline["date"], y=[1] * len(timeline), yaxis="y2", mode="markers",
            marker={"symbol": "triangle-down", "size": 9, "color": "#555"},
            name=t("Key dates"), meta={"sources": source_ids(timeline)},
            hovertext=[f"{fmt_date(d)}: {label}" for d, label in zip(timeline["date"], timeline["label_en"])],
            hoverinfo="text",
        )
    )
    fig.update_layout(yaxis2={"overlaying": "y", "range": [0, 1.02], "visible": False, "fixedrange": True})
    if len(timeline) <= label_limit:
        for date, label in zip(timeline["date"], timeline["label_en"]):
            fig.add_annotation(
                x=date, y=1, yref="paper", text=label, showarrow=False, textangle=-90,
                xanchor="right", yanchor="top", font={"size": 9, "color": "#444"},
            )


def period_segments(frame: pd.DataFrame, value_col: str) -> tuple[list, list, list]:
    """x, y and hover text drawing each row as a flat segment over its period."""
    xs, ys, texts = [], [], []
    for row in frame.itertuples(index=False):
        text = row.hover
        xs += [row.period_start, row.period_end, None]
        ys += [getattr(row, value_col)] * 2 + [None]
        texts += [text, text, None]
    return xs, ys, texts


def source_ids(*frames: pd.DataFrame) -> list[str]:
    """The source ids of the rows of `frames` (what a trace's meta carries)."""
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and len(frame) and "source_id" in frame:
            ids.update(str(s) for s in frame["source_id"].dropna())
    return sorted(ids)


def segment_trace(frame: pd.DataFrame, value_col: str, name: str, color: str, dash="solid", visible=True):
    """Rows with a value as flat segments over their periods, one legend entry."""
    rows = frame[frame[value_col].notna()]
    xs, ys, texts = period_segments(rows, value_col)
    return scatter(
        x=xs, y=ys, hovertext=texts, hoverinfo="text", name=name, mode="lines+markers",
        line={"color": color, "width": 3, "dash": dash}, marker={"size": 6, "color": color},
        visible=visible, connectgaps=False, legendgroup=name, meta={"sources": source_ids(rows)},
    )


def band_trace(boxes: pd.DataFrame, name: str, color: str, visible=True, showlegend=True):
    """Shaded boxes from `low` to `high` over [x0, x1] (one polygon per row): the range between
    sources, or a published low–high estimate. `boxes` has x0, x1, low, high, hover, sources."""
    xs, ys, texts = [], [], []
    for r in boxes.itertuples(index=False):
        xs += [r.x0, r.x1, r.x1, r.x0, r.x0, None]
        ys += [r.low, r.low, r.high, r.high, r.low, None]
        texts += [r.hover] * 5 + [None]
    ids = sorted({x for s in boxes.get("sources", []) for x in str(s).split(",") if x})
    return scatter(
        x=xs, y=ys, fill="toself", mode="lines", line={"width": 0, "color": color}, fillcolor=color,
        opacity=0.25, name=name, hovertext=texts, hoverinfo="text", visible=visible, showlegend=showlegend,
        legendgroup=name, meta={"sources": ids},
    )


def source_range_boxes(frame: pd.DataFrame, value_col: str, keys: list[str], t: Translate) -> pd.DataFrame:
    """Where two or more organisations report the same quantity for the same period (same `keys`),
    a box from the lowest to the highest of their figures."""
    cols = ["x0", "x1", "low", "high", "hover", "sources"]
    rows = frame[frame[value_col].notna()]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    key = pd.Series(list(zip(*[rows[k].astype(str) for k in keys])), index=rows.index)
    shared = key.map(rows.groupby(key)["organisation"].nunique()) >= 2
    if not shared.any():
        return pd.DataFrame(columns=cols)
    boxes = []
    for _, group in rows[shared].groupby(key[shared], sort=True):
        orgs = sorted(set(group["organisation"].astype(str)))
        lo, hi = group[value_col].min(), group[value_col].max()
        hover = t("Range between sources: {lo}–{hi} ({orgs})").format(lo=f"{int(lo):,}", hi=f"{int(hi):,}",
                                                                       orgs=", ".join(orgs))
        boxes.append({"x0": group["period_start"].min(), "x1": group["period_end"].max(), "low": lo, "high": hi,
                      "hover": hover, "sources": ",".join(sorted(set(group["source_id"].astype(str))))})
    return pd.DataFrame(boxes, columns=cols)


def range_trace(frame: pd.DataFrame, name: str, color: str, visible=True):
    """Rows published as a low–high range: a vertical bar at the middle of the period."""
    rows = frame.dropna(subset=["low", "high"])
    mid = rows["period_start"] + (rows["period_end"] - rows["period_start"]) / 2
    centre = (rows["low"] + rows["high"]) / 2
    return scatter(
        x=mid, y=centre, mode="markers", name=name, legendgroup=name, showlegend=False, visible=visible,
        marker={"size": 7, "color": color, "symbol": "line-ew-open"}, hovertext=rows["hover"], hoverinfo="text",
        error_y={"type": "data", "symmetric": False, "array": rows["high"] - centre,
                 "arrayminus": centre - rows["low"], "color": color, "thickness": 2, "width": 6},
        meta={"sources": source_ids(rows)},
    )


# ---- bucketed series (events, movements): one point per day, week or month ---------------------

BUCKET_FORMAT = {"day": "%-d %b %Y", "week": "%-d %b %Y", "month": "%b %Y"}


def bucket_hovertemplate(what: str, org: str, agg: str, t: Translate, extra: str = "") -> str:
    """Hover for a bucketed trace, in the trace (not per point): small responses."""
    when = "%{x|" + BUCKET_FORMAT.get(agg, "%b %Y") + "}"
    if agg == "week":
        when = t("week of {d}").format(d=when)
    return f"<b>%{{y:,}}</b> {what}{extra}<br>{when}<br>{t('Source')}: {org}<extra></extra>"


def bucket_trace(frame: pd.DataFrame, value_col: str, name: str, color: str, hovertemplate: str, dash="solid",
                 customdata=None):
    """A bucketed series as a line with markers at each bucket's start."""
    rows = frame[frame[value_col].notna()].sort_values("bucket_start")
    return scatter(
        x=rows["bucket_start"], y=rows[value_col], mode="lines+markers", name=name, legendgroup=name,
        line={"color": color, "width": 2, "dash": dash}, marker={"size": 5, "color": color},
        hovertemplate=hovertemplate, customdata=customdata, meta={"sources": source_ids(rows)},
    )


def fill_band(x, low, high, name: str, color: str, sources: list[str], showlegend: bool = True) -> list:
    """A shaded band between two lines (`low` drawn invisibly, `high` filled down to it)."""
    return [
        scatter(x=x, y=low, mode="lines", line={"width": 0, "color": color}, hoverinfo="skip", showlegend=False,
                   legendgroup=name, meta={"sources": sources}),
        scatter(x=x, y=high, mode="lines", line={"width": 0, "color": color}, fill="tonexty", fillcolor=color,
                   opacity=0.3, hoverinfo="skip", name=name, legendgroup=name, showlegend=showlegend,
                   meta={"sources": sources}),
    ]


def bucket_range_band(frame: pd.DataFrame, value_col: str, keys: list[str], name: str, color: str) -> list:
    """Per bucket where two or more sources report (same `keys`), a band from the lowest to the
    highest of their values."""
    rows = frame[frame[value_col].notna()]
    if rows.empty:
        return []
    by = rows.groupby([*keys, "bucket_start"], dropna=False)
    grouped = pd.DataFrame({"low": by[value_col].min(), "high": by[value_col].max(), "n": by["source_id"].nunique()})
    grouped = grouped[grouped["n"] >= 2].reset_index()
    if grouped.empty:
        return []
    traces = []
    for i, (_, band) in enumerate(grouped.groupby(keys, dropna=False) if keys else [(None, grouped)]):
        band = band.sort_values("bucket_start")
        sources = sorted(set(rows["source_id"].astype(str)))
        traces += fill_band(band["bucket_start"], band["low"], band["high"], name, color, sources, showlegend=i == 0)
    return traces

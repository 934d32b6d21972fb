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


def base_layout(fig: go.Figure, title: str, y_title: str, start, end) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 12},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=360,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="closest",
        xaxis={"range": [start, end], "type": "date"},
        yaxis={"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",d"},
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
        go.Scatter(
            x=timeline["date"], y=[1] * len(timeline), yaxis="y2", mode="markers",
            marker={"symbol": "triangle-down", "size": 9, "color": "#555"},
            name=t("Key dates"),
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


def segment_trace(frame: pd.DataFrame, value_col: str, name: str, color: str, dash="solid", visible=True):
    """Rows with a value as flat segments over their periods, one legend entry."""
    xs, ys, texts = period_segments(frame[frame[value_col].notna()], value_col)
    return go.Scatter(
        x=xs, y=ys, hovertext=texts, hoverinfo="text", name=name, mode="lines+markers",
        line={"color": color, "width": 3, "dash": dash}, marker={"size": 6, "color": color},
        visible=visible, connectgaps=False, legendgroup=name,
    )


def range_trace(frame: pd.DataFrame, name: str, color: str, visible=True):
    """Rows published as a low–high range: a vertical bar at the middle of the period."""
    rows = frame.dropna(subset=["low", "high"])
    mid = rows["period_start"] + (rows["period_end"] - rows["period_start"]) / 2
    centre = (rows["low"] + rows["high"]) / 2
    return go.Scatter(
        x=mid, y=centre, mode="markers", name=name, legendgroup=name, showlegend=False, visible=visible,
        marker={"size": 7, "color": color, "symbol": "line-ew-open"}, hovertext=rows["hover"], hoverinfo="text",
        error_y={"type": "data", "symmetric": False, "array": rows["high"] - centre,
                 "arrayminus": centre - rows["low"], "color": color, "thickness": 2, "width": 6},
    )

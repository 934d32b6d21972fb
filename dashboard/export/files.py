"""One chart or the map as an image or a data file: the functions the page's export buttons and
the command line both call. The figure is the page's figure (`view.chart_figure`, `view.map_full`),
made ready for print by `printed.for_print`."""
from __future__ import annotations

import re

import pandas as pd

from dashboard import i18n, view
from dashboard.data import Warehouse
from dashboard.figures.common import figure_sources
from dashboard.i18n import translator
from dashboard.state import ViewState

from . import render, tables
from .context import CHART_TITLES, Context, caption, notes
from .printed import for_print

IMAGE_FORMATS = render.FORMATS
DATA_FORMATS = ("csv", "xlsx")
NAMES = (*view.CHARTS, "map")
MEDIA_TYPES = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PNG_SCALE = 2  # report resolution: twice the screen's pixels
WIDTHS = (800, 1000, 1200, 1600)
DEFAULT_WIDTH = 1000


def context(wh: Warehouse, state: ViewState, lang: str | None = None, now=None) -> Context:
    """What an export needs; the language is the view's (or `lang`), and is set for this request's
    date formats and fonts (dashboard.i18n.current)."""
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    lang = i18n.language(lang or state.lang)
    i18n.current.set(lang)
    return Context(wh=wh, state=state, t=translator(lang), lang=lang, generated=now)


def page_figure(name: str, ctx: Context) -> tuple[dict, list[str], list[str]]:
    """(figure, its source ids, its notes) as the page shows it."""
    if name == "map":
        fig, update = view.map_full(ctx.wh, ctx.state, ctx.t, ctx.lang)
        map_notes = [n for part in view.NOTE_PARTS for n in update["notes"].get(part, [])]
        return fig, view.map_source_ids(update["sources"]), map_notes
    if name not in view.CHARTS:
        raise ValueError(f"unknown chart {name!r}: expected one of {', '.join(NAMES)}")
    fig = view.chart_figure(name, ctx.wh, ctx.state, ctx.t, ctx.lang)
    return fig, figure_sources(fig), []


def title_of(fig: dict, name: str, ctx: Context) -> str:
    text = ((fig.get("layout") or {}).get("title") or {}).get("text")
    return str(text) if text else ctx.t(CHART_TITLES[name])


def printed_figure(name: str, ctx: Context, width: int = DEFAULT_WIDTH, title_prefix: str = "",
                   made: tuple | None = None, **layout) -> tuple[dict, int]:
    """The page figure (or `made`, the result of `page_figure`) ready for print, and its height;
    `layout` goes to `for_print` (plot_height, page_height)."""
    fig, ids, _ = made or page_figure(name, ctx)
    return for_print(fig, caption(ctx, name, title_prefix + title_of(fig, name, ctx), ids), width, **layout)


def chart_image(name: str, ctx: Context, fmt: str, width: int = DEFAULT_WIDTH, timeout: float | None = None) -> bytes:
    """Chart or map `name` as PNG (at twice the pixels), SVG or PDF (vector, the map included)."""
    fig, height = printed_figure(name, ctx, width)
    return render.render(fig, fmt, width, height, PNG_SCALE if fmt == "png" else 1, timeout)


def chart_data(name: str, ctx: Context, fmt: str) -> bytes:
    """The rows behind chart or map `name` as CSV or XLSX (data, sources and notes sheets)."""
    if fmt not in DATA_FORMATS:
        raise ValueError(f"unknown data format {fmt!r}: expected one of {', '.join(DATA_FORMATS)}")
    extra = page_figure(name, ctx)[2] if name == "map" else []
    tab = tables.table(name, ctx.wh, ctx.state, notes(ctx, name, extra))
    return tables.to_csv(tab) if fmt == "csv" else tables.to_xlsx(tab, ctx.t)


def filename(name: str, ctx: Context, fmt: str) -> str:
    """idlib-displacement_2020-02_2020-02_SY07.png: chart, months, areas."""
    state = ctx.state
    parts = ["idlib", name, state.start.strftime("%Y-%m"), state.end.strftime("%Y-%m"), *state.areas]
    if name == "map" and state.step:
        parts.append(f"step{state.step}")
    return re.sub(r"[^A-Za-z0-9_.-]", "", "_".join(parts)) + f".{fmt}"

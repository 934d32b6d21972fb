"""One panel (a chart or the map) as an image or a data file: the functions the page's export
buttons and the command line both call. Each export is one request (`context`, `context_of`):
the panel's inputs are made once, and its figure (the page's figure, made ready for print by
`printed.for_print`), its data rows and its notes all come from them."""
from __future__ import annotations

import re

import pandas as pd

from dashboard import panels
from dashboard.data.state import ViewState
from dashboard.data.warehouse import Warehouse
from dashboard.panels import views
from dashboard.panels.empty import explained
from dashboard.request import Request

from . import render, tables
from .context import Context, caption, notes
from .printed import for_print, needs_measured_legend

IMAGE_FORMATS = render.FORMATS
DATA_FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PNG_SCALE = 2  # report resolution: twice the screen's pixels
WIDTHS = (800, 1000, 1200, 1600)
DEFAULT_WIDTH = 1000


def names() -> tuple[str, ...]:
    """What can be exported: every registered panel, in page order."""
    return panels.names()


def context_of(request: Request, now=None) -> Context:
    """What an export needs: its request and when it is made (now, UTC)."""
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    return Context(request=request, generated=now)


def context(wh: Warehouse, state: ViewState, lang: str | None = None, now=None) -> Context:
    """The export context of a view state, in the view's language (or `lang`)."""
    return context_of(Request.of(wh, state, lang), now)


def page_figure(name: str, ctx: Context, inputs=None) -> tuple[dict, list[str], list[str]]:
    """(figure, its source ids, its notes) as the page shows it, from the panel's `inputs` (made
    here unless the caller has them). A chart is the page's own, from its cache (panels/views.py):
    the exports of the view a user looks at are not drawn again; the result is shared, read only."""
    panel = panels.get(name)
    if inputs is None and panel.kind == "chart":
        return views.chart(name, ctx.request)
    inputs = panel.load(ctx.request) if inputs is None else inputs
    fig = explained(panel, panel.figure(inputs, ctx.request), ctx.request)  # an empty chart says why
    return fig, panel.sources(inputs, fig), panel.notes(inputs, ctx.request)


def title_of(fig: dict, name: str, ctx: Context) -> str:
    text = ((fig.get("layout") or {}).get("title") or {}).get("text")
    return str(text) if text else ctx.t(panels.get(name).title)


def printed_figure(name: str, ctx: Context, width: int = DEFAULT_WIDTH, title_prefix: str = "",
                   made: tuple | None = None, **layout) -> tuple[dict, int]:
    """The page figure (or `made`, the result of `page_figure`) ready for print, and its height;
    `layout` goes to `for_print` (plot_height, page_height)."""
    fig, ids, _ = made or page_figure(name, ctx)
    return for_print(fig, caption(ctx, name, title_prefix + title_of(fig, name, ctx), ids), width, **layout)


def measured_figure(name: str, ctx: Context, width: int = DEFAULT_WIDTH, made: tuple | None = None,
                    timeout: float | None = None, svg: bool = True, **layout) -> tuple[dict, int, bytes | None]:
    """(printed figure, height, its SVG): the figure laid out, drawn once as SVG, and laid out again
    with its legend's measured height when the legend took more room than estimated (so the footer
    never lies under it); the SVG is that of the figure returned, or None when it was laid out
    again and `svg` is false (an export to PNG or PDF draws the figure itself: no second SVG)."""
    made = made or page_figure(name, ctx)
    fig, height = printed_figure(name, ctx, width, made=made, **layout)
    drawn = render.render(fig, "svg", width, height, 1, timeout)
    taller = needs_measured_legend(fig, drawn)
    if taller:
        fig, height = printed_figure(name, ctx, width, made=made, legend_h=taller, **layout)
        drawn = render.render(fig, "svg", width, height, 1, timeout) if svg else None
    return fig, height, drawn


def chart_image(name: str, ctx: Context, fmt: str, width: int = DEFAULT_WIDTH, timeout: float | None = None) -> bytes:
    """Chart or map `name` as PNG (at twice the pixels), SVG or PDF (vector, the map included), laid
    out with its legend as drawn (`measured_figure`)."""
    fig, height, svg = measured_figure(name, ctx, width, timeout=timeout, svg=fmt == "svg")
    if fmt == "svg":
        return svg
    return render.render(fig, fmt, width, height, PNG_SCALE if fmt == "png" else 1, timeout)


def data_table(name: str, ctx: Context) -> tables.Table:
    """The rows behind panel `name` with their sources and the notes sheet (filters, units, caveats
    and the panel's own notes), from one computation of its inputs."""
    panel = panels.get(name)
    inputs = panel.load(ctx.request)
    rows = panel.rows(inputs, ctx.request)
    return tables.table(name, rows, ctx.wh["sources"], notes(ctx, name, panel.notes(inputs, ctx.request)), ctx.lang)


def chart_data(name: str, ctx: Context, fmt: str) -> bytes:
    """The rows behind chart or map `name` as CSV or XLSX (data, sources and notes sheets)."""
    if fmt not in DATA_FORMATS:
        raise ValueError(f"unknown data format {fmt!r}: expected one of {', '.join(DATA_FORMATS)}")
    tab = data_table(name, ctx)
    return tables.to_csv(tab) if fmt == "csv" else tables.to_xlsx(tab, ctx.t)


def filename(name: str, ctx: Context, fmt: str) -> str:
    """idlib-displacement_2020-02_2020-02_SY07.png: chart, months, areas."""
    state = ctx.state
    parts = ["idlib", name, state.start.strftime("%Y-%m"), state.end.strftime("%Y-%m"), *state.areas]
    if name == "map" and state.step:
        parts.append(f"step{state.step}")
    return re.sub(r"[^A-Za-z0-9_.-]", "", "_".join(parts)) + f".{fmt}"

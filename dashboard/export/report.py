"""The situation report: an A4 PDF with a cover (title, period, area, filters, generation time and
a summary written from the numbers), the map and the charts with their captions and sources, and
a page of sources and caveats.

Every page is drawn by the same renderer as the chart exports (kaleido and chromium, so text is
shaped by the browser with the fonts installed from Debian), then the pages are put together on A4
with pypdf. Each page is drawn at A4 size (794 x 1123 CSS pixels, printed at 0.75 pt per pixel),
one chart per page with its caption and sources below it.
"""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter

from dashboard import panels
from dashboard.data.catalog import area_label
from dashboard.figures.common import esc, font_family
from dashboard.i18n import bidi_line, text_side

from . import render
from .context import CAVEATS, Context, filters, generated_line, source_lines
from .files import page_figure, printed_figure
from .printed import wrap
from .summary import summary

A4 = (595.28, 841.89)  # points
PAGE_PX = (794, 1123)  # A4 at 96 px per inch: every page is drawn at this size
PAGE_SCALE = A4[0] / (PAGE_PX[0] * 0.75)  # chromium prints 0.75 pt per px: this makes the page A4 exactly


def report_charts(wh=None) -> tuple[str, ...]:
    """The report's figures: every registered panel with something to draw for the warehouse, in
    page order (each at its `report_px`)."""
    return tuple(p.name for p in panels.registered() if wh is None or p.shown(wh))


def text_page(blocks: list[tuple[str, list[str]]], t, title: str | None = None) -> dict:
    """An A4 page of text: (style, lines) blocks, style one of title, heading, body, small."""
    sizes = {"title": 24, "heading": 15, "body": 12, "small": 10}
    width = PAGE_PX[0] - 120
    side = text_side(t.lang)
    y, annotations = 0.0, []
    for style, paragraphs in blocks:
        size = sizes[style]
        for paragraph in paragraphs:
            lines = wrap(paragraph, width, size)
            text = "<br>".join(bidi_line(esc(line), t.lang) for line in lines)
            if style in ("title", "heading"):
                text = f"<b>{text}</b>"
            annotations.append({
                "text": text, "showarrow": False, "xref": "paper", "yref": "paper", **side,
                "x": 0 if side["xanchor"] == "left" else 1, "y": 1 - y / (PAGE_PX[1] - 120), "yanchor": "top",
                "font": {"size": size, "color": "#111" if style != "small" else "#333"},
            })
            y += len(lines) * size * 1.4 + (14 if style in ("title", "heading") else 6)
    return {
        "data": [],
        "layout": {
            "width": PAGE_PX[0], "height": PAGE_PX[1], "margin": {"l": 60, "r": 60, "t": 60, "b": 60},
            "xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": {"family": font_family(t.lang)},
            "paper_bgcolor": "white", "plot_bgcolor": "white", "annotations": annotations, "template": {},
        },
    }


def paginate(blocks: list[tuple[str, list[str]]], lines_per_page: int = 62) -> list[list[tuple[str, list[str]]]]:
    """Blocks split over pages by an estimate of their wrapped lines."""
    pages, current, used = [], [], 0
    width = PAGE_PX[0] - 120
    for style, paragraphs in blocks:
        for paragraph in paragraphs:
            size = {"title": 24, "heading": 15, "body": 12, "small": 10}[style]
            n = len(wrap(paragraph, width, size)) * size / 10 + 1
            if used + n > lines_per_page and current:
                pages.append(current)
                current, used = [], 0
            current.append((style, [paragraph]))
            used += n
    if current:
        pages.append(current)
    return pages


def cover_blocks(ctx: Context, charts=None) -> list[tuple[str, list[str]]]:
    t = ctx.t
    area = ", ".join(area_label(ctx.wh, a, ctx.lang) for a in ctx.state.areas) or t("north-west Syria (all areas)")
    blocks = [
        ("title", [t("Situation report: displacement in Idlib and north-west Syria")]),
        ("heading", [f"{ctx.period_range} · {area}"]),
        ("body", [f"{k}: {v}" for k, v in filters(ctx, "map")]),
        ("small", [generated_line(ctx)]),
        ("heading", [t("Summary")]),
        ("body", summary(ctx)),
        ("heading", [t("Contents")]),
        ("body", [t("Figure {n}. {title}").format(n=i, title=t(panels.get(name).title))
                  for i, name in enumerate(charts or report_charts(ctx.wh), start=1)] + [t("Sources and caveats")]),
    ]
    return blocks


def sources_blocks(ctx: Context, ids: set[str], notes: list[str]) -> list[tuple[str, list[str]]]:
    t = ctx.t
    blocks = [("heading", [t("Sources")]), ("small", list(source_lines(ctx.wh, sorted(ids), t)))]
    blocks += [("heading", [t("Caveats")]), ("small", [t(c) for c in CAVEATS] + notes)]
    blocks += [("small", [generated_line(ctx)])]
    return blocks


def _pdf_pages(data: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(data)).pages)


def report_pages(ctx: Context, charts=None) -> list[dict]:
    """The report's pages as A4 figures, in order: cover and summary, one chart per page (every
    registered panel, or `charts`), sources and caveats (pure: nothing is rendered)."""
    t = ctx.t
    charts = tuple(charts or report_charts(ctx.wh))
    ids: set[str] = set()
    notes: list[str] = []
    pages = [text_page(page, t) for page in paginate(cover_blocks(ctx, charts))]
    for i, name in enumerate(charts, start=1):
        made = page_figure(name, ctx)
        ids.update(made[1])
        notes += made[2]
        pages.append(printed_figure(name, ctx, PAGE_PX[0], t("Figure {n}. ").format(n=i), made,
                                    plot_height=panels.get(name).report_px, page_height=PAGE_PX[1])[0])
    pages += [text_page(page, t) for page in paginate(sources_blocks(ctx, ids, notes))]
    return pages


def report(ctx: Context, charts=None, timeout: float | None = None) -> bytes:
    """The situation report as PDF bytes."""
    t = ctx.t
    writer = PdfWriter()
    pages = report_pages(ctx, charts)
    for data in render.render_many([(page, "pdf", *PAGE_PX, PAGE_SCALE) for page in pages], timeout=timeout):
        _add_pages(writer, data)
    writer.add_metadata({"/Title": t("Situation report: displacement in Idlib and north-west Syria"),
                         "/Subject": f"{ctx.period_range}", "/Creator": "Idlib displacement dashboard"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_pages(writer: PdfWriter, data: bytes) -> None:
    """Pages rendered at A4 size, added as they are (no transformation: pypdf would parse and
    rewrite every drawing operator of a map)."""
    for page in _pdf_pages(data):
        writer.add_page(page)

"""The situation report: an A4 PDF with a cover (title, period, area, filters, generation time and
a summary written from the numbers), the map and the charts with their captions and sources, and
a page of sources and caveats.

Every page is drawn by the same renderer as the chart exports (kaleido and chromium, so text is
shaped by the browser with the fonts installed from Debian), then the pages are put together on A4
with pypdf: charts are placed top to bottom, two to a page where they fit, each scaled to the
page's width.
"""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from dashboard import view
from dashboard.figures.common import FONT

from . import render
from .context import CAVEATS, Context, area_label, filters, generated_line, source_lines
from .files import page_figure, printed_figure
from .printed import wrap
from .summary import summary

A4 = (595.28, 841.89)  # points
MARGIN = 36.0  # points: half an inch
PAGE_PX = (794, 1123)  # A4 at 96 px per inch: the size text pages are drawn at
CHART_PX = 1000  # charts are drawn this wide and scaled to the page
REPORT_CHARTS = ("map", *view.CHARTS)


def text_page(blocks: list[tuple[str, list[str]]], t, title: str | None = None) -> dict:
    """An A4 page of text: (style, lines) blocks, style one of title, heading, body, small."""
    sizes = {"title": 24, "heading": 15, "body": 12, "small": 10}
    width = PAGE_PX[0] - 120
    y, annotations = 0.0, []
    for style, paragraphs in blocks:
        size = sizes[style]
        for paragraph in paragraphs:
            lines = wrap(paragraph, width, size)
            text = "<br>".join(_escape(line) for line in lines)
            if style in ("title", "heading"):
                text = f"<b>{text}</b>"
            annotations.append({
                "text": text, "showarrow": False, "xref": "paper", "yref": "paper", "align": "left",
                "x": 0, "xanchor": "left", "y": 1 - y / (PAGE_PX[1] - 120), "yanchor": "top",
                "font": {"size": size, "color": "#111" if style != "small" else "#333"},
            })
            y += len(lines) * size * 1.4 + (14 if style in ("title", "heading") else 6)
    return {
        "data": [],
        "layout": {
            "width": PAGE_PX[0], "height": PAGE_PX[1], "margin": {"l": 60, "r": 60, "t": 60, "b": 60},
            "xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": {"family": FONT},
            "paper_bgcolor": "white", "plot_bgcolor": "white", "annotations": annotations, "template": {},
        },
    }


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))


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


def cover_blocks(ctx: Context) -> list[tuple[str, list[str]]]:
    t = ctx.t
    area = ", ".join(area_label(ctx.wh, a) for a in ctx.state.areas) or t("north-west Syria (all areas)")
    blocks = [
        ("title", [t("Situation report: displacement in Idlib and north-west Syria")]),
        ("heading", [f"{ctx.period_range} · {area}"]),
        ("body", [f"{k}: {v}" for k, v in filters(ctx, "map")]),
        ("small", [generated_line(ctx)]),
        ("heading", [t("Summary")]),
        ("body", summary(ctx)),
        ("heading", [t("Contents")]),
        ("body", [t("Figure {n}. {title}").format(n=i, title=t(name_title(name)))
                  for i, name in enumerate(REPORT_CHARTS, start=1)] + [t("Sources and caveats")]),
    ]
    return blocks


def name_title(name: str) -> str:
    from .context import CHART_TITLES

    return CHART_TITLES[name]


def sources_blocks(ctx: Context, ids: set[str], notes: list[str]) -> list[tuple[str, list[str]]]:
    t = ctx.t
    blocks = [("heading", [t("Sources")]), ("small", list(source_lines(ctx.wh, sorted(ids), t)))]
    blocks += [("heading", [t("Caveats")]), ("small", [t(c) for c in CAVEATS] + notes)]
    blocks += [("small", [generated_line(ctx)])]
    return blocks


def _pdf_pages(data: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(data)).pages)


def _fit_width(page: PageObject) -> float:
    return (A4[0] - 2 * MARGIN) / float(page.mediabox.width)


def report(ctx: Context, charts=REPORT_CHARTS, timeout: float | None = None) -> bytes:
    """The situation report as PDF bytes."""
    t = ctx.t
    writer = PdfWriter()
    ids: set[str] = set()
    notes: list[str] = []
    for page in paginate(cover_blocks(ctx)):
        _add_whole(writer, render.render(text_page(page, t), "pdf", *PAGE_PX, timeout=timeout))
    sheet, y = None, 0.0
    for i, name in enumerate(charts, start=1):
        fig, fig_ids, fig_notes = page_figure(name, ctx)
        ids.update(fig_ids)
        notes += fig_notes
        printed, height = printed_figure(name, ctx, CHART_PX, title_prefix=t("Figure {n}. ").format(n=i))
        chart = _pdf_pages(render.render(printed, "pdf", CHART_PX, height, timeout=timeout))[0]
        scale = _fit_width(chart)
        h = float(chart.mediabox.height) * scale
        if scale * float(chart.mediabox.height) > A4[1] - 2 * MARGIN:  # taller than a page: fit the height
            scale = (A4[1] - 2 * MARGIN) / float(chart.mediabox.height)
            h = A4[1] - 2 * MARGIN
        if sheet is None or y - h < MARGIN:
            sheet = writer.add_blank_page(*A4)
            y = A4[1] - MARGIN
        y -= h
        sheet.merge_transformed_page(chart, Transformation().scale(scale, scale).translate(MARGIN, y))
        y -= 18
    for page in paginate(sources_blocks(ctx, ids, notes)):
        _add_whole(writer, render.render(text_page(page, t), "pdf", *PAGE_PX, timeout=timeout))
    writer.add_metadata({"/Title": t("Situation report: displacement in Idlib and north-west Syria"),
                         "/Subject": f"{ctx.period_range}", "/Creator": "Idlib displacement dashboard"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_whole(writer: PdfWriter, data: bytes) -> None:
    """A page drawn at A4 proportions, scaled to A4."""
    for page in _pdf_pages(data):
        added = writer.add_page(page)
        added.scale_to(*A4)

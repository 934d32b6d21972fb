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
from dashboard.i18n import bidi_line, listed, text_side
from dashboard.panels import headline
from dashboard.panels.empty import is_empty

from . import render
from .context import CAVEATS, Context, filters, generated_line, source_lines
from .files import page_figure, printed_figure
from .printed import PAGE_FOOT_PX, needs_measured_legend, wrap
from .summary import summary

A4 = (595.28, 841.89)  # points
PAGE_PX = (794, 1123)  # A4 at 96 px per inch: every page is drawn at this size
PAGE_SCALE = A4[0] / (PAGE_PX[0] * 0.75)  # chromium prints 0.75 pt per px: this makes the page A4 exactly


def report_charts(wh=None) -> tuple[str, ...]:
    """The report's figures: every registered panel with something to draw for the warehouse, in
    page order (each at its `report_px`)."""
    return tuple(p.name for p in panels.registered() if wh is None or p.shown(wh))


SIZES = {"title": 24, "heading": 15, "body": 12, "small": 10, "box": 12}
MARGIN = 60  # px on every side of a text page
TEXT_WIDTH = PAGE_PX[0] - 2 * MARGIN
TEXT_HEIGHT = PAGE_PX[1] - 2 * MARGIN - PAGE_FOOT_PX  # the page number below it
LINE = 1.4
TIGHT_LINE = 1.3  # the leading a text is set at when that saves a page holding only its last lines (plotly's
# own between the lines of one annotation, so a paragraph never takes more than is counted for it)
STRAGGLER = 0.15  # "only its last lines": the last page less than this share of a page full
BOX_PAD = 8


def _lines(style: str, paragraph: str) -> list[str]:
    width = TEXT_WIDTH - (2 * BOX_PAD + 4 if style == "box" else 0)
    return wrap(paragraph, width, SIZES[style])


def block_px(style: str, paragraph: str, line: float = LINE) -> float:
    """The height a paragraph takes on a text page (its wrapped lines and the space after it): what
    `text_page` advances by and `paginate` counts. `line`: the leading, a multiple of the font size."""
    size = SIZES[style]
    return len(_lines(style, paragraph)) * size * line + (14 if style in ("title", "heading") else 6)


def text_page(blocks: list[tuple[str, list[str]]], t, title: str | None = None, line: float = LINE) -> dict:
    """An A4 page of text: (style, lines) blocks, style one of title, heading, body, small, box (the
    key figures: body text in a framed box), set at leading `line`."""
    side = text_side(t.lang)
    y, annotations, shapes = 0.0, [], []
    box_top = None
    for style, paragraphs in blocks:
        size = SIZES[style]
        if style == "box" and box_top is None:
            box_top = y
            y += BOX_PAD
        elif style != "box" and box_top is not None:
            shapes.append(_box(box_top, y + BOX_PAD - 6))
            y += 2 * BOX_PAD
            box_top = None
        inset = BOX_PAD / TEXT_WIDTH if style == "box" else 0
        for paragraph in paragraphs:
            lines = _lines(style, paragraph)
            text = "<br>".join(bidi_line(esc(one), t.lang) for one in lines)
            if style in ("title", "heading"):
                text = f"<b>{text}</b>"
            annotations.append({
                "text": text, "showarrow": False, "xref": "paper", "yref": "paper", **side,
                "x": inset if side["xanchor"] == "left" else 1 - inset, "y": 1 - y / (PAGE_PX[1] - 2 * MARGIN),
                "yanchor": "top", "font": {"size": size, "color": "#111" if style != "small" else "#333"},
            })
            y += block_px(style, paragraph, line)
    if box_top is not None:
        shapes.append(_box(box_top, y + BOX_PAD - 6))
    return {
        "data": [],
        "layout": {
            "width": PAGE_PX[0], "height": PAGE_PX[1],
            "margin": {"l": MARGIN, "r": MARGIN, "t": MARGIN, "b": MARGIN, "autoexpand": False},
            "xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": {"family": font_family(t.lang)},
            "paper_bgcolor": "white", "plot_bgcolor": "white", "annotations": annotations, "shapes": shapes,
            "template": {},
        },
    }


def _box(top_px: float, bottom_px: float) -> dict:
    h = PAGE_PX[1] - 2 * MARGIN
    return {"type": "rect", "xref": "paper", "yref": "paper", "x0": 0, "x1": 1, "y0": 1 - bottom_px / h,
            "y1": 1 - top_px / h, "line": {"color": "#777", "width": 1}, "fillcolor": "#f4f4f0", "layer": "below"}


def paginate(blocks: list[tuple[str, list[str]]], height: float = TEXT_HEIGHT,
             line: float = LINE) -> list[list[tuple[str, list[str]]]]:
    """Blocks split over pages by the height of their wrapped lines (as `text_page` sets them at
    leading `line`): a list longer than a page continues on the next, a heading never ends a page,
    no page is empty."""
    pages, current, used = [], [], 0.0
    flat = [(style, paragraph) for style, paragraphs in blocks for paragraph in paragraphs]
    for k, (style, paragraph) in enumerate(flat):
        need = block_px(style, paragraph, line) + (3 * BOX_PAD if style == "box" else 0)
        if style == "heading" and k + 1 < len(flat):  # keep a heading with what follows it
            need += block_px(*flat[k + 1], line)
        if used + need > height and current:
            pages.append(current)
            current, used = [], 0.0
        current.append((style, [paragraph]))
        used += block_px(style, paragraph, line) + (3 * BOX_PAD if style == "box" else 0)  # (a box's padding, counted high)
    if current:
        pages.append(current)
    return pages


def fitted(blocks: list[tuple[str, list[str]]], height: float = TEXT_HEIGHT) -> tuple[list, float]:
    """(pages, leading): `paginate` at the usual leading, unless its last page would hold only a few
    last lines (less than STRAGGLER of a page: the report's closing "Generated ..." line alone on
    page 6) and a slightly tighter leading (TIGHT_LINE) sets the same text on one page fewer."""
    pages = paginate(blocks, height)
    last = sum(block_px(style, p) for style, ps in pages[-1] for p in ps) if pages else 0.0
    if len(pages) > 1 and last < STRAGGLER * height:
        tight = paginate(blocks, height, TIGHT_LINE)
        if len(tight) < len(pages):
            return tight, TIGHT_LINE
    return pages, LINE


def key_figures(ctx: Context) -> list[str]:
    """The key figures of the cover: the page's headline figures for the same view, one line each
    ("People displaced: 742,109–752,131 (1 Feb 2020 – 29 Feb 2020; OCHA, published 2020-03-01)")."""
    lines = []
    for card in headline.cards(ctx.request):
        detail = listed((x for x in (card.when, card.what, listed(card.sources, ctx.lang, strong=True)) if x), ctx.lang,
                        strong=True)
        lines.append(f"{card.title}: {card.value}" + (f" ({detail})" if detail else ""))
    return lines


def cover_blocks(ctx: Context, charts=None, left_out=()) -> list[tuple[str, list[str]]]:
    t = ctx.t
    area = listed((area_label(ctx.wh, a, ctx.lang) for a in ctx.state.areas), ctx.lang) or t("north-west Syria (all areas)")
    contents = [t("Figure {n}. {title}").format(n=i, title=t(panels.get(name).title))
                for i, name in enumerate(report_charts(ctx.wh) if charts is None else charts, start=1)]
    if left_out:
        contents.append(t("Not shown: no data for this period and area: {charts}").format(
            charts=listed((t(panels.get(name).title) for name in left_out), ctx.lang, strong=True)))
    blocks = [
        ("title", [report_title(ctx)]),
        ("heading", [f"{ctx.period_range} · {area}"]),
        ("body", [f"{k}: {v}" for k, v in filters(ctx, "map")]),
        ("small", [generated_line(ctx)]),
        ("heading", [t("Key figures")]),
        ("box", key_figures(ctx)),
        ("heading", [t("Summary")]),
        ("body", summary(ctx)),
        ("heading", [t("Contents")]),
        ("body", contents + [t("Sources and caveats")]),
    ]
    return blocks


def report_title(ctx: Context) -> str:
    return ctx.t("Situation report: displacement in Idlib and north-west Syria")


def sources_blocks(ctx: Context, ids: set[str], notes: list[str]) -> list[tuple[str, list[str]]]:
    t = ctx.t
    blocks = [("heading", [t("Sources")]), ("small", list(source_lines(ctx.wh, sorted(ids), t)))]
    blocks += [("heading", [t("Caveats")]), ("small", [t(c) for c in CAVEATS] + notes)]
    blocks += [("small", [generated_line(ctx)])]
    return blocks


def _pdf_pages(data: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(data)).pages)


def drawn_charts(ctx: Context, charts=None) -> tuple[list[tuple[str, tuple]], list[str]]:
    """([(name, its page figure, sources, notes)] of the charts with something to draw, [names of
    those with nothing]): a chart with no data is left out of the report and named on the cover."""
    shown, left_out = [], []
    for name in tuple(charts or report_charts(ctx.wh)):
        made = page_figure(name, ctx)
        if is_empty(made[0]):
            left_out.append(name)
        else:
            shown.append((name, made))
    return shown, left_out


def report_pages(ctx: Context, charts=None, legends: dict | None = None, drawn=None) -> list[dict]:
    """The report's pages as A4 figures, in order: cover and summary, one chart per page (every
    registered panel, or `charts`, that has something to draw), sources and caveats; each page
    numbered "Page i of n" (pure: nothing is rendered). `legends`: the measured legend height of a
    chart's page by its name (see `report`); `drawn`: the result of `drawn_charts` when made."""
    t = ctx.t
    legends = legends or {}
    shown, left_out = drawn or drawn_charts(ctx, charts)
    ids: set[str] = set()
    notes: list[str] = []
    cover, leading = fitted(cover_blocks(ctx, [n for n, _ in shown], left_out))
    pages = [text_page(page, t, line=leading) for page in cover]
    for i, (name, made) in enumerate(shown, start=1):
        ids.update(made[1])
        notes += made[2]
        page = printed_figure(name, ctx, PAGE_PX[0], t("Figure {n}. ").format(n=i), made,
                              plot_height=panels.get(name).report_px, page_height=PAGE_PX[1],
                              legend_h=legends.get(name))[0]
        page["layout"]["meta"]["panel"] = name
        pages.append(page)
    closing, leading = fitted(sources_blocks(ctx, ids, notes))
    pages += [text_page(page, t, line=leading) for page in closing]
    for n, page in enumerate(pages, start=1):
        number(page, t("Page {n} of {total}").format(n=n, total=len(pages)))
    return pages


def number(page: dict, text: str) -> None:
    """The page's number, centred at its foot (below every block: see PAGE_FOOT_PX)."""
    layout = page["layout"]
    margin = layout["margin"]
    plot_h = layout["height"] - margin["t"] - margin["b"]
    y_px = layout["height"] - PAGE_FOOT_PX / 2  # from the page's top
    layout["annotations"] = list(layout.get("annotations") or []) + [{
        "text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "xanchor": "center",
        "y": 1 - (y_px - margin["t"]) / plot_h, "yanchor": "middle", "font": {"size": 10, "color": "#555"},
        "name": "page-number"}]


def metadata(ctx: Context) -> dict:
    """The PDF's document information: the report's title with its period and areas, the filters as
    its subject, the date it was made."""
    t = ctx.t
    area = listed((area_label(ctx.wh, a, ctx.lang) for a in ctx.state.areas), ctx.lang) or t("north-west Syria (all areas)")
    when = ctx.generated.tz_convert("UTC")
    return {
        "/Title": f"{report_title(ctx)} · {ctx.period_range} · {area}",
        "/Subject": "; ".join(f"{k}: {v}" for k, v in filters(ctx, "map")),
        "/Keywords": ", ".join((t("displacement"), "Idlib", "Syria", ctx.period_range, area)),
        "/Author": "Idlib displacement dashboard", "/Creator": "Idlib displacement dashboard",
        "/Producer": "Idlib displacement dashboard (plotly, chromium, pypdf)",
        "/CreationDate": when.strftime("D:%Y%m%d%H%M%S+00'00'"), "/ModDate": when.strftime("D:%Y%m%d%H%M%S+00'00'"),
    }


def measured_pages(ctx: Context, charts=None, timeout: float | None = None) -> list[dict]:
    """The report's pages (`report_pages`) with each chart's legend as the browser draws it: the
    chart pages drawn once as SVG, and one whose legend is taller than estimated laid out again
    (its footer moved down, its plot smaller)."""
    drawn = drawn_charts(ctx, charts)
    pages = report_pages(ctx, charts, drawn=drawn)
    chart_pages = [p for p in pages if (p["layout"].get("meta") or {}).get("panel")]
    svgs = render.render_many([(p, "svg", *PAGE_PX, 1) for p in chart_pages], timeout=timeout)
    legends = {p["layout"]["meta"]["panel"]: h for p, svg in zip(chart_pages, svgs)
               if (h := needs_measured_legend(p, svg))}
    return report_pages(ctx, charts, legends, drawn=drawn) if legends else pages


def report(ctx: Context, charts=None, timeout: float | None = None) -> bytes:
    """The situation report as PDF bytes."""
    writer = PdfWriter()
    pages = measured_pages(ctx, charts, timeout)
    for data in render.render_many([(page, "pdf", *PAGE_PX, PAGE_SCALE) for page in pages], timeout=timeout):
        _add_pages(writer, data)
    writer.add_metadata(metadata(ctx))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_pages(writer: PdfWriter, data: bytes) -> None:
    """Pages rendered at A4 size, added as they are (no transformation: pypdf would parse and
    rewrite every drawing operator of a map)."""
    for page in _pdf_pages(data):
        writer.add_page(page)

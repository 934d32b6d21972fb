"""A page figure made ready for print: the figure the page shows, with a title, a subtitle (period
and filters), a legend below the plot, the source lines and the generation time printed on it.

Pure functions on plotly figure dicts. The layout of the printed figure is computed, not left to
plotly's automatic margins, so that the footer lands under the legend at any width: the legend's
rows and the wrapped source lines are counted from the text and the font size.
"""
from __future__ import annotations

import copy
import textwrap
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from dashboard.figures.common import LISTED_META, bidi_figure, esc, font_family
from dashboard.figures.labels import legend_height
from dashboard.figures.map import declutter, frame_aspect
from dashboard.i18n import BIDI_CONTROLS, N_, bidi_line, text_side, translator

TITLE_PX, SUBTITLE_PX, BODY_PX, FOOT_PX = 18, 12, 12, 10
LINE = 1.35  # line height as a multiple of the font size
CHAR = 0.6  # mean advance of a character as a multiple of the font size (DejaVu Sans is the widest
# of the fonts used: 0.55-0.6 em for running text; the larger figure keeps every wrapped line inside)
# an Arabic letter of Noto Sans Arabic UI, joined, is narrower (measured on the report's pages: lines
# wrapped at the Latin width filled three quarters of the Arabic page, whose left margin was wide)
ARABIC_CHAR = 0.44
PAGE_FOOT_PX = 40  # at the bottom of a report page: its number (report.py), never under the footer
# the UN's standard disclaimer, printed under every exported map (with the map's sources)
DISCLAIMER = N_("The boundaries and names shown and the designations used on this map do not imply official "
                "endorsement or acceptance by the United Nations.")
MIN_PLOT_PX = 200  # a report page's plot is never smaller: its footer is cut short instead
MORE_SOURCES = N_("… the full list of sources is on the report's sources page.")
NORTH_PX = 34  # the north arrow's box, in the plot's top corner away from the title's side


@dataclass(frozen=True)
class Caption:
    title: str
    subtitle: str  # period and filters
    sources: tuple[str, ...]  # one line per source: organisation, title, publication date
    generated: str  # "Generated 30 Nov 2026 03:40 UTC · data version ..."
    lang: str  # the language it is written in: the font stack, and the side the text starts on


def _advance(ch: str) -> float:
    """A character's estimated advance, as a multiple of the font size: none for a bidi control or
    a combining mark (Arabic vowel signs), less for an Arabic letter than for a Latin one."""
    if ch in BIDI_CONTROLS or unicodedata.combining(ch):
        return 0.0
    return ARABIC_CHAR if "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff" else CHAR


def wrap(text: str, width_px: float, font_px: float) -> list[str]:
    """Lines of `text` that fit `width_px` at `font_px` (estimated from the mean character width of
    the text: an Arabic text's lines as wide as an English one's, so that the margins match)."""
    return list(_wrapped(text, width_px, font_px))


@lru_cache(maxsize=4096)
def _wrapped(text: str, width_px: float, font_px: float) -> tuple[str, ...]:
    """`wrap`, memoised: a report wraps each paragraph three times (to paginate, to set it, to count
    its page), and the same source lines, caveats and footers are printed on every export."""
    em = sum(map(_advance, text)) / len(text) if text else CHAR
    chars = max(20, int(width_px / (font_px * (em or CHAR))))
    return tuple(textwrap.wrap(text, chars, break_long_words=True) or [""])


def _legend_entries(fig: dict) -> list[str]:
    names, seen = [], set()
    for trace in fig["data"]:
        if trace.get("showlegend") is False or trace.get("visible", True) is False or not trace.get("name"):
            continue
        group = trace.get("legendgroup") or trace["name"]
        if group in seen:
            continue
        seen.add(group)
        names.append(str(trace["name"]))
    return names


def legend_px(fig: dict, width_px: float, font_px: float = BODY_PX) -> int:
    """The height a horizontal legend takes (see figures/labels.py legend_height)."""
    return legend_height(fig["data"], width_px, font_px)


def legend_rows(names: list[str], width_px: float, font_px: float = BODY_PX) -> int:
    """Rows a horizontal legend takes: entries (symbol, gap and text) packed left to right, or, when
    they do not fit on one row, in columns as wide as the widest entry (as plotly.js lays them out)."""
    if not names:
        return 0
    widths = [40 + len(name) * font_px * CHAR for name in names]
    if sum(widths) <= width_px:
        return 1
    per_row = max(1, int(width_px // max(widths)))
    return -(-len(names) // per_row)


def key_date_lines(meta: dict, width_px: float) -> list[str]:
    """The numbered key dates of a chart as lines of its printed footer ('1. 19 Dec 2019: ...')."""
    rows = meta.get("key_dates") or []
    if not rows:
        return []
    text = " · ".join(f"{n}. {when}: {label}" for n, _, when, label, _ in rows)
    return wrap(text, width_px, FOOT_PX)


def class_legend(data: list[dict]) -> list[dict]:
    """The classes of a choropleth as legend entries (a square of each class's colour), in place of
    its colour bar: chromium prints a stepped colour bar to PDF as one colour, and a legend row
    reads better on paper. The choropleth's bar is switched off (in `data`)."""
    extra = []
    for i, trace in enumerate(data):
        bar = trace.get("colorbar") or {}
        if trace.get("type") != "choropleth" or not bar.get("ticktext") or trace.get("visible", True) is not True:
            continue
        bar = trace.get("colorbar") or {}
        labels = list(bar.get("ticktext") or [])
        colors = [c for _, c in (trace.get("colorscale") or [])][::2]
        if not labels or len(colors) != len(labels):
            continue
        data[i] = {**trace, "showscale": False}
        title = ((bar.get("title") or {}).get("text")) or ""
        for k, (label, color) in enumerate(zip(labels, colors)):
            extra.append({
                "type": "scattergeo", "lon": [None], "lat": [None], "mode": "markers",
                "name": f"{title}: {label}" if k == 0 and title else str(label),
                "marker": {"symbol": "square", "size": 13, "color": color, "line": {"color": "#666", "width": 0.5}},
                "hoverinfo": "skip", "legendrank": 1,
            })
    return extra


def x_title_px(layout: dict) -> int:
    """The room an x axis title takes under the tick labels (0 without one)."""
    axis = layout.get("xaxis") or {}
    title = axis.get("title") if isinstance(axis.get("title"), dict) else {"text": axis.get("title")}
    if axis.get("visible") is False or not (title or {}).get("text"):
        return 0
    size = ((title.get("font") or {}).get("size")) or 14
    return int(size * LINE + 6)


def for_print(fig: dict, caption: Caption, width: int, plot_height: int | None = None,
              page_height: int | None = None, legend_h: int | None = None) -> tuple[dict, int]:
    """(printed figure, its height in px) for a page figure at `width` px. The legend's height is
    estimated from its entries, or `legend_h` when it was measured (`measured_legend`, from the
    figure drawn once): the footer starts under the legend as drawn."""
    out = {"data": [dict(trace) for trace in fig["data"]], "layout": copy.deepcopy(fig["layout"])}
    layout = out["layout"]
    is_map = "geo" in layout
    if is_map:
        out["data"] += class_legend(out["data"])
        layout["showlegend"] = True  # the page draws the map's legend in HTML; on paper it is plotly's
    # a chart keeps at least the left margin its page figure computed for its y labels and titles
    left, right = (10, 10) if is_map else (max(80, int(layout.get("margin", {}).get("l") or 0)), 30)
    text_width = width - 20
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    # a chart's plot as tall as its page figure less the room it keeps for its legend (printed apart)
    figure_plot = int(layout.get("height") or 360) - int(meta.get("legend_px", 0))
    if is_map and not plot_height:  # the map's frame, at the page's shape (the frame fills the plot)
        aspect = frame_aspect(layout) or 1 / 0.6
        plot_height = min(int((width - left - right) / aspect), int((width - left - right) * 1.2))
    plot_height = plot_height or (int((width - left - right) * 0.6) if is_map else figure_plot + 20)
    if is_map:  # the labels that fit at this size (the page hides the others in the browser, as it zooms)
        plot_w = width - left - right
        drawn_w = min(plot_w, plot_height * (frame_aspect(layout) or plot_w / plot_height))  # (from the frame's left)
        corner = (drawn_w - NORTH_PX - 16, 0, drawn_w, NORTH_PX + 16) if text_side(caption.lang)["xanchor"] == "left" \
            else (0, 0, NORTH_PX + 16, NORTH_PX + 16)
        out = declutter(out, plot_w, plot_height, clear=[corner])
        layout = out["layout"]

    subtitle = wrap(caption.subtitle, text_width, SUBTITLE_PX)
    strip = int(meta.get("strip_px", 0))  # the key dates' numbers and panel titles above the plot
    top = int(TITLE_PX * LINE + len(subtitle) * SUBTITLE_PX * LINE + 24) + strip
    axis = 0 if is_map else 36 + x_title_px(layout)
    estimate = legend_px(out, width - left - right)
    legend_h = max(estimate, legend_h or 0)
    foot = [f"{t_key}" for t_key in key_date_lines(meta, text_width)]
    if is_map:
        foot += wrap(translator(caption.lang)(DISCLAIMER), text_width, FOOT_PX)
    layout["meta"] = {k: v for k, v in meta.items() if k not in LISTED_META}  # written out here, escaped
    layout["meta"]["print_legend_px"] = legend_h  # (what `needs_measured_legend` compares)
    sources = [line for text in caption.sources for line in wrap(text, text_width, FOOT_PX)]
    generated = wrap(caption.generated, text_width, FOOT_PX)
    foot += sources + generated

    def foot_height(lines: int) -> int:
        return int((lines + 1) * FOOT_PX * LINE) + 12

    bottom = axis + legend_h + foot_height(len(foot))
    height = top + plot_height + bottom
    if page_height:  # a page of the report: the chart at the top, the rest of the page left blank
        room = page_height - PAGE_FOOT_PX  # (its page number below)
        if height > room:
            plot_height = max(MIN_PLOT_PX, plot_height - (height - room))
        spare = room - top - plot_height - axis - legend_h  # for the footer's lines
        if foot_height(len(foot)) > spare:  # the sources that do not fit continue on the sources page
            keep = max(0, len(foot) - len(sources) - len(generated))
            fits = max(0, int((spare - 12) / (FOOT_PX * LINE)) - 1 - keep - len(generated) - 1)
            more = translator(caption.lang)(MORE_SOURCES)
            foot = foot[:keep] + sources[:fits] + [more] + generated
        bottom = page_height - top - plot_height
        height = page_height

    layout.update({
        "width": width, "height": height, "autosize": False, "title": {"text": ""},
        "font": {**layout.get("font", {}), "family": font_family(caption.lang)},
        "margin": {"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False, "pad": 0},
        # from the side the reading starts: right in Arabic (plotly keeps each entry's symbol before its text)
        "legend": {"orientation": "h", "x": 0 if text_side(caption.lang)["xanchor"] == "left" else 1,
                   "xanchor": text_side(caption.lang)["xanchor"], "y": -(axis + 6) / plot_height, "yanchor": "top",
                   "font": {"size": BODY_PX}},
        "hovermode": False,
    })
    if is_map:
        layout.pop("uirevision", None)
    side = text_side(caption.lang)
    plot_width = width - left - right
    # the figure's edge less 10 px, in paper units: left in English, right in Arabic
    edge = -(left - 10) / plot_width if side["xanchor"] == "left" else 1 + (right - 10) / plot_width

    def text_block(lines: list[str], y_px: float, size: int, color: str, bold: bool = False) -> dict:
        """Lines whose top lies `y_px` above (or, negative, below) the plot's top, from the side the
        reading starts."""
        body = "<br>".join(bidi_line(esc(line), caption.lang) for line in lines)
        return {"text": f"<b>{body}</b>" if bold else body, "showarrow": False, "xref": "paper", "yref": "paper",
                **side, "x": edge, "y": 1 + y_px / plot_height, "yanchor": "top",
                "font": {"size": size, "color": color}}

    arrow = []
    if is_map:  # in the frame's corner: the frame fills the plot's height, or its width
        drawn = min(1.0, plot_height * (frame_aspect(layout) or plot_width / plot_height) / plot_width)
        arrow = [north_arrow(side, drawn)]
    layout["annotations"] = list(layout.get("annotations", [])) + arrow + [  # title, subtitle, footer: the last three
        text_block([caption.title], top - 10, TITLE_PX, "#111", bold=True),
        text_block(subtitle, top - 14 - TITLE_PX * LINE, SUBTITLE_PX, "#444"),
        text_block(foot, -(plot_height + axis + legend_h + 10), FOOT_PX, "#333"),
    ]
    for axis_name in ("xaxis", "yaxis", "yaxis2"):
        if axis_name in layout:
            layout[axis_name] = {**layout[axis_name], "automargin": False}
            if side["xanchor"] == "right" and layout[axis_name].get("type") == "date":
                # the renderer's plotly.js has English month names only: dates as numbers in Arabic,
                # as precise as the ticks' spacing ("2018" a year apart, not "01/01/2018")
                layout[axis_name]["tickformatstops"] = ARABIC_DATE_TICKS
    return bidi_figure(out, caption.lang), height


DAY_MS = 86_400_000
# plotly picks the first stop whose range holds the ticks' spacing (both ends included)
ARABIC_DATE_TICKS = (
    {"dtickrange": [None, 27 * DAY_MS], "value": "%d/%m/%Y"},  # days and weeks apart: 09/02/2020
    {"dtickrange": ["M1", "M11"], "value": "%m/%Y"},  # months apart: 02/2020
    {"dtickrange": ["M12", None], "value": "%Y"},  # years apart: 2020
)


def north_arrow(side: dict, drawn: float = 1.0) -> dict:
    """A north arrow (an arrowhead over "N", vector text) in the map's top corner opposite the side
    the reading starts (the title's side), inside the frame (`drawn`: the share of the plot's width
    the frame takes, centred), on a white box."""
    right = side["xanchor"] == "left"
    return {"text": "<b>▲<br>N</b>", "showarrow": False, "xref": "paper", "yref": "paper",
            "x": 0.5 + drawn / 2 if right else 0.5 - drawn / 2, "xanchor": "right" if right else "left", "y": 1, "yanchor": "top",
            "xshift": -6 if right else 6, "yshift": -6, "align": "center", "font": {"size": 12, "color": "#111"},
            "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#666", "borderwidth": 0.5, "borderpad": 3,
            "name": "north"}


def measured_legend(svg: bytes) -> int | None:
    """The height of the legend as the browser drew it (its background box in the SVG), in px."""
    import re

    found = re.search(rb'<g class="legend"[^>]*>\s*<rect class="bg"[^>]*?height="([0-9.]+)"', svg)
    return int(float(found.group(1))) + 1 if found else None


def needs_measured_legend(fig: dict, svg: bytes) -> int | None:
    """The measured legend height when the drawn legend is taller than the room the layout left it."""
    measured = measured_legend(svg)
    room = ((fig["layout"].get("meta") or {}).get("print_legend_px")) or 0
    return measured if measured and measured > room else None

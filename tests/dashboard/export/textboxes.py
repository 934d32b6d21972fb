"""The text boxes of a plotly SVG export, for the print-layout tests: where each piece of text lies
on the drawn figure, and which of them overlap.

Boxes as the browser measured them where the SVG records it (an annotation's and the legend's
background rectangle: plotly sizes them to the text chromium laid out); every other text element
(tick labels, axis titles, map labels, ...) from its anchor, its font size and its width measured
with the font files chromium draws with (DejaVu Sans, Noto Sans Arabic UI; Pillow with raqm shapes
Arabic as the browser does).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

SVG = "{http://www.w3.org/2000/svg}"
FONTS = {
    (False, False): "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    (False, True): "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    (True, False): "/usr/share/fonts/truetype/noto/NotoSansArabicUI-Regular.ttf",
    (True, True): "/usr/share/fonts/truetype/noto/NotoSansArabicUI-Bold.ttf",
}
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+")
LINE_EM = 1.3  # plotly's line spacing in multi-line text
ASCENT, DESCENT = 0.78, 0.22  # of the glyphs above and below the baseline, in ems (capitals, descenders)


@dataclass(frozen=True)
class Box:
    kind: str  # annotation, legend, text
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, slack: float = 1.0) -> bool:
        return (self.x0 + slack < other.x1 and other.x0 + slack < self.x1
                and self.y0 + slack < other.y1 and other.y0 + slack < self.y1)


@lru_cache(maxsize=64)
def _font(arabic: bool, bold: bool, size: float = 48):
    path = FONTS[(arabic, bold)]
    return ImageFont.truetype(path, size=size, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=4096)
def _has(arabic: bool, ch: str) -> bool:
    """Whether the font has a glyph for `ch` (not its .notdef box)."""
    font = _font(arabic, False)
    missing = (font.getlength("\ue000"), font.getbbox("\ue000"))
    return ch.isspace() or (font.getlength(ch), font.getbbox(ch)) != missing


def text_width(text: str, size: float, bold: bool = False, arabic_first: bool = False) -> float:
    """The advance of `text` at `size` px, each character in the first font of the stack that has
    it (DejaVu Sans then Noto Sans Arabic UI, or the other way round for Arabic) as chromium picks
    them; runs of one font measured shaped (raqm), at 48 px and scaled."""
    order = (True, False) if arabic_first else (False, True)
    runs: list[tuple[bool, str]] = []
    for ch in text:
        use = next((f for f in order if _has(f, ch)), order[0])
        if runs and runs[-1][0] == use:
            runs[-1] = (use, runs[-1][1] + ch)
        else:
            runs.append((use, ch))
    return sum(_font(f, bold).getlength(run) for f, run in runs) * size / 48


def _translate(transform: str | None) -> tuple[float, float]:
    x = y = 0.0
    for a, b in re.findall(r"translate\(\s*([-0-9.e]+)[ ,]*([-0-9.e]*)\s*\)", transform or ""):
        x += float(a)
        y += float(b or 0)
    return x, y


def _size(style: str | None, default: float) -> float:
    found = re.search(r"font-size:\s*([0-9.]+)px", style or "")
    return float(found.group(1)) if found else default


def _bold(el) -> bool:
    return any("bold" in (e.get("style") or "") or e.tag == f"{SVG}b" for e in el.iter())


def _visible(style: str | None) -> bool:
    return not re.search(r"opacity:\s*0(\.0+)?\s*(;|$)|display:\s*none|visibility:\s*hidden", style or "")


def boxes(svg: bytes) -> list[Box]:
    """Every piece of text drawn in the SVG, as a box in the figure's pixels."""
    root = ET.fromstring(svg)
    out: list[Box] = []

    def walk(el, ox: float, oy: float, skip_text: bool):
        tag = el.tag.replace(SVG, "")
        cls = el.get("class") or ""
        if not _visible(el.get("style")) and tag in ("g", "text"):
            return
        dx, dy = _translate(el.get("transform"))
        ox, oy = ox + dx, oy + dy
        if tag == "svg":
            ox += float(el.get("x") or 0)
            oy += float(el.get("y") or 0)
        if tag == "g" and (" legend" in f" {cls}" or "annotation-text-g" in cls):
            rect = el.find(f".//{SVG}rect[@class='bg']")
            if rect is not None:
                gx, gy = ox, oy
                holder = el if " legend" in f" {cls}" else el.find(f".//{SVG}g[@class='cursor-pointer']")
                if holder is not None and holder is not el:
                    hx, hy = _translate(holder.get("transform"))
                    gx, gy = gx + hx, gy + hy
                x0, y0 = gx + float(rect.get("x") or 0), gy + float(rect.get("y") or 0)
                w, h = float(rect.get("width") or 0), float(rect.get("height") or 0)
                text = " ".join(t.strip() for t in el.itertext() if t.strip())
                if w > 0 and h > 0 and text:
                    out.append(Box("legend" if " legend" in f" {cls}" else "annotation", text, x0, y0, x0 + w, y0 + h))
                skip_text = True
        if tag == "text" and not skip_text:
            text_box(el, ox, oy)
            return
        for child in el:
            walk(child, ox, oy, skip_text)

    def text_box(el, ox: float, oy: float):
        lines = [t for t in el.findall(f"{SVG}tspan") if "line" in (t.get("class") or "")]
        texts = ["".join(t.itertext()) for t in lines] if lines else ["".join(el.itertext())]
        texts = [t for t in texts if t.strip()]
        if not texts:
            return
        size = _size(el.get("style"), 12.0)
        bold = _bold(el)
        arabic_first = "font-family: 'Noto Sans Arabic" in (el.get("style") or "")
        width = max(text_width(t, size, bold, arabic_first) for t in texts)
        height = ((len(texts) - 1) * LINE_EM + ASCENT + DESCENT) * size
        x, y = float(el.get("x") or 0), float(el.get("y") or 0)
        anchor = el.get("text-anchor") or "start"
        rotate = re.search(r"rotate\(\s*(-?[0-9.]+)", el.get("transform") or "")
        if rotate and abs(abs(float(rotate.group(1))) - 90) < 1:  # a vertical axis title, read upwards:
            # its baseline the vertical through (x, y), the glyphs on its left; centred on y
            cx, cy = ox - _translate(el.get("transform"))[0] + x, oy - _translate(el.get("transform"))[1] + y
            out.append(Box("text", " ".join(texts), cx - ASCENT * size, cy - width / 2, cx + DESCENT * size,
                           cy + width / 2))
            return
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        top = y - ASCENT * size
        out.append(Box("text", " ".join(texts), ox + left, oy + top, ox + left + width, oy + top + height))

    walk(root, 0.0, 0.0, False)
    return out


def overlapping(found: list[Box], slack: float = 1.0) -> list[tuple[Box, Box]]:
    """Pairs of boxes that overlap by more than `slack` px each way."""
    pairs = []
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.overlaps(b, slack):
                pairs.append((a, b))
    return pairs


def size_of(svg: bytes) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.get("width")), float(root.get("height"))

"""Exports in Arabic: shaped text drawn with Debian's Noto Sans Arabic UI, right to left, and a
report whose extracted text holds the Arabic words in logical order."""
from __future__ import annotations

import io
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image
from pypdf import PdfReader

from dashboard.export import files, render, report
from dashboard.i18n import translator

AR = "from=2020-02&to=2020-02&ind=idp_arrivals&lang=ar"


def _dark_pixels(png: bytes, box: tuple[int, int, int, int]) -> int:
    image = Image.open(io.BytesIO(png)).convert("L").crop(box)
    return int((np.asarray(image) < 110).sum())


def test_the_arabic_font_comes_from_debian():
    families = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans Arabic UI" in families, "run `make test` (installs fonts-noto-ui-core) or apt-get install it"


def test_an_arabic_png_has_its_title_drawn(renderer, context_for):
    ctx = context_for(AR)
    t = translator("ar")
    fig, height = files.printed_figure("map", ctx, 800)
    title = fig["layout"]["annotations"][-3]["text"]
    assert t("IDP arrivals") in title  # the title is the Arabic one ...
    png = render.render(fig, "png", 800, height, 2)
    assert Image.open(io.BytesIO(png)).size == (1600, 2 * height)
    blank = {**fig, "layout": {**fig["layout"], "annotations": [
        {**a, "text": " "} if a["text"] == title else a for a in fig["layout"]["annotations"]]}}
    without = render.render(blank, "png", 800, height, 2)
    band = (0, 0, 1600, 2 * 40)  # the title's band at the top
    drawn, empty = _dark_pixels(png, band), _dark_pixels(without, band)
    assert empty == 0 and drawn > 1500  # ... and it is drawn there (glyphs, in the right-hand side)
    right, left = _dark_pixels(png, (800, 0, 1600, 80)), _dark_pixels(png, (0, 0, 800, 80))
    assert right > left  # right to left: the title starts on the right


def test_an_arabic_svg_carries_shaped_text_in_logical_order(renderer, context_for):
    ctx = context_for(AR)
    svg = files.chart_image("displacement", ctx, "svg")
    text = " ".join(el.text for el in ET.fromstring(svg).iter() if el.text)
    t = translator("ar")
    assert t("Displacement in north-west Syria, by reporting period") in text
    assert t("Period") in text and "1 شباط 2020" in text


def test_the_arabic_report_reads_in_logical_order(renderer, context_for):
    # the whole region: the summary's sentence on people displaced (752,131) is north-west Syria's
    # figure, which a report on one area does not cite (its charts do not draw it)
    data = report.report(context_for("from=2020-02&to=2020-02&lang=ar"))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 8
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    t = translator("ar")
    for words in ("تقرير الوضع", "النزوح في إدلب", t("Summary"), t("Contents"), t("Caveats"), "الأشخاص النازحين",
                  "شباط"):
        assert words in text, words
    assert "752,131" in text and "OCHA" in text

"""Exports in Arabic: shaped text drawn with Debian's Noto Sans Arabic UI, right to left, and a
report whose extracted text holds the Arabic words in logical order."""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
from PIL import Image
from pypdf import PdfReader

from dashboard.export import files, render, report
from dashboard.i18n import FSI, LRI, PDF, PDI, RLE, strip_bidi, translator

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
    t = translator("ar")
    # the cover, the map, three charts and two pages of sources: the cover's last contents line
    # ("Sources and caveats") no longer makes a page of its own (report.fitted), so page 2 is the map's
    assert len(reader.pages) >= 7
    second = unicodedata.normalize("NFKC", reader.pages[1].extract_text())
    assert t("Sources and caveats") not in second and len(second) > 1000, second[:200]
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    for words in ("تقرير الوضع", "النزوح في إدلب", t("Summary"), t("Contents"), t("Caveats"), "الأشخاص النازحين",
                  "شباط"):
        assert words in text, words
    assert "752,131" in text and "OCHA" in text


# ---- mixed-direction text in logical order (issue 17) ---------------------------------------------
# The legend, with a source acronym and an ISO date: before the isolates the PDF read
# "OCHA (الوافدون من النازحين) : 16-04-2015 كم،10 ضمن" (the date turned round, the acronym at the wrong end).
LEGEND = "OCHA (الوافدون من النازحين): ضمن 10 كم، 2015-04-16"
ARABIC_WORDS = "الوافدون من النازحين"


def _with_legend(ctx, name: str = LEGEND):
    fig, ids, notes = files.page_figure("displacement", ctx)
    trace = next(t for t in fig["data"] if t.get("showlegend", True) is not False and t.get("name"))
    trace["name"] = name
    return fig, ids, notes


def _plain(text: str) -> str:
    """Extracted text as a reader compares it: compatibility forms (the PDF's presentation forms of
    Arabic letters) folded, bidi controls removed."""
    return strip_bidi(unicodedata.normalize("NFKC", text))


def test_an_arabic_svg_legend_reads_in_logical_order(renderer, context_for):
    # SVG text is the text as written: with the bidi controls removed it is the legend exactly, the
    # line is embedded right to left, and the acronym and the ISO date are each one isolated run
    ctx = context_for(AR)
    fig, height = files.printed_figure("displacement", ctx, 800, made=_with_legend(ctx))
    svg = render.render(fig, "svg", 800, height, 1)
    texts = [el.text for el in ET.fromstring(svg).iter() if el.text]
    legend = [s for s in texts if strip_bidi(s) == LEGEND]
    assert legend, "the legend entry is not one text element in logical order"
    assert legend[0].startswith(RLE) and legend[0].endswith(PDF)
    assert f"{LRI}OCHA{PDI}" in legend[0] and f"{LRI}2015-04-16{PDI}" in legend[0]
    for s in texts:  # no isolate left open anywhere (an unclosed one reorders what follows)
        assert s.count(PDI) == sum(s.count(c) for c in (LRI, FSI, "\u2067")), s


def test_an_arabic_pdf_legend_and_footer_read_in_order(renderer, context_for):
    # pypdf rebuilds a line from the glyphs' positions, left to right: an Arabic line comes out with
    # its runs in visual order. Logical order then means: each left-to-right run (the acronym, the ISO
    # date, the data version, the time) comes out whole and in its own order (2015-04-16, never
    # 16-04-2015), and the runs of the right-to-left line come out right to left: the acronym (first
    # in the legend) rightmost, the date (last) leftmost, the Arabic words between.
    ctx = context_for(AR)
    fig, height = files.printed_figure("displacement", ctx, 800, made=_with_legend(ctx))
    pdf = render.render(fig, "pdf", 800, height, 1)
    lines = [_plain(line) for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]
    legend = next(line for line in lines if "OCHA" in line and "2015" in line)
    assert "16-04-2015" not in legend
    assert legend.index("2015-04-16") < legend.index(ARABIC_WORDS) < legend.index("OCHA"), legend
    # the footer: when the file was made (a CLDR date and the time), and the data version, unbroken
    footer = "".join(line for line in lines if "09:15" in line)
    assert "تشرين الثاني" in footer and "UTC" in footer
    assert ctx.wh.version in re.sub(r"\s+", "", footer)
    assert not re.search(r"\d{2}-\d{2}-\d{4}", "\n".join(lines))  # no date turned round anywhere


def test_arabic_exports_write_dates_as_cldr_and_key_dates_in_arabic(context_for):
    ctx = context_for(AR)
    fig, _, _ = files.page_figure("displacement", ctx)
    rows = fig["layout"]["meta"]["key_dates"]
    assert rows, "the view has key dates (February 2020: Saraqib, Balyun)"
    timeline = pd.read_csv(files_root() / "data" / "figures" / "timeline.csv", dtype=str)
    arabic = set(zip(timeline["date"], timeline["label_ar"]))
    for _, date, when, label, _ in rows:
        assert (date, label) in arabic, label  # the timeline's Arabic label of that date ...
        assert re.search(r"[\u0600-\u06FF]", label) and not re.search(r"[A-Za-z]{3,}", label)
        assert not re.search(r"\d{4}-\d{2}", when) and re.search(r"[\u0600-\u06FF]", when)  # ... on a CLDR date
    printed, _ = files.printed_figure("displacement", ctx, 800)
    foot = printed["layout"]["annotations"][-1]["text"]
    assert all(label in strip_bidi(foot) for *_, label, _ in rows)
    # source lines: publication dates by month name, no ISO date in the Arabic text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", strip_bidi(foot)) and "نُشر في" in foot


def files_root():
    from etl.config import ROOT

    return ROOT


def _ticks(svg: bytes) -> list[str]:
    """The x axis's tick labels of a chart's SVG."""
    root = ET.fromstring(svg)
    return [el.text for g in root.iter() if g.get("class") == "xaxislayer-above"
            for el in g.iter() if el.tag.endswith("text") and el.text]


def test_arabic_date_ticks_are_as_precise_as_their_spacing(renderer, context_for):
    """plotly.js in the renderer has English month names only, so Arabic exports write dates as
    numbers: years apart "2018" (not "01/01/2018"), weeks apart "09/02/2020"."""
    years = _ticks(files.chart_image("refugees", context_for("?lang=ar"), "svg"))
    assert len(years) >= 3 and all(re.fullmatch(r"\d{4}", tick) for tick in years), years
    weeks = _ticks(files.chart_image("displacement", context_for("?lang=ar&from=2020-01&to=2020-03"), "svg"))
    assert len(weeks) >= 3 and all(re.fullmatch(r"\d\d/\d\d/\d{4}", tick) for tick in weeks), weeks


def test_arabic_lists_take_the_arabic_comma_and_semicolon(context_for):
    """Lists in running text (the cover's key figures, filters and contents, the cards' sources)
    were joined with ', ' and '; ' in Arabic too ("27 شباط 2020; تحت الحماية المؤقتة; IOM ...,
    UNHCR"); they take '، ' and '؛ ' there (i18n.listed), and stay as they were in English."""
    from dashboard.i18n import listed

    assert listed(["أ", "ب"], "ar") == "أ، ب" and listed(["أ", "ب"], "ar", strong=True) == "أ؛ ب"
    assert listed(["a", "b"], "en") == "a, b" and listed(["a", "b"], "en", strong=True) == "a; b"
    query = "from=2020-02&to=2020-02&area=SY07"
    arabic = report.key_figures(context_for(query, lang="ar"))
    refugees = next(line for line in arabic if "3,587,266" in line)
    assert "؛ " in refugees and "; " not in refugees and ", UNHCR" not in refugees, refugees
    english = report.key_figures(context_for(query))
    assert any("; under temporary protection; " in line for line in english), english
    cover = [text for _, texts in report.cover_blocks(context_for(query, lang="ar"), left_out=("casualties", "events"))
             for text in texts]
    left_out = next(text for text in cover if text.startswith("غير معروض"))
    assert "؛ " in left_out and "; " not in left_out, left_out

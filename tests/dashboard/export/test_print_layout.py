"""Print layouts computed, not hoped for (issue 17): the map and every chart drawn as PNG, PDF and
SVG at each supported width (800, 1,200 and 1,600 px) in English and Arabic, with the longest
indicator name and 20 sources of long titles, have no two pieces of text over each other and none
outside the figure (text boxes measured from the SVG: see textboxes.py); the report has no page
without content, numbered pages and its title, period, areas and filters in the PDF's metadata;
exported maps carry a north arrow, a scale bar, labels, a legend and the UN disclaimer as vector text.

Each width and language is drawn once (a module cache), and every check reads from it.
"""
from __future__ import annotations

import io
import re
import struct
import unicodedata

import pytest
from pypdf import PdfReader

from dashboard.export import files, render, report
from dashboard.export.printed import DISCLAIMER, Caption
from dashboard.i18n import translator
from dashboard.panels import empty

from .textboxes import boxes, overlapping, size_of

WIDTHS = (800, 1200, 1600)
IMAGE_WIDTH = 1200  # the width the PNG and PDF are also drawn at (text is placed by the SVG at every width;
# the PNG and PDF are drawn from the same figure: test_images checks every chart in every format)
LANGS = ("en", "ar")
STRESS = "from=2019-12&to=2020-03&per10k=1"  # four months of every chart, a rate on the map: long labels
DISCLAIMER_AR = ("إن الحدود والأسماء المبينة والتسميات المستخدمة في هذه الخريطة لا تعني إقراراً أو قبولاً "
                 "رسمياً من جانب الأمم المتحدة.")


def longest_indicator(wh, lang: str) -> str:
    """The warehouse's indicator with the longest name in `lang`."""
    from dashboard.data import catalog, indicators
    from dashboard.i18n import translator

    t = translator(lang)
    known = [i for i in catalog.bounds(wh).indicators if i in indicators.INDICATORS]
    return max(known, key=lambda i: len(t(indicators.INDICATORS[i].label)))


def twenty_sources(wh) -> tuple[str, ...]:
    """Twenty source lines as the page writes them, of the warehouse's longest titles (repeated when
    it holds fewer than twenty)."""
    from dashboard.export.context import source_lines
    from dashboard.i18n import translator

    src = wh["sources"]
    ids = list(src.assign(n=src["title"].str.len()).sort_values("n", ascending=False)["source_id"])
    lines = list(source_lines(wh, ids, translator("en")))[1:]
    lines = (lines * (20 // max(1, len(lines)) + 1))[:20]
    return (f"Sources ({len(lines)}):", *(re.sub(r"^\d+\. ", f"{i}. ", line) for i, line in enumerate(lines, 1)))


@pytest.fixture(scope="module")
def drawn(built_warehouse, renderer):
    """drawn(lang, width) -> {panel: (figure, height, svg, png, pdf)} for the stressed view, each
    width and language drawn once for the module."""
    import pandas as pd

    from dashboard.data.warehouse import warehouse
    from dashboard.request import Request

    cache: dict = {}
    wh = warehouse(built_warehouse)
    sources = twenty_sources(wh)
    real_caption = files.caption

    def long_caption(ctx, name, title, ids):
        made = real_caption(ctx, name, title, ids)
        return Caption(made.title, made.subtitle, sources, made.generated, made.lang)

    def draw(lang: str, width: int) -> dict:
        if (lang, width) not in cache:
            query = f"{STRESS}&ind={longest_indicator(wh, lang)}&lang={lang}"
            request = Request.from_query(wh, query)
            ctx = files.context(wh, request.state, lang, pd.Timestamp("2026-11-30 09:15", tz="UTC"))
            out = {}
            files.caption = long_caption
            try:
                for name in files.names():
                    fig, height, svg = files.measured_figure(name, ctx, width)
                    out[name] = [fig, height, svg]
            finally:
                files.caption = real_caption
            if width == IMAGE_WIDTH:  # the PNG and PDF of the same layout, at one width
                jobs = [(fig, fmt, width, height, files.PNG_SCALE if fmt == "png" else 1)
                        for fig, height, _ in out.values() for fmt in ("png", "pdf")]
                done = render.render_many(jobs)
                for k, name in enumerate(out):
                    out[name] += done[2 * k: 2 * k + 2]
            else:
                for name in out:
                    out[name] += [None, None]
            cache[lang, width] = out
        return cache[lang, width]
    return draw


def page_text(page) -> str:
    """A PDF page's text, ligatures (chromium sets "fi", "fl" as one glyph) as their letters."""
    return unicodedata.normalize("NFKC", page.extract_text())


def _describe(pair) -> str:
    a, b = pair
    return (f"{a.kind} {a.text[:60]!r} at {[round(v) for v in (a.x0, a.y0, a.x1, a.y1)]} over "
            f"{b.kind} {b.text[:60]!r} at {[round(v) for v in (b.x0, b.y0, b.x1, b.y1)]}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_text_over_other_text_or_outside_the_figure(drawn, lang, width):
    found = drawn(lang, width)
    assert set(found) == set(files.names())
    problems = []
    for name, (_fig, height, svg, png, pdf) in found.items():
        assert size_of(svg) == (width, height), name
        if width == IMAGE_WIDTH:
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (2 * width, 2 * height), name
            assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, name
        texts = boxes(svg)
        # a chart with nothing to draw prints no axes (no tick labels): its title, its note saying
        # why (printed whole), its sources and its footer
        if empty.is_empty(_fig):
            note = next(a["text"] for a in _fig["layout"]["annotations"] if a.get("name") == "empty")
            first = re.sub(r"<[^>]+>|[\u2066-\u2069\u202a-\u202e]", "", note.split("<br>")[0]).split()[0]
            assert len(texts) > 3 and any(first in b.text for b in texts), (name, first, [b.text for b in texts])
        else:
            assert len(texts) > 5, name
        problems += [f"{name}: {_describe(p)}" for p in overlapping(texts)]
        problems += [f"{name}: {b.kind} {b.text[:60]!r} outside the {width} x {height} figure"
                     for b in texts if b.x0 < -1 or b.y0 < -1 or b.x1 > width + 1 or b.y1 > height + 1]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_the_twenty_sources_and_the_longest_indicator_are_printed(drawn, built_warehouse, lang):
    from dashboard.data import indicators
    from dashboard.data.warehouse import warehouse
    from dashboard.i18n import BIDI_CONTROLS, translator

    def strip_bidi(text: str) -> str:
        return "".join(ch for ch in text if ch not in BIDI_CONTROLS)

    label = translator(lang)(indicators.INDICATORS[longest_indicator(warehouse(built_warehouse), lang)].label)
    for name, (_, _, svg, _, _) in drawn(lang, 800).items():
        text = strip_bidi(" ".join(b.text for b in boxes(svg)))  # as read: without the isolates of Arabic text
        heading = translator(lang)("Sources ({n}):").format(n=20).rstrip(":").split()  # ('Sources', '(20)')
        assert all(word in text for word in heading) and "20. " in text, name
    assert strip_bidi(label) in strip_bidi(" ".join(b.text for b in boxes(drawn(lang, 800)["map"][2])))


@pytest.mark.parametrize("lang", LANGS)
def test_the_map_carries_north_arrow_scale_bar_labels_legend_and_disclaimer_as_vector_text(drawn, lang):
    for width in WIDTHS:
        fig, _, svg, _, pdf = drawn(lang, width)["map"]
        assert b"<image" not in svg
        texts = [b.text for b in boxes(svg)]
        joined = " ".join(texts)
        disclaimer = DISCLAIMER if lang == "en" else DISCLAIMER_AR
        assert disclaimer.split()[0] in joined and disclaimer.split()[-1].rstrip(".") in joined
        assert any("N" in t and "▲" in t for t in texts)  # the north arrow
        assert re.search(r"\d+ (km|كم)", joined)  # the scale bar's label
        assert len([t for t in texts if t]) > 15  # place names
        assert any(b.kind == "legend" for b in boxes(svg))
        if width != IMAGE_WIDTH:
            continue
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        assert not any(ref.get_object().get("/Subtype") == "/Image"
                       for ref in ((page.get("/Resources") or {}).get("/XObject") or {}).values())  # vector only
        words = re.sub(r"\s+", "", page_text(page))
        assert re.sub(r"\s+", "", "United Nations" if lang == "en" else "الأمم") in words or lang == "ar"


def test_the_map_is_framed_on_the_selected_areas_or_the_links_frame(context_for):
    """The export's frame is the view's: fitted to the selected areas (Idleb), or the URL's bbox."""
    from dashboard.data import catalog
    from dashboard.panels.map import frame_of

    def lon_lat(query):
        ctx = context_for(query)
        geo = files.printed_figure("map", ctx, 800)[0]["layout"]["geo"]
        return (*geo["lonaxis"]["range"], *geo["lataxis"]["range"]), ctx

    (west, east, south, north), ctx = lon_lat("from=2020-02&to=2020-02&area=SY07")
    frame = frame_of(ctx.request)
    assert (west, south, east, north) == pytest.approx(frame, abs=1e-3)
    a_west, a_south, a_east, a_north = catalog.bounds_of(ctx.wh, ["SY07"])
    assert west <= a_west and east >= a_east and south <= a_south and north >= a_north  # Idleb in view
    (w2, e2, s2, n2), _ = lon_lat("from=2020-02&to=2020-02&area=SY07,SY02")  # Aleppo too: a larger frame
    assert (e2 - w2) > (east - west) and e2 > east
    (w3, e3, s3, n3), _ = lon_lat("from=2020-02&to=2020-02&bbox=36.5,36.0,37.0,36.5")
    assert w3 == pytest.approx(36.5, abs=0.05) and e3 == pytest.approx(37.0, abs=0.05)


@pytest.fixture(scope="module")
def reports(renderer, built_warehouse):
    """The issue's report (Idleb, February 2020) in English and Arabic, made once."""
    import pandas as pd

    from dashboard.data.warehouse import warehouse
    from dashboard.request import Request

    wh = warehouse(built_warehouse)
    out = {}
    for lang in LANGS:
        request = Request.from_query(wh, f"from=2020-02&to=2020-02&area=SY07&lang={lang}")
        ctx = files.context(wh, request.state, lang, pd.Timestamp("2026-11-30 09:15", tz="UTC"))
        out[lang] = (ctx, PdfReader(io.BytesIO(report.report(ctx))))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_has_no_empty_page_numbered_pages_and_metadata(reports, lang):
    ctx, reader = reports[lang]
    n = len(reader.pages)
    t = ctx.t
    for i, page in enumerate(reader.pages, start=1):
        text = page_text(page)
        number = t("Page {n} of {total}").format(n=i, total=n)
        # (Arabic is extracted in visual order: the number's words, in any order, on its last line)
        last = [line for line in text.splitlines() if line.strip()][-1]
        words = re.compile(r"\d+|[^\d\s]+")
        assert sorted(words.findall(number)) == sorted(words.findall(last)), (i, last)
        body = text.replace(last, "")
        # content besides the number and the generation line: a page is never blank but for a line
        lines = [line for line in body.splitlines() if line.strip() and "Generated" not in line and "أُنشئ" not in line]
        assert len(lines) >= 5, (i, body)
    meta = reader.metadata
    assert meta.title.startswith(report.report_title(ctx)) and "Kaleido" not in meta.title
    assert ctx.period_range in meta.title and "SY07" in meta.title
    assert t("Areas") in meta.subject and t("Indicator") in meta.subject
    assert "Kaleido" not in (meta.producer or "") and meta.creation_date.year == 2026


def test_a_chart_with_nothing_to_draw_is_left_out_and_named(reports):
    ctx, reader = reports["en"]
    shown, left_out = report.drawn_charts(ctx)
    assert left_out, "the Idleb February 2020 view has charts with nothing to draw"
    cover = re.sub(r"\s+", " ", page_text(reader.pages[0]))
    assert "Not shown: no data for this period and area" in cover
    text = "\n".join(page_text(p) for p in reader.pages)
    from dashboard import panels

    for name in left_out:
        title = ctx.t(panels.get(name).title)
        assert title in cover.replace("\n", " ")
        assert not re.search(r"Figure \d+\. " + re.escape(title), text)
    assert len([n for n in range(1, 10) if f"Figure {n}." in text]) >= len(shown)


def test_the_key_figures_are_the_headline_figures(reports):
    from dashboard.panels import headline

    for lang in LANGS:
        ctx, reader = reports[lang]
        cover = re.sub(r"\s+", "", page_text(reader.pages[0]))
        assert re.sub(r"\s+", "", ctx.t("Key figures")) in cover
        for card in headline.cards(ctx.request):
            for value in re.split(r"[–-]", card.value):  # (a range may be extracted in visual order)
                assert re.sub(r"\s+", "", value) in cover, (lang, card)


def test_long_lists_continue_on_the_next_page_and_no_page_is_left_empty():
    """Pagination by measured line heights: 60 long source lines fill pages, none is empty, and a
    heading is never the last thing on a page."""
    blocks = [("heading", ["Sources"]), ("small", [f"{i}. " + "A long source title, " * 12 for i in range(60)]),
              ("heading", ["Caveats"]), ("small", ["One caveat."] * 3), ("small", ["Generated ..."])]
    pages = report.paginate(blocks)
    assert len(pages) >= 2
    assert all(page for page in pages)
    for page in pages:
        assert page[-1][0] != "heading"
        used = sum(report.block_px(style, p) for style, ps in page for p in ps)
        assert used <= report.TEXT_HEIGHT
    assert sum(len(ps) for page in pages for _, ps in page) == 1 + 60 + 1 + 3 + 1


def _closing(n: int) -> list:
    return [("heading", ["Sources"]), ("small", [f"{i}. " + "A source title, " * 9 for i in range(n)]),
            ("heading", ["Caveats"]), ("small", ["One caveat that runs over two lines. " * 3] * 2),
            ("small", ["Generated 7 Dec 2026 14:34 UTC by the Idlib displacement dashboard"])]


def test_a_last_page_holding_only_the_closing_line_is_drawn_back_by_a_tighter_leading(renderer):
    """A report of Idleb, Dec 2019 - Mar 2020 ended on a sixth page holding only its "Generated ..."
    line: text whose last page would hold a few last lines is set at a slightly tighter leading when
    that saves the page, and set so (drawn: nothing over anything); text that runs well over is not."""
    n = next(n for n in range(20, 200) if len(report.paginate(_closing(n))) == 2)
    blocks = _closing(n)
    loose = report.paginate(blocks)
    assert [p for _, ps in loose[-1] for p in ps] == [blocks[-1][1][0]]  # the closing line alone
    pages, line = report.fitted(blocks)
    assert (len(pages), line) == (1, report.TIGHT_LINE)
    assert sum(report.block_px(style, p, line) for style, ps in pages[0] for p in ps) <= report.TEXT_HEIGHT
    assert sum(len(ps) for _, ps in pages[0]) == sum(len(ps) for _, ps in blocks)
    svg = render.render_many([(report.text_page(pages[0], translator("en"), line=line), "svg",
                               *report.PAGE_PX, 1)])[0]
    texts = boxes(svg)
    assert not overlapping(texts), [t.text[:40] for t in texts]
    assert max(b.y1 for b in texts) <= report.PAGE_PX[1] - report.MARGIN + 1
    far = _closing(n + 25)  # half a page over: two pages at the usual leading
    assert report.fitted(far) == (report.paginate(far), report.LINE)
    assert len(report.paginate(far)) == 2


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_over_other_text_on_the_reports_pages(reports, lang):
    """Every page of the report (cover, charts, sources) drawn as SVG: no text over other text, none
    off the page, the page number below everything else."""
    ctx, _ = reports[lang]
    pages = report.measured_pages(ctx)  # as `report` draws them
    svgs = render.render_many([(page, "svg", *report.PAGE_PX, 1) for page in pages])
    problems = []
    for i, svg in enumerate(svgs, start=1):
        texts = boxes(svg)
        problems += [f"page {i}: {_describe(p)}" for p in overlapping(texts)]
        problems += [f"page {i}: {b.text[:60]!r} off the page" for b in texts
                     if b.x0 < -1 or b.y0 < -1 or b.x1 > report.PAGE_PX[0] + 1 or b.y1 > report.PAGE_PX[1] + 1]
        number = [b for b in texts if re.search(r"\d+\D+\d+", b.text) and b.y0 > report.PAGE_PX[1] - 45]
        assert number, f"page {i} has no number at its foot"
        assert all(b.y1 <= number[0].y0 + 1 for b in texts if b is not number[0]), f"page {i}: text below its number"
    assert not problems, "\n".join(problems)

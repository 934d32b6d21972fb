"""Chart and map images rendered by kaleido with Debian's chromium: each file opened and checked."""
from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from dashboard.export import files, render
from dashboard.export.render import ExportError, Renderer


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def svg_text(data: bytes) -> str:
    root = ET.fromstring(data)  # parses
    assert root.tag.endswith("svg")
    return " ".join(t for el in root.iter() for t in (el.text,) if t)


def pdf_images(reader: PdfReader) -> int:
    count = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            count += obj.get("/Subtype") == "/Image"
    return count


@pytest.mark.parametrize("width", [800, 1200])
def test_png_is_twice_the_chosen_width_and_as_tall_as_the_print_layout(renderer, context_for, width):
    ctx = context_for()
    _, height, _ = files.measured_figure("displacement", ctx, width)  # (its legend as drawn)
    data = files.chart_image("displacement", ctx, "png", width)
    assert png_size(data) == (2 * width, 2 * height)


def test_svg_parses_and_carries_title_period_sources_and_time(renderer, context_for):
    ctx = context_for("from=2020-02&to=2020-02")
    text = svg_text(files.chart_image("displacement", ctx, "svg"))
    assert "Displacement in north-west Syria, by reporting period" in text
    assert "Period: 1 Feb 2020 – 29 Feb 2020" in text
    assert "OCHA" in text and "Sources (" in text and "Generated 30 Nov 2026 09:15 UTC" in text


def test_the_map_exports_as_vector_pdf_and_svg_with_its_sources(renderer, context_for):
    ctx = context_for("from=2020-02&to=2020-02&ind=idp_arrivals")
    reader = PdfReader(io.BytesIO(files.chart_image("map", ctx, "pdf")))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "IDP arrivals" in text and "Natural Earth" in text and "GeoNames" in text and "Generated 30 Nov" in text
    assert pdf_images(reader) == 0  # drawn as paths, not an embedded raster
    svg = files.chart_image("map", ctx, "svg")
    assert b"<image" not in svg and b"choroplethlocation" in svg
    assert "IDP arrivals: No data" in svg_text(svg)  # the classes as a legend


def test_every_chart_exports_in_every_image_format(renderer, context_for):
    ctx = context_for("from=2019-12&to=2020-03")
    for name in files.names():
        for fmt in files.IMAGE_FORMATS:
            data = files.chart_image(name, ctx, fmt, 800)
            assert data[:4] in (b"\x89PNG", b"<svg", b"%PDF"), (name, fmt)


def test_a_slow_export_is_stopped_with_a_clear_message_and_the_next_one_works(renderer, context_for):
    ctx = context_for()
    fig, height = files.printed_figure("map", ctx, 1000)
    own = Renderer(timeout=0.001)
    try:
        with pytest.raises(ExportError, match="took longer than"):
            own.render(fig, "pdf", 1000, height)
        own.timeout = 60
        assert own.render(fig, "svg", 1000, height)[:4] == b"<svg"  # reopened
    finally:
        own.close()


def test_no_browser_gives_a_clear_message(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    own = Renderer(timeout=20)
    with pytest.raises(ExportError, match="did not start"):
        own.render({"data": [], "layout": {}}, "png", 100, 100)
    with pytest.raises(ExportError, match="Unknown image format"):
        render.Renderer().render({"data": [], "layout": {}}, "gif", 100, 100)

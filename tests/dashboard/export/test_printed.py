"""The print layout (pure): title, subtitle, legend, sources and generation time on the figure."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.export.printed import Caption, class_legend, for_print, legend_rows, wrap

CAPTION = Caption(title="Displacement <by period>", subtitle="Period: 1 Feb 2020 – 29 Feb 2020 · Areas: Idleb (SY07)",
                  sources=("Sources (1):", "1. OCHA: Flash update & more, published 2020-02-20. https://example.org/a"),
                  generated="Generated 30 Nov 2026 09:15 UTC", lang="en")


def _chart(names=("People displaced", "IDP arrivals")):
    return {"data": [{"type": "scatter", "x": ["2020-02-01", "2020-02-29"], "y": [1, 2], "name": n} for n in names],
            "layout": {"height": 360, "title": {"text": "Displacement"}, "annotations": [], "xaxis": {}, "yaxis": {}}}


def test_the_printed_chart_carries_title_subtitle_sources_and_time_escaped():
    fig, height = for_print(_chart(), CAPTION, 1000)
    go.Figure(fig)  # valid for plotly
    texts = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "<b>Displacement &lt;by period&gt;</b>" in texts
    assert "Period: 1 Feb 2020" in texts and "Flash update &amp; more" in texts and "Generated 30 Nov 2026" in texts
    layout = fig["layout"]
    assert layout["width"] == 1000 and layout["height"] == height
    assert height == layout["margin"]["t"] + 380 + layout["margin"]["b"]
    assert layout["margin"]["autoexpand"] is False and layout["hovermode"] is False


def test_the_footer_grows_with_the_sources_and_the_legend_rows():
    _, short = for_print(_chart(), CAPTION, 1000)
    many = Caption(CAPTION.title, CAPTION.subtitle, CAPTION.sources + tuple(f"{i}. A source" for i in range(2, 12)),
                   CAPTION.generated, CAPTION.lang)
    _, long = for_print(_chart(), many, 1000)
    assert long - short >= 10 * 10  # ten more lines of at least 10 px
    _, wide_legend = for_print(_chart(tuple(f"A series with a long name {i}" for i in range(12))), CAPTION, 1000)
    assert wide_legend > short


def test_legend_rows_and_wrapping_follow_the_width():
    names = ["x" * 30] * 6
    assert legend_rows(names, 2000) == 1 and legend_rows(names, 500) >= 3 and legend_rows([], 500) == 0
    lines = wrap("word " * 100, 400, 10)
    assert len(lines) > 3 and all(len(line) <= 400 / (10 * 0.56) + 1 for line in lines)


def test_a_maps_colour_bar_becomes_legend_entries_in_class_colours():
    scale = [[0, "#ccc"], [0.5, "#ccc"], [0.5, "#f00"], [1, "#f00"]]
    data = [{"type": "choropleth", "showscale": True, "colorscale": scale,
             "colorbar": {"title": {"text": "IDP arrivals"}, "ticktext": ["No data", "1–10"]}}]
    entries = class_legend(data)
    assert data[0]["showscale"] is False
    assert [e["name"] for e in entries] == ["IDP arrivals: No data", "1–10"]
    assert [e["marker"]["color"] for e in entries] == ["#ccc", "#f00"]


def test_a_report_pages_footer_never_runs_off_the_page():
    """Sixty sources on an A4 page: the plot shrinks to its minimum, then the sources that do not fit
    continue on the sources page (said on the page); the footer stays above the page number."""
    from dashboard.export.printed import FOOT_PX, LINE, MIN_PLOT_PX, PAGE_FOOT_PX

    many = Caption(CAPTION.title, CAPTION.subtitle, tuple(f"{i}. A source with a long title " * 3 for i in range(60)),
                   CAPTION.generated, CAPTION.lang)
    fig, height = for_print(_chart(), many, 794, plot_height=500, page_height=1123)
    assert height == 1123
    layout = fig["layout"]
    foot = layout["annotations"][-1]["text"]
    assert "full list of sources is on the report" in foot and "Generated 30 Nov 2026" in foot
    plot = height - layout["margin"]["t"] - layout["margin"]["b"]
    assert plot >= MIN_PLOT_PX
    foot_top = layout["margin"]["t"] + plot + 36 + layout["meta"]["print_legend_px"] + 10  # under axis and legend
    lines = foot.count("<br>") + 1
    assert foot_top + lines * FOOT_PX * LINE <= height - PAGE_FOOT_PX

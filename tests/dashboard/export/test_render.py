"""The renderer's tabs stay loaded between renders (dashboard/export/render.py `kept_tabs_kaleido`):
what a used tab draws is what a freshly loaded one draws."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image
from pypdf import PdfReader


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _pdf(pdf: bytes) -> tuple:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return tuple(round(float(v)) for v in page.mediabox), page.extract_text()


def test_a_used_tab_draws_what_a_reloaded_one_draws(context_for, renderer, monkeypatch):
    """The same renders, in the same order, by the kept tabs and by tabs reloaded after each render
    (kaleido's own way): the same pixels, the same PDF pages (size and text). The order mixes
    formats and repeats a PDF of the same figure (its image is set to the same source again)."""
    from dashboard.export import files, render

    ctx = context_for("from=2019-12&to=2020-03&level=2")
    chart, h_chart = files.printed_figure("displacement", ctx, 900)
    geo, h_geo = files.printed_figure("map", ctx, 800)
    jobs = [(chart, "png", 900, h_chart, 2), (geo, "pdf", 800, h_geo, 1), (chart, "svg", 900, h_chart, 1),
            (chart, "pdf", 900, h_chart, 1), (chart, "pdf", 900, h_chart, 1), (geo, "png", 800, h_geo, 1),
            (chart, "png", 900, h_chart, 2), (geo, "pdf", 800, h_geo, 1)]

    def made(r) -> list:
        out = []
        for fig, fmt, width, height, scale in jobs:
            data = r.render(fig, fmt, width, height, scale)
            out.append(_pixels(data) if fmt == "png" else _pdf(data) if fmt == "pdf" else data[:5])
        return out

    kept = made(renderer)
    tabs = renderer._kaleido.tabs_ready._queue  # noqa: SLF001  (the tabs waiting for the next render)
    assert sum(getattr(tab, "_idlib_renders", 0) for tab in tabs) >= len(jobs) + 1 - len(tabs), \
        "the renderer's tabs were reloaded after their renders"
    monkeypatch.setattr(render, "RELOAD_EVERY", 1)
    fresh = render.Renderer()
    try:
        reloaded = made(fresh)
    finally:
        fresh.close()
    for k, (one, other) in enumerate(zip(kept, reloaded, strict=True)):
        if isinstance(one, np.ndarray):
            assert one.shape == other.shape and np.array_equal(one, other), f"render {k} ({jobs[k][1]}) differs"
        else:
            assert one == other, f"render {k} ({jobs[k][1]}) differs"
    for k, width, height in ((1, 800, h_geo), (3, 900, h_chart)):  # each PDF its own page size (in points)
        assert kept[k][0][2:] == (round(width * 0.75), round(height * 0.75)), (k, kept[k][0])


def test_kaleido_still_has_the_method_the_kept_tabs_replace():
    """An upgrade of kaleido that renames it would silently bring the reloads back."""
    import kaleido

    from dashboard.export import render

    assert callable(getattr(kaleido.Kaleido, "_return_kaleido_tab", None))
    assert render.kept_tabs_kaleido().__mro__[1] is kaleido.Kaleido


def test_the_headless_shell_comes_first_and_draws_what_chromium_draws(context_for, renderer, monkeypatch):
    """Exports use Debian's chromium-headless-shell when it is installed (less CPU), else chromium:
    the same chart and map, in English and Arabic, drawn by each are the same pixels."""
    import os

    from dashboard.export import files, render

    monkeypatch.delenv("BROWSER_PATH", raising=False)
    shell, full = render.HEADLESS_SHELL, "/usr/bin/chromium"
    if not (os.path.exists(shell) and os.path.exists(full)):
        import pytest
        pytest.skip("needs both Debian's chromium and chromium-headless-shell (scripts/ensure-browser.sh)")
    assert render.browser_path() == shell
    with monkeypatch.context() as without_shell:  # (not monkeypatch.undo(): that would also undo
        # use_warehouse's IDLIB_WAREHOUSE, and the test would read ./data/warehouse, absent in CI)
        without_shell.setattr(render.os.path, "exists", lambda p: p != shell and os.stat(p) is not None)
        assert render.browser_path() == full

    jobs = []
    for query in ("from=2019-12&to=2020-03&level=2", "from=2019-12&to=2020-03&level=2&lang=ar"):
        ctx = context_for(query)
        for name, width in (("displacement", 900), ("map", 800)):
            fig, height = files.printed_figure(name, ctx, width)
            jobs.append((fig, width, height))

    def drawn(r, binary: str) -> list:
        out = [_pixels(r.render(fig, "png", width, height, 1)) for fig, width, height in jobs]
        exes = set()
        for pid in r._started_pids:  # noqa: SLF001  (the browser this renderer started)
            try:
                exes.add(os.path.basename(os.readlink(f"/proc/{pid}/exe")))
            except OSError:
                continue
        assert binary in exes, exes
        return out

    monkeypatch.setenv("BROWSER_PATH", shell)
    by_shell = render.Renderer()
    try:
        from_shell = drawn(by_shell, "chromium-headless-shell")
    finally:
        by_shell.close()
    monkeypatch.setenv("BROWSER_PATH", full)
    by_chromium = render.Renderer()
    try:
        from_chromium = drawn(by_chromium, "chromium")
    finally:
        by_chromium.close()
    for k, (one, other) in enumerate(zip(from_shell, from_chromium, strict=True)):
        assert one.shape == other.shape, k
        differing = np.any(one != other, axis=2).mean()
        assert differing == 0, f"image {k}: {differing:.2%} of its pixels differ"

"""The scripts the page loads (dashboard.page.app): Dash's @babel/polyfill and dash_table's bundle are
left out, and the regenerator runtime that dash-renderer's and dcc's lazy components call is served
from the assets, before dash-renderer. Whether the page then works is the browser tests' business
(tests/test_browser*.py load it in chromium); here, the index and the asset."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from dashboard.page.app import UNUSED_SCRIPTS, create_app
from etl.config import ASSETS_DIR


@pytest.fixture(scope="module")
def index() -> str:
    return create_app().server.test_client().get("/").get_data(as_text=True)


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_the_page_loads_neither_the_polyfill_nor_dash_tables_bundle(index):
    srcs = scripts(index)
    assert srcs, index[:2000]
    assert not [s for s in srcs if "polyfill" in s or "dash_table" in s], srcs
    # what Dash still loads is there: React first, the renderer after the assets
    names = [s.split("?")[0].rsplit("/", 1)[-1] for s in srcs]
    assert names[0].startswith("react@") and any(n.startswith("dash_renderer") for n in names), names


def test_the_regenerator_runtime_comes_before_dash_renderer(index):
    names = [s.split("?")[0].rsplit("/", 1)[-1] for s in scripts(index)]
    assert "regenerator-runtime.js" in names, names
    renderer = next(i for i, n in enumerate(names) if n.startswith("dash_renderer"))
    assert names.index("regenerator-runtime.js") < renderer
    assert names.index("regenerator-runtime.js") < next(i for i, n in enumerate(names) if n.startswith("dash_core_components"))


def test_the_pattern_takes_out_only_those_two():
    html = ('<script src="/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1.12.1.min.js"></script>\n'
            '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js"></script>\n'
            '<script src="/_dash-component-suites/dash/dash_table/bundle.v7_4_1m1.js"></script>\n'
            '<script src="/assets/plotly-geo-4.1.1.min.js?m=1"></script>')
    left = scripts(UNUSED_SCRIPTS.sub("", html))
    assert left == ["/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js", "/assets/plotly-geo-4.1.1.min.js?m=1"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_asset_defines_the_global_runtime():
    code = ("global.window = global; require(process.argv[1]);"
            "const r = regeneratorRuntime; const g = r.mark(function* () { yield 1; });"
            "console.log(typeof r.wrap, typeof r.async, typeof g)")
    done = subprocess.run(["node", "-e", code, str(ASSETS_DIR / "regenerator-runtime.js")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["function", "function", "function"]


def test_the_base_map_is_preloaded_with_the_scripts(index):
    # plotly.js fetches world_110m.json for the map's geo subplot (resolution 110, dashboard/figures/map.py)
    link = re.search(r'<link rel="preload" href="/assets/topojson/world_110m\.json" as="fetch" crossorigin="anonymous">',
                     index)
    assert link, index[:1500]
    assert (ASSETS_DIR / "topojson" / "world_110m.json").is_file()


def test_the_index_adds_no_footer_landmark_to_the_pages_own(index):
    """Dash's template wraps its scripts in <footer>: with the page's footer (the layout's) a second
    'contentinfo' landmark, read out by screen readers. The scripts sit in a hidden <div> instead."""
    assert "<footer" not in index
    assert re.search(r'<div hidden>\s*<script id="_dash-config"', index), index[-3000:]

"""Fixtures of the export tests: the default warehouse's context for a known view, the renderer."""
from __future__ import annotations

import pandas as pd
import pytest

NOW = pd.Timestamp("2026-11-30 09:15", tz="UTC")
VIEW = "from=2020-02&to=2020-02&area=SY07"  # the report of the issue: February 2020, Idleb


@pytest.fixture
def context_for(use_warehouse):
    """context_for(query) -> the export context of that view of the default warehouse."""
    from dashboard.data.warehouse import warehouse
    from dashboard.export import files
    from dashboard.request import Request

    def make(query: str = VIEW, lang: str | None = None):
        request = Request.from_query(warehouse(), query)
        return files.context(request.wh, request.state, lang, NOW)
    return make


@pytest.fixture(scope="session")
def renderer():
    """The process's warm renderer (Debian's chromium), closed at the end of the session. (Closed
    after each module, it was started again each time a pytest-xdist worker went from one module's
    tests to another's: about 3 s of CPU each time.) Tests that need no renderer open close it
    themselves (test_limit's `no_other_renderer`); the next export opens it again."""
    import os

    from dashboard.export import render

    if not any(os.path.exists(path) for path in render.BROWSERS) and not os.environ.get("BROWSER_PATH"):
        pytest.fail("Debian's chromium is missing: run `make test` (installs it) or apt-get install chromium")
    yield render.renderer()
    render.renderer().close()

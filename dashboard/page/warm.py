"""The default view, rendered when a worker starts (dashboard.__main__.warm_up), so that the first
visitor does not wait: the live warehouse is loaded and the bare URL's page is computed into the
cache of dashboard.page.parts."""
from __future__ import annotations

from dashboard.data.warehouse import warehouse
from dashboard.request import Request

from .parts import page_parts_for


def warm(lang: str = "en") -> None:
    """Load the live version and render its default view (the bare URL)."""
    page_parts_for(Request.from_query(warehouse(), "" if lang == "en" else f"?lang={lang}"))

"""One translation function for every user-facing string.

`translator(lang)` returns a gettext function; the English text is the message id, so `t("Map")`
is "Map" in English. Arabic catalogs (Babel/gettext .mo files under dashboard/locale/) plug in
here without touching callers.
"""
from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en",)
DEFAULT = "en"

Translate = Callable[[str], str]


@cache
def translator(lang: str = DEFAULT) -> Translate:
    if lang not in LANGUAGES:
        lang = DEFAULT
    catalog = gettext.translation("messages", localedir=LOCALE_DIR, languages=[lang], fallback=True)
    return catalog.gettext

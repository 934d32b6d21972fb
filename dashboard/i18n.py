"""One translation function for every user-facing string, in English and Arabic.

`translator(lang)` returns a gettext function; the English text is the message id, so `t("Map")` is
"Map" in English and "الخريطة" in Arabic. Catalogs are managed with Babel (see README, *Languages*):
`make catalogs` extracts the messages of dashboard/ (calls of `t(...)` and strings marked `N_(...)`
where they are defined and translated where shown) into dashboard/locale/messages.pot, updates
dashboard/locale/ar/LC_MESSAGES/messages.po and compiles messages.mo. A missing or stale .mo is
compiled from the .po when first needed, so a fresh checkout works without a build step; a test
fails the build when any message lacks its Arabic translation.

The language travels one way: a `Translator` (what `translator(lang)` returns) is called as
`t("Map")` and knows its language (`t.lang`), so a figure builder handed `t` writes its dates,
fonts and reading direction in that language. The helpers below take the language as an argument;
nothing here reads a language from the request's context.

Dates are written in the chosen language with Babel's CLDR data (`fmt_date`); numbers keep Western
digits in both languages, as OCHA's Arabic products do.
"""
from __future__ import annotations

import gettext
import threading
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ar")
LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}
RTL = frozenset({"ar"})
DEFAULT = "en"

ENGLISH_PATTERNS = {"d MMM y": "%-d %b %Y", "d MMMM y": "%-d %B %Y", "MMMM y": "%B %Y", "MMM y": "%b %Y",
                    "d MMMM": "%-d %B", "d": "%-d"}  # CLDR patterns as strftime, for English
_compile_lock = threading.Lock()


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def compile_catalog(lang: str) -> Path | None:
    """messages.mo of `lang`, compiled from its .po when missing or older (None without a .po)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if not po.exists():
        return None
    with _compile_lock:
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po.open("rb") as f:
                catalog = read_po(f, locale=lang)
            tmp = mo.with_suffix(".mo.part")
            with tmp.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            tmp.replace(mo)
    return mo


class Translator:
    """`t("Map")`: a message in one language, whose code is `t.lang` (one object per language, from
    `translator`; hashed by identity, so caches can be keyed on it)."""

    __slots__ = ("lang", "_gettext")

    def __init__(self, lang: str, gettext_function) -> None:
        self.lang = lang
        self._gettext = gettext_function

    def __call__(self, message: str) -> str:
        return self._gettext(message)

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"


Translate = Translator  # the type of `t` in signatures


@cache
def translator(lang: str = DEFAULT) -> Translator:
    lang = language(lang)
    if lang == DEFAULT:
        return Translator(lang, gettext.NullTranslations().gettext)
    compile_catalog(lang)
    catalog = gettext.translation("messages", localedir=LOCALE_DIR, languages=[lang], fallback=True)
    return Translator(lang, catalog.gettext)


def fmt_date(ts, pattern: str = "d MMM y", *, lang: str) -> str:
    """A date in `lang`: '1 Feb 2020', '1 شباط 2020' (Western digits)."""
    import pandas as pd

    if ts is None or pd.isna(ts):
        return ""
    ts = pd.Timestamp(ts)
    if lang == DEFAULT:
        return ts.strftime(ENGLISH_PATTERNS.get(pattern, "%-d %b %Y"))
    return _arabic_date(ts.year, ts.month, ts.day, pattern, lang)


@cache
def _arabic_date(year: int, month: int, day: int, pattern: str, lang: str) -> str:
    from datetime import date

    from babel.dates import format_date

    if "MMMM" not in pattern:  # Levantine month names (كانون الثاني, شباط...) are in the full form
        pattern = pattern.replace("MMM", "MMMM")
    return format_date(date(year, month, day), pattern, locale=f"{lang}_SY" if lang == "ar" else lang)


RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding and its end


def bidi_line(text: str, lang: str) -> str:
    """A line of text for SVG (plotly, exports): in Arabic, embedded right to left, since SVG text
    lays out left to right unless told (the order of words, numbers and Latin names stays right)."""
    return f"{RLE}{text}{PDF}" if lang in RTL else text


def text_side(lang: str) -> dict:
    """Where a block of text starts on a printed page: left in English, right in Arabic."""
    if lang in RTL:
        return {"align": "right", "xanchor": "right"}
    return {"align": "left", "xanchor": "left"}

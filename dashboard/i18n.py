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
import re
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


def listed(items, lang: str, strong: bool = False) -> str:
    """Items in running text, separated as the language does: ', ' (or '; ' for `strong`, between
    items that hold commas themselves), in Arabic the Arabic comma '، ' (or semicolon '؛ ')."""
    if lang == "ar":
        return ("؛ " if strong else "، ").join(str(x) for x in items)
    return ("; " if strong else ", ").join(str(x) for x in items)


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


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def fmt_published(value, lang: str) -> str:
    """A date as the data writes it ('2020-03-16', '2020-03', '2020'), in `lang`: as it is in
    English; in Arabic with CLDR's month names ('16 آذار 2020', 'آذار 2020'), since an ISO date
    inside Arabic text reads backwards ('16-03-2020') unless isolated, and an Arabic reader reads
    a month by its name."""
    if value is None or (not isinstance(value, str) and value != value):
        return ""
    text = str(value)
    if lang not in RTL:
        return text
    if m := _ISO_DAY.fullmatch(text):
        return _arabic_date(int(m[1]), int(m[2]), int(m[3]), "d MMMM y", lang)
    if m := _ISO_MONTH.fullmatch(text):
        return _arabic_date(int(m[1]), int(m[2]), 1, "MMMM y", lang)
    return text


def fmt_timestamp(ts, lang: str) -> str:
    """A moment in `lang`, to the minute in UTC: '6 Dec 2026 06:07 UTC', '6 كانون الأول 2026 06:07 UTC'
    (the CLDR date, never an ISO string, which reads backwards inside Arabic text; the time and
    'UTC' isolated left to right in Arabic)."""
    import pandas as pd

    if ts is None or (not isinstance(ts, str) and pd.isna(ts)):
        return ""
    try:
        ts = pd.Timestamp(ts)
    except (ValueError, TypeError):
        return str(ts)
    ts = ts.tz_convert("UTC") if ts.tzinfo is not None else ts
    time = f"{ts:%H:%M} UTC"
    return f"{fmt_date(ts, 'd MMMM y' if lang in RTL else 'd MMM y', lang=lang)} {LRI}{time}{PDI}" if lang in RTL \
        else f"{fmt_date(ts, lang=lang)} {time}"


@cache
def _arabic_date(year: int, month: int, day: int, pattern: str, lang: str) -> str:
    from datetime import date

    from babel.dates import format_date

    if "MMMM" not in pattern:  # Levantine month names (كانون الثاني, شباط...) are in the full form
        pattern = pattern.replace("MMM", "MMMM")
    return format_date(date(year, month, day), pattern, locale=f"{lang}_SY" if lang == "ar" else lang)


RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding and its end
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"  # left-to-right and first-strong isolates and their end
BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# a left-to-right run inside Arabic text: Latin words, numbers, dates, times, P-codes, acronyms,
# addresses, with what joins them ('OCHA', 'SY0702', '2015-04-16', '06:07', '1:10m', 'v5.1.0',
# '~1,000,000', 'https://www.geonames.org/', 'A (B)'); a bracket belongs to the run only when the
# run holds both of its ends
_WORD = r"(?:[~≥≤≈#$£€+\-]\s?)?[A-Za-z0-9\u00C0-\u024F\u1E00-\u1EFF](?:[A-Za-z0-9\u00C0-\u024F\u1E00-\u1EFF'’]|[.,:/\-–_+&%@=?](?=[A-Za-z0-9\u00C0-\u024F]))*%?"
_LTR_RUN = re.compile(rf"{_WORD}(?:[ .,:;/\-–_+&·']*(?:\((?:[^()\u0600-\u06FF<>]*)\)|{_WORD}))*(?:\s?\((?:[^()\u0600-\u06FF<>]*)\))?[/-]?")
# what is not text: markup plotly reads (<br>, <b>, entities, %{placeholders}) and runs already isolated
_NOT_TEXT = re.compile(r"(<[^>]*>|&#?\w+;|%\{[^}]*\}|[\u2066\u2067\u2068][^\u2069]*\u2069)")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_PLAIN_NUMBER = re.compile(r"\d[\d,.]*")
_PIECE = re.compile(rf"{_WORD}|\((?:[^()\u0600-\u06FF<>]*)\)")
_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")


def _isolated(match: re.Match) -> str:
    """A run isolated left to right; numbers apart from each other ('1 شباط 2020 – 29 شباط' holds
    two runs, '2020' and '29', not '2020 – 29') and a plain number ('2020', '1,000', '3.5') left as
    it is: the bidi algorithm keeps its digits in order inside Arabic text by itself."""
    run = match.group(0)
    groups: list[list[int]] = []  # [start, end] of each run in `run`
    last_letters = False
    for piece in _PIECE.finditer(run):
        letters = bool(_LETTER.search(piece.group(0)))
        if groups and (letters or last_letters or piece.start() == groups[-1][1]):
            groups[-1][1] = piece.end()
        else:
            groups.append([piece.start(), piece.end()])
        last_letters = letters
    if not groups:
        return run
    groups[-1][1] = len(run) if run.endswith(("/", "-")) else groups[-1][1]
    out, at = [], 0
    for start, end in groups:
        part = run[start:end]
        out += [run[at:start], part if _PLAIN_NUMBER.fullmatch(part) else f"{LRI}{part}{PDI}"]
        at = end
    return "".join(out) + run[at:]


def isolate(text: str, lang: str, always: bool = False) -> str:
    """Text in `lang` whose left-to-right runs (Latin words, numbers, dates, timestamps, P-codes,
    acronyms, addresses) are isolated (LRI … PDI) when the text is Arabic, so that the bidi
    algorithm keeps each of them whole and in order: '2015-04-16' does not read '16-04-2015', and
    'OCHA' or a closing bracket stays where it is written. Markup and placeholders are left as
    they are; text already isolated is not isolated again. English (or Arabic text with no Arabic
    letters, such as a trace named 'HNAP') is returned as it is, unless `always` (a line that is
    embedded right to left whatever it holds: a source line wrapped into Latin words only, whose
    list number '2.' would otherwise stand at its right-hand end)."""
    if lang not in RTL or not text or not (always or _ARABIC.search(text)):
        return text
    parts = _NOT_TEXT.split(text)
    for i in range(0, len(parts), 2):  # the even parts are text
        parts[i] = _LTR_RUN.sub(_isolated, parts[i])
    for i in range(1, len(parts), 2):  # a placeholder's value (a number, a date, a name) isolated by its own first letter
        if parts[i].startswith("%{"):
            parts[i] = f"{FSI}{parts[i]}{PDI}"
    return "".join(parts)


def strip_bidi(text: str) -> str:
    """Text without its bidi controls (what a reader sees, for tests and plain-text comparisons)."""
    return text.translate({ord(c): None for c in BIDI_CONTROLS})


def bidi_line(text: str, lang: str) -> str:
    """A line of text for SVG (plotly, exports): in Arabic, embedded right to left, since SVG text
    lays out left to right unless told, with its left-to-right runs isolated (`isolate`), so that
    the order of words, numbers, dates and Latin names stays right."""
    return f"{RLE}{isolate(text, lang, always=True)}{PDF}" if lang in RTL else text


def bidi_lines(text: str, lang: str) -> str:
    """`bidi_line` for each line of plotly text (lines joined by <br>) that holds Arabic; a line
    with no Arabic letter (a number, an acronym) and an English text as they are."""
    if lang not in RTL or not text:
        return text
    return "<br>".join(bidi_line(line, lang) if RLE not in line and _ARABIC.search(line) else line
                       for line in re.split(r"<br\s*/?>", text))


def text_side(lang: str) -> dict:
    """Where a block of text starts on a printed page: left in English, right in Arabic."""
    if lang in RTL:
        return {"align": "right", "xanchor": "right"}
    return {"align": "left", "xanchor": "left"}

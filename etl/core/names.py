"""Match place names to OCHA P-codes across English and Arabic spellings and transliterations.

Source files name places in many ways: 'Idleb' (OCHA), 'Idlib' (most others), "Ma'arrat An
Nu'man", 'Maarrat al-Numan', 'Khan Sheikhoun' (French-style), 'إدلب' with or without hamza,
'جِسْرُ الشُّغُور' with diacritics, 'مركز إدلب' ('Idleb centre', the OCHA name of the central
sub-district). `normalise` turns each spelling into a key that variants share; `NameMatcher`
looks a name up among candidate admin areas (the admin_areas table built from COD-AB) by exact
key first, then by similarity (difflib, standard library), and only accepts a fuzzy match that
is clearly better than the next candidate. Unmatched and ambiguous names come back with their
nearest candidates so that the pipeline can report them.

The same module holds the rules every adapter shares for the text of names: `repair_mojibake`
(UTF-8 read as Windows-1252, undone), `fold_arabic` (letter variants and diacritics, also used
to match header names), `has_arabic_script` (is a text written, even partly, in Arabic script),
`clean_name` and `repaired` (a cell / a column of names repaired and trimmed), `join_notes`.

Pure functions; no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

import pandas as pd

THRESHOLD = 0.85  # lowest similarity accepted for a fuzzy match
MARGIN = 0.05  # a fuzzy match must beat the next P-code by at least this much
ALT_SEPARATOR = "|"  # several alternative names in one cell of an alt_* column

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# the Arabic script's blocks: Arabic, Arabic Supplement, Presentation Forms-A and -B
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")  # tashkil, tatweel
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",  # alef forms
    "ة": "ه",  # taa marbuta
    "ى": "ي", "ی": "ي", "ئ": "ي",  # alef maqsura, Persian yeh, yeh with hamza
    "ؤ": "و", "ک": "ك",
})
_ARABIC_QUALIFIERS = {"مركز", "محافظه", "منطقه", "ناحيه", "مدينه"}  # after folding: ة -> ه
_ARABIC_PUNCTUATION = re.compile(r"[^\u0621-\u064A\s]")

_LATIN_LETTERS = str.maketrans({"ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "ł": "l", "đ": "d"})  # no NFKD form
_APOSTROPHES = re.compile(r"['ʿʾ‘’`´ʼʻ\u02bf\u02be]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SUB_DISTRICT = re.compile(r"\bsub[\s-]*district\b")
_LATIN_QUALIFIERS = {
    "center", "centre", "markaz", "city", "district", "subdistrict", "governorate", "province",
    "nahya", "nahiya", "nahia", "mantiqa", "mantika", "muhafaza", "mouhafaza",
}
# the article, written as a separate word ('al-Dana', 'Ad Dana', 'Jisr-Ash-Shugur', 'Deir-ez-Zor')
_ARTICLES = {
    "al", "el", "il", "an", "en", "ar", "er", "as", "es", "ash", "esh", "ad", "ed", "at", "et", "az", "ez",
    "ath", "adh", "ul",
}
# whole words spelt many ways (applied before vowels are folded)
_WORDS = {
    "kfar": "kafr", "kafar": "kafr", "kefr": "kafr", "kafer": "kafr", "kfr": "kafr",
    "tell": "tal", "tel": "tal", "tall": "tal", "til": "tal",
    "jebel": "jabal", "jabel": "jabal", "jebal": "jabal", "jbal": "jabal",
    "abul": "abu", "abou": "abu", "abo": "abu",
}
# letter groups, in order: French and English spellings of the same sounds, then vowel colours
_LATIN_FOLDS = (
    ("ch", "sh"), ("dj", "j"), ("gh", "g"), ("q", "k"), ("ck", "k"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("ei", "i"), ("ey", "i"), ("ay", "i"), ("ai", "i"),
    ("e", "i"), ("o", "u"),
)
_TAA_MARBUTA_END = re.compile(r"(?:ah|eh|ih|a|e)$")  # Hasakeh / Hasakah / Hasaka
_REPEATS = re.compile(r"(.)\1+")


def is_arabic(text: str) -> bool:
    """Whether a name has an Arabic letter (and so is matched by its Arabic spelling)."""
    return bool(_ARABIC_LETTER.search(text))


def has_arabic_script(text: str) -> bool:
    """Whether a text has any character of the Arabic script (letters, digits, punctuation,
    presentation forms)."""
    return bool(ARABIC_SCRIPT.search(text))


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (٠-٩, ۰-۹) written as 0-9."""
    return text.translate(_DIGITS)


def fold_arabic(text: str) -> str:
    """Arabic diacritics and tatweel dropped, letter variants folded: one alef (أ إ آ ٱ -> ا),
    ة -> ه, ى ی ئ -> ي, ؤ -> و, ک -> ك. Other characters are left as they are."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 / Latin-1 ('Ø¥Ø¯Ù„Ø¨' -> 'إدلب', 'Ã©' -> 'é').

    Text that does not turn back into valid UTF-8 ('Apaydiná', 'Øresund') is returned unchanged.
    """
    if text.isascii():
        return text
    try:
        raw = b"".join(ch.encode("latin-1") if ord(ch) < 256 else ch.encode("cp1252") for ch in text)
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repaired(text: pd.Series) -> pd.Series:
    """repair_mojibake over a column of text (missing cells stay missing); ASCII cells, which it
    leaves as they are, are not looked at one by one."""
    from etl.core.ascii_fast import by_ascii, unique_map

    return by_ascii(text, lambda cells: cells, lambda rest: unique_map(rest, repair_mojibake))


def clean_name(text: str) -> str | None:
    """A name with mojibake repaired and outer spaces (no-break spaces too) stripped; None if blank."""
    return repair_mojibake(text).strip() or None


def join_notes(*parts: str | None) -> str | None:
    """Non-blank parts joined with '; ' (None when all are blank)."""
    return "; ".join(p for p in parts if p) or None


def _without_qualifiers(words: list[str], qualifiers: set[str]) -> list[str]:
    kept = [w for w in words if w not in qualifiers]
    return kept or words  # a name that is only a qualifier ('Markaz') stays itself


def normalise_arabic(name: str) -> str:
    """Arabic script: no diacritics or tatweel, one alef, ة -> ه, ى -> ي, no article 'ال', no
    qualifier words (مركز 'centre', محافظة, منطقة, ناحية, مدينة)."""
    text = fold_arabic(unicodedata.normalize("NFKC", name))
    text = _ARABIC_PUNCTUATION.sub(" ", text)
    words = []
    for word in text.split():
        if word.startswith("مركز") and word[4:].startswith("ال"):  # 'مركزالحفة', written without a space
            word = word[4:]
        words.append(word)
    words = _without_qualifiers(words, _ARABIC_QUALIFIERS)
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words)


def _fold_latin_word(word: str, first: bool) -> str:
    word = _WORDS.get(word, word)
    if not first and len(word) > 4 and word[:2] in ("al", "el"):  # 'Elmashayekh', "Al'awameed"
        word = word[2:]
    word = _TAA_MARBUTA_END.sub("a", word) if len(word) > 2 else word
    word = re.sub(r"iy(?=[aeiou])", "i", word)  # Janudiyah / Janudiah
    for old, new in _LATIN_FOLDS:
        word = word.replace(old, new)
    word = re.sub(r"^[aiu](?=[^aiu])", "a", word)  # initial ʿayn: A'zaz / I'zaz / Ezaz
    return _REPEATS.sub(r"\1", word)


def normalise_latin(name: str) -> str:
    """Latin script: lower case without accents or apostrophes, hyphens as spaces, no article
    ('al-', 'Ash-', 'ez-') and no qualifier ('centre', 'district'), transliteration variants
    folded (ou/oo -> u, ee -> i, e -> i, o -> u, ch -> sh, gh -> g, q -> k, final -ah/-eh -> a),
    repeated letters collapsed."""
    text = unicodedata.normalize("NFKD", name.translate(_LATIN_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _SUB_DISTRICT.sub(" ", _APOSTROPHES.sub("", text))
    words = _without_qualifiers(_SEPARATORS.sub(" ", text).split(), _LATIN_QUALIFIERS)
    if len(words) > 1:
        words = [w for i, w in enumerate(words) if not (w in _ARTICLES and i < len(words) - 1)] or words
    return " ".join(_fold_latin_word(w, i == 0) for i, w in enumerate(words))


def normalise(name: str) -> str:
    """The matching key of a place name, in Arabic or Latin script ('' for a blank name)."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    text = repair_mojibake(str(name)).strip()
    return normalise_arabic(text) if is_arabic(text) else normalise_latin(text)


@dataclass(frozen=True)
class Match:
    """The result of a look-up. `pcode` is None when the name is unmatched or ambiguous;
    `candidates` holds the nearest (pcode, name_en, score), best first, for the report."""

    pcode: str | None
    score: float
    method: str  # exact | fuzzy | ambiguous | unmatched | blank
    candidates: list[tuple[str, str, float]] = field(default_factory=list)
    query: str = ""

    def __str__(self) -> str:
        nearest = ", ".join(f"{p} {n} {s:.2f}" for p, n, s in self.candidates) or "no candidates"
        if self.pcode is not None:
            return f"{self.query!r} -> {self.pcode} ({self.method}, {self.score:.2f})"
        return f"{self.method}: {self.query!r} (nearest: {nearest})"


@dataclass(frozen=True)
class _Entry:
    pcode: str
    level: int
    name_en: str
    key: str
    arabic: bool


def _names_in(cell) -> list[str]:
    """The names in one cell: blank -> none; text -> split on '|'; a list -> its text items."""
    if isinstance(cell, str):
        return [part for part in cell.split(ALT_SEPARATOR) if part.strip()]
    if isinstance(cell, list | tuple):
        return [part for part in cell if isinstance(part, str) and part.strip()]
    return []


def _entries(candidates: pd.DataFrame) -> list[_Entry]:
    """One entry per distinct (P-code, spelling key), from name_en, name_ar and alt_* columns."""
    missing = [c for c in ("pcode", "level", "name_en") if c not in candidates.columns]
    if missing:
        raise ValueError(f"NameMatcher: candidates need column(s) {', '.join(missing)}; found {list(candidates.columns)}")
    name_columns = ["name_en"] + [c for c in candidates.columns if c == "name_ar" or str(c).startswith("alt_")]
    entries = {}
    for row in candidates.to_dict("records"):
        for column in name_columns:
            for name in _names_in(row[column]):
                key = normalise(name)
                if key:
                    entry = _Entry(str(row["pcode"]), int(row["level"]), str(row["name_en"]), key, is_arabic(key))
                    entries[entry] = None
    return list(entries)


class NameMatcher:
    """Looks names up among candidate admin areas.

    `candidates` has columns pcode, level, name_en and optionally parent_pcode, name_ar and any
    number of alt_* columns (alternative spellings, several separated by '|').
    """

    def __init__(self, candidates: pd.DataFrame, threshold: float = THRESHOLD, margin: float = MARGIN):
        self.entries = _entries(candidates)
        self.threshold = threshold
        self.margin = margin
        self._decided: dict[tuple[str, int | None, str | None], Match] = {}  # names repeat in sources

    def match(self, name: str, level: int | None = None, within: str | None = None) -> Match:
        """The P-code of `name` among candidates of `level` whose P-code starts with `within`.

        Exact key first; else the most similar candidate when it scores at least `threshold` and
        beats the next P-code by `margin`. Two P-codes with the same key are ambiguous.
        """
        query = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
        key = normalise(query)
        if not key:
            return Match(None, 0.0, "blank", [], query)
        if (key, level, within) not in self._decided:
            self._decided[(key, level, within)] = self._decide(key, level, within)
        return replace(self._decided[(key, level, within)], query=query)

    def _decide(self, key: str, level: int | None, within: str | None) -> Match:
        scope = [
            e for e in self.entries
            if e.arabic == is_arabic(key)
            and (level is None or e.level == level)
            and (within is None or e.pcode.startswith(within))
        ]
        ranked = sorted(_best_scores(key, scope).items(), key=lambda item: (-item[1][0], item[0]))
        if not ranked:
            return Match(None, 0.0, "unmatched", [])
        nearest = [(pcode, name_en, round(score, 3)) for pcode, (score, name_en) in ranked[:3]]
        best_pcode, (best, _) = ranked[0]
        second = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if best == 1.0:
            return Match(None, 1.0, "ambiguous", nearest) if second == 1.0 else Match(best_pcode, 1.0, "exact", nearest)
        if best < self.threshold:
            return Match(None, round(best, 3), "unmatched", nearest)
        if best - second < self.margin:
            return Match(None, round(best, 3), "ambiguous", nearest)
        return Match(best_pcode, round(best, 3), "fuzzy", nearest)


def _best_scores(key: str, scope: list[_Entry], keep: int = 3) -> dict[str, tuple[float, str]]:
    """The best score of each P-code over its spellings, exact for the `keep` best P-codes.

    Spellings are scored in order of difflib's cheap upper bound (quick_ratio); scoring stops
    once no remaining spelling can reach the `keep`-th best P-code.
    """
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)  # difflib caches the second sequence
    bounded = []
    for entry in scope:
        matcher.set_seq1(entry.key)
        bounded.append((1.0 if entry.key == key else matcher.quick_ratio(), entry))
    bounded.sort(key=lambda item: -item[0])
    best: dict[str, tuple[float, str]] = {}
    top: dict[str, float] = {}  # the `keep` best P-codes so far
    for bound, entry in bounded:
        if len(top) >= keep and bound < min(top.values()):
            break
        if entry.key == key:
            score = 1.0
        else:
            matcher.set_seq1(entry.key)
            score = matcher.ratio()
        if score > best.get(entry.pcode, (-1.0, ""))[0]:
            best[entry.pcode] = (score, entry.name_en)
            top[entry.pcode] = score
            if len(top) > keep:
                del top[min(top, key=top.__getitem__)]
    return best

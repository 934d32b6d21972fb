"""Columns that hold personal data: phone numbers, e-mail addresses, the names of contact persons,
focal points, key informants or enumerators, as CCCM site trackers and key-informant sheets carry
them. They are never loaded unless a sources file maps them on purpose; `personal_columns` finds
them (by header, in English or Arabic, or by what their cells hold) so that the run can report
each one it left out.

Pure functions.
"""
from __future__ import annotations

import re

from etl.core.headers import header_key

# header words (in header_key form: lower case, no spaces or punctuation) and what they hold
_HEADER_WORDS = (
    ("phone", "phone numbers"), ("mobile", "phone numbers"), ("telephone", "phone numbers"),
    ("whatsapp", "phone numbers"), ("contactnumber", "phone numbers"), ("tel", "phone numbers"),
    ("email", "e-mail addresses"), ("mail", "e-mail addresses"),
    ("focalpoint", "contact persons' names"), ("contactperson", "contact persons' names"),
    ("contactname", "contact persons' names"), ("sitemanager", "contact persons' names"),
    ("keyinformant", "key informants' names"), ("kiname", "key informants' names"),
    ("informantname", "key informants' names"), ("enumerator", "enumerators' names"),
    ("respondentname", "respondents' names"), ("nameofrespondent", "respondents' names"),
    ("هاتف", "phone numbers"), ("جوال", "phone numbers"), ("موبايل", "phone numbers"), ("واتساب", "phone numbers"),
    ("بريد", "e-mail addresses"), ("ايميل", "e-mail addresses"), ("نقطهالاتصال", "contact persons' names"),
    ("الشخصالمسوول", "contact persons' names"), ("اسمالمخبر", "key informants' names"), ("اسمالمبلغ", "key informants' names"),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"^\+?(00)?[\d\s()-]{9,16}$")
_PHONE_PREFIX = re.compile(r"^(\+|00)(90|963|961|962|964)|^0?5\d{9}$|^09\d{8}$")  # Türkiye, Syria, neighbours


def _by_header(name: str) -> str | None:
    key = header_key(name)
    if key in ("tel",):
        return "phone numbers"
    for word, what in _HEADER_WORDS:
        if word == "tel":
            continue
        if word in key and not (word == "mail" and "email" not in key and not key.endswith("mail")):
            return what
    return None


def _by_cells(cells: list[str]) -> str | None:
    filled = [c.strip() for c in cells if c and c.strip()]
    if len(filled) < 2:
        return None
    if sum(bool(_EMAIL.search(c)) for c in filled) >= max(2, len(filled) // 2):
        return "e-mail addresses"
    digits = [re.sub(r"[\s()-]", "", c) for c in filled]
    if sum(bool(_PHONE.fullmatch(c)) and bool(_PHONE_PREFIX.search(d)) for c, d in zip(filled, digits)) >= max(2, len(filled) // 2):
        return "phone numbers"
    return None


def personal_columns(names: list[str], rows: list[list[str]], sample: int = 200) -> list[tuple[int, str, str]]:
    """(position, header, what it holds) of each column holding personal data, judged by its header
    or by the first `sample` rows of its cells."""
    found = []
    for i, name in enumerate(names):
        what = _by_header(name) if name else None
        if what is None:
            what = _by_cells([row[i] if i < len(row) else "" for row in rows[:sample]])
        if what is not None:
            found.append((i, name or f"(column {i + 1})", what))
    return found

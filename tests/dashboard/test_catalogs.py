"""The Arabic catalog: every user-facing message of dashboard/ has its Arabic translation (this test
fails the build on a missing one), with the same placeholders, and the compiled catalog is used."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from dashboard import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "dashboard" / "locale" / "ar" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[^}]*\}")
KEPT_AS_IS = {"UNHCR"}  # names kept in Latin letters in Arabic text


def extracted(tmp_path) -> set[str]:
    """The messages in the code now, extracted with Babel as `make catalogs` does."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "t", "-k",
                    "N_", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return {m.id for m in read_po(pot.open("rb")) if m.id}


def test_every_message_in_the_code_has_an_arabic_translation(tmp_path):
    messages = extracted(tmp_path)
    assert len(messages) > 150  # the extraction found the dashboard's messages (t(...), N_(...), f-strings)
    catalog = read_po(PO.open("rb"), locale="ar")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(messages - set(translated))
    assert missing == [], f"{len(missing)} message(s) without Arabic: run `make catalogs` and translate: {missing[:20]}"


def test_translations_keep_their_placeholders_and_are_arabic():
    catalog = read_po(PO.open("rb"), locale="ar")
    for m in catalog:
        if not m.id:
            continue
        assert sorted(PLACEHOLDER.findall(m.id)) == sorted(PLACEHOLDER.findall(m.string)), m.id
        if m.id not in KEPT_AS_IS:
            assert re.search(r"[\u0600-\u06FF]", m.string) or not re.search(r"[a-z]{3}", m.id), m.id


def test_the_compiled_catalog_translates_and_english_stays_english():
    i18n.compile_catalog("ar")
    t = i18n.translator("ar")
    assert t("Map") != "Map" and re.search(r"[\u0600-\u06FF]", t("Idlib displacement dashboard"))
    assert t("Governorates") == "المحافظات"
    assert i18n.translator("en")("Map") == "Map" and i18n.translator("xx")("Map") == "Map"
    assert i18n.direction("ar") == "rtl" and i18n.direction("en") == "ltr"


def test_dates_are_written_in_the_language_with_syrian_month_names():
    assert i18n.fmt_date("2020-02-01", lang="en") == "1 Feb 2020"
    assert i18n.fmt_date("2020-05-29", lang="ar") == "29 أيار 2020"
    assert i18n.fmt_date("2020-02-01", "d MMMM y", lang="ar") == "1 شباط 2020"

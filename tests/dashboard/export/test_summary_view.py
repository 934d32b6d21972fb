"""The report's summary reads the view: with areas selected, every sentence about areas stays
inside them and says so; figures are named with their level, so that the map's Dana sub-district
(248,842 arrivals) and Dana town (71,588) are never confused."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from dashboard.export import summary

ROOT = Path(__file__).resolve().parents[3]
# places the committed figures name outside Idleb governorate (besides the other governorates)
OUTSIDE_IDLEB = ("north-west Syria", "northern Aleppo", "A'zaz", "Azaz", "Afrin", "Jandairis", "Al Bab", "Salqin sub",
                 "Atareb", "Madiq", "Ziyara", "Türkiye", "Turkey", "Hama", "Latakia")


def summary_text(pdf: Path) -> str:
    """The summary section of the report's first page, as a reader extracts it (pypdf)."""
    text = PdfReader(pdf).pages[0].extract_text()
    return text[text.index("Summary"):text.index("Contents")]


def test_the_idleb_report_summary_names_no_area_outside_idleb(built_warehouse, tmp_path):
    """The issue's command: `--area SY07 --from 2020-02-01 --to 2020-02-29`. Its summary used to
    name A'zaz and Afrin (Aleppo) as top areas and 'Idleb, Aleppo' for arrivals."""
    from dashboard.data.warehouse import warehouse

    out = tmp_path / "idleb.pdf"
    env = {**os.environ, "IDLIB_WAREHOUSE": str(built_warehouse)}
    run = subprocess.run([sys.executable, "-m", "dashboard.export", "report", "--area", "SY07", "--from", "2020-02-01",
                          "--to", "2020-02-29", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    text = " ".join(summary_text(out).split())
    areas = warehouse(built_warehouse)["admin_areas"]
    outside = [n for p, n in zip(areas["pcode"], areas["name_en"]) if p != "SY" and not str(p).startswith("SY07")]
    assert "Aleppo" in outside
    named = [n for n in (*outside, *OUTSIDE_IDLEB) if n in text] + re.findall(r"\bSyria\b", text)
    assert not named, (named, text)
    assert "This summary covers the selected areas only: Idleb." in text
    assert "248,842 IDP arrivals were recorded in Dana (sub-district), within the selected areas (Idleb)" in text
    assert "Highest IDP arrivals by governorate on the map, within the selected areas (Idleb): Idleb (344,110)." in text


def test_a_place_given_at_two_levels_says_which_is_which(context_for):
    """No area selected, February 2020: HNAP gives Dana as a sub-district (248,842 arrivals, what
    the map draws) and Dana town (71,588); the sentence gives the map's level and names the other."""
    sentences = summary.summary(context_for("from=2020-02&to=2020-02"))
    arrivals = [s for s in sentences if "IDP arrivals were recorded" in s]
    assert len(arrivals) == 1
    assert "248,842 IDP arrivals were recorded in Dana (sub-district)" in arrivals[0]
    assert "Dana (community): 71,588, the town alone, a part of Dana (sub-district)" in arrivals[0]
    assert not any("selected areas" in s for s in sentences)
    assert any(s.startswith("Highest IDP arrivals by governorate on the map: Idleb (344,110)") for s in sentences)


def test_the_arabic_summary_says_the_view_is_restricted(context_for):
    sentences = summary.summary(context_for("from=2020-02&to=2020-02&area=SY07", lang="ar"))
    assert sentences[0].startswith("يقتصر هذا الملخص على المناطق المختارة")
    assert any("ضمن المناطق المختارة" in s and "ناحية" in s for s in sentences)


def test_a_source_read_on_a_copy_says_so_and_another_source_is_named_alone(context_for):
    """February 2020, no area: OCHA gives 752,131 people displaced and UN HNAP, read only on a copy
    (its organisation cell carries the facts list's "[copy; original not found]"), gives 742,109. The
    summary says the copy as the cards do, in both languages, and the other source's clause names its
    organisation without its publication date (the Arabic one used to carry "، نُشر في …", cut by an
    English comma that Arabic text does not have)."""
    sentences = summary.summary(context_for("from=2020-02&to=2020-02"))
    displaced = next(s for s in sentences if "people were displaced" in s)
    assert "(OCHA, published 2020-06-09; UN HNAP (copy; original not found) gives 742,109)" in displaced, displaced
    arrivals = next(s for s in sentences if "IDP arrivals were recorded" in s)
    assert "(UN HNAP (copy; original not found), published" in arrivals, arrivals
    arabic = summary.summary(context_for("from=2020-02&to=2020-02", lang="ar"))
    displaced_ar = next(s for s in arabic if "752,131" in s)
    assert "؛ وفق HNAP (نسخة، ولم يُعثر على الأصل): 742,109" in displaced_ar, displaced_ar
    assert displaced_ar.count("نُشر في") == 1, displaced_ar
    assert any("(HNAP (نسخة، ولم يُعثر على الأصل)، نُشر في" in s for s in arabic), arabic

"""One rule for the HXL hashtag row that HDX copies put under a text header, in every adapter that
skips it (etl/core/headers.py is_hashtag_row): every non-blank cell an HXL hashtag.

Before, ACLED and UCDP skipped a row whose cells were mostly hashtags, while the movements,
monthly-sheet, UNHCR and locations readers skipped only a row of hashtags alone, and both skipped a
row of spreadsheet errors ('#N/A'). Where they differed, the stricter rule won: a row with one cell
that is not a hashtag may be data, and data is loaded or reported, never skipped unseen."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl.adapters import acled, locations, movements
from etl.config import ROOT
from etl.core.issues import Issues
from etl.core.spec import SourceSpec

ACLED = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"
MIXED = "mostly hashtags, one text cell"


def under_header(source: Path, target: Path, cells: list[str]) -> Path:
    """`source` with a row of `cells` (padded to the header's width) inserted as row 2."""
    rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    rows.insert(1, (cells + [""] * len(rows[0]))[: len(rows[0])])
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


@pytest.mark.parametrize("row, skipped", [
    (["#event+code", "#date", "#date+year"], True),
    (["#event+code", "#date", "#date+year", MIXED], False),  # the old ACLED/UCDP rule skipped this row
    (["#N/A", "#N/A", "#REF!"], False),  # spreadsheet errors: both old rules skipped this row
])
def test_acled_skips_a_hashtag_row_only(tmp_path, row, skipped):
    path = under_header(ACLED, tmp_path / "acled.csv", row)
    plain = acled.read(SourceSpec("a", "acled"), ACLED, Issues())["events"]
    issues = Issues()
    out = acled.read(SourceSpec("a", "acled"), path, issues)["events"]
    assert len(out) == len(plain)  # the inserted row is never an event
    reported = {p.row for p in issues.problems}
    if skipped:
        assert 2 not in reported and min(reported, default=3) >= 3  # data rows numbered from 3
    else:
        assert 2 in reported  # read as data and reported, not skipped


@pytest.mark.parametrize("row, skipped", [
    (["#date", "#adm3+code+origin", "#adm3+code+dest", "#affected+idps"], True),
    (["#date", "#adm3+code+origin", "#adm3+code+dest", MIXED], False),
    (["#N/A", "#N/A", "#N/A", "#N/A"], False),
])
def test_movements_skip_a_hashtag_row_only(tmp_path, row, skipped):
    header = ["Month", "Origin Sub-district Pcode", "Destination Sub-district Pcode", "Individuals"]
    path = tmp_path / "moves.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, row, ["Feb-20", "SY070100", "SY070300", "12"]])
    issues = Issues()
    out = movements.read(SourceSpec("m", "movements"), path, issues)["displacement"]
    assert list(out["fact_id"]) == ["m:3"]
    assert ({p.row for p in issues.problems} == set()) is skipped


@pytest.mark.parametrize("row, skipped", [
    (["#adm4+code", "#loc+code", "#loc+name", "#loc+name+i_ar", "#loc+type"], True),
    (["#adm4+code", "#loc+code", "#loc+name", "#loc+name+i_ar", MIXED], False),
])
def test_camp_lists_skip_a_hashtag_row_only(tmp_path, row, skipped):
    header = ["admin4Pcode", "Location_Pcode", "LocationName_en", "Locationme_ar", "location_type"]
    path = tmp_path / "camps.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, row, ["C4120", "CP000001", "Al Ezza", "العزة", "Camp"]])
    issues = Issues()
    out = locations.read(SourceSpec("c", "locations"), path, issues)["locations"]
    assert list(out["location_pcode"]) == ["CP000001"]
    assert ({p.row for p in issues.problems} == set()) is skipped

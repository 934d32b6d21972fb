"""Header rows: one rule for the HXL hashtag row under a text header, one for matching header
names, for every adapter."""
from __future__ import annotations

import hxl
import pytest

from etl.core.headers import HASHTAG, header_key, is_hashtag_row, keys, text_table


@pytest.mark.parametrize("cells", [
    ["#date", "#adm1+name", "#affected+killed"],
    ["#geo+lat", "", " #geo +lon ", ""],  # untagged columns are blank; spaces around '+' allowed
    ["#adm3+code+v_pcode", None, "#affected+idps+ind"],
])
def test_a_row_of_hashtags_is_a_hashtag_row(cells):
    assert is_hashtag_row(cells)


@pytest.mark.parametrize("cells", [
    [],
    ["", "  ", None],
    # where the two old rules differed: ACLED's and UCDP's reader skipped a row whose cells were
    # mostly hashtags, the movements, monthly-sheet, UNHCR and locations readers only a row of
    # hashtags alone. One text cell now makes a data row (loaded or reported, never skipped).
    ["#date", "#adm1+name", "Idlib"],
    ["#date", "Idlib"],
    # spreadsheet errors start with '#' but are not hashtags: both old rules skipped such a row unseen
    ["#N/A", "#REF!", "#VALUE!", "#DIV/0!"],
    ["# of individuals", "#"],
])
def test_a_row_with_anything_but_hashtags_is_data(cells):
    assert not is_hashtag_row(cells)


@pytest.mark.parametrize("cell", ["#date", "#adm1+name", " #affected +idps ", "#x_1+y2", "#N/A", "#REF!", "# of", "#", "#1st",
                                  "#date+", "adm1"])
def test_a_hashtag_is_what_libhxl_parses_as_one(cell):
    parsed = hxl.model.Column.parse(cell)
    assert bool(HASHTAG.fullmatch(cell)) == bool(parsed and cell.strip().startswith("#")), cell


def test_header_keys_ignore_case_spaces_punctuation_and_arabic_variants():
    assert header_key(" Origin Sub-district Pcode") == "originsubdistrictpcode"
    assert header_key("\ufeffLatitude_y") == header_key("LATITUDE y") == "latitudey"
    assert header_key("أفراد") == header_key("افراد") == header_key("اَفراد")
    assert header_key("عدد العائلـات") == header_key("عدد العائلات")  # tatweel
    assert header_key("Ø§Ù„Ø´Ù‡Ø±") == header_key("الشهر")  # mojibake repaired
    assert keys("Month", " month ") == frozenset({"month"})


def test_a_header_row_is_found_below_titles_and_a_hashtag_row_is_skipped():
    rows = [["Monthly movements"], [""], ["Month", "Individuals"], ["#date", "#affected+idps"], ["Feb-20", "7"], ["", ""],
            ["Mar-20", "8"]]
    table = text_table(rows, "f.csv", lambda found: "month" in found, "'Month'")
    assert table.columns == ["Month", "Individuals"]
    assert table.rows == [(5, {"Month": "Feb-20", "Individuals": "7"}), (7, {"Month": "Mar-20", "Individuals": "8"})]


def test_a_row_with_a_note_under_the_header_is_data_not_a_hashtag_row():
    rows = [["Month", "Individuals", "Note"], ["#date", "#affected+idps", "checked"], ["Feb-20", "7", ""]]
    table = text_table(rows, "f.csv", lambda found: "month" in found, "'Month'")
    assert [number for number, _ in table.rows] == [2, 3]

"""OCHA P-coded communities and CCCM camp lists: the real layouts (xlsx, snake-case CSV, camp CSV),
their quirks, camp placement through the parent community, and malformed files.

Fixtures are synthetic, written into tmp_path in the published layouts; the real files are read
only by the tests marked `shared`.
"""
from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from etl.adapters import locations
from etl.contracts import LOCATIONS
from etl.core.contracts import validate
from etl.core.headers import header_key
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.conftest import shared_path
from tests.etl.adapters.helpers import as_text, assert_conforms, assert_located

XLSX_HEADER = [
    "admin0Name_en", "admin0Name_ar", "admin0Pcode", "admin1Name_en", "admin1Name_ar", "admin1Pcode",
    "admin2Name_en", "admin2Name_ar", "admin2Pcode", "admin3Name_en", "admin3Name_ar", "admin3Pcode",
    "admin4Name_en", "admin4Name_ar", "Column1", "admin4Pcode", "LocationName_en", "LocationName_ar",
    "Location_Pcode", "location_type", "LastUpdateDate", "Latitude_y", "Longitude_x",
]
AOC_HEADER = [
    "admin0name_en", "admin0name_ar", "admin0pcode", "admin1name_en", "admin1name_ar", "admin1pcode",
    "admin2name_en", "admin2name_ar", "admin2pcode", "admin3name_en", "admin3name_ar", "admin3pcode",
    "admin4name_en", "admin4name_ar", "column1", "admin4pcode", "location_name_en", "location_name_ar",
    "location_pcode", "location_type", "last_update_date", "latitude_y", "longitude_x", "zone", "aoc_rosc", "nws_aoc",
]
CAMP_HEADER = ["admin4Pcode", "Location_Pcode", "LocationName_en", "Locationme_ar", "location_type"]


def community(pcode, name_en, name_ar, adm3, lat, lon, kind="Community", date="19/12/2018"):
    """One row of the OCHA communities list (synthetic values, real layout)."""
    adm2, adm1 = adm3[:6], adm3[:4]
    return [
        "Syrian Arab Republic", "الجمهورية العربية السورية", "SY", "Idleb", "إدلب", adm1,
        "Harim", "حارم", adm2, "Dana", "دانا", adm3,
        name_en, name_ar, name_en, pcode, name_en, name_ar, pcode, kind, date, lat, lon,
    ]


COMMUNITIES = [
    community("C4120", "Hezreh - Hezri", "حزرة_حرزي", "SY070301", 36.23259, 36.789977),
    community("C4121", "Sarmada", "سرمدا", "SY070301", "36.186604000000004", "36.723929"),  # text with float noise
    community("C4122", "Tal Elkarameh", "Ø¥Ø¯Ù„Ø¨", "SY070301", "36.186903", " 36.768526 "),  # damaged Arabic
    community("C4123", "Apaydiná", "", "SY070302", "", ""),  # lossy damage kept; no coordinates
]


def write_xlsx(path: Path, header: list, rows: list, sheet: str = "Sheet1") -> Path:
    """A workbook as Excel saves it (control characters, which Excel cannot store, removed)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in [header, *rows]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    book.save(path)
    return path


def write_csv(path: Path, header: list, rows: list, bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read(path: Path, **options):
    issues = Issues()
    out = locations.read(SourceSpec("ocha_locations", "locations", options=options), path, issues)
    return out["locations"], issues


def by_pcode(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("location_pcode")


# --- communities ------------------------------------------------------------------------------


def test_communities_xlsx_in_the_published_layout(tmp_path):
    path = write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, COMMUNITIES)
    out, issues = read(path)
    assert_conforms(out, LOCATIONS, geometry=True)
    assert not issues.problems
    rows = by_pcode(out)
    assert list(out["location_pcode"]) == ["C4120", "C4121", "C4122", "C4123"]
    assert set(out["kind"]) == {"community"} and set(out["adm1_pcode"]) == {"SY07"}
    assert rows.loc["C4121", "lat"] == 36.186604  # float noise rounded off
    assert rows.loc["C4122", "lon"] == 36.768526  # coordinates stored as text, with spaces
    assert rows.loc["C4122", "name_ar"] == "إدلب"  # mojibake repaired
    assert rows.loc["C4123", "name_en"] == "Apaydiná"  # damage that cannot be undone is kept as written
    assert rows.loc["C4120", "adm3_pcode"] == "SY070301" and rows.loc["C4120", "adm2_pcode"] == "SY0703"
    assert rows.loc["C4120", "location_precision"] == "exact"
    assert pd.isna(rows.loc["C4123", "location_precision"]) and rows.loc["C4123", "geometry"] is None
    assert rows.loc["C4121", "geometry"].x == pytest.approx(36.723929)
    assert out["parent_pcode"].isna().all() and out["population"].isna().all()
    assert (out["source_id"] == "ocha_locations").all()


def test_snake_case_csv_with_bom_and_spaced_headers(tmp_path):
    header = [f" {h}" if i % 3 == 0 else h.upper() for i, h in enumerate(AOC_HEADER)]
    rows = [r + ["0", "Non-state armed groups", "nws"] for r in COMMUNITIES]
    path = write_csv(tmp_path / "locations_aoc.csv", header, rows)
    out, issues = read(path)
    assert_conforms(out, LOCATIONS, geometry=True)
    assert not issues.problems
    assert len(out) == 4 and by_pcode(out).loc["C4122", "name_ar"] == "إدلب"


def test_hdx_hashtag_row_is_skipped_and_rows_keep_their_numbers(tmp_path):
    tags = ["#country+name", "", "#country+code", "#adm1+name", "", "#adm1+code", "#adm2+name", "", "#adm2+code",
            "#adm3+name", "", "#adm3+code", "#adm4+name", "", "", "#adm4+code", "#loc+name", "#loc+name+i_ar",
            "#loc+code", "#loc+type", "#date+updated", "#geo+lat", "#geo+lon"]
    bad = community("C4124", "Far away", "", "SY070301", "12.5", "36.7")
    path = write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, [tags, COMMUNITIES[0], [None] * 23, bad])
    out, issues = read(path)
    assert list(out["location_pcode"]) == ["C4120"]
    assert [(p.row, p.column, p.value) for p in issues.problems] == [(5, "lat", "12.5")]  # the Excel row number


def test_sheet_option_and_missing_sheet(tmp_path):
    path = write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, COMMUNITIES[:1], sheet="communities")
    out, _ = read(path, sheet="communities")
    assert len(out) == 1
    with pytest.raises(SourceError, match=r"Locations.xlsx: expected a sheet named 'Sheet9'"):
        read(path, sheet="Sheet9")


def test_bad_rows_are_reported_with_row_column_and_value(tmp_path):
    rows = [
        COMMUNITIES[0],
        community("C4125", "Only lat", "", "SY070301", "36.1", ""),
        community("c 4126", "Lower-case code", "", "SY070301", "36.1", "36.7"),  # normalised to C4126
        community("X12", "Not a code", "", "SY070301", "36.1", "36.7"),
        community("C4127", "Odd type", "", "SY070301", "36.1", "36.7", kind="Farm"),
        community("C4120", "Repeated code", "", "SY070301", "36.1", "36.7"),
        community("C4128", "", "", "SY070301", "36.1", "36.7"),
    ]
    out, issues = read(write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, rows))
    assert_conforms(out, LOCATIONS, geometry=True)
    assert_located(issues, "Locations.xlsx")
    assert list(out["location_pcode"]) == ["C4120", "C4126"]
    found = {(p.row, p.column) for p in issues.problems}
    assert found == {(3, "lon"), (5, "location_pcode"), (6, "location_type"), (7, "location_pcode"), (8, "name_en")}
    repeated = next(p for p in issues.problems if p.row == 7)
    assert "row 2 has it too" in repeated.reason


def test_missing_column_is_a_source_error_naming_file_and_column(tmp_path):
    header = [h for h in XLSX_HEADER if h != "Latitude_y"]
    path = write_xlsx(tmp_path / "Locations.xlsx", header, [r[:21] + r[22:] for r in COMMUNITIES])
    with pytest.raises(SourceError, match=r"Locations.xlsx: row 1: expected column\(s\) Latitude_y"):
        read(path)


def test_unreadable_files_are_source_errors(tmp_path):
    fake = tmp_path / "Locations.xlsx"
    fake.write_bytes(b"not a workbook")
    with pytest.raises(SourceError, match="Locations.xlsx: expected an Excel workbook"):
        read(fake)
    latin = tmp_path / "camps.csv"
    latin.write_bytes("admin4Pcode,Location_Pcode,LocationName_en\nC1,CP000001,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError, match="camps.csv: expected UTF-8 text"):
        read(latin)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty.csv: row 1: expected a header row"):
        read(empty)


# --- camps ------------------------------------------------------------------------------------

CAMPS = [
    ["C4121", "CP000613", "Al Ezza / العزة", "", "NWS sites"],
    ["C4121", "CP000614", "التوامة / Altawama", "", "Informal Site  "],  # Arabic first; trailing spaces
    ["C4120", " Cp002248", "Al nour Village CP002248", "", "Reception Center  "],  # own P-code in the name
    ["C4120", "CP000364", "Azaz Transit/Reception Centre/ مخيم ايواء اعزاز", "", ""],  # blank type
    ["C4123", "CP000100", "Planned / مخطط", "", "Planned Camp  "],  # parent without coordinates
    ["C9999", "CP000101", "Nowhere / لا مكان", "", "Collective Center  "],  # parent unknown
    ["C4120", "TEMP027", "Tawamah Shelter Center", "مركز ايواء التوامه", "Informal Site  "],  # CCCM temporary code
    ["C4120", "N/A", "Niaraa RC", "مركز نيارة", "School"],
    ["C4120", "CP000102", "Blozia", "Ø¨Ù„ÙˆØ²ÙŠØ©", "School"],
]


def test_camp_list_read_alone_is_unplaced_with_parent_set(tmp_path):
    out, issues = read(write_csv(tmp_path / "camp_pcodes.csv", CAMP_HEADER, CAMPS))
    assert_conforms(out, LOCATIONS, geometry=True)
    assert_located(issues, "camp_pcodes.csv")
    rows = by_pcode(out)
    assert list(out["location_pcode"]) == [
        "CP000100", "CP000101", "CP000102", "CP000364", "CP000613", "CP000614", "CP002248", "TEMP027",
    ]
    assert rows.loc["CP000613", ["name_en", "name_ar", "kind"]].tolist() == ["Al Ezza", "العزة", "site"]
    assert rows.loc["CP000614", ["name_en", "name_ar", "kind"]].tolist() == ["Altawama", "التوامة", "site"]
    assert rows.loc["CP002248", ["name_en", "kind"]].tolist() == ["Al nour Village", "reception_centre"]
    assert rows.loc["CP000364", "name_en"] == "Azaz Transit/Reception Centre"
    assert rows.loc["CP000364", "kind"] == "site"
    assert rows.loc["CP000100", "kind"] == "camp" and rows.loc["CP000101", "kind"] == "collective_centre"
    assert rows.loc["CP000102", ["name_ar", "kind"]].tolist() == ["بلوزية", "collective_centre"]
    assert rows.loc["TEMP027", ["name_en", "name_ar", "kind"]].tolist() == [
        "Tawamah Shelter Center", "مركز ايواء التوامه", "site",  # CCCM temporary code; Arabic in its own column
    ]
    assert rows.loc["CP000613", "parent_pcode"] == "C4121"
    assert out["lat"].isna().all() and out["geometry"].isna().all() and out["location_precision"].isna().all()
    assert [(p.row, p.column, p.value) for p in issues.problems] == [(9, "location_pcode", "N/A")]


def test_place_camps_is_pure_and_keeps_unplaced_camps(tmp_path):
    communities, _ = read(write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, COMMUNITIES))
    camps, _ = read(write_csv(tmp_path / "camp_pcodes.csv", CAMP_HEADER, CAMPS))
    before = camps.copy()
    placed = locations.place_camps(camps, communities)
    pd.testing.assert_frame_equal(camps, before)
    assert_conforms(placed, LOCATIONS, geometry=True)
    rows = by_pcode(placed)
    assert rows.loc["CP000613", ["lat", "lon"]].tolist() == [36.186604, 36.723929]
    assert rows.loc["CP000613", ["adm1_pcode", "adm2_pcode", "adm3_pcode"]].tolist() == ["SY07", "SY0703", "SY070301"]
    assert rows.loc["CP000613", "location_precision"] == "parent_community"
    assert rows.loc["CP000613", "geometry"].y == pytest.approx(36.186604)
    for unplaced in ("CP000100", "CP000101"):  # parent without coordinates; parent unknown
        assert pd.isna(rows.loc[unplaced, "lat"]) and rows.loc[unplaced, "geometry"] is None
        assert pd.isna(rows.loc[unplaced, "location_precision"])
    assert len(placed) == len(camps)


def test_communities_path_option_places_camps_and_reports_the_unplaced(tmp_path):
    write_xlsx(tmp_path / "Locations.xlsx", XLSX_HEADER, COMMUNITIES)
    out, issues = read(write_csv(tmp_path / "camp_pcodes.csv", CAMP_HEADER, CAMPS), communities_path="Locations.xlsx")
    assert_conforms(out, LOCATIONS, geometry=True)
    assert_located(issues, "camp_pcodes.csv")
    assert len(out) == 8
    assert (out["location_precision"] == "parent_community").sum() == 6
    unplaced = sorted((p.row, p.column, p.value) for p in issues.problems if p.column == "admin4Pcode")
    assert unplaced == [(6, "admin4Pcode", "C4123"), (7, "admin4Pcode", "C9999")]
    assert all("kept without coordinates" in p.reason for p in issues.problems if p.column == "admin4Pcode")


def test_camp_list_without_its_p_code_column(tmp_path):
    path = write_csv(tmp_path / "camp_pcodes.csv", ["admin4Pcode", "LocationName_en"], [["C1", "x"]])
    with pytest.raises(SourceError, match=r"camp_pcodes.csv: row 1: expected column\(s\) Location_Pcode for a camps list"):
        read(path)


def test_split_bilingual_and_repair_mojibake():
    assert locations.split_bilingual("Al Ezza / العزة") == ("Al Ezza", "العزة")
    assert locations.split_bilingual("Shahba'1 (Bab Al Hawa Lower/1)/ الشهبا 1") == (
        "Shahba'1 (Bab Al Hawa Lower/1)", "الشهبا 1",
    )
    assert locations.split_bilingual("Transit/Reception Centre") == ("Transit/Reception Centre", None)
    assert locations.repair_mojibake("Ø¥Ø¯Ù„Ø¨") == "إدلب"
    for kept in ("Apaydiná", "إدلب", "Idleb", "Çanakkale"):
        assert locations.repair_mojibake(kept) == kept


# --- property-based: malformed files in the real layouts ---------------------------------------

GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "*", "N/A", "nan", "inf", "1e400", "-1", "95.5", "19/12/2018", "45000", "Ø¥Ø¯Ù„Ø¨"]),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
# plausible values per column (by header key), so that some rows load and the rest are mixed in
PLAUSIBLE = {
    "admin1pcode": st.sampled_from(["SY07", "sy07", "SY02", "SY07", "SY7"]),
    "admin2pcode": st.sampled_from(["SY0703", "SY0700", " SY0702", "SY0703", "SY07030"]),
    "admin3pcode": st.sampled_from(["SY070301", "SY070000", "SY070301", "SY0703011"]),
    "admin4pcode": st.sampled_from(["C4120", "C4121", "c4122", "C1", "C9999"]),
    "locationpcode": st.sampled_from(["C4120", "C4121", " c4122", "CP000613", "Cp000614", "TEMP027", "N/A"]),
    "locationnameen": st.sampled_from(["Dana", "Al Ezza / العزة", "التوامة / Altawama", "Apaydiná", "Blozia CP000613"]),
    "locationnamear": st.sampled_from(["دانا", "Ø¯Ø§Ù†Ø§", ""]),
    "locationmear": st.sampled_from(["", "مركز نيارة"]),
    "locationtype": st.sampled_from(["Community", "Planned Camp  ", "Informal Site", "NWS sites", "School", "Farm", ""]),
    "latitudey": st.one_of(st.floats(31, 39).map(str), st.sampled_from(["36.186604000000004", " 36.2 ", ""])),
    "longitudex": st.one_of(st.floats(34.5, 43).map(str), st.sampled_from(["36.723929", ""])),
}


def cell(header: str):
    plausible = PLAUSIBLE.get(header_key(header))
    if plausible is None:
        return GARBAGE
    return st.integers(0, 9).flatmap(lambda n: GARBAGE if n == 0 else plausible)


@st.composite
def located_files(draw):
    """A communities workbook, its snake-case CSV copy or a camp list, with columns dropped or added,
    cells mixing plausible values and garbage, and truncated rows."""
    layout = draw(st.sampled_from(["xlsx", "aoc", "camps"]))
    header = {"xlsx": XLSX_HEADER, "aoc": AOC_HEADER, "camps": CAMP_HEADER}[layout]
    header = [h for h in header if draw(st.integers(0, 30)) > 0]  # now and then a column is missing
    header = header + draw(st.lists(st.sampled_from(["extra", " Notes", "#loc+code"]), max_size=2))
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = [draw(cell(h)) for h in header]
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.integers(0, 5)) == 0 else row)  # truncated
    return layout, header, rows


def test_malformed_files_are_rejected_or_conform():
    """read() raises a SourceError naming the file, or returns rows that satisfy the contract, and
    every problem it reports names file, row and column.

    Each case's output shape and problems are checked as it runs; the rows of all cases are then
    re-validated together (validation has a fixed cost of some 50 ms a call, which would otherwise
    be most of each case's time)."""
    outputs: list[tuple[tuple, pd.DataFrame]] = []

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(located_files())
    def check(case):
        layout, header, rows = case
        with tempfile.TemporaryDirectory() as tmp:
            if layout == "xlsx":
                path = write_xlsx(Path(tmp) / "Locations.xlsx", header, rows)
            else:
                path = write_csv(Path(tmp) / f"{layout}.csv", header, rows)
            issues = Issues()
            try:
                out = locations.read(SourceSpec("s", "locations"), path, issues)["locations"]
            except SourceError as exc:
                assert path.name in str(exc)
                return
        assert list(out.columns) == LOCATIONS.names + ["geometry"] and isinstance(out.index, pd.RangeIndex)
        assert out.crs.to_epsg() == 4326
        assert out["location_pcode"].is_unique
        assert_located(issues, path.name)
        if not out.empty:
            outputs.append((case, out))

    check()
    assert outputs, "no generated case loaded a row: the strategy is too hostile to test the contract"
    assert_all_conform(outputs)


def assert_all_conform(outputs: list[tuple[tuple, pd.DataFrame]]) -> None:
    """assert_conforms on all outputs at once; a failure names the generated case it came from."""
    combined = pd.concat([out for _, out in outputs], ignore_index=True)
    cases = [case for case, out in outputs for _ in range(len(out))]
    issues = Issues()
    validate(as_text(combined), LOCATIONS, "output", issues)
    assert not issues.problems, f"{issues.problems[0]} from case {cases[issues.problems[0].row - 2]}"
    assert_conforms(outputs[0][1], LOCATIONS, geometry=True)


# --- the real files ---------------------------------------------------------------------------


@pytest.mark.shared
def test_real_communities_list():
    out, issues = read(shared_path("syr_ocha_locations_pcodes", "Locations.xlsx"))
    assert not issues.problems, issues.summary()
    assert len(out) == 7693
    assert (out["adm1_pcode"] == "SY07").sum() == 688
    assert out["geometry"].notna().all() and (out["kind"] == "community").all()
    assert_conforms(out, LOCATIONS, geometry=True)


@pytest.mark.shared
def test_real_communities_csv_copy_matches_the_workbook():
    out, issues = read(shared_path("syr_ocha_locations_pcodes", "locations_aoc.csv"))
    assert not issues.problems, issues.summary()
    assert len(out) == 7693 and (out["adm1_pcode"] == "SY07").sum() == 688


@pytest.mark.shared
def test_real_camp_list_placed_through_parent_communities():
    path = shared_path("syr_ocha_locations_pcodes", "camp_pcodes.csv")
    shared_path("syr_ocha_locations_pcodes", "Locations.xlsx")
    out, issues = read(path, communities_path="Locations.xlsx")
    assert_conforms(out, LOCATIONS, geometry=True)
    assert_located(issues, "camp_pcodes.csv")
    rejected = {p.row for p in issues.problems if p.column != "admin4Pcode"}
    assert len(out) + len(rejected) == 1491  # every row read is loaded or reported
    unplaced = {p.value for p in issues.problems if p.column == "admin4Pcode"}
    placed = out["location_precision"] == "parent_community"
    assert (placed | out["parent_pcode"].isin(unplaced)).all()
    assert placed.sum() == len(out)  # every camp's community is in the list, with coordinates
    assert {p.value for p in issues.problems if p.column == "location_pcode"} == {"N/A"}  # TEMP codes load
    assert (out["adm1_pcode"] == "SY07").sum() > 0

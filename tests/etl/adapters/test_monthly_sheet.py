"""Monthly community displacement sheet adapter (northern Syria, admin 4).

Fixtures are synthetic (invented communities and figures in the published layout), written into
tmp_path; the integration test reads the real November 2022 workbook when it is present.
"""
from __future__ import annotations

import csv
import re
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import monthly_sheet
from etl.contracts import DISPLACEMENT, IDP_STOCK, PCODE
from etl.core.headers import is_hashtag_row
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.conftest import shared_path
from tests.etl.adapters.helpers import assert_all_conform, assert_conforms, assert_located, damaged_rows

TMP = tempfile.TemporaryDirectory(prefix="monthly-sheet-property-")  # one folder for every hypothesis example
HEADER = [
    "Date", "Admin1", "Admin2", "Admin3", "Admin4", "admin1Name_en", "admin2Name_en", "admin3Name_en", "admin4Name_en",
    " Population (Individuals)", " Population (HHs)", " IDPs (Individuals)", " IDPs (HHs)",
    " New IDPs arrived last 30 days(Individuals)", " New IDPs arrived last 30 days(HHs)",
    " Departures left last 30 days(Individuals)", " Departures left last 30 days(HHs)",
    " Returnees arrived last 30 days(Individuals)", " Returnees arrived last 30 days(HHs)",
]
ARABIC = [
    "التاريخ", "رمز الناحية", "رمز التجمع", "الناحية", "التجمع", "عدد السكان (أفراد)", "عدد السكان (عائلات)",
    "عدد النازحين (أفراد)", "عدد النازحين (عائلات)", "النازحون الجدد الواصلون خلال آخر 30 يوم (أفراد)",
    "المغادرون خلال آخر 30 يوم (أفراد)", "العائدون خلال آخر 30 يوم (أفراد)",
]


def community(date, admin3, admin4, name, figures) -> list:
    """A row of the real layout: date, admin 1-4 P-codes and names, then 10 figures."""
    return [date, admin3[:4], admin3[:6], admin3, admin4, "Idleb", "Harim", "Salqin", name, *figures]


def write_xlsx(path: Path, rows: list[list], sheet: str = "Nov 22") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def run(path: Path, **options) -> tuple[dict[str, pd.DataFrame], Issues]:
    issues = Issues()
    out = monthly_sheet.read(SourceSpec("nws-monthly", "monthly_sheet", options=options), path, issues)
    assert_conforms(out["idp_stock"], IDP_STOCK)
    assert_conforms(out["displacement"], DISPLACEMENT)
    assert_located(issues, path.name)
    return out, issues


def value(frame: pd.DataFrame, fact_id: str, column: str = "value"):
    return frame.set_index("fact_id").loc[fact_id, column]


def test_real_layout_workbook(tmp_path):
    path = write_xlsx(tmp_path / "monthly_displacement_synthetic.xlsx", [
        HEADER,
        community("2022 - November", "SY070302", "C4141", "Big Hir Jamus", [13796, 2642, 11796, 2242, 48, 8, 28, 5, 0, 0]),
        community("2022 - November", "SY070302", "ACU0210", "Talatayna\xa0", [500, 110, 250, 50, 0, 0, 0, 0, 0, 0]),
        community("2022 - November", "SY070302", "C4142", "Ø¥Ø¯Ù„Ø¨", [10, 2, 5, 1, 0, 0, 0, 0, 0, 0]),
        community("2022 - November", "SY070302", "C4143", "Blanks", [900, 150, None, None, "*", None, 0, 0, None, None]),
        community("2022 - November", "SY070302", "C4144", "Nothing", [None, None, "", None, "*", None, None, None, " ", None]),
        community(datetime(2022, 11, 1), "SY070302", "C4145", "Dated", ["1,234", "200", "1 000", 150, 3, 1, "-2", 0, 1, 1]),
        community("Novembre", "SY070302", "C4146", "Bad month", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        community("2022 - November", "SY07XX", "C4147", "Bad sub-district", [40, 8, 20, 4, 1, 1, 0, 0, 0, 0]),
    ])
    out, issues = run(path)
    stock, flows = out["idp_stock"], out["displacement"]
    first = stock.set_index("fact_id").loc["nws-monthly:2:idps"]
    assert (first["date"], first["area_en"], first["pcode"], first["value"]) == (pd.Timestamp("2022-11-30"), "Big Hir Jamus", "C4141", 11796)
    assert (first["unit"], first["qualifier"], first["note"]) == ("idps", "exact", "households 2242; sub-district SY070302 Salqin")
    assert first["adm3_pcode"] == "SY070302"  # the community's sub-district (area_stocks sums communities up)
    assert value(stock, "nws-monthly:2:population") == 13796
    arrivals = flows.set_index("fact_id").loc["nws-monthly:2:arrivals"]
    assert (arrivals["period_start"], arrivals["period_end"]) == (pd.Timestamp("2022-11-01"), pd.Timestamp("2022-11-30"))
    assert (arrivals["pcode"], arrivals["location_pcode"], arrivals["dest_pcode"]) == ("SY070302", "C4141", "SY070302")
    assert (arrivals["direction"], arrivals["unit"], arrivals["value"], arrivals["measure"]) == ("arrivals", "idp_arrivals", 48, "period")
    assert arrivals["note"].startswith("'last 30 days' of the 2022 - November report, taken as that calendar month")
    assert value(flows, "nws-monthly:2:departures", "origin_pcode") == "SY070302"
    assert value(flows, "nws-monthly:2:returns") == 0  # zero is data
    # the producer's own community code: loaded under its name, code in the note
    acu = stock.set_index("fact_id").loc["nws-monthly:3:idps"]
    assert acu["area_en"] == "Talatayna" and pd.isna(acu["pcode"])
    assert "community code ACU0210 is the producer's, not an OCHA P-code" in acu["note"]
    assert pd.isna(value(flows, "nws-monthly:3:arrivals", "location_pcode"))
    assert value(stock, "nws-monthly:4:idps", "area_en") == "إدلب"  # mojibake repaired
    # blank and '*' are not zero: no row for them
    assert {f for f in stock["fact_id"] if f.startswith("nws-monthly:5:")} == {"nws-monthly:5:population"}
    assert {f for f in flows["fact_id"] if f.startswith("nws-monthly:5:")} == {"nws-monthly:5:departures"}
    # an Excel date stands for its month; text numbers with separators
    assert value(stock, "nws-monthly:7:population") == 1234 and value(stock, "nws-monthly:7:idps") == 1000
    assert not any(f.startswith("nws-monthly:8:") for f in stock["fact_id"])
    # a bad sub-district P-code rejects the flows (their pcode) but not the community stock
    assert value(stock, "nws-monthly:9:idps") == 20
    assert pd.isna(value(stock, "nws-monthly:9:idps", "adm3_pcode"))  # a malformed Admin3 is not carried over
    assert not any(f.startswith("nws-monthly:9:") for f in flows["fact_id"])
    assert {(p.table, p.row, p.column, p.reason) for p in issues.problems} == {
        ("idp_stock", 6, "IDPs (Individuals)", "no figure in this row: every '(Individuals)' count is blank or suppressed"),
        ("displacement", 7, "Departures left last 30 days(Individuals)", "expected a value >= 0"),
        ("idp_stock", 8, "Date", monthly_sheet.MONTH_REASON),
        ("displacement", 9, "Admin3", "expected an OCHA P-code such as SY07 or SY070301"),
    }


def test_csv_copy_with_bom_arabic_headers_and_excel_serial_month(tmp_path):
    path = write_csv(tmp_path / "monthly_arabic_synthetic.csv", [
        ["نشرة النزوح الشهرية (بيانات تجريبية)"],
        ARABIC,
        ["44866", "SY070302", "C4141", "سلقين", "حير جاموس", "١٣٬٧٩٦", "2642", "11796", "2242", "48", "28", "0"],
    ])
    out, issues = run(path)
    assert not issues.problems
    stock = out["idp_stock"].set_index("fact_id")
    assert stock.loc["nws-monthly:3:population", "value"] == 13796
    assert stock.loc["nws-monthly:3:idps", "date"] == pd.Timestamp("2022-11-30")
    assert stock.loc["nws-monthly:3:idps", "area_en"] == "حير جاموس"
    assert sorted(out["displacement"]["unit"]) == ["idp_arrivals", "idp_departures", "idp_returns"]


def test_unreadable_files_raise_source_error_naming_the_file(tmp_path):
    no_admin3 = write_csv(tmp_path / "no_admin3.csv", [[c for c in HEADER if c != "Admin3"]])
    with pytest.raises(SourceError, match=r"no_admin3\.csv: expected Admin3 in the header"):
        monthly_sheet.read(SourceSpec("t", "monthly_sheet"), no_admin3, Issues())
    no_figures = write_csv(tmp_path / "no_figures.csv", [HEADER[:9]])
    with pytest.raises(SourceError, match=r"no_figures\.csv: expected at least one"):
        monthly_sheet.read(SourceSpec("t", "monthly_sheet"), no_figures, Issues())
    book = write_xlsx(tmp_path / "book.xlsx", [HEADER])
    with pytest.raises(SourceError, match=r"book\.xlsx: expected a sheet named 'Dec 22'; found Nov 22"):
        monthly_sheet.read(SourceSpec("t", "monthly_sheet", options={"sheet": "Dec 22"}), book, Issues())


@pytest.mark.shared
def test_real_november_2022_workbook():
    path = shared_path("nws_monthly_displacement_2022_11", "monthly_displacement_northen_syria_november_2022.xlsx")
    out, issues = run(path)
    stock, flows = out["idp_stock"], out["displacement"]
    assert not issues.problems, issues.summary()
    # every one of the 2,774 community rows (Excel rows 2..2775) is loaded
    row_of = lambda frame: frame["fact_id"].str.split(":").str[1].astype(int)  # noqa: E731
    assert set(row_of(stock)) == set(row_of(flows)) == set(range(2, 2776))
    idps = stock[stock["unit"] == "idps"]
    assert len(idps) == len(stock[stock["unit"] == "population"]) == 2774
    assert flows["direction"].value_counts().to_dict() == {"arrivals": 2774, "departures": 2774, "returns": 2774}
    assert flows["pcode"].str.fullmatch(PCODE).all()  # every Admin3 is an OCHA sub-district P-code
    # Idleb (SY07): 312 communities holding 1,662,153 IDPs
    sub_district = pd.Series(flows["pcode"].to_numpy(), index=row_of(flows).to_numpy()).groupby(level=0).first()
    idleb = idps[row_of(idps).map(sub_district).str.startswith("SY07")]
    assert len(idleb) == 312
    assert idleb["value"].sum() == 1_662_153
    producer_codes = idps["pcode"].isna().sum()
    assert producer_codes == 210  # ACU0096... codes, loaded with the code in the note
    assert idps["pcode"].dropna().map(lambda c: bool(re.fullmatch(r"C\d{3,6}", c))).all()
    print(f"\nreal workbook: {len(idps)} communities, {len(stock)} idp_stock rows, {len(flows)} displacement rows, "
          f"{producer_codes} producer community codes, {issues.count()} problems")


# --- property: malformed sheets in the real layout (CSV copies; xlsx writing is too slow) -----------

GARBAGE = ("", " ", "*", "-", "N/A", "#adm4", "Ø¥Ø¯Ù„Ø¨", "Apaydiná", "1e3", "nan", "\u00a0")
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=6)
VALID = {  # cells as the producer writes them
    "date": ("2022 - November", "November 2022", "Nov-22", "2022-11", "44866", "2022-11-01", "1667260800000"),
    "admin": ("SY07", "SY0703", "SY070302", "sy070302 "),
    "admin4": ("C4141", "C123", "ACU0210", "c4141 ", "CP000123"),
    "name": ("Big Hir Jamus", "Talatayna\u00a0", "Ø¥Ø¯Ù„Ø¨", "Apaydiná", "حير جاموس"),
    "count": ("0", "7", "1,234", "1 234", "٣٤", "12.0", "13796"),
    "junk": GARBAGE,
}
BROKEN = {  # the same cells, wrong
    "date": ("Novembre", "2022 - Smarch", "1899-12-31", "2022-13", "99999"),
    "admin": ("SY07XX", "C4141", "SY0", "SY0703020"),
    "admin4": ("SY07", "TEMP001", "C12"),
    "count": ("-5", "12.5", "1.234,5", "99999999999999999999", "*"),
}
KINDS = ["date", "admin", "admin", "admin", "admin4", "name", "name", "name", "name"] + ["count"] * 10
ARABIC_KINDS = ["date", "admin", "admin4", "name", "name"] + ["count"] * 7

@st.composite
def monthly_files(draw):
    """(file rows, first data row number) in the real layout (or its Arabic copy), damaged."""
    layout = list(zip(HEADER, KINDS)) if draw(st.booleans()) else list(zip(ARABIC, ARABIC_KINDS))
    # some months publish only the stocks, or only the 'last 30 days' flows
    group = draw(st.sampled_from([(), ("Population", "IDPs (", "السكان", "النازحين ("), ("last 30 days", "30 يوم")]))
    layout = [c for c in layout if not any(g in c[0] for g in group)]
    layout = [c for c in layout if draw(st.integers(0, 19)) > 0]  # a column goes missing now and then
    layout += [(draw(TEXT), "junk") for _ in range(draw(st.integers(0, 2)))]
    preamble = [[draw(TEXT)] for _ in range(draw(st.integers(0, 2)))]
    rows = damaged_rows(draw, [kind for _, kind in layout], VALID, BROKEN, GARBAGE, TEXT)
    return preamble + [[name for name, _ in layout]] + rows, len(preamble) + 2


def test_property_malformed_monthly_sheets():
    contracts = {"idp_stock": IDP_STOCK, "displacement": DISPLACEMENT}
    collected: dict[str, list] = {table: [] for table in contracts}
    path = Path(TMP.name) / "monthly_property.csv"

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=monthly_files(), bom=st.booleans())
    def check(data, bom):
        rows, first = data
        write_csv(path, rows, bom=bom)
        issues = Issues()
        try:
            out = monthly_sheet.read(SourceSpec("hyp", "monthly_sheet"), path, issues)
        except SourceError as exc:
            assert path.name in str(exc)
            return
        assert_located(issues, path.name)
        for table, contract in contracts.items():
            assert list(out[table].columns) == contract.names and isinstance(out[table].index, pd.RangeIndex)
            if len(out[table]):
                collected[table].append((rows, out[table]))
        # no row is dropped silently: each non-blank data row is loaded or reported
        loaded = {int(f.split(":")[1]) for t in out.values() for f in t["fact_id"]}
        reported = {p.row for p in issues.problems}
        data_rows = {first + i for i, row in enumerate(rows[first - 1:]) if any(c.strip() for c in row)}
        if rows[first - 1:] and is_hashtag_row(rows[first - 1]):
            data_rows.discard(first)  # read as an HXL hashtag row
        assert data_rows <= loaded | reported, (rows, sorted(loaded), sorted(reported))

    check()
    assert_all_conform(collected, contracts)

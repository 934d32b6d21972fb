"""Movements adapter (ISMI / CCCM / HNAP origin -> destination tables).

Every fixture is synthetic (invented figures in the published layouts), written into tmp_path.
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

from etl.adapters import movements
from etl.contracts import DISPLACEMENT
from etl.core.headers import is_hashtag_row
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import assert_all_conform, assert_conforms, assert_located, damaged_rows

TMP = tempfile.TemporaryDirectory(prefix="movements-property-")  # one folder for every hypothesis example
ISMI = [
    "Month", "Origin Governorate", "Origin Sub-district", "Origin Sub-district Pcode",
    "Destination Sub-district", "Destination Sub-district Pcode", " Individuals ", "Households",
]


def mojibake(text: str) -> str:
    """UTF-8 text decoded as Windows-1252, the way Excel damages it (undefined bytes kept)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


def write_csv(path: Path, rows: list[list[str]], bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "IDP movements") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def run(path: Path, **options) -> tuple[dict[str, pd.DataFrame], Issues]:
    issues = Issues()
    out = movements.read(SourceSpec("ismi-test", "movements", options=options), path, issues)
    assert_conforms(out["displacement"], DISPLACEMENT)
    assert_conforms(out["unmatched_movements"], movements.UNMATCHED)
    assert_located(issues, path.name)
    return out, issues


def problems(issues: Issues) -> set[tuple]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def test_ismi_csv_layout_with_bom_title_rows_and_hxl_tags(tmp_path):
    path = write_csv(tmp_path / "ismi_synthetic.csv", [
        ["ISMI IDP movements, north-west Syria (synthetic test data)"],
        [],
        ISMI,
        ["#date", "#adm1+name+origin", "#adm3+name+origin", "#adm3+code+origin", "#adm3+name+dest",
         "#adm3+code+dest", "#affected+idps+ind", "#affected+idps+hh"],
        ["Feb-20", "Idleb", "Ariha", "SY070100", "Dana", "SY070300", "1,234", "200"],
        ["February 2020", "Idleb", mojibake("إدلب"), "", "Dana", "SY070300", "5", "1"],
        ["43862", "Idleb", "", "", "Dana", "SY070300", "5", "1"],
        ["2022 - November", "Idleb", "Ariha", "SY070100", "Dana", "SY070300", "*", "1"],
        ["Febtember", "Idleb", "Ariha", "SY070100", "Dana", "SY070300", "3", "1"],
        ["2020-02", "Idleb", "Ariha", "SY070100", "Dana", "SY0703XX", "-3", "1"],
        ["2020-02", "Idleb", "Ariha", "sy070100 ", "Dana", "SY070300", "0", ""],
    ])
    out, issues = run(path)
    flows = out["displacement"]
    assert flows["fact_id"].tolist() == ["ismi-test:5", "ismi-test:11"]
    first = flows.iloc[0]
    assert (first["period_start"], first["period_end"]) == (pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-29"))
    assert (first["area_en"], first["origin_pcode"], first["dest_pcode"]) == ("Ariha → Dana", "SY070100", "SY070300")
    assert (first["value"], first["unit"], first["direction"], first["measure"]) == (1234, "displacements", "flow", "period")
    assert (first["qualifier"], first["kind"], first["note"]) == ("exact", "observation", "households 200")
    assert pd.isna(first["pcode"]) and flows.iloc[1]["value"] == 0  # zero is data
    unmatched = out["unmatched_movements"]
    assert unmatched["area_en"].tolist() == ["إدلب → Dana"]  # mojibake repaired
    assert pd.isna(unmatched.iloc[0]["origin_pcode"]) and unmatched.iloc[0]["dest_pcode"] == "SY070300"
    assert "origin named 'إدلب' (Idleb) has no P-code" in unmatched.iloc[0]["note"]
    assert problems(issues) == {
        (7, "Origin Sub-district Pcode", "expected the origin sub-district P-code or name"),
        (8, "Individuals", "value suppressed ('*') by the publisher: no figure to load"),
        (9, "Month", movements.PERIOD_REASON),
        (10, "Individuals", "expected a value >= 0"),
        (10, "Destination Sub-district Pcode", "expected an OCHA P-code such as SY07 or SY070301"),
    }
    assert all(p.table == "displacement" for p in issues.problems)


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("Feb-20", "2020-02-01", "2020-02-29"),
        ("February 2020", "2020-02-01", "2020-02-29"),
        ("Feb 2020", "2020-02-01", "2020-02-29"),
        ("2020-02", "2020-02-01", "2020-02-29"),
        ("02/2020", "2020-02-01", "2020-02-29"),
        ("2022 - November", "2022-11-01", "2022-11-30"),
        ("Nov 22", "2022-11-01", "2022-11-30"),
        ("43862", "2020-02-01", "2020-02-29"),  # Excel serial of 2020-02-01
        ("1580515200000", "2020-02-01", "2020-02-29"),  # epoch milliseconds
        ("2020-02-17", "2020-02-01", "2020-02-29"),
        ("15/12/2021", "2021-12-01", "2021-12-31"),
        ("٢٠٢٠-٠٢", "2020-02-01", "2020-02-29"),
    ],
)
def test_period_is_the_month_named(tmp_path, written, start, end):
    path = write_csv(tmp_path / "months.csv", [ISMI, [written, "Idleb", "Ariha", "SY070100", "Dana", "SY070300", "7", "1"]])
    out, issues = run(path)
    assert not issues.problems
    row = out["displacement"].iloc[0]
    assert (row["period_start"], row["period_end"]) == (pd.Timestamp(start), pd.Timestamp(end))


@pytest.mark.parametrize("written", ["2020", "13/2020", "Febtember 2020", "1800-02", "", "Q1 2020 and more"])
def test_unreadable_period_is_reported(tmp_path, written):
    path = write_csv(tmp_path / "months.csv", [ISMI, [written, "Idleb", "Ariha", "SY070100", "Dana", "SY070300", "7", "1"]])
    out, issues = run(path)
    assert out["displacement"].empty
    assert problems(issues) == {(2, "Month", movements.PERIOD_REASON)}


def test_start_and_end_dates(tmp_path):
    header = ["Start date", "End date", "admin3Pcode_origin", "admin3Pcode_destination", "IDPs (Individuals)"]
    path = write_csv(tmp_path / "dated.csv", [
        header,
        ["01/02/2020", "15/02/2020", "SY070100", "SY070300", "10"],
        ["2020-02-20", "soon", "SY070100", "SY070300", "10"],
        ["2020-02-20", "2020-02-01", "SY070100", "SY070300", "10"],
    ], bom=False)
    out, issues = run(path)
    row = out["displacement"].iloc[0]
    assert (row["period_start"], row["period_end"]) == (pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-15"))
    assert row["area_en"] == "SY070100 → SY070300"  # no names given: the P-codes label the flow
    assert problems(issues) == {
        (3, "End date", "expected a date as YYYY-MM-DD"),
        (4, "End date", "expected period_end on or after period_start"),
    }


def test_arabic_headers_digits_and_damaged_header(tmp_path):
    header = ["الشهر", "رمز ناحية الأصل", "ناحية الأصل", "رمز ناحية الوجهة", "ناحية الوجهة", mojibake("عدد الأفراد"), "عدد العائلات"]
    path = write_csv(tmp_path / "arabic.csv", [
        header,
        ["شباط 2020 لا", "SY070100", "أريحا", "SY070300", "دانا", "12", "2"],
        ["2020-02", "SY070100", "أريحا", "SY070300", "دانا", "١٬٢٣٤", "٢"],
    ])
    out, issues = run(path)
    row = out["displacement"].iloc[0]
    assert (row["area_en"], row["value"], row["note"]) == ("أريحا → دانا", 1234, "households 2")
    assert problems(issues) == {(2, "الشهر", movements.PERIOD_REASON)}


def test_alternative_english_headers_and_pcode_in_name_column(tmp_path):
    header = ["Reporting period", "Origin admin3 Pcode", "Destination Sub-district", "# of individuals", "Families"]
    path = write_csv(tmp_path / "cccm.csv", [
        header,
        ["March 2021", "SY070100", "SY070300", "8", "2"],
        ["March 2021", "SY070100", "Apaydiná", "9", "x"],
    ])
    out, issues = run(path, unit="people_displaced")
    assert not issues.problems
    coded = out["displacement"].iloc[0]
    assert (coded["dest_pcode"], coded["unit"], coded["note"]) == ("SY070300", "people_displaced", "households 2")
    named = out["unmatched_movements"].iloc[0]
    assert named["area_en"] == "SY070100 → Apaydiná"  # damage that lost bytes is kept as written
    assert named["note"] == "destination named 'Apaydiná' has no P-code"


def test_xlsx_with_excel_dates_serials_and_text_numbers(tmp_path):
    path = write_xlsx(tmp_path / "cccm_movements_synthetic.xlsx", [
        ["CCCM movement tracker (synthetic)"],
        [" Month", " Origin Sub-district", " Origin Sub-district Pcode", " Destination Sub-district",
         " Destination Sub-district Pcode", " IDPs (Individuals)", " IDPs (HHs)"],
        [pd.Timestamp("2020-02-01").to_pydatetime(), "Ariha", "SY070100", "Dana", "SY070300", 1200, 240],
        [43891, "Ariha", "SY070100", "Dana", "SY070300", "1,200", "240"],
        ["Apr-20", "Ariha", "SY070100", "Dana", "SY070300", 12.0, None],
        [None, None, None, None, None, None, None],
        ["May-20", "Ariha", "SY070100", "Dana", "SY070300", 12.5, None],
    ])
    out, issues = run(path, sheet="IDP movements")
    flows = out["displacement"]
    assert flows["fact_id"].tolist() == ["ismi-test:3", "ismi-test:4", "ismi-test:5"]
    assert flows["period_start"].dt.strftime("%Y-%m").tolist() == ["2020-02", "2020-03", "2020-04"]
    assert flows["value"].tolist() == [1200, 1200, 12]
    assert problems(issues) == {
        (7, "IDPs (Individuals)", "expected a whole number"),
        (7, "IDPs (Individuals)", "expected a value, or a published range in low and high"),
    }


def test_unreadable_files_raise_source_error_naming_the_file(tmp_path):
    cases = {
        "no_destination.csv": lambda p: write_csv(p, [["Month", "Origin Sub-district Pcode", "Individuals"], ["Feb-20", "SY07", "1"]]),
        "no_header.csv": lambda p: write_csv(p, [["a", "b"], ["1", "2"]]),
        "old.xls": lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
        "latin1.csv": lambda p: p.write_bytes("Month,Origin Sub-district,Individuals\nFeb-20,Maarat Misrin é,1\n".encode("latin-1")),
        "broken.xlsx": lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
    }
    for name, make in cases.items():
        path = tmp_path / name
        make(path)
        with pytest.raises(SourceError, match=name.replace(".", r"\.")):
            movements.read(SourceSpec("t", "movements"), path, Issues())
    xlsx = write_xlsx(tmp_path / "sheets.xlsx", [ISMI])
    with pytest.raises(SourceError, match="expected a sheet named 'Nov 22'"):
        movements.read(SourceSpec("t", "movements", options={"sheet": "Nov 22"}), xlsx, Issues())
    with pytest.raises(SourceError, match="option unit='people'"):
        movements.read(SourceSpec("t", "movements", options={"unit": "people"}), xlsx, Issues())


def test_unmatched_contract_only_drops_the_flow_rule():
    assert len(movements.UNMATCHED.rules) == len(DISPLACEMENT.rules) - 1
    assert movements.UNMATCHED.columns == DISPLACEMENT.columns


# --- property: malformed tables in the real layouts -------------------------------------------------

GARBAGE = ("", " ", "*", "-", "N/A", "#adm3", "Ø¥Ø¯Ù„Ø¨", "Apaydiná", "1e3", "nan", "-7", "SY99999999", "\u00a0")
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=6)
VALID = {  # cells as the producers write them
    "month": ("Feb-20", "February 2020", "2020-02", "43862", "2022 - November", "1580515200000", "Nov 22"),
    "date": ("2020-02-01", "15/02/2020", "43862", "2020-02-29"),
    "name": ("Ariha", "Dana", " Salqin\u00a0", "Ø¥Ø¯Ù„Ø¨", "Apaydiná", "إدلب"),
    "pcode": ("SY070100", "SY0703", "SY07", "sy070300", " SY070300 "),
    "count": ("0", "7", "1,234", "1 234", "٣٤", "12.0", "250000"),
    "junk": GARBAGE,
}
BROKEN = {  # the same cells, wrong
    "month": ("2020-13", "31/02/2020", "1905-07-12", "99999", "Febtember", "2020"),
    "date": ("2020-02-30", "yesterday", "1580515200000", "01/01/1800"),
    "pcode": ("C1234", "SY07010", "SY", "CP000123", "TEMP001"),
    "count": ("-5", "12.5", "1.234,5", "99999999999999999999", "1e400", "*"),
}
LAYOUTS = [
    list(zip(ISMI, ["month", "name", "name", "pcode", "name", "pcode", "count", "count"])),
    list(zip(["Start date", "End date", "admin3Pcode_origin", "admin3Pcode_destination", "IDPs (Individuals)"],
             ["date", "date", "pcode", "pcode", "count"])),
    list(zip(["الشهر", "رمز ناحية الأصل", "ناحية الأصل", "ناحية الوجهة", "عدد الأفراد"],
             ["month", "pcode", "name", "name", "count"])),
]

@st.composite
def movement_files(draw):
    """(file rows, first data row number) in one of the real layouts, damaged."""
    layout = draw(st.sampled_from(LAYOUTS))
    layout = [c for c in layout if draw(st.integers(0, 14)) > 0]  # a column goes missing now and then
    layout += [(draw(TEXT), "junk") for _ in range(draw(st.integers(0, 2)))]
    preamble = [[draw(TEXT)] for _ in range(draw(st.integers(0, 2)))]
    rows = damaged_rows(draw, [kind for _, kind in layout], VALID, BROKEN, GARBAGE, TEXT)
    return preamble + [[name for name, _ in layout]] + rows, len(preamble) + 2


def test_property_malformed_movement_tables():
    contracts = {"displacement": DISPLACEMENT, "unmatched_movements": movements.UNMATCHED}
    collected: dict[str, list] = {table: [] for table in contracts}
    path = Path(TMP.name) / "movements_property.csv"

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=movement_files(), bom=st.booleans())
    def check(data, bom):
        rows, first = data
        write_csv(path, rows, bom=bom)
        issues = Issues()
        try:
            out = movements.read(SourceSpec("hyp", "movements"), path, issues)
        except SourceError as exc:
            assert path.name in str(exc)
            return
        assert_located(issues, path.name)
        for table, contract in contracts.items():
            assert list(out[table].columns) == contract.names and isinstance(out[table].index, pd.RangeIndex)
            if len(out[table]):
                collected[table].append((rows, out[table]))
        # no row is dropped silently: each non-blank data row is loaded or reported
        loaded = {int(f.rsplit(":", 1)[1]) for t in out.values() for f in t["fact_id"]}
        reported = {p.row for p in issues.problems}
        data_rows = {first + i for i, row in enumerate(rows[first - 1:]) if any(c.strip() for c in row)}
        if rows[first - 1:] and is_hashtag_row(rows[first - 1]):
            data_rows.discard(first)  # read as an HXL hashtag row
        assert data_rows <= loaded | reported, (rows, sorted(loaded), sorted(reported))

    check()
    assert_all_conform(collected, contracts)

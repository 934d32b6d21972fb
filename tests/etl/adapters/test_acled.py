"""ACLED adapter: the export layouts (2023+ and 2019-2022), their quirks, malformed input."""
from __future__ import annotations

import csv
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import acled
from etl.config import ROOT
from etl.contracts import EVENTS
from etl.core.headers import is_hashtag_row
from etl.core.issues import Issues, SourceError
from etl.core.names import repair_mojibake
from etl.core.numbers import decimal_text
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import assert_all_conform, assert_conforms, assert_located

FIXTURES = ROOT / "tests" / "fixtures" / "acled"
SPEC = SourceSpec(name="acled-test", adapter="acled")
HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
MOJIBAKE = "إدلب".encode().decode("cp1252")  # 'Ø¥Ø¯Ù„Ø¨': UTF-8 read as Windows-1252


def row(**cells) -> list[str]:
    """A valid synthetic event at Idlib city in the 2023+ layout, with `cells` replaced."""
    base = {
        "event_id_cnty": "SYR1", "event_date": "2020-02-10", "year": "2020", "event_type": "Battles",
        "sub_event_type": "Armed clash", "country": "Syria", "admin1": "Idleb", "admin2": "Idleb", "admin3": "Idleb",
        "location": "Idleb", "latitude": "35.93", "longitude": "36.63", "geo_precision": "1", "source": "SOHR",
        "notes": "Synthetic.", "fatalities": "1", "timestamp": "1581292800000",
    }
    base.update(cells)
    return [base.get(name, "") for name in HEADER]


def write(path: Path, records: list[list[str]], delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(records)
    return path


def read(path: Path) -> tuple[pd.DataFrame, Issues]:
    issues = Issues()
    events = acled.read(SPEC, path, issues)["events"]
    assert_conforms(events, EVENTS, geometry=True)
    assert_located(issues, path.name)
    return events, issues


def problems(issues: Issues) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def test_export_2023_layout_with_its_quirks():
    events, issues = read(FIXTURES / "synthetic_acled_2023_layout.csv")
    by_id = events.set_index("event_id")
    assert sorted(by_id.index) == ["SYR900001", "SYR900002", "SYR900003", "SYR900004"]
    assert set(events["dataset"]) == {"ACLED"} and set(events["source_id"]) == {"acled-test"}
    # Excel serial date 43871, coordinates ' 35.86 ' and '36,80'
    saraqib = by_id.loc["SYR900002"]
    assert saraqib["date_start"] == saraqib["date_end"] == pd.Timestamp("2020-02-10")
    assert (saraqib["lat"], saraqib["lon"]) == (35.86, 36.80)
    assert (saraqib.geometry.x, saraqib.geometry.y) == (36.80, 35.86)
    # Arabic names kept; encoding damage repaired where it can be undone, kept as given where not
    assert by_id.loc["SYR900003", "admin2_name"] == "معرة النعمان"
    assert by_id.loc["SYR900004", "admin1_name"] == "إدلب"
    assert by_id.loc["SYR900004", "admin3_name"] == "Apaydiná"
    first = by_id.loc["SYR900001"]
    assert (first["fatalities"], first["geo_precision"], first["reported_by"]) == (3, 1, "Syrian Observatory for Human Rights")
    assert first["event_type"] == "Explosions/Remote violence"
    assert first["sub_event_type"] == "Shelling/artillery/missile attack"
    assert pd.isna(first["fatalities_low"]) and pd.isna(first["fatalities_high"]) and pd.isna(first["violence_type"])
    assert problems(issues) == {
        (6, "lat", "expected a value <= 38.5"),
        (6, "lon", "expected a value >= 35"),
        (7, "fatalities", "expected a value >= 0"),
        (8, "event_id", "expected a unique event_id; row 2 has it"),
        (9, "geo_precision", "expected ACLED's geo_precision 1, 2 or 3"),
    }


def test_older_export_resaved_by_excel_with_semicolons():
    events, issues = read(FIXTURES / "synthetic_acled_2020_layout_semicolon.csv")
    assert events["event_id"].tolist() == ["SYR900101", "SYR900102"]
    assert events["date_start"].tolist() == [pd.Timestamp("2020-03-15")] * 2  # '15 March 2020', serial 43905
    assert events[["lat", "lon"]].astype(float).values.tolist() == [[35.93, 36.63], [35.86, 36.8]]
    coverage = "expected a date from 1997-01-01 (ACLED's coverage) to today"  # '2020' read as an Excel serial
    assert problems(issues) == {
        (4, "date_start", coverage),
        (4, "date_end", coverage),  # both come from event_date
        (5, "fatalities", "required value is empty"),
    }


def test_tab_separated_and_zipped(tmp_path):
    tsv = write(tmp_path / "export.tsv", [HEADER, row(), row(event_id_cnty="SYR2", latitude="35,86")], "\t")
    events, issues = read(tsv)
    assert events["lat"].tolist() == [35.93, 35.86] and not issues.problems
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(tsv, "acled_export.csv")
    zipped, _ = read(archive)
    assert zipped["event_id"].tolist() == ["SYR1", "SYR2"]


def test_bom_and_spaced_upper_case_headers(tmp_path):
    header = [f" {name.upper()}" if name in ("event_date", "latitude", "admin1") else name for name in HEADER]
    events, issues = read(write(tmp_path / "a.csv", [header, row()], bom=True))
    assert len(events) == 1 and not issues.problems


def test_hdx_hashtag_row_is_skipped_and_rows_numbered_from_3(tmp_path):
    tags = ["#event+code" if n == "event_id_cnty" else "#geo+lat" if n == "latitude" else "" for n in HEADER]
    path = write(tmp_path / "conflict_data_syr.csv", [HEADER, tags, row(), row(event_id_cnty="SYR2", fatalities="-1")])
    events, issues = read(path)
    assert events["event_id"].tolist() == ["SYR1"]
    assert problems(issues) == {(4, "fatalities", "expected a value >= 0")}


def test_epoch_second_and_millisecond_timestamps_are_ignored(tmp_path):
    path = write(tmp_path / "a.csv", [HEADER, row(timestamp="1581292800"), row(event_id_cnty="SYR2", timestamp="x")])
    events, issues = read(path)
    assert len(events) == 2 and not issues.problems


def test_older_exports_without_sub_event_type(tmp_path):
    header = [n for n in HEADER if n != "sub_event_type"]
    cells = [c for n, c in zip(HEADER, row()) if n != "sub_event_type"]
    events, _ = read(write(tmp_path / "a.csv", [header, cells]))
    assert len(events) == 1 and pd.isna(events.loc[0, "sub_event_type"])


def test_shifted_rows_blank_rows_and_trailing_blank_rows(tmp_path):
    records = [HEADER, row() + ["stray"], [], row(event_id_cnty="SYR3"), [""] * len(HEADER), []]
    events, issues = read(write(tmp_path / "a.csv", records))
    assert events["event_id"].tolist() == ["SYR3"]
    assert (2, "column 32", "expected no value past the header's last column") in problems(issues)
    assert {p.row for p in issues.problems} == {2, 3}  # the blank row 3 is reported; trailing blanks are not rows


def test_future_dates_are_rejected(tmp_path):
    _, issues = read(write(tmp_path / "a.csv", [HEADER, row(event_date="79000")]))  # Excel serial in 2116
    assert {(p.row, p.column) for p in issues.problems} == {(2, "date_start"), (2, "date_end")}


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([[n for n in HEADER if n != "latitude"]], r"expected column\(s\) latitude"),
        ([HEADER + ["latitude"]], "expected column latitude once"),
        ([], "the file is empty"),
    ],
)
def test_unreadable_layouts_raise_with_the_file_name(tmp_path, records, message):
    path = write(tmp_path / "bad.csv", records)
    with pytest.raises(SourceError, match=message) as raised:
        acled.read(SPEC, path, Issues())
    assert "bad.csv" in str(raised.value)


def test_not_utf8_raises(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\n" + ",".join(row(admin1="Hal\xe9b")).encode("cp1252"))
    with pytest.raises(SourceError, match="ansi.csv: expected UTF-8 text"):
        acled.read(SPEC, path, Issues())


def test_zip_must_hold_one_csv(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "x")
        z.writestr("b.csv", "y")
    with pytest.raises(SourceError, match="two.zip: expected a zip holding exactly one .csv"):
        acled.read(SPEC, archive, Issues())


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        (MOJIBAKE, "إدلب"),
        ("كفرنبل".encode().decode("latin-1"), "كفرنبل"),  # bytes Windows-1252 leaves undefined (0x81)
        ("Apaydiná", "Apaydiná"),  # damage that cannot be undone
        ("Café", "Café"),
        ("إدلب", "إدلب"),
        ("Idleb", "Idleb"),
    ],
)
def test_repair_mojibake(damaged, repaired):
    assert repair_mojibake(damaged) == repaired


def test_decimal_text():
    given_ = pd.Series([" 36,63 ", "36.63", "3 6.6", "-1,5", "1,2,3", None], dtype="string")
    assert decimal_text(given_).tolist() == ["36.63", "36.63", "36.6", "-1.5", "1,2,3", pd.NA]


# Property: whatever the cells hold, read() raises SourceError naming the file, or returns rows
# that satisfy the contract, and every data row is either loaded or reported with its row number.

TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["Idleb", "إدلب", MOJIBAKE, "Apaydiná", ""]))
LAT = st.floats(35.0, 37.0).map(lambda x: f"{x:.4f}")
LON = st.floats(35.5, 38.0).map(lambda x: f"{x:.4f}")
COORD_TEXT = st.one_of(
    st.sampled_from(["", "north", "1e3", "-35.9", "36,63,1", "nan"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.floats(-90, 90).map(lambda x: f" {x:.2f} ".replace(".", ",")),
)
VALID = {  # cells of a loadable row, in the ways real exports write them
    "event_id_cnty": st.sampled_from([f"SYR{i}" for i in range(1, 7)]),
    "event_date": st.sampled_from(["2020-02-10", "15 March 2020", "43871", "2023-06-01"]),
    "latitude": st.one_of(LAT, LAT.map(lambda t: f" {t.replace('.', ',')} ")),
    "longitude": st.one_of(LON, LON.map(lambda t: t.replace(".", ","))),
    "geo_precision": st.sampled_from(["1", "2", "3", ""]),
    "fatalities": st.integers(0, 2000).map(str),
    "timestamp": st.one_of(st.integers(0, 2 * 10**12).map(str), TEXT),
}
DAMAGED = {
    "event_id_cnty": TEXT,
    "event_date": st.one_of(st.sampled_from(["2020-02-30", "2020", "79000", "1581292800000", "10/02/2020", ""]), TEXT),
    "latitude": COORD_TEXT,
    "longitude": COORD_TEXT,
    "geo_precision": st.one_of(st.integers(-1, 8).map(str), TEXT),
    "fatalities": st.one_of(st.integers(-5, -1).map(str), st.sampled_from(["", "1,000", "2.5", "*"]), TEXT),
}


@st.composite
def acled_files(draw):
    """(records, delimiter, bom) in the export layout: clean rows, and rows with damaged cells,
    truncated or overlong; now and then a missing column; extra columns."""
    header = [n for n in HEADER if draw(st.integers(0, 40)) > 0]
    header += draw(st.lists(st.sampled_from(["extra", "event_id_no_cnty", "iso3", ""]), max_size=2))
    header = [f" {n}" if draw(st.booleans()) else n for n in header]
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        if not draw(st.booleans()):
            rows.append([draw(VALID.get(n.strip(), TEXT)) for n in header])
            continue
        cells = [draw(st.one_of(VALID.get(n.strip(), TEXT), DAMAGED.get(n.strip(), TEXT))) for n in header]
        cut = draw(st.integers(0, len(cells) + 2))
        rows.append(cells[:cut] + [draw(TEXT)] * max(0, cut - len(cells)))
    return [header, *rows], draw(st.sampled_from([",", ";"])), draw(st.booleans())


def data_rows(records: list[list[str]]) -> list[int]:
    """Row numbers of the data rows as the adapter should see them (trailing blank rows are not)."""
    rows = records[1:]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    first = 3 if rows and is_hashtag_row(rows[0]) else 2
    return list(range(first, len(rows) + 2))


def test_malformed_exports_never_load_bad_rows_nor_lose_rows():
    """Each example's shape, problems and row counts are checked as it runs; the rows of all
    examples are then re-validated against the contract together (validate() has a fixed cost
    per call, which would otherwise be most of each example's time)."""
    collected: list[tuple[list, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acled_export.csv"

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(acled_files())
        def check(drawn):
            records, delimiter, bom = drawn
            write(path, records, delimiter, bom)
            issues = Issues()
            try:
                events = acled.read(SPEC, path, issues)["events"]
            except SourceError as exc:
                assert path.name in str(exc)
                return
            assert list(events.columns) == EVENTS.names + ["geometry"] and isinstance(events.index, pd.RangeIndex)
            assert events.crs is not None and events.crs.to_epsg() == 4326
            if len(events):
                collected.append((records, events))
            assert_located(issues, path.name)
            reported = {p.row for p in issues.problems}
            expected = data_rows(records)
            assert reported <= set(expected)
            assert len(events) + len(reported) == len(expected)
            assert events["event_id"].is_unique

        check()
    assert_all_conform({"events": collected}, {"events": EVENTS}, geometry=True)

"""HXL-tagged CSV files from HDX: hashtags choose the tables (IDP stock, IDP movements,
casualties, events), the quirks of real HDX files, and malformed files.

The committed fixtures in tests/fixtures/hxl/ are synthetic (see the README there); the UCDP
Bangladesh export is read only by the test marked `shared`.
"""
from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import hxl as hxl_adapter
from etl.config import ROOT
from etl.contracts import CASUALTIES, DISPLACEMENT, EVENTS, IDP_STOCK
from etl.core.contracts import validate
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.conftest import shared_path
from tests.etl.adapters.helpers import as_text, assert_conforms, assert_located

FIXTURES = ROOT / "tests" / "fixtures" / "hxl"
IDPS = FIXTURES / "synthetic_idleb_idps_hxl.csv"
CASUALTY_SHEET = FIXTURES / "synthetic_idleb_casualties_hxl.csv"
CONTRACTS = {"idp_stock": IDP_STOCK, "displacement": DISPLACEMENT, "casualties": CASUALTIES, "events": EVENTS}


def read(path: Path, name: str = "syn"):
    issues = Issues()
    return hxl_adapter.read(SourceSpec(name, "hxl"), path, issues), issues


def write_csv(path: Path, rows: list[list[str]], bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def problems(issues: Issues) -> list[tuple]:
    return sorted((p.table, p.row, p.column, p.value) for p in issues.problems)


def test_idp_sheet_fills_stock_and_movements():
    out, issues = read(IDPS)
    assert set(out) == {"idp_stock", "displacement"}
    assert_conforms(out["idp_stock"], IDP_STOCK)
    assert_conforms(out["displacement"], DISPLACEMENT)
    assert_located(issues, IDPS.name)
    stock = out["idp_stock"].set_index("fact_id")
    assert stock.loc["syn:3", ["date", "area_en", "pcode", "value"]].tolist() == [
        pd.Timestamp("2020-01-15"), "Dana", "SY070301", 512345,  # persons, not the +hh column
    ]
    assert stock.loc["syn:4", ["date", "value"]].tolist() == [pd.Timestamp("2020-03-15"), 45120]  # Excel serial date
    assert stock.loc["syn:5", "date"] == pd.Timestamp("2020-03-15")  # epoch milliseconds
    assert stock.loc["syn:7", ["date", "pcode"]].tolist() == [pd.Timestamp("2020-02-01"), "SY070303"]  # YYYY-MM, ' sy070303 '
    assert stock.loc["syn:9", ["area_en", "pcode", "value"]].tolist() == ["إدلب", "SY07", 1250000]  # mojibake repaired
    assert set(stock["unit"]) == {"idps"} and set(stock["qualifier"]) == {"exact"}
    moves = out["displacement"].set_index("fact_id")
    assert len(moves) == 9
    dana_in = moves.loc["syn:3:arrivals"]
    assert [dana_in[c] for c in ("period_start", "period_end", "direction", "unit", "value", "dest_pcode")] == [
        pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-31"), "arrivals", "idp_arrivals", 1200, "SY070301",
    ]
    dana_out = moves.loc["syn:3:departures"]
    assert (dana_out["unit"], dana_out["origin_pcode"], dana_out["value"]) == ("idp_departures", "SY070301", 300)
    assert moves.loc["syn:6:arrivals", "period_end"] == pd.Timestamp("2020-02-29")  # 15/02/2020 -> February
    assert set(moves["measure"]) == {"period"} and set(moves["kind"]) == {"observation"}
    assert problems(issues) == [
        ("displacement", 4, "value", ""),  # '*' arrivals
        ("displacement", 5, "value", ""),  # '*' departures
        ("displacement", 7, "value", "-5"),
        ("idp_stock", 6, "value", ""),  # '*' stock
    ]


def test_casualty_sheet_with_arabic_headers():
    out, issues = read(CASUALTY_SHEET)
    assert set(out) == {"casualties"}
    frame = out["casualties"]
    assert_conforms(frame, CASUALTIES)
    assert_located(issues, CASUALTY_SHEET.name)
    rows = frame.set_index("fact_id")
    assert rows.loc["syn:3", ["period_start", "period_end", "area_en", "pcode", "killed", "injured", "children_killed"]].tolist() == [
        pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-31"), "Harim", "SY0703", 25, 40, 7,
    ]
    assert rows.loc["syn:4", ["period_start", "period_end", "killed"]].tolist() == [
        pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-29"), 1020,  # Excel serial dates, thousands separator
    ]
    assert pd.isna(rows.loc["syn:4", "injured"])  # '*'
    assert frame["civilians_only"].all() and set(frame["unit"]) == {"civilians_killed"}
    # the hashtags never say a cause: 'unknown' unless the sources file says (test_cause_comes_from_the_sources_file)
    assert set(frame["cause"]) == {"unknown"} and set(frame["kind"]) == {"observation"}
    assert problems(issues) == [("casualties", 6, "period_end", "2020-04-01")]
    # '*' killed (suppressed, not zero) on an epoch-ms row: its injuries are a figure, loaded without deaths
    assert pd.isna(rows.loc["syn:5", "killed"]) and rows.loc["syn:5", "injured"] > 0


def test_hashtag_row_first_without_text_header(tmp_path):
    path = write_csv(tmp_path / "idps.csv", [
        ["#date", "#adm2+code", "#affected+idps"],
        ["2021-06-30", "SY0703", "1000"],
        ["2021-06-30", "SY0704", "x"],
    ], bom=False)
    out, issues = read(path)
    assert out["idp_stock"]["fact_id"].tolist() == ["syn:2"]
    assert out["idp_stock"]["area_en"].tolist() == ["SY0703"]  # no name column: the P-code
    assert problems(issues) == [("idp_stock", 3, "value", "x")]


def test_civilian_and_total_columns_the_total_is_read(tmp_path):
    path = write_csv(tmp_path / "killed.csv", [
        ["Month", "Governorate", "Civilians killed", "Killed"],
        ["#date", "#adm1+name", "#affected+killed+civilians", "#affected+killed"],
        ["2020-03-10", "Idleb", "10", "12"],
    ])
    frame = read(path)[0]["casualties"]
    assert frame[["killed", "civilians_only", "unit"]].values.tolist() == [[12, False, "people_killed"]]
    assert frame[["period_start", "period_end"]].values.tolist() == [[pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-31")]]


def test_events_from_points_with_fatalities(tmp_path):
    path = write_csv(tmp_path / "events.csv", [
        [" Event", "التاريخ", " Governorate", " Latitude", " Longitude", " Fatalities", "Source"],
        ["#event+id", "#date", "#adm1+name", "#geo+lat", "#geo+lon", "#affected+killed", "#meta+source"],
        ["E1", "1583020800000", "Idleb", " 35.93 ", "36.63", "3", "SOHR"],
        ["E2", "2020-03-02", "Ø¥Ø¯Ù„Ø¨", "35.80", "36.60", "0", ""],
        ["E1", "2020-03-03", "Idleb", "35.90", "36.60", "1", ""],  # repeated id
        ["", "2020-03-04", "Idleb", "3.59", "36.60", "1", ""],  # latitude out of range
        ["", "2020-03-05", "Idleb", "35.70", "36.70", "*", ""],
    ])
    out, issues = read(path)
    assert set(out) == {"events"}
    events = out["events"]
    assert_conforms(events, EVENTS, geometry=True)
    assert_located(issues, "events.csv")
    assert events["event_id"].tolist() == ["E1", "E2"]
    first = events.iloc[0]
    assert (first["date_start"], first["date_end"], first["lat"], first["fatalities"], first["reported_by"]) == (
        pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-01"), 35.93, 3, "SOHR",
    )
    assert events.iloc[1]["admin1_name"] == "إدلب" and set(events["dataset"]) == {"HXL"}
    assert events.geometry.iloc[0].x == pytest.approx(36.63)
    assert problems(issues) == [
        ("events", 5, "event_id", "E1"), ("events", 6, "lat", "3.59"), ("events", 7, "fatalities", ""),
    ]


def test_row_number_is_the_event_id_when_there_is_none(tmp_path):
    path = write_csv(tmp_path / "events.csv", [
        ["#date+start", "#date+end", "#geo+lat", "#geo+lon", "#affected+killed"],
        ["2020-03-01", "2020-03-04", "35.9", "36.6", "2"],
    ])
    events = read(path, name="hdx_events")[0]["events"]
    assert events[["event_id", "date_start", "date_end"]].values.tolist() == [
        ["hdx_events:2", pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-04")],
    ]


def test_files_that_cannot_be_read(tmp_path):
    plain = write_csv(tmp_path / "plain.csv", [["date", "idps"], ["2020-01-01", "5"]])
    with pytest.raises(SourceError, match=r"plain.csv: expected an HXL hashtag row"):
        read(plain)
    other = write_csv(tmp_path / "other.csv", [["#org", "#sector", "#affected+idps+f"], ["UNHCR", "CCCM", "5"]])
    with pytest.raises(SourceError, match=r"other.csv: expected HXL hashtags for IDP figures .*found #affected\+idps\+f, #org"):
        read(other)
    no_area = write_csv(tmp_path / "no_area.csv", [["#date", "#affected+idps"], ["2020-01-01", "5"]])
    with pytest.raises(SourceError, match=r"no_area.csv: idp_stock: expected an area column"):
        read(no_area)
    no_date = write_csv(tmp_path / "no_date.csv", [["#adm1+code", "#affected+killed"], ["SY07", "5"]])
    with pytest.raises(SourceError, match=r"no_date.csv: casualties: expected a date column"):
        read(no_date)


# --- property-based: malformed HXL files ------------------------------------------------------

GARBAGE = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", " ", "*", "n/a", "-3", "1e400", "nan", "2020-13-45", "31/02/2020", "99999999999999"]),
    st.integers(-10**9, 10**9).map(str),
)
PLAUSIBLE = {
    "date": st.sampled_from(["2020-01-15", "2020-02", "43905", "1584230400000", "15/02/2020", "March 15, 2020"]),
    "code": st.sampled_from(["SY07", "SY0703", "SY070301", " sy070302 ", "SY7", "C4120"]),
    "name": st.sampled_from(["Dana", "Harim", "Ø¥Ø¯Ù„Ø¨", "إدلب", "Apaydiná", ""]),
    "count": st.one_of(st.integers(0, 10**6).map(str), st.sampled_from(["1,234", "1 234", "*", "12.0"])),
    "lat": st.one_of(st.floats(30, 40).map(lambda v: f"{v:.5f}"), st.just(" 35.9 ")),
    "lon": st.one_of(st.floats(34, 44).map(lambda v: f"{v:.5f}"), st.just("36.6")),
    "id": st.sampled_from(["E1", "E2", "E3", ""]),
}
LAYOUTS = {
    "idps": [("التاريخ", "#date", "date"), (" Sub-district", "#adm3+name", "name"), ("P-code", "#adm3+code", "code"),
             (" IDPs", "#affected+idps", "count"), ("Arrivals", "#affected+idps+arrivals", "count"),
             ("Departures", "#affected+idps+departures", "count"), ("Households", "#affected+idps+hh", "count")],
    "casualties": [("Start", "#date+start", "date"), ("End", "#date+end", "date"), ("District", "#adm2+name", "name"),
                   ("Pcode", "#adm2+code", "code"), ("Killed", "#affected+killed+civilians", "count"),
                   ("Injured", "#affected+injured", "count"), ("Children", "#affected+killed+children", "count")],
    "events": [("id", "#event+id", "id"), ("date", "#date", "date"), ("Governorate", "#adm1+name", "name"),
               ("lat", "#geo+lat", "lat"), ("lon", "#geo+lon", "lon"), ("best", "#affected+killed", "count"),
               ("source", "#meta+source", "name")],
}
EXTRA = [("Org", "#org", "name"), ("Notes", "", "name"), ("bad", "#bad tag", "name"), ("Year", "#date+year", "date")]


def cell(kind: str):
    return st.integers(0, 7).flatmap(lambda n: GARBAGE if n == 0 else PLAUSIBLE[kind])


@st.composite
def hxl_files(draw):
    """An HDX-style HXL CSV for IDP figures, casualties or events: columns dropped or added, with or
    without a text header, cells mixing plausible values and garbage, truncated rows."""
    columns = [c for c in LAYOUTS[draw(st.sampled_from(sorted(LAYOUTS)))] if draw(st.integers(0, 12)) > 0]
    columns += draw(st.lists(st.sampled_from(EXTRA), max_size=2))
    columns = draw(st.permutations(columns))
    rows = [[tag for _, tag, _ in columns]]
    if draw(st.booleans()):
        rows.insert(0, [header for header, _, _ in columns])
    for _ in range(draw(st.integers(1, 6))):
        row = [draw(cell(kind)) for _, _, kind in columns]
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.integers(0, 5)) == 0 else row)
    return rows, draw(st.booleans())


def test_malformed_files_are_rejected_or_conform():
    """read() raises a SourceError naming the file, or returns tables whose rows satisfy their
    contracts, and every problem it reports names file, row and column.

    Each case's output shape and problems are checked as it runs; the rows of all cases are then
    re-validated together per table (validation has a fixed cost of some 50 ms a call, which would
    otherwise be most of each case's time)."""
    outputs: dict[str, list[tuple[list, pd.DataFrame]]] = {table: [] for table in CONTRACTS}

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hxl_files())
    def check(case):
        rows, bom = case
        with tempfile.TemporaryDirectory() as tmp:
            path = write_csv(Path(tmp) / "hdx.csv", rows, bom=bom)
            issues = Issues()
            try:
                out = hxl_adapter.read(SourceSpec("s", "hxl"), path, issues)
            except SourceError as exc:
                assert "hdx.csv" in str(exc)
                return
        assert out and set(out) - {"area_names"} <= set(CONTRACTS)
        assert_located(issues, "hdx.csv")
        for table, frame in out.items():
            if table == "area_names":
                continue
            geometry = table == "events"
            assert list(frame.columns) == CONTRACTS[table].names + (["geometry"] if geometry else [])
            assert isinstance(frame.index, pd.RangeIndex)
            if not frame.empty:
                outputs[table].append((rows, frame))

    check()
    assert sum(map(len, outputs.values())), "no generated case loaded a row: the strategy is too hostile"
    for table, found in outputs.items():
        if found:
            assert_all_conform(found, CONTRACTS[table], geometry=table == "events")


def assert_all_conform(outputs: list[tuple[list, pd.DataFrame]], contract, geometry: bool) -> None:
    """assert_conforms on all outputs of one table at once; a failure names the case it came from."""
    combined = pd.concat([frame for _, frame in outputs], ignore_index=True)
    cases = [case for case, frame in outputs for _ in range(len(frame))]
    issues = Issues()
    validate(as_text(combined), contract, "output", issues)
    assert not issues.problems, f"{issues.problems[0]} from case {cases[issues.problems[0].row - 2]}"
    assert_conforms(outputs[0][1], contract, geometry=geometry)


# --- a real HDX export --------------------------------------------------------------------------


@pytest.mark.shared
def test_real_hdx_ucdp_export_outside_the_region():
    path = shared_path("ucdp_format_fixtures_no_syria", "conflict_data_BGD.csv")
    out, issues = read(path, name="ucdp_bgd")
    assert set(out) == {"events"}  # #geo+lat, #geo+lon, #affected+killed, #date+start recognised
    assert_conforms(out["events"], EVENTS, geometry=True)
    assert out["events"].empty  # Bangladesh lies outside the region the dashboard covers
    assert_located(issues, path.name)
    assert {p.row for p in issues.problems} == set(range(3, 604))  # all 601 data rows read, from row 3
    assert {(p.column, p.reason) for p in issues.problems} == {
        ("lat", "expected a value >= 32"), ("lon", "expected a value <= 42.5"),
    }


def test_cause_and_period_start_come_from_the_sources_file(tmp_path):
    """Deaths are never stored as conflict deaths because of the adapter: the cause, and the start
    of a figure cumulative since an event, are what the sources file says."""
    spec = SourceSpec("quake", "hxl", options={"cause": "earthquake", "period_start": "2019-12-15"})
    issues = Issues()
    out = hxl_adapter.read(spec, CASUALTY_SHEET, issues)
    frame = out["casualties"]
    assert set(frame["cause"]) == {"earthquake"}
    assert set(frame["period_start"]) == {pd.Timestamp("2019-12-15")}
    with pytest.raises(SourceError, match="option cause = 'quake': expected one of conflict, earthquake"):
        hxl_adapter.read(SourceSpec("q", "hxl", options={"cause": "quake"}), CASUALTY_SHEET, Issues())


def test_names_without_p_codes_go_to_the_name_matcher(tmp_path):
    path = write_csv(tmp_path / "named.csv", [
        ["Date", "Governorate", "District", "Killed"],
        ["#date", "#adm1+name", "#adm2+name", "#affected+killed"],
        ["2020-02-01", "Idlib", "Al Mara", "12"],
        ["2020-02-01", "Idlib", "", "3"],
    ])
    out = hxl_adapter.read(SourceSpec("n", "hxl"), path, Issues())
    names = out["area_names"]
    assert names[["key", "target", "adm1", "adm2", "row"]].fillna("-").values.tolist() == [
        ["n:3", "pcode", "Idlib", "Al Mara", 3], ["n:4", "pcode", "Idlib", "-", 4]]
    assert out["casualties"]["pcode"].isna().all()  # filled by the pipeline's matcher

"""UCDP GED adapter: the GED CSV (plain or zipped), HDX's HXL-tagged export, their quirks,
malformed input, and UCDP's own files (format samples without Syria rows)."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import ucdp
from etl.config import ROOT
from etl.contracts import EVENTS
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.conftest import shared_path
from tests.etl.adapters.helpers import assert_all_conform, assert_conforms, assert_located
from tests.etl.adapters.test_acled import TEXT, data_rows, write

FIXTURES = ROOT / "tests" / "fixtures" / "ucdp"
SPEC = SourceSpec(name="ucdp-test", adapter="ucdp")
GED191 = [  # the column set of GED 19.1 (ged191.csv)
    "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id", "dyad_name",
    "side_a_new_id", "gwnoa", "side_a", "side_b_new_id", "gwnob", "side_b", "number_of_sources", "source_article",
    "source_office", "source_date", "source_headline", "source_original", "where_prec", "where_coordinates", "adm_1",
    "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best",
    "high",
]
HXL_TAGS = {  # HDX's hashtags for the columns it tags (conflict_data_<ISO3>.csv, row 2)
    "year": "#date+year", "side_a": "#group+name+first", "side_b": "#group+name+second", "source_article": "#meta+source",
    "source_headline": "#description", "where_coordinates": "#loc+name", "adm_1": "#adm1+name", "adm_2": "#adm2+name",
    "latitude": "#geo+lat", "longitude": "#geo+lon", "country": "#country+name", "region": "#region+name",
    "date_start": "#date+start", "date_end": "#date+end", "best": "#affected+killed",
}


def row(**cells) -> list[str]:
    """A valid synthetic GED 19.1 event at Idlib city, with `cells` replaced."""
    base = {
        "id": "900001", "year": "2020", "type_of_violence": "1", "source_office": "Synthetic Agency",
        "source_headline": "Synthetic headline", "where_prec": "1", "adm_1": "Idlib governorate",
        "adm_2": "Idlib district", "latitude": "35.93", "longitude": "36.63", "country": "Syria",
        "date_start": "2020-02-10 00:00:00.000", "date_end": "2020-02-10 00:00:00.000", "low": "1", "best": "2",
        "high": "3",
    }
    base.update(cells)
    return [base.get(name, "") for name in GED191]


def read(path: Path) -> tuple[pd.DataFrame, Issues]:
    issues = Issues()
    events = ucdp.read(SPEC, path, issues)["events"]
    assert_conforms(events, EVENTS, geometry=True)
    assert_located(issues, path.name)
    return events, issues


def problems(issues: Issues) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def test_ged_layout_with_its_quirks():
    events, issues = read(FIXTURES / "synthetic_ged231_layout.csv")
    by_id = events.set_index("event_id")
    # rows 4 and 5 publish estimates out of order: kept with their best, out of the band (issue 13)
    assert sorted(by_id.index) == ["UCDP-900001", "UCDP-900002", "UCDP-900003", "UCDP-900004", "UCDP-900006"]
    assert by_id.loc[["UCDP-900003", "UCDP-900004"], ["fatalities_low", "fatalities_high"]].isna().all().all()
    assert set(events["dataset"]) == {"UCDP"} and set(events["source_id"]) == {"ucdp-test"}
    idlib = by_id.loc["UCDP-900001"]
    assert idlib["date_start"] == idlib["date_end"] == pd.Timestamp("2020-02-10")  # '2020-02-10 00:00:00.000'
    assert (idlib["event_type"], idlib["violence_type"], idlib["geo_precision"]) == ("state-based", 1, 1)
    assert (idlib["fatalities_low"], idlib["fatalities"], idlib["fatalities_high"]) == (2, 3, 5)
    assert (idlib["admin1_name"], idlib["admin2_name"]) == ("Idlib governorate", "Idlib district")  # as given
    assert pd.isna(idlib["admin3_name"]) and pd.isna(idlib["sub_event_type"])
    assert (idlib["reported_by"], idlib["notes"]) == ("Synthetic Agency", "Idlib city")  # where_description
    assert (idlib.geometry.x, idlib.geometry.y) == (36.63, 35.93)
    saraqib = by_id.loc["UCDP-900002"]
    assert (saraqib["event_type"], saraqib["lat"], saraqib["notes"]) == ("one-sided", 35.86, "Saraqib shelled (synthetic)")
    serial = by_id.loc["UCDP-900006"]  # Excel serial dates 43871, 43872; Arabic and damaged names
    assert (serial["date_start"], serial["date_end"]) == (pd.Timestamp("2020-02-10"), pd.Timestamp("2020-02-11"))
    assert serial["admin1_name"] == serial["admin2_name"] == "إدلب"
    assert problems(issues) == {
        (4, "best", ucdp.OUT_OF_ORDER),
        (5, "best", ucdp.OUT_OF_ORDER),
        (6, "lon", "expected a value <= 42.5"),
        (7, "event_id", "expected a unique event_id; row 2 has it"),
        (9, "fatalities", "expected a value >= 0"),
        (10, "violence_type", "expected a value <= 3"),
    }
    assert [p.row for p in issues.problems if p.kept] == [4, 5]


def test_hdx_export_with_hashtag_row():
    events, issues = read(FIXTURES / "synthetic_hdx_conflict_data_syr.csv")
    assert events["event_id"].tolist() == ["UCDP-900101", "UCDP-900102", "UCDP-900103"]
    assert events["notes"].tolist()[:2] == ["Airstrike on a market (synthetic)", "Shelling of Saraqib (synthetic)"]
    assert events[["lat", "lon"]].astype(float).values.tolist()[:2] == [[35.65, 36.68], [35.86, 36.8]]  # '35,86'
    assert events["admin2_name"].tolist()[:2] == ["Maarrat an Nu'man district", "Idlib district"]
    assert problems(issues) == {(5, "best", ucdp.OUT_OF_ORDER)}  # kept, out of the band


def test_zipped_ged_csv(tmp_path):
    archive = tmp_path / "ged231-csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "synthetic_ged231_layout.csv", "GEDEvent_v23_1.csv")
    events, issues = read(archive)
    assert len(events) == 5 and len(issues.problems) == 6
    assert {p.file for p in issues.problems} == {"ged231-csv.zip"}


def test_ged191_layout_with_bom_spaced_headers_and_epoch_ms_dates(tmp_path):
    header = [f" {n}" if n in ("id", "best", "latitude") else n for n in GED191]
    records = [header, row(), row(id="900002", date_start="1581292800000", date_end="1581379200000", low="*")]
    events, issues = read(write(tmp_path / "ged191.csv", records, bom=True))
    assert events["event_id"].tolist() == ["UCDP-900001"]
    assert events.loc[0, "notes"] == "Synthetic headline"  # GED 19.1 has no where_description
    assert problems(issues) == {(3, "fatalities_low", "expected a whole number")}  # '*' is not a count


def test_dates_before_ged_coverage_are_rejected(tmp_path):
    _, issues = read(write(tmp_path / "ged.csv", [GED191, row(date_start="1988", date_end="1988-12-31")]))
    reason = "expected a date from 1989-01-01 (UCDP GED's coverage) to today"
    assert problems(issues) == {(2, "date_start", reason), (2, "date_end", reason)}  # '1988' read as a serial


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([[n for n in GED191 if n not in ("best", "low")]], r"expected column\(s\) low, best"),
        ([GED191 + [" ID"]], "expected column id once"),
    ],
)
def test_unreadable_layouts_raise_with_the_file_name(tmp_path, records, message):
    with pytest.raises(SourceError, match=message) as raised:
        ucdp.read(SPEC, write(tmp_path / "ged.csv", records), Issues())
    assert "ged.csv" in str(raised.value)


def test_zip_without_csv_raises(tmp_path):
    archive = tmp_path / "ged.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "no data")
    with pytest.raises(SourceError, match="ged.zip: expected a zip holding exactly one .csv file; found none"):
        ucdp.read(SPEC, archive, Issues())


# Property: whatever the cells hold, read() raises SourceError naming the file, or returns rows
# that satisfy the contract, and every data row is either loaded or reported with its row number.

DATE_PAIRS = st.sampled_from(
    [
        ("2020-02-10 00:00:00.000", "2020-02-10 00:00:00.000"), ("2020-02-10", "2020-02-12"), ("43871", "43872"),
        ("1581292800000", "2020-02-11"), ("1989-01-01", "1989-01-01"),
    ]
)
VALID = {
    "id": st.integers(1, 6).map(str),
    "type_of_violence": st.sampled_from(["1", "2", "3"]),
    "where_prec": st.integers(1, 7).map(str),
    "latitude": st.floats(35.0, 37.0).map(lambda x: f"{x:.6f}"),
    "longitude": st.floats(35.5, 38.0).map(lambda x: f" {x:.6f}".replace(".", ",")),
}
DAMAGED = {
    "id": TEXT,
    "type_of_violence": st.one_of(st.integers(-1, 5).map(str), TEXT),
    "where_prec": st.one_of(st.integers(-1, 9).map(str), TEXT),
    "latitude": st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), TEXT),
    "longitude": st.one_of(st.floats(-180, 180).map(str), TEXT),
    "date_start": st.one_of(st.sampled_from(["2020-13-01", "1988", "79000", "2020-02-10T25:00"]), TEXT),
    "date_end": st.one_of(st.sampled_from(["2019-01-01", "", "2020"]), TEXT),
    "low": st.one_of(st.integers(-5, 50).map(str), st.sampled_from(["", "*", "1.5"]), TEXT),
    "best": st.one_of(st.integers(-5, 50).map(str), st.sampled_from(["", "1,000"]), TEXT),
    "high": st.one_of(st.integers(-5, 50).map(str), TEXT),
}


@st.composite
def valid_cells(draw) -> dict[str, str]:
    """The cells of a loadable event, estimates in order and dates in order."""
    best = draw(st.integers(0, 500))
    start, end = draw(DATE_PAIRS)
    cells = {name: draw(strategy) for name, strategy in VALID.items()}
    cells.update(
        low=str(best - draw(st.integers(0, best))), best=str(best), high=str(best + draw(st.integers(0, 50))),
        date_start=start, date_end=end,
    )
    return cells


@st.composite
def ged_files(draw):
    """(records, bom) in the GED 19.1 layout or HDX's (hashtag row): clean rows, rows with damaged,
    truncated or overlong cells; now and then a missing column; extra columns."""
    header = [n for n in GED191 if draw(st.integers(0, 60)) > 0]
    header += draw(st.lists(st.sampled_from(["relid", "where_description", "iso3", ""]), max_size=2))
    header = [f" {n}" if draw(st.booleans()) else n for n in header]
    records = [header]
    if draw(st.booleans()):
        records.append([HXL_TAGS.get(n.strip(), "") for n in header])
    for _ in range(draw(st.integers(1, 6))):
        valid = draw(valid_cells())
        if not draw(st.booleans()):
            records.append([valid.get(n.strip()) or draw(TEXT) for n in header])
            continue
        cells = [draw(st.sampled_from([valid.get(n.strip(), ""), draw(DAMAGED.get(n.strip(), TEXT))])) for n in header]
        cut = draw(st.integers(0, len(cells) + 2))
        records.append(cells[:cut] + [draw(TEXT)] * max(0, cut - len(cells)))
    return records, draw(st.booleans())


def test_malformed_ged_files_never_load_bad_rows_nor_lose_rows():
    """Each example's shape, problems and row counts are checked as it runs; the rows of all
    examples are then re-validated against the contract together (validate() has a fixed cost
    per call, which would otherwise be most of each example's time)."""
    collected: list[tuple[list, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ged.csv"

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(ged_files())
        def check(drawn):
            records, bom = drawn
            write(path, records, bom=bom)
            issues = Issues()
            try:
                events = ucdp.read(SPEC, path, issues)["events"]
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


# UCDP's own files, format samples without Syria rows (../shared/data/ucdp_format_fixtures_no_syria):
# every event lies outside the region the dashboard covers, so every row must be rejected for its
# coordinates, and for nothing else except the estimates UCDP itself published out of order
# (low <= best <= high fails; checked by hand, e.g. id 84006: low 0, best 3, high 0).
REAL = "ucdp_format_fixtures_no_syria"
COORDINATE_REASONS = {"expected a value >= 32", "expected a value <= 38.5", "expected a value >= 35", "expected a value <= 42.5"}
ESTIMATE_REASONS = {"expected best >= low", "expected high >= best", "expected high >= low"}


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "first_row", "data_rows_in_file", "estimates_out_of_order"),
    [
        ("conflict_data_BGD.csv", 3, 601, {64}),  # HDX export: hashtag row 2
        ("ged191-sample-download.zip", 2, 3194, {142, 234, 274, 1039, 2822, 2978}),  # ged191.csv zipped
    ],
)
def test_real_ucdp_layouts_are_read(name, first_row, data_rows_in_file, estimates_out_of_order):
    path = shared_path(REAL, name)
    issues = Issues()
    events = ucdp.read(SPEC, path, issues)["events"]
    assert_conforms(events, EVENTS, geometry=True)
    assert_located(issues, name)
    assert events.empty
    rows = {p.row for p in issues.problems}
    assert rows == set(range(first_row, first_row + data_rows_in_file))  # every data row read, numbered as in the file
    coordinates = [p for p in issues.problems if p.column in ("lat", "lon")]
    assert {p.reason for p in coordinates} <= COORDINATE_REASONS
    assert {p.row for p in coordinates} == rows
    # events whose estimates are out of order are kept with a note (issue 13); these are outside the
    # region as well, so they are rejected for their coordinates and get no note
    others = [p for p in issues.problems if p.column not in ("lat", "lon")]
    assert not others and estimates_out_of_order

"""UNHCR adapter: Refugee Data Finder CSV exports and Operational Data Portal time-series JSON.

Every fixture is synthetic (invented figures in the published layouts), written into tmp_path.
"""
from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import unhcr
from etl.contracts import REFUGEES
from etl.core.headers import header_key
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import assert_conforms, assert_located, damaged_rows

TMP = tempfile.TemporaryDirectory(prefix="unhcr-property-")  # one folder for every hypothesis example
FINDER = [
    "Year", "Country of origin", "Country of origin (ISO)", "Country of asylum", "Country of asylum (ISO)",
    "Refugees under UNHCR's mandate", "Asylum-seekers", "Returned refugees", "IDPs of concern to UNHCR",
    "Returned IDPss", "Stateless persons", "Others of concern", "Other people in need of international protection",
    "Host Community",
]
PREAMBLE = [["Extracted from UNHCR's Refugee Data Finder on 15 June 2024 - https://www.unhcr.org/refugee-statistics/"], []]


def write_csv(path: Path, rows: list[list], bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run(path: Path, **options) -> tuple[pd.DataFrame, Issues]:
    issues = Issues()
    out = unhcr.read(SourceSpec("unhcr-test", "unhcr", options=options), path, issues)
    assert list(out) == ["refugees"]
    assert_conforms(out["refugees"], REFUGEES)
    assert_located(issues, path.name)
    return out["refugees"], issues


def problems(issues: Issues) -> set[tuple]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def finder_row(year, origin, asylum, refugees, asylum_seekers, returns, others, origin_name="Syrian Arab Rep.", asylum_name="Türkiye"):
    return [year, origin_name, origin, asylum_name, asylum, refugees, asylum_seekers, returns, "-", "-", "-", others, "-", "-"]


def test_refugee_data_finder_export(tmp_path):
    path = write_csv(tmp_path / "persons_of_concern_synthetic.csv", PREAMBLE + [
        FINDER,
        finder_row("2023", "SYR", "TUR", "3,214,780", "*", "-", "0", asylum_name="TÃ¼rkiye"),
        finder_row("2023", "SYR", "LBN", "-", "*", "-", "-", asylum_name="Lebanon"),
        finder_row("20x3", "SYR", "LBN", "5", "*", "-", "-", asylum_name="Lebanon"),
        finder_row("2022", "SYR", "JOR", "-5", "12", "1 234", "", asylum_name="Jordan"),
        finder_row("2022", "Syria", "jor", "7", "", "", "", asylum_name="Jordan"),
    ])
    refugees, issues = run(path)
    assert refugees["fact_id"].tolist() == [
        "unhcr-test:4:refugees", "unhcr-test:4:others_of_concern", "unhcr-test:7:asylum_seekers", "unhcr-test:7:returns",
    ]
    first = refugees.iloc[0]
    assert (first["date"], first["origin_iso3"], first["asylum_iso3"], first["persons"]) == (pd.Timestamp("2023-12-31"), "SYR", "TUR", 3214780)
    assert (first["unit"], first["series"], first["qualifier"]) == ("refugees", "UNHCR", "exact")
    assert first["note"] == "Refugees under UNHCR's mandate (Syrian Arab Rep. in Türkiye)"  # mojibake repaired
    assert pd.isna(first["period_start"])
    assert refugees.iloc[1]["persons"] == 0  # zero is published, '*' and '-' are not zero
    assert refugees.iloc[3]["persons"] == 1234
    # row 5 is all '-' and '*': nothing to load, not an error
    assert problems(issues) == {
        (6, "Year", "expected a year such as 2023"),
        (7, "Refugees under UNHCR's mandate", "expected a value >= 0"),
        (8, "Country of origin (ISO)", unhcr.COUNTRY_REASON),
        # notes on the header row (3): '*' counted per column, a column of figures no unit fits never ignored silently
        (3, "Asylum-seekers", "suppressed figures ('*'): no figure loaded, never zero"),
        (3, "Returned IDPss", "column of figures not read: it is no population type this adapter knows"),
    }
    assert {p.row: p.detail for p in issues.problems if p.column == "Asylum-seekers"} == {3: "2 cell(s)"}  # rows 4 and 5 (row 6 is rejected for its year first)
    assert issues.count() == 3 and all(p.kept for p in issues.problems if p.row == 3)


def test_api_style_export_without_preamble_and_mid_year_reference(tmp_path):
    header = [" year", "coo_name", "coo_iso", "coa_name", "coa_iso", "refugees", "asylum_seekers", "returned_refugees", "ooc"]
    path = write_csv(tmp_path / "population.csv", [header, ["2024", "Syria", "SYR", "Germany", "DEU", "716728", "*", "0", "12"]], bom=False)
    refugees, issues = run(path, reference_date="06-30")
    assert [(p.column, p.kept) for p in issues.problems] == [("asylum_seekers", True)]  # the '*' note
    assert refugees["date"].unique().tolist() == [pd.Timestamp("2024-06-30")]
    assert refugees["unit"].tolist() == ["refugees", "returns", "others_of_concern"]


@pytest.mark.parametrize("day", ["31-12", "02-29", "12-32", "end"])
def test_bad_reference_date_option(tmp_path, day):
    path = write_csv(tmp_path / "export.csv", [FINDER])
    with pytest.raises(SourceError, match=r"export\.csv: option reference_date"):
        unhcr.read(SourceSpec("t", "unhcr", options={"reference_date": day}), path, Issues())


def test_a_blank_country_code_without_a_name_column_names_the_code_column(tmp_path):
    """Found by `make test-deep`: an ISO-only export with a blank origin cell was reported without a
    column; the problem names the ISO column it read."""
    path = write_csv(tmp_path / "iso_only.csv", [["Year", "Country of origin (ISO)", "Country of asylum (ISO)",
                                                  "Host Community"], ["2023", "", "tur", "3,214,780"]], bom=False)
    issues = Issues()
    out = unhcr.read(SourceSpec("t", "unhcr"), path, issues)
    assert out["refugees"].empty
    (problem,) = issues.problems
    assert (problem.row, problem.column, problem.value) == (2, "Country of origin (ISO)", "")
    assert_located(issues, path.name)


def test_finder_without_needed_columns(tmp_path):
    no_asylum = write_csv(tmp_path / "no_asylum.csv", [[c for c in FINDER if not c.startswith("Country of asylum")]])
    with pytest.raises(SourceError, match=r"no_asylum\.csv: expected a header row"):
        unhcr.read(SourceSpec("t", "unhcr"), no_asylum, Issues())
    no_header = write_csv(tmp_path / "no_header.csv", PREAMBLE + [["Year", "Country"]])
    with pytest.raises(SourceError, match=r"no_header\.csv: expected a header row"):
        unhcr.read(SourceSpec("t", "unhcr"), no_header, Issues())


def test_operational_data_portal_timeseries(tmp_path):
    path = write_json(tmp_path / "timeseries_synthetic.json", {"data": {"timeseries": [
        {"data_date": 1580515200000, "individuals": "3587266"},  # epoch milliseconds, text count
        {"unix_timestamp": 1583020800, "individuals": 3576370},  # epoch seconds
        {"month": 4, "year": 2020, "individuals": "3,583,434"},  # year + month: the month's last day
        {"data_date": 1590969600000, "individuals": "*"},  # suppressed: no figure, no error
        {"data_date": "garbage", "individuals": "5"},
        7,
        {"month": 13, "year": 2020, "individuals": 1},
        {"data_date": 1590969600000, "individuals": -4},
        {"data_date": "2020-07-01", "individuals": 3.0},
        {"data_date": 1590969600000},
    ]}})
    refugees, issues = run(path)
    assert refugees["fact_id"].tolist() == ["unhcr-test:1", "unhcr-test:2", "unhcr-test:3", "unhcr-test:9"]
    assert refugees["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-02-01", "2020-03-01", "2020-04-30", "2020-07-01"]
    assert refugees["persons"].tolist() == [3587266, 3576370, 3583434, 3]
    assert set(refugees["origin_iso3"]) == {"SYR"} and set(refugees["asylum_iso3"]) == {"TUR"}
    assert set(refugees["unit"]) == {"registered_refugees"} and set(refugees["series"]) == {"UNHCR"}
    assert refugees.iloc[2]["note"] == "figure for 2020-04, dated the month's last day"
    assert problems(issues) == {
        (5, "data_date", unhcr.DATE_REASON),
        (6, "timeseries", "expected an object with a date and individuals"),
        (7, "month", unhcr.DATE_REASON),
        (8, "individuals", "expected a value >= 0"),
        (10, "individuals", "required value is empty"),
    }


def test_timeseries_list_under_data_with_bom_and_options(tmp_path):
    path = tmp_path / "regional.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"data": [{"data_date": 1580515200000, "individuals": 5554126}]}).encode())
    refugees, issues = run(path, asylum_iso3="REG", unit="refugees_and_asylum_seekers")
    assert not issues.problems
    assert (refugees.iloc[0]["asylum_iso3"], refugees.iloc[0]["unit"]) == ("REG", "refugees_and_asylum_seekers")


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("{not json", {}, "expected JSON"),
        ('{"data": {"series": []}}', {}, "expected a time series"),
        ('{"data": []}', {"unit": "people"}, "option unit='people'"),
        ('{"data": []}', {"series": "IOM"}, "option series='IOM'"),
        ('{"data": []}', {"origin_iso3": "Syria"}, "option origin_iso3='SYRIA'"),
    ],
)
def test_unreadable_timeseries(tmp_path, content, options, message):
    path = tmp_path / "odp.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=rf"odp\.json: .*{message}"):
        unhcr.read(SourceSpec("t", "unhcr", options=options), path, Issues())


# --- property: malformed files in the real layouts --------------------------------------------------

GARBAGE = ("", " ", "N/A", "TÃ¼rkiye", "Apaydiná", "1e3", "nan", "\u00a0", "#affected")
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=6)
VALID = {  # cells as the export writes them
    "year": ("2023", "2011", "2024"),
    "iso": ("SYR", "TUR", "tur", " LBN ", "UKN", "XXA"),
    "name": ("Syrian Arab Rep.", "TÃ¼rkiye", "Lebanon", ""),
    "count": ("-", "*", "0", "3,214,780", "1 234", "12.0", "5"),
    "junk": GARBAGE,
}
BROKEN = {  # the same cells, wrong
    "year": ("20x3", "0000", "99999", "2023.5"),
    "iso": ("SY", "Syria", "S1R", "ÜRK"),
    "count": ("-5", "12.5", "1.234,5", "99999999999999999999", "1e400"),
}
FINDER_KINDS = ["year", "name", "iso", "name", "iso"] + ["count"] * 9

@st.composite
def finder_files(draw):
    """(file rows, first data row number, indexes of measure columns) in the export layout, damaged."""
    layout = [c for c in zip(FINDER, FINDER_KINDS) if draw(st.integers(0, 14)) > 0]
    layout += [(draw(TEXT), "junk") for _ in range(draw(st.integers(0, 2)))]
    preamble = PREAMBLE if draw(st.booleans()) else []
    rows = damaged_rows(draw, [kind for _, kind in layout], VALID, BROKEN, GARBAGE, TEXT)
    measures = [i for i, (name, _) in enumerate(layout) if header_key(name) in frozenset().union(*unhcr.MEASURES.values())]
    return preamble + [[name for name, _ in layout]] + rows, len(preamble) + 2, measures


ENTRIES = (  # entries as the portal writes them
    {"data_date": 1580515200000, "individuals": "3587266"},
    {"unix_timestamp": 1583020800, "individuals": 3576370},
    {"month": 2, "year": 2020, "individuals": "3,587,266"},
    {"month": "12", "year": "2023", "individuals": 0},
    {"data_date": "2020-07-01", "individuals": 3.0},
    {"data_date": 1580515200000, "individuals": "*"},
)
ODD_VALUES = st.one_of(
    st.sampled_from([None, "", "*", True, -4, 2020, 13, 0, 10**20, 1.5, float("nan"), float("inf"), [], {}, "٣٤", "2020-02-30"]),
    st.integers(-(10**14), 10**14), TEXT,
)


@st.composite
def damaged_entry(draw):
    """A valid entry with 0-2 keys dropped or given odd values; now and then not an object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.integers(), TEXT, st.none(), st.lists(st.integers(), max_size=2)))
    entry = dict(draw(st.sampled_from(ENTRIES)))
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(["data_date", "unix_timestamp", "year", "month", "individuals"]))
        if draw(st.booleans()):
            entry.pop(key, None)
        else:
            entry[key] = draw(ODD_VALUES)
    return entry


@st.composite
def timeseries_documents(draw):
    entries = draw(st.lists(damaged_entry(), min_size=1, max_size=6))
    shape = draw(st.sampled_from(["nested", "nested", "flat", "bare", "wrong"]))
    return {"nested": {"data": {"timeseries": entries}}, "flat": {"data": entries}, "bare": entries, "wrong": {"data": {"rows": entries}}}[shape]


def assert_all_conform(examples: list) -> None:
    """Re-validate every example's output at once (validate() is slow per call); on a failure,
    find the example and show its input."""
    if not examples:
        return
    try:
        assert_conforms(pd.concat([frame for _, frame in examples], ignore_index=True), REFUGEES)
    except AssertionError:
        for given_input, frame in examples:
            try:
                assert_conforms(frame, REFUGEES)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\ninput: {given_input!r}") from None
        raise


def read_checked(path: Path, given_input, collected: list) -> tuple[pd.DataFrame, Issues] | None:
    """read(), with the per-example checks; None when the file is refused as a whole."""
    issues = Issues()
    try:
        out = unhcr.read(SourceSpec("hyp", "unhcr"), path, issues)
    except SourceError as exc:
        assert path.name in str(exc)
        return None
    assert_located(issues, path.name)
    refugees = out["refugees"]
    assert list(refugees.columns) == REFUGEES.names and isinstance(refugees.index, pd.RangeIndex)
    if len(refugees):
        collected.append((given_input, refugees))
    return refugees, issues


def test_property_malformed_finder_exports():
    collected: list = []
    path = Path(TMP.name) / "finder_property.csv"

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=finder_files(), bom=st.booleans())
    def check(data, bom):
        rows, first, measures = data
        write_csv(path, rows, bom=bom)
        result = read_checked(path, rows, collected)
        if result is None:
            return
        refugees, issues = result
        # a row with a published measure is loaded or reported; rows of only '-', '*' and blanks are not figures
        loaded = {int(f.split(":")[1]) for f in refugees["fact_id"]}
        reported = {p.row for p in issues.problems}
        published = {
            first + i for i, row in enumerate(rows[first - 1:])
            if any(i_col < len(row) and row[i_col].strip() not in ("", "-", "*") for i_col in measures)
        }
        assert published <= loaded | reported, (rows, sorted(loaded), sorted(reported))

    check()
    assert_all_conform(collected)


def test_property_malformed_timeseries():
    collected: list = []
    path = Path(TMP.name) / "timeseries_property.json"

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(document=timeseries_documents())
    def check(document):
        write_json(path, document)
        result = read_checked(path, document, collected)
        if result is None:
            return
        refugees, issues = result
        entries = document if isinstance(document, list) else document["data"]
        entries = entries if isinstance(entries, list) else entries["timeseries"]
        suppressed = {n for n, e in enumerate(entries, start=1) if isinstance(e, dict) and str(e.get("individuals")).strip() == "*"}
        loaded = {int(f.split(":")[1]) for f in refugees["fact_id"]}
        assert set(range(1, len(entries) + 1)) - suppressed <= loaded | {p.row for p in issues.problems}

    check()
    assert_all_conform(collected)

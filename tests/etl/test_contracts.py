"""validate(): typed good rows out, every bad cell reported with file, row, column and reason."""
import pandas as pd

from etl.contracts import DISPLACEMENT, SOURCES
from etl.core.contracts import Column, Contract, validate
from etl.core.issues import Issues

GOOD = {
    "fact_id": "1.38", "period_start": "2020-02-01", "period_end": "2020-02-29", "area_en": "north-west Syria",
    "pcode": "", "direction": "total", "value": "752,131", "qualifier": "about", "low": "", "high": "",
    "unit": "people_displaced", "measure": "period", "kind": "observation", "source_id": "ocha", "note": "",
}


def frame(*rows):
    return pd.DataFrame([{**GOOD, **r} for r in rows], dtype="string")


def test_good_row_is_typed():
    issues = Issues()
    out = validate(frame({}), DISPLACEMENT, "displacement.csv", issues)
    assert issues.problems == []
    assert out.loc[2, "value"] == 752131
    assert out["period_start"].iloc[0] == pd.Timestamp("2020-02-01")
    assert out.index.tolist() == [2]  # row number as a spreadsheet shows it


def test_bad_cells_name_file_row_column_and_expectation():
    issues = Issues()
    raw = frame({}, {"period_start": "Feb 2020"}, {"value": "-5"}, {"unit": "people"}, {"source_id": " "})
    out = validate(raw, DISPLACEMENT, "displacement.csv", issues)
    assert len(out) == 1
    found = {(p.row, p.column, p.reason) for p in issues.problems}
    assert (3, "period_start", "expected a date as YYYY-MM-DD") in found
    assert (4, "value", "expected a value >= 0") in found
    assert any(r == 5 and c == "unit" and "one of people_displaced" in why for r, c, why in found)
    assert (6, "source_id", "required value is empty") in found
    assert all(p.file == "displacement.csv" and p.table == "displacement" for p in issues.problems)


def test_row_rules_period_order_and_pcode():
    issues = Issues()
    raw = frame({"period_start": "2020-03-01"}, {"pcode": "Idleb"})
    assert validate(raw, DISPLACEMENT, "d.csv", issues).empty
    reasons = [p.reason for p in issues.problems]
    assert "expected period_end on or after period_start" in reasons
    assert "expected an OCHA P-code such as SY07 or SY070301" in reasons


def test_missing_required_column_rejects_file_with_header_row():
    issues = Issues()
    out = validate(frame({}).drop(columns=["unit"]), DISPLACEMENT, "d.csv", issues)
    assert out.empty and list(out.columns) == DISPLACEMENT.names
    assert [(p.row, p.column) for p in issues.problems] == [(1, "unit")]


def test_sources_need_url_and_publication_date():
    raw = pd.DataFrame([
        {"source_id": "a", "organisation": "OCHA", "title": "T", "url": "https://x.org", "published": "2020-02", "published_approx": "false"},
        {"source_id": "b", "organisation": "OCHA", "title": "T", "url": "x.org", "published": "n.d.", "published_approx": "maybe"},
    ], dtype="string")
    issues = Issues()
    out = validate(raw, SOURCES, "sources.csv", issues)
    assert out["source_id"].tolist() == ["a"]
    assert {p.column for p in issues.problems} == {"url", "published", "published_approx"}


def test_summary_groups_by_reason():
    contract = Contract("t", (Column("n", "int"),), key=("n",))
    issues = Issues()
    validate(pd.DataFrame({"n": ["x"] * 12 + ["3"]}, dtype="string"), contract, "f.csv", issues)
    text = issues.summary()
    assert "[t] 12 row(s) rejected: expected a whole number. First 10:" in text
    assert text.count("f.csv, row") == 10
    assert issues.count("t") == 12 and issues.kept("t") == 0


def test_summary_groups_rows_by_reason_with_their_details_apart_and_counts_kept_rows_apart():
    issues = Issues()
    for row, nearest in ((2, "SY02 Aleppo 1.1 km"), (3, "SY04 Homs 2.0 km"), (4, "SY06 Lattakia 0.3 km")):
        issues.note("events", "ged.csv", row, "geometry", f"e{row}", "point outside every admin area; kept",
                    detail=f"nearest: {nearest}")
    issues.add("events", "ged.csv", 5, "lat", "99", "expected a value <= 38.5")
    issues.add("events", "ged.csv", 5, "lon", "99", "expected a value <= 42.5")
    text = issues.summary()
    assert text.count("row(s)") == 4 - 1  # one group per reason, the three notes in one
    assert "[events] 3 row(s) kept with a note: point outside every admin area; kept. First 3:" in text
    assert "nearest: SY04 Homs 2.0 km" in text
    assert issues.count("events") == 1 and issues.kept("events") == 3
    frame = issues.to_frame()
    assert frame["kept"].tolist() == [True, True, True, False, False]


def test_a_published_range_may_stand_without_a_value():
    issues = Issues()
    raw = frame({"value": "", "low": "800000", "high": "1000000"}, {"value": "", "low": "5"}, {"low": "9", "high": "3"})
    out = validate(raw, DISPLACEMENT, "d.csv", issues)
    assert out.index.tolist() == [2]
    assert {(p.row, p.column) for p in issues.problems} == {(3, "value"), (4, "high")}


def test_huge_whole_numbers_are_refused_not_wrapped():
    contract = Contract("t", (Column("n", "int"),), key=("n",))
    issues = Issues()
    out = validate(pd.DataFrame({"n": ["99999999999999999999", "1e400", "12"]}, dtype="string"), contract, "f.csv", issues)
    assert out["n"].tolist() == [12]
    assert [(p.row, p.reason) for p in issues.problems] == [(2, "expected a whole number"), (3, "expected a whole number")]

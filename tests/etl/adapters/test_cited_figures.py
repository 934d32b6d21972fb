"""Cited-figures adapter: a folder in the layout of data/figures/ (sources.csv and the five figure
files, see data/figures/README.md), figure rows citing unknown sources, malformed cells, and the
committed folder itself.

Fixtures are synthetic rows written inline under the committed files' headers.
"""
from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import cited_figures
from etl.config import ROOT
from etl.contracts import FIGURE_TABLES, SOURCES
from etl.core.contracts import Column, validate
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import as_text, assert_conforms, assert_located

FIGURES = ROOT / "data" / "figures"
SPEC = SourceSpec(name="figures-test", adapter="cited_figures")
CONTRACTS = {c.table: c for c in (SOURCES, *FIGURE_TABLES)}
HEADERS = {  # the committed files' headers (displacement.csv has no origin/dest/location columns)
    table: next(csv.reader((FIGURES / f"{table}.csv").open(encoding="utf-8-sig"))) for table in CONTRACTS
}
MOJIBAKE = "إدلب".encode().decode("cp1252")  # 'Ø¥Ø¯Ù„Ø¨': UTF-8 read as Windows-1252
VALID = {  # one synthetic, valid row per file
    "sources": {
        "source_id": "syn-flash", "organisation": "OCHA", "title": "Synthetic flash update",
        "url": "https://example.org/flash", "published": "2020-02", "published_approx": "false", "fact_refs": "1.1",
    },
    "displacement": {
        "fact_id": "1.1", "period_start": "2020-02-01", "period_end": "2020-02-29", "area_en": "Idleb governorate",
        "pcode": "SY07", "direction": "departures", "value": "1000", "qualifier": "about", "unit": "people_displaced",
        "measure": "period", "kind": "observation", "source_id": "syn-flash",
    },
    "casualties": {
        "fact_id": "2.1", "period_start": "2020-01-01", "period_end": "2020-01-31", "area_en": "Idleb governorate",
        "pcode": "SY07", "killed": "25", "qualifier": "at_least", "injured": "40", "civilians_only": "true",
        "unit": "civilians_killed", "cause": "conflict", "kind": "observation", "source_id": "syn-flash",
    },
    "refugees": {
        "fact_id": "3.1", "date": "2020-12-31", "origin_iso3": "SYR", "asylum_iso3": "TUR", "persons": "3600000",
        "qualifier": "about", "series": "DGMM", "unit": "syrians_under_tp", "source_id": "syn-flash",
    },
    "idp_stock": {
        "fact_id": "4.1", "date": "2020-06-30", "area_en": "north-west Syria", "value": "2700000",
        "qualifier": "about", "unit": "idps", "source_id": "syn-flash",
    },
    "timeline": {
        "fact_id": "5.1", "date": "2020-03-05", "label_en": "Ceasefire in Idlib", "label_ar": "وقف إطلاق النار في إدلب",
        "source_id": "syn-flash",
    },
}


def write(path: Path, records: list[list[str]], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)
    return path


def cells(table: str, **changes) -> list[str]:
    """The valid row of `table` under its committed header, with `changes`."""
    row = VALID[table] | changes
    return [row.get(name, "") for name in HEADERS[table]]


def folder(root: Path, rows: dict[str, list[list[str]]] | None = None) -> Path:
    """A figures folder: each file its header and the given rows (by default its valid row)."""
    rows = rows or {}
    for table in CONTRACTS:
        write(root / f"{table}.csv", [HEADERS[table], *rows.get(table, [cells(table)])])
    return root


def read(path: Path) -> tuple[dict[str, pd.DataFrame], Issues]:
    issues = Issues()
    out = cited_figures.read(SPEC, path, issues)
    assert set(out) == set(cited_figures.TABLES)
    for table, frame in out.items():
        assert_conforms(frame, CONTRACTS[table])
    for file in {p.file for p in issues.problems}:
        assert_located(Issues([p for p in issues.problems if p.file == file]), file)
    return out, issues


def problems(issues: Issues) -> set[tuple[str, int, str, str]]:
    return {(p.file, p.row, p.column, p.reason) for p in issues.problems}


def test_committed_figures_load_without_problems():
    out, issues = read(FIGURES)
    assert not issues.problems
    sizes = {table: len(frame) for table, frame in out.items()}
    assert sizes == {"sources": 129, "displacement": 87, "casualties": 35, "refugees": 46, "idp_stock": 24, "timeline": 26}
    assert set(out["displacement"]["source_id"]) <= set(out["sources"]["source_id"])
    for table in ("displacement", "idp_stock", "casualties"):  # area_names.csv gives every place its Arabic
        missing = sorted(set(out[table].loc[out[table]["area_ar"].isna(), "area_en"]))
        assert not missing, f"add to data/figures/area_names.csv: {missing}"
    assert set(out["displacement"].loc[out["displacement"]["area_en"] == "north-west Syria", "area_ar"]) == {"شمال غرب سوريا"}


def test_area_names_fill_the_arabic_a_rows_own_comes_first_and_a_repeat_is_reported(tmp_path):
    root = folder(tmp_path)
    write(root / "displacement.csv", [HEADERS["displacement"] + ["area_ar"], cells("displacement") + [""],
                                      cells("displacement", fact_id="1.2") + ["إدلب"]])
    write(root / "area_names.csv", [["area_en", "area_ar"], ["Idleb governorate", "محافظة إدلب"],
                                    ["Idleb governorate", "مكرر"], ["north-west Syria", ""]])
    out, issues = read(root)
    assert out["displacement"].set_index("fact_id")["area_ar"].to_dict() == {"1.1": "محافظة إدلب", "1.2": "إدلب"}
    assert out["casualties"]["area_ar"].tolist() == ["محافظة إدلب"]
    assert out["idp_stock"]["area_ar"].isna().all()  # a name without its Arabic is rejected, never loaded empty
    assert {(p.file, p.row, p.column) for p in issues.problems} == {
        ("area_names.csv", 3, "area_en"), ("area_names.csv", 4, "area_ar")}


def test_one_valid_row_per_file(tmp_path):
    out, issues = read(folder(tmp_path))
    assert not issues.problems
    assert {table: len(frame) for table, frame in out.items()} == dict.fromkeys(CONTRACTS, 1)
    moved = out["displacement"].iloc[0]
    assert moved["origin_pcode"] == "SY07" and pd.isna(moved["dest_pcode"])  # a departure's pcode is its origin
    assert out["timeline"].loc[0, "label_ar"] == "وقف إطلاق النار في إدلب"
    assert out["sources"]["published_approx"].tolist() == [False]


def test_figure_citing_an_unknown_source_is_rejected(tmp_path):
    out, issues = read(folder(tmp_path, {
        "casualties": [cells("casualties"), cells("casualties", fact_id="2.2", source_id="not-in-sources")],
        "timeline": [cells("timeline", source_id=" ")],
    }))
    assert out["casualties"]["fact_id"].tolist() == ["2.1"]
    assert out["timeline"].empty
    assert problems(issues) == {
        ("casualties.csv", 3, "source_id", "expected a source_id listed in sources.csv"),
        ("timeline.csv", 2, "source_id", "required value is empty"),
    }


def test_a_rejected_source_takes_its_figures_with_it(tmp_path):
    out, issues = read(folder(tmp_path, {
        "sources": [cells("sources", url="example.org/flash"), cells("sources", source_id="syn-other")],
    }))
    assert out["sources"]["source_id"].tolist() == ["syn-other"]
    assert all(out[t.table].empty for t in FIGURE_TABLES)
    assert ("sources.csv", 2, "url", "expected an http(s) URL") in problems(issues)
    assert {(p.file, p.column) for p in issues.problems if p.file != "sources.csv"} == {
        (f"{t.table}.csv", "source_id") for t in FIGURE_TABLES
    }


def test_quirks_bom_spaced_headers_and_bad_cells(tmp_path):
    root = folder(tmp_path)
    header = [f" {n}" if n in ("fact_id", "value") else n for n in HEADERS["idp_stock"]]
    write(root / "idp_stock.csv", [
        header,
        cells("idp_stock", value="2,700,000", area_en=MOJIBAKE),  # thousands separators read; names kept as written
        cells("idp_stock", fact_id="4.2", value="*"),
        cells("idp_stock", fact_id="4.3", date="44012"),  # an Excel serial date: the README asks for ISO dates
        cells("idp_stock", fact_id="4.4", value="-5", unit="households"),
        cells("idp_stock", fact_id="4.5", pcode="SY7"),
    ], bom=True)
    write(root / "sources.csv", [HEADERS["sources"], cells("sources"), cells("sources", title="again")])
    out, issues = read(root)
    assert out["idp_stock"][["fact_id", "value", "area_en"]].values.tolist() == [["4.1", 2700000, MOJIBAKE]]
    assert out["sources"]["title"].tolist() == ["Synthetic flash update"]
    assert problems(issues) == {
        ("idp_stock.csv", 3, "value", "expected a whole number"),
        ("idp_stock.csv", 4, "date", "expected a date as YYYY-MM-DD"),
        ("idp_stock.csv", 5, "value", "expected a value >= 0"),
        ("idp_stock.csv", 5, "unit", "expected one of idps, idps_in_camps, population, idp_sites"),
        ("idp_stock.csv", 6, "pcode", "expected an OCHA P-code such as SY07 or SY070301"),
        ("sources.csv", 3, "source_id", "expected a unique source_id"),
    }


def test_missing_required_column_is_reported_on_the_header(tmp_path):
    root = folder(tmp_path)
    write(root / "refugees.csv", [[n for n in HEADERS["refugees"] if n != "persons"], cells("refugees")[:4] + cells("refugees")[5:]])
    out, issues = read(root)
    assert out["refugees"].empty
    assert problems(issues) == {("refugees.csv", 1, "persons", "required column is missing from the header")}


def test_missing_file_raises_with_its_name(tmp_path):
    root = folder(tmp_path)
    (root / "timeline.csv").unlink()
    with pytest.raises(SourceError, match="timeline.csv: file not found"):
        cited_figures.read(SPEC, root, Issues())


def test_repeated_fact_id_is_reported(tmp_path):
    out, issues = read(folder(tmp_path, {"timeline": [cells("timeline"), cells("timeline", date="2020-03-06")]}))
    assert len(out["timeline"]) == 1
    assert {(p.file, p.row, p.column) for p in issues.problems} == {("timeline.csv", 3, "fact_id")}


# Property: one file of the folder malformed per example, the others holding their valid row.
# read() raises SourceError naming the file, or returns every table conforming to its contract;
# every problem names file, row and column; every data row of the malformed file is loaded or
# reported; no figure is loaded whose source is not loaded; the other files lose rows only when
# the malformed file is sources.csv and the source they cite is rejected.

TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["Idleb", "إدلب", MOJIBAKE, "Apaydiná", "", " "]))
GARBAGE = {
    "date": st.one_of(TEXT, st.sampled_from(
        ["2020-13-01", "2020-02-30", "43871", "1581292800000", "2020-02", "10/02/2020", "2020-02-10T00:00"]
    )),
    "int": st.one_of(TEXT, st.integers(-10**6, 10**12).map(str), st.sampled_from(["1,000", "1.5", "*", "1e20", "nan", "-0"])),
    "bool": st.one_of(TEXT, st.sampled_from(["TRUE", "yes", "0", "maybe"])),
    "float": TEXT,
}
SPECIAL = {
    "source_id": st.sampled_from(["syn-flash", "syn-other", "not-in-sources", "", " syn-flash "]),
    "pcode": st.sampled_from(["SY07", "SY0703", "SY070301", "SY7", "sy07", "C4120", "SY07030"]),
    "url": st.sampled_from(["https://example.org/x", "http://example.org", "example.org", "ftp://x", ""]),
    "published": st.sampled_from(["2020", "2020-02", "2020-02-10", "Feb 2020", "2020-2", ""]),
    "origin_iso3": st.sampled_from(["SYR", "syr", "SY", "REG"]),
    "asylum_iso3": st.sampled_from(["TUR", "REG", "Türkiye", ""]),
}
PLAUSIBLE = {  # other values a valid row may hold
    "fact_id": st.sampled_from(["1.1", "1.2a", "1.39b", "x"]),
    "source_id": st.sampled_from(["syn-flash", "syn-other"]),
    "value": st.integers(0, 10**7).map(str), "killed": st.integers(0, 5000).map(str),
    "persons": st.integers(0, 4 * 10**6).map(str), "note": TEXT, "area_en": st.sampled_from(["Idleb", "إدلب", "Dana"]),
}


def damaged(column: Column):
    """Cells that break `column`, or may: garbage of its kind, wrong vocabulary, wrong patterns."""
    if column.name in SPECIAL:
        return SPECIAL[column.name]
    if column.choices:
        return st.one_of(TEXT, st.sampled_from([c.upper() for c in column.choices] + [c + " " for c in column.choices]))
    return GARBAGE.get(column.kind, TEXT)


@st.composite
def figure_folders(draw):
    """(table, records, bom): which file is malformed and its records, under the committed header
    with columns now and then dropped, added or moved, spaces in header names; rows valid or with
    damaged cells, truncated, or (not the first) with one cell too many."""
    table = draw(st.sampled_from(sorted(CONTRACTS)))
    contract = CONTRACTS[table]
    dropped = draw(st.sets(st.sampled_from(HEADERS[table]), max_size=2)) if draw(st.integers(0, 8)) == 0 else set()
    header = [n for n in HEADERS[table] if n not in dropped]
    header += draw(st.lists(st.sampled_from(["extra", "", "origin_pcode", "dest_pcode", "Note"]), max_size=2, unique=True))
    header = draw(st.permutations(header)) if draw(st.integers(0, 8)) == 0 else header
    spaced = draw(st.sets(st.sampled_from(header), max_size=2))
    header = [f" {n}" if n in spaced else n for n in header]
    by_name = {c.name: c for c in contract.columns}
    records = [header]
    for number in range(draw(st.integers(1, 6))):
        row = VALID[table] | {n: draw(PLAUSIBLE[n]) for n in draw(st.sets(st.sampled_from(sorted(PLAUSIBLE)), max_size=3)) if n in by_name}
        broken = draw(st.sets(st.sampled_from(contract.names), max_size=3))
        row |= {n: draw(damaged(by_name[n])) for n in broken}
        cells_ = [row.get(n.strip(), "") for n in header]
        shape = draw(st.integers(0, 9))
        if shape == 0:
            cells_ = cells_[: draw(st.integers(2, len(cells_)))]  # 2+: a line of one blank cell is skipped
        elif shape == 1 and number > 0:
            cells_ = cells_ + [draw(TEXT)]
        records.append(cells_)
    return table, records, draw(st.booleans())


@pytest.fixture
def load_once_per_content(monkeypatch):
    """cited_figures.load remembering its result (rows and problems) per file name and content.

    validate() costs some 40 ms a call and read() makes six; five of the six files are the same in
    every example, so each distinct file is validated once and its result replayed after."""
    real, seen = cited_figures.load, {}

    def load(path: Path, contract, issues: Issues) -> pd.DataFrame:
        key = (path.name, path.read_bytes())
        if key not in seen:
            found = Issues()
            seen[key] = (real(path, contract, found), found.problems)
        frame, problems_ = seen[key]
        issues.problems.extend(problems_)
        return frame.copy()

    monkeypatch.setattr(cited_figures, "load", load)


def test_one_malformed_file_never_loads_bad_rows_nor_loses_rows(load_once_per_content):
    outputs: dict[str, list[pd.DataFrame]] = {table: [] for table in CONTRACTS}
    with tempfile.TemporaryDirectory() as tmp:
        root = folder(Path(tmp))

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(figure_folders())
        def check(drawn):
            table, records, bom = drawn
            file = f"{table}.csv"
            write(root / file, records, bom=bom)
            issues = Issues()
            try:
                out = cited_figures.read(SPEC, root, issues)
            except SourceError as exc:
                assert file in str(exc)
                return
            finally:
                write(root / file, [HEADERS[table], cells(table)])  # valid again for the next example
            assert set(out) == set(CONTRACTS)
            for name, frame in out.items():
                assert list(frame.columns) == CONTRACTS[name].names and isinstance(frame.index, pd.RangeIndex)
                outputs[name].append(frame)
            for p in issues.problems:
                assert isinstance(p.row, int) and p.row >= 1 and p.column, p
                if p.file != file:  # only a figure whose source was rejected, when sources.csv is malformed
                    assert table == "sources" and (p.column, p.reason) == ("source_id", "expected a source_id listed in sources.csv"), p
            reported = {p.row for p in issues.problems if p.file == file}
            data_rows = set(range(2, len(records) + 1))
            if 1 in reported:  # a required column missing from the header: nothing loaded
                assert out[table].empty and reported == {1}
            else:
                assert reported <= data_rows
                assert len(out[table]) == len(data_rows) - len(reported)
            known = set(out["sources"]["source_id"])
            for figure in FIGURE_TABLES:
                assert set(out[figure.table]["source_id"]) <= known
                if figure.table != table:
                    assert len(out[figure.table]) == int("syn-flash" in known)

        check()
    for table, frames in outputs.items():
        loaded = [f for f in frames if len(f)]
        assert len(loaded) > 50, f"{table}: too few examples loaded a row; the strategy is too hostile"
        assert_all_conform(loaded, CONTRACTS[table])


def assert_all_conform(frames: list[pd.DataFrame], contract) -> None:
    """assert_conforms on the rows of all examples at once (validate has a fixed cost per call)."""
    combined = pd.concat(frames, ignore_index=True)
    issues = Issues()
    again = validate(as_text(combined), contract, "output", issues)
    assert not issues.problems, f"{contract.table}: output rows break the contract: {issues.summary()}"
    assert len(again) == len(combined)
    assert_conforms(frames[0], contract)

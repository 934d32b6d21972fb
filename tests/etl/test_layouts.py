"""The layouts users download, each on a small SYNTHETIC fixture written in the real layout
(tests/fixtures/layouts/, see its README): read by their adapters, then through a whole run so that
names are matched to P-codes against (synthetic) COD-AB boundaries and a communities list.

Each test checks values against the fixture and the problems reported (file, sheet, row, column).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl import pipeline
from etl.adapters import acled, gazetteer, table, ucdp, unhcr
from etl.config import ROOT, Settings
from etl.contracts import ASYLUM, CASUALTIES, EVENTS_AGGREGATED, GAZETTEER, NEEDS, REFUGEES
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from etl.core.warehouse import open_live
from tests.etl.adapters.helpers import assert_conforms

LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
HNO = LAYOUTS / "synthetic_hno_2023_pin_severity_by_subdistrict.xlsx"
QUAKE = LAYOUTS / "synthetic_earthquake_impact_by_community.xlsx"
MOVEMENTS = LAYOUTS / "synthetic_ocha_idp_movements_workbook.xlsx"
ACLED_MONTHLY = LAYOUTS / "synthetic_syria_hrp_political_violence_events_and_fatalities_by_month-year.xlsx"
HAPI = LAYOUTS / "synthetic_hdx_hapi_conflict_event_syr.csv"
POPULATION = LAYOUTS / "synthetic_unhcr_population_by_country_name.csv"
DECISIONS = LAYOUTS / "synthetic_unhcr_asylum_decisions.csv"
APPLICATIONS = LAYOUTS / "synthetic_unhcr_asylum_applications.csv"
GAZETTEER_FILE = LAYOUTS / "synthetic_syr_pcode_gazetteer_epoch_ms.xlsx"
GED_SYRIA = LAYOUTS / "synthetic_ged_syria_v652_layout.csv"

HNO_ENTRY = {
    "options": {"table": "needs", "sheets": "^(?!Read me)", "sheet_field": "sector", "skip": {"adm1_name": "^Total$"}},
    "columns": {"adm1_name": "Governorate", "adm3_pcode": "Sub-district Pcode", "adm3_name": "Sub-district",
                "population": "Population", "people_in_need": "PiN", "severity": "Severity"},
    "constants": {"period": "2023"},
}
QUAKE_ENTRY = {
    "options": {"table": "casualties"},
    "columns": {"adm1_name": "Governorate", "adm2_name": "District", "adm3_name": "Sub-district",
                "adm4_name": "Community", "adm4_pcode": "Community Pcode", "killed": "Deaths", "injured": "Injuries",
                "period_end": "Last update"},
    "constants": {"period_start": "2023-02-06", "cause": "earthquake", "unit": "deaths_all", "civilians_only": "false"},
}
ARRIVALS_ENTRY = {
    "options": {"table": "displacement", "sheet": "December_IDPflow"},
    "columns": {"adm1_pcode": "Mohafaza PCODE", "adm3_pcode": "Nahya PCODE", "adm3_name": "Nahya",
                "adm4_name": "Community", "adm4_pcode": "Community PCODE", "value": "IDP_Flow_Estimation"},
    "constants": {"period": "2019-01", "direction": "arrivals", "unit": "idp_arrivals", "measure": "period"},
}
FLOWS_ENTRY = {
    "options": {"table": "displacement", "sheet": "Table-Origin_vs_Departure",
                "skip": {"origin_adm1_name": "^Grand Total$"}},
    "columns": {"origin_adm1_name": "Origin"},
    "melt": {"columns": ".+", "value": "value", "header": "dest_adm1_name", "total": "Grand Total"},
    "constants": {"period": "2019-01", "direction": "flow", "unit": "people_displaced", "measure": "period"},
}
MONTHLY_ENTRY = {
    "options": {"table": "displacement", "sheet": "IDPFlow_Summarysince2016",
                "skip": {"adm1_name": "^(Grand Total|Average.*)$"}},
    "columns": {"adm1_name": "Governorate"},
    "melt": {"columns": r"^(?P<year>\d{4}) (?P<month>January|February|March|April|May|June|July|August|September|"
                        r"October|November|December)$", "value": "value"},
    "constants": {"direction": "arrivals", "unit": "idp_arrivals", "measure": "period"},
}


def spec(name: str, adapter: str, entry: dict | None = None, **options) -> SourceSpec:
    entry = entry or {}
    return SourceSpec(name, adapter, options={**entry.get("options", {}), **options},
                      columns=entry.get("columns", {}), constants=entry.get("constants", {}), melt=entry.get("melt", {}))


def found(issues: Issues) -> list[tuple]:
    return [(p.file, p.row, p.column, p.value, p.reason, p.kept) for p in issues.problems]


# ---- each layout, read by its adapter -----------------------------------------------------------------


def test_hno_workbook_title_rows_one_sheet_per_sector():
    issues = Issues()
    out = table.read(spec("hno", "table", HNO_ENTRY), HNO, issues)
    needs = out["needs"]
    assert_conforms(needs, NEEDS)
    assert sorted(set(needs["sector"])) == ["Health", "Intersectoral", "WASH"]  # the read-me sheet is not read
    row = needs.set_index("fact_id").loc["hno:7:WASH"]  # the lower-case, spaced P-code 'sy070301 '
    assert (row["pcode"], row["area_en"], row["people_in_need"], row["severity"]) == ("SY070301", "Dana", 230000, 5)
    assert (row["period_start"], row["period_end"]) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31"))
    assert needs.set_index("fact_id").loc["hno:9:WASH", "people_in_need"] == 95500  # '95,500'
    salqin = needs.set_index("fact_id").loc["hno:8:WASH"]  # no PiN published: severity only, never zero
    assert pd.isna(salqin["people_in_need"]) and salqin["severity"] == 3
    assert not any(needs["area_en"] == "Total")  # the total row is skipped, not summed twice
    sheet = f"{HNO.name}, sheet 'Intersectoral'"
    assert found(issues) == [(sheet, 9, "Severity", "6", "expected a value <= 5", False)]
    assert out["area_names"].empty  # every row has its sub-district P-code


def test_a_wrong_mapping_names_the_file_the_sheet_the_header_found_and_the_closest_columns():
    entry = {**HNO_ENTRY, "columns": {**HNO_ENTRY["columns"], "people_in_need": "People in need"}}
    with pytest.raises(SourceError) as caught:
        table.read(spec("hno", "table", entry), HNO, Issues())
    message = str(caught.value)
    assert message.startswith(f"{HNO.name}, sheet 'Health': the header row found is row 5")
    assert "expected 'People in need' for people_in_need (closest: 'PiN'" in message or \
        "expected 'People in need' for people_in_need (closest:" in message
    with pytest.raises(SourceError, match=r"expected a sheet named 'health' \(did you mean 'Health'\?\)"):
        table.read(spec("hno", "table", {**HNO_ENTRY, "options": {"table": "needs", "sheet": "health", "sheet_field": "sector"}}),
                   HNO, Issues())
    with pytest.raises(SourceError, match="unknown field\\(s\\) pin"):
        table.read(spec("hno", "table", {**HNO_ENTRY, "columns": {"pin": "PiN"}}), HNO, Issues())


def test_earthquake_workbook_arabic_and_english_headers_deaths_injuries_cumulative():
    issues = Issues()
    out = table.read(spec("quake", "table", QUAKE_ENTRY), QUAKE, issues)
    frame = out["casualties"]
    assert_conforms(frame, CASUALTIES)
    assert set(frame["cause"]) == {"earthquake"}  # from the sources file: never 'conflict' by default
    rows = frame.set_index("fact_id")
    salqin = rows.loc["quake:5"]
    assert (salqin["killed"], salqin["injured"]) == (160, 420)
    assert (salqin["period_start"], salqin["period_end"]) == (pd.Timestamp("2023-02-06"), pd.Timestamp("2023-02-20"))
    assert pd.isna(rows.loc["quake:9", "killed"]) and rows.loc["quake:9", "injured"] == 35  # injuries only
    assert pd.isna(rows.loc["quake:10", "killed"])  # '*' is suppressed, never zero
    assert rows.loc["quake:10", "period_end"] == pd.Timestamp("2023-02-20")  # '20/02/2023' as text
    # names are left to the pipeline's matcher: every row names its sub-district and community
    assert len(out["area_names"]) == 7 and set(out["area_names"]["target"]) == {"pcode"}
    assert found(issues) == [(QUAKE.name, None, "Focal point phone", None,
                              "column holds personal data (phone numbers): not loaded", True)]
    assert not any("+90" in str(v) for v in frame.astype(str).to_numpy().ravel())


def test_the_same_workbook_mapped_by_its_arabic_headers():
    entry = {"options": {"table": "casualties"},
             "columns": {"adm3_name": "الناحية", "adm4_name": "التجمع", "killed": "الوفيات", "injured": "الإصابات",
                         "period_end": "تاريخ التحديث"},
             "constants": QUAKE_ENTRY["constants"]}
    out = table.read(spec("quake", "table", entry), QUAKE, Issues())
    assert out["casualties"].set_index("fact_id").loc["quake:5", ["killed", "injured"]].tolist() == [160, 420]


def test_unhcr_population_by_country_name_every_population_type():
    issues = Issues()
    out = unhcr.read(SourceSpec("unhcr", "unhcr"), POPULATION, issues)
    frame = out["refugees"]
    assert_conforms(frame, REFUGEES)
    got = {(r.origin_iso3, r.asylum_iso3, r.unit): r.persons for r in frame.itertuples() if r.date.year == 2022}
    assert got[("SYR", "TUR", "refugees")] == 3535898  # 'Türkiye'
    assert got[("SYR", "LBN", "asylum_seekers")] == 12210
    assert got[("SYR", "SYR", "idps_of_concern")] == 6865000 and got[("SYR", "SYR", "returned_idps")] == 193000
    assert got[("SYR", "DEU", "others_of_concern")] == 3100  # 'Others of concern to UNHCR' is read
    assert got[("SYR", "IRN", "other_in_need_of_protection")] == 12  # 'Iran (Islamic Rep. of)'
    assert frame[frame["asylum_iso3"] == "TUR"]["date"].dt.year.tolist() == [2022, 2021]  # 'Turkey' too
    assert not ((frame["unit"] == "asylum_seekers") & (frame["asylum_iso3"] == "TUR")).any()  # '*' is no figure
    rejected = [(p.row, p.column, p.value) for p in issues.problems if not p.kept]
    assert rejected == [(8, "Country of origin", "Stateless")]
    notes = {(p.column, p.detail) for p in issues.problems if p.kept}
    assert notes == {("Asylum-seekers", "2 cell(s)"), ("Refugees under UNHCR's mandate", "1 cell(s)")}


def test_unhcr_asylum_decisions_keep_suppressed_cells_as_suppressed():
    issues = Issues()
    frame = unhcr.read(SourceSpec("dec", "unhcr"), DECISIONS, issues)["asylum"]
    assert_conforms(frame, ASYLUM)
    rows = {(r.asylum_iso3, r.measure): r for r in frame.itertuples()}
    assert rows[("DEU", "decisions_recognized")].value == 41120 and rows[("DEU", "decisions_recognized")].unit == "persons"
    nld = rows[("NLD", "decisions_complementary")]
    assert nld.suppressed and pd.isna(nld.value)  # '*': suppressed, never zero, never a number
    cyp = rows[("CYP", "decisions_recognized")]
    assert cyp.suppressed and cyp.unit == "cases" and (cyp.authority, cyp.procedure) == ("G", "FI")
    assert ("CYP", "decisions_closed") not in rows  # '-' is no figure
    assert not any(k[0] == "TUR" for k in rows)  # a row of '-' only
    assert not issues.problems
    apps = unhcr.read(SourceSpec("app", "unhcr"), APPLICATIONS, issues)["asylum"]
    assert apps[["asylum_iso3", "measure", "value", "suppressed"]].astype(object).where(apps.notna(), None).values.tolist() == [
        ["DEU", "applications", 104561, False], ["CYP", "applications", None, True]]
    assert [(p.row, p.column, p.value) for p in issues.problems] == [(4, "Country of asylum", "Various/unknown")]


def test_gazetteer_without_geometry_with_epoch_millisecond_dates():
    issues = Issues()
    frame = gazetteer.read(SourceSpec("gaz", "gazetteer"), GAZETTEER_FILE, issues)["gazetteer"]
    assert_conforms(frame, GAZETTEER)
    rows = frame.set_index("pcode")
    assert rows.loc["SY07", "valid_on"] == pd.Timestamp("2020-12-17")  # 1608163200000 ms
    assert rows.loc["SY070302", "valid_on"] == pd.Timestamp("2020-12-17")  # as ISO text
    assert rows.loc["SY0702", "alt_names"] == "Maarat al-Numan|Al Mara"
    assert (rows.loc["SY070301", "level"], rows.loc["SY070301", "parent_pcode"]) == (3, "SY0703")
    assert rows.loc["SY0703", "name_en"] == "Harim"  # the first of a repeated P-code
    problems = {(p.file, p.row, p.column, p.value) for p in issues.problems}
    assert problems == {(f"{GAZETTEER_FILE.name}, sheet 'syr_adm2'", 4, "pcode", "SY0703"),  # repeated
                        (f"{GAZETTEER_FILE.name}, sheet 'syr_adm3'", 4, "ADM3_PCODE", "SY0799")}  # not admin 3


def test_hdx_acled_monthly_aggregates_and_hapi():
    issues = Issues()
    out = acled.read(SourceSpec("acled-monthly", "acled"), ACLED_MONTHLY, issues)
    frame = out["events_aggregated"]
    assert_conforms(frame, EVENTS_AGGREGATED)
    first = frame.iloc[0]
    assert (first["area_en"], first["events"], first["fatalities"], first["event_type"]) == (
        "Al Mara", 112, 48, "political_violence")  # the event type from HDX's file name
    assert (first["period_start"], first["period_end"]) == (pd.Timestamp("2019-05-01"), pd.Timestamp("2019-05-31"))
    assert frame["pcode"].isna().all() and len(out["area_names"]) == len(frame)  # names only: matched by the pipeline
    assert "Reyhanli" not in set(frame["area_en"])
    assert [(p.column, p.detail, p.kept) for p in issues.problems] == [("ISO3", "1 rows", True)]
    hapi = acled.read(SourceSpec("hapi", "acled"), HAPI, Issues())["events_aggregated"]
    assert hapi[["pcode", "event_type", "events"]].values.tolist() == [
        ["SY0702", "political_violence", 112], ["SY0703", "civilian_targeting", 7]]


def test_an_xlsx_given_to_an_event_csv_reader_is_named_as_such(tmp_path):
    with pytest.raises(SourceError, match=r"this is an Excel workbook \(\.xlsx\), not a CSV"):
        ucdp.read(SourceSpec("u", "ucdp"), ACLED_MONTHLY, Issues())


def test_ucdp_syria_release_keeps_events_whose_estimates_are_out_of_order():
    issues = Issues()
    out = ucdp.read(SourceSpec("ged", "ucdp"), GED_SYRIA, issues)
    events = out["events"].set_index("event_id")
    assert sorted(events.index) == ["UCDP-990001", "UCDP-990002", "UCDP-990003"]
    kept = events.loc["UCDP-990002"]
    assert kept["fatalities"] == 142 and pd.isna(kept["fatalities_low"]) and pd.isna(kept["fatalities_high"])
    assert kept["notes"].startswith("UCDP published low 177, best 142, high 177 (not in order)")
    assert events.loc["UCDP-990001", ["fatalities_low", "fatalities", "fatalities_high"]].tolist() == [9, 9, 12]
    notes = [(p.row, p.value) for p in issues.problems if p.kept]
    assert notes == [(3, "low 177, best 142, high 177"), (4, "low 1, best 2, high 1")]
    assert [(p.row, p.column) for p in issues.problems if not p.kept] == [(5, "fatalities_low")]
    attributes = out["event_attributes"]
    side = attributes[(attributes["event_id"] == "UCDP-990002") & (attributes["attribute"] == "side_b")]
    assert side["value"].tolist() == ["Syrian insurgents"]
    assert set(attributes["attribute"]) >= {"deaths_civilians", "conflict_name", "where_coordinates", "side_a"}
    assert "gwnob" not in set(attributes["attribute"])  # blank in the file: nothing to keep


def test_ocha_idp_movements_workbook_three_sheets():
    issues = Issues()
    arrivals = table.read(spec("arr", "table", ARRIVALS_ENTRY), MOVEMENTS, issues)["displacement"]
    row = arrivals.set_index("fact_id").loc["arr:3"]
    assert (row["pcode"], row["location_pcode"], row["value"], row["qualifier"]) == ("SY070302", "C4130", 830, "about")
    assert row["note"] == "IDP_Flow_Estimation: published as 830.50, rounded"  # an estimate, as published
    flows = table.read(spec("flows", "table", FLOWS_ENTRY), MOVEMENTS, issues)["displacement"]
    assert flows.set_index("fact_id").loc["flows:3:Idleb", ["area_en", "value"]].tolist() == ["Hama → Idleb", 1537]
    assert "Grand Total" not in " ".join(flows["area_en"])
    total = [p for p in issues.problems if p.column == "Grand Total"]
    assert [(p.row, p.value, p.detail) for p in total] == [(2, "3", "the figures sum to 570.60")]
    monthly = table.read(spec("mon", "table", MONTHLY_ENTRY), MOVEMENTS, issues)["displacement"]
    idleb = monthly[monthly["area_en"] == "Idleb"].set_index("period_start")["value"]
    assert idleb.to_dict() == {pd.Timestamp("2018-01-01"): 184104, pd.Timestamp("2018-02-01"): 115853,
                               pd.Timestamp("2018-03-01"): 80052, pd.Timestamp("2019-01-01"): 32057}
    assert set(monthly["area_en"]) == {"Aleppo", "Idleb"}  # totals and averages skipped


# ---- through a run: names matched to P-codes ------------------------------------------------------


def toml_entry(name: str, adapter: str, path: Path, entry: dict | None = None) -> str:
    import json

    entry = entry or {}
    lines = [f'[[source]]\nname = "{name}"\nadapter = "{adapter}"\npath = "{path}"\norganisation = "Synthetic"\n'
             f'title = "{name} (SYNTHETIC TEST DATA)"']
    for key in ("options", "columns", "constants", "melt"):
        if entry.get(key):
            lines.append(f"[source.{key}]")
            lines += [f"{k} = {json.dumps(v, ensure_ascii=False) if not isinstance(v, dict) else inline(v)}"
                      for k, v in entry[key].items()]
    return "\n".join(lines) + "\n"


def inline(table: dict) -> str:
    import json

    return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in table.items()) + " }"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("layouts")
    config = tmp / "sources.toml"
    config.write_text("\n".join([
        toml_entry("cod-ab-synthetic", "cod_ab", LAYOUTS / "admin"),
        toml_entry("communities", "locations", LAYOUTS / "synthetic_communities_locations_layout.csv"),
        toml_entry("gazetteer", "gazetteer", GAZETTEER_FILE),
        toml_entry("hno", "table", HNO, HNO_ENTRY),
        toml_entry("quake", "table", QUAKE, QUAKE_ENTRY),
        toml_entry("acled-monthly", "acled", ACLED_MONTHLY),
        toml_entry("ocha-arrivals", "table", MOVEMENTS, ARRIVALS_ENTRY),
        toml_entry("ocha-flows", "table", MOVEMENTS, FLOWS_ENTRY),
        toml_entry("ocha-monthly", "table", MOVEMENTS, MONTHLY_ENTRY),
    ]), encoding="utf-8")
    settings = Settings(warehouse_dir=tmp / "wh", keep_versions=1, data_dirs=(ROOT,))
    _, issues = pipeline.run(settings, config=config)
    return open_live(tmp / "wh"), issues


def test_names_are_matched_level_by_level_and_misses_reported_with_candidates(run):
    live, issues = run
    quake = live.read("casualties").set_index("fact_id")
    assert quake.loc["quake:6", ["area_en", "pcode"]].tolist() == ["Kafr Debbin", "SY070302"]  # named only
    assert quake.loc["quake:8", ["area_en", "pcode"]].tolist() == ["Armanaz", "SY070305"]
    miss = [p for p in issues.problems if p.value == "Atmeh Camp 7"]
    assert len(miss) == 1 and miss[0].kept and miss[0].row == 11 and miss[0].column == "Community"
    assert miss[0].detail.startswith("community unmatched: 'Atmeh Camp 7' (nearest: C4131 Kafr Debbin")
    assert quake.loc["quake:11", "pcode"] == "SY070302"  # kept at the sub-district its other names matched
    acled_rows = live.read("events_aggregated").set_index("area_en")
    assert acled_rows.loc["Al Mara", "pcode"].tolist() == ["SY0702", "SY0702"]  # ACLED's spelling, COD-AB's P-code
    assert acled_rows.loc["Jisr Ash Shugur", "pcode"] == "SY0704"
    mudiq = next(p for p in issues.problems if p.value == "Al Mudiq")
    assert mudiq.detail.startswith("district unmatched: 'Al Mudiq' (nearest: ")
    assert acled_rows.loc["Al Mudiq", "pcode"] == "SY07"


def test_flows_between_governorates_reach_the_moves_and_the_unknown_origin_is_reported(run):
    live, issues = run
    moves = live.read("moves")
    flows = moves[moves["basis"] == "flow"].set_index("fact_id")
    assert flows.loc["ocha-flows:3:Idleb", ["origin_pcode", "dest_pcode", "persons"]].tolist() == ["SY05", "SY07", 1537]
    unknown = [p for p in issues.problems if p.value == "Unknown"]
    assert unknown and all(not p.kept and "a flow needs both" in p.reason for p in unknown)
    assert live.read("border_movement")["basis"].eq("flow").sum() == 0  # governorates: no border distance claimed
    needs = live.read("needs")
    assert len(needs) == 11 and set(needs["source_id"]) == {"hno"}
    assert live.manifest["tables"]["needs"]["rejected"] == 1
    assert live.manifest["tables"]["casualties"]["kept_with_note"] >= 1

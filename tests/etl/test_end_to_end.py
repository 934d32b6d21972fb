"""The ETL on the committed data, end to end: tables, sources, versions, failure midway."""
import re
import subprocess
import sys

import pandas as pd
import pytest

from etl import pipeline
from etl.config import ROOT, Settings
from etl.core.warehouse import live_version, open_live
from tests.conftest import shared_path

FIGURE_TABLES = ("displacement", "casualties", "refugees", "idp_stock", "timeline")


@pytest.fixture(scope="module")
def live(built_warehouse):
    return open_live(built_warehouse)


def test_every_table_is_built_with_no_rejected_rows(live):
    tables = live.manifest["tables"]
    assert set(tables) >= {"admin_areas", "border", "countries", "crossings", "places", "sources", "rejects", *FIGURE_TABLES}
    # moves: sub-district destinations have no polygon offline (no COD-AB); reported, rows kept
    # (tests/etl/derived/test_build.py checks those reports)
    assert all(meta["rejected"] == 0 for name, meta in tables.items() if name != "moves"), live.read("rejects")
    assert tables["admin_areas"]["rows"] == 15  # Syria + 14 governorates
    assert tables["crossings"]["rows"] == 6
    assert all(len(s["sha256"]) == 64 for meta in tables.values() for s in meta["sources"])


def test_every_figure_row_resolves_to_a_complete_source(live):
    sources = live.read("sources").set_index("source_id")
    for table in FIGURE_TABLES:
        frame = live.read(table)
        assert len(frame) > 0, table
        cited = sources.loc[frame["source_id"]]
        for column in ("organisation", "title", "url", "published"):
            assert cited[column].notna().all() and (cited[column].str.strip() != "").all(), (table, column)
        assert cited["url"].str.match(r"https?://").all()
        assert cited["published"].str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?").all()


def unconfirmed_fact_ids(facts_md: str) -> set[str]:
    """Numbers of the table rows the facts list marks **UNCONFIRMED**."""
    rows = (re.match(r"\|\s*(\d+\.\d+)\s*\|", line) for line in facts_md.splitlines() if "**UNCONFIRMED**" in line)
    return {m.group(1) for m in rows if m}


def test_no_unconfirmed_fact_is_used(live):
    facts = shared_path("..", "facts", "facts.md").read_text(encoding="utf-8")
    unconfirmed = unconfirmed_fact_ids(facts)
    # the facts list as revised in December 2026 (1.45 is now sourced: WFP citing CCCM)
    assert {"1.51", "2.3", "2.31", "3.2", "3.17", "4.25", "6.6", "6.10"} <= unconfirmed and "1.45" not in unconfirmed
    for table in FIGURE_TABLES:
        used = {re.sub(r"[a-z]$", "", f) for f in live.read(table)["fact_id"]}
        assert not used & unconfirmed, (table, used & unconfirmed)


def test_idleb_figures_carry_its_pcode(live):
    displacement = live.read("displacement")
    idleb = displacement[displacement["pcode"] == "SY07"]
    assert not idleb.empty
    assert set(live.read("admin_areas")["pcode"]) >= set(displacement["pcode"].dropna().str[:4])


def test_places_are_joined_and_named(live):
    places = live.read("places").set_index("name_en")
    assert places.loc["Idlib", "adm1_pcode"] == "SY07" and places.loc["Idlib", "adm3_pcode"] is pd.NA
    assert places.loc["Idlib", "name_ar"] in {"إدلب", "ادلب"}
    assert places.loc["Idlib", "population"] > 100_000


def test_two_cli_runs_publish_two_versions_and_status_reports_them(tmp_path):
    env = {"IDLIB_WAREHOUSE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-m", "etl", "run"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    names = [re.search(r"published warehouse version (\S+)", r.stdout).group(1) for r in runs]
    assert names[0] != names[1]
    assert sorted(p.name for p in (tmp_path / "versions").iterdir()) == sorted(names)
    assert "[1/6] natural-earth-10m (natural_earth)" in runs[0].stderr  # progress lines
    status = subprocess.run([sys.executable, "-m", "etl", "status"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert f"live version: {names[1]}" in status.stdout
    assert re.search(r"displacement\s+\d+\s+0", status.stdout)


def test_failure_midway_leaves_previous_version_live_and_readable(built_warehouse, tmp_path, monkeypatch):
    settings = Settings(warehouse_dir=tmp_path, keep_versions=5)
    good, _ = pipeline.run(settings)
    from etl.adapters import cited_figures

    def broken(spec, path, issues):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(cited_figures, "read", broken)
    with pytest.raises(OSError, match="simulated"):
        pipeline.run(settings)
    assert live_version(tmp_path) == good
    assert len(open_live(tmp_path).read("sources")) > 100
    assert not list(tmp_path.glob(".staging-*"))


def default_config_with_figures(tmp_path, fig_dir):
    """The default sources file, with the cited figures read from `fig_dir`."""
    text = (ROOT / "data" / "sources.toml").read_text(encoding="utf-8")
    text = text.replace('path = "geometry"', f'path = "{ROOT / "data" / "geometry"}"')
    text = text.replace('path = "figures/crossings.csv"', f'path = "{ROOT / "data" / "figures" / "crossings.csv"}"')
    text = text.replace('path = "figures"', f'path = "{fig_dir}"')
    config = tmp_path / "sources.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_bad_source_row_is_reported_not_loaded(tmp_path):
    import shutil

    fig_dir = tmp_path / "figures"
    shutil.copytree(ROOT / "data" / "figures", fig_dir)
    with open(fig_dir / "casualties.csv", "a", encoding="utf-8") as fh:
        fh.write("9.9,2020-02-30,2020-03-01,Idleb,SY07,-3,exact,,,maybe,,,civilians_killed,conflict,observation,nope,\n")
    config = default_config_with_figures(tmp_path, fig_dir)
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, data_dirs=(ROOT / "data",))
    _, issues = pipeline.run(settings, config=config)
    rows = issues.to_frame()
    bad = rows[rows["file"] == "casualties.csv"]
    assert set(bad["column"]) == {"period_start", "killed", "civilians_only"}
    assert (bad["row"] == len(pd.read_csv(fig_dir / "casualties.csv")) + 1).all()
    live = open_live(tmp_path / "wh")
    assert "9.9" not in set(live.read("casualties")["fact_id"])
    assert len(live.read("rejects")) == len(rows)

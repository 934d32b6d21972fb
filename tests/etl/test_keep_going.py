"""`python -m etl run --keep-going`: one broken source among five; the other four are published and
the broken one is named with its reason. Without the option the run stays all-or-nothing and says
how to use it. SYNTHETIC fixtures (tests/fixtures/layouts/)."""
from __future__ import annotations

import json

import pytest

from etl import __main__ as cli
from etl import pipeline
from etl.config import ROOT, Settings
from etl.core.warehouse import live_version, open_live
from tests.etl.test_layouts import ACLED_MONTHLY, GAZETTEER_FILE, HNO, HNO_ENTRY, LAYOUTS, toml_entry


def sources(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text("\n".join([
        toml_entry("cod-ab-synthetic", "cod_ab", LAYOUTS / "admin"),
        toml_entry("gazetteer", "gazetteer", GAZETTEER_FILE),
        toml_entry("broken", "ucdp", ACLED_MONTHLY),  # a workbook given to the UCDP (CSV) adapter
        toml_entry("hno", "table", HNO, HNO_ENTRY),
        toml_entry("acled-monthly", "acled", ACLED_MONTHLY),
    ]), encoding="utf-8")
    return config


def test_keep_going_publishes_the_four_sources_that_load_and_names_the_broken_one(tmp_path):
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, data_dirs=(ROOT,))
    _, issues = pipeline.run(settings, config=sources(tmp_path), keep_going=True)
    [(name, reason)] = issues.failures
    assert name == "broken" and "this is an Excel workbook (.xlsx), not a CSV" in reason
    live = open_live(settings.warehouse_dir)
    assert set(live.read("admin_areas")["source_id"]) == {"cod-ab-synthetic"}
    assert set(live.read("gazetteer")["source_id"]) == {"gazetteer"}
    assert set(live.read("needs")["source_id"]) == {"hno"}
    assert set(live.read("events_aggregated")["source_id"]) == {"acled-monthly"}
    assert live.read("events").empty
    assert live.manifest["failed_sources"] == [{"source": "broken", "reason": reason}]
    assert "broken" not in set(live.read("sources")["source_id"])  # a failed source is not cited


def test_without_keep_going_nothing_is_published_and_the_message_says_how(tmp_path, capsys, monkeypatch):
    warehouse = tmp_path / "wh"
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("IDLIB_DATA_DIRS", str(ROOT))
    config = sources(tmp_path)
    assert cli.main(["run", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "error: source 'broken': synthetic_syria_hrp" in err and "not a CSV" in err
    assert "run again with --keep-going" in err
    assert not (warehouse / "CURRENT").exists()

    assert cli.main(["run", "--config", str(config), "--keep-going"]) == 1  # published, but a source failed
    out = capsys.readouterr()
    assert "published warehouse version" in out.out
    assert "1 source(s) failed and were left out of this version:\n    broken: " in out.err
    assert cli.main(["status"]) == 0
    status = capsys.readouterr().out
    assert "kept with a note" in status and "failed source left out: broken: " in status
    manifest = json.loads((warehouse / "versions" / live_version(warehouse) / "manifest.json").read_text())
    assert manifest["tables"]["needs"]["rejected"] == 1 and "kept_with_note" in manifest["tables"]["needs"]


@pytest.mark.parametrize("keep_going", [False, True])
def test_a_bug_in_an_adapter_is_listed_with_keep_going_and_raised_without(tmp_path, monkeypatch, keep_going):
    from etl.adapters import gazetteer

    def broken(*args, **kwargs):
        raise KeyError("a bug")
    monkeypatch.setattr(gazetteer, "read", broken)
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, data_dirs=(ROOT,))
    if not keep_going:
        with pytest.raises(KeyError):
            pipeline.run(settings, config=sources(tmp_path))
        return
    _, issues = pipeline.run(settings, config=sources(tmp_path), keep_going=True)
    assert [name for name, _ in issues.failures] == ["gazetteer", "broken"]
    assert "unexpected KeyError" in issues.failures[0][1] and "ETL_DEBUG=1" in issues.failures[0][1]

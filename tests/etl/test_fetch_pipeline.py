"""A source given by URL: fetched into the cache from a server on 127.0.0.1, then rebuilt with
--offline from the cache alone; offline with no cached copy fails and leaves the live version."""

import pytest

from etl import pipeline
from etl.config import ROOT, Settings
from etl.core.issues import SourceError
from etl.core.warehouse import live_version, open_live
from tests.etl.replay import served

FIXTURE = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"


@pytest.fixture
def server():
    body = FIXTURE.read_bytes()
    hits = []

    def answer(request):
        hits.append(request.path)
        return 200, {"Content-Type": "text/csv"}, body

    with served(answer) as base:
        yield base, hits


def config_for(tmp_path, url):
    path = tmp_path / "sources.toml"
    path.write_text(
        f'extends_default = true\n[[source]]\nname = "acled-test"\nadapter = "acled"\nurl = "{url}"\n'
        'organisation = "ACLED (synthetic test file)"\ntitle = "Synthetic ACLED export"\n', encoding="utf-8")
    return path


def test_url_source_is_fetched_cached_and_rebuilt_offline(server, tmp_path):
    base, hits = server
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache")
    config = config_for(tmp_path, f"{base}/acled/export.csv")
    pipeline.run(settings, config=config)
    events = open_live(settings.warehouse_dir).read("events")
    assert len(events) > 0 and set(events["source_id"]) == {"acled-test"}
    assert events["adm1_pcode"].eq("SY07").any()  # joined to the governorates
    manifest = open_live(settings.warehouse_dir).manifest["tables"]["events"]["sources"]
    assert manifest[0]["path"].endswith("/acled/export.csv") and len(manifest[0]["sha256"]) == 64
    assert hits == ["/acled/export.csv"]
    pipeline.run(settings, config=config, offline=True)
    assert hits == ["/acled/export.csv"]  # offline: the network was not touched
    assert len(open_live(settings.warehouse_dir).read("events")) == len(events)


def test_offline_without_cache_fails_and_keeps_the_live_version(server, tmp_path):
    base, _ = server
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache")
    good, _ = pipeline.run(settings)
    with pytest.raises(SourceError, match="no cached copy"):
        pipeline.run(settings, config=config_for(tmp_path, f"{base}/never-fetched.csv"), offline=True)
    assert live_version(settings.warehouse_dir) == good

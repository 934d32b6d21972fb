"""Shared fixtures: a warehouse built once per session from the committed data, in a temp dir;
the app served on it and on the synthetic warehouse, once per session for all the browser tests;
and the hypothesis profiles every property test follows (none fixes its own number of examples):

- `ci` (the default, and `make test`): 200 examples per property, derandomised (the same examples
  on every run, so a failure is reproducible and a pass is not luck), no example database;
- `deep` (`make test-deep`, or `pytest --hypothesis-profile=deep`): 1,000 random examples per
  property, failures kept in .hypothesis/ to be replayed first.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from etl.config import SHARED_DATA_DIR, Settings

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, print_blob=True)
settings.register_profile("deep", max_examples=1000, derandomize=False, print_blob=True)  # explicit: on a CI machine hypothesis derandomises its default
settings.load_profile("ci")  # --hypothesis-profile=NAME loads another


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """A warehouse built by the real ETL from the committed data (the end-to-end path)."""
    from etl import pipeline

    root = tmp_path_factory.mktemp("warehouse")
    pipeline.run(Settings(warehouse_dir=root, keep_versions=5))
    return root


@pytest.fixture
def use_warehouse(built_warehouse, monkeypatch) -> Path:
    """Point the app's settings at the session warehouse."""
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(built_warehouse))
    return built_warehouse


def shared_path(*parts: str) -> Path:
    path = SHARED_DATA_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real-data test: {path} is absent (../shared/data is only on project machines)")
    return path



@pytest.fixture(scope="session")
def synthetic_warehouse(tmp_path_factory, built_warehouse) -> Path:
    """A small warehouse of SYNTHETIC events and movements (bench/synthetic.py; every synthetic row
    cites a source saying so) over admin levels 1-3 (COD-AB from ../shared when present, else
    synthetic sub-districts), with the real default tables beside them."""
    from bench.synthetic import generate

    root = tmp_path_factory.mktemp("synthetic-warehouse")
    generate(root, events=20_000, moves=5_000, years=10, seed=7, base=built_warehouse)
    return root


@pytest.fixture
def use_synthetic(synthetic_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(synthetic_warehouse))
    return synthetic_warehouse


@pytest.fixture(scope="session")
def layouts_warehouse(tmp_path_factory, built_warehouse) -> Path:
    """A warehouse of the offline default plus the SYNTHETIC layout fixtures (tests/fixtures/layouts/:
    people in need, population, earthquake casualties, ACLED monthly counts, asylum, OCHA flows, ...)."""
    from etl import pipeline
    from etl.config import ROOT

    root = tmp_path_factory.mktemp("layouts-warehouse")
    pipeline.run(Settings(warehouse_dir=root, keep_versions=1),
                 config=ROOT / "tests" / "fixtures" / "layouts" / "sources.toml")
    return root


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory) -> tuple[Path, object]:
    """A warehouse built from every file in ../shared/data with the README's worked example
    (docs/shared-data-sources.toml); skipped when ../shared/data is absent. (root, the run's Issues)."""
    from etl import pipeline
    from etl.config import ROOT

    shared_path()
    root = tmp_path_factory.mktemp("shared-warehouse")
    _, issues = pipeline.run(Settings(warehouse_dir=root, keep_versions=1, data_dirs=(SHARED_DATA_DIR,)),
                             config=ROOT / "docs" / "shared-data-sources.toml")
    return root, issues


# The app served on the offline default and on the synthetic warehouse, one server each for the whole
# session (defined here, not in tests/test_browser.py: a fixture imported into several test files is
# a fixture of each file, and each started its own server). The tests only read from them; each test
# opens its own browser context.

@pytest.fixture(scope="session")
def server(built_warehouse):
    from tests.test_browser import serve

    with serve(built_warehouse) as url:
        yield url


@pytest.fixture(scope="session")
def synthetic_server(synthetic_warehouse):
    from tests.test_browser import serve

    with serve(synthetic_warehouse) as url:
        yield url

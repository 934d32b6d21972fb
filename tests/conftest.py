"""Shared fixtures: a warehouse built once per session from the committed data, in a temp dir;
the app served on it and on the synthetic warehouse, once per session for all the browser tests;
and the hypothesis profiles every property test follows (none fixes its own number of examples):

- `ci` (the default, and `make test`): 200 examples per property, derandomised (the same examples
  on every run, so a failure is reproducible and a pass is not luck), no example database;
- `deep` (`make test-deep`, or `pytest --hypothesis-profile=deep`): 1,000 random examples per
  property, failures kept in .hypothesis/ to be replayed first.
"""
from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from etl.config import SHARED_DATA_DIR, Settings

# Exports made by the tests run at normal priority: the niceness that lets a server's page come
# before its exports (EXPORT_NICE, default 19) would here let the other xdist worker's tests starve
# an export's chromium past its start timeout. The tests of that niceness, and the load test of a
# served page beside eight reports, set it themselves.
os.environ.setdefault("EXPORT_NICE", "0")
# A test process's renderer stays open between the export tests it runs (a server closes its own after
# a minute unused; here the next export test may come several minutes later, and would start chromium
# again). The tests of that closing give their renderers their own idle time.
os.environ.setdefault("EXPORT_IDLE_SECONDS", "900")

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, print_blob=True)
settings.register_profile("deep", max_examples=1000, derandomize=False, print_blob=True)  # explicit: on a CI machine hypothesis derandomises its default
settings.load_profile("ci")  # --hypothesis-profile=NAME loads another


def built_once(tmp_path_factory, name: str, build):
    """`build(root)`'s value for a folder built once for the whole run. Under pytest-xdist each
    worker is a process with session fixtures of its own, and each built every warehouse again (10
    to 30 s each); the first worker here builds into the run's common temporary folder while the
    others wait on a lock, then read the same files and the same (pickled) value. The tests only read
    these warehouses. A build that failed is started again by the next worker that needs it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this run's folder, common to its workers
    root, done = base / f"once-{name}", base / f"once-{name}.pickle"
    with open(base / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return pickle.loads(done.read_bytes())
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        value = build(root)
        done.write_bytes(pickle.dumps(value))
        return value


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """A warehouse built by the real ETL from the committed data (the end-to-end path)."""
    from etl import pipeline

    def build(root):
        pipeline.run(Settings(warehouse_dir=root, keep_versions=5))
        return root
    return built_once(tmp_path_factory, "warehouse", build)


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

    def build(root):
        generate(root, events=20_000, moves=5_000, years=10, seed=7, base=built_warehouse)
        return root
    return built_once(tmp_path_factory, "synthetic-warehouse", build)


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

    def build(root):
        pipeline.run(Settings(warehouse_dir=root, keep_versions=1),
                     config=ROOT / "tests" / "fixtures" / "layouts" / "sources.toml")
        return root
    return built_once(tmp_path_factory, "layouts-warehouse", build)


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory) -> tuple[Path, object]:
    """A warehouse built from every file in ../shared/data with the README's worked example
    (docs/shared-data-sources.toml); skipped when ../shared/data is absent. (root, the run's Issues)."""
    from etl import pipeline
    from etl.config import ROOT

    shared_path()

    def build(root):
        _, issues = pipeline.run(Settings(warehouse_dir=root, keep_versions=1, data_dirs=(SHARED_DATA_DIR,)),
                                 config=ROOT / "docs" / "shared-data-sources.toml")
        return root, issues
    return built_once(tmp_path_factory, "shared-warehouse", build)


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
def shared_server(shared_warehouse):
    """The app on the warehouse of every real file in ../shared/data (skipped when absent)."""
    from tests.test_browser import serve

    with serve(shared_warehouse[0]) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, headless: one per test process for the whole session
    (it was one per test module, and under pytest-xdist a worker that took tests of several modules
    in turn launched it again at each change: a tenth of the suite's CPU was chromium starting).
    Each test opens a context of its own (tests/test_browser.py's `page`), so no cookie, cache or
    storage passes from one test to the next."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def synthetic_server(synthetic_warehouse):
    from tests.test_browser import serve

    with serve(synthetic_warehouse) as url:
        yield url


# The longest tests (20-250 s each on two cores; `pytest --durations=40` lists them) start first, so
# the xdist workers, which take tests in collection order and steal from each other at the end
# (`--dist worksteal`), do not end with one of them running a four-minute test alone. A name here
# that no longer matches only loses its place in the queue.
LONG_FIRST = (
    "tests/dashboard/test_view_properties.py::test_every_state_draws_on_the_synthetic_warehouse",
    "tests/dashboard/test_view_properties.py::test_every_state_draws_on_the_committed_data",
    "tests/test_browser_languages.py::test_keyboard_alone_reaches_every_control_and_changes_the_view",
    "tests/etl/adapters/test_acled.py::test_malformed_exports_never_load_bad_rows_nor_lose_rows",
    "tests/etl/adapters/test_ucdp.py::test_malformed_ged_files_never_load_bad_rows_nor_lose_rows",
    "tests/etl/adapters/test_cited_figures.py::test_one_malformed_file_never_loads_bad_rows_nor_loses_rows",
    "tests/test_browser.py::test_export_buttons_deliver_the_map_image_the_data_and_the_report",
    "tests/bench/test_exports.py::test_export_timings_are_measured_and_printed",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("[")[0], len(rank)))  # stable: the rest keep their order

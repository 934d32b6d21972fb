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
import threading
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


def pytest_addoption(parser):
    parser.addoption(
        "--backend", choices=("parquet", "postgis"), default="parquet",
        help="the warehouse backend the dashboard's tests read: parquet (the embedded default) or postgis "
             "(every warehouse a test reads is first published to a PostgreSQL/PostGIS server the session "
             "starts, and read back from there; `make test-postgis` runs the warehouse-reading tests this way)")


# the fixtures through which a test reads a warehouse: under --backend=postgis only the tests using one
# of them run (the others never touch a backend, and already ran in the Parquet pass)
READS_A_WAREHOUSE = {"built_warehouse", "use_warehouse", "synthetic_warehouse", "use_synthetic", "layouts_warehouse",
                     "shared_warehouse", "server", "synthetic_server", "shared_server"}


class PostgisBackend:
    """Under --backend=postgis: each warehouse folder a test reads gets a database of its own on the
    session's PostgreSQL/PostGIS server, and each version read from the folder is first published there
    (etl.core.postgis.publish, as `python -m etl run --target` does) and then read back through the
    dashboard's PostGIS loader. The Parquet files are only the source of what is published."""

    def __init__(self, url: str):
        self.url, self.databases, self.published = url, {}, set()
        self.lock = threading.Lock()

    def database(self, root) -> str:
        import psycopg

        root = str(Path(root).resolve())
        with self.lock:
            if root not in self.databases:
                name = f"wh_{len(self.databases)}"
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                self.databases[root] = self.url.rsplit("/", 1)[0] + "/" + name
            return self.databases[root]

    def publish(self, root, version: str | None = None) -> str:
        """The URL of `root`'s database, with `version` (default: the folder's live one) published and live."""
        from etl.core import postgis
        from etl.core.warehouse import live_version, open_version

        url = self.database(root)
        version = version or live_version(Path(root))
        with self.lock:
            if (url, version) not in self.published:
                postgis.publish(url, open_version(Path(root), version), keep=100)
                self.published.add((url, version))
        return url

    def load(self, root: str, version: str):
        from dashboard.data import warehouse as warehouse_module

        return warehouse_module._load_postgis(self.publish(root, version), version)


@pytest.fixture(scope="session", autouse=True)
def backend(request):
    """None (Parquet), or the PostgisBackend every warehouse read in this session goes through."""
    if request.config.getoption("backend") != "postgis":
        yield None
        return
    from dashboard.data import warehouse as warehouse_module
    from tests.services import postgres

    with postgres() as url:
        hub = PostgisBackend(url)
        patch = pytest.MonkeyPatch()
        patch.setattr(warehouse_module, "_load", hub.load)  # a warehouse(root) or load(root, version) of a folder
        try:
            yield hub
        finally:
            patch.undo()


def point_app_at(root: Path, backend, monkeypatch) -> Path:
    """The app's settings on warehouse `root`: its folder, and under --backend=postgis its database
    (IDLIB_WAREHOUSE_URL, which the app then reads instead, as an office deployment does)."""
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(root))
    if backend is not None:
        monkeypatch.setenv("IDLIB_WAREHOUSE_URL", backend.publish(root))
    return root


def served_env(root: Path, backend) -> dict:
    """What a served app needs beside its folder to read `root` through the session's backend."""
    return {} if backend is None else {"IDLIB_WAREHOUSE_URL": backend.publish(root)}


@pytest.fixture
def use_warehouse(built_warehouse, backend, monkeypatch) -> Path:
    """Point the app's settings at the session warehouse."""
    return point_app_at(built_warehouse, backend, monkeypatch)


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
def use_synthetic(synthetic_warehouse, backend, monkeypatch) -> Path:
    return point_app_at(synthetic_warehouse, backend, monkeypatch)


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
def server(built_warehouse, backend):
    from tests.test_browser import serve

    with serve(built_warehouse, **served_env(built_warehouse, backend)) as url:
        yield url


@pytest.fixture(scope="session")
def shared_server(shared_warehouse, backend):
    """The app on the warehouse of every real file in ../shared/data (skipped when absent)."""
    from tests.test_browser import serve

    with serve(shared_warehouse[0], **served_env(shared_warehouse[0], backend)) as url:
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
def synthetic_server(synthetic_warehouse, backend):
    from tests.test_browser import serve

    with serve(synthetic_warehouse, **served_env(synthetic_warehouse, backend)) as url:
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
    if config.getoption("backend") != "parquet":
        kept = [item for item in items if READS_A_WAREHOUSE & set(getattr(item, "fixturenames", ()))]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("[")[0], len(rank)))  # stable: the rest keep their order

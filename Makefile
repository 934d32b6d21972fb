# The two front-door commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8050
WAREHOUSE := data/warehouse
ETL_INPUTS := $(shell find etl data/figures data/geometry -type f -not -name '*.pyc' 2>/dev/null) data/sources.toml requirements.txt

.PHONY: run test test-postgis test-deep golden warehouse browser services serve-office bench-office lint clean-warehouse help bench bench-etl catalogs

help:
	@echo "make run    build the warehouse from committed data and serve http://127.0.0.1:$(PORT)"
	@echo "make test   install test tools (and Debian chromium if missing) and run the whole suite"
	@echo "make test-postgis  the warehouse-reading tests again on PostgreSQL/PostGIS (CI runs it after make test)"
	@echo "make test-deep  the whole suite with 1,000 examples per property test (hypothesis profile deep)"
	@echo "make golden regenerate tests/golden/warehouse/ after a deliberate change to the ETL's output"
	@echo "make serve-office  PostGIS, Redis, two app servers, two export workers and nginx on this machine"
	@echo "make lint   ruff"
	@echo "make bench  benchmarks on synthetic data (BENCH_ARGS=--quick for a quick run; see README)"
	@echo "make bench-etl  the ETL on a synthetic export against pyarrow + sjoin (BENCH_ETL_ROWS=1000000)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Rebuilt only when a committed input or the ETL code changed: a second `make run` starts in seconds.
$(WAREHOUSE)/CURRENT: $(ETL_INPUTS) | $(VENV)/.installed
	$(BIN)/python -m etl run
	@touch $@

warehouse: $(WAREHOUSE)/CURRENT

run: $(VENV)/.installed $(WAREHOUSE)/CURRENT
	@scripts/ensure-browser.sh || echo "warning: without chromium the page works but image and report exports do not" >&2
	PORT=$(PORT) $(BIN)/python -m dashboard

browser:
	@scripts/ensure-browser.sh

# the office stack on this machine (issue 18): PostGIS, Redis, two app servers, two export workers and
# nginx on http://127.0.0.1:$(PORT), from Debian's packages; Ctrl-C stops it (see README "Serving an office")
serve-office: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/python scripts/serve_office.py

# Debian's redis-server, PostgreSQL 15 and PostGIS 3 for the office backend's tests (each test
# session starts and stops its own servers)
services:
	@scripts/ensure-redis.sh || echo "warning: without redis-server the shared-cache tests are skipped" >&2
	@scripts/ensure-postgis.sh || echo "warning: without PostgreSQL and PostGIS their tests are skipped" >&2

# Property tests follow the hypothesis profile (tests/conftest.py): `ci` runs about 200 derandomised
# examples per property; `deep` 1,000 random ones (and 1,000 view states per warehouse).
# xdist workers: one per core (`make test TEST_WORKERS=3` to try more). Two workers keep 1.4 of 2
# cores busy (the browser tests wait on servers and chromium), yet three made the main run slower
# on this 2-core machine (633 s against 597 s in fresh clones, 6 Dec 2026).
TEST_WORKERS ?= auto
# the files holding the tests marked `alone`: the second run collects only those (collecting the whole
# suite to deselect all but one test took 8 s)
ALONE_TESTS := $(shell grep -rl "mark.alone" tests --include='*.py')
# `make test` runs every test once: the office backend's own tests (publishing to PostGIS, a run
# killed mid-publish, two app servers sharing Redis, the stack behind nginx) against real servers
# the session starts. `make test-postgis` runs the view, export and page (browser) tests that read a
# warehouse a second time, with each warehouse published to PostgreSQL/PostGIS and read back from
# there (--backend=postgis, issue 18); the rest never touch a backend. CI (.ci/run) runs both.
BACKEND_TESTS := tests/dashboard tests/golden $(wildcard tests/test_browser*.py) tests/test_text_from_data.py
test: $(VENV)/.installed-dev browser services
	$(BIN)/python scripts/fetch_axe.py >/dev/null
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --hypothesis-profile=ci -m "not alone"
	$(BIN)/python -m pytest --hypothesis-profile=ci -m alone $(ALONE_TESTS)

test-postgis: $(VENV)/.installed-dev browser services
	$(BIN)/python scripts/fetch_axe.py >/dev/null
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --hypothesis-profile=ci -m "not alone" --backend=postgis $(BACKEND_TESTS)

test-deep: $(VENV)/.installed-dev browser services
	$(BIN)/python scripts/fetch_axe.py >/dev/null
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --hypothesis-profile=deep -m "not alone"
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --hypothesis-profile=deep -m "not alone" --backend=postgis $(BACKEND_TESTS)
	$(BIN)/python -m pytest --hypothesis-profile=deep -m alone $(ALONE_TESTS)

# The expected warehouse of the golden test (tests/golden/), rebuilt from the committed data.
golden: $(VENV)/.installed-dev
	$(BIN)/python -m tests.golden.update

# Translations (Babel): extract the messages of dashboard/ into the template, merge them into the
# Arabic catalog (new ones empty, for a translator) and compile it. The test suite fails while any
# message lacks its Arabic; the app compiles a stale catalog by itself on first use.
LOCALE := dashboard/locale
catalogs: $(VENV)/.installed
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k t -k N_ --no-location --sort-output \
		--project "Idlib displacement dashboard" -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages -l ar --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) -D messages -l ar --statistics

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean-warehouse:
	rm -rf $(WAREHOUSE)

# Benchmarks (bench/): a synthetic warehouse under bench/results/, the dashboard and a naive
# baseline served on 127.0.0.1, figures printed and written to bench/results/latest.{json,md}.
# Options go through BENCH_ARGS, e.g. make bench BENCH_ARGS="--quick" or "--events 200000 --reps 30".
BENCH_ARGS ?=
bench: bench-etl bench-office $(VENV)/.installed-dev browser
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# the office stack (PostGIS, Redis, 2 app servers, 2 export workers, nginx) against the single-process
# default, 10-100 simulated users with a report each a minute (issue 18; about 10 minutes)
BENCH_OFFICE_ARGS ?=
bench-office: $(VENV)/.installed-dev browser services
	$(BIN)/python -m bench.office $(BENCH_OFFICE_ARGS)

# The ETL benchmark (bench/etl_run.py): `python -m etl run` on a synthetic ACLED-layout export of
# BENCH_ETL_ROWS rows with COD-AB admin 1-3, against pyarrow's CSV read plus one geopandas sjoin;
# BENCH_ETL_REPS runs of each (medians). Figures in bench/results/etl-<rows>.{json,md}.
BENCH_ETL_ROWS ?= 1000000
BENCH_ETL_REPS ?= 3
bench-etl: $(VENV)/.installed
	$(BIN)/python -m bench.etl_run --rows $(BENCH_ETL_ROWS) --reps $(BENCH_ETL_REPS)

# Quick start: `make build` then `make test`. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP_VERSION := 25.3
# Interactive SQL shell in its own environment: its pins conflict with sqlfluff's (click).
QUERY_VENV := .venv-query
HARLEQUIN_VERSION := 2.17.0
DUCKDB_VERSION := 2.0.0

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SESSIONS_DUCKDB_PATH ?= warehouse/sessions.duckdb
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir profiles
# pytest's worker processes: the tests spend much of their time in dbt's single-threaded
# parsing and compiling, so two workers keep both cores busy.
PYTEST_WORKERS ?= 2
# History size of `make benchmark` (events); the README records 10M and 5M runs.
EVENTS ?= 10000000

.PHONY: benchmark-files benchmark-insights test-readme test-faults tracker tracker-test benchmark-100m lineage test-spark benchmark-spark spark-venv airflow airflow-init airflow-venv backfill retention benchmark benchmark-peers benchmark-collector benchmark-dashboard chromium collector dashboard dagster dagster-manifest manifest help venv build test dbt-test pytest lint sql-lint py-lint format query-venv query sql docs sample-data clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,orchestration,collector,dashboard]"
	@touch $@

venv: $(BIN)/.installed ## Create .venv from the pinned versions

build: venv ## Build every model, seed and test (incremental; ARGS=--full-refresh rebuilds all)
	@mkdir -p $(dir $(SESSIONS_DUCKDB_PATH))
	@$(BIN)/python scripts/check_warehouse.py
	$(DBT) build $(DBT_FLAGS) $(ARGS)

test: dbt-test pytest lint tracker-test ## The whole suite: dbt build + tests, pytest, sqlfluff, ruff, the tracker's unit tests

# README as an executable document: every command of README.md and docs/*.md, as written, in a
# fresh copy of the project from a shell without the project's environments on PATH (tests/readme).
test-readme: venv chromium ## Run every README and docs command as written in a fresh copy (~11 min)
	$(BIN)/python tests/readme/run_readme.py

dbt-test: venv ## dbt build with data tests and unit tests on the sample data
	@mkdir -p $(dir $(SESSIONS_DUCKDB_PATH))
	@$(BIN)/python scripts/check_warehouse.py
	$(DBT) build $(DBT_FLAGS)

pytest: venv chromium tracker ## Differential and property tests (pytest; PYTEST_WORKERS processes, a test file each)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not spark and not faults"

lint: sql-lint py-lint ## sqlfluff and ruff

sql-lint: venv
	$(BIN)/sqlfluff lint models macros

py-lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Fix what sqlfluff and ruff can fix
	$(BIN)/sqlfluff fix models macros
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(QUERY_VENV)/.installed:
	$(PYTHON) -m venv $(QUERY_VENV)
	$(QUERY_VENV)/bin/python -m pip install --quiet "harlequin==$(HARLEQUIN_VERSION)" "duckdb==$(DUCKDB_VERSION)"
	@touch $@

query-venv: $(QUERY_VENV)/.installed

query: query-venv ## Interactive SQL on the warehouse (harlequin, read-only)
	$(QUERY_VENV)/bin/harlequin --read-only --init-path scripts/query_init.sql "$(SESSIONS_DUCKDB_PATH)"

sql: query-venv ## One-shot SQL: make sql Q="select * from chat_sessions limit 5"
	@$(QUERY_VENV)/bin/hsql --read-only --init-path scripts/query_init.sql -c "$(Q)" "$(SESSIONS_DUCKDB_PATH)"

lineage: venv ## Draw the lineage of models, seeds and sources from the manifest (docs/img/lineage.svg)
	$(DBT) parse $(DBT_FLAGS) > /dev/null
	$(BIN)/python scripts/lineage_picture.py --manifest target/manifest.json --out docs/img/lineage.svg

SESSIONS_DOCS_PORT ?= 8080
docs: venv ## Generate and serve the dbt docs site on 127.0.0.1 (port SESSIONS_DOCS_PORT, default 8080)
	$(DBT) docs generate $(DBT_FLAGS) && $(DBT) docs serve $(DBT_FLAGS) --host 127.0.0.1 \
		--port $(SESSIONS_DOCS_PORT)

benchmark: venv ## Incremental run vs full refresh on a history of EVENTS (10M: ~15 min)
	$(BIN)/python benchmarks/incremental_vs_full_refresh.py --events $(EVENTS) --verify

# Landing folder size of `make benchmark-files` (files; a smaller one for a quick check).
FILES ?= 500000
benchmark-files: venv ## One new file among FILES landed files (default 500,000) vs among 100: incremental dbt build times and their ratio
	$(BIN)/python benchmarks/files_listing.py --files $(FILES)
benchmark-insights: venv ## Time hourly_activity and feature_pairs on a history of EVENTS (app actions name features)
	$(BIN)/python benchmarks/insights.py --events $(EVENTS)

$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@touch $@

benchmark-peers: $(BIN)/.bench-installed ## The chat pipeline vs polars, pandas, DuckDB SQL (EVENTS, default 10M)
	$(BIN)/python benchmarks/peers.py --events $(EVENTS)

benchmark-100m: $(BIN)/.bench-installed ## 100M chat events (10 GB): dbt build vs the same-work DuckDB script, memory and disk (not in CI)
	$(BIN)/python benchmarks/peers.py --events 100000000 --repeats 1 --only "dbt build,duckdb (same work)"

sample-data: venv ## Regenerate the bundled sample inputs under data/sample
	$(BIN)/python scripts/generate_sample_data.py --out data/sample

clean: ## Remove build artifacts, the warehouse and exports (keeps .venv)
	rm -rf target logs exports $(SESSIONS_DUCKDB_PATH) $(SESSIONS_DUCKDB_PATH).wal

# --- scheduling -------------------------------------------------------------------------------
SESSIONS_DAGSTER_PORT ?= 3000
DAGSTER_HOME_DIR := .dagster

manifest: venv ## The dbt manifest the schedulers (Dagster, Airflow) read (dbt parse)
	$(DBT) parse $(DBT_FLAGS) --vars "$$($(BIN)/python -m orchestration.dbt_settings)"

dagster-manifest: manifest

# `dagster dev` prepares the dbt project with the `dbt` it finds on PATH, so .venv/bin goes first
# there (a user's shell need not have it).
dagster: manifest ## The Dagster UI on localhost (port SESSIONS_DAGSTER_PORT, default 3000)
	@mkdir -p $(DAGSTER_HOME_DIR) && cp orchestration/dagster/dagster.yaml $(DAGSTER_HOME_DIR)/
	PATH="$(abspath $(BIN)):$$PATH" DAGSTER_HOME=$(abspath $(DAGSTER_HOME_DIR)) $(BIN)/dagster dev -m orchestration.dagster.definitions \
		-h 127.0.0.1 -p $(SESSIONS_DAGSTER_PORT)

# Airflow has an environment of its own (its pins conflict with the project's: fastapi<0.137);
# its DAGs run dbt from .venv. The metadata database and logs live in .airflow (git-ignored).
# The base URL is where task processes reach the API server (its default says port 8080).
AIRFLOW_VENV := .venv-airflow
SESSIONS_AIRFLOW_PORT ?= 8080
AIRFLOW_ENV := AIRFLOW_HOME=$(abspath .airflow) \
	AIRFLOW__CORE__DAGS_FOLDER=$(abspath orchestration/airflow/dags) \
	AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
	AIRFLOW__USAGE_DATA_COLLECTION__ENABLED=False SCARF_ANALYTICS=false DO_NOT_TRACK=1 \
	AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$(SESSIONS_AIRFLOW_PORT) \
	AIRFLOW__API__BASE_URL=http://127.0.0.1:$(SESSIONS_AIRFLOW_PORT)

$(AIRFLOW_VENV)/.installed: orchestration/airflow/requirements.txt orchestration/airflow/constraints.txt pyproject.toml
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -c orchestration/airflow/constraints.txt \
		-r orchestration/airflow/requirements.txt
	# The project's packages without their dependencies: the DAGs import orchestration.dbt_settings.
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --no-deps -e .
	@touch $@

airflow-venv: $(AIRFLOW_VENV)/.installed ## Airflow 3 + cosmos in their own environment (.venv-airflow)

airflow-init: airflow-venv manifest ## The Airflow metadata database and the one-slot DuckDB writer pool
	$(AIRFLOW_ENV) $(AIRFLOW_VENV)/bin/airflow db migrate > /dev/null
	$(AIRFLOW_ENV) $(AIRFLOW_VENV)/bin/airflow pools set sessions_duckdb_writer 1 \
		"DuckDB has one writer: one dbt command at a time" > /dev/null

# `airflow standalone` starts its scheduler, triggerer, DAG processor and API server as `airflow ...`
# from PATH, so .venv-airflow/bin goes first there.
airflow: airflow-init ## Airflow (UI, scheduler) on localhost (port SESSIONS_AIRFLOW_PORT, default 8080)
	PATH="$(abspath $(AIRFLOW_VENV)/bin):$$PATH" $(AIRFLOW_ENV) $(AIRFLOW_VENV)/bin/airflow standalone

# --- reprocessing and retention -----------------------------------------------------------------
SOURCE ?=
backfill: venv ## Reprocess a source after putting its fixed files in place: make backfill SOURCE=app
	@test -n "$(SOURCE)" || { echo "SOURCE is required: make backfill SOURCE=chat|segment|mooc|app"; exit 2; }
	$(DBT) build $(DBT_FLAGS) --selector $(SOURCE)_source --full-refresh $(ARGS)

retention: venv ## Delete the sessions older than the var retention_days (and the collector's), then rewrite the exports
	$(DBT) run-operation apply_retention $(DBT_FLAGS) $(ARGS)
	$(BIN)/python -m sessions_retention
	$(DBT) build $(DBT_FLAGS) --select exported_files $(ARGS)

# --- collector API ----------------------------------------------------------------------------
SESSIONS_COLLECTOR_PORT ?= 8000

collector: venv ## The collector API on 127.0.0.1 (port SESSIONS_COLLECTOR_PORT; keys: docs/collector.md)
	SESSIONS_COLLECTOR_PORT=$(SESSIONS_COLLECTOR_PORT) $(BIN)/python -m collector

benchmark-collector: venv ## Bounded load test of the collector on 127.0.0.1 (batches, 500 single events/s)
	$(BIN)/python benchmarks/collector_load.py

# --- browser tracker (tracker/, docs/tracker.md) --------------------------------------------------
# A TypeScript package of its own (npm; exact pins in tracker/package-lock.json).
$(CURDIR)/tracker/node_modules/.installed: tracker/package.json tracker/package-lock.json
	cd tracker && npm ci --no-audit --no-fund
	@touch $@

tracker: $(CURDIR)/tracker/node_modules/.installed ## Build the browser tracker (npm ci; ESM and <script> builds; prints the script's gzipped size)
	cd tracker && npm run --silent build

tracker-test: tracker ## The tracker's type check and unit tests (node --test, timers faked)
	cd tracker && npm run --silent typecheck && npm test --silent

# --- dashboard --------------------------------------------------------------------------------
SESSIONS_DASHBOARD_PORT ?= 8501
DASHBOARD_SESSIONS ?= 10000000
# The browser of the dashboard's tests: Debian's chromium (playwright cannot download its own here).
CHROMIUM := /usr/bin/chromium

dashboard: venv ## The dashboard on http://127.0.0.1:8501 (SESSIONS_DASHBOARD_PORT), reading the exports
	STREAMLIT_BROWSER_GATHER_USAGE_STATS=false $(BIN)/streamlit run dashboard/app.py \
		--server.address 127.0.0.1 --server.port $(SESSIONS_DASHBOARD_PORT) --server.headless true \
		--browser.gatherUsageStats false

benchmark-dashboard: venv ## The dashboard's data layer on DASHBOARD_SESSIONS sessions (default 10M; run make build first)
	$(BIN)/python benchmarks/dashboard_load.py --sessions $(DASHBOARD_SESSIONS)

chromium: ## Install Debian's chromium for the browser tests when missing (apt-get; needs root)
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# --- Apache Spark (docs/scale-out.md) ------------------------------------------------------------
# The spark extra (dbt-spark in session mode, pyspark: ~490 MB) goes into .venv only here, so
# `make build` and `make test` stay as they are; Spark needs a Java 17 runtime.
$(BIN)/.spark-installed: $(BIN)/.installed
	@command -v java > /dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	@touch $@

spark-venv: $(BIN)/.spark-installed ## Install the spark extra and Java (once)

test-faults: venv ## Storage faults injected into the collector under load and into the exports (LD_PRELOAD shim built with gcc, a full disk)
	$(BIN)/pytest -m faults -p no:cacheprovider tests/python/test_collector_faults.py tests/python/test_export_builds.py

test-spark: spark-venv ## The sample and a generated data set built on a local Spark equal the DuckDB build (~6 min)
	$(BIN)/pytest -m spark -p no:cacheprovider tests/python/test_spark.py

SPARK_EVENTS ?= 1000000
benchmark-spark: spark-venv ## One build of SPARK_EVENTS chat events on local Spark and on DuckDB, timed
	$(BIN)/python benchmarks/spark_vs_duckdb.py --events $(SPARK_EVENTS)

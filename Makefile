# Two commands on a fresh machine: `make demo` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint typecheck pytest bench chaos wait-postgres clean

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

pytest: $(VENV)/.installed-dev wait-postgres
	$(BIN)/pytest

test: lint typecheck pytest

# The full crash tests: 20 SIGKILLs of a posting run (make test does 3), then rerun to completion.
chaos: $(VENV)/.installed-dev wait-postgres
	OTC_CHAOS_KILLS=20 OTC_CHAOS_PAYMENTS=30 $(BIN)/pytest tests/fault -v

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .otc build *.egg-info

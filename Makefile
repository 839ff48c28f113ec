# Deux commandes : `make demo` (installe et lance la démonstration), `make test` (toute la suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1.0
# The full demo goes to mixite.duckdb; a reduced one to its own file, never over it.
DEMO_STORE ?= $(if $(filter 1 1.0,$(SCALE)),mixite.duckdb,jumeau-$(SCALE).duckdb)

.PHONY: demo test test-slow lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/mixite demo --scale $(SCALE) --store $(DEMO_STORE)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -m "not slow"

test-slow: $(BIN)/.installed
	$(BIN)/pytest -m slow

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/store.py

clean:
	rm -rf $(VENV) mixite.duckdb jumeau-*.duckdb *.verrou .pytest_cache .mypy_cache .ruff_cache

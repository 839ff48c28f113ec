# Deux commandes : `make demo` (installe et lance la démonstration), `make test` (toute la suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1.0

.PHONY: demo test test-slow lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/mixite demo --scale $(SCALE)

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
	rm -rf $(VENV) mixite.duckdb .pytest_cache .mypy_cache .ruff_cache

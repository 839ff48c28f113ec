# Deux commandes : `make demo` (installe et lance la démonstration), `make test` (toute la suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1.0
# The full demo goes to mixite.duckdb; a reduced one to its own file, never over it.
DEMO_STORE ?= $(if $(filter 1 1.0,$(SCALE)),mixite.duckdb,jumeau-$(SCALE).duckdb)

.PHONY: demo test test-postgresql test-slow lint bench clean

$(BIN)/.installed: pyproject.toml package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# Browser tests' accessibility checker (axe-core), from the npm registry, as locked.
	if command -v npm >/dev/null; then npm ci --ignore-scripts --silent; fi
	touch $@

# The twin (built if absent), then the platform on http://127.0.0.1:8000 (SERVEUR=0: prepare
# the demo accounts without serving, for scripts).
SERVEUR ?= 1
demo: $(BIN)/.installed
	@test -f $(DEMO_STORE) || $(BIN)/mixite demo --scale $(SCALE) --store $(DEMO_STORE)
	$(BIN)/mixite plateforme --store $(DEMO_STORE) $(if $(filter 0,$(SERVEUR)),--sans-serveur,)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

# Two pytest processes (the machines have 2 cores), each test file whole in one of them.
PARALLELE ?= -n 2 --dist loadfile

test: lint
	$(BIN)/pytest -m "not slow" $(PARALLELE)

# The whole suite again with every store on PostgreSQL (tests/suite_postgres.py); the
# default suite already runs the store's, pages', API's and browser's tests on both.
test-postgresql: $(BIN)/.installed
	MIXITE_TESTS_BASE=postgresql $(BIN)/pytest -m "not slow" $(PARALLELE)

test-slow: $(BIN)/.installed
	$(BIN)/pytest -m slow

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/store.py

clean:
	rm -rf $(VENV) mixite.duckdb jumeau-*.duckdb *.duckdb.chiffres *.verrou *.comptes.sqlite3 *.comptes.secret .pytest_cache .mypy_cache .ruff_cache

# Two commands do everything: `make run` (install, start Azurite and the local host) and
# `make test` (install, lint, types, layering, every test on a throwaway Azurite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 7071
AZURITE := node_modules/.bin/azurite
AZURITE_DATA := .azurite

.PHONY: run test install lint types layers unit clean bench bench-sync demo

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	@bash scripts/run-local.sh $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

layers: install
	$(BIN)/lint-imports

test: lint types layers
	REQUIRE_AZURITE=1 $(BIN)/pytest -q

unit: install
	$(BIN)/pytest -q -m "not integration and not e2e"

clean:
	rm -rf $(VENV) node_modules $(AZURITE_DATA) .mypy_cache .ruff_cache .pytest_cache

# Fulfillment optimizer benchmark (bench/dom/README.md): ours vs a MILP optimum and peers' rules.
bench: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(BIN)/python -m bench.dom

# Initial sync benchmark (bench/sync/README.md): 10,000 hub orders to the F&O simulator, twice.
bench-sync: $(VENV)/.installed
	$(BIN)/python -m bench.sync

# The six seed scenarios over HTTP against `make run` (in another terminal); prints each journey.
demo: $(VENV)/.installed
	$(BIN)/python -m demo --hub http://127.0.0.1:$(PORT)

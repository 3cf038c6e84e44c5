# One-command entry points. Every target sets itself up (creates .venv and installs).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED := $(abspath ../shared/data)
# Data directory: $EVENTSTUDY_DATA if set, else the shared snapshot beside the checkout.
export EVENTSTUDY_DATA ?= $(if $(wildcard $(SHARED)/MANIFEST.csv),$(SHARED),)

STUDY ?= studies/russell_sp_divergence.toml
OUT   ?= out/$(basename $(notdir $(STUDY)))

.PHONY: setup run test test-fast lint bench mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)  ## run the flagship study (or STUDY=...) into out/
	$(BIN)/eventstudy run $(STUDY) --out $(OUT) --fetch

test: $(STAMP)  ## the whole suite, slow tier included
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy eventstudy
	$(BIN)/lint-imports

# Mutation testing of the statistics core ([tool.mutmut] in pyproject.toml): each mutant runs
# only the tests that reach its function. MUTANTS narrows the run, e.g. MUTANTS='eventstudy.inference.hac*'.
MUTANTS ?=
JOBS    ?= 2
mutation: $(STAMP)  ## mutation score per module; survivors judged equivalent: docs/testing.md
	$(BIN)/mutmut run --max-children $(JOBS) $(MUTANTS)
	$(BIN)/python tests/mutation_score.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out mutants .pytest_cache .mypy_cache .ruff_cache

# planner: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-fast lint bench clean install

$(BIN)/planner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.test-installed: $(BIN)/planner
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(BIN)/planner

## Set up, migrate the embedded SQLite database, load the bundled strategies, serve.
run: $(BIN)/planner
	$(BIN)/planner db upgrade
	$(BIN)/planner seed
	$(BIN)/planner create-admin --first-run
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

## Production: gunicorn against DATABASE_URL (see README).
serve: $(BIN)/planner
	$(BIN)/planner db upgrade
	$(BIN)/gunicorn --workers $${WORKERS:-3} --threads $${THREADS:-8} --keep-alive 30 --bind $${BIND:-$(HOST):8000} wsgi:app

## Install the test extras and run the whole suite in stages by purpose, as CI does: pure tests once,
## database tests on SQLite and on PostgreSQL (a throwaway server unless TEST_DATABASE_URL is set),
## browser journeys on PostgreSQL (tests/stages.sh; STAGES="pure sqlite" for a part).
test: $(VENV)/.test-installed
	BIN=$(BIN) PYTEST_ARGS="$(PYTEST_ARGS)" bash tests/stages.sh

## The edit–test loop: the pure and command-line tests only (no database, no browser), under a minute.
test-fast: $(VENV)/.test-installed
	BIN=$(BIN) PYTEST_ARGS="$(PYTEST_ARGS)" STAGES=pure bash tests/stages.sh

lint: $(VENV)/.test-installed
	$(BIN)/ruff check planner tests bench
	$(BIN)/ruff format --check planner tests bench

bench: $(BIN)/planner
	$(BIN)/python -m bench $(AREAS)

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache

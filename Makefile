# The two commands: `make run` serves the product on embedded defaults; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint format worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	LOG_LEVEL=WARNING $(BIN)/flask demo seed --if-empty
	@echo "----------------------------------------------------------------------"
	@echo "demo API key (company Aurora):"
	@LOG_LEVEL=WARNING $(BIN)/flask demo key
	@LOG_LEVEL=WARNING $(BIN)/flask demo logins
	@echo "try: curl -H 'Authorization: Bearer <key>' http://$(HOST):$(PORT)/api/v1/questions"
	@echo "----------------------------------------------------------------------"
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/flask worker

clean:
	rm -rf $(VENV) instance/marketplace.db* .pytest_cache

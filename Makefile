# The two commands: `make run` serves the product on embedded defaults; `make test` runs the tests.
PYTHON ?= python3
NPM ?= npm
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
# Front-end sources: the expert app, the dashboard and their build script (frontend/build.mjs).
FRONTEND_SOURCES := $(shell find frontend -type f 2>/dev/null)
# Debian packages for the browser tests: root installs them, anyone else through `sudo -n`.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

# Production on one machine (`make serve-prod`): nginx in front of WEB gunicorn+gevent web
# processes and WORKERS RQ workers, on DATABASE_URL (PostgreSQL) and REDIS_URL.
WEB ?= 2
WORKERS ?= 2
PROD_PORT ?= $(if $(filter command line environment,$(origin PORT)),$(PORT),8000)

.PHONY: run test lint format worker clean frontend browser nginx serve-prod bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-prod: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[prod]'
	touch $@

# The benchmarks: the test extra (socket clients, gunicorn) and matplotlib for the plot.
$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# JavaScript libraries come from the npm registry, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm (Node.js 18+) is needed to build the front end"; exit 1; }
	$(NPM) ci --no-audit --no-fund
	touch $@

# esbuild bundles frontend/ into static/dist (served by Flask; nothing is fetched at run time).
static/dist/.built: node_modules/.installed $(FRONTEND_SOURCES)
	$(NPM) run build
	touch $@

frontend: static/dist/.built

# Debian's chromium for the Playwright tests (Playwright never downloads a browser here), and a
# CJK font so Chinese screenshots are legible. If it cannot be installed the tests say so and skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		$(APT_INSTALL) chromium || { $(SUDO) apt-get update -q && $(APT_INSTALL) chromium; } \
		|| echo "could not install chromium: the browser tests will be skipped"; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || $(APT_INSTALL) fonts-wqy-zenhei >/dev/null 2>&1 \
		|| echo "no CJK font: Chinese screenshots will show boxes"

# Debian's nginx, the proxy of `make serve-prod` (and of its test). If it cannot be installed
# the command says so and stops; the test is skipped with the reason.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		echo "installing Debian's nginx for the production set-up"; \
		$(APT_INSTALL) nginx || { $(SUDO) apt-get update -q && $(APT_INSTALL) nginx; } \
		|| echo "could not install nginx: install it (apt-get install nginx) to run serve-prod"; }

serve-prod: $(VENV)/.installed-prod static/dist/.built nginx
	$(BIN)/flask prod serve --web $(WEB) --workers $(WORKERS) --port $(PROD_PORT) --host $(HOST)

# Every benchmark on the production set-up (bench/run.py); SIZE=quick|medium|full.
SIZE ?= full
bench: $(VENV)/.installed-bench static/dist/.built nginx
	bench/run --size $(SIZE)

run: $(VENV)/.installed static/dist/.built
	$(BIN)/flask db upgrade
	LOG_LEVEL=WARNING $(BIN)/flask demo seed --if-empty
	@echo "----------------------------------------------------------------------"
	@echo "demo API key (company Aurora):"
	@LOG_LEVEL=WARNING $(BIN)/flask demo key
	@LOG_LEVEL=WARNING $(BIN)/flask demo logins
	@echo "expert app:  http://$(HOST):$(PORT)/app/      dashboard: http://$(HOST):$(PORT)/dashboard"
	@echo "try: curl -H 'Authorization: Bearer <key>' http://$(HOST):$(PORT)/api/v1/questions"
	@echo "----------------------------------------------------------------------"
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-bench static/dist/.built browser nginx
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint frontend

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/flask worker

clean:
	rm -rf $(VENV) instance/marketplace.db* instance/prod .pytest_cache node_modules static/dist tests/artifacts

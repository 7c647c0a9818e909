# Jiujin: `make run` serves the embedded default on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run check-port setup test check lint bench clean translations vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) model build
	$(FLASK) demo load --if-empty

# Before setup (a minute or more): a taken port fails at once, with the way out.
check-port:
	@$(PYTHON) scripts/check_port.py $(HOST) $(PORT)

run: check-port setup
	@echo "Jiujin on http://$(HOST):$(PORT)/  (Ctrl-C stops the site and the scheduler)"
	$(FLASK) scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

check: lint
	$(BIN)/mypy

bench: $(VENV)/.dev
	$(BIN)/python -m bench.match
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.evaluate
	$(BIN)/python -m bench.embed

clean:
	rm -rf instance .pytest_cache .ruff_cache .mypy_cache

# After changing user-facing text: extract, merge into the English catalogue, translate, compile.
translations: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ -k lazy_pgettext:1c,2 --no-location --sort-output \
		-o web/translations/messages.pot web
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations
	$(BIN)/pybabel compile -d web/translations

# Front-end libraries come from npm (package-lock.json pins them) and are copied into
# web/static/vendor/, which is committed: running the site needs no Node.js.
# --ignore-scripts: nothing runs at install time (swagger-ui-dist pulls in an analytics postinstall).
vendor:
	npm ci --ignore-scripts
	mkdir -p web/static/vendor/leaflet/images web/static/vendor/chartjs web/static/vendor/swagger-ui
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE web/static/vendor/leaflet/
	cp node_modules/leaflet/dist/images/* web/static/vendor/leaflet/images/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md web/static/vendor/chartjs/
	cd node_modules/swagger-ui-dist && cp swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE ../../web/static/vendor/swagger-ui/

# coprog — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test setup db demo translations i18n bench lint vendor clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d coprog/translations

## make i18n: extract the messages and update the catalogues (then translate en/messages.po).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o coprog/translations/messages.pot .
	$(BIN)/pybabel update -i coprog/translations/messages.pot -d coprog/translations

db: setup
	$(BIN)/coprog db upgrade

demo: db
	COPROG_DEMO=1 $(BIN)/coprog demo
	$(BIN)/coprog network rebuild

## make run: set everything up and serve the app with the demo data on SQLite.
# Plain HTTP on loopback, so the session cookie cannot be Secure-only here.
run: demo
	@COPROG_DEMO=1 $(BIN)/coprog demo accounts
	COPROG_DEMO=1 COPROG_COOKIE_SECURE=0 $(BIN)/coprog run --host $(HOST) --port $(PORT)

## make test: set everything up and run the whole suite (browser tests included).
# On both cores (pytest-xdist; each worker has its own databases, live server and Chromium).
# Whole files per worker (loadfile): a file's tests run in order on one worker, as they do in one
# process (some browser files share a live state through module fixtures). Files are handed out in
# collection order, browser files first (tests/conftest.py), not xdist's default of the files with
# most tests first, which left the long browser files for the end and one core idle.
# `make test PYTEST_ARGS=-n0` runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make screenshots: the browser tests, saving a full-page PNG of each page they check in
## test-artifacts/screenshots/ (off in `make test`: some 280 screenshots cost about a minute and a half).
.PHONY: screenshots
screenshots: setup
	COPROG_SCREENSHOTS=1 $(BIN)/python -m pytest $(PYTEST_ARGS) -m browser

bench: setup
	$(BIN)/python bench/run.py

## make bench-runts: time the RUNTS import of 152,600 generated rows against sqlite3 .import.
.PHONY: bench-runts
bench-runts: $(STAMP)
	$(BIN)/python bench/runts_import.py

## make bench-tables: the participation figures over 300 sessions x 100 attendees vs bare Flask.
.PHONY: bench-tables
bench-tables: setup
	$(BIN)/python bench/tables_figures.py

## make bench-network: network metrics at 10,000 actors / 50,000 links (<= 30 s) and its page vs bare Flask.
.PHONY: bench-network
bench-network: setup
	$(BIN)/python bench/mapping_network.py

## make bench-checkin: time the check-in at the door on a session of 500 registrations (p95 <= 100 ms).
.PHONY: bench-checkin
bench-checkin: $(STAMP)
	$(BIN)/python bench/checkin.py

## make bench-map: the map page at 100 and 100,000 resources (ratio <= 2) and its GeoJSON (<= 40 B per resource gzipped).
.PHONY: bench-map
bench-map: setup
	$(BIN)/python bench/mapping_map.py

## make bench-restitution: the public restitution page at 100 procedures / 2,000 sessions / 100,000 contributions vs bare Flask.
.PHONY: bench-restitution
bench-restitution: setup
	$(BIN)/python bench/restitution.py

## make bench-qualified: the case managers' search (page and v1 API) at 5,000 entries / 20,000 services with the RUNTS mirror vs bare Flask.
.PHONY: bench-qualified
bench-qualified: setup
	$(BIN)/python bench/qualified_search.py

lint: $(STAMP)
	$(BIN)/ruff check .

## make vendor: refresh Bootstrap Italia and htmx from npm into static/vendor/.
vendor:
	bash static/vendor/update.sh

clean:
	rm -rf $(VENV) instance .pytest_cache

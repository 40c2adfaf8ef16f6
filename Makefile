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
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o coprog/translations/messages.pot .
	$(BIN)/pybabel update -i coprog/translations/messages.pot -d coprog/translations

db: setup
	$(BIN)/coprog db upgrade

demo: db
	COPROG_DEMO=1 $(BIN)/coprog demo

## make run: set everything up and serve the app with the demo data on SQLite.
# Plain HTTP on loopback, so the session cookie cannot be Secure-only here.
run: demo
	@COPROG_DEMO=1 $(BIN)/coprog demo accounts
	COPROG_DEMO=1 COPROG_COOKIE_SECURE=0 $(BIN)/coprog run --host $(HOST) --port $(PORT)

## make test: set everything up and run the whole suite (browser tests included).
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

## make bench-runts: time the RUNTS import of 152,600 generated rows against sqlite3 .import.
.PHONY: bench-runts
bench-runts: $(STAMP)
	$(BIN)/python bench/runts_import.py

lint: $(STAMP)
	$(BIN)/ruff check .

## make vendor: refresh Bootstrap Italia and htmx from npm into static/vendor/.
vendor:
	bash static/vendor/update.sh

clean:
	rm -rf $(VENV) instance .pytest_cache

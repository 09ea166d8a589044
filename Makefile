# IOP — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12 or newer; take the first one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/iop
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
VENDOR := static/vendor

.PHONY: help setup venv assets browser run test lint migrations-check pytest bench migration-proof clean

help:
	@echo "make run    set everything up and run the app with demo data (http://127.0.0.1:8000)"
	@echo "make test   set everything up and run lint, migration check and the test suite"
	@echo "make bench  seed the M and L clinics and time the pages (bench/RESULTS.md)"

setup: venv assets

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12+ is needed (apt-get install python3.12 or use pyenv)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Front-end packages come from npm; only the built files are copied under static/.
assets: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	# FullCalendar 7 ships its CSS as files (the Content-Security-Policy forbids injected <style>)
	# and needs the Temporal API, which browsers do not all have yet.
	mkdir -p $(VENDOR)/fullcalendar
	cp node_modules/fullcalendar/all/global.js node_modules/fullcalendar/skeleton.css $(VENDOR)/fullcalendar/
	cp node_modules/fullcalendar/themes/classic/global.js $(VENDOR)/fullcalendar/theme-classic.js
	cp node_modules/fullcalendar/themes/classic/theme.css node_modules/fullcalendar/themes/classic/palette.css $(VENDOR)/fullcalendar/
	cp node_modules/temporal-polyfill/global.js $(VENDOR)/fullcalendar/temporal-polyfill.js
	touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

run: setup
	mkdir -p var/celery/queue var/celery/processed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py seed_schedule --if-empty
	DEBUG=1 $(PY) manage.py seed_clinical_demo --if-empty
	DEBUG=1 $(PY) manage.py seed_notes_demo --if-empty
	DEBUG=1 OTP_DEMO_BYPASS=$${OTP_DEMO_BYPASS:-1} $(PY) bin/run_dev.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: venv
	mkdir -p var
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# One pytest worker per core (pytest-xdist), each with its own test database (test_iop_gw0, …)
# and cache keys; tests that share a module-scoped fixture carry an xdist_group marker.
TEST_WORKERS ?= auto
pytest: setup browser
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test: setup browser lint migrations-check pytest

# Performance (issue 7): seeds sizes M and L into iop_bench_m / iop_bench_l if absent, serves
# them with gunicorn and writes bench/results.json and bench/RESULTS.md. BENCH_ARGS="--sizes M" for a quick run.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/reminders.py

# Issue 15: databases seeded by the layout before the app split migrate in place (also run by make test).
migration-proof: setup
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bin/migrate_in_place_check.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/staticfiles

# Sightline: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The first Python that is 3.12 or newer (Django 6 needs it); pyenv's shims honour .python-version.
PYTHON := $(shell for p in python3 python3.12 python3.13 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PORT ?= 8000

.PHONY: install run test lint format browser pdf-packages system-packages screenshots clean loadtest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Sightline needs Python 3.12 or newer on PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

run: install
	@$(MAKE) --no-print-directory pdf-packages || echo "Without pango only the PDF packs are missing; the rest runs."
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo
	@echo "Starting the Celery worker with beat (embedded broker in .celery-broker/)..."
	@$(BIN)/celery -A scorecard worker --beat --queues default,rollups,reminders \
		--concurrency 2 --loglevel INFO --schedule .celery-broker/beat-schedule \
		> celery.log 2>&1 & worker=$$!; \
	trap 'trap - EXIT INT TERM; kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo ""; \
	echo "Sightline is at http://127.0.0.1:$(PORT)/  (worker log: celery.log)"; \
	echo ""; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# PNGs of the main pages for each demo persona at 1400 and 390 px, into screenshots/ (git-ignored):
# the command starts its own server on a free port and stops it afterwards.
screenshots: install
	@$(MAKE) --no-print-directory browser
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py screenshots

# System libraries beyond Python, from Debian's packages: pango for WeasyPrint's PDF packs, and
# Chromium for the browser tests. Installed when missing and we may (root with apt-get); without
# them `make test` skips the tests that need them and says so.
PDF_PACKAGES := fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
BROWSER_PACKAGES := chromium fonts-dejavu-core
HAS_PANGO = { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q libpangoft2-1.0.so.0
define apt_install
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else echo "Sightline needs: sudo apt-get install $(1)"; exit 1; fi
endef

pdf-packages:
	@$(HAS_PANGO) || { $(call apt_install,$(PDF_PACKAGES)); }

# The browser tests look for Chromium at the same place (SIGHTLINE_CHROMIUM).
CHROMIUM := $(or $(SIGHTLINE_CHROMIUM),/usr/bin/chromium)
browser:
	@[ -x $(CHROMIUM) ] || { $(call apt_install,$(BROWSER_PACKAGES)); }

system-packages: pdf-packages browser

# The whole suite, in parallel (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
# Heavy checks are marked `slow`: PYTEST_ARGS='-m "not slow"' leaves them out.
PYTEST_WORKERS ?= auto
test: install
	@$(MAKE) --no-print-directory system-packages 2>/dev/null \
		|| echo "Browser or PDF parts are missing: the tests that need them are skipped (see above)."
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest \
		-n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Simulated users against gunicorn on PostgreSQL with a Celery worker on Redis (loopback
# only), then checks that no acknowledged write was lost. ORG=bench UNITS=1000 for a large one.
ORG ?= demo
UNITS ?= 1000
USERS ?= 50
loadtest: install
	$(BIN)/python -m loadtest.run --org $(ORG) --units $(UNITS) --users $(USERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .celery-broker celery.log staticfiles

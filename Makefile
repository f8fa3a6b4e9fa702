# Sightline: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The first Python that is 3.12 or newer (Django 6 needs it); pyenv's shims honour .python-version.
PYTHON := $(shell for p in python3 python3.12 python3.13 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
PORT ?= 8000

.PHONY: install run test lint format browser system-packages clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Sightline needs Python 3.12 or newer on PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

run: install
	@$(MAKE) --no-print-directory system-packages || echo "Without them only the PDF pack is missing; the rest runs."
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo
	@echo "Starting the Celery worker with beat (embedded broker in .celery-broker/)..."
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A scorecard worker --beat --queues default,rollups,reminders \
		--concurrency 2 --loglevel INFO --schedule .celery-broker/beat-schedule \
		> celery.log 2>&1 & \
	echo ""; \
	echo "Sightline is at http://127.0.0.1:$(PORT)/  (worker log: celery.log)"; \
	echo ""; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# System libraries the project needs beyond Python: Debian's Chromium for the browser tests,
# and pango for WeasyPrint's PDF packs. Installed when missing and we may (root with apt-get).
SYSTEM_PACKAGES := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
system-packages:
	@if [ ! -x /usr/bin/chromium ] || ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q libpangoft2-1.0.so.0; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else echo "Sightline needs Chromium and pango: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; \
	fi

# The former name of the step above.
browser: system-packages

test: install system-packages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .celery-broker celery.log staticfiles

# Asa: `make run` serves the demo, `make test` runs the whole suite. Both set everything up first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
# pip on some machines warns about unreachable local package indexes; keep its output quiet.
PIPQUIET := { grep -v "is ignored: it is neither a file nor a directory" || true; }
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
VENDOR := asa/static/vendor

.PHONY: setup run test lint audit format demo worker scheduler messages bench bench-dashboards bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Python deps (exact versions from requirements.lock), front-end assets, migrations. Idempotent.
setup: $(BIN)/python
	@$(BIN)/pip install --disable-pip-version-check -q -r requirements.lock 2>&1 | $(PIPQUIET)
	@$(BIN)/pip install --disable-pip-version-check -q --no-deps -e . 2>&1 | $(PIPQUIET)
	@test -d node_modules/htmx.org -a -d node_modules/@fontsource/sarabun -a -d node_modules/@expo-google-fonts/sarabun -a -d node_modules/workbox-sw -a -d node_modules/idb || npm ci --no-audit --no-fund --ignore-scripts
	@mkdir -p $(VENDOR)/htmx $(VENDOR)/sarabun $(VENDOR)/sarabun-ttf $(VENDOR)/workbox $(VENDOR)/idb
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@# The field app's service worker: workbox-sw loads these modules from our own static files.
	@cp node_modules/workbox-sw/build/workbox-sw.js node_modules/workbox-sw/build/workbox-sw.js.map $(VENDOR)/workbox/
	@for module in core routing strategies precaching; do \
		cp node_modules/workbox-$$module/build/workbox-$$module.prod.js{,.map} $(VENDOR)/workbox/; \
	done
	@cp node_modules/idb/build/umd.js $(VENDOR)/idb/
	@for subset in thai latin; do for weight in 400 600 700; do \
		cp node_modules/@fontsource/sarabun/files/sarabun-$$subset-$$weight-normal.woff2 $(VENDOR)/sarabun/; \
	done; done
	@cp node_modules/@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf node_modules/@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf $(VENDOR)/sarabun-ttf/
	@if command -v msgfmt >/dev/null && test -d asa/locale; then $(BIN)/asa compilemessages -v 0 --ignore=.venv --ignore=node_modules; fi
	@$(BIN)/asa migrate --no-input -v 0
	@$(BIN)/asa collectstatic --no-input -v 0

demo: setup
	@$(BIN)/asa demo

# The web server, the task worker and the scheduler in one command (asa/ops/management/commands/
# run.py); one Ctrl-C stops all three. Production runs them as three services (README).
run: demo
	@echo ""
	@echo "Asa is at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@$(BIN)/asa run --host $(HOST) --port $(PORT) --workers $(WORKERS)

worker: setup
	$(BIN)/asa db_worker

scheduler: setup
	$(BIN)/asa scheduler

test: setup
	@command -v chromium >/dev/null || echo "note: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)"
	$(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security: bandit over asa/ (config and each skipped check's reason in pyproject.toml) and
# known vulnerabilities in requirements.lock (pip-audit; says so plainly when its service is
# out of reach instead of failing: see .ci/audit_dependencies.py).
audit: setup
	$(BIN)/bandit -c pyproject.toml -r asa -q
	$(BIN)/python .ci/audit_dependencies.py

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract translatable strings after changing templates or code (needs GNU gettext).
# The source language is Thai, so the only catalog is English (-l en): its msgids are the Thai
# strings. Translate every new msgid in asa/locale/en/LC_MESSAGES/django.po (no fuzzy, none
# empty: asa/accounts/tests/test_i18n.py checks), then commit the .po and the compiled .mo.
messages: setup
	$(BIN)/asa makemessages -l en --add-location=file --no-obsolete --no-wrap \
		--ignore=.venv --ignore=node_modules --ignore=var --ignore=bench
	$(BIN)/asa compilemessages -l en --ignore=.venv --ignore=node_modules

# National-scale benchmarks on PostgreSQL; every script prints its figures. The database is
# created if missing and the registry tables in it are replaced. BENCH_PEOPLE=20000 for a quick run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/asa_bench
BENCH_PEOPLE ?= 1000000
bench: setup
	@$(BIN)/pip install --disable-pip-version-check -q -r bench/requirements.txt 2>&1 | $(PIPQUIET)
	$(BIN)/python bench/generate --people $(BENCH_PEOPLE) --database-url $(BENCH_DATABASE_URL) --reset
	$(BIN)/python bench/search.py --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python bench/dedup.py --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python bench/import.py --database-url $(BENCH_DATABASE_URL)

# Dashboards on the `make bench` database: cases and visits, then volunteers, hours, referrals
# and goods, the rollup rebuild time, the naive aggregates and p95 of every dashboard over HTTP.
bench-dashboards: setup
	$(BIN)/python bench/generate_cases.py --database-url $(BENCH_DATABASE_URL) --reset
	$(BIN)/python bench/dashboards.py --database-url $(BENCH_DATABASE_URL) --generate

# Concurrent load against a one-SELECT baseline (bench/load.py, wrk): needs the `make bench`
# database with the cases of bench/generate_cases.py; then the write bench (bench/writes.py).
bench-load: setup
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/load.py --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python bench/writes.py --database-url $(BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var

# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py

.PHONY: run test system-packages lint typecheck pytest pytest-postgres production-check messages demo check-files verify-audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	$(PIP) install --no-deps -e .
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	@scripts/system-packages runtime
	$(MANAGE) migrate --noinput
	$(MANAGE) prepare_fonts
	$(MANAGE) load_demo
	@echo ""
	@echo "Serving on http://127.0.0.1:8000 with a background worker for mail  (Ctrl-C to stop)"
	@trap 'kill 0' EXIT INT TERM; \
	$(MANAGE) db_worker --interval 2 & \
	$(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.dev-installed system-packages lint typecheck pytest production-check

system-packages:
	@scripts/system-packages test

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy banzu bench

# Two runs of one suite, each test in exactly one. The ordinary tests share out over the cores
# (xdist: each worker has its own test database, suffixed _gw0, _gw1..., and its own file store).
# Then one process for the rest: the demo build and the URL matrix over it (marked `demo`), the
# tests that commit for real (threads, on-commit mail; tests/conftest.py marks them `serial`) and
# the browser (`browser`): those flush tables when they end, and pytest-django orders them last
# only without xdist. Any group runs alone with -m, e.g. `.venv/bin/pytest -m browser`.
# PYTHONDONTWRITEBYTECODE is set on this machine; unset for pytest, each process would otherwise
# compile its rewritten test modules again.
PYTEST := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest
pytest: $(VENV)/.dev-installed
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(PYTEST) -n auto -m "not (serial or demo or browser)"
	$(PYTEST) -m "serial or demo or browser"

# The production configuration (gunicorn with deploy/gunicorn.conf.py, production settings)
# started on this machine and checked as the reverse proxy would talk to it.
production-check: $(VENV)/.dev-installed
	$(MANAGE) prepare_fonts
	$(PY) scripts/production_check.py

# The same suite against the local PostgreSQL server (CI runs both).
pytest-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) pytest

messages: $(VENV)/.dev-installed
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --add-location file
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

check-files: $(VENV)/.runtime-installed
	$(MANAGE) check_files

verify-audit: $(VENV)/.runtime-installed
	$(MANAGE) verify_audit

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache .pytest_cache

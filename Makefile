# Liên Thông — the two commands a newcomer needs are `make demo` and `make test`.
# Everything runs from ./.venv, created on first use and reinstalled only when pyproject.toml changes.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RESULTS := var/test-results
# Used when DATABASE_URL is unset but a PostgreSQL server answers locally (trust auth; the
# `postgres` role may create the `test_lienthong` database that pytest-django makes and drops).
LOCAL_PG_URL := postgresql://postgres@127.0.0.1:5432/lienthong
PYTEST_ARGS ?=
# `make test` runs the SQLite and PostgreSQL legs at once (2 cores: about half the time); LEGS=serial
# runs them one after the other with the output as it comes.
LEGS ?= parallel
BIND ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help venv demo test test-legs test-sqlite test-postgresql lint fmt bench clean

help:
	@echo "make demo    serve the platform with demo data on http://127.0.0.1:8000 (BIND=host:port)"
	@echo "make test    lint, then the whole suite on SQLite and (when it answers) PostgreSQL"
	@echo "make lint    ruff check, ruff format --check, mypy, makemigrations --check"
	@echo "make fmt     ruff --fix and ruff format"
	@echo "make bench   run bench/bench_*.py on SQLite and PostgreSQL; results in bench/results/"
	@echo "make clean   remove .venv, caches and test/bench scratch data (keeps the demo database)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null \
		|| { echo "$(PYTHON) not found: install Python 3.11+ or run make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Liên Thông needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run make PYTHON=python3.12 ...")'
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "'$(PYTHON) -m venv' failed. On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing Liên Thông and its dependencies into $(VENV) (again only when pyproject.toml changes)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

demo: venv
	env -u DATABASE_URL LIENTHONG_INSECURE_HTTP=1 LIENTHONG_OTP_REQUIRED_FOR=admins $(BIN)/lienthong demo --bind $(BIND)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	LIENTHONG_DATA_DIR=$(CURDIR)/var/lint $(BIN)/mypy
	env -u DATABASE_URL LIENTHONG_DATA_DIR=$(CURDIR)/var/lint $(BIN)/lienthong makemigrations --check --dry-run

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	@$(MAKE) --no-print-directory test-legs

# Both legs run even when the first fails, so one run shows every failure; the target fails if
# either did. Each leg writes $(RESULTS)/<leg>.json (see conftest.py) for .ci/run to check.
test-legs: venv
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@status=0; \
	if [ "$(LEGS)" = "parallel" ]; then \
		echo "== Both legs at once (LEGS=serial runs one after the other); output in $(RESULTS)/<leg>.log =="; \
		$(MAKE) --no-print-directory test-sqlite >$(RESULTS)/sqlite.log 2>&1 & sqlite=$$!; \
		$(MAKE) --no-print-directory test-postgresql >$(RESULTS)/postgresql.log 2>&1 & postgresql=$$!; \
		wait $$sqlite || status=1; wait $$postgresql || status=1; \
		cat $(RESULTS)/sqlite.log $(RESULTS)/postgresql.log; \
	else \
		$(MAKE) --no-print-directory test-sqlite || status=1; \
		$(MAKE) --no-print-directory test-postgresql || status=1; \
	fi; \
	echo; echo "== Test legs =="; cat $(RESULTS)/sqlite.txt $(RESULTS)/postgresql.txt; \
	exit $$status

test-sqlite: venv
	@mkdir -p $(RESULTS)
	@echo "== SQLite leg (LIENTHONG_DATA_DIR=var/test-sqlite): pytest $(PYTEST_ARGS) =="
	@rm -rf var/test-sqlite
	@env -u DATABASE_URL LIENTHONG_DATA_DIR=$(CURDIR)/var/test-sqlite \
		LIENTHONG_TEST_LEG=sqlite LIENTHONG_TEST_RESULTS=$(CURDIR)/$(RESULTS) \
		$(BIN)/pytest --junitxml=$(RESULTS)/sqlite.xml $(PYTEST_ARGS); \
		rc=$$?; [ -f $(RESULTS)/sqlite.txt ] || echo "SQLite leg: pytest exited $$rc before reporting" \
		> $(RESULTS)/sqlite.txt; exit $$rc

test-postgresql: venv
	@mkdir -p $(RESULTS)
	@if [ -n "$$DATABASE_URL" ]; then \
		url="$$DATABASE_URL"; why="DATABASE_URL is set"; \
	elif $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), timeout=2).close()' 2>/dev/null; then \
		url="$(LOCAL_PG_URL)"; why="a server answers on 127.0.0.1:5432; using $$url"; \
	else \
		echo "PostgreSQL leg skipped: no DATABASE_URL and nothing answers on 127.0.0.1:5432" \
			| tee $(RESULTS)/postgresql.txt; \
		exit 0; \
	fi; \
	echo "== PostgreSQL leg ($$why): pytest $(PYTEST_ARGS) =="; \
	rm -rf var/test-postgresql; \
	DATABASE_URL="$$url" LIENTHONG_DATA_DIR=$(CURDIR)/var/test-postgresql \
		LIENTHONG_TEST_LEG=postgresql LIENTHONG_TEST_RESULTS=$(CURDIR)/$(RESULTS) \
		$(BIN)/pytest --junitxml=$(RESULTS)/postgresql.xml $(PYTEST_ARGS); \
		rc=$$?; [ -f $(RESULTS)/postgresql.txt ] || echo "PostgreSQL leg: pytest exited $$rc before reporting" \
		> $(RESULTS)/postgresql.txt; exit $$rc

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/test-sqlite var/test-postgresql var/lint var/bench-* $(RESULTS) \
		.pytest_cache .mypy_cache .ruff_cache src/*.egg-info
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +

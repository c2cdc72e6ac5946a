# SaferCity: the two commands a newcomer needs are `make demo` and `make test`.
# Both call `make setup`, which is idempotent and installs everything itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
WORKSPACE ?= safercity-data
PORT ?= 8000

.PHONY: setup demo test lint typecheck audit pytest bench clean system-packages

setup: $(STAMP)/python $(STAMP)/system $(STAMP)/npm

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# Debian packages the tests and reports need: PostgreSQL (real database in the tests),
# Chromium (browser tests, no downloaded browser) and Pango (WeasyPrint PDFs).
$(STAMP)/system: scripts/system-packages.sh
	@mkdir -p $(STAMP)
	bash scripts/system-packages.sh
	@touch $@

$(STAMP)/npm: package.json package-lock.json scripts/build-static.sh
	@mkdir -p $(STAMP)
	bash scripts/build-static.sh
	@touch $@

demo: setup
	$(BIN)/safercity demo --workspace $(WORKSPACE) --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

# First on SQLite (the embedded default): every test but the web tests whose result does not
# depend on the engine (marked postgres_pass); then the web tests on a real PostgreSQL server
# (the production database) that tests/web/conftest.py starts from the installed binaries.
# Browser tests, and tests that serve a SQLite workspace of their own (sqlite_only), run in the
# first pass only; which web tests run on both is listed in tests/web/conftest.py.
pytest: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not postgres_pass"
	SAFERCITY_TEST_DB=postgres $(BIN)/python -m pytest -n 2 --dist loadgroup tests/web -m "not browser and not sqlite_only"

# Known vulnerabilities in the installed Python packages and the npm packages the product ships
# fail the build, less audit-exceptions.toml (a reason per entry). An advisory database that
# cannot be reached is a loud warning, or a failure with AUDIT_REQUIRE_DATABASE=1
# (docs/dependency-audit.md: the package mirrors here and in CI serve no advisories).
audit: setup
	$(BIN)/python scripts/audit.py

test: setup lint typecheck audit pytest

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(STAMP) $(VENV) node_modules src/safercity/web/static/vendor

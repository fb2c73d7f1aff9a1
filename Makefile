# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Pure packages (no database): run once, on SQLite's pass only.
PURE_TESTS := tests/analytics tests/readers tests/text tests/surveys/definition tests/commands tests/utils

.PHONY: demo test install install-test lint messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "openxm needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/openxm demo $(DEMO_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint
	env -u OPENXM_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$OPENXM_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$OPENXM_TEST_DATABASE_URL), database tests only"; \
		$(BIN)/pytest $(foreach d,$(PURE_TESTS),--ignore=$(d)) --ignore=tests/e2e; \
	fi

# Refresh the translation catalogs after changing UI strings, then translate and compile.
messages: install
	cd openxm && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location --ignore "static/openxm/vendor/*" \
		--settings=openxm.settings --pythonpath=..
	cd openxm && ../$(BIN)/django-admin compilemessages --settings=openxm.settings --pythonpath=..

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

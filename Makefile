# dudao: `make demo` runs the demo county, `make test` runs lint, types and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps demo test lint types pytest fuzz test-dates clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the boards (CJK font), the QR decoder and the browser tests need; installed when missing and root.
system-deps:
	bash scripts/system-deps.sh

# make demo PORT=5001 (DEMO_HOST=0.0.0.0 to reach it from another machine; not HOST, which some shells export)
PORT ?= 5000
DEMO_HOST ?= 127.0.0.1
demo: install system-deps
	$(BIN)/dudao demo --host $(DEMO_HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy

pytest: install system-deps
	$(BIN)/pytest

test: lint types pytest

# The bounded fuzz runs alone (they are part of `pytest` too): the webhook and the board page's form (hypothesis),
# the JSON API (schemathesis on a served app, loopback); derandomized, about 20 s.
fuzz: install
	$(BIN)/pytest -q tests/integration/test_fuzz.py

# The unit and integration tests again as of other days, the process clock moved by Debian's faketime (UTC times:
# a National Day holiday, a 调休 working Saturday, the night the year turns in China, a year with no schedule loaded).
# The night the year turns runs on every stack; the other days on SQLite and the in-process store only (the clock
# being tested is the application's, the same on both stacks; it keeps CI well inside its limit).
# One day: make test-dates DATES='2026-12-31 16:00:00'. The monotonic clock stays real so that timeouts still work.
DATES ?= 2026-10-03 10:00:00|2026-10-10 09:30:00|2026-12-31 16:00:00|2027-02-01 01:30:00
DATES_ALL_STACKS ?= 2026-12-31 16:00:00
test-dates: install system-deps
	@days='$(DATES)'; IFS='|'; for day in $$days; do \
	  IFS=" "; if [ "$$day" = '$(DATES_ALL_STACKS)' ]; then only=""; else only="env -u CI -u DUDAO_TEST_DATABASE_URL -u DUDAO_TEST_REDIS_URL"; fi; \
	  echo "== the unit and integration tests as of $$day (UTC)$${only:+, SQLite and the in-process store}"; \
	  FAKETIME_DONT_FAKE_MONOTONIC=1 $$only faketime "$$day" $(BIN)/pytest -q -p no:cacheprovider tests/unit tests/integration || exit 1; \
	done

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

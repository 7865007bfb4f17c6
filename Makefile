# dudao: `make demo` runs the demo county, `make test` runs lint, types and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps demo test lint types pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the boards (CJK font), the QR decoder and the browser tests need; installed when missing and root.
system-deps:
	bash scripts/system-deps.sh

demo: install system-deps
	$(BIN)/dudao demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

pytest: install system-deps
	$(BIN)/pytest

test: lint types pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

# Two commands on a fresh machine: `make demo` and `make test`.
# Both bootstrap everything they need: uv (from PyPI) and the locked .venv.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced
SRC := src tests benchmarks
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: setup bootstrap demo test lint typecheck unit bench bench-full clean

setup: $(SYNCED)

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools/uv uv==$(UV_VERSION)

# Re-syncs only when the dependencies change, so a second `make` is fast. The libraries'
# bytecode is compiled once here: a process that may not write it (PYTHONDONTWRITEBYTECODE,
# a read-only image) would otherwise compile pandas, ibis and numba at every start, and
# Spark starts a Python worker per core (1M lines on Spark local[2]: 42 s -> 31 s).
$(SYNCED): $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --quiet --extra spark --compile-bytecode
	@touch $@

demo: setup
	$(VENV)/bin/goodwill demo

lint: setup
	$(VENV)/bin/ruff check $(SRC)
	$(VENV)/bin/ruff format --check $(SRC)

typecheck: setup
	$(VENV)/bin/mypy

unit: setup
	$(VENV)/bin/pytest

# PostgreSQL started and Chromium from Debian when missing, as on a fresh CI machine.
bootstrap:
	.ci/bootstrap

test: bootstrap lint typecheck unit

bench: setup
	$(VENV)/bin/python benchmarks/run_all.py

bench-full: setup
	$(VENV)/bin/python benchmarks/run_all.py --full

clean:
	rm -rf $(VENV) .tools goodwill-data .pytest_cache .mypy_cache .ruff_cache .hypothesis

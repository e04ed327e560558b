# The two commands of the README: `make run` and `make test`.
# Each creates the virtual environment (.venv) when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= configs/minamitorishima.toml
OUT ?= out/minamitorishima

.PHONY: run test check lint bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	$(BIN)/python -m seabed.pipeline.jit_cache
	touch $@

run: $(BIN)/.installed
	$(BIN)/seabed run $(CONFIG) --out $(OUT) --overwrite

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n auto

check: $(BIN)/.installed
	for c in configs/*.toml; do $(BIN)/seabed check $$c || exit 1; done

lint: $(BIN)/.installed
	$(BIN)/ruff check seabed tests benchmarks

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out .pytest_cache

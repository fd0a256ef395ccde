# renaksi: every target sets up what it needs on a fresh machine, and only that:
# `make extract` installs what extraction needs; test, notebook and benchmark packages come
# with their own targets (pyproject.toml's extras).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: extract test notebook bench fuzz system-deps system-deps-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# One stamp per set of packages, redone when pyproject.toml changes.
$(VENV)/.installed-extract: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[$*]'
	touch $@

# The development venv: extraction plus the test packages.
$(VENV)/.installed: $(VENV)/.installed-test
	touch $@

## System packages for extraction: Tesseract with its Indonesian model, poppler
system-deps:
	bash scripts/system-deps.sh

## ... and for the tests: Chromium with its driver, LibreOffice Calc
system-deps-test:
	bash scripts/system-deps.sh --test

## Extract every decree dropped in data/raw/ into data/processed/
extract: $(VENV)/.installed-extract system-deps
	$(BIN)/renaksi extract data/raw --out data/processed

## Run the test suite (installs Tesseract, Chromium and LibreOffice when missing)
test: $(VENV)/.installed system-deps-test
	$(BIN)/python -m pytest -q

## Open the analysis notebook in JupyterLab (RENAKSI_DATA: the extraction folder)
notebook: $(VENV)/.installed-notebook
	RENAKSI_DATA="$${RENAKSI_DATA:-$(CURDIR)/data/processed}" $(BIN)/jupyter lab notebooks/analisis_rencana_aksi.ipynb

# The benchmark's own venv: extraction and camelot, nothing else, so renaksi is measured as
# `make extract` installs it (no test package that a library would import when present).
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

## Every speed figure beside the floor in one run: one decree against pdfplumber and camelot,
## --jobs 1 and 2, re-runs, and lampirans of 10 to 300 pages (about three minutes)
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py

## Broken and hostile copies of the fixtures through `renaksi extract`: no crash, hang or half folder
fuzz: $(VENV)/.installed-extract
	$(BIN)/python benchmarks/fuzz.py --cases 2000

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info .pytest_cache

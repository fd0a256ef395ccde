# renaksi: every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: extract test bench fuzz system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

## Extract every decree dropped in data/raw/ into data/processed/
extract: $(STAMP) system-deps
	$(BIN)/renaksi extract data/raw --out data/processed

## Run the test suite (installs Tesseract and Chromium when missing)
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

## Speed and memory against pdfplumber and camelot on the same decree
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

## Broken and hostile copies of the fixtures through `renaksi extract`: no crash, hang or half folder
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py --cases 2000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

"""A small slice of `make fuzz` on every test run: broken copies of the fixtures through the
real `renaksi extract --jobs 2`, so a regression in error handling shows before release."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
_spec = importlib.util.spec_from_file_location("fuzz", BENCHMARKS / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz"] = fuzz  # dataclasses look their module up while the class is built
_spec.loader.exec_module(fuzz)  # type: ignore[union-attr]

CASES = 48
SEED = 20260101  # other cases than `make fuzz` (seed 7) explores


def test_mutations_are_reproducible():
    assert fuzz.make_case(SEED, 3) == fuzz.make_case(SEED, 3)
    assert fuzz.make_case(SEED, 3)[1] != fuzz.make_case(SEED, 4)[1]


def test_broken_pdfs_give_typed_lines_and_no_partial_folders(tmp_path):
    cases = [fuzz.make_case(SEED, n, fuzz.FIXTURES) for n in range(CASES)]
    tally = fuzz.Tally()
    # a mutation that destroys a font's character map leaves a text layer of junk, whose
    # pages are then read by OCR (seconds a page): the CLI's own per-file limit applies
    fuzz.run_batch(cases, tmp_path, tally, jobs=2, timeout=300)
    assert tally.cases == CASES
    assert tally.unexpected == [] and tally.bad_exit == [] and tally.died == []
    assert tally.timed_out == [] and tally.no_line == [] and tally.partial == []
    assert sum(tally.outcomes.values()) == CASES

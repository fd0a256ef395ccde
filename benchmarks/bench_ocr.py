"""Seconds per scanned page of a whole decree through the pipeline, at --jobs 1 and --jobs 2.

    python benchmarks/bench_ocr.py [PDF ...] [--jobs 1 2]

Defaults to the 12-page Singkawang scan. Target: at most 2 s a page with --jobs 2 on a
2-core machine. Wall time depends on what else the machine runs, so the CPU seconds (this
process and its Tesseract children) are printed too: they say what a page costs, and wall
time at --jobs 2 approaches half of them on an idle 2-core machine.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from extract.pages import open_document
from extract.pipeline import run
from extract.settings import OcrSettings, Settings

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(path: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one extraction."""
    start, cpu = time.perf_counter(), _cpu()
    run(path, Settings(ocr=OcrSettings(jobs=jobs)))
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path,
                    default=[ROOT / "tests/pdfs/singkawang-2023-scan.pdf"])
    ap.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    args = ap.parse_args()
    for path in args.pdfs:
        pages = sum(p.kind == "scan" for p in open_document(path).pages)
        for jobs in args.jobs:
            wall, cpu = measure(path, jobs)
            print(f"{path.name} --jobs {jobs}: {wall / max(pages, 1):.2f} s/page "
                  f"({cpu / max(pages, 1):.2f} CPU s/page; {pages} scanned pages, {wall:.1f} s)")


if __name__ == "__main__":
    main()

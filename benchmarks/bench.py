"""`make bench`: every speed figure of renaksi in one run on this machine, each beside the floor.

The floor is PDFium reading every character box and path object of the same files and
nothing else (``floor.py``): cold figures (a fresh process, imports included) are divided by
the floor's cold process, warm ones (libraries loaded, as in a batch worker) by its warm read.

  one decree    the floor, renaksi cold and warm, `renaksi extract FILE` as a command,
                pdfplumber extract_tables, camelot lattice (vector and default)
  batch         `renaksi extract` over distinct decrees with --jobs 1 and --jobs 2, the same
                run again (nothing changed), one changed decree among 1,000 decree folders
  pages         renaksi and the floor on one decree with a lampiran of 10, 50, 100 and 300 pages

    python benchmarks/bench.py [--decree PDF] [--batch N] [--repeat N] [--pages 10 50 ...]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from bench_batch import batch, decrees
from bench_pipeline import (CONTENDERS, DEFAULT, FLOOR, Timing, cli_seconds, contenders,
                            measure, page_curve)


def _row(label: str, seconds: float, floor: float, note: str = "") -> str:
    return f"  {label:46} {seconds:8.3f} {seconds / floor:8.1f}×  {note}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decree", type=Path, default=DEFAULT)
    ap.add_argument("--batch", type=int, default=20, help="distinct decrees in the batch")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    ap.add_argument("--pages", type=int, nargs="+", default=[10, 50, 100, 300])
    args = ap.parse_args()
    started = time.perf_counter()
    load = os.getloadavg()[0]
    print(f"renaksi benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load:.2f} at the start; best of {args.repeat} runs per figure")
    if load > 0.5:
        print("(the machine is busy: wall times, --jobs 2 above all, come out slower than on "
              "an idle one)")
    print("× floor: seconds over the floor's (PDFium reading every character box and path "
          "object); cold figures over its cold process, warm ones over its warm read\n")

    import pypdfium2

    pages = len(pypdfium2.PdfDocument(str(args.decree)))
    one = contenders(args.decree, args.repeat)
    floor = one[FLOOR]
    assert isinstance(floor, Timing), floor
    print(f"one decree: {args.decree.name}, {pages} pages{'':14} seconds  × floor  peak MB")
    print(_row("floor, a fresh process (cold)", floor.cold, floor.cold, f"{floor.peak_mb:6.0f}"))
    print(_row("floor, warm", floor.warm, floor.warm))
    print(_row("renaksi extract FILE --out NEW (the command)",
               cli_seconds(args.decree, args.repeat), floor.cold))
    for name, r in one.items():
        if name == FLOOR:
            continue
        if isinstance(r, str):
            print(f"  {name:46} could not run: {r}")
            continue
        if name == "renaksi":
            print(_row("renaksi pipeline, cold process", r.cold, floor.cold, f"{r.peak_mb:6.0f}"))
            print(_row("renaksi pipeline, warm", r.warm, floor.warm))
        else:
            print(_row(f"{name}, warm", r.warm, floor.warm, f"{r.peak_mb:6.0f}"))

    files = decrees(args.batch)
    per_floor = measure(*CONTENDERS[FLOOR], files, args.repeat)
    per_renaksi = measure(*CONTENDERS["renaksi"], files, 1)
    assert isinstance(per_floor, Timing) and isinstance(per_renaksi, Timing)
    b = batch(args.batch, args.repeat)
    n = args.batch
    print(f"\nbatch: {n} born-digital decrees, distinct files (tests/pdfs)  seconds  × floor")
    print(_row(f"floor, warm, the {n} files", per_floor.warm, per_floor.warm))
    print(_row("renaksi pipeline, warm worker, per decree", per_renaksi.warm / n,
               per_floor.warm / n))
    print(_row("renaksi extract --jobs 1", b.jobs1, per_floor.warm,
               f"{n / b.jobs1:.1f} decrees/s"))
    print(_row("renaksi extract --jobs 2", b.jobs2, per_floor.warm,
               f"{n / b.jobs2:.1f} decrees/s, {b.jobs1 / b.jobs2:.2f}× --jobs 1"))
    print(_row("the same run again, nothing changed", b.unchanged, per_floor.warm,
               f"{b.skipped}/{n} unchanged"))
    print(_row("one changed decree, --out of 1,000 decrees", b.one_in_1000, floor.cold,
               f"{b.one_alone:.3f} s into an empty --out"))
    print(f"  (the first combined tables over the 1,000 folders took {b.combine_1000:.2f} s)")

    curve = page_curve(args.decree, args.pages, args.repeat)
    first = args.pages[0]
    print(f"\nlampiran pages: {args.decree.stem}'s, repeated   seconds  × floor  "
          f"s/page  peak MB  × {first} pages")
    for count, (f, r) in curve.items():
        print(f"  renaksi, warm, {count:4} lampiran pages{'':17} {r.warm:8.3f} {r.warm / f.warm:8.1f}×  "
              f"{r.warm / count:6.3f} {r.peak_mb:8.0f} {r.warm / curve[first][1].warm:8.1f}×")
    print(f"\n({time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f} "
          "at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One decree at a time: the floor, renaksi and its peers on the same files, and how renaksi's
cost grows with the number of pages.

Each contender runs in a fresh process of its own, so its peak memory is its own:
  floor        PDFium reading every character box and path object (``floor.read_all``)
  renaksi      pipeline.run (open, classify, grids, header, stitch, normalise, validate),
               set up as a batch worker is (``extract.warm``)
  pdfplumber   bare page.extract_tables() on every page
  camelot      lattice on every page: engine="vector", and its default engine

Two times per contender: "cold" is a fresh process that reads the decree once, from the
interpreter's start to its exit (library imports included); "warm" is the same decree again
in that process (what each decree costs a warm batch worker). ``cli`` times the whole `renaksi extract FILE --out NEW` command, as a user
meets it: start-up, worker, the decree's folder and the combined tables.

    python benchmarks/bench_pipeline.py [PDF] [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "pdfs" / "singkawang-2023-word.pdf"
RENAKSI = Path(sys.executable).with_name("renaksi")

# name → (imports, the work on one decree)
FLOOR = "floor (PDFium chars + paths)"
CONTENDERS = {
    FLOOR: ("from floor import read_all", "read_all(PDF)"),
    # a batch worker's set-up: extract.warm, which the forkserver loads before any fork
    "renaksi": ("import extract.warm\nfrom extract.pipeline import run", "run(PDF)"),
    "pdfplumber extract_tables": (
        "import pdfplumber",
        "with pdfplumber.open(PDF) as pdf:\n    for page in pdf.pages:\n        page.extract_tables()"),
    "camelot lattice vector": (
        "import camelot", 'camelot.read_pdf(PDF, pages="all", flavor="lattice", engine="vector")'),
    "camelot lattice (default)": (
        "import camelot", 'camelot.read_pdf(PDF, pages="all", flavor="lattice")'),
}

# VmHWM is the process's own peak; ru_maxrss would carry the parent's over from the fork.
# hypothesis (a test package, when this venv has it) is hidden: pandera imports it whenever
# it is installed, which an install by `make extract` does not have.
_PROBE = """
import json, re, sys, time
sys.modules["hypothesis"] = None
sys.path.insert(0, {benchmarks!r})
PDFS = sys.argv[1:]
{setup}
for PDF in PDFS:
{work}
t = time.perf_counter()
for PDF in PDFS:
{work}
warm = time.perf_counter() - t
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({{"warm": warm, "peak_mb": peak}}), flush=True)  # extract.warm ends with os._exit
"""


@dataclass(frozen=True, slots=True)
class Timing:
    """Best cold and warm seconds over fresh processes, and the largest peak (MB)."""

    cold: float
    warm: float
    peak_mb: float


def measure(setup: str, work: str, pdfs: Sequence[Path], repeat: int) -> Timing | str:
    """``work`` over ``pdfs`` once cold and once warm, in each of ``repeat`` fresh
    processes; the reason when it could not run."""
    code = _PROBE.format(setup=setup, work="\n".join("    " + ln for ln in work.splitlines()),
                         benchmarks=str(ROOT / "benchmarks"))
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, *map(str, pdfs)],
                              capture_output=True, text=True, cwd=ROOT, timeout=1800)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            return proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        runs.append({**run, "cold": wall - run["warm"]})  # the process, less its second pass
    return Timing(min(r["cold"] for r in runs), min(r["warm"] for r in runs),
                  max(r["peak_mb"] for r in runs))


def contenders(pdf: Path, repeat: int) -> dict[str, Timing | str]:
    return {name: measure(*code, [pdf], repeat) for name, code in CONTENDERS.items()}


def cli_seconds(pdf: Path, repeat: int) -> float:
    """Best wall time of `renaksi extract PDF --out NEW` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
            start = time.perf_counter()
            done = subprocess.run([str(RENAKSI), "extract", str(pdf), "--out", f"{tmp}/out"],
                                  capture_output=True, text=True)
            best = min(best, time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"renaksi extract {pdf} failed:\n{done.stdout}{done.stderr}")
    return best


def long_decree(pdf: Path, pages: int, out: Path) -> Path:
    """``pdf`` with a lampiran ``pages`` long: its two body pages, its lampiran pages over and
    over, its signature page (each lampiran page a real one; the issue's "a 300-page
    lampiran" counts lampiran pages, the three others cost the same at any length)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(pdf))
    n = len(src)
    lampiran = list(range(2, n - 1))
    doc = pdfium.PdfDocument.new()
    doc.import_pages(src, [0, 1, *(lampiran[i % len(lampiran)] for i in range(pages)), n - 1])
    doc.save(str(out))
    return out


def page_curve(pdf: Path, counts: Sequence[int], repeat: int) -> dict[int, tuple[Timing, Timing]]:
    """(floor, renaksi) warm timings of ``pdf`` with a lampiran 10, 50, ... pages long, each in fresh
    processes (renaksi's warm figure: the second reading of the same file)."""
    out: dict[int, tuple[Timing, Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        for n in counts:
            path = long_decree(pdf, n, Path(tmp) / f"{pdf.stem}-{n}.pdf")
            floor = measure(*CONTENDERS[FLOOR], [path], repeat)
            renaksi = measure(*CONTENDERS["renaksi"], [path], 1)
            if isinstance(floor, str) or isinstance(renaksi, str):
                sys.exit(f"{n} pages: {floor if isinstance(floor, str) else renaksi}")
            out[n] = (floor, renaksi)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per contender")
    args = ap.parse_args()
    results = contenders(args.pdf, args.repeat)
    floor = results[FLOOR]
    print(f"{args.pdf.name}, best of {args.repeat} processes each\n")
    print(f"{'contender':28} {'cold s':>7} {'warm s':>7} {'peak MB':>8} {'warm × floor':>13}")
    for name, r in results.items():
        if isinstance(r, str):
            print(f"{name:28} could not run: {r}")
        else:
            ratio = r.warm / floor.warm if isinstance(floor, Timing) else float("nan")
            print(f"{name:28} {r.cold:7.3f} {r.warm:7.3f} {r.peak_mb:8.0f} {ratio:13.1f}")
    if shutil.which(str(RENAKSI)):
        print(f"\nrenaksi extract (whole command): {cli_seconds(args.pdf, args.repeat):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

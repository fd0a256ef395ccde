"""Whole-pipeline speed and memory against the peers on the same decree, side by side.

Each contender runs in its own fresh process so peak memory is its own:
  renaksi      pipeline.run (open, classify, grids, header, stitch, normalise, validate)
  pdfplumber   bare page.extract_tables() on every page
  camelot      lattice on every page: its default engine, and engine="vector"

Two times per contender: "cold" is the fresh process's first decree, library imports
included (what one `renaksi extract x.pdf` costs); "warm" is a second decree in the same
process (what each decree costs in a batch, imports and first-use set-up paid).

Usage: python benchmarks/bench_pipeline.py [PDF] [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "data" / "raw" / "keputusan-kpu-kota-singkawang-6-2023.pdf"

# name → (imports, the work on one decree)
CONTENDERS = {
    "renaksi": ("from extract.pipeline import run", "run(PDF)"),
    "pdfplumber extract_tables": (
        "import pdfplumber",
        "with pdfplumber.open(PDF) as pdf:\n    for page in pdf.pages:\n        page.extract_tables()"),
    "camelot lattice (default)": (
        "import camelot", 'camelot.read_pdf(PDF, pages="all", flavor="lattice")'),
    "camelot lattice vector": (
        "import camelot", 'camelot.read_pdf(PDF, pages="all", flavor="lattice", engine="vector")'),
}

# VmHWM is the process's own peak; ru_maxrss would carry the parent's over from the fork.
# hypothesis (a test dependency in this venv) is hidden: pandera imports it whenever it is
# installed (+0.2 s), which a runtime install of renaksi does not have.
_PROBE = """
import json, re, sys, time
sys.modules["hypothesis"] = None
PDF = sys.argv[1]
t = time.perf_counter()
{setup}
{work}
cold = time.perf_counter() - t
t = time.perf_counter()
{work}
warm = time.perf_counter() - t
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({{"cold": cold, "warm": warm, "peak_mb": peak}}))
"""


def measure(setup: str, work: str, pdf: Path, repeat: int) -> dict | str:
    """Best cold and warm time over ``repeat`` fresh processes, and the largest peak."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", _PROBE.format(setup=setup, work=work), str(pdf)],
                              capture_output=True, text=True, cwd=ROOT, timeout=900)
        if proc.returncode != 0:
            return proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {"cold": min(r["cold"] for r in runs), "warm": min(r["warm"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per contender")
    args = ap.parse_args()
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(str(args.pdf)))
    print(f"{args.pdf.name}: {pages} pages, best of {args.repeat} processes each\n")
    print(f"{'contender':28} {'cold s':>7} {'warm s':>7} {'warm s/page':>12} {'pages/s':>8} "
          f"{'peak MB':>8} {'warm × renaksi':>15}")
    results = {name: measure(*code, args.pdf, args.repeat) for name, code in CONTENDERS.items()}
    base = results["renaksi"]
    for name, r in results.items():
        if isinstance(r, str):
            print(f"{name:28} could not run: {r}")
            continue
        ratio = r["warm"] / base["warm"] if isinstance(base, dict) else float("nan")
        print(f"{name:28} {r['cold']:7.3f} {r['warm']:7.3f} {r['warm'] / pages:12.4f} "
              f"{pages / r['warm']:8.1f} {r['peak_mb']:8.0f} {ratio:15.2f}")
    plumber = results["pdfplumber extract_tables"]
    if isinstance(base, dict) and isinstance(plumber, dict):
        print(f"\nrenaksi / pdfplumber: warm {base['warm'] / plumber['warm']:.2f}, "
              f"cold {base['cold'] / plumber['cold']:.2f} (target ≤ 1.0); "
              f"renaksi peak {base['peak_mb']:.0f} MB (target < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

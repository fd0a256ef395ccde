"""Whole-pipeline speed and memory against the peers on the same decree, side by side.

Each contender runs in its own fresh process so peak RSS is its own:
  renaksi      pipeline.run (open, classify, grids, header, stitch, normalise, validate)
  pdfplumber   bare page.extract_tables() on every page
  camelot      lattice on every page: its default engine, and engine="vector"

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

CONTENDERS = {
    "renaksi": """
from extract.pipeline import run
run(PDF)
""",
    "pdfplumber extract_tables": """
import pdfplumber
with pdfplumber.open(PDF) as pdf:
    for page in pdf.pages:
        page.extract_tables()
""",
    "camelot lattice (default)": """
import camelot
camelot.read_pdf(PDF, pages="all", flavor="lattice")
""",
    "camelot lattice vector": """
import camelot
camelot.read_pdf(PDF, pages="all", flavor="lattice", engine="vector")
""",
}

_PROBE = """
import json, resource, sys, time
PDF = sys.argv[1]
t = time.perf_counter()
{body}
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(body: str, pdf: Path, repeat: int) -> dict | str:
    best: dict | None = None
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", _PROBE.format(body=body), str(pdf)],
                              capture_output=True, text=True, cwd=ROOT, timeout=900)
        if proc.returncode != 0:
            return proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        if best is None or got["seconds"] < best["seconds"]:
            best = got
    return best  # type: ignore[return-value]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3, help="runs per contender (best is kept)")
    args = ap.parse_args()
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(str(args.pdf)))
    print(f"{args.pdf.name}: {pages} pages, best of {args.repeat} runs each\n")
    print(f"{'contender':28} {'seconds':>8} {'s/page':>8} {'pages/s':>8} {'peak MB':>8} {'× renaksi':>10}")
    results = {name: measure(body, args.pdf, args.repeat) for name, body in CONTENDERS.items()}
    base = results["renaksi"]
    for name, r in results.items():
        if isinstance(r, str):
            print(f"{name:28} could not run: {r}")
            continue
        ratio = r["seconds"] / base["seconds"] if isinstance(base, dict) else float("nan")
        print(f"{name:28} {r['seconds']:8.3f} {r['seconds'] / pages:8.4f} "
              f"{pages / r['seconds']:8.1f} {r['peak_mb']:8.0f} {ratio:10.2f}")
    if isinstance(base, dict) and isinstance(results["pdfplumber extract_tables"], dict):
        plumber = results["pdfplumber extract_tables"]["seconds"]
        print(f"\nrenaksi / pdfplumber time ratio: {base['seconds'] / plumber:.2f} (target ≤ 1.0); "
              f"renaksi peak RSS {base['peak_mb']:.0f} MB (target < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

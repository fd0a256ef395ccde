"""Compare OcrGrid on the scanned fixture with pdfplumber's tables of its born-digital twin.

    python benchmarks/ocr_probe.py [PAGE ...] [--show]

Per page: grid shape vs the twin's, mean difflib similarity of text cells, share of month
marks read right, seconds. ``--show`` prints every cell that differs.
"""
from __future__ import annotations

import difflib
import re
import sys
import time
from pathlib import Path

import pdfplumber

from extract.model import Document, Page, PageGrid
from extract.ocr import OcrGrid
from extract.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCAN = ROOT / "tests/pdfs/singkawang-2023-scan.pdf"
TWIN = ROOT / "tests/pdfs/singkawang-2023-word.pdf"
MONTHS = range(5, 17)


def norm(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text).strip()


def matrix(grid: PageGrid) -> list[list[str | None]]:
    rows = [[None] * (len(grid.xs) - 1) for _ in range(len(grid.ys) - 1)]
    for c in grid.cells:
        rows[c.row][c.col] = c.text
    return rows


def main(argv: list[str]) -> None:
    show = "--show" in argv
    pages = [int(a) for a in argv if a.isdigit()] or list(range(3, 12))
    doc = Document(SCAN, "", tuple(
        Page(n, 936.0, 610.0, (), (), (), "scan", "") for n in range(1, 13)))
    twin = pdfplumber.open(TWIN)
    finder, settings = OcrGrid(), Settings()
    sims, marks_ok, marks_n, secs = [], 0, 0, []
    for n in pages:
        t = time.perf_counter()
        grid = finder.find(doc, doc.pages[n - 1], settings)
        secs.append(time.perf_counter() - t)
        want = [[norm(v) for v in row] for row in twin.pages[n - 1].extract_tables()[0]]
        got = matrix(grid) if grid else []
        shape_ok = len(got) == len(want) and all(len(a) == len(b) for a, b in zip(got, want))
        page_sims, page_ok, page_n = [], 0, 0
        for r, (grow, wrow) in enumerate(zip(got, want)):
            for c, (g, w) in enumerate(zip(grow, wrow)):
                if (g is None) != (w is None):
                    if show:
                        print(f"  p{n} r{r} c{c} span differs: got {g!r} want {w!r}")
                    continue
                if w is None:
                    continue
                if c in MONTHS and r >= 3:
                    page_n += 1
                    page_ok += g == w
                    if g != w and show:
                        print(f"  p{n} r{r} c{c} mark: got {g!r} want {w!r}")
                elif w or g:
                    s = difflib.SequenceMatcher(None, g, w).ratio()
                    page_sims.append(s)
                    if s < 1 and show:
                        print(f"  p{n} r{r} c{c} {s:.2f}\n     got  {g!r}\n     want {w!r}")
        sims += page_sims
        marks_ok += page_ok
        marks_n += page_n
        print(f"p{n}: shape {'ok' if shape_ok else f'{len(got)}x? vs {len(want)}x18'} "
              f"text {sum(page_sims) / max(1, len(page_sims)):.4f} "
              f"marks {page_ok}/{page_n} {secs[-1]:.2f}s")
    print(f"ALL: text {sum(sims) / max(1, len(sims)):.4f} marks {marks_ok}/{marks_n} "
          f"= {marks_ok / max(1, marks_n):.4f}  {sum(secs) / len(secs):.2f}s/page")


if __name__ == "__main__":
    main(sys.argv[1:])

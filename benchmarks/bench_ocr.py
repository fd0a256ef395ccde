"""Seconds per scanned page for the OCR path (grid + text, or page text when no table).

    python benchmarks/bench_ocr.py [PDF]

Defaults to the 12-page Singkawang scan. Target: at most 4 s per page on 2 cores.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from extract.model import Document, Page
from extract.ocr import OcrGrid, page_text
from extract.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main(path: Path) -> None:
    pdf = pdfium.PdfDocument(str(path))
    pages = tuple(Page(i + 1, *pdf[i].get_size(), (), (), (), "scan", "") for i in range(len(pdf)))
    doc, settings, finder = Document(path, "", pages), Settings(), OcrGrid()
    times = []
    for page in pages:
        start = time.perf_counter()
        grid = finder.find(doc, page, settings)
        if grid is None:
            page_text(doc, page.page_no, settings)
        times.append(time.perf_counter() - start)
        what = f"table {grid.n_rows} rows" if grid else "text"
        print(f"page {page.page_no:>3}: {times[-1]:5.2f} s  ({what})")
    print(f"{path.name}: {sum(times) / len(times):.2f} s/page, max {max(times):.2f} s, "
          f"{len(times)} pages")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/pdfs/singkawang-2023-scan.pdf")

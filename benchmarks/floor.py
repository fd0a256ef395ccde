"""The floor every figure of `make bench` is compared with: PDFium reading every character box
and every path object of a PDF through pypdfium2, and nothing else.

No extractor that reads a page's text and drawing through PDFium can be faster than this:
renaksi reads the same objects, then builds words, grids, rows and tables from them.

    python benchmarks/floor.py PDF     # seconds of a cold read and a warm one
"""
from __future__ import annotations

import ctypes
import sys
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


def read_all(path: str) -> int:
    """Read each character's code and box and each path object's bounds (form XObjects
    opened) on every page of ``path``; the number of objects read."""
    doc = pdfium.PdfDocument(path)
    read = 0
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    bounds = [ctypes.c_float() for _ in range(4)]
    try:
        for index in range(len(doc)):
            page = doc[index]
            text = pdfium_c.FPDFText_LoadPage(page.raw)
            for i in range(pdfium_c.FPDFText_CountChars(text)):
                pdfium_c.FPDFText_GetUnicode(text, i)
                pdfium_c.FPDFText_GetCharBox(text, i, left, right, bottom, top)
                read += 1
            pdfium_c.FPDFText_ClosePage(text)
            objects = [pdfium_c.FPDFPage_GetObject(page.raw, j)
                       for j in range(pdfium_c.FPDFPage_CountObjects(page.raw))]
            while objects:
                obj = objects.pop()
                kind = pdfium_c.FPDFPageObj_GetType(obj)
                if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                    objects += [pdfium_c.FPDFFormObj_GetObject(obj, j)
                                for j in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
                elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                    pdfium_c.FPDFPageObj_GetBounds(obj, *bounds)
                    read += 1
            page.close()
    finally:
        doc.close()
    return read


if __name__ == "__main__":
    for pdf in sys.argv[1:]:
        start = time.perf_counter()
        n = read_all(pdf)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        read_all(pdf)
        print(f"{pdf}: {n} objects, cold {cold:.3f} s, warm {time.perf_counter() - start:.3f} s")

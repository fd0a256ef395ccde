"""Stage 1: open a decree, read every page's characters and drawing, classify the pages.

pypdfium2 (PDFium, C++) parses the content streams: an order of magnitude faster than a
pure-Python parser, and it decodes symbol fonts (ZapfDingbats ✔) to real code points.
The input guard is ``intake``, the text layer ``chars``, the vector drawing ``drawing``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .chars import read_chars
from .drawing import read_drawing
from .errors import BrokenPdf, EncryptedPdf
from .intake import MAX_SCAN_PIXELS, read_pdf_bytes, refuse_bombs
from .model import Document, Page, PageKind
from .settings import Settings
from .text import group_lines, line_text, words

_LAMPIRAN_WORDS = re.compile(r"KEGIATAN|INDIKATOR|AREA\s+PERUBAHAN|PELAKSANAAN|JADWAL", re.I)
_SIGNATURE_WORDS = re.compile(r"Ditetapkan\s+di|pada\s+tanggal|Salinan\s+sesuai", re.I)


def open_document(path: Path | str, settings: Settings | None = None) -> Document:
    """Read and classify every page; raise a typed error for input that is not a usable PDF."""
    settings = settings or Settings()
    path = Path(path)
    data = read_pdf_bytes(path)
    refuse_bombs(data, path)
    try:
        pdf = pdfium.PdfDocument(data, password=settings.password)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            hint = "wrong password" if settings.password else "password-protected; pass --password"
            raise EncryptedPdf(hint, path) from None
        raise BrokenPdf(f"cannot be opened as a PDF ({exc})", path) from None
    try:
        n = len(pdf)
        if n == 0:
            raise BrokenPdf("the PDF has no pages", path)
        if n > settings.max_pages:
            raise BrokenPdf(f"{n} pages is more than the limit of {settings.max_pages}", path)
        pages = [_read_page(pdf, i, path, settings) for i in range(n)]
    finally:
        pdf.close()
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(),
                    pages=tuple(_classify(pages, settings.grid.min_table_width)), password=settings.password,
                    lexicon=lexicon(p.text for p in pages))


def lexicon(texts) -> frozenset[str]:
    """Words printed with a space on both sides: whole words, never a fragment of a word
    that a line break cut (those sit at a line's start or end)."""
    out: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            for token in line.split()[1:-1]:
                out.update(words(token))
    return frozenset(out)


def _read_page(pdf: pdfium.PdfDocument, index: int, path: Path, settings: Settings) -> Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise BrokenPdf(f"page cannot be read ({exc})", path, index + 1) from None
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            chars = read_chars(textpage, height)
        finally:
            textpage.close()
        rulings, fills, images = read_drawing(page, height, settings)
    finally:
        page.close()
    text_chars = [c for c in chars if not c.text.isspace()]
    if text_chars:
        kind: PageKind = "body"
    else:
        kind = "scan" if images else "blank"
    if kind == "scan" and not width * height * (settings.ocr.dpi / 72) ** 2 <= MAX_SCAN_PIXELS:
        raise BrokenPdf(f"scanned page of {width:g} x {height:g} pt is too large to OCR at "
                        f"{settings.ocr.dpi} dpi", path, index + 1)
    text = "\n".join(line_text(ln) for ln in group_lines(text_chars))
    return Page(page_no=index + 1, width=width, height=height, chars=tuple(chars),
                rulings=tuple(rulings), fills=tuple(fills), kind=kind, text=text)


def _has_table_rulings(page: Page, min_width: float, min_rows: int = 2) -> bool:
    h = [r for r in page.rulings if r.horizontal and r.x1 - r.x0 >= min_width / 4]
    v = [r for r in page.rulings if not r.horizontal and r.bottom - r.top >= 10]
    return len(h) >= min_rows + 1 and len(v) >= 3


def _classify(pages: list[Page], min_table_width: float) -> list[Page]:
    """Body, lampiran (ruled plan table), signature, scan or blank, for each page.

    A page is lampiran when it carries a ruled grid and either plan header words or
    follows a lampiran page (continuation pages may have no header at all; the last may
    hold a single row above the signature).
    """
    out: list[Page] = []
    seen_table = False
    for page in pages:
        kind = page.kind
        if kind == "body":
            ruled = _has_table_rulings(page, min_table_width, 1 if seen_table else 2)
            if ruled and (_LAMPIRAN_WORDS.search(page.text) or seen_table):
                kind = "lampiran"
            elif seen_table and _SIGNATURE_WORDS.search(page.text):
                kind = "signature"
        seen_table = seen_table or kind == "lampiran"
        out.append(_with_kind(page, kind))
    return out


def _with_kind(page: Page, kind: PageKind) -> Page:
    if kind == page.kind:
        return page
    return replace(page, kind=kind)

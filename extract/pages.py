"""Stage 1: open a decree, read every page's characters and drawing, classify the pages.

pypdfium2 (PDFium, C++) parses the content streams: an order of magnitude faster than a
pure-Python parser, and it decodes symbol fonts (ZapfDingbats ✔) to real code points.
The input guard is ``intake``, the text layer ``chars``, the vector drawing ``drawing``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .chars import read_chars
from .drawing import read_drawing
from .errors import BrokenPdf, EncryptedPdf
from .intake import MAX_SCAN_PIXELS, read_pdf_bytes, refuse_bombs
from .model import Char, Document, Page, PageKind, Ruling
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
        cover = _image_cover(page, width * height) if images else 0.0
    finally:
        page.close()
    text_chars = [c for c in chars if not c.text.isspace()]
    kind, reason = _page_kind(chars, rulings, cover, settings.grid.min_table_width)
    if kind == "scan" and not width * height * (settings.ocr.dpi / 72) ** 2 <= MAX_SCAN_PIXELS:
        raise BrokenPdf(f"scanned page of {width:g} x {height:g} pt is too large to OCR at "
                        f"{settings.ocr.dpi} dpi", path, index + 1)
    text = "" if reason.startswith(JUNK_LAYER) else "\n".join(
        line_text(ln) for ln in group_lines(text_chars))
    return Page(page_no=index + 1, width=width, height=height, chars=tuple(chars),
                rulings=tuple(rulings), fills=tuple(fills), kind=kind, text=text,
                scan_reason=reason)


JUNK_LAYER = "text layer unreadable"
# Words every Indonesian page of a decree uses, body or table: a text layer that decodes
# to letters but holds none of them is a font's private codes, not the text.
_COMMON_WORDS = frozenset(
    "dan yang di dengan untuk dalam pada atau tentang nomor tahun komisi pemilihan umum "
    "kegiatan ke dari ini itu tersebut adalah sebagai oleh kpu satuan kerja lingkungan".split())


def _page_kind(layer: list[Char], rulings: list[Ruling], image_cover: float,
               min_table_width: float) -> tuple[PageKind, str]:
    """What carries the page, and for a page read from its image (``scan``) why.

    ``layer`` is every glyph of the page's text layer, seen or not. An image over most of
    the page with no ruled table drawn as vectors is a scan, even with a text layer over
    it (a searchable scan's OCR layer, kept for the OCR stage); a text layer that decodes
    to junk is no text at all, so its page is read from its image.
    """
    problem = unreadable_text(layer)
    glyphs = [c for c in layer if not c.text.isspace()]
    if problem:
        return "scan", f"{JUNK_LAYER} ({problem}): read from the page image"
    if image_cover >= 0.5 and not _has_table_rulings(rulings, min_table_width):
        if glyphs:
            return "scan", "scanned page with a text layer: its words used where the image agrees"
        return "scan", "scanned page without a text layer"
    if glyphs:
        return "body", ""
    return "blank", ""


def unreadable_text(chars: list[Char]) -> str:
    """Why a page's text layer is junk, or "" when it reads as text.

    Fonts without a ToUnicode map and with a custom encoding (or Type3 glyphs without
    names) decode to control codes, private-use or unassigned code points; some decode to
    plain letters in a private order, which no Indonesian page's words survive. A few
    unmapped glyphs (ligatures as U+FFFD) leave a page readable. Thresholds measured on
    the fixtures: readable pages have at most 0.5 % such codes and at least 9 % common
    words; junk pages 65-81 % and none.
    """
    ink = [c for c in chars if not c.text.isspace()]
    if not ink:
        return ""
    bad = sum(map(unmapped, (c.text for c in ink)))
    if bad >= 0.3 * len(ink):
        return "fonts without a Unicode map"
    tokens = [w for w in stream_words(chars) if len(w) >= 2]
    if len(tokens) >= 40 and sum(t in _COMMON_WORDS for t in tokens) < 0.02 * len(tokens):
        return "its letters spell no Indonesian words"
    return ""


def unmapped(text: str) -> bool:
    """A glyph decoded to no character: a control, private-use or unassigned code, or U+FFFD."""
    return text == "\ufffd" or unicodedata.category(text[0]) in ("Cc", "Co", "Cn", "Cs")


def stream_words(chars: Sequence[Char]) -> list[str]:
    """Words of a text layer in its own order, which is reading order even where the page
    is printed sideways."""
    return [w for run in stream_runs(chars) for w in words("".join(c.text for c in run))]


def stream_runs(chars: Sequence[Char]) -> list[list[Char]]:
    """The layer's glyphs cut into the runs it writes together: a run ends at a space and
    where the next glyph does not follow on (a new line, which a layer often marks with no
    space at all)."""
    out: list[list[Char]] = []
    prev: Char | None = None
    for c in chars:
        follows = prev is not None and _gap(prev, c) < 0.5 * max(
            c.bottom - c.top, c.x1 - c.x0, prev.bottom - prev.top, prev.x1 - prev.x0)
        if c.text.isspace():
            prev = None
            continue
        if follows and out:
            out[-1].append(c)
        else:
            out.append([c])
        prev = c
    return out


def _gap(a: Char, b: Char) -> float:
    """Distance between two glyph boxes (0 when they touch or overlap)."""
    return (max(0.0, b.x0 - a.x1, a.x0 - b.x1) ** 2
            + max(0.0, b.top - a.bottom, a.top - b.bottom) ** 2) ** 0.5


def _image_cover(page: pdfium.PdfPage, area: float) -> float:
    """Share of the page's area that its largest image covers (a scan covers nearly all)."""
    best = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        best = max(best, (right - left) * (top - bottom))
    return min(1.0, best / area) if area > 0 else 0.0


def _has_table_rulings(rulings: Sequence[Ruling], min_width: float) -> bool:
    h = [r for r in rulings if r.horizontal and r.x1 - r.x0 >= min_width / 4]
    v = [r for r in rulings if not r.horizontal and r.bottom - r.top >= 10]
    return len(h) >= 3 and len(v) >= 3


def _classify(pages: list[Page], min_table_width: float) -> list[Page]:
    """Body, lampiran (ruled plan table), signature, scan or blank, for each page.

    A page is lampiran when it carries a ruled grid and either plan header words or
    follows a lampiran page (continuation pages may have no header at all).
    """
    out: list[Page] = []
    seen_table = False
    for page in pages:
        kind = page.kind
        if kind == "body":
            ruled = _has_table_rulings(page.rulings, min_table_width)
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

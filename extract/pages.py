"""Stage 1: open a decree, read every page's characters and drawing, classify the pages.

pypdfium2 (PDFium, C++) parses the content streams: an order of magnitude faster than a
pure-Python parser, and it decodes symbol fonts (ZapfDingbats ✔) to real code points.
"""
from __future__ import annotations

import ctypes
import hashlib
import re
import zlib
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import BrokenPdf, EncryptedPdf, NotAPdf
from .model import WHITE, Char, Document, Fill, Page, PageKind, Ruling
from .settings import Settings
from .text import group_lines, line_text, words

# Glyphs whose text layer carries a font-private code instead of the mark it draws,
# decided by (font family, code). Word's "Insert Symbol" √ comes out as Symbol/OpenSymbol
# U+F0D6; Wingdings ✓ as U+F0FC or 'ü'; ZapfDingbats ✔ as '4' in readers without its map.
_FONT_GLYPHS: dict[str, dict[int, str]] = {
    "symbol": {0xF0D6: "√", 0xD6: "√", 0xF0B4: "×", 0xB4: "×", 0xF0B7: "•", 0xB7: "•"},
    "wingdings": {0xF0FC: "✓", 0xFC: "✓", 0xF0FB: "✗", 0xFB: "✗", 0xF0FE: "☑", 0xFE: "☑",
                  0xF0A8: "☐", 0xA8: "☐", 0xF06C: "●", 0x6C: "●", 0xF06E: "■", 0x6E: "■"},
    "zapfdingbats": {0x33: "✓", 0x34: "✔", 0x37: "✗", 0x38: "✘"},
    "dingbats": {0x33: "✓", 0x34: "✔", 0x37: "✗", 0x38: "✘"},
}

_PDF_MAGIC = b"%PDF-"
# PDFium inflates a whole stream into memory before parsing it (and aborts the process when
# that allocation fails), so a few MB of deflate can become GBs. Real content streams, fonts
# and even a 600 dpi A3 colour scan (~210 MB) stay below this.
MAX_STREAM_BYTES = 256 << 20
# A page's content may be an array of streams that PDFium joins into one buffer, so many
# streams just under the cap are a bomb too. Scans rarely use deflate for their images.
MAX_INFLATED_BYTES = 1 << 30
# Scanned pages are rendered for OCR; A0 at 200 dpi is 62 Mpx, so anything far above is a
# broken or hostile MediaBox, not a decree.
MAX_SCAN_PIXELS = 100_000_000
_STREAM_DATA = re.compile(rb"(?<!end)stream\r?\n")
_OBJ_HEAD = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_LAMPIRAN_WORDS = re.compile(r"KEGIATAN|INDIKATOR|AREA\s+PERUBAHAN|PELAKSANAAN|JADWAL", re.I)
_SIGNATURE_WORDS = re.compile(r"Ditetapkan\s+di|pada\s+tanggal|Salinan\s+sesuai", re.I)


@cache
def _glyph_table(font: str) -> dict[int, str]:
    """Private codes of one font that stand for marks (looked up once per font name)."""
    family = re.sub(r"^[A-Z]{6}\+", "", font).lower().replace("-", "").replace(" ", "")
    table: dict[int, str] = {}
    for name, glyphs in _FONT_GLYPHS.items():
        if name in family:
            table.update(glyphs)
    return table


def decode_glyph(font: str, code: int) -> str:
    """The character a glyph shows, mapping symbol-font private codes to real marks."""
    mark = _glyph_table(font).get(code)
    if mark is not None:
        return mark
    if 0xF020 <= code <= 0xF0FF:  # other symbol fonts: the low byte is the glyph's code
        return chr(code - 0xF000)
    return chr(code)


def open_document(path: Path | str, settings: Settings | None = None) -> Document:
    """Read and classify every page; raise a typed error for input that is not a usable PDF."""
    settings = settings or Settings()
    path = Path(path)
    data = _read_pdf_bytes(path)
    _refuse_bombs(data, path)
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


def _read_pdf_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise NotAPdf("is a folder, not a PDF file", path) from None
    except OSError as exc:
        raise NotAPdf(f"cannot be read ({exc.strerror or exc})", path) from None
    if not data:
        raise NotAPdf("empty file (0 bytes)", path)
    if _PDF_MAGIC not in data[:1024]:
        raise NotAPdf("not a PDF (no %PDF header)", path)
    return data


def _refuse_bombs(data: bytes, path: Path) -> None:
    """Refuse deflate streams that inflate past MAX_STREAM_BYTES each, or MAX_INFLATED_BYTES
    together, before PDFium sees them.

    Counted in bounded chunks from every ``stream`` keyword, whatever its dictionary says:
    a stream that is not deflate data fails zlib's header check within a few bytes.
    """
    total = 0
    for m in _STREAM_DATA.finditer(data):
        size = _inflated_size(data, m.end(), MAX_STREAM_BYTES)
        total += size
        if size > MAX_STREAM_BYTES:
            heads = list(_OBJ_HEAD.finditer(data, max(0, m.start() - 4096), m.start()))
            where = f"object {int(heads[-1].group(1))}" if heads else "a stream"
            raise BrokenPdf(f"{where} inflates to more than {MAX_STREAM_BYTES >> 20} MB "
                            "(a decompression bomb?); refused", path)
        if total > MAX_INFLATED_BYTES:
            raise BrokenPdf(f"its streams inflate to more than {MAX_INFLATED_BYTES >> 20} MB "
                            "together (a decompression bomb?); refused", path)


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes of deflate output from ``data[start:]``, counting stops just past ``limit``."""
    z = zlib.decompressobj()
    view = memoryview(data)
    size = 0
    pos = start
    try:
        while pos < len(data) and size <= limit and not z.eof:
            pending = view[pos:pos + (1 << 16)]
            pos += len(pending)
            while pending and size <= limit and not z.eof:
                size += len(z.decompress(pending, 1 << 20))
                pending = z.unconsumed_tail
    except zlib.error:
        pass  # not deflate data, or corrupt: PDFium reports what it makes of it
    return size


def _read_page(pdf: pdfium.PdfDocument, index: int, path: Path, settings: Settings) -> Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise BrokenPdf(f"page cannot be read ({exc})", path, index + 1) from None
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            chars = _read_chars(textpage, height)
        finally:
            textpage.close()
        rulings, fills, images = _read_drawing(page, height, settings)
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


def _read_chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    rect = pdfium_c.FS_RECTF()
    chars: list[Char] = []
    last_font_obj = None
    font = ""
    size = 0.0
    clip: tuple[float, float, float, float] | None = None
    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0x0D, 0x0A) or code == 0 or code == 0xFFFE:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            continue
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        obj_key = ctypes.cast(obj, ctypes.c_void_p).value
        if obj_key != last_font_obj:
            pdfium_c.FPDFText_GetFontInfo(raw, i, buf, len(buf), flags)
            font = buf.value.decode("utf-8", "replace")
            clip = _clip_box(obj, height)
            size = pdfium_c.FPDFText_GetFontSize(raw, i)  # one size per text object
            last_font_obj = obj_key
        if clip is not None:  # text a spreadsheet clipped away is not printed on this page
            cx, cy = (rect.left + rect.right) / 2, height - (rect.top + rect.bottom) / 2
            if not (clip[0] - 1 <= cx <= clip[2] + 1 and clip[1] - 1 <= cy <= clip[3] + 1):
                continue
        if code == 0x02:  # PDFium's mark for a hyphen that ends a line
            code = 0x2D
        glyph = " " if code in (0x20, 0xA0, 0x09) else decode_glyph(font, code)
        chars.append(Char(text=glyph, x0=rect.left, top=height - rect.top, x1=rect.right,
                          bottom=height - rect.bottom, font=font, size=size))
    return chars


def _clip_box(obj, height: float) -> tuple[float, float, float, float] | None:
    """Bounding box (top-left origin) of a page object's clip path, if it has one."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    xs: list[float] = []
    ys: list[float] = []
    for k in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        for j in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, k)):
            seg = pdfium_c.FPDFClipPath_GetPathSegment(clip, k, j)
            if seg and pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                xs.append(x.value)
                ys.append(height - y.value)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def _read_drawing(page: pdfium.PdfPage, height: float,
                  settings: Settings) -> tuple[list[Ruling], list[Fill], int]:
    """Rulings and filled areas of a page, in page coordinates (forms flattened)."""
    rulings: list[Ruling] = []
    fills: list[Fill] = []
    images = 0
    thick = settings.grid.max_ruling_thickness

    def walk(objs, ctm: tuple[float, ...]) -> None:
        nonlocal images
        for obj in objs:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            matrix = _concat(_obj_matrix(obj), ctm)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                walk((pdfium_c.FPDFFormObj_GetObject(obj, j) for j in range(count)), matrix)
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                _read_path(obj, matrix, height, thick, rulings, fills)

    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    walk((pdfium_c.FPDFPage_GetObject(page.raw, j) for j in range(count)), (1, 0, 0, 1, 0, 0))
    return rulings, fills, images


def _obj_matrix(obj) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return (1, 0, 0, 1, 0, 0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _concat(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _color(getter, obj) -> tuple[int, int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return (0, 0, 0, 255)
    return (r.value, g.value, b.value, a.value)


def _read_path(obj, m: tuple[float, ...], height: float, thick: float,
               rulings: list[Ruling], fills: list[Fill]) -> None:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
    if not fill_mode.value and not stroke.value:
        return
    subpaths = _subpaths(obj, m, height)
    if fill_mode.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetFillColor, obj)
        for pts in subpaths:
            box = _axis_rect(pts)
            if box is None or a == 0:
                continue
            x0, top, x1, bottom = box
            if min(x1 - x0, bottom - top) <= thick:
                if (r, g, b) != WHITE:
                    rulings.append(Ruling(x0, top, x1, bottom))
            else:
                fills.append(Fill(bbox=box, color=(r, g, b)))
    if stroke.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
        if (r, g, b) == WHITE or a == 0:
            return
        for pts in subpaths:
            for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
                if abs(ya - yb) < 0.5 or abs(xa - xb) < 0.5:
                    rulings.append(Ruling(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))


def _subpaths(obj, m: tuple[float, ...], height: float) -> list[list[tuple[float, float]]]:
    """Straight-segment polylines of a path in top-left page coordinates; curves end a run."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        pt = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(cur) > 1:
                out.append(cur)
            cur = [pt]
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            cur.append(pt)
        else:  # bezier: not a ruling
            if len(cur) > 1:
                out.append(cur)
            cur = [pt]
            continue
        if pdfium_c.FPDFPathSegment_GetClose(seg) and cur:
            cur.append(cur[0])
    if len(cur) > 1:
        out.append(cur)
    return out


def _axis_rect(pts: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The bbox of a closed axis-aligned rectangle, else None."""
    if len(pts) < 4:
        return None
    for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
        if abs(xa - xb) > 0.5 and abs(ya - yb) > 0.5:
            return None
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def _has_table_rulings(page: Page, min_width: float) -> bool:
    h = [r for r in page.rulings if r.horizontal and r.x1 - r.x0 >= min_width / 4]
    v = [r for r in page.rulings if not r.horizontal and r.bottom - r.top >= 10]
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
            ruled = _has_table_rulings(page, min_table_width)
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
    return Page(page.page_no, page.width, page.height, page.chars, page.rulings, page.fills,
                kind, page.text)

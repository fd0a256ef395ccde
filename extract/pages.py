"""Stage 1: open a decree, read every page's characters and drawing, classify the pages.

pypdfium2 (PDFium, C++) parses the content streams: an order of magnitude faster than a
pure-Python parser, and it decodes symbol fonts (ZapfDingbats ✔) to real code points.
The input guard is ``intake``, the text layer ``chars``, the vector drawing ``drawing``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .chars import place_glyphs, read_glyphs, upright_turn
from .drawing import read_drawing
from .errors import BrokenPdf, EncryptedPdf
from .geometry import display, page_box
from .intake import MAX_SCAN_PIXELS, read_pdf_bytes, refuse_bombs
from .model import Char, Document, Page, PageKind, Ruling
from .settings import Settings
from .text import UNREADABLE, Word, group_lines, tokens, words

_LAMPIRAN_WORDS = re.compile(r"KEGIATAN|INDIKATOR|AREA\s+PERUBAHAN|PELAKSANAAN|JADWAL", re.I)
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_SIGNATURE_WORDS = re.compile(r"Ditetapkan\s+di|pada\s+tanggal|Salinan\s+sesuai", re.I)


def open_document(path: Path | str, settings: Settings | None = None,
                  on_lampiran: Callable[[Page], Page] | None = None) -> Document:
    """Read and classify every page; raise a typed error for input that is not a usable PDF.

    Pages are read one by one and classified as they come (a page's kind depends on the
    pages before it only); ``on_lampiran`` sees each ruled lampiran page as soon as it is
    classified and returns what the document keeps of it.
    """
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
    pages: list[Page] = []
    words: set[str] = set()
    seen_table = False
    try:
        n = len(pdf)
        if n == 0:
            raise BrokenPdf("the PDF has no pages", path)
        if n > settings.max_pages:
            raise BrokenPdf(f"{n} pages is more than the limit of {settings.max_pages}", path)
        for i in range(n):
            page, runs = _read_page(pdf, i, path, settings)
            page = _classified(page, seen_table, settings.grid.min_table_width)
            seen_table = seen_table or page.kind == "lampiran"
            words |= lexicon(runs)
            pages.append(on_lampiran(page) if on_lampiran and page.kind == "lampiran" else page)
    finally:
        pdf.close()
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(), pages=tuple(pages),
                    password=settings.password, lexicon=frozenset(words))


def lexicon(runs: Iterable[tuple[Sequence[str], bool, bool]]) -> frozenset[str]:
    """Words printed whole: between ordinary word spaces, first in a cell, or last on a line
    that had room for more. Another run's first word and a full line's last word may be
    pieces of a word a line break cut, so they are left out; so is a cell's first word in
    lower case, which at the top of a page is the rest of a word the page break cut
    ("ulasi" of "Deregulasi"), where a cell's own text starts with a capital or a number.
    ``runs`` are ``(words, first line of a cell, ends with room)`` (``word_runs``);
    hyphenated forms ("nilai-nilai") are kept too."""
    out: set[str] = set()
    for run, first, room in runs:
        whole_first = first and not run[0][:1].islower()
        inner = run[0 if whole_first else 1: None if room and not run[-1].endswith("-") else -1]
        for token in inner:
            out.update(words(token))
            out.update(_HYPHENATED.findall(token.lower()))
    return frozenset(out)


def word_runs(lines: Sequence[Sequence[Char]], line_words: Sequence[Sequence[Word]],
              rulings: Sequence[Ruling]) -> Iterator[tuple[list[str], bool, bool]]:
    """Each printed line (its characters as ``group_lines`` gives them, and its ``tokens``)
    cut where a table's columns part it: at a vertical ruling between two words or a gap
    wider than an em. With each run: whether a ruling runs right above it (the first line of
    a cell: its first word was not cut) and whether it stops more than 1.5 em short of the
    ruling to its right (a line with that much room was not full: its last word was not cut).
    """
    upright = [r for r in rulings if not r.horizontal]
    flat = [r for r in rulings if r.horizontal]
    for line, found in zip(lines, line_words):
        top, bottom = min(c.top for c in line), max(c.bottom for c in line)
        size = max(c.size for c in line)
        walls = sorted((r.x0 + r.x1) / 2 for r in upright if r.top < bottom and r.bottom > top)
        above = [r for r in flat if r.top <= top and top - r.bottom < 0.9 * (bottom - top)]
        runs: list[list[Word]] = []
        for word in found:
            if runs and (word[1] - runs[-1][-1][2] > size
                         or _wall_between(walls, runs[-1][-1][2], word[1])):
                runs.append([word])
            elif runs:
                runs[-1].append(word)
            else:
                runs.append([word])
        for run in runs:
            x0, x1 = run[0][1], run[-1][2]
            yield ([w for w, _, _ in run], any(r.x0 <= x0 and r.x1 >= x1 for r in above),
                   _room(x1, walls, size))


def _wall_between(walls: Sequence[float], x0: float, x1: float) -> bool:
    """A wall of the sorted ``walls`` at ``x0`` or ``x1`` or between them."""
    i = bisect_left(walls, x0)
    return i < len(walls) and walls[i] <= x1


def _room(x1: float, walls: Sequence[float], size: float) -> bool:
    i = bisect_left(walls, x1)  # the first wall right of x1
    return i < len(walls) and walls[i] - x1 > 1.5 * size


def hidden_text_warnings(doc: Document) -> list[str]:
    """One line per page whose text layer holds characters a reader cannot see, with how
    many and why; scanned pages are left out (their invisible layer is the OCR text)."""
    out = []
    for page in doc.pages:
        if page.kind == "scan" or not page.hidden_why:
            continue
        total = sum(n for _, n in page.hidden_why)
        detail = ", ".join(f"{why}: {n}" for why, n in page.hidden_why)
        out.append(f"page {page.page_no}: {total} characters that cannot be seen were "
                   f"ignored ({detail})")
    return out


def _read_page(pdf: pdfium.PdfDocument, index: int, path: Path,
               settings: Settings) -> tuple[Page, list[tuple[list[str], bool, bool]]]:
    """The page, and its text cut into word runs for the document's lexicon."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise BrokenPdf(f"page cannot be read ({exc})", path, index + 1) from None
    try:
        textpage = page.get_textpage()
        try:
            glyphs = read_glyphs(page, textpage)
        finally:
            textpage.close()
        rotation = page.get_rotation()
        geo = display(page_box(page), rotation, upright_turn(glyphs, rotation))
        rulings, fills, images = read_drawing(page, geo.matrix, settings)
        cover = _image_cover(page, geo.width * geo.height) if images else 0.0
    finally:
        page.close()
    chars, hidden, why = place_glyphs(glyphs, geo, fills)
    width, height = geo.width, geo.height
    text_chars = [c for c in chars if not c.text.isspace()]
    kind, reason = _page_kind([*chars, *hidden], rulings, cover, settings.grid.min_table_width)
    if kind == "scan" and not width * height * (settings.ocr.dpi / 72) ** 2 <= MAX_SCAN_PIXELS:
        raise BrokenPdf(f"scanned page of {width:g} x {height:g} pt is too large to OCR at "
                        f"{settings.ocr.dpi} dpi", path, index + 1)
    if reason.startswith(JUNK_LAYER):  # its letters are no text: nothing to read as words
        text_chars = []
    lines = group_lines(text_chars)
    line_words = [tokens(ln) for ln in lines]
    # a glyph without a character (an unread ligature) is no letter of the page's text
    text = "\n".join(" ".join(w for w, _, _ in found) for found in line_words)
    text = text.replace(UNREADABLE, "")
    return Page(page_no=index + 1, width=width, height=height, chars=tuple(chars),
                rulings=tuple(rulings), fills=tuple(fills), kind=kind, text=text,
                hidden=tuple(hidden), hidden_why=tuple(sorted(why.items())),
                scan_reason=reason), list(word_runs(lines, line_words, rulings))


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
    if image_cover >= 0.5 and not has_table_rulings(rulings, min_table_width):
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
    ink = [c.text for c in chars if not c.text.isspace()]
    if not ink:
        return ""
    letters = "".join(ink)
    # printable text has no control, private-use or unassigned code: only U+FFFD to count
    bad = ink.count("\ufffd") if letters.isprintable() else sum(map(unmapped, ink))
    if bad >= 0.3 * len(ink):
        return "fonts without a Unicode map"
    # Every token takes two letters or more, so ``len(letters) // 2`` bounds their number:
    # once the common words reach 2 % of that bound, the page reads, whatever the rest says.
    enough = 0.02 * (len(letters) // 2)
    seen = common = 0
    for word in stream_words(chars):
        if len(word) >= 2:
            seen += 1
            common += word in _COMMON_WORDS
            if common >= enough:
                return ""
    if seen >= 40 and common < 0.02 * seen:
        return "its letters spell no Indonesian words"
    return ""


def unmapped(text: str) -> bool:
    """A glyph decoded to no character: a control, private-use or unassigned code, or U+FFFD."""
    return text == "\ufffd" or unicodedata.category(text[0]) in ("Cc", "Co", "Cn", "Cs")


def stream_words(chars: Sequence[Char]) -> Iterator[str]:
    """Words of a text layer in its own order, which is reading order even where the page
    is printed sideways."""
    return (w for run in stream_runs(chars) for w in words("".join(c.text for c in run)))


def stream_runs(chars: Sequence[Char]) -> Iterator[list[Char]]:
    """The layer's glyphs cut into the runs it writes together: a run ends at a space and
    where the next glyph does not follow on (a new line, which a layer often marks with no
    space at all)."""
    run: list[Char] = []
    prev: Char | None = None
    for c in chars:
        if c.text.isspace():
            prev = None
            continue
        if prev is not None and _gap(prev, c) < 0.5 * max(
                c.bottom - c.top, c.x1 - c.x0, prev.bottom - prev.top, prev.x1 - prev.x0):
            run.append(c)
        else:
            if run:
                yield run
            run = [c]
        prev = c
    if run:
        yield run


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


def has_table_rulings(rulings: Sequence[Ruling], min_width: float, min_rows: int = 2) -> bool:
    """Enough long lines across and down the page to rule a table of ``min_rows`` rows."""
    h = [r for r in rulings if r.horizontal and r.x1 - r.x0 >= min_width / 4]
    v = [r for r in rulings if not r.horizontal and r.bottom - r.top >= 10]
    return len(h) >= min_rows + 1 and len(v) >= 3


def _classified(page: Page, seen_table: bool, min_table_width: float) -> Page:
    """``page`` as body, lampiran (ruled plan table), signature, scan or blank, given whether
    a lampiran page came before it (``seen_table``).

    A page is lampiran when it carries a ruled grid and either plan header words or
    follows a lampiran page (continuation pages may have no header at all; the last may
    hold a single row above the signature).
    """
    kind = page.kind
    if kind == "body":
        ruled = has_table_rulings(page.rulings, min_table_width, 1 if seen_table else 2)
        if ruled and (_LAMPIRAN_WORDS.search(page.text) or seen_table):
            kind = "lampiran"
        elif seen_table and _SIGNATURE_WORDS.search(page.text):
            kind = "signature"
    return _with_kind(page, kind)


def _with_kind(page: Page, kind: PageKind) -> Page:
    if kind == page.kind:
        return page
    return replace(page, kind=kind)

"""The whole job for one decree: the stages in order. This is all the CLI calls."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .diagnose import header_failure, no_table
from .errors import HeaderNotRecognised, NoLampiran, NoRowsAccepted, RenaksiError
from .grid import GridDraft, RulingLines, find_grids
from .header import map_header
from .metadata import read_metadata
from .model import ColumnMap, Document, Page, PageGrid, Result, Stopped
from .normalise import absent_columns, doc_slug, normalise, raw_marks
from .pages import hidden_text_warnings, open_document
from .settings import Settings
from .stitch import TablePage, stitch
from .text import drop_unreadable, group_lines, line_text
from .validate import Checked, validate


def _drafted(page: Page, settings: Settings, drafts: dict[int, GridDraft | None]) -> Page:
    """A ruled lampiran page drafted as soon as it is read (``RulingLines.draft``) and kept
    without the glyphs inside its table: a decree's memory then grows with its cells' words,
    not with every glyph of a lampiran of hundreds of pages."""
    draft = drafts[page.page_no] = RulingLines().draft(page, settings)
    if draft is None:
        return page
    x0, top, x1, bottom = draft.bbox
    return replace(page, chars=tuple(c for c in page.chars if not (
        x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom)))


def _text_outside(page: Page) -> str:
    """Title block and signature around a table: a drafted page keeps only the glyphs
    outside its table (``_drafted``)."""
    chars = [c for c in page.chars if not c.text.isspace()]
    return "\n".join(line_text(ln) for ln in group_lines(chars))


OnProgress = Callable[[int, int], None]  # (scanned pages read, scanned pages to read)


class _ScanProgress:
    """Counts scanned pages as they are read and tells ``on_progress`` after each one.

    Every scanned page is read once for a table; a page without one is read again for
    its text, so the total grows by those pages once the tables are done.
    """

    def __init__(self, doc: Document, on_progress: OnProgress | None):
        self.total = sum(p.kind == "scan" for p in doc.pages)
        self.done = 0
        self._tell = on_progress
        self._lock = threading.Lock()  # pages finish on the OCR threads

    def page_done(self, page_no: int) -> None:
        with self._lock:
            self.done += 1
            if self._tell is not None:
                self._tell(self.done, max(self.total, self.done))


def _texts(doc: Document, grids: list[PageGrid], settings: Settings,
           progress: _ScanProgress) -> list[str]:
    by_page = {g.page_no: g for g in grids}
    # the first table page's LAMPIRAN block repeats the decree's number: a second reading
    # of what OCR may have misread in the title block
    above = {grids[0].page_no: grids[0].bbox[1]} if grids[0].source == "ocr" else {}
    scanned = [p for p in doc.pages
               if p.kind == "scan" and (p.page_no not in by_page or p.page_no in above)]
    read: dict[int, str] = {}
    if scanned:
        from .ocr import page_texts  # Tesseract only for scanned pages

        progress.total += len(scanned)  # read once more, now for their text
        read = page_texts(doc, scanned, settings, progress.page_done, above)
    texts = []
    for page in doc.pages:
        grid = by_page.get(page.page_no)
        if page.kind == "scan":
            if page.page_no in read:
                texts.append(read[page.page_no])
        elif grid is not None:
            texts.append(_text_outside(page))
        else:
            texts.append(page.text)
    return texts


def review_hint(path: Path) -> str:
    """How a KPU staff member sees what renaksi saw on the pages."""
    return f"see it with `renaksi review {path}`"


def _unread_scans(doc: Document, grids: list[PageGrid], path: Path) -> list[str]:
    """A line for every scanned page inside the table whose grid could not be read: its rows
    are missing, and nothing is dropped without a line."""
    found = {g.page_no for g in grids}
    first, last = grids[0].page_no, grids[-1].page_no
    return [f"p.{p.page_no}: no table lines could be seen on this scanned page, so its rows "
            f"are missing; {review_hint(path)}"
            for p in doc.pages if p.kind == "scan" and first < p.page_no < last
            and p.page_no not in found]


def _how_read(doc: Document) -> list[tuple[int, str, str]]:
    """(page, metode, why) of every page: its text layer, or OCR of its image and why."""
    return [(p.page_no, "ocr", p.scan_reason) if p.kind == "scan" else (p.page_no, "text", "")
            for p in doc.pages]


def _stopped(exc: RenaksiError, doc: Document, grids: list[PageGrid],
             cmaps: list[ColumnMap]) -> RenaksiError:
    """``exc`` carrying what was read before it, so a review can show where and why."""
    exc.path = exc.path or doc.path  # the stages know the page, the pipeline the file
    exc.stopped = Stopped(doc, tuple(grids), tuple(cmaps), exc.page)
    return exc


def run(path: Path | str, settings: Settings | None = None,
        on_progress: OnProgress | None = None) -> Result:
    """Extract one decree; raises a typed RenaksiError naming the file and page on failure,
    carrying what was read before it (``Stopped``) for the review.

    ``on_progress(done, total)`` hears every scanned page as its OCR is done.
    """
    settings = settings or Settings()
    path = Path(path)
    drafts: dict[int, GridDraft | None] = {}
    doc = open_document(path, settings, lambda page: _drafted(page, settings, drafts))
    # a refusal says why from every glyph: read again if some were let go
    slimmed = any(d is not None for d in drafts.values())
    progress = _ScanProgress(doc, on_progress)
    try:
        grids = find_grids(doc, settings, progress.page_done, drafts)
        drafts.clear()  # their words are the grids' text now
    except NoLampiran:
        doc = open_document(path, settings) if slimmed else doc
        raise _stopped(no_table(doc, settings.grid.min_table_width), doc, [], []) from None
    pages: list[TablePage] = []
    cmap = None
    for grid in grids:
        try:
            cmap = map_header(grid, cmap)
        except HeaderNotRecognised as exc:
            doc = open_document(path, settings) if slimmed else doc
            raise _stopped(header_failure(doc, grid, exc), doc, grids,
                           [p.cmap for p in pages]) from None
        pages.append(TablePage(grid, cmap))
    rows, unreadable = drop_unreadable(stitch(pages, doc.lexicon))
    meta = read_metadata(_texts(doc, grids, settings, progress))
    # no instansi: the file name is no identity, so two "lampiran.pdf" must not collide
    doc_id = doc_slug(meta.instansi, meta.tahun, meta.nomor, fallback=f"{path.stem}-{doc.sha256[:8]}")
    absent = absent_columns(pages[0].cmap, rows)
    table = normalise(rows, pages[0].cmap, doc_id)
    checked = validate(table, raw_marks(rows, pages[0].cmap), absent)
    if not len(checked.table):
        raise NoRowsAccepted(_none_accepted(checked), path, grids[0].page_no)
    ocr = any(g.source == "ocr" for g in grids)
    low = [i for i, r in enumerate(rows, start=1)
           if r.confidence is not None and r.confidence < settings.ocr.min_confidence]
    return Result(
        doc_id=doc_id, source=path, sha256=doc.sha256, meta=meta, table=checked.table,
        rejected=checked.rejected, rejects=checked.rejects,
        warnings=[*meta.warnings, *checked.warnings, *unreadable, *hidden_text_warnings(doc),
                  *_unread_scans(doc, grids, path)],
        halaman=len(doc.pages), halaman_lampiran=(grids[0].page_no, grids[-1].page_no),
        metode="ocr" if ocr else "text", low_confidence_rows=low, rows=rows, grids=grids,
        pages_read=_how_read(doc), kolom_absen=absent)


def _none_accepted(checked: Checked) -> str:
    """Why a table gave no row: how many were read and the commonest reason they failed."""
    n = len(checked.rejected)
    if not n:
        return "the table has no plan rows under its header"
    reasons = Counter(r.reason for r in checked.rejects)
    reason = reasons.most_common(1)[0][0] if reasons else "failed validation"
    return f"none of the table's {n} rows passed validation (most often: {reason})"

"""The whole job for one decree: the stages in order. This is all the CLI calls."""
from __future__ import annotations

from pathlib import Path

from .diagnose import header_failure, no_table
from .errors import HeaderNotRecognised, NoLampiran, RenaksiError
from .grid import find_grids
from .header import map_header
from .metadata import read_metadata
from .model import ColumnMap, Document, Page, PageGrid, Result, Stopped
from .normalise import doc_slug, normalise, raw_marks
from .pages import hidden_text_warnings, open_document
from .settings import Settings
from .stitch import TablePage, stitch
from .text import drop_unreadable, group_lines, line_text
from .validate import validate

def _text_outside(page: Page, grid: PageGrid) -> str:
    """Title block and signature around a table, without the table's own words."""
    x0, top, x1, bottom = grid.bbox
    chars = [c for c in page.chars if not c.text.isspace() and not (
        x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom)]
    return "\n".join(line_text(ln) for ln in group_lines(chars))


def _texts(doc: Document, grids: list[PageGrid], settings: Settings) -> list[str]:
    by_page = {g.page_no: g for g in grids}
    texts = []
    for page in doc.pages:
        grid = by_page.get(page.page_no)
        if page.kind == "scan":
            if grid is None:
                from .ocr import page_text  # Tesseract only for scanned pages

                texts.append(page_text(doc, page.page_no, settings))
        elif grid is not None:
            texts.append(_text_outside(page, grid))
        else:
            texts.append(page.text)
    return texts


def _stopped(exc: RenaksiError, doc: Document, grids: list[PageGrid],
             cmaps: list[ColumnMap]) -> RenaksiError:
    """``exc`` carrying what was read before it, so a review can show where and why."""
    exc.path = exc.path or doc.path  # the stages know the page, the pipeline the file
    exc.stopped = Stopped(doc, tuple(grids), tuple(cmaps), exc.page)
    return exc


def run(path: Path | str, settings: Settings | None = None) -> Result:
    """Extract one decree; raises a typed RenaksiError naming the file and page on failure."""
    settings = settings or Settings()
    path = Path(path)
    doc = open_document(path, settings)
    try:
        grids = find_grids(doc, settings)
    except NoLampiran:
        raise _stopped(no_table(doc, settings.grid.min_table_width), doc, [], []) from None
    pages: list[TablePage] = []
    cmap = None
    for grid in grids:
        try:
            cmap = map_header(grid, cmap)
        except HeaderNotRecognised as exc:
            raise _stopped(header_failure(doc, grid, exc), doc, grids,
                           [p.cmap for p in pages]) from None
        pages.append(TablePage(grid, cmap))
    rows, unreadable = drop_unreadable(stitch(pages))
    meta = read_metadata(_texts(doc, grids, settings))
    # no instansi: the file name is no identity, so two "lampiran.pdf" must not collide
    doc_id = doc_slug(meta.instansi, meta.tahun, meta.nomor, fallback=f"{path.stem}-{doc.sha256[:8]}")
    table = normalise(rows, pages[0].cmap, doc_id)
    checked = validate(table, raw_marks(rows, pages[0].cmap))
    ocr = any(g.source == "ocr" for g in grids)
    low = [i for i, r in enumerate(rows, start=1)
           if r.confidence is not None and r.confidence < settings.ocr.min_confidence]
    return Result(
        doc_id=doc_id, source=path, sha256=doc.sha256, meta=meta, table=checked.table,
        rejected=checked.rejected, rejects=checked.rejects,
        warnings=[*meta.warnings, *checked.warnings, *unreadable, *hidden_text_warnings(doc)],
        halaman=len(doc.pages), halaman_lampiran=(grids[0].page_no, grids[-1].page_no),
        metode="ocr" if ocr else "text", low_confidence_rows=low, rows=rows, grids=grids)

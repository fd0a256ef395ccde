"""The developer's picture of one page: what the grid finder saw, drawn over the page.

Like pdfplumber's ``to_image().debug_tablefinder()``, so a missing ruling, a wrong span or a
cell cut in two shows at a glance instead of as a wrong value three stages later. PDFium
rendering and PIL are imported only when a picture is asked for.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BrokenPdf, EncryptedPdf, PageNotFound
from .model import RGB, Document, PageGrid
from .settings import Settings

if TYPE_CHECKING:
    from PIL.Image import Image

RULING: RGB = (220, 40, 40)
CELL: RGB = (30, 100, 220)
SPAN: RGB = (255, 150, 0)  # a cell covering several grid rows or columns
FULL: RGB = (0, 150, 70)  # text reaching the bottom edge: may go on past the page break


def render_pages(path: Path, page_nos: Sequence[int], max_width: int,
                 password: str | None = None) -> Iterator[tuple[int, Image, float]]:
    """(page_no, picture, pixels per point) with the picture at most ``max_width`` wide."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        kind = EncryptedPdf if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD else BrokenPdf
        raise kind(f"cannot be opened for rendering ({exc})", path) from None
    try:
        for page_no in page_nos:
            if not 1 <= page_no <= len(pdf):
                raise PageNotFound(f"no page {page_no}: the PDF has {len(pdf)} pages", path)
            page = pdf[page_no - 1]
            try:
                scale = min(2.0, max_width / page.get_width())
                yield page_no, page.render(scale=scale).to_pil().convert("RGB"), scale
            finally:
                page.close()
    finally:
        pdf.close()


def draw_grid(doc_or_path: Document | Path | str, page_no: int, grid: PageGrid | None = None,
              settings: Settings | None = None, max_width: int = 1600) -> Image:
    """The page with its rulings, its cells and, in their own colours, spanning and full cells.

    Without ``grid`` the page's own finder (rulings, or OCR for a scan) is run on it, so any
    page can be looked at, also one the classifier did not take for a table.
    """
    from PIL import ImageDraw

    settings = settings or Settings()
    doc = doc_or_path if isinstance(doc_or_path, Document) else _open(Path(doc_or_path), settings)
    if not 1 <= page_no <= len(doc.pages):
        raise PageNotFound(f"no page {page_no}: the PDF has {len(doc.pages)} pages", doc.path)
    if grid is None:
        grid = _find_grid(doc, page_no, settings)
    _, image, scale = next(render_pages(doc.path, [page_no], max_width, doc.password))
    pen = ImageDraw.Draw(image, "RGBA")  # RGBA pen on an RGB picture: fills blend

    def px(box: Sequence[float]) -> list[float]:
        return [v * scale for v in box]

    rulings = grid.rulings if grid and grid.rulings else doc.pages[page_no - 1].rulings
    for r in rulings:  # a scan's rulings exist only as the lines the OCR grid found
        pen.rectangle(px((r.x0, r.top, r.x1, r.bottom)), outline=(*RULING, 160), width=3)
    for cell in grid.cells if grid else ():
        spans = cell.rowspan > 1 or cell.colspan > 1
        pen.rectangle(px(cell.bbox), fill=(*SPAN, 50) if spans else None,
                      outline=FULL if cell.full else CELL, width=1)
    return image


def _open(path: Path, settings: Settings) -> Document:
    from .pages import open_document

    return open_document(path, settings)


def _find_grid(doc: Document, page_no: int, settings: Settings) -> PageGrid | None:
    from .grid import FINDERS, finder_for

    page = doc.pages[page_no - 1]
    if page.kind == "blank":
        return None
    return FINDERS[finder_for(page)]().find(doc, page, settings)

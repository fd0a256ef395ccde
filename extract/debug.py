"""The developer's picture of one page: what the grid finder saw, drawn over the page.

Like pdfplumber's ``to_image().debug_tablefinder()``, so a missing ruling, a wrong span or a
cell cut in two shows at a glance instead of as a wrong value three stages later. PDFium
rendering and PIL are imported only when a picture is asked for.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BrokenPdf, EncryptedPdf, OutputError, PageNotFound
from .model import RGB, Document, PageGrid
from .settings import Settings

if TYPE_CHECKING:
    from PIL.Image import Image

RULING: RGB = (220, 40, 40)
CELL: RGB = (30, 100, 220)
SPAN: RGB = (255, 150, 0)  # a cell covering several grid rows or columns
FULL: RGB = (0, 150, 70)  # text reaching the bottom edge: may go on past the page break
MAX_SIDE = 16383  # pixels: WebP's limit, and far beyond a readable page
MAX_PIXELS = 40_000_000  # an A4 page at 2x is 2 Mpx; a hostile page box must not take GBs


def picture_scale(width: float, height: float, max_width: int) -> float | None:
    """Pixels per point for a page of ``width`` x ``height`` points: at most 2 and
    ``max_width`` pixels wide, and within MAX_SIDE and MAX_PIXELS however the page box is
    shaped; None when the page has no area (zero, negative or not a number)."""
    if not (0 < width < math.inf and 0 < height < math.inf):
        return None
    return min(2.0, max_width / width, MAX_SIDE / height, math.sqrt(MAX_PIXELS / (width * height)))


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
                scale = picture_scale(page.get_width(), page.get_height(), max_width)
                if scale is None:
                    raise BrokenPdf(f"the page has no area to draw ({page.get_width():g} x "
                                    f"{page.get_height():g} pt; a CropBox outside the MediaBox?)",
                                    path, page_no)
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
    from .grid import FINDERS

    page = doc.pages[page_no - 1]
    if page.kind == "blank":
        return None
    return FINDERS["ocr" if page.kind == "scan" else "lines"]().find(doc, page, settings)


def save_grid(pdf: Path, page_no: int, target: Path, password: str | None = None) -> Path:
    """``draw_grid`` of one page of ``pdf`` saved as ``target``; returns ``target``."""
    save_picture(draw_grid(pdf, page_no, settings=Settings(password=password)), target, pdf)
    return target


def save_picture(image: Image, target: Path, source: Path) -> None:
    """``image`` as ``target`` in the format its suffix names, replaced in one step.

    Raises OutputError (a folder, an unknown suffix, a full or read-only disk)."""
    from PIL import Image as PilImage

    from .write import atomic_path

    fmt = PilImage.registered_extensions().get(target.suffix.lower())
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name such as page.png", source)
    if fmt is None:
        raise OutputError(f"cannot write {target}: no picture format ends in "
                          f"'{target.suffix}'; use .png", source)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            image.save(tmp, format=fmt)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise OutputError(f"cannot write {target} ({reason})", source) from None

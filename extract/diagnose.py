"""Why a decree was refused: the cause a KPU staff member can act on, on the page it shows.

The stages stop at the first thing they cannot do (no grid, no header); that says where
they stopped, not why. These checks look at the pages again for causes a person can fix:
a text layer whose letters decode to nothing, a table printed sideways, table lines that
do not join into a grid, a table that is not a plan, no table at all.
"""
from __future__ import annotations

import re
from statistics import median

from .errors import HeaderNotRecognised, NoLampiran, RenaksiError, TableSideways, TextLayerUnreadable
from .model import Document, Page, PageGrid
from .pages import has_table_rulings, unreadable_text

# A plan table's header, in the capitals it is printed in (a body mentions "kegiatan" too).
_HEADER_WORDS = re.compile(r"\b(KEGIATAN|INDIKATOR|PELAKSANAAN|JADWAL|AREA PERUBAHAN|KET\.)")
SIDEWAYS_ASPECT = 1.0  # glyph box width / height: upright text ~0.7, turned a quarter ~1.3


def unreadable(page: Page) -> bool:
    """The page's text layer, seen or not, decodes to no letters (``pages.unreadable_text``)."""
    return bool(unreadable_text([*page.chars, *page.hidden]))


def sideways(page: Page) -> bool:
    """The glyph boxes are wider than tall: the text runs top to bottom."""
    ratios = [(c.x1 - c.x0) / (c.bottom - c.top) for c in page.chars
              if c.text.isalnum() and c.bottom - c.top > 0.5]
    return len(ratios) >= 50 and median(ratios) > SIDEWAYS_ASPECT


def no_table(doc: Document, min_table_width: float) -> NoLampiran:
    """The refusal for a decree in which no table grid was found, naming its cause."""
    ruled = [p for p in doc.pages if has_table_rulings(p.rulings, min_table_width)]
    for page in ruled:
        if unreadable(page):
            return TextLayerUnreadable(path=doc.path, page=page.page_no)
        if sideways(page):
            return TableSideways(path=doc.path, page=page.page_no)
    worded = [p for p in doc.pages if len(set(_HEADER_WORDS.findall(p.text))) >= 3]
    if worded and not ruled:
        return NoLampiran("the table's ruling lines cannot be followed into a grid (drawn as "
                          "dots or broken pieces, or the table is a scanned picture)", doc.path,
                          worded[0].page_no)
    if ruled:
        return NoLampiran("the ruled table is not a rencana-aksi table: no KEGIATAN, INDIKATOR "
                          "or PELAKSANAAN column", doc.path, ruled[0].page_no)
    scans = [p.page_no for p in doc.pages if p.kind == "scan"]
    if scans:
        where = f"p.{scans[0]}" if len(scans) == 1 else f"pp.{scans[0]}-{scans[-1]}"
        return NoLampiran(f"no ruled rencana-aksi table could be seen in the scanned pages "
                          f"({where}): its lines may be too faint, broken or cut off by the "
                          "scanner", doc.path, scans[0])
    n = len(doc.pages)
    return NoLampiran(f"no rencana-aksi table in the decree ({n} page{'s' * (n != 1)}): its "
                      "LAMPIRAN with the ruled table is missing", doc.path)


def header_failure(doc: Document, grid: PageGrid, exc: HeaderNotRecognised) -> RenaksiError:
    """The cause of a header that could not be mapped: text that cannot be read where the
    table starts; a table page before this one whose grid was not found (its header is the
    one that counts); else the header itself."""
    earlier = next((p for p in doc.pages if p.kind == "lampiran" and p.page_no < grid.page_no),
                   None)  # a scan's pages are all "scan": which hold the table, only OCR tells
    start = earlier or doc.pages[grid.page_no - 1]
    if unreadable(start):
        return TextLayerUnreadable(path=doc.path, page=start.page_no)
    if sideways(start):
        return TableSideways(path=doc.path, page=start.page_no)
    if earlier is not None:
        return NoLampiran("the table's lines on its first page cannot be followed into a grid, "
                          "so its header was not read", doc.path, earlier.page_no)
    exc.path = exc.path or doc.path
    return exc

"""The small typed objects handed from one stage to the next.

Coordinates are PDF points with the origin at the top-left of the page (pdfplumber's
convention), so ``top < bottom`` and a bbox is ``(x0, top, x1, bottom)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BBox = tuple[float, float, float, float]
RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)  # paper: neither a ruling nor a shading
PageKind = Literal["body", "lampiran", "signature", "scan", "blank"]
MONTHS = tuple(f"bulan_{m:02d}" for m in range(1, 13))  # the contract's schedule columns


@dataclass(slots=True, eq=False)
class Char:
    """One glyph as displayed: ``text`` is what it reads as (a ligature reads as its letters),
    ``size`` its effective font size in points (font size times the text matrix's scale).

    Treated as immutable but not frozen: a decree has some 30,000 of them, and a frozen
    dataclass's ``__init__`` costs four times a plain one's. Compared by identity: one glyph
    is one object."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    font: str
    size: float


@dataclass(frozen=True, slots=True)
class Ruling:
    """A drawn line (or a hairline rectangle) that may bound table cells."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass(frozen=True, slots=True)
class Fill:
    """A filled area: cell shading, Gantt bars, page backgrounds."""

    bbox: BBox
    color: RGB
    z: int = 0  # painting order on the page (``geometry.page_objects``): later covers earlier
    opaque: bool = True  # fully opaque paint: hides whatever was painted under it


@dataclass(frozen=True, slots=True)
class Page:
    page_no: int  # 1-based
    width: float
    height: float
    chars: tuple[Char, ...]
    rulings: tuple[Ruling, ...]
    fills: tuple[Fill, ...]
    kind: PageKind
    text: str  # reading-order text, lines joined by "\n"
    # Text the text layer holds but a reader cannot see (invisible render mode, white on
    # white, sub-legible size, clipped away or off the page box): never table content, but
    # a searchable scan's OCR layer is exactly this, so it is kept apart, not dropped.
    hidden: tuple[Char, ...] = ()
    hidden_why: tuple[tuple[str, int], ...] = ()  # (reason, glyphs with ink) of ``hidden``
    # Why a page of kind "scan" is read from its image (no text layer, a scanner's OCR
    # layer over it, a text layer that decodes to junk): dokumen.json says it per page.
    scan_reason: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    path: Path
    sha256: str
    pages: tuple[Page, ...]
    password: str | None = None
    lexicon: frozenset[str] = frozenset()  # every word printed: tells broken words from wrapped

    @property
    def lampiran_pages(self) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.kind in ("lampiran", "scan"))


@dataclass(frozen=True, slots=True)
class TextEnds:
    """How a cell's printed text meets its edges, in points: what it takes to tell whether
    the same cell continued on the next page goes on inside a word the page break cut."""

    width: float  # the width the cell's lines may fill (``text.text_widths``)
    last_filled: float  # the last line, from its first glyph to its last
    last_word: float  # the last line's last word
    first_glyph: float  # the first line's first glyph
    first_word: float  # the first line's first word
    spaced: bool = False  # the last line ends with a space glyph: no word goes on past it


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox
    text: str
    fill: RGB | None = None
    confidence: float | None = None  # OCR only: 0..100
    full: bool = False  # its text runs down to the bottom edge: it may go on past a page break
    ends: TextEnds | None = None  # born-digital cells with text only


@dataclass(frozen=True, slots=True)
class PageGrid:
    page_no: int
    bbox: BBox
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[Cell, ...]
    rulings: tuple[Ruling, ...] = ()  # kept for the debug view
    source: Literal["lines", "ocr"] = "lines"

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    def row_cells(self, row: int) -> list[Cell]:
        """Cells that start on ``row``, left to right."""
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)


@dataclass(frozen=True, slots=True)
class Column:
    """One canonical output column and where it sits on the page."""

    name: str  # area_no, area, kegiatan, ..., bulan_01, tw_1, keterangan, or an extra
    x0: float
    x1: float
    header: str  # the header text it was recognised from


@dataclass(frozen=True, slots=True)
class ColumnMap:
    columns: tuple[Column, ...]
    jadwal_satuan: Literal["bulan", "triwulan"]
    page_no: int  # the page whose header defined it
    header_rows: int  # rows of the grid taken by header and column-number rows
    repeated: frozenset[int] = frozenset()  # rows further down that repeat the header

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def schedule(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.name.startswith(("bulan_", "tw_")))


@dataclass(frozen=True, slots=True)
class MarkCell:
    """What a schedule cell shows, before it is read as yes/no."""

    text: str
    shaded: bool = False
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One plan row after stitching, text as printed, schedule still raw."""

    values: dict[str, str]  # canonical text columns (area_no as printed, area, ...)
    marks: tuple[MarkCell, ...]  # one per schedule column, in order
    halaman_awal: int
    halaman_akhir: int
    joined: bool = False  # its tail was on the next page and was joined back
    filled: frozenset[str] = frozenset()  # columns filled down from a merged cell above
    boxes: tuple[tuple[int, BBox], ...] = ()  # (page_no, bbox) of each piece, for review
    confidence: float | None = None  # OCR only


@dataclass(frozen=True, slots=True)
class DecreeMeta:
    instansi: str | None = None
    jenis: str | None = None
    wilayah: str | None = None
    provinsi: str | None = None
    kode_wilayah: str | None = None
    nomor: str | None = None
    tahun: int | None = None
    tanggal_penetapan: str | None = None  # ISO date
    tempat_penetapan: str | None = None
    tentang: str | None = None
    penandatangan: str | None = None
    jabatan_penandatangan: str | None = None
    # What could not be read or disagrees (a field left None says why here): these go to
    # validasi.peringatan, not to the record's fields.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reject:
    row_no: int | None
    column: str | None
    check: str
    value: str
    reason: str


@dataclass(slots=True)
class Result:
    """Everything one decree produced: what write() stores and the CLI reports."""

    doc_id: str
    source: Path
    sha256: str
    meta: DecreeMeta
    table: "object"  # pandas.DataFrame of the rows that passed validation
    rejected: "object"  # pandas.DataFrame of the rows that failed, with an "alasan" column
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    halaman: int = 0
    halaman_lampiran: tuple[int, int] | None = None
    metode: Literal["text", "ocr"] = "text"
    low_confidence_rows: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    grids: list[PageGrid] = field(default_factory=list)
    # (page, "text" or "ocr", why OCR) for every page: dokumen.json's metode per page
    pages_read: list[tuple[int, str, str]] = field(default_factory=list)
    kolom_absen: tuple[str, ...] = ()  # contract columns the source table does not have


@dataclass(frozen=True, slots=True)
class Stopped:
    """What a refused decree's pipeline had read when it stopped, for its review page."""

    doc: Document
    grids: tuple[PageGrid, ...]  # every table grid found
    cmaps: tuple[ColumnMap, ...]  # the header read on each grid page before the stop
    page: int | None  # where it stopped

"""Stage 5: one table from many pages.

Rows that a page break split are joined back, and vertically merged cells are filled down,
also across pages. A merged cell is tracked as one text holder shared by every row it
covers, so text that overflows onto the next page extends the cell for all those rows.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import RGB, WHITE, BBox, Cell, ColumnMap, MarkCell, PageGrid, Row
from .text import collapse

# Blank cells in these columns mean "same as above" (merged or typed once per group).
HIERARCHY = ("area_no", "area", "kegiatan", "sub_kegiatan")
_ENUMERATED = re.compile(r"^\s*(?:\d{1,2}|[a-zA-Z]|[IVX]{1,4})\s*[.)]")
_NO_MARK = {"-", "–", "—", "0"}


@dataclass(frozen=True, slots=True)
class TablePage:
    """A table page with the column map that applies to it."""

    grid: PageGrid
    cmap: ColumnMap


@dataclass(slots=True)
class _Holder:
    parts: list[str] = field(default_factory=list)

    def text(self) -> str:
        return collapse(" ".join(p for p in self.parts if p))


@dataclass(slots=True)
class _Draft:
    holders: dict[str, _Holder]
    marks: list[MarkCell]
    page_start: int
    page_end: int
    boxes: list[tuple[int, BBox]]
    filled: set[str]
    joined: bool = False
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class _Slot:
    """What one grid row shows under one column."""

    text: str
    spanned: bool  # covered by a cell that started on an earlier row
    full: bool = False  # the cell's text reaches its bottom edge


def _slots(grid: PageGrid) -> dict[tuple[int, int], Cell]:
    owner: dict[tuple[int, int], Cell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = cell
    return owner


def _read_row(grid: PageGrid, owner: dict[tuple[int, int], Cell], r: int,
              cmap: ColumnMap, normal: RGB | None) -> tuple[dict[str, _Slot], list[MarkCell], list[float]]:
    values: dict[str, _Slot] = {}
    marks: list[MarkCell] = []
    confidences: list[float] = []
    for col in cmap.columns:
        cells: list[Cell] = []
        c0 = max(0, bisect_right(grid.xs, col.x0 + 1.0) - 1)
        c1 = max(c0 + 1, bisect_right(grid.xs, col.x1 - 1.0))
        for c in range(c0, min(c1, len(grid.xs) - 1)):
            cell = owner.get((r, c))
            if cell is not None and cell not in cells:
                cells.append(cell)
        started = [cell for cell in cells if cell.row == r]
        text = collapse(" ".join(cell.text for cell in started))
        confidences += [cell.confidence for cell in started if cell.confidence is not None]
        if col.name.startswith(("bulan_", "tw_")):
            shaded = any(cell.fill not in (None, normal, WHITE) for cell in started)
            conf = min((cell.confidence for cell in started if cell.confidence is not None),
                       default=None)
            marks.append(MarkCell(text=text, shaded=shaded, confidence=conf))
        else:
            values[col.name] = _Slot(text=text, spanned=bool(cells) and not started,
                                     full=any(cell.full for cell in started))
    return values, marks, confidences


def _normal_fill(grid: PageGrid, cmap: ColumnMap) -> RGB | None:
    """Fill colour of ordinary body cells; a schedule cell only counts as shaded if it differs."""
    names = {c.name for c in cmap.columns if not c.name.startswith(("bulan_", "tw_"))}
    counts: dict[object, int] = {}
    for cell in grid.cells:
        if cell.row < cmap.header_rows:
            continue
        center = (cell.bbox[0] + cell.bbox[2]) / 2
        if any(c.x0 <= center <= c.x1 and c.name in names for c in cmap.columns):
            counts[cell.fill] = counts.get(cell.fill, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _blank_marks(marks: Sequence[MarkCell]) -> bool:
    return all(not m.text and not m.shaded for m in marks)


def _is_tail(values: dict[str, _Slot], marks: Sequence[MarkCell], explicit_no: bool,
             previous: Sequence[MarkCell]) -> bool:
    """Does the first row of a page continue the last row of the previous page?

    The tail of a split row carries no schedule marks (or, in a Gantt chart, the same
    shading as the row it continues) and no KET; where the document writes an explicit
    "no" mark ("-") that alone is decisive, otherwise its text must not open a new
    numbered item.
    """
    same_bar = (any(m.shaded for m in marks) and all(not m.text for m in marks)
                and [m.shaded for m in marks] == [m.shaded for m in previous])
    if not (_blank_marks(marks) or same_bar):
        return False
    if values.get("keterangan", _Slot("", False)).text:
        return False
    texts = [s.text for s in values.values() if s.text and not s.spanned]
    if not texts:
        return True
    if values.get("area_no", _Slot("", False)).text:
        return False
    return explicit_no or not any(_ENUMERATED.match(t) for t in texts)


def stitch(pages: Sequence[TablePage]) -> list[Row]:
    """All data rows of the plan in order, split rows joined and merged cells filled down."""
    explicit_no = any(cell.text in _NO_MARK for p in pages for cell in p.grid.cells
                      if cell.row >= p.cmap.header_rows)
    drafts: list[_Draft] = []
    open_cells: dict[str, _Holder] = {}
    open_full: dict[str, bool] = {}
    for index, page in enumerate(pages):
        grid, cmap = page.grid, page.cmap
        owner = _slots(grid)
        normal = _normal_fill(grid, cmap)
        first = True
        for r in range(cmap.header_rows, grid.n_rows):
            values, marks, confs = _read_row(grid, owner, r, cmap, normal)
            box = (grid.bbox[0], grid.ys[r], grid.bbox[2], grid.ys[r + 1])
            if not any(s.text for s in values.values()) and _blank_marks(marks):
                continue  # an empty ruled row: padding, not plan content
            heading = _area_heading(grid, r)
            if heading is not None:
                open_cells["area_no"], open_cells["area"] = (_Holder([p]) for p in heading)
                for name in ("kegiatan", "sub_kegiatan"):
                    open_cells.pop(name, None)  # a new area starts its hierarchy afresh
                first = False
                continue
            page_top = first and index > 0 and bool(drafts)
            first = False
            if page_top and _is_tail(values, marks, explicit_no, drafts[-1].marks):
                _join_tail(drafts[-1], values, open_cells, grid.page_no, box)
                continue
            if page_top:
                values = _join_overflow(values, open_cells, open_full)
            drafts.append(_new_draft(values, marks, open_cells, grid.page_no, box, confs))
            for name, slot in values.items():
                if not slot.spanned:
                    open_full[name] = slot.full
    return [_finish(d) for d in drafts]


_HEADING = re.compile(r"^\s*(?:AREA\s*(?:PERUBAHAN)?\s*)?([0-9]{1,2}|[IVX]{1,4}|[A-H])\s*[.):]\s*(.+)$",
                      re.I)


def _area_heading(grid: PageGrid, r: int) -> tuple[str, str] | None:
    """(NO., AREA) of a section row: one wide cell such as "I. MANAJEMEN PERUBAHAN", the
    only text on its row (so no marks), that titles the rows below it instead of being a
    plan row itself."""
    texts = [c for c in grid.row_cells(r) if c.text]
    if len(texts) != 1:
        return None
    cell = texts[0]
    if cell.colspan < max(3, (len(grid.xs) - 1) // 2):
        return None
    m = _HEADING.match(cell.text)
    return (m.group(1) + ".", m.group(2).strip()) if m else None


def _join_overflow(values: dict[str, _Slot], open_cells: dict[str, _Holder],
                   open_full: dict[str, bool]) -> dict[str, _Slot]:
    """Merged hierarchy text printed past a page break belongs to the cell left open there.

    Two ways it happens: the text ran out of room at the foot of the page and goes on at
    the top of the next (the open cell is full; an AREA never starts without its NO., and
    a numbered item is a new cell), or a spreadsheet centred the text of a cell spanning
    the break and it all landed on the next page (the open cell is still empty).
    """
    out = dict(values)
    parent_new = False
    for name in HIERARCHY:
        slot = values.get(name)
        if slot is None:
            continue
        holder = open_cells.get(name)
        fresh = bool(slot.text and not slot.spanned)
        if fresh and holder is not None and not holder.parts:
            holder.parts.append(slot.text)
            out[name] = _Slot("", spanned=True)
            continue
        if (fresh and not parent_new and open_full.get(name) and holder is not None
                and name != "area_no" and not _ENUMERATED.match(slot.text)):
            holder.parts.append(slot.text)
            out[name] = _Slot("", spanned=True)
            continue
        parent_new = parent_new or fresh
    return out


def _join_tail(draft: _Draft, values: dict[str, _Slot], open_cells: dict[str, _Holder],
               page_no: int, box: BBox) -> None:
    for name, slot in values.items():
        if slot.text and not slot.spanned:
            holder = open_cells.get(name) or draft.holders.setdefault(name, _Holder())
            holder.parts.append(slot.text)
    draft.page_end = page_no
    draft.joined = True
    draft.boxes.append((page_no, box))


def _new_draft(values: dict[str, _Slot], marks: list[MarkCell],
               open_cells: dict[str, _Holder], page_no: int, box: BBox,
               confs: list[float]) -> _Draft:
    holders: dict[str, _Holder] = {}
    filled: set[str] = set()
    for name, slot in values.items():
        inherit = slot.spanned or (not slot.text and name in HIERARCHY)
        if inherit and name in open_cells:
            holders[name] = open_cells[name]
            filled.add(name)
        else:
            holders[name] = _Holder([slot.text] if slot.text else [])
            open_cells[name] = holders[name]
    for name in ("area_no", "area"):  # areas known only from section rows
        if name not in values and name in open_cells:
            holders[name] = open_cells[name]
            filled.add(name)
    if "area_no" in values and "area_no" not in filled:
        # a new area opens a new hierarchy: nothing below it may inherit from the old one
        for name in ("area", "kegiatan", "sub_kegiatan"):
            if name in filled:
                filled.discard(name)
                holders[name] = _Holder()
                open_cells[name] = holders[name]
    confidence = sum(confs) / len(confs) if confs else None
    return _Draft(holders=holders, marks=marks, page_start=page_no, page_end=page_no,
                  boxes=[(page_no, box)], filled=filled, confidence=confidence)


def _finish(d: _Draft) -> Row:
    return Row(values={k: h.text() for k, h in d.holders.items()}, marks=tuple(d.marks),
               halaman_awal=d.page_start, halaman_akhir=d.page_end, joined=d.joined,
               filled=frozenset(d.filled), boxes=tuple(d.boxes), confidence=d.confidence)

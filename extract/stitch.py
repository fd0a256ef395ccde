"""Stage 5: one table from many pages.

Rows that a page break split are joined back, and vertically merged cells are filled down,
also across pages. A merged cell is tracked as one text holder shared by every row it
covers, so text that overflows onto the next page extends the cell for all those rows.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence, Set as AbstractSet
from dataclasses import dataclass, field

from .model import RGB, WHITE, BBox, Cell, Column, ColumnMap, MarkCell, PageGrid, Row, TextEnds
from .text import collapse, join_parts

# The plan's levels, outermost first: (key, dependants...). A blank key cell means "same as
# above" (merged, or typed once per group); a dependant's blank cell means the same only
# when its key's does, since a printed key starts a new entity whose own cell is empty.
# RB lampiran: area > kegiatan > sub kegiatan; SAKIP plans: sasaran > indikator sasaran
# (with its quarterly targets) > program/kegiatan (with its rencana aksi, anggaran and PJ).
LEVELS = (
    ("area_no", "area"),
    ("sasaran",),
    ("indikator_sasaran", "target_tw1", "target_tw2", "target_tw3", "target_tw4"),
    ("kegiatan", "rencana_aksi", "anggaran", "penanggung_jawab"),
    ("sub_kegiatan",),
)
HIERARCHY = tuple(name for level in LEVELS for name in level)
_ENUMERATED = re.compile(r"^\s*(?:\d{1,2}|[a-zA-Z]|[IVX]{1,4})\s*[.)]")


@dataclass(frozen=True, slots=True)
class TablePage:
    """A table page with the column map that applies to it."""

    grid: PageGrid
    cmap: ColumnMap


@dataclass(slots=True)
class _Holder:
    """The text of one cell, in the pieces page breaks cut it into, with their geometry."""

    parts: list[tuple[str, TextEnds | None]] = field(default_factory=list)

    def add(self, slot: _Slot) -> None:
        self.parts.append((slot.text, slot.ends))

    def text(self, lexicon: AbstractSet[str] = frozenset()) -> str:
        """The pieces joined as one cell's lines (a word a page break cut is made whole)."""
        out, out_ends = "", None
        for text, ends in self.parts:
            if text:
                out = join_parts(out, out_ends, text, ends, lexicon) if out else text
                out_ends = ends
        return collapse(out)


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
    ends: TextEnds | None = None  # how the text of the one cell that started here meets its edges


def _slots(grid: PageGrid) -> dict[tuple[int, int], Cell]:
    owner: dict[tuple[int, int], Cell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = cell
    return owner


def _covering(grid: PageGrid, owner: dict[tuple[int, int], Cell], r: int,
              col: Column) -> list[Cell]:
    """Cells on grid row ``r`` under one mapped column (started there or spanning it)."""
    cells: list[Cell] = []
    c0 = max(0, bisect_right(grid.xs, col.x0 + 1.0) - 1)
    c1 = max(c0 + 1, bisect_right(grid.xs, col.x1 - 1.0))
    for c in range(c0, min(c1, len(grid.xs) - 1)):
        cell = owner.get((r, c))
        if cell is not None and cell not in cells:
            cells.append(cell)
    return cells


def _read_row(grid: PageGrid, owner: dict[tuple[int, int], Cell], r: int, cmap: ColumnMap,
              normal: RGB | None) -> tuple[dict[str, _Slot], list[MarkCell], list[float], bool]:
    """Texts, schedule marks and OCR confidences of grid row ``r``, and whether a schedule
    mark starts on it. A schedule cell merged over several rows marks each of them."""
    values: dict[str, _Slot] = {}
    marks: list[MarkCell] = []
    confidences: list[float] = []
    own_mark = False
    for col in cmap.columns:
        cells = _covering(grid, owner, r, col)
        started = [cell for cell in cells if cell.row == r]
        confidences += [cell.confidence for cell in started if cell.confidence is not None]
        if col.name.startswith(("bulan_", "tw_")):
            mark = MarkCell(text=collapse(" ".join(cell.text for cell in cells)),
                            shaded=any(cell.fill not in (None, normal, WHITE) for cell in cells),
                            confidence=min((cell.confidence for cell in cells
                                            if cell.confidence is not None), default=None))
            marks.append(mark)
            own_mark = own_mark or (bool(started) and (bool(mark.text) or mark.shaded))
        else:
            values[col.name] = _Slot(text=collapse(" ".join(cell.text for cell in started)),
                                     spanned=bool(cells) and not started,
                                     ends=started[0].ends if len(started) == 1 else None)
    return values, marks, confidences, own_mark


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


@dataclass(frozen=True, slots=True)
class _Break:
    """How the last row of a page meets the first row of the next, column by column.

    ``full``: the cell's text runs down to the foot of the page, so it may go on. ``open``:
    no line closes the cell at the foot nor opens one at the top of the next page (a
    spreadsheet's merged cell running across the break): it is one cell. ``closed``: no line
    at the foot but one over the next page's first row, where other columns have none:
    the cell ended at the break.
    ``own``: the cells on both sides belong to that one row (no merge), with the text
    above in ``above``.
    """

    full: frozenset[str]
    open: frozenset[str]
    closed: frozenset[str]
    own: frozenset[str]
    above: dict[str, str]

    def continues(self, name: str) -> bool:
        return name in self.open or (name in self.full and name not in self.closed)


_RULED_SHARE = 0.5  # of a cell's width a line must cover to close it


def _ruled(grid: PageGrid, x0: float, x1: float, y: float, tol: float = 2.5) -> bool:
    """A drawn horizontal line along ``y`` over most of ``x0..x1`` (dotted or broken lines
    add up their pieces)."""
    covered = sum(max(0.0, min(x1, r.x1) - max(x0, r.x0)) for r in grid.rulings
                  if r.horizontal and r.top - tol <= y <= r.bottom + tol)
    return covered >= _RULED_SHARE * (x1 - x0)


def _page_break(above: TablePage, last: int, below: TablePage, first: int) -> _Break:
    """How grid row ``last`` of the page ``above`` meets row ``first`` of the page ``below``
    (see _Break), read from their cells and the lines drawn along the break.

    A line across the whole table at the top of a page is its border (or the bottom of a
    repeated header) and says nothing about the cells under it; one drawn over some
    columns only is where cells begin.
    """
    owner_above, owner_below = _slots(above.grid), _slots(below.grid)
    columns = [c for c in above.cmap.columns if not c.name.startswith(("bulan_", "tw_"))]
    top = below.grid.ys[first]
    lined = {c.name: _ruled(below.grid, c.x0, c.x1, top) for c in columns}
    partial = not all(lined.values())
    full, opened, closed, own = set(), set(), set(), set()
    texts: dict[str, str] = {}
    for col in columns:
        cells = _covering(above.grid, owner_above, last, col)
        texts[col.name] = collapse(" ".join(cell.text for cell in cells))
        if any(cell.full for cell in cells):
            full.add(col.name)
        if not _ruled(above.grid, col.x0, col.x1, above.grid.ys[last + 1]):
            if not lined[col.name]:
                opened.add(col.name)
            elif partial:
                closed.add(col.name)
        under = _covering(below.grid, owner_below, first, col)
        if all(c.row == last and c.rowspan == 1 for c in cells) and all(
                c.rowspan == 1 for c in under):
            own.add(col.name)
    return _Break(frozenset(full), frozenset(opened), frozenset(closed), frozenset(own), texts)


# Columns that name an entity above the plan row: a numbered item there opens a new one.
_ENTITIES = ("area_no", "area", "sasaran", "indikator_sasaran", "kegiatan")
_ITEM = re.compile(r"^\s*(\d{1,2})\s*([.)])")


def _numbering(above: str, below: str) -> tuple[int, list[int]] | None:
    """The item ``below`` opens and the numbers of the items ``above`` holds in the same
    style ("3." after "1. A 2. B"), or None when either opens no numbered item."""
    head, prev = _ITEM.match(below), _ITEM.match(above)
    if not head or not prev or head.group(2) != prev.group(2):
        return None
    return int(head.group(1)), _item_numbers(above, re.escape(head.group(2)))


def _item_numbers(text: str, style: str = "[.)]") -> list[int]:
    """The numbers of the items ``text`` holds ("1. A 2) B"), in order, of one ``style``."""
    return [int(n) for n in re.findall(r"(?:^|\s)(\d{1,2})\s*" + style, text)]


def _counts_on(above: str, below: str) -> bool:
    """``below`` opens item k and ``above`` is item k-1 alone, in the same style ("2. X" then
    "3. Y"): one item per row, so the row below is a new one. A cell above that holds a
    list ("1. A 2. B") may go on with the list's next item after the break."""
    found = _numbering(above, below)
    return found is not None and found[1][-1] == found[0] - 1 and len(found[1]) == 1


def _numbered_anew(above: str, below: str) -> bool:
    """``below`` opens item k and ``above`` holds no item k-1, in any style: no list above
    goes on with it ("1. Data mutasi" / "3. Data Peserta", the row between them left out of
    the plan). Lists that change style on the way ("1. A: 1) B 2) C 3) D" / "4. E", or
    "1. A: 1) B 4. C" / "2. D") still go on."""
    found = _numbering(above, below)
    if found is None:
        return False
    return found[0] - 1 not in _item_numbers(above)


def _is_tail(values: dict[str, _Slot], marks: Sequence[MarkCell],
             previous: Sequence[MarkCell], edge: _Break) -> bool:
    """Does the first row of a page continue the last row of the previous page?

    A row that a page break split goes on only in the columns whose text ran down to the
    foot of the page (or whose cell no line closes), so text anywhere else is a new row.
    Its schedule cells are blank (the marks sit in the first piece) or, in a Gantt chart,
    carry the same shading. A numbered AREA, SASARAN or KEGIATAN opens a new one, as does
    a row's own item numbered as no list above goes on ("1." / "3.": ``_numbered_anew``),
    whatever else goes on (a merged SUB KEGIATAN's text runs on over the rows under it);
    and so does an item that counts on from the one above ("2. X" / "3. Y") unless
    another of the row's own cells goes on mid-sentence (in lower case, after a word that
    never ends a phrase, or a numbered parent item going on without a number of its own:
    ``_unnumbered_tail``). The document's own lists may go on across the break
    ("4) ..." / "5) ...") and so may KET ("Dalam" / "proses").
    """
    same_bar = (any(m.shaded for m in marks) and all(not m.text for m in marks)
                and [m.shaded for m in marks] == [m.shaded for m in previous])
    if not (_blank_marks(marks) or same_bar):
        return False
    fresh = [name for name, slot in values.items() if slot.text and not slot.spanned]
    if not all(edge.continues(name) for name in fresh):
        return False
    if any(_ENUMERATED.match(values[name].text) for name in fresh if name in _ENTITIES):
        return False
    own = [name for name in fresh if name in edge.own]
    if any(_numbered_anew(edge.above[name], values[name].text) for name in own):
        return False
    if any(values[name].text[:1].islower() or _mid_phrase(edge.above[name])
           or (name in _PARENTS and _unnumbered_tail(edge.above[name], values[name].text))
           for name in own):
        return True
    return not any(_counts_on(edge.above[name], values[name].text) for name in own)


# Columns that hold the row's parent items (a plan row is one indikator of a sub kegiatan
# of a kegiatan): where their items are numbered, a new one opens with its number.
_PARENTS = ("sasaran", "kegiatan", "sub_kegiatan")


def _unnumbered_tail(above: str, below: str) -> bool:
    """The item above ("3. Penyelenggaraan ... 1) Penandatanganan") left its sentence open
    and the text below opens with no number ("Pakta integritas ..."): it goes on, for a new
    item in a numbered column would open with its own."""
    return bool(_ITEM.match(above)) and not _ENUMERATED.match(below) and not (
        above.rstrip().endswith("."))


def stitch(pages: Sequence[TablePage], lexicon: AbstractSet[str] = frozenset()) -> list[Row]:
    """All data rows of the plan in order, split rows joined and merged cells filled down.

    ``lexicon`` is the document's words (``Document.lexicon``), against which a word a page
    break cut is told from two words."""
    drafts: list[_Draft] = []
    open_cells: dict[str, _Holder] = {}
    last: tuple[TablePage, int] | None = None  # the previous page and its last row read
    for page in pages:
        grid, cmap = page.grid, page.cmap
        owner = _slots(grid)
        normal = _normal_fill(grid, cmap)
        first = True
        for r in range(cmap.header_rows, grid.n_rows):
            if r in cmap.repeated:
                continue  # the header again, mid-page: not plan content
            values, marks, confs, own_mark = _read_row(grid, owner, r, cmap, normal)
            box = (grid.bbox[0], grid.ys[r], grid.bbox[2], grid.ys[r + 1])
            if not any(s.text for s in values.values()) and not own_mark:
                continue  # an empty ruled row: padding, not plan content
            heading = _area_heading(grid, r)
            if heading is not None:
                open_cells["area_no"], open_cells["area"] = (_Holder([(p, None)]) for p in heading)
                for name in ("kegiatan", "sub_kegiatan"):
                    open_cells.pop(name, None)  # a new area starts its hierarchy afresh
                first = False
                continue
            edge = _page_break(*last, page, r) if first and last and drafts else None
            first = False
            last = (page, r)
            if edge is not None and _is_tail(values, marks, drafts[-1].marks, edge):
                _join_tail(drafts[-1], values, open_cells, grid.page_no, box)
                continue
            if edge is not None:
                values = _join_overflow(values, open_cells, edge)
            drafts.append(_new_draft(values, marks, open_cells, grid.page_no, box, confs))
    return [_finish(d, lexicon) for d in drafts]


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
                   edge: _Break) -> dict[str, _Slot]:
    """Merged hierarchy text printed past a page break belongs to the cell left open there.

    Three ways it happens: no line separates the two pieces (one cell), the text ran out of
    room at the foot of the page and goes on at the top of the next (the open cell is full;
    an AREA never starts without its NO., and a numbered item or a new sentence after a
    closed one is a new cell), or a
    spreadsheet centred the text of a cell spanning the break and it all landed on the
    next page (the open cell is still empty). A line over the next page's first row where
    none closed the cell above says the cell ended at the break.
    """
    out = dict(values)
    parent_new = False
    for name in HIERARCHY:
        slot = values.get(name)
        if slot is None:
            continue
        holder = open_cells.get(name)
        fresh = bool(slot.text and not slot.spanned)
        if fresh and holder is not None and name not in edge.closed and (
                name in edge.open or not holder.parts or (
                    not parent_new and name in edge.full and name != "area_no"
                    and not _ENUMERATED.match(slot.text)
                    and not _ended(holder.text(), slot.text))):
            holder.add(slot)
            out[name] = _Slot("", spanned=True)
            continue
        parent_new = parent_new or fresh
    return out


# Prepositions and conjunctions (KBBI's preposisi and konjungsi) that never end a phrase:
# a cell whose text stops on one goes on after the break, capital or not ("... yang terkait
# dengan" / "Akuntabilitas Kinerja").
_GOES_ON = frozenset("dan atau serta yang dengan di ke dari untuk pada dalam oleh bagi atas "
                     "terhadap tentang melalui sebagai antara kepada secara agar sehingga bahwa "
                     "karena maupun para".split())


def _mid_phrase(text: str) -> bool:
    words = text.split()
    return bool(words) and words[-1].lower() in _GOES_ON


def _ended(above: str, below: str) -> bool:
    """The text above closed its sentence and the one below opens another: a spreadsheet
    clips a merged cell's text at the page edge instead of carrying it over, so a full cell
    is no sign that the text goes on."""
    return above.rstrip().endswith(".") and below[:1].isupper()


def _join_tail(draft: _Draft, values: dict[str, _Slot], open_cells: dict[str, _Holder],
               page_no: int, box: BBox) -> None:
    for name, slot in values.items():
        if slot.text and not slot.spanned:
            holder = open_cells.get(name) or draft.holders.setdefault(name, _Holder())
            holder.add(slot)
    draft.page_end = page_no
    draft.joined = True
    draft.boxes.append((page_no, box))


def _new_draft(values: dict[str, _Slot], marks: list[MarkCell],
               open_cells: dict[str, _Holder], page_no: int, box: BBox,
               confs: list[float]) -> _Draft:
    holders: dict[str, _Holder] = {}
    inherited = _inherited(values, open_cells)
    for name, slot in values.items():
        if name in inherited:
            holders[name] = open_cells[name]
        else:
            holders[name] = _Holder([(slot.text, slot.ends)] if slot.text else [])
            open_cells[name] = holders[name]
    filled = set(inherited)
    for name in ("area_no", "area"):  # areas known only from section rows
        if name not in values and name in open_cells:
            holders[name] = open_cells[name]
            filled.add(name)
    confidence = sum(confs) / len(confs) if confs else None
    return _Draft(holders=holders, marks=marks, page_start=page_no, page_end=page_no,
                  boxes=[(page_no, box)], filled=filled, confidence=confidence)


def _inherited(values: dict[str, _Slot], open_cells: dict[str, _Holder]) -> set[str]:
    """Columns a new row takes from the rows above (see LEVELS); any other column's
    blank cell is empty unless a merged cell covers it.

    A level's key printed on this row starts a new entity: nothing below it may inherit
    from the old one, so a new area never keeps the old area's kegiatan.
    """
    out = {name for name, slot in values.items() if slot.spanned and name in open_cells}
    fresh_above = False
    for level in LEVELS:
        present = [name for name in level if name in values]
        if not present:
            continue
        key = values[present[0]]
        continues = key.spanned or (not key.text and not fresh_above)
        out |= {name for name in present
                if continues and not values[name].text and name in open_cells}
        fresh_above = fresh_above or bool(key.text and not key.spanned)
    return out


def _finish(d: _Draft, lexicon: AbstractSet[str]) -> Row:
    return Row(values={k: h.text(lexicon) for k, h in d.holders.items()}, marks=tuple(d.marks),
               halaman_awal=d.page_start, halaman_akhir=d.page_end, joined=d.joined,
               filled=frozenset(d.filled), boxes=tuple(d.boxes), confidence=d.confidence)

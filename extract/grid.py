"""Stage 3: recover each table page's cell grid, spans included.

Finders are stateless strategies behind one interface, chosen by page kind: ruling lines
for born-digital pages, OCR for scanned ones. The ruling finder feeds pdfplumber's pure
edge → intersection → cell chain with lines read by PDFium, then turns the cell boxes into
a row/column grid where a merged cell is one Cell with a rowspan or colspan.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from pdfplumber.table import cells_to_tables, edges_to_intersections, merge_edges
from pdfplumber.utils import obj_to_bbox

from .errors import NoLampiran
from .model import BBox, Cell, Char, Document, Fill, Page, PageGrid, Ruling
from .settings import GridSettings, Settings
from .text import PrintedLine, printed_lines, read_printed, text_lines, text_widths


OnPage = Callable[[int], None]  # hears each page number as its grid is done


class GridFinder(Protocol):
    def find(self, doc: Document, page: Page, settings: Settings) -> PageGrid | None: ...

    def find_all(self, doc: Document, pages: Sequence[Page], settings: Settings,
                 on_page: OnPage | None = None) -> list[PageGrid | None]: ...


class RulingLines:
    """Born-digital pages: cells bounded by drawn lines or hairline rectangles.

    ``drafts`` are pages already drafted as they were read (``draft``), by page number."""

    def __init__(self, drafts: Mapping[int, GridDraft | None] | None = None) -> None:
        self.drafts = drafts or {}

    def draft(self, page: Page, settings: Settings) -> GridDraft | None:
        boxes = table_cells(page.rulings, settings.grid)
        if not boxes:
            return None
        return draft_grid(page.page_no, boxes, page.chars, page.fills, page.rulings,
                          settings.grid.snap_tolerance)

    def find(self, doc: Document, page: Page, settings: Settings) -> PageGrid | None:
        draft = (self.drafts[page.page_no] if page.page_no in self.drafts
                 else self.draft(page, settings))
        return None if draft is None else draft.finish(doc.lexicon)

    def find_all(self, doc: Document, pages: Sequence[Page], settings: Settings,
                 on_page: OnPage | None = None) -> list[PageGrid | None]:
        return [self.find(doc, page, settings) for page in pages]


def _ocr_finder() -> GridFinder:
    from .ocr import OcrGrid  # OpenCV and Tesseract load only for scanned pages

    return OcrGrid()


FINDERS = {"lines": RulingLines, "ocr": _ocr_finder}


def finder_for(page: Page) -> str:
    """The finder of a table page: vector rulings, or the page image (a scan, a searchable
    scan's image under its text layer, a page whose text layer is junk)."""
    return "ocr" if page.kind == "scan" else "lines"


def find_grids(doc: Document, settings: Settings, on_page: OnPage | None = None,
               drafts: Mapping[int, GridDraft | None] | None = None) -> list[PageGrid]:
    """One grid per table page, in page order; raise NoLampiran when there is none.

    Each finder gets all its pages at once, so the OCR finder reads ``settings.ocr.jobs``
    scanned pages in parallel; ``on_page`` hears each scanned page number as it is done.
    ``drafts`` are ruled pages drafted while the document was read (``RulingLines.draft``).
    """
    by_page: dict[int, PageGrid | None] = {}
    for name in FINDERS:
        pages = [p for p in doc.lampiran_pages if finder_for(p) == name]
        if pages:
            finder = RulingLines(drafts) if name == "lines" else FINDERS[name]()
            found = finder.find_all(doc, pages, settings, on_page if name == "ocr" else None)
            by_page.update(zip((p.page_no for p in pages), found))
    grids = [g for _, g in sorted(by_page.items()) if g is not None and g.n_rows > 0]
    if not grids:
        raise NoLampiran("no ruled rencana-aksi table found", doc.path)
    return grids


def _edge(r: Ruling, orientation: str) -> dict:
    if orientation == "h":
        y = (r.top + r.bottom) / 2
        x0, top, x1, bottom = r.x0, y, r.x1, y
    else:
        x = (r.x0 + r.x1) / 2
        x0, top, x1, bottom = x, r.top, x, r.bottom
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}


def table_cells(rulings: Sequence[Ruling], s: GridSettings) -> list[BBox]:
    """Cell boxes of the plan table on the page, [] when there is none.

    Each set of crossing rulings is a table of its own (pdfplumber's lattice chain: edges →
    intersections → cells), so a page frame, a legend or a second table never joins the
    plan's grid. The plan is the table with the most columns, then the widest; blocks
    below or above it with the same columns (a header repeated mid-page) belong to it.
    """
    return _plan_table(ruled_tables(rulings, s), s.snap_tolerance)


def ruled_tables(rulings: Sequence[Ruling], s: GridSettings) -> list[list[BBox]]:
    """Every ruled table at least ``min_table_width`` wide, as lists of cell boxes."""
    edges = []
    for r in rulings:
        w, h = r.x1 - r.x0, r.bottom - r.top
        if w >= h and w > s.snap_tolerance:
            edges.append(_edge(r, "h"))
        elif h > w and h > s.snap_tolerance:
            edges.append(_edge(r, "v"))
    if not edges:
        return []
    edges = merge_edges(edges, s.snap_tolerance, s.snap_tolerance,
                        s.join_tolerance, s.join_tolerance)
    edges = _meet(edges, s.max_overshoot)
    tables: list[list[BBox]] = []
    for group in _connected(edges, s.intersection_tolerance):
        group += _closing_edges(group)
        points = edges_to_intersections(group, s.intersection_tolerance, s.intersection_tolerance)
        tables += cells_to_tables(intersections_to_cells(points))
    return [t for t in tables if max(c[2] for c in t) - min(c[0] for c in t) >= s.min_table_width]


def intersections_to_cells(intersections: dict[tuple[float, float], dict]) -> list[BBox]:
    """pdfplumber's ``intersections_to_cells``: the same cells in the same order, with the
    crossings below and right of each one looked up by its column and row instead of by a
    scan of every later crossing (quadratic in a page's crossings, a fifth of reading a
    ruled page)."""
    points = sorted(intersections)
    v_edges = {p: {obj_to_bbox(e) for e in intersections[p]["v"]} for p in points}
    h_edges = {p: {obj_to_bbox(e) for e in intersections[p]["h"]} for p in points}
    column: dict[float, list[tuple[float, float]]] = {}
    row: dict[float, list[tuple[float, float]]] = {}
    for p in points:  # sorted by x, then y: each column top down, each row left to right
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        return bool(p1[0] == p2[0] and not v_edges[p1].isdisjoint(v_edges[p2])
                    or p1[1] == p2[1] and not h_edges[p1].isdisjoint(h_edges[p2]))

    def smallest_cell(pt: tuple[float, float]) -> BBox | None:
        below = [q for q in column[pt[0]] if q[1] > pt[1]]
        right = [q for q in row[pt[1]] if q[0] > pt[0]]
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) \
                        and connects(corner, below_pt):
                    return (pt[0], pt[1], corner[0], corner[1])
        return None

    return [cell for cell in map(smallest_cell, points) if cell is not None]


def _meet(edges: list[dict], reach: float) -> list[dict]:
    """Edges whose ends stop short of a crossing edge, or run past it, by up to ``reach``
    end on it instead: a gap leaves a cell open, an overshoot adds a sliver column."""
    h = [e for e in edges if e["orientation"] == "h"]
    v = [e for e in edges if e["orientation"] == "v"]
    across_h = [(e["x0"], e["top"], e["bottom"]) for e in v]
    across_v = [(e["top"], e["x0"], e["x1"]) for e in h]
    return ([_ends(e, "x0", "x1", "top", across_h, reach) for e in h]
            + [_ends(e, "top", "bottom", "x0", across_v, reach) for e in v])


def _ends(edge: dict, lo: str, hi: str, at: str, across: list[tuple[float, float, float]],
          reach: float) -> dict:
    """``edge`` with each end moved onto the nearest crossing line within ``reach``.

    ``across`` holds (position along the edge, start, end) of the perpendicular edges.
    """
    pos = edge[at]
    near = [x for x, a, b in across if a - reach <= pos <= b + reach]
    ends = {}
    for end in (lo, hi):
        best = min(near, key=lambda x: abs(x - edge[end]), default=None)
        ends[end] = best if best is not None and abs(best - edge[end]) <= reach else edge[end]
    if (ends[lo], ends[hi]) == (edge[lo], edge[hi]) or ends[hi] <= ends[lo]:
        return edge  # unchanged, or a stub shorter than the reach between two crossings
    if edge["orientation"] == "h":
        return _edge(Ruling(ends[lo], pos, ends[hi], pos), "h")
    return _edge(Ruling(pos, ends[lo], pos, ends[hi]), "v")


def _connected(edges: list[dict], tol: float) -> list[list[dict]]:
    """Groups of edges that cross or touch one another (within ``tol``)."""
    parent = list(range(len(edges)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    h = [i for i, e in enumerate(edges) if e["orientation"] == "h"]
    v = [i for i, e in enumerate(edges) if e["orientation"] == "v"]
    for i in h:
        a = edges[i]
        for j in v:
            b = edges[j]
            if (b["top"] - tol <= a["top"] <= b["bottom"] + tol
                    and a["x0"] - tol <= b["x0"] <= a["x1"] + tol):
                parent[root(i)] = root(j)
    groups: dict[int, list[dict]] = {}
    for i, e in enumerate(edges):
        groups.setdefault(root(i), []).append(e)
    return list(groups.values())


def _plan_table(tables: list[list[BBox]], tol: float) -> list[BBox]:
    """The table with the most columns (then the widest, then the most cells), with every
    other block that has its columns."""
    if not tables:
        return []
    columns = [_cluster([c[0] for c in t] + [c[2] for c in t], tol) for t in tables]
    best = max(range(len(tables)), key=lambda i: (
        len(columns[i]), columns[i][-1] - columns[i][0], len(tables[i])))
    out = list(tables[best])
    for i, table in enumerate(tables):
        if i != best and _same_columns(columns[i], columns[best], tol):
            out += table
    return out


def _same_columns(a: list[float], b: list[float], tol: float) -> bool:
    """Same outer edges and at least 80 % of the column lines of each found in the other."""
    if abs(a[0] - b[0]) > tol or abs(a[-1] - b[-1]) > tol:
        return False

    def found(xs: list[float], ys: list[float]) -> float:
        return sum(any(abs(x - y) <= tol for y in ys) for x in xs) / len(xs)

    return found(a, b) >= 0.8 and found(b, a) >= 0.8


def _closing_edges(edges: list[dict]) -> list[dict]:
    """Rules along the four sides of one ruled area.

    A spreadsheet draws a merged cell's border once, so where a page break cuts the merge
    the piece on this page has no bottom (or top) line and would be lost as a cell; tables
    styled without outer side borders would likewise lose their first and last columns.
    """
    h = [e for e in edges if e["orientation"] == "h"]
    v = [e for e in edges if e["orientation"] == "v"]
    if len(h) < 2 or len(v) < 2:
        return []
    x0 = min(e["x0"] for e in h)
    x1 = max(e["x1"] for e in h)
    top = min(e["top"] for e in v)
    bottom = max(e["bottom"] for e in v)
    return ([_edge(Ruling(x0, y, x1, y), "h") for y in (top, bottom)]
            + [_edge(Ruling(x, top, x, bottom), "v") for x in (x0, x1)])


def _cluster(values: Sequence[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(bounds: Sequence[float], v: float, tol: float) -> int:
    i = bisect_right(bounds, v + tol) - 1
    return max(0, i)


@dataclass(frozen=True, slots=True)
class GridDraft:
    """A ruled page's grid before its cells' words are read against the document's lexicon
    (which needs every page): each cell keeps its printed lines' words, not its glyphs, so
    a long lampiran is not held glyph by glyph until its last page is read."""

    page_no: int
    bbox: BBox
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    rulings: tuple[Ruling, ...]
    cells: tuple[Cell, ...]  # text "" and no ends yet, sorted by row then column
    printed: tuple[tuple[PrintedLine, ...], ...]  # one per cell
    widths: tuple[float, ...]  # one per cell: the width its text may fill (points)

    def finish(self, lexicon: AbstractSet[str] = frozenset()) -> PageGrid:
        cells = []
        for cell, printed, width in zip(self.cells, self.printed, self.widths):
            text, ends = read_printed(printed, width, lexicon)
            # dataclasses.replace costs seven times a constructor, and a page has ~200 cells
            cells.append(cell if ends is None else Cell(
                row=cell.row, col=cell.col, rowspan=cell.rowspan, colspan=cell.colspan,
                bbox=cell.bbox, text=text, fill=cell.fill, confidence=cell.confidence,
                full=cell.full, ends=ends))
        return PageGrid(page_no=self.page_no, bbox=self.bbox, xs=self.xs, ys=self.ys,
                        cells=tuple(cells), rulings=self.rulings)


def draft_grid(page_no: int, boxes: Sequence[BBox], chars: Sequence[Char],
               fills: Sequence[Fill], rulings: Sequence[Ruling], tol: float) -> GridDraft:
    """Row/column grid from cell boxes: spans, shading and printed lines of every cell."""
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    placed: list[tuple[int, int, int, int, BBox]] = []
    slot_owner: dict[tuple[int, int], int] = {}
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, box[0], tol), _index(xs, box[2], tol)
        r0, r1 = _index(ys, box[1], tol), _index(ys, box[3], tol)
        if c1 <= c0 or r1 <= r0:
            continue
        k = len(placed)
        placed.append((r0, c0, r1 - r0, c1 - c0, box))
        for r in range(r0, r1):
            for c in range(c0, c1):
                slot_owner.setdefault((r, c), k)
    members: list[list[Char]] = [[] for _ in placed]
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        if not (bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]):
            continue
        slot = (bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1)
        k = slot_owner.get(slot)
        if k is not None:
            members[k].append(ch)
    table_fills = [f for f in fills if _inside(f.bbox, bbox, tol)]
    lines = [text_lines(mine) for mine in members]
    placed, lines, members = _unmerged(placed, lines, members, ys, tol)
    widths = text_widths([((c, cs), box, cell_lines)
                          for (r, c, rs, cs, box), cell_lines in zip(placed, lines)])
    cells = sorted(zip((Cell(row=r, col=c, rowspan=rs, colspan=cs, bbox=box, text="",
                             fill=_fill_at(table_fills, box), full=_is_full(mine, box))
                        for (r, c, rs, cs, box), mine in zip(placed, members)),
                       map(printed_lines, lines), widths),
                   key=lambda found: (found[0].row, found[0].col))
    return GridDraft(page_no=page_no, bbox=bbox, xs=tuple(xs), ys=tuple(ys),
                     rulings=tuple(rulings), cells=tuple(c for c, _, _ in cells),
                     printed=tuple(p for _, p, _ in cells), widths=tuple(w for _, _, w in cells))


def _unmerged(placed: list[tuple[int, int, int, int, BBox]], lines: list[list[list[Char]]],
              members: list[list[Char]], ys: Sequence[float], tol: float
              ) -> tuple[list[tuple[int, int, int, int, BBox]], list[list[list[Char]]],
                         list[list[Char]]]:
    """Cells over several rows cut where their text is the rows' own: a rule left out
    between two rows in one column (a real plan's TARGET KEGIATAN: "100%" and "1 dokumen",
    each in its own row's band) joins two cells that the text keeps apart. A merged cell's
    text runs on line after line; these pieces each sit inside one row band, with more
    than a line and a half of blank between them."""
    out_placed: list[tuple[int, int, int, int, BBox]] = []
    out_lines: list[list[list[Char]]] = []
    out_members: list[list[Char]] = []
    for (r, c, rs, cs, box), cell_lines, mine in zip(placed, lines, members):
        cuts = _row_cuts(cell_lines, ys[r:r + rs + 1], tol) if rs > 1 else []
        if not cuts:
            out_placed.append((r, c, rs, cs, box))
            out_lines.append(cell_lines)
            out_members.append(mine)
            continue
        bounds = [r, *(r + k for k in cuts), r + rs]
        at = [ys[b] for b in bounds[1:-1]]
        pieces: list[list[list[Char]]] = [[] for _ in cuts + [0]]
        for ln in cell_lines:
            pieces[bisect_right(at, (ln[0].top + ln[0].bottom) / 2)].append(ln)
        for top, bottom, piece in zip(bounds, bounds[1:], pieces):
            out_placed.append((top, c, bottom - top, cs, (box[0], ys[top], box[2], ys[bottom])))
            out_lines.append(piece)
            out_members.append([ch for ln in piece for ch in ln])
    return out_placed, out_lines, out_members


def _row_cuts(cell_lines: Sequence[Sequence[Char]], bands: Sequence[float],
              tol: float) -> list[int]:
    """Row offsets (1..) at which ``cell_lines`` fall apart into the rows' own texts
    (``_unmerged``); none for text that reads as one merged cell's."""
    if len(cell_lines) < 2:
        return []
    spans = [(min(ch.top for ch in ln), max(ch.bottom for ch in ln)) for ln in cell_lines]
    rows = []
    for top, bottom in spans:
        k = bisect_right(bands, top + tol) - 1
        if not 0 <= k < len(bands) - 1 or bottom > bands[k + 1] + tol:
            return []  # a line across a row boundary: one cell's text
        rows.append(k)
    height = max(bottom - top for top, bottom in spans)
    cuts = []
    for (_, above), (below, _), k0, k1 in zip(spans, spans[1:], rows, rows[1:]):
        if k1 == k0:
            continue
        if below - above <= 1.5 * height:
            return []  # lines running on across the boundary: one cell's text
        cuts.append(k1)
    return cuts


def _is_full(chars: Sequence[Char], box: BBox) -> bool:
    """Less than a line of room is left under the text."""
    ink = [c for c in chars if not c.text.isspace()]
    if not ink:
        return False
    line = max(c.bottom - c.top for c in ink)
    return box[3] - max(c.bottom for c in ink) < 0.8 * line


def _inside(inner: BBox, outer: BBox, tol: float) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _fill_at(fills: Sequence[Fill], box: BBox):
    """Colour painted last under the cell's centre, if any (later paint covers earlier)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for f in reversed(fills):
        x0, top, x1, bottom = f.bbox
        if x0 <= cx <= x1 and top <= cy <= bottom:
            return f.color
    return None

"""The page's vector drawing: the rulings a reader sees and the filled areas.

Producers draw a table's lines in many ways: stroked lines (solid, or dashed with the ``d``
operator), thin filled bars (Excel through Microsoft Print to PDF), hairline rectangles, or
rows of separate dots and dashes. All of them come out of here as plain ``Ruling`` boxes.
What decides is what a reader sees: white or fully transparent paint is no ruling, and
an opaque area painted later hides the part of a ruling it covers (a grid drawn through
merged cells and then covered by white cell fills reads as merged).
"""
from __future__ import annotations

import ctypes
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .geometry import Matrix, page_objects
from .model import WHITE, BBox, Fill, Ruling
from .settings import GridSettings, Settings


@dataclass(frozen=True, slots=True)
class _Paint:
    """A painted box and when it was painted (later paint lies on top)."""

    box: BBox
    order: int


def read_drawing(page: pdfium.PdfPage, display: Matrix,
                 settings: Settings) -> tuple[list[Ruling], list[Fill], int]:
    """Visible rulings, filled areas and the image count of a page, in display coordinates
    (``geometry``).

    Forms are flattened. Rulings are what is left of each drawn line after later opaque
    paint covered it, with dotted and dashed runs joined into one line; fills are areas
    thicker than ``GridSettings.max_ruling_thickness``, in paint order.
    """
    pieces: list[_Paint] = []
    covers: list[_Paint] = []
    fills: list[Fill] = []
    images = 0
    s = settings.grid
    for z, obj, kind, matrix in page_objects(page, display):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _read_path(obj, matrix, z, s, pieces, covers, fills)
    return join_runs(visible(pieces, covers), s), fills, images


def _color(getter, obj) -> tuple[int, int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return (0, 0, 0, 255)
    return (r.value, g.value, b.value, a.value)


def _stroke_width(obj, m: Matrix) -> float:
    """The line width in page points (the path's matrix scales it)."""
    w = ctypes.c_float()
    if not pdfium_c.FPDFPageObj_GetStrokeWidth(obj, w):
        return 0.0
    a, b, c, d, _, _ = m
    return w.value * math.sqrt(abs(a * d - b * c))


def _read_path(obj, m: Matrix, z: int, s: GridSettings,
               pieces: list[_Paint], covers: list[_Paint], fills: list[Fill]) -> None:
    """Sort one path object's paint into ruling pieces, covering paint and fills.

    ``z`` is the object's place in painting order; its fill is painted before its stroke.
    """
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
    if not fill_mode.value and not stroke.value:
        return
    subpaths = _subpaths(obj, m)
    transparent = bool(pdfium_c.FPDFPageObj_HasTransparency(obj))  # soft masks, blend modes
    if fill_mode.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetFillColor, obj)
        opaque = a == 255 and not transparent
        for pts, curved in subpaths:
            box = _bounds(pts) if curved else _axis_rect(pts)
            if box is not None and a:
                _paint(box, (r, g, b), opaque, curved, z, 2 * z, s, pieces, covers, fills)
    if stroke.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
        if not a:
            return
        opaque = a == 255 and not transparent
        half = _stroke_width(obj, m) / 2
        cap = half if pdfium_c.FPDFPageObj_GetLineCap(obj) else 0.0  # round and square caps
        for pts, curved in subpaths:
            if curved:  # a small stroked circle is a dot
                x0, top, x1, bottom = _bounds(pts)
                box = (x0 - half, top - half, x1 + half, bottom + half)
                _paint(box, (r, g, b), opaque, True, z, 2 * z + 1, s, pieces, covers, fills)
                continue
            for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
                if abs(ya - yb) < 0.5:  # along x: the line width is its height
                    box = (min(xa, xb) - cap, ya - half, max(xa, xb) + cap, ya + half)
                elif abs(xa - xb) < 0.5:
                    box = (xa - half, min(ya, yb) - cap, xa + half, max(ya, yb) + cap)
                else:
                    continue
                _paint(box, (r, g, b), opaque, False, z, 2 * z + 1, s, pieces, covers, fills)


def _paint(box: BBox, color: tuple[int, int, int], opaque: bool, curved: bool, z: int,
           order: int, s: GridSettings, pieces: list[_Paint], covers: list[_Paint],
           fills: list[Fill]) -> None:
    """A painted box is a ruling piece, covering paint, a fill, or nothing.

    A piece is a bar (thinner than ``max_ruling_thickness`` and at least twice as long as
    thick) or a dot (no side over ``max_dot_size``) in any colour but white: white paper
    only hides what is under it. Anything larger is a fill (shading, a Gantt bar, a square
    mark); curved shapes other than dots bound no cell and are left out.
    """
    x0, top, x1, bottom = box
    thin, long = sorted((x1 - x0, bottom - top))
    if long <= s.max_dot_size or (not curved and thin <= s.max_ruling_thickness
                                  and long >= 2 * thin):
        if color != WHITE:
            pieces.append(_Paint(box, order))
        elif opaque:
            covers.append(_Paint(box, order))
    elif not curved:
        fills.append(Fill(bbox=box, color=color, z=z, opaque=opaque))
        if opaque:
            covers.append(_Paint(box, order))


def _subpaths(obj, m: Matrix) -> list[tuple[list[tuple[float, float]], bool]]:
    """(points, curved) pieces of a path in display coordinates.

    Straight runs come as polylines (a curve ends a run, so the sides of a rounded box
    stay lines); each subpath with Bézier segments also comes whole with its control
    points and ``curved`` set, which bound it (a round dot).
    """
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[tuple[list[tuple[float, float]], bool]] = []
    run: list[tuple[float, float]] = []
    shape: list[tuple[float, float]] = []
    curved = False

    def flush() -> None:
        if len(run) > 1:
            out.append((run, False))
        if curved:
            out.append((shape, True))

    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            flush()
            run, shape, curved = [pt], [pt], False
            continue
        shape.append(pt)
        if kind != pdfium_c.FPDF_SEGMENT_LINETO:  # a Bézier point ends the straight run
            if len(run) > 1:
                out.append((run, False))
            run, curved = [pt], True
            continue
        run.append(pt)
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            run.append(run[0])
    flush()
    return out


def _bounds(pts: list[tuple[float, float]]) -> BBox:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def _axis_rect(pts: list[tuple[float, float]]) -> BBox | None:
    """The bbox of a closed axis-aligned rectangle, else None."""
    if len(pts) < 4:
        return None
    for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
        if abs(xa - xb) > 0.5 and abs(ya - yb) > 0.5:
            return None
    return _bounds(pts)


def visible(pieces: list[_Paint], covers: list[_Paint]) -> list[BBox]:
    """What is left of each ruling piece where opaque paint laid on it later does not cover it.

    Paint covers a piece only where it spans the piece's whole width; two cell fills
    meeting on a line each cover half of it and leave it visible.
    """
    covers = sorted(covers, key=lambda p: p.order)
    orders = [c.order for c in covers]
    out: list[BBox] = []
    for piece in pieces:
        later = covers[bisect_right(orders, piece.order):]
        out += _uncovered(piece.box, [c.box for c in later]) if later else [piece.box]
    return out


def _uncovered(box: BBox, covers: list[BBox]) -> list[BBox]:
    x0, top, x1, bottom = box
    horizontal = x1 - x0 >= bottom - top
    lo, hi = (x0, x1) if horizontal else (top, bottom)
    spans = [(lo, hi)]
    for c in covers:
        across = (c[1] <= top and c[3] >= bottom) if horizontal else (c[0] <= x0 and c[2] >= x1)
        if not across:
            continue
        a, b = (c[0], c[2]) if horizontal else (c[1], c[3])
        spans = [piece for s0, s1 in spans
                 for piece in ((s0, min(s1, a)), (max(s0, b), s1)) if piece[1] > piece[0]]
        if not spans:
            return []
    if horizontal:
        return [(s0, top, s1, bottom) for s0, s1 in spans]
    return [(x0, s0, x1, s1) for s0, s1 in spans]


def join_runs(boxes: Iterable[BBox], s: GridSettings) -> list[Ruling]:
    """Rulings from visible pieces: runs of dots or dashes along one line become one line.

    A run is at least three collinear pieces with gaps of at most ``max_dash_gap``; a dot
    (no longer than twice its width) may run either way. Lines stay as they are; a dot
    in no run is dropped (a full stop drawn as a path, a speck).
    """
    along_x: list[BBox] = []
    along_y: list[BBox] = []
    out: list[Ruling] = []
    for box in boxes:
        w, h = box[2] - box[0], box[3] - box[1]
        dot = max(w, h) <= 2 * min(w, h)
        if w >= h or dot:
            along_x.append(box)
        if h > w or dot:
            along_y.append(box)
        if not dot:
            out.append(Ruling(*box))
    out += _runs(along_x, True, s.max_dash_gap)
    out += _runs(along_y, False, s.max_dash_gap)
    return out


def _runs(boxes: list[BBox], horizontal: bool, max_gap: float) -> list[Ruling]:
    """Rulings spanning each run of three or more pieces on one line (centres within 0.5 pt)."""
    a0, a1, c0, c1 = (0, 2, 1, 3) if horizontal else (1, 3, 0, 2)
    out: list[Ruling] = []
    by_line = sorted(boxes, key=lambda b: (b[c0] + b[c1]) / 2)
    start = 0
    for i in range(1, len(by_line) + 1):
        if i < len(by_line) and ((by_line[i][c0] + by_line[i][c1]) / 2
                                 - (by_line[i - 1][c0] + by_line[i - 1][c1]) / 2) <= 0.5:
            continue
        line = sorted(by_line[start:i], key=lambda b: b[a0])
        start = i
        run = [line[0]]
        end = line[0][a1]
        for box in line[1:] + [None]:
            if box is not None and box[a0] - end <= max_gap:
                run.append(box)
                end = max(end, box[a1])
                continue
            if len(run) >= 3:
                lo = run[0][a0]
                c_lo, c_hi = min(r[c0] for r in run), max(r[c1] for r in run)
                out.append(Ruling(lo, c_lo, end, c_hi) if horizontal else Ruling(c_lo, lo, c_hi, end))
            if box is not None:
                run, end = [box], box[a1]
    return out

"""The page's vector drawing: rulings (stroked lines, hairline rectangles) and filled areas."""
from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .geometry import Matrix, page_objects
from .model import WHITE, Fill, Ruling
from .settings import Settings


def read_drawing(page: pdfium.PdfPage, display: Matrix,
                  settings: Settings) -> tuple[list[Ruling], list[Fill], int]:
    """Rulings and filled areas of a page in display coordinates (``geometry``), forms
    flattened; fills in painting order with their ``z``."""
    rulings: list[Ruling] = []
    fills: list[Fill] = []
    images = 0
    thick = settings.grid.max_ruling_thickness
    for z, obj, kind, matrix in page_objects(page, display):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _read_path(obj, matrix, z, thick, rulings, fills)
    return rulings, fills, images


def _color(getter, obj) -> tuple[int, int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return (0, 0, 0, 255)
    return (r.value, g.value, b.value, a.value)


def _read_path(obj, m: Matrix, z: int, thick: float,
               rulings: list[Ruling], fills: list[Fill]) -> None:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
    if not fill_mode.value and not stroke.value:
        return
    subpaths = _subpaths(obj, m)
    if fill_mode.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetFillColor, obj)
        for pts in subpaths:
            box = _axis_rect(pts)
            if box is None or a == 0:
                continue
            x0, top, x1, bottom = box
            if min(x1 - x0, bottom - top) <= thick:
                if (r, g, b) != WHITE:
                    rulings.append(Ruling(x0, top, x1, bottom))
            else:
                fills.append(Fill(bbox=box, color=(r, g, b), z=z,
                                  opaque=a == 255 and not pdfium_c.FPDFPageObj_HasTransparency(obj)))
    if stroke.value:
        r, g, b, a = _color(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
        if (r, g, b) == WHITE or a == 0:
            return
        for pts in subpaths:
            for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
                if abs(ya - yb) < 0.5 or abs(xa - xb) < 0.5:
                    rulings.append(Ruling(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))


def _subpaths(obj, m: Matrix) -> list[list[tuple[float, float]]]:
    """Straight-segment polylines of a path in display coordinates; curves end a run."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(cur) > 1:
                out.append(cur)
            cur = [pt]
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            cur.append(pt)
        else:  # bezier: not a ruling
            if len(cur) > 1:
                out.append(cur)
            cur = [pt]
            continue
        if pdfium_c.FPDFPathSegment_GetClose(seg) and cur:
            cur.append(cur[0])
    if len(cur) > 1:
        out.append(cur)
    return out


def _axis_rect(pts: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The bbox of a closed axis-aligned rectangle, else None."""
    if len(pts) < 4:
        return None
    for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
        if abs(xa - xb) > 0.5 and abs(ya - yb) > 0.5:
            return None
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


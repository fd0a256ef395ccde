"""Page geometry: where a page's content lands on the page as a reader sees it.

Every reader of a page (text layer, vector drawing) maps PDF user space (points, origin at
the bottom-left of the MediaBox, y up) to *display* coordinates: points with the origin at
the top-left of the visible page box and y down, after the page's ``/Rotate`` and after any
quarter turn that makes the page's text read left to right. A landscape table stored as a
portrait page with ``/Rotate 90`` and counter-rotated content, or drawn sideways by the CTM,
is read in the same coordinates as the same table on a plain landscape page.
"""
from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# (a, b, c, d, e, f) in PDF's convention: x' = a*x + c*y + e, y' = b*x + d*y + f
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def concat(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention: a point is mapped by m first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def map_box(m: Matrix, x0: float, y0: float, x1: float,
            y1: float) -> tuple[float, float, float, float]:
    """Bounding box ``(x0, top, x1, bottom)`` of a user-space box under a quarter-turn matrix."""
    ax, ay = apply(m, x0, y0)
    bx, by = apply(m, x1, y1)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def _turn(degrees: int) -> Matrix:
    """A clockwise quarter turn as seen on a y-down page."""
    cos, sin = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[degrees % 360]
    return (cos, sin, -sin, cos, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Display:
    """User space → display coordinates, and the page's size as displayed (points)."""

    matrix: Matrix
    width: float
    height: float


def display(box: tuple[float, float, float, float], rotation: int, turn: int = 0) -> Display:
    """The display mapping of a page whose visible box is ``box`` (user space, x0 y0 x1 y1),
    turned ``rotation`` degrees clockwise by ``/Rotate`` and ``turn`` more to stand its text up."""
    x0, y0, x1, y1 = box
    flip: Matrix = (1.0, 0.0, 0.0, -1.0, -x0, y1)  # top-left origin, y down
    m = concat(flip, _turn(rotation + turn))
    corners = [apply(m, x, y) for x in (x0, x1) for y in (y0, y1)]
    left = min(x for x, _ in corners)
    top = min(y for _, y in corners)
    m = concat(m, (1.0, 0.0, 0.0, 1.0, -left, -top))
    return Display(matrix=m, width=max(x for x, _ in corners) - left,
                   height=max(y for _, y in corners) - top)


def page_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The visible page box in user space: the CropBox clipped to the MediaBox."""
    rect = pdfium_c.FS_RECTF()
    if pdfium_c.FPDF_GetPageBoundingBox(page.raw, rect):
        return (rect.left, rect.bottom, rect.right, rect.top)
    width, height = page.get_size()
    return (0.0, 0.0, width, height)


def quarter(dx: float, dy: float) -> int:
    """Which quarter turn (0, 90, 180, 270 clockwise on a y-down page) a direction points to."""
    if abs(dx) >= abs(dy):
        return 0 if dx >= 0 else 180
    return 90 if dy > 0 else 270


def object_address(obj) -> int:
    """A page object's identity (PDFium hands out a new ctypes pointer on each call)."""
    return ctypes.c_void_p.from_buffer(obj).value or 0


def object_matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def page_objects(page: pdfium.PdfPage,
                 base: Matrix = IDENTITY) -> Iterator[tuple[int, object, int, Matrix]]:
    """Every page object in painting order, form XObjects flattened: ``(z, obj, type, matrix)``.

    ``z`` counts objects in the order they are painted (later paint covers earlier), the same
    for every reader of the page; ``matrix`` maps the object's own space to ``base``'s target.
    """
    z = 0
    stack = [(pdfium_c.FPDFPage_GetObject(page.raw, j) for j in
              range(pdfium_c.FPDFPage_CountObjects(page.raw)))]
    ctms = [base]
    while stack:
        obj = next(stack[-1], None)
        if obj is None:
            stack.pop()
            ctms.pop()
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        matrix = concat(object_matrix(obj), ctms[-1])
        yield z, obj, kind, matrix
        z += 1
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            stack.append(pdfium_c.FPDFFormObj_GetObject(obj, j) for j in range(count))
            ctms.append(matrix)

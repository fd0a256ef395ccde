"""Ligatures whose text layer maps to U+FFFD ("Grati\ufffdkasi"), read by their shape.

Producers that subset a font with fi/fl ligature glyphs sometimes write no character for
them. PDFium can still draw the glyph and the font's plain letters, so the glyph is compared
with each reading it could have. Glyph names are no help: subset TrueType fonts keep none.
"""
from __future__ import annotations

import ctypes
import math

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .geometry import object_address
from .text import LIGATURES


class Ligatures:
    """Ligature glyphs of one page whose text layer says U+FFFD, read by their shape.

    The glyph is rendered from its text object, stood upright, and set beside the same
    font's own letters rendered alike (fi, fl, ff, ffi, ffl; once per font). Among the
    letters as wide as the glyph, the ones that win every duel with the others (where two
    candidates differ, the glyph looks like this one in three pixels out of four) are what
    it reads; no clear winner reads nothing.
    """

    _PX = 40.0  # rendered height of a glyph's font size, pixels

    def __init__(self, page: pdfium.PdfPage) -> None:
        self._page = page
        self._letters: dict[int, list[tuple[str, np.ndarray]]] = {}

    def read(self, obj, rect, size: float, direction: int) -> str | None:
        """The letters the glyph at ``rect`` (user space) of text object ``obj`` shows, or
        None; ``size`` is its effective font size, ``direction`` its baseline's turn."""
        if size <= 0:
            return None
        scale = self._PX / size
        ink = self._glyph(obj, rect, scale, direction)
        if ink is None:
            return None
        fitting = [(text, letters) for text, letters in self._font_letters(obj, scale)
                   if abs(letters.shape[1] - ink.shape[1]) <= 0.2 * ink.shape[1] + 1]
        shapes = _placed(fitting, ink)
        for text, shape in shapes:  # the letters that win every duel with the others
            if all(_closer(ink, shape, other) for t, other in shapes if t != text):
                return text
        return None

    def _glyph(self, obj, rect, scale: float, direction: int) -> np.ndarray | None:
        """The glyph's ink, cut from its text object rendered alone and stood upright."""
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            return None
        ink = _render(self._page, obj, scale)
        if ink is None or right.value <= left.value or top.value <= bottom.value:
            return None
        sx = ink.shape[1] / (right.value - left.value)
        sy = ink.shape[0] / (top.value - bottom.value)
        x0, x1 = int((rect.left - left.value) * sx), int(np.ceil((rect.right - left.value) * sx))
        y0, y1 = int((top.value - rect.top) * sy), int(np.ceil((top.value - rect.bottom) * sy))
        glyph = ink[max(0, y0): max(0, y1), max(0, x0): max(0, x1)]
        return _ink_box(np.rot90(glyph, direction // 90))

    def _font_letters(self, obj, scale: float) -> list[tuple[str, np.ndarray]]:
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        key = object_address(font) if font else 0
        if key not in self._letters:
            self._letters[key] = self._render_letters(font, obj, scale) if font else []
        return self._letters[key]

    def _render_letters(self, font, obj, scale: float) -> list[tuple[str, np.ndarray]]:
        tf = ctypes.c_float()
        if not pdfium_c.FPDFTextObj_GetFontSize(obj, tf) or tf.value <= 0:
            return []
        doc = self._page.pdf.raw
        out = []
        for text in LIGATURES:
            letters = pdfium_c.FPDFPageObj_CreateTextObj(doc, font, tf.value)
            if not letters:
                continue
            try:
                wide = ctypes.create_unicode_buffer(text) if ctypes.sizeof(ctypes.c_wchar) == 2 \
                    else ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
                if pdfium_c.FPDFText_SetText(letters, ctypes.cast(wide, pdfium_c.FPDF_WIDESTRING)):
                    ink = _render(self._page, letters, scale * self._matrix_scale(obj, tf.value))
                    box = None if ink is None else _ink_box(ink)
                    if box is not None:
                        out.append((text, box))
            finally:
                pdfium_c.FPDFPageObj_Destroy(letters)
        return out

    @staticmethod
    def _matrix_scale(obj, tf: float) -> float:
        """How much larger than its Tf size the object prints (its text matrix's scale)."""
        m = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
            return 1.0
        return math.hypot(m.c, m.d) or 1.0


def _render(page: pdfium.PdfPage, obj, scale: float) -> np.ndarray | None:
    """A text object rendered alone: its ink (alpha) as a boolean array, rows top down."""
    bitmap = pdfium_c.FPDFTextObj_GetRenderedBitmap(page.pdf.raw, page.raw, obj, scale)
    if not bitmap:
        return None
    try:
        w, h = pdfium_c.FPDFBitmap_GetWidth(bitmap), pdfium_c.FPDFBitmap_GetHeight(bitmap)
        stride = pdfium_c.FPDFBitmap_GetStride(bitmap)
        if pdfium_c.FPDFBitmap_GetFormat(bitmap) != pdfium_c.FPDFBitmap_BGRA or not w or not h:
            return None
        buf = ctypes.cast(pdfium_c.FPDFBitmap_GetBuffer(bitmap), ctypes.POINTER(ctypes.c_ubyte))
        pixels = np.ctypeslib.as_array(buf, shape=(h, stride))[:, : w * 4].reshape(h, w, 4)
        return pixels[..., 3] > 127
    finally:
        pdfium_c.FPDFBitmap_Destroy(bitmap)


def _ink_box(ink: np.ndarray) -> np.ndarray | None:
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows) or not len(cols):
        return None
    return ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]


def _placed(shapes: list[tuple[str, np.ndarray]],
            ink: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each candidate's letters on the glyph's canvas, all shifted alike (they start with the
    same "f", so they stay aligned with one another) to where one of them fits the glyph best."""
    h, w = ink.shape

    def shifted(letters: np.ndarray, dx: int) -> np.ndarray:
        canvas = np.zeros(ink.shape, dtype=bool)
        src = letters[:h, max(0, -dx): max(0, -dx) + w - max(0, dx)]
        canvas[: src.shape[0], max(0, dx): max(0, dx) + src.shape[1]] = src
        return canvas

    if not shapes:
        return []
    best = min(range(-3, 4),
               key=lambda dx: min(int((shifted(a, dx) ^ ink).sum()) for _, a in shapes))
    return [(text, shifted(letters, best)) for text, letters in shapes]


def _closer(ink: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """Where shapes ``a`` and ``b`` differ, ``ink`` looks like ``a`` (three pixels in four)."""
    differ = a ^ b
    n = int(differ.sum())
    return n >= 4 and int((ink == a)[differ].sum()) >= 0.75 * n

"""The text layer: every glyph PDFium reads on a page, with its box, font and size, in display
coordinates (``geometry``), split into what a reader sees and what they cannot.

Reading happens in two steps because the page's orientation depends on its text: ``read_glyphs``
takes the glyphs in PDF user space, ``upright_turn`` says which quarter turn stands them up, and
``place_glyphs`` maps them to the displayed page and judges each one's visibility against the
page's fills. Per-object facts (font, size, render mode, colour, clip, painting order) are read
once per text object, not per glyph.
"""
from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import repeat

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .geometry import Display, apply, map_box, object_address, page_objects, quarter
from .model import WHITE, Char, Fill
from .ligatures import Ligatures
from .text import UNREADABLE

# Dingbat and symbol fonts put marks at font-private codes; which mark a code draws is a fact
# of the font family (Microsoft's Wingdings/Wingdings 2/Webdings and Adobe's Symbol and
# ZapfDingbats charts). A font without ToUnicode gives the code itself or U+F000 + code.
# Crosses are kept as crosses (✗, ☒): whether a cross means "no" is normalise's rule.
_FAMILY_GLYPHS: dict[str, dict[int, str]] = {
    "symbol": {0xD6: "√", 0xB4: "×", 0xB7: "•"},
    "wingdings": {0xFC: "✓", 0xFB: "✗", 0xFD: "☒", 0xFE: "☑", 0xA8: "☐", 0x6F: "☐",
                  0x6C: "●", 0x6E: "■", 0x78: "☒", 0x9F: "•", 0xA7: "▪"},
    "wingdings2": {0x4F: "✗", 0x50: "✓", 0x51: "☒", 0x52: "☑", 0x53: "☒", 0x54: "☒",
                   0x55: "✗", 0x56: "✗", 0x95: "•", 0x96: "●", 0x97: "●", 0x98: "●",
                   0xA0: "■", 0xA1: "■", 0xA2: "■", 0xA3: "☐"},
    "webdings": {0x61: "✓", 0x72: "✗"},
    "zapfdingbats": {0x33: "✓", 0x34: "✔", 0x35: "✗", 0x36: "✗", 0x37: "✗", 0x38: "✘",
                     0x6C: "●", 0x6E: "■", 0x6F: "☐", 0x70: "☐", 0x71: "☐", 0x72: "☐"},
}
# Unicode's own check and ballot marks in their many shapes (Segoe UI Symbol, emoji fonts),
# folded to the few the schedule reader knows.
_MARK_VARIANTS = {0x1F5F8: "✓", 0x1F5F9: "☑", 0x1F5F4: "✗", 0x1F5F5: "☒", 0x1F5F6: "✗",
                  0x1F5F7: "☒", 0x2BBD: "☒", 0x2BBE: "✗", 0x2BBF: "✗", 0x274C: "✗",
                  0x274E: "☒", 0x2715: "✗", 0x2716: "✗", 0x22A0: "☒", 0x2612: "☒"}
_STYLE = re.compile(r"(regular|bold|italic|oblique|mt|ps)+$")
_RENDER_INKS = {0: (True, False), 1: (False, True), 2: (True, True), 4: (True, False),
                5: (False, True), 6: (True, True)}  # render mode → (fill, stroke) painted
MIN_LEGIBLE_SIZE = 2.0  # points: smaller glyphs are specks, not text (a 6 pt footnote reads)
_SAME_COLOUR = 24  # largest channel difference (0-255) at which ink is lost on its background


@cache
def font_family(font: str) -> str:
    """The dingbat/symbol family of a font name, '' for a text font.

    "ABCDEF+Wingdings2-Regular", "Wingdings 2,Bold" → "wingdings2"; "SymbolMT" → "symbol";
    "Segoe UI Symbol" → "" (its marks are real Unicode).
    """
    name = re.sub(r"^[A-Z]{6}\+", "", font).split(",")[0]
    name = _STYLE.sub("", re.sub(r"[^a-z0-9]", "", name.lower()))
    if name in ("symbol", "opensymbol", "standardsymbolsps", "standardsyml"):
        return "symbol"
    for family in ("wingdings2", "wingdings", "webdings", "zapfdingbats"):
        if name.startswith(family) or name == "itc" + family:
            return family
    return "zapfdingbats" if name == "dingbats" else ""


@cache
def decode_glyph(font: str, code: int) -> str:
    """The text a glyph shows: symbol-font private codes become the marks they draw,
    ligatures their letters."""
    family = font_family(font)
    if family:
        low = code - 0xF000 if 0xF020 <= code <= 0xF0FF else code
        mark = _FAMILY_GLYPHS[family].get(low)
        if mark is not None:
            return mark
        if low != code:  # other symbol glyphs: the low byte is the glyph's code
            return chr(low)
    elif 0xF020 <= code <= 0xF0FF:
        return chr(code - 0xF000)
    mark = _MARK_VARIANTS.get(code)
    if mark is not None:
        return mark
    if 0xFB00 <= code <= 0xFB06:  # ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ
        return unicodedata.normalize("NFKC", chr(code))
    return chr(code)


@dataclass(slots=True)
class _Run:
    """What one text object says about all of its glyphs (read once, never changed: not
    frozen, as a frozen dataclass's constructor costs three times a plain one's and a page
    has hundreds of text objects)."""

    font: str
    size: float  # effective font size, points
    direction: int  # baseline's quarter turn (clockwise, y down) before /Rotate; 0: left to right
    inks: tuple[tuple[int, int, int, int], ...]  # RGBA of what is painted (none: invisible)
    z: int
    clip: tuple[float, float, float, float] | None  # user-space bbox of its clip path


@dataclass(frozen=True, slots=True)
class Glyphs:
    """A page's glyphs in PDF user space, as parallel columns."""

    texts: tuple[str, ...]
    boxes: np.ndarray  # (n, 4) left, bottom, right, top
    runs: np.ndarray  # (n,) index into ``objects``
    objects: tuple[_Run, ...]
    images: tuple[tuple[int, tuple[float, float, float, float]], ...]  # (z, user-space bbox)


def _rebound(function, restype, *argtypes):
    """Another binding of a PDFium function with plainer ctypes: an address as an int
    instead of PDFium's pointer type (a ctypes object and a read per call), a pointer into
    an array where one struct is declared. Glyphs are read one call at a time, so what a
    call costs is what a page costs."""
    bound = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    bound.restype, bound.argtypes = restype, argtypes
    return bound


_ADDRESS = ctypes.c_void_p  # a PDFium object (text page, page object) by its address, an int
_text_object_address = _rebound(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p,
                                _ADDRESS, ctypes.c_int)
_loose_box_into = _rebound(pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDF_BOOL,
                           _ADDRESS, ctypes.c_int, ctypes.c_void_p)
_unicode = _rebound(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _ADDRESS, ctypes.c_int)


def read_glyphs(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> Glyphs:
    """Every glyph of the text layer, in user space, with its text object's facts.

    PDFium's generated characters (a space it infers between text objects, line breaks) are
    left out: they carry no position of their own (the space sits on the next glyph's left
    edge and sorts after it: "A NGGARAN"), and word gaps are judged from the glyph boxes.
    PDFium is asked one thing at a time for every glyph (``map`` over the indices, no
    Python step between calls); what follows works on whole columns.
    """
    z_of: dict[int, int] = {}
    images: list[tuple[int, tuple[float, float, float, float]]] = []
    for z, obj, kind, m in page_objects(page):
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            z_of[object_address(obj)] = z
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images.append((z, _unit_square(m)))
    raw = textpage.raw
    address = ctypes.cast(raw, ctypes.c_void_p).value
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return Glyphs(texts=(), boxes=np.empty((0, 4)), runs=np.array([], dtype=int),
                      objects=(), images=tuple(images))
    codes = np.fromiter(map(_unicode, repeat(address, n), range(n)), dtype=np.int64, count=n)
    dropped = np.isin(codes, _NO_GLYPH)
    for i in np.flatnonzero((codes[:-1] >= 0xD800) & (codes[:-1] < 0xDC00)).tolist():
        # PDFium gives UTF-16 units: 🗸 is two, read as one glyph at the first
        low = int(codes[i + 1])
        if 0xDC00 <= low < 0xE000:
            codes[i] = 0x10000 + ((int(codes[i]) - 0xD800) << 10) + (low - 0xDC00)
            dropped[i + 1] = True
    for i in np.flatnonzero((codes == 0x20) & ~dropped).tolist():
        dropped[i] = bool(pdfium_c.FPDFText_IsGenerated(raw, i))
    rects = (pdfium_c.FS_RECTF * n)()  # every glyph's box, written in place by PDFium
    at = ctypes.addressof(rects)
    candidates = np.flatnonzero(~dropped).tolist()
    boxed = list(map(_loose_box_into, repeat(address, len(candidates)), candidates,
                     (at + i * _RECT_BYTES for i in candidates)))
    kept = [i for i, ok in zip(candidates, boxed) if ok]
    objects = [o or 0 for o in map(_text_object_address, repeat(address, len(kept)), kept)]
    runs: list[_Run] = []
    run_of: dict[int, int] = {}
    run_ids = np.empty(len(kept), dtype=int)
    texts: list[str] = []
    ligatures = Ligatures(page)
    name = ctypes.create_string_buffer(128)
    matrix, rgba = pdfium_c.FS_MATRIX(), (ctypes.c_uint * 4)()
    kept_codes = codes[kept].tolist()
    starts = [k for k in range(len(kept)) if not k or objects[k] != objects[k - 1]]
    for start, end in zip(starts, [*starts[1:], len(kept)]):
        key = objects[start]
        run = run_of.get(key, -1)
        if run < 0:
            run = run_of[key] = len(runs)
            runs.append(_read_run(address, kept[start], key, z_of.get(key, 0), name, matrix,
                                  rgba))
        run_ids[start:end] = run
        texts.extend(map(_font_texts(runs[run].font).__getitem__, kept_codes[start:end]))
    for k in np.flatnonzero(codes[kept] == 0xFFFD).tolist():
        # a glyph whose code maps to no character: a ligature, mostly
        i, run = kept[k], runs[run_ids[k]]
        texts[k] = ligatures.read(pdfium_c.FPDFText_GetTextObject(raw, i), rects[i], run.size,
                                  run.direction) or UNREADABLE
    # FS_RECTF is (left, top, right, bottom) in float32; Glyphs hold (left, bottom, right, top)
    ltrb = np.ctypeslib.as_array(rects).view(np.float32).reshape(n, 4)[kept]
    return Glyphs(texts=tuple(texts), boxes=ltrb[:, [0, 3, 2, 1]].astype(float),
                  runs=run_ids, objects=tuple(runs), images=tuple(images))


class _FontTexts(dict):
    """code → the text a glyph of ``font`` shows (``decode_glyph``), filled as codes come."""

    def __init__(self, font: str):
        super().__init__()
        self.font = font

    def __missing__(self, code: int) -> str:
        text = self[code] = _SPACES.get(code) or decode_glyph(self.font, code)
        return text


@cache
def _font_texts(font: str) -> _FontTexts:
    return _FontTexts(font)


_RECT_BYTES = ctypes.sizeof(pdfium_c.FS_RECTF)
_NO_GLYPH = np.array([0x0D, 0x0A, 0, 0xFFFE])  # line breaks and PDFium's markers: no glyph
# Space characters read as a plain space; 0x02 is PDFium's mark for a hyphen ending a line.
_SPACES = {0x20: " ", 0xA0: " ", 0x09: " ", 0x02: "-"}


def _read_run(address: int, index: int, obj: int, z: int, buf, m, rgba) -> _Run:
    """The facts of the text object at ``obj`` (an address) that glyph ``index`` belongs to;
    ``buf``, ``m`` and ``rgba`` are scratch space for PDFium to write into."""
    _font_info(address, index, buf, len(buf), None)
    if not _matrix_into(address, index, ctypes.byref(m)):
        m.a, m.b, m.c, m.d = 1.0, 0.0, 0.0, 1.0
    # FPDFText_GetFontSize is the Tf operand: producers that write "Tf 1" and scale with Tm
    # (or the CTM) print at the matrix's scale; the glyph's height on the page is their product.
    size = _font_size(address, index) * math.hypot(m.c, m.d)
    fill, stroke = _RENDER_INKS.get(_render_mode(obj), (False, False))
    inks = []
    if fill:
        inks.append(tuple(rgba) if _fill_into(obj, *_channels(rgba)) else _NO_COLOR)
    if stroke:
        inks.append(tuple(rgba) if _stroke_into(obj, *_channels(rgba)) else _NO_COLOR)
    clip = _clip_path(obj)
    return _Run(font=buf.value.decode("utf-8", "replace"), size=size,
                direction=quarter(m.a, -m.b), inks=tuple(inks), z=z,
                clip=_clip_box(ctypes.cast(clip, pdfium_c.FPDF_CLIPPATH)) if clip else None)


def _by_address(function, *argtypes):
    """``function`` rebound (``_rebound``) with its own result type."""
    return _rebound(function, function.restype, *argtypes)


_NO_COLOR = (0, 0, 0, 255)  # a colour PDFium cannot give: opaque black, as a reader paints


def _channels(rgba) -> tuple[int, int, int, int]:
    """The addresses of the four c_uint of ``rgba``, where PDFium writes a colour."""
    at = ctypes.addressof(rgba)
    return at, at + 4, at + 8, at + 12


_font_info = _by_address(pdfium_c.FPDFText_GetFontInfo, _ADDRESS, ctypes.c_int, _ADDRESS,
                         ctypes.c_ulong, _ADDRESS)
_matrix_into = _by_address(pdfium_c.FPDFText_GetMatrix, _ADDRESS, ctypes.c_int, _ADDRESS)
_font_size = _by_address(pdfium_c.FPDFText_GetFontSize, _ADDRESS, ctypes.c_int)
_render_mode = _by_address(pdfium_c.FPDFTextObj_GetTextRenderMode, _ADDRESS)
_clip_path = _by_address(pdfium_c.FPDFPageObj_GetClipPath, _ADDRESS)
_fill_into = _by_address(pdfium_c.FPDFPageObj_GetFillColor, *[_ADDRESS] * 5)
_stroke_into = _by_address(pdfium_c.FPDFPageObj_GetStrokeColor, *[_ADDRESS] * 5)


def _color(getter, obj) -> tuple[int, int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return (0, 0, 0, 255)
    return (r.value, g.value, b.value, a.value)


def _unit_square(m) -> tuple[float, float, float, float]:
    pts = [apply(m, x, y) for x in (0, 1) for y in (0, 1)]
    return (min(p[0] for p in pts), min(p[1] for p in pts),
            max(p[0] for p in pts), max(p[1] for p in pts))


def _clip_box(clip) -> tuple[float, float, float, float] | None:
    """User-space bounding box of a clip path (an FPDF_CLIPPATH), None when it has no points."""
    x, y = ctypes.c_float(), ctypes.c_float()
    xs: list[float] = []
    ys: list[float] = []
    for k in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        for j in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, k)):
            seg = pdfium_c.FPDFClipPath_GetPathSegment(clip, k, j)
            if seg and pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                xs.append(x.value)
                ys.append(y.value)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def upright_turn(glyphs: Glyphs, rotation: int) -> int:
    """The quarter turn (degrees clockwise) that makes most of the page's text read left to
    right once ``/Rotate`` is applied: 0 for an ordinary page, 90 or 270 for a table drawn
    sideways by the CTM on a page that does not say so."""
    ink = np.fromiter((not t.isspace() for t in glyphs.texts), dtype=bool, count=len(glyphs.texts))
    if not ink.any():
        return 0
    directions = np.array([run.direction for run in glyphs.objects], dtype=int)[glyphs.runs[ink]]
    values, counts = np.unique(directions, return_counts=True)
    best = int(np.argmax(counts))
    if counts[best] * 2 <= counts.sum():
        return 0
    return (-(int(values[best]) + rotation)) % 360


_NO_CLIP = (-1e9, -1e9, 1e9, 1e9)
_REASONS = ("", "invisible render mode", "transparent ink", "too small to read", "off the page",
            "clipped away", "covered by a later fill", "same colour as its background")


def place_glyphs(glyphs: Glyphs, geo: Display,
                 fills: list[Fill]) -> tuple[list[Char], list[Char], Counter[str]]:
    """Glyphs in display coordinates, split into what a reader sees and what they cannot.

    Hidden, in this order of reasons: invisible render mode (3, 7); fully transparent ink;
    smaller than ``MIN_LEGIBLE_SIZE``; centre off the visible page; clipped away; covered by
    an opaque fill painted later; ink within ``_SAME_COLOUR`` of the colour under it (paper,
    or the last fill painted under it; unknown over an image). Returns (visible, hidden, why),
    ``why`` counting the hidden glyphs that have ink by reason.
    """
    n = len(glyphs.texts)
    if not n:
        return [], [], Counter()
    objs = glyphs.objects
    box = _map_boxes(geo.matrix, glyphs.boxes)
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    run = glyphs.runs
    no_ink = np.array([not o.inks for o in objs])[run]
    clear = np.array([bool(o.inks) and not any(i[3] for i in o.inks) for o in objs])[run]
    small = np.array([o.size < MIN_LEGIBLE_SIZE for o in objs])[run]
    off = (cx < 0) | (cx > geo.width) | (cy < 0) | (cy > geo.height)
    clip = _map_boxes(geo.matrix, np.array(
        [o.clip or _NO_CLIP for o in objs], dtype=float))[run]
    clipped = ((cx < clip[:, 0] - 1) | (cx > clip[:, 2] + 1)
               | (cy < clip[:, 1] - 1) | (cy > clip[:, 3] + 1))
    z = np.array([o.z for o in objs], dtype=int)[run]
    covered, under = _paint_over_and_under(box, z, fills, glyphs.images, geo)
    same = _lost_on(under, objs, run)
    reason = np.zeros(n, dtype=int)
    for code, flag in reversed(list(enumerate(
            (no_ink, clear, small, off, clipped, covered, same), start=1))):
        reason[flag] = code
    fonts = [o.font for o in objs]
    sizes = [o.size for o in objs]
    runs = run.tolist()
    x0, top, x1, bottom = box.T.tolist()
    chars = list(map(Char, glyphs.texts, x0, top, x1, bottom,
                     [fonts[r] for r in runs], [sizes[r] for r in runs]))
    if not reason.any():
        return chars, [], Counter()
    visible: list[Char] = []
    hidden: list[Char] = []
    why: Counter[str] = Counter()
    for ch, k in zip(chars, reason.tolist()):
        if not k:
            visible.append(ch)
            continue
        hidden.append(ch)
        if not ch.text.isspace():
            why[_REASONS[k]] += 1
    return visible, hidden, why


def _map_boxes(m, boxes: np.ndarray) -> np.ndarray:
    """User-space boxes (left, bottom, right, top) → display boxes (x0, top, x1, bottom)."""
    a, b, c, d, e, f = m
    xa = a * boxes[:, 0] + c * boxes[:, 1] + e
    ya = b * boxes[:, 0] + d * boxes[:, 1] + f
    xb = a * boxes[:, 2] + c * boxes[:, 3] + e
    yb = b * boxes[:, 2] + d * boxes[:, 3] + f
    return np.stack([np.minimum(xa, xb), np.minimum(ya, yb), np.maximum(xa, xb),
                     np.maximum(ya, yb)], axis=1)


def _paint_over_and_under(box: np.ndarray, z: np.ndarray, fills: list[Fill],
                          images, geo: Display) -> tuple[np.ndarray, np.ndarray]:
    """Per glyph: whether an opaque fill painted after it covers it, and the RGB it is
    painted on ((255, 255, 255) for paper; -1s when an image lies under it)."""
    n = len(box)
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    qw, qh = (box[:, 2] - box[:, 0]) / 4, (box[:, 3] - box[:, 1]) / 4
    layers = [(f.z, f.bbox, f.color, f.opaque) for f in fills]
    layers += [(iz, map_box(geo.matrix, *ib), (-1, -1, -1), True) for iz, ib in images]
    covered = np.zeros(n, dtype=bool)
    under_z = np.full(n, -1)
    under = np.tile(np.array(WHITE, dtype=int), (n, 1))
    for lz, (x0, top, x1, bottom), color, opaque in layers:
        inside = (x0 <= cx - qw) & (cx + qw <= x1) & (top <= cy - qh) & (cy + qh <= bottom)
        if opaque:
            covered |= inside & (z < lz)
        below = inside & (lz < z) & (lz > under_z)
        under_z[below] = lz
        under[below] = color
    return covered, under


def _lost_on(under: np.ndarray, objs: tuple[_Run, ...], run: np.ndarray) -> np.ndarray:
    """Glyphs every ink of which is within ``_SAME_COLOUR`` of the colour under them."""
    lost = np.ones(len(run), dtype=bool)
    known = under[:, 0] >= 0
    for slot in (0, 1):
        rgba = np.array([o.inks[slot] if len(o.inks) > slot else (-999, -999, -999, 0)
                         for o in objs], dtype=int)[run]
        painted = rgba[:, 3] > 0
        near = np.abs(rgba[:, :3] - under).max(axis=1) <= _SAME_COLOUR
        lost &= ~painted | near
    return lost & known

"""Scanned decrees: the cell grid and its text read from page images.

The chain mirrors the born-digital finder, over pixels instead of PDF objects:
render → binarise → deskew → line masks → line positions → slots and their missing
boundaries (spans) → cells → ink test (schedule marks) and Tesseract (text).
Everything up to the cells is pure numpy/OpenCV over arrays so each step can be tested
alone; Tesseract is called in one place, `_tesseract_words`.

Coordinates are reported in the *deskewed* frame scaled to PDF points (top-left origin).
Scans are only rotated by a degree or two about the page centre, so that frame is within
a few points of the page's own; mapping every box back through the inverse rotation would
turn boxes into rotated quadrilaterals and buy nothing downstream.

Tesseract runs as a plain subprocess (PNG on stdin, TSV on stdout) rather than through
pytesseract: pytesseract wraps the same binary with temporary files and no control over
its environment, and here the environment matters. ``OMP_THREAD_LIMIT=1`` stops
Tesseract's OpenMP threads from spinning (it tripled wall time on a 2-core machine), and
two single-threaded processes on two halves of the work use both cores instead.
"""
from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set as AbstractSet
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OcrUnavailable, RenaksiError
from .model import BBox, Cell, Char, Document, Page, PageGrid, Ruling
from .settings import Settings
from .text import cell_text, collapse, group_lines, join_breaks, line_text, text_widths, words
from .text import text_lines as char_lines

if TYPE_CHECKING:
    import numpy as np

MARK_TICK = "√"
MARK_DASH = "-"


# --------------------------------------------------------------------------- Tesseract


@functools.lru_cache(maxsize=8)
def _tesseract_langs(binary: str) -> frozenset[str]:
    out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, check=False)
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip())


def require_tesseract(lang: str, path: Path | str | None = None, page: int | None = None) -> str:
    """The tesseract binary, after checking that it exists and knows every language of ``lang``."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable("tesseract is not installed; run scripts/system-deps.sh "
                             "(apt-get install tesseract-ocr tesseract-ocr-ind)", path, page)
    missing = [code for code in lang.split("+") if code not in _tesseract_langs(binary)]
    if missing:
        raise OcrUnavailable(f"tesseract has no language data for {'+'.join(missing)!r}; "
                             f"run scripts/system-deps.sh (apt-get install "
                             f"tesseract-ocr-{missing[0]})", path, page)
    return binary


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]  # (block, paragraph, line) as Tesseract grouped it


def _tesseract_words(binary: str, image: np.ndarray, lang: str, psm: int) -> list[Word]:
    import cv2

    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("cannot encode image for tesseract")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    out = subprocess.run([binary, "stdin", "stdout", "-l", lang, "--psm", str(psm), "tsv"],
                         input=png.tobytes(), capture_output=True, env=env, check=False)
    if out.returncode != 0:
        raise OcrUnavailable(f"tesseract failed: {out.stderr.decode(errors='replace').strip()}")
    return parse_tsv(out.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of Tesseract's TSV output."""
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        words.append(Word(f[11].strip(), float(f[10]), int(f[6]), int(f[7]), int(f[8]),
                          int(f[9]), (int(f[2]), int(f[3]), int(f[4]))))
    return words


# --------------------------------------------------------------------------- images


_PDFIUM = threading.Lock()  # PDFium is not thread-safe; pages are OCR'd on threads


def render_gray(doc: Document, page_no: int, dpi: int) -> np.ndarray:
    """The page as an 8-bit grayscale array at ``dpi``, as displayed (its /Rotate applied)."""
    import numpy as np
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = pdfium.PdfDocument(str(doc.path), password=doc.password)
        try:
            bitmap = pdf[page_no - 1].render(scale=dpi / 72, grayscale=True)
            return np.array(bitmap.to_pil().convert("L"))
        finally:
            pdf.close()


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu after a light blur, which the JPEG/speckle noise needs."""
    import cv2

    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def line_masks(ink: np.ndarray, min_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical strokes at least ``min_len`` pixels long (morphological opening)."""
    import cv2

    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    return h, v


def skew_angle(h_mask: np.ndarray, min_len: int) -> float:
    """Rotation of the page in degrees (positive = counter-clockwise), from its long horizontal lines.

    Each long stroke is fitted with a straight line; the length-weighted median slope is
    robust to the odd broken or merged stroke.
    """
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(h_mask, connectivity=8)
    angles: list[float] = []
    weights: list[float] = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w < 4 * min_len:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(w))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return -angles[order[int(np.searchsorted(cum, cum[-1] / 2))]]


def rotate(image: np.ndarray, angle: float, fill: int) -> np.ndarray:
    """``image`` turned by ``angle`` degrees about its centre, same size, corners filled."""
    import cv2

    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def upright_turns(ink: np.ndarray, dpi: int) -> int:
    """Clockwise quarter turns (0..3) that bring a page's text upright.

    Measured on the glyphs alone (the ruling lines removed) in the inch-square windows
    densest in text. Lines of text make the profile *across* them jump at every line and
    the profile along them smooth, which tells rows from columns (Postl's criterion).
    Latin text has more ink above its x-height band (capitals, b d f h k l t) than below
    it (g j p q y): about 2.5 : 1 in Indonesian, so an upside-down line shows the
    reverse. Kept at 0 unless both measures are clear; on the fixtures an upright page
    scores at least 1.36 and 1.67, a turned one at most 0.71 and 0.69.
    """
    import cv2
    import numpy as np

    min_len = _stroke_len(dpi)
    h, v = line_masks(ink, min_len)
    glyphs = ink & ~cv2.dilate(h | v, np.ones((5, 5), np.uint8))
    tiles = [glyphs[y:y + dpi, x:x + dpi] for y, x in _text_windows(glyphs, dpi)]
    if not tiles:
        return 0
    across = sum(_roughness(t, 1) for t in tiles)
    along = sum(_roughness(t, 0) for t in tiles)
    if max(across, along) < 1.25 * min(across, along):
        return 0
    sideways = along > across
    up = down = 0.0
    for t in tiles:
        a, b = _ascender_ink(np.rot90(t) if sideways else t)
        up, down = up + a, down + b
    if max(up, down) < 1.25 * min(up, down):
        return 0
    if not sideways:
        return 0 if up > down else 2
    return 3 if up > down else 1  # rot90 turned it counter-clockwise once


def _text_windows(glyphs: np.ndarray, size: int, count: int = 8) -> list[tuple[int, int]]:
    """Top-left corners of up to ``count`` non-overlapping windows densest in glyph ink
    (but not solid: a stamp or a photo is no text)."""
    hgt, wid = glyphs.shape
    step = max(1, size // 2)
    found = sorted(((float((glyphs[y:y + size, x:x + size] > 0).mean()), y, x)
                    for y in range(0, hgt - size + 1, step)
                    for x in range(0, wid - size + 1, step)), reverse=True)
    out: list[tuple[int, int]] = []
    for density, y, x in found:
        if density < 0.01 or len(out) == count:
            break
        if density <= 0.35 and all(abs(y - b) >= size or abs(x - a) >= size for b, a in out):
            out.append((y, x))
    return out


def _roughness(tile: np.ndarray, axis: int) -> float:
    """Sum of squared steps of the ink profile (axis 1: one value per row)."""
    import numpy as np

    profile = (tile > 0).sum(axis=axis).astype(float)
    return float(np.square(np.diff(profile)).sum())


def _ascender_ink(tile: np.ndarray) -> tuple[float, float]:
    """Ink above and below the x-height band of each line of text in ``tile``."""
    import numpy as np

    profile = (tile > 0).sum(axis=1)
    up = down = 0.0
    rows = np.flatnonzero(profile)
    if not rows.size:
        return up, down
    breaks = np.flatnonzero(np.diff(rows) > 1)
    for run in np.split(rows, breaks + 1):
        p = profile[run[0]:run[-1] + 1]
        if len(p) < 4 or p.max() < 5:
            continue
        core = np.flatnonzero(p >= 0.5 * p.max())
        up += float(p[:core[0]].sum())
        down += float(p[core[-1] + 1:].sum())
    return up, down


@dataclass(frozen=True, slots=True)
class Segment:
    """One straight stroke: ``pos`` across it, ``start``..``end`` along it (pixels)."""

    pos: float
    start: int
    end: int


def segments(mask: np.ndarray, horizontal: bool, min_len: int) -> list[Segment]:
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if horizontal and w >= min_len:
            out.append(Segment(y + h / 2, int(x), int(x + w)))
        elif not horizontal and h >= min_len:
            out.append(Segment(x + w / 2, int(y), int(y + h)))
    return out


def rulings_only(mask: np.ndarray, across: np.ndarray, horizontal: bool, min_len: int,
                 tol: int, dpi: int) -> np.ndarray:
    """The strokes of ``mask`` that are rulings: long, or short and ending on a line at both ends.

    A glyph that blur fused into a long run ("(" beside a column line, the tops of "sara")
    floats free at one end at least; erasing it with the lines would cut letters, and
    counting it would split a merged cell.
    """
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    near = cv2.dilate(across, np.ones((2 * tol + 1, 2 * tol + 1), np.uint8)) > 0
    keep = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        length = w if horizontal else h
        if length >= dpi / 2:
            keep[i] = True
        elif length >= min_len:
            if horizontal:
                ends = (near[y:y + h, x].any(), near[y:y + h, x + w - 1].any())
            else:
                ends = (near[y, x:x + w].any(), near[y + h - 1, x:x + w].any())
            keep[i] = all(ends)
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def table_region(h_mask: np.ndarray, v_mask: np.ndarray, min_width: int) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the widest connected ruled structure, if wide enough."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(h_mask | v_mask, connectivity=8)
    best = None
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w >= min_width and h >= min_width / 8 and (best is None or w * h > best[2] * best[3]):
            best = (int(x), int(y), int(w), int(h))
    if best is None:
        return None
    x, y, w, h = best
    return x, y, x + w, y + h


def cluster(values: Sequence[float], tol: float) -> list[float]:
    """Positions closer than ``tol`` become their mean: one ruling drawn as several strokes."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _inked(mask: np.ndarray, horizontal: bool, pos: float, start: float, end: float,
           tol: int) -> np.ndarray:
    """Per pixel of ``start``..``end`` (rounded, end excluded): whether a stroke within
    ``tol`` pixels of ``pos`` inks it."""
    p, a, b = round(pos), round(start), max(round(start), round(end))
    if horizontal:
        return mask[max(0, p - tol):p + tol + 1, a:b].max(axis=0, initial=0) > 0
    return mask[a:b, max(0, p - tol):p + tol + 1].max(axis=1, initial=0) > 0


def coverage(mask: np.ndarray, horizontal: bool, pos: float, start: float, end: float,
             tol: int) -> float:
    """Share of ``start``..``end`` inked by a stroke within ``tol`` pixels of ``pos``."""
    inked = _inked(mask, horizontal, pos, start, end, tol)
    return float(inked.mean()) if inked.size else 0.0


def drawn(mask: np.ndarray, across: np.ndarray, horizontal: bool, pos: float, start: float,
          end: float, tol: int, min_cover: float = 0.6) -> bool:
    """Whether a boundary is drawn between the crossing lines at ``start`` and ``end``.

    It must be mostly inked and touch both crossing lines (``across``): a glyph that blur
    fused to the line below ("(" over a column line) stops short of the line above, by a
    few pixels in a cramped header row. The ``tol`` pixels next to each crossing line are
    left out of the coverage, as they hold that line.
    """
    a, b = start + tol, end - tol
    return (coverage(mask, horizontal, pos, a, b, tol) >= min_cover
            and _touches(mask, across, horizontal, pos, start, a + tol, tol)
            and _touches(mask, across, horizontal, pos, b - tol, end, tol))


def _touches(mask: np.ndarray, across: np.ndarray, horizontal: bool, pos: float, start: float,
             end: float, tol: int) -> bool:
    """Whether ink runs along ``start``..``end`` (both included) within ``tol`` pixels of
    ``pos``, in the stroke or the line it meets, broken by a pixel at most (JPEG noise)."""
    import numpy as np

    inked = (_inked(mask, horizontal, pos, start, end + 1, tol)
             | _inked(across, horizontal, pos, start, end + 1, tol))
    if not inked.any():
        return False
    gaps = np.diff(np.flatnonzero(np.concatenate(([True], inked, [True])))) - 1
    return int(gaps.max()) <= 1


def grid_spans(h_mask: np.ndarray, v_mask: np.ndarray, xs: Sequence[float], ys: Sequence[float],
               tol: int) -> list[tuple[int, int, int, int]]:
    """Cells as (row, col, rowspan, colspan): grid slots joined where their boundary is not drawn."""
    rows, cols = len(ys) - 1, len(xs) - 1

    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not drawn(v_mask, h_mask, False, xs[c + 1], ys[r], ys[r + 1], tol):
                parent[find(r * cols + c)] = find(r * cols + c + 1)
            if r + 1 < rows and not drawn(h_mask, v_mask, True, ys[r + 1], xs[c], xs[c + 1], tol):
                parent[find(r * cols + c)] = find((r + 1) * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    taken: set[tuple[int, int]] = set()
    cells = []
    for slots in sorted(groups.values()):
        r0, c0 = min(s[0] for s in slots), min(s[1] for s in slots)
        r1, c1 = max(s[0] for s in slots) + 1, max(s[1] for s in slots) + 1
        if (r0, c0) in taken:
            continue
        taken.update((r, c) for r in range(r0, r1) for c in range(c0, c1))
        cells.append((r0, c0, r1 - r0, c1 - c0))
    return sorted(cells)


# --------------------------------------------------------------------------- marks


@dataclass(frozen=True, slots=True)
class Ink:
    """The ink left in a cell once specks are dropped: the evidence for a schedule mark.

    Shares are relative to the ink's own bounding box, so they do not depend on dpi.
    """

    pixels: int
    blobs: int
    width: int
    height: int
    top_left: float = 0.0  # share of the ink in the upper-left quarter
    fill: float = 0.0  # share of the box that is inked
    foot: float = 0.0  # horizontal centre of the lowest fifth (0 = left, 1 = right)
    shape: int = 0  # the box on an 8 × 8 grid, one bit per inked square (row-major)


def cell_ink(ink: np.ndarray, min_blob: int) -> Ink:
    """Measure a cell's ink, ignoring specks below ``min_blob`` pixels or a sixth of the main blob."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    if not areas.size or areas.max() < min_blob:
        return Ink(0, 0, 0, 0)
    keep = [i + 1 for i, a in enumerate(areas) if a >= max(min_blob, areas.max() / 6)]
    mask = np.isin(labels, keep)
    ys, xs = np.nonzero(mask)
    box = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = box.shape
    total = float(box.sum())
    foot_x = np.nonzero(box[h - max(1, h // 5):])[1]
    grid = cv2.resize(box.astype(np.float32), (_SHAPE, _SHAPE), interpolation=cv2.INTER_AREA)
    return Ink(int(total), len(keep), w, h,
               top_left=float(box[:h // 2, :w // 2].sum() / total),
               fill=total / (w * h),
               foot=float((foot_x.mean() + 0.5) / w),
               shape=int("".join("1" if v > 0.25 else "0" for v in grid.ravel()), 2))


_SHAPE = 8  # squares a side of Ink.shape
_SAME_SHAPE = 8  # squares of 64 two copies of one printed glyph may differ by (scan noise)
_REPEATS = 4  # copies on a page that make a glyph the page's mark: a header digit has two
_REPEATED_CONFIDENCE = 90.0  # a mark known by its copies: sure, short of a clear shape's 99


def repeated_ticks(inks: Sequence[Ink], dpi: int) -> list[bool]:
    """Which of a page's narrow-cell ``inks`` (ones ``classify_mark`` left undecided) are
    the page's schedule mark: a tick-shaped glyph (upper-left quarter nearly empty, thin,
    about as tall as wide) printed in at least ``_REPEATS`` cells as copies of one shape.

    A font's own √ may stand its foot right of centre (DejaVu Sans) where the one-glyph
    rule of ``classify_mark`` wants it left; a plan's mark is one glyph repeated down the
    month columns, while the header's digits there are each printed once or twice."""
    pt = dpi / 72
    like = [i.blobs == 1 and i.height >= 3.5 * pt and 0.6 <= i.height / max(i.width, 1) <= 2.2
            and i.top_left < 0.2 and i.fill < 0.5 for i in inks]
    out = [False] * len(inks)
    for a, ink in enumerate(inks):
        if not like[a]:
            continue
        copies = sum(1 for b, other in enumerate(inks) if like[b]
                     and (ink.shape ^ other.shape).bit_count() <= _SAME_SHAPE
                     and abs(ink.height - other.height) <= 0.15 * ink.height
                     and abs(ink.width - other.width) <= 0.2 * ink.width)
        out[a] = copies >= _REPEATS
    return out


def classify_mark(ink: Ink, dpi: int) -> tuple[str, float] | None:
    """"√", "-" or "" with a 0..100 confidence, from the ink's shape; None when it is text.

    A dash is one short stroke no taller than wide (blur fattens it). A tick (√, ✓) is one
    thin-stroked blob about as tall as wide, with an empty upper-left quarter and its
    foot left of centre; digits in narrow header cells (1, 4, 7) fail at least one of
    these. A "v" fails too and is left to OCR. Heights are in points, so any dpi works.
    """
    pt = dpi / 72
    if ink.pixels == 0:
        return "", 99.0
    if ink.blobs > 1:
        return None
    aspect = ink.height / max(ink.width, 1)
    if ink.height <= 2.5 * pt and aspect <= 1.0:
        return MARK_DASH, min(_certainty(2.5 * pt - ink.height, 1.2 * pt),
                              _certainty(1.0 - aspect, 0.4))
    if (ink.height >= 3.5 * pt and 0.6 <= aspect <= 1.8 and ink.top_left < 0.15
            and ink.fill < 0.5 and ink.foot < 0.55):
        return MARK_TICK, min(_certainty(0.15 - ink.top_left, 0.08),
                              _certainty(0.5 - ink.fill, 0.12),
                              _certainty(0.55 - ink.foot, 0.1))
    return None


def _certainty(margin: float, full: float) -> float:
    """Confidence from how far a measure sits from its decision threshold (``full`` = certain)."""
    return round(50.0 + 49.0 * max(0.0, min(1.0, margin / full)), 1)


def shade(gray: np.ndarray, ink: np.ndarray) -> tuple[int, int, int] | None:
    """The cell's background grey when it is visibly shaded (Gantt-style schedules), else None."""
    import numpy as np

    paper = gray[ink == 0]
    if paper.size == 0:
        return None
    level = int(np.median(paper))
    return (level, level, level) if level < 200 else None


# --------------------------------------------------------------------------- text


@dataclass(frozen=True, slots=True)
class Tile:
    """A cell crop pasted into a mosaic: rows ``top``..``bottom`` of the mosaic are this cell."""

    key: int
    top: int
    bottom: int


def mosaic(crops: Sequence[tuple[int, np.ndarray]], gap: int) -> tuple[np.ndarray, list[Tile]]:
    """Crops stacked top to bottom on white, so one Tesseract run reads many cells."""
    import numpy as np

    width = max(c.shape[1] for _, c in crops) + 2 * gap
    height = sum(c.shape[0] + gap for _, c in crops) + gap
    sheet = np.full((height, width), 255, dtype=np.uint8)
    tiles = []
    y = gap
    for key, crop in crops:
        h, w = crop.shape
        sheet[y:y + h, gap:gap + w] = crop
        tiles.append(Tile(key, y, y + h))
        y += h + gap
    return sheet, tiles


def words_by_tile(words: Sequence[Word], tiles: Sequence[Tile], gap: int,
                  scale: float) -> dict[int, list[Word]]:
    """Each word goes to the tile holding its vertical centre, in that crop's own pixels."""
    import bisect

    tops = [t.top for t in tiles]
    out: dict[int, list[Word]] = {}
    for w in words:
        cy = w.top + w.height / 2
        i = bisect.bisect_right(tops, cy) - 1
        if 0 <= i < len(tiles) and cy <= tiles[i].bottom:
            t = tiles[i]
            out.setdefault(t.key, []).append(Word(
                w.text, w.conf, round((w.left - gap) / scale), round((w.top - t.top) / scale),
                round(w.width / scale), round(w.height / scale), w.line))
    return out


def text_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into Tesseract's lines, top to bottom, each left to right."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    return [sorted(ln, key=lambda w: w.left)
            for ln in sorted(lines.values(), key=lambda ln: min(w.top for w in ln))]


def line_width(line: Sequence[Word]) -> int:
    return line[-1].left + line[-1].width - line[0].left




def page_lexicon(cells: Iterable[Sequence[Word]]) -> frozenset[str]:
    """Words read at least twice on the page: a fragment of a broken word is read once, so
    it is not taken for a word the document uses."""
    counts = Counter(word for ws in cells for w in ws for word in words(w.text))
    return frozenset(word for word, n in counts.items() if n >= 2)


def join_lines(lines: Sequence[Sequence[Word]], width: float, lexicon: AbstractSet[str]) -> str:
    """Cell text as printed: in-cell line breaks become single spaces, broken words rejoined
    (``text.join_line`` on the lines' widths in pixels; ``width`` the column's widest line)."""
    texts = [" ".join(w.text for w in line) for line in lines]
    if len(lines) < 2:
        return slashes(collapse("".join(texts)))
    # OCR words are measured too coarsely for a span; Tesseract reads no space glyphs
    breaks = [(before, after, line_width(prev) + line[0].width, None, False)
              for before, after, prev, line in zip(texts, texts[1:], lines, lines[1:])]
    return slashes(collapse(join_breaks(breaks, width, lexicon)))


def slashes(text: str) -> str:
    """"/" where Tesseract read it as "!" or "|" between two letters or digits
    ("Kab!II/2025", "Unit|Satuan"): a decree never prints those there. A roman month
    between slashes of a decree number keeps its "I" where it was read as "l"
    (".../Prov/l/2024")."""
    text = _FALSE_SLASH.sub("/", text)
    return _ROMAN_MONTH.sub(lambda m: m.group(0).replace("l", "I"), text)


_FALSE_SLASH = re.compile(r"(?<=[^\W_])[!|](?=[^\W_])")
_ROMAN_MONTH = re.compile(r"(?<=/)[IVXl]*l[IVXl]*(?=/\d)")


def runs_to_bottom(lines: Sequence[Sequence[Word]], height: int) -> bool:
    """Less than a line of room is left under the text: it may go on past a page break."""
    if not lines:
        return False
    last = lines[-1]
    line_h = max(w.height for w in last)
    return height - max(w.top + w.height for w in last) < 0.8 * line_h


def mean_conf(words: Sequence[Word]) -> float:
    confs = [w.conf for w in words if w.conf >= 0]
    return round(sum(confs) / len(confs), 1) if confs else 0.0


# --------------------------------------------------------------------------- finder


@dataclass(frozen=True, slots=True)
class Scan:
    """An upright, deskewed page image with its ink and ruling masks, all the same size.

    ``turns`` (clockwise quarter turns) and then ``angle`` (degrees, counter-clockwise,
    about the centre) took the rendered page of ``size`` (width, height pixels) here.
    """

    gray: np.ndarray
    ink: np.ndarray
    h_mask: np.ndarray
    v_mask: np.ndarray
    dpi: int
    angle: float
    turns: int = 0
    size: tuple[int, int] = (0, 0)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A point of the page (PDF points, top-left origin) in this image's pixels."""
        import cv2
        import numpy as np

        k = self.dpi / 72
        px, py = x * k, y * k
        w, h = self.size
        px, py = ((px, py), (h - py, px), (w - px, h - py), (py, w - px))[self.turns % 4]
        rows, cols = self.gray.shape[:2]
        m = cv2.getRotationMatrix2D((cols / 2, rows / 2), -self.angle, 1.0)
        return tuple(float(v) for v in m @ np.array([px, py, 1.0]))  # type: ignore[return-value]


def prepare(gray: np.ndarray, dpi: int) -> Scan:
    """Turn the page upright, measure the skew from the long horizontal lines and undo it,
    keep the rulings."""
    import numpy as np

    min_len = _stroke_len(dpi)
    size = (gray.shape[1], gray.shape[0])
    ink = binarise(gray)
    turns = upright_turns(ink, dpi)
    if turns:
        gray = np.ascontiguousarray(np.rot90(gray, -turns))
        ink = binarise(gray)
    h, v = line_masks(ink, min_len)
    angle = skew_angle(h, min_len)
    if abs(angle) > 0.02:
        gray = rotate(gray, angle, 255)
        ink = binarise(gray)
        h, v = line_masks(ink, min_len)
    tol = _line_tol(dpi)
    return Scan(gray, ink, rulings_only(h, v, True, min_len, tol, dpi),
                rulings_only(v, h, False, min_len, tol, dpi), dpi, angle, turns, size)


def _line_tol(dpi: int) -> int:
    """How far (pixels) a ruling may stray from its row or column position."""
    return max(3, dpi // 50)


def _stroke_len(dpi: int) -> int:
    """Shortest run taken for a ruling: longer than any glyph stroke, shorter than a month cell."""
    return max(8, round(dpi * 0.15))


def grid_lines(scan: Scan, region: tuple[int, int, int, int]) -> tuple[list[float], list[float]]:
    """Column and row boundary positions (pixels) of the table inside ``region``."""
    min_len = _stroke_len(scan.dpi)
    x0, y0, x1, y1 = region
    margin = max(3, scan.dpi // 40)
    tol = _line_tol(scan.dpi)

    def positions(mask: np.ndarray, horizontal: bool) -> list[float]:
        segs = [s for s in segments(mask, horizontal, min_len)
                if (y0 - margin <= s.pos <= y1 + margin if horizontal
                    else x0 - margin <= s.pos <= x1 + margin)]
        found = []
        for pos in cluster([s.pos for s in segs], tol):
            length = sum(s.end - s.start for s in segs if abs(s.pos - pos) <= tol)
            if length >= 2 * min_len:
                found.append(pos)
        return found

    return positions(scan.v_mask, False), positions(scan.h_mask, True)


OnPage = Callable[[int], None]  # hears each page number as its reading is done


class OcrGrid:
    """Scanned table pages: ruling lines found in the image, text read by Tesseract.

    Schedule marks are decided from the ink, not from OCR: Tesseract reads √ as V, J, v or
    nothing depending on the noise, while a tick and a dash differ plainly in shape. A
    searchable scan's own text layer gives a cell's text where it agrees with the ink and
    with the document's words; Tesseract reads the rest.
    """

    def find(self, doc: Document, page: Page, settings: Settings) -> PageGrid | None:
        return self.find_all(doc, [page], settings)[0]

    def find_all(self, doc: Document, pages: Sequence[Page], settings: Settings,
                 on_page: OnPage | None = None) -> list[PageGrid | None]:
        """A grid (or None) per page, ``settings.ocr.jobs`` pages at a time.

        Pages run on threads: OpenCV and NumPy release the GIL for the heavy steps, and
        Tesseract runs in processes of its own, so each thread keeps a core busy.
        """
        if not pages:
            return []
        binary = require_tesseract(settings.ocr.lang, doc.path, pages[0].page_no)
        lexicon = layer_lexicon(doc)

        parts = max(1, settings.ocr.jobs // len(pages))  # cores left over by the page threads

        def one(page: Page) -> PageGrid | None:
            with _on_page(doc, page):
                scan = prepare(render_gray(doc, page.page_no, settings.ocr.dpi),
                               settings.ocr.dpi)
                grid = read_table(scan, page, settings, binary, lexicon, parts)
            if on_page is not None:
                on_page(page.page_no)
            return grid

        return consensus(_each_page(one, pages, settings.ocr.jobs))


def consensus(grids: Sequence[PageGrid | None]) -> list[PageGrid | None]:
    """OCR'd cells with a rare token put right by the document's own spelling.

    A token ("UnivSatuan", "R8", "keria") that reads the same as one the decree prints at
    least three times as often ("Unit/Satuan", "RB", "kerja") once the glyphs Tesseract
    takes for one another are made alike (`_skeleton`) is that token misread; both must
    hold a letter, so numbers and roman numerals ("11", "II") stay apart. A word a narrow
    column broke ("Dereg ulasi") is joined where the decree prints it whole three times
    as often ("Deregulasi"); one page holds too few of them to tell. (Never the other way:
    "dilingkungan" and "di lingkungan" are both printed.) A scanner's text layer is
    another engine's OCR, so its cells are put right the same way.
    """
    texts = [c.text.split() for g in grids if g is not None for c in g.cells]
    counts = Counter(t for tokens in texts for t in tokens)
    pairs = Counter(p for tokens in texts for p in zip(tokens, tokens[1:]))
    best: dict[str, str] = {}  # skeleton -> the document's most printed spelling of it
    for token, n in counts.most_common():
        if n >= 3 and any(ch.isalpha() for ch in token):
            best.setdefault(_skeleton(token), token)
    fixes: dict[str, str] = {}
    for token, n in counts.items():
        other = best.get(_skeleton(token))
        if other and other != token and counts[other] >= 3 * n and any(
                ch.isalpha() for ch in token):
            fixes[token] = other
    joins = {(a, b): a + b for (a, b), n in pairs.items()
             if a[-1:].isalpha() and b[:1].islower() and counts[a + b] >= max(3, 3 * n)}
    if not fixes and not joins:
        return list(grids)
    return [g if g is None else replace(g, cells=tuple(
        replace(c, text=_respelled(c.text, fixes, joins)) for c in g.cells)) for g in grids]


def _respelled(text: str, fixes: dict[str, str], joins: dict[tuple[str, str], str]) -> str:
    tokens = [fixes.get(t, t) for t in text.split()]
    out: list[str] = []
    for token in tokens:
        if out and (out[-1], token) in joins:
            out[-1] = joins[(out[-1], token)]
        else:
            out.append(token)
    joined = " ".join(out)
    return joined if joined != collapse(text) else text


# What Tesseract's ind model reads for a glyph on these scans: "/" as "'", "|" or "v"
# after a "t" ("Unit/Satuan" as "UnivSatuan"), "B" as "8", "j" as "i", ...
_SKELETON = (("t/", "v"), ("/'", "/"), ("'/", "/"), ("'", "/"), ("|", "/"), ("8", "B"),
             ("0", "O"), ("j", "i"), ("1", "l"), ("I", "l"))


def _skeleton(token: str) -> str:
    for seen, same in _SKELETON:
        token = token.replace(seen, same)
    return token


@contextmanager
def _on_page(doc: Document, page: Page) -> Iterator[None]:
    """A failure while reading ``page`` names the file and the page."""
    try:
        yield
    except RenaksiError as exc:
        exc.path = exc.path or doc.path
        exc.page = exc.page or page.page_no
        raise


def _each_page(job: Callable[[Page], object], pages: Sequence[Page], jobs: int) -> list:
    if jobs == 1 or len(pages) == 1:
        return [job(p) for p in pages]
    with ThreadPoolExecutor(max_workers=min(jobs, len(pages))) as pool:
        return list(pool.map(job, pages))


def read_table(scan: Scan, page: Page, settings: Settings, binary: str,
               lexicon: AbstractSet[str] = frozenset(), parts: int = 1) -> PageGrid | None:
    """The page's ruled table as a grid of cells, or None when it has none.

    ``lexicon`` is the document's words that its text layer (if any) is checked against;
    ``parts`` how many Tesseract processes share the page's cells.
    """
    to_pt = 72 / scan.dpi
    region = table_region(scan.h_mask, scan.v_mask, round(settings.grid.min_table_width / to_pt))
    if region is None:
        return None
    xs, ys = grid_lines(scan, region)
    if len(xs) < 2 or len(ys) < 2:
        return None
    spans = grid_spans(scan.h_mask, scan.v_mask, xs, ys, _line_tol(scan.dpi))
    boxes, decided, to_read = triage(scan, spans, xs, ys)
    read = layer_cells(scan, page_layer(page, scan), spans, boxes, [k for k, _ in to_read],
                       lexicon)
    found = read_cells(binary, [(k, crop) for k, crop in to_read if k not in read],
                       settings.ocr.lang, scan.dpi, parts)
    read.update(cell_texts(found, spans, boxes))
    cells = []
    for k, (r, c, rs, cs) in enumerate(spans):
        text, conf, full = read.get(k, (decided[k][0], decided[k][1], False))
        bbox: BBox = (xs[c] * to_pt, ys[r] * to_pt, xs[c + cs] * to_pt, ys[r + rs] * to_pt)
        cells.append(Cell(r, c, rs, cs, bbox, text, fill=decided[k][2], confidence=conf,
                          full=full))
    return PageGrid(page_no=page.page_no,
                    bbox=(xs[0] * to_pt, ys[0] * to_pt, xs[-1] * to_pt, ys[-1] * to_pt),
                    xs=tuple(x * to_pt for x in xs), ys=tuple(y * to_pt for y in ys),
                    cells=tuple(cells), rulings=_rulings(scan, to_pt), source="ocr")


# --------------------------------------------------------------------------- text layer

LAYER_CONFIDENCE = 95.0  # a layer word the ink and the document both confirm


def layer_lexicon(doc: Document) -> frozenset[str]:
    """Words a scan's text layer holds at least twice in the document: a misread is rarely
    made twice the same way, so a word read once is checked by OCR instead."""
    from .pages import stream_words

    counts = Counter(w for page in doc.pages if page.kind == "scan" and _has_layer(page)
                     for w in stream_words(_layer(page)))
    return frozenset(w for w, n in counts.items() if n >= 2)


def _has_layer(page: Page) -> bool:
    from .pages import JUNK_LAYER

    return bool(page.chars or page.hidden) and not page.scan_reason.startswith(JUNK_LAYER)


def _layer(page: Page) -> tuple[Char, ...]:
    return page.chars + page.hidden


def page_layer(page: Page, scan: Scan) -> list[Char]:
    """The page's usable text layer moved into the scan's frame (points of the upright,
    deskewed image), so its characters fall in the cells found in that image."""
    if not _has_layer(page):
        return []
    k = 72 / scan.dpi
    out = []
    for c in _layer(page):
        if c.text.isspace():
            continue
        x, y = scan.point((c.x0 + c.x1) / 2, (c.top + c.bottom) / 2)
        w, h = c.x1 - c.x0, c.bottom - c.top
        if scan.turns % 2:
            w, h = h, w
        x, y = x * k, y * k
        out.append(Char(c.text, x - w / 2, y - h / 2, x + w / 2, y + h / 2, c.font, c.size))
    return out


def layer_cells(scan: Scan, layer: Sequence[Char], spans: Sequence[tuple[int, int, int, int]],
                boxes: Sequence[tuple[int, int, int, int]], keys: Sequence[int],
                lexicon: AbstractSet[str]) -> dict[int, tuple[str, float, bool]]:
    """Text, confidence and "runs to the bottom" of the cells whose layer text is trusted.

    A cell's layer text is trusted when each of its words is one the document's layer
    holds twice or more (``lexicon``), every glyph box lands on ink, and the boxes cover
    the cell's ink: a layer that missed, invented or misplaced a word fails one of them.
    """
    import numpy as np

    if not layer:
        return {}
    from .pages import stream_runs

    px = scan.dpi / 72
    mine: dict[int, list[Char]] = {}
    split: set[int] = set()  # cells a layer word runs out of: its boxes are not where its ink is
    for run in stream_runs(layer):
        homes = [_home(ch, boxes, px) for ch in run]
        if len(set(homes)) > 1:
            split.update(k for k in homes if k is not None)
        elif homes[0] is not None:
            mine.setdefault(homes[0], []).extend(run)
    wanted = set(keys) - split
    mine = {k: chars for k, chars in mine.items() if k in wanted}
    lines = {k: char_lines(chars) for k, chars in mine.items()}
    widths = dict(zip(mine, text_widths([((spans[k][1], spans[k][3]),
                                          tuple(v / px for v in boxes[k]), lines[k])
                                         for k in mine])))
    lines_mask = scan.h_mask | scan.v_mask
    out = {}
    for k, chars in mine.items():
        x0, y0, x1, y1 = boxes[k]
        ink = _text_ink(np.where(lines_mask[y0:y1, x0:x1] > 0, 0, scan.ink[y0:y1, x0:x1]),
                        scan.dpi)
        text = cell_text(lines[k], widths[k], lexicon)
        if not _agrees(text, chars, ink, (x0, y0), px, lexicon):
            continue
        line_h = max(c.bottom - c.top for c in chars)
        full = (y1 / px - max(c.bottom for c in chars)) < 0.8 * line_h
        out[k] = (text, LAYER_CONFIDENCE, full)
    return out


def _home(ch: Char, boxes: Sequence[tuple[int, int, int, int]], px: float) -> int | None:
    """The cell (index into ``boxes``, pixels) holding a glyph's centre (points)."""
    cx, cy = (ch.x0 + ch.x1) / 2 * px, (ch.top + ch.bottom) / 2 * px
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return k
    return None


# What another OCR engine leaves in a layer that a decree never prints: a ruling read as
# "|", a slash read as an apostrophe or a bar inside a word ("unit'Satuan").
_NOT_PRINTED = re.compile(r"\||(?<=[^\W_])'(?=[^\W_])")


def _text_ink(ink: np.ndarray, dpi: int) -> np.ndarray:
    """Ink that may be text (boolean): emblems, signatures and stamps, taller than a third
    of an inch, carry no layer text and are left out."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_HEIGHT] <= dpi / 3
    small[0] = False
    return small[labels]


def _agrees(text: str, chars: Sequence[Char], ink: np.ndarray, origin: tuple[int, int],
            px: float, lexicon: AbstractSet[str]) -> bool:
    import numpy as np

    from .pages import unmapped

    if (any(w not in lexicon for w in words(text) if len(w) >= 2) or any(map(unmapped, text))
            or _NOT_PRINTED.search(text)):
        return False
    covered = np.zeros_like(ink)
    pad = max(1, round(px))
    hit = 0
    for c in chars:
        a, b = round(c.x0 * px) - origin[0] - pad, round(c.top * px) - origin[1] - pad
        d, e = round(c.x1 * px) - origin[0] + pad, round(c.bottom * px) - origin[1] + pad
        a, b = max(a, 0), max(b, 0)
        covered[b:e, a:d] = True
        hit += bool(ink[b:e, a:d].any())
    total = int(ink.sum())
    return hit >= 0.9 * len(chars) and total > 0 and int((ink & covered).sum()) >= 0.95 * total


Decision = tuple[str, float, tuple[int, int, int] | None]  # text, confidence, shade


def triage(scan: Scan, spans: Sequence[tuple[int, int, int, int]], xs: Sequence[float],
           ys: Sequence[float]) -> tuple[list[tuple[int, int, int, int]], list[Decision],
                                         list[tuple[int, np.ndarray]]]:
    """Pixel box of each cell, what its ink already decides, and the crops left for OCR.

    An empty cell needs no OCR; a narrow cell (a month, a quarter) whose ink is a tick
    or a dash is decided by shape. Everything else is cropped from the page with its
    ruling lines whitened, so no stroke of a line reaches Tesseract.
    """
    import cv2
    import numpy as np

    dpi = scan.dpi
    lines = cv2.dilate(scan.h_mask | scan.v_mask, np.ones((3, 3), np.uint8))
    ink = scan.ink & ~lines
    clean = np.where(lines > 0, 255, scan.gray).astype(np.uint8)
    inset = max(1, dpi // 100)  # the lines are whitened already; more would cut descenders
    narrow = 0.025 * (xs[-1] - xs[0])  # month columns ~0.021 of the table, NO. ~0.031
    min_blob = max(4, round((dpi / 100) ** 2 * 3))
    boxes, decided, to_read = [], [], []
    undecided: dict[int, Ink] = {}  # narrow cells whose one glyph alone decides nothing
    for k, (r, c, rs, cs) in enumerate(spans):
        x0, y0 = round(xs[c]) + inset, round(ys[r]) + inset
        x1, y1 = round(xs[c + cs]) - inset, round(ys[r + rs]) - inset
        boxes.append((x0, y0, x1, y1))
        if x1 <= x0 or y1 <= y0:
            decided.append(("", 0.0, None))
            continue
        fill = shade(scan.gray[y0:y1, x0:x1], ink[y0:y1, x0:x1])
        measured = cell_ink(ink[y0:y1, x0:x1], min_blob)
        mark = classify_mark(measured, dpi) if x1 - x0 <= narrow or not measured.pixels else None
        if mark is None:
            decided.append(("", 0.0, fill))
            to_read.append((k, clean[y0:y1, x0:x1]))
            if x1 - x0 <= narrow:
                undecided[k] = measured
        else:
            decided.append((mark[0], mark[1], fill))
    ticks = {k for k, tick in zip(undecided, repeated_ticks(list(undecided.values()), dpi))
             if tick}
    for k in ticks:
        decided[k] = (MARK_TICK, _REPEATED_CONFIDENCE, decided[k][2])
    return boxes, decided, [(k, crop) for k, crop in to_read if k not in ticks]


def cell_texts(found: dict[int, list[Word]], spans: Sequence[tuple[int, int, int, int]],
               boxes: Sequence[tuple[int, int, int, int]]) -> dict[int, tuple[str, float, bool]]:
    """Text, mean word confidence and "runs to the bottom" of each OCR'd cell."""
    lines = {k: text_lines(ws) for k, ws in found.items()}
    lexicon = page_lexicon(found.values())
    widest: dict[tuple[int, int], int] = {}  # the column's text width, from its widest line
    for k, cell_lines in lines.items():
        col = (spans[k][1], spans[k][3])
        widest[col] = max([widest.get(col, 0)] + [line_width(ln) for ln in cell_lines])
    out = {}
    for k, cell_lines in lines.items():
        col = (spans[k][1], spans[k][3])
        height = boxes[k][3] - boxes[k][1]
        out[k] = (join_lines(cell_lines, widest[col], lexicon), mean_conf(found[k]),
                  runs_to_bottom(cell_lines, height))
    return out


def _rulings(scan: Scan, to_pt: float) -> tuple[Ruling, ...]:
    """The ruling strokes in points, for the debug view."""
    n = _stroke_len(scan.dpi)
    return tuple(
        [Ruling(s.start * to_pt, s.pos * to_pt, s.end * to_pt, s.pos * to_pt)
         for s in segments(scan.h_mask, True, n)]
        + [Ruling(s.pos * to_pt, s.start * to_pt, s.pos * to_pt, s.end * to_pt)
           for s in segments(scan.v_mask, False, n)])


def read_cells(binary: str, crops: Sequence[tuple[int, np.ndarray]], lang: str,
               dpi: int, parts: int = 1) -> dict[int, list[Word]]:
    """Words of each crop in its own pixels.

    The crops go into ``parts`` mosaics read by as many single-threaded Tesseract
    processes at once; doubtful punctuation is then read again (see `second_opinion`).
    """
    if not crops:
        return {}
    scale = _ocr_scale(dpi)
    gap = round(dpi * scale * 0.12)
    tall = sum(c.shape[0] * scale + gap for _, c in crops)
    pieces = max(parts, math.ceil(tall / _MAX_SHEET))  # Tesseract refuses taller images
    sheets = [mosaic([(k, _upscale(c, scale)) for k, c in part], gap)
              for part in _balanced_parts(crops, pieces)]
    second = _second_lang(binary, lang)

    def read(sheet: np.ndarray) -> list[Word]:
        image = 255 - binarise(sheet)
        first = _tesseract_words(binary, image, lang, psm=6)
        return second_opinion(binary, image, first, second, gap) if second else first

    if parts == 1:
        found = [read(sheet) for sheet, _ in sheets]
    else:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            found = list(pool.map(read, [sheet for sheet, _ in sheets]))
    out: dict[int, list[Word]] = {}
    for sheet_words, (_, tiles) in zip(found, sheets):
        out.update(words_by_tile(sheet_words, tiles, gap, scale))
    return out


PUNCTUATION_LANG = "eng"
# How the ind model writes ";" and "%": a trailing ":" or ","; "%" as "Y6", "96", "Hb", "#",
# "#4", "Y4&", "X4" or as bare digits ("(6)", "46", "1.1004" for "1.100%"). Enumerators
# ("1.", "2)") are never doubtful.
_DOUBTFUL = re.compile(
    r"[:,]$|[Yy][6o]|96|Hb|^\(?Y\)?$|[#&]|^(?:\d{1,2}\.)?\(?[XYy]?\d{1,4}\)?[.,;:]?$")
_ENUMERATOR = re.compile(r"^\d{1,2}[.)]$")


def _second_lang(binary: str, lang: str) -> str | None:
    """Debian's ``ind`` model has no ";" or "%" in its character set (it reads them as ":"
    or "," and "Y6"); English has both and is installed with Tesseract itself."""
    if PUNCTUATION_LANG in lang.split("+") or PUNCTUATION_LANG not in _tesseract_langs(binary):
        return None
    return PUNCTUATION_LANG


def second_opinion(binary: str, image: np.ndarray, words: Sequence[Word], lang: str,
                   gap: int) -> list[Word]:
    """``words`` with the ";" and "%" that a second model reads in the doubtful ones.

    Only those words are cut out and read again, in one small mosaic, so this costs a
    fraction of a second run over the page.
    """
    doubtful = [i for i, w in enumerate(words)
                if _DOUBTFUL.search(w.text) and not _ENUMERATOR.match(w.text)]
    if not doubtful:
        return list(words)
    pad = gap // 8
    h, w_ = image.shape
    crops = [(i, image[max(0, w.top - pad):min(h, w.top + w.height + pad),
                       max(0, w.left - pad):min(w_, w.left + w.width + pad)])
             for i in doubtful for w in (words[i],)]
    sheet, tiles = mosaic(crops, gap)
    other = words_by_tile(_tesseract_words(binary, sheet, lang, psm=6), tiles, gap, 1.0)
    out = list(words)
    for i in doubtful:
        w = words[i]
        text = merge_punctuation(w.text, "".join(o.text for o in other.get(i, [])))
        if text != w.text:
            out[i] = Word(text, w.conf, w.left, w.top, w.width, w.height, w.line)
    return out


def merge_punctuation(primary: str, other: str) -> str:
    """The primary reading, with the ";" or "%" the other reading saw.

    The primary model knows the language's words better, so only those characters are
    taken: a trailing ":" or "," becomes ";", and a token read with "%" ("(%)", "100%")
    is taken whole.
    """
    if "%" in other and "%" not in primary:
        return other
    if other.endswith(";") and primary[-1] in ":,":
        return primary[:-1] + ";"
    return primary


def _ocr_scale(dpi: int) -> float:
    """Upscale factor to ~400 dpi: on the 200 dpi fixture it read best (300 and 500 dpi lost
    semicolons and descenders)."""
    return max(1.0, 400 / dpi)


_MAX_SHEET = 30_000  # pixels: Tesseract reads images up to 32767 pixels high


def _balanced_parts(crops: Sequence[tuple[int, np.ndarray]],
                    parts: int) -> list[list[tuple[int, np.ndarray]]]:
    """``crops`` in order, cut into up to ``parts`` runs of about equal height."""
    total = sum(c.shape[0] for _, c in crops)
    out: list[list[tuple[int, np.ndarray]]] = [[]]
    acc = 0
    for item in crops:
        if acc >= total * len(out) / parts and len(out) < parts:
            out.append([])
        out[-1].append(item)
        acc += item[1].shape[0]
    return [part for part in out if part]


def page_texts(doc: Document, pages: Sequence[Page], settings: Settings,
               on_page: OnPage | None = None,
               above: Mapping[int, float] | None = None) -> dict[int, str]:
    """``page_text`` of each page, ``settings.ocr.jobs`` pages at a time; a page in
    ``above`` (page number → points) is read only above that height."""
    if not pages:
        return {}
    binary = require_tesseract(settings.ocr.lang, doc.path, pages[0].page_no)
    lexicon = layer_lexicon(doc)
    above = above or {}

    def one(page: Page) -> str:
        with _on_page(doc, page):
            text = page_text(doc, page, settings, binary, lexicon, above.get(page.page_no))
        if on_page is not None:
            on_page(page.page_no)
        return text

    return dict(zip((p.page_no for p in pages), _each_page(one, pages, settings.ocr.jobs)))


def page_text(doc: Document, page: Page, settings: Settings, binary: str | None = None,
              lexicon: AbstractSet[str] = frozenset(), above: float | None = None) -> str:
    """Text of a scanned page without a table (decree body, signature) as lines, top to bottom;
    with ``above`` (points, in the frame of the page's ``OcrGrid``), only what is printed
    above that height: the LAMPIRAN block over a table, which repeats the decree's number.

    Its text layer when the ink and the document's words agree with it (see
    `layer_cells`), else OCR: ``--psm 4`` reads the page as one column of lines of varying
    size, which keeps the order of "Menimbang : a. ..." blocks and of a signature set to
    the right, where the automatic layout (psm 3) reorders blocks.
    """
    binary = binary or require_tesseract(settings.ocr.lang, doc.path, page.page_no)
    dpi = settings.ocr.dpi
    scan = prepare(render_gray(doc, page.page_no, dpi), dpi)
    layer = page_layer(page, scan)
    if above is not None:
        bottom = max(1, round(above * dpi / 72) - _line_tol(dpi))
        scan = replace(scan, gray=scan.gray[:bottom], ink=scan.ink[:bottom],
                       h_mask=scan.h_mask[:bottom], v_mask=scan.v_mask[:bottom])
        layer = [c for c in layer if c.bottom <= above]
    if layer:
        rows, cols = scan.ink.shape
        whole = layer_cells(scan, layer, [(0, 0, 1, 1)], [(0, 0, cols, rows)], [0],
                            _with_page_words(lexicon, layer))
        if whole:
            return "\n".join(line_text(ln) for ln in group_lines(layer))
    image = _upscale(scan.gray, _ocr_scale(dpi))
    found = _tesseract_words(binary, 255 - binarise(image), settings.ocr.lang, psm=4)
    return "\n".join(slashes(" ".join(w.text for w in line)) for line in text_lines(found))


def _with_page_words(lexicon: AbstractSet[str], layer: Sequence[Char]) -> frozenset[str]:
    """A body page's words are checked against the ink alone: its names and numbers are
    printed once in the whole decree, so the twice-read rule of table cells would refuse
    every body page."""
    return frozenset(lexicon) | frozenset(
        words("\n".join(line_text(ln) for ln in group_lines(layer))))


def _upscale(image: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    if scale == 1.0:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)

"""The text layer: every character PDFium reads on a page, with its box, font and size."""
from __future__ import annotations

import ctypes
import re
from functools import cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .model import Char

# Glyphs whose text layer carries a font-private code instead of the mark it draws,
# decided by (font family, code). Word's "Insert Symbol" √ comes out as Symbol/OpenSymbol
# U+F0D6; Wingdings ✓ as U+F0FC or 'ü'; ZapfDingbats ✔ as '4' in readers without its map.
_FONT_GLYPHS: dict[str, dict[int, str]] = {
    "symbol": {0xF0D6: "√", 0xD6: "√", 0xF0B4: "×", 0xB4: "×", 0xF0B7: "•", 0xB7: "•"},
    "wingdings": {0xF0FC: "✓", 0xFC: "✓", 0xF0FB: "✗", 0xFB: "✗", 0xF0FE: "☑", 0xFE: "☑",
                  0xF0A8: "☐", 0xA8: "☐", 0xF06C: "●", 0x6C: "●", 0xF06E: "■", 0x6E: "■"},
    "zapfdingbats": {0x33: "✓", 0x34: "✔", 0x37: "✗", 0x38: "✘"},
    "dingbats": {0x33: "✓", 0x34: "✔", 0x37: "✗", 0x38: "✘"},
}



@cache
def _glyph_table(font: str) -> dict[int, str]:
    """Private codes of one font that stand for marks (looked up once per font name)."""
    family = re.sub(r"^[A-Z]{6}\+", "", font).lower().replace("-", "").replace(" ", "")
    table: dict[int, str] = {}
    for name, glyphs in _FONT_GLYPHS.items():
        if name in family:
            table.update(glyphs)
    return table


def decode_glyph(font: str, code: int) -> str:
    """The character a glyph shows, mapping symbol-font private codes to real marks."""
    mark = _glyph_table(font).get(code)
    if mark is not None:
        return mark
    if 0xF020 <= code <= 0xF0FF:  # other symbol fonts: the low byte is the glyph's code
        return chr(code - 0xF000)
    return chr(code)


def read_chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    rect = pdfium_c.FS_RECTF()
    chars: list[Char] = []
    last_font_obj = None
    font = ""
    size = 0.0
    clip: tuple[float, float, float, float] | None = None
    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0x0D, 0x0A) or code == 0 or code == 0xFFFE:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            continue
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        obj_key = ctypes.cast(obj, ctypes.c_void_p).value
        if obj_key != last_font_obj:
            pdfium_c.FPDFText_GetFontInfo(raw, i, buf, len(buf), flags)
            font = buf.value.decode("utf-8", "replace")
            clip = _clip_box(obj, height)
            size = pdfium_c.FPDFText_GetFontSize(raw, i)  # one size per text object
            last_font_obj = obj_key
        if clip is not None:  # text a spreadsheet clipped away is not printed on this page
            cx, cy = (rect.left + rect.right) / 2, height - (rect.top + rect.bottom) / 2
            if not (clip[0] - 1 <= cx <= clip[2] + 1 and clip[1] - 1 <= cy <= clip[3] + 1):
                continue
        if code == 0x02:  # PDFium's mark for a hyphen that ends a line
            code = 0x2D
        glyph = " " if code in (0x20, 0xA0, 0x09) else decode_glyph(font, code)
        chars.append(Char(text=glyph, x0=rect.left, top=height - rect.top, x1=rect.right,
                          bottom=height - rect.bottom, font=font, size=size))
    return chars


def _clip_box(obj, height: float) -> tuple[float, float, float, float] | None:
    """Bounding box (top-left origin) of a page object's clip path, if it has one."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    xs: list[float] = []
    ys: list[float] = []
    for k in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        for j in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, k)):
            seg = pdfium_c.FPDFClipPath_GetPathSegment(clip, k, j)
            if seg and pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                xs.append(x.value)
                ys.append(height - y.value)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


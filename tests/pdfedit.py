"""PDFs re-stored the ways producers store the same page differently (built with pikepdf).

Each function writes a copy of a PDF whose pages *look* the same as the original's (or, for
``turned``, hold the same content sideways), so an extraction of the copy must equal the
original's.
"""
from __future__ import annotations

from pathlib import Path

import pikepdf


def _wrap(pdf: pikepdf.Pdf, page: pikepdf.Page, cm: tuple[float, ...], box: list[float]) -> None:
    page.contents_coalesce()
    page.contents_add(pdf.make_stream(b"q %g %g %g %g %g %g cm\n" % cm), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ"))
    page.obj.MediaBox = pikepdf.Array(box)
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]


def rotated(src: Path, dst: Path, rotate: int) -> Path:
    """Every page stored turned a quarter (portrait for landscape) with ``/Rotate`` 90 or 270
    and its content counter-rotated: what Word and many scanners write. Displays the same."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            w, h = x1 - x0, y1 - y0
            if rotate == 90:  # shown: X = y', Y = x'  ⇒  x' = h - (y - y0), y' = x - x0
                cm = (0, 1, -1, 0, h + y0, -x0)
            else:  # 270, shown: X = w' - y', Y = h' - x'  ⇒  x' = y - y0, y' = w - (x - x0)
                cm = (0, -1, 1, 0, -y0, w + x0)
            _wrap(pdf, page, cm, [0, 0, h, w])
            page.obj.Rotate = rotate
        pdf.save(dst)
    return dst


def turned(src: Path, dst: Path) -> Path:
    """Every page's content drawn a quarter turn by the CTM on a page of swapped size, with no
    ``/Rotate``: the page shows its table sideways, as a reader turning the paper would read it."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            _wrap(pdf, page, (0, 1, -1, 0, y1, -x0), [0, 0, y1 - y0, x1 - x0])
        pdf.save(dst)
    return dst


def symbol_font_pdf(dst: Path, font: str, codes: bytes,
                    to_unicode: dict[int, int] | None = None) -> Path:
    """One page showing ``codes`` in a non-embedded symbolic TrueType font ``font`` (as Word
    writes Insert Symbol glyphs), with a ToUnicode map only when ``to_unicode`` is given."""
    pdf = pikepdf.new()
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + font), Flags=4,
        FontBBox=[0, -200, 1000, 800], ItalicAngle=0, Ascent=800, Descent=-200, CapHeight=700,
        StemV=80)
    face = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType,
                              BaseFont=pikepdf.Name("/" + font), FirstChar=32, LastChar=255,
                              Widths=[600] * 224, FontDescriptor=descriptor)
    if to_unicode:
        pairs = " ".join(f"<{k:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
                         for k, v in to_unicode.items())
        face.ToUnicode = pdf.make_stream(
            ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
             "1 begincodespacerange <00> <FF> endcodespacerange "
             f"{len(to_unicode)} beginbfchar {pairs} endbfchar endcmap "
             "CMapName currentdict /CMap defineresource pop end end").encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=face)),
        Contents=pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (" + codes.replace(b"\\", b"\\\\")
                                 .replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj ET"))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(dst)
    return dst


# How a forger hides a mark: content-stream snippets around one "v" in Helvetica (a tick
# read as yes) at (x, y) in user space; "visible" is the control that must change the table.
HIDE = {
    "visible": b"BT /FH 9 Tf %(x)g %(y)g Td (v) Tj ET",
    "render mode 3": b"BT 3 Tr /FH 9 Tf %(x)g %(y)g Td (v) Tj ET",
    "white on white": b"1 1 1 rg BT /FH 9 Tf %(x)g %(y)g Td (v) Tj ET",
    "0.05 pt": b"BT /FH 0.05 Tf %(x)g %(y)g Td (v) Tj ET",
    "clipped": b"0 0 1 1 re W n BT /FH 9 Tf %(x)g %(y)g Td (v) Tj ET",
    "transparent": b"/GH gs BT /FH 9 Tf %(x)g %(y)g Td (v) Tj ET",
    # white paint just over the glyph: larger, it would also erase the cell's ruling, which
    # a reader would then see missing
    "covered": b"BT /FH 9 Tf %(x)g %(y)g Td (v) Tj ET 1 1 1 rg %(x0)g %(y0)g 8 11 re f",
}


def forge_marks(src: Path, dst: Path, marks: list[tuple[int, float, float]], how: str) -> Path:
    """A copy of ``src`` with a mark drawn ``how`` (a key of ``HIDE``) at each (page number,
    x, y): x, y in user space, the baseline's start."""
    with pikepdf.open(src) as pdf:
        for page_no, x, y in marks:
            page = pdf.pages[page_no - 1]
            page.add_resource(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                 BaseFont=pikepdf.Name.Helvetica),
                              pikepdf.Name.Font, pikepdf.Name.FH)
            page.add_resource(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0, CA=0),
                              pikepdf.Name.ExtGState, pikepdf.Name.GH)
            snippet = HIDE[how] % {b"x": x, b"y": y, b"x0": x - 2, b"y0": y - 2.5}
            page.contents_coalesce()
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ q " + snippet + b" Q"))
        pdf.save(dst)
    return dst


def unmapped_ligatures(dst: Path, lines: list[str]) -> Path:
    """A page of ``lines`` set in Bitstream Vera (shipped with reportlab) whose ligature
    glyphs (U+FB00..FB04 in the text) map to U+FFFD in the ToUnicode CMap, as some producers
    write them."""
    import re

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont("VeraLig", str(font)))
    raw = dst.with_suffix(".raw.pdf")
    page = canvas.Canvas(str(raw))
    for k, line in enumerate(lines):
        page.setFont("VeraLig", 11)
        page.drawString(72, 720 - 18 * k, line)
    page.save()
    with pikepdf.open(raw) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj:
                cmap = obj.ToUnicode.read_bytes()
                obj.ToUnicode.write(re.sub(rb"<FB0[0-4]>", b"<FFFD>", cmap, flags=re.I))
        pdf.save(dst)
    return dst


def text_pdf(dst: Path, content: bytes) -> Path:
    """One A4 page drawing ``content`` (a content stream) with Helvetica as /F1."""
    pdf = pikepdf.new()
    helvetica = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                   BaseFont=pikepdf.Name.Helvetica)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica)),
        Contents=pdf.make_stream(content))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(dst)
    return dst

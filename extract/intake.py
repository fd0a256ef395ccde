"""Input guard: the bytes of a PDF file, refused before any parser sees them when they are
not a PDF or would inflate into a decompression bomb."""
from __future__ import annotations

import re
import zlib
from pathlib import Path

from .errors import BrokenPdf, NotAPdf

_PDF_MAGIC = b"%PDF-"
# PDFium inflates a whole stream into memory before parsing it (and aborts the process when
# that allocation fails), so a few MB of deflate can become GBs. Real content streams, fonts
# and even a 600 dpi A3 colour scan (~210 MB) stay below this.
MAX_STREAM_BYTES = 256 << 20
# A page's content may be an array of streams that PDFium joins into one buffer, so many
# streams just under the cap are a bomb too. Scans rarely use deflate for their images.
MAX_INFLATED_BYTES = 1 << 30
# Scanned pages are rendered for OCR; A0 at 200 dpi is 62 Mpx, so anything far above is a
# broken or hostile MediaBox, not a decree.
MAX_SCAN_PIXELS = 100_000_000
_STREAM_DATA = re.compile(rb"(?<!end)stream\r?\n")
_OBJ_HEAD = re.compile(rb"(\d+)\s+\d+\s+obj\b")


def read_pdf_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise NotAPdf("is a folder, not a PDF file", path) from None
    except OSError as exc:
        raise NotAPdf(f"cannot be read ({exc.strerror or exc})", path) from None
    if not data:
        raise NotAPdf("empty file (0 bytes)", path)
    if _PDF_MAGIC not in data[:1024]:
        raise NotAPdf("not a PDF (no %PDF header)", path)
    return data


def refuse_bombs(data: bytes, path: Path) -> None:
    """Refuse deflate streams that inflate past MAX_STREAM_BYTES each, or MAX_INFLATED_BYTES
    together, before PDFium sees them.

    Counted in bounded chunks from every ``stream`` keyword, whatever its dictionary says:
    a stream that is not deflate data fails zlib's header check within a few bytes.
    """
    total = 0
    for m in _STREAM_DATA.finditer(data):
        size = _inflated_size(data, m.end(), MAX_STREAM_BYTES)
        total += size
        if size > MAX_STREAM_BYTES:
            heads = list(_OBJ_HEAD.finditer(data, max(0, m.start() - 4096), m.start()))
            where = f"object {int(heads[-1].group(1))}" if heads else "a stream"
            raise BrokenPdf(f"{where} inflates to more than {MAX_STREAM_BYTES >> 20} MB "
                            "(a decompression bomb?); refused", path)
        if total > MAX_INFLATED_BYTES:
            raise BrokenPdf(f"its streams inflate to more than {MAX_INFLATED_BYTES >> 20} MB "
                            "together (a decompression bomb?); refused", path)


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes of deflate output from ``data[start:]``, counting stops just past ``limit``."""
    z = zlib.decompressobj()
    view = memoryview(data)
    size = 0
    pos = start
    try:
        while pos < len(data) and size <= limit and not z.eof:
            pending = view[pos:pos + (1 << 16)]
            pos += len(pending)
            while pending and size <= limit and not z.eof:
                size += len(z.decompress(pending, 1 << 20))
                pending = z.unconsumed_tail
    except zlib.error:
        pass  # not deflate data, or corrupt: PDFium reports what it makes of it
    return size


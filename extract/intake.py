"""Input guard: the bytes of a PDF file, refused before any parser sees them when they are
not a regular file, too large, not a PDF, or would inflate into a decompression bomb."""
from __future__ import annotations

import base64
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import BrokenPdf, NotAPdf

_PDF_MAGIC = b"%PDF-"
# Larger than any decree, even a 600 dpi colour scan of a hundred pages; checked before a
# byte is read, so a sparse file or a disk image named .pdf costs nothing.
MAX_FILE_BYTES = 1 << 30
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
# PDFium's parser skips whatever follows the keyword up to the end of the line, and takes a
# lone CR as an end of line (ISO 32000 asks for CRLF or LF): every variant starts data.
_STREAM_DATA = re.compile(rb"(?<!end)stream[^\r\n]*(?:\r\n|\r|\n)")
_OBJ_HEAD = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()%]+|\d+\s+\d+\s+R)")
_NAME = re.compile(rb"/([^\s/\[\]<>()%]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 20
_MAX_GUESSED_LAYERS = 16


@contextmanager
def open_input(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading when it is a regular file of at most MAX_FILE_BYTES.

    Opened without blocking and checked on the open descriptor, so a FIFO (which would wait
    for a writer forever), a device such as /dev/zero (endless), a socket or a folder is
    refused before a byte is read, also when reached through a symbolic link.
    Raises NotAPdf with the reason.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise NotAPdf(f"cannot be read ({exc.strerror or exc})", path) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise NotAPdf("is a folder, not a PDF file", path)
        if not stat.S_ISREG(info.st_mode):
            raise NotAPdf("is not a regular file (a pipe, device or socket); only files are "
                          "read", path)
        if info.st_size > MAX_FILE_BYTES:
            raise NotAPdf(f"{info.st_size >> 20} MB is more than the limit of "
                          f"{MAX_FILE_BYTES >> 20} MB for one PDF", path)
        yield fh


def read_pdf_bytes(path: Path) -> bytes:
    """The whole file, refused (NotAPdf) unless it is a regular, non-empty PDF file."""
    chunks, size = [], 0
    with open_input(path) as fh:
        try:
            while chunk := fh.read(_CHUNK << 4):  # read(limit) would reserve the limit at once
                size += len(chunk)
                if size > MAX_FILE_BYTES:  # grew while being read
                    raise NotAPdf(f"more than the limit of {MAX_FILE_BYTES >> 20} MB for one "
                                  "PDF", path)
                chunks.append(chunk)
        except OSError as exc:
            raise NotAPdf(f"cannot be read ({exc.strerror or exc})", path) from None
    data = b"".join(chunks)
    if not data:
        raise NotAPdf("empty file (0 bytes)", path)
    if _PDF_MAGIC not in data[:1024]:
        raise NotAPdf("not a PDF (no %PDF header)", path)
    return data


def refuse_bombs(data: bytes, path: Path) -> None:
    """Refuse streams that decode past MAX_STREAM_BYTES each, or MAX_INFLATED_BYTES together,
    before PDFium sees them.

    Each stream is decoded in bounded chunks through the filters its dictionary names
    (``/Filter [/ASCII85Decode /FlateDecode /FlateDecode]``: PDFium holds every stage in
    memory at once, so every stage counts), from every ``stream`` keyword variant PDFium
    accepts. A stream whose filters cannot be read is tried as deflate, again and again while
    the output is deflate data itself. Data that is not what a filter expects ends its
    decoding within a few bytes.
    """
    total = 0
    for m in _STREAM_DATA.finditer(data):
        head = _object_head(data, m.start())
        size = _decoded_size(data, m.end(), _filters(data, head, m.start()), MAX_STREAM_BYTES)
        total += size
        if size > MAX_STREAM_BYTES:
            where = f"object {int(head.group(1))}" if head else "a stream"
            raise BrokenPdf(f"{where} inflates to more than {MAX_STREAM_BYTES >> 20} MB "
                            "(a decompression bomb?); refused", path)
        if total > MAX_INFLATED_BYTES:
            raise BrokenPdf(f"its streams inflate to more than {MAX_INFLATED_BYTES >> 20} MB "
                            "together (a decompression bomb?); refused", path)


def _object_head(data: bytes, at: int) -> re.Match[bytes] | None:
    heads = list(_OBJ_HEAD.finditer(data, max(0, at - 4096), at))
    return heads[-1] if heads else None


def _filters(data: bytes, head: re.Match[bytes] | None, at: int) -> list[bytes] | None:
    """The stream's filter names in decoding order; None when the dictionary does not say."""
    start = head.end() if head else max(0, at - 4096)
    spec = _FILTER.search(_unescape(data[start:at]))
    if spec is None:
        return []
    value = spec.group(1)
    if value.endswith(b"R"):  # an indirect array or name: look for its object
        num, gen = value.split()[:2]
        target = re.search(rb"(?<!\d)%s\s+%s\s+obj\s*(\[[^\]]*\]|/[^\s/\[\]<>()%%]+)"
                           % (num, gen), data)
        if target is None:
            return None
        value = _unescape(target.group(1))
    return [_ABBREVIATIONS.get(n, n) for n in _NAME.findall(value)]


def _unescape(raw: bytes) -> bytes:
    """Names may spell a character as #xx (``/Fl#61teDecode``); PDFium reads them decoded."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _decoded_size(data: bytes, start: int, filters: list[bytes] | None, limit: int) -> int:
    """Bytes every decoding stage of the stream at ``data[start:]`` puts in memory, counting
    stops just past ``limit``."""
    counted = [0]

    def count(stage: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in stage:
            counted[0] += len(chunk)
            yield chunk
            if counted[0] > limit:
                return

    stage: Iterator[bytes] = _raw(data, start)
    if filters is None:  # unknown: deflate, again while the output is deflate data itself
        for _ in range(_MAX_GUESSED_LAYERS):
            stage = count(_flate(stage))
            first = next(stage, b"")
            stage = _prepend(first, stage)
            if not _looks_deflated(first):
                break
    else:
        for name in filters:
            decode = _DECODERS.get(name)
            if decode is None:  # image codecs: their size is bounded by the image's own
                break
            stage = count(decode(stage))
    for _ in stage:
        if counted[0] > limit:
            break
    return counted[0]


def _raw(data: bytes, start: int) -> Iterator[bytes]:
    view = memoryview(data)
    for pos in range(start, len(data), _CHUNK):
        yield bytes(view[pos:pos + _CHUNK])


def _flate(src: Iterator[bytes]) -> Iterator[bytes]:
    z = zlib.decompressobj()
    try:
        for chunk in src:
            while chunk and not z.eof:
                out = z.decompress(chunk, _OUT_CHUNK)
                chunk = z.unconsumed_tail
                if out:
                    yield out
            if z.eof:
                return
    except zlib.error:
        return  # not deflate data, or corrupt: PDFium keeps what was inflated so far


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _looks_deflated(data: bytes) -> bool:
    """A zlib header: deflate method, 32 KB window at most, and the header's check bits."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and \
        (data[0] << 8 | data[1]) % 31 == 0


def _ascii_hex(src: Iterator[bytes]) -> Iterator[bytes]:
    return _text_groups(src, b">", rb"[^0-9A-Fa-f]", 2, lambda t: t,
                        lambda t: bytes.fromhex((t + b"0" * (len(t) % 2)).decode("ascii")))


def _ascii85(src: Iterator[bytes]) -> Iterator[bytes]:
    return _text_groups(src, b"~", rb"\s", 5, lambda t: t.replace(b"z", b"!!!!!"),
                        base64.a85decode)


def _text_groups(src: Iterator[bytes], end: bytes, junk: bytes, group: int,
                 expand: Callable[[bytes], bytes],
                 decode: Callable[[bytes], bytes]) -> Iterator[bytes]:
    """An ASCII encoding: ``junk`` dropped, shorthands expanded, decoded ``group``
    characters at a time, up to ``end``; stops at the first invalid group."""
    pending = b""
    for chunk in src:
        stop = chunk.find(end)
        text = pending + expand(re.sub(junk, b"", chunk if stop < 0 else chunk[:stop]))
        whole = len(text) if stop >= 0 else len(text) // group * group
        try:
            yield decode(text[:whole])
        except ValueError:
            return
        pending = text[whole:]
        if stop >= 0:
            return


def _run_length(src: Iterator[bytes]) -> Iterator[bytes]:
    buf = b""
    for chunk in src:
        buf += chunk
        out = bytearray()
        i = 0
        while i < len(buf):
            n = buf[i]
            if n == 128:  # end of data
                yield bytes(out)
                return
            if n < 128:
                if i + n + 2 > len(buf):
                    break
                out += buf[i + 1:i + n + 2]
                i += n + 2
            else:
                if i + 1 >= len(buf):
                    break
                out += buf[i + 1:i + 2] * (257 - n)
                i += 2
            if len(out) >= _OUT_CHUNK:
                yield bytes(out)
                out = bytearray()
        buf = buf[i:]
        yield bytes(out)


def _lzw(src: Iterator[bytes]) -> Iterator[bytes]:
    """LZW as PDF writes it: 9 to 12 bit codes, early change, 256 clears, 257 ends."""
    table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
    width, acc, nbits = 9, 0, 0
    prev: bytes | None = None
    for chunk in src:
        out = bytearray()
        for byte in chunk:
            acc = acc << 8 | byte
            nbits += 8
            while nbits >= width:
                nbits -= width
                code = acc >> nbits
                acc &= (1 << nbits) - 1
                if code == 256:
                    del table[258:]
                    width, prev = 9, None
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                    if prev is not None and len(table) < 4096:
                        table.append(prev + entry[:1])
                elif code == len(table) and prev is not None:
                    entry = prev + prev[:1]
                    table.append(entry)
                else:
                    yield bytes(out)
                    return
                out += entry
                prev = entry
                if len(table) + 1 >= 1 << width and width < 12:
                    width += 1
                if len(out) >= _OUT_CHUNK:
                    yield bytes(out)
                    out = bytearray()
        yield bytes(out)


_DECODERS: dict[bytes, Callable[[Iterator[bytes]], Iterator[bytes]]] = {
    b"FlateDecode": _flate, b"ASCIIHexDecode": _ascii_hex, b"ASCII85Decode": _ascii85,
    b"RunLengthDecode": _run_length, b"LZWDecode": _lzw,
}
_ABBREVIATIONS = {b"Fl": b"FlateDecode", b"AHx": b"ASCIIHexDecode", b"A85": b"ASCII85Decode",
                  b"RL": b"RunLengthDecode", b"LZW": b"LZWDecode"}

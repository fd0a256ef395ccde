"""Hostile and broken inputs: each is refused with one typed line or extracted correctly, in
bounded time and memory, and --out never holds half a folder. PDFs are built in tmp dirs."""
from __future__ import annotations

import base64
import dataclasses
import errno
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest

from conftest import PDFS, extracted
from extract import intake, pages
from extract.errors import BrokenPdf, EncryptedPdf, OutputError
from extract.intake import MAX_STREAM_BYTES
from extract.normalise import doc_slug
from extract.pages import open_document
from extract.pipeline import run
from extract.settings import Settings
from extract.write import write

RENAKSI = Path(sys.executable).with_name("renaksi")
WORD = PDFS / "singkawang-2023-word.pdf"
WORD_ID = "kpu-kota-singkawang-2023-6"
PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def renaksi(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: a crash in C code must not take pytest down."""
    return subprocess.run([str(RENAKSI), "extract", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, check=False)


def assert_one_clean_failure(res: subprocess.CompletedProcess[str], name: str, says: str) -> None:
    text = res.stdout + res.stderr
    assert res.returncode == 1, text
    # a file given by its path is named by it, a file found in a folder relative to it
    assert re.search(rf"✗ (\S*/)?{re.escape(name)}( p\.\d+)?: .*{re.escape(says)}", text), text
    assert "unexpected" not in text and "Traceback" not in text and "worker died" not in text


def assert_no_partial(out: Path) -> None:
    for entry in out.iterdir() if out.exists() else ():
        assert not entry.name.startswith("."), entry
        if entry.is_dir():
            assert (entry / "dokumen.json").is_file() and (entry / "rencana_aksi.parquet").is_file()


def tiny_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF from object bodies numbered 1..n (1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref)
    return bytes(out)


def one_page(contents: bytes, page_extra: bytes = b"") -> list[bytes]:
    stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(contents), contents)
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R %s>>" % page_extra,
            stream]


def incremental_update(data: bytes, objects: dict[int, bytes], trailer: bytes = b"") -> bytes:
    """Append new or replaced objects the way an editor saves: a new xref section and trailer."""
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    size = max(int(s) for s in re.findall(rb"/Size\s+(\d+)", data))
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    out = bytearray(data)
    offsets = {}
    for num, body in sorted(objects.items()):
        offsets[num] = len(out)
        out += b"\n%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(out)
    out += b"xref\n" + b"".join(b"%d 1\n%010d 00000 n \n" % kv for kv in sorted(offsets.items()))
    out += b"trailer\n<< /Size %d /Root %s /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        max(size, max(objects) + 1), root, prev, trailer, xref)
    return bytes(out)


def catalog(data: bytes) -> tuple[int, bytes]:
    num = int(re.findall(rb"/Root\s+(\d+)\s+\d+\s+R", data)[-1])
    body = re.search(rb"\b%d 0 obj\s*(<<.*?>>)\s*endobj" % num, data, re.S).group(1)
    return num, body


def test_decompression_bomb_is_refused_fast_in_bounded_memory(tmp_path):
    z = zlib.compressobj(1)
    megabyte = b" " * (1 << 20)
    bomb = b"".join([*(z.compress(megabyte) for _ in range((MAX_STREAM_BYTES >> 20) + 64)), z.flush()])
    pdf = tmp_path / "bomb.pdf"
    objects = one_page(b"")
    objects[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)
    pdf.write_bytes(tiny_pdf(objects))
    # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) peak into a
    # child's ru_maxrss across exec, while VmHWM belongs to the new process alone
    probe = ("import re, sys\nfrom extract.pages import open_document\n"
             "try:\n    open_document(sys.argv[1])\nexcept Exception as exc:\n    print(exc)\n"
             "status = open('/proc/self/status').read()\n"
             "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)")
    res = subprocess.run([sys.executable, "-c", probe, str(pdf)], capture_output=True, text=True,
                         timeout=60, check=True)  # a bomb that is inflated would not end in time
    message, peak_mb = res.stdout.splitlines()
    assert "bomb.pdf: object 4 inflates to more than 256 MB" in message
    assert int(peak_mb) < 500
    assert_one_clean_failure(renaksi(pdf, "--out", tmp_path / "out", "-j", "2"), "bomb.pdf",
                             "decompression bomb")


def test_many_streams_that_inflate_to_too_much_together_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_STREAM_BYTES", 4 << 20)
    monkeypatch.setattr(intake, "MAX_INFLATED_BYTES", 10 << 20)
    piece = zlib.compress(b" " * (3 << 20))
    objects = one_page(b"")
    objects[2] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 5 0 R 6 0 R 7 0 R] >>"
    objects[3:] = [b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(piece), piece)] * 4
    pdf = tmp_path / "many.pdf"
    pdf.write_bytes(tiny_pdf(objects))
    with pytest.raises(BrokenPdf, match="inflate to more than 10 MB together"):
        open_document(pdf)


@pytest.fixture(scope="module")
def thousand_pages(tmp_path_factory) -> Path:
    """1,000 copies of a lampiran page: within Settings.max_pages, far beyond any decree."""
    src = pdfium.PdfDocument(WORD)
    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(src, [0, 1, 2])
    for _ in range(997 // 50):
        pdf.import_pages(src, [2] * 50)
    pdf.import_pages(src, [2] * (1000 - len(pdf)))
    path = tmp_path_factory.mktemp("big") / "seribu.pdf"
    pdf.save(path)
    assert len(pdf) == 1000
    return path


def test_thousand_pages_over_the_page_limit_is_refused_before_reading(thousand_pages, monkeypatch):
    read: list[int] = []
    monkeypatch.setattr(pages, "_read_page", lambda pdf, index, *rest: read.append(index))
    with pytest.raises(BrokenPdf, match="1000 pages is more than the limit of 999"):
        open_document(thousand_pages, Settings(max_pages=999))
    assert read == []


def test_thousand_pages_past_the_time_limit_is_one_line_and_no_folder(thousand_pages, tmp_path):
    out = tmp_path / "out"
    # reading all 1,000 pages would take far longer than the command is given here
    res = renaksi(thousand_pages, "--out", out, "-j", "2", "--timeout", "4", timeout=60)
    assert_one_clean_failure(res, "seribu.pdf", "timed out after 4s")
    assert_no_partial(out)
    assert not [p for p in out.iterdir() if p.is_dir()]


def test_deeply_nested_objects_are_refused_cleanly(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    contents = b"q " * 50000 + b"0 0 m 10 10 l S " + b"Q " * 50000
    nested = {
        "arrays": b"/Resources << /X " + b"[" * 20000 + b"]" * 20000 + b" >>",
        "dicts": b"/Resources << /X " + b"<< /A " * 5000 + b">> " * 5000 + b">>",
        "unclosed": b"/Annots [" + b"[" * 100000 + b"]",
    }
    for name, page_extra in nested.items():
        (raw / f"{name}.pdf").write_bytes(tiny_pdf(one_page(contents, page_extra)))
    tree = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for i in range(2, 3002):  # 3,000 Pages nodes, each the only kid of the one above
        tree.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (i + 1))
    tree.append(b"<< /Type /Page /MediaBox [0 0 595 842] >>")
    (raw / "tree.pdf").write_bytes(tiny_pdf(tree))
    res = renaksi(raw, "--out", tmp_path / "out", "-j", "2")
    for name in nested:
        assert_one_clean_failure(res, f"{name}.pdf", "no rencana-aksi table in the decree (1 page)")
    assert_one_clean_failure(res, "tree.pdf", "page cannot be read")


def test_user_password_needs_the_password():
    with pytest.raises(EncryptedPdf, match="password-protected; pass --password"):
        open_document(PDFS / "encrypted-user-password.pdf")
    with pytest.raises(EncryptedPdf, match="wrong password"):
        open_document(PDFS / "encrypted-user-password.pdf", Settings(password="salah"))
    doc = open_document(PDFS / "encrypted-user-password.pdf", Settings(password="rahasia"))
    assert len(doc.pages) > 0 and doc.pages[0].text


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray(len(data))
    i = j = 0
    for n, byte in enumerate(data):
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out[n] = byte ^ s[(s[i] + s[j]) % 256]
    return bytes(out)


def owner_password_only(data: bytes, owner: bytes = b"pemilik", permissions: int = -3904) -> bytes:
    """Standard security handler, revision 2 (RC4-40), empty user password, copying and
    printing forbidden: opens without a password, like many official downloads."""
    o = _rc4(hashlib.md5((owner + PAD)[:32]).digest()[:5], PAD)
    doc_id = hashlib.md5(data).digest()
    key = hashlib.md5(PAD + o + permissions.to_bytes(4, "little", signed=True) + doc_id).digest()[:5]

    def encrypt_stream(m: re.Match[bytes]) -> bytes:
        obj_key = hashlib.md5(key + int(m.group(1)).to_bytes(3, "little")
                              + int(m.group(2)).to_bytes(2, "little")).digest()[:10]
        return m.group(0)[: m.start(3) - m.start()] + _rc4(obj_key, m.group(3)) + b"endstream"

    body = re.sub(rb"(\d+) (\d+) obj\b(?:(?!endobj).)*?stream\r?\n(.*?)endstream", encrypt_stream,
                  data, flags=re.S)
    n = max(int(s) for s in re.findall(rb"/Size\s+(\d+)", data))
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        o.hex().encode(), _rc4(key, PAD).hex().encode(), permissions)
    return incremental_update(body, {n: encrypt},
                              b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (n, doc_id.hex().encode(),
                                                                    doc_id.hex().encode()))


def test_owner_password_only_is_read_without_a_password(tmp_path):
    pdf = tmp_path / "owner-only.pdf"
    pdf.write_bytes(owner_password_only(WORD.read_bytes()))
    assert b"/Encrypt" in pdf.read_bytes()
    result = run(pdf)
    pd.testing.assert_frame_equal(result.table, extracted("singkawang-2023-word").table)


def test_javascript_and_attachments_are_ignored(tmp_path):
    data = WORD.read_bytes()
    num, body = catalog(data)
    n = max(int(s) for s in re.findall(rb"/Size\s+(\d+)", data))
    js = b"<< /S /JavaScript /JS (app.alert\\('x'\\); this.exportDataObject\\({cName: 'a.exe'}\\)) >>"
    payload = b"MZ fake executable"
    objects = {
        n: js,
        n + 1: b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream" % (len(payload), payload),
        n + 2: b"<< /Type /Filespec /F (a.exe) /UF (a.exe) /EF << /F %d 0 R >> >>" % (n + 1),
        num: body[:-2] + b" /OpenAction %d 0 R /Names << /JavaScript << /Names [(x) %d 0 R] >> "
                         b"/EmbeddedFiles << /Names [(a.exe) %d 0 R] >> >> >>" % (n, n, n + 2),
    }
    pdf = tmp_path / "js.pdf"
    pdf.write_bytes(incremental_update(data, objects))
    with pdfium.PdfDocument(pdf) as check:
        assert check.count_attachments() == 1
    result = run(pdf)
    pd.testing.assert_frame_equal(result.table, extracted("singkawang-2023-word").table)


@pytest.mark.parametrize("instansi", ["KPU ../../etc", "KPU Kota /tmp/x", "KPU\x00Kota", "K" * 300,
                                      "..", "/", "\x00", "", "Ⅻ ¹²³ ß"])
def test_hostile_instansi_stays_a_slug_inside_out(instansi, tmp_path):
    slug = doc_slug(instansi, 2023, "6/../..", fallback="x/../..")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= 120
    out = tmp_path / "out"
    folder = write(dataclasses.replace(extracted("singkawang-2023-word"), doc_id=slug), out)
    assert folder.resolve().parent == out.resolve()


@pytest.mark.parametrize("doc_id", ["../escape", "a/b", "", ".hidden", "a\x00b"])
def test_write_refuses_a_doc_id_that_is_not_a_slug(doc_id, tmp_path):
    with pytest.raises(OutputError, match="not a safe folder name"):
        write(dataclasses.replace(extracted("singkawang-2023-word"), doc_id=doc_id), tmp_path / "out")
    assert not (tmp_path / "escape").exists()


def test_two_runs_on_the_same_out_at_once(tmp_path):
    out = tmp_path / "out"
    args = [str(RENAKSI), "extract", str(WORD), "--out", str(out), "--force", "-j", "1"]
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0] for p in runs]
    assert [p.returncode for p in runs] == [0, 0, 0], outputs
    assert_no_partial(out)
    assert [p.name for p in out.iterdir() if p.is_dir()] == [WORD_ID]
    assert len(pd.read_parquet(out / "rencana_aksi.parquet")) == 103
    assert len(pd.read_parquet(out / WORD_ID / "rencana_aksi.parquet")) == 103


def test_disk_full_while_writing_keeps_the_old_outputs(tmp_path, monkeypatch):
    result = extracted("singkawang-2023-word")
    out = tmp_path / "out"
    folder = write(result, out)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    with pytest.raises(OutputError) as caught:
        write(result, out)
    line = str(caught.value)
    assert "\n" not in line and "No space left on device" in line
    assert line.startswith("singkawang-2023-word.pdf: ") and "left as they were" in line
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in out.iterdir()] == [WORD_ID]


def _lzw(data: bytes) -> bytes:
    """LZW as PDF decoders read it (9–12 bit codes, early change, a clear code when full)."""
    table = {bytes([i]): i for i in range(256)}
    codes, width, word, following = [(256, 9)], 9, b"", 258
    for byte in data:
        longer = word + bytes([byte])
        if longer in table:
            word = longer
            continue
        codes.append((table[word], width))
        table[longer] = following
        following += 1
        if following >= 1 << width and width < 12:
            width += 1
        if following >= 4094:
            codes.append((256, width))
            table, width, following = {bytes([i]): i for i in range(256)}, 9, 258
        word = bytes([byte])
    codes += [(table[word], width), (257, width)]
    acc = nbits = 0
    out = bytearray()
    for code, bits in codes:
        acc, nbits = acc << bits | code, nbits + bits
        while nbits >= 8:
            nbits -= 8
            out.append(acc >> nbits & 255)
    return bytes(out + (bytes([acc << (8 - nbits) & 255]) if nbits else b""))


def _run_length(data: bytes) -> bytes:
    return b"".join(bytes([len(data[i:i + 128]) - 1]) + data[i:i + 128]
                    for i in range(0, len(data), 128)) + b"\x80"


@functools.cache
def _deflated_spaces(megabytes: int) -> bytes:
    z = zlib.compressobj(1)  # fast; its ratio (~230) is enough
    block = b" " * (1 << 20)
    return b"".join([*(z.compress(block) for _ in range(megabytes)), z.flush()])


# 300 MB of spaces deflated twice is 4 KB: one inflate, as the old pre-check did, sees 1 MB
NESTED_BOMBS = {
    "flate-in-flate": (b"/Filter [/FlateDecode /FlateDecode]", lambda d: zlib.compress(d, 9)),
    "abbreviated": (b"/Filter [/Fl /Fl]", lambda d: zlib.compress(d, 9)),
    "escaped-names": (b"/Fi#6Cter [/Fl#61teDecode /FlateDecode]", lambda d: zlib.compress(d, 9)),
    "indirect-filter": (b"/Filter 5 0 R", lambda d: zlib.compress(d, 9)),
    "hex": (b"/Filter [/ASCIIHexDecode /FlateDecode]", lambda d: d.hex().encode() + b">"),
    "ascii85": (b"/Filter [/A85 /FlateDecode]", lambda d: base64.a85encode(d) + b"~>"),
    "lzw": (b"/Filter [/LZWDecode /FlateDecode]", _lzw),
    "run-length": (b"/Filter [/RunLengthDecode /FlateDecode]", _run_length),
}


def _nested_bomb(kind: str) -> bytes:
    filters, wrap = NESTED_BOMBS[kind]
    return _bomb_pdf(filters, wrap(_deflated_spaces(300)))


def _bomb_pdf(filters: bytes, payload: bytes, keyword: bytes = b"stream\n") -> bytes:
    objects = one_page(b"")
    objects[3] = b"<< /Length %d %s >>\n%s%s\nendstream" % (len(payload), filters, keyword, payload)
    objects.append(b"[/FlateDecode /FlateDecode]")  # object 5, for /Filter 5 0 R
    return tiny_pdf(objects)


@pytest.mark.parametrize("kind", NESTED_BOMBS)
def test_nested_filter_bombs_are_refused_before_the_parser(kind, tmp_path):
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(_nested_bomb(kind))
    with pytest.raises(BrokenPdf, match="object 4 inflates to more than 256 MB"):
        open_document(pdf)


@pytest.mark.parametrize("keyword", [b"stream\r", b"stream  \r\n", b"stream \t\n"])
def test_stream_keyword_variants_are_counted(keyword, tmp_path):
    pdf = tmp_path / "keyword.pdf"
    pdf.write_bytes(_bomb_pdf(b"/Filter /FlateDecode", _deflated_spaces(300), keyword))
    with pytest.raises(BrokenPdf, match="decompression bomb"):
        open_document(pdf)


def test_nested_bomb_through_jobs_1_stays_small(tmp_path):
    """A 5 KB file that used to take GBs: with --jobs 1 too, one line and a small peak."""
    pdf = tmp_path / "kecil.pdf"
    pdf.write_bytes(_nested_bomb("flate-in-flate"))
    assert pdf.stat().st_size < 6000
    probe = ("import re, subprocess, sys\n"
             "res = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(res.returncode); print((res.stdout + res.stderr).replace('\\n', ' | '))\n"
             "import resource\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")
    res = subprocess.run([sys.executable, "-c", probe, str(RENAKSI), "extract", str(pdf),
                          "--out", str(tmp_path / "out"), "-j", "1"],
                         capture_output=True, text=True, timeout=120, check=True)
    code, text, peak_mb = res.stdout.splitlines()
    assert code == "1" and "kecil.pdf: object 4 inflates to more than 256 MB" in text, text
    assert "Traceback" not in text and "worker died" not in text
    assert int(peak_mb) < 1024


@pytest.fixture()
def special_files(tmp_path) -> Path:
    """What a scraped folder can hold under a .pdf name besides files."""
    raw = tmp_path / "raw"
    raw.mkdir()
    os.mkfifo(raw / "antrian.pdf")  # a reader waits for a writer forever
    (raw / "nol.pdf").symlink_to("/dev/zero")  # endless
    (raw / "nol-lagi.pdf").symlink_to("/dev/zero")  # a second name for it: a line of its own
    (raw / "hilang.pdf").symlink_to(raw / "tidak-ada.pdf")
    with (raw / "raksasa.pdf").open("wb") as fh:  # sparse: takes no disk
        fh.write(b"%PDF-1.7\n")
        fh.truncate(intake.MAX_FILE_BYTES + 1)
    shutil.copy(PDFS / "bengkayang-2023-word.pdf", raw / "baik.pdf")
    return raw


def test_special_files_are_refused_without_blocking(special_files, tmp_path):
    res = renaksi(special_files, "--out", tmp_path / "out", "-j", "2", timeout=90)  # a blocked read never ends
    text = res.stdout + res.stderr
    assert res.returncode == 1 and "Traceback" not in text and "unexpected" not in text, text
    assert "✗ antrian.pdf: is not a regular file (a pipe, device or socket)" in text
    assert "✗ nol.pdf: is not a regular file" in text and "✗ nol-lagi.pdf: is not a regular" in text
    assert "✗ hilang.pdf: cannot be read (No such file or directory)" in text
    assert "✗ raksasa.pdf: 1024 MB is more than the limit of 1024 MB for one PDF" in text
    assert "✓ baik.pdf" in text
    fifo = renaksi(special_files / "antrian.pdf", "--out", tmp_path / "out", timeout=60)
    assert "antrian.pdf: is not a regular file" in fifo.stderr


def test_crop_box_outside_the_media_box_is_one_line(tmp_path):
    pdf = tmp_path / "kotak.pdf"
    pdf.write_bytes(tiny_pdf(one_page(b"0 0 m 100 100 l S", b"/CropBox [700 900 800 1000] ")))
    res = subprocess.run([str(RENAKSI), "debug", str(pdf), "--page", "1", "--out",
                          str(tmp_path / "p.png")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stderr
    assert res.stderr.startswith("✗ kotak.pdf p.1: the page has no area to draw")
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("box", [b"[0 0 10 200000]", b"[0 0 14400 14400]", b"[0 0 200000 3]"])
def test_hostile_page_boxes_render_within_bounds(box, tmp_path):
    from extract.debug import MAX_PIXELS, MAX_SIDE, render_pages

    objects = one_page(b"0 0 m 10 10 l S")
    objects[2] = objects[2].replace(b"[0 0 595 842]", box)
    pdf = tmp_path / "kotak.pdf"
    pdf.write_bytes(tiny_pdf(objects))
    [(_, image, scale)] = list(render_pages(pdf, [1], 1400))
    assert 1 <= image.width <= 1400 and image.height <= MAX_SIDE
    assert image.width * image.height <= MAX_PIXELS * 1.01 and scale <= 2

"""Terminal lines: names and document text are printed as they are, escaped, never parsed as
markup and never able to forge a line or drive the terminal; names say which folder."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PDFS
from extract.cli import shown
from test_hostile import tiny_pdf

RENAKSI = Path(sys.executable).with_name("renaksi")
WORD = PDFS / "singkawang-2023-word.pdf"


def extract(*args: str | Path) -> tuple[int, str]:
    """The real command, its output as the bytes a terminal would get (decoded)."""
    res = subprocess.run([str(RENAKSI), "extract", *map(str, args)], capture_output=True,
                         timeout=300, check=False)
    text = (res.stdout + res.stderr).decode("utf-8")
    assert "Traceback" not in text and "MarkupError" not in text, text
    return res.returncode, text


def ruled_header_pdf(header: list[str]) -> bytes:
    """One landscape page with a ruled table whose header cells say ``header``: no months,
    so the header is refused, and the refusal quotes the cells."""
    xs = (50, 100, 300, 500, 650, 790)
    ops = [b"0.8 w", *(b"50 %d m 790 %d l S" % (y, y) for y in (500, 470, 440, 410)),
           *(b"%d 410 m %d 500 l S" % (x, x) for x in xs)]
    for x, text in zip(xs, header):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"BT /F1 9 Tf %d 485 Td (%s) Tj ET" % (x + 4, escaped.encode("latin-1")))
    for y in (455, 425):
        ops += [b"BT /F1 9 Tf %d %d Td (isi) Tj ET" % (x + 4, y) for x in xs[:-1]]
    content = b"\n".join(ops)
    return tiny_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a\nb", "a\\x0ab"), ("\x1b[2J", "\\x1b[2J"), ("x\u202etxt.pdf", "x\\u202etxt.pdf"),
    ("SK [final] 2023.pdf", "SK [final] 2023.pdf"), ("ß ✓ √", "ß ✓ √"), ("\x85", "\\x85")])
def test_shown_escapes_what_is_not_printable(raw, escaped):
    assert shown(raw) == escaped


def test_names_cannot_forge_lines_or_reach_the_terminal(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    forged = "x\n✓ palsu.pdf → palsu (999 rows, text)\ny.pdf"
    escapes = "judul\x1b]0;dibajak\x07\x1b[2J\x1b[31m.pdf"
    for name in (forged, escapes, "SK [final] 2023.pdf", "[bold]tebal :smile:.pdf"):
        (raw / name).write_bytes(b"%PDF-1.7\nrusak")
    shutil.copy(WORD, raw / "[red]benar.pdf")
    code, text = extract(raw, "--out", tmp_path / "[/]out[bold]", "-j", "1")
    assert code == 1
    assert not any(line.startswith("✓ palsu") for line in text.splitlines())
    assert "✗ x\\x0a✓ palsu.pdf → palsu (999 rows, text)\\x0ay.pdf: " in text
    assert "\x1b" not in text and "\x07" not in text
    assert "✗ judul\\x1b]0;dibajak\\x07\\x1b[2J\\x1b[31m.pdf: " in text
    assert "✗ SK [final] 2023.pdf: cannot be opened as a PDF" in text
    assert "✗ [bold]tebal :smile:.pdf: " in text
    assert f"✓ [red]benar.pdf → {tmp_path / '[/]out[bold]'}" in text


def test_document_text_is_never_markup(tmp_path):
    """`[/]` in a header used to raise rich's MarkupError on the ✗ line: a traceback and
    nothing written, for the other decrees too."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "kepala.pdf").write_bytes(ruled_header_pdf(
        ["NO. [/]", "KEGIATAN [/]", "INDIKATOR [bold]x[/bold]", "SUB KEGIATAN [red]", "KET. [/"]))
    shutil.copy(WORD, raw / "baik.pdf")
    code, text = extract(raw, "--out", tmp_path / "out", "-j", "1")
    assert code == 1
    assert ("✗ kepala.pdf p.1: schedule columns (months 1-12 or TW I-IV) not found; the table "
            "header reads: NO. [/] | KEGIATAN [/] | INDIKATOR [bold]x[/bold] | SUB KEGIATAN "
            "[red] | KET. [/ → renaksi review ") in text
    assert "✓ baik.pdf" in text and (tmp_path / "out" / "rencana_aksi.parquet").exists()


def test_names_say_which_folder(tmp_path):
    raw = tmp_path / "raw"
    for folder in ("kota", "kabupaten"):
        (raw / folder).mkdir(parents=True)
        (raw / folder / "lampiran.pdf").write_bytes(b"%PDF-1.7\nrusak " + folder.encode())
    code, text = extract(raw, "--out", tmp_path / "out", "-j", "2")
    assert "✗ kota/lampiran.pdf: " in text and "✗ kabupaten/lampiran.pdf: " in text
    code, text = extract(raw / "kota" / "lampiran.pdf", "--out", tmp_path / "out")
    assert f"✗ {raw / 'kota' / 'lampiran.pdf'}: " in text

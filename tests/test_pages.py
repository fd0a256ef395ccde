import pytest

from conftest import PDFS
from extract.chars import decode_glyph
from extract.errors import BrokenPdf, EncryptedPdf, NotAPdf
from extract.pages import lexicon, open_document
from extract.settings import Settings


def test_pages_are_classified():
    doc = open_document(PDFS / "singkawang-2023-word.pdf")
    kinds = [p.kind for p in doc.pages]
    assert kinds[:2] == ["body", "body"]
    assert kinds[2:11] == ["lampiran"] * 9
    assert kinds[11] == "signature"
    assert len(doc.sha256) == 64


def test_scan_pages_have_no_text_layer():
    doc = open_document(PDFS / "singkawang-2023-scan.pdf")
    assert {p.kind for p in doc.pages} == {"scan"}


@pytest.mark.parametrize("font,code,want", [
    ("OpenSymbol", 0xF0D6, "√"), ("Symbol", 0xD6, "√"), ("ZapfDingbats", 0x34, "✔"),
    ("Wingdings-Regular", 0xF0FC, "✓"), ("ABCDEF+Wingdings", 0xFC, "✓"),
    ("LiberationSans", 0x221A, "√"), ("LiberationSans", 0x34, "4"),
    ("Wingdings", 0xF06C, "●"), ("Wingdings", 0x6C, "●"), ("Arial", 0x6C, "l"),
])
def test_symbol_font_ticks_decode(font, code, want):
    assert decode_glyph(font, code) == want


def test_symbol_font_fixture_reads_ticks():
    doc = open_document(PDFS / "singkawang-2023-word-symbol.pdf")
    ticks = sum(c.text == "√" for p in doc.pages for c in p.chars)
    assert ticks > 100


def test_lexicon_holds_whole_words_only():
    words = lexicon([(["Penataan", "Organisasi/Kelemba"], False, False),
                     (["gaan", "lain", "kata", "di", "tengah"], False, False),
                     (["a", "Singka-"], False, True), (["b", "Perencanaan"], False, True),
                     (["Monitoring", "c"], True, False)])
    assert "organisasi" not in words  # line-end token: might be a fragment
    assert {"lain", "kata", "di"} <= words
    assert "kelemba" not in words and "gaan" not in words and "singka" not in words
    assert "perencanaan" in words  # ends a line with room left: not cut
    assert "monitoring" in words  # first in its cell: not the end of a cut word


@pytest.mark.parametrize("content,error", [
    (b"", NotAPdf), (b"<html>404</html>", NotAPdf), (b"%PDF-1.7\n%garbage", BrokenPdf)])
def test_bad_input_is_refused_with_a_typed_error(tmp_path, content, error):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    with pytest.raises(error) as info:
        open_document(path)
    assert str(info.value).startswith("x.pdf: ")


def test_truncated_pdf_is_refused(tmp_path):
    data = (PDFS / "singkawang-2023-word.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    try:
        doc = open_document(path)
    except BrokenPdf:
        return
    assert len(doc.pages) < 12  # PDFium may recover the pages that are complete


def test_password_protected_pdf():
    path = PDFS / "encrypted-user-password.pdf"
    with pytest.raises(EncryptedPdf, match="--password"):
        open_document(path)
    with pytest.raises(EncryptedPdf, match="wrong password"):
        open_document(path, Settings(password="salah"))
    assert len(open_document(path, Settings(password="rahasia")).pages) == 4

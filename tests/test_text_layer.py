"""The text layer read as a person sees the page: geometry, word assembly, marks, visibility."""
from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from conftest import BORN_DIGITAL, PDFS, extracted
from extract.chars import decode_glyph
from extract.geometry import display
from extract.ligatures import Ligatures
from extract.model import Char, MarkCell
from extract.normalise import read_mark
from extract.pages import lexicon, open_document
from extract.pipeline import run
from extract.text import cell_text, join_line
from pdfedit import (HIDE, forge_marks, rotated, symbol_font_pdf, text_pdf, turned,
                     unmapped_ligatures)


def _same_result(a, b) -> None:
    assert a.meta == b.meta
    assert a.table.equals(b.table)
    assert a.rejected.drop(columns="alasan").equals(b.rejected.drop(columns="alasan"))


@pytest.mark.parametrize("rotate", [90, 270])
@pytest.mark.parametrize("style", BORN_DIGITAL)
def test_decree_restored_with_rotate_reads_the_same(style, rotate, tmp_path):
    copy = rotated(PDFS / f"{style}.pdf", tmp_path / "r.pdf", rotate)
    _same_result(run(copy), extracted(style))


def test_content_turned_by_the_ctm_reads_upright(tmp_path):
    style = "singkawang-2023-word"
    copy = turned(PDFS / f"{style}.pdf", tmp_path / "t.pdf")
    _same_result(run(copy), extracted(style))


def test_pages_have_their_displayed_size():
    doc = open_document(PDFS / "hard-rotate90.pdf")
    sizes = {(round(p.width), round(p.height)) for p in doc.pages}
    assert sizes == {(595, 842), (936, 610)}  # A4 body, F4 landscape lampiran stored portrait
    for page in doc.pages:
        assert all(0 <= c.x0 < c.x1 <= page.width and 0 <= c.top < c.bottom <= page.height
                   for c in page.chars if not c.text.isspace())


@pytest.mark.parametrize("rotation,turn", [(0, 0), (90, 0), (180, 0), (270, 0), (0, 90), (90, 270)])
def test_display_maps_the_page_box_onto_the_displayed_page(rotation, turn):
    geo = display((10.0, 20.0, 610.0, 820.0), rotation, turn)
    a, b, c, d, e, f = geo.matrix
    corners = sorted((round(a * x + c * y + e, 6), round(b * x + d * y + f, 6))
                     for x in (10, 610) for y in (20, 820))
    assert corners == sorted((x, y) for x in (0, geo.width) for y in (0, geo.height))
    assert {geo.width, geo.height} == {600.0, 800.0}


@pytest.mark.parametrize("font,code,yes", [
    ("Wingdings2", 0x50, True), ("Wingdings2", 0x52, True), ("Wingdings2", 0x4F, False),
    ("Wingdings2", 0x51, False), ("Wingdings2", 0x53, False), ("Wingdings2", 0x54, False),
    ("Wingdings-Regular", 0xFC, True), ("Wingdings-Regular", 0xFB, False),
    ("Wingdings-Regular", 0xFE, True), ("Wingdings-Regular", 0xFD, False),
    ("Webdings", 0x61, True), ("Webdings", 0x72, False),
    ("ZapfDingbats", 0x33, True), ("ZapfDingbats", 0x34, True), ("ZapfDingbats", 0x37, False),
    ("ZapfDingbats", 0x38, False),
])
@pytest.mark.parametrize("mapped", [False, True])
def test_dingbat_marks_are_read_by_font_and_code(font, code, yes, mapped, tmp_path):
    to_unicode = {code: 0xF000 + code} if mapped else None
    # two glyphs: PDFium drops a text object of one lone ZapfDingbats glyph from the text page
    pdf = symbol_font_pdf(tmp_path / "m.pdf", font, bytes([code, code]), to_unicode)
    marks = {c.text for c in open_document(pdf).pages[0].chars}
    assert len(marks) == 1 and read_mark(MarkCell(marks.pop())) is yes, marks


@pytest.mark.parametrize("mark,yes", [("✓", True), ("✔", True), ("☑", True), ("✗", False),
                                      ("☒", False), ("\U0001F5F8", True), ("\U0001F5F7", False)])
def test_unicode_marks_of_symbol_fonts(mark, yes, tmp_path):
    # Segoe UI Symbol and emoji fonts carry the real code point through ToUnicode
    pdf = symbol_font_pdf(tmp_path / "m.pdf", "SegoeUISymbol", b"A", {0x41: ord(mark)})
    text = "".join(c.text for c in open_document(pdf).pages[0].chars)
    assert read_mark(MarkCell(text)) is yes, text


def test_wingdings_letter_codes_are_not_read_in_text_fonts():
    assert decode_glyph("Arial", 0x50) == "P" and decode_glyph("Wingdings2", 0x50) == "✓"
    assert decode_glyph("ABCDEF+Wingdings2-Regular", 0xF050) == "✓"
    assert decode_glyph("Wingdings-Regular", 0x50) != "✓"  # Wingdings 1 'P' is a flag


def _empty_month_cells(result, per_page: int = 6) -> list[tuple[int, float, float]]:
    """(page, x, y) in user space inside empty cells of the columns that hold ticks."""
    out = []
    for grid in result.grids:
        tick_cols = {c.col for c in grid.cells if c.text == "✓"}
        empty = [c for c in grid.cells if c.col in tick_cols and not c.text and c.row > 2]
        for cell in empty[:: max(1, len(empty) // per_page)][:per_page]:
            x0, top, x1, bottom = cell.bbox
            out.append((grid.page_no, (x0 + x1) / 2 - 2, FORGE_HEIGHT - (top + bottom) / 2 - 3))
    return out


FORGE_STYLE = "singkawang-2023-word-a4-times"  # no mark means no: an empty cell is a "no"
FORGE_HEIGHT = 595.303937  # its A4 landscape pages, points


@pytest.mark.parametrize("how", [h for h in HIDE if h != "visible"])
def test_marks_a_reader_cannot_see_do_not_count(how, tmp_path):
    original = extracted(FORGE_STYLE)
    marks = _empty_month_cells(original)
    forged = forge_marks(PDFS / f"{FORGE_STYLE}.pdf", tmp_path / "f.pdf", marks, how)
    result = run(forged)
    assert result.table.equals(original.table)
    pages = sorted({p for p, _, _ in marks})
    notes = [w for w in result.warnings if "cannot be seen" in w]
    assert [int(w.split()[1].rstrip(":")) for w in notes] == pages, result.warnings
    assert sum(int(w.split()[2]) for w in notes) == len(marks)


def test_forged_marks_that_show_do_count(tmp_path):
    original = extracted(FORGE_STYLE)
    marks = _empty_month_cells(original)
    result = run(forge_marks(PDFS / f"{FORGE_STYLE}.pdf", tmp_path / "f.pdf", marks, "visible"))
    months = [c for c in result.table.columns if c.startswith("bulan_")]
    flipped = (result.table[months] != original.table[months]).to_numpy().sum()
    assert flipped >= len(marks) - 2  # the control: the same marks drawn visibly are read


def test_generated_spaces_do_not_split_words():
    # Microsoft Print to PDF: PDFium infers a space before each cell's text and gives it the
    # first glyph's position, where it sorted after that glyph ("A NGGARAN", "T rw II")
    text = "\n".join(p.text for p in open_document(PDFS / "jabar-dishub-renaksi-2016.pdf").pages)
    for word in ("ANGGARAN (RP.)", "Trw II", "55,56 %", "10 11 12", "PENANGGUNG JAWAB"):
        assert word in text
    for split in ("A NGGARAN", "T rw", "5 5,56", "1 0 1 1"):
        assert split not in text


@pytest.mark.parametrize("content", [
    b"BT /F1 1 Tf 9 0 0 9 72 700 Tm (Investigations of the plan) Tj ET",  # Tf 1, Tm scales
    b"q 9 0 0 9 0 0 cm BT /F1 1 Tf 8 77.7 Td (Investigations of the plan) Tj ET Q",  # CTM
    b"BT /F1 9 Tf 72 700 Td (Investigations of the plan) Tj ET",
])
def test_word_gaps_are_judged_at_the_printed_size(content, tmp_path):
    page = open_document(text_pdf(tmp_path / "t.pdf", content)).pages[0]
    assert page.text == "Investigations of the plan"
    assert {round(c.size) for c in page.chars} == {9}


def test_words_a_narrow_column_cut_are_whole_again():
    result = extracted("bengkayang-2023-reportlab-s101")  # ReportLab cuts mid-line
    texts = set(result.table["area"]) | set(result.table["keterangan"])
    assert "Penataan Peraturan Perundangan/Deregulasi Kebijakan" in texts
    assert "Penataan Organisasi/Kelembagaan" in texts and "1 Dokumen" in texts


def test_a_word_moved_to_the_next_line_is_not_joined_to_the_line_before():
    # LibreOffice moves a word too long for the column to a line of its own, then cuts it:
    # "Setiap" / "triwula" / "n" reads "Setiap triwulan"
    kets = set(run(PDFS / "bengkayang-2023-word-a4-times-s103.pdf").table["keterangan"])
    assert "Setiap triwulan" in kets
    assert not {k for k in kets if "Setiaptriwulan" in k or "triwula n" in k}


@pytest.mark.parametrize("line,next_line,joined", [
    ("Kota Singka-", "wang, tim", "Kota Singkawang, tim"),
    ("diakses stake-", "holder internal", "diakses stakeholder internal"),
    ("nilai-", "nilai dasar", "nilai-nilai dasar"),
    ("peraturan perundang-", "undangan", "peraturan perundang-undangan"),
    ("sebaik-", "baiknya", "sebaik-baiknya"),
    ("aplikasi e-", "Lapkin", "aplikasi e-Lapkin"),
    ("periode 2020-", "2024", "periode 2020-2024"),
    ("Data e-", "office", "Data e-office"),
    # a line may break after a slash too: nothing lost, nothing added
    ("2.Menyempurnakan/", "mengubah berbagai", "2.Menyempurnakan/mengubah berbagai"),
    ("dan/", "atau", "dan/atau"),
])
def test_line_end_hyphens(line, next_line, joined):
    assert join_line(line, next_line, filled=100, width=100, lexicon=frozenset()) == joined


@pytest.mark.parametrize("line,next_line,lexicon,joined", [
    ("Perund", "angan/Deregulasi", set(), "Perundangan/Deregulasi"),
    ("Organis", "asi", {"organisasi"}, "Organisasi"),
    ("Dalam", "proses", {"dalam", "proses"}, "Dalam proses"),  # two words: never joined
    ("Setiap", "triwula", {"setiap"}, "Setiap triwula"),  # a whole word is no piece
    ("AREA PERUBAHA", "N", set(), "AREA PERUBAHAN"),
    ("1", "0", set(), "10"),
    ("kerja", "Sekretariat", set(), "kerja Sekretariat"),  # a capital starts a word
    ("Ke", "lembagaan", {"ke"}, "Kelembagaan"),  # a short word may begin a longer one
    ("Terlaksan", "a", {"a"}, "Terlaksana"),  # ... or end one
    ("disharmonis", "dengan", {"dengan"}, "disharmonis dengan"),
    # words of the language the document uses once, at a full line's end and start: apart
    ("2.Menyempurnakan/mengubah", "berbagai", set(), "2.Menyempurnakan/mengubah berbagai"),
    ("Setiap", "triwulan", set(), "Setiap triwulan"),
    # ... though the stemmer takes "berbasis" to "bas", too short a root to count alone
    ("Sistem Pemerintah", "berbasis", set(), "Sistem Pemerintah berbasis"),
    # pieces of no word that make one, though the piece at a page's top looked whole
    ("Organisasi/Kele", "mbagaan", {"mbagaan"}, "Organisasi/Kelembagaan"),
])
def test_cut_words(line, next_line, lexicon, joined):
    # the line is full and the two pieces could not share one line of the column
    assert join_line(line, next_line, 101, 100, frozenset(lexicon), span=120) == joined


def _cell(*lines: str) -> list[list[Char]]:
    """Lines of 9 pt glyphs 5 pt wide, as a cell prints them."""
    return [[Char(t, 5 * i, 12 * k, 5 * i + 5, 12 * k + 9, "F", 9.0) for i, t in enumerate(line)]
            for k, line in enumerate(lines)]


@pytest.mark.parametrize("lines,text", [
    (("Penataan Peraturan P", "erundangan/Deregulas", "i Kebijakan"),  # cut mid-line (ReportLab)
     "Penataan Peraturan Perundangan/Deregulasi Kebijakan"),
    (("Setiap", "triwula", "n"), "Setiap triwulan"),  # moved to a line of its own, then cut
])
def test_words_cut_over_three_lines(lines, text):
    width = 5 * max(len(line) for line in lines)
    assert cell_text(_cell(*lines), width) == text


@pytest.mark.parametrize("style,column,text", [
    # the AREA cell runs past a page break inside "Kelembagaan"
    ("singkawang-2023-word-a4-times-s101", "area", "Penataan Organisasi/Kelembagaan"),
    # a full line ends "…/mengubah" and the next starts "berbagai": two words
    ("bengkayang-2023-word-triwulan-s101", "kegiatan",
     "2.Menyempurnakan/mengubah berbagai peraturan"),
    # the AREA cell runs past a page break inside "Deregulasi", a word of no dictionary
    ("pontianak-2024-word-s11", "area", "Perundangan/Deregulasi Kebijakan"),
    # the text layer holds the space a line broke at after a slash
    ("jabar-dishub-renaksi-2016", "indikator", "Perencanaan/ Kesepakatan"),
])
def test_words_at_line_and_page_breaks(style, column, text):
    texts = extracted(style).table[column]
    assert texts.str.contains(text, regex=False).any()
    assert not texts.str.contains(
        "Kele mbagaan|mengubahberbagai|Dereg ulasi|Perencanaan/Kesepakatan").any()


def test_a_cells_first_word_in_lower_case_is_not_taken_for_whole():
    # at the top of a page it is the rest of a word the page break cut
    found = lexicon([(["ulasi", "Kebijakan"], True, True), (["Evaluasi", "berkala"], True, True)])
    assert {"kebijakan", "evaluasi", "berkala"} <= found
    assert "ulasi" not in found


def test_a_space_glyph_at_the_line_end_is_a_space():
    assert join_line("Perund", "angan", 101, 100, frozenset(), span=120, spaced=True) == (
        "Perund angan")
    assert join_line("perencanaan/", "kesepakatan", 101, 100, frozenset(), spaced=True) == (
        "perencanaan/ kesepakatan")


def test_a_line_with_room_left_is_not_a_cut():
    assert join_line("Perund", "angan", 90, 100, frozenset(), span=120) == "Perund angan"
    assert join_line("Perund", "angan", 101, 100, frozenset(), span=95) == "Perund angan"
    assert join_line("Perund", "angan", 99.4, 100, frozenset(), span=120) == "Perund angan"


def test_a_glyph_that_fits_by_a_fraction_of_a_point_did_not_fit_the_typesetter():
    # Calc cut "Perundangan/Deregula" / "si" with the "s" box 0.17 pt inside the cell's
    # text width: its measure is not the glyph boxes'
    assert join_line("Perundangan/Deregula", "si Kebijakan", 89.54, 89.71,
                     frozenset({"deregulasi"}), span=92.0) == "Perundangan/Deregulasi Kebijakan"


def test_unmapped_ligatures_are_read_by_their_shape(tmp_path):
    pdf = unmapped_ligatures(tmp_path / "l.pdf", [
        "e\ufb01sien kon\ufb02ik in\ufb02asi grati\ufb01kasi", "file of life flow fine"])
    raw = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "\ufffd" in raw  # the text layer really has lost them
    assert open_document(pdf).pages[0].text.splitlines()[0] == "efisien konflik inflasi gratifikasi"


def test_unreadable_glyphs_are_flagged_never_written(monkeypatch):
    monkeypatch.setattr(Ligatures, "read", lambda *args: None)  # no shape reading
    result = run(PDFS / "hard-ligatures-unmapped.pdf")
    for column in ("kegiatan", "sub_kegiatan", "indikator"):
        assert not result.table[column].str.contains("\ufffd").any()
    notes = [w for w in result.warnings if "without a character" in w]
    assert notes and any("Grati?kasi" in w for w in notes)


def test_each_way_of_hiding_text_is_named(tmp_path):
    content = b"""
    q BT /F1 9 Tf 72 700 Td (seen) Tj ET Q
    q BT 3 Tr /F1 9 Tf 72 680 Td (mode) Tj ET Q
    q BT 7 Tr /F1 9 Tf 72 670 Td (clip) Tj ET Q
    q 1 1 1 rg BT /F1 9 Tf 72 660 Td (white) Tj ET Q
    q BT /F1 0.05 Tf 72 650 Td (tiny) Tj ET Q
    q BT /F1 9 Tf -60 640 Td (out) Tj ET Q
    q 0 0 10 10 re W n BT /F1 9 Tf 72 630 Td (cut) Tj ET Q
    q BT /F1 9 Tf 72 620 Td (under) Tj ET 0 0 1 rg 70 615 40 14 re f Q
    q 0 0 1 rg 70 595 60 14 re f 0 0 0.95 rg BT /F1 9 Tf 72 600 Td (blue) Tj ET Q
    q 0 0 1 rg 70 575 60 14 re f 1 1 1 rg BT /F1 9 Tf 72 580 Td (/ on blue) Tj ET Q
    """
    page = open_document(text_pdf(tmp_path / "h.pdf", content)).pages[0]
    assert page.text == "seen\n/ on blue"
    assert dict(page.hidden_why) == {
        "invisible render mode": 8, "same colour as its background": 9, "too small to read": 4,
        "off the page": 3, "clipped away": 3, "covered by a later fill": 5}
    assert "".join(c.text for c in page.hidden if not c.text.isspace()).startswith("modeclip")

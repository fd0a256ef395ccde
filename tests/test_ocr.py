"""OCR path: pure image steps on synthetic arrays, then Tesseract on a real scan.

`scan-lampiran-2pages.pdf` holds pages 6, 7 and 12 of the printed-and-scanned Singkawang
decree (200 dpi JPEG, rotated, noisy); its born-digital twin `singkawang-2023-word.pdf`
says what each table cell should read.
"""
from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest

from extract import ocr
from extract.errors import OcrUnavailable
from extract.model import Cell, Document, Page, PageGrid
from extract.pages import open_document
from extract.ocr import Ink, OcrGrid, Word, classify_mark, grid_spans, page_text, repeated_ticks
from extract.settings import OcrSettings, Settings

PDFS = Path(__file__).parent / "pdfs"
SCAN = PDFS / "scan-lampiran-2pages.pdf"
TWIN = PDFS / "singkawang-2023-word.pdf"
TWIN_PAGES = {1: 6, 2: 7}  # fixture page -> page of the born-digital twin
MONTHS = range(5, 17)


def _has_tesseract_ind() -> bool:
    if shutil.which("tesseract") is None:
        return False
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "ind" in (out.stdout + out.stderr).split()


needs_tesseract = pytest.mark.skipif(not _has_tesseract_ind(),
                                     reason="tesseract with 'ind' missing: run scripts/system-deps.sh")


def _document(path: Path) -> Document:
    pdf = pdfium.PdfDocument(str(path))
    pages = tuple(Page(i + 1, *pdf[i].get_size(), (), (), (), "scan", "") for i in range(len(pdf)))
    return Document(path, "", pages)


# --------------------------------------------------------------------------- pure steps


def _ruled(h_lines, v_lines, size=(200, 300)) -> tuple[np.ndarray, np.ndarray]:
    h_mask, v_mask = np.zeros(size, np.uint8), np.zeros(size, np.uint8)
    for y, x0, x1 in h_lines:
        h_mask[y - 1:y + 2, x0:x1 + 1] = 255
    for x, y0, y1 in v_lines:
        v_mask[y0:y1 + 1, x - 1:x + 2] = 255
    return h_mask, v_mask


def test_missing_boundaries_become_spans():
    # 3 columns x 3 rows; the top row is one header cell over columns 1-2, and column 0
    # is one cell over rows 1-2 (a vertically merged NO. cell).
    xs, ys = [10, 100, 150, 200], [10, 50, 100, 150]
    h, v = _ruled(
        h_lines=[(10, 10, 200), (50, 10, 200), (100, 100, 200), (150, 10, 200)],
        v_lines=[(10, 10, 150), (100, 10, 150), (150, 50, 150), (200, 10, 150)])
    assert grid_spans(h, v, xs, ys, tol=3) == [
        (0, 0, 1, 1), (0, 1, 1, 2), (1, 0, 2, 1), (1, 1, 1, 1), (1, 2, 1, 1),
        (2, 1, 1, 1), (2, 2, 1, 1)]


def test_a_glyph_fused_to_the_line_below_does_not_split_a_merged_cell():
    xs, ys = [10, 100, 200], [10, 50, 100]
    h, v = _ruled(h_lines=[(10, 10, 200), (50, 10, 200), (100, 10, 200)],
                  v_lines=[(10, 10, 100), (200, 10, 100), (100, 50, 100)])
    v[22:50, 99:102] = 255  # "(" standing on the column line of the row below
    assert (0, 0, 1, 2) in grid_spans(h, v, xs, ys, tol=3)


def test_a_glyph_reaching_almost_to_the_line_above_does_not_split_a_cramped_header_cell():
    # the title row is barely taller than its text: "(" stops two pixels short of the top
    xs, ys = [10, 100, 200], [10, 30, 80]
    h, v = _ruled(h_lines=[(10, 10, 200), (30, 10, 200), (80, 10, 200)],
                  v_lines=[(10, 10, 80), (200, 10, 80), (100, 30, 80)])
    v[14:30, 99:102] = 255
    assert (0, 0, 1, 2) in grid_spans(h, v, xs, ys, tol=3)
    # a ruling with a pixel lost to JPEG noise where it meets the line is still drawn
    v[12:14, 99:102] = 255
    v[12, 99:102] = 0
    assert (0, 0, 1, 1) in grid_spans(h, v, xs, ys, tol=3)


def test_skew_is_measured_and_undone():
    page = np.full((800, 1200), 255, np.uint8)
    for y in (100, 300, 500, 700):
        page[y:y + 3, 100:1100] = 0
    tilted = ocr.rotate(page, 1.2, 255)
    h, _ = ocr.line_masks(ocr.binarise(tilted), 30)
    assert ocr.skew_angle(h, 30) == pytest.approx(-1.2, abs=0.1)
    scan = ocr.prepare(tilted, 200)
    rows = np.nonzero((scan.h_mask > 0).sum(axis=1) > 900)[0]
    assert len(rows) >= 4  # every line is level again


@pytest.mark.parametrize("ink, mark", [
    (Ink(0, 0, 0, 0), ""),
    (Ink(19, 1, 7, 4, 0.2, 0.7, 0.5), "-"),  # a blurred dash at 200 dpi
    (Ink(84, 1, 13, 20, 0.07, 0.36, 0.42), "√"),
    (Ink(160, 1, 15, 19, 0.11, 0.6, 0.56), None),  # a bold header "4"
    (Ink(150, 1, 12, 19, 0.3, 0.65, 0.45), None),  # a "1" with its flag
    (Ink(200, 2, 26, 19, 0.2, 0.5, 0.5), None),  # "10"
])
def test_marks_are_read_from_the_ink(ink: Ink, mark: str | None):
    found = classify_mark(ink, 200)
    assert (found and found[0]) == mark if mark is not None else found is None
    if found:
        assert 50 <= found[1] <= 100


def test_marks_scale_with_resolution():
    assert classify_mark(Ink(84 * 4, 1, 26, 40, 0.07, 0.36, 0.42), 400)[0] == "√"
    assert classify_mark(Ink(19 * 4, 1, 14, 8, 0.2, 0.7, 0.5), 400)[0] == "-"


def _word(text: str, left: int, width: int, line: int, top: int = 0) -> Word:
    return Word(text, 90.0, left, top + 20 * line, width, 16, (1, 1, line))


def test_a_word_broken_by_a_narrow_column_is_joined():
    lines = [[_word("Penataan", 0, 60, 0), _word("Peraturan", 65, 70, 0)],
             [_word("Perundangan/Dereg", 0, 150, 1)],
             [_word("ulasi", 0, 35, 2), _word("Kebijakan", 40, 70, 2)]]
    assert ocr.join_lines(lines, 155, frozenset()) == (
        "Penataan Peraturan Perundangan/Deregulasi Kebijakan")


def test_a_wrapped_line_is_not_joined():
    lines = [[_word("1.", 0, 10, 0), _word("Evaluasi", 14, 60, 0), _word("berkala", 80, 60, 0)],
             [_word("produk", 0, 50, 1)]]
    assert ocr.join_lines(lines, 150, frozenset()) == "1. Evaluasi berkala produk"
    known = frozenset({"pengaduan", "masyarakat"})
    lines = [[_word("pengaduan", 0, 140, 0)], [_word("masyarakat", 0, 80, 1)]]
    assert ocr.join_lines(lines, 150, known) == "pengaduan masyarakat"
    # a word of the language ends at the break, whatever the page's own words
    lines = [[_word("peraturan", 0, 100, 0)], [_word("perundangundangan", 0, 140, 1)]]
    assert ocr.join_lines(lines, 150, frozenset()) == "peraturan perundangundangan"
    # ... unless the two pieces make one ("kelembaga" reads as ke- + lembaga)
    lines = [[_word("Organisasi/Kelembaga", 0, 148, 0)], [_word("an", 0, 14, 1)]]
    assert ocr.join_lines(lines, 150, frozenset()) == "Organisasi/Kelembagaan"


def test_tesseract_tsv_is_parsed_into_words():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "4\t1\t1\t1\t1\t0\t10\t10\t100\t20\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t91.5\tSatuan\n"
           "5\t1\t1\t1\t1\t2\t55\t10\t40\t20\t88\tKerja;\n")
    words = ocr.parse_tsv(tsv)
    assert [w.text for w in words] == ["Satuan", "Kerja;"]
    assert words[0].conf == 91.5 and words[1].line == (1, 1, 1)


def test_missing_tesseract_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable, match="tesseract is not installed"):
        OcrGrid().find(_document(SCAN), _document(SCAN).pages[0], Settings())


@needs_tesseract
def test_missing_language_is_a_clear_error():
    settings = Settings(ocr=OcrSettings(lang="xyz"))
    with pytest.raises(OcrUnavailable, match="no language data for 'xyz'") as err:
        page_text(_document(SCAN), _document(SCAN).pages[2], settings)
    assert str(err.value).startswith("scan-lampiran-2pages.pdf p.3:")


# --------------------------------------------------------------------------- real scan


@pytest.fixture(scope="module")
def grids() -> dict[int, PageGrid]:
    doc = _document(SCAN)
    found = {n: OcrGrid().find(doc, doc.pages[n - 1], Settings()) for n in TWIN_PAGES}
    assert all(g is not None for g in found.values())
    return found  # type: ignore[return-value]


def _matrix(grid: PageGrid) -> list[list[str | None]]:
    rows: list[list[str | None]] = [[None] * (len(grid.xs) - 1) for _ in range(grid.n_rows)]
    for cell in grid.cells:
        rows[cell.row][cell.col] = cell.text
    return rows


def _twin(page_no: int, twin: Path = TWIN) -> list[list[str | None]]:
    with pdfplumber.open(twin) as pdf:
        table = pdf.pages[page_no - 1].extract_tables()[0]
    return [[None if v is None else re.sub(r"\s+", " ", v).strip() for v in row] for row in table]


@needs_tesseract
@pytest.mark.parametrize("page_no", sorted(TWIN_PAGES))
def test_scanned_table_reads_like_its_born_digital_twin(grids, page_no):
    got, want = _matrix(grids[page_no]), _twin(TWIN_PAGES[page_no])
    assert [len(r) for r in got] == [len(r) for r in want]  # same rows, 18 columns
    assert [[v is None for v in r] for r in got] == [[v is None for v in r] for r in want]  # spans
    marks = [(g, w) for gr, wr in zip(got[3:], want[3:]) for c, (g, w) in enumerate(zip(gr, wr))
             if c in MONTHS and w is not None]
    assert all(g == w for g, w in marks)
    sims = [difflib.SequenceMatcher(None, g, w).ratio()
            for gr, wr in zip(got, want) for c, (g, w) in enumerate(zip(gr, wr))
            if c not in MONTHS and w]
    assert sum(sims) / len(sims) >= 0.97


@needs_tesseract
def test_a_fonts_own_tick_repeated_down_the_months_is_read_as_a_tick():
    # DejaVu Sans's √ stands its foot right of centre; one glyph alone decides nothing,
    # dozens of copies of it in the month columns are the plan's mark
    doc = _document(PDFS / "scan-dejavu-ticks-p4.pdf")
    got = _matrix(OcrGrid().find(doc, doc.pages[0], Settings()))
    want = _twin(1, PDFS / "scan-dejavu-ticks-p4-twin.pdf")
    marks = [(g, w) for gr, wr in zip(got[3:], want[3:]) for c, (g, w) in enumerate(zip(gr, wr))
             if c in MONTHS and w is not None]
    assert sum(w == "√" for _, w in marks) >= 5
    assert all(g == w for g, w in marks)


def test_a_glyph_printed_once_or_twice_is_no_mark():
    tick = Ink(80, 1, 12, 21, 0.08, 0.3, 0.6, shape=0x0202040448507020)
    digit = Ink(80, 1, 12, 21, 0.1, 0.35, 0.45, shape=0x3C42020C02423C00)
    assert repeated_ticks([tick] * 4 + [digit] * 2, 200) == [True] * 4 + [False] * 2
    assert repeated_ticks([tick] * 3, 200) == [False] * 3
    v = Ink(80, 1, 12, 12, 0.3, 0.3, 0.5, shape=0x8181424224241818)  # both arms reach the top
    assert repeated_ticks([v] * 6, 200) == [False] * 6


@needs_tesseract
def test_scanned_cells_carry_spans_confidence_and_points(grids):
    grid = grids[1]
    header = next(c for c in grid.cells if c.row == 0 and c.col == 5)
    assert header.colspan == 12 and header.text.startswith("PELAKSANAAN")
    area = next(c for c in grid.cells if c.text.startswith("Sistem Manajemen Sumber Daya"))
    assert area.col == 1 and area.full  # runs on to the next page ("Manusia")
    ket = [c.text for c in grid.cells if c.col == 17 and c.row >= 3]
    assert ket[:2] == ["NIHIL", "NIHIL"] and "1 orang" in ket
    assert all(0 <= c.confidence <= 100 for c in grid.cells)
    assert grid.source == "ocr" and 0 < grid.bbox[0] < grid.bbox[2] <= 936


@needs_tesseract
def test_a_page_without_table_has_no_grid_and_reads_as_lines():
    doc = _document(SCAN)
    assert OcrGrid().find(doc, doc.pages[2], Settings()) is None
    lines = page_text(doc, doc.pages[2], Settings()).splitlines()
    assert "Ditetapkan di Singkawang" in lines
    assert lines.index("Ditetapkan di Singkawang") < lines.index("pada tanggal 16 Januari 2023")
    assert "RIKO" in lines


@pytest.mark.parametrize("primary, other, merged", [
    ("kerja:", "keria;", "kerja;"),  # the ind model has no ";": take only that from eng
    ("layanan,", "layanan;", "layanan;"),
    ("(Y6)", "(%)", "(%)"),  # nor "%"
    ("kegiatan:", "kegiatan:", "kegiatan:"),  # a real colon stays
])
def test_second_opinion_brings_only_the_missing_punctuation(primary, other, merged):
    assert ocr.merge_punctuation(primary, other) == merged


# --------------------------------------------------------------------------- orientation


def _scan_pdf(path: Path, pixels: np.ndarray, rotate: int = 0) -> Path:
    """A one-page PDF of a 200 dpi grayscale page image, with ``/Rotate`` when given."""
    from PIL import Image

    pdf = pdfium.PdfDocument.new()
    h, w = pixels.shape
    page = pdf.new_page(w * 72 / 200, h * 72 / 200)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(Image.fromarray(pixels)))
    image.set_matrix(pdfium.PdfMatrix().scale(w * 72 / 200, h * 72 / 200))
    page.insert_obj(image)
    page.gen_content()
    if rotate:
        page.set_rotation(rotate)
    pdf.save(path)
    return path


@pytest.fixture(scope="module")
def upright() -> np.ndarray:
    return ocr.render_gray(_document(SCAN), 1, 200)


def test_the_direction_of_text_lines_tells_how_a_page_was_turned(upright):
    body = ocr.render_gray(_document(SCAN), 3, 200)  # the signature page: no table
    for page in (upright, body):
        for turns in range(4):
            turned = np.ascontiguousarray(np.rot90(page, -turns))  # clockwise
            assert ocr.upright_turns(ocr.binarise(turned), 200) == (4 - turns) % 4


@needs_tesseract
@pytest.mark.parametrize("turns, rotate", [(1, 0), (2, 0), (3, 90)])
def test_a_page_scanned_sideways_reads_like_the_upright_one(tmp_path, grids, upright, turns,
                                                            rotate):
    # turns: the image lies on its side or upside down; rotate: the page's /Rotate, which
    # a viewer (and the renderer) applies before anyone reads it
    pixels = np.ascontiguousarray(np.rot90(upright, -turns))
    doc = _document(_scan_pdf(tmp_path / "turned.pdf", pixels, rotate))
    grid = OcrGrid().find(doc, doc.pages[0], Settings())
    want = _matrix(grids[1])
    got = _matrix(grid)
    assert [len(r) for r in got] == [len(r) for r in want]
    same = sum(g == w for gr, wr in zip(got, want) for g, w in zip(gr, wr))
    assert same >= 0.97 * sum(len(r) for r in want)


# --------------------------------------------------------------------------- text layer


@needs_tesseract
def test_a_scanners_text_layer_is_used_only_where_the_image_agrees(grids):
    # Tesseract's own searchable PDF of the same page: its layer misreads words, and places
    # "8)|9|10|11/12/13)/14)|" (the number row read through its rulings) as one word
    # spread over eight cells; OCR decides those cells, so the grid reads as the plain scan's
    doc = open_document(PDFS / "scan-tesseract-text-layer.pdf")
    grid = OcrGrid().find(doc, doc.pages[0], Settings())
    assert _matrix(grid) == _matrix(grids[1])
    from_layer = [c for c in grid.cells if c.confidence == ocr.LAYER_CONFIDENCE]
    assert from_layer and not [c for c in from_layer if c.row == 2]  # the number row


def _column(texts: list[str]) -> PageGrid:
    """An OCR grid of one column, a cell per text."""
    cells = tuple(Cell(i, 0, 1, 1, (0, 10 * i, 10, 10 * i + 10), t, confidence=80.0)
                  for i, t in enumerate(texts))
    return PageGrid(1, (0, 0, 10, 10 * len(texts)), (0.0, 10.0),
                    tuple(10.0 * i for i in range(len(texts) + 1)), cells, source="ocr")


def test_a_rare_misread_token_takes_the_documents_own_spelling():
    texts = ["di lingkungan Unit/Satuan Kerja"] * 3 + ["Tim R8 di UnivSatuan Kerja; keria"]
    texts += ["Tim RB"] * 3 + ["Eselon II", "11 kerja", "kerja", "kerja"]
    fixed = ocr.consensus([_column(texts), None])
    assert fixed[1] is None
    assert fixed[0].cells[3].text == "Tim RB di Unit/Satuan Kerja; kerja"
    assert [c.text for c in fixed[0].cells[7:9]] == ["Eselon II", "11 kerja"]  # not numbers


@pytest.mark.parametrize("read, printed", [
    ("NOMOR 12/HK.03-Kpt/6104/Kab!II/2025", "NOMOR 12/HK.03-Kpt/6104/Kab/II/2025"),
    ("Unit|Satuan Kerja", "Unit/Satuan Kerja"),
    ("a | b", "a | b"),  # a bar between words is no slash misread
    ("123/PP.04.1-Kpt/61/Prov/l/2024", "123/PP.04.1-Kpt/61/Prov/I/2024"),  # roman month
    ("Kab/Xll/2024 dan/lain", "Kab/XII/2024 dan/lain"),
])
def test_a_slash_read_as_a_bang_or_bar_is_a_slash(read, printed):
    assert ocr.slashes(read) == printed


def test_a_word_a_narrow_column_broke_is_joined_as_the_decree_prints_it():
    texts = ["Perundangan/Dereg ulasi Kebijakan"] + ["Perundangan/Deregulasi Kebijakan"] * 3
    texts += ["SOP dilingkungan unit"] + ["di lingkungan unit"] * 3 + ["Dalam proses"]
    fixed = [c.text for c in ocr.consensus([_column(texts)])[0].cells]
    assert fixed[0] == "Perundangan/Deregulasi Kebijakan"
    assert fixed[4] == "SOP dilingkungan unit"  # both spellings are printed: never split
    assert fixed[-1] == "Dalam proses"

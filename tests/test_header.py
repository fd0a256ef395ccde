import pytest

from conftest import PDFS
from extract.errors import HeaderNotRecognised
from extract.grid import find_grids
from extract.header import map_header
from extract.model import Cell, PageGrid
from extract.pages import open_document
from extract.settings import Settings


def _first_map(name):
    grid = find_grids(open_document(PDFS / name), Settings())[0]
    return map_header(grid)


def test_monthly_header():
    cmap = _first_map("singkawang-2023-word.pdf")
    assert cmap.names[:5] == ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator")
    assert cmap.names[-1] == "keterangan" and len(cmap.schedule) == 12
    assert cmap.header_rows == 3  # two header rows and the 1..18 number row


def test_quarterly_header():
    cmap = _first_map("singkawang-2023-word-triwulan.pdf")
    assert cmap.jadwal_satuan == "triwulan"
    assert [c.name for c in cmap.schedule] == ["tw_1", "tw_2", "tw_3", "tw_4"]


def test_month_names_and_extra_columns():
    cmap = _first_map("singkawang-2023-word-extra-cols.pdf")
    assert "penanggung_jawab" in cmap.names and "target" in cmap.names
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]


def _grid(texts):
    n = len(texts)
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells = tuple(Cell(0, i, 1, 1, (xs[i], 0, xs[i + 1], 10), t) for i, t in enumerate(texts))
    return PageGrid(page_no=4, bbox=(0, 0, xs[-1], 20), xs=xs, ys=(0.0, 10.0, 20.0),
                    cells=cells + (Cell(1, 0, 1, n, (0, 10, xs[-1], 20), "data"),))


def test_table_without_schedule_is_refused_with_what_was_found():
    with pytest.raises(HeaderNotRecognised) as info:
        map_header(_grid(["NO.", "KEGIATAN", "INDIKATOR", "ANGGARAN", "KET."]))
    assert info.value.page == 4 and "ANGGARAN" in str(info.value)


def test_synonyms_and_case():
    texts = ["No", "Area Perubahan", "Rencana Aksi", "Sub Kegiatan", "Indikator Kinerja",
             *["Jan", "Peb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sept", "Okt", "Nop", "Des"],
             "Keterangan"]
    cmap = map_header(_grid(texts))
    assert cmap.names[:5] == ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator")
    assert len(cmap.schedule) == 12 and cmap.names[-1] == "keterangan"


def _two_row_grid(top, leaves):
    """A header of one spanning schedule cell over its leaves, beside one-row text headers."""
    n_text = len(top)
    n = n_text + len(leaves)
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells = [Cell(0, i, 2, 1, (xs[i], 0, xs[i + 1], 20), t) for i, t in enumerate(top)]
    cells.append(Cell(0, n_text, 1, len(leaves), (xs[n_text], 0, xs[n], 10), "PELAKSANAAN"))
    cells += [Cell(1, n_text + i, 1, 1, (xs[n_text + i], 10, xs[n_text + i + 1], 20), t)
              for i, t in enumerate(leaves)]
    cells.append(Cell(2, 0, 1, n, (0, 20, xs[-1], 30), "data"))
    return PageGrid(page_no=5, bbox=(0, 0, xs[-1], 30), xs=xs, ys=(0.0, 10.0, 20.0, 30.0),
                    cells=tuple(cells))


def test_schedule_unit_follows_the_number_of_slots():
    text = ["NO", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR"]
    months = map_header(_two_row_grid(text, [str(k) for k in range(1, 13)]))
    assert months.jadwal_satuan == "bulan" and len(months.schedule) == 12
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    assert map_header(_two_row_grid(text, roman)).names[-1] == "bulan_12"
    quarters = map_header(_two_row_grid(text, ["I", "II", "III", "IV"]))
    assert quarters.jadwal_satuan == "triwulan"
    assert [c.name for c in quarters.schedule] == ["tw_1", "tw_2", "tw_3", "tw_4"]


def test_month_numbers_without_a_spanning_title():
    texts = ["NO.", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR", *map(str, range(1, 13)), "KET"]
    cmap = map_header(_grid(texts))
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]


def _scanned_header(titles: list[tuple[int, str]], top: list[str], numbers: list[str]) -> PageGrid:
    """Header of a scan: text columns, a schedule title cut into pieces (start column,
    text) over 12 month columns, and the 1..N column-number row under them."""
    n_text, n = len(top), len(top) + 12
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells = [Cell(0, i, 2, 1, (xs[i], 0, xs[i + 1], 20), t) for i, t in enumerate(top)]
    ends = [s for s, _ in titles[1:]] + [12]
    cells += [Cell(0, n_text + s, 1, e - s, (xs[n_text + s], 0, xs[n_text + e], 10), t)
              for (s, t), e in zip(titles, ends)]
    cells += [Cell(1, n_text + m, 1, 1, (xs[n_text + m], 10, xs[n_text + m + 1], 20), str(m + 1))
              for m in range(12)]
    cells += [Cell(2, i, 1, 1, (xs[i], 20, xs[i + 1], 30), t) for i, t in enumerate(numbers)]
    cells.append(Cell(3, 0, 1, n, (0, 30, xs[-1], 40), "data"))
    return PageGrid(page_no=4, bbox=(0, 0, xs[-1], 40), xs=xs, ys=(0.0, 10.0, 20.0, 30.0, 40.0),
                    cells=tuple(cells))


def test_a_schedule_title_cut_by_a_stray_line_still_heads_its_months():
    # a glyph of "(BULAN)" touching a month column line splits the title cell on a scan:
    # months 1-7 sit under "PELAKSANAAN (" and 8-12 under "BULAN)"
    top = ["NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN"]
    numbers = [str(i) for i in range(1, 18)]
    cmap = map_header(_scanned_header([(0, "PELAKSANAAN |"), (7, "'BULAN)")], top, numbers))
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]
    assert cmap.header_rows == 3


def test_noisy_ocr_header_words_and_number_row():
    # OCR breaks words with a stray space, misreads a letter and reads "11" as "li"
    top = ["N0.", "AREA PERU BAHAN", "KEGlATAN", "SUB KEGIAT AN", "INDIKA TOR KEBERHASILAN"]
    numbers = [str(i) for i in range(1, 18)]
    numbers[10] = "li"
    cmap = map_header(_scanned_header([(0, "PELAKSANAAN (BULAN)")], top, numbers))
    assert cmap.names[:5] == ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator")
    assert len(cmap.schedule) == 12 and cmap.header_rows == 3

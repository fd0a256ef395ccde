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


def _scanned_header(titles: list[tuple[int, str]], top: list[str], numbers: list[str],
                    slots: list[str] | None = None) -> PageGrid:
    """Header of a scan: text columns, a schedule title cut into pieces (start column,
    text) over 12 month columns labelled ``slots`` (1..12), and the 1..N column-number row
    under them."""
    slots = slots or [str(m) for m in range(1, 13)]
    n_text, n = len(top), len(top) + 12
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells = [Cell(0, i, 2, 1, (xs[i], 0, xs[i + 1], 20), t) for i, t in enumerate(top)]
    ends = [s for s, _ in titles[1:]] + [12]
    cells += [Cell(0, n_text + s, 1, e - s, (xs[n_text + s], 0, xs[n_text + e], 10), t)
              for (s, t), e in zip(titles, ends)]
    cells += [Cell(1, n_text + m, 1, 1, (xs[n_text + m], 10, xs[n_text + m + 1], 20), slots[m])
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


def test_a_misread_month_label_under_a_cut_title_is_still_its_month():
    # a cut title leaves the labels to decide; OCR read the month label "5" as "S" and "11"
    # as "l1": the run is still 1..12, not a quarterly 1..4 with columns left over
    top = ["NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN"]
    slots = [str(m) for m in range(1, 13)]
    slots[4], slots[10] = "S", "l1"
    grid = _scanned_header([(0, "PELAKSANAAN |"), (7, "BULAN)")], top,
                           [str(i) for i in range(1, 18)], slots)
    cmap = map_header(grid)
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]
    assert cmap.jadwal_satuan == "bulan" and cmap.names[-1] == "bulan_12"


def test_noisy_ocr_header_words_and_number_row():
    # OCR breaks words with a stray space, misreads a letter and reads "11" as "li"
    top = ["N0.", "AREA PERU BAHAN", "KEGlATAN", "SUB KEGIAT AN", "INDIKA TOR KEBERHASILAN"]
    numbers = [str(i) for i in range(1, 18)]
    numbers[10] = "li"
    cmap = map_header(_scanned_header([(0, "PELAKSANAAN (BULAN)")], top, numbers))
    assert cmap.names[:5] == ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator")
    assert len(cmap.schedule) == 12 and cmap.header_rows == 3


def test_labels_wrapped_in_narrow_cells_are_still_the_months():
    """A narrow cell wraps "Sep" into "Se" / "p" and "10" into "1" / "0" (joined with a space)."""
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Se p", "Ok t", "No v", "De s"]
    cmap = map_header(_grid(["NO.", "AREA PERUBAHA N", "KEGIATAN", "SUB KEGIATAN",
                             "INDIKATOR", *months, "KET."]))
    assert cmap.names[1] == "area"
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]
    numbers = map_header(_two_row_grid(["NO", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR"],
                                       [*map(str, range(1, 10)), "1 0", "1 1", "1 2"]))
    assert [c.name for c in numbers.schedule][-3:] == ["bulan_10", "bulan_11", "bulan_12"]


def test_a_schedule_title_over_twelve_columns_names_them_in_order():
    """Labels that are no month at all ("?", a stray mark) still sit under PELAKSANAAN."""
    cmap = map_header(_two_row_grid(["NO", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR"],
                                    ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Ag",
                                     "S", "?", "Nv", "Ds"]))
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]


def _sakip_grid(target_cells: list[str], with_months: bool = True) -> PageGrid:
    """The header of a SAKIP Rencana Aksi (as fixtures/real/ lays it out) over one data row:
    text columns spanning three header rows, quarterly targets under a title, and a JADWAL
    of Trw I..IV over months 1..12. Header texts carry the text layer's stray spaces."""
    text = ["SASARAN STRATEGIS", "INDIKATOR KINERJA SASARAN"]
    after = ["PROGRAM dan KEGIATAN", "INDIKATOR KEGIATAN", "TARGET KEGIATAN", "RENCANA AKSI",
             "A NGGARAN (RP.)", "P ENANGGUNG JAWAB"]
    n = len(text) + 4 + len(after) + (12 if with_months else 0)
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells: list[Cell] = []

    def add(r, c, rs, cs, t):
        cells.append(Cell(r, c, rs, cs, (xs[c], 10 * r, xs[c + cs], 10 * (r + rs)), t))

    for i, t in enumerate(text):
        add(0, i, 3, 1, t)
    add(0, 2, 1, 4, "Target Kinerja Sasaran")
    for q, t in enumerate(["Trw I", "T rw II", "T rw III", "T rw IV"]):
        add(1, 2 + q, 2, 1, t)
    for i, t in enumerate(after):
        add(0, 6 + i, 3, 1, t)
    if with_months:
        add(0, 12, 1, 12, "J ADWAL KEGIATAN")
        for q, t in enumerate(["Trw I", "T rw II", "T rw III", "Trw IV"]):
            add(1, 12 + 3 * q, 1, 3, t)
        for m in range(12):
            add(2, 12 + m, 1, 1, {9: "1 0", 11: "1 2"}.get(m, str(m + 1)))
    body = ["Sasaran", "Indikator sasaran", *target_cells, "Kegiatan", "Indikator",
            "1 dokumen", "Rencana", "452.750.000,00", "Bidang"] + [""] * (12 if with_months else 0)
    for c, t in enumerate(body):
        add(3, c, 1, 1, t)
    return PageGrid(page_no=1, bbox=(0, 0, xs[-1], 40), xs=xs,
                    ys=(0.0, 10.0, 20.0, 30.0, 40.0), cells=tuple(cells))


def test_sakip_plan_columns_are_named_by_meaning_and_never_fused():
    cmap = map_header(_sakip_grid(["-", "-", "55,56 %", "-"]))
    assert cmap.names[:12] == (
        "sasaran", "indikator_sasaran", "target_tw1", "target_tw2", "target_tw3", "target_tw4",
        "kegiatan", "indikator", "target", "rencana_aksi", "anggaran", "penanggung_jawab")
    assert [c.name for c in cmap.schedule] == [f"bulan_{m:02d}" for m in range(1, 13)]
    assert cmap.jadwal_satuan == "bulan" and cmap.header_rows == 3


def test_quarter_columns_are_a_schedule_only_when_they_hold_marks():
    marks = map_header(_two_row_grid(["NO", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR"],
                                     ["TW I", "TW II", "TW III", "TW IV"]))
    assert marks.jadwal_satuan == "triwulan"
    # twelve months beside them: the quarter columns are targets even when they show "-"
    dashes = map_header(_sakip_grid(["-", "-", "-", "-"]))
    assert "target_tw1" in dashes.names and not any(n.startswith("tw_") for n in dashes.names)
    # values and no other schedule: targets, and a plan without a schedule is refused
    with pytest.raises(HeaderNotRecognised):
        map_header(_sakip_grid(["25%", "50%", "75%", "100%"], with_months=False))


def test_header_repeated_mid_page_is_found():
    grid = _sakip_grid(["-", "-", "55,56 %", "-"])
    shifted = tuple(Cell(c.row + 4, c.col, c.rowspan, c.colspan,
                         (c.bbox[0], c.bbox[1] + 40, c.bbox[2], c.bbox[3] + 40), c.text)
                    for c in grid.cells)
    twice = PageGrid(page_no=2, bbox=(0, 0, grid.xs[-1], 80), xs=grid.xs,
                     ys=tuple(float(10 * r) for r in range(9)), cells=grid.cells + shifted)
    cmap = map_header(twice)
    assert cmap.header_rows == 3 and cmap.repeated == frozenset({4, 5, 6})


def test_target_quarters_and_schedule_quarters_in_one_table():
    """TARGET TW I..IV holding values beside WAKTU PELAKSANAAN TW I..IV holding ticks."""
    top = ["NO", "SASARAN", "KEGIATAN", "INDIKATOR"]
    n = len(top) + 8
    xs = tuple(float(10 * i) for i in range(n + 1))
    cells = [Cell(0, i, 2, 1, (xs[i], 0, xs[i + 1], 20), t) for i, t in enumerate(top)]
    for g, title in enumerate(["TARGET", "WAKTU PELAKSANAAN"]):
        c0 = len(top) + 4 * g
        cells.append(Cell(0, c0, 1, 4, (xs[c0], 0, xs[c0 + 4], 10), title))
        cells += [Cell(1, c0 + q, 1, 1, (xs[c0 + q], 10, xs[c0 + q + 1], 20), f"TW {roman}")
                  for q, roman in enumerate(["I", "II", "III", "IV"])]
    body = ["1", "Sasaran", "Keg", "Ind", "25%", "50%", "75%", "100%", "√", "-", "√", "-"]
    cells += [Cell(2, c, 1, 1, (xs[c], 20, xs[c + 1], 30), t) for c, t in enumerate(body)]
    cmap = map_header(PageGrid(page_no=1, bbox=(0, 0, xs[-1], 30), xs=xs,
                               ys=(0.0, 10.0, 20.0, 30.0), cells=tuple(cells)))
    assert cmap.names == ("no", "sasaran", "kegiatan", "indikator",
                          "target_tw1", "target_tw2", "target_tw3", "target_tw4",
                          "tw_1", "tw_2", "tw_3", "tw_4")
    assert cmap.jadwal_satuan == "triwulan"


def test_a_split_rows_tail_under_a_repeated_header_is_no_header_row():
    """The tail of a row split by the break sits right under the repeated header; it starts
    in lower case ("dalam kegiatan pemilu") and names a column word only by chance."""
    grid = _grid(["NO.", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR", *map(str, range(1, 13)), "KET."])
    n = len(grid.xs) - 1
    tail = (Cell(1, 2, 1, 1, (grid.xs[2], 10, grid.xs[3], 20), "dalam kegiatan pemilu"),
            Cell(1, 3, 1, 1, (grid.xs[3], 10, grid.xs[4], 20), "dalam kegiatan pemilu"))
    cells = tuple(c for c in grid.cells if c.row == 0) + tail + (
        Cell(2, 0, 1, n, (0, 20, grid.xs[-1], 30), "data"),)
    grid = PageGrid(page_no=9, bbox=(0, 0, grid.xs[-1], 30), xs=grid.xs,
                    ys=(0.0, 10.0, 20.0, 30.0), cells=cells)
    assert map_header(grid).header_rows == 1

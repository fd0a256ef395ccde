"""Stitching on hand-built grids: one page break, merged cells, split rows."""
from dataclasses import replace

from extract.model import Cell, Column, ColumnMap, PageGrid, Ruling
from extract.stitch import TablePage, stitch

NAMES = ["area_no", "area", "kegiatan", "sub_kegiatan", "indikator", "bulan_01", "bulan_02",
         "keterangan"]
XS = tuple(float(10 * i) for i in range(len(NAMES) + 1))
CMAP = ColumnMap(columns=tuple(Column(n, XS[i], XS[i + 1], n.upper()) for i, n in enumerate(NAMES)),
                 jadwal_satuan="bulan", page_no=1, header_rows=0)


def page(page_no, rows, spans=None):
    """rows: list of 8 texts (None = covered by a span from above); spans: {(r, c): rowspan}."""
    spans = spans or {}
    cells = []
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if text is None:
                continue
            rs = spans.get((r, c), 1)
            cells.append(Cell(r, c, rs, 1, (XS[c], 10 * r, XS[c + 1], 10 * (r + rs)), text))
    ys = tuple(float(10 * r) for r in range(len(rows) + 1))
    return TablePage(PageGrid(page_no, (0, 0, XS[-1], ys[-1]), XS, ys, tuple(cells)), CMAP)


def test_merged_cells_fill_down_and_split_row_joins():
    p1 = page(3, [["1.", "Area A", "1. Keg", "1) Sub satu", "Ind 1", "√", "-", ""],
                  [None, None, None, "2) Sub dua yang", "Ind 2", "-", "√", ""]],
              spans={(0, 0): 2, (0, 1): 2, (0, 2): 2})
    p2 = page(4, [["", "", "", "panjang", "lanjutan", "", "", ""],
                  [None, None, None, "3) Sub tiga", "Ind 3", "√", "√", "NIHIL"]],
              spans={(0, 0): 2, (0, 1): 2, (0, 2): 2})
    rows = stitch([p1, p2])
    assert len(rows) == 3
    assert rows[1].values["sub_kegiatan"] == "2) Sub dua yang panjang"
    assert rows[1].values["indikator"] == "Ind 2 lanjutan"
    assert rows[1].joined and (rows[1].halaman_awal, rows[1].halaman_akhir) == (3, 4)
    assert rows[2].values["area"] == "Area A" and rows[2].values["kegiatan"] == "1. Keg"
    assert {"area", "kegiatan"} <= rows[2].filled
    assert rows[2].values["keterangan"] == "NIHIL"


def test_blank_hierarchy_means_same_as_above_but_indikator_stays_blank():
    p1 = page(3, [["1.", "Area A", "1. Keg", "1) Sub", "Ind 1", "√", "-", ""],
                  ["", "", "", "", "", "√", "√", ""]])
    rows = stitch([p1])
    assert rows[1].values["sub_kegiatan"] == "1) Sub"
    assert rows[1].values["indikator"] == ""


def test_new_row_at_page_top_is_not_joined():
    p1 = page(3, [["1.", "Area A", "1. Keg", "1) Sub", "Ind 1", "√", "-", ""]])
    p2 = page(4, [["", "", "", "2) Sub", "Ind 2", "-", "√", ""]])
    rows = stitch([p1, p2])
    assert len(rows) == 2 and not rows[0].joined


def test_new_area_does_not_inherit_old_kegiatan():
    p1 = page(3, [["1.", "Area A", "1. Keg", "1) Sub", "Ind", "√", "-", ""],
                  ["2.", "Area B", "", "Sub B", "Ind B", "-", "√", ""]])
    rows = stitch([p1])
    assert rows[1].values["area"] == "Area B" and rows[1].values["kegiatan"] == ""


def test_section_row_titles_the_rows_below_it():
    names = ["kegiatan", "sub_kegiatan", "indikator", "bulan_01", "bulan_02", "keterangan"]
    xs = tuple(float(10 * i) for i in range(len(names) + 1))
    cmap = ColumnMap(columns=tuple(Column(n, xs[i], xs[i + 1], n) for i, n in enumerate(names)),
                     jadwal_satuan="bulan", page_no=1, header_rows=0)
    cells = (Cell(0, 0, 1, 6, (0, 0, 60, 10), "II. PENATAAN PERATURAN PERUNDANG-UNDANGAN"),
             Cell(1, 0, 1, 1, (0, 10, 10, 20), "1. Keg"), Cell(1, 1, 1, 1, (10, 10, 20, 20), "Sub"),
             Cell(1, 2, 1, 1, (20, 10, 30, 20), "Ind"), Cell(1, 3, 1, 1, (30, 10, 40, 20), "√"),
             Cell(1, 4, 1, 1, (40, 10, 50, 20), "-"), Cell(1, 5, 1, 1, (50, 10, 60, 20), ""))
    grid = PageGrid(3, (0, 0, 60, 20), xs, (0.0, 10.0, 20.0), cells)
    rows = stitch([TablePage(grid, cmap)])
    assert len(rows) == 1
    assert rows[0].values["area_no"] == "II." and rows[0].values["area"].startswith("PENATAAN")


# Page breaks as word processors and spreadsheets print them. ``grid`` takes rows of
# (text, rowspan, full, fill) per column; ``lines`` the y of each drawn horizontal rule
# (None: every row edge is ruled, as Word draws split rows).

GREEN = (112, 173, 71)


def grid(page_no, rows, lines=None, names=NAMES, header_rows=0):
    xs = tuple(float(10 * i) for i in range(len(names) + 1))
    cells = []
    for r, row in enumerate(rows):
        for c, spec in enumerate(row):
            if spec is None:
                continue
            spec = spec if isinstance(spec, tuple) else (spec,)
            text, rs, full, fill = spec + (1, False, None)[len(spec) - 1:]
            cells.append(Cell(r, c, rs, 1, (xs[c], 10 * r, xs[c + 1], 10 * (r + rs)), text,
                              fill=fill, full=full))
    ys = tuple(float(10 * r) for r in range(len(rows) + 1))
    rules = tuple(Ruling(xs[0], y - 0.5, xs[-1], y + 0.5)
                  for y in (ys if lines is None else lines))
    cmap = ColumnMap(columns=tuple(Column(n, xs[i], xs[i + 1], n.upper())
                                   for i, n in enumerate(names)),
                     jadwal_satuan="bulan", page_no=1, header_rows=header_rows)
    return TablePage(PageGrid(page_no, (0, 0, xs[-1], ys[-1]), xs, ys, tuple(cells), rules), cmap)


def test_split_row_whose_ket_also_splits_is_one_row():
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), "1) Sub", "Ind 1", "√", "-", "NIHIL"],
                  [None, None, None, ("2) Sub dua", 1, True), ("Ind dua yang", 1, True), "-",
                   "√", ("Dalam", 1, True)]])
    p2 = grid(4, [["", "", "", "", "panjang", "", "", "proses"],
                  ["", "", "", "3) Sub tiga", "Ind 3", "√", "-", "NIHIL"]])
    rows = stitch([p1, p2])
    assert len(rows) == 3
    assert rows[1].values["keterangan"] == "Dalam proses"
    assert rows[1].values["indikator"] == "Ind dua yang panjang"
    assert (rows[1].halaman_awal, rows[1].halaman_akhir) == (3, 4)


def test_gantt_row_going_on_with_its_list_is_not_a_new_row():
    bar = ("", 1, False, GREEN)
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), "1) Sub", "Ind 1", bar, "", ""],
                  [None, None, None, ("2) Sub meliputi: 3) a 4) b", 1, True), ("Ind 2", 1, True),
                   bar, bar, ""]])
    p2 = grid(4, [["", "", "", "5) c", "", bar, bar, ""],
                  ["", "", "", "3) Sub tiga", "Ind 3", "", bar, ""]])
    rows = stitch([p1, p2])
    assert len(rows) == 3
    assert rows[1].values["sub_kegiatan"].endswith("4) b 5) c") and rows[1].joined
    assert [m.shaded for m in rows[1].marks] == [True, True]  # read once, not twice


def test_page_top_item_counting_on_from_a_full_row_is_a_new_row():
    """Empty months mean "not scheduled" here: only the numbering tells "3." from a tail."""
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), ("1) Sub", 2), "1. Data A", "", "",
                   "1 Orang"],
                  [None, None, None, None, ("2. Data B", 1, True), "", "", ("2 Orang", 1, True)]])
    p2 = grid(4, [["", "", "", "", "3. Data C", "", "", "3 Orang"]])
    rows = stitch([p1, p2])
    assert [r.values["indikator"] for r in rows] == ["1. Data A", "2. Data B", "3. Data C"]
    assert rows[2].values["sub_kegiatan"] == "1) Sub"


def test_a_cell_stopping_on_a_word_that_never_ends_a_phrase_goes_on_past_the_break():
    """The indikator's list counts on ("1." / "2."), but SUB KEGIATAN stopped on "dengan":
    the row goes on, though its next piece starts with a capital."""
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), "1) Sub", "Ind 1", "√", "-", ""],
                  [None, None, None, ("3. Pembangunan Jabatan yang terkait dengan", 1, True),
                   ("1. % Pengelola Keuangan", 1, True), "-", "√", ""]])
    p2 = grid(4, [["", "", "", "Akuntabilitas Kinerja", "2. % Pengelola PBJ", "", "", ""],
                  ["", "", "", "4) Sub empat", "Ind 4", "√", "-", ""]])
    rows = stitch([p1, p2])
    assert len(rows) == 3
    assert rows[1].values["sub_kegiatan"] == (
        "3. Pembangunan Jabatan yang terkait dengan Akuntabilitas Kinerja")
    assert rows[1].values["indikator"] == "1. % Pengelola Keuangan 2. % Pengelola PBJ"


def test_a_numbered_sub_kegiatan_going_on_without_a_number_carries_the_row_past_the_break():
    """The indikator's list counts on ("1." / "2.") and SUB KEGIATAN stopped on a word that
    may end a phrase, but its item "3." goes on with no number of its own ("Pakta ..."):
    a new sub kegiatan in a numbered column would open with "4.". An unnumbered indikator
    under a sub kegiatan that counts on is a new row all the same."""
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), "1. Sub", "Ind 1", "√", "-", ""],
                  [None, None, None, ("3. Penyelenggaraan Integritas: 1) Penandatanganan", 1, True),
                   ("1. Persentase penandatanganan", 1, True), "-", "√", ""]])
    p2 = grid(4, [["", "", "", "Pakta integritas", "2. Persentase pelaporan", "", "", ""],
                  ["", "", "", "4. Sub empat", "Ind 4", "√", "-", ""]])
    rows = stitch([p1, p2])
    assert [r.values["sub_kegiatan"] for r in rows] == [
        "1. Sub", "3. Penyelenggaraan Integritas: 1) Penandatanganan Pakta integritas",
        "4. Sub empat"]
    assert rows[1].values["indikator"] == "1. Persentase penandatanganan 2. Persentase pelaporan"
    p2 = grid(4, [["", "", "", "4. Sub empat", "Tersedianya dokumen", "", "", ""]])
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), ("3. Sub tiga", 1, True),
                   ("1. Persentase penandatanganan", 1, True), "√", "-", ""]])
    assert [r.values["indikator"] for r in stitch([p1, p2])] == [
        "1. Persentase penandatanganan", "Tersedianya dokumen"]


def test_an_item_numbered_as_no_list_goes_on_is_a_new_row_under_a_sub_kegiatan_going_on():
    """SUB KEGIATAN, merged over two rows, runs on past the break in lower case, but the
    indikator below jumps from "1." to "3." (the plan left item 2 out): no list goes on so,
    and the row is a new one under the same sub kegiatan, though its months are blank."""
    p1 = grid(7, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), "1. Sub", "Ind 1", "√", "-", ""],
                  [None, None, None, ("2. Penerapan assessment untuk", 1, True),
                   ("1. Data mutasi", 1, True), "", "", ("2 Orang", 1, True)]])
    p2 = grid(8, [["", "", "", "pertimbangan karir", "3. Data Peserta", "", "", "1 Dokumen"],
                  ["", "", "", "3. Sub tiga", "Ind 4", "√", "-", ""]])
    rows = stitch([p1, p2])
    assert [r.values["indikator"] for r in rows] == [
        "Ind 1", "1. Data mutasi", "3. Data Peserta", "Ind 4"]
    assert [r.values["keterangan"] for r in rows[1:3]] == ["2 Orang", "1 Dokumen"]
    assert rows[1].values["sub_kegiatan"] == rows[2].values["sub_kegiatan"] == (
        "2. Penerapan assessment untuk pertimbangan karir")
    # a list that changes style on the way ("1) 2) 3)" then "4.") still goes on
    p1 = grid(7, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), ("4. Sub", 1, True),
                   ("1. Adanya: 1) program 2) kegiatan 3) program utama", 1, True), "√", "-",
                   ""]])
    p2 = grid(8, [["", "", "", "", "4. Jumlah kegiatan utama", "", "", ""]])
    assert [r.values["indikator"] for r in stitch([p1, p2])] == [
        "1. Adanya: 1) program 2) kegiatan 3) program utama 4. Jumlah kegiatan utama"]
    # ... or where a sub-item was typed in the top level's style ("1. A: 1) B 4. C" / "2. D")
    p1 = grid(7, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), ("4. Sub", 1, True),
                   ("1. Adanya: 1) program 2) kegiatan 4. Jumlah", 1, True), "√", "-", ""]])
    p2 = grid(8, [["", "", "", "", "2. Persentase sasaran", "", "", ""]])
    assert [r.values["indikator"] for r in stitch([p1, p2])] == [
        "1. Adanya: 1) program 2) kegiatan 4. Jumlah 2. Persentase sasaran"]
    # and so does a list whose last item holds a list of its own ("4. ...: 1) 2)" / "5.")
    p1 = grid(7, [[("1.", 2), ("Area A", 2), ("1. Keg", 2), ("4. Sub", 1, True),
                   ("3. Dapat diakses 4. Jumlah aplikasi, serta: 1) Data 2) Indeks", 1, True),
                   "√", "-", ""]])
    p2 = grid(8, [["", "", "", "", "5. Jumlah pemohon", "", "", ""]])
    assert [r.values["indikator"] for r in stitch([p1, p2])] == [
        "3. Dapat diakses 4. Jumlah aplikasi, serta: 1) Data 2) Indeks 5. Jumlah pemohon"]


def test_merged_cell_open_across_the_break_goes_on_and_a_ruled_one_ends():
    """A spreadsheet draws no line where a merged cell crosses the break; a line over the
    next page's first row in some columns only (none under the last row above) is where
    the cells of those columns begin."""
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("1. Keg satu", 2, True), "1) Sub", "Ind 1", "√",
                   "-", ""],
                  [None, None, None, "2) Sub", "Ind 2", "-", "√", ""]],
              lines=[0.0, 10.0])  # nothing under the last row: its cells stay open
    p2 = grid(4, [["", "", ("yang panjang", 2), "3) Sub", "Ind 3", "√", "√", ""],
                  ["", "", None, "4) Sub", "Ind 4", "√", "-", ""]],
              lines=[10.0, 20.0])  # nor over the next page's first row
    rows = stitch([p1, p2])
    assert len(rows) == 4
    assert {r.values["kegiatan"] for r in rows} == {"1. Keg satu yang panjang"}
    closed = grid(4, [["", "", ("Keg dua", 2), "3) Sub", "Ind 3", "√", "√", ""],
                      ["", "", None, "4) Sub", "Ind 4", "√", "-", ""]], lines=[10.0, 20.0])
    top = Ruling(20.0, -0.5, 80.0, 0.5)  # over KEGIATAN onwards, not over NO. and AREA
    closed = TablePage(replace(closed.grid, rulings=closed.grid.rulings + (top,)), closed.cmap)
    rows = stitch([p1, closed])
    assert [r.values["kegiatan"] for r in rows] == ["1. Keg satu"] * 2 + ["Keg dua"] * 2
    assert {r.values["area"] for r in rows} == {"Area A"}
    # a line across the whole table at the top of a page is its border: it closes nothing
    bordered = grid(4, [["", "", ("yang panjang", 2), "3) Sub", "Ind 3", "√", "√", ""],
                        ["", "", None, "4) Sub", "Ind 4", "√", "-", ""]])
    rows = stitch([p1, bordered])
    assert {r.values["kegiatan"] for r in rows} == {"1. Keg satu yang panjang"}


def test_schedule_cell_merged_over_rows_marks_each_of_them():
    p1 = grid(3, [[("1.", 3), ("Area A", 3), ("1. Keg", 3), ("1) Sub", 3), "Ind 1",
                   ("", 3, False, GREEN), ("√", 3), ""],
                  [None, None, None, None, "Ind 2", None, None, ""],
                  [None, None, None, None, "Ind 3", None, None, ""]])
    rows = stitch([p1])
    assert len(rows) == 3
    assert all([m.shaded for m in r.marks] == [True, False] for r in rows)
    assert all(r.marks[1].text == "√" for r in rows)


SAKIP = ["sasaran", "indikator_sasaran", "target_tw1", "kegiatan", "indikator", "rencana_aksi",
         "anggaran", "bulan_01", "bulan_02"]


def test_sakip_levels_fill_down_after_a_repeated_header():
    """Blank SASARAN / INDIKATOR SASARAN cells after a header repeated mid-page carry the
    ones above; a blank RENCANA AKSI carries only where its KEGIATAN does."""
    header = ["SASARAN", "INDIKATOR SASARAN", "TRW I", "KEGIATAN", "INDIKATOR", "RENCANA AKSI",
              "ANGGARAN", "1", "2"]
    page = grid(1, [header,
                    ["Sas A", "IS A", "50 %", "Program X", "", "", "", "", ""],
                    ["", "", "", "Keg 1", "Ind 1", "RA 1", "1.000,00", "√", ""],
                    header,
                    ["", "", "", "", "Ind 2", "", "", "", "√"],
                    ["", "IS B", "", "Keg 2", "Ind 3", "", "", "√", "√"]],
                names=SAKIP, header_rows=1)
    page = TablePage(page.grid, page.cmap.__class__(**{
        **{f: getattr(page.cmap, f) for f in ("columns", "jadwal_satuan", "page_no",
                                              "header_rows")}, "repeated": frozenset({3})}))
    rows = stitch([page])
    assert [r.values["indikator"] for r in rows] == ["", "Ind 1", "Ind 2", "Ind 3"]
    assert rows[2].values["sasaran"] == "Sas A" and rows[2].values["indikator_sasaran"] == "IS A"
    assert rows[2].values["target_tw1"] == "50 %"
    assert rows[2].values["kegiatan"] == "Keg 1" and rows[2].values["rencana_aksi"] == "RA 1"
    # a printed INDIKATOR SASARAN starts a new one: its blank target is its own, empty
    assert rows[3].values["target_tw1"] == "" and rows[3].values["sasaran"] == "Sas A"
    # a printed KEGIATAN keeps its own blank RENCANA AKSI
    assert rows[3].values["rencana_aksi"] == "" and rows[0].values["rencana_aksi"] == ""


def test_full_merged_cell_whose_sentence_ended_is_not_carried_on():
    """A spreadsheet clips a merged cell's text at the page edge rather than carrying it
    over: a full KEGIATAN ending its sentence is done; the next page's unnumbered KEGIATAN
    is a new one. Text cut mid-sentence still goes on."""
    def first_page(kegiatan):
        return grid(6, [[("8.", 2), ("Pelayanan Publik", 2), (kegiatan, 2, True), "1) Sub",
                         "Ind 1", "√", "-", ""],
                        [None, None, None, "2) Sub", "Ind 2", "-", "√", ""]])

    p2 = grid(7, [["", "", ("Pembangunan Zona Hijau", 2), "Membangun zona", "Ind 3", "√", "√",
                   ""],
                  ["", "", None, "2) Maklumat", "Ind 4", "√", "-", ""]])
    rows = stitch([first_page("2. Mendorong inovasi di lingkungan unit/satuan kerja."), p2])
    assert [r.values["kegiatan"] for r in rows][1:3] == [
        "2. Mendorong inovasi di lingkungan unit/satuan kerja.", "Pembangunan Zona Hijau"]
    rows = stitch([first_page("2. Mendorong inovasi di lingkungan"), p2])
    assert rows[2].values["kegiatan"] == "2. Mendorong inovasi di lingkungan Pembangunan Zona Hijau"


def test_vertically_centred_text_of_a_merged_cell_landing_past_the_break():
    """A spreadsheet centres a merged cell's text over all its rows: when the merge crosses
    the break, the text may print entirely on the next page, under a full-width border."""
    p1 = grid(3, [[("1.", 2), ("Area A", 2), ("", 2), "1) Sub", "Ind 1", "√", "-", ""],
                  [None, None, None, "2) Sub", "Ind 2", "-", "√", ""]])
    p2 = grid(4, [["", "", ("2. Keg tengah", 2), "3) Sub", "Ind 3", "√", "√", ""],
                  ["", "", None, "4) Sub", "Ind 4", "√", "-", ""]])
    rows = stitch([p1, p2])
    assert [r.values["kegiatan"] for r in rows] == ["2. Keg tengah"] * 4

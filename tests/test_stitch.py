"""Stitching on hand-built grids: one page break, merged cells, split rows."""
from extract.model import Cell, Column, ColumnMap, PageGrid
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

from dataclasses import replace

import pytest

from conftest import PDFS
from extract.grid import draft_grid, find_grids
from extract.model import Char
from extract.pages import open_document
from extract.pipeline import run
from extract.settings import Settings


def _grids(name):
    return find_grids(open_document(PDFS / name), Settings())


def test_word_grid_has_spans_and_text():
    grid = _grids("singkawang-2023-word.pdf")[0]
    assert grid.page_no == 3 and len(grid.xs) == 19
    cells = {(c.row, c.col): c for c in grid.cells}
    assert cells[(0, 0)].text == "NO." and cells[(0, 0)].rowspan == 2
    assert cells[(0, 5)].text == "PELAKSANAAN (BULAN)" and cells[(0, 5)].colspan == 12
    area = cells[(3, 1)]
    assert area.text == "Manajemen Perubahan" and area.rowspan == 7


def test_gantt_cells_carry_their_fill():
    grid = _grids("singkawang-2023-word-shaded.pdf")[0]
    data = [c for c in grid.cells if c.row == 3 and 5 <= c.col <= 16]
    assert [c.fill is not None and c.fill != (255, 255, 255) for c in data].count(True) == 1


def test_spreadsheet_merge_cut_by_page_break_is_still_a_cell():
    grid = _grids("singkawang-2023-excel.pdf")[0]
    area = [c for c in grid.cells if c.col == 1 and c.row >= 3]
    assert area and "Manajemen Perubahan" in area[0].text


def test_broken_word_is_rejoined():
    grids = _grids("singkawang-2023-word.pdf")
    texts = [c.text for g in grids for c in g.cells]
    assert any("Perundangan/Deregulasi" in t for t in texts)
    assert not any("Dereg ulasi" in t for t in texts)


def test_table_without_outer_side_borders_keeps_its_edge_columns():
    from extract.grid import table_cells
    from extract.model import Ruling

    hs = [Ruling(0, y, 300, y) for y in (0, 20, 40, 60)]
    vs = [Ruling(x, 0, x, 60) for x in (100, 200)]  # no lines at x=0 and x=300
    cells = table_cells(hs + vs, Settings().grid)
    assert len(cells) == 9
    assert min(c[0] for c in cells) == 0 and max(c[2] for c in cells) == 300


@pytest.mark.parametrize("name", ["singkawang-2023-word.pdf", "singkawang-2023-excel.pdf",
                                  "acehbesar-2025-word-extra-cols-s23.pdf",
                                  "jabar-dishub-renaksi-2016.pdf"])
def test_lampiran_drafted_as_read_gives_the_grids_of_a_full_reading(name):
    """The pipeline drafts each ruled page as it is read and lets its table's glyphs go; the
    grids it reads (cells, spans, text, ends) are those of the whole document read first."""
    result = run(PDFS / name)
    assert result.grids == _grids(name)


def test_lampiran_pages_are_kept_as_the_reader_returns_them():
    kinds = []

    def keep(page):
        kinds.append((page.page_no, page.kind))
        return replace(page, chars=())

    doc = open_document(PDFS / "singkawang-2023-word.pdf", Settings(), keep)
    lampiran = [p.page_no for p in doc.pages if p.kind == "lampiran"]
    assert kinds == [(n, "lampiran") for n in lampiran] and len(lampiran) == 9
    assert all(not doc.pages[n - 1].chars for n in lampiran)
    assert doc.pages[0].chars and doc.pages[-1].chars  # the body and the signature page


def _line(text: str, x0: float, top: float, size: float = 8.0) -> list[Char]:
    return [Char(ch, x0 + 4 * i, top, x0 + 4 * i + 4, top + size, "Arial", size)
            for i, ch in enumerate(text)]


def _column_of(texts_at: list[tuple[str, float]], rows: int = 2, pitch: float = 40.0):
    """A two-column table: column 0 one box over ``rows`` rows holding ``texts_at`` (text,
    top), column 1 ruled per row, each with "x"."""
    boxes = [(0.0, 0.0, 100.0, rows * pitch)] + [
        (100.0, r * pitch, 200.0, (r + 1) * pitch) for r in range(rows)]
    chars = [ch for text, top in texts_at for ch in _line(text, 4.0, top)]
    chars += [ch for r in range(rows) for ch in _line("x", 104.0, r * pitch + 16)]
    draft = draft_grid(1, boxes, chars, [], [], 1.0).finish()
    return [(c.row, c.rowspan, c.text) for c in draft.cells if c.col == 0]


def test_a_rule_left_out_between_two_rows_in_one_column_is_read_from_their_texts():
    # "100%" and "1 dokumen" each sit in their own row's band, far apart: two cells
    assert _column_of([("100%", 16.0), ("1 dokumen", 56.0)]) == [
        (0, 1, "100%"), (1, 1, "1 dokumen")]
    # a merged cell's text running on across the rows' boundary, or centred on it: one cell
    assert _column_of([("Meningkatkan", 30.0), ("kualitas", 39.0), ("pelayanan", 48.0)]) == [
        (0, 2, "Meningkatkan kualitas pelayanan")]
    assert _column_of([("-", 36.0)]) == [(0, 2, "-")]
    # a line astride the boundary: one cell, whatever the blank above it
    assert _column_of([("Sasaran", 4.0), ("satu", 36.0)]) == [(0, 2, "Sasaran satu")]

"""Every way producers draw a table's lines gives the grid a reader sees.

Each test draws the same decree-like table (NO. | AREA | KEGIATAN | SUB KEGIATAN | INDIKATOR |
12 months | KET., merged hierarchy cells) with ReportLab, with its lines drawn one way, and
checks the grid against the same table drawn with plain solid lines.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from extract.grid import find_grids, table_cells
from extract.model import Ruling
from extract.pages import open_document
from extract.settings import Settings

PAGE_W, PAGE_H = landscape(A4)
X0, TOP = 40.0, 90.0  # the table's top-left corner, top-left page coordinates
WIDTHS = [25, 90, 100, 100, 130] + [18] * 12 + [60]
HEIGHTS = [24, 14] + [26] * 6
HEADER = ["NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN"]
# (row, col, rowspan, colspan, text): the header, then areas and kegiatan merged over rows
MERGES = ([(0, c, 2, 1, t) for c, t in enumerate(HEADER)]
          + [(0, 5, 1, 12, "PELAKSANAAN (BULAN)"), (0, 17, 2, 1, "KET.")]
          + [(1, 5 + m, 1, 1, str(m + 1)) for m in range(12)]
          + [(2, 0, 6, 1, "1."), (2, 1, 6, 1, "Manajemen Perubahan"),
             (2, 2, 3, 1, "Penyusunan Tim"), (5, 2, 3, 1, "Monitoring")])
Segment = tuple[float, float, float, float]  # x0, top, x1, bottom (one of them a line)


def _xs() -> list[float]:
    out = [X0]
    for w in WIDTHS:
        out.append(out[-1] + w)
    return out


def _ys() -> list[float]:
    out = [TOP]
    for h in HEIGHTS:
        out.append(out[-1] + h)
    return out


def _owner() -> dict[tuple[int, int], int]:
    owner: dict[tuple[int, int], int] = {}
    for k, (r, c, rs, cs, _) in enumerate(MERGES):
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                owner[(i, j)] = k
    return owner


def _texts() -> Iterator[tuple[float, float, str]]:
    """(x, baseline, text) of every cell, in top-left coordinates."""
    xs, ys = _xs(), _ys()
    owner = _owner()
    for r, c, _, _, text in MERGES:
        yield xs[c] + 2, ys[r] + 9, text
    for r in range(2, len(HEIGHTS)):
        for c in (3, 4, 17):
            if (r, c) not in owner:
                yield xs[c] + 2, ys[r] + 9, ("Langkah" if c == 3 else "Indikator" if c == 4
                                            else "Ket") + f" {r - 1}"
        for m in range(12):
            yield xs[5 + m] + 6, ys[r] + 9, "V" if (r + m) % 3 == 0 else "-"


def _segments(merged: bool = True) -> list[Segment]:
    """The grid's lines as drawn whole (maximal segments); through merges when not ``merged``."""
    xs, ys = _xs(), _ys()
    owner = _owner() if merged else {}
    out: list[Segment] = []

    def joined(points: list[tuple[float, float, bool]], make) -> None:
        start = end = None
        for a, b, on in points + [(0, 0, False)]:
            if on:
                start = a if start is None else start
                end = b
            elif start is not None:
                out.append(make(start, end))
                start = None

    for i, y in enumerate(ys):
        joined([(xs[c], xs[c + 1], not (0 < i < len(HEIGHTS) and (i - 1, c) in owner
                                         and owner.get((i - 1, c)) == owner.get((i, c))))
                for c in range(len(WIDTHS))], lambda a, b, y=y: (a, y, b, y))
    for j, x in enumerate(xs):
        joined([(ys[r], ys[r + 1], not (0 < j < len(WIDTHS) and (r, j - 1) in owner
                                         and owner.get((r, j - 1)) == owner.get((r, j))))
                for r in range(len(HEIGHTS))], lambda a, b, x=x: (x, a, x, b))
    return out


def _outer(seg: Segment) -> bool:
    xs, ys = _xs(), _ys()
    return seg[0] == seg[2] in (xs[0], xs[-1]) or seg[1] == seg[3] in (ys[0], ys[-1])


Draw = Callable[[Canvas], None]


def _pdf(path: Path, draw_lines: Draw, before_text: Draw | None = None,
         after_table: Draw | None = None) -> Path:
    """A one-page landscape lampiran: title, the table's lines drawn by ``draw_lines``."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont("Helvetica-Bold", 10)
    c.drawString(X0, PAGE_H - 50, "RENCANA AKSI REFORMASI BIROKRASI")
    c.setLineWidth(0.5)
    draw_lines(c)
    if before_text:
        before_text(c)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 6.5)
    for x, y, text in _texts():
        c.drawString(x, PAGE_H - y, text)
    if after_table:
        after_table(c)
    c.save()
    return path


def _line(c: Canvas, seg: Segment) -> None:
    c.line(seg[0], PAGE_H - seg[1], seg[2], PAGE_H - seg[3])


def solid(c: Canvas) -> None:
    for seg in _segments():
        _line(c, seg)


def _shape(grid) -> tuple:
    """What a reader sees in a grid: its size and every cell's place, span and text."""
    return (len(grid.xs), len(grid.ys),
            sorted((cell.row, cell.col, cell.rowspan, cell.colspan, cell.text) for cell in grid.cells))


def _grid(path: Path):
    grids = find_grids(open_document(path), Settings())
    assert len(grids) == 1
    return grids[0]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    grid = _grid(_pdf(tmp_path_factory.mktemp("plain") / "solid.pdf", solid))
    assert len(grid.xs) == len(WIDTHS) + 1 and len(grid.ys) == len(HEIGHTS) + 1
    cells = {(cell.row, cell.col): cell for cell in grid.cells}
    assert cells[(2, 1)].rowspan == 6 and cells[(2, 1)].text == "Manajemen Perubahan"
    assert cells[(0, 5)].colspan == 12
    return _shape(grid)


def dots_as_segments(c: Canvas) -> None:
    """Each line a row of 0.6 pt strokes 2 pt apart (separate subpaths)."""
    for x0, top, x1, bottom in _segments():
        p = c.beginPath()
        horizontal = top == bottom
        pos, end = (x0, x1) if horizontal else (top, bottom)
        while pos < end:
            stop = min(pos + 0.6, end)
            if horizontal:
                p.moveTo(pos, PAGE_H - top)
                p.lineTo(stop, PAGE_H - top)
            else:
                p.moveTo(x0, PAGE_H - pos)
                p.lineTo(x0, PAGE_H - stop)
            pos += 2.6
        c.drawPath(p, stroke=1, fill=0)


def dots_as_circles(c: Canvas) -> None:
    """Each line a row of filled round dots (Bézier circles) 2.5 pt apart."""
    c.setFillColorRGB(0, 0, 0)
    for x0, top, x1, bottom in _segments():
        n = int(max(x1 - x0, bottom - top) / 2.5)
        for k in range(n + 1):
            t = k / n
            c.circle(x0 + t * (x1 - x0), PAGE_H - (top + t * (bottom - top)), 0.4, stroke=0, fill=1)


def dashes_by_operator(c: Canvas) -> None:
    """Stroked lines with a dash pattern set by the ``d`` operator."""
    c.setDash(3, 3)
    solid(c)


def sparse_dots_by_operator(c: Canvas) -> None:
    c.setDash([0.5, 4])
    c.setLineCap(1)
    solid(c)


def overshoot(c: Canvas) -> None:
    """Every horizontal line runs 4 pt past the frame on both sides."""
    xs = _xs()
    for seg in _segments():
        x0, top, x1, bottom = seg
        if top == bottom:
            seg = (x0 - 4 if x0 == xs[0] else x0, top, x1 + 4 if x1 == xs[-1] else x1, bottom)
        _line(c, seg)


def gaps(c: Canvas) -> None:
    """Inner horizontal lines stop 4 pt short of the lines they should meet; inner verticals
    run 4 pt past them."""
    for seg in _segments():
        x0, top, x1, bottom = seg
        if _outer(seg):
            _line(c, seg)
        elif top == bottom:
            _line(c, (x0 + 4, top, x1 - 4, bottom))
        else:
            _line(c, (x0, top - 4, x1, bottom + 4))


def _double(gap: float) -> Draw:
    """The frame and the rule under the header drawn twice, ``gap`` pt apart between the
    lines' edges (0.5 pt lines)."""
    def draw(c: Canvas) -> None:
        xs, ys = _xs(), _ys()
        for seg in _segments():
            if not _outer(seg):
                _line(c, seg)
        d = gap + 0.5
        for k in (0, 1):  # the second frame inside the first
            c.rect(xs[0] + k * d, PAGE_H - ys[-1] + k * d, xs[-1] - xs[0] - 2 * k * d,
                   ys[-1] - ys[0] - 2 * k * d)
        _line(c, (xs[0], ys[2] + d, xs[-1], ys[2] + d))
    return draw


def page_frame(c: Canvas) -> None:
    """A decorative rectangle around the whole text block, 15 pt outside the table."""
    solid(c)
    c.setLineWidth(1.5)
    c.rect(22, 22, PAGE_W - 44, PAGE_H - 44)
    c.rect(25, 25, PAGE_W - 50, PAGE_H - 50)


def frame_around_borderless_table(c: Canvas) -> None:
    """The frame must not become the outer border of a table that has none."""
    no_border_at_all(c)
    c.rect(22, 22, PAGE_W - 44, PAGE_H - 44)


def tight_frame(c: Canvas) -> None:
    """A frame 8 pt around the table that also holds the title."""
    xs, ys = _xs(), _ys()
    solid(c)
    c.rect(xs[0] - 8, PAGE_H - ys[-1] - 8, xs[-1] - xs[0] + 16, ys[-1] - TOP + 70)


def no_outer_border(c: Canvas) -> None:
    for seg in _segments():
        if not _outer(seg) or seg[1] == seg[3] == TOP:  # top rule kept, as many styles do
            _line(c, seg)


def no_border_at_all(c: Canvas) -> None:
    for seg in _segments():
        if not _outer(seg):
            _line(c, seg)


def thin_filled_bars(c: Canvas) -> None:
    """Microsoft Print to PDF: every line a black filled rectangle 0.96 pt thick."""
    c.setFillColorRGB(0, 0, 0)
    for x0, top, x1, bottom in _segments():
        c.rect(x0 - 0.48, PAGE_H - bottom - 0.48, x1 - x0 + 0.96, bottom - top + 0.96,
               stroke=0, fill=1)


def thick_bars(c: Canvas) -> None:
    """Filled bars: 3 pt under the header and around the table, 0.96 pt elsewhere."""
    c.setFillColorRGB(0, 0, 0)
    ys = _ys()
    for x0, top, x1, bottom in _segments():
        d = 1.5 if _outer((x0, top, x1, bottom)) or top == bottom == ys[2] else 0.48
        c.rect(x0 - d, PAGE_H - bottom - d, x1 - x0 + 2 * d, bottom - top + 2 * d, stroke=0, fill=1)


def light_grey(c: Canvas) -> None:
    c.setStrokeColorRGB(0.85, 0.85, 0.85)
    solid(c)


def _through_merges(c: Canvas) -> None:
    for seg in _segments(merged=False):
        _line(c, seg)


def _white_over_merges(c: Canvas) -> None:
    """White fills over every merged cell, inside its border."""
    xs, ys = _xs(), _ys()
    c.setFillColorRGB(1, 1, 1)
    for r, col, rs, cs, _ in MERGES:
        if rs > 1 or cs > 1:
            c.rect(xs[col] + 0.5, PAGE_H - ys[r + rs] + 0.5, xs[col + cs] - xs[col] - 1,
                   ys[r + rs] - ys[r] - 1, stroke=0, fill=1)


def _invisible_lines_through_merges(color: tuple[float, float, float], alpha: float) -> Draw:
    """Row lines drawn across every merged cell in paint that shows nothing."""
    def draw(c: Canvas) -> None:
        solid(c)
        xs, ys = _xs(), _ys()
        c.saveState()
        c.setStrokeColorRGB(*color)
        c.setStrokeAlpha(alpha)
        for r, col, rs, cs, _ in MERGES:
            for y in ys[r + 1:r + rs]:
                _line(c, (xs[col], y, xs[col + cs], y))
        c.restoreState()
    return draw


KINDS = {
    "dots as separate strokes": dict(draw_lines=dots_as_segments),
    "round dots": dict(draw_lines=dots_as_circles),
    "dashes (d operator)": dict(draw_lines=dashes_by_operator),
    "sparse dots (d operator, round caps)": dict(draw_lines=sparse_dots_by_operator),
    "overshoot 4 pt": dict(draw_lines=overshoot),
    "gaps and overshoots": dict(draw_lines=gaps),
    "double lines 1 pt apart": dict(draw_lines=_double(1.0)),
    "double lines 3 pt apart": dict(draw_lines=_double(3.0)),
    "page frame": dict(draw_lines=page_frame),
    "frame around table and title": dict(draw_lines=tight_frame),
    "page frame around a borderless table": dict(draw_lines=frame_around_borderless_table),
    "no outer border": dict(draw_lines=no_outer_border),
    "no border at all": dict(draw_lines=no_border_at_all),
    "thin filled bars": dict(draw_lines=thin_filled_bars),
    "3 pt bars": dict(draw_lines=thick_bars),
    "light grey lines": dict(draw_lines=light_grey),
    "grid hidden under white fills": dict(draw_lines=_through_merges, before_text=_white_over_merges),
    "white lines through merges": dict(draw_lines=_invisible_lines_through_merges((1, 1, 1), 1)),
    "transparent lines through merges": dict(
        draw_lines=_invisible_lines_through_merges((0, 0, 0), 0)),
}


@pytest.mark.parametrize("kind", KINDS)
def test_lines_drawn_any_way_give_the_plain_grid(kind, plain, tmp_path):
    grid = _grid(_pdf(tmp_path / "t.pdf", **KINDS[kind]))
    assert _shape(grid) == plain


def test_fills_under_the_grid_hide_nothing(plain, tmp_path):
    """Paint order decides: white fills painted before the full grid leave every line visible."""
    def draw(c: Canvas) -> None:
        _white_over_merges(c)
        c.setFillColorRGB(0, 0, 0)
        _through_merges(c)

    grid = _grid(_pdf(tmp_path / "t.pdf", draw))
    cells = {(cell.row, cell.col): cell for cell in grid.cells}
    assert cells[(2, 1)].rowspan == 1 and cells[(7, 1)].rowspan == 1
    assert len(grid.cells) > len(plain[2])


def _legend(rows: int, cols: int) -> Draw:
    """A second ruled table below the plan: a legend of ``rows`` rows of 8 pt, 330 pt wide."""
    def draw(c: Canvas) -> None:
        top = _ys()[-1] + 30
        c.setFont("Helvetica", 5)
        for i in range(rows + 1):
            c.line(X0, PAGE_H - top - 8 * i, X0 + 330, PAGE_H - top - 8 * i)
        for k in range(cols + 1):
            x = X0 + 330 * k / cols
            c.line(x, PAGE_H - top, x, PAGE_H - top - 8 * rows)
        for i in range(rows):
            c.drawString(X0 + 2, PAGE_H - top - 8 * i - 6, f"Keterangan {i + 1}")
    return draw


@pytest.mark.parametrize("rows,cols", [(3, 3), (30, 6)])
def test_second_table_on_the_page_stays_apart(rows, cols, plain, tmp_path):
    """A legend below the plan neither joins its grid nor replaces it, even with more cells."""
    grid = _grid(_pdf(tmp_path / "t.pdf", solid, after_table=_legend(rows, cols)))
    assert _shape(grid) == plain
    assert not any("Keterangan" in cell.text for cell in grid.cells)


def test_tables_side_by_side_are_not_fused():
    """Two ruled tables whose lines nearly meet are two tables: the one with more columns wins."""
    s = Settings().grid
    left = ([Ruling(0, y, 300, y) for y in (0, 20, 40)]
            + [Ruling(x, 0, x, 40) for x in (0, 150, 300)])
    right = ([Ruling(310, y, 700, y) for y in (0, 20, 40, 60)]
             + [Ruling(x, 0, x, 60) for x in (310, 410, 510, 610, 700)])
    cells = table_cells(left + right, s)
    assert min(c[0] for c in cells) == 310 and len(cells) == 12


def test_real_plan_drawn_with_thin_bars_has_every_row():
    """A published plan printed from Excel by Microsoft Print to PDF: every line a 0.96 pt
    filled bar, the header repeated mid-page, two blocks of the table on the last page.
    One INDIKATOR KEGIATAN cell per plan row (76 rows), 261 months shaded green."""
    from conftest import PDFS

    grids = find_grids(open_document(PDFS / "jabar-dishub-renaksi-2016.pdf"), Settings())
    assert [g.page_no for g in grids] == [1, 2, 3, 4, 5, 6]
    assert all(len(g.xs) == 25 for g in grids)  # 12 text columns, 12 months
    rows, months = [], 0
    for g in grids:
        owner = {(r, c): cell for cell in g.cells
                 for r in range(cell.row, cell.row + cell.rowspan)
                 for c in range(cell.col, cell.col + cell.colspan)}
        indikator = [cell for cell in g.cells if cell.col == 7 and "INDIKATOR" not in cell.text]
        rows.append(len(indikator))
        for cell in indikator:
            months += sum(any(owner.get((r, 12 + m)) is not None
                              and owner[(r, 12 + m)].fill == (112, 173, 71)
                              for r in range(cell.row, cell.row + cell.rowspan))
                          for m in range(12))
    assert rows == [14, 13, 10, 13, 14, 12] and months == 261
    last = grids[-1]  # the blank band between its two blocks (row 2, 32 pt) is no cell
    assert last.ys[3] - last.ys[2] > 30
    assert not any(c.row <= 2 < c.row + c.rowspan for c in last.cells)

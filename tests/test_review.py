"""The review view: every row drawn where it was read; in a browser, a click links table and page."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from browser import chromium, needs_chromium, severe_console_errors
from conftest import BORN_DIGITAL, PDFS, extracted
from extract.debug import draw_grid
from extract.review import page_html, review, shapes

SCAN = "scan-lampiran-2pages"
DECREES = [*BORN_DIGITAL, SCAN]


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> Callable[[str], Path]:
    """review.html of a fixture decree, written once per module."""
    root = tmp_path_factory.mktemp("reviews")
    written: dict[str, Path] = {}

    def get(style: str) -> Path:
        if style not in written:
            written[style] = review(extracted(style), root / style)
        return written[style]

    return get


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path_factory.mktemp("profile")) as driver:
        yield driver


@pytest.mark.parametrize("style", DECREES)
def test_one_outline_per_row_piece_on_its_page(style, reviews):
    result = extracted(style)
    grids = {g.page_no: g for g in result.grids}
    outlines: dict[int, list] = {}
    for s in shapes(result):
        if s.kind == "row":
            outlines.setdefault(s.row_no, []).append((s.page_no, s.bbox))
    assert sorted(outlines) == list(range(1, len(result.rows) + 1))
    for row_no, row in enumerate(result.rows, start=1):
        assert outlines[row_no] == list(row.boxes)
        assert [p for p, _ in row.boxes] == list(range(row.halaman_awal, row.halaman_akhir + 1))
        for page_no, (x0, top, x1, bottom) in row.boxes:
            gx0, gtop, gx1, gbottom = grids[page_no].bbox
            assert gx0 - 1 <= x0 < x1 <= gx1 + 1 and gtop - 1 <= top < bottom <= gbottom + 1

    html = reviews(style).read_text(encoding="utf-8")
    drawn = {}
    for section in html.split('<section class="page" id="p')[1:]:
        page_no = int(section.split('"', 1)[0])
        for row_no in re.findall(r'<g class="row[^"]*" data-row="(\d+)"', section):
            drawn.setdefault(int(row_no), []).append(page_no)
    assert drawn == {n: [p for p, _ in boxes] for n, boxes in outlines.items()}


def test_split_rows_of_the_word_decree_are_marked_joined(word):
    by_row: dict[int, list] = {}
    for s in shapes(word):
        if s.kind == "row":
            by_row.setdefault(s.row_no, []).append(s)
    joined = {n for n, pieces in by_row.items() if len(pieces) > 1}
    zona = next(n for n, r in enumerate(word.rows, start=1)
                if "4) Pembangunan Zona Integritas" in r.values["sub_kegiatan"])
    assert zona in joined and len(joined) == 6
    for n, pieces in by_row.items():
        assert all(("joined" in s.flags) == (n in joined) for s in pieces)
    for n in joined:
        first, second = by_row[n]
        assert second.page_no == first.page_no + 1 and "joined across the page break" in first.note


def test_marks_say_how_they_were_decided():
    shaded = [s for s in shapes(extracted("singkawang-2023-word-shaded")) if s.kind == "shading"]
    assert shaded and all(s.flags == {"yes"} for s in shaded)
    ink = [s for s in shapes(extracted(SCAN)) if s.kind == "ink"]
    assert ink and {"yes", "no"} <= {f for s in ink for f in s.flags}


def test_rejected_rows_carry_their_reason(reviews):
    result = extracted(SCAN)
    rejected = {int(n): why for n, why in zip(result.rejected["row_no"], result.rejected["alasan"])}
    assert rejected
    for s in shapes(result):
        if s.kind == "row":
            assert ("rejected" in s.flags) == (s.row_no in rejected)
    html = reviews(SCAN).read_text(encoding="utf-8")
    assert "<script>" in html and "http" not in html.replace("http-equiv", "")


def test_text_is_escaped_and_low_confidence_rows_are_marked(word):
    hostile = '<img src=x onerror="alert(1)"> & </title><script>alert(2)</script>'
    table = word.table.copy()
    table.loc[0, "kegiatan"] = hostile
    rows = list(word.rows)
    rows[1] = replace(rows[1], values={**rows[1].values, "area": hostile}, confidence=41.0)
    tampered = replace(word, table=table, rows=rows, low_confidence_rows=[2])
    html = page_html(tampered, {g.page_no: (936.0, 610.0) for g in word.grids})
    assert "<img src=x" not in html and "alert(2)</script>" not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 2  # table and hover
    assert html.count("<script>") == 1
    low = [s for s in shapes(tampered) if s.kind == "row" and "low_confidence" in s.flags]
    assert [s.row_no for s in low] == [2] and "OCR confidence 41" in low[0].note


@needs_chromium
@pytest.mark.parametrize("style", DECREES)
def test_click_links_table_row_and_outline(style, reviews, browser):
    result = extracted(style)
    n = max((i for i, r in enumerate(result.rows, start=1) if r.joined), default=len(result.rows))
    browser.get(reviews(style).as_uri())
    browser.find_element(By.ID, f"r{n}").click()
    outline = browser.find_element(By.CSS_SELECTOR, f'g.row[data-row="{n}"]')
    assert "hl" in outline.get_attribute("class").split()
    assert _in_view(browser, outline)

    browser.find_element(By.CSS_SELECTOR, 'g.row[data-row="1"] rect').click()
    row = browser.find_element(By.ID, "r1")
    assert "hl" in row.get_attribute("class").split() and _in_view(browser, row)
    assert severe_console_errors(browser) == []


def _in_view(driver: webdriver.Chrome, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight"
        " && r.left >= 0 && r.right <= innerWidth;", element)


def test_debug_picture_draws_rulings_and_spanning_cells(word):
    from PIL import ImageStat

    from extract.debug import render_pages

    grid = word.grids[0]
    image = draw_grid(PDFS / "singkawang-2023-word.pdf", grid.page_no, grid)
    _, plain, scale = next(render_pages(PDFS / "singkawang-2023-word.pdf", [grid.page_no], 1600))
    assert image.size == plain.size

    def blue(img, box) -> float:
        return ImageStat.Stat(img.crop(tuple(round(v * scale) for v in box))).mean[2]

    span = next(c for c in grid.cells if c.rowspan > 1)
    assert blue(image, span.bbox) < blue(plain, span.bbox) - 20  # tinted orange
    single = next(c for c in grid.cells if c.rowspan == c.colspan == 1 and c.text)
    inner = (single.bbox[0] + 3, single.bbox[1] + 3, single.bbox[2] - 3, single.bbox[3] - 3)
    assert blue(image, inner) == pytest.approx(blue(plain, inner), abs=1)


def test_cli_review_debug_and_extract_review(tmp_path):
    from typer.testing import CliRunner

    from extract.cli import app

    runner = CliRunner()
    pdf = str(PDFS / "singkawang-2023-word.pdf")
    res = runner.invoke(app, ["extract", pdf, "--out", str(tmp_path / "out"), "-j", "2", "--review"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "kpu-kota-singkawang-2023-6" / "review" / "review.html").exists()
    res = runner.invoke(app, ["debug", pdf, "--page", "4", "--out", str(tmp_path / "p4.png")])
    assert res.exit_code == 0 and (tmp_path / "p4.png").stat().st_size > 10_000
    res = runner.invoke(app, ["debug", pdf, "--page", "40"])
    assert res.exit_code == 1 and "no page 40" in res.output

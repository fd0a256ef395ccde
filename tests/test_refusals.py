"""Refusals: one line naming the real cause, file and first table page; `renaksi review`
shows a refused decree's pages, the grid and header read, and where and why it stopped."""
from __future__ import annotations

import dataclasses
import shlex

import pytest
from typer.testing import CliRunner

from conftest import PDFS, extracted
from decree_pdf import Decree, build
from extract.diagnose import sideways, unreadable
from extract.errors import (HeaderNotRecognised, NoLampiran, RenaksiError, TableSideways,
                            header_summary)
from extract.pages import open_document
from extract.pipeline import run
from extract.review import HTML, PAGES, review_refusal

runner = CliRunner()
# A plan table whose twelve columns are not a schedule: its header can be read, not mapped.
NO_SCHEDULE = Decree(schedule="URAIAN", slots=tuple(f"K{i}" for i in range(1, 13)))
REFUSED = ["no-tounicode", "rotate90", "month-labels-wrapped", "dotted-rulings",
           "rulings-gaps-overshoot", "body-only-no-lampiran"]


def test_a_header_without_schedule_names_what_is_missing_and_what_it_reads(tmp_path):
    pdf = build(tmp_path / "no-schedule.pdf", NO_SCHEDULE)
    with pytest.raises(HeaderNotRecognised) as info:
        run(pdf)
    assert str(info.value) == (
        "no-schedule.pdf p.2: schedule columns (months 1-12 or TW I-IV) not found; the table "
        "header reads: NO. | AREA PERUBAHAN | KEGIATAN | SUB KEGIATAN | INDIKATOR KEBERHASILAN "
        "| URAIAN | KET.")
    assert info.value.stopped.page == 2 and info.value.stopped.grids
    # its review shows every glyph of the page, the table's too, though the pipeline lets a
    # ruled page's table glyphs go as soon as it has drafted the page
    kept = [len(p.chars) for p in info.value.stopped.doc.pages]
    assert kept == [len(p.chars) for p in open_document(pdf).pages] and kept[1] > 100


def test_header_summary_reads_like_the_printed_header():
    numbered = [f"{h} / {i}" for i, h in enumerate(
        ["NO.", "KEGIATAN", *[f"PELAKSANAAN | / {m}" for m in range(1, 13)], "KET."], start=1)]
    numbered[5] = numbered[5].replace("/ 6", "/ li")  # OCR reads one column number wrong
    assert header_summary(numbered) == (
        "NO. | KEGIATAN | PELAKSANAAN: 1 2 3 4 5 6 7 8 9 10 11 12 | KET.")
    assert header_summary(["NO.", "JADWAL / Jan", "JADWAL / Se p", "KET."]) == (
        "NO. | JADWAL: Jan Se p | KET.")


def test_unreadable_text_and_sideways_tables_are_told_apart():
    junk = open_document(PDFS / "no-tounicode.pdf")
    word = open_document(PDFS / "singkawang-2023-word.pdf")
    assert [unreadable(p) for p in junk.pages[2:]] == [True] * (len(junk.pages) - 2)
    assert not any(unreadable(p) or sideways(p) for p in word.pages)
    turned = word.pages[3]  # what a page looks like when its text could not be stood up
    across = [dataclasses.replace(c, x1=c.x0 + (c.bottom - c.top), bottom=c.top + (c.x1 - c.x0))
              for c in turned.chars]
    assert sideways(dataclasses.replace(turned, chars=tuple(across)))
    assert str(TableSideways(path="x.pdf", page=4)).startswith("x.pdf p.4: table printed sideways")


def test_a_decree_without_its_lampiran_says_so():
    with pytest.raises(NoLampiran, match=r"^body-only-no-lampiran.pdf: no rencana-aksi table in "
                                         r"the decree \(2 pages\): its LAMPIRAN"):
        run(PDFS / "body-only-no-lampiran.pdf")


@pytest.mark.parametrize("name", REFUSED)
def test_review_shows_where_and_why_a_refused_decree_stopped(name, tmp_path):
    """Every refusal about the table can be reviewed; a decree a later reader handles has
    rows instead (then there is nothing to show)."""
    try:
        result = run(PDFS / f"{name}.pdf")
    except RenaksiError as exc:
        assert exc.stopped is not None, str(exc)
        html = review_refusal(exc, tmp_path / name)
        page = html.read_text()
        assert html.name == HTML and str(exc).split(": ", 1)[1][:80] in page.replace("&#x27;", "'")
        if exc.page is not None:
            assert "stopped here" in page and (tmp_path / name / PAGES / f"p{exc.page:03d}.webp").exists()
        assert len(list((tmp_path / name / PAGES).iterdir())) >= 1
    else:
        assert len(result.table) > 0


def test_failure_line_ends_with_the_review_command_that_opens_it(tmp_path):
    from extract.cli import app

    pdf = build(tmp_path / "Rencana Aksi 2024.pdf", NO_SCHEDULE)
    res = runner.invoke(app, ["extract", str(pdf), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1
    line = next(ln for ln in res.output.splitlines() if ln.startswith("✗"))
    assert line.endswith(f"→ renaksi review {shlex.quote(str(pdf))}")
    review = runner.invoke(app, ["review", str(pdf), "--out", str(tmp_path / "why")])
    assert review.exit_code == 1 and "schedule columns" in review.output
    page = (tmp_path / "why" / HTML).read_text()
    assert "Header rows read on p.2" in page and "URAIAN" in page


def test_a_decree_that_reads_is_reviewed_as_before(tmp_path):
    from extract.review import review

    html = review(extracted("bengkayang-2023-word"), tmp_path / "ok")
    assert "Refused" not in html.read_text()

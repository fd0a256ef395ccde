"""Plans of other shapes and rows across pages, end to end on real and built PDFs.

The real plan is the Dinas Perhubungan Jawa Barat *Rencana Aksi Kinerja* of 2016
(fixtures/real/): SASARAN / INDIKATOR KINERJA SASARAN / quarterly target values / PROGRAM
dan KEGIATAN / ... / ANGGARAN / a Gantt schedule of shaded months under Trw I..IV; its
gold (``*.plan.json``) is row by row with the continuation blocks carried down.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from conftest import GOLD, PDFS
from extract.cli import app
from extract.errors import NoRowsAccepted
from extract.normalise import rupiah
from extract.pipeline import run

REAL = "jabar-dishub-renaksi-2016"
FIELDS = {"sasaran": "sasaran", "indikator_sasaran": "indikator_sasaran",
          "program_kegiatan": "kegiatan", "indikator_kegiatan": "indikator",
          "target_kegiatan": "target", "rencana_aksi": "rencana_aksi",
          "penanggung_jawab": "penanggung_jawab"}


def fold(value) -> str:
    """Text compared as the plan's checker does, and without spaces: the spaces inside a
    word are the text layer's business (tests/test_text_layer.py), not this one's."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = re.sub("[\u2010-\u2014\u2212]", "-", re.sub("[\u2018\u2019]", "'", text))
    return re.sub(r"\s+", "", text).casefold()


@pytest.fixture(scope="module")
def real():
    return run(PDFS / f"{REAL}.pdf"), json.loads((GOLD / f"{REAL}.plan.json").read_text())


def test_real_plan_every_row_with_its_months(real):
    result, gold = real
    table = result.table
    assert len(table) == len(gold["rows"]) == 76 and not len(result.rejected)
    months = [{m for m in range(1, 13) if row[f"bulan_{m:02d}"]} for _, row in table.iterrows()]
    assert months == [set(g["bulan"]) for g in gold["rows"]]
    assert (table["jadwal_satuan"] == "bulan").all()


def test_real_plan_targets_are_values_per_quarter(real):
    result, gold = real
    got = result.table[[f"target_tw{q}" for q in range(1, 5)]].fillna("").to_numpy().tolist()
    assert [[fold(v) for v in row] for row in got] == [
        [fold(v) for v in g["target_tw"]] for g in gold["rows"]]
    assert not any(c.startswith("tw_") for c in result.table.columns)


def test_real_plan_texts_carried_down_as_a_reader_does(real):
    result, gold = real
    wrong = [(i + 1, field, got[column], want[field])
             for i, (got, want) in enumerate(zip(result.table.to_dict("records"), gold["rows"]))
             for field, column in FIELDS.items() if fold(got[column]) != fold(want[field])]
    # one TARGET KEGIATAN cell on p.4 lacks the rule between its two rows: the grid splits
    # it where "100%" and "1 dokumen" each sit in their own row's band
    assert not wrong, wrong[:10]


def test_real_plan_without_area_names_what_it_lacks(real, tmp_path):
    result, gold = real
    table = result.table
    assert table[["area_no", "area", "area_kode", "sub_kegiatan", "keterangan"]].isna().all().all()
    assert result.kolom_absen == ("area_no", "area", "area_kode", "sub_kegiatan", "keterangan")
    assert table["anggaran"].dtype == "Float64"
    assert list(table["anggaran"].fillna(-1)) == [
        rupiah(g["anggaran"]) if g["anggaran"] else -1 for g in gold["rows"]]
    assert table.loc[1, "anggaran_teks"] == "452.750.000,00"
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["extract", str(PDFS / f"{REAL}.pdf"), "--out", str(out),
                                   "--jobs", "1"])
    assert res.exit_code == 0, res.output
    doc = json.loads(next(out.glob("*/dokumen.json")).read_text(encoding="utf-8"))
    assert doc["kolom_absen"] == ["area_no", "area", "area_kode", "sub_kegiatan", "keterangan"]


# Built decrees: a plain ruled lampiran drawn with reportlab, one row per tuple.
WIDTHS = [30, 90, 110, 120, 130] + [20] * 12 + [50]
HEADER = ["NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR", *map(str, range(1, 13)),
          "KET."]


def _row(no, area, keg, sub, ind, months, ket="", mark="√"):
    return [no, area, keg, sub, ind, *(mark if m in months else "-" for m in range(1, 13)), ket]


def _draw_rows(pdf: canvas.Canvas, rows: list[list[str]], top: float, height: float = 24) -> float:
    x0 = 36
    xs = [x0]
    for w in WIDTHS:
        xs.append(xs[-1] + w)
    y = top
    pdf.setFont("Helvetica", 7)
    for row in rows:
        pdf.line(xs[0], y, xs[-1], y)
        for x, text in zip(xs, row):
            pdf.drawString(x + 2, y - 10, text)
        y -= height
    pdf.line(xs[0], y, xs[-1], y)
    for x in xs:
        pdf.line(x, top, x, y)
    return y


def _lampiran(path: Path, pages: list[list[list[str]]], signature: bool = True) -> Path:
    """Pages of a ruled plan table; the header only on the first; the signature under the
    last page's rows."""
    pdf = canvas.Canvas(str(path), pagesize=landscape(A4))
    for i, rows in enumerate(pages):
        bottom = _draw_rows(pdf, [HEADER] + rows if i == 0 else rows, 540)
        if signature and i == len(pages) - 1:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(560, bottom - 30, "Ditetapkan di Singkawang")
            pdf.drawString(560, bottom - 44, "pada tanggal 3 Maret 2023")
        pdf.showPage()
    pdf.save()
    return path


def test_last_row_alone_on_the_final_page_is_kept(tmp_path):
    """The last page holds one row and the signature, no header: it is still the table."""
    first = [_row("1.", "Manajemen Perubahan", "1. Keg", f"{k}) Sub {k}", f"Ind {k}", {k})
             for k in range(1, 6)]
    last = [_row("2.", "Penataan Tatalaksana", "1. Keg B", "1) Sub B", "Ind B", {6, 7}, "NIHIL")]
    result = run(_lampiran(tmp_path / "last-row-alone.pdf", [first, last]))
    assert len(result.table) == 6
    row = result.table.iloc[-1]
    assert row["indikator"] == "Ind B" and row["halaman_awal"] == 2
    assert [row[f"bulan_{m:02d}"] for m in (5, 6, 7, 8)] == [False, True, True, False]


def test_no_accepted_row_is_a_failure(tmp_path):
    rows = [_row("1.", "Manajemen Perubahan", "1. Keg", f"{k}) Sub", f"Ind {k}", {k}, mark="50%")
            for k in range(1, 4)]
    pdf = _lampiran(tmp_path / "unreadable-marks.pdf", [rows])
    with pytest.raises(NoRowsAccepted) as info:
        run(pdf)
    assert "none of the table's 3 rows passed validation" in str(info.value)
    res = CliRunner().invoke(app, ["extract", str(pdf), "--out", str(tmp_path / "out"),
                                   "--jobs", "1"])
    assert res.exit_code == 1 and "none of the table's 3 rows" in res.output
    assert "✓" not in res.output

"""Small synthetic decrees built with ReportLab: a body page and a lampiran page with a ruled
plan table, with the title block, the number and the closing block chosen by the test.

The body cites other regulations by number in Menimbang and Mengingat ("Undang-Undang Nomor
7 Tahun 2017", a wrapped line that starts with "Nomor 8 Tahun 2019"), and the lampiran
prints a reference under the table, as real decrees do: a reader must never take those.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle



@dataclass(frozen=True)
class Decree:
    """What the decree prints; ``nomor_lines`` is the NOMOR line(s) exactly as printed, and
    ``year`` the year of its title, plan title and date of penetapan."""

    nomor_lines: tuple[str, ...] = ("NOMOR 6 TAHUN 2024",)
    year: int = 2024
    schedule: str = "PELAKSANAAN (BULAN)"  # the title over the twelve schedule columns
    slots: tuple[str, ...] = tuple(map(str, range(1, 13)))  # their labels
    satker: str = "KOMISI PEMILIHAN UMUM KABUPATEN KLATEN"
    rows: tuple[tuple[str, ...], ...] = field(default=(
        ("1.", "Manajemen Perubahan", "Perencanaan Reformasi Birokrasi", "Pembentukan Tim RB",
         "SK Tim Reformasi Birokrasi", "V", *["-"] * 11, ""),
        ("", "", "", "Rapat koordinasi", "Notulen rapat koordinasi", *["V", "-"] * 6, ""),
        ("2.", "Penataan Tatalaksana", "Keterbukaan informasi publik", "Pengelolaan PPID",
         "Laporan layanan informasi", *["-"] * 11, "V", "")))

    @property
    def tentang(self) -> tuple[str, ...]:
        return ("PENETAPAN RENCANA AKSI KEGIATAN REFORMASI BIROKRASI", f"TAHUN {self.year}")

    @property
    def plan_title(self) -> tuple[str, ...]:
        return (f"RENCANA AKSI REFORMASI BIROKRASI TAHUN {self.year}",
                f"DI LINGKUNGAN SEKRETARIAT {self.satker}")

    @property
    def closing(self) -> tuple[str, ...]:
        return ("Ditetapkan di Klaten", f"pada tanggal 10 Februari {self.year}",
                "KETUA KOMISI PEMILIHAN UMUM", "KABUPATEN KLATEN,", "ttd.", "YOHANES ANTONIUS")


def build(path: Path, decree: Decree, *, body: bool = True, lampiran_block: bool = True) -> Path:
    """Write the decree to ``path``: the body page (when ``body``) and the lampiran page,
    which opens with the LAMPIRAN block (when ``lampiran_block``) and the plan title."""
    canvas = Canvas(str(path), pagesize=A4)
    if body:
        _body(canvas, decree)
    _lampiran(canvas, decree, lampiran_block)
    canvas.save()
    return path


def _body(canvas: Canvas, d: Decree) -> None:
    width, height = A4
    y = height - 60
    canvas.setFont("Helvetica-Bold", 11)
    for line in (d.satker, f"KEPUTUSAN {d.satker}", *d.nomor_lines, "TENTANG", *d.tentang,
                 "", f"KETUA {d.satker},"):
        canvas.drawCentredString(width / 2, y, line)
        y -= 15
    canvas.setFont("Helvetica", 10)
    for line in (
            "Menimbang : a. bahwa berdasarkan Keputusan Komisi Pemilihan Umum Nomor",
            "314/ORT.07-Kpt/01/KPU/V/2021 tentang Petunjuk Teknis Reformasi Birokrasi;",
            "Mengingat : 1. Undang-Undang Nomor 7 Tahun 2017 tentang Pemilihan Umum;",
            "2. Peraturan Komisi Pemilihan Umum tentang Tata Kerja, sebagaimana diubah dengan",
            "Nomor 8 Tahun 2019 tentang Tata Kerja Komisi Pemilihan Umum;",
            "MEMUTUSKAN",
            "KESATU : Menetapkan Rencana Aksi sebagaimana tercantum dalam lampiran",
            "Keputusan ini."):
        canvas.drawString(60, y, line)
        y -= 14
    y -= 20
    for line in d.closing:
        canvas.drawString(330, y, line)
        y -= 14
    canvas.showPage()


def _lampiran(canvas: Canvas, d: Decree, lampiran_block: bool) -> None:
    canvas.setPageSize(landscape(A4))
    width, height = landscape(A4)
    y = height - 40
    canvas.setFont("Helvetica", 9)
    if lampiran_block:
        for line in ("LAMPIRAN", f"KEPUTUSAN {d.satker}", *d.nomor_lines, "TENTANG", *d.tentang):
            canvas.drawString(width - 330, y, line)
            y -= 11
        y -= 10
    canvas.setFont("Helvetica-Bold", 10)
    for line in d.plan_title:
        canvas.drawCentredString(width / 2, y, line)
        y -= 13
    widths = [24, 80, 100, 100, 130, *[20] * 12, 50]
    header = ["NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN",
              d.schedule, *[""] * 11, "KET."]
    table = Table([header, ["", "", "", "", "", *d.slots, ""], *d.rows], colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
        ("SPAN", (5, 0), (16, 0)),
        *[("SPAN", (c, 0), (c, 1)) for c in (0, 1, 2, 3, 4, 17)],
    ]))
    _, h = table.wrapOn(canvas, width, height)
    table.drawOn(canvas, 30, y - h - 6)
    y -= h + 30
    canvas.setFont("Helvetica", 8)
    canvas.drawString(40, y, "Dasar: Peraturan Komisi Pemilihan Umum Nomor 8 Tahun 2019")
    y -= 24
    canvas.setFont("Helvetica", 9)
    for line in d.closing:
        canvas.drawString(width - 250, y, line)
        y -= 12
    canvas.showPage()

"""XLSX copies of the tables, for KPU staff and analysts who work in Excel or LibreOffice Calc.

The workbook opens with ``Ringkasan`` (one line per decree: rows, RB areas, schedule load in
the plan's own unit) and then one sheet per table. Each sheet has two header rows: the column
title in Bahasa Indonesia, and under it the contract's column name (``sub_kegiatan``), so a
column is found by either and ``pandas.read_excel(..., header=1)`` gives contract names.
Month marks are the numbers 1 and 0 shown as √ and -, so SUM/SUMIFS count them; dates are
date cells; text wraps; every sheet prints landscape on A4, fitted to the page width, with
the header rows repeated on each page, a frozen header and filters.

Rows are streamed (openpyxl write-only mode) so a workbook of every decree stays quick to
build. Text is always stored as text: a kegiatan that starts with "=" must not become a formula.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from extract.combine import jadwal, read_combined, read_decree
from extract.compare import BULAN_SINGKAT, TRIWULAN, Tables, coverage_matrix, read_tables, views_over
from extract.errors import OutputError
from extract.model import MONTHS
from extract.reference import area_titles
from extract.write import atomic_path

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SHEETS = ("rencana_aksi", "dokumen", "jadwal")
SUMMARY_SHEET = "Ringkasan"
EXCEL_CELL_LIMIT = 32_767  # characters; longer cells make Excel "repair" the file
MIN_WIDTH, MAX_WIDTH = 5, 45  # column widths in characters; longer text wraps
MARK_FORMAT = '"√";"√";"-"'  # 1 → √, 0 → -; still numbers for SUM
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
LINE_HEIGHT = 15.0  # points per line of 11-pt text

# Column titles in Bahasa Indonesia; the contract name stays in the second header row.
TITLES: dict[str, str] = {
    "doc_id": "ID keputusan",
    "row_no": "No. baris",
    "area_no": "No. area",
    "area": "Area perubahan",
    "area_kode": "Kode area",
    "kegiatan": "Kegiatan",
    "sub_kegiatan": "Sub kegiatan",
    "indikator": "Indikator keberhasilan",
    **dict(zip(MONTHS, BULAN_SINGKAT, strict=True)),
    "jadwal_satuan": "Jadwal per",
    "keterangan": "Keterangan",
    "halaman_awal": "Halaman awal",
    "halaman_akhir": "Halaman akhir",
    "penanggung_jawab": "Penanggung jawab",
    "target": "Target",
    "output": "Output",
    "sasaran": "Sasaran",
    "indikator_sasaran": "Indikator kinerja sasaran",
    "rencana_aksi": "Rencana aksi",
    **{f"target_tw{q}": f"Target {TRIWULAN[q - 1]}" for q in range(1, 5)},
    "anggaran": "Anggaran (Rp)",
    "anggaran_teks": "Anggaran (tertulis)",
    "source_file": "Berkas sumber",
    "sha256": "SHA-256 berkas",
    "instansi": "Satker",
    "jenis": "Jenis satker",
    "wilayah": "Wilayah",
    "provinsi": "Provinsi",
    "kode_wilayah": "Kode wilayah",
    "nomor": "Nomor keputusan",
    "tahun": "Tahun",
    "tanggal_penetapan": "Tanggal penetapan",
    "tempat_penetapan": "Tempat penetapan",
    "tentang": "Tentang",
    "penandatangan": "Penandatangan",
    "jabatan_penandatangan": "Jabatan penandatangan",
    "halaman": "Jumlah halaman",
    "halaman_lampiran_awal": "Lampiran dari halaman",
    "halaman_lampiran_akhir": "Lampiran sampai halaman",
    "jumlah_baris": "Baris diterima",
    "jumlah_ditolak": "Baris ditolak",
    "metode": "Cara baca (text/ocr)",
    "validasi": "Hasil validasi",
    "renaksi_version": "Versi renaksi",
    "extracted_at": "Waktu ekstraksi (UTC)",
    "bulan": "Bulan",
    "alasan": "Alasan ditolak",
    "terbaru": "Rencana terbaru satker",
    "baris": "Baris",
    "area_rb": "Area RB tercakup",
    **{kode: title for kode, title in area_titles().items()},
    **{f"triwulan_{q}": TRIWULAN[q - 1] for q in range(1, 5)},
}
# Widths (characters) of columns whose content is long prose or a short code.
WIDTHS = {"kegiatan": 38, "sub_kegiatan": 45, "indikator": 45, "tentang": 45, "validasi": 45, "area": 24}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its name, the frame and the columns holding month marks, dates and date-times."""

    name: str
    frame: pd.DataFrame
    marks: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()


def export_xlsx(data_dir: Path, out: Path | None = None) -> Path:
    """One workbook of the combined tables in ``data_dir``: Ringkasan, then a sheet per table.

    ``out`` defaults to ``data_dir/renaksi.xlsx``. Raises ``NotExtracted`` without combined tables.
    """
    data_dir = Path(data_dir)
    frames = read_combined(data_dir, SHEETS)
    return write_workbook(_sheets(frames, read_tables(views_over(frames))), Path(out or data_dir / "renaksi.xlsx"))


def export_decree_xlsx(decree_dir: Path) -> Path:
    """``decree_dir/rencana_aksi.xlsx`` for one decree: Ringkasan, its tables and ``ditolak``."""
    decree_dir = Path(decree_dir)
    decree = read_decree(decree_dir)
    frames = {
        "rencana_aksi": decree.table.to_pandas(),
        "dokumen": pd.DataFrame([decree.dokumen]),
        "jadwal": jadwal(decree.table).to_pandas(),
    }
    sheets = _sheets(frames, read_tables(views_over(frames)))
    ditolak = decree_dir / "ditolak.csv"
    if ditolak.exists():
        sheets.append(Sheet("ditolak", pd.read_csv(ditolak, dtype=str, keep_default_na=False)))
    return write_workbook(sheets, decree_dir / "rencana_aksi.xlsx")


def _sheets(frames: Mapping[str, pd.DataFrame], tables: Tables) -> list[Sheet]:
    """Ringkasan plus the three tables shaped for office users (satker and tahun beside each plan row)."""
    dokumen = frames["dokumen"]
    satker = dokumen[["doc_id", "instansi", "tahun"]]
    rencana = frames["rencana_aksi"].merge(satker, on="doc_id", how="left")
    rencana = rencana[["instansi", "tahun", *frames["rencana_aksi"].columns]]
    dokumen = dokumen.assign(validasi=[readable_validasi(v) for v in dokumen.get("validasi", [None] * len(dokumen))])
    return [
        Sheet(SUMMARY_SHEET, summary_frame(tables), dates=("tanggal_penetapan",)),
        Sheet("rencana_aksi", rencana, marks=MONTHS),
        Sheet("dokumen", dokumen, dates=("tanggal_penetapan",), datetimes=("extracted_at",)),
        Sheet("jadwal", frames["jadwal"]),
    ]


def summary_frame(tables: Tables) -> pd.DataFrame:
    """One line per decree: the keputusan view, rows per RB area, and rows scheduled per
    period in the plan's own unit (Jan..Des for monthly plans, TW I..IV for quarterly ones)."""
    k = tables.keputusan
    doc_ids = k["doc_id"].tolist()
    coverage = coverage_matrix(tables.cakupan, doc_ids)
    load = tables.beban.assign(
        kolom=[f"bulan_{p:02d}" if s == "bulan" else f"triwulan_{p}" for s, p in zip(tables.beban["satuan"], tables.beban["periode"], strict=True)]
    ).pivot(index="doc_id", columns="kolom", values="baris")
    load = load.reindex(index=doc_ids, columns=[*MONTHS, *(f"triwulan_{q}" for q in range(1, 5))]).astype("Int64")
    out = pd.DataFrame(
        {
            "instansi": k["instansi"].to_numpy(),
            "tahun": k["tahun"].to_numpy(),
            "nomor": k["nomor"].to_numpy(),
            "tanggal_penetapan": k["tanggal_penetapan"].to_numpy(),
            "terbaru": ["ya" if t else "tidak" for t in k["terbaru"]],
            "jadwal_satuan": k["jadwal_satuan"].to_numpy(),
            "baris": k["baris"].to_numpy(),
            "jumlah_ditolak": k["jumlah_ditolak"].to_numpy(),
            "area_rb": (coverage > 0).sum(axis=1).to_numpy(),
        },
        index=pd.Index(doc_ids, name="doc_id"),
    )
    return pd.concat([out, coverage, load], axis=1).reset_index()[
        [*out.columns, *coverage.columns, *load.columns, "doc_id"]
    ]


def readable_validasi(value: object) -> str | None:
    """``dokumen.validasi`` (a JSON summary) as lines a person reads: counts, then each
    rejected row with its reasons, then warnings."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        v = json.loads(value)
    except json.JSONDecodeError:
        return value
    if not isinstance(v, dict):
        return value
    lines = []
    if "baris_diterima" in v or "baris_ditolak" in v:
        lines.append(f"Diterima {v.get('baris_diterima', '?')} baris, ditolak {v.get('baris_ditolak', 0)}.")
    for r in v.get("ditolak") or []:
        if isinstance(r, dict):
            reasons = r.get("alasan") or []
            lines.append(f"Baris {r.get('row_no')}: {'; '.join(map(str, reasons)) if isinstance(reasons, list) else reasons}")
    lines += [f"Peringatan: {w}" for w in v.get("peringatan") or []]
    low = v.get("ocr_baris_keyakinan_rendah") or []
    if low:
        lines.append("OCR kurang yakin pada baris: " + ", ".join(str(x.get("row_no", x) if isinstance(x, dict) else x) for x in low))
    return "\n".join(lines) or value


def write_workbook(sheets: Iterable[Sheet], out: Path) -> Path:
    """Write ``sheets`` to ``out`` atomically; each gets titles, page setup, freeze and filters."""
    from openpyxl import Workbook

    _check_target(out)
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb.create_sheet(title=sheet.name[:31]), sheet)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write {out} ({exc.strerror or exc})") from None
    return out


def _check_target(out: Path) -> None:
    """Only a new file, or a workbook, is (re)written: never a folder, never another file
    that happens to have the name given."""
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"{out}: the workbook's name must end in .xlsx")
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give a file name such as renaksi.xlsx")
    if out.exists():
        try:
            with out.open("rb") as fh:
                is_zip = fh.read(4) == b"PK\x03\x04"
        except OSError as exc:
            raise OutputError(f"cannot replace {out} ({exc.strerror or exc})") from None
        if not is_zip:
            raise OutputError(f"{out} exists and is not a workbook; give another name")


class _Styles:
    """Cell templates of one workbook (style ids are the workbook's): copying a template's
    style is much faster than styling each cell."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        def template(**style) -> WriteOnlyCell:
            cell = WriteOnlyCell(ws)
            for key, value in style.items():
                setattr(cell, key, value)
            return cell

        top = Alignment(vertical="top", wrap_text=True)
        self.title = template(font=Font(bold=True), alignment=Alignment(vertical="top", wrap_text=True),
                              fill=PatternFill("solid", fgColor="DCE6F1"))
        self.name = template(font=Font(italic=True, size=8, color="555555"), fill=PatternFill("solid", fgColor="F2F5F9"))
        self.text = template(alignment=top)
        self.mark = template(number_format=MARK_FORMAT, alignment=Alignment(horizontal="center", vertical="top"))
        self.date = template(number_format=DATE_FORMAT, alignment=Alignment(vertical="top"))
        self.datetime = template(number_format=DATETIME_FORMAT, alignment=Alignment(vertical="top"))


def _write_sheet(ws: WriteOnlyWorksheet, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    styles = _Styles(ws)
    df = sheet.frame
    columns = [str(c) for c in df.columns]
    kinds = [_kind(c, sheet) for c in columns]
    titles = [TITLES.get(c, _title(c)) for c in columns]
    rows = [[_cell_value(v, k) for v, k in zip(rec, kinds, strict=True)] for rec in df.itertuples(index=False, name=None)]
    widths = _widths(columns, titles, kinds, rows)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    last = get_column_letter(max(len(columns), 1))
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    if columns:
        ws.auto_filter.ref = f"A2:{last}{len(rows) + 2}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = f"{sheet.name} · halaman &P dari &N"

    # Neither Excel nor Calc grows a row to fit wrapped text when it opens a file, so each
    # row gets the height of its tallest wrapped cell.
    ws.row_dimensions[1].height = _height(titles, widths)
    ws.append([_styled(ws, t, styles.title) for t in titles])
    ws.append([_styled(ws, c, styles.name) for c in columns])
    templates = {"mark": styles.mark, "date": styles.date, "datetime": styles.datetime, "text": styles.text}
    for i, row in enumerate(rows, start=3):
        height = _height([v if k == "text" else None for v, k in zip(row, kinds, strict=True)], widths)
        if height > LINE_HEIGHT:
            ws.row_dimensions[i].height = height
        ws.append([_styled(ws, v, templates[k]) for v, k in zip(row, kinds, strict=True)])


def _kind(column: str, sheet: Sheet) -> str:
    if column in sheet.marks:
        return "mark"
    if column in sheet.dates:
        return "date"
    if column in sheet.datetimes:
        return "datetime"
    return "text"


def _styled(ws: WriteOnlyWorksheet, value: object, template: WriteOnlyCell) -> WriteOnlyCell | None:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None  # an empty cell is not written at all
    cell = WriteOnlyCell(ws, value=value)
    cell._style = template._style  # noqa: SLF001 - openpyxl's own way to share a style
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def _title(column: str) -> str:
    """A column without an Indonesian title: its contract name as words ("nama_kolom" → "Nama kolom")."""
    return column.replace("_", " ").capitalize()


def _cell_value(value: object, kind: str = "text") -> object:
    """A value openpyxl stores faithfully: no NaN/NA, plain Python scalars, legal text,
    marks as 1/0, dates and date-times as such (UTC, without zone: Excel has none)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | pd.Timestamp):  # numpy scalar
        value = value.item()
    if kind == "mark":
        return int(bool(value))
    if kind in ("date", "datetime"):
        return _moment(value, kind)
    if isinstance(value, bool | int | float | date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 1] + "…"


def _moment(value: object, kind: str) -> object:
    """An ISO date or date-time (text, date, Timestamp) as a date/datetime cell value; text it
    cannot read stays text, so nothing is lost."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.date() if kind == "date" else stamp.to_pydatetime()


def _widths(columns: list[str], titles: list[str], kinds: list[str], rows: list[list[object]]) -> list[float]:
    """Fit each column to its longest line and its title's longest word, within readable
    bounds; prose columns get a fixed width and wrap. The contract name under the title is
    in a smaller font, so it counts for three quarters of its length."""
    widths = [max(round(len(c) * 0.75), *(len(w) for w in t.split())) for c, t in zip(columns, titles, strict=True)]
    for row in rows:
        for i, v in enumerate(row):
            if v is not None and kinds[i] == "text":
                widths[i] = max(widths[i], max(len(line) for line in str(v).split("\n")))
    fitted = []
    for c, k, w in zip(columns, kinds, widths, strict=True):
        if k == "mark":
            fitted.append(6.0)
        elif k in ("date", "datetime"):
            fitted.append(12.0 if k == "date" else 17.0)
        else:
            fitted.append(float(min(WIDTHS.get(c, MAX_WIDTH), max(w + 2, MIN_WIDTH))))
    return fitted


def _height(values: list[object], widths: list[float]) -> float:
    """Points a row needs to show every wrapped line of ``values`` in columns of ``widths``
    characters at 11 pt, capped at Excel's 409."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str) and value:
            per_line = max(int(width * 1.2) - 1, 1)  # proportional fonts: more letters than width units
            lines = max(lines, sum(max(math.ceil(len(p) / per_line), 1) for p in value.split("\n")))
    return min(lines * LINE_HEIGHT, 409.0)

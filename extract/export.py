"""XLSX copies of the tables, for analysts who live in Excel or LibreOffice.

Streams rows (openpyxl write-only mode) so a workbook of every decree stays quick to build.
Text is always stored as text: a kegiatan that starts with "=" must not become a formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from extract.combine import jadwal, read_combined, read_decree
from extract.errors import OutputError
from extract.write import atomic_path

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SHEETS = ("rencana_aksi", "dokumen", "jadwal")
EXCEL_CELL_LIMIT = 32_767  # characters; longer cells make Excel "repair" the file
MIN_WIDTH, MAX_WIDTH = 6, 60


def export_xlsx(data_dir: Path, out: Path) -> Path:
    """One workbook of the combined tables in ``data_dir``: a sheet per table."""
    return write_workbook(read_combined(data_dir, SHEETS), Path(out))


def export_decree_xlsx(decree_dir: Path) -> Path:
    """``decree_dir/rencana_aksi.xlsx`` for one decree; dokumen is a field/value sheet there."""
    decree_dir = Path(decree_dir)
    decree = read_decree(decree_dir)
    frames = {
        "rencana_aksi": decree.table.to_pandas(),
        "dokumen": pd.DataFrame({"kolom": list(decree.dokumen), "nilai": list(decree.dokumen.values())}),
        "jadwal": jadwal(decree.table).to_pandas(),
    }
    ditolak = decree_dir / "ditolak.csv"
    if ditolak.exists():
        frames["ditolak"] = pd.read_csv(ditolak, dtype=str, keep_default_na=False)
    return write_workbook(frames, decree_dir / "rencana_aksi.xlsx")


def write_workbook(frames: Mapping[str, pd.DataFrame], out: Path) -> Path:
    """Each frame as a sheet with a bold, frozen, filterable header and fitted column widths."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    _check_target(out)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, df in frames.items():
        ws = wb.create_sheet(title=name[:31])
        rows = [[_cell_value(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
        for i, width in enumerate(_widths(df.columns, rows), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(rows) + 1}"
        header = []
        for col in df.columns:
            cell = WriteOnlyCell(ws, value=str(col))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append([_text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in row])
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


def _text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _cell_value(value: object) -> object:
    """A value openpyxl stores faithfully: no NaN/NA, plain Python scalars, legal text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 1] + "…"


def _widths(columns: Iterable[object], rows: list[list[object]]) -> list[float]:
    """Fit each column to its longest value (header included), within readable bounds."""
    widths = [len(str(c)) for c in columns]
    for row in rows:
        for i, v in enumerate(row):
            if v is not None:
                widths[i] = max(widths[i], len(str(v)))
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]

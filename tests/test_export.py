from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from analytics_helpers import BENGKAYANG, SINGKAWANG, expected_load, plans_over_years, two_satker, write_gold_decree
from extract.cli import app
from extract.combine import UnreadableDecree, combine
from extract.errors import RenaksiError
from extract.export import MARK_FORMAT, MAX_WIDTH, export_decree_xlsx, export_xlsx
from extract.model import MONTHS
from extract.reference import AREA_KODE, area_titles

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice not installed (apt-get install -y libreoffice-calc-nogui)"
)
SK = "kpu-kota-singkawang-2023-6"


def _sheet(path: Path, sheet: str, **options) -> pd.DataFrame:
    """A sheet as pandas reads it with the contract names (second header row) as columns."""
    return pd.read_excel(path, sheet_name=sheet, header=1, engine="openpyxl", **options)


def _column(ws, name: str) -> int:
    """1-based column index of a contract name in the second header row."""
    return [c.value for c in ws[2]].index(name) + 1


@pytest.fixture
def workbook(tmp_path) -> tuple[Path, Path]:
    two_satker(tmp_path)
    combine(tmp_path)
    return tmp_path, export_xlsx(tmp_path, tmp_path / "xlsx" / "renaksi.xlsx")


def test_one_sheet_per_table_after_the_summary(workbook):
    data, out = workbook
    assert out == data / "xlsx" / "renaksi.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == ["Ringkasan", "rencana_aksi", "dokumen", "jadwal"]
    for sheet in ("rencana_aksi", "dokumen", "jadwal"):
        expected = pd.read_parquet(data / f"{sheet}.parquet")
        got = _sheet(out, sheet)
        extra = ["instansi", "tahun"] if sheet == "rencana_aksi" else []
        assert list(got.columns) == extra + list(expected.columns)
        assert len(got) == len(expected)
    ra, expected = _sheet(out, "rencana_aksi"), pd.read_parquet(data / "rencana_aksi.parquet")
    assert ra["kegiatan"].tolist() == expected["kegiatan"].tolist()
    assert ra["keterangan"].fillna("").tolist() == expected["keterangan"].tolist()
    assert ra[list(MONTHS)].isin([0, 1]).all().all()  # numbers, not TRUE/FALSE
    assert ra[list(MONTHS)].sum().tolist() == expected[list(MONTHS)].sum().tolist()
    assert set(ra.loc[ra["doc_id"] == SK, "instansi"]) == {"KPU Kota Singkawang"}


def test_indonesian_titles_over_contract_names(workbook):
    _, out = workbook
    ws = load_workbook(out)["rencana_aksi"]
    titles = dict(zip([c.value for c in ws[2]], [c.value for c in ws[1]], strict=True))
    assert titles["sub_kegiatan"] == "Sub kegiatan" and titles["indikator"] == "Indikator keberhasilan"
    assert [titles[m] for m in MONTHS] == "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()
    assert all(c.font.bold and c.alignment.wrap_text for c in ws[1])
    mark = ws.cell(3, _column(ws, "bulan_01"))
    assert mark.number_format == MARK_FORMAT and mark.value in (0, 1)
    assert ws.cell(3, _column(ws, "kegiatan")).alignment.wrap_text


def test_page_setup_of_every_sheet(workbook):
    _, out = workbook
    for ws in load_workbook(out).worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)  # one page wide
        assert ws.print_title_rows == "$1:$2"
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref == f"A2:{ws.cell(2, ws.max_column).column_letter}{ws.max_row}"
        widths = [ws.column_dimensions[ws.cell(1, i).column_letter].width for i in range(1, ws.max_column + 1)]
        assert all(5 <= w <= MAX_WIDTH for w in widths)
    ws = load_workbook(out)["rencana_aksi"]
    width = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[2]}
    assert width["kegiatan"] < width["sub_kegiatan"] <= MAX_WIDTH and width["bulan_01"] == 6
    tall = [ws.row_dimensions[r].height for r in range(3, ws.max_row + 1)]
    assert max(h or 15 for h in tall) > 45  # long sub kegiatan wrap onto a taller row


def test_dates_are_dates(workbook):
    _, out = workbook
    ws = load_workbook(out)["dokumen"]
    cell = ws.cell(3, _column(ws, "tanggal_penetapan"))
    assert cell.is_date and cell.value.date() in (date(2023, 1, 16), date(2023, 1, 5))
    assert cell.number_format == "DD/MM/YYYY"
    stamp = ws.cell(3, _column(ws, "extracted_at"))
    assert stamp.is_date and stamp.value == datetime(2024, 1, 1)
    validasi = ws.cell(3, _column(ws, "validasi")).value
    assert validasi.startswith("Diterima ") and "{" not in validasi


def test_summary_sheet_per_decree(tmp_path):
    ids = plans_over_years(tmp_path)
    combine(tmp_path)
    out = export_xlsx(tmp_path)
    assert out == tmp_path / "renaksi.xlsx"
    summ = _sheet(out, "Ringkasan").set_index("doc_id")
    ra = pd.read_parquet(tmp_path / "rencana_aksi.parquet")
    assert len(summ) == 5
    assert summ.loc[ids["Singkawang 2023"], "baris"] == 103 and summ.loc[ids["Singkawang 2024"], "baris"] == 99
    assert set(summ.index[summ["terbaru"] == "ya"]) == {ids["Singkawang 2024"], ids["Bengkayang 2024"], ids["Jawa Tengah 2024"]}
    for doc_id in ids.values():
        rows = ra[ra["doc_id"] == doc_id]
        counts = rows["area_kode"].value_counts()
        assert summ.loc[doc_id, list(AREA_KODE)].tolist() == [counts.get(a, 0) for a in AREA_KODE]
        quarterly = summ.loc[doc_id, "jadwal_satuan"] == "triwulan"
        shown = [f"triwulan_{q}" for q in range(1, 5)] if quarterly else list(MONTHS)
        hidden = list(MONTHS) if quarterly else [f"triwulan_{q}" for q in range(1, 5)]
        assert summ.loc[doc_id, shown].astype(int).tolist() == expected_load(rows, quarterly)
        assert summ.loc[doc_id, hidden].isna().all()
    assert summ.loc[ids["Jawa Tengah 2024"], "jadwal_satuan"] == "triwulan"
    ws = load_workbook(out)["Ringkasan"]
    assert [ws.cell(1, _column(ws, a)).value for a in AREA_KODE] == list(area_titles().values())


@needs_libreoffice
def test_libreoffice_sums_months_per_decree(tmp_path):
    """Calc opens the workbook and computes SUM and SUMIFS over a month column: the marks are numbers."""
    ids = plans_over_years(tmp_path / "data")
    combine(tmp_path / "data")
    out = export_xlsx(tmp_path / "data")
    ra = pd.read_parquet(tmp_path / "data" / "rencana_aksi.parquet")
    wb = load_workbook(out)
    ws = wb["rencana_aksi"]
    december = ws.cell(2, _column(ws, "bulan_12")).column_letter
    satker = ws.cell(2, _column(ws, "instansi")).column_letter
    tahun = ws.cell(2, _column(ws, "tahun")).column_letter
    check = wb.create_sheet("cek")
    check["A1"] = f"=SUM(rencana_aksi!{december}3:{december}{ws.max_row})"
    check["A2"] = (
        f'=SUMIFS(rencana_aksi!{december}:{december},rencana_aksi!{satker}:{satker},"KPU Kota Singkawang",'
        f"rencana_aksi!{tahun}:{tahun},2024)"
    )
    wb.save(tmp_path / "with-formulas.xlsx")

    converted = tmp_path / "calc"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(converted), str(tmp_path / "with-formulas.xlsx")],
        check=True, capture_output=True, timeout=180,
    )
    calc = load_workbook(converted / "with-formulas.xlsx", data_only=True)
    assert calc["cek"]["A1"].value == int(ra["bulan_12"].sum())
    singkawang_2024 = ra[ra["doc_id"] == ids["Singkawang 2024"]]
    assert calc["cek"]["A2"].value == int(singkawang_2024["bulan_12"].sum()) == 54
    dok = calc["dokumen"]
    tanggal = dok.cell(3, _column(dok, "tanggal_penetapan"))
    assert tanggal.is_date and isinstance(tanggal.value, datetime)


def test_text_stays_text(tmp_path):
    folder = write_gold_decree(SINGKAWANG, tmp_path)
    df = pd.read_parquet(folder / "rencana_aksi.parquet")
    df.loc[0, "kegiatan"] = '=HYPERLINK("http://example.invalid","klik")'
    df.loc[1, "indikator"] = "SK Tim\x07 RB\x00"
    df.to_parquet(folder / "rencana_aksi.parquet", index=False)
    combine(tmp_path)
    ws = load_workbook(export_xlsx(tmp_path, tmp_path / "r.xlsx"))["rencana_aksi"]
    kegiatan = ws.cell(3, _column(ws, "kegiatan"))
    assert kegiatan.data_type == "s"
    assert kegiatan.value == '=HYPERLINK("http://example.invalid","klik")'
    assert ws.cell(4, _column(ws, "indikator")).value == "SK Tim RB"


def test_empty_dataset_gives_header_only_sheets(tmp_path):
    combine(tmp_path)
    wb = load_workbook(export_xlsx(tmp_path, tmp_path / "r.xlsx"))
    assert wb["rencana_aksi"].max_row == 2
    assert [c.value for c in wb["jadwal"][2]] == ["doc_id", "row_no", "bulan"]
    assert [c.value for c in wb["jadwal"][1]] == ["ID keputusan", "No. baris", "Bulan"]


def test_export_needs_combined_tables(tmp_path):
    with pytest.raises(RenaksiError, match="rencana_aksi.parquet"):
        export_xlsx(tmp_path, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_export_command_writes_inside_the_folder(tmp_path, monkeypatch):
    data = tmp_path / "elsewhere"
    two_satker(data)
    combine(data)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "renaksi.xlsx").exists() and not (tmp_path / "data").exists()


def test_decree_workbook(tmp_path):
    rejects = [{"row_no": 5, "column": "indikator", "check": "not_empty", "value": "", "reason": "kosong"}]
    folder = write_gold_decree(BENGKAYANG, tmp_path, rejects=rejects)
    out = export_decree_xlsx(folder)
    assert out == folder / "rencana_aksi.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == ["Ringkasan", "rencana_aksi", "dokumen", "jadwal", "ditolak"]
    ra = _sheet(out, "rencana_aksi")
    assert len(ra) == 82 and ra["doc_id"].unique().tolist() == ["kpu-kabupaten-bengkayang-2023-29"]
    dok = _sheet(out, "dokumen", dtype={"kode_wilayah": str}).iloc[0]
    assert dok["instansi"] == "KPU Kabupaten Bengkayang"
    assert dok["kode_wilayah"] == "61.07"
    assert dok["jumlah_ditolak"] == 1
    assert "Baris 5: kosong" in dok["validasi"]
    summ = _sheet(out, "Ringkasan").iloc[0]
    assert summ["baris"] == 82 and summ["jumlah_ditolak"] == 1
    plan = pd.read_parquet(folder / "rencana_aksi.parquet")
    assert len(_sheet(out, "jadwal")) == int(plan.filter(like="bulan_").to_numpy().sum())
    assert _sheet(out, "ditolak")["reason"].tolist() == ["kosong"]


def test_decree_workbook_of_a_broken_folder(tmp_path):
    folder = write_gold_decree(BENGKAYANG, tmp_path)
    (folder / "rencana_aksi.parquet").unlink()
    with pytest.raises(UnreadableDecree):
        export_decree_xlsx(folder)

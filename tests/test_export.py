from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics_helpers import BENGKAYANG, SINGKAWANG, two_satker, write_gold_decree
from extract.combine import UnreadableDecree, combine
from extract.errors import RenaksiError
from extract.export import MAX_WIDTH, export_decree_xlsx, export_xlsx


def _sheet_frame(path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, engine="openpyxl")


def test_combined_workbook_has_every_table(tmp_path):
    two_satker(tmp_path)
    paths = combine(tmp_path)
    out = export_xlsx(tmp_path, tmp_path / "xlsx" / "renaksi.xlsx")
    assert out == tmp_path / "xlsx" / "renaksi.xlsx"

    wb = load_workbook(out)
    assert wb.sheetnames == ["rencana_aksi", "dokumen", "jadwal"]
    for sheet, parquet in (("rencana_aksi", paths.rencana_aksi), ("dokumen", paths.dokumen), ("jadwal", paths.jadwal)):
        expected = pd.read_parquet(parquet)
        got = _sheet_frame(out, sheet)
        assert list(got.columns) == list(expected.columns)
        assert len(got) == len(expected)
        ws = wb[sheet]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(expected.columns)).column_letter}{len(expected) + 1}"
        assert ws.cell(1, 1).font.bold
    ra = _sheet_frame(out, "rencana_aksi")
    expected = pd.read_parquet(paths.rencana_aksi)
    assert ra["kegiatan"].tolist() == expected["kegiatan"].tolist()
    assert ra["bulan_12"].tolist() == expected["bulan_12"].tolist()
    assert ra["row_no"].tolist() == expected["row_no"].tolist()
    assert ra["keterangan"].fillna("").tolist() == expected["keterangan"].tolist()
    dok = _sheet_frame(out, "dokumen").set_index("doc_id")
    assert dok.loc["kpu-kota-singkawang-2023-6", "halaman_lampiran_akhir"] == 11
    assert json.loads(dok.loc["kpu-kota-singkawang-2023-6", "validasi"])["baris_diterima"] == 103
    jad = _sheet_frame(out, "jadwal")
    assert jad.groupby("bulan").size().to_dict() == pd.read_parquet(paths.jadwal).groupby("bulan").size().to_dict()


def test_column_widths_fit_content(tmp_path):
    two_satker(tmp_path)
    combine(tmp_path)
    ws = load_workbook(export_xlsx(tmp_path, tmp_path / "r.xlsx"))["rencana_aksi"]
    widths = {
        ws.cell(1, i).value: ws.column_dimensions[ws.cell(1, i).column_letter].width
        for i in range(1, ws.max_column + 1)
    }
    assert widths["kegiatan"] == MAX_WIDTH  # long text is capped
    assert widths["doc_id"] == len("kpu-kabupaten-bengkayang-2023-29") + 2
    assert widths["row_no"] == len("row_no") + 2  # header longer than "103"
    assert all(6 <= w <= MAX_WIDTH for w in widths.values())


def test_text_stays_text(tmp_path):
    folder = write_gold_decree(SINGKAWANG, tmp_path)
    df = pd.read_parquet(folder / "rencana_aksi.parquet")
    df.loc[0, "kegiatan"] = '=HYPERLINK("http://example.invalid","klik")'
    df.loc[1, "indikator"] = "SK Tim\x07 RB\x00"
    df.to_parquet(folder / "rencana_aksi.parquet", index=False)
    combine(tmp_path)
    ws = load_workbook(export_xlsx(tmp_path, tmp_path / "r.xlsx"))["rencana_aksi"]
    header = [c.value for c in ws[1]]
    kegiatan = ws.cell(2, header.index("kegiatan") + 1)
    assert kegiatan.data_type == "s"
    assert kegiatan.value == '=HYPERLINK("http://example.invalid","klik")'
    assert ws.cell(3, header.index("indikator") + 1).value == "SK Tim RB"


def test_empty_dataset_gives_header_only_sheets(tmp_path):
    combine(tmp_path)
    out = export_xlsx(tmp_path, tmp_path / "r.xlsx")
    wb = load_workbook(out)
    assert wb["rencana_aksi"].max_row == 1
    assert [c.value for c in wb["jadwal"][1]] == ["doc_id", "row_no", "bulan"]


def test_export_needs_combined_tables(tmp_path):
    with pytest.raises(RenaksiError, match="rencana_aksi.parquet"):
        export_xlsx(tmp_path, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_decree_workbook(tmp_path):
    rejects = [{"row_no": 5, "column": "indikator", "check": "not_empty", "value": "", "reason": "kosong"}]
    folder = write_gold_decree(BENGKAYANG, tmp_path, rejects=rejects)
    out = export_decree_xlsx(folder)
    assert out == folder / "rencana_aksi.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == ["rencana_aksi", "dokumen", "jadwal", "ditolak"]
    ra = _sheet_frame(out, "rencana_aksi")
    assert len(ra) == 82 and ra["doc_id"].unique().tolist() == ["kpu-kabupaten-bengkayang-2023-29"]
    dok = dict(_sheet_frame(out, "dokumen").itertuples(index=False, name=None))
    assert dok["instansi"] == "KPU Kabupaten Bengkayang"
    assert dok["kode_wilayah"] == "61.07"
    assert dok["jumlah_ditolak"] == 1
    expected_jadwal = int(pd.read_parquet(folder / "rencana_aksi.parquet").filter(like="bulan_").to_numpy().sum())
    assert len(_sheet_frame(out, "jadwal")) == expected_jadwal
    assert _sheet_frame(out, "ditolak")["reason"].tolist() == ["kosong"]


def test_decree_workbook_of_a_broken_folder(tmp_path):
    folder = write_gold_decree(BENGKAYANG, tmp_path)
    (folder / "rencana_aksi.parquet").unlink()
    with pytest.raises(UnreadableDecree):
        export_decree_xlsx(folder)

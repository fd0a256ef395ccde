from extract.model import Column, ColumnMap, MarkCell, Row
import pandas as pd

from extract.normalise import absent_columns, normalise, raw_marks
from extract.validate import validate

CMAP = ColumnMap(columns=tuple(
    [Column(n, i, i + 1, n) for i, n in enumerate(
        ["area_no", "area", "kegiatan", "sub_kegiatan", "indikator"])]
    + [Column(f"bulan_{m:02d}", 10 + m, 11 + m, str(m)) for m in range(1, 13)]
    + [Column("keterangan", 30, 31, "KET.")]), jadwal_satuan="bulan", page_no=3, header_rows=3)


def row(marks, area_no="1.", area="Manajemen Perubahan"):
    return Row(values={"area_no": area_no, "area": area, "kegiatan": "1. K",
                       "sub_kegiatan": "Sub", "indikator": "Ind", "keterangan": ""},
               marks=tuple(MarkCell(m) for m in marks), halaman_awal=3, halaman_akhir=3)


def test_unreadable_mark_rejects_the_row_with_its_text():
    rows = [row(["√"] + ["-"] * 11), row(["50%"] + ["-"] * 11), row(["-"] * 12, area_no="?")]
    df = normalise(rows, CMAP, "kpu-x-2023-1")
    checked = validate(df, raw_marks(rows, CMAP))
    assert list(checked.table["row_no"]) == [1]
    assert checked.table["bulan_01"].dtype == bool
    reasons = dict(zip(checked.rejected["row_no"], checked.rejected["alasan"]))
    assert "'50%'" in reasons[2] and "bulan_01" in reasons[2]
    assert "area_no" in reasons[3]
    assert len(checked.table) + len(checked.rejected) == len(rows)


def test_unknown_area_is_a_warning_not_a_rejection():
    rows = [row(["√"] + ["-"] * 11, area="Area Tak Dikenal")]
    checked = validate(normalise(rows, CMAP, "kpu-x-2023-1"))
    assert len(checked.table) == 1 and checked.table["area_kode"].isna().all()
    assert "Area Tak Dikenal" in checked.warnings[0]


def test_rejection_reasons_are_plain_indonesian():
    rows = [row(["P"] + ["-"] * 11), row(["-"] * 12, area=""), row(["-"] * 12, area_no="?")]
    df = normalise(rows, CMAP, "kpu-x-2023-1")
    df.loc[0, "halaman_akhir"] = 1
    checked = validate(df, raw_marks(rows, CMAP))
    reasons = dict(zip(checked.rejected["row_no"], checked.rejected["alasan"]))
    assert reasons[1] == "halaman akhir sebelum halaman awal; tanda bulan 'P' tidak dikenal (Januari, bulan_01)"
    assert reasons[2] == "AREA PERUBAHAN kosong"
    assert reasons[3] == "NO. bukan angka (area_no)"


SAKIP = ColumnMap(columns=tuple(
    [Column(n, i, i + 1, n) for i, n in enumerate(
        ["sasaran", "kegiatan", "indikator", "anggaran"])]
    + [Column(f"bulan_{m:02d}", 10 + m, 11 + m, str(m)) for m in range(1, 13)]),
    jadwal_satuan="bulan", page_no=1, header_rows=3)


def test_table_without_area_keeps_its_rows_and_names_what_it_lacks():
    def sakip(kegiatan, indikator, anggaran):
        return Row(values={"sasaran": "S", "kegiatan": kegiatan, "indikator": indikator,
                           "anggaran": anggaran},
                   marks=tuple(MarkCell("") for _ in range(12)), halaman_awal=1, halaman_akhir=1)

    rows = [sakip("Program X", "", ""), sakip("Keg", "Ind", "452.750.000,00"),
            sakip("", "", "1.000"), sakip("Keg", "Ind", "dua juta"), sakip("", "Ind", "")]
    absent = absent_columns(SAKIP, rows)
    assert absent == ("area_no", "area", "area_kode", "sub_kegiatan", "keterangan")
    df = normalise(rows, SAKIP, "dishub-2016")
    checked = validate(df, raw_marks(rows, SAKIP), absent)
    # row 3 says nothing: rejected; row 5 has its indikator, no kegiatan: kept
    assert list(checked.table["row_no"]) == [1, 2, 4, 5]
    table = checked.table
    assert table[["area", "area_no", "area_kode", "sub_kegiatan"]].isna().all().all()
    assert table["anggaran"].dtype == "Float64" and table["anggaran"].iloc[1] == 452750000.0
    assert table["anggaran_teks"].iloc[1] == "452.750.000,00"
    assert pd.isna(table["anggaran"].iloc[2]) and table["anggaran_teks"].iloc[2] == "dua juta"
    assert any("dua juta" in w for w in checked.warnings)
    assert not any("RB area" in w for w in checked.warnings)

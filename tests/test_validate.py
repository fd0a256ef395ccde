from extract.model import Column, ColumnMap, MarkCell, Row
from extract.normalise import normalise, raw_marks
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

"""Every shipped fixture decree against its exact gold, cell by cell."""
from __future__ import annotations

import pytest

from conftest import BORN_DIGITAL, PDFS, extracted, gold
from extract.pipeline import run
from extract.settings import Settings
from scoring import cell_mismatches

# Cell accuracy each layout must reach; Calc prints merged text once and clips it at page
# edges, so part of the Excel export's text is not in the PDF at all.
FLOOR = {"singkawang-2023-excel": 0.99}


@pytest.mark.parametrize("style", BORN_DIGITAL)
def test_fixture_matches_gold(style):
    result = extracted(style)
    want = gold(style)
    assert len(result.table) + len(result.rejected) == len(want["rows"]), "row count differs"
    total, wrong, examples = cell_mismatches(result.table, want["rows"])
    accuracy = 1 - wrong / total
    assert accuracy >= FLOOR.get(style, 0.995), "\n".join(examples[:15])


@pytest.mark.parametrize("style", ["singkawang-2023-word", "bengkayang-2023-word"])
def test_word_layout_is_exact(style):
    result = extracted(style)
    total, wrong, examples = cell_mismatches(result.table, gold(style)["rows"])
    assert wrong == 0, "\n".join(examples[:15])


@pytest.mark.parametrize("style", BORN_DIGITAL)
def test_document_fields(style):
    meta = extracted(style).meta
    want = gold(style)["document"]
    for field in ("instansi", "jenis", "wilayah", "provinsi", "nomor", "tahun",
                  "tanggal_penetapan", "tempat_penetapan", "tentang", "penandatangan",
                  "jabatan_penandatangan"):
        assert getattr(meta, field) == want[field], field


def test_split_rows_are_joined_and_marked(word):
    joined = [r for r in word.rows if r.joined]
    texts = [r.values["sub_kegiatan"] for r in joined]
    assert any("4) Pembangunan Zona Integritas" in t for t in texts)
    for r in joined:
        assert r.halaman_akhir == r.halaman_awal + 1
    row = word.table[word.table["indikator"].str.contains("Persentase Anggaran")]
    assert len(row) == 1 and row.iloc[0]["indikator"].startswith("1. Adanya Program")


def test_quarterly_plan_sets_three_months_per_quarter():
    table = extracted("singkawang-2023-word-triwulan").table
    assert set(table["jadwal_satuan"]) == {"triwulan"}
    months = table[[f"bulan_{m:02d}" for m in range(1, 13)]].to_numpy()
    for q in range(4):
        block = months[:, 3 * q:3 * q + 3]
        assert (block == block[:, :1]).all()


def test_extra_columns_are_kept():
    table = extracted("singkawang-2023-word-extra-cols").table
    assert {"penanggung_jawab", "target"} <= set(table.columns)
    assert table["penanggung_jawab"].notna().all()


@pytest.mark.parametrize("style", BORN_DIGITAL)
def test_area_kode_and_region_for_every_row(style):
    from extract.reference import AREA_KODE, region_of

    result = extracted(style)
    table = result.table
    assert (table["area_kode"] == table["area_no"].map(lambda n: AREA_KODE[n - 1])).all()
    want = gold(style)["document"]
    assert result.meta.kode_wilayah == region_of(want["instansi"]).kode_wilayah
    assert result.meta.kode_wilayah in {"61.72", "61.07"}


def test_scanned_decree_reads_like_the_born_digital_one():
    result = extracted("singkawang-2023-scan")
    want = gold("singkawang-2023-scan")
    assert result.metode == "ocr"
    assert len(result.table) == len(want["rows"])
    months = [f"bulan_{m:02d}" for m in range(1, 13)]
    got = result.table[months].to_numpy().tolist()
    assert got == [r["bulan"] for r in want["rows"]]
    total, wrong, examples = cell_mismatches(result.table, want["rows"])
    assert 1 - wrong / total >= 0.98, "\n".join(examples[:10])
    meta = result.meta
    assert (meta.nomor, meta.tahun, meta.tanggal_penetapan) == ("6", 2023, "2023-01-16")


@pytest.mark.parametrize("style", ["hard-searchable-scan", "no-tounicode-read-as-scan"])
def test_pages_read_from_their_image_whatever_text_lies_over_them(style):
    # A searchable scan (invisible OCR layer over page images, no vector rulings) and a
    # born-digital decree whose fonts have no Unicode map: both read through the image.
    progress: list[tuple[int, int]] = []
    result = run(PDFS / f"{style}.pdf", Settings(), lambda done, total: progress.append((done, total)))
    want = gold(style)
    assert result.metode == "ocr"
    assert len(result.table) == len(want["rows"])
    months = [f"bulan_{m:02d}" for m in range(1, 13)]
    assert result.table[months].to_numpy().tolist() == [r["bulan"] for r in want["rows"]]
    total, wrong, examples = cell_mismatches(result.table, want["rows"])
    assert 1 - wrong / total >= 0.98, "\n".join(examples[:10])
    meta = result.meta
    assert (meta.nomor, meta.tahun, meta.tanggal_penetapan) == ("6", 2023, "2023-01-16")
    assert [how for _, how, _ in result.pages_read] == ["ocr"] * 6
    why = {reason for _, _, reason in result.pages_read}
    assert all(("text layer unreadable" in r) == (style == "no-tounicode-read-as-scan") for r in why)
    assert progress[-1][0] == progress[-1][1] >= 6  # every scanned page reported once read
    assert [d for d, _ in progress] == list(range(1, len(progress) + 1))

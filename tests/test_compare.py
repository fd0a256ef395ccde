from __future__ import annotations

import base64
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analytics_helpers import AREA_KODE_BY_NO, BENGKAYANG, GOLD, SINGKAWANG, html_table, two_satker, write_gold_decree
from extract.combine import combine
from extract.model import MONTHS
from extract.reference import AREA_KODE
from extract.compare import (
    compare,
    coverage_matrix,
    item_key,
    load_combined,
    missing_items,
    month_load,
    month_span,
    schedule_differences,
    summary,
)
from extract.errors import RenaksiError

SK = "kpu-kota-singkawang-2023-6"
BK = "kpu-kabupaten-bengkayang-2023-29"


def _gold_rows(name: str) -> list[dict]:
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))["rows"]


@pytest.fixture
def combined(tmp_path) -> Path:
    two_satker(tmp_path)
    combine(tmp_path)
    return tmp_path


@pytest.fixture
def frames(combined) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_combined(combined)


def _wilayah(dokumen: pd.DataFrame) -> dict[str, str]:
    return dict(zip(dokumen["doc_id"], dokumen["wilayah"], strict=True))


def test_coverage_matrix_counts_rows_per_area(frames):
    df, _ = frames
    cov = coverage_matrix(df)
    assert list(cov.columns) == list(AREA_KODE)
    independent = pd.crosstab(df["doc_id"], df["area_kode"]).reindex(columns=list(AREA_KODE), fill_value=0)
    pd.testing.assert_frame_equal(cov, independent, check_names=False, check_dtype=False)
    for doc_id, gold in ((SK, SINGKAWANG), (BK, BENGKAYANG)):
        by_area = Counter(AREA_KODE_BY_NO[r["area_no"]] for r in _gold_rows(gold))
        assert cov.loc[doc_id].to_dict() == {a: by_area[a] for a in AREA_KODE}
    assert cov.loc[SK, "penguatan_pengawasan"] == 21 and cov.loc[BK, "manajemen_perubahan"] == 7


def test_coverage_matrix_keeps_areas_nobody_covers(frames):
    df, _ = frames
    cov = coverage_matrix(df[df["area_kode"] != "penataan_organisasi"])
    assert list(cov.columns) == list(AREA_KODE)
    assert (cov["penataan_organisasi"] == 0).all()
    assert cov.loc[BK].sum() == 82 - 2


def test_month_load_matches_jadwal(combined, frames):
    df, _ = frames
    jadwal = pd.read_parquet(combined / "jadwal.parquet")
    independent = pd.crosstab(jadwal["doc_id"], jadwal["bulan"]).reindex(columns=range(1, 13), fill_value=0)
    load = month_load(df)
    assert list(load.columns) == list(range(1, 13))
    pd.testing.assert_frame_equal(load, independent, check_names=False, check_dtype=False)
    desember = sum(r["bulan"][11] for r in _gold_rows(SINGKAWANG))
    assert load.loc[SK, 12] == desember == 58


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("1. Perencanaan Reformasi Birokrasi", "perencanaan reformasi birokrasi"),
        ("2) Focus Group  Discussion (FGD)", "focus group discussion fgd"),
        ("a. Surat Pernyataan", "surat pernyataan"),
        ("1.Laporan pengendalian gratifikasi", "laporan pengendalian gratifikasi"),
        ("1.2. Evaluasi, berkala;", "evaluasi berkala"),
        ("(3) Data   Promosi", "data promosi"),
        ("iv. Zona Integritas", "zona integritas"),
        ("% Capaian kinerja unit/satuan kerja", "capaian kinerja unit satuan kerja"),
        ("12 bulan", "12 bulan"),  # a count, not numbering
        ("Laporan 1. dan 2.", "laporan 1 dan 2"),  # numbering only at the start
    ],
)
def test_item_key_normalises_printing(printed, key):
    assert item_key(printed) == key


def test_item_key_masks_the_satker_own_name():
    sk = item_key("1. Penguatan pelayanan prima di lingkungan KPU Kota Singkawang", "Singkawang")
    bk = item_key("1. Penguatan pelayanan prima di lingkungan KPU Kabupaten Bengkayang", "Bengkayang")
    assert sk == bk == "penguatan pelayanan prima di lingkungan kpu satker"
    assert item_key("Kabupaten Bengkayang", None) == "kabupaten bengkayang"


def _item_sets(df: pd.DataFrame, column: str, wilayah: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for rec in df.itertuples():
        key = item_key(getattr(rec, column), wilayah[rec.doc_id])
        if key:
            out.setdefault(rec.doc_id, set()).add((rec.area_kode, key))
    return out


def test_missing_items_between_two_plans(frames):
    df, dokumen = frames
    wilayah = _wilayah(dokumen)
    missing = missing_items(df, min_share=0.5, wilayah=wilayah)
    for jenis in ("kegiatan", "indikator"):
        sets = _item_sets(df, jenis, wilayah)
        for doc_id, other in ((SK, BK), (BK, SK)):
            got = missing[(missing["doc_id"] == doc_id) & (missing["jenis"] == jenis)]
            assert set(zip(got["area_kode"], got["kunci"], strict=True)) == sets[other] - sets[doc_id]
    assert (missing["n_satker"] == 1).all() and (missing["share"] == 0.5).all()
    bk_lacks = set(missing.loc[missing["doc_id"] == BK, "item"])
    assert "1.Laporan pengendalian gratifikasi" in bk_lacks
    assert len(bk_lacks) == 21
    # Only the satker name differs, so masking makes these shared, not missing:
    assert not missing["item"].str.contains("Penguatan pelayanan prima").any()
    assert not missing["item"].str.startswith("SK Tim Reformasi Birokrasi").any()
    assert missing[missing["doc_id"] == SK].empty  # Bengkayang's plan is a subset of Singkawang's
    assert len(missing_items(df, min_share=0.5)) > len(missing)  # without masking, names differ


def test_missing_items_respects_min_share(tmp_path):
    two_satker(tmp_path)
    write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Pontianak")
    combine(tmp_path)
    df, dokumen = load_combined(tmp_path)
    wilayah = _wilayah(dokumen)
    missing = missing_items(df, min_share=0.6, wilayah=wilayah)
    # Items Singkawang and Pontianak share (2 of 3 plans) are missing from Bengkayang only;
    # items only Bengkayang has (1 of 3) are below the share and reported nowhere.
    assert set(missing["doc_id"]) == {BK}
    assert (missing["n_satker"] == 2).all()
    assert missing["share"].round(4).eq(round(2 / 3, 4)).all()
    sets = _item_sets(df, "indikator", wilayah)
    got = missing[missing["jenis"] == "indikator"]
    assert set(zip(got["area_kode"], got["kunci"], strict=True)) == sets[SK] - sets[BK]
    assert missing_items(df, min_share=1.0, wilayah=wilayah).empty


def test_schedule_differences_match_gold_months(frames):
    df, dokumen = frames
    wilayah = _wilayah(dokumen)
    diff = schedule_differences(df, wilayah=wilayah)

    months: dict[tuple[str, str], dict[str, frozenset[int]]] = {}
    for rec in df.itertuples():
        key = (rec.area_kode, item_key(rec.kegiatan, wilayah[rec.doc_id]))
        on = {m for m, b in enumerate(MONTHS, start=1) if getattr(rec, b)}
        per = months.setdefault(key, {})
        per[rec.doc_id] = per.get(rec.doc_id, frozenset()) | on
    expected = {k: v for k, v in months.items() if len(v) >= 2 and len(set(v.values())) > 1}

    assert set(zip(diff["area_kode"], diff["kunci"], strict=True)) == set(expected)
    for rec in diff.itertuples():
        assert frozenset(rec.bulan) == expected[(rec.area_kode, rec.kunci)][rec.doc_id]
        assert list(rec.bulan) == sorted(rec.bulan)

    def gold_months(name: str) -> tuple[int, ...]:
        rows = [
            r for r in _gold_rows(name) if r["kegiatan"] == "1. Perencanaan Reformasi Birokrasi" and r["area_no"] == 1
        ]
        return tuple(m for m in range(1, 13) if any(r["bulan"][m - 1] for r in rows))

    perencanaan = diff[diff["kegiatan"] == "1. Perencanaan Reformasi Birokrasi"].set_index("doc_id")["bulan"]
    assert perencanaan[SK] == gold_months(SINGKAWANG)
    assert perencanaan[BK] == gold_months(BENGKAYANG)
    assert perencanaan[SK] != perencanaan[BK]


def test_summary_one_line_per_decree(tmp_path):
    rejects = [
        {"row_no": 4, "column": "indikator", "check": "x", "value": "", "reason": "r"},
        {"row_no": 9, "column": "indikator", "check": "x", "value": "", "reason": "r"},
    ]
    write_gold_decree(SINGKAWANG, tmp_path, rejects=rejects)
    write_gold_decree(BENGKAYANG, tmp_path)
    empty = write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Sambas")
    pd.read_parquet(empty / "rencana_aksi.parquet").iloc[0:0].to_parquet(empty / "rencana_aksi.parquet")
    combine(tmp_path)
    df, dokumen = load_combined(tmp_path)

    summ = summary(df, dokumen)
    assert set(summ.index) == {SK, BK, "kpu-kota-sambas-2023-6"}
    assert summ.loc[SK, "baris"] == 103 and summ.loc[BK, "baris"] == 82
    assert summ.loc["kpu-kota-sambas-2023-6"].to_dict() | {"instansi": None} == {
        "instansi": None,
        "tahun": 2023,
        "baris": 0,
        "area": 0,
        "bulan_aktif": 0,
        "ditolak": 0,
    }
    assert summ.loc[SK, "ditolak"] == 2 and summ.loc[BK, "ditolak"] == 0
    for doc_id in (SK, BK):
        rows = df[df["doc_id"] == doc_id]
        assert summ.loc[doc_id, "area"] == rows["area_kode"].nunique() == 8
        assert summ.loc[doc_id, "bulan_aktif"] == int(rows[list(MONTHS)].any().sum())
    assert summ.loc[SK, "instansi"] == "KPU Kota Singkawang"


def test_month_span_reads_like_a_schedule():
    assert month_span([1, 2, 3, 6]) == "Jan–Mar, Jun"
    assert month_span([12]) == "Des"
    assert month_span([]) == "—"


def test_report_shows_the_same_numbers(combined, frames):
    df, _ = frames
    report = compare(combined, combined / "report")
    page = report.read_text(encoding="utf-8")

    cov = html_table(page, "coverage")
    assert cov[0] == ["satker", *AREA_KODE]
    shown = {row[0]: [int(v) for v in row[1:]] for row in cov[1:]}
    expected = pd.crosstab(df["doc_id"], df["area_kode"]).reindex(columns=list(AREA_KODE), fill_value=0)
    assert shown == {
        "KPU Kota Singkawang": expected.loc[SK].tolist(),
        "KPU Kabupaten Bengkayang": expected.loc[BK].tolist(),
    }

    load = {row[0]: [int(v) for v in row[1:]] for row in html_table(page, "month-load")[1:]}
    assert load["KPU Kota Singkawang"] == [int(df.loc[df["doc_id"] == SK, b].sum()) for b in MONTHS]

    summ = {row[1]: row for row in html_table(page, "summary")[1:]}
    assert summ[SK][3:] == ["103", "8", "12", "0"]
    assert "KPU Kabupaten Bengkayang</strong>: 82 rows, 8 of 8 areas covered" in page

    missing = html_table(page, "missing")
    assert len(missing) - 1 == len(missing_items(df, wilayah=_wilayah(frames[1])))
    schedule = html_table(page, "schedule")
    assert ["manajemen_perubahan", "1. Perencanaan Reformasi Birokrasi", "Jan", "KPU Kota Singkawang"] in schedule


def test_report_is_self_contained(combined):
    report = compare(combined, combined / "report")
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"(?i)\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert "<script" not in page.lower() and "@import" not in page
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2
    for name, data in zip(("coverage.png", "bulan.png"), images, strict=True):
        png = (report.parent / name).read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert base64.b64decode(data) == png
    assert [p.name for p in report.parent.iterdir() if p.name.startswith(".")] == []


def test_report_escapes_all_text(tmp_path):
    folder = write_gold_decree(SINGKAWANG, tmp_path, instansi='KPU Kota <script>alert("x")</script> & Co')
    df = pd.read_parquet(folder / "rencana_aksi.parquet")
    df.loc[0, "kegiatan"] = "1. <b onmouseover=alert(1)>Bold</b> & more"
    df.to_parquet(folder / "rencana_aksi.parquet", index=False)
    write_gold_decree(BENGKAYANG, tmp_path)
    combine(tmp_path)
    page = compare(tmp_path, tmp_path / "report").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b onmouseover" not in page
    assert "KPU Kota &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;b onmouseover=alert(1)&gt;Bold&lt;/b&gt; &amp; more" in page
    rows = html_table(page, "summary")
    assert rows[2][0] == 'KPU Kota <script>alert("x")</script> & Co'


def test_report_with_no_decrees(tmp_path):
    combine(tmp_path)
    report = compare(tmp_path, tmp_path / "report")
    page = report.read_text(encoding="utf-8")
    assert "No decrees found." in page
    assert html_table(page, "coverage") == [["satker", *AREA_KODE]]
    assert not (report.parent / "coverage.png").exists()


def test_compare_needs_combined_tables(tmp_path):
    with pytest.raises(RenaksiError, match="renaksi extract"):
        compare(tmp_path, tmp_path / "report")

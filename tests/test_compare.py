from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analytics_helpers import (
    AREA_KODE_BY_NO,
    BENGKAYANG,
    GOLD,
    SINGKAWANG,
    expected_load,
    html_table,
    latest_per_satker,
    plans_over_years,
    two_satker,
    write_gold_decree,
)
from extract.combine import combine
from extract.compare import (
    BadYear,
    compare,
    coverage_matrix,
    decree_labels,
    item_key,
    load_tables,
    missing_items,
    neutral_text,
    parse_year,
    period_span,
    schedule_differences,
    schedule_load,
    select_decrees,
    summary,
)
from extract.errors import RenaksiError
from extract.model import MONTHS
from extract.reference import AREA_KODE, area_titles

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
    return pd.read_parquet(combined / "rencana_aksi.parquet"), pd.read_parquet(combined / "dokumen.parquet")


@pytest.fixture
def years(tmp_path) -> tuple[Path, dict[str, str]]:
    """Singkawang and Bengkayang in 2023 and 2024, and Jawa Tengah's quarterly 2024 plan."""
    ids = plans_over_years(tmp_path)
    combine(tmp_path)
    return tmp_path, ids


def _wilayah(dokumen: pd.DataFrame) -> dict[str, str]:
    return dict(zip(dokumen["doc_id"], dokumen["wilayah"], strict=True))


def _rows_by_label(page: str, table_id: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in html_table(page, table_id)[1:] if row}


# --- one plan per decree, never per satker -----------------------------------------------------


def test_report_compares_each_satker_latest_plan(years):
    """The report's numbers per decree equal pandas' on the same decree's rows; 2023 and 2024
    of one satker are never added up, and the quarterly plan is shown in quarters."""
    data, ids = years
    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    dokumen = pd.read_parquet(data / "dokumen.parquet")
    latest = latest_per_satker(dokumen)
    assert latest == {ids["Singkawang 2024"], ids["Bengkayang 2024"], ids["Jawa Tengah 2024"]}
    label = {r.doc_id: f"{r.instansi} {r.tahun}" for r in dokumen.itertuples()}

    page = compare(data, data / "report").read_text(encoding="utf-8")

    summ = _rows_by_label(page, "summary")
    assert set(summ) == {label[d] for d in latest}
    cov = _rows_by_label(page, "coverage")
    load = html_table(page, "month-load")
    load_rows = {row[0]: row[1:] for row in load[2:]}  # under the month and the TW header rows
    assert load[0] == ["Satker", *("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split())]
    assert load[1] == ["", "TW I", "TW II", "TW III", "TW IV"]
    for doc_id in latest:
        rows = ra[ra["doc_id"] == doc_id]
        quarterly = doc_id == ids["Jawa Tengah 2024"]
        tahun, nomor, satuan, baris, area, periode, ditolak = summ[label[doc_id]]
        assert tahun == "2024" and nomor == dokumen.set_index("doc_id").loc[doc_id, "nomor"]
        assert satuan == ("triwulan" if quarterly else "bulan")
        assert int(baris) == len(rows)
        assert area == f"{rows['area_kode'].nunique()} dari 8"
        assert periode == ("4 dari 4" if quarterly else "12 dari 12")
        assert ditolak == "0"
        by_area = rows["area_kode"].value_counts()
        assert [int(v) for v in cov[label[doc_id]]] == [int(by_area.get(a, 0)) for a in AREA_KODE]
        shown = load_rows[label[doc_id] + (" (per triwulan)" if quarterly else "")]
        assert [int(v) for v in shown] == expected_load(rows, quarterly)
    # Singkawang 2024 dropped its Deregulasi rows: 0 there, not 2023's 4, not 4 + 0.
    assert cov[label[ids["Singkawang 2024"]]][1] == "0"
    assert "Rencana lama yang tidak ikut dihitung: KPU Kabupaten Bengkayang 2023, KPU Kota Singkawang 2023." in page
    assert "Dijadwalkan per triwulan (TW I–IV), bukan per bulan: KPU Provinsi Jawa Tengah 2024." in page
    assert not re.search(r"\b20\d\d\.0\b", page)
    # A kegiatan the plans share is labelled without any satker's name.
    kegiatan = [row[1] for row in html_table(page, "schedule")[1:]]
    kegiatan += [row[2] for row in html_table(page, "missing")[1:] if len(row) == 4]
    assert "1. Penguatan pelayanan prima di lingkungan KPU [satker]" in kegiatan
    assert not [k for k in kegiatan if re.search("Singkawang|Bengkayang|Jawa Tengah", k)]


def test_every_year_as_its_own_row(years):
    data, ids = years
    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    page = compare(data, data / "all", "semua").read_text(encoding="utf-8")
    summ = _rows_by_label(page, "summary")
    assert len(summ) == 5
    assert summ["KPU Kota Singkawang 2023"][3] == str((ra["doc_id"] == ids["Singkawang 2023"]).sum()) == "103"
    assert summ["KPU Kota Singkawang 2024"][3] == "99"
    load = {row[0]: [int(v) for v in row[1:]] for row in html_table(page, "month-load")[2:]}
    for name in ("Singkawang 2023", "Singkawang 2024"):
        rows = ra[ra["doc_id"] == ids[name]]
        assert load[f"KPU Kota {name}"] == expected_load(rows, quarterly=False)
    assert "tampil terpisah, tidak dijumlahkan" in page

    only_2023 = compare(data, data / "y2023", 2023).read_text(encoding="utf-8")
    assert set(_rows_by_label(only_2023, "summary")) == {"KPU Kota Singkawang 2023", "KPU Kabupaten Bengkayang 2023"}
    assert "rencana aksi tahun 2023 saja" in only_2023 and "Jawa Tengah 2024" in only_2023  # named as left out


def test_select_decrees_latest_then_tanggal(years):
    data, ids = years
    tables = load_tables(data)
    chosen = select_decrees(tables.keputusan)
    assert set(chosen.shown["doc_id"]) == {ids["Singkawang 2024"], ids["Bengkayang 2024"], ids["Jawa Tengah 2024"]}
    assert set(chosen.left_out["doc_id"]) == {ids["Singkawang 2023"], ids["Bengkayang 2023"]}
    assert len(select_decrees(tables.keputusan, "semua").shown) == 5
    assert set(select_decrees(tables.keputusan, 2023).shown["doc_id"]) == {ids["Singkawang 2023"], ids["Bengkayang 2023"]}


def test_two_decrees_of_one_year_are_told_apart(tmp_path):
    """A revised plan in the same year: the later tanggal_penetapan is the latest; labels carry the nomor."""
    write_gold_decree(SINGKAWANG, tmp_path)
    revised = write_gold_decree(SINGKAWANG, tmp_path, nomor="9", edit=lambda d: d.iloc[:50])
    dok = json.loads((revised / "dokumen.json").read_text(encoding="utf-8"))
    dok["tanggal_penetapan"] = "2023-06-30"
    (revised / "dokumen.json").write_text(json.dumps(dok), encoding="utf-8")
    combine(tmp_path)
    tables = load_tables(tmp_path)
    assert select_decrees(tables.keputusan).shown["doc_id"].tolist() == [revised.name]
    assert set(decree_labels(tables.keputusan).values()) == {"KPU Kota Singkawang 2023 No. 6", "KPU Kota Singkawang 2023 No. 9"}


def test_parse_year():
    assert parse_year("terbaru") == "terbaru" and parse_year(" Semua ") == "semua" and parse_year("2024") == 2024
    with pytest.raises(BadYear, match="terbaru"):
        parse_year("kemarin")


# --- the numbers ---------------------------------------------------------------------------------


def test_coverage_matrix_counts_rows_per_area(combined, frames):
    df, _ = frames
    tables = load_tables(combined)
    cov = coverage_matrix(tables.cakupan, [SK, BK])
    assert list(cov.columns) == list(AREA_KODE) and list(cov.index) == [SK, BK]
    independent = pd.crosstab(df["doc_id"], df["area_kode"]).reindex(index=[SK, BK], columns=list(AREA_KODE))
    pd.testing.assert_frame_equal(cov, independent.fillna(0), check_names=False, check_dtype=False)
    for doc_id, gold in ((SK, SINGKAWANG), (BK, BENGKAYANG)):
        by_area = Counter(AREA_KODE_BY_NO[r["area_no"]] for r in _gold_rows(gold))
        assert cov.loc[doc_id].to_dict() == {a: by_area[a] for a in AREA_KODE}
    assert cov.loc[SK, "penguatan_pengawasan"] == 21 and cov.loc[BK, "manajemen_perubahan"] == 7


def test_schedule_load_matches_jadwal(combined):
    tables = load_tables(combined)
    jadwal = pd.read_parquet(combined / "jadwal.parquet")
    independent = pd.crosstab(jadwal["doc_id"], jadwal["bulan"]).reindex(columns=range(1, 13), fill_value=0)
    for doc_id in (SK, BK):
        assert schedule_load(tables.beban, doc_id) == independent.loc[doc_id].tolist()
    desember = sum(r["bulan"][11] for r in _gold_rows(SINGKAWANG))
    assert schedule_load(tables.beban, SK)[11] == desember == 58


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
    tables = load_tables(tmp_path)
    df = tables.rencana_aksi
    sambas = "kpu-kota-sambas-2023-6"

    summ = summary(tables, [SK, BK, sambas])
    assert summ.loc[SK, "baris"] == 103 and summ.loc[BK, "baris"] == 82
    assert summ.loc[sambas, ["baris", "area", "periode_aktif", "ditolak"]].tolist() == [0, 0, 0, 0]
    assert summ.loc[sambas, "tahun"] == 2023 and str(summ["tahun"].dtype) == "Int64"
    assert summ.loc[SK, "ditolak"] == 2 and summ.loc[BK, "ditolak"] == 0
    for doc_id in (SK, BK):
        rows = df[df["doc_id"] == doc_id]
        assert summ.loc[doc_id, "area"] == rows["area_kode"].nunique() == 8
        assert summ.loc[doc_id, "periode_aktif"] == int(rows[list(MONTHS)].any().sum())
    assert summ.loc[SK, "instansi"] == "KPU Kota Singkawang"


def test_period_span_reads_like_a_schedule():
    assert period_span([1, 2, 3, 6]) == "Jan–Mar, Jun"
    assert period_span([12]) == "Des"
    assert period_span([]) == "tidak dijadwalkan"
    assert period_span([1, 2, 4], "triwulan") == "TW I–TW II, TW IV"


# --- matching items across plans ----------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("printed", "wilayah", "shown"),
    [
        ("Tim RB di lingkungan KPU Kabupaten Bengkayang", "Bengkayang", "Tim RB di lingkungan KPU [satker]"),
        ("Sekretariat KPU KOTA SINGKAWANG;", "Singkawang", "Sekretariat KPU [satker];"),
        ("Rapat di Kab. Bengkayang", "Bengkayang", "Rapat di [satker]"),
        ("KPU Provinsi Jawa  Tengah", "Jawa Tengah", "KPU [satker]"),
        ("Laporan Singkawangan", "Singkawang", "Laporan Singkawangan"),  # a word, not the name
        ("Tim RB", None, "Tim RB"),
    ],
)
def test_neutral_text_names_no_satker(printed, wilayah, shown):
    assert neutral_text(printed, wilayah) == shown


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
    df, dokumen = pd.read_parquet(tmp_path / "rencana_aksi.parquet"), pd.read_parquet(tmp_path / "dokumen.parquet")
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
        assert frozenset(rec.periode) == expected[(rec.area_kode, rec.kunci)][rec.doc_id]
        assert list(rec.periode) == sorted(rec.periode) and rec.satuan == "bulan"

    def gold_months(name: str) -> tuple[int, ...]:
        rows = [
            r for r in _gold_rows(name) if r["kegiatan"] == "1. Perencanaan Reformasi Birokrasi" and r["area_no"] == 1
        ]
        return tuple(m for m in range(1, 13) if any(r["bulan"][m - 1] for r in rows))

    perencanaan = diff[diff["kegiatan"] == "1. Perencanaan Reformasi Birokrasi"].set_index("doc_id")["periode"]
    assert perencanaan[SK] == gold_months(SINGKAWANG)
    assert perencanaan[BK] == gold_months(BENGKAYANG)
    assert perencanaan[SK] != perencanaan[BK]


def test_schedule_differences_compare_a_quarterly_plan_by_quarter(years):
    """Singkawang 2023 (months) and Jawa Tengah (quarters) hold the same plan: at quarter level
    the schedules agree, so only kegiatan Bengkayang schedules otherwise are reported."""
    data, ids = years
    tables = load_tables(data)
    sk, jt, bk = ids["Singkawang 2023"], ids["Jawa Tengah 2024"], ids["Bengkayang 2023"]
    rows = tables.rencana_aksi[tables.rencana_aksi["doc_id"].isin([sk, jt])]
    wilayah = dict(zip(tables.keputusan["doc_id"], tables.keputusan["wilayah"], strict=True))
    units = {sk: "bulan", jt: "triwulan"}
    assert schedule_differences(rows, units, wilayah).empty
    assert not schedule_differences(rows, {}, wilayah).empty  # read as months, they differ

    rows = tables.rencana_aksi[tables.rencana_aksi["doc_id"].isin([sk, jt, bk])]
    diff = schedule_differences(rows, units | {bk: "bulan"}, wilayah)
    perencanaan = diff[diff["kegiatan"] == "1. Perencanaan Reformasi Birokrasi"].set_index("doc_id")
    assert perencanaan.loc[jt, "satuan"] == "triwulan" and perencanaan.loc[jt, "periode"] == (1,)
    assert perencanaan.loc[sk, "periode"] == (1,) and perencanaan.loc[sk, "satuan"] == "bulan"


# --- the page ------------------------------------------------------------------------------------


def test_report_in_bahasa_indonesia(combined):
    page = compare(combined, combined / "report").read_text(encoding="utf-8")
    assert '<html lang="id">' in page
    assert html_table(page, "coverage")[0] == ["Satker", *area_titles().values()]
    assert "Penataan Sistem Manajemen SDM Aparatur" in page and "penataan_sdm" not in page
    for english in ("Summary", "rows", "Month load", "areas covered", "rejected"):
        assert english not in page
    schedule = html_table(page, "schedule")
    assert ["Manajemen Perubahan", "1. Perencanaan Reformasi Birokrasi", "Jan", "KPU Kota Singkawang 2023"] in schedule
    missing = html_table(page, "missing")
    assert missing[1] == ["KPU Kabupaten Bengkayang 2023: 21 tidak ada"]


def test_report_is_self_contained(combined):
    report = compare(combined, combined / "report")
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"(?i)\b(?:src|href)\s*=", page)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]


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
    assert rows[2][0] == 'KPU Kota <script>alert("x")</script> & Co 2023'


def test_report_with_no_decrees(tmp_path):
    combine(tmp_path)
    page = compare(tmp_path, tmp_path / "report").read_text(encoding="utf-8")
    assert "Tidak ada keputusan untuk dibandingkan." in page
    assert html_table(page, "coverage") == [["Satker", *area_titles().values()]]


def test_compare_needs_combined_tables(tmp_path):
    with pytest.raises(RenaksiError, match="renaksi extract"):
        compare(tmp_path, tmp_path / "report")

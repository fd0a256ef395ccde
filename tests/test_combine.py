from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics_helpers import BENGKAYANG, SINGKAWANG, two_satker, validasi, write_gold_decree
from extract import catalog
from extract import combine as combine_mod
from extract.combine import DOKUMEN_SCHEMA, RENCANA_AKSI_SCHEMA, combine, verify
from extract.model import MONTHS
from extract.errors import OutputError
from extract.write import write_sums

CONTRACT_COLUMNS = [
    "doc_id",
    "row_no",
    "area_no",
    "area",
    "area_kode",
    "kegiatan",
    "sub_kegiatan",
    "indikator",
    *[f"bulan_{m:02d}" for m in range(1, 13)],
    "jadwal_satuan",
    "keterangan",
    "halaman_awal",
    "halaman_akhir",
]


def _per_decree(folders: list[Path]) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(f / "rencana_aksi.parquet") for f in sorted(folders)], ignore_index=True)


def test_schema_constant_matches_contract():
    assert RENCANA_AKSI_SCHEMA.names == CONTRACT_COLUMNS


def test_rencana_aksi_is_all_decrees_stacked(tmp_path):
    folders = two_satker(tmp_path)
    paths = combine(tmp_path)

    assert paths.skipped == ()
    assert paths.decrees == ("kpu-kabupaten-bengkayang-2023-29", "kpu-kota-singkawang-2023-6")
    combined = pd.read_parquet(paths.rencana_aksi)
    assert list(combined.columns) == CONTRACT_COLUMNS
    assert len(combined) == 103 + 82
    assert combined.groupby("doc_id").size().to_dict() == {
        "kpu-kabupaten-bengkayang-2023-29": 82,
        "kpu-kota-singkawang-2023-6": 103,
    }
    pd.testing.assert_frame_equal(combined, _per_decree(folders), check_dtype=False)
    assert combined["row_no"].dtype == "int64"
    assert combined["bulan_01"].dtype == bool
    assert not combined.duplicated(["doc_id", "row_no"]).any()

    from_csv = pd.read_csv(paths.rencana_aksi_csv, keep_default_na=False)
    assert len(from_csv) == 185
    assert from_csv["kegiatan"].tolist() == combined["kegiatan"].tolist()
    assert from_csv["bulan_03"].tolist() == combined["bulan_03"].tolist()


def test_dokumen_has_one_flat_row_per_decree(tmp_path):
    rejects = [
        {"row_no": 7, "column": "indikator", "check": "not_empty", "value": "", "reason": "kosong"},
        {"row_no": 7, "column": "area_no", "check": "isin", "value": "9", "reason": "area 9"},
        {"row_no": 12, "column": "bulan_01", "check": "bool", "value": "?", "reason": "tanda"},
    ]
    write_gold_decree(SINGKAWANG, tmp_path, rejects=rejects)
    write_gold_decree(BENGKAYANG, tmp_path)
    paths = combine(tmp_path)

    dok = pd.read_parquet(paths.dokumen).set_index("doc_id")
    assert list(dok.reset_index().columns) == DOKUMEN_SCHEMA.names
    sk = dok.loc["kpu-kota-singkawang-2023-6"]
    assert sk["instansi"] == "KPU Kota Singkawang"
    assert sk["kode_wilayah"] == "61.72"
    assert dok.loc["kpu-kabupaten-bengkayang-2023-29", "kode_wilayah"] == "61.07"
    assert sk["tahun"] == 2023 and sk["nomor"] == "6"
    assert (sk["halaman_lampiran_awal"], sk["halaman_lampiran_akhir"]) == (3, 11)
    assert sk["jumlah_baris"] == 103
    assert sk["jumlah_ditolak"] == 2  # row 7 failed twice, row 12 once
    assert dok.loc["kpu-kabupaten-bengkayang-2023-29", "jumlah_ditolak"] == 0
    assert json.loads(sk["validasi"]) == validasi(103, rejects)
    assert json.loads(sk["validasi"])["ditolak"][0] == {"row_no": 7, "alasan": ["area 9", "kosong"]}

    from_csv = pd.read_csv(paths.dokumen_csv, dtype=str).set_index("doc_id")
    assert json.loads(from_csv.loc["kpu-kota-singkawang-2023-6", "validasi"]) == validasi(103, rejects)


def test_rejected_rows_counted_from_ditolak_csv_when_validasi_has_no_count(tmp_path):
    rejects = [
        {"row_no": 3, "column": "indikator", "check": "a", "value": "", "reason": "x"},
        {"row_no": 3, "column": "area_no", "check": "b", "value": "", "reason": "y"},
        {"row_no": 8, "column": "area_no", "check": "b", "value": "", "reason": "y"},
        {"row_no": 9, "column": "area_no", "check": "b", "value": "", "reason": "y"},
    ]
    folder = write_gold_decree(BENGKAYANG, tmp_path, rejects=rejects)
    raw = json.loads((folder / "dokumen.json").read_text(encoding="utf-8"))
    raw["validasi"] = {"catatan": "written by another tool"}
    (folder / "dokumen.json").write_text(json.dumps(raw), encoding="utf-8")
    dok = pd.read_parquet(combine(tmp_path).dokumen)
    assert dok["jumlah_ditolak"].tolist() == [3]


def test_jadwal_lists_every_true_month(tmp_path):
    two_satker(tmp_path)
    paths = combine(tmp_path)
    ra = pd.read_parquet(paths.rencana_aksi)
    long = ra.melt(id_vars=["doc_id", "row_no"], value_vars=list(MONTHS), var_name="bulan", value_name="on")
    expected = long[long["on"]].assign(bulan=lambda d: d["bulan"].str[-2:].astype("int64"))
    expected = expected[["doc_id", "row_no", "bulan"]].sort_values(["doc_id", "row_no", "bulan"])

    jadwal = pd.read_parquet(paths.jadwal)
    assert list(jadwal.columns) == ["doc_id", "row_no", "bulan"]
    assert jadwal["bulan"].between(1, 12).all()
    pd.testing.assert_frame_equal(
        jadwal.sort_values(["doc_id", "row_no", "bulan"]).reset_index(drop=True),
        expected.reset_index(drop=True),
        check_dtype=False,
    )
    assert len(jadwal) == int(ra[list(MONTHS)].to_numpy().sum())
    assert len(pd.read_csv(paths.jadwal_csv)) == len(jadwal)


def test_duckdb_spans_all_plans(tmp_path):
    two_satker(tmp_path)
    paths = combine(tmp_path)
    ra = pd.read_parquet(paths.rencana_aksi)
    with duckdb.connect(str(paths.duckdb), read_only=True) as con:
        per_satker = dict(
            con.sql(
                "SELECT d.instansi, count(DISTINCT j.row_no) FROM jadwal j JOIN dokumen d USING (doc_id) "
                "WHERE j.bulan = 1 GROUP BY 1"
            ).fetchall()
        )
        counts = {
            t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("rencana_aksi", "dokumen", "jadwal")
        }
    jan = ra[ra["bulan_01"]].groupby("doc_id").size()
    assert per_satker == {
        "KPU Kota Singkawang": jan["kpu-kota-singkawang-2023-6"],
        "KPU Kabupaten Bengkayang": jan["kpu-kabupaten-bengkayang-2023-29"],
    }
    assert counts == {"rencana_aksi": 185, "dokumen": 2, "jadwal": len(pd.read_parquet(paths.jadwal))}


def test_zero_decrees_gives_empty_tables_with_contract_columns(tmp_path):
    out = tmp_path / "processed"
    paths = combine(out)
    assert paths.decrees == () and paths.skipped == ()
    ra = pd.read_parquet(paths.rencana_aksi)
    assert list(ra.columns) == CONTRACT_COLUMNS and len(ra) == 0
    assert list(pd.read_csv(paths.rencana_aksi_csv).columns) == CONTRACT_COLUMNS
    assert list(pd.read_parquet(paths.dokumen).columns) == DOKUMEN_SCHEMA.names
    assert list(pd.read_parquet(paths.jadwal).columns) == ["doc_id", "row_no", "bulan"]
    with duckdb.connect(str(paths.duckdb), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM rencana_aksi").fetchall() == [(0,)]
        assert [c[0] for c in con.sql("DESCRIBE rencana_aksi").fetchall()] == CONTRACT_COLUMNS


def test_extra_columns_are_a_union(tmp_path):
    write_gold_decree("singkawang-2023-word-extra-cols", tmp_path, instansi="KPU Kota Pontianak")
    write_gold_decree(BENGKAYANG, tmp_path)
    ra = pd.read_parquet(combine(tmp_path).rencana_aksi)
    assert list(ra.columns) == CONTRACT_COLUMNS + ["penanggung_jawab", "target"]
    pontianak = ra[ra["doc_id"] == "kpu-kota-pontianak-2023-6"]
    bengkayang = ra[ra["doc_id"] == "kpu-kabupaten-bengkayang-2023-29"]
    assert pontianak["penanggung_jawab"].iloc[0] == "Kasubbag Perencanaan, Data dan Informasi"
    assert pontianak["target"].iloc[0] == "100%"
    assert pontianak["penanggung_jawab"].notna().all()
    assert bengkayang["penanggung_jawab"].isna().all() and bengkayang["target"].isna().all()


def test_narrower_int_types_are_widened(tmp_path):
    folder = write_gold_decree(SINGKAWANG, tmp_path)
    df = pd.read_parquet(folder / "rencana_aksi.parquet").astype({"row_no": "int32", "area_no": "int16"})
    df.to_parquet(folder / "rencana_aksi.parquet", index=True)  # index=True: pandas index column too
    write_gold_decree(BENGKAYANG, tmp_path)
    ra = pd.read_parquet(combine(tmp_path).rencana_aksi)
    assert list(ra.columns) == CONTRACT_COLUMNS
    assert ra["row_no"].dtype == "int64" and ra["area_no"].dtype == "int64"
    assert len(ra) == 185


def test_unreadable_folders_are_skipped_not_fatal(tmp_path):
    good = write_gold_decree(SINGKAWANG, tmp_path)
    bad_json = write_gold_decree(BENGKAYANG, tmp_path)
    (bad_json / "dokumen.json").write_text("{not json", encoding="utf-8")
    no_parquet = write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Pontianak")
    (no_parquet / "rencana_aksi.parquet").unlink()
    garbage = write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Sambas")
    (garbage / "rencana_aksi.parquet").write_bytes(b"PAR1 this is not parquet")
    off_contract = write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Sintang")
    pd.read_parquet(off_contract / "rencana_aksi.parquet").drop(columns=["area_kode"]).to_parquet(
        off_contract / "rencana_aksi.parquet"
    )
    duplicate = tmp_path / "zz-copy"
    shutil.copytree(good, duplicate)
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / ".staging").mkdir()  # hidden: a writer's scratch space, not a decree

    paths = combine(tmp_path)
    assert paths.decrees == ("kpu-kota-singkawang-2023-6",)
    reasons = {s.folder.name: s.reason for s in paths.skipped}
    assert set(reasons) == {bad_json.name, no_parquet.name, garbage.name, off_contract.name, "zz-copy", "empty-folder"}
    assert "dokumen.json" in reasons[bad_json.name]
    assert "rencana_aksi.parquet" in reasons[no_parquet.name]
    assert "area_kode" in reasons[off_contract.name]
    assert "duplicate" in reasons["zz-copy"]
    assert len(pd.read_parquet(paths.rencana_aksi)) == 103


def test_rebuild_drops_removed_decrees(tmp_path):
    folders = two_satker(tmp_path)
    combine(tmp_path)
    shutil.rmtree(folders[1])
    paths = combine(tmp_path)
    assert pd.read_parquet(paths.rencana_aksi)["doc_id"].unique().tolist() == ["kpu-kota-singkawang-2023-6"]
    assert len(pd.read_parquet(paths.dokumen)) == 1


def test_failed_write_leaves_previous_outputs_and_no_temp_files(tmp_path, monkeypatch):
    two_satker(tmp_path)
    paths = combine(tmp_path)
    before = paths.rencana_aksi.read_bytes()
    write_gold_decree(SINGKAWANG, tmp_path, instansi="KPU Kota Pontianak")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(OutputError, match="No space left"):
        combine(tmp_path)
    assert paths.rencana_aksi.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _many_decrees(out: Path, n: int) -> list[Path]:
    """n decree folders as renaksi writes them (SHA256SUMS included), from one gold."""
    template = write_gold_decree(SINGKAWANG, out.parent / "src")
    table = pq.read_table(template / "rencana_aksi.parquet")
    dokumen = json.loads((template / "dokumen.json").read_text(encoding="utf-8"))
    folders = []
    for i in range(n):
        doc_id = f"kpu-kota-satker-{i:03d}-2023-6"
        folder = out / doc_id
        folder.mkdir(parents=True)
        pq.write_table(table.set_column(0, "doc_id", [[doc_id] * table.num_rows]), folder / "rencana_aksi.parquet")
        (folder / "dokumen.json").write_text(json.dumps({**dokumen, "doc_id": doc_id}), encoding="utf-8")
        (folder / "rencana_aksi.csv").write_text("", encoding="utf-8")
        write_sums(folder)
        folders.append(folder)
    return folders


def _rewrite(folder: Path, table) -> None:
    """A decree folder written again with ``table`` as its rows."""
    pq.write_table(table, folder / "rencana_aksi.parquet")
    dokumen = json.loads((folder / "dokumen.json").read_text(encoding="utf-8"))
    (folder / "dokumen.json").write_text(json.dumps({**dokumen, "jumlah_baris": table.num_rows}),
                                         encoding="utf-8")
    write_sums(folder)


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir() if p.is_file()}


@pytest.fixture()
def reads(monkeypatch) -> Counter:
    """How many decree folders combine hashes (SHA256SUMS) and reads (parquet)."""
    counts: Counter = Counter()

    def counted(name, real):
        def call(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(catalog, "verify_sums", counted("hashed", catalog.verify_sums))
    monkeypatch.setattr(combine_mod, "read_decree", counted("read", combine_mod.read_decree))
    return counts


def test_rerun_reads_only_the_decrees_that_changed(tmp_path, reads):
    out = tmp_path / "processed"
    folders = _many_decrees(out, 200)
    combine(out)
    assert reads == {"hashed": 200, "read": 200}
    stamps = _stamps(out)
    reads.clear()
    paths = combine(out)  # nothing changed: no folder read or hashed, no file written
    assert reads == {} and _stamps(out) == stamps
    assert len(paths.decrees) == 200 and len(pd.read_parquet(paths.rencana_aksi)) == 200 * 103
    _rewrite(folders[17], pq.read_table(folders[17] / "rencana_aksi.parquet").slice(0, 40))
    shutil.rmtree(folders[150])
    paths = combine(out)
    assert reads == {"hashed": 1, "read": 1}
    assert len(paths.decrees) == 199 and len(pd.read_parquet(paths.rencana_aksi)) == 198 * 103 + 40
    assert verify(out).problems == ()


def _rebuilt(out: Path, tmp_path: Path) -> Path:
    """The decree folders of ``out`` combined from scratch in a folder of their own."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    for folder in out.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, fresh / folder.name)
    combine(fresh)
    return fresh


def test_updated_tables_are_the_tables_a_rebuild_writes(tmp_path):
    """Decrees replaced, removed and added, with extra columns and nulls that change how pandas
    writes a column, and a combined file edited by hand: after each step every combined file
    holds what combining every folder from scratch writes (the CSV files byte for byte)."""
    out = tmp_path / "processed"
    folders = _many_decrees(out, 12)
    table = pq.read_table(folders[0] / "rencana_aksi.parquet")
    null_area = pa.array([None, *table.column("area_no").to_pylist()[1:]], pa.int64())
    null_month = pa.array([None, *table.column("bulan_03").to_pylist()[1:]], pa.bool_())
    steps = [
        lambda: None,
        lambda: _rewrite(folders[3], pq.read_table(folders[3] / "rencana_aksi.parquet").slice(5, 50)),
        lambda: shutil.rmtree(folders[7]),
        lambda: _rewrite(folders[4], pq.read_table(folders[4] / "rencana_aksi.parquet").append_column(
            "penanggung_jawab", pa.array(["Kasubbag"] * table.num_rows))),
        lambda: _rewrite(folders[5], pq.read_table(folders[5] / "rencana_aksi.parquet").set_column(
            2, "area_no", null_area)),
        lambda: _rewrite(folders[6], pq.read_table(folders[6] / "rencana_aksi.parquet").set_column(
            table.schema.get_field_index("bulan_03"), "bulan_03", null_month)),
        lambda: _rewrite(folders[9], pq.read_table(folders[9] / "rencana_aksi.parquet").slice(0, 3)),
        lambda: (out / "rencana_aksi.csv").write_bytes((out / "rencana_aksi.csv").read_bytes()[:-40]),
        lambda: shutil.rmtree(folders[4]),
    ]
    for step in steps:
        step()
        paths = combine(out)
        fresh = _rebuilt(out, tmp_path)
        for name in ("rencana_aksi", "dokumen", "jadwal"):
            assert pq.read_table(out / f"{name}.parquet").equals(pq.read_table(fresh / f"{name}.parquet"))
            assert (out / f"{name}.csv").read_bytes() == (fresh / f"{name}.csv").read_bytes()
            with duckdb.connect(str(paths.duckdb), read_only=True) as con:
                stored = con.sql(f"SELECT * FROM {name}").to_arrow_table()
            assert stored.num_rows == pq.read_table(fresh / f"{name}.parquet").num_rows
        assert verify(out).problems == ()


def test_tables_read_ahead_are_not_used_once_another_run_has_changed_them(tmp_path):
    """What ``read_ahead`` read while the decrees were extracted is dropped when another run
    committed meanwhile: the DuckDB file that run wrote is not updated as if it were the
    earlier one (its new decree would be stored twice)."""
    out = tmp_path / "processed"
    folders = _many_decrees(out, 6)
    combine(out)
    ahead = combine_mod.read_ahead(out)
    assert ahead.old is not None  # the files as the catalog says they were written
    moved = out / "kpu-kota-satker-100-2023-6"
    shutil.copytree(folders[0], moved)  # another run adds a decree and combines
    dokumen = json.loads((moved / "dokumen.json").read_text(encoding="utf-8"))
    (moved / "dokumen.json").write_text(json.dumps({**dokumen, "doc_id": moved.name}), encoding="utf-8")
    pq.write_table(pq.read_table(moved / "rencana_aksi.parquet").set_column(
        0, "doc_id", [[moved.name] * 103]), moved / "rencana_aksi.parquet")
    write_sums(moved)
    combine(out)
    _rewrite(folders[2], pq.read_table(folders[2] / "rencana_aksi.parquet").slice(0, 10))
    paths = combine(out, ahead)
    assert len(paths.decrees) == 7
    assert verify(out).problems == ()
    with duckdb.connect(str(paths.duckdb), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rencana_aksi").fetchone()[0] == 6 * 103 + 10

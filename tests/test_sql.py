"""The SQL a DuckDB user gets: the README's example, the project's views and renaksi.duckdb."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics_helpers import expected_load, latest_per_satker, plans_over_years
from extract.combine import DUCKDB_NAME, combine
from extract.compare import open_views
from extract.reference import AREA_KODE, area_titles

ROOT = Path(__file__).parent.parent
# DuckDB's storage version number of the format DuckDB 1.0 writes (and 0.10 and every later
# release reads); DuckDB 2.x's own default is newer and DuckDB 1.x cannot open it.
DUCKDB_1_0_STORAGE = 64


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    data = tmp_path_factory.mktemp("processed")
    ids = plans_over_years(data)
    combine(data)
    return data, ids


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- duckdb-example -->\s*```python\n(.*?)```", readme, re.S)
    assert block, "README has no DuckDB example"
    return block.group(1)


def test_readme_duckdb_example_counts_each_plan(years, monkeypatch, capsys):
    data, _ = years
    code = _readme_example()
    assert "'data/processed'" in code
    monkeypatch.chdir(ROOT)  # the example reads extract/sql/renaksi.sql from the checkout
    scope: dict[str, object] = {}
    exec(compile(code.replace("'data/processed'", repr(str(data))), "README.md", "exec"), scope)

    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    dokumen = pd.read_parquet(data / "dokumen.parquet").set_index("doc_id")
    plans = scope["plans"]
    expected = sorted(
        (dokumen.loc[d, "instansi"], int(dokumen.loc[d, "tahun"]), int((ra["doc_id"] == d).sum()))
        for d in latest_per_satker(dokumen.reset_index())
    )
    assert sorted(map(tuple, plans.itertuples(index=False))) == expected
    assert ("KPU Kota Singkawang", 2024, 99) in expected  # the 2024 plan alone, not 103 + 99
    assert "KPU Kota Singkawang" in capsys.readouterr().out


def test_views_per_decree(years):
    data, ids = years
    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    con = open_views(data)
    try:
        keputusan = con.sql("SELECT * FROM keputusan").df().set_index("doc_id")
        beban = con.sql("SELECT * FROM beban_jadwal ORDER BY doc_id, periode").df()
        cakupan = con.sql("SELECT * FROM cakupan_area").df()
        titles = con.sql("SELECT area_kode, judul FROM area_rb ORDER BY area_no").fetchall()
        latest_rows = con.execute("SELECT count(*) FROM rencana_aksi_terbaru").fetchone()[0]
    finally:
        con.close()
    latest = latest_per_satker(pd.read_parquet(data / "dokumen.parquet"))
    assert set(keputusan.index[keputusan["terbaru"]]) == latest
    assert latest_rows == ra["doc_id"].isin(latest).sum()
    assert keputusan.loc[ids["Singkawang 2023"], "satker_keputusan"] == 2
    assert titles == list(area_titles().items())
    for doc_id in ids.values():
        rows = ra[ra["doc_id"] == doc_id]
        quarterly = doc_id == ids["Jawa Tengah 2024"]
        assert keputusan.loc[doc_id, "jadwal_satuan"] == ("triwulan" if quarterly else "bulan")
        assert keputusan.loc[doc_id, "baris"] == len(rows)
        mine = beban[beban["doc_id"] == doc_id]
        assert mine["baris"].tolist() == expected_load(rows, quarterly)
        assert mine["nama"].tolist()[0] == ("TW I" if quarterly else "Jan")
        per_area = cakupan[cakupan["doc_id"] == doc_id].set_index("area_kode")["baris"]
        counts = rows["area_kode"].value_counts()
        assert per_area.reindex(list(AREA_KODE)).tolist() == [counts.get(a, 0) for a in AREA_KODE]


def test_duckdb_file_in_the_format_duckdb_1_opens(years):
    data, ids = years
    db = data / DUCKDB_NAME
    header = db.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20])[0] == DUCKDB_1_0_STORAGE
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM rencana_aksi").fetchone()[0] == len(pd.read_parquet(data / "rencana_aksi.parquet"))
        assert con.execute("SELECT count(*) FROM dokumen").fetchone()[0] == len(ids)
    finally:
        con.close()


def test_views_in_a_folder_with_a_quote_and_a_comma(tmp_path):
    data = tmp_path / "KPU 'Kalbar', 2024"
    plans_over_years(data)
    combine(data)
    con = open_views(data)
    try:
        assert con.execute("SELECT count(*) FROM keputusan").fetchone()[0] == 5
    finally:
        con.close()

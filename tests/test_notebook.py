"""The analysis notebook runs top to bottom, and its answers are per decree, checked with pandas."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from analytics_helpers import expected_load, latest_per_satker, plans_over_years
from extract.combine import combine
from extract.compare import BULAN_SINGKAT, TRIWULAN, item_key
from extract.reference import AREA_KODE, area_titles

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "analisis_rencana_aksi.ipynb"


def _text(outputs: list) -> str:
    parts = []
    for out in outputs:
        if "text" in out:
            parts.append(out["text"])
        parts.extend(str(v) for k, v in out.get("data", {}).items() if k == "text/plain")
    return "\n".join(parts)


def _run(data: Path, tahun: str, monkeypatch) -> list:
    monkeypatch.setenv("RENAKSI_DATA", str(data))
    monkeypatch.setenv("RENAKSI_TAHUN", tahun)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o["output_type"] == "error"]
    return code


def _expected(data: Path, doc_ids: set[str]) -> dict[str, object]:
    """The notebook's answers, computed independently over the chosen decrees' rows."""
    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    dokumen = pd.read_parquet(data / "dokumen.parquet").set_index("doc_id")
    ra = ra[ra["doc_id"].isin(doc_ids)]
    titles = area_titles()
    label = {d: f"{dokumen.loc[d, 'instansi']} {dokumen.loc[d, 'tahun']}" for d in doc_ids}
    least = []
    for d in sorted(doc_ids, key=label.get):
        counts = ra[ra["doc_id"] == d]["area_kode"].value_counts().reindex(list(AREA_KODE), fill_value=0)
        least += [f"{label[d]}: {titles[a]} ({n} baris)" for a, n in counts.items() if n == counts.min()]
    quarterly = {d for d in doc_ids if (ra.loc[ra["doc_id"] == d, "jadwal_satuan"] == "triwulan").all()}
    monthly = ra[~ra["doc_id"].isin(quarterly)]
    per_month = expected_load(monthly, quarterly=False)
    per_quarter = expected_load(ra, quarterly=True)
    month, quarter = max(range(12), key=per_month.__getitem__), max(range(4), key=per_quarter.__getitem__)

    def shared(column: str) -> tuple[int, int]:
        keys = {
            (r.area_kode, item_key(getattr(r, column), dokumen.loc[r.doc_id, "wilayah"]), r.doc_id)
            for r in ra.itertuples()
        }
        holders: dict[tuple[str, str], set[str]] = {}
        for area, key, doc in keys:
            if key:
                holders.setdefault((area, key), set()).add(doc)
        return sum(len(h) == len(doc_ids) for h in holders.values()), len(holders)

    kegiatan, sub = shared("kegiatan"), shared("sub_kegiatan")
    return {
        "least": least,
        "month": f"Bulan tersibuk (rencana bulanan): {BULAN_SINGKAT[month]}, {per_month[month]} baris di "
        f"{len(doc_ids) - len(quarterly)} rencana",
        "quarter": f"Triwulan tersibuk (semua rencana): {TRIWULAN[quarter]}, {per_quarter[quarter]} baris di "
        f"{len(doc_ids)} rencana",
        "kegiatan": f"{kegiatan[0]} dari {kegiatan[1]} kegiatan ada di semua {len(doc_ids)} rencana",
        "sub": f"{sub[0]} dari {sub[1]} sub kegiatan ada di semua rencana",
    }


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.fixture
def years(tmp_path) -> tuple[Path, dict[str, str]]:
    data = tmp_path / "processed"
    data.mkdir()
    ids = plans_over_years(data)
    combine(data)
    return data, ids


def test_notebook_compares_each_satker_latest_plan(years, monkeypatch):
    data, ids = years
    code = _run(data, "terbaru", monkeypatch)
    latest = latest_per_satker(pd.read_parquet(data / "dokumen.parquet"))
    assert latest == {ids["Singkawang 2024"], ids["Bengkayang 2024"], ids["Jawa Tengah 2024"]}
    expected = _expected(data, latest)

    setup = _text(code[0].outputs)
    assert f"5 keputusan di {data}; dibandingkan 3 rencana" in setup
    assert "Rencana lama yang tidak ikut dihitung: KPU Kabupaten Bengkayang 2023, KPU Kota Singkawang 2023." in setup
    assert "Dijadwalkan per triwulan (TW I–IV): KPU Provinsi Jawa Tengah 2024" in setup
    least = [line for line in _text(code[1].outputs).splitlines() if line.endswith(" baris)")]
    assert least == expected["least"]
    assert "KPU Kota Singkawang 2024: Deregulasi Kebijakan (0 baris)" in least  # not 2023's 4 added in
    text = "\n".join(_text(c.outputs) for c in code)
    for key in ("month", "quarter", "kegiatan", "sub"):
        assert expected[key] in text
    assert "Bulan tersibuk (rencana bulanan): Des, 87 baris di 2 rencana" in text
    rest = "\n".join(_text(c.outputs) for c in code[1:])
    assert "2023" not in rest  # the old plans are named as left out, then never counted
    figures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 3


def test_notebook_every_year_as_its_own_row(years, monkeypatch):
    data, ids = years
    code = _run(data, "semua", monkeypatch)
    expected = _expected(data, set(ids.values()))
    assert "5 keputusan di" in _text(code[0].outputs) and "dibandingkan 5 rencana" in _text(code[0].outputs)
    least = [line for line in _text(code[1].outputs).splitlines() if line.endswith(" baris)")]
    assert least == expected["least"]
    text = "\n".join(_text(c.outputs) for c in code)
    for key in ("month", "quarter", "kegiatan", "sub"):
        assert expected[key] in text

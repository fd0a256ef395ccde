"""The analysis notebook runs top to bottom against a real combined dataset."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

from analytics_helpers import two_satker, write_gold_decree
from extract.combine import combine
from extract.compare import item_key

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "analisis_rencana_aksi.ipynb"


def _text(outputs: list) -> str:
    parts = []
    for out in outputs:
        if "text" in out:
            parts.append(out["text"])
        parts.extend(str(v) for k, v in out.get("data", {}).items() if k == "text/plain")
    return "\n".join(parts)


def _shared_sub_kegiatan(data: Path) -> int:
    """Independently: sub_kegiatan (masked, per area) present in all three plans."""
    ra = pd.read_parquet(data / "rencana_aksi.parquet")
    wilayah = pd.read_parquet(data / "dokumen.parquet").set_index("doc_id")["wilayah"]
    keys = {(r.area_kode, item_key(r.sub_kegiatan, wilayah[r.doc_id]), r.doc_id) for r in ra.itertuples()}
    per_item: dict[tuple[str, str], set[str]] = {}
    for area, key, doc in keys:
        if key:
            per_item.setdefault((area, key), set()).add(doc)
    return sum(len(docs) == 3 for docs in per_item.values())


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_answers_its_questions(tmp_path, monkeypatch):
    data = tmp_path / "processed"
    two_satker(data)
    write_gold_decree("singkawang-2023-word-triwulan", data, instansi="KPU Kota Pontianak")
    combine(data)
    monkeypatch.setenv("RENAKSI_DATA", str(data))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o["output_type"] == "error"]
    text = "\n".join(_text(c.outputs) for c in code)
    assert f"3 decrees in {data}" in text
    for satker in ("KPU Kota Singkawang", "KPU Kabupaten Bengkayang", "KPU Kota Pontianak"):
        assert satker in text
    # Question 1: Bengkayang's thinnest area is penataan_organisasi with 2 rows (gold).
    least = _text(code[1].outputs)
    assert "KPU Kabupaten Bengkayang" in least and "penataan_organisasi" in least
    # Question 2: December carries the most rows in these three plans (58 + 58 + 47).
    assert "Busiest month: 12 with 163 scheduled rows across 3 satker" in text
    # Question 3: with names masked, all 25 kegiatan appear in every plan; sub_kegiatan differ.
    assert "25 of 25 kegiatan appear in every one of the 3 plans" in text
    assert f"{_shared_sub_kegiatan(data)} of " in text
    figures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 3

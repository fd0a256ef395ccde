"""Contract-shaped decree folders built from the gold files, for the analyst-side tests.

The gold files are what the pipeline must produce, so folders built from them are what
combine/compare/export will meet once the pipeline lands, without depending on it.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

GOLD = Path(__file__).parent / "gold"
WILAYAH = Path(__file__).parent.parent / "extract" / "data" / "wilayah_kabkota.csv"

AREA_KODE_BY_NO = {
    1: "manajemen_perubahan",
    2: "deregulasi_kebijakan",
    3: "penataan_organisasi",
    4: "penataan_tatalaksana",
    5: "penataan_sdm",
    6: "penguatan_akuntabilitas",
    7: "penguatan_pengawasan",
    8: "pelayanan_publik",
}
SINGKAWANG = "singkawang-2023-word"
BENGKAYANG = "bengkayang-2023-word"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _kode_wilayah(jenis: str, wilayah: str) -> str | None:
    name = f"{jenis.capitalize()} {wilayah}".casefold()
    with WILAYAH.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["kabkota"].casefold() == name:
                return rec["kode_kabkota"]
    return None


def gold_frame(gold: dict, doc_id: str) -> pd.DataFrame:
    """The rencana_aksi table the contract asks for, from one gold file's rows."""
    satuan = gold.get("jadwal_satuan", "bulan")
    records = []
    for i, row in enumerate(gold["rows"], start=1):
        rec: dict[str, object] = {
            "doc_id": doc_id,
            "row_no": i,
            "area_no": row["area_no"],
            "area": row["area"],
            "area_kode": AREA_KODE_BY_NO[row["area_no"]],
            "kegiatan": row["kegiatan"],
            "sub_kegiatan": row["sub_kegiatan"],
            "indikator": row["indikator"],
            **{f"bulan_{m:02d}": bool(v) for m, v in enumerate(row["bulan"], start=1)},
            "jadwal_satuan": satuan,
            "keterangan": row["keterangan"],
            "halaman_awal": 3 + (i - 1) // 12,
            "halaman_akhir": 3 + i // 12,
        }
        for extra in ("penanggung_jawab", "target", "output"):
            if extra in row:
                rec[extra] = row[extra]
        records.append(rec)
    df = pd.DataFrame.from_records(records)
    return df.astype({"row_no": "int64", "area_no": "int64", "halaman_awal": "int64", "halaman_akhir": "int64"})


def write_gold_decree(
    name: str,
    out_dir: Path,
    *,
    instansi: str | None = None,
    nomor: str | None = None,
    tahun: int | None = None,
    rejects: list[dict[str, object]] | None = None,
    edit: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> Path:
    """Write ``out_dir/<doc_id>/`` from ``tests/gold/<name>.gold.json``; returns the folder.

    ``instansi``/``nomor``/``tahun`` override the gold's, so one gold can stand for several
    satker and years; the plan's own mentions of the satker are renamed too, as another satker
    would print them. ``edit`` changes the plan rows (row_no is renumbered after it).
    """
    gold = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
    doc = dict(gold["document"])
    if instansi is not None:
        gold["rows"] = [
            {k: v.replace(doc["instansi"], instansi) if isinstance(v, str) else v for k, v in row.items()}
            for row in gold["rows"]
        ]
        doc["instansi"] = instansi
        doc["wilayah"] = instansi.split(" ", 2)[-1]
    if nomor is not None:
        doc["nomor"] = nomor
    if tahun is not None:
        doc["tanggal_penetapan"] = f"{tahun}{doc['tanggal_penetapan'][4:]}"
        doc["tahun"] = tahun
    doc_id = slug(f"{doc['instansi']} {doc['tahun']} {doc['nomor']}")
    folder = out_dir / doc_id
    folder.mkdir(parents=True)
    df = gold_frame(gold, doc_id)
    if edit is not None:
        df = edit(df).reset_index(drop=True).assign(row_no=lambda d: range(1, len(d) + 1))
    df.to_parquet(folder / "rencana_aksi.parquet", index=False)
    df.to_csv(folder / "rencana_aksi.csv", index=False)
    rejects = rejects or []
    if rejects:
        pd.DataFrame.from_records(rejects).to_csv(folder / "ditolak.csv", index=False)
    dokumen = {
        "doc_id": doc_id,
        "source_file": f"{name}.pdf",
        "sha256": "0" * 64,
        "instansi": doc["instansi"],
        "jenis": doc["jenis"],
        "wilayah": doc["wilayah"],
        "provinsi": doc["provinsi"],
        "kode_wilayah": _kode_wilayah(doc["jenis"], doc["wilayah"]),
        "nomor": doc["nomor"],
        "tahun": doc["tahun"],
        "tanggal_penetapan": doc["tanggal_penetapan"],
        "tempat_penetapan": doc["tempat_penetapan"],
        "tentang": doc["tentang"],
        "penandatangan": doc["penandatangan"],
        "jabatan_penandatangan": doc["jabatan_penandatangan"],
        "halaman": int(df["halaman_akhir"].max()) + 1,
        "halaman_lampiran": [3, int(df["halaman_akhir"].max())],
        "jumlah_baris": len(df),
        "metode": "text",
        "validasi": validasi(len(df), rejects),
        "renaksi_version": "0.1.0",
        "extracted_at": "2024-01-01T00:00:00+00:00",
    }
    (folder / "dokumen.json").write_text(json.dumps(dokumen, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def validasi(accepted: int, rejects: list[dict[str, object]]) -> dict[str, object]:
    """``dokumen.json``'s validasi as extract/write.py shapes it: one entry per rejected row."""
    by_row: dict[int, list[str]] = {}
    for r in rejects:
        by_row.setdefault(int(r["row_no"]), []).append(str(r["reason"]))
    return {
        "baris_diterima": accepted,
        "baris_ditolak": len(by_row),
        "ditolak": [{"row_no": n, "alasan": sorted(set(reasons))} for n, reasons in sorted(by_row.items())],
        "peringatan": [],
        "ocr_baris_keyakinan_rendah": [],
    }


def two_satker(out_dir: Path) -> list[Path]:
    """Singkawang and Bengkayang (Word layout): two real satker with different plans."""
    return [write_gold_decree(SINGKAWANG, out_dir), write_gold_decree(BENGKAYANG, out_dir)]


class _TableParser(HTMLParser):
    """Cell texts of one ``<table id=...>``, so tests read the report as a person would."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_table(page: str, table_id: str) -> list[list[str]]:
    """Rows (header first) of the table with that id; text unescaped, as a browser shows it."""
    parser = _TableParser(table_id)
    parser.feed(page)
    return parser.rows


TRIWULAN_GOLD = "singkawang-2023-word-triwulan"
JATENG = "KPU Provinsi Jawa Tengah"


def plans_over_years(out_dir: Path) -> dict[str, str]:
    """Two satker × two years and one quarterly plan; returns label → doc_id.

    The 2024 plans differ from the 2023 ones (Singkawang drops its Deregulasi rows,
    Bengkayang keeps its first 60 rows), so any sum across years shows in the numbers.
    """
    folders = {
        "Singkawang 2023": write_gold_decree(SINGKAWANG, out_dir),
        "Singkawang 2024": write_gold_decree(
            SINGKAWANG, out_dir, tahun=2024, nomor="12", edit=lambda d: d[d["area_kode"] != "deregulasi_kebijakan"]
        ),
        "Bengkayang 2023": write_gold_decree(BENGKAYANG, out_dir),
        "Bengkayang 2024": write_gold_decree(BENGKAYANG, out_dir, tahun=2024, nomor="3", edit=lambda d: d.iloc[:60]),
        "Jawa Tengah 2024": write_gold_decree(TRIWULAN_GOLD, out_dir, instansi=JATENG, tahun=2024, nomor="21"),
    }
    return {label: folder.name for label, folder in folders.items()}


def latest_per_satker(dokumen: pd.DataFrame) -> set[str]:
    """doc_ids of each instansi's highest-tahun decree, as a reader would pick them."""
    return set(dokumen.sort_values("tahun").groupby("instansi")["doc_id"].last())


def expected_load(rows: pd.DataFrame, quarterly: bool) -> list[int]:
    """Rows scheduled per month, or per quarter (any month of it) for a quarterly plan."""
    months = rows[[f"bulan_{m:02d}" for m in range(1, 13)]].astype(bool).to_numpy()
    if quarterly:
        return [int(months[:, q * 3 : q * 3 + 3].any(axis=1).sum()) for q in range(4)]
    return [int(v) for v in months.sum(axis=0)]

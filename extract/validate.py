"""Stage 7: check every row against the schema; a failing row is reported, never dropped.

Rows that fail go to ``ditolak`` with every reason pandera found; the rest is the table.
Unknown RB areas are warnings (the row is kept, ``area_kode`` stays empty).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pandera.errors

from schemas.rencana_aksi import RencanaAksi

from .model import Reject
from .model import MONTHS


@dataclass(slots=True)
class Checked:
    table: pd.DataFrame  # rows that passed, month columns as plain bool
    rejected: pd.DataFrame  # rows that failed, with a "alasan" column
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# How a KPU reader knows each column: the lampiran's own header words.
_HEADER = {
    "area_no": "NO.", "area": "AREA PERUBAHAN", "area_kode": "area RB", "kegiatan": "KEGIATAN",
    "sub_kegiatan": "SUB KEGIATAN", "indikator": "INDIKATOR KEBERHASILAN", "keterangan": "KET.",
    "row_no": "nomor baris", "jadwal_satuan": "satuan jadwal", "halaman_awal": "halaman awal",
    "halaman_akhir": "halaman akhir",
}
_BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
          "Juli", "Agustus", "September", "Oktober", "November", "Desember")
# Checks that judge a whole row: one reason, whichever column pandera reports it under.
_ROW_CHECKS = {
    "ends_after_start": "halaman akhir sebelum halaman awal",
    "some_text": "SUB KEGIATAN dan INDIKATOR KEBERHASILAN kosong",
}


def _reason(column: str | None, check: str, value: object, marks: Mapping[str, str]) -> str:
    """Why a row is rejected, in plain Indonesian words with the lampiran's own column names:
    "AREA PERUBAHAN kosong", "tanda bulan 'P' tidak dikenal (Januari, bulan_01)"."""
    if check in _ROW_CHECKS:
        return _ROW_CHECKS[check]
    if column in MONTHS and "null" in check:
        month = _BULAN[MONTHS.index(column)]
        seen = marks.get(column)
        return f"tanda bulan {seen!r} tidak dikenal ({month}, {column})" if seen else \
            f"tanda bulan {month} tidak terbaca ({column})"
    if column == "area_no" and "null" in check:
        return "NO. bukan angka (area_no)"
    label = _HEADER.get(column or "", column or "baris")
    if check.startswith("str_length") or "null" in check:
        return f"{label} kosong"
    if check.startswith("isin"):
        return f"{label} {value!r} bukan nilai yang dikenal"
    if check.startswith(("greater_than", "less_than", "in_range")):
        return f"{label} {value!r} di luar batas ({check})"
    if "unique" in check:
        return f"{label} {value!r} ganda"
    return f"{label} {value!r} tidak lolos pemeriksaan {check}"


def validate(df: pd.DataFrame, unreadable: Mapping[int, Mapping[str, str]] | None = None,
             absent: Sequence[str] = ()) -> Checked:
    """Lazy validation: collect every failure, then split the table into kept and rejected.

    ``absent`` names the contract columns the source table does not have (null throughout).
    """
    unreadable = unreadable or {}
    rejects: list[Reject] = []
    try:
        RencanaAksi.for_table(absent).validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            idx = case.index
            if idx is None or pd.isna(idx):
                continue  # schema-level failure (a column type): reported per row below
            row_no = int(df.loc[int(idx), "row_no"])
            column = case.column if isinstance(case.column, str) and case.column in df else None
            rejects.append(Reject(
                row_no=row_no, column=column, check=str(case.check),
                value="" if pd.isna(case.failure_case) else str(case.failure_case),
                reason=_reason(column, str(case.check), case.failure_case,
                               unreadable.get(row_no, {}))))
    bad_rows = sorted({r.row_no for r in rejects if r.row_no is not None})
    is_bad = df["row_no"].isin(bad_rows)
    reasons = {n: "; ".join(sorted({r.reason for r in rejects if r.row_no == n})) for n in bad_rows}
    rejected = df[is_bad].copy()
    rejected["alasan"] = rejected["row_no"].map(reasons).astype("string")
    table = df[~is_bad].copy()
    table[list(MONTHS)] = table[list(MONTHS)].astype(bool)
    warnings = [] if "area" in absent else [
        f"row {int(r.row_no)}: area {r.area!r} is not a known RB area"
        for r in table[table["area_kode"].isna()].itertuples()]
    if "anggaran" in table:
        warnings += [f"row {int(r.row_no)}: ANGGARAN {r.anggaran_teks!r} is not an amount in "
                     "rupiah (anggaran left empty, the text kept in anggaran_teks)"
                     for r in table[table["anggaran"].isna()
                                    & (table["anggaran_teks"].fillna("").str.len() > 0)].itertuples()]
    return Checked(table=table.reset_index(drop=True), rejected=rejected.reset_index(drop=True),
                   rejects=rejects, warnings=warnings)

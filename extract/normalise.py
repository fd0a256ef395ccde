"""Stage 6: stitched rows to the contract's typed table.

Schedule marks become booleans here. A mark that is neither a known tick nor a known "no"
stays missing (<NA>) so validation rejects the row with the text it saw: never a silent False.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pandas as pd

from .model import MONTHS, ColumnMap, MarkCell, Row
from .reference import area_kode

TEXT_COLUMNS = ("area", "kegiatan", "sub_kegiatan", "indikator", "keterangan")
# Contract columns read from a table column of their own (area_kode is derived from area).
SOURCE_COLUMNS = ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator", "keterangan")
CONTRACT_COLUMNS = (
    "doc_id", "row_no", "area_no", "area", "area_kode", "kegiatan", "sub_kegiatan",
    "indikator", *MONTHS, "jadwal_satuan", "keterangan", "halaman_awal", "halaman_akhir",
)
YES = frozenset("√✓✔✅☑×xXvV●•■▪◼⬤★*") | {"ya", "Ya", "YA", "ok", "OK"}
NO = frozenset({"", "-", "–", "—", "−", "0", "·", "☐", "✗", "✘", "☒"})  # a drawn cross says no
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10}


def read_mark(mark: MarkCell) -> bool | None:
    """Yes/no of one schedule cell; None when the cell shows something else."""
    text = mark.text.strip()
    if mark.shaded and text in NO:
        return True
    if text in NO:
        return False
    if text in YES or (len(set(text.replace(" ", ""))) == 1 and text[0] in YES):
        return True  # "√ √" from a doubled glyph still means one mark
    return None


def area_number(text: str) -> int | None:
    """The NO. column as an int: "1." → 1, "II." → 2; None when it is not a number."""
    t = text.strip().rstrip(".):").strip()
    if t.isdecimal() and len(t) <= 9:  # "¹" is a digit but no number; 20 digits are no area
        return int(t)
    if len(t) == 1 and "A" <= t.upper() <= "H":  # lettered areas: A. .. H. (eight RB areas)
        return ord(t.upper()) - ord("A") + 1
    return _ROMAN.get(t.upper())


def months_of(marks: Sequence[bool | None], unit: str) -> list[bool | None]:
    if unit == "bulan":
        return list(marks)
    out: list[bool | None] = []
    for q in marks:  # a marked quarter schedules each of its three months
        out += [q, q, q]
    return out


def absent_columns(cmap: ColumnMap, rows: Sequence[Row]) -> tuple[str, ...]:
    """Canonical columns the table does not have (null in every row, named in ``kolom_absen``).

    A column the header lacks is still there when rows carry it (areas titled by section
    rows such as "II. PENATAAN ..."). area_kode is read from AREA, so it is absent with it.
    """
    names = set(cmap.names)
    absent = [c for c in SOURCE_COLUMNS
              if c not in names and not any(row.values.get(c) for row in rows)]
    if "area" in absent:
        absent.insert(absent.index("area") + 1, "area_kode")
    return tuple(absent)


def rupiah(text: str | None) -> float | None:
    """An amount as printed, in rupiah: "452.750.000,00" → 452750000.0, "Rp 1,5 M" → None.

    Indonesian print groups thousands with "." and writes decimals after ","; a spreadsheet
    set to English writes "452,750,000.00". Anything else (words, ranges) is None: the
    printed text is kept beside it.
    """
    t = re.sub(r"(?i)^\s*rp\.?\s*|\s+|[.,-]+$", "", text or "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", t):
        return float(t.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):
        return float(t.replace(",", ""))
    return None


def normalise(rows: Sequence[Row], cmap: ColumnMap, doc_id: str) -> pd.DataFrame:
    """The contract table (typed, document order); extra source columns kept as strings.

    Columns the table does not have are null, not empty: "" means printed empty. ANGGARAN
    becomes ``anggaran`` (float64 rupiah) with the printed text in ``anggaran_teks``.
    """
    absent = set(absent_columns(cmap, rows))
    extras = [c.name for c in cmap.columns
               if c.name not in (*TEXT_COLUMNS, "area_no") and not c.name.startswith(("bulan_", "tw_"))]
    if "anggaran" in extras:
        extras.insert(extras.index("anggaran") + 1, "anggaran_teks")
    records = []
    for i, row in enumerate(rows, start=1):
        v = row.values
        area = v.get("area", "")
        bulan = months_of([read_mark(m) for m in row.marks], cmap.jadwal_satuan)
        rec = {
            "doc_id": doc_id, "row_no": i, "area_no": area_number(v.get("area_no", "")),
            "area": area, "area_kode": area_kode(area),
            "kegiatan": v.get("kegiatan", ""), "sub_kegiatan": v.get("sub_kegiatan", ""),
            "indikator": v.get("indikator", ""),
            **dict(zip(MONTHS, bulan)),
            "jadwal_satuan": cmap.jadwal_satuan, "keterangan": v.get("keterangan", ""),
            "halaman_awal": row.halaman_awal, "halaman_akhir": row.halaman_akhir,
        }
        rec.update({name: None for name in absent})
        for name in extras:
            rec[name] = v.get(name)
        if "anggaran" in extras:
            rec["anggaran_teks"] = v.get("anggaran")
            rec["anggaran"] = rupiah(v.get("anggaran"))
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=[*CONTRACT_COLUMNS, *extras])
    types = {"doc_id": "string", "row_no": "int64", "area_no": "Int64", "area_kode": "string",
             "jadwal_satuan": "string", "halaman_awal": "int64", "halaman_akhir": "int64",
             **{c: "string" for c in ("area", "kegiatan", "sub_kegiatan", "indikator",
                                      "keterangan", *extras)},
             **{m: "boolean" for m in MONTHS}}
    if "anggaran" in extras:
        types["anggaran"] = "Float64"
    return df.astype(types)


def raw_marks(rows: Sequence[Row], cmap: ColumnMap) -> dict[int, dict[str, str]]:
    """Row number → schedule column → the unreadable text, for rejection reasons."""
    out: dict[int, dict[str, str]] = {}
    names = [c.name for c in cmap.schedule]
    for i, row in enumerate(rows, start=1):
        bad = {n: m.text for n, m in zip(names, row.marks) if read_mark(m) is None}
        if bad:
            out[i] = bad
    return out


SLUG_LENGTH = 110  # room for the "-<8 hex>" that tells apart two decrees of one identity


def doc_slug(instansi: str | None, tahun: int | None, nomor: str | None, fallback: str) -> str:
    """Stable doc_id: instansi, tahun and nomor as a lower-case a-z0-9- slug of at most
    SLUG_LENGTH characters; a longer one keeps its head and ends in 8 hex of its sha256, so
    two long numbers that differ only at the end stay two doc_ids."""
    parts = [p for p in (instansi, str(tahun) if tahun else None, nomor) if p]
    text = "-".join(parts) if instansi else fallback
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dokumen"
    if len(slug) > SLUG_LENGTH:
        digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
        slug = f"{slug[:SLUG_LENGTH - 9].rstrip('-')}-{digest}"
    return slug

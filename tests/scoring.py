"""Cell-by-cell comparison of an extracted table with a gold file (same text rules as the
gold's README: NFKC, whitespace folded, no space next to '-' and '/')."""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

TEXT = ("area", "kegiatan", "sub_kegiatan", "indikator", "keterangan")


def norm(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"\s*([-/])\s*", r"\1", s)


def cell_mismatches(table: pd.DataFrame, rows: list[dict]) -> tuple[int, int, list[str]]:
    """(cells compared, cells wrong, first mismatches); rows are compared in order."""
    wrong: list[str] = []
    total = 0
    extra_cols = [c for c in ("penanggung_jawab", "target") if rows and c in rows[0]]
    for i, (got, want) in enumerate(zip(table.to_dict("records"), rows), start=1):
        pairs = [("area_no", str(got["area_no"]), str(want["area_no"]))]
        pairs += [(f, norm(got[f]), norm(want[f])) for f in (*TEXT, *extra_cols)]
        pairs += [(f"bulan_{m + 1:02d}", bool(got[f"bulan_{m + 1:02d}"]), bool(want["bulan"][m]))
                  for m in range(12)]
        for name, a, b in pairs:
            total += 1
            if a != b:
                wrong.append(f"row {i} {name}: got {a!r}, gold {b!r}")
    missing = abs(len(table) - len(rows)) * 18
    return total + missing, len(wrong) + missing, wrong

"""Stage 2: the decree's identity from its text: who, which number, when, about what, signed by whom.

Works on plain text lines (from the text layer or from OCR), so both paths share it.
Whatever the text does not state stays None: nothing is guessed.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .model import DecreeMeta
from .reference import region_of

BULAN = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11,
    "desember": 12,
}
_SATKER = re.compile(
    r"(KOMISI\s+PEMILIHAN\s+UMUM|KOMISI\s+INDEPENDEN\s+PEMILIHAN|\bKPU\b|\bKIP\b)"
    r"(?:\s*\((?:KPU|KIP)\))?"
    r"(\s+(?:PROVINSI|KABUPATEN|KOTA)\s+[A-Z][A-Z .'-]*?|\s+ACEH|\s+REPUBLIK\s+INDONESIA)?"
    r"\s*(?:,|$|\bTAHUN\b|\bNOMOR\b|\bTENTANG\b)", re.I)
_NOMOR = re.compile(r"\bNOMOR\s*:?\s*([0-9A-Za-z./\-]+?)\s+TAHUN\s+((?:19|20)\d\d)\b", re.I)
_NOMOR_ONLY = re.compile(r"^\s*NOMOR\s*:?\s*(\S+)\s*$", re.I)
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+((?:19|20)\d\d)")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b")
_PLACE = re.compile(r"Ditetapkan\s+di\s*:?\s*(.+)$", re.I)
_ON_DATE = re.compile(r"(?:pada\s+)?tanggal\s*:?\s*(\d{1,2}(?:\s+[A-Za-z]+\s+|[-/.]\d{1,2}[-/.])"
                      r"(?:19|20)\d\d)", re.I)
_TTD = re.compile(r"^(?:ttd\.?|TTD|\(ttd\)|dto\.?|cap|ttd dan cap)$", re.I)


def _title(words: str) -> str:
    return " ".join(w if w.isupper() and len(w) <= 3 and w not in {"KOTA"} else w.capitalize()
                    for w in words.split())


def instansi_of(text: str) -> str | None:
    """Satker name in its short official form: "KPU Kota Singkawang", "KIP Kabupaten Pidie".

    The decree's own title line ("KEPUTUSAN ...") names the issuer best; letterheads next.
    """
    lines = _join_broken_titles(text.splitlines())
    for line in sorted(lines, key=lambda ln: "KEPUTUSAN" not in ln.upper()):
        m = _SATKER.search(line.strip())
        if not m or (m.group(2) is None and not re.search(r"KEPUTUSAN|KETUA", line, re.I)):
            continue
        body = "KIP" if re.search(r"INDEPENDEN|KIP", m.group(1), re.I) else "KPU"
        rest = (m.group(2) or "").strip()
        if re.fullmatch(r"REPUBLIK\s+INDONESIA", rest, re.I):
            rest = ""
        return f"{body} {_title(rest)}".strip() if rest else body
    return None


def _join_broken_titles(lines: list[str]) -> list[str]:
    """Title lines that break after "KOMISI PEMILIHAN UMUM" get their region line back."""
    out: list[str] = []
    for line in lines:
        if (out and re.search(r"(PEMILIHAN UMUM|INDEPENDEN PEMILIHAN)\s*$", out[-1], re.I)
                and re.match(r"\s*(PROVINSI|KABUPATEN|KOTA)\b", line, re.I)):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return out


def iso_date(text: str) -> str | None:
    """'16 Januari 2023' or '16-01-2023' → '2023-01-16'; None for anything that is not a
    real date."""
    m = _DATE.search(text)
    if m:
        day, month, year = m.group(1), BULAN.get(m.group(2).lower()), m.group(3)
    else:
        m = _NUMERIC_DATE.search(text)
        if not m:
            return None
        day, month, year = m.group(1), int(m.group(2)), m.group(3)
    if month is None:
        return None
    try:
        return date(int(year), month, int(day)).isoformat()
    except ValueError:
        return None


def _tentang(lines: Sequence[str]) -> str | None:
    for i, line in enumerate(lines):
        if line.strip().upper() == "TENTANG":
            out = []
            for nxt in lines[i + 1:]:
                s = nxt.strip()
                if (not s or re.match(r"(DENGAN RAHMAT|KETUA|Menimbang|LAMPIRAN|RENCANA AKSI "
                                      r"REFORMASI BIROKRASI TAHUN)", s, re.I)
                        or s.endswith(",")):
                    break
                out.append(s)
            return " ".join(out) or None
    return None


def _signature(lines: Sequence[str]) -> tuple[str | None, str | None, str | None, str | None]:
    """Place, ISO date, signer and signer's office from the "Ditetapkan di" block."""
    for i, line in enumerate(lines):
        m = _PLACE.search(line)
        if not m:
            continue
        place = m.group(1).strip().rstrip(",") or None
        when = None
        office: list[str] = []
        name = None
        for nxt in lines[i + 1:i + 12]:
            s = nxt.strip()
            if not s:
                continue
            if when is None and _ON_DATE.search(s):
                when = iso_date(_ON_DATE.search(s).group(1))
                continue
            if _TTD.match(s):
                continue
            if re.match(r"Salinan|Halaman\s+\d+|-\s*\d+\s*-", s, re.I):
                break
            if office and office[-1].endswith(","):
                name = s
                break
            office.append(s)
        jabatan = " ".join(office).rstrip(",").strip() or None
        return place, when, name, jabatan
    return None, None, None, None


def read_metadata(texts: Sequence[str]) -> DecreeMeta:
    """Metadata from the text of the pages in order (body first, lampiran title, signature)."""
    full = "\n".join(texts)
    lines = [ln for ln in full.splitlines()]
    instansi = instansi_of(full)
    nomor = tahun = None
    m = _NOMOR.search(full)
    if m:
        nomor, tahun = m.group(1), int(m.group(2))
    else:
        only = next((_NOMOR_ONLY.match(ln) for ln in lines if _NOMOR_ONLY.match(ln)), None)
        if only:
            nomor = only.group(1)
            year = re.search(r"((?:19|20)\d\d)\s*$", nomor)
            tahun = int(year.group(1)) if year else None
    place, when, name, jabatan = _signature(lines)
    region = region_of(instansi) if instansi else None
    return DecreeMeta(
        instansi=instansi,
        jenis=region.jenis if region else None,
        wilayah=region.wilayah if region else None,
        provinsi=region.provinsi if region else None,
        kode_wilayah=region.kode_wilayah if region else None,
        nomor=nomor, tahun=tahun, tanggal_penetapan=when, tempat_penetapan=place,
        tentang=_tentang(lines), penandatangan=name, jabatan_penandatangan=jabatan,
    )

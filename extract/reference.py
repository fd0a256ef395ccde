"""Reference data kept as files in the package: RB area aliases and Kemendagri region codes.

Both are read once per process; see ``extract/data/SOURCES.md`` for where they come from.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

AREA_KODE = (
    "manajemen_perubahan", "deregulasi_kebijakan", "penataan_organisasi",
    "penataan_tatalaksana", "penataan_sdm", "penguatan_akuntabilitas",
    "penguatan_pengawasan", "pelayanan_publik",
)
# Words that name one area whatever the road-map period's wording; tried after the aliases.
_AREA_WORDS = (
    (re.compile(r"manajemen perubahan|pola pikir|mind ?set|mental aparatur|budaya kerja"),
     "manajemen_perubahan"),
    (re.compile(r"sumber daya manusia|\bsdm\b"), "penataan_sdm"),
    (re.compile(r"deregulasi|peraturan|perundang"), "deregulasi_kebijakan"),
    (re.compile(r"organisasi|kelembagaan"), "penataan_organisasi"),
    (re.compile(r"tata ?laksana|ketatalaksanaan|proses bisnis"), "penataan_tatalaksana"),
    (re.compile(r"akuntabilitas"), "penguatan_akuntabilitas"),
    (re.compile(r"pengawasan"), "penguatan_pengawasan"),
    (re.compile(r"pelayanan publik|kualitas pelayanan"), "pelayanan_publik"),
)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text.lower())).strip()


def _data_rows(name: str) -> list[dict[str, str]]:
    with resources.files("extract").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def _area_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in _data_rows("rb_area_aliases.csv"):
        kode = AREA_KODE[int(row["area_no"]) - 1]
        variant = row["variant"]
        for text in {variant, *variant.split(" / ")}:
            out[_key(text)] = kode
    return out


@cache
def area_titles() -> dict[str, str]:
    """Each area_kode's title as Road Map RB 2020–2024 (PermenPANRB 25/2020) writes it,
    in AREA_KODE order: "penataan_sdm" → "Penataan Sistem Manajemen SDM Aparatur"."""
    titles = {row["area_no"]: row["canonical_rm2020_2024"] for row in _data_rows("rb_area_aliases.csv")}
    return {kode: titles[str(no)] for no, kode in enumerate(AREA_KODE, start=1)}


def area_kode(area: str) -> str | None:
    """Canonical RB area of a printed area name, or None when it cannot be told."""
    key = _key(area)
    if not key:
        return None
    aliases = _area_aliases()
    if key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.88)
    if close:
        return aliases[close[0]]
    for pattern, kode in _AREA_WORDS:
        if pattern.search(key):
            return kode
    return None


@dataclass(frozen=True, slots=True)
class Region:
    jenis: str  # kabupaten / kota / provinsi / pusat
    wilayah: str | None  # "Singkawang", "Kalimantan Barat"
    provinsi: str | None
    kode_wilayah: str | None  # "61.72", "61"


# Official names that KPU documents write differently.
_PROVINCE_ALIASES = {
    "dki jakarta": "daerah khusus ibukota jakarta",
    "jakarta": "daerah khusus ibukota jakarta",
    "di yogyakarta": "daerah istimewa yogyakarta",
    "diy": "daerah istimewa yogyakarta",
    "yogyakarta": "daerah istimewa yogyakarta",
    "nad": "aceh",
    "nanggroe aceh darussalam": "aceh",
    "babel": "kepulauan bangka belitung",
    "bangka belitung": "kepulauan bangka belitung",
    "kepri": "kepulauan riau",
    "ntb": "nusa tenggara barat",
    "ntt": "nusa tenggara timur",
}


def _squash(text: str) -> str:
    """Names compared without spaces and hyphens: "Palangka Raya" = "Palangkaraya"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def _regions() -> tuple[dict[tuple[str, str], tuple[str, str, str]], dict[str, tuple[str, str]]]:
    kabkota: dict[tuple[str, str], tuple[str, str, str]] = {}
    provinces: dict[str, tuple[str, str]] = {}
    for row in _data_rows("wilayah_kabkota.csv"):
        jenis = row["jenis"]
        name = re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", row["kabkota"])
        kabkota[(jenis, _squash(name))] = (name, row["provinsi"], row["kode_kabkota"])
        provinces[_squash(row["provinsi"])] = (row["provinsi"], row["kode_provinsi"])
    return kabkota, provinces


def region_of(instansi: str) -> Region | None:
    """Region of a satker from its name: "KPU Kota Singkawang", "KIP Kabupaten Aceh Besar",
    "KPU Provinsi DKI Jakarta", "Komisi Pemilihan Umum" (KPU RI)."""
    text = re.sub(r"\s+", " ", instansi).strip()
    m = re.search(r"\b(Kabupaten|Kab\.?|Kota)\s+(?:Administrasi\s+)?(.+)$", text, re.I)
    kabkota, provinces = _regions()
    if m:
        jenis = "kota" if m.group(1).lower() == "kota" else "kabupaten"
        name = m.group(2)
        hit = kabkota.get((jenis, _squash(name)))
        if hit is None:
            close = difflib.get_close_matches(
                _squash(name), [k for j, k in kabkota if j == jenis], n=1, cutoff=0.85)
            hit = kabkota.get((jenis, close[0])) if close else None
        if hit:
            return Region(jenis, hit[0], hit[1], hit[2])
        return Region(jenis, name.title() if name.isupper() else name, None, None)
    m = re.search(r"\b(?:Provinsi|Prov\.?)\s+(.+)$", text, re.I) or re.search(
        r"^(?:KIP|Komisi Independen Pemilihan)(?:\s*\(KIP\))?\s+(Aceh)$", text, re.I)
    if m:
        key = _squash(_PROVINCE_ALIASES.get(m.group(1).lower(), m.group(1)))
        hit = provinces.get(key)
        if hit:
            return Region("provinsi", hit[0], hit[0], hit[1])
        return Region("provinsi", m.group(1), m.group(1), None)
    if re.fullmatch(r"(?:KPU|Komisi Pemilihan Umum)(?: RI| Republik Indonesia)?", text, re.I):
        return Region("pusat", "Indonesia", None, None)
    return None

"""Stage 2: the decree's identity from its own title blocks and signature: who, which number,
when, about what, signed by whom.

A decree names itself in a few fixed places: the title block that opens the body
(KEPUTUSAN ... / NOMOR ... / TENTANG ...), the LAMPIRAN block that repeats it over the table,
the plan's own title over the table (RENCANA AKSI ... TAHUN 2023 / DI LINGKUNGAN ...), and
the closing block (Ditetapkan di ... / pada tanggal ... / office / name). Only these are
read. Menimbang, Mengingat and the lampiran's references cite other regulations by number
("Undang-Undang Nomor 7 Tahun 2017"): a number read there belongs to another decree.

Works on plain text lines (from the text layer or from OCR), so both paths share it. What
the text does not state stays None, and ``DecreeMeta.warnings`` says which field and why.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+((?:19|20)\d\d)")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b")
_PLACE = re.compile(r"Ditetapkan\s+di\s*:?\s*(.+)$", re.I)
# OCR reads the colon after "tanggal" as ";", "!" or "|" as often as not
_ON_DATE = re.compile(r"(?:pada\s+)?tanggal\s*[:;!|]?\s*(\d{1,2}(?:\s+[A-Za-z]+\s+|[-/.]\d{1,2}[-/.])"
                      r"(?:19|20)\d\d)", re.I)
_TTD = re.compile(r"^(?:ttd\.?|TTD|\(ttd\)|dto\.?|cap|ttd dan cap)$", re.I)
# Page furniture between two halves of a block that a page break split: "Halaman 9", "- 3 -".
_FURNITURE = re.compile(r"^(?:Halaman\s+\d+(?:\s+dari\s+\d+)?|-\s*\d+\s*-|\d{1,3})$", re.I)

# Title blocks are printed in capitals; body sentences that mention "lampiran Keputusan"
# or "Keputusan ... Nomor" are not, which is what keeps them out.
_KEPUTUSAN = re.compile(r"^(?:SALINAN\s+)?(?:SURAT\s+)?KEPUTUSAN\b")
_LAMPIRAN = re.compile(r"^(?:LAMPIRAN(?:\s+[IVX]+)?(?:\s*:|\s+KEPUTUSAN\b|$)"
                       r"|Lampiran(?:\s+[IVX]+)?\s*(?::|$))")
_PLAN_TITLE = re.compile(r"^RENCANA\s+AKSI\b")
# Where the head of a decree ends and its considerations begin.
_BODY = re.compile(r"^(?:Menimbang|Mengingat|Memperhatikan|MEMUTUSKAN|Menetapkan|"
                   r"DENGAN\s+RAHMAT)\b", re.I)
_NOMOR = re.compile(r"^NOMOR\b\s*:?\s*(.*)$", re.I)
_TENTANG = re.compile(r"^TENTANG\b\s*:?\s*(.*)$", re.I)
_TANGGAL = re.compile(r"^TANGGAL\b\s*:?\s*(.*)$", re.I)
_TAHUN = re.compile(r"^TAHUN\s*:?\s*((?:19|20)\d\d)\b", re.I)
_KEYWORD = re.compile(r"^(?:NOMOR|TAHUN|TENTANG|TANGGAL|LAMPIRAN|KEPUTUSAN)\b", re.I)
_YEAR_AT_END = re.compile(r"(?:^|[/.\-\s])((?:19|20)\d\d)$")
_TITLE_YEAR = re.compile(r"\bTAHUN\s+((?:19|20)\d\d)\s*\.?$", re.I)
_BLOCK_LINES = 16  # a title block is a handful of lines; never read on into the body


@dataclass(frozen=True, slots=True)
class Block:
    """One place where the decree names itself: its lines, as printed."""

    kind: str  # "keputusan" (head of the body), "lampiran" (over the table), "judul" (plan title)
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Number:
    """What a block prints after NOMOR."""

    nomor: str
    tahun: int | None  # "TAHUN 2023" printed after it
    own_year: int | None  # the year the number itself ends with (".../II/2024")


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


def title_blocks(lines: Sequence[str]) -> list[Block]:
    """The decree's own title blocks, in the order printed.

    A LAMPIRAN block starts at "LAMPIRAN" and holds the decree's title that the table belongs
    to; the head of the body is the first capitalised KEPUTUSAN line outside it, read up to
    the considerations (Menimbang...) or the issuer's line ("KETUA ...,"); a plan title
    ("RENCANA AKSI ... TAHUN 2023") takes the line naming the satker under it.
    """
    blocks: list[Block] = []
    used: set[int] = set()
    head_seen = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if _LAMPIRAN.match(line):
            end = _block_end(lines, i + 1, stop=lambda s, prev: bool(
                (_PLAN_TITLE.match(s) and not _TENTANG.match(prev))
                or _BODY.match(s) or _LAMPIRAN.match(s)))
            blocks.append(Block("lampiran", _stripped(lines[i:end])))
            used.update(range(i, end))
            i = end
            continue
        if _KEPUTUSAN.match(line) and not head_seen and i not in used:
            head_seen = True
            end = _block_end(lines, i + 1, stop=lambda s, prev: bool(
                _BODY.match(s) or _LAMPIRAN.match(s) or s.endswith(",")))
            blocks.append(Block("keputusan", _stripped(lines[i:end])))
            used.update(range(i, end))
            i = end
            continue
        if _PLAN_TITLE.match(line) and _TITLE_YEAR.search(line):
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            extra = 1 if re.match(r"DI\s+LINGKUNGAN\b", nxt) or instansi_of(nxt) else 0
            blocks.append(Block("judul", _stripped(lines[i:i + 1 + extra])))
            i += 1 + extra
            continue
        i += 1
    return blocks


def _stripped(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(s for s in (ln.strip() for ln in lines) if s and not _FURNITURE.match(s))


def _block_end(lines: Sequence[str], start: int,
               stop: Callable[[str, str], bool]) -> int:
    """Index after a block's last line: ``stop(line, previous line)`` ends it."""
    end = start
    while (end < len(lines) and end - start < _BLOCK_LINES
           and not stop(lines[end].strip(), lines[end - 1].strip())):
        end += 1
    return end


def read_number(block: Block) -> Number | None:
    """The number printed after NOMOR, in any of KPU's forms: "6", "06",
    "12/HK.03-Kpt/3310/Sek/II/2024", with or without a colon, alone on its line, or broken
    over two lines (a part that ends in "/", "-" or "." or a next line that goes on with one).
    """
    lines = block.lines
    for i, line in enumerate(lines):
        m = _NOMOR.match(line)
        if not m:
            continue
        rest = m.group(1).strip()
        j = i
        if not rest and i + 1 < len(lines) and not _KEYWORD.match(lines[i + 1]):
            j, rest = i + 1, lines[i + 1].lstrip(":").strip()
        tokens = rest.split()
        if not tokens or not re.search(r"[0-9A-Za-z]", tokens[0]):
            return None
        nomor, after = tokens[0], tokens[1:]
        while not after and j + 1 < len(lines) and _continues(nomor, lines[j + 1]):
            j += 1
            head, *after = lines[j].split()
            nomor += head
        tail = " ".join(after) or (lines[j + 1] if j + 1 < len(lines) else "")
        year = _TAHUN.match(tail)
        own = _YEAR_AT_END.search(nomor)
        return Number(nomor, int(year.group(1)) if year else None,
                      int(own.group(1)) if own else None)
    return None


def misread(nomor: str) -> bool:
    """Whether a number cannot be as printed: a KPU number is letters, digits and ". - /"
    ("12/HK.03-Kpt/6104/Kab/II/2025"), starts with its sequence number, and the part
    before its year, when it is a month, is a roman numeral. OCR of a sans-serif "/I/"
    gives "/1I/", "!1lI" or "7I/", which this catches; a plain misread digit it cannot."""
    parts = nomor.split("/")
    if _NOT_IN_A_NUMBER.search(nomor) or _SEQUENCE_MISREAD.match(parts[0]):
        return True
    if len(parts) > 1 and _GLUED_YEAR.fullmatch(parts[-1]):
        return True  # ".../827212024": the "/" before the year read as "1"
    month = parts[-2] if len(parts) >= 3 and _YEAR_AT_END.search(parts[-1]) else ""
    return (bool(_ROMAN_LOOKALIKES.fullmatch(month)) and not month.isdigit()  # "/11/": a code
            and month not in _ROMAN_MONTHS)


def _in_title_case(lampiran: str, title: str) -> str:
    """The LAMPIRAN block's reading of a number (often all capitals) with the title block's
    spelling of every part the title prints too, but for case and its stray marks."""
    spelled = {t.upper(): t for t in (_NOT_IN_A_NUMBER.sub("", part) for part in title.split("/"))}
    return "/".join(spelled.get(part.upper(), part) for part in lampiran.split("/"))


_NOT_IN_A_NUMBER = re.compile(r"[^\w./\-\u2010-\u2015]|_")  # Word may print a dash
_SEQUENCE_MISREAD = re.compile(r"\d+[Il|]$")  # "7I/HK..." for "7/HK..."
_GLUED_YEAR = re.compile(r"\d+[1Il|](?:19|20)\d\d")
_ROMAN_LOOKALIKES = re.compile(r"[IVXl1i|!]+")
_ROMAN_MONTHS = frozenset("I II III IV V VI VII VIII IX X XI XII".split())


def _continues(nomor: str, nxt: str) -> bool:
    """The next line carries the rest of a number a line break cut."""
    head = nxt.split()[0] if nxt.split() else ""
    if not head or _KEYWORD.match(nxt.strip()):
        return False
    if nomor[-1] in "/-." or head[0] in "/-.":
        return True
    return "/" in nomor and "/" in head


def _tentang(block: Block) -> str | None:
    lines = block.lines
    for i, line in enumerate(lines):
        m = _TENTANG.match(line)
        if not m:
            continue
        out = [m.group(1).strip()] if m.group(1).strip() else []
        for nxt in lines[i + 1:]:  # "TAHUN 2024" may be the title's last line
            if (_KEYWORD.match(nxt) and not _TAHUN.match(nxt)) or nxt.endswith(","):
                break
            out.append(nxt)
        return " ".join(out) or None
    return None


def _issuer(block: Block) -> str:
    """The lines that name the issuer, as one line: a long name breaks anywhere
    ("... PROVINSI KALIMANTAN" / "BARAT")."""
    lines = block.lines
    end = next((i for i, ln in enumerate(lines) if i and _KEYWORD.match(ln)), len(lines))
    return " ".join(lines[:end])


def _lampiran_date(block: Block) -> str | None:
    for line in block.lines:
        m = _TANGGAL.match(line)
        if m:
            return iso_date(m.group(1))
    return None


def _signature(lines: Sequence[str]) -> tuple[str | None, str | None, str | None, str | None]:
    """Place, ISO date, signer and signer's office from the "Ditetapkan di" block.

    A page break may cut the block: page furniture ("Halaman 9", "- 3 -") between its
    halves is skipped, so the signer on the next page is still found.
    """
    for i, line in enumerate(lines):
        m = _PLACE.search(line)
        if not m:
            continue
        place = m.group(1).strip().rstrip(",") or None
        when = None
        office: list[str] = []
        name = None
        window = [s for s in (ln.strip() for ln in lines[i + 1:i + 20])
                  if s and not _FURNITURE.match(s)][:12]
        for s in window:
            if when is None and _ON_DATE.search(s):
                when = iso_date(_ON_DATE.search(s).group(1))
                continue
            if _TTD.match(s):
                continue
            if re.match(r"Salinan", s, re.I):
                break
            if office and office[-1].endswith(","):
                name = s
                break
            office.append(s)
        jabatan = " ".join(office).rstrip(",").strip() or None
        return place, when, name, jabatan
    return None, None, None, None


def _first(*values):
    return next((v for v in values if v is not None), None)


def read_metadata(texts: Sequence[str]) -> DecreeMeta:
    """Metadata from the text of the pages in order (body first, lampiran title, signature).

    ``tahun`` is the decree's year: what its number says ("NOMOR 6 TAHUN 2023",
    ".../II/2024") and the year of its date of penetapan; when those two disagree it is
    None with a warning, never a pick. Without either, the year its title gives (the tentang
    or the plan title over the table) stands in. A title year that differs from the decree's
    is a warning (a plan for 2024 may be decreed in 2023). ``nomor`` is the title block's;
    where it cannot be as printed (``misread``) and the LAMPIRAN block's copy can, that
    copy's, both with a warning.
    """
    lines = [ln for text in texts for ln in text.splitlines()]
    blocks = title_blocks(lines)
    heads = [b for b in blocks if b.kind == "keputusan"]
    lampirans = [b for b in blocks if b.kind == "lampiran"]
    plans = [b for b in blocks if b.kind == "judul"]
    own = heads + lampirans  # the blocks that print NOMOR and TENTANG
    warnings: list[str] = []

    instansi = _first(*(instansi_of(_issuer(b)) for b in [*own, *plans]), None)
    place, when, name, jabatan = _signature(lines)
    if instansi is None:
        instansi = _first(instansi_of(jabatan or ""), instansi_of("\n".join(lines[:5])))
    if instansi is None:
        warnings.append("instansi: no KPU/KIP satker named in the decree's title or signature")

    numbers = [n for b in own if (n := read_number(b)) is not None]
    number = numbers[0] if numbers else None
    for other in numbers[1:]:
        if other.nomor.upper() != number.nomor.upper():  # type: ignore[union-attr]
            kept = number
            if misread(number.nomor) and not misread(other.nomor):  # type: ignore[union-attr]
                kept = replace(other, nomor=_in_title_case(other.nomor, number.nomor))  # type: ignore[union-attr]
            warnings.append(f"nomor: the title block prints {number.nomor!r}, "  # type: ignore[union-attr]
                            f"the LAMPIRAN block {other.nomor!r}; {kept.nomor!r} is kept")  # type: ignore[union-attr]
            number = kept
            break
    if number is not None and misread(number.nomor):
        warnings.append(f"nomor: {number.nomor!r} does not read as a decree number "
                        "(a character a number never has, or a month that is no roman "
                        "numeral): check it against the PDF")
    if number is None:
        warnings.append("nomor: not printed after NOMOR in the decree's title block or "
                        "LAMPIRAN block")

    when = when or _first(*(_lampiran_date(b) for b in lampirans), None)
    if when is None:
        warnings.append("tanggal_penetapan: no date of penetapan ('pada tanggal ...') found")

    tentang = _first(*(_tentang(b) for b in own), None)
    titles = [tentang or "", *(plan.lines[0] for plan in plans if instansi_of(_issuer(plan)))]
    title_year = _first(*(int(m.group(1)) for t in titles if (m := _TITLE_YEAR.search(t))), None)
    tahun = _tahun(number, when, title_year, warnings)

    region = region_of(instansi) if instansi else None
    return DecreeMeta(
        instansi=instansi,
        jenis=region.jenis if region else None,
        wilayah=region.wilayah if region else None,
        provinsi=region.provinsi if region else None,
        kode_wilayah=region.kode_wilayah if region else None,
        nomor=number.nomor if number else None, tahun=tahun, tanggal_penetapan=when,
        tempat_penetapan=place, tentang=tentang, penandatangan=name,
        jabatan_penandatangan=jabatan, warnings=tuple(warnings),
    )


def _tahun(number: Number | None, when: str | None, title_year: int | None,
           warnings: list[str]) -> int | None:
    """The decree's year from its witnesses (see ``read_metadata``); disagreements warned."""
    said: dict[str, int] = {}
    if number is not None and number.own_year:
        said["the nomor"] = number.own_year
    if number is not None and number.tahun:
        said["TAHUN after the nomor"] = number.tahun
    if when is not None:
        said["the date of penetapan"] = int(when[:4])
    years = set(said.values())
    if len(years) > 1:
        told = ", ".join(f"{who} {year}" for who, year in said.items())
        warnings.append(f"tahun: left empty because the decree's years disagree ({told})")
        return None
    tahun = years.pop() if years else title_year
    if tahun is None:
        warnings.append("tahun: no year in the nomor, the date or the title")
    elif title_year is not None and title_year != tahun:
        warnings.append(f"tahun: the title names {title_year}, the decree is of {tahun}")
    return tahun

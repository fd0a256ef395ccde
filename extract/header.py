"""Stage 4: recognise the table header by meaning and say where each column sits.

Headers differ between satker (NO./NOMOR, JADWAL/PELAKSANAAN/TARGET WAKTU, months as
1..12, Jan..Des or TW I..IV, extra PENANGGUNG JAWAB / TARGET columns), so columns are
named from their header words, never from their position or count.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .errors import HeaderNotRecognised
from .model import Cell, Column, ColumnMap, PageGrid

CORE = ("kegiatan", "sub_kegiatan", "indikator")

_MONTHS = {
    "JAN": 1, "JANUARI": 1, "FEB": 2, "PEB": 2, "FEBRUARI": 2, "PEBRUARI": 2, "MAR": 3,
    "MARET": 3, "APR": 4, "APRIL": 4, "MEI": 5, "JUN": 6, "JUNI": 6, "JUL": 7, "JULI": 7,
    "AGU": 8, "AGT": 8, "AGS": 8, "AGUST": 8, "AGUSTUS": 8, "SEP": 9, "SEPT": 9,
    "SEPTEMBER": 9, "OKT": 10, "OKTOBER": 10, "NOV": 11, "NOP": 11, "NOVEMBER": 11,
    "NOPEMBER": 11, "DES": 12, "DESEMBER": 12,
}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10, "XI": 11, "XII": 12}
_SCHEDULE_WORDS = re.compile(r"\b(?:BULAN|PELAKSANAAN|JADWAL|WAKTU|TRIWULAN|TW|JANGKA)\b")
_QUARTER = re.compile(r"^(?:TW|TRIWULAN|TRW|Q|KUARTAL)\s*(I{1,3}|IV|[1-4])$")
# (pattern over the normalised header text, canonical name), first match wins
_NAMED = (
    (re.compile(r"\bSUB\s*KEGIATAN\b|\bRINCIAN KEGIATAN\b"), "sub_kegiatan"),
    (re.compile(r"\bINDIKATOR\b|\bUKURAN KEBERHASILAN\b"), "indikator"),
    (re.compile(r"\bAREA\b"), "area"),
    (re.compile(r"\bKEGIATAN\b|\bRENCANA AKSI\b|\bPROGRAM\b"), "kegiatan"),
    (re.compile(r"\bPENANGGUNG\s*JAWAB\b|^PJ$|^PIC$|\bPELAKSANA\b"), "penanggung_jawab"),
    (re.compile(r"\bKET\b|\bKETERANGAN\b|\bCATATAN\b"), "keterangan"),
    (re.compile(r"\bTARGET\b"), "target"),
    (re.compile(r"\bOUTPUT\b|\bKELUARAN\b"), "output"),
    (re.compile(r"\bNO\b|\bNOMOR\b"), "area_no"),
)


def norm(text: str) -> str:
    """Header text reduced to upper-case words: case, punctuation and breaks don't matter."""
    return re.sub(r"\s+", " ", re.sub(r"[^0-9A-Za-z]+", " ", text)).strip().upper()


def _is_number_row(cells: list[Cell], n_cols: int) -> bool:
    """The 1..N column-number row that offices print under the header."""
    if sum(c.colspan for c in cells) < n_cols or len(cells) < 5:
        return False
    texts = [norm(c.text) for c in cells]
    return texts == [str(i) for i in range(1, len(cells) + 1)]


def _schedule_token(text: str) -> tuple[str, int] | None:
    t = norm(text)
    if t in _MONTHS:
        return ("bulan", _MONTHS[t])
    m = _QUARTER.match(t)
    if m:
        q = m.group(1)
        return ("tw", _ROMAN.get(q) or int(q))
    if t.isdigit() and 1 <= int(t) <= 12:
        return ("num", int(t))
    if t in _ROMAN and _ROMAN[t] <= 4:  # V and X alone are marks as often as labels
        return ("roman", _ROMAN[t])
    return None


def _ordinal(text: str) -> int | None:
    """1..12 written as digits or roman numerals."""
    t = norm(text)
    if t.isdigit() and 1 <= int(t) <= 12:
        return int(t)
    return _ROMAN.get(t)


def _counts_up(texts: list[str]) -> bool:
    """Schedule labels in order: 1..n, I..XII or Jan..Des (a row of marks never counts up)."""
    values = [_MONTHS.get(norm(t)) or _ordinal(t) for t in texts]
    return values == list(range(1, len(texts) + 1))


def _is_header_cell(text: str) -> bool:
    """Short text that names a column (data cells are longer sentences or marks)."""
    t = norm(text)
    if not t or len(t.split()) > 6:
        return False
    return bool(_SCHEDULE_WORDS.search(t) or _schedule_token(t)
                or any(p.search(t) for p, _ in _NAMED))


def _is_label_row(cells: list[Cell]) -> bool:
    """A header row: mostly column names, or a row of schedule labels (1..12, Jan..Des, TW I..IV)."""
    texts = [c.text for c in cells if c.text.strip()]
    if not texts:
        return False
    named = sum(_is_header_cell(t) for t in texts)
    if len(texts) >= 4 and (all(_schedule_token(t) for t in texts) or _counts_up(texts)):
        return True
    return named >= 2 and named >= 0.6 * len(texts) and not all(
        _schedule_token(t) for t in texts)


def header_rows(grid: PageGrid) -> tuple[int, int | None]:
    """How many top rows are header, and which of them is the column-number row."""
    n_cols = len(grid.xs) - 1
    number_row = None
    r = 0
    while r < grid.n_rows:
        cells = grid.row_cells(r)
        if _is_number_row(cells, n_cols):
            number_row = r
        elif not _is_label_row(cells):
            break
        r += 1
    return r, number_row


def _classify(leaf: str, parents: list[str]) -> str | None:
    """Canonical name of a leaf header; "?k" for a numbered schedule slot whose unit (month
    or quarter) only the number of slots can tell."""
    t = norm(leaf)
    context = " ".join(norm(p) for p in parents)
    if t in _MONTHS:
        return f"bulan_{_MONTHS[t]:02d}"
    quarter = _QUARTER.match(t)
    if quarter:
        q = quarter.group(1)
        return f"tw_{_ROMAN.get(q) or int(q)}"
    k = _ordinal(t)
    if k is not None:
        if re.search(r"TRIWULAN|\bTW\b|KUARTAL", context):
            return f"tw_{k}" if k <= 4 else None
        if "BULAN" in context:
            return f"bulan_{k:02d}"
        return f"?{k}"
    for pattern, name in _NAMED:
        if pattern.search(t):
            return name
    return snake(leaf) or None


def _resolve_slots(columns: list[Column]) -> list[Column]:
    """Numbered schedule slots are months when they run 1..12, quarters when 1..4."""
    slots = [int(c.name[1:]) for c in columns if c.name.startswith("?")]
    unit = {12: "bulan_{:02d}", 4: "tw_{}"}.get(len(slots)) if slots == list(
        range(1, len(slots) + 1)) else None
    out = []
    for c in columns:
        if c.name.startswith("?"):
            k = int(c.name[1:])
            name = unit.format(k) if unit else snake(c.header.split(" / ")[-1])
            c = Column(name, c.x0, c.x1, c.header)
        out.append(c)
    return out


def snake(text: str) -> str:
    return norm(text).lower().replace(" ", "_")


def map_header(grid: PageGrid, previous: ColumnMap | None = None) -> ColumnMap:
    """Canonical columns of a table page; continuation pages without header reuse the last map.

    A header that names none of the core columns (kegiatan, sub kegiatan, indikator) or no
    schedule is an error naming the page and what was found, never garbage rows.
    """
    n_hdr, number_row = header_rows(grid)
    if n_hdr == 0 or (n_hdr == 1 and number_row == 0):
        if previous is None:
            raise HeaderNotRecognised.no_header([c.text for c in grid.row_cells(0)],
                                                grid.page_no)
        return replace(previous, header_rows=n_hdr)
    label_rows = [r for r in range(n_hdr) if r != number_row]
    columns: list[Column] = []
    for c in range(len(grid.xs) - 1):
        stack = [cell.text for cell in _covering(grid, c, label_rows) if cell.text.strip()]
        if not stack:
            continue
        leaf, parents = stack[-1], stack[:-1]
        name = _classify(leaf, parents)
        if name is None:
            continue
        x0, x1 = grid.xs[c], grid.xs[c + 1]
        if columns and columns[-1].name == name and abs(columns[-1].x1 - x0) < 1.0:
            last = columns[-1]
            columns[-1] = Column(name, last.x0, x1, last.header)
        else:
            columns.append(Column(name, x0, x1, " / ".join(stack)))
    if previous is not None and _same_geometry(columns, previous):
        # a repeated header keeps its names (its text may be overprinted) but this page's
        # positions: a scanned page sits a few points off the one before
        placed = tuple(Column(p.name, c.x0, c.x1, p.header)
                       for p, c in zip(previous.columns, columns))
        return replace(previous, columns=placed, header_rows=n_hdr)
    cmap = _checked(_resolve_slots(columns), grid, previous)
    return replace(cmap, header_rows=n_hdr)


def _same_geometry(columns: list[Column], cmap: ColumnMap, tol: float = 8.0) -> bool:
    return len(columns) == len(cmap.columns) and all(
        abs(a.x0 - b.x0) <= tol and abs(a.x1 - b.x1) <= tol
        for a, b in zip(columns, cmap.columns))


def _covering(grid: PageGrid, col: int, rows: list[int]) -> list[Cell]:
    return [cell for cell in grid.cells
            if cell.row in rows and cell.col <= col < cell.col + cell.colspan]


def _checked(columns: list[Column], grid: PageGrid, previous: ColumnMap | None) -> ColumnMap:
    names = [c.name for c in columns]
    months = [n for n in names if n.startswith("bulan_")]
    quarters = [n for n in names if n.startswith("tw_")]
    core = [n for n in CORE if n in names]
    ok = len(core) >= 2 and (len(months) == 12 or len(quarters) == 4)
    if not ok:
        if previous is not None:  # a garbled repeated header (text overprinted): keep the map
            return previous
        missing = [what for what, there in (
            ("schedule columns (months 1-12 or TW I-IV)", len(months) == 12 or len(quarters) == 4),
            ("KEGIATAN / INDIKATOR columns", len(core) >= 2)) if not there]
        raise HeaderNotRecognised.unmapped([c.header for c in columns], missing, grid.page_no)
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        columns = _disambiguate(columns, dupes)
    return ColumnMap(columns=tuple(columns), jadwal_satuan="triwulan" if quarters else "bulan",
                     page_no=grid.page_no, header_rows=0)


def _disambiguate(columns: list[Column], dupes: set[str]) -> list[Column]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        if c.name in dupes:
            seen[c.name] = seen.get(c.name, 0) + 1
            if seen[c.name] > 1:
                c = Column(f"{c.name}_{seen[c.name]}", c.x0, c.x1, c.header)
        out.append(c)
    return out

"""Stage 4: recognise the table header by meaning and say where each column sits.

Headers differ between satker (NO./NOMOR, JADWAL/PELAKSANAAN/TARGET WAKTU, months as
1..12, Jan..Des or TW I..IV, extra PENANGGUNG JAWAB / TARGET columns, SAKIP plans with
SASARAN / INDIKATOR KINERJA SASARAN / target values per quarter / ANGGARAN), so columns
are named from their header words and the header's structure, never from their position
or count alone.

Labels are compared with their spaces removed as well as word by word: a narrow header
cell wraps "Sep" into "Se" / "p" and "10" into "1" / "0", and some producers put a space
after a label's first letter ("A NGGARAN", "T rw II"); the label is still the same.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from .errors import HeaderNotRecognised
from .model import Cell, Column, ColumnMap, MarkCell, PageGrid
from .normalise import read_mark

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
# Over the compact label (see ``compact``): words that title a schedule.
_SCHEDULE_WORDS = re.compile(r"BULAN|PELAKSANAAN|JADWAL|WAKTU|TRIWULAN|JANGKA|^TW|^TRW")
_QUARTER = re.compile(r"^(?:TW|TRIWULAN|TRW|Q|KUARTAL)(I{1,3}|IV|[1-4])$")
# (pattern over the compact label, canonical name), first match wins. Short names are
# anchored: without spaces "NO" or "KET" would match inside other words.
_NAMED = (
    (re.compile(r"SUBKEGIATAN|RINCIANKEGIATAN"), "sub_kegiatan"),
    (re.compile(r"^INDIKATOR(?:KINERJA)?SASARAN"), "indikator_sasaran"),
    (re.compile(r"INDIKATOR|UKURANKEBERHASILAN"), "indikator"),
    (re.compile(r"^TARGET"), "target"),
    (re.compile(r"SASARAN"), "sasaran"),
    (re.compile(r"AREA"), "area"),
    (re.compile(r"^(?:JUMLAH|PAGU)?(?:ANGGARAN|PAGU|BIAYA)"), "anggaran"),
    (re.compile(r"^RENCANAAKSI"), "rencana_aksi"),
    (re.compile(r"KEGIATAN|RENCANAAKSI|PROGRAM"), "kegiatan"),
    (re.compile(r"PENANGGUNGJAWAB|^PJ$|^PIC$|PELAKSANA(?!AN)"), "penanggung_jawab"),
    (re.compile(r"^KET(?:ERANGAN)?$|^KETERANGAN|CATATAN"), "keterangan"),
    (re.compile(r"OUTPUT|KELUARAN"), "output"),
    (re.compile(r"^NO(?:MOR)?(?:URUT)?$"), "area_no"),
)
# A name that stands for the plan's main column when the table has no column of that name:
# a SAKIP plan without an activity INDIKATOR has the sasaran's; one without KEGIATAN lists
# its RENCANA AKSI as the activities.
_STANDS_FOR = (("indikator_sasaran", "indikator"), ("rencana_aksi", "kegiatan"))


# The words header patterns are made of: OCR'd headers are repaired towards them.
_VOCABULARY = frozenset(
    "NO NOMOR AREA PERUBAHAN KEGIATAN SUB RINCIAN INDIKATOR KEBERHASILAN UKURAN KINERJA "
    "PELAKSANAAN JADWAL WAKTU BULAN TRIWULAN KUARTAL JANGKA TARGET OUTPUT KELUARAN "
    "PENANGGUNG JAWAB PELAKSANA KET KETERANGAN CATATAN RENCANA AKSI PROGRAM SASARAN "
    "STRATEGIS ANGGARAN PAGU BIAYA".split())


def norm(text: str) -> str:
    """Header text reduced to upper-case words: case, punctuation and breaks don't matter.

    OCR'd headers come with quotes, brackets, words broken by a stray space ("INDIKA TOR")
    and a misread letter ("KEGlATAN"): pieces that join into a header word are joined, and
    a long word one letter off a header word is read as that word.
    """
    tokens = re.sub(r"[^0-9A-Za-z]+", " ", text).upper().split()
    out: list[str] = []
    for token in tokens:
        if out and out[-1] not in _VOCABULARY and out[-1] + token in _VOCABULARY:
            out[-1] += token
        else:
            out.append(token)
    return " ".join(_repaired(t) for t in out)


@lru_cache(maxsize=1 << 16)  # every cell's words pass here, most of them many times
def _repaired(token: str) -> str:
    if token in _VOCABULARY:
        return token
    if not token.isalpha() and not token.isdigit():  # a letter read as a digit ("N0")
        letters = token.translate(_LETTER_LOOKALIKES)
        return letters if letters in _VOCABULARY else token
    if len(token) < 6 or not token.isalpha():
        return token
    close = difflib.get_close_matches(token, _VOCABULARY, n=1, cutoff=0.85)
    return close[0] if close else token


def compact(text: str) -> str:
    """The normalised label without spaces: a label whatever its breaks ("Se p" → "SEP")."""
    return norm(text).replace(" ", "")


def _is_number_row(cells: Sequence[Cell], n_cols: int) -> bool:
    """The 1..N column-number row that offices print under the header.

    OCR misreads the odd digit ("li" for 11), so most numbers in their place suffice.
    """
    if sum(c.colspan for c in cells) < n_cols or len(cells) < 5:
        return False
    texts = [_digits(compact(c.text)) for c in cells]
    in_place = sum(t == str(i) for i, t in enumerate(texts, start=1))
    return in_place >= 0.8 * len(cells) and all(len(t) <= 3 for t in texts)


def _digits(token: str) -> str:
    """A short token OCR may have read with letters for digits ("l1", "IO")."""
    return token.translate(_DIGIT_LOOKALIKES) if len(token) <= 3 else token


_DIGIT_LOOKALIKES = str.maketrans("ILOSZB", "110528")
_LETTER_LOOKALIKES = str.maketrans("01582", "OISBZ")


def _schedule_token(text: str) -> tuple[str, int] | None:
    t = compact(text)
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
    t = compact(text)
    if t.isdigit() and 1 <= int(t) <= 12:
        return int(t)
    return _ROMAN.get(t)


def _counts_up(texts: list[str]) -> bool:
    """Schedule labels in order: 1..n, I..XII or Jan..Des (a row of marks never counts up)."""
    values = [_MONTHS.get(compact(t)) or _ordinal(t) for t in texts]
    return values == list(range(1, len(texts) + 1))


def _named(text: str) -> str | None:
    t = compact(text)
    return next((name for pattern, name in _NAMED if pattern.search(t)), None)


def _is_header_cell(text: str) -> bool:
    """Short text that names a column (data cells are longer sentences or marks).

    A label starts with a capital or a digit; text that starts in lower case goes on from
    a line above ("dalam kegiatan pemilu", the tail of a row split by the page break)."""
    t = norm(text)
    if not t or len(t.split()) > 6:
        return False
    if _schedule_token(t):
        return True
    return not text.strip()[:1].islower() and bool(
        _SCHEDULE_WORDS.search(compact(t)) or _named(t))


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
    titles: list[Cell] = []  # schedule titles seen so far, whose slot labels may follow
    r = 0
    while r < grid.n_rows:
        cells = grid.row_cells(r)
        if _is_number_row(cells, n_cols):
            number_row = r
        elif not (_is_label_row(cells) or _is_slot_row(cells, titles)):
            break
        titles += [c for c in cells if c.colspan in (4, 12)
                   and _SCHEDULE_WORDS.search(compact(c.text))]
        r += 1
    return r, number_row


def _is_slot_row(cells: list[Cell], titles: list[Cell]) -> bool:
    """The row of slot labels under a schedule title, however garbled: short texts, none of
    them a mark, each in a column of its own under the title."""
    texts = [c for c in cells if c.text.strip()]
    return bool(texts) and all(
        c.colspan == 1 and len(compact(c.text)) <= 10 and read_mark(MarkCell(c.text)) is None
        and any(t.col <= c.col < t.col + t.colspan for t in titles) for c in texts)


def repeated_header_rows(grid: PageGrid, cmap: ColumnMap) -> frozenset[int]:
    """Rows below the top of the page that repeat the header (a spreadsheet's print titles
    or a header copied into the sheet mid-page): every label on them is one of the
    header's own labels, or they are the column-number row."""
    parts = [part for c in cmap.columns for part in c.header.split(" / ")]
    labels = {compact(part) for part in parts}
    longest = max(map(len, parts), default=0) + 4
    n_cols = len(grid.xs) - 1
    out: set[int] = set()
    for r in range(cmap.header_rows, grid.n_rows):
        cells = grid.row_cells(r)
        texts = [c.text for c in cells if c.text.strip()]
        if _is_number_row(cells, n_cols) or (
                len(texts) >= 2 and all(len(t) <= longest and compact(t) in labels for t in texts)
                and _is_label_row(cells)):
            out.add(r)
    return frozenset(out)


def _classify(leaf: str) -> str | None:
    """Canonical name of a leaf header; "?k" for a numbered schedule slot whose unit (month
    or quarter) only the run of slots can tell."""
    t = compact(leaf)
    if t in _MONTHS:
        return f"bulan_{_MONTHS[t]:02d}"
    quarter = _QUARTER.match(t)
    if quarter:
        q = quarter.group(1)
        return f"tw_{_ROMAN.get(q) or int(q)}"
    k = _ordinal(t)
    if k is not None:
        return f"?{k}"  # month or quarter: decided over the whole run (`_resolve_slots`)
    return _named(leaf) or snake(leaf) or None


def _resolve_slots(columns: list[Column]) -> list[Column]:
    """Numbered schedule slots are months or quarters, decided per run of adjacent slots.

    A run counting 1..12 is months and 1..4 quarters, whatever title it sits under: a scan
    can cut the spanning title ("PELAKSANAAN (BULAN)") in two where a glyph touches a column
    line, so no single title cell speaks for the run. Otherwise the run's titles decide
    (TRIWULAN / TW / KUARTAL, or BULAN), and slots that are neither keep their own label.
    """
    out = _misread_slots(columns)
    for i, j in _runs(out, "?"):
        run = out[i:j]
        slots = [int(c.name[1:]) for c in run]
        titles = " ".join(norm(" ".join(c.header.split(" / ")[:-1])) for c in run)
        unit = None
        if slots == list(range(1, len(slots) + 1)) and len(slots) in (4, 12):
            unit = "bulan_{:02d}" if len(slots) == 12 else "tw_{}"
        elif re.search(r"TRIWULAN|\bTW\b|KUARTAL", titles) and max(slots) <= 4:
            unit = "tw_{}"
        elif "BULAN" in titles:
            unit = "bulan_{:02d}"
        for at, (k, c) in enumerate(zip(slots, run, strict=True), start=i):
            name = unit.format(k) if unit else snake(c.header.split(" / ")[-1])
            out[at] = Column(name, c.x0, c.x1, c.header)
    return out


def _misread_slots(columns: list[Column]) -> list[Column]:
    """A label OCR misread ("S" for 5, "l1" for 11) between schedule slots is the slot its
    neighbours count to, when its digit look-alikes read as that number."""
    out = list(columns)
    for i, c in enumerate(out):
        if c.name.startswith("?"):
            continue
        leaf = _digits(compact(c.header.split(" / ")[-1]))
        if not leaf.isdigit():
            continue
        k = int(leaf)
        if (i and out[i - 1].name == f"?{k - 1}") or (
                i + 1 < len(out) and out[i + 1].name == f"?{k + 1}"):
            out[i] = Column(f"?{k}", c.x0, c.x1, c.header)
    return out


def _runs(columns: Sequence[Column], prefix: str, counting: bool = False) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` of adjacent columns whose names start with ``prefix``; with
    ``counting``, a run also ends where the numbering starts again (TW I..IV, TW I..IV)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(columns):
        if not columns[i].name.startswith(prefix):
            i += 1
            continue
        j = i + 1
        while j < len(columns) and columns[j].name.startswith(prefix) and not (
                counting and columns[j].name <= columns[j - 1].name):
            j += 1
        out.append((i, j))
        i = j
    return out


def snake(text: str) -> str:
    return norm(text).lower().replace(" ", "_")


def _titled_schedule(grid: PageGrid, label_rows: list[int], columns: list[Column]) -> list[Column]:
    """Slots under a schedule title are its months or quarters by their number.

    A title such as PELAKSANAAN (BULAN) or JADWAL spanning exactly 12 (or 4) grid columns,
    each labelled by a cell of its own, schedules months (or quarters) in order, whatever
    those labels became: a wrapped "Se" / "p" or an unreadable label is still its month.
    """
    out = list(columns)
    for title in grid.cells:
        k = title.colspan
        if title.row not in label_rows or k not in (12, 4):
            continue
        if not _SCHEDULE_WORDS.search(compact(title.text)):
            continue
        slots = range(title.col, title.col + k)
        leaves = [_covering(grid, c, label_rows)[-1] for c in slots]
        if any(leaf is title or leaf.colspan != 1 for leaf in leaves):
            continue
        x0, x1 = grid.xs[title.col], grid.xs[title.col + k]
        unit = "bulan_{:02d}" if k == 12 else "tw_{}"
        named = [Column(unit.format(i), grid.xs[c], grid.xs[c + 1], f"{title.text} / {leaf.text}")
                 for i, (c, leaf) in enumerate(zip(slots, leaves), start=1)]
        before = [c for c in out if c.x1 <= x0 + 1.0]
        after = [c for c in out if c.x0 >= x1 - 1.0]
        out = before + named + after
    return out


def _quarter_targets(grid: PageGrid, first_body_row: int, columns: list[Column]) -> list[Column]:
    """Quarter columns that hold target values ("55,56 %", "WTP") are targets, not a schedule.

    A quarterly column is a schedule only when its cells are marks (tick, dash, shading,
    empty); each run of TW I..IV columns is judged on its own, so a plan may have both.
    When the table also has twelve month columns, those are its schedule and the quarter
    columns are targets whatever they hold: a plan has one schedule.
    """
    months = sum(c.name.startswith("bulan_") for c in columns) == 12
    out = list(columns)
    for i, j in _runs(out, "tw_", counting=True):
        run = out[i:j]
        texts = [cell.text for cell in grid.cells if cell.row >= first_body_row and cell.text
                 and any(q.x0 - 1.0 <= cell.bbox[0] and cell.bbox[2] <= q.x1 + 1.0 for q in run)]
        values = sum(read_mark(MarkCell(t)) is None for t in texts)
        if months or values > 0.1 * len(texts):
            out[i:j] = [Column(f"target_tw{c.name[3:]}", c.x0, c.x1, c.header) for c in run]
    return out


def _stand_ins(columns: list[Column]) -> list[Column]:
    """Names that depend on the rest of the table (see _STANDS_FOR)."""
    names = {c.name for c in columns}
    rename = {own: main for own, main in _STANDS_FOR if own in names and main not in names}
    if "area" not in names:
        rename["area_no"] = "no"  # without an AREA column, NO. numbers the rows, not areas
    return [Column(rename.get(c.name, c.name), c.x0, c.x1, c.header) for c in columns]


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
        cmap = replace(previous, header_rows=n_hdr)
        return replace(cmap, repeated=repeated_header_rows(grid, cmap))
    label_rows = [r for r in range(n_hdr) if r != number_row]
    columns: list[Column] = []
    leaves: list[Cell] = []
    for c in range(len(grid.xs) - 1):
        stack = [cell for cell in _covering(grid, c, label_rows) if cell.text.strip()]
        if not stack:
            continue
        leaf = stack[-1]
        name = _classify(leaf.text)
        if name is None:
            continue
        x0, x1 = grid.xs[c], grid.xs[c + 1]
        if leaves and leaves[-1] is leaf and abs(columns[-1].x1 - x0) < 1.0:
            # one header cell over several grid columns is one column; two header cells
            # are two columns, even when they mean the same
            last = columns[-1]
            columns[-1] = Column(name, last.x0, x1, last.header)
        else:
            columns.append(Column(name, x0, x1, " / ".join(cell.text for cell in stack)))
            leaves.append(leaf)
    if previous is not None and _same_geometry(columns, previous):
        # a repeated header keeps its names (its text may be overprinted) but this page's
        # positions: a scanned page sits a few points off the one before
        placed = tuple(Column(p.name, c.x0, c.x1, p.header)
                       for p, c in zip(previous.columns, columns))
        cmap = replace(previous, columns=placed, header_rows=n_hdr)
        return replace(cmap, repeated=repeated_header_rows(grid, cmap))
    columns = _titled_schedule(grid, label_rows, _resolve_slots(columns))
    columns = _stand_ins(_quarter_targets(grid, n_hdr, columns))
    cmap = replace(_checked(columns, grid, previous), header_rows=n_hdr)
    return replace(cmap, repeated=repeated_header_rows(grid, cmap))


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

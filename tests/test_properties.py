"""Property tests for the pure stages: whatever text a broken PDF or a bad OCR hands them,
they answer within their contract or raise the stage's typed error, never anything else."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.errors import HeaderNotRecognised
from extract.header import map_header
from extract.metadata import iso_date, read_metadata
from extract.model import Cell, Column, ColumnMap, DecreeMeta, MarkCell, PageGrid
from extract.normalise import area_number, doc_slug, read_mark
from extract.stitch import TablePage, stitch
from extract.text import collapse

FAST = settings(max_examples=150, deadline=None)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
# Words the stages look for, mixed into arbitrary text so the interesting branches are hit.
DECREE_WORDS = ("KEPUTUSAN KOMISI PEMILIHAN UMUM KOTA SINGKAWANG", "NOMOR", "TAHUN", "TENTANG",
                "Ditetapkan di Singkawang", "pada tanggal 16 Januari 2023", "KETUA,", "ttd",
                "KPU", "KIP ACEH", "NOMOR : 6/PL.01-Kpt/6172/2023", "31 Februari 2023", ",")
HEADER_WORDS = ("NO.", "AREA PERUBAHAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN",
                "JADWAL PELAKSANAAN", "BULAN", "TRIWULAN", "TW I", "TW IV", "Jan", "Des", "KET.",
                "PENANGGUNG JAWAB", "TARGET", "1", "2", "12", "13", "II", "", "√", "-")
CELL_TEXTS = ("", "", "1.", "2.", "a.", "1)", "Area A", "Kegiatan satu", "sub", "lanjutan teks",
              "√", "-", "x", "ket")
any_text = st.text(max_size=60)


@FAST
@given(st.text(max_size=12), st.booleans())
def test_read_mark_is_yes_no_or_unknown(text, shaded):
    assert read_mark(MarkCell(text=text, shaded=shaded)) in (True, False, None)


@FAST
@given(any_text)
def test_area_number_never_raises(text):
    n = area_number(text)
    assert n is None or 0 <= n < 2**63  # fits the contract's int column


@FAST
@given(st.integers(min_value=0, max_value=999))
def test_area_number_reads_printed_numbers(n):
    assert area_number(f" {n}. ") == n


def test_area_number_refuses_numbers_no_table_has():
    assert area_number("99999999999999999999.") is None


@FAST
@given(any_text)
def test_iso_date_is_none_or_a_real_date(text):
    iso = iso_date(text)
    assert iso is None or date.fromisoformat(iso).isoformat() == iso


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_date_round_trips(d):
    assert iso_date(f"pada tanggal {d.day} {BULAN[d.month - 1]} {d.year}") == d.isoformat()


@FAST
@given(st.lists(st.one_of(any_text, st.sampled_from(DECREE_WORDS)), max_size=12))
def test_read_metadata_never_raises(lines):
    meta = read_metadata(["\n".join(lines)])
    assert isinstance(meta, DecreeMeta)
    assert meta.tahun is None or 1900 <= meta.tahun <= 2099
    assert meta.tanggal_penetapan is None or date.fromisoformat(meta.tanggal_penetapan)


@FAST
@given(st.from_regex(r"[0-9A-Za-z./-]{0,10}[0-9][0-9A-Za-z./-]{0,10}", fullmatch=True),
       st.integers(1900, 2099))
def test_nomor_and_tahun_round_trip(nomor, tahun):
    meta = read_metadata([f"KEPUTUSAN KPU KOTA SINGKAWANG\nNOMOR {nomor} TAHUN {tahun}\nTENTANG"])
    own = re.search(r"(?:^|[/.-])((?:19|20)[0-9]{2})$", nomor)  # a number that ends in its year
    agree = own is None or int(own.group(1)) == tahun
    assert (meta.nomor, meta.tahun) == (nomor, tahun if agree else None)
    assert agree or any(w.startswith("tahun:") for w in meta.warnings)


@FAST
@given(st.one_of(st.none(), st.text()), st.one_of(st.none(), st.integers()),
       st.one_of(st.none(), st.text()), st.text())
def test_doc_slug_is_always_a_safe_folder_name(instansi, tahun, nomor, fallback):
    slug = doc_slug(instansi, tahun, nomor, fallback)
    assert SLUG.match(slug) and len(slug) <= 120


@st.composite
def header_grids(draw) -> PageGrid:
    """A small ruled grid whose rows hold header words, numbers or noise, some cells spanning."""
    n_cols = draw(st.integers(1, 20))
    n_rows = draw(st.integers(1, 4))
    xs = tuple(float(20 * i) for i in range(n_cols + 1))
    cells = []
    for r in range(n_rows):
        c = 0
        while c < n_cols:
            span = draw(st.integers(1, min(3, n_cols - c)))
            text = draw(st.one_of(st.sampled_from(HEADER_WORDS), st.text(max_size=15)))
            cells.append(Cell(r, c, 1, span, (xs[c], 10.0 * r, xs[c + span], 10.0 * (r + 1)), text))
            c += span
    ys = tuple(10.0 * r for r in range(n_rows + 1))
    return PageGrid(page_no=draw(st.integers(1, 50)), bbox=(0, 0, xs[-1], ys[-1]), xs=xs, ys=ys,
                    cells=tuple(cells))


@FAST
@given(header_grids(), st.booleans())
def test_map_header_maps_or_says_not_recognised(grid, with_previous):
    previous = CMAP if with_previous else None
    try:
        cmap = map_header(grid, previous)
    except HeaderNotRecognised as exc:
        assert exc.page == grid.page_no
        return
    assert isinstance(cmap, ColumnMap) and cmap.columns
    assert len(set(cmap.names)) == len(cmap.names)


NAMES = ("area_no", "area", "kegiatan", "sub_kegiatan", "indikator", "bulan_01", "bulan_02",
         "keterangan")
XS = tuple(float(10 * i) for i in range(len(NAMES) + 1))
CMAP = ColumnMap(columns=tuple(Column(n, XS[i], XS[i + 1], n.upper()) for i, n in enumerate(NAMES)),
                 jadwal_satuan="bulan", page_no=1, header_rows=0)
TEXT_COLS = [i for i, n in enumerate(NAMES) if not n.startswith("bulan_")]


@st.composite
def table_pages(draw) -> list[TablePage]:
    """1-3 pages of plan rows; hierarchy cells (first four columns) may span rows down."""
    pages = []
    for page_no in range(1, draw(st.integers(1, 3)) + 1):
        n_rows = draw(st.integers(1, 6))
        cells = []
        covered: set[tuple[int, int]] = set()
        for r in range(n_rows):
            for c in range(len(NAMES)):
                if (r, c) in covered:
                    continue
                span = draw(st.integers(1, n_rows - r)) if c < 4 else 1
                covered.update((r + k, c) for k in range(span))
                text = draw(st.one_of(st.sampled_from(CELL_TEXTS), st.text(max_size=12)))
                cells.append(Cell(r, c, span, 1, (XS[c], 10.0 * r, XS[c + 1], 10.0 * (r + span)),
                                  text, full=draw(st.booleans())))
        ys = tuple(10.0 * r for r in range(n_rows + 1))
        pages.append(TablePage(PageGrid(page_no, (0, 0, XS[-1], ys[-1]), XS, ys, tuple(cells)), CMAP))
    return pages


@FAST
@given(table_pages())
def test_stitch_keeps_every_text_cell(pages):
    rows = stitch(pages)
    assert len(rows) <= sum(p.grid.n_rows for p in pages)
    for page in pages:
        for cell in page.grid.cells:
            text = collapse(cell.text)
            if cell.col in TEXT_COLS and text:
                name = NAMES[cell.col]
                assert any(text in row.values.get(name, "") for row in rows), (name, text)
    for row in rows:
        assert 1 <= row.halaman_awal <= row.halaman_akhir <= len(pages)

import pytest

from extract.model import MarkCell
from extract.normalise import area_number, doc_slug, months_of, read_mark, rupiah


@pytest.mark.parametrize("text", ["√", "✓", "✔", "v", "V", "x", "X", "√ √", "●", "■"])
def test_ticks_are_true(text):
    assert read_mark(MarkCell(text)) is True


@pytest.mark.parametrize("text", ["", "-", "–", "—"])
def test_dashes_and_blanks_are_false(text):
    assert read_mark(MarkCell(text)) is False


def test_shaded_cell_is_true_and_unknown_is_none():
    assert read_mark(MarkCell("", shaded=True)) is True
    assert read_mark(MarkCell("50%")) is None


def test_area_numbers():
    assert [area_number(t) for t in ["1.", "8", "II.", "IV)", "", "A.", "c)", "Z."]] == [
        1, 8, 2, 4, None, 1, 3, None]


def test_quarters_become_months():
    assert months_of([True, False, None, True], "triwulan") == (
        [True] * 3 + [False] * 3 + [None] * 3 + [True] * 3)


def test_doc_slug_is_safe():
    assert doc_slug("KPU Kota Singkawang", 2023, "6", "x") == "kpu-kota-singkawang-2023-6"
    slug = doc_slug("../../etc/" + "A" * 300 + "\x00", 2023, "1/2", "x")
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") and len(slug) <= 120
    assert doc_slug(None, None, None, "Nama Berkas!") == "nama-berkas"


@pytest.mark.parametrize("text,rupiah_", [
    ("452.750.000,00", 452750000.0), ("Rp 1.290.200.000,00", 1290200000.0),
    ("Rp. 5.000.000,-", 5000000.0), ("452,750,000.00", 452750000.0), ("12", 12.0),
    ("", None), ("-", None), ("APBD", None), ("1,5 M", None)])
def test_anggaran_is_read_as_rupiah(text, rupiah_):
    assert rupiah(text) == rupiah_


def test_doc_slug_of_long_numbers_is_bounded_and_distinct():
    slug = doc_slug("KPU Kabupaten Klaten", 2024, "12/HK.03-Kpt/3310/Sek/II/2024", "x")
    assert slug == "kpu-kabupaten-klaten-2024-12-hk-03-kpt-3310-sek-ii-2024"
    long = "12/HK.03-Kpt/3310/Sek/II/2024/" + "Lampiran-Perubahan-Kedua/" * 5
    a, b = (doc_slug("KPU Kabupaten Klaten", 2024, long + end, "x") for end in ("A", "B"))
    assert a != b and len(a) == len(b) == 110 and a == doc_slug("KPU Kabupaten Klaten", 2024,
                                                                   long + "A", "x")

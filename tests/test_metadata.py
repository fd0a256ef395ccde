import pytest

from decree_pdf import Decree, build
from extract.metadata import instansi_of, iso_date, read_metadata
from extract.pipeline import run

BODY = """KOMISI PEMILIHAN UMUM KABUPATEN ACEH BESAR
KEPUTUSAN KOMISI INDEPENDEN PEMILIHAN KABUPATEN ACEH BESAR
NOMOR 12/PL.01-Kpt/1106/2024 TAHUN 2024
TENTANG
PENETAPAN RENCANA AKSI KEGIATAN REFORMASI BIROKRASI
TAHUN 2024
KETUA KOMISI INDEPENDEN PEMILIHAN KABUPATEN ACEH BESAR,
Menimbang : a. bahwa ...
Ditetapkan di Jantho
pada tanggal 2 Pebruari 2024
KETUA KOMISI INDEPENDEN PEMILIHAN
KABUPATEN ACEH BESAR,
ttd.
NAMA KETUA
Salinan sesuai dengan aslinya"""


def test_read_metadata_from_text():
    m = read_metadata([BODY])
    assert m.instansi == "KIP Kabupaten Aceh Besar"
    assert (m.jenis, m.wilayah, m.provinsi, m.kode_wilayah) == (
        "kabupaten", "Aceh Besar", "Aceh", "11.06")
    assert (m.nomor, m.tahun) == ("12/PL.01-Kpt/1106/2024", 2024)
    assert m.tentang == "PENETAPAN RENCANA AKSI KEGIATAN REFORMASI BIROKRASI TAHUN 2024"
    assert (m.tempat_penetapan, m.tanggal_penetapan) == ("Jantho", "2024-02-02")
    assert m.penandatangan == "NAMA KETUA"
    assert m.jabatan_penandatangan == "KETUA KOMISI INDEPENDEN PEMILIHAN KABUPATEN ACEH BESAR"


def test_dates():
    assert iso_date("16 Januari 2023") == "2023-01-16"
    assert iso_date("31 Nopember 2023") is None  # no such day
    assert iso_date("5 Foo 2023") is None


def test_nothing_is_invented():
    m = read_metadata(["RENCANA AKSI REFORMASI BIROKRASI TAHUN 2023"])
    assert m.instansi is None and m.nomor is None and m.penandatangan is None


def test_instansi_forms():
    assert instansi_of("KEPUTUSAN KOMISI PEMILIHAN UMUM PROVINSI KALIMANTAN BARAT") == \
        "KPU Provinsi Kalimantan Barat"
    assert instansi_of("KEPUTUSAN KOMISI PEMILIHAN UMUM KOTA SINGKAWANG") == "KPU Kota Singkawang"


def test_title_broken_after_the_commission_name():
    text = "KEPUTUSAN KOMISI PEMILIHAN UMUM\nKABUPATEN BENGKAYANG\nNOMOR 29 TAHUN 2023"
    assert instansi_of(text) == "KPU Kabupaten Bengkayang"


def test_numeric_dates():
    assert iso_date("16-01-2023") == "2023-01-16" and iso_date("5/2/2024") == "2024-02-05"
    assert iso_date("31/02/2023") is None
    m = read_metadata(["Ditetapkan di Sambas\npada tanggal 05-01-2023\nKETUA,\nNAMA"])
    assert (m.tempat_penetapan, m.tanggal_penetapan, m.penandatangan) == (
        "Sambas", "2023-01-05", "NAMA")


@pytest.mark.parametrize("read", ["pada tanggal! 17 Januari 2023", "pada tanggal; 17 Januari 2023",
                                  "pada tanggal : 17 Januari 2023"])
def test_the_colon_after_tanggal_as_ocr_reads_it(read):
    m = read_metadata([f"Ditetapkan di Sleman\n{read}\nKETUA,\nYOHANES ANTONIUS"])
    assert (m.tanggal_penetapan, m.jabatan_penandatangan) == ("2023-01-17", "KETUA")


# --- the decree's own number, in every form KPU prints it, from real PDFs -------------------

NUMBERS = {  # printed NOMOR line(s) → (nomor, tahun, doc_id tail)
    "plain": (("NOMOR 6 TAHUN 2024",), "6", 2024, "2024-6"),
    "zero-padded": (("NOMOR 06 TAHUN 2024",), "06", 2024, "2024-06"),
    "long": (("NOMOR 12/HK.03-Kpt/3310/Sek/II/2024",), "12/HK.03-Kpt/3310/Sek/II/2024", 2024,
             "2024-12-hk-03-kpt-3310-sek-ii-2024"),
    "long-kota": (("NOMOR 123/PP.04.1-Kpt/6172/KPU-Kot/I/2023",),
                  "123/PP.04.1-Kpt/6172/KPU-Kot/I/2023", 2023,
                  "2023-123-pp-04-1-kpt-6172-kpu-kot-i-2023"),
    "colon": (("NOMOR : 12/HK.03-Kpt/3310/Sek/II/2024",), "12/HK.03-Kpt/3310/Sek/II/2024", 2024,
              "2024-12-hk-03-kpt-3310-sek-ii-2024"),
    "broken": (("NOMOR : 123/PP.04.1-Kpt/6172/KPU-", "Kot/I/2023"),
               "123/PP.04.1-Kpt/6172/KPU-Kot/I/2023", 2023,
               "2023-123-pp-04-1-kpt-6172-kpu-kot-i-2023"),
}


@pytest.mark.parametrize("body", [True, False], ids=["body", "lampiran-only"])
@pytest.mark.parametrize("form", NUMBERS)
def test_every_numbering_form_is_the_decrees_own(form, body, tmp_path):
    printed, nomor, tahun, tail = NUMBERS[form]
    pdf = build(tmp_path / f"{form}.pdf", Decree(nomor_lines=printed, year=tahun), body=body)
    result = run(pdf)
    m = result.meta
    assert (m.nomor, m.tahun) == (nomor, tahun)  # never "7"/2017 from Mengingat
    assert (m.instansi, m.tanggal_penetapan, m.penandatangan) == (
        "KPU Kabupaten Klaten", f"{tahun}-02-10", "YOHANES ANTONIUS")
    assert m.tentang == f"PENETAPAN RENCANA AKSI KEGIATAN REFORMASI BIROKRASI TAHUN {tahun}"
    assert result.doc_id == f"kpu-kabupaten-klaten-{tail}"
    assert m.warnings == ()


def test_a_cited_regulations_number_is_never_taken(tmp_path):
    """A title block without a readable number leaves nomor empty, with a warning: the
    numbers in Menimbang, Mengingat and under the table belong to other regulations."""
    pdf = build(tmp_path / "no-number.pdf", Decree(nomor_lines=("NOMOR",)))
    m = run(pdf).meta
    assert m.nomor is None and m.tahun == 2024  # the year still stands from the date
    assert any(w.startswith("nomor:") for w in m.warnings)


def test_lampiran_only_without_its_decrees_title_reads_the_plan_title(tmp_path):
    """The Excel style: the plan title and the closing block are all the decree prints."""
    pdf = build(tmp_path / "excel-like.pdf", Decree(year=2025), body=False, lampiran_block=False)
    result = run(pdf)
    m = result.meta
    assert (m.instansi, m.nomor, m.tahun) == ("KPU Kabupaten Klaten", None, 2025)
    assert (m.tanggal_penetapan, m.penandatangan) == ("2025-02-10", "YOHANES ANTONIUS")
    assert result.doc_id == "kpu-kabupaten-klaten-2025"
    assert [w.split(":")[0] for w in m.warnings] == ["nomor"]


def test_years_that_disagree_leave_tahun_empty_with_a_warning():
    text = ("KEPUTUSAN KOMISI PEMILIHAN UMUM KABUPATEN KLATEN\nNOMOR 12/HK.03-Kpt/3310/Sek/II/2024"
            "\nTENTANG\nRENCANA AKSI TAHUN 2024\nKETUA,\nDitetapkan di Klaten\n"
            "pada tanggal 3 Januari 2025\nKETUA,\nNAMA")
    m = read_metadata([text])
    assert m.nomor == "12/HK.03-Kpt/3310/Sek/II/2024" and m.tahun is None
    assert any("2024" in w and "2025" in w for w in m.warnings if w.startswith("tahun:"))


_SCANNED_TITLE = ("KEPUTUSAN KOMISI INDEPENDEN PEMILIHAN KABUPATEN ACEH BESAR\n"
                  "NOMOR {} TAHUN 2025\nTENTANG\nRENCANA AKSI TAHUN 2025\nKETUA,\n"
                  "Ditetapkan di Jantho\npada tanggal 6 Januari 2025\nKETUA,\nNAMA")
_SCANNED_LAMPIRAN = ("LAMPIRAN\nKEPUTUSAN KOMISI INDEPENDEN PEMILIHAN KABUPATEN ACEH BESAR\n"
                     "NOMOR {} TAHUN 2025\nTENTANG\nRENCANA AKSI TAHUN 2025")


@pytest.mark.parametrize("title, lampiran, nomor, doubted", [
    # OCR of a sans-serif "/I/": the LAMPIRAN block's capitals read true, the title's case kept
    ("7I/HK.03-Kpt/1106/KIP-Kab!/I/2025", "7/HK.03-KPT/1106/KIP-KAB/I/2025",
     "7/HK.03-Kpt/1106/KIP-Kab/I/2025", False),
    ("123/PP.04.1-Kpt/61/Prov/1I/2025", "123/PP.04.1-KPT/61/PROV/I/2025",
     "123/PP.04.1-Kpt/61/Prov/I/2025", False),
    # the "/" before the year read as "1"; the parts both print keep the title's spelling
    ("3/HK.03.1-Kpt/827212025", "3/HK.03.1-KPT/8272/2025", "3/HK.03.1-Kpt/8272/2025", False),
    # both misread: the title block's stays, with a line saying it does not read as a number
    ("12/HK.03-Kpt/6104/Kab/1lI/2025", "12/HK.03-KPT/6104/KAB/I1/2025",
     "12/HK.03-Kpt/6104/Kab/1lI/2025", True),
    # a well-formed title number is kept whatever the other copy says; "/11/" is a code
    ("12/HK.03-Kpt/11/2025", "12/HK.03-KPT/1I/2025", "12/HK.03-Kpt/11/2025", False),
])
def test_a_misread_number_is_taken_from_the_lampiran_blocks_copy(title, lampiran, nomor, doubted):
    m = read_metadata([_SCANNED_TITLE.format(title), _SCANNED_LAMPIRAN.format(lampiran)])
    assert m.nomor == nomor and m.tahun == 2025
    lines = [w for w in m.warnings if w.startswith("nomor:")]
    assert lines[0].startswith(f"nomor: the title block prints {title!r}")
    assert any("does not read as a decree number" in w for w in lines) == doubted


def test_a_plan_decreed_the_year_before_keeps_the_decrees_year():
    text = ("KEPUTUSAN KPU KOTA SINGKAWANG\nNOMOR 40 TAHUN 2023\nTENTANG\n"
            "RENCANA AKSI REFORMASI BIROKRASI TAHUN 2024\nKETUA,\nDitetapkan di Singkawang\n"
            "pada tanggal 28 Desember 2023\nKETUA,\nNAMA")
    m = read_metadata([text])
    assert m.tahun == 2023 and any(w.startswith("tahun: the title") for w in m.warnings)


def test_signature_split_by_a_page_break():
    """Calc's closing block runs onto the next page after a footer and the repeated header."""
    pages = ["Ditetapkan di Pontianak\npada tanggal 10 Februari 2024\nKETUA KOMISI PEMILIHAN UMUM\n"
             "KOTA PONTIANAK,\nttd.\nHalaman 7", "SUPRIYADI\nSalinan sesuai dengan aslinya"]
    m = read_metadata(pages)
    assert (m.penandatangan, m.jabatan_penandatangan) == (
        "SUPRIYADI", "KETUA KOMISI PEMILIHAN UMUM KOTA PONTIANAK")

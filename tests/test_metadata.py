from extract.metadata import instansi_of, iso_date, read_metadata

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

import pytest

from extract.reference import AREA_KODE, area_kode, region_of


@pytest.mark.parametrize("text,kode", [
    ("Manajemen Perubahan", "manajemen_perubahan"),
    ("Penataan Peraturan Perundangan/Deregulasi Kebijakan", "deregulasi_kebijakan"),
    ("Penataan Organisasi/Kelembagaan", "penataan_organisasi"),
    ("Penguatan Tata Laksana", "penataan_tatalaksana"),
    ("Sistem Manajemen Sumber Daya Manusia", "penataan_sdm"),
    ("Penguatan  akuntabilitas kinerja", "penguatan_akuntabilitas"),
    ("Pengawasan", "penguatan_pengawasan"),
    ("Peningkatan Kualitas Pelayanan Publik", "pelayanan_publik"),
    ("Manajemen Perubahn", "manajemen_perubahan"),
])
def test_area_kode(text, kode):
    assert area_kode(text) == kode and kode in AREA_KODE


def test_unknown_area_is_none():
    assert area_kode("Kegiatan Lain-lain") is None


@pytest.mark.parametrize("instansi,jenis,kode", [
    ("KPU Kota Singkawang", "kota", "61.72"),
    ("KPU Kota Palangka Raya", "kota", "62.71"),
    ("KIP Kabupaten Aceh Besar", "kabupaten", "11.06"),
    ("KIP Aceh", "provinsi", "11"),
    ("KPU Provinsi DKI Jakarta", "provinsi", "31"),
    ("KPU", "pusat", None),
])
def test_region_of(instansi, jenis, kode):
    region = region_of(instansi)
    assert region.jenis == jenis and region.kode_wilayah == kode

-- renaksi: SQL views over the combined tables that `renaksi extract` writes, for DuckDB 1.0 or later.
--
-- The file names below are resolved against DuckDB's file_search_path, so run it inside the
-- output folder, or first:  SET file_search_path = 'data/processed';
-- In the duckdb shell:      .read extract/sql/renaksi.sql
-- From Python:              con.execute(open("extract/sql/renaksi.sql").read())
--
-- A plan is one satker's decree for one year. Comparisons count per decree (doc_id), never
-- per instansi: the 2023 and 2024 plans of one satker are two plans, and `keputusan.terbaru`
-- marks the one plan per satker that a comparison of current plans uses.

-- The three combined tables, one view each (never read_parquet('*.parquet'): they differ in columns).
CREATE OR REPLACE VIEW rencana_aksi AS SELECT * FROM read_parquet('rencana_aksi.parquet');
CREATE OR REPLACE VIEW dokumen AS SELECT * FROM read_parquet('dokumen.parquet');
CREATE OR REPLACE VIEW jadwal AS SELECT * FROM read_parquet('jadwal.parquet');

-- The eight RB areas, titled as Road Map RB 2020-2024 (PermenPANRB 25/2020) writes them.
CREATE OR REPLACE VIEW area_rb AS
SELECT * FROM (VALUES
    (1, 'manajemen_perubahan', 'Manajemen Perubahan'),
    (2, 'deregulasi_kebijakan', 'Deregulasi Kebijakan'),
    (3, 'penataan_organisasi', 'Penataan Organisasi'),
    (4, 'penataan_tatalaksana', 'Penataan Tatalaksana'),
    (5, 'penataan_sdm', 'Penataan Sistem Manajemen SDM Aparatur'),
    (6, 'penguatan_akuntabilitas', 'Penguatan Akuntabilitas'),
    (7, 'penguatan_pengawasan', 'Penguatan Pengawasan'),
    (8, 'pelayanan_publik', 'Peningkatan Kualitas Pelayanan Publik')
) AS t(area_no, area_kode, judul);

-- One row per decree. jadwal_satuan: 'triwulan' when every row of the plan is scheduled in
-- quarters (TW I-IV), else 'bulan'. terbaru: the satker's latest plan (highest tahun, then the
-- latest tanggal_penetapan, then doc_id); satker_keputusan: how many decrees the satker has.
CREATE OR REPLACE VIEW keputusan AS
WITH baris AS (
    SELECT doc_id,
           count(*) AS baris,
           count(*) FILTER (WHERE jadwal_satuan = 'triwulan') AS baris_triwulan
    FROM rencana_aksi
    GROUP BY doc_id
), d AS (
    SELECT *,
           lower(coalesce(instansi, doc_id)) AS satker_kunci,
           TRY_CAST(tanggal_penetapan AS DATE) AS tanggal
    FROM dokumen
)
SELECT d.doc_id, d.instansi, d.tahun, d.nomor, d.tanggal AS tanggal_penetapan,
       coalesce(b.baris, 0) AS baris,
       CASE WHEN b.baris > 0 AND b.baris_triwulan = b.baris THEN 'triwulan' ELSE 'bulan' END AS jadwal_satuan,
       row_number() OVER (
           PARTITION BY d.satker_kunci
           ORDER BY d.tahun DESC NULLS LAST, d.tanggal DESC NULLS LAST, d.doc_id DESC
       ) = 1 AS terbaru,
       count(*) OVER (PARTITION BY d.satker_kunci) AS satker_keputusan
FROM d LEFT JOIN baris b ON b.doc_id = d.doc_id;

-- The rows of each satker's latest plan: compare these, not rencana_aksi, across satker.
CREATE OR REPLACE VIEW rencana_aksi_terbaru AS
SELECT r.* FROM rencana_aksi r JOIN keputusan k ON k.doc_id = r.doc_id WHERE k.terbaru;

-- Rows scheduled per period of each decree, in the plan's own unit: months 1..12 of a monthly
-- plan, quarters 1..4 (TW I..IV) of a quarterly one; periods without rows give 0.
CREATE OR REPLACE VIEW beban_jadwal AS
WITH periode AS (
    SELECT k.doc_id, k.jadwal_satuan AS satuan, p.periode
    FROM keputusan k CROSS JOIN range(1, 13) AS p(periode)
    WHERE k.jadwal_satuan = 'bulan' OR p.periode <= 4
), terjadwal AS (
    SELECT j.doc_id,
           CASE WHEN k.jadwal_satuan = 'triwulan' THEN (j.bulan + 2) // 3 ELSE j.bulan END AS periode,
           count(DISTINCT j.row_no) AS baris
    FROM jadwal j JOIN keputusan k ON k.doc_id = j.doc_id
    GROUP BY ALL
)
SELECT p.doc_id, p.satuan, p.periode,
       CASE p.satuan
           WHEN 'triwulan' THEN ['TW I', 'TW II', 'TW III', 'TW IV'][p.periode]
           ELSE ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'][p.periode]
       END AS nama,
       coalesce(t.baris, 0) AS baris
FROM periode p LEFT JOIN terjadwal t ON t.doc_id = p.doc_id AND t.periode = p.periode;

-- Rows per decree and RB area, the eight areas always present (0 where the plan has none).
CREATE OR REPLACE VIEW cakupan_area AS
SELECT k.doc_id, a.area_no, a.area_kode, a.judul, count(r.row_no) AS baris
FROM keputusan k CROSS JOIN area_rb a
LEFT JOIN rencana_aksi r ON r.doc_id = k.doc_id AND r.area_kode = a.area_kode
GROUP BY k.doc_id, a.area_no, a.area_kode, a.judul;

"""The rencana-aksi table as a pandera model: the contract's columns and the rules each row obeys."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from extract.reference import AREA_KODE

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class RencanaAksi(pa.DataFrameModel):
    doc_id: Series[pd.StringDtype] = pa.Field(str_matches=SLUG)
    row_no: Series[int] = pa.Field(ge=1, unique=True)
    area_no: Series[pd.Int64Dtype] = pa.Field(ge=1, le=20)
    area: Series[pd.StringDtype] = pa.Field(str_length={"min_value": 1})
    area_kode: Series[pd.StringDtype] = pa.Field(isin=AREA_KODE, nullable=True)
    kegiatan: Series[pd.StringDtype] = pa.Field(str_length={"min_value": 1})
    sub_kegiatan: Series[pd.StringDtype]
    indikator: Series[pd.StringDtype]
    bulan_01: Series[pd.BooleanDtype]
    bulan_02: Series[pd.BooleanDtype]
    bulan_03: Series[pd.BooleanDtype]
    bulan_04: Series[pd.BooleanDtype]
    bulan_05: Series[pd.BooleanDtype]
    bulan_06: Series[pd.BooleanDtype]
    bulan_07: Series[pd.BooleanDtype]
    bulan_08: Series[pd.BooleanDtype]
    bulan_09: Series[pd.BooleanDtype]
    bulan_10: Series[pd.BooleanDtype]
    bulan_11: Series[pd.BooleanDtype]
    bulan_12: Series[pd.BooleanDtype]
    jadwal_satuan: Series[pd.StringDtype] = pa.Field(isin=("bulan", "triwulan"))
    keterangan: Series[pd.StringDtype]
    halaman_awal: Series[int] = pa.Field(ge=1)
    halaman_akhir: Series[int] = pa.Field(ge=1)

    @pa.dataframe_check(element_wise=False)
    def ends_after_start(cls, df):
        """A row cannot end on a page before the one it starts on."""
        return df["halaman_akhir"] >= df["halaman_awal"]

    @pa.dataframe_check
    def some_text(cls, df):
        """A plan row says what is done: sub kegiatan or indikator must be present; in a
        table without SUB KEGIATAN (null), kegiatan or indikator."""
        def said(column):
            return df[column].fillna("").str.len() > 0

        return said("sub_kegiatan") | said("indikator") | (
            df["sub_kegiatan"].isna() & said("kegiatan"))

    @classmethod
    def for_table(cls, absent: Iterable[str] = ()) -> pa.DataFrameSchema:
        """The schema of one decree's table: a column its table does not have (``kolom_absen``)
        is null in every row, so its own checks do not apply. A plan of another shape (no
        AREA) needs kegiatan or indikator (``some_text``), not kegiatan itself."""
        absent = set(absent)
        schema = cls.to_schema()
        for name in absent:
            schema = schema.update_column(name, nullable=True, checks=[])
        if "area" in absent:
            schema = schema.update_column("kegiatan", checks=[])
        return schema

    class Config:
        strict = False  # extra source columns (penanggung_jawab, target, ...) are allowed
        coerce = False
        unique = ["doc_id", "row_no"]

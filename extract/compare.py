"""Comparison of plans across satker, as one self-contained HTML report in Bahasa Indonesia.

A plan is one satker's decree for one year, so every number is per decree (``doc_id``) and
the report compares each satker's latest plan (default), the plans of one year, or every
decree as a row of its own, and says which. Decree-level facts (which plan is a satker's
latest, whether it is scheduled in months or quarters, rows per period and per RB area) come
from the project's SQL views (``extract/sql/renaksi.sql``), so the report, the notebook and a
DuckDB user get the same answers. The item comparisons are pure functions over the combined
``rencana_aksi`` table so tests can recompute them independently; ``compare`` lays them out.

The report loads nothing from the network and runs no script (the CSP forbids both): the
heat tables are coloured cells, so it opens from disk or an e-mail attachment, fits a
1366-px laptop screen and prints on landscape A4.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.errors import NotExtracted, OutputError, RenaksiError
from extract.write import atomic_path, own_folder, recover
from extract.model import MONTHS
from extract.reference import AREA_KODE, area_titles

if TYPE_CHECKING:
    import duckdb

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
         "Juli", "Agustus", "September", "Oktober", "November", "Desember")
BULAN_SINGKAT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TRIWULAN = ("TW I", "TW II", "TW III", "TW IV")
ITEM_COLUMNS = ("kegiatan", "indikator")
Unit = Literal["bulan", "triwulan"]
Year = Literal["terbaru", "semua"] | int
REPORT_FILES = ("report.html",)

# Leading numbering as plans print it: "1.", "2)", "1.2.", "a.", "b)", "iv.", "(3)", "1.1".
_NUMBERING = re.compile(r"\s*(?:\d+(?:\.\d+)+[.)]?|\(?(?:\d+|[a-z]|[ivx]{1,4})[.)]|\(\w{1,4}\))\s*")
_NON_WORD = re.compile(r"[\W_]+")
_PARQUET_NAME = re.compile(r"read_parquet\('(\w+\.parquet)'\)")
TABLES = ("rencana_aksi", "dokumen", "jadwal")  # the combined tables the views read
SATKER_PLACEHOLDER = "[satker]"


class BadYear(RenaksiError):
    """A ``--tahun`` that is neither ``terbaru``, ``semua`` nor a year."""


def item_key(text: str, wilayah: str | None = None) -> str:
    """Matching key for a kegiatan/indikator: the same item printed differently gets one key.

    Casefolds, drops leading numbering, collapses punctuation and whitespace, and (given the
    satker's ``wilayah``) replaces its own name, so "... di lingkungan KPU Kota Singkawang"
    and "... di lingkungan KPU Kabupaten Bengkayang" are the same kegiatan.
    """
    s = unicodedata.normalize("NFKC", text or "").casefold()
    while (m := _NUMBERING.match(s)) and m.end() > 0:
        s = s[m.end() :]
    s = _NON_WORD.sub(" ", s).strip()
    if wilayah:
        name = _NON_WORD.sub(" ", wilayah.casefold()).strip()
        if name:
            s = re.sub(rf"\b(?:(?:kota|kabupaten|kab|provinsi) )?{re.escape(name)}\b", "satker", s)
    return s


def neutral_text(text: str, wilayah: str | None) -> str:
    """``text`` as printed, with the satker's own name replaced by ``[satker]``.

    "Penguatan pelayanan prima di lingkungan KPU Kabupaten Bengkayang" → "… di lingkungan KPU
    [satker]": the label of an item several plans share names none of them.
    """
    words = _NON_WORD.sub(" ", (wilayah or "").casefold()).split()
    if not words:
        return text
    name = r"[\W_]+".join(re.escape(w) for w in words)
    pattern = rf"\b(?:(?:kota|kabupaten|kab\.?|provinsi)\s+)?{name}\b"
    return re.sub(pattern, SATKER_PLACEHOLDER, text, flags=re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# The SQL views: one definition of a decree, its latest plan, its unit and its loads.


@cache
def views_sql() -> str:
    """The text of ``extract/sql/renaksi.sql``, the views every comparison is built on."""
    return resources.files("extract").joinpath("sql", "renaksi.sql").read_text(encoding="utf-8")


def open_views(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the project's views over ``data_dir``'s tables.

    The file's bare Parquet names are made absolute here rather than through
    ``file_search_path``, which splits on commas a folder name may contain.

    Raises ``NotExtracted`` when ``data_dir`` holds no combined tables.
    """
    folder = Path(data_dir).resolve()
    sources = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if not path.exists():
            raise NotExtracted(f"no combined {path.name}; run `renaksi extract` on this folder first", path)
        try:
            pq.read_metadata(path)
        except (OSError, pa.ArrowException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
            raise NotExtracted(f"cannot be read ({reason}); `renaksi extract` on this folder "
                               "rebuilds it", path) from None
        sources[name] = "read_parquet('{}')".format(str(path).replace("'", "''"))
    return _views(sources, {})


def views_over(frames: Mapping[str, object]) -> duckdb.DuckDBPyConnection:
    """The same views over in-memory tables (pandas or Arrow), one per name in ``TABLES``."""
    return _views({name: f"_tabel_{name}" for name in TABLES}, {f"_tabel_{n}": frames[n] for n in TABLES})


def _views(sources: Mapping[str, str], registered: Mapping[str, object]) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    for name, frame in registered.items():
        con.register(name, frame)
    con.execute(_PARQUET_NAME.sub(lambda m: sources[m.group(1).removesuffix(".parquet")], views_sql()))
    return con


@dataclass(frozen=True, slots=True)
class Tables:
    """What the report is built from, every frame keyed by doc_id.

    ``keputusan``: the ``keputusan`` view plus ``wilayah`` and ``jumlah_ditolak``;
    ``beban``: the ``beban_jadwal`` view (long); ``cakupan``: the ``cakupan_area`` view (long);
    ``rencana_aksi``: the combined plan rows.
    """

    keputusan: pd.DataFrame
    beban: pd.DataFrame
    cakupan: pd.DataFrame
    rencana_aksi: pd.DataFrame


def load_tables(data_dir: Path) -> Tables:
    """The report's tables from the combined files ``renaksi extract`` wrote into ``data_dir``.

    A commit a killed run left half done is finished first (when the folder is writable).
    Raises NotExtracted when the combined files are missing or cannot be read.
    """
    import duckdb

    try:
        recover(Path(data_dir))
    except OSError:
        pass  # read-only: read what is there
    try:
        return read_tables(open_views(data_dir))
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise NotExtracted(f"the combined tables cannot be read ({reason}); `renaksi extract` "
                           "on this folder rebuilds them", data_dir) from None


def read_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """``Tables`` from a connection made by ``open_views`` or ``views_over``; closes it."""
    try:
        keputusan = con.sql(
            """
            SELECT k.*, d.wilayah, coalesce(d.jumlah_ditolak, 0) AS jumlah_ditolak
            FROM keputusan k JOIN dokumen d ON d.doc_id = k.doc_id
            ORDER BY lower(k.instansi) NULLS LAST, k.tahun NULLS FIRST, k.doc_id
            """
        ).df()
        beban = con.sql("SELECT * FROM beban_jadwal ORDER BY doc_id, periode").df()
        cakupan = con.sql("SELECT * FROM cakupan_area ORDER BY doc_id, area_no").df()
        rencana_aksi = con.sql("SELECT * FROM rencana_aksi").df()
    finally:
        con.close()
    keputusan["tahun"] = keputusan["tahun"].astype("Int64")
    return Tables(keputusan, beban, cakupan, rencana_aksi)


# ---------------------------------------------------------------------------------------------
# Which decrees are compared.


@dataclass(frozen=True, slots=True)
class Selection:
    """The decrees a comparison shows and those it leaves out, with the sentence saying so."""

    shown: pd.DataFrame  # rows of the keputusan frame, report order
    left_out: pd.DataFrame
    note: str


def parse_year(value: str) -> Year:
    """``--tahun``: "terbaru" (each satker's latest plan), "semua" (every decree) or a year."""
    text = value.strip().casefold()
    if text in ("terbaru", "semua"):
        return text  # type: ignore[return-value]
    if text.isdigit() and len(text) == 4:
        return int(text)
    raise BadYear(f"--tahun {value!r}: use 'terbaru', 'semua' or a year such as 2024")


def select_decrees(keputusan: pd.DataFrame, year: Year = "terbaru") -> Selection:
    """Pick the decrees to compare from a frame shaped like the ``keputusan`` view.

    "terbaru": the row marked ``terbaru`` for each satker; "semua": every decree, each its own
    row; a year: the decrees of that ``tahun``.
    """
    if year == "terbaru":
        keep = keputusan["terbaru"].astype(bool)
    elif year == "semua":
        keep = pd.Series(True, index=keputusan.index)
    else:
        keep = keputusan["tahun"].eq(year).fillna(False).astype(bool)
    shown, left_out = keputusan[keep], keputusan[~keep]
    labels = decree_labels(keputusan)
    names = ", ".join(labels[d] for d in left_out["doc_id"])
    if year == "terbaru":
        note = "Yang dibandingkan: rencana aksi terbaru setiap satker (tahun terakhir)."
        if len(left_out):
            note += f" Rencana lama yang tidak ikut dihitung: {names}."
    elif year == "semua":
        note = "Setiap keputusan satu baris: rencana tahun yang berbeda dari satker yang sama tampil terpisah, tidak dijumlahkan."
    else:
        note = f"Yang dibandingkan: rencana aksi tahun {year} saja."
        if len(left_out):
            note += f" Tidak ikut dihitung (tahun lain): {names}."
    return Selection(shown=shown, left_out=left_out, note=note)


def decree_labels(keputusan: pd.DataFrame) -> dict[str, str]:
    """A readable name per decree: "KPU Kota Singkawang 2024", with the nomor where one
    satker has two decrees in a year, and the doc_id where even that is the same."""
    base: dict[str, str] = {}
    nomor: dict[str, str] = {}
    for rec in keputusan.itertuples():
        name = rec.instansi if isinstance(rec.instansi, str) and rec.instansi else rec.doc_id
        base[rec.doc_id] = f"{name} {rec.tahun}" if pd.notna(rec.tahun) else name
        nomor[rec.doc_id] = rec.nomor if isinstance(rec.nomor, str) else ""
    counts = Counter(base.values())
    labels = {d: f"{v} No. {nomor[d]}" if counts[v] > 1 and nomor[d] else v for d, v in base.items()}
    counts = Counter(labels.values())
    return {d: f"{v} ({d})" if counts[v] > 1 else v for d, v in labels.items()}


# ---------------------------------------------------------------------------------------------
# The numbers, per decree.


def coverage_matrix(cakupan: pd.DataFrame, doc_ids: Iterable[str]) -> pd.DataFrame:
    """Rows per decree (index doc_id, in the given order) and RB area (the 8 area_kode columns)."""
    wide = cakupan.pivot(index="doc_id", columns="area_kode", values="baris")
    return wide.reindex(index=list(doc_ids), columns=list(AREA_KODE)).fillna(0).astype("int64").rename_axis(
        index="doc_id", columns=None
    )


def schedule_load(beban: pd.DataFrame, doc_id: str) -> list[int]:
    """Rows scheduled per period of one decree in its own unit: 12 months or 4 quarters."""
    rows = beban[beban["doc_id"] == doc_id].sort_values("periode")
    return [int(v) for v in rows["baris"]]


def summary(tables: Tables, doc_ids: Iterable[str]) -> pd.DataFrame:
    """One line per decree (index doc_id): tahun, nomor, unit, rows, areas, active periods, rejected."""
    doc_ids = list(doc_ids)
    k = tables.keputusan.set_index("doc_id").loc[doc_ids]
    areas = tables.cakupan[tables.cakupan["baris"] > 0].groupby("doc_id").size()
    active = tables.beban[tables.beban["baris"] > 0].groupby("doc_id").size()
    return pd.DataFrame(
        {
            "instansi": k["instansi"],
            "tahun": k["tahun"].astype("Int64"),
            "nomor": k["nomor"],
            "jadwal_satuan": k["jadwal_satuan"],
            "baris": k["baris"].astype("int64"),
            "area": areas.reindex(doc_ids, fill_value=0).astype("int64"),
            "periode_aktif": active.reindex(doc_ids, fill_value=0).astype("int64"),
            "ditolak": k["jumlah_ditolak"].fillna(0).astype("int64"),
        },
        index=pd.Index(doc_ids, name="doc_id"),
    )


def _keyed(df: pd.DataFrame, column: str, wilayah: Mapping[str, str] | None) -> pd.DataFrame:
    wilayah = wilayah or {}
    texts = df[column].fillna("")
    keys = [item_key(t, wilayah.get(d)) for t, d in zip(texts, df["doc_id"], strict=True)]
    items = [neutral_text(t, wilayah.get(d)) for t, d in zip(texts, df["doc_id"], strict=True)]
    keyed = df.assign(kunci=keys, item=items)
    return keyed[keyed["kunci"] != ""]


def _representative(keyed: pd.DataFrame) -> pd.Series:
    """The most common printed form of each (area_kode, kunci), its satker name neutralised."""
    counts = keyed.groupby(["area_kode", "kunci", "item"], sort=False).size().reset_index(name="n")
    top = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(["area_kode", "kunci"])
    return top.set_index(["area_kode", "kunci"])["item"]


def _area_sorted(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    order = {a: i for i, a in enumerate(AREA_KODE)}
    return df.sort_values(by, key=lambda s: s.map(order) if s.name == "area_kode" else s, kind="stable")


def missing_items(df: pd.DataFrame, min_share: float = 0.5, wilayah: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Kegiatan/indikator found in at least ``min_share`` of the plans but absent from a plan.

    ``df`` holds the rows of the decrees compared (one plan per doc_id). Items are matched by
    ``item_key`` within their RB area (numbering restarts per area, so "1. Perencanaan" in two
    areas is two items). ``wilayah`` maps doc_id to the satker's wilayah for name masking.
    One row per (doc_id, missing item); ``item`` is the shared label, no satker named in it.
    """
    columns = ["doc_id", "jenis", "area_kode", "item", "kunci", "n_satker", "share"]
    plans = sorted(df["doc_id"].unique())
    parts = []
    for jenis in ITEM_COLUMNS:
        keyed = _keyed(df, jenis, wilayah)
        present = keyed.groupby(["area_kode", "kunci"])["doc_id"].agg(frozenset)
        names = _representative(keyed)
        for (area_kode, kunci), holders in present.items():
            share = len(holders) / len(plans)
            if share < min_share:
                continue
            for doc_id in plans:
                if doc_id not in holders:
                    parts.append((doc_id, jenis, area_kode, names[(area_kode, kunci)], kunci, len(holders), share))
    out = pd.DataFrame(parts, columns=columns)
    return _area_sorted(out, ["doc_id", "jenis", "area_kode", "kunci"]).reset_index(drop=True)


def to_quarters(months: Iterable[int]) -> tuple[int, ...]:
    """Quarters (1..4) that hold any of ``months`` (1..12)."""
    return tuple(sorted({(m - 1) // 3 + 1 for m in months}))


def schedule_differences(
    df: pd.DataFrame, units: Mapping[str, Unit] | None = None, wilayah: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Kegiatan held by two or more plans whose schedules differ.

    A plan's months for a kegiatan are the union over its rows (sub_kegiatan). Two monthly plans
    differ when their months differ; where a quarterly plan (``units[doc_id] == "triwulan"``) is
    one of the two, they differ only when their quarters do (Feb and TW I agree). One row per
    (kegiatan, plan holding it); ``periode`` is the plan's schedule in its own unit (months 1..12
    or quarters 1..4), ``satuan`` that unit.
    """
    units = units or {}
    columns = ["area_kode", "kunci", "kegiatan", "doc_id", "satuan", "periode"]
    keyed = _keyed(df, "kegiatan", wilayah)
    if keyed.empty:
        return pd.DataFrame(columns=columns)
    flags = keyed.groupby(["area_kode", "kunci", "doc_id"])[list(MONTHS)].any()
    months = pd.Series(
        [tuple(m + 1 for m, on in enumerate(row) if on) for row in flags.to_numpy()], index=flags.index, name="bulan"
    ).reset_index()
    months["satuan"] = [units.get(d, "bulan") for d in months["doc_id"]]
    months["triwulan"] = months["bulan"].map(to_quarters)

    def differs(group: pd.DataFrame) -> bool:
        monthly = group.loc[group["satuan"] == "bulan", "bulan"]
        return len(group) >= 2 and (monthly.nunique() > 1 or group["triwulan"].nunique() > 1)

    flagged = [key for key, group in months.groupby(["area_kode", "kunci"]) if differs(group)]
    out = months.set_index(["area_kode", "kunci"]).loc[lambda s: s.index.isin(flagged)].reset_index()
    out["periode"] = [q if u == "triwulan" else m for m, q, u in zip(out["bulan"], out["triwulan"], out["satuan"])]
    names = _representative(keyed)
    out["kegiatan"] = [names[(a, k)] for a, k in zip(out["area_kode"], out["kunci"], strict=True)]
    return _area_sorted(out, ["area_kode", "kunci", "doc_id"])[columns].reset_index(drop=True)


def period_span(periods: Iterable[int], unit: Unit = "bulan") -> str:
    """(1, 2, 3, 6) → "Jan–Mar, Jun"; quarters (1, 2, 4) → "TW I–TW II, TW IV"; () → "tidak dijadwalkan"."""
    names = TRIWULAN if unit == "triwulan" else BULAN_SINGKAT
    periods = sorted(set(periods))
    if not periods:
        return "tidak dijadwalkan"
    runs: list[list[int]] = []
    for p in periods:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(names[r[0] - 1] if len(r) == 1 else f"{names[r[0] - 1]}–{names[r[-1] - 1]}" for r in runs)


# ---------------------------------------------------------------------------------------------
# The report.


def compare(data_dir: Path, out_dir: Path, year: Year = "terbaru") -> Path:
    """Write ``out_dir/report.html`` comparing the decrees ``year`` selects; returns its path."""
    tables = load_tables(data_dir)
    selection = select_decrees(tables.keputusan, year)
    shown = selection.shown
    doc_ids = shown["doc_id"].tolist()
    labels = decree_labels(tables.keputusan)
    units: dict[str, Unit] = dict(zip(shown["doc_id"], shown["jadwal_satuan"], strict=True))
    wilayah = dict(zip(shown["doc_id"], shown["wilayah"].fillna(""), strict=True))
    rows = tables.rencana_aksi[tables.rencana_aksi["doc_id"].isin(doc_ids)]

    page = _render(
        selection,
        labels,
        summary(tables, doc_ids),
        coverage_matrix(tables.cakupan, doc_ids),
        {d: schedule_load(tables.beban, d) for d in doc_ids},
        units,
        missing_items(rows, wilayah=wilayah) if len(doc_ids) > 1 else None,
        schedule_differences(rows, units, wilayah),
        source=Path(data_dir),
    )
    out_dir = own_folder(Path(out_dir), is_report, "the report")
    report = out_dir / "report.html"
    try:
        with atomic_path(report) as tmp:
            tmp.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the report to {out_dir} ({exc.strerror or exc})") from None
    return report


def is_report(folder: Path) -> bool:
    """A folder holding only what ``compare`` writes."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} <= set(REPORT_FILES)


def _e(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _heat(value: int, top: int) -> str:
    """Inline style of a count cell: darker blue for more rows, white text on the dark end."""
    if top <= 0 or value <= 0:
        return ""
    lightness = round(96 - 56 * value / top)
    colour = "#fff" if lightness < 60 else "#111"
    return f' style="background:hsl(212,60%,{lightness}%);color:{colour}"'


def _td(value: object, cls: str = "", extra: str = "") -> str:
    return f'<td{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}{extra}>{_e(value)}</td>'


def _table(table_id: str, head: str, body: Iterable[str], cls: str = "") -> str:
    rows = "\n".join(body)
    return f'<table id="{table_id}"{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}><thead>{head}</thead><tbody>\n{rows}\n</tbody></table>'


def _head(*cells: str) -> str:
    return "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in cells) + "</tr>"


def _tanggal(now: datetime) -> str:
    return f"{now.day} {BULAN[now.month - 1]} {now.year}, {now:%H:%M} UTC"


_CSS = """
@page{size:A4 landscape;margin:12mm}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:14px/1.45 system-ui,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:1rem 1.5rem 3rem;max-width:82rem;color:#1d2430}
h1{font-size:1.45rem;margin:.2rem 0 .4rem}h2{font-size:1.12rem;margin:1.8rem 0 .4rem;break-after:avoid}
p{margin:.35rem 0;max-width:62rem}.meta{color:#555}.none{color:#555;font-style:italic}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.4rem .7rem;margin:.5rem 0;max-width:none}
table{border-collapse:collapse;width:100%;font-size:.82rem;margin:.4rem 0 .6rem}
th,td{border:1px solid #c9d0da;padding:.2rem .35rem;vertical-align:top;text-align:left;overflow-wrap:break-word}
th{background:#edf1f6;font-weight:600}thead{display:table-header-group}tr{break-inside:avoid}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nol{background:#fbe3e3;color:#8a1c1c}td.tw{text-align:center}
th.tw{text-align:center;font-weight:normal;background:#f6f8fb}
.satker{min-width:11rem}.legend{font-size:.8rem;color:#444}
th.grup{background:#dfe6ef;padding:.3rem .4rem}col.jenis{width:6.5rem}col.area{width:11rem}col.ada{width:5.5rem}
@media print{body{max-width:none;padding:0;font-size:11px}h2{margin-top:1rem}}
"""


def _render(
    selection: Selection,
    labels: Mapping[str, str],
    summ: pd.DataFrame,
    coverage: pd.DataFrame,
    loads: Mapping[str, list[int]],
    units: Mapping[str, Unit],
    missing: pd.DataFrame | None,
    differences: pd.DataFrame,
    source: Path,
) -> str:
    n = len(summ)
    titles = area_titles()
    tw = [d for d in summ.index if units[d] == "triwulan"]
    notes = [f'<p class="note">{_e(selection.note)}</p>']
    if tw and len(tw) < n:
        notes.append(
            '<p class="note">Dijadwalkan per triwulan (TW I–IV), bukan per bulan: '
            f"{_e(', '.join(labels[d] for d in tw))}. Jadwal mereka ditampilkan per triwulan.</p>"
        )
    elif tw:
        notes.append('<p class="note">Semua rencana ini dijadwalkan per triwulan (TW I–IV).</p>')

    summary_rows = (
        "<tr>"
        + _td(labels[d], "satker")
        + _td(r.tahun, "n")
        + _td(r.nomor)
        + _td("triwulan" if r.jadwal_satuan == "triwulan" else "bulan")
        + _td(r.baris, "n")
        + _td(f"{r.area} dari {len(AREA_KODE)}", "n")
        + _td(f"{r.periode_aktif} dari {4 if r.jadwal_satuan == 'triwulan' else 12}", "n")
        + _td(r.ditolak, "n")
        + "</tr>"
        for d, r in summ.iterrows()
    )
    top_cov = int(coverage.to_numpy().max()) if coverage.size else 0
    coverage_rows = (
        "<tr>"
        + _td(labels[d], "satker")
        + "".join(_td(v, "n nol") if v == 0 else _td(v, "n", _heat(v, top_cov)) for v in row)
        + "</tr>"
        for d, row in zip(coverage.index, coverage.to_numpy().tolist(), strict=True)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        "<title>Perbandingan rencana aksi Reformasi Birokrasi antar-satker</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Perbandingan rencana aksi Reformasi Birokrasi antar-satker</h1>",
        f'<p class="meta">{n} rencana aksi dari <code>{_e(source)}</code>, '
        f"dibuat {_e(_tanggal(datetime.now(UTC)))}.</p>",
        *notes,
        '<h2 id="ringkasan">Ringkasan per rencana aksi</h2>',
        _table(
            "summary",
            _head("Satker", "Tahun", "Nomor keputusan", "Jadwal per", "Baris", "Area RB", "Periode terjadwal",
                  "Baris ditolak"),
            summary_rows,
        )
        if n
        else '<p class="none">Tidak ada keputusan untuk dibandingkan.</p>',
        '<h2 id="cakupan">Cakupan area perubahan</h2>',
        "<p>Banyaknya baris rencana aksi di setiap area perubahan Road Map Reformasi Birokrasi "
        "2020–2024. Warna lebih gelap berarti lebih banyak baris; sel merah muda (0) berarti area "
        "itu tidak ada dalam rencana.</p>",
        _table("coverage", _head("Satker", *(titles[a] for a in AREA_KODE)), coverage_rows),
        '<h2 id="jadwal-beban">Beban jadwal</h2>',
        _load_table(summ.index.tolist(), labels, loads, units),
        '<h2 id="hilang">Kegiatan dan indikator yang ada di sebagian besar rencana, tetapi tidak di rencana ini</h2>',
        _missing_table(missing, labels, titles, n),
        '<h2 id="jadwal">Kegiatan sama, jadwal berbeda</h2>',
        "<p>Kegiatan yang ada di dua rencana atau lebih dengan jadwal yang tidak sama. Jadwal satu "
        "rencana adalah gabungan bulan semua sub kegiatannya. Rencana triwulanan dibandingkan per "
        "triwulan (Feb dan TW I dianggap sama).</p>",
        _schedule_table(differences, labels, titles),
        "</body></html>",
    ]
    return "\n".join(parts)


def _load_table(
    doc_ids: list[str], labels: Mapping[str, str], loads: Mapping[str, list[int]], units: Mapping[str, Unit]
) -> str:
    """Rows scheduled per month; a quarterly plan's quarters span their three months."""
    monthly = [d for d in doc_ids if units[d] == "bulan"]
    legend = (
        '<p class="legend">Angka: banyaknya baris yang dijadwalkan pada bulan itu'
        + ("; untuk rencana triwulanan, pada triwulan itu." if len(monthly) < len(doc_ids) else ".")
        + " Warna lebih gelap berarti lebih sibuk.</p>"
    )
    top_month = max((v for d in monthly for v in loads[d]), default=0)
    top_quarter = max((v for d in doc_ids if d not in monthly for v in loads[d]), default=0)
    rows = []
    if monthly:
        head = _head("Satker", *BULAN_SINGKAT)
        if len(monthly) < len(doc_ids):
            head += "<tr><th></th>" + "".join(f'<th class="tw" colspan="3">{q}</th>' for q in TRIWULAN) + "</tr>"
        for d in doc_ids:
            if units[d] == "bulan":
                cells = "".join(_td(v, "n", _heat(v, top_month)) for v in loads[d])
                rows.append(f"<tr>{_td(labels[d], 'satker')}{cells}</tr>")
            else:
                cells = "".join(
                    f'<td class="n tw" colspan="3" title="{q}"{_heat(v, top_quarter)}>{_e(v)}</td>'
                    for q, v in zip(TRIWULAN, loads[d], strict=True)
                )
                rows.append(f"<tr>{_td(labels[d] + ' (per triwulan)', 'satker')}{cells}</tr>")
    else:
        head = _head("Satker", *TRIWULAN)
        rows = [
            "<tr>" + _td(labels[d], "satker") + "".join(_td(v, "n", _heat(v, top_quarter)) for v in loads[d]) + "</tr>"
            for d in doc_ids
        ]
    return legend + _table("month-load", head, rows)


def _missing_table(missing: pd.DataFrame | None, labels: Mapping[str, str], titles: Mapping[str, str], n: int) -> str:
    if missing is None:
        return '<p class="none">Perlu dua rencana atau lebih untuk dibandingkan.</p>'
    if missing.empty:
        return '<p class="none">Tidak ada: setiap kegiatan dan indikator bersama ada di semua rencana.</p>'
    intro = (
        "<p>Dicocokkan tanpa membedakan huruf besar/kecil, penomoran di depan, tanda baca, dan nama "
        f"satker sendiri (ditulis {SATKER_PLACEHOLDER}); hanya di dalam area yang sama.</p>"
    )
    groups = []
    for doc_id, group in missing.groupby("doc_id", sort=False):
        title = f"{labels.get(doc_id, doc_id)}: {len(group)} tidak ada"
        rows = "\n".join(
            "<tr>" + _td(r.jenis) + _td(titles.get(r.area_kode, r.area_kode)) + _td(r.item)
            + _td(f"{r.n_satker} dari {n}", "n") + "</tr>"
            for r in group.itertuples()
        )
        groups.append(f'<tbody><tr><th class="grup" colspan="4">{_e(title)}</th></tr>\n{rows}\n</tbody>')
    cols = '<colgroup><col class="jenis"><col class="area"><col><col class="ada"></colgroup>'
    head = _head("Jenis", "Area", "Kegiatan / indikator", "Ada di")
    return intro + f'<table id="missing">{cols}<thead>{head}</thead>\n' + "\n".join(groups) + "</table>"


def _schedule_table(differences: pd.DataFrame, labels: Mapping[str, str], titles: Mapping[str, str]) -> str:
    """One line per distinct schedule of a kegiatan, naming the plans that follow it."""
    if differences.empty:
        return '<p class="none">Setiap kegiatan yang dimiliki beberapa rencana dijadwalkan sama.</p>'
    rows = []
    for _, group in differences.groupby(["area_kode", "kunci"], sort=False):
        area, kegiatan = titles.get(group["area_kode"].iloc[0], group["area_kode"].iloc[0]), group["kegiatan"].iloc[0]
        spans = [period_span(p, u) for p, u in zip(group["periode"], group["satuan"], strict=True)]
        for span, by in group.assign(span=spans).groupby("span", sort=True):
            plans = ", ".join(labels.get(d, d) for d in by["doc_id"])
            rows.append("<tr>" + _td(area) + _td(kegiatan) + _td(span) + _td(plans, "satker") + "</tr>")
    return _table("schedule", _head("Area", "Kegiatan", "Jadwal", "Rencana"), rows)

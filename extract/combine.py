"""All per-decree outputs under one folder as one set of tables, so a single query spans plans.

Rebuilt from scratch on every call: the per-decree folders are the truth and the combined
tables are a cache of them, so there is no merge state to go stale. Reads parquet only
(never the per-decree CSVs) to stay fast over hundreds of decrees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.errors import NotExtracted, OutputError, RenaksiError
from extract.model import MONTHS
from extract.write import (SUMS, commit, leftovers, out_dir_lock, recover, recover_locked,
                           source_path, verify_sums)

RENCANA_AKSI_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("row_no", pa.int64()),
        ("area_no", pa.int64()),
        ("area", pa.string()),
        ("area_kode", pa.string()),
        ("kegiatan", pa.string()),
        ("sub_kegiatan", pa.string()),
        ("indikator", pa.string()),
        *((b, pa.bool_()) for b in MONTHS),
        ("jadwal_satuan", pa.string()),
        ("keterangan", pa.string()),
        ("halaman_awal", pa.int64()),
        ("halaman_akhir", pa.int64()),
    ]
)

# halaman_lampiran ([first, last]) becomes two int columns; validasi (a nested summary) is
# kept whole as a JSON string; jumlah_ditolak is added here from ditolak.csv so summaries
# need not parse validasi, whose inner layout is the pipeline's business.
DOKUMEN_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_file", pa.string()),
        ("sha256", pa.string()),
        ("instansi", pa.string()),
        ("jenis", pa.string()),
        ("wilayah", pa.string()),
        ("provinsi", pa.string()),
        ("kode_wilayah", pa.string()),
        ("nomor", pa.string()),
        ("tahun", pa.int64()),
        ("tanggal_penetapan", pa.string()),
        ("tempat_penetapan", pa.string()),
        ("tentang", pa.string()),
        ("penandatangan", pa.string()),
        ("jabatan_penandatangan", pa.string()),
        ("halaman", pa.int64()),
        ("halaman_lampiran_awal", pa.int64()),
        ("halaman_lampiran_akhir", pa.int64()),
        ("jumlah_baris", pa.int64()),
        ("jumlah_ditolak", pa.int64()),
        ("metode", pa.string()),
        ("validasi", pa.string()),
        ("renaksi_version", pa.string()),
        ("extracted_at", pa.string()),
    ]
)

JADWAL_SCHEMA = pa.schema([("doc_id", pa.string()), ("row_no", pa.int64()), ("bulan", pa.int64())])

DUCKDB_NAME = "renaksi.duckdb"
# Storage format of renaksi.duckdb: the one DuckDB 1.0 introduced, which every later release
# (1.x, 2.x) still opens; DuckDB 2.x's own default cannot be opened by 1.x.
DUCKDB_STORAGE = "v1.0.0"


class UnreadableDecree(RenaksiError):
    """A per-decree folder that cannot be combined (missing, corrupt or off-contract files)."""


@dataclass(frozen=True, slots=True)
class Decree:
    """One per-decree folder as read from disk, already shaped for the combined tables."""

    folder: Path
    doc_id: str
    table: pa.Table  # rencana_aksi, contract columns cast to contract types, extras as found
    dokumen: dict[str, object]  # flat: one value per DOKUMEN_SCHEMA column, plus extras


@dataclass(frozen=True, slots=True)
class Skipped:
    folder: Path
    reason: str


@dataclass(frozen=True, slots=True)
class CombinedPaths:
    rencana_aksi: Path
    rencana_aksi_csv: Path
    dokumen: Path
    dokumen_csv: Path
    jadwal: Path
    jadwal_csv: Path
    duckdb: Path
    decrees: tuple[str, ...]  # doc_ids combined, in table order
    skipped: tuple[Skipped, ...]


def combine(out_dir: Path) -> CombinedPaths:
    """Rebuild the combined tables and the DuckDB file from every decree folder in ``out_dir``.

    Under the folder's lock, so a decree being swapped in by another run is read whole or
    not at all, and committed as one transaction (``write.commit``): after a full disk or a
    kill the seven files are all the earlier ones or all the new ones. What killed runs
    left is cleaned first (``write.recover``).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with out_dir_lock(out_dir):
            recover_locked(out_dir)
            return _rebuild(out_dir)
    except OSError as exc:
        raise OutputError(f"cannot write the combined tables in {out_dir} "
                          f"({exc.strerror or exc}); earlier ones are left as they were") from None


def decree_folders(out_dir: Path) -> tuple[list[Decree], list[Skipped]]:
    """Every decree folder of ``out_dir`` that can be combined, and every other folder with
    the reason it cannot (damaged, incomplete, off-contract, a second copy of a doc_id).
    Hidden folders are writers' temporary ones, never data."""
    decrees: list[Decree] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        # folders without SHA256SUMS (older renaksi, other tools) are read as they are
        problem = verify_sums(folder) if (folder / SUMS).exists() else None
        try:
            if problem:
                raise UnreadableDecree(problem, folder)
            decree = read_decree(folder)
        except UnreadableDecree as exc:
            skipped.append(Skipped(folder, exc.msg))
            continue
        if decree.doc_id in seen:
            skipped.append(Skipped(folder, f"duplicate doc_id {decree.doc_id}"))
            continue
        seen.add(decree.doc_id)
        decrees.append(decree)
    return decrees, skipped


def combined_tables(decrees: list[Decree]) -> dict[str, pa.Table]:
    """The combined tables by name, as ``combine`` writes them."""
    rencana_aksi = concat_rencana_aksi([d.table for d in decrees])
    return {"rencana_aksi": rencana_aksi, "dokumen": dokumen_table([d.dokumen for d in decrees]),
            "jadwal": jadwal(rencana_aksi)}


def _rebuild(out_dir: Path) -> CombinedPaths:
    import duckdb

    decrees, skipped = decree_folders(out_dir)
    tables = combined_tables(decrees)
    files: dict[str, Callable[[Path], None]] = {}
    for name, table in tables.items():
        files[f"{name}.parquet"] = partial(pq.write_table, table)
        files[f"{name}.csv"] = partial(_write_csv, table)
    db = out_dir / DUCKDB_NAME
    files[db.name] = partial(_write_duckdb, tables)
    try:
        commit(out_dir, files)
    except duckdb.Error as exc:  # DuckDB's own writer hit the disk (full, read-only)
        reason = str(exc).splitlines()[0]
        raise OutputError(f"cannot write {db} ({reason}); the combined tables are left as "
                          "they were") from None
    return CombinedPaths(
        rencana_aksi=out_dir / "rencana_aksi.parquet",
        rencana_aksi_csv=out_dir / "rencana_aksi.csv",
        dokumen=out_dir / "dokumen.parquet",
        dokumen_csv=out_dir / "dokumen.csv",
        jadwal=out_dir / "jadwal.parquet",
        jadwal_csv=out_dir / "jadwal.csv",
        duckdb=db,
        decrees=tuple(d.doc_id for d in decrees),
        skipped=tuple(skipped),
    )


def read_combined(data_dir: Path, names: Iterable[str]):
    """The combined tables ``combine`` wrote into ``data_dir``, as pandas DataFrames by name.

    A commit a killed run left half done is finished first (when the folder is writable).
    Raises NotExtracted when a table is missing or cannot be read.
    """
    import pandas as pd

    data_dir = Path(data_dir)
    try:
        recover(data_dir)
    except OSError:
        pass  # read-only: read what is there
    frames = {}
    for name in names:
        path = data_dir / f"{name}.parquet"
        if not path.exists():
            raise NotExtracted(f"no combined {path.name}; run `renaksi extract` on this folder "
                               "first", path)
        try:
            frames[name] = pd.read_parquet(path)
        except (OSError, pa.ArrowException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                str(exc).splitlines()[0]
            raise NotExtracted(f"cannot be read ({reason}); `renaksi extract` on this folder "
                               "rebuilds it", path) from None
    return frames


def read_decree(folder: Path) -> Decree:
    """Read one decree folder; every way it can be unusable becomes ``UnreadableDecree``."""
    folder = Path(folder)
    if not (folder / "dokumen.json").exists():
        raise UnreadableDecree("no dokumen.json", folder)
    if not (folder / "rencana_aksi.parquet").exists():
        raise UnreadableDecree("no rencana_aksi.parquet", folder)
    try:
        raw = json.loads((folder / "dokumen.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableDecree(f"dokumen.json unreadable ({exc.__class__.__name__})", folder) from exc
    if not isinstance(raw, dict):
        raise UnreadableDecree("dokumen.json is not an object", folder)
    try:
        table = pq.read_table(folder / "rencana_aksi.parquet")
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableDecree(f"rencana_aksi.parquet unreadable ({exc.__class__.__name__})", folder) from exc
    table = _conform_contract(table, folder)
    dokumen = flatten_dokumen(raw, ditolak=_count_ditolak(raw.get("validasi"), folder / "ditolak.csv"))
    doc_id = dokumen["doc_id"] or folder.name
    dokumen["doc_id"] = doc_id
    return Decree(folder=folder, doc_id=str(doc_id), table=table, dokumen=dokumen)


def _conform_contract(table: pa.Table, folder: Path) -> pa.Table:
    """Drop pandas' index columns and cast contract columns, so decrees concatenate cleanly."""
    table = table.replace_schema_metadata(None)
    table = table.drop_columns([n for n in table.column_names if n.startswith("__index_level_")])
    missing = [f.name for f in RENCANA_AKSI_SCHEMA if f.name not in table.column_names]
    if missing:
        raise UnreadableDecree(f"rencana_aksi.parquet lacks columns {', '.join(missing)}", folder)
    for f in RENCANA_AKSI_SCHEMA:
        i = table.schema.get_field_index(f.name)
        if table.schema.field(i).type != f.type:
            try:
                table = table.set_column(i, f, table.column(i).cast(f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise UnreadableDecree(f"rencana_aksi.{f.name} is not {f.type}", folder) from exc
    return table


def _count_ditolak(validasi: object, path: Path) -> int:
    """Rejected plan rows: the pipeline's own ``validasi.baris_ditolak`` when it states one.

    Otherwise distinct row_no in ditolak.csv (a row may fail several checks), so folders
    written by other tools still get a count.
    """
    if isinstance(validasi, dict) and isinstance(validasi.get("baris_ditolak"), int):
        return validasi["baris_ditolak"]
    if not path.exists():
        return 0
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return 0
    if "row_no" in df.columns:
        return int(df.loc[df["row_no"] != "", "row_no"].nunique())
    return len(df)


def flatten_dokumen(raw: Mapping[str, object], ditolak: int = 0) -> dict[str, object]:
    """One flat record per decree: known fields coerced to their column type, nesting as JSON."""
    flat: dict[str, object] = {}
    lampiran = raw.get("halaman_lampiran")
    pair = lampiran if isinstance(lampiran, list | tuple) and len(lampiran) == 2 else (None, None)
    extra = {k: v for k, v in raw.items() if k != "halaman_lampiran"}
    extra["halaman_lampiran_awal"], extra["halaman_lampiran_akhir"] = pair
    extra.setdefault("jumlah_ditolak", ditolak)
    for f in DOKUMEN_SCHEMA:
        flat[f.name] = _coerce(extra.pop(f.name, None), f.type)
    for key, value in extra.items():
        flat[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
    return flat


def _coerce(value: object, typ: pa.DataType) -> object:
    if value is None:
        return None
    if pa.types.is_integer(typ):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def dokumen_table(records: list[dict[str, object]]) -> pa.Table:
    """The dokumen table; extra keys some decrees carry become extra (nullable) columns."""
    names = list(DOKUMEN_SCHEMA.names)
    for rec in records:
        names.extend(k for k in rec if k not in names)
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for name in names:
        values = [rec.get(name) for rec in records]
        if name in DOKUMEN_SCHEMA.names:
            typ = DOKUMEN_SCHEMA.field(name).type
            arrays.append(pa.array(values, type=typ))
        else:
            try:
                arrays.append(pa.array(values))
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
            if pa.types.is_null(arrays[-1].type):
                arrays[-1] = arrays[-1].cast(pa.string())
        fields.append(pa.field(name, arrays[-1].type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def concat_rencana_aksi(tables: list[pa.Table]) -> pa.Table:
    """Stack decrees under the union of their columns: contract columns first, then extras.

    An extra column keeps its type when every decree agrees on it and falls back to string
    otherwise (the contract says extras are nullable strings; anything else is a bonus).
    """
    extra_types: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for f in t.schema:
            if f.name not in RENCANA_AKSI_SCHEMA.names:
                types = extra_types.setdefault(f.name, set())
                if not pa.types.is_null(f.type):
                    types.add(f.type)
    fields = list(RENCANA_AKSI_SCHEMA)
    for name, types in extra_types.items():
        fields.append(pa.field(name, next(iter(types)) if len(types) == 1 else pa.string()))
    schema = pa.schema(fields)
    conformed = []
    for t in tables:
        arrays = [
            t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(t.num_rows, f.type) for f in schema
        ]
        conformed.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(conformed) if conformed else schema.empty_table()


def jadwal(rencana_aksi: pa.Table) -> pa.Table:
    """Long form of the twelve month flags: one (doc_id, row_no, bulan) per scheduled month."""
    if rencana_aksi.num_rows == 0:
        return JADWAL_SCHEMA.empty_table()
    marks = np.column_stack([pc.fill_null(rencana_aksi.column(b), False).to_numpy(zero_copy_only=False) for b in MONTHS])
    rows, months = np.nonzero(marks)  # row-major: document order, then month
    take = pa.array(rows, type=pa.int64())
    return pa.Table.from_arrays(
        [
            rencana_aksi.column("doc_id").take(take),
            rencana_aksi.column("row_no").take(take),
            pa.array(months + 1, type=pa.int64()),
        ],
        schema=JADWAL_SCHEMA,
    )


def _write_csv(table: pa.Table, path: Path) -> None:
    table.to_pandas().to_csv(path, index=False, encoding="utf-8")


def _write_duckdb(tables: Mapping[str, pa.Table], path: Path) -> None:
    """Real tables, not views over parquet paths: the file stays valid if the folder moves."""
    import duckdb

    con = duckdb.connect(str(path), config={"storage_compatibility_version": DUCKDB_STORAGE})
    try:
        for name, table in tables.items():
            con.register("_incoming", table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _incoming')
            con.unregister("_incoming")
        con.execute("CHECKPOINT")
    finally:
        con.close()


@dataclass(frozen=True, slots=True)
class Verified:
    """What ``verify`` found: the decree folders that passed, and one line per problem."""

    decrees: int
    problems: tuple[str, ...]


def verify(out_dir: Path, sources: Mapping[Path, str] | None = None) -> Verified:
    """Check ``out_dir`` as `renaksi extract` leaves it: every decree folder against its
    SHA256SUMS and its own record, the combined Parquet, CSV and DuckDB tables against the
    folders (rebuilt in memory, compared value by value), no debris of killed runs; and each
    of ``sources`` (path → sha256 of a PDF) extracted from exactly these bytes.

    Reads only; under the folder's lock, so a running extract is waited for. Raises
    NotExtracted when ``out_dir`` is not a folder.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise NotExtracted("no such folder", out_dir)
    problems = []
    with out_dir_lock(out_dir):
        problems += [f"{p}: left by an interrupted run; the next `renaksi extract` cleans it"
                     for p in leftovers(out_dir)]
        decrees, skipped = decree_folders(out_dir)
        problems += [f"{s.folder}: {s.reason}" for s in skipped]
        for d in decrees:
            if not (d.folder / SUMS).exists():
                problems.append(f"{d.folder}: no {SUMS}, so its files cannot be checked; "
                                "`renaksi extract --force` on its source rewrites it")
            rows = d.dokumen.get("jumlah_baris")
            if isinstance(rows, int) and rows != d.table.num_rows:
                problems.append(f"{d.folder}: dokumen.json counts {rows} rows, "
                                f"rencana_aksi.parquet holds {d.table.num_rows}")
        differ = _differences(out_dir, combined_tables(decrees))
        if differ:
            problems.append(f"{out_dir}: the combined tables do not match the decree folders: "
                            f"{', '.join(differ)}; `renaksi extract` on this folder rebuilds them")
    known = {sha for d in decrees for sha in _source_digests(d.dokumen)}
    by_path = {d.dokumen.get("source_path"): d.folder for d in decrees}
    for path, sha in (sources or {}).items():
        if sha in known:
            continue
        earlier = by_path.get(source_path(path, out_dir))
        problems.append(f"{path}: changed since {earlier} was extracted from it" if earlier
                        else f"{path}: not extracted into {out_dir}")
    return Verified(len(decrees), tuple(problems))


def _source_digests(dokumen: Mapping[str, object]) -> set[str]:
    try:
        listed = json.loads(str(dokumen.get("sha256_sumber") or "[]"))
    except ValueError:
        listed = []
    return {s for s in [dokumen.get("sha256"), *listed] if isinstance(s, str)}


def _differences(out_dir: Path, tables: Mapping[str, pa.Table]) -> list[str]:
    """The combined files in ``out_dir`` that differ from ``tables`` (or cannot be read)."""
    import duckdb

    out = []
    for name, table in tables.items():
        parquet, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
        try:
            if not pq.read_table(parquet).equals(table):
                out.append(parquet.name)
        except (OSError, pa.ArrowException):
            out.append(f"{parquet.name} (unreadable)")
        try:
            if csv.read_bytes() != table.to_pandas().to_csv(index=False).encode("utf-8"):
                out.append(csv.name)
        except OSError:
            out.append(f"{csv.name} (unreadable)")
    try:
        con = duckdb.connect(str(out_dir / DUCKDB_NAME), read_only=True)
    except duckdb.Error:
        return [*out, f"{DUCKDB_NAME} (unreadable)"]
    try:
        for name, table in tables.items():
            try:
                stored = con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            except duckdb.Error:
                out.append(f"{DUCKDB_NAME} (no table {name})")
                continue
            if not stored.cast(table.schema).equals(table):
                out.append(f"{DUCKDB_NAME} (table {name})")
    finally:
        con.close()
    return out

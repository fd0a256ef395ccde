"""All per-decree outputs under one folder as one set of tables, so a single query spans plans.

The per-decree folders are the truth and the combined tables a cache of them, brought up to
date after every run by reading only what changed. The catalog (``catalog.CATALOG``, committed
with the tables) says which folders changed since the tables were built and where every other
decree's rows sit in them: those rows are taken from the tables already written (the very
bytes, for the CSV files), a changed decree's rows replace its old ones, and a run that
changed nothing writes nothing. The tables already written can be read and checked ahead,
while the decrees are being extracted (``read_ahead``), and the files are written side by
side, so what is left once the decrees are in is mostly writing. The Parquet and CSV files
come out exactly as a rebuild from every folder would write them; in renaksi.duckdb, a
replaced decree's rows are stored after the others (a SQL table has no order: ``ORDER BY
doc_id, row_no`` gives the plan's). Whenever reuse cannot give that result (no catalog, a
combined file that is not what was written, the union of extra columns changed), every
folder is read again. Reads parquet only (never the per-decree CSVs) to stay fast over
hundreds of decrees. pyarrow, pandas and DuckDB are loaded only when there is something to
read or write.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from extract import catalog
from extract.errors import NotExtracted, OutputError, RenaksiError
from extract.model import MONTHS
from extract.write import (SUMS, commit, leftovers, out_dir_lock, recover, recover_locked,
                           source_path, verify_sums)

if TYPE_CHECKING:
    import pyarrow as pa

Buffer = bytes | memoryview

# (column, pyarrow type) of the contract's tables; the pyarrow schemas are RENCANA_AKSI_SCHEMA,
# DOKUMEN_SCHEMA and JADWAL_SCHEMA, built when first used.
_COLUMNS = {
    "RENCANA_AKSI_SCHEMA": (
        ("doc_id", "string"), ("row_no", "int64"), ("area_no", "int64"), ("area", "string"),
        ("area_kode", "string"), ("kegiatan", "string"), ("sub_kegiatan", "string"),
        ("indikator", "string"), *((b, "bool_") for b in MONTHS), ("jadwal_satuan", "string"),
        ("keterangan", "string"), ("halaman_awal", "int64"), ("halaman_akhir", "int64"),
    ),
    # halaman_lampiran ([first, last]) becomes two int columns; validasi (a nested summary) is
    # kept whole as a JSON string; jumlah_ditolak is added here from ditolak.csv so summaries
    # need not parse validasi, whose inner layout is the pipeline's business.
    "DOKUMEN_SCHEMA": (
        ("doc_id", "string"), ("source_file", "string"), ("sha256", "string"),
        ("instansi", "string"), ("jenis", "string"), ("wilayah", "string"), ("provinsi", "string"),
        ("kode_wilayah", "string"), ("nomor", "string"), ("tahun", "int64"),
        ("tanggal_penetapan", "string"), ("tempat_penetapan", "string"), ("tentang", "string"),
        ("penandatangan", "string"), ("jabatan_penandatangan", "string"), ("halaman", "int64"),
        ("halaman_lampiran_awal", "int64"), ("halaman_lampiran_akhir", "int64"),
        ("jumlah_baris", "int64"), ("jumlah_ditolak", "int64"), ("metode", "string"),
        ("validasi", "string"), ("renaksi_version", "string"), ("extracted_at", "string"),
    ),
    "JADWAL_SCHEMA": (("doc_id", "string"), ("row_no", "int64"), ("bulan", "int64")),
}
TABLES = ("rencana_aksi", "dokumen", "jadwal")
DUCKDB_NAME = "renaksi.duckdb"
# Storage format of renaksi.duckdb: the one DuckDB 1.0 introduced, which every later release
# (1.x, 2.x) still opens; DuckDB 2.x's own default cannot be opened by 1.x.
DUCKDB_STORAGE = "v1.0.0"


def __getattr__(name: str) -> object:
    if name in _COLUMNS:
        return _schema(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _schema(name: str) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(column, getattr(pa, typ)()) for column, typ in _COLUMNS[name]])


def load_libraries() -> None:
    """Import what writing the combined tables needs (pyarrow, pandas for the CSV files,
    DuckDB), e.g. in the background while the decrees are being extracted."""
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    _schema("RENCANA_AKSI_SCHEMA")


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


def combine(out_dir: Path, ahead: Ahead | None = None) -> CombinedPaths:
    """Bring the combined tables and the DuckDB file of ``out_dir`` up to date with its decree
    folders, reading only the folders that changed since they were last built; ``ahead``:
    what ``read_ahead`` read of the tables already written, used when none of them (nor the
    catalog) has changed since.

    Under the folder's lock, so a decree being swapped in by another run is read whole or
    not at all, and committed as one transaction (``write.commit``): after a full disk or a
    kill the combined files and the catalog are all the earlier ones or all the new ones.
    What killed runs left is cleaned first (``write.recover``).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with out_dir_lock(out_dir):
            recover_locked(out_dir)
            return _update(out_dir, ahead if ahead is not None and
                           ahead.stamp == _stamp(out_dir) else None)
    except OSError as exc:
        raise OutputError(f"cannot write the combined tables in {out_dir} "
                          f"({exc.strerror or exc}); earlier ones are left as they were") from None


def decree_folders(out_dir: Path) -> tuple[list[Decree], list[Skipped]]:
    """Every decree folder of ``out_dir`` that can be combined, read from disk, and every
    other folder with the reason it cannot (damaged, incomplete, off-contract, a second copy
    of a doc_id)."""
    decrees: list[Decree] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for folder in catalog.decree_folders(out_dir):
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


# -- bringing the combined tables up to date --------------------------------------------

@dataclass(frozen=True, slots=True)
class _Member:
    """A decree of the new tables: its folder as scanned, and its rows where they come from."""

    name: str
    folder: catalog.Folder
    old: int | None  # its place among the decrees of the tables already written, when reused
    decree: Decree | None = None  # read from disk (a new or changed folder)


@dataclass(frozen=True, slots=True)
class _Old:
    """The combined files as the catalog says they were written: their bytes (none kept for
    the DuckDB file, which is copied) and, once parsed, rencana_aksi.parquet's table."""

    files: dict[str, bytes]
    rencana_aksi: pa.Table | None

    def table(self) -> pa.Table:
        """rencana_aksi.parquet's table: parsed now unless it was read ahead."""
        if self.rencana_aksi is not None:
            return self.rencana_aksi
        return _parquet(self.files["rencana_aksi.parquet"])


@dataclass(frozen=True, slots=True)
class Ahead:
    """What ``combine`` builds on, read ahead of it (``read_ahead``) and valid as long as
    ``stamp`` still describes the catalog and the combined files."""

    stamp: tuple[tuple[object, ...], ...]
    known: catalog.Catalog
    old: _Old | None  # None: the files are not what the catalog says was written


def read_ahead(out_dir: Path) -> Ahead:
    """The catalog and the combined files of ``out_dir``, read and checked against their
    digests without taking the folder's lock, e.g. while the decrees are being extracted:
    ``combine`` then only writes. It uses them only if their stamp (size, modification and
    change time, inode of each) is unchanged when it holds the lock, so a run committing
    meanwhile is noticed, as the catalog notices a changed folder."""
    out_dir = Path(out_dir)
    stamp = _stamp(out_dir)
    known = catalog.load(out_dir)
    return Ahead(stamp, known, _read_old(out_dir, _tables_record(known), parse=True))


_STAMPED = (catalog.CATALOG, DUCKDB_NAME, *(f"{t}.{x}" for t in TABLES for x in ("parquet", "csv")))


def _stamp(out_dir: Path) -> tuple[tuple[object, ...], ...]:
    found = []
    for name in _STAMPED:
        try:
            st = os.stat(out_dir / name)
        except OSError:
            found.append((name,))
            continue
        found.append((name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(found)


def _tables_record(known: catalog.Catalog) -> Mapping:
    """The catalog's record of the combined files, when it has the shape ``_files`` gives it."""
    return known.tables if _known_tables(known.tables) else {}


def _read_old(out_dir: Path, before: Mapping, parse: bool = False) -> _Old | None:
    """The combined files when they are intact; ``parse``: rencana_aksi.parquet parsed too
    (which loads pyarrow: a run that finds nothing changed need not)."""
    files = _intact_files(out_dir, before)
    if files is None:
        return None
    return _Old(files, _parquet(files["rencana_aksi.parquet"]) if parse else None)


def _parquet(data: bytes) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pq.read_table(pa.BufferReader(data))


def _update(out_dir: Path, ahead: Ahead | None) -> CombinedPaths:
    known = ahead.known if ahead is not None else catalog.load(out_dir)
    scanned = catalog.scan(out_dir, known)
    members: list[_Member] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    before = _tables_record(known)
    old_places = {entry[0]: i for i, entry in enumerate(before.get("decrees", ()))}
    for name, folder in scanned.items():
        unchanged = known.folders.get(name) is folder
        decree = None
        if not _known(folder.combined):  # new or changed: read it
            info, decree = _read_for_combine(out_dir / name, folder)
            folder = scanned[name] = replace(folder, combined=info)
        info = folder.combined
        if info.get("reason"):
            skipped.append(Skipped(out_dir / name, str(info["reason"])))
            continue
        if info["doc_id"] in seen:
            skipped.append(Skipped(out_dir / name, f"duplicate doc_id {info['doc_id']}"))
            continue
        seen.add(str(info["doc_id"]))
        members.append(_Member(name, folder, old_places.get(name) if unchanged else None, decree))
    schema = _union([m.folder.combined["extras"] for m in members])
    old = None
    if before.get("schema") == schema:
        old = ahead.old if ahead is not None else _read_old(out_dir, before)
    if old is None:  # nothing to build on: every decree is read from its folder
        members = [replace(m, old=None) for m in members]
    elif [m.old for m in members] == list(range(len(old_places))):  # nothing changed
        _rewrite_catalog(out_dir, scanned, before, known)
        return _paths(out_dir, members, skipped)
    members = [m if m.old is not None or m.decree else replace(m, decree=read_decree(out_dir / m.name))
               for m in members]
    files, record = _files(out_dir, members, old, before)
    _commit(out_dir, files, {catalog.CATALOG: lambda path: path.write_text(
        catalog.dumps(scanned, {**record(), "schema": schema}), encoding="utf-8")})
    return _paths(out_dir, members, skipped)


_INFO = {"doc_id": str, "rows": int, "extras": list, "dokumen": dict, "own_rows": bool}


def _known(info: object) -> bool:
    """What the catalog says of a folder has the shape ``_read_for_combine`` gives it (the
    catalog is a file like any other: nothing in it is trusted further than that)."""
    if not isinstance(info, dict):
        return False
    if "reason" in info:
        return isinstance(info["reason"], str)
    return all(isinstance(info.get(key), typ) for key, typ in _INFO.items())


def _known_tables(tables: object) -> bool:
    """The catalog's record of the combined files has the shape ``_files`` gives it."""
    try:
        return (isinstance(tables["digests"], dict) and isinstance(tables["schema"], list)
                and all(isinstance(tables["csv"][n]["header"], int) for n in ("rencana_aksi", "jadwal"))
                and all(len(e) == 7 and isinstance(e[0], str) and isinstance(e[1], str)
                        and all(isinstance(n, int) for n in e[2:6]) for e in tables["decrees"]))
    except (KeyError, TypeError, IndexError):
        return False


def _read_for_combine(folder: Path, scanned: catalog.Folder) -> tuple[dict, Decree | None]:
    """What the catalog keeps of a folder for ``combine`` ({"reason"} when it cannot be
    combined), and the decree as read."""
    try:
        # folders without SHA256SUMS (older renaksi, other tools) are read as they are
        if scanned.has_sums and scanned.sums:
            raise UnreadableDecree(scanned.sums, folder)
        decree = read_decree(folder)
    except UnreadableDecree as exc:
        return {"reason": exc.msg}, None
    extras = [[f.name, str(f.type)] for f in decree.table.schema
              if f.name not in _schema("RENCANA_AKSI_SCHEMA").names]
    return {"doc_id": decree.doc_id, "rows": decree.table.num_rows, "extras": extras,
            "dokumen": decree.dokumen, "own_rows": _rows_named(decree.table, decree.doc_id)}, decree


def _rows_named(table: pa.Table, doc_id: str) -> bool:
    """Every row carries the decree's own doc_id (so DuckDB can find them by it)."""
    import pyarrow.compute as pc

    return set(pc.unique(table.column("doc_id")).to_pylist()) <= {doc_id}


def _union(extras: Iterable[Sequence[Sequence[str]]]) -> list[list[str]]:
    """The extra columns of ``concat_rencana_aksi``'s schema, as [name, type] pairs: in order
    of first appearance, a type when every decree agrees on it, else string."""
    types: dict[str, set[str]] = {}
    for columns in extras:
        for name, typ in columns:
            found = types.setdefault(name, set())
            if typ != "null":
                found.add(typ)
    return [[name, next(iter(t)) if len(t) == 1 else "string"] for name, t in types.items()]


def _intact_files(out_dir: Path, before: Mapping) -> dict[str, bytes] | None:
    """The bytes of the combined files as the catalog says they were written, or None when
    one is missing or differs (edited, damaged): then nothing is taken from them."""
    digests = before.get("digests")
    if not isinstance(digests, dict):
        return None
    found = {}
    for name, digest in digests.items():
        try:
            data = (out_dir / name).read_bytes() if name != DUCKDB_NAME else None
            actual = hashlib.sha256(data).hexdigest() if data is not None else _sha256(out_dir / name)
        except OSError:
            return None
        if actual != digest:
            return None
        found[name] = data if data is not None else b""
    return found


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _files(out_dir: Path, members: list[_Member], was: _Old | None, before: Mapping
           ) -> tuple[dict[str, Callable[[Path], None]], Callable[[], dict]]:
    """The writers of the seven combined files, and the catalog's record of them once they
    are written."""
    import pyarrow.parquet as pq

    old = was.files if was is not None else None
    old_decrees = before.get("decrees", []) if old is not None else []
    old_table = None if was is None else was.table()
    ra_starts = _starts(e[2] for e in old_decrees)
    parts = []
    for m in members:
        if m.old is not None and old_table is not None:
            parts.append(old_table.slice(ra_starts[m.old], old_decrees[m.old][2]))
        else:
            assert m.decree is not None
            parts.append(m.decree.table)
    rencana_aksi = concat_rencana_aksi(parts) if old is None else \
        _concat_conformed(parts, old_table.schema)
    dokumen = dokumen_table([m.folder.combined["dokumen"] for m in members])
    jadwal_table = jadwal(rencana_aksi)
    tables = {"rencana_aksi": rencana_aksi, "dokumen": dokumen, "jadwal": jadwal_table}
    counts = {"rencana_aksi": [p.num_rows for p in parts],
              "jadwal": [old_decrees[m.old][3] if m.old is not None else _marked(p)
                         for m, p in zip(members, parts)]}
    record: dict = {"digests": {}, "csv": {}}
    files: dict[str, Callable[[Path], None]] = {}
    for name, table in tables.items():
        files[f"{name}.parquet"] = _digested(record, f"{name}.parquet",
                                             lambda path, t=table: pq.write_table(t, path))
        files[f"{name}.csv"] = _csv_writer(record, name, lambda n=name, t=table: _csv(
            n, t, counts.get(n), members, old, before, old_decrees))
    files[DUCKDB_NAME] = _digested(record, DUCKDB_NAME, _duckdb_writer(
        out_dir, tables, members, counts, old, old_decrees))

    def completed() -> dict:
        csv_lengths = {name: r.pop("lengths") for name, r in record["csv"].items() if "lengths" in r}
        record["decrees"] = [
            [m.name, m.folder.combined["doc_id"], counts["rencana_aksi"][i], counts["jadwal"][i],
             csv_lengths["rencana_aksi"][i], csv_lengths["jadwal"][i], m.folder.combined["own_rows"]]
            for i, m in enumerate(members)]
        return record

    return files, completed


def _starts(lengths: Iterable[int]) -> list[int]:
    out, at = [], 0
    for n in lengths:
        out.append(at)
        at += n
    return out


def _concat_conformed(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    """``concat_rencana_aksi`` when the union of columns is known to be ``schema``."""
    import pyarrow as pa

    conformed = [p if p.schema.equals(schema) else pa.Table.from_arrays(
        [p.column(f.name).cast(f.type) if f.name in p.column_names else pa.nulls(p.num_rows, f.type)
         for f in schema], schema=schema) for p in parts]
    return pa.concat_tables(conformed) if conformed else schema.empty_table()


def _marked(part: pa.Table) -> int:
    """Rows a decree gives the jadwal table: its scheduled months."""
    import pyarrow.compute as pc

    return sum(int(pc.sum(pc.fill_null(part.column(b), False).cast("int64")).as_py() or 0)
               for b in MONTHS)


def _digested(record: dict, name: str, fill: Callable[[Path], None]) -> Callable[[Path], None]:
    """``fill``, then the sha256 of what it wrote into ``record["digests"]``."""
    def write(path: Path) -> None:
        fill(path)
        record["digests"][name] = _sha256(path)
    return write


def _csv_writer(record: dict, name: str, pieces: Callable[[], tuple[list[Buffer], dict]]
                ) -> Callable[[Path], None]:
    """The writer of ``name``.csv from its ``pieces`` (assembled in the writer's thread), its
    sha256 taken from them on the way."""
    def write(path: Path) -> None:
        parts, record["csv"][name] = pieces()
        digest = hashlib.sha256()
        with path.open("wb") as fh:
            for part in parts:
                fh.write(part)
                digest.update(part)
        record["digests"][f"{name}.csv"] = digest.hexdigest()
    return write


def _csv(name: str, table: pa.Table, counts: list[int] | None, members: list[_Member],
         old: Mapping[str, bytes] | None, before: Mapping, old_decrees: list
         ) -> tuple[list[Buffer], dict]:
    """The CSV file of ``table`` as ``pandas.DataFrame.to_csv`` writes the whole table, in
    pieces, and the catalog's record of it. Split by decree (``counts`` rows each), it is
    written decree by decree: a reused decree's lines are the old file's (a view, not a copy)
    when every column would be written as before (pandas writes an int column holding a
    null as floats: "3.0")."""
    signature = _csv_signature(table)
    if counts is None:
        return [_to_csv(table)], {"signature": signature}
    was = before.get("csv", {}).get(name, {}) if old is not None else {}
    reuse = old is not None and was.get("signature") == signature
    old_bytes = memoryview(old[f"{name}.csv"] if reuse and old is not None else b"")
    column = 4 if name == "rencana_aksi" else 5
    old_starts = _starts(e[column] for e in old_decrees)
    header = old_bytes[:was["header"]] if reuse else _to_csv(table.slice(0, 0))
    frame = None if reuse else table.to_pandas()  # every decree written anew: convert once
    pieces: list[Buffer] = [header]
    lengths = []
    at = 0
    for i, m in enumerate(members):
        if reuse and m.old is not None:
            start = was["header"] + old_starts[m.old]
            piece = old_bytes[start:start + old_decrees[m.old][column]]
        elif frame is not None:
            piece = frame.iloc[at:at + counts[i]].to_csv(index=False, header=False).encode("utf-8")
        else:
            piece = _to_csv(table.slice(at, counts[i]), header=False, like=signature)
        pieces.append(piece)
        lengths.append(len(piece))
        at += counts[i]
    return pieces, {"signature": signature, "header": len(header), "lengths": lengths}


def _csv_signature(table: pa.Table) -> list[list[object]]:
    """What decides how pandas writes each column: its type and, for int and bool columns
    (which a null turns to float and object), whether it holds a null."""
    import pyarrow as pa

    return [[f.name, str(f.type), table.column(i).null_count > 0
             if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type) else False]
            for i, f in enumerate(table.schema)]


def _to_csv(table: pa.Table, header: bool = True, like: list[list[object]] | None = None) -> bytes:
    """``table`` as pandas writes it (the contract's CSV); ``like``: the signature of the
    whole table a slice comes from, whose nulls decide the column types pandas writes."""
    frame = table.to_pandas()
    if like is not None:
        for (name, _, nulls), (_, _, own) in zip(like, _csv_signature(table)):
            if nulls and not own:
                frame[name] = frame[name].astype("float64" if frame[name].dtype.kind in "iu"
                                                 else "object")
    return frame.to_csv(index=False, header=header).encode("utf-8")


def _duckdb_writer(out_dir: Path, tables: Mapping[str, pa.Table], members: list[_Member],
                   counts: Mapping[str, list[int]], old: Mapping[str, bytes] | None,
                   old_decrees: list) -> Callable[[Path], None]:
    """The DuckDB file's writer: a copy of the old file with the changed decrees' rows
    replaced when every decree's rows carry its doc_id, else a new file of ``tables``."""
    old_ids = {e[1] for e in old_decrees}
    kept = {m.old for m in members if m.old is not None}
    gone = [e[1] for i, e in enumerate(old_decrees) if i not in kept]
    fresh = [i for i, m in enumerate(members) if m.old is None]
    if old is None or not all(e[6] for e in old_decrees) or \
            not all(m.folder.combined["own_rows"] for m in members) or \
            any(members[i].folder.combined["doc_id"] in old_ids - set(gone) for i in fresh):
        return lambda path: _write_duckdb(tables, path)
    starts = {name: _starts(counts[name]) for name in ("rencana_aksi", "jadwal")}
    incoming = {name: [tables[name].slice(starts[name][i], counts[name][i]) for i in fresh]
                for name in ("rencana_aksi", "jadwal")}

    def write(path: Path) -> None:
        shutil.copyfile(out_dir / DUCKDB_NAME, path)
        _write_duckdb(tables, path, replace={"gone": gone, "incoming": incoming})
    return write


def _commit(out_dir: Path, files: Mapping[str, Callable[[Path], None]],
            then: Mapping[str, Callable[[Path], None]]) -> None:
    import duckdb

    try:
        commit(out_dir, files, then)
    except duckdb.Error as exc:  # DuckDB's own writer hit the disk (full, read-only)
        reason = str(exc).splitlines()[0]
        raise OutputError(f"cannot write {out_dir / DUCKDB_NAME} ({reason}); the combined "
                          "tables are left as they were") from None


def _rewrite_catalog(out_dir: Path, scanned: Mapping[str, catalog.Folder], tables: Mapping,
                     known: catalog.Catalog) -> None:
    """Nothing to combine anew; the catalog is rewritten only when what it knows of the
    folders changed (a folder read again whose content turned out the same, a new skip)."""
    if scanned != known.folders:
        commit(out_dir, {catalog.CATALOG: lambda path: path.write_text(
            catalog.dumps(scanned, tables), encoding="utf-8")})


def _paths(out_dir: Path, members: list[_Member], skipped: list[Skipped]) -> CombinedPaths:
    return CombinedPaths(
        rencana_aksi=out_dir / "rencana_aksi.parquet",
        rencana_aksi_csv=out_dir / "rencana_aksi.csv",
        dokumen=out_dir / "dokumen.parquet",
        dokumen_csv=out_dir / "dokumen.csv",
        jadwal=out_dir / "jadwal.parquet",
        jadwal_csv=out_dir / "jadwal.csv",
        duckdb=out_dir / DUCKDB_NAME,
        decrees=tuple(str(m.folder.combined["doc_id"]) for m in members),
        skipped=tuple(skipped),
    )


# -- reading -------------------------------------------------------------------------------

def read_combined(data_dir: Path, names: Iterable[str]):
    """The combined tables ``combine`` wrote into ``data_dir``, as pandas DataFrames by name.

    A commit a killed run left half done is finished first (when the folder is writable).
    Raises NotExtracted when a table is missing or cannot be read.
    """
    import pandas as pd
    import pyarrow as pa

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
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    import pyarrow as pa

    table = table.replace_schema_metadata(None)
    table = table.drop_columns([n for n in table.column_names if n.startswith("__index_level_")])
    contract = _schema("RENCANA_AKSI_SCHEMA")
    missing = [f.name for f in contract if f.name not in table.column_names]
    if missing:
        raise UnreadableDecree(f"rencana_aksi.parquet lacks columns {', '.join(missing)}", folder)
    for f in contract:
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
    for name, typ in _COLUMNS["DOKUMEN_SCHEMA"]:
        flat[name] = _coerce(extra.pop(name, None), typ == "int64")
    for key, value in extra.items():
        flat[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
    return flat


def _coerce(value: object, integer: bool) -> object:
    if value is None:
        return None
    if integer:
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
    import pyarrow as pa

    schema = _schema("DOKUMEN_SCHEMA")
    names = list(schema.names)
    for rec in records:
        names.extend(k for k in rec if k not in names)
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for name in names:
        values = [rec.get(name) for rec in records]
        if name in schema.names:
            arrays.append(pa.array(values, type=schema.field(name).type))
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
    import pyarrow as pa

    contract = _schema("RENCANA_AKSI_SCHEMA")
    extra_types: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for f in t.schema:
            if f.name not in contract.names:
                types = extra_types.setdefault(f.name, set())
                if not pa.types.is_null(f.type):
                    types.add(f.type)
    fields = list(contract)
    for name, types in extra_types.items():
        fields.append(pa.field(name, next(iter(types)) if len(types) == 1 else pa.string()))
    return _concat_conformed(tables, pa.schema(fields))


def jadwal(rencana_aksi: pa.Table) -> pa.Table:
    """Long form of the twelve month flags: one (doc_id, row_no, bulan) per scheduled month."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = _schema("JADWAL_SCHEMA")
    if rencana_aksi.num_rows == 0:
        return schema.empty_table()
    marks = np.column_stack([pc.fill_null(rencana_aksi.column(b), False).to_numpy(zero_copy_only=False) for b in MONTHS])
    rows, months = np.nonzero(marks)  # row-major: document order, then month
    take = pa.array(rows, type=pa.int64())
    return pa.Table.from_arrays(
        [
            rencana_aksi.column("doc_id").take(take),
            rencana_aksi.column("row_no").take(take),
            pa.array(months + 1, type=pa.int64()),
        ],
        schema=schema,
    )


def _write_duckdb(tables: Mapping[str, pa.Table], path: Path,
                  replace: Mapping[str, object] | None = None) -> None:
    """Real tables, not views over parquet paths: the file stays valid if the folder moves.

    ``replace`` ({"gone": doc_ids, "incoming": {table: [new decrees' rows]}}): ``path`` is a
    copy of the earlier file, whose rows of the ``gone`` decrees are deleted and the incoming
    ones appended; dokumen (one row per decree) is written anew.
    """
    import duckdb

    con = duckdb.connect(str(path), config={"storage_compatibility_version": DUCKDB_STORAGE})
    try:
        con.execute("BEGIN")
        if replace is None:
            for name, table in tables.items():
                _create(con, name, table)
        else:
            gone = list(replace["gone"])
            for name, parts in replace["incoming"].items():
                if gone:
                    con.execute(f'DELETE FROM "{name}" WHERE doc_id IN (SELECT unnest(?))', [gone])
                for part in parts:
                    con.register("_incoming", part)
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM _incoming')
                    con.unregister("_incoming")
            con.execute('DROP TABLE "dokumen"')
            _create(con, "dokumen", tables["dokumen"])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _create(con, name: str, table: pa.Table) -> None:
    con.register("_incoming", table)
    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _incoming')
    con.unregister("_incoming")


# -- renaksi check -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Verified:
    """What ``verify`` found: the decree folders that passed, and one line per problem."""

    decrees: int
    problems: tuple[str, ...]


def verify(out_dir: Path, sources: Mapping[Path, str] | None = None) -> Verified:
    """Check ``out_dir`` as `renaksi extract` leaves it: every decree folder against its
    SHA256SUMS and its own record, the combined Parquet, CSV and DuckDB tables against the
    folders (rebuilt in memory from every folder, not from the catalog, and compared value by
    value), no debris of killed runs; and each of ``sources`` (path → sha256 of a PDF)
    extracted from exactly these bytes.

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
    """The combined files in ``out_dir`` that differ from ``tables`` (or cannot be read).
    DuckDB's tables are compared as sets of rows: a replaced decree's rows are stored last."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = []
    for name, table in tables.items():
        parquet, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
        try:
            if not pq.read_table(parquet).equals(table):
                out.append(parquet.name)
        except (OSError, pa.ArrowException):
            out.append(f"{parquet.name} (unreadable)")
        try:
            if csv.read_bytes() != _to_csv(table):
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
            try:
                same = _sorted(stored.cast(table.schema)).equals(_sorted(table))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                same = False
            if not same:
                out.append(f"{DUCKDB_NAME} (table {name})")
    finally:
        con.close()
    return out


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])

"""Stage 8: store one decree's outputs atomically, then rebuild the combined dataset.

A decree folder is written complete in a temporary sibling and renamed into place, so a
reader (or a crash, or a full disk) never sees half a folder and earlier outputs survive.
"""
from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import OutputError
from .identity import (Group, Source, decide, digests, held_of, identity_fields, kerangka,
                       sidik)
from .model import Result

DOKUMEN = "dokumen.json"
# The contract's doc_id; anything else could name a path outside --out ("..", "/", NUL).
_DOC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@contextmanager
def out_dir_lock(out_dir: Path) -> Iterator[None]:
    """Exclusive hold on ``out_dir`` across processes, even separate ``renaksi`` runs.

    Swapping a decree folder in is two renames; a second run swapping the same folder, or
    combining while it is briefly absent, would fail or drop it. The kernel releases the
    lock when a killed holder dies.
    """
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)  # the folder itself: no lock file left
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def dokumen(result: Result) -> dict:
    """The decree record of ``dokumen.json`` (contract fields, then how it was read)."""
    meta = asdict(result.meta)
    del meta["warnings"]  # already among result.warnings, i.e. validasi.peringatan
    by_row: dict[int, list[str]] = {}
    for r in result.rejects:
        by_row.setdefault(r.row_no or 0, []).append(r.reason)
    fields = identity_fields(result.doc_id, Group(result.doc_id, (source_of(result),), None, None))
    return {
        "doc_id": result.doc_id,
        "source_file": result.source.name,
        "sha256": result.sha256,
        **meta,
        "halaman": result.halaman,
        "halaman_lampiran": list(result.halaman_lampiran) if result.halaman_lampiran else None,
        "jumlah_baris": int(len(result.table)),
        "metode": result.metode,
        "validasi": {
            "baris_diterima": int(len(result.table)),
            "baris_ditolak": int(len(result.rejected)),
            "ditolak": [{"row_no": n, "alasan": sorted(set(reasons))}
                        for n, reasons in sorted(by_row.items())],
            "peringatan": result.warnings,
            "ocr_baris_keyakinan_rendah": result.low_confidence_rows,
        },
        "renaksi_version": __version__,
        "extracted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{k: fields[k] for k in ("sumber", "identitas", "sidik")},
    }


def source_of(result: Result) -> Source:
    """The input file as a ``sumber`` entry: the path as given ranks ties."""
    table: pd.DataFrame = result.table  # type: ignore[assignment]
    return Source(result.source.name, str(result.source), result.sha256, result.metode,
                  len(table), sidik(table), kerangka(table))


def write(result: Result, out_dir: Path) -> Path:
    """Write the decree's folder in one atomic step; return the folder (see ``store``)."""
    return store(result, out_dir).folder


def store(result: Result, out_dir: Path) -> Placement:
    """Write ``out_dir/<doc_id>/`` in one atomic step, placed by the identity rule
    (``identity``): a copy of a decree already there is listed in its ``sumber``, another
    decree of the same identity gets a folder of its own. Return where it went and why."""
    out_dir = Path(out_dir)
    if not _DOC_ID.fullmatch(result.doc_id):
        raise OutputError(f"doc_id {result.doc_id!r} is not a safe folder name", result.source)
    target = out_dir / result.doc_id
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{result.doc_id}.{os.getpid()}.", dir=out_dir))
    except OSError as exc:
        raise OutputError(f"cannot create output folder {out_dir} ({exc.strerror})",
                          result.source) from None
    try:
        table: pd.DataFrame = result.table  # type: ignore[assignment]
        table.to_csv(tmp / "rencana_aksi.csv", index=False)
        table.to_parquet(tmp / "rencana_aksi.parquet", index=False)
        rejected: pd.DataFrame = result.rejected  # type: ignore[assignment]
        if len(rejected):
            rejected.to_csv(tmp / "ditolak.csv", index=False)
        _write_record(tmp, dokumen(result))
        with out_dir_lock(out_dir):
            return _place(out_dir, result.doc_id, source_of(result), tmp)
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {target} ({exc.strerror or exc}); "
                          "earlier outputs are left as they were", result.source) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def list_copy(out_dir: Path, folder: str, path: Path, sha256: str) -> Placement | None:
    """List ``path``, a file with the digest of one ``folder`` was read from, in that
    decree's ``sumber`` without reading it again (same bytes, same rows). None when the
    folder no longer holds that digest."""
    out_dir = Path(out_dir)
    with out_dir_lock(out_dir):
        record = _records(out_dir, folder, sha256).get(folder)
        held = held_of(record, folder) if record else None
        twin = next((s for s in held.sources if s.sha256 == sha256), None) if held else None
        if record is None or twin is None:
            return None
        listed = replace(twin, name=path.name, path=str(path))
        return _place(out_dir, str(record["identitas"]), listed, None)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a file's decree went, and what that changed, for the line the CLI prints."""

    folder: Path
    source: Source  # the file itself
    used: Source  # the file whose rows the folder holds
    copy_of: Source | None = None  # the file was a copy of ``used`` (same identity and rows)
    replaced: Source | None = None  # the file now used in place of this one (kept as a copy)
    others: tuple[tuple[str, Source], ...] = ()  # other decrees of the identity: doc_id, file
    moved: tuple[tuple[str, str], ...] = ()  # decrees whose folder changed: old, new doc_id
    dropped: tuple[str, ...] = ()  # folders that held this file under an older identity
    changed: Source | None = None  # this path's earlier file, another digest, now replaced

    @property
    def kept(self) -> bool:
        return self.copy_of is None


def _place(out_dir: Path, base: str, new: Source, staged: Path | None) -> Placement:
    """Apply the identity decision for ``new`` (its rows written in ``staged``, or None for
    a byte copy of a listed file) to ``out_dir``. Caller holds ``out_dir_lock``.

    Every changed folder is built complete in a temporary sibling first, then swapped in,
    so a kill leaves each decree either as it was or as decided.
    """
    records = _records(out_dir, base, new.sha256)
    held = {name: h for name, r in records.items()
            if r.get("identitas") == base and r.get("renaksi_version") == __version__
            and (h := held_of(r, name)) is not None}
    groups = decide(base, held.values(), new)
    targets = {g.doc_id for g in groups}
    built: list[tuple[Path, str]] = []
    try:
        for g in groups:
            fresh = g.rows_in is None and staged is not None
            if not fresh and g.rows_in == g.doc_id and held[g.doc_id].sources == g.sources:
                continue  # this decree is untouched
            if fresh:
                folder = staged
            else:
                folder = Path(tempfile.mkdtemp(prefix=f".{g.doc_id}.{os.getpid()}.", dir=out_dir))
                shutil.copytree(out_dir / str(g.rows_in or g.was), folder, dirs_exist_ok=True)
            record = json.loads((folder / DOKUMEN).read_text(encoding="utf-8"))
            if record["doc_id"] != g.doc_id:
                _relabel(folder, record["doc_id"], g.doc_id)
            record.update(identity_fields(base, g))
            _write_record(folder, record)
            built.append((folder, g.doc_id))
        dropped = [name for name, r in records.items() if name not in held
                   and new.sha256 in digests(r) and name not in targets]
        for folder, doc_id in built:
            _swap_in(folder, out_dir / doc_id)
        for name in [*(n for n in held if n not in targets), *dropped]:
            shutil.rmtree(out_dir / name, ignore_errors=True)
    finally:
        for folder, _ in built:
            if folder != staged:
                shutil.rmtree(folder, ignore_errors=True)
    mine = next(g for g in groups if new in g.sources)
    changed = next((s for h in held.values() for s in h.sources
                    if s.path == new.path and s.sha256 != new.sha256), None)
    before = held[mine.was].sources[0] if mine.was else None
    return Placement(
        folder=out_dir / mine.doc_id, source=new, used=mine.kept,
        copy_of=mine.kept if mine.kept != new else None,
        replaced=before if mine.kept == new and before not in (None, new) else None,
        others=tuple((g.doc_id, g.kept) for g in groups if g is not mine),
        moved=tuple((g.was, g.doc_id) for g in groups if g.was and g.was != g.doc_id),
        dropped=tuple(dropped), changed=changed)


def _records(out_dir: Path, base: str, sha256: str) -> dict[str, dict]:
    """``dokumen.json`` of the decree folders in ``out_dir`` that may matter for a file:
    those named for its identity and those that list its digest (unreadable ones left out).
    The text is searched before it is parsed: a batch reads every record for every file."""
    mine = re.compile(rf"{re.escape(base)}(?:-[0-9a-f]{{8}})?")
    out: dict[str, dict] = {}
    for doc in sorted(out_dir.glob(f"*/{DOKUMEN}")):
        name = doc.parent.name
        if name.startswith("."):
            continue
        try:
            text = doc.read_text(encoding="utf-8")
            if mine.fullmatch(name) or sha256 in text:
                record = json.loads(text)
            else:
                continue
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            out[name] = record
    return out


def _write_record(folder: Path, record: dict) -> None:
    (folder / DOKUMEN).write_text(json.dumps(record, ensure_ascii=False, indent=2),
                                  encoding="utf-8")


def _relabel(folder: Path, old: str, new: str) -> None:
    """Give a decree folder's tables another doc_id: the first column of every row."""
    for name in ("rencana_aksi.csv", "ditolak.csv"):
        path = folder / name
        if path.exists():
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            for row in rows[1:]:
                if row and row[0] == old:
                    row[0] = new
            with path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
    table = pd.read_parquet(folder / "rencana_aksi.parquet")
    table["doc_id"] = table["doc_id"].astype("string").where(table["doc_id"] != old, new)
    table.to_parquet(folder / "rencana_aksi.parquet", index=False)


def clear_partial(out_dir: Path, doc_id: str, pid: int) -> None:
    """Undo what process ``pid`` left when it was killed while writing ``doc_id``.

    Its leftovers carry its pid (temporary folder, swapped-out old folder, review being
    built), so another run writing the same decree at the same time is never touched. If it
    died between the two renames of a swap, the old folder is put back.
    """
    out_dir = Path(out_dir)
    target = out_dir / doc_id
    if not out_dir.is_dir():
        return
    with out_dir_lock(out_dir):
        old = out_dir / f".{doc_id}.old.{pid}"
        if old.exists() and not target.exists():
            os.replace(old, target)
        leftovers = [*out_dir.glob(f".{doc_id}.{pid}.*"), *out_dir.glob(f".{doc_id}.old.{pid}"),
                     *target.glob(f".review.{pid}.*")]
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp`` with renames only (no window where neither exists long)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

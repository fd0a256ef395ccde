"""Stage 8: store one decree's outputs as one transaction; the transactions' own machinery.

A decree folder is written complete in a temporary sibling and renamed into place, so a
reader (or a crash, or a full disk) never sees half a folder and earlier outputs survive.
Files that belong together (the combined tables) are committed through a journal. Every
temporary name carries the writer's pid, so what a killed run left is recognised by name,
never read as data, and cleaned by the next run: ``recover``.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

from . import version
from .errors import OutputError
from .identity import (Group, Source, decide, digests, held_of, identity_fields, kerangka,
                       sidik)
from .model import Result

if TYPE_CHECKING:  # the batch's own process writes no table: it need not load pandas
    import pandas as pd

DOKUMEN = "dokumen.json"
SUMS = "SHA256SUMS"  # `sha256sum -c SHA256SUMS` checks a decree folder by hand too
# The contract's doc_id; anything else could name a path outside --out ("..", "/", NUL).
_DOC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What writers leave while they work; a name that matches and whose pid is dead is debris.
_BUILDING = re.compile(r"\.(?P<name>[^/]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]{8}")  # mkdtemp folder
_SWAPPED_OUT = re.compile(r"\.(?P<name>[^/]+)\.old\.(?P<pid>\d+)")
_TEMP_FILE = re.compile(r"\.(?P<name>.+)\.(?:(?P<pid>\d+)\.)?[0-9a-f]{32}\.tmp(?:\.wal)?")
_JOURNAL = re.compile(r"\.commit\.(?P<pid>\d+)\.journal")


@contextmanager
def out_dir_lock(out_dir: Path) -> Iterator[None]:
    """Exclusive hold on ``out_dir`` across processes, even separate ``renaksi`` runs.

    Swapping a decree folder in is two renames and committing the combined tables a few;
    whoever holds the lock sees neither half done (what it finds was left by a dead
    process). The kernel releases the lock when a killed holder dies.
    """
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)  # the folder itself: no lock file left
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@cache
def shared_mode() -> int:
    """Folder permissions as the user's umask gives them (mkdtemp's are owner-only, which
    makes a shared --out fail for a colleague)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def own_folder(folder: Path, ours: Callable[[Path], bool], what: str, whole: bool = False) -> Path:
    """Make sure ``folder`` is renaksi's to write into: absent (then created), empty, or
    holding what ``ours`` recognises as an earlier output of the command. Hidden entries
    are not looked at unless the folder is to be replaced ``whole``.

    Raises OutputError for a file, or for a folder of other files (``--out .``,
    ``--out data/raw``): renaksi replaces only what it wrote itself.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file; {what} needs a folder")
    try:
        entries = sorted(p.name for p in folder.iterdir() if whole or not p.name.startswith(".")) \
            if folder.exists() else []
        if entries and not ours(folder):
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise OutputError(f"{folder} holds files renaksi did not write ({shown}); {what} "
                              "needs a new or empty folder, or one it wrote before")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {folder} for the {what} "
                          f"({exc.strerror or exc})") from None
    return folder


def is_extract_output(folder: Path) -> bool:
    """A folder `renaksi extract` wrote: combined tables, or at least one decree folder."""
    return any((folder / name).is_file() for name in ("renaksi.duckdb", "rencana_aksi.parquet")) \
        or any(folder.glob(f"*/{DOKUMEN}"))


def dokumen(result: Result, source: Source) -> dict:
    """The decree record of ``dokumen.json`` (contract fields, then how it was read, then
    its identity as if it stood alone: ``store`` settles it among the others); ``source``
    is the decree's ``source_of``."""
    meta = asdict(result.meta)
    del meta["warnings"]  # already among result.warnings, i.e. validasi.peringatan
    by_row: dict[int, list[str]] = {}
    for r in result.rejects:
        by_row.setdefault(r.row_no or 0, []).append(r.reason)
    alone = Group(result.doc_id, (source,), None, None)
    fields = identity_fields(result.doc_id, alone)
    return {
        "doc_id": result.doc_id,
        "source_file": result.source.name,
        "sha256": result.sha256,
        **meta,
        "halaman": result.halaman,
        "halaman_lampiran": list(result.halaman_lampiran) if result.halaman_lampiran else None,
        "jumlah_baris": int(len(result.table)),
        "metode": result.metode,
        "metode_halaman": [{"halaman": n, "metode": how, **({"alasan": why} if why else {})}
                           for n, how, why in result.pages_read],
        "kolom_absen": list(result.kolom_absen),
        "validasi": {
            "baris_diterima": int(len(result.table)),
            "baris_ditolak": int(len(result.rejected)),
            "ditolak": [{"row_no": n, "alasan": sorted(set(reasons))}
                        for n, reasons in sorted(by_row.items())],
            "peringatan": result.warnings,
            "ocr_baris_keyakinan_rendah": result.low_confidence_rows,
        },
        "renaksi_version": version(),
        "extracted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{k: fields[k] for k in ("source_path", "sumber", "identitas", "sidik")},
    }


def source_of(result: Result, out_dir: Path) -> Source:
    """The input file as a ``sumber`` entry; its path relative to ``out_dir`` ranks ties."""
    table: pd.DataFrame = result.table  # type: ignore[assignment]
    return Source(result.source.name, source_path(result.source, out_dir), result.sha256,
                  result.metode, len(table), sidik(table), kerangka(table))


def write(result: Result, out_dir: Path, finish: Callable[[Path], None] | None = None) -> Path:
    """Write the decree's folder in one atomic step; return the folder (see ``store``)."""
    return store(result, out_dir, finish).folder


def store(result: Result, out_dir: Path,
          finish: Callable[[Path], None] | None = None) -> Placement:
    """Write ``out_dir/<doc_id>/`` in one atomic step, placed by the identity rule
    (``identity``): a copy of a decree already there is listed in its ``sumber``, another
    decree of the same identity gets a folder of its own. Return where it went and why.

    ``finish`` adds more to the folder (the review) before it is swapped in, so that is
    part of the same transaction. Raises OutputError (disk full, permissions) with the
    earlier outputs left as they were.
    """
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
        tmp.chmod(shared_mode())
        table: pd.DataFrame = result.table  # type: ignore[assignment]
        table.to_csv(tmp / "rencana_aksi.csv", index=False)
        table.to_parquet(tmp / "rencana_aksi.parquet", index=False)
        rejected: pd.DataFrame = result.rejected  # type: ignore[assignment]
        if len(rejected):
            rejected.to_csv(tmp / "ditolak.csv", index=False)
        if finish is not None:
            finish(tmp)
        source = source_of(result, out_dir)  # digests every row: once
        _write_record(tmp, dokumen(result, source))
        with out_dir_lock(out_dir):
            return _place(out_dir, result.doc_id, source, tmp)
    except OSError as exc:
        raise OutputError(f"cannot write outputs to {target} ({exc.strerror or exc}); "
                          "earlier outputs are left as they were", result.source) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def source_path(source: Path, out_dir: Path) -> str:
    """Where the source PDF is, relative to the output folder (the two usually move
    together), so a later run knows which folder came from which file."""
    return Path(os.path.relpath(Path(source).resolve(), Path(out_dir).resolve())).as_posix()


def list_copy(out_dir: Path, folder: str, path: Path, sha256: str) -> Placement | None:
    """List ``path``, a file with the digest of one ``folder`` was read from, in that
    decree's ``sumber`` without reading it again (same bytes, same rows). None when the
    folder no longer holds that digest. Raises OutputError."""
    out_dir = Path(out_dir)
    with out_dir_lock(out_dir):
        record = _records(out_dir, folder, sha256).get(folder)
        held = held_of(record, folder) if record else None
        twin = next((s for s in held.sources if s.sha256 == sha256), None) if held else None
        if record is None or twin is None:
            return None
        listed = replace(twin, name=path.name, path=source_path(path, out_dir))
        try:
            return _place(out_dir, str(record["identitas"]), listed, None)
        except OSError as exc:
            raise OutputError(f"cannot list a copy in {out_dir / folder} ({exc.strerror or exc})",
                              path) from None


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
            if r.get("identitas") == base and r.get("renaksi_version") == version()
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
                folder.chmod(shared_mode())
                shutil.copytree(out_dir / str(g.rows_in or g.was), folder, dirs_exist_ok=True)
            record = json.loads((folder / DOKUMEN).read_text(encoding="utf-8"))
            if record["doc_id"] != g.doc_id:
                _relabel(folder, record["doc_id"], g.doc_id)
            record.update(identity_fields(base, g))
            _write_record(folder, record)
            write_sums(folder)
            built.append((folder, g.doc_id))
        dropped = [name for name, r in records.items() if name not in held
                   and new.sha256 in digests(r) and name not in targets]
        for folder, doc_id in built:
            swap_in(folder, out_dir / doc_id)
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
    import pandas as pd

    table = pd.read_parquet(folder / "rencana_aksi.parquet")
    table["doc_id"] = table["doc_id"].astype("string").where(table["doc_id"] != old, new)
    table.to_parquet(folder / "rencana_aksi.parquet", index=False)


def write_sums(folder: Path) -> None:
    """``folder/SHA256SUMS`` over the folder's files (sub-folders such as review/ aside)."""
    lines = [f"{_sha256(p)}  {p.name}\n" for p in sorted(folder.iterdir())
             if p.is_file() and p.name != SUMS]
    (folder / SUMS).write_text("".join(lines), encoding="utf-8")


def verify_sums(folder: Path) -> str | None:
    """What is wrong with a decree folder's files, or None when each matches SHA256SUMS.

    A folder without SHA256SUMS (an older renaksi, another tool) is reported as such.
    """
    try:
        listed = (folder / SUMS).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return f"no {SUMS}, so its files cannot be checked"
    except (OSError, ValueError) as exc:
        return f"{SUMS} unreadable ({exc})"
    names = set()
    for line in listed:
        digest, _, name = line.partition("  ")
        if not name or "/" in name or name.startswith("."):
            return f"{SUMS} is damaged"
        names.add(name)
        try:
            actual = _sha256(folder / name)
        except FileNotFoundError:
            return f"{name} is missing"
        except OSError as exc:
            return f"{name} unreadable ({exc.strerror or exc})"
        if actual != digest:
            return f"{name} is damaged (its content does not match {SUMS})"
    for required in (DOKUMEN, "rencana_aksi.parquet", "rencana_aksi.csv"):
        if required not in names:
            return f"{required} is not in {SUMS}"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp`` with two renames; ``recover`` finishes a swap that a
    kill interrupted in between."""
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


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside ``target`` and move it into place only if the block succeeds.

    Same folder, so ``os.replace`` is a rename on one filesystem: a reader (a notebook, a
    running DuckDB session) sees the old file or the new one, never half of one.
    """
    tmp = temp_name(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        _unlink_temp(tmp)


def temp_name(target: Path) -> Path:
    """``.<name>.<pid>.<random>.tmp`` beside ``target``: recognisable, and whose."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid4().hex}.tmp")


def _unlink_temp(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)  # DuckDB's write-ahead log


def commit(folder: Path, files: Mapping[str, Callable[[Path], None]],
           then: Mapping[str, Callable[[Path], None]] | None = None) -> None:
    """Write several files of ``folder`` as one transaction: each is filled into a temp
    file, then a journal names them all, then they are renamed into place.

    ``files`` are filled at the same time, each in a thread of its own: fillers that spend
    their time in code that lets go of the GIL (Arrow, DuckDB, writing, hashing) then use
    every core; ``then`` (e.g. a record of those files) once they are all written. A kill
    before the journal leaves the old files (the temps are debris); a kill after it is
    finished by ``recover``, which renames what the journal lists. Call under
    ``out_dir_lock(folder)``. The first exception from a filler propagates once every
    filler has stopped, with the temps removed.
    """
    from concurrent.futures import ThreadPoolExecutor

    then = then or {}
    temps = {name: temp_name(folder / name) for name in [*files, *then]}
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(files)),
                                thread_name_prefix="commit") as pool:
            filling = [pool.submit(fill, temps[name]) for name, fill in files.items()]
        for done in filling:
            done.result()
        for name, fill in then.items():
            fill(temps[name])
        journal = folder / f".commit.{os.getpid()}.journal"
        with atomic_path(journal) as tmp:
            tmp.write_text(json.dumps({t.name: n for n, t in temps.items()}), encoding="utf-8")
    except BaseException:
        for tmp in temps.values():
            _unlink_temp(tmp)
        raise
    _roll_forward(journal)


def _roll_forward(journal: Path) -> None:
    renames = json.loads(journal.read_text(encoding="utf-8"))
    for tmp, name in renames.items():
        if (journal.parent / tmp).exists():
            os.replace(journal.parent / tmp, journal.parent / name)
        _unlink_temp(journal.parent / tmp)
    journal.unlink()


def leftovers(folder: Path) -> list[Path]:
    """Entries of ``folder`` that renaksi writers left behind and that are not being written
    now: named by a temp pattern, by a process that no longer runs. Never data."""
    out = []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    for entry in entries:
        for pattern in (_JOURNAL, _SWAPPED_OUT, _BUILDING, _TEMP_FILE):
            m = pattern.fullmatch(entry.name)
            if m is None:
                continue
            pid = m.group("pid")
            if pattern is _SWAPPED_OUT or pattern is _JOURNAL or pid is None or not _alive(int(pid)):
                out.append(entry)
            break
    return out


def recover(folder: Path) -> list[str]:
    """Finish or undo what killed writers left in ``folder``; what was put back, as lines.

    Takes ``out_dir_lock``: a swap or a commit is never half done while it is held, so a
    journal or a swapped-out folder found then belongs to a dead process. A journal is
    rolled forward; a swapped-out decree folder goes back when its new one never arrived
    and is removed otherwise; temp files and folders of dead processes are removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    with out_dir_lock(folder):
        return recover_locked(folder)


def recover_locked(folder: Path) -> list[str]:
    """``recover`` for a caller that already holds ``out_dir_lock(folder)``."""
    restored = []
    for journal in (p for p in leftovers(folder) if _JOURNAL.fullmatch(p.name)):
        _roll_forward(journal)
    for entry in leftovers(folder):
        swapped = _SWAPPED_OUT.fullmatch(entry.name)
        target = folder / swapped.group("name") if swapped else None
        if target is not None and not target.exists():
            os.replace(entry, target)
            restored.append(f"{target.name} put back as it was before an interrupted run")
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return restored


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True

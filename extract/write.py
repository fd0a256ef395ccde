"""Stage 8: store one decree's outputs atomically, then rebuild the combined dataset.

A decree folder is written complete in a temporary sibling and renamed into place, so a
reader (or a crash, or a full disk) never sees half a folder and earlier outputs survive.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import OutputError
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
    }


def write(result: Result, out_dir: Path) -> Path:
    """Write ``out_dir/<doc_id>/`` in one atomic step; return the folder."""
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
        with out_dir_lock(out_dir):
            record = dokumen(result)
            record["sha256_sumber"] = sorted({result.sha256, *_earlier_sources(target)})
            (tmp / DOKUMEN).write_text(json.dumps(record, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
            _swap_in(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write outputs to {target} ({exc.strerror or exc}); "
                          "earlier outputs are left as they were", result.source) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _earlier_sources(folder: Path) -> list[str]:
    """sha256 of every file that already produced this decree with this renaksi version.

    The same decree often arrives as several files (downloaded twice, re-saved): each is
    remembered, so an unchanged re-run skips all of them, not only the last one written.
    """
    try:
        old = json.loads((folder / DOKUMEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if old.get("renaksi_version") != __version__:
        return []
    return [s for s in old.get("sha256_sumber", [old.get("sha256")]) if isinstance(s, str)]


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

"""Many decrees at once: worker processes, a per-file time limit, and skipping unchanged inputs.

Each decree gets its own process rather than a pool slot because a PDF that hangs inside
the parser's C code can only be stopped by killing its process, and a killed pool worker
takes the pool down with it. Processes come from a forkserver that has already imported
the pipeline, so starting one per file costs a fork, not a fresh interpreter.

Two copies of one decree (same ``doc_id``) may finish at the same time; their writes are
serialised with a lock per ``doc_id`` so neither fails on the other's half-done rename.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from . import __version__
from .errors import ExtractTimeout, RenaksiError
from .settings import Settings
from .write import DOKUMEN


@dataclass(frozen=True, slots=True)
class Done:
    name: str
    doc_id: str
    rows: int
    rejected: int
    metode: str
    folder: Path


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    doc_id: str


@dataclass(frozen=True, slots=True)
class Failed:
    name: str
    line: str  # the one line the CLI prints, file name first
    trace: str = ""


Outcome = Done | Skipped | Failed
OnOutcome = Callable[[Outcome], None]


def extract_all(files: list[Path], out: Path, settings: Settings, *, jobs: int, timeout: float,
                force: bool, on_outcome: OnOutcome) -> None:
    """Skip inputs already extracted by this version, then extract the rest."""
    done = {} if force else index_outputs(out)
    todo = []
    for path in files:
        digest = sha256_of(path)
        if digest in done:
            on_outcome(Skipped(path.name, done[digest]))
        else:
            todo.append(path)
    if jobs == 1 and threading.current_thread() is threading.main_thread():
        for path in todo:  # no process overhead; SIGALRM enforces the limit
            on_outcome(_inline(path, out, settings, timeout))
    else:
        _in_processes(todo, out, settings, jobs, timeout, on_outcome)


def sha256_of(path: Path) -> str | None:
    """The input's digest, or None when unreadable (extraction then reports why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def index_outputs(out: Path) -> dict[str, str]:
    """sha256 → doc_id of decree folders written by this renaksi version (older ones rerun)."""
    index: dict[str, str] = {}
    for doc in sorted(Path(out).glob(f"*/{DOKUMEN}")):
        try:
            meta = json.loads(doc.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # unreadable record: extract again rather than trust it
        if meta.get("renaksi_version") == __version__:
            for digest in meta.get("sha256_sumber") or [meta.get("sha256")]:
                if digest:
                    index[digest] = doc.parent.name
    return index


def extract_one(path: Path, out: Path, settings: Settings, lock_dir: Path | None,
                writing: Callable[[str], None]) -> Done | Failed:
    """run() + write() as one outcome; ``writing`` hears the doc_id before any file is made."""
    from .pipeline import run
    from .write import write

    try:
        result = run(path, settings)
        with _doc_lock(lock_dir, result.doc_id):
            writing(result.doc_id)
            folder = write(result, out)
    except RenaksiError as exc:
        return Failed(path.name, str(exc), traceback.format_exc())
    except Exception as exc:  # a bug or a PDF nobody foresaw: one line, batch goes on
        return Failed(path.name, f"{path.name}: unexpected {type(exc).__name__}: {exc}",
                      traceback.format_exc())
    return Done(path.name, result.doc_id, len(result.table), len(result.rejected),  # type: ignore[arg-type]
                result.metode, folder)


def _timed_out(path: Path, timeout: float) -> Failed:
    return Failed(path.name, str(ExtractTimeout(f"timed out after {timeout:g}s", path)))


def _inline(path: Path, out: Path, settings: Settings, timeout: float) -> Outcome:
    """One decree in this process, interrupted by SIGALRM when it overruns."""
    doc_ids: list[str] = []
    fired = False

    def on_alarm(signum: int, frame: object) -> None:
        nonlocal fired
        fired = True
        raise ExtractTimeout("timed out", path)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        outcome: Outcome = extract_one(path, out, settings, None, doc_ids.append)
    except ExtractTimeout:  # the alarm landed outside extract_one's handlers
        fired = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        if doc_ids:
            _clear_partial(out, doc_ids[-1])
        return _timed_out(path, timeout)
    return outcome


@dataclass(slots=True)
class _Slot:
    path: Path
    process: mp.process.BaseProcess
    conn: Connection
    deadline: float
    doc_id: str | None = field(default=None)


def _child(path: Path, out: Path, settings: Settings, lock_dir: Path, conn: Connection) -> None:
    conn.send(extract_one(path, out, settings, lock_dir, conn.send))
    conn.close()


def _in_processes(files: list[Path], out: Path, settings: Settings, jobs: int, timeout: float,
                  on_outcome: OnOutcome) -> None:
    """At most ``jobs`` decrees at once, each in a process that is killed at its deadline."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", "extract.batch", "extract.pipeline", "extract.write"])
    lock_dir = Path(tempfile.mkdtemp(prefix="renaksi-locks-"))
    pending = deque(files)
    running: list[_Slot] = []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                running.append(_start(ctx, pending.popleft(), out, settings, lock_dir, timeout))
            soonest = min(s.deadline for s in running)
            wait([s.conn for s in running], timeout=max(0.0, soonest - time.monotonic()))
            for slot in list(running):
                outcome = _collect(slot, out, lock_dir)
                if outcome is None and time.monotonic() >= slot.deadline:
                    _kill(slot, out, lock_dir)
                    outcome = _timed_out(slot.path, timeout)
                if outcome is not None:
                    running.remove(slot)
                    slot.conn.close()
                    on_outcome(outcome)
    finally:
        for slot in running:  # interrupted (Ctrl-C): leave no worker or half folder behind
            _kill(slot, out, lock_dir)
        shutil.rmtree(lock_dir, ignore_errors=True)


def _start(ctx: mp.context.BaseContext, path: Path, out: Path, settings: Settings,
           lock_dir: Path, timeout: float) -> _Slot:
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(path, out, settings, lock_dir, sender), daemon=True)
    process.start()
    sender.close()  # only the child holds the sending end, so its death reads as EOF
    return _Slot(path, process, receiver, time.monotonic() + timeout)


def _collect(slot: _Slot, out: Path, lock_dir: Path) -> Outcome | None:
    """The slot's outcome if it has finished (or died); note the doc_id it is writing."""
    try:
        while slot.conn.poll():
            message = slot.conn.recv()
            if isinstance(message, str):
                slot.doc_id = message
            else:
                slot.process.join()
                return message
    except EOFError:
        _reap(slot, out, lock_dir)
        return Failed(slot.path.name,
                      f"{slot.path.name}: worker died (exit code {slot.process.exitcode})")
    return None


def _kill(slot: _Slot, out: Path, lock_dir: Path) -> None:
    slot.process.kill()
    _reap(slot, out, lock_dir)


def _reap(slot: _Slot, out: Path, lock_dir: Path) -> None:
    slot.process.join()
    if slot.doc_id is not None:
        with _doc_lock(lock_dir, slot.doc_id):  # no live writer of this doc_id while we clean
            _clear_partial(out, slot.doc_id)


@contextmanager
def _doc_lock(lock_dir: Path | None, doc_id: str) -> Iterator[None]:
    """Exclusive per doc_id; the kernel drops it when a killed holder dies."""
    if lock_dir is None:
        yield
        return
    with (lock_dir / doc_id).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _clear_partial(out: Path, doc_id: str) -> None:
    """Undo what write() left when stopped midway: a temporary folder, or a swapped-out old one."""
    target = Path(out) / doc_id
    for leftover in sorted(Path(out).glob(f".{doc_id}.*")):
        if ".old." in leftover.name and not target.exists():
            os.replace(leftover, target)  # killed between the two renames: restore the old
        else:
            shutil.rmtree(leftover, ignore_errors=True)

"""Many decrees at once: worker processes, a per-file time limit, and skipping unchanged inputs.

Workers are long-lived processes of our own rather than a pool: a PDF that hangs inside the
parser's C code can only be stopped by killing its process, and a killed pool worker takes
the pool down with it. A killed worker is simply replaced. Workers stay warm across decrees
(libraries loaded, caches filled), and come from a forkserver that has already imported the
pipeline, so even a replacement costs a fork, not a fresh interpreter.

Two copies of one decree (same ``doc_id``) may finish at the same time; their writes are
serialised with a lock per ``doc_id`` so neither fails on the other's half-done rename.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path

from . import __version__
from .errors import ExtractTimeout, RenaksiError
from .settings import Settings
from .identity import held_of
from .write import DOKUMEN, Placement, clear_partial, list_copy


@dataclass(frozen=True, slots=True)
class Done:
    name: str
    doc_id: str
    rows: int
    rejected: int
    metode: str
    folder: Path
    placement: Placement | None = None  # how the identity rule placed it


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    doc_id: str
    placement: Placement | None = None  # set when the file is a byte copy listed just now
    twin: str | None = None  # then: the listed file with the same bytes


@dataclass(frozen=True, slots=True)
class Failed:
    name: str
    line: str  # the one line the CLI prints, file name first
    trace: str = ""
    review: str | None = None  # the path to give `renaksi review`, when it can show the stop


Outcome = Done | Skipped | Failed
OnOutcome = Callable[[Outcome], None]


def extract_all(files: list[Path], out: Path, settings: Settings, *, jobs: int, timeout: float,
                force: bool, on_outcome: OnOutcome, review: bool = False) -> None:
    """Skip inputs already extracted by this version (and reviewed, when asked), then extract the rest."""
    done = {} if force else index_outputs(out)
    if review:
        from .review import FOLDER, HTML

        done = {sha: d for sha, d in done.items() if (Path(out) / d.doc_id / FOLDER / HTML).exists()}
    todo = []
    for path in files:
        digest = sha256_of(path)
        listed = done.get(digest) if digest else None
        if listed is None:
            todo.append(path)
        elif str(path) in listed.paths:
            on_outcome(Skipped(path.name, listed.doc_id))
        else:  # the same bytes under another name: list it, its rows are known
            placement = list_copy(out, listed.doc_id, path, digest)
            if placement is None:
                todo.append(path)
            else:
                twin = Path(min(listed.paths)).name
                on_outcome(Skipped(path.name, placement.folder.name, placement, twin))
    if jobs == 1 and threading.current_thread() is threading.main_thread():
        for path in todo:  # no process overhead; SIGALRM enforces the limit
            on_outcome(_inline(path, out, settings, timeout, review))
    else:
        _in_processes(todo, out, settings, jobs, timeout, on_outcome, review)


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


@dataclass(frozen=True, slots=True)
class Listed:
    """A decree folder that already lists a file's digest."""

    doc_id: str
    paths: frozenset[str]  # the paths that digest was listed under


def index_outputs(out: Path) -> dict[str, Listed]:
    """sha256 → the decree folder listing it, for folders written by this renaksi version
    (older ones rerun)."""
    index: dict[str, Listed] = {}
    for doc in sorted(Path(out).glob(f"*/{DOKUMEN}")):
        if doc.parent.name.startswith("."):
            continue  # a leftover of a write, never an output
        try:
            meta = json.loads(doc.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # unreadable record: extract again rather than trust it
        held = held_of(meta, doc.parent.name) if isinstance(meta, dict) else None
        if held is None or meta.get("renaksi_version") != __version__:
            continue
        for digest in {s.sha256 for s in held.sources}:
            paths = frozenset(s.path for s in held.sources if s.sha256 == digest)
            index[digest] = Listed(doc.parent.name, paths)
    return index


def extract_one(path: Path, out: Path, settings: Settings, lock_dir: Path | None,
                writing: Callable[[str], None], review: bool = False) -> Done | Failed:
    """run() + write() (+ review()) as one outcome; ``writing`` hears the doc_id before any file is made."""
    from .pipeline import run
    from .review import FOLDER
    from .review import review as write_review
    from .write import store

    try:
        result = run(path, settings)
        with _doc_lock(lock_dir, result.doc_id):
            writing(result.doc_id)
            placement = store(result, out)
            if review and placement.kept:  # a copy's rows are not the folder's: no review
                write_review(replace(result, doc_id=placement.folder.name),
                             placement.folder / FOLDER, settings.password)
    except RenaksiError as exc:
        return Failed(path.name, str(exc), traceback.format_exc(),
                      str(path) if exc.stopped is not None else None)
    except Exception as exc:  # a bug or a PDF nobody foresaw: one line, batch goes on
        return Failed(path.name, f"{path.name}: unexpected {type(exc).__name__}: {exc}",
                      traceback.format_exc())
    return Done(path.name, placement.folder.name, len(result.table), len(result.rejected),  # type: ignore[arg-type]
                result.metode, placement.folder, placement)


def _timed_out(path: Path, timeout: float) -> Failed:
    return Failed(path.name, str(ExtractTimeout(f"timed out after {timeout:g}s", path)))


def _inline(path: Path, out: Path, settings: Settings, timeout: float, review: bool) -> Outcome:
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
        outcome: Outcome = extract_one(path, out, settings, None, doc_ids.append, review)
    except ExtractTimeout:  # the alarm landed outside extract_one's handlers
        fired = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        if doc_ids:
            clear_partial(out, doc_ids[-1], os.getpid())
        return _timed_out(path, timeout)
    return outcome


@dataclass(slots=True)
class _Worker:
    """A warm worker process and the decree it is busy with, if any."""

    process: mp.process.BaseProcess
    conn: Connection
    path: Path | None = None
    deadline: float = 0.0
    doc_id: str | None = field(default=None)


def _serve(conn: Connection, out: Path, settings: Settings, lock_dir: Path, review: bool) -> None:
    """Worker loop: one decree per message until the parent sends None."""
    _cap_address_space()
    while (path := conn.recv()) is not None:
        conn.send(extract_one(path, out, settings, lock_dir, conn.send, review))


def _cap_address_space(headroom: int = 2 << 30) -> None:
    """A backstop for memory a hostile PDF could make the C parser allocate: past the cap
    the worker dies (reported as such) instead of the machine swapping. Relative to what the
    warm worker already maps, since thread pools make that baseline differ between machines."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = pages * os.sysconf("SC_PAGE_SIZE") + headroom
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _in_processes(files: list[Path], out: Path, settings: Settings, jobs: int, timeout: float,
                  on_outcome: OnOutcome, review: bool) -> None:
    """At most ``jobs`` decrees at once in long-lived workers; an overrunning worker is killed
    (with any half-written folder cleaned up) and replaced by a fresh one."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["extract.batch", "extract.pipeline", "extract.write"])
    lock_dir = Path(tempfile.mkdtemp(prefix="renaksi-locks-"))
    pending = deque(files)
    workers: list[_Worker] = []
    try:
        while pending or any(w.path for w in workers):
            for worker in workers:
                if worker.path is None and pending:
                    _assign(worker, pending.popleft(), timeout)
            while pending and len(workers) < min(jobs, len(files)):
                workers.append(_start(ctx, out, settings, lock_dir, review))
                _assign(workers[-1], pending.popleft(), timeout)
            busy = [w for w in workers if w.path is not None]
            soonest = min(w.deadline for w in busy)
            wait([w.conn for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            for worker in busy:
                path = worker.path
                outcome = _collect(worker, out, lock_dir)
                if outcome is None and time.monotonic() >= worker.deadline:
                    _kill(worker, out, lock_dir)
                    outcome = _timed_out(path, timeout)
                if outcome is None:
                    continue
                on_outcome(outcome)
                worker.path, worker.doc_id = None, None
                if not worker.process.is_alive():
                    workers.remove(worker)
    finally:
        for worker in workers:
            if worker.path is not None:  # interrupted (Ctrl-C): no half folder left behind
                _kill(worker, out, lock_dir)
            else:
                worker.conn.send(None)
                worker.process.join(timeout=5)
        shutil.rmtree(lock_dir, ignore_errors=True)


def _start(ctx: mp.context.BaseContext, out: Path, settings: Settings, lock_dir: Path,
           review: bool) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, out, settings, lock_dir, review), daemon=True)
    process.start()
    child.close()  # only the worker holds its end, so its death reads as EOF
    return _Worker(process, parent)


def _assign(worker: _Worker, path: Path, timeout: float) -> None:
    worker.path, worker.deadline = path, time.monotonic() + timeout
    worker.conn.send(path)


def _collect(worker: _Worker, out: Path, lock_dir: Path) -> Outcome | None:
    """The worker's outcome if it has finished (or died); note the doc_id it is writing."""
    assert worker.path is not None
    try:
        while worker.conn.poll():
            message = worker.conn.recv()
            if isinstance(message, str):
                worker.doc_id = message
            else:
                return message
    except (EOFError, OSError):
        _reap(worker, out, lock_dir)
        return Failed(worker.path.name,
                      f"{worker.path.name}: worker died (exit code {worker.process.exitcode})")
    return None


def _kill(worker: _Worker, out: Path, lock_dir: Path) -> None:
    worker.process.kill()
    _reap(worker, out, lock_dir)


def _reap(worker: _Worker, out: Path, lock_dir: Path) -> None:
    worker.process.join()
    worker.conn.close()
    if worker.doc_id is not None:
        with _doc_lock(lock_dir, worker.doc_id):  # no live writer of this doc_id while we clean
            clear_partial(out, worker.doc_id, worker.process.pid)


@contextmanager
def _doc_lock(lock_dir: Path | None, doc_id: str) -> Iterator[None]:
    """Exclusive per doc_id; the kernel drops it when a killed holder dies."""
    if lock_dir is None:
        yield
        return
    with (lock_dir / doc_id).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


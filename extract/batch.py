"""Many decrees at once: worker processes, a per-file time limit, and skipping unchanged inputs.

Every PDF is parsed in a worker process of our own, never in the one that runs the batch:
a PDF that hangs inside the parser's C code can only be stopped by killing its process, one
that exhausts memory aborts the process it is in, and a worker's memory is capped. A killed
pool worker would take a pool down with it; our killed worker is simply replaced. Workers
stay warm across decrees (libraries loaded, caches filled), and come from a forkserver that
has already imported the pipeline and done its first-use set-up (``warm``), so even a
replacement costs a fork, not a fresh interpreter. The forkserver starts as soon as one input
needs extracting, so it loads while this process is still hashing the others.

A worker is a child of the forkserver, which exits when the batch's process does; each
worker asks the kernel to kill it when that happens (PR_SET_PDEATHSIG), so even a batch
killed with SIGKILL leaves no process behind. What a killed worker was writing carries its
pid and is cleaned by ``write.recover``.
"""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing as mp
import os
import resource
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TypeVar

from . import catalog, version
from .errors import BrokenPdf, ExtractTimeout, RenaksiError
from .intake import open_input
from .settings import Settings
from .identity import digests, held_of
from .write import Placement, list_copy, recover, source_path


@dataclass(frozen=True, slots=True)
class Input:
    """A PDF to extract and the name the user knows it by (relative to the folder given)."""

    path: Path
    name: str


@dataclass(frozen=True, slots=True)
class Done:
    name: str
    doc_id: str
    rows: int
    rejected: int
    metode: str
    folder: Path
    sha256: str = ""
    note: str = ""  # what this run repaired on the way, e.g. a damaged folder it replaced
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


@dataclass(frozen=True, slots=True)
class Restored:
    """A decree folder put back as it was after a run was killed in the middle of writing it."""

    line: str


Outcome = Done | Skipped | Failed | Restored
T = TypeVar("T")
OnOutcome = Callable[[Outcome], None]
OnPages = Callable[[str, int, int], None]  # (file name, scanned pages read, pages to read)


@dataclass(frozen=True, slots=True)
class Existing:
    """What ``out`` already holds, by the sha256 of the files it came from."""

    verified: dict[str, str]  # sha256 → doc_id of a folder this version wrote, files intact
    damaged: dict[str, tuple[str, str]]  # sha256 → (doc_id, what is wrong with its folder)
    by_source: dict[str, str]  # write.source_path → doc_id, to tell a user what may be stale
    paths: dict[str, frozenset[str]]  # sha256 → the source paths a verified folder lists it under


def extract_all(inputs: Sequence[Input], out: Path, settings: Settings, *, jobs: int,
                timeout: float, force: bool, on_outcome: OnOutcome, review: bool = False,
                on_pages: OnPages | None = None,
                on_extracting: Callable[[], None] | None = None) -> None:
    """Skip inputs already extracted by this version into intact folders (and reviewed, when
    asked), then extract the rest in worker processes; ``on_pages`` hears each scanned page
    a worker has read. ``on_extracting`` is called once, as soon as some input needs
    extracting: the workers' start-up and work then leave this process idle for a while.

    A folder whose files no longer match its SHA256SUMS is extracted again from its source
    when that is among ``inputs``. KeyboardInterrupt (Ctrl-C, or SIGTERM as the CLI maps
    it) stops the workers, removes what they had half written and propagates.
    """
    for line in recover(out):
        on_outcome(Restored(line))
    existing = index_outputs(out)
    done = {} if force else existing.verified
    if review:
        from .review import FOLDER, HTML

        done = {sha: d for sha, d in done.items() if (Path(out) / d / FOLDER / HTML).exists()}
    todo = []
    for item in inputs:
        try:
            digest = sha256_of(item.path)
        except RenaksiError as exc:  # not a regular file, too large, unreadable
            on_outcome(Failed(item.name, exc.line(item.name)))
            continue
        listed = existing.paths.get(digest, frozenset()) if digest in done else None
        placement = None
        if listed is not None and source_path(item.path, out) in listed:
            on_outcome(Skipped(item.name, done[digest]))
            continue
        if listed is not None:  # the same bytes under another name: list it, its rows are known
            placement = list_copy(out, done[digest], item.path, digest)
        if placement is not None:
            twin = Path(min(listed)).name if listed else None
            on_outcome(Skipped(item.name, placement.folder.name, placement, twin))
            continue
        if not todo:  # the forkserver loads the pipeline while the other inputs are hashed
            _context()
            forkserver.ensure_running()
            if on_extracting is not None:
                on_extracting()
        todo.append(item)
    stale = _stale_note(existing, out)
    repairs = {sha: f"replaces {doc_id}/, which was damaged: {why}"
               for sha, (doc_id, why) in existing.damaged.items()}
    _in_processes(todo, out, settings, jobs, timeout, review,
                  lambda outcome, item: on_outcome(_annotate(outcome, item, stale, repairs)),
                  on_pages)


def sha256_of(path: Path) -> str:
    """The input's digest; raises NotAPdf for what is not a regular file of a sane size."""
    digest = hashlib.sha256()
    with open_input(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def index_outputs(out: Path) -> Existing:
    """Decree folders of ``out`` by source sha256: intact ones written by this renaksi
    version (older ones rerun), and damaged ones with what is wrong. Folders unchanged since
    the combined tables were built are taken from the catalog, not hashed again."""
    verified: dict[str, str] = {}
    damaged: dict[str, tuple[str, str]] = {}
    by_source: dict[str, str] = {}
    paths: dict[str, frozenset[str]] = {}
    if not Path(out).is_dir():
        return Existing(verified, damaged, by_source, paths)
    for name, folder in catalog.scan(out, catalog.load(out)).items():
        meta = folder.record
        if meta is None:
            continue  # unreadable record: nothing to skip, nothing to repair from
        sources = sorted(digests(meta))
        if isinstance(meta.get("source_path"), str):
            by_source[meta["source_path"]] = name
        if folder.sums is None and meta.get("renaksi_version") == version():
            verified.update((d, name) for d in sources)
            held = held_of(meta, name)
            for d in sources:
                paths[d] = frozenset(s.path for s in held.sources if s.sha256 == d) if held \
                    else frozenset()
        elif folder.sums is not None and folder.has_sums:
            damaged.update((d, (name, folder.sums)) for d in sources)
    return Existing(verified, damaged, by_source, paths)


def _stale_note(existing: Existing, out: Path) -> Callable[[Input], str]:
    def note(item: Input) -> str:
        doc_id = existing.by_source.get(source_path(item.path, out))
        if doc_id is None:
            return ""
        return f"; {doc_id}/, extracted from an earlier version of it, is kept and may be stale"
    return note


def _annotate(outcome: Outcome, item: Input, stale: Callable[[Input], str],
              repairs: dict[str, str]) -> Outcome:
    """Say what a failure leaves in place and what a success repaired."""
    if isinstance(outcome, Failed):
        return replace(outcome, line=outcome.line + stale(item))
    if isinstance(outcome, Done) and outcome.sha256 in repairs:
        return replace(outcome, note=repairs[outcome.sha256])
    return outcome


def extract_one(item: Input, out: Path, settings: Settings, review: bool = False,
                on_pages: Callable[[int, int], None] | None = None) -> Done | Failed:
    """run() + write() (+ the review, inside the same folder transaction) as one outcome;
    ``on_pages`` hears each scanned page read."""
    from .pipeline import run
    from .write import store

    try:
        result = run(item.path, settings, on_pages)
        finish = None
        if review:
            from .review import FOLDER, write_review

            def finish(folder: Path) -> None:
                write_review(result, folder / FOLDER, settings.password)
        placement = store(result, out, finish)  # a copy's folder (and review) is discarded
    except RenaksiError as exc:
        return Failed(item.name, exc.line(item.name), traceback.format_exc(),
                      str(item.path) if exc.stopped is not None else None)
    except Exception as exc:  # a bug or a PDF nobody foresaw: one line, batch goes on
        return Failed(item.name, f"{item.name}: unexpected {type(exc).__name__}: {exc}",
                      traceback.format_exc())
    return Done(item.name, placement.folder.name, len(result.table),  # type: ignore[arg-type]
                len(result.rejected), result.metode, placement.folder,  # type: ignore[arg-type]
                result.sha256, placement=placement)


@dataclass(slots=True)
class _Worker:
    """A warm worker process and the decree it is busy with, if any."""

    process: mp.process.BaseProcess
    conn: Connection
    item: Input | None = None
    deadline: float = 0.0


def in_worker(job: Callable[..., T], *args: object, source: Path) -> T:
    """``job(*args)`` in a worker process of its own, for a command that parses one PDF
    outside a batch (review, debug): its memory is capped and it dies with this process.

    ``job`` must be a module-level function. A RenaksiError it raises is raised here as it
    was; a crash of the PDF reader, or a bug, becomes one BrokenPdf line naming ``source``.
    """
    ctx = _context()
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_run_one, args=(child, job, args), daemon=True)
    process.start()
    child.close()
    try:
        kind, value = parent.recv()
    except EOFError:
        process.join()
        raise BrokenPdf(_crash(process.exitcode), source) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        parent.close()
    if kind == "error":
        cls, msg, path, page = value
        raise cls(msg, path, page)
    if kind == "bug":
        raise BrokenPdf(f"unexpected {value}", source)
    return value


def _run_one(conn: Connection, job: Callable[..., object], args: tuple[object, ...]) -> None:
    _become_worker()
    try:
        conn.send(("ok", job(*args)))
    except RenaksiError as exc:
        conn.send(("error", (type(exc), exc.msg, exc.path, exc.page)))
    except Exception as exc:  # a bug: one line for the CLI, not a child's traceback
        conn.send(("bug", f"{type(exc).__name__}: {exc}"))


def _crash(code: int | None) -> str:
    why = ", out of memory?" if code == -signal.SIGABRT else ""
    return f"the PDF reader crashed on it (worker died, exit code {code}{why})"


def _become_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    _die_with_parent()
    _cap_address_space()


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["extract.warm"])
    return ctx


def _serve(conn: Connection, out: Path, settings: Settings, review: bool) -> None:
    """Worker loop: one decree per message until the parent sends None or goes away."""
    _become_worker()
    try:
        while (item := conn.recv()) is not None:
            conn.send(extract_one(item, out, settings, review,
                                  lambda done, total: conn.send((done, total))))
    except (EOFError, OSError):
        pass  # the parent is gone: nothing to report to


def _die_with_parent() -> None:
    """SIGKILL this process when its parent (the forkserver, which exits with the batch) dies."""
    pr_set_pdeathsig = 1
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _cap_address_space(headroom: int = 2 << 30) -> None:
    """A backstop for memory a hostile PDF could make the C parser allocate: past the cap
    the worker dies (reported as such) instead of the machine swapping. Relative to what the
    warm worker already maps, since thread pools make that baseline differ between machines."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = pages * os.sysconf("SC_PAGE_SIZE") + headroom
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _in_processes(inputs: Sequence[Input], out: Path, settings: Settings, jobs: int,
                  timeout: float, review: bool, on_outcome: Callable[[Outcome, Input], None],
                  on_pages: OnPages | None = None) -> None:
    """At most ``jobs`` decrees at once in long-lived workers; an overrunning worker is killed
    (with any half-written folder cleaned up) and replaced by a fresh one."""
    if not inputs:
        return
    ctx = _context()
    # Largest first when several run at once: the batch then ends with small decrees, not
    # one worker left alone on a long one while the other cores idle.
    pending = deque(sorted(inputs, key=_size, reverse=True) if jobs > 1 else inputs)
    workers: list[_Worker] = []
    try:
        while pending or any(w.item for w in workers):
            for worker in workers:
                if worker.item is None and pending:
                    _assign(worker, pending.popleft(), timeout)
            while pending and len(workers) < min(jobs, len(inputs)):
                workers.append(_start(ctx, out, settings, review))
                _assign(workers[-1], pending.popleft(), timeout)
            busy = [w for w in workers if w.item is not None]
            soonest = min(w.deadline for w in busy)
            wait([w.conn for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            for worker in busy:
                item = worker.item
                assert item is not None
                outcome = _collect(worker, out, on_pages)
                if outcome is None and time.monotonic() >= worker.deadline:
                    _kill(worker, out)
                    outcome = Failed(item.name, ExtractTimeout(
                        f"timed out after {timeout:g}s", item.path).line(item.name))
                if outcome is None:
                    continue
                worker.item = None
                on_outcome(outcome, item)
                if not worker.process.is_alive():
                    workers.remove(worker)
    finally:
        idle = [w for w in workers if w.item is None]
        for worker in idle:  # all told at once: they exit side by side, not one by one
            _ask_to_stop(worker)
        for worker in workers:
            if worker.item is not None:  # interrupted (Ctrl-C): no half folder left behind
                _kill(worker, out)
        for worker in idle:
            _stop(worker)


def _size(item: Input) -> int:
    try:
        return item.path.stat().st_size
    except OSError:
        return 0


def _start(ctx: mp.context.BaseContext, out: Path, settings: Settings, review: bool) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, out, settings, review), daemon=True)
    process.start()
    child.close()  # only the worker holds its end, so its death reads as EOF
    return _Worker(process, parent)


def _assign(worker: _Worker, item: Input, timeout: float) -> None:
    worker.item, worker.deadline = item, time.monotonic() + timeout
    worker.conn.send(item)


def _collect(worker: _Worker, out: Path, on_pages: OnPages | None) -> Outcome | None:
    """The worker's outcome if it has finished (or died); pass on the scanned pages it has
    read meanwhile."""
    assert worker.item is not None
    name = worker.item.name
    try:
        while worker.conn.poll():
            message = worker.conn.recv()
            if not isinstance(message, tuple):
                return message
            if on_pages is not None:
                on_pages(name, *message)
    except (EOFError, OSError):
        _reap(worker, out)
        return Failed(name, f"{name}: {_crash(worker.process.exitcode)}; nothing was written "
                            "for it")
    return None


def _kill(worker: _Worker, out: Path) -> None:
    worker.process.kill()
    _reap(worker, out)


def _ask_to_stop(worker: _Worker) -> None:
    try:
        worker.conn.send(None)
    except OSError:
        pass


def _stop(worker: _Worker) -> None:
    """Wait for a worker asked to stop (``_ask_to_stop``) to exit; kill it if it does not."""
    worker.process.join(timeout=5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


def _reap(worker: _Worker, out: Path) -> None:
    worker.process.join()
    worker.conn.close()
    recover(out)  # the dead worker's temp folder, or a swap it did not finish

"""`renaksi` command line: a thin shell over ``pipeline.run`` and ``write.write``.

Each decree prints one line (extracted, unchanged, or failed naming the file and page) and
the batch goes on; scheduling lives in ``batch``. Exit status: 0 all ok, 1 some failed, 2 usage.
"""
from __future__ import annotations

import atexit
import gc
import glob
import os
import shlex
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table
from rich.text import Text

from .batch import Failed, Input, Outcome, Restored, Skipped
from .errors import RenaksiError
from .identity import why_first
from .settings import OcrSettings, Settings
from .write import Placement

if TYPE_CHECKING:  # combine is imported once there is something to combine
    from .combine import Ahead

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="KPU rencana-aksi decrees (PDF) → validated CSV/Parquet tables.")
# Names, paths and document text reach these consoles only inside Text objects, never as
# markup: "SK [final] 2023.pdf" is printed as it is and "[/]" in a header cannot raise.
console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def main() -> None:
    """The `renaksi` command. At its exit the interpreter's last garbage collection would walk
    every object pandas, pyarrow and DuckDB made (a fifth of a second); nothing among them
    needs collecting then, so they are frozen out of it."""
    atexit.register(gc.freeze)
    app()


def shown(text: object) -> str:
    """``text`` safe for a terminal line: every character that is not printable (newlines,
    escape sequences, bidi overrides, zero-width marks) as a visible escape, so a file name
    can neither forge a line nor drive the terminal."""
    return "".join(c if c.isprintable() else _escape(c) for c in str(text))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def say(mark: str, style: str, text: object, *, to: Console | None = None) -> None:
    """One line: a coloured mark, then ``text`` escaped and printed as it is."""
    (to or console).print(Text.assemble((mark, style), " ", shown(text)))


def expand(paths: list[str]) -> tuple[list[Input], list[str]]:
    """PDF files from files, folders (searched for *.pdf) and globs; also what matched nothing.

    Each is named as the user knows it: relative to the folder given, or as typed, so two
    lampiran.pdf in different folders are told apart. Special files named *.pdf are kept,
    for the input guard to refuse with a line rather than drop them silently.
    """
    found: list[Input] = []
    missing: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += [Input(q, q.relative_to(p).as_posix()) for q in sorted(p.rglob("*"))
                      if q.suffix.lower() == ".pdf" and not q.is_dir()]
        elif p.exists() or p.is_symlink():
            found.append(Input(p, raw))
        else:
            hits = sorted(Path(h) for h in glob.glob(raw, recursive=True))
            if hits:
                found += [Input(h, str(h)) for h in hits if not h.is_dir()]
            else:
                missing.append(raw)
    seen: set[Path] = set()
    unique = []
    for item in found:  # a file given twice (a folder and a file in it) is read once; links
        key = item.path.parent.resolve() / item.path.name  # are files of their own: not followed
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, missing


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="PDF files, folders or globs")],
    out: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path("data/processed"),
    password: Annotated[str | None, typer.Option(help="password of encrypted PDFs")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1,
                                      help="decrees extracted at once")] = os.cpu_count() or 1,
    timeout: Annotated[float, typer.Option(min=0.001, help="seconds allowed per file")] = 300.0,
    force: Annotated[bool, typer.Option("--force", help="redo inputs already extracted")] = False,
    review: Annotated[bool, typer.Option(
        "--review", help="also write <doc_id>/review/ (rows drawn over the pages)")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="tracebacks on failure")] = False,
) -> None:
    """Extract each decree's rencana-aksi table into OUT/<doc_id>/ and rebuild the combined dataset.

    Ctrl-C or SIGTERM stops the batch cleanly: what was written is combined, and one line
    says what was left undone.
    """
    from .batch import extract_all
    from .write import is_extract_output, own_folder

    files, missing = expand(paths)
    if not files and not missing:
        say("✗", "red", "no PDF files found in the given paths", to=err_console)
        raise typer.Exit(2)
    try:
        own_folder(out, is_extract_output, "extract --out")
    except RenaksiError as exc:
        say("✗", "red", exc, to=err_console)
        raise typer.Exit(2) from None
    for raw in missing:
        say("✗", "red", f"{raw}: no such file", to=err_console)
    tally = Counter(failed=len(missing))
    # decrees run in `jobs` processes; the cores they leave read one decree's scanned pages
    ocr = OcrSettings(jobs=max(1, jobs // max(1, min(jobs, len(files)))))
    interrupted = False
    combined = None
    ahead = _CombineAhead(out)
    with _stop_on_sigterm():
        try:
            with Progress(*Progress.get_default_columns(), console=err_console,
                          transient=True) as progress:
                task = progress.add_task("extracting", total=len(files), visible=len(files) > 1)
                scanning: dict[str, TaskID] = {}  # a bar per scanned decree, its pages read by OCR

                def report(outcome: Outcome) -> None:
                    _print_outcome(outcome, verbose, tally)
                    if not isinstance(outcome, Restored):
                        tally["finished"] += 1
                        progress.advance(task)
                        if outcome.name in scanning:
                            progress.remove_task(scanning.pop(outcome.name))

                def pages(name: str, done: int, total: int) -> None:
                    if name not in scanning:
                        # the description column reads markup: the name is escaped for it
                        scanning[name] = progress.add_task(f"{escape(shown(name))}: OCR pages",
                                                           total=total)
                    progress.update(scanning[name], completed=done, total=total)

                extract_all(files, out, Settings(password=password, ocr=ocr), jobs=jobs,
                            timeout=timeout, force=force, on_outcome=report, review=review,
                            on_pages=pages, on_extracting=ahead.start)
        except KeyboardInterrupt:
            interrupted = True
        try:
            from .combine import combine

            combined = combine(out, ahead.result())
        except RenaksiError as exc:  # the decree folders are written; only the combined tables failed
            say("✗", "red", exc, to=err_console)
            tally["failed"] += 1
        except KeyboardInterrupt:
            say("✗", "red", f"interrupted while combining: the combined tables in {out} are "
                "left as they were", to=err_console)
            raise typer.Exit(1) from None
        else:
            for skipped in combined.skipped:
                say("⚠", "yellow", f"{skipped.folder}: {skipped.reason}; left out of the "
                    "combined tables", to=err_console)
    if interrupted:
        held = (f"hold the decrees written so far ({len(combined.decrees)})" if combined
                else "were not rebuilt")
        say("✗", "red", f"interrupted: {len(files) - tally['finished']} of {len(files)} inputs "
            f"left undone; the combined tables {held}", to=err_console)
        raise typer.Exit(1)
    if len(files) > 1:
        _print_summary(tally)
    raise typer.Exit(1 if tally["failed"] else 0)


class _CombineAhead:
    """The combined tables' libraries imported and the tables already written read
    (``combine.read_ahead``), in the background while the workers extract: this process
    waits for them anyway, and neither then costs time after they finish."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.thread: threading.Thread | None = None
        self.found: Ahead | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._read, name="combine-ahead")
        self.thread.start()

    def _read(self) -> None:
        try:
            from .combine import load_libraries, read_ahead

            load_libraries()
            self.found = read_ahead(self.out)
        except Exception:  # combine reads them again itself, and says what fails
            pass

    def result(self) -> Ahead | None:
        if self.thread is None:
            return None
        self.thread.join()
        return self.found


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (a scheduler, `kill`, a logout) stops the batch the way Ctrl-C does."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_outcome(outcome: Outcome, verbose: bool, tally: Counter[str]) -> None:
    if isinstance(outcome, Restored):
        say("↺", "cyan", outcome.line, to=err_console)
    elif isinstance(outcome, Skipped) and outcome.placement is not None:
        tally["copies"] += 1
        say("=", "", f"{outcome.name} is the same file as {outcome.twin or 'one'} listed in "
            f"{outcome.placement.folder}: added to its sumber")
    elif isinstance(outcome, Skipped):
        tally["unchanged"] += 1
        say("=", "", f"{outcome.name} unchanged ({outcome.doc_id})")
    elif isinstance(outcome, Failed):
        tally["failed"] += 1
        hint = f" → renaksi review {shlex.quote(outcome.review)}" if outcome.review else ""
        say("✗", "red", outcome.line + hint, to=err_console)
        if verbose and outcome.trace:
            err_console.print(Text("\n".join(shown(ln) for ln in outcome.trace.splitlines())))
    elif outcome.placement is not None and outcome.placement.copy_of is not None:
        tally["copies"] += 1
        used = outcome.placement.copy_of
        say("=", "", f"{outcome.name} is a copy of {used.name} ({outcome.rows} rows, "
            f"{outcome.metode}) → {outcome.folder}: listed in its sumber, {used.name} is used "
            f"({why_first(used, outcome.placement.source)})")
    else:
        tally["extracted"] += 1
        tally["rejected"] += outcome.rejected
        rejected = f", {outcome.rejected} rejected (see ditolak.csv)" if outcome.rejected else ""
        note = f"; {outcome.note}" if outcome.note else ""
        say("✓", "green", f"{outcome.name} → {outcome.folder} ({outcome.rows} rows{rejected}, "
            f"{outcome.metode}){note}")
        if outcome.placement is not None:
            _print_placement(outcome.name, outcome.placement)


def _print_placement(name: str, p: Placement) -> None:
    """The identity lines of a file whose rows are used: the file it replaced, other
    decrees of its identity, folders moved or replaced."""
    if p.changed is not None:
        say("!", "yellow", f"{name} has changed since it was read (another sha256): its "
            "earlier reading is replaced")
    if p.replaced is not None:
        old = p.replaced.name
        say("!", "yellow", f"{name} replaces {old} in {p.folder} "
            f"({why_first(p.source, p.replaced)}); {old} stays listed as a copy")
    if p.others:
        doc_id, other = p.others[0]
        more = f"; {len(p.others) - 1} more share it" if len(p.others) > 1 else ""
        say("!", "yellow", f"{name} ({p.folder.name}) and {other.name} ({doc_id}) are two "
            f"decrees with one instansi, tahun and nomor but different rows: both kept{more}")
    for old_id, new_id in p.moved:
        why = ("it now ranks first for its identity" if old_id.startswith(f"{new_id}-") else
               "another decree of its identity now ranks first")
        say("!", "yellow", f"{old_id} moved to {new_id}: {why}")
    for old_id in p.dropped:
        say("!", "yellow", f"{name} replaces {old_id}, its earlier output")


def _print_summary(tally: Counter[str]) -> None:
    table = Table(title="renaksi extract")
    for column in ("extracted", "copies", "unchanged", "rejected rows", "failed"):
        table.add_column(column, justify="right")
    table.add_row(*(str(tally[k]) for k in ("extracted", "copies", "unchanged", "rejected",
                                             "failed")))
    console.print(table)


@app.command()
def compare(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    out: Annotated[Path, typer.Option("--out", "-o", help="report folder")] = Path("report"),
    tahun: Annotated[str, typer.Option(
        help="plans compared: 'terbaru' (each satker's latest), 'semua' (every decree, one row each) "
             "or a year")] = "terbaru",
) -> None:
    """Cross-satker comparison report in Bahasa Indonesia (one self-contained HTML file)."""
    from .compare import compare as build_report, parse_year

    _one_line(lambda: say("✓", "green", build_report(data_dir, out, parse_year(tahun))))


@app.command("export")
def export(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="XLSX file [default: DATA_DIR/renaksi.xlsx]")] = None,
) -> None:
    """The combined tables as one XLSX workbook for office users."""
    from .export import export_xlsx

    _one_line(lambda: say("✓", "green", export_xlsx(data_dir, out)))


@app.command("check")
def check_command(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    sources: Annotated[list[str] | None, typer.Argument(
        help="the PDFs it was extracted from (files, folders or globs), to check against")] = None,
) -> None:
    """Verify every decree folder against its checksums (and its source PDFs, when given)
    and the combined tables against the folders; one line per problem, exit 1 if any."""
    from .batch import sha256_of
    from .combine import verify

    files, missing = expand(sources or [])
    digests = {}
    problems = [f"{raw}: no such file" for raw in missing]
    for item in files:
        try:
            digests[item.path] = sha256_of(item.path)
        except RenaksiError as exc:
            problems.append(exc.line(item.name))

    def job() -> None:
        report = verify(data_dir, digests)
        for line in [*problems, *report.problems]:
            say("✗", "red", line, to=err_console)
        if problems or report.problems:
            raise typer.Exit(1)
        checked = f" and {len(digests)} source PDFs" if digests else ""
        say("✓", "green", f"{data_dir}: {report.decrees} decree folders{checked} intact, the "
            "combined tables match them")

    _one_line(job)


@app.command("review")
def review_command(
    pdf: Annotated[Path, typer.Argument(help="a decree PDF")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="a new, empty or earlier review folder for review.html and its "
        "pages/ [default: review/<doc_id>]")] = None,
    password: Annotated[str | None, typer.Option(help="password of an encrypted PDF")] = None,
) -> None:
    """Extract one decree and draw its rows over its pages beside the table (review.html);
    for a decree that is refused, show where and why it stopped."""
    from .batch import in_worker
    from .review import is_review, review_pdf
    from .write import own_folder

    def job() -> None:
        if out is not None:  # refused before the work, not after
            own_folder(out, is_review, "review --out", whole=True)
        say("✓", "green", in_worker(review_pdf, pdf, out, password, source=pdf))

    _one_line(job)


@app.command("debug")
def debug_command(
    pdf: Annotated[Path, typer.Argument(help="a PDF")],
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="1-based page number")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="PNG file [default: debug/<pdf stem>-p<N>.png]")] = None,
    password: Annotated[str | None, typer.Option(help="password of an encrypted PDF")] = None,
) -> None:
    """Picture of one page with the rulings and cells the grid finder saw, for developers."""
    from .batch import in_worker
    from .debug import save_grid

    target = out or Path("debug") / f"{pdf.stem}-p{page}.png"
    _one_line(lambda: say("✓", "green", in_worker(save_grid, pdf, page, target, password,
                                                  source=pdf)))


def _one_line(job) -> None:
    try:
        job()
    except RenaksiError as exc:
        say("✗", "red", exc, to=err_console)
        raise typer.Exit(1) from None

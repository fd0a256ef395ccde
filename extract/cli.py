"""`renaksi` command line: a thin shell over ``pipeline.run`` and ``write.write``.

Each decree prints one line (extracted, unchanged, or failed naming the file and page) and
the batch goes on; scheduling lives in ``batch``. Exit status: 0 all ok, 1 some failed, 2 usage.
"""
from __future__ import annotations

import glob
import os
import shlex
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from .batch import Failed, Outcome, Skipped
from .identity import why_first
from .errors import OutputError, RenaksiError
from .settings import Settings
from .write import Placement

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="KPU rencana-aksi decrees (PDF) → validated CSV/Parquet tables.")
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """PDF files from files, folders (searched for *.pdf) and globs; also what matched nothing."""
    found: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf" and q.is_file())
        elif p.exists():
            found.append(p)
        else:
            hits = sorted(Path(h) for h in glob.glob(raw, recursive=True))
            if hits:
                found += [h for h in hits if h.is_file()]
            else:
                missing.append(raw)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
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
    """Extract each decree's rencana-aksi table into OUT/<doc_id>/ and rebuild the combined dataset."""
    from .batch import extract_all
    from .combine import combine

    files, missing = expand(paths)
    if not files and not missing:
        err_console.print("no PDF files found in the given paths")
        raise typer.Exit(2)
    for raw in missing:
        err_console.print(f"[red]✗[/] {raw}: no such file")
    tally = Counter(failed=len(missing))
    with Progress(*Progress.get_default_columns(), console=err_console, transient=True,
                  disable=len(files) < 2) as progress:
        task = progress.add_task("extracting", total=len(files))

        def report(outcome: Outcome) -> None:
            _print_outcome(outcome, verbose, tally)
            progress.advance(task)

        extract_all(files, out, Settings(password=password), jobs=jobs, timeout=timeout,
                    force=force, on_outcome=report, review=review)
    try:
        combine(out)
    except RenaksiError as exc:  # the decree folders are written; only the combined tables failed
        err_console.print(f"[red]✗[/] {exc}")
        tally["failed"] += 1
    if len(files) > 1:
        _print_summary(tally)
    raise typer.Exit(1 if tally["failed"] else 0)


def _print_outcome(outcome: Outcome, verbose: bool, tally: Counter[str]) -> None:
    if isinstance(outcome, Skipped):
        if outcome.placement is not None:
            tally["copies"] += 1
            console.print(f"= {escape(outcome.name)} is the same file as "
                          f"{escape(outcome.twin or '')} listed in "
                          f"{escape(str(outcome.placement.folder))}: added to its sumber")
        else:
            tally["unchanged"] += 1
            console.print(f"= {escape(outcome.name)} unchanged ({outcome.doc_id})")
    elif isinstance(outcome, Failed):
        tally["failed"] += 1
        hint = f" → renaksi review {shlex.quote(outcome.review)}" if outcome.review else ""
        err_console.print(f"[red]✗[/] {escape(outcome.line + hint)}")
        if verbose and outcome.trace:
            err_console.print(outcome.trace, markup=False)
    elif outcome.placement is not None and outcome.placement.copy_of is not None:
        tally["copies"] += 1
        _print_placement(outcome.name, outcome.placement, f"{outcome.rows} rows, {outcome.metode}")
    else:
        tally["extracted"] += 1
        tally["rejected"] += outcome.rejected
        note = (f", [yellow]{outcome.rejected} rejected[/] (see ditolak.csv)"
                if outcome.rejected else "")
        console.print(f"[green]✓[/] {escape(outcome.name)} → {escape(str(outcome.folder))} "
                      f"({outcome.rows} rows{note}, {outcome.metode})")
        if outcome.placement is not None:
            _print_placement(outcome.name, outcome.placement, "")


def _print_placement(name: str, p: Placement, what: str) -> None:
    """The identity lines: a copy, a file now used in place of another, other decrees of
    one identity, folders moved or replaced."""
    name, folder = escape(name), escape(str(p.folder))
    if p.changed is not None:
        console.print(f"[yellow]![/] {name} has changed since it was read (another sha256): "
                      "its earlier reading is replaced")
    if p.copy_of is not None:
        used = escape(p.copy_of.name)
        console.print(f"= {name} is a copy of {used} ({what}) → {folder}: listed in its "
                      f"sumber, {used} is used ({why_first(p.copy_of, p.source)})")
        return
    if p.replaced is not None:
        old = escape(p.replaced.name)
        console.print(f"[yellow]![/] {name} replaces {old} in {folder} "
                      f"({why_first(p.source, p.replaced)}); {old} stays listed as a copy")
    if p.others:
        doc_id, other = p.others[0]
        more = f"; {len(p.others) - 1} more share it" if len(p.others) > 1 else ""
        console.print(f"[yellow]![/] {name} ({p.folder.name}) and {escape(other.name)} "
                      f"({doc_id}) are two decrees with one instansi, tahun and nomor but "
                      f"different rows: both kept{more}")
    for old_id, new_id in p.moved:
        why = ("it now ranks first for its identity" if old_id.startswith(f"{new_id}-") else
               "another decree of its identity now ranks first")
        console.print(f"[yellow]![/] {old_id} moved to {new_id}: {why}")
    for old_id in p.dropped:
        console.print(f"[yellow]![/] {name} replaces {old_id}, its earlier output")


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

    _one_line(lambda: console.print(f"[green]✓[/] {build_report(data_dir, out, parse_year(tahun))}"))


@app.command("export")
def export(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="XLSX file [default: DATA_DIR/renaksi.xlsx]")] = None,
) -> None:
    """The combined tables as one XLSX workbook for office users."""
    from .export import export_xlsx

    _one_line(lambda: console.print(f"[green]✓[/] {export_xlsx(data_dir, out)}"))


@app.command("review")
def review_command(
    pdf: Annotated[Path, typer.Argument(help="a decree PDF")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="folder for review.html and its pages [default: review/<doc_id>]")] = None,
    password: Annotated[str | None, typer.Option(help="password of an encrypted PDF")] = None,
) -> None:
    """Extract one decree and draw its rows over its pages beside the table (review.html);
    for a decree that is refused, show where and why it stopped."""
    from .normalise import doc_slug
    from .pipeline import run
    from .review import review, review_refusal

    def job() -> None:
        try:
            result = run(pdf, Settings(password=password))
        except RenaksiError as exc:
            if exc.stopped is None:
                raise
            folder = out or Path("review") / doc_slug(None, None, None, fallback=pdf.stem)
            html = review_refusal(exc, folder, password)
            err_console.print(f"[red]✗[/] {escape(str(exc))}")
            console.print(f"where and why it stopped: {escape(str(html))}")
            raise typer.Exit(1) from None
        html = review(result, out or Path("review") / result.doc_id, password)
        console.print(f"[green]✓[/] {html}")

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
    from .debug import draw_grid

    def job() -> None:
        target = out or Path("debug") / f"{pdf.stem}-p{page}.png"
        image = draw_grid(pdf, page, settings=Settings(password=password))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            image.save(target)
        except (OSError, ValueError) as exc:  # ValueError: a suffix PIL has no format for
            raise OutputError(f"cannot write {target} ({exc})", pdf) from None
        console.print(f"[green]✓[/] {target}")

    _one_line(job)


def _one_line(job) -> None:
    try:
        job()
    except RenaksiError as exc:
        err_console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from None

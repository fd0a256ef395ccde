"""`renaksi` command line: a thin shell over ``pipeline.run`` and ``write.write``.

Each decree prints one line; a failing decree prints one line naming the file and page and
the batch goes on. Exit status: 0 all extracted, 1 some failed, 2 usage error.
"""
from __future__ import annotations

import glob
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track

from .errors import RenaksiError
from .settings import Settings

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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="tracebacks on failure")] = False,
) -> None:
    """Extract each decree's rencana-aksi table into OUT/<doc_id>/ and rebuild the combined dataset."""
    from .combine import combine
    from .pipeline import run
    from .write import write

    files, missing = expand(paths)
    if not files and not missing:
        err_console.print("no PDF files found in the given paths")
        raise typer.Exit(2)
    settings = Settings(password=password)
    failures = len(missing)
    for raw in missing:
        err_console.print(f"[red]✗[/] {raw}: no such file")
    iterator = track(files, description="extracting", console=err_console,
                     transient=True) if len(files) > 1 else files
    for path in iterator:
        try:
            result = run(path, settings)
            folder = write(result, out)
        except RenaksiError as exc:
            failures += 1
            err_console.print(f"[red]✗[/] {exc}")
            if verbose:
                err_console.print(traceback.format_exc())
            continue
        except Exception as exc:  # a bug or a PDF nobody foresaw: one line, batch goes on
            failures += 1
            err_console.print(f"[red]✗[/] {path.name}: unexpected {type(exc).__name__}: {exc}")
            if verbose:
                err_console.print(traceback.format_exc())
            continue
        rejected = len(result.rejected)  # type: ignore[arg-type]
        note = f", [yellow]{rejected} rejected[/] (see ditolak.csv)" if rejected else ""
        console.print(f"[green]✓[/] {path.name} → {folder} ({len(result.table)} rows{note}, "
                      f"{result.metode})")
    combine(out)
    raise typer.Exit(1 if failures else 0)


@app.command()
def compare(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    out: Annotated[Path, typer.Option("--out", "-o", help="report folder")] = Path("report"),
) -> None:
    """Cross-satker comparison report (self-contained HTML with its charts)."""
    from .compare import compare as build_report

    _one_line(lambda: console.print(f"[green]✓[/] {build_report(data_dir, out)}"))


@app.command("export")
def export(
    data_dir: Annotated[Path, typer.Argument(help="folder written by `renaksi extract`")] = Path("data/processed"),
    out: Annotated[Path, typer.Option("--out", "-o", help="XLSX file")] = Path("data/processed/renaksi.xlsx"),
) -> None:
    """The combined tables as one XLSX workbook for office users."""
    from .export import export_xlsx

    _one_line(lambda: console.print(f"[green]✓[/] {export_xlsx(data_dir, out)}"))


def _one_line(job) -> None:
    try:
        job()
    except RenaksiError as exc:
        err_console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from None

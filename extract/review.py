"""The extracted rows laid over the decree's own pages, for a person to check.

A wrong row is quickest to judge next to what was printed, so the review draws every output
row where it was read (each piece of a row that a page break split) and colours what the
pipeline inferred rather than read: rows joined across a page break, cells filled down from
a merge, months decided from shading or from the shape of the ink, rows that validation
rejected, OCR rows of low confidence. The overlay is SVG in PDF points over a downscaled
page picture, so hovering explains and clicking links a drawn row to its table row. One HTML
file with inline CSS and JS: it opens from disk, offline.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Literal

import pandas as pd

from .debug import render_pages
from .errors import OutputError, RenaksiError
from .header import header_rows, map_header
from .model import BBox, ColumnMap, Column, Page, PageGrid, Result, Row, Stopped
from .normalise import read_mark
from .write import out_dir_lock, own_folder, recover, shared_mode, swap_in

FOLDER = "review"  # inside a decree's output folder
HTML = "review.html"
PAGES = "pages"
_PICTURE = re.compile(r"p\d{3,}\.webp")
MAX_WIDTH = 1400  # pixels: sharp enough to read a cell, light enough for a hundred pages
_HIDDEN = {"doc_id", "row_no", "area_kode", "jadwal_satuan", "halaman_awal", "halaman_akhir",
           "alasan"}
_NARROW = {"area_no": ' class="n"'}  # table columns that hold a number, not prose

Kind = Literal["row", "filled", "shading", "ink"]


@dataclass(frozen=True, slots=True)
class Shape:
    """One thing drawn over a page: a row piece, a filled-down cell or a decided month."""

    kind: Kind
    row_no: int
    page_no: int
    bbox: BBox
    note: str  # hover text
    flags: frozenset[str] = frozenset()  # CSS classes: joined, rejected, yes, unreadable...


def shapes(result: Result) -> list[Shape]:
    """Everything the review draws, in row order; pure, so it can be checked without pixels."""
    cmaps = _column_maps(result.grids)
    ocr_pages = {g.page_no for g in result.grids if g.source == "ocr"}
    reasons = _rejected_reasons(result)
    low = set(result.low_confidence_rows)
    out: list[Shape] = []
    for row_no, row in enumerate(result.rows, start=1):
        flags = _row_flags(row, row_no in reasons, row_no in low)
        note = _row_note(row_no, row, reasons.get(row_no), row_no in low)
        out += [Shape("row", row_no, page_no, bbox, note, flags) for page_no, bbox in row.boxes]
        if row.boxes:  # values and marks were read where the row starts
            page_no, bbox = row.boxes[0]
            out += _filled(row_no, row, cmaps[page_no].columns, page_no, bbox)
            out += _marks(row_no, row, cmaps[page_no], page_no, bbox, page_no in ocr_pages)
    return out


def _column_maps(grids: Sequence[PageGrid]) -> dict[int, ColumnMap]:
    """Each page's columns as the pipeline mapped them (a repeated header moves them)."""
    cmaps: dict[int, ColumnMap] = {}
    cmap = None
    for grid in grids:
        cmap = cmaps[grid.page_no] = map_header(grid, cmap)
    return cmaps


def _rejected_reasons(result: Result) -> dict[int, str]:
    rejected: pd.DataFrame = result.rejected  # type: ignore[assignment]
    if not len(rejected):
        return {}
    return {int(n): str(why) for n, why in zip(rejected["row_no"], rejected["alasan"])}


def _row_flags(row: Row, rejected: bool, low_confidence: bool) -> frozenset[str]:
    named = {"joined": row.joined, "filled": bool(row.filled), "rejected": rejected,
             "low_confidence": low_confidence}
    return frozenset(name for name, on in named.items() if on)


def _row_note(row_no: int, row: Row, reason: str | None, low: bool) -> str:
    pages = sorted({p for p, _ in row.boxes}) or [row.halaman_awal]
    where = f"p. {pages[0]}" if len(pages) == 1 else f"p. {pages[0]}–{pages[-1]}"
    lines = [f"row {row_no}, {where}"]
    if row.joined:
        lines.append("joined across the page break: " + ", ".join(f"p. {p}" for p in pages))
    if row.filled:
        lines.append("filled down from a merged cell: " + ", ".join(sorted(row.filled)))
    if reason:
        lines.append(f"rejected: {reason}")
    if low and row.confidence is not None:
        lines.append(f"OCR confidence {row.confidence:.0f}, below the threshold")
    return "\n".join(lines)


def _filled(row_no: int, row: Row, columns: Sequence[Column], page_no: int,
            bbox: BBox) -> list[Shape]:
    return [Shape("filled", row_no, page_no, (c.x0, bbox[1], c.x1, bbox[3]),
                  f"{c.name} filled down from the merged cell above: {row.values.get(c.name, '')}")
            for c in columns if c.name in row.filled]


def _marks(row_no: int, row: Row, cmap: ColumnMap, page_no: int, bbox: BBox,
           ocr: bool) -> list[Shape]:
    out: list[Shape] = []
    for column, mark in zip(cmap.schedule, row.marks):
        said = {True: "yes", False: "no", None: "unreadable"}[read_mark(mark)]
        box = (column.x0, bbox[1], column.x1, bbox[3])
        when = _period(column.name)
        if ocr and mark.text:
            sure = f" (certainty {mark.confidence:.0f})" if mark.confidence is not None else ""
            out.append(Shape("ink", row_no, page_no, box,
                             f"{when}: {mark.text!r} from the shape of the ink → {said}{sure}",
                             frozenset({said})))
        elif mark.shaded:
            out.append(Shape("shading", row_no, page_no, box, f"{when}: shaded → {said}",
                             frozenset({said})))
    return out


def _period(name: str) -> str:
    kind, number = name.split("_")
    return f"{'month' if kind == 'bulan' else 'quarter'} {int(number)}"


def review(result: Result, out_dir: Path, password: str | None = None) -> Path:
    """Write ``out_dir/review.html`` with its page pictures in ``out_dir/pages/``; return the
    HTML file.

    ``out_dir`` must be new, empty or an earlier review (``is_review``): renaksi never
    deletes what it did not write. Built in a temporary sibling and swapped in (under the
    parent folder's lock, like a decree folder), so an interrupted run leaves the previous
    review (or none), never half of one. Raises OutputError.
    """
    return _publish(Path(out_dir), result.source, lambda tmp: write_review(result, tmp, password))


def _publish(out_dir: Path, source: Path, build: Callable[[Path], object]) -> Path:
    """Run ``build`` on a temporary sibling of ``out_dir`` and swap it into place (see
    ``review``); return the HTML file."""
    own_folder(out_dir, is_review, "the review", whole=True)
    parent = out_dir.resolve().parent
    recover(parent)  # what an earlier, killed review left beside this one
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot create {out_dir} ({exc.strerror})", source) from None
    try:
        tmp.chmod(shared_mode())
        build(tmp)
        with out_dir_lock(parent):
            swap_in(tmp, out_dir)
    except OSError as exc:
        raise OutputError(f"cannot write the review to {out_dir} ({exc.strerror or exc})",
                          source) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / HTML


def review_pdf(pdf: Path, out_dir: Path | None, password: str | None = None) -> Path:
    """Extract ``pdf`` and write its review to ``out_dir`` (default review/<doc_id>).

    A decree refused for its table gets the review of where and why it stopped (default
    review/<file name>), and its refusal is raised again ending with where that is.
    """
    from .normalise import doc_slug
    from .pipeline import run
    from .settings import Settings

    try:
        result = run(pdf, Settings(password=password))
    except RenaksiError as exc:
        if exc.stopped is None:
            raise
        folder = out_dir or Path("review") / doc_slug(None, None, None, fallback=pdf.stem)
        html = review_refusal(exc, folder, password)
        raise type(exc)(f"{exc.msg}; where and why it stopped: {html}", exc.path,
                        exc.page) from None
    return review(result, out_dir or Path("review") / result.doc_id, password)


def is_review(folder: Path) -> bool:
    """A folder holding only what ``write_review`` writes: review.html and pages/p*.webp."""
    names = {p.name for p in folder.iterdir()}
    pages = folder / PAGES
    return names <= {HTML, PAGES} and (not pages.exists() or (
        pages.is_dir() and all(_PICTURE.fullmatch(p.name) for p in pages.iterdir())))


def write_review(result: Result, folder: Path, password: str | None = None) -> Path:
    """review.html and pages/ into ``folder`` (created if needed); no transaction of its
    own: ``review`` and ``write.write`` give it theirs."""
    folder.mkdir(mode=shared_mode(), exist_ok=True)
    scanned = {g.page_no for g in result.grids if g.source == "ocr"}
    sizes = _write_pictures(result.source, [g.page_no for g in result.grids], scanned,
                            folder / PAGES, password)
    (folder / HTML).write_text(page_html(result, sizes), encoding="utf-8")
    return folder / HTML


def _write_pictures(source: Path, page_nos: Sequence[int], scanned: Set[int], folder: Path,
                    password: str | None) -> dict[int, tuple[float, float]]:
    """Page pictures as WebP (lossless for born-digital pages, where it is also the smallest);
    returns each page's size in points, the overlay's coordinate space."""
    folder.mkdir(mode=shared_mode())
    sizes = {}
    for page_no, image, scale in render_pages(source, page_nos, MAX_WIDTH, password):
        image.save(folder / _picture(page_no), "WEBP", lossless=page_no not in scanned, quality=80)
        sizes[page_no] = (image.width / scale, image.height / scale)
    return sizes


def _picture(page_no: int) -> str:
    return f"p{page_no:03d}.webp"


def page_html(result: Result, sizes: dict[int, tuple[float, float]]) -> str:
    """The whole review document: pages with overlays on the left, the table on the right."""
    drawn = shapes(result)
    by_page: dict[int, list[Shape]] = {}
    for shape in drawn:
        by_page.setdefault(shape.page_no, []).append(shape)
    pages = "".join(_page(g, sizes[g.page_no], by_page.get(g.page_no, [])) for g in result.grids)
    title = f"Review: {result.meta.instansi or result.doc_id}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>"
            f'<main id="pages">{pages}</main>'
            f'<aside id="side">{_summary(result, drawn, title)}{_table(result)}</aside>'
            f"<script>{_JS}</script></body></html>")


def _page(grid: PageGrid, size: tuple[float, float], drawn: Sequence[Shape]) -> str:
    w, h = size
    cells = "".join(f"<rect {_xywh(c.bbox)}/>" for c in grid.cells)
    rows = "".join(_row_shape(s, w) for s in drawn if s.kind == "row")
    marks = "".join(
        f'<rect class="{_classes(s)}" data-row="{s.row_no}" {_xywh(s.bbox)}>'
        f"<title>{escape(s.note)}</title></rect>" for s in drawn if s.kind != "row")
    return (f'<section class="page" id="p{grid.page_no}"><h2>page {grid.page_no}</h2>'
            f'<div class="sheet" style="aspect-ratio:{w:.1f}/{h:.1f}">'
            f'<img src="{PAGES}/{_picture(grid.page_no)}" alt="page {grid.page_no}" loading="lazy">'
            f'<svg viewBox="0 0 {w:.1f} {h:.1f}" preserveAspectRatio="none">'
            f'<g class="grid">{cells}</g>{rows}{marks}</svg></div></section>')


def _row_shape(s: Shape, page_width: float) -> str:
    x0, top, x1, _ = s.bbox
    outside = x1 + 14 < page_width  # the label goes in the right margin when there is one
    label_x, anchor = (x1 + 2, "start") if outside else (x1 - 2, "end")
    return (f'<g class="{_classes(s)}" data-row="{s.row_no}"><title>{escape(s.note)}</title>'
            f"<rect {_xywh(s.bbox)}/>"
            f'<text x="{label_x:.1f}" y="{top + 8:.1f}" text-anchor="{anchor}">{s.row_no}</text></g>')


def _classes(s: Shape) -> str:
    return " ".join([s.kind, *sorted(s.flags)])


def _xywh(b: BBox) -> str:
    return f'x="{b[0]:.1f}" y="{b[1]:.1f}" width="{b[2] - b[0]:.1f}" height="{b[3] - b[1]:.1f}"'


def _summary(result: Result, drawn: Sequence[Shape], title: str) -> str:
    rows = result.rows
    counts = (
        ("row", f"{len(rows)} rows"),
        ("row joined", f"{sum(r.joined for r in rows)} joined across a page break"),
        ("filled", f"{sum(bool(r.filled) for r in rows)} with cells filled down"),
        ("row rejected", f"{len(_rejected_reasons(result))} rejected by validation"),
        ("row low_confidence", f"{len(result.low_confidence_rows)} of low OCR confidence"),
        ("shading", f"{sum(s.kind == 'shading' for s in drawn)} months read from shading"),
        ("ink", f"{sum(s.kind == 'ink' for s in drawn)} months read from the ink"),
    )
    legend = "".join(f'<li><span class="key {k}"></span>{escape(text)}</li>' for k, text in counts)
    return (f"<header><h1>{escape(title)}</h1>"
            f"<p>{escape(result.source.name)} · {escape(result.doc_id)} · "
            f"pages {escape('–'.join(str(p) for p in result.halaman_lampiran or ()))}</p>"
            f'<ul class="legend">{legend}</ul><label><input type="checkbox" id="show-grid" checked>'
            f" grid cells</label> · click a row here or on a page to find it there</header>")


def _table(result: Result) -> str:
    frame = _frame(result)
    months = [c for c in frame.columns if c.startswith("bulan_")]
    columns = [c for c in frame.columns if c not in _HIDDEN and c not in months[1:]]
    head = "".join('<th class="m">jadwal 1–12</th>' if c in months else
                   f'<th{_NARROW.get(c, "")}>{escape(c.replace("_", " "))}</th>' for c in columns)
    reasons = _rejected_reasons(result)
    why = "<th>rejected because</th>" if reasons else ""
    body = []
    for record in frame.to_dict("records"):
        n = int(record["row_no"])
        row = result.rows[n - 1]
        flags = _row_flags(row, n in reasons, n in result.low_confidence_rows)
        pages = (f"{row.halaman_awal}" if row.halaman_awal == row.halaman_akhir
                 else f"{row.halaman_awal}–{row.halaman_akhir}")
        cells = "".join(_schedule([record[m] for m in months]) if c in months
                        else _td(record[c], c in row.filled) for c in columns)
        body.append(f'<tr id="r{n}" data-row="{n}" class="{" ".join(sorted(flags))}">'
                    f"<td>{n}</td><td>{pages}</td>{cells}"
                    + (f"<td>{escape(reasons.get(n, ''))}</td>" if reasons else "") + "</tr>")
    return (f'<table id="rows"><thead><tr><th class="n">#</th><th class="p">p.</th>{head}{why}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _frame(result: Result) -> pd.DataFrame:
    """Accepted and rejected rows together, in document order."""
    frames = [f for f in (result.table, result.rejected) if len(f)]  # type: ignore[arg-type]
    if not frames:
        return pd.DataFrame(columns=["row_no"])
    return pd.concat(frames, ignore_index=True).sort_values("row_no", kind="stable")


def _schedule(values: Sequence[object]) -> str:
    """Twelve months as one strip of marks: ● scheduled, · not, ? unreadable."""
    marks = "".join("?" if pd.isna(v) else ("●" if v else "·") for v in values)
    return f'<td class="m">{marks}</td>'


def _td(value: object, filled: bool) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return f'<td class="filled">{escape(text)}</td>' if filled else f"<td>{escape(text)}</td>"


# --- a refused decree: where and why it stopped -------------------------------------------

MAX_PAGES = 24  # a refused decree's pages shown when no table page stands out


def review_refusal(exc: RenaksiError, out_dir: Path, password: str | None = None) -> Path:
    """Write ``out_dir/review.html`` for a decree the pipeline refused: its pages with the
    grid it found, the header cells it read and the page where it stopped, outlined, beside
    the one-line reason and what was read. ``exc.stopped`` must be set (``pipeline.run``
    sets it for every refusal about the table)."""
    stopped = exc.stopped
    assert stopped is not None, "only a refusal that carries what was read can be reviewed"
    shown = _refusal_pages(stopped)

    def build(tmp: Path) -> None:
        scanned = {p.page_no for p in stopped.doc.pages if p.kind == "scan"}
        sizes = _write_pictures(stopped.doc.path, shown, scanned, tmp / PAGES, password)
        (tmp / HTML).write_text(refusal_html(exc, sizes), encoding="utf-8")

    return _publish(Path(out_dir), stopped.doc.path, build)


def _refusal_pages(stopped: Stopped) -> list[int]:
    """The grid pages and the page it stopped on, with every page of drawn lines when no grid
    was found; the first pages when there is none of these."""
    pages = {g.page_no for g in stopped.grids} | ({stopped.page} if stopped.page else set())
    if not stopped.grids:
        pages |= {p.page_no for p in stopped.doc.pages if p.rulings}
    return sorted(pages)[:MAX_PAGES] or [p.page_no for p in stopped.doc.pages[:MAX_PAGES]]


def refusal_html(exc: RenaksiError, sizes: dict[int, tuple[float, float]]) -> str:
    """The whole refusal review: pages with what was found on the left, the reason and what
    was read on the right."""
    stopped = exc.stopped
    assert stopped is not None
    grids = {g.page_no: g for g in stopped.grids}
    sections = "".join(_refusal_page(stopped.doc.pages[n - 1], grids.get(n), sizes[n],
                                     stopped.page == n, str(exc.msg))
                       for n in sorted(sizes))
    title = f"Refused: {stopped.doc.path.name}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{escape(title)}</title>'
            f"<style>{_CSS}{_REFUSAL_CSS}</style></head><body>"
            f'<main id="pages">{sections}</main>'
            f'<aside id="side">{_refusal_summary(exc, title)}</aside></body></html>')


def _refusal_page(page: Page, grid: PageGrid | None, size: tuple[float, float], stop: bool,
                  why: str) -> str:
    w, h = size
    drawn = []
    if grid is None:  # the lines the grid finder had to work with
        drawn += [f'<rect class="ruling" {_xywh((r.x0, r.top, r.x1, r.bottom))}/>'
                  for r in page.rulings]
    else:
        n_hdr, _ = header_rows(grid)
        for cell in grid.cells:
            head = cell.row < max(n_hdr, 1)  # no header rows: the first row is what was read
            note = f"header cell: {cell.text}" if head else cell.text
            drawn.append(f'<rect class="{"head" if head else "cell"}" {_xywh(cell.bbox)}>'
                         f"<title>{escape(note)}</title></rect>")
    if stop:
        drawn.append(f'<rect class="stop" x="1" y="1" width="{w - 2:.1f}" height="{h - 2:.1f}">'
                     f"<title>{escape(why)}</title></rect>")
    label = f"page {page.page_no}" + (" — stopped here" if stop else "")
    return (f'<section class="page{" stopped" if stop else ""}" id="p{page.page_no}">'
            f"<h2>{escape(label)}</h2>"
            f'<div class="sheet" style="aspect-ratio:{w:.1f}/{h:.1f}">'
            f'<img src="{PAGES}/{_picture(page.page_no)}" alt="page {page.page_no}" loading="lazy">'
            f'<svg viewBox="0 0 {w:.1f} {h:.1f}" preserveAspectRatio="none">{"".join(drawn)}'
            f"</svg></div></section>")


def _refusal_summary(exc: RenaksiError, title: str) -> str:
    stopped = exc.stopped
    assert stopped is not None
    doc = stopped.doc
    where = f"page {stopped.page}" if stopped.page else "the whole decree"
    kinds = ", ".join(f"p.{p.page_no} {p.kind}" for p in doc.pages)
    grids = ", ".join(f"p.{g.page_no}: {g.n_rows} rows × {len(g.xs) - 1} columns"
                      for g in stopped.grids) or "none"
    parts = [f"<header><h1>{escape(title)}</h1>",
             f'<p class="why">{escape(str(exc))}</p>',
             f"<p>Stopped on {escape(where)}. Outlined in red on the page; header cells read "
             f"are shaded orange, other cells blue, and where no grid was found the drawn "
             f"lines are red.</p></header>",
             f"<h2>Pages</h2><p>{escape(kinds)}</p>",
             f"<h2>Table grids found</h2><p>{escape(grids)}</p>"]
    for cmap in stopped.cmaps[:1]:
        items = "".join(f"<li><b>{escape(c.name)}</b> ← {escape(c.header)}</li>"
                        for c in cmap.columns)
        parts.append(f"<h2>Header read on p.{cmap.page_no}</h2><ul>{items}</ul>")
    grid = next((g for g in stopped.grids if g.page_no == stopped.page), None)
    if grid is not None:
        n_hdr, _ = header_rows(grid)
        rows = "".join(f"<li>{escape(' | '.join(c.text for c in grid.row_cells(r)))}</li>"
                       for r in range(max(n_hdr, 1)))
        parts.append(f"<h2>Header rows read on p.{grid.page_no}</h2><ol>{rows}</ol>")
    elif stopped.page:
        lines = doc.pages[stopped.page - 1].text.splitlines()[:12]
        shown = "\n".join("".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in ln)
                          for ln in lines)
        parts.append(f"<h2>What the text layer of p.{stopped.page} says</h2>"
                     f"<pre>{escape(shown)}</pre>")
    return "".join(parts)


_REFUSAL_CSS = """
#side{padding:0 10px}#side h2{font-size:13px;margin:12px 0 4px}
p.why{font-weight:bold;color:#b91c1c}
pre{white-space:pre-wrap;font-size:11px;background:#f3f4f6;padding:6px}
rect.ruling{fill:none;stroke:#dc2626;stroke-width:.8}
rect.cell{fill:none;stroke:#2563eb;stroke-opacity:.5;stroke-width:.5}
rect.head{fill:#f9731633;stroke:#ea580c;stroke-width:.8}
rect.stop{fill:none;stroke:#dc2626;stroke-width:3}
section.stopped h2{color:#b91c1c}
"""

_CSS = """
html,body{margin:0;height:100%}
body{display:grid;grid-template-columns:minmax(0,1.2fr) minmax(0,1fr);font:13px/1.35 system-ui,sans-serif;color:#111}
#pages{overflow:auto;height:100vh;background:#d1d5db;padding:0 10px}
#side{overflow:auto;height:100vh;border-left:1px solid #9ca3af}
h1{font-size:16px;margin:0 0 4px}h2{font-size:12px;margin:10px 0 4px;color:#374151}
header{padding:8px 10px;background:#f9fafb}header p{margin:0 0 6px;color:#4b5563}
.sheet{position:relative;background:#fff;box-shadow:0 1px 4px #0004}
.sheet img,.sheet svg{position:absolute;inset:0;width:100%;height:100%}
.legend{list-style:none;padding:0;margin:0 0 6px;columns:2}
.key{display:inline-block;width:18px;height:10px;margin-right:6px;border:2px solid #0f766e;vertical-align:middle}
.key.joined{border:2px dashed #7c3aed}.key.rejected{border-color:#dc2626}.key.low_confidence{border-color:#ea580c}
.key.filled{background:#facc1566;border-color:transparent}.key.shading{border-color:#16a34a}.key.ink{border-color:#c026d3}
.grid rect{fill:none;stroke:#2563eb;stroke-opacity:.35;stroke-width:.5;pointer-events:none}
body.nogrid .grid{display:none}
g.row rect{fill:transparent;stroke:#0f766e;stroke-width:1;cursor:pointer}
g.row text{font:8px sans-serif;fill:#0f766e;cursor:pointer}
g.row.joined rect{stroke:#7c3aed;stroke-width:1.5;stroke-dasharray:5 2}g.row.joined text{fill:#7c3aed}
g.row.low_confidence rect{stroke:#ea580c;stroke-width:2}g.row.low_confidence text{fill:#ea580c}
g.row.rejected rect{stroke:#dc2626;stroke-width:2.5}g.row.rejected text{fill:#dc2626;font-weight:bold}
g.row:hover rect{fill:#0f766e14}
g.row.hl rect{fill:#facc1555;stroke-width:3}
rect.filled{fill:#facc152e;stroke:none;cursor:pointer}
rect.shading,rect.ink{fill:transparent;stroke-width:1.2;cursor:pointer}
rect.shading{stroke:#16a34a}rect.ink{stroke:#c026d3}rect.ink.no{stroke-opacity:.45}
rect.unreadable{stroke:#dc2626;stroke-width:2}
table{border-collapse:collapse;font-size:12px;width:100%;table-layout:fixed}
th.n{width:2.6em}th.p{width:3.4em}th.m{width:7.8em}
th{position:sticky;top:0;background:#e5e7eb;text-align:left;padding:3px;z-index:1}
td{border-top:1px solid #e5e7eb;padding:3px;vertical-align:top;overflow-wrap:break-word}
td.m{font-family:monospace;white-space:nowrap;overflow:hidden}
td.filled{background:#fef9c3}
tbody tr{cursor:pointer}tbody tr:hover{background:#f0fdfa}
tr.joined td:nth-child(2){color:#7c3aed;font-weight:bold}
tr.rejected{background:#fee2e2}tr.low_confidence{background:#ffedd5}
tr.hl,tr.hl td{background:#fde68a}
"""

_JS = """
(() => {
  function select(n, fromTable) {
    document.querySelectorAll('.hl').forEach(e => e.classList.remove('hl'));
    const outlines = document.querySelectorAll('g.row[data-row="' + n + '"]');
    const tr = document.getElementById('r' + n);
    outlines.forEach(e => e.classList.add('hl'));
    if (tr) tr.classList.add('hl');
    const target = fromTable ? outlines[0] : tr;
    if (target) target.scrollIntoView({block: 'center', inline: 'nearest'});
  }
  document.addEventListener('click', e => {
    const hit = e.target.closest('[data-row]');
    if (hit) select(hit.dataset.row, hit.tagName === 'TR');
  });
  document.getElementById('show-grid').addEventListener('change', e =>
    document.body.classList.toggle('nogrid', !e.target.checked));
  if (/^#r\\d+$/.test(location.hash)) select(location.hash.slice(2), true);
})();
"""

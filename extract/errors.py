"""Typed failures: each names the file (and page when known) so the CLI can print one line."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Stopped


class RenaksiError(Exception):
    """Base of every failure a user can act on; ``str()`` is the one line the CLI prints."""

    def __init__(self, msg: str, path: Path | str | None = None, page: int | None = None):
        super().__init__(msg)
        self.msg = msg
        self.path = Path(path) if path is not None else None
        self.page = page
        self.stopped: Stopped | None = None  # what was read before the stop, for a review

    def __str__(self) -> str:
        where = self.path.name if self.path is not None else ""
        if self.page is not None:
            where = f"{where} p.{self.page}" if where else f"p.{self.page}"
        return f"{where}: {self.msg}" if where else self.msg

    def line(self, name: str) -> str:
        """The one line, naming the file ``name`` (as the user knows it, e.g. relative to
        the folder given) rather than by its base name."""
        where = f"{name} p.{self.page}" if self.page is not None else name
        return f"{where}: {self.msg}"


class NotAPdf(RenaksiError):
    """The bytes are not a PDF (empty, renamed, HTML error page...)."""


class BrokenPdf(RenaksiError):
    """A PDF that the parser cannot open or whose pages cannot be read."""


class EncryptedPdf(RenaksiError):
    """A password is needed and none (or a wrong one) was given."""


class NoLampiran(RenaksiError):
    """The decree has no rencana-aksi table that can be read; the message says why."""


class TextLayerUnreadable(NoLampiran):
    """The table's characters do not decode to letters (a font without a character map)."""

    def __init__(self, msg: str = "", path: Path | str | None = None, page: int | None = None):
        super().__init__(msg or "text layer unreadable: the table's letters are stored without "
                         "their meaning (a font with no character map); export the PDF again "
                         "from the original document, or scan the printed decree", path, page)


class TableSideways(NoLampiran):
    """The table is printed a quarter turn from upright."""

    def __init__(self, msg: str = "", path: Path | str | None = None, page: int | None = None):
        super().__init__(msg or "table printed sideways: its text runs down the page instead "
                         "of across it, and renaksi reads tables upright only", path, page)


class HeaderNotRecognised(RenaksiError):
    """The table header cannot be mapped to the rencana-aksi columns."""

    @classmethod
    def unmapped(cls, headers: Sequence[str], missing: Sequence[str],
                 page: int | None = None) -> HeaderNotRecognised:
        """``missing``: what the header lacks ("schedule columns ..."); ``headers``: each
        column's header as "PARENT / LEAF" stacks, as read."""
        return cls(f"{' and '.join(missing)} not found; the table header reads: "
                   f"{header_summary(headers)}", None, page)

    @classmethod
    def no_header(cls, first_row: Sequence[str], page: int | None = None) -> HeaderNotRecognised:
        row = " | ".join(_clean(t) for t in first_row if _clean(t)) or "nothing"
        return cls("the table has no header row naming its columns (NO., KEGIATAN, INDIKATOR, "
                   f"PELAKSANAAN ...); its first row reads: {_shorten(row)}", None, page)


class NoRowsAccepted(RenaksiError):
    """The table was read but none of its rows passed validation."""


class OcrUnavailable(RenaksiError):
    """Tesseract (or its Indonesian model) is not installed."""


class PageNotFound(RenaksiError):
    """A page number outside the document."""


class NotExtracted(RenaksiError):
    """A folder without the combined dataset that `renaksi extract` writes."""


class OutputError(RenaksiError):
    """Writing the outputs failed (disk full, permissions); earlier outputs are left intact."""


class ExtractTimeout(RenaksiError):
    """A decree took longer than the per-file time limit."""


def header_summary(headers: Sequence[str]) -> str:
    """Column headers as a person reads them: "NO. | KEGIATAN | PELAKSANAAN (BULAN): 1 2 …".

    Each header is a "PARENT / LEAF" stack. A last level that numbers the columns in order
    (most of them: OCR misreads or misses some) is dropped, and neighbours under one parent are written once with their leaves.
    """
    stacks = [[_clean(p) for p in h.split(" / ") if _clean(p)] for h in headers]
    stacks = [s for s in stacks if s]
    numbers = [int(s[-1]) for s in stacks if len(s) > 1 and s[-1].isdigit()]
    if (len(stacks) > 4 and len(numbers) >= 0.8 * len(stacks)
            and all(a < b for a, b in zip(numbers, numbers[1:]))):  # the column-number row
        stacks = [s[:-1] if len(s) > 1 else s for s in stacks]
    parts: list[tuple[str, list[str]]] = []
    for s in stacks:
        parent, leaf = " / ".join(s[:-1]), s[-1]
        if parent and parts and parts[-1][0] == parent:
            parts[-1][1].append(leaf)
        else:
            parts.append((parent, [leaf]))
    return _shorten(" | ".join(f"{p}: {' '.join(leaves)}" if p else leaves[0]
                               for p, leaves in parts))


def _clean(text: str) -> str:
    """Header text on one line, without the rule fragments OCR reads as "|" or "_"."""
    return re.sub(r"\s+", " ", re.sub(r"[|_~]+", " ", text)).strip()


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

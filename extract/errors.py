"""Typed failures: each names the file (and page when known) so the CLI can print one line."""
from __future__ import annotations

from pathlib import Path


class RenaksiError(Exception):
    """Base of every failure a user can act on; ``str()`` is the one line the CLI prints."""

    def __init__(self, msg: str, path: Path | str | None = None, page: int | None = None):
        super().__init__(msg)
        self.msg = msg
        self.path = Path(path) if path is not None else None
        self.page = page

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
    """The decree has no ruled rencana-aksi table."""


class HeaderNotRecognised(RenaksiError):
    """The table header cannot be mapped to the rencana-aksi columns."""


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

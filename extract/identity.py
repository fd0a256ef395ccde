"""One decree, one folder: which input files are the same decree, which one is used, and
which folder each decree gets. The rule is the contract's "Identity of a decree".

A decree's identity is its base ``doc_id`` (instansi, tahun, nomor). Files of one identity
with the same rows are copies of one decree: one folder, every file listed in ``sumber``,
the rows of the best one used. Files of one identity with other rows are other decrees:
each keeps a folder of its own, the best-ranked one under the base ``doc_id``, the others
under ``doc_id-<first 8 hex of its sha256>``.

"The same rows" is read as exactly as the reading allows. Two text layers hold the same
rows when their ``sidik`` (the rows as printed, layout aside) is equal. OCR misreads a
letter here and there, so a scan holds the rows of a text-layer file of its identity when
their ``kerangka`` is equal: the same columns, the same number of rows, and each row's
area number and schedule; scans with no such text-layer file are grouped by ``kerangka``.

"Best" is one total order (``Source.rank``): a text layer before OCR, then more accepted
rows, then the path's sort order. Every decision is a function of the set of sources
alone, never of the order they arrive in, so any ``--jobs`` gives the same folders.

Pure decisions only; ``write`` applies them to the output folder.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import MONTHS

if TYPE_CHECKING:  # only a worker digests tables; the batch's process need not load pandas
    import pandas as pd

# Layout, not content: the same decree printed by another program breaks its pages elsewhere.
_NOT_CONTENT = ("doc_id", "halaman_awal", "halaman_akhir")


def _digest(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    from pandas import isna

    digest = hashlib.sha256("\x1f".join(header).encode())
    for row in rows:
        cells = ("" if isna(v) else _as_printed(str(v)) for v in row)
        digest.update(("\x1e" + "\x1f".join(cells)).encode())
    return digest.hexdigest()


def sidik(table: pd.DataFrame) -> str:
    """sha256 of a decree's accepted rows as printed: every column but doc_id and pages,
    in row order, each cell as ``_as_printed`` reads it."""
    columns = [c for c in table.columns if c not in _NOT_CONTENT]
    return _digest(columns, table[columns].itertuples(index=False))


def kerangka(table: pd.DataFrame) -> str:
    """sha256 of what OCR reads as surely as a text layer: the column names, and for each
    row in order its area number, schedule unit and months."""
    columns = [c for c in table.columns if c not in _NOT_CONTENT]
    shape = ["area_no", "jadwal_satuan", *MONTHS]
    return _digest(columns, table[shape].itertuples(index=False))


def _as_printed(text: str) -> str:
    """Text without what the layout decides: NFKC, whitespace collapsed, and no space next
    to "-" or "/" (whether a line break there leaves one depends on the column width; the
    same rule as the fixtures' scorer)."""
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    # most cells ("True", "bulan", a line of words) have nothing to change: no regex for them
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = _SPACES.sub(" ", text).strip()  # every space but " " is unprintable
    if "-" in text or "/" in text:
        text = _AROUND_JOINER.sub(r"\1", text)
    return text


_SPACES = re.compile(r"\s+")
_AROUND_JOINER = re.compile(r"\s*([-/])\s*")


@dataclass(frozen=True, slots=True)
class Source:
    """One input file that produced a decree (an entry of ``dokumen.json["sumber"]``)."""

    name: str  # file name, as shown to the user
    path: str  # the path relative to the output folder (write.source_path): the last tie-breaker
    sha256: str
    metode: str  # "text" or "ocr"
    baris: int  # accepted rows
    sidik: str
    kerangka: str

    @property
    def rank(self) -> tuple:
        """Smaller is better: a text layer, then more rows, then the path's sort order."""
        return (self.metode != "text", -self.baris, self.path, self.sha256)

    def record(self) -> dict[str, object]:
        return {"name": self.name, "path": self.path, "sha256": self.sha256,
                "metode": self.metode, "baris": self.baris, "sidik": self.sidik,
                "kerangka": self.kerangka}

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Source | None:
        """From a ``sumber`` entry; None when it is not one this version wrote."""
        try:
            return cls(str(raw["name"]), str(raw["path"]), str(raw["sha256"]),
                       str(raw["metode"]), int(raw["baris"]),  # type: ignore[call-overload]
                       str(raw["sidik"]), str(raw["kerangka"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class Held:
    """A decree folder of one identity as it is on disk; its rows are ``sources[0]``'s."""

    folder: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """One decree after a decision: its folder and its sources, the one used first."""

    doc_id: str
    sources: tuple[Source, ...]
    rows_in: str | None  # the folder holding the used file's rows; None: the new file's
    was: str | None  # the folder this decree was in before; None for a decree new here

    @property
    def kept(self) -> Source:
        return self.sources[0]


def decide(base: str, held: Iterable[Held], new: Source) -> list[Group]:
    """Every decree of identity ``base`` once ``new`` is added (see the module docstring).

    A path holds one file: what was listed under ``new``'s path (a re-run, or a file that
    has changed since) gives way to ``new`` as read now. ``base`` goes to the decree most likely to be the one the identity names: one
    read from a text layer, then the one more files agree on, then the one whose best file
    ranks first (a misread file may well have more rows, rarely more twins); each other one
    gets ``base-<8 hex>`` of its best file. A held folder left with no file is not in the
    answer.
    """
    listed: dict[tuple[str, str], tuple[Source, str | None]] = {}
    for h in held:
        for s in h.sources:
            if s.path != new.path:
                listed.setdefault((s.sha256, s.path), (s, h.folder))
    listed[(new.sha256, new.path)] = (new, None)
    clusters: list[list[tuple[Source, str | None]]] = []
    by_sidik: dict[str, list] = {}
    by_kerangka: dict[str, list] = {}
    for entry in sorted(listed.values(), key=lambda e: e[0].rank):  # text layers come first
        s = entry[0]
        if s.metode == "text":
            cluster = by_sidik.get(s.sidik)
        else:
            cluster = next((c for c in clusters if c[0][0].metode == "text"
                            and c[0][0].kerangka == s.kerangka), None) or by_kerangka.get(s.kerangka)
        if cluster is None:
            cluster = []
            clusters.append(cluster)
            (by_sidik if s.metode == "text" else by_kerangka)[
                s.sidik if s.metode == "text" else s.kerangka] = cluster
        cluster.append(entry)
    content = {h.sources[0]: h.folder for h in held}  # where each used file's rows are
    clusters.sort(key=lambda c: (c[0][0].metode != "text", -len(c), c[0][0].rank))
    groups = []
    for i, cluster in enumerate(clusters):
        kept = cluster[0][0]
        doc_id = base if i == 0 else f"{base}-{kept.sha256[:8]}"
        olds = [folder for s, folder in cluster if folder is not None and s != new]
        rows_in = None if kept == new else content.get(kept) or cluster[0][1]
        groups.append(Group(doc_id, tuple(s for s, _ in cluster), rows_in,
                            olds[0] if olds else None))
    return groups


def identity_fields(base: str, group: Group) -> dict[str, object]:
    """The identity part of a ``dokumen.json`` record for ``group``."""
    kept = group.kept
    return {"doc_id": group.doc_id, "identitas": base, "sidik": kept.sidik,
            "source_file": kept.name, "source_path": kept.path, "sha256": kept.sha256,
            "metode": kept.metode, "sumber": [s.record() for s in group.sources]}


def held_of(record: Mapping[str, object], folder: str) -> Held | None:
    """The decree a ``dokumen.json`` record describes, if written with identity fields."""
    raw = record.get("sumber")
    if not isinstance(raw, list):
        return None
    sources = tuple(s for s in (Source.of(r) for r in raw if isinstance(r, dict)) if s)
    return Held(folder, sources) if sources else None


def digests(record: Mapping[str, object]) -> set[str]:
    """sha256 of every file a ``dokumen.json`` record says it was read from (any layout)."""
    out = {record.get("sha256")}
    for entry in record.get("sumber") or ():
        if isinstance(entry, dict):
            out.add(entry.get("sha256"))
    out.update(record.get("sha256_sumber") or ())  # the layout before sumber
    return {d for d in out if isinstance(d, str)}


def why_first(a: Source, b: Source) -> str:
    """Why ``a`` ranks before ``b``, in the words of the rule."""
    if a.metode != b.metode:
        return "text layer before OCR"
    if a.baris != b.baris:
        return f"more rows accepted ({a.baris} vs {b.baris})"
    return "same rows; its path sorts first"

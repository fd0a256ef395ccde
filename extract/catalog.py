"""What each decree folder of an output folder held when the combined tables were last built,
so a run reads and hashes only the folders that changed since.

A folder is known by its fingerprint: the name, size, modification time, change time and inode
of each of its files. Any write through the file system moves a file's change time, which no
program can set back, and renaksi replaces a decree folder by renaming a new one in, so an
unchanged fingerprint means unchanged bytes: what the catalog says about such a folder (its
SHA256SUMS verdict, its dokumen.json, what ``combine`` read from it) is reused instead of being
read and hashed again. ``combine`` writes the catalog in the same transaction as the combined
tables it describes. It is only ever a cache: deleted, damaged or written by another renaksi
version, the next run reads every folder, and `renaksi check` never relies on it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import version
from .write import DOKUMEN, SUMS, verify_sums

CATALOG = "renaksi.catalog.json"
_FORMAT = 2

Fingerprint = tuple[tuple[str, int, int, int, int], ...]  # (file, size, mtime_ns, ctime_ns, inode)
# What the batch needs of a folder's dokumen.json: which files it came from (under which
# paths), with which version.
RECORD = ("sha256", "sha256_sumber", "sumber", "source_path", "renaksi_version")


@dataclass(frozen=True, slots=True)
class Folder:
    """One decree folder as the batch and the combined tables need it."""

    fingerprint: Fingerprint
    sums: str | None  # what is wrong with the files against SHA256SUMS; None when all match
    has_sums: bool
    record: Mapping[str, object] | None  # dokumen.json's RECORD fields, when it is a JSON object
    combined: Mapping[str, object] | None = None  # what ``combine`` read from it, in its terms


@dataclass(frozen=True, slots=True)
class Catalog:
    """The decree folders by name (sorted), and what ``combine`` recorded of its tables."""

    folders: dict[str, Folder] = field(default_factory=dict)
    tables: Mapping[str, object] | None = None


def fingerprint(folder: Path) -> Fingerprint:
    """The files directly in ``folder`` (sub-folders such as review/ aside), by name."""
    files = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                files.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(sorted(files))


def decree_folders(out_dir: Path) -> list[Path]:
    """The folders of ``out_dir`` that may hold a decree, sorted by name. Hidden folders are
    writers' temporary ones and ``_`` marks folders of other tools: never data."""
    with os.scandir(out_dir) as entries:  # the entries' own types: no stat per entry
        names = sorted(e.name for e in entries
                       if e.is_dir() and not e.name.startswith((".", "_")))
    return [Path(out_dir) / name for name in names]


def load(out_dir: Path) -> Catalog:
    """The catalog ``combine`` last wrote in ``out_dir``; an empty one when there is none
    that this renaksi version can trust."""
    try:
        raw = json.loads((Path(out_dir) / CATALOG).read_text(encoding="utf-8"))
        if raw.get("format") != _FORMAT or raw.get("renaksi_version") != version():
            return Catalog()
        folders = {name: Folder(tuple(tuple(f) for f in entry["fingerprint"]), entry["sums"],
                                entry["has_sums"], entry["record"], entry["combined"])
                   for name, entry in raw["folders"].items()}
        return Catalog(folders, raw["tables"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Catalog()


def scan(out_dir: Path, known: Catalog) -> dict[str, Folder]:
    """Every decree folder of ``out_dir`` by name: as ``known`` has it when its fingerprint
    is unchanged, otherwise read afresh (SHA256SUMS checked, dokumen.json read)."""
    found = {}
    for folder in decree_folders(out_dir):
        try:
            print_ = fingerprint(folder)
        except OSError:  # vanished meanwhile, or unreadable: read afresh, which says why
            print_ = ()
        old = known.folders.get(folder.name)
        found[folder.name] = old if old is not None and print_ and old.fingerprint == print_ \
            else read(folder, print_)
    return found


def read(folder: Path, print_: Fingerprint) -> Folder:
    """``folder``'s SHA256SUMS verdict and dokumen.json, as they are now."""
    try:
        record = json.loads((folder / DOKUMEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    return Folder(print_, verify_sums(folder), (folder / SUMS).exists(),
                  {k: record[k] for k in RECORD if k in record} if isinstance(record, dict) else None)


def dumps(folders: Mapping[str, Folder], tables: Mapping[str, object]) -> str:
    """The catalog file's text for ``folders`` and ``combine``'s ``tables`` record."""
    return json.dumps({
        "format": _FORMAT, "renaksi_version": version(), "tables": tables,
        "folders": {name: {"fingerprint": f.fingerprint, "sums": f.sums, "has_sums": f.has_sums,
                           "record": f.record, "combined": f.combined}
                    for name, f in folders.items()},
    }, ensure_ascii=False)

"""Shared paths and cached pipeline results: each fixture decree is extracted once per session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.pipeline import run
from extract.settings import Settings

TESTS = Path(__file__).parent
PDFS = TESTS / "pdfs"
GOLD = TESTS / "gold"
# read from page images: plain and searchable scans, and a text layer that decodes to junk
SCANNED = ["singkawang-2023-scan", "hard-searchable-scan", "no-tounicode-read-as-scan"]
BORN_DIGITAL = sorted(p.stem.removesuffix(".gold") for p in GOLD.glob("*.gold.json"))
BORN_DIGITAL = [s for s in BORN_DIGITAL if s not in SCANNED]

_results: dict[str, object] = {}


def extracted(style: str):
    """The pipeline's Result for tests/pdfs/<style>.pdf (cached)."""
    if style not in _results:
        _results[style] = run(PDFS / f"{style}.pdf", Settings())
    return _results[style]


def gold(style: str) -> dict:
    return json.loads((GOLD / f"{style}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def word():
    return extracted("singkawang-2023-word")

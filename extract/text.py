"""Text from positioned characters: lines, words and cell text as printed.

Shared by the page classifier (reading text of body pages) and the grid stage (text of
each cell), so both read characters the same way.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .model import Char

_SPACE_GAP = 0.18  # a gap wider than this share of the font size is a word space


def group_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Cluster characters into printed lines (top to bottom), each sorted left to right.

    A character joins a line when most of its height overlaps the line's band, which keeps
    sub/superscripts and mixed font sizes on their line without merging adjacent lines.
    """
    lines: list[tuple[float, float, list[Char]]] = []
    for ch in sorted(chars, key=lambda c: (c.top + c.bottom) / 2):
        mid = (ch.top + ch.bottom) / 2
        if lines:
            top, bottom, members = lines[-1]
            if top <= mid <= bottom:
                members.append(ch)
                lines[-1] = (min(top, ch.top), max(bottom, ch.bottom), members)
                continue
        lines.append((ch.top, ch.bottom, [ch]))
    return [sorted(members, key=lambda c: c.x0) for _, _, members in lines]


def line_text(line: Sequence[Char]) -> str:
    """Join one line's characters, restoring word spaces from the gaps between glyphs."""
    out: list[str] = []
    prev: Char | None = None
    for ch in line:
        if ch.text.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        if prev is not None and out and out[-1] != " ":
            if ch.x0 - prev.x1 > _SPACE_GAP * max(ch.size, prev.size, 1.0):
                out.append(" ")
        out.append(ch.text)
        prev = ch
    return "".join(out).strip()


def _is_broken_word(line: Sequence[Char], text: str, next_text: str, right_edge: float) -> bool:
    """True when a narrow column broke a single long word across two lines.

    A typesetter only breaks inside a word that does not fit on a line by itself, so the
    line holds that one token, runs to the cell's right edge, and the next line goes on
    with a lower-case letter ("Perundangan/Dereg" + "ulasi").
    """
    if not text or not next_text or " " in text:
        return False
    if not (text[-1].isalpha() and next_text[0].islower()):
        return False
    widths = [c.x1 - c.x0 for c in line if not c.text.isspace()]
    avg = sum(widths) / len(widths) if widths else 0.0
    return line[-1].x1 >= right_edge - 1.5 * avg


def cell_text(chars: Iterable[Char], x0: float, x1: float) -> str:
    """Text of one table cell as printed: in-cell line breaks become single spaces."""
    lines = [ln for ln in group_lines(chars) if any(not c.text.isspace() for c in ln)]
    if not lines:
        return ""
    left_pad = max(0.0, min(ln[0].x0 for ln in lines) - x0)
    right_edge = x1 - left_pad
    texts = [line_text(ln) for ln in lines]
    parts = [texts[0]]
    for i in range(1, len(texts)):
        if _is_broken_word(lines[i - 1], texts[i - 1], texts[i], right_edge):
            parts[-1] += texts[i]
        else:
            parts.append(texts[i])
    return collapse(" ".join(parts))


def collapse(text: str) -> str:
    """Whitespace folded to single spaces, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()

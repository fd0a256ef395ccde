"""Text from positioned characters: lines, words and cell text as printed.

Shared by the page classifier (reading text of body pages) and the grid stage (text of
each cell), so both read characters the same way.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set as AbstractSet

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


def broken_word(text: str, next_text: str, filled: float, width: float,
                lexicon: AbstractSet[str]) -> bool:
    """True when a narrow column broke a single long word across two lines.

    A typesetter only breaks inside a word that does not fit on a line by itself: the line
    holds that one token and fills the column's text width (``filled`` is the line's width
    plus the next line's first glyph), and the next line goes on in lower case
    ("Perundangan/Dereg" + "ulasi"). Narrow columns also wrap short words that way
    ("Dalam" / "proses"), so neither fragment may be a word the document uses elsewhere,
    unless the joined word is one. Shared by born-digital cells and OCR cells.
    """
    if not text or not next_text or " " in text:
        return False
    if not (text[-1].isalpha() and next_text[0].islower()):
        return False
    if filled < 0.8 * width:
        return False
    head = (words(text) or [""])[-1]
    tail = (words(next_text) or [""])[0]
    if (head + tail) in lexicon:
        return True
    return head not in lexicon and tail not in lexicon


def words(text: str) -> list[str]:
    """Lower-case alphabetic words, the unit of the document lexicon."""
    return re.findall(r"[^\W\d_]+", text.lower())


def text_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Printed lines that carry ink (blank lines dropped)."""
    return [ln for ln in group_lines(chars) if any(not c.text.isspace() for c in ln)]


def line_width(line: Sequence[Char]) -> float:
    ink = [c for c in line if not c.text.isspace()]
    return ink[-1].x1 - ink[0].x0 if ink else 0.0


def cell_text(lines: Sequence[Sequence[Char]], width: float,
              lexicon: AbstractSet[str] = frozenset()) -> str:
    """Text of one table cell as printed: in-cell line breaks become single spaces.

    ``width`` is the column's text width (its widest printed line) and ``lexicon`` the
    words the document uses, against which a line that ends inside a word is judged.
    """
    if not lines:
        return ""
    texts = [line_text(ln) for ln in lines]
    parts = [texts[0]]
    for i in range(1, len(texts)):
        prev, first = lines[i - 1], next(c for c in lines[i] if not c.text.isspace())
        filled = line_width(prev) + (first.x1 - first.x0)
        if not prev[-1].text.isspace() and broken_word(texts[i - 1], texts[i], filled, width,
                                                       lexicon):
            parts[-1] += texts[i]
        else:
            parts.append(texts[i])
    return collapse(" ".join(parts))


def collapse(text: str) -> str:
    """Whitespace folded to single spaces, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()

"""Text from positioned characters: lines, words and cell text as printed.

Shared by the page classifier (reading text of body pages) and the grid stage (text of
each cell), so both read characters the same way.
"""
from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence, Set as AbstractSet
from dataclasses import replace
from functools import cache
from operator import attrgetter

from .model import BBox, Char, Row, TextEnds

_SPACE_GAP = 0.18  # a gap wider than this share of the font size is a word space
LIGATURES = ("fi", "fl", "ff", "ffi", "ffl")  # the letters a ligature glyph stands for
UNREADABLE = "\ufffd"  # a glyph whose code maps to no character
# points: a typesetter measures text in its own units and metrics (Calc cut "Deregula" /
# "si" where the glyph boxes leave 0.2 pt for the "s"): a glyph that fits by less did not
_MEASURE_SLACK = 0.5
_FULL_UNMEASURED = 0.8  # OCR: a line this share of the column's widest line is full


def group_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Cluster characters into printed lines (top to bottom), each sorted left to right.

    A character joins a line when most of its height overlaps the line's band, which keeps
    sub/superscripts and mixed font sizes on their line without merging adjacent lines.
    """
    lines: list[list[Char]] = []
    members: list[Char] = []
    top = bottom = 0.0
    for ch in sorted(chars, key=_middle):
        if members and top <= (ch.top + ch.bottom) / 2 <= bottom:
            members.append(ch)
            if ch.top < top:
                top = ch.top
            if ch.bottom > bottom:
                bottom = ch.bottom
            continue
        members = [ch]
        lines.append(members)
        top, bottom = ch.top, ch.bottom
    for members in lines:
        members.sort(key=_left)
    return lines


def _middle(ch: Char) -> float:
    return ch.top + ch.bottom  # twice the middle: the same order, one division fewer


_left = attrgetter("x0")


Word = tuple[str, float, float]  # a printed word: its text, x0 and x1 (points)


def tokens(line: Sequence[Char]) -> list[Word]:
    """One line's words as printed, ``(text, x0, x1)`` left to right: split at space glyphs
    and at gaps wider than ``_SPACE_GAP`` of the (effective) font size."""
    out: list[Word] = []
    text: list[str] = []
    x0 = x1 = 0.0
    prev: Char | None = None
    for ch in line:
        if ch.text.isspace():
            prev = None
            continue
        if prev is None or ch.x0 - prev.x1 > _SPACE_GAP * (
                ch.size if ch.size > prev.size else prev.size if prev.size > 1.0 else 1.0):
            if text:
                out.append(("".join(text), x0, x1))
            text, x0 = [], ch.x0
        text.append(ch.text)
        x1 = ch.x1
        prev = ch
    if text:
        out.append(("".join(text), x0, x1))
    return out


def line_text(line: Sequence[Char]) -> str:
    """Join one line's characters, restoring word spaces from the gaps between glyphs."""
    return " ".join(t for t, _, _ in tokens(line))


def broken_word(text: str, next_text: str, filled: float, width: float,
                lexicon: AbstractSet[str], span: float | None = None) -> bool:
    """True when a line break cut one word in two ("Perund" / "angan", "Subba" / "g").

    ``text`` is the line before the break and ``next_text`` the line after; ``filled`` is
    the line's width plus the next line's first glyph and ``width`` the width the cell's text
    may fill, in one unit. A typesetter cuts a word only where the next glyph does not fit
    (``filled`` over ``width``, within ``_MEASURE_SLACK``) and the word is too long for a
    line of its own: ``span``, the two pieces' width together, is over ``width``. The next
    line must go on in the same word (lower case, or capitals or digits after the same).
    The document's ``lexicon`` decides the rest: a join that makes a word it uses is made;
    two pieces that are both its words, or one that is a word longer than three letters,
    are never joined.

    Without ``span`` (OCR words, measured less finely: ``filled`` then adds the next line's
    first word and ``width`` is the column's widest line) the piece before the break must be
    the line's only token, and only two pieces that are both unknown are joined.
    """
    if not text or not next_text:
        return False
    head, tail = text.split()[-1], next_text.split()[0]
    a, b = head[-1], tail[0]
    if not (a.isalnum() and b.isalnum()) or a.isdigit() != b.isdigit():
        return False
    if b.isupper() and not (head.isupper() and not head.isdigit()):
        return False  # a capital after lower case starts a new word
    if span is None:
        if " " in text.strip() or filled < _FULL_UNMEASURED * width:
            return False
    elif filled < width - _MEASURE_SLACK or span <= width:
        return False
    if a.isdigit():
        return True
    heads, tails = words(head), words(tail)
    if not heads or not tails:
        return False
    if heads[-1] + tails[0] in lexicon:
        return True
    if two_words(heads[-1], tails[0]):
        return False
    if cut_word(heads[-1], tails[0]):
        return True
    if span is None:
        # OCR words, measured coarsely: a word of the language before the break ends there
        # ("peraturan" / "perundangundangan") unless the two make a longer one
        # ("kelembaga" / "an": Sastrawi reads the piece as ke- + lembaga)
        if (len(heads[-1]) >= _MIN_ROOT and _language_word(heads[-1])
                and not _language_word(heads[-1] + tails[0])):
            return False
        return heads[-1] not in lexicon and tails[0] not in lexicon
    # a whole word on either side is no piece, unless it is a short one that a longer word
    # can begin or end with ("Ke" / "lembagaan", "Terlaksan" / "a")
    head_word, tail_word = heads[-1] in lexicon, tails[0] in lexicon
    return not ((head_word and tail_word) or (head_word and len(heads[-1]) > 3)
                or (tail_word and len(tails[0]) > 3))


def soft_hyphen(head: str, tail: str, lexicon: AbstractSet[str]) -> bool:
    """True when a hyphen that ends a line only marks where a word was cut ("Singka-" /
    "wang"), false for a real one: a compound ("e-" / "Lapkin", "2020-" / "2024"), a
    reduplication ("nilai-" / "nilai", "sebaik-" / "baiknya") or a form the document uses."""
    heads, tails = words(head), words(tail)
    if not heads or not tails or not tail[0].islower() or not head[-1].isalpha():
        return False
    a, b = heads[-1], tails[0]
    if len(a) < 2:
        return False
    if a + b in lexicon:
        return True
    if f"{a}-{b}" in lexicon or any(a.endswith(b[:k]) for k in range(3, len(b) + 1)):
        return False
    return True


def join_line(text: str, next_text: str, filled: float, width: float,
              lexicon: AbstractSet[str], span: float | None = None,
              spaced: bool = False) -> str:
    """``text`` with the cell's next line ``next_text`` joined as printed: a word the break
    cut is made whole, a soft hyphen dropped, a real hyphen or slash kept without a space;
    otherwise the break is one space. ``filled``, ``width``, ``span`` as in ``broken_word``;
    whether a line-end hyphen is soft is a matter of the words alone (``soft_hyphen``), since
    a hyphenation point may leave room on the line. ``spaced``: the text layer holds a space
    glyph at the line's end (Word through Microsoft Print to PDF writes the space it broke
    at: "perencanaan/ " / "kesepakatan"), so the break is a space whatever the words."""
    if not text or not next_text:
        return text or next_text
    if spaced:
        return text + " " + next_text
    if len(text) > 1 and text[-1] in "-/" and text[-2].isalnum() and next_text[0].isalnum():
        # a line may break after a slash as after a hyphen ("Menyempurnakan/" / "mengubah"):
        # both stay, with no space
        if text[-1] == "-" and soft_hyphen(text.split()[-1][:-1], next_text, lexicon):
            return text[:-1] + next_text
        return text + next_text
    if broken_word(text, next_text, filled, width, lexicon, span):
        return text + next_text
    return text + " " + next_text


_MIN_ROOT = 4  # shorter roots are too often a piece of a longer word ("deg", "ras")


def two_words(head: str, tail: str) -> bool:
    """True when ``head`` and ``tail`` are each an Indonesian word and together are none
    ("mengubah" / "berbagai", "setiap" / "triwulan", "dalam" / "proses"): a line break
    between them is a word space, however full the line. Words of at least four letters
    whose root is in the Sastrawi dictionary (about 30,000 roots of KBBI) count; shorter
    ones ("di", "ke", "n") decide nothing, since a cut word can begin or end with them."""
    return (len(head) >= _MIN_ROOT and len(tail) >= _MIN_ROOT and _language_word(head)
            and _language_word(tail) and not _language_word(head + tail))


def cut_word(head: str, tail: str) -> bool:
    """True when neither ``head`` nor ``tail`` is an Indonesian word and together they make
    one ("kele" / "mbagaan"): the pieces of a word a break cut, even where one of them, seen
    alone at the top of a page, looked whole to the document's lexicon."""
    return (not _language_word(head) and not _language_word(tail)
            and _language_word(head + tail))


@cache
def _language_word(word: str) -> bool:
    """Whether ``word``'s root (Sastrawi's stem, at least ``_MIN_ROOT`` letters) is in its
    dictionary. The stemmer takes too much off some words ("berbasis" → "bas"): a word
    whose stem came out short is also one when a prefix alone leaves a root ("basis")."""
    stem, roots = _sastrawi()
    root = stem(word)
    if len(root) >= _MIN_ROOT:
        return root in roots
    return any(word.startswith(p) and len(word) - len(p) >= _MIN_ROOT and word[len(p):] in roots
               for p in _PREFIXES)


# Indonesian derivational prefixes in their spelled forms (KBBI): ber-, me(N)-, di-, ter-,
# pe(N)-, per-, ke-, se-
_PREFIXES = ("ber", "be", "mem", "men", "meng", "meny", "me", "di", "ter", "te", "pem", "pen",
             "peng", "peny", "per", "pe", "ke", "se")


@cache
def _sastrawi():
    """Sastrawi's stemmer and its dictionary of roots, loaded once (about 25 ms)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    factory = StemmerFactory()
    return factory.create_stemmer().stem, frozenset(factory.get_words())


def words(text: str) -> list[str]:
    """Lower-case alphabetic words, the unit of the document lexicon."""
    return re.findall(r"[^\W\d_]+", text.lower())


def text_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Printed lines that carry ink (blank lines dropped)."""
    return [ln for ln in group_lines(chars) if any(not c.text.isspace() for c in ln)]


def text_widths(cells: Sequence[tuple[Hashable, BBox, Sequence[Sequence[Char]]]]) -> list[float]:
    """The width text may fill in each ``(column key, box, lines)`` cell: the box less the
    column's padding on both sides, the padding being the least gap between a line's first
    glyph and its cell's left edge anywhere in the column (left-aligned lines start there,
    a centred line that fills the cell does too)."""
    pad: dict[Hashable, float] = {}
    for key, box, lines in cells:
        for ln in lines:
            ink = next((c for c in ln if not c.text.isspace()), None)
            if ink is not None:
                pad[key] = min(pad.get(key, ink.x0 - box[0]), ink.x0 - box[0])
    return [box[2] - box[0] - 2 * max(0.0, pad.get(key, 0.0)) for key, box, _ in cells]


def cell_text(lines: Sequence[Sequence[Char]], width: float,
              lexicon: AbstractSet[str] = frozenset()) -> str:
    """Text of one table cell as printed: in-cell line breaks become single spaces, words the
    column cut are made whole (``join_line``).

    ``width`` is the width the cell's text may fill (``text_widths``) and ``lexicon`` the
    words the document uses, against which a line that ends inside a word is judged.
    """
    return read_printed(printed_lines(lines), width, lexicon)[0]


# A printed line of a cell as its text is read: its words, the width of its first glyph and
# whether it ends with a space glyph (points). What a cell keeps of its glyphs.
PrintedLine = tuple[list[Word], float, bool]


def printed_lines(lines: Sequence[Sequence[Char]]) -> tuple[PrintedLine, ...]:
    """A cell's lines that carry ink (``group_lines`` order), each read into words once."""
    out = []
    for ln in lines:
        found = tokens(ln)
        if found:
            first = next(c for c in ln if not c.text.isspace())
            out.append((found, first.x1 - first.x0, ln[-1].text.isspace()))
    return tuple(out)


def read_printed(printed: Sequence[PrintedLine], width: float,
                 lexicon: AbstractSet[str] = frozenset()) -> tuple[str, TextEnds | None]:
    """A cell's text (``cell_text``) and where it starts and stops (None without text), from
    its ``printed_lines``."""
    if not printed:
        return "", None
    (_, word_x0, word_x1), last = printed[0][0][0], printed[-1][0]
    ends = TextEnds(width=width, last_filled=last[-1][2] - last[0][1],
                    last_word=last[-1][2] - last[-1][1], first_glyph=printed[0][1],
                    first_word=word_x1 - word_x0, spaced=printed[-1][2])
    breaks = []  # (line, next line, filled, span, spaced) of each in-cell line break
    for (prev, _, spaced), (line, first_glyph, _) in zip(printed, printed[1:]):
        breaks.append([" ".join(t for t, _, _ in prev), " ".join(t for t, _, _ in line),
                       prev[-1][2] - prev[0][1] + first_glyph,
                       (prev[-1][2] - prev[-1][1]) + (line[0][2] - line[0][1]), spaced])
    for here, after in zip(breaks, breaks[1:]):
        # a word too long for the column that a typesetter moved to a line of its own and cut
        # there ("Setiap" / "triwula" / "n"): after a line of one word, a line that is one
        # piece cut again starts that word, so the break before it cuts nothing (a cut made
        # mid-line, "Penataan Peraturan P" / "erundangan/Deregula" / "si", goes on)
        if " " not in here[0] and " " not in after[0] and broken_word(
                *after[:3], width=width, lexicon=lexicon, span=after[3]):
            here[3] = 0.0
    if not breaks:
        text = " ".join(t for t, _, _ in printed[0][0])
    else:
        text = join_breaks(breaks, width, lexicon)
    return restore_ligatures(collapse(text), lexicon), ends


def join_breaks(breaks: Sequence[Sequence], width: float, lexicon: AbstractSet[str]) -> str:
    """A cell's lines joined at each of its ``breaks``: one ``(line, next line, filled, span,
    spaced)`` per pair of successive lines, measured as ``join_line`` takes them, in one unit
    with ``width``."""
    text = breaks[0][0]
    for line, next_line, filled, span, spaced in breaks:
        joined = join_line(line, next_line, filled, width, lexicon, span, spaced)
        text = text[: len(text) - len(line)] + joined  # text ends with this line
    return text


def join_parts(above: str, above_ends: TextEnds | None, below: str,
               below_ends: TextEnds | None, lexicon: AbstractSet[str]) -> str:
    """The text of one cell that a page break cut in two: ``above`` at the foot of a page
    and ``below`` at the top of the next, joined as ``join_line`` joins two lines of a cell
    (a word the break cut is made whole); a space when either side's geometry is unknown."""
    if above_ends is None or below_ends is None:
        return collapse(f"{above} {below}")
    return join_line(above, below, above_ends.last_filled + below_ends.first_glyph,
                     above_ends.width, lexicon, above_ends.last_word + below_ends.first_word,
                     above_ends.spaced)


def restore_ligatures(text: str, lexicon: AbstractSet[str]) -> str:
    """Each word with an unreadable glyph that reads as exactly one word of the document
    when the glyph is a ligature's letters, so restored ("Grati\ufffdkasi" → "Gratifikasi"
    where the document prints "gratifikasi" elsewhere); other words are left as they are."""
    def restore(match: re.Match) -> str:
        word = match.group(0)
        readings = (word.replace(UNREADABLE, lig) for lig in LIGATURES)
        known = [w for w in readings if all(part in lexicon for part in words(w))]
        return known[0] if len(known) == 1 else word

    return re.sub(rf"\S*{UNREADABLE}\S*", restore, text) if UNREADABLE in text else text


def drop_unreadable(rows: Sequence[Row]) -> tuple[list[Row], list[str]]:
    """Rows with every glyph that could not be read taken out of their text, and one
    warning per cell that had one (the text is kept as far as it was read)."""
    out: list[Row] = []
    warnings: list[str] = []
    for n, row in enumerate(rows, start=1):
        bad = {k: v for k, v in row.values.items() if UNREADABLE in v}
        for column, value in bad.items():
            shown = value.replace(UNREADABLE, "?")
            warnings.append(f"row {n} {column}: a glyph without a character was left out "
                            f"of {shown!r}")
        out.append(replace(row, values={k: collapse(v.replace(UNREADABLE, "")) if k in bad
                                        else v for k, v in row.values.items()})
                   if bad else row)
    return out, warnings


def collapse(text: str) -> str:
    """Whitespace folded to single spaces, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()

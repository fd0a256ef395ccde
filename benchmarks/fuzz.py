"""Fuzz `renaksi extract` with broken copies of the shipped fixtures.

Real inboxes hold truncated downloads, half-written scans and files that some tool mangled;
none of them may crash the batch, hang it, blow up memory or leave half a folder behind.
Every case is derived from (seed, case number) only, so a failure found here is replayed
with the same ``--seed`` and ``--only`` without keeping the bytes.

    python benchmarks/fuzz.py --cases 2000 [--seed 7] [--batch 100] [--keep DIR]
"""
from __future__ import annotations

import argparse
import base64
import ctypes
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from extract.cli import shown
from extract.intake import MAX_FILE_BYTES
from extract.write import verify_sums

ROOT = Path(__file__).resolve().parents[1]
PDFS = ROOT / "tests" / "pdfs"
RENAKSI = Path(sys.executable).with_name("renaksi")
# Small born-digital layouts dominate: each case costs well under a second. The scans cost
# seconds of OCR, so only the two-page one is mutated, and rarely.
FIXTURES = tuple(sorted(p.name for p in PDFS.glob("*.pdf") if "scan" not in p.name))
SCAN_FIXTURE = "scan-lampiran-2pages.pdf"
SCAN_SHARE = 0.03
TIMEOUT = 30.0
# A mutation that garbles the fonts turns a decree into one read by OCR, which costs about
# 2 s a page on 2 cores (README, Scanned decrees): such a case over TIMEOUT in a batch, where
# two decrees share the cores, is re-run alone with the CLI's default limit and is slow, not
# hung, when it finishes within this many seconds a page.
OCR_SECONDS_PER_PAGE = 4.0
RSS_LIMIT_MB = 1024.0

_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b.*?endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_MEDIABOX = re.compile(rb"/MediaBox\s*\[[^\]]*\]")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_COUNT = re.compile(rb"/Count\s+\d+")
_XREF = re.compile(rb"xref\s*\n\d+\s+\d+\s*\n((?:\d{10} \d{5} [nf]\s*\n)+)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_NUMBER = re.compile(rb"(?<=[\s\[/])-?\d+(?:\.\d+)?(?=[\s\]/>])")
# a whole stream object: its dictionary, the keyword's end of line, the data
_STREAM_OBJECT = re.compile(rb"(\d+\s+\d+\s+obj\s*<<)((?:(?!endobj).)*?)(>>\s*stream)(\r\n|\n)(.*?)"
                            rb"(\r?\nendstream)", re.S)
_FONT_IN_USE = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf")
# Special files a scraped folder can hold under a .pdf name; `run_batch` makes them.
SPECIALS = ("fifo", "dev-zero", "dangling", "over-limit")
SPECIAL_SHARE = 0.02
# Names that try to forge a line, drive the terminal or be read as markup.
HOSTILE_NAMES = ("\n✓ palsu.pdf → x (999 rows, text)\n", "\x1b[2J\x1b[31m", "\x1b]0;judul\x07",
                 "[bold]", "[red]x[", ":smile:", "\u202egnp", "\\[x]")
HOSTILE_NAME_SHARE = 0.05

Mutator = Callable[[bytes, random.Random], bytes]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data) - 1)]


def delete_object(data: bytes, rng: random.Random) -> bytes:
    """Blank out one ``N 0 obj … endobj``: the xref still points at it, now at spaces."""
    spans = [m.span() for m in _OBJ.finditer(data)]
    if not spans:
        return flip_bytes(data, rng)
    start, end = rng.choice(spans)
    return data[:start] + b" " * (end - start) + data[end:]


def corrupt_xref(data: bytes, rng: random.Random) -> bytes:
    """Shuffle or garble the xref entries, or point startxref somewhere else."""
    m = _XREF.search(data)
    choice = rng.randrange(3)
    if m and choice == 0:
        lines = m.group(1).splitlines(keepends=True)
        rng.shuffle(lines)
        return data[: m.start(1)] + b"".join(lines) + data[m.end(1):]
    if m and choice == 1:
        table = bytearray(m.group(1))
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(table))
            if chr(table[i]).isdigit():
                table[i] = ord(str(rng.randrange(10)))
        return data[: m.start(1)] + bytes(table) + data[m.end(1):]
    s = _STARTXREF.search(data)
    if not s:
        return flip_bytes(data, rng)
    offset = str(rng.choice([0, 1, len(data) * 3, rng.randrange(len(data))])).encode()
    return data[: s.start(1)] + offset + data[s.end(1):]


def garble_stream(data: bytes, rng: random.Random) -> bytes:
    """Random bytes inside one stream: broken deflate data or nonsense operators."""
    spans = [m.span(1) for m in _STREAM.finditer(data) if m.end(1) > m.start(1)]
    if not spans:
        return flip_bytes(data, rng)
    start, end = rng.choice(spans)
    out = bytearray(data)
    if rng.random() < 0.5:
        a = rng.randrange(start, end)
        b = min(end, a + rng.randint(1, 4096))
        out[a:b] = rng.randbytes(b - a)
    else:
        for _ in range(rng.randint(1, 32)):
            out[rng.randrange(start, end)] = rng.randrange(256)
    return bytes(out)


def huge_mediabox(data: bytes, rng: random.Random) -> bytes:
    box = rng.choice([b"[0 0 1e9 1e9]", b"[0 0 14400 14400]", b"[0 0 99999999 1]",
                      b"[-1e9 -1e9 1e9 1e9]", b"[0 0 0 0]", b"[0 0 -842 -595]",
                      b"[0 0 1e308 1e308]", b"[0 0 nan 1]", b"[]"])
    return _MEDIABOX.sub(b"/MediaBox " + box, data, count=0 if rng.random() < 0.5 else 1)


def duplicate_pages(data: bytes, rng: random.Random) -> bytes:
    """Repeat the page references in /Kids (and state the new /Count, or a wrong one)."""
    m = _KIDS.search(data)
    if not m:
        return flip_bytes(data, rng)
    # a few times over: long documents are tests/test_hostile.py's subject (1,000 pages);
    # here a 20-fold scan would only measure OCR speed against the 30 s limit
    times = rng.choice([2, 3])
    refs = re.findall(rb"\d+\s+\d+\s+R", m.group(1))
    kids = b" ".join(refs * times)
    count = rng.choice([len(refs) * times, len(refs), 2**31 - 1, 0])
    data = data[: m.start(1)] + kids + data[m.end(1):]
    return _COUNT.sub(b"/Count %d" % count, data, count=1)


def wild_numbers(data: bytes, rng: random.Random) -> bytes:
    """Replace some numbers (lengths, counts, coordinates, widths) by absurd ones."""
    hits = list(_NUMBER.finditer(data))
    if not hits:
        return flip_bytes(data, rng)
    out = data
    for m in sorted(rng.sample(hits, min(len(hits), rng.randint(1, 12))),
                    key=lambda h: h.start(), reverse=True):
        value = rng.choice([b"0", b"-1", b"2147483648", b"99999999999", b"1e300", b"-0.0", b"3.4e38"])
        out = out[: m.start()] + value + out[m.end():]
    return out


def splice_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    junk = rng.choice([rng.randbytes(rng.randint(1, 2048)), b"<<" * 5000, b"[" * 5000,
                       b"%%EOF\n", b"endstream endobj\n", b"\x00" * 4096])
    return data[:at] + junk + data[at:]


def _flate_streams(data: bytes) -> list[tuple[re.Match[bytes], bytes]]:
    """Deflated stream objects with their inflated data."""
    found = []
    for m in _STREAM_OBJECT.finditer(data):
        if b"/FlateDecode" not in m.group(2) or b"[" in m.group(2).split(b"/Filter")[-1][:3]:
            continue
        try:
            found.append((m, zlib.decompress(m.group(5))))
        except zlib.error:
            continue
    return found


def _restream(data: bytes, m: re.Match[bytes], filters: bytes, payload: bytes,
              keyword_eol: bytes | None = None) -> bytes:
    """``m``'s stream object with new /Filter, data and a direct /Length."""
    head = re.sub(rb"/Length\s+\d+(?:\s+\d+\s+R)?", b"/Length %d" % len(payload), m.group(2), count=1)
    head = re.sub(rb"/Filter\s*/FlateDecode", filters, head, count=1)
    head = re.sub(rb"/DecodeParms\s*<<[^>]*>>", b"", head)
    obj = m.group(1) + head + m.group(3) + (keyword_eol or m.group(4)) + payload + m.group(6)
    return data[: m.start()] + obj + data[m.end():]


def nested_filters(data: bytes, rng: random.Random) -> bytes:
    """A stream stored again behind a chain of filters PDF allows (it still reads the same)."""
    streams = _flate_streams(data)
    if not streams:
        return flip_bytes(data, rng)
    m, plain = rng.choice(streams)
    chain = rng.choice(["flate2", "hex", "a85", "flate3"])
    once = zlib.compress(plain)
    filters, payload = {
        "flate2": (b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(once)),
        "flate3": (b"/Filter [/Fl /Fl /Fl]", zlib.compress(zlib.compress(once))),
        "hex": (b"/Filter [/AHx /FlateDecode]", once.hex().encode() + b">"),
        "a85": (b"/Filter [/ASCII85Decode /FlateDecode]", base64.a85encode(once) + b"~>"),
    }[chain]
    return _restream(data, m, filters, payload)


@cache
def _bomb_payload(megabytes: int) -> bytes:
    z = zlib.compressobj(1)
    block = b" " * (1 << 20)
    return b"".join([*(z.compress(block) for _ in range(megabytes)), z.flush()])


def nested_bomb(data: bytes, rng: random.Random) -> bytes:
    """A stream replaced by a few KB that inflate to 300 MB through nested filters, or a
    keyword variant the old pre-check did not see."""
    streams = _flate_streams(data)
    if not streams:
        return flip_bytes(data, rng)
    m, _ = rng.choice(streams)
    inner = _bomb_payload(300)
    kind = rng.choice(["flate2", "hex", "a85", "cr"])
    if kind == "cr":
        return _restream(data, m, b"/Filter /FlateDecode", inner, keyword_eol=b"\r")
    filters, payload = {
        "flate2": (b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(inner, 9)),
        "hex": (b"/Filter [/ASCIIHexDecode /FlateDecode]", inner.hex().encode() + b">"),
        "a85": (b"/Filter [/A85 /Fl]", base64.a85encode(inner) + b"~>"),
    }[kind]
    return _restream(data, m, filters, payload)


def stream_keywords(data: bytes, rng: random.Random) -> bytes:
    """Stream keywords followed by a lone CR, or by blanks before the end of line."""
    variant = rng.choice([b"stream\r", b"stream  \n", b"stream \t\r\n"])
    share = rng.random()
    return re.sub(rb"(?<!end)stream\r?\n", lambda m: variant if rng.random() < share else m.group(0), data)


def _content_streams(data: bytes) -> list[tuple[re.Match[bytes], bytes]]:
    return [(m, plain) for m, plain in _flate_streams(data) if _FONT_IN_USE.search(plain)]


def _add_text(data: bytes, rng: random.Random, make: Callable[[bytes, random.Random], bytes]) -> bytes:
    streams = _content_streams(data)
    if not streams:
        return flip_bytes(data, rng)
    m, plain = rng.choice(streams)
    font = rng.choice(_FONT_IN_USE.findall(plain))
    ops = b"\n".join(make(font, rng) for _ in range(rng.randint(1, 60)))
    return _restream(data, m, b"/Filter /FlateDecode", zlib.compress(plain + b"\n" + ops + b"\n"))


def invisible_marks(data: bytes, rng: random.Random) -> bytes:
    """Ticks a reader cannot see (render mode 3, white, 0.05 pt, clipped away, off the page)
    scattered over a page: the pipeline must not read them as scheduled months."""
    def mark(font: bytes, rng: random.Random) -> bytes:
        x, y = rng.uniform(0, 842), rng.uniform(0, 842)
        glyph = rng.choice([b"v", b"x", b"V", b"X", b"*"])
        how = rng.choice([b"3 Tr", b"1 1 1 rg", b"", b"clip", b"off"])
        size = b"0.05" if how == b"" else b"8"
        if how == b"off":
            x, y = x + 5000, y + 5000
        text = b"BT %s /%s %s Tf %.1f %.1f Td (%s) Tj ET" % (
            how if how.endswith((b"Tr", b"rg")) else b"", font, size, x, y, glyph)
        return b"q 0 0 1 1 re W n %s Q" % text if how == b"clip" else b"q %s Q" % text
    return _add_text(data, rng, mark)


def markup_text(data: bytes, rng: random.Random) -> bytes:
    """Text a terminal or a markup parser could take for commands: rich markup, escape
    sequences, a forged outcome line."""
    def text(font: bytes, rng: random.Random) -> bytes:
        words = rng.choice([b"[/]", b"[bold red]KEGIATAN[/bold red]", b"\\033[2J\\033[31m",
                            b"\\n\\342\\234\\223 palsu.pdf (999 rows)", b"[link=file:///etc]x[/link]",
                            b"INDIKATOR [/", b":warning:"])
        return b"BT /%s 8 Tf %.1f %.1f Td (%s) Tj ET" % (
            font, rng.uniform(30, 800), rng.uniform(30, 560), words)
    return _add_text(data, rng, text)


MUTATORS: dict[str, Mutator] = {
    "flip": flip_bytes, "truncate": truncate, "delobj": delete_object, "xref": corrupt_xref,
    "stream": garble_stream, "mediabox": huge_mediabox, "pages": duplicate_pages,
    "numbers": wild_numbers, "splice": splice_garbage, "nested": nested_filters,
    "bomb": nested_bomb, "keyword": stream_keywords, "invisible": invisible_marks,
    "markup": markup_text,
}


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    fixture: str
    mutations: tuple[str, ...]
    special: str | None = None  # one of SPECIALS: not bytes but a kind of file
    hostile: str = ""  # put into the file name

    @property
    def name(self) -> str:
        stem = Path(self.fixture).stem
        what = self.special or "+".join(self.mutations)
        return f"c{self.number:05d}-{stem}{self.hostile}-{what}.pdf"

    @property
    def shown(self) -> str:
        """The name as the CLI prints it."""
        return shown(self.name)


def make_case(seed: int, number: int, fixtures: tuple[str, ...] = FIXTURES) -> tuple[Case, bytes]:
    """The case's bytes, a pure function of (seed, number)."""
    rng = random.Random(f"{seed}:{number}")
    fixture = SCAN_FIXTURE if rng.random() < SCAN_SHARE else rng.choice(fixtures)
    names = tuple(rng.sample(sorted(MUTATORS), k=rng.choice([1, 1, 1, 2, 3])))
    special = rng.choice(SPECIALS) if rng.random() < SPECIAL_SHARE else None
    hostile = rng.choice(HOSTILE_NAMES) if rng.random() < HOSTILE_NAME_SHARE else ""
    if special:
        return Case(number, fixture, (), special, hostile), b""
    data = (PDFS / fixture).read_bytes()
    for name in names:
        data = MUTATORS[name](data, rng) if data else data
    return Case(number, fixture, names, None, hostile), data


def place(case: Case, data: bytes, folder: Path) -> None:
    """The case as a file (or special file) in ``folder``."""
    path = folder / case.name
    if case.special == "fifo":
        os.mkfifo(path)
    elif case.special == "dev-zero":
        path.symlink_to("/dev/zero")
    elif case.special == "dangling":
        path.symlink_to(folder / "tidak-ada")
    elif case.special == "over-limit":
        with path.open("wb") as fh:  # sparse
            fh.write(b"%PDF-1.7\n")
            fh.truncate(MAX_FILE_BYTES + 1)
    else:
        path.write_bytes(data)


@dataclass(slots=True)
class Tally:
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    died: list[str] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)  # over TIMEOUT in a batch, read by OCR alone
    partial: list[str] = field(default_factory=list)
    no_line: list[str] = field(default_factory=list)
    bad_exit: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowest_batch: float = 0.0

    @property
    def bugs(self) -> int:
        return (len(self.unexpected) + len(self.died) + len(self.timed_out) + len(self.partial)
                + len(self.no_line) + len(self.bad_exit))


def run_batch(cases: list[tuple[Case, bytes]], work: Path, tally: Tally, jobs: int = 2,
              timeout: float = TIMEOUT) -> None:
    """One `renaksi extract` over a folder of cases, then read its output like a user would."""
    raw, out = work / "raw", work / "out"
    raw.mkdir(parents=True)
    for case, data in cases:
        place(case, data, raw)
    started = time.monotonic()
    proc = subprocess.run([str(RENAKSI), "extract", str(raw), "--out", str(out), "--jobs", str(jobs),
                           "--timeout", f"{timeout:g}"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "400"}, check=False)
    elapsed = time.monotonic() - started
    tally.seconds += elapsed
    tally.slowest_batch = max(tally.slowest_batch, elapsed)
    tally.cases += len(cases)
    text = proc.stdout + proc.stderr
    forged = [ln for ln in text.splitlines() if ln.startswith("✓ palsu")]
    if proc.returncode not in (0, 1) or "Traceback" in text or "\x1b" in text or forged:
        tally.bad_exit.append(f"batch of {cases[0][0].name}: exit {proc.returncode}\n{text[-3000:]}")
    lines = text.splitlines()
    for case, _ in cases:  # its outcome line; "!" notes and copy lines may name it too
        mine = [ln for ln in lines if re.match(rf"[✓=✗] {re.escape(case.shown)}[ :]", ln)]
        if not mine:
            tally.no_line.append(case.name)
        for ln in mine:
            if "timed out" in ln and (slow := _alone(raw / case.name, work / f"alone-{case.number}")):
                tally.slow.append(slow)
            else:
                _judge(ln, tally)
    tally.partial += partial_outputs(out)


def _alone(path: Path, out: Path) -> str | None:
    """A case that timed out in its batch, run by itself under the CLI's default limit: a
    line saying how long it took when that is OCR's pace (``OCR_SECONDS_PER_PAGE``), None
    when it is slow for another reason or fails."""
    started = time.monotonic()
    proc = subprocess.run([str(RENAKSI), "extract", str(path), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    found = list(out.glob("*/dokumen.json"))
    if proc.returncode != 0 or len(found) != 1:
        return None
    dokumen = json.loads(found[0].read_text(encoding="utf-8"))
    pages = len(dokumen["metode_halaman"])
    if dokumen["metode"] != "ocr" or elapsed > OCR_SECONDS_PER_PAGE * pages:
        return None
    return f"{path.name}: {elapsed:.1f} s alone, {pages} pages read by OCR"


def _judge(line: str, tally: Tally) -> None:
    if line.startswith("✓"):
        tally.outcomes["extracted"] += 1
    elif line.startswith("="):
        tally.outcomes["unchanged"] += 1
    elif "unexpected" in line:
        tally.unexpected.append(line)
    elif "worker died" in line:
        tally.died.append(line)
    elif "timed out" in line:
        tally.timed_out.append(line)
    else:
        kind = re.sub(r"\(.*|\d+", "", line.split(": ", 1)[-1]).strip()[:60]
        tally.outcomes[f"refused: {kind}"] += 1


def partial_outputs(out: Path) -> list[str]:
    """Anything a reader of --out could trip on: incomplete or damaged decree folders, temp
    leftovers."""
    if not out.exists():
        return []
    bad = []
    for entry in out.iterdir():
        if entry.name.startswith("."):
            bad.append(f"leftover {entry}")
        elif entry.is_dir() and (problem := verify_sums(entry)):
            bad.append(f"incomplete {entry}: {problem}")
    return bad


def become_subreaper() -> None:
    """Adopt orphaned descendants (the CLI's forkserver outlives the CLI for a moment), so
    waiting for them folds every worker's peak RSS into RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_orphans(grace: float = 5.0) -> None:
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def peak_rss_mb() -> float:
    """Largest resident set of any finished descendant (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fuzz(cases: int, seed: int, batch: int, jobs: int, keep: Path | None,
         only: list[int] | None = None, fixtures: tuple[str, ...] = FIXTURES) -> Tally:
    become_subreaper()
    tally = Tally()
    numbers = only or list(range(cases))
    with tempfile.TemporaryDirectory(prefix="renaksi-fuzz-") as tmp:
        root = keep or Path(tmp)
        for i in range(0, len(numbers), batch):
            chunk = [make_case(seed, n, fixtures) for n in numbers[i:i + batch]]
            run_batch(chunk, root / f"batch-{i // batch:04d}", tally, jobs)
            reap_orphans()
            print(f"  {tally.cases}/{len(numbers)} cases, {tally.bugs} problems, "
                  f"{tally.seconds:.0f} s", file=sys.stderr, flush=True)
    return tally


def summary(tally: Tally, seed: int) -> str:
    rss = peak_rss_mb()
    rows = [
        ("cases", tally.cases),
        ("extracted", tally.outcomes["extracted"]),
        ("refused with a typed one-line error",
         sum(v for k, v in tally.outcomes.items() if k.startswith("refused"))),
        ("uncaught exceptions ('unexpected')", len(tally.unexpected)),
        ("tracebacks / bad exit codes", len(tally.bad_exit)),
        ("workers died (crash, memory)", len(tally.died)),
        (f"runs over {TIMEOUT:g} s (timed out)", len(tally.timed_out)),
        (f"  over {TIMEOUT:g} s in a batch, at OCR's pace alone", len(tally.slow)),
        ("inputs without an outcome line", len(tally.no_line)),
        ("partial output folders / temp leftovers", len(tally.partial)),
        (f"peak RSS of any extract process (limit {RSS_LIMIT_MB:g} MB)", f"{rss:.0f} MB"),
        ("wall time", f"{tally.seconds:.0f} s (slowest batch {tally.slowest_batch:.0f} s)"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"== renaksi fuzz summary (seed {seed}) =="]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    refusals = sorted((k, v) for k, v in tally.outcomes.items() if k.startswith("refused"))
    lines += ["refusals by kind:"] + [f"  {v:5d}  {k.removeprefix('refused: ')}" for k, v in refusals]
    for title, items in (("unexpected", tally.unexpected), ("died", tally.died),
                         ("timed out", tally.timed_out), ("OCR alone", tally.slow),
                         ("no line", tally.no_line),
                         ("partial", tally.partial), ("bad exit", tally.bad_exit)):
        lines += [f"{title}: {item}" for item in items[:20]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100, help="cases per `renaksi extract` run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", type=int, nargs="*", help="replay these case numbers")
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs here")
    args = parser.parse_args()
    tally = fuzz(args.cases, args.seed, args.batch, args.jobs, args.keep, args.only)
    print(summary(tally, args.seed))
    ok = tally.bugs == 0 and peak_rss_mb() < RSS_LIMIT_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Many decrees: `renaksi extract` throughput with --jobs 1 and --jobs 2, a re-run that finds
nothing changed, and a run that changes one decree among 1,000.

Runs the installed ``renaksi`` command in a subprocess, so start-up, the forkserver, the
decree folders and the combined tables are all in the figure, as a user meets them. The
decrees are distinct files (the born-digital decrees of tests/pdfs), never copies of one.

The folder of 1,000 decrees is the batch's own folders and synthetic copies of them (their
rows and records under new doc_ids and digests, SHA256SUMS rewritten): combining them is
what matters there, not reading 1,000 PDFs first.

    python benchmarks/bench_batch.py [N]     # N decrees, default 20
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENAKSI = Path(sys.executable).with_name("renaksi")
# tests/pdfs decrees read from an image or refused: not what a born-digital batch holds
_NOT_BORN_DIGITAL = ("scan", "no-tounicode", "encrypted", "body-only")


def decrees(n: int) -> list[Path]:
    """The first ``n`` born-digital decrees of tests/pdfs, by name."""
    found = [p for p in sorted((ROOT / "tests" / "pdfs").glob("*.pdf"))
             if not any(word in p.stem for word in _NOT_BORN_DIGITAL)]
    if len(found) < n:
        sys.exit(f"tests/pdfs holds {len(found)} born-digital decrees, not {n}")
    return found[:n]


def extract(inputs: list[Path] | Path, out: Path, jobs: int = 1) -> tuple[float, str]:
    """Wall seconds and output of `renaksi extract INPUTS --out OUT --jobs JOBS`."""
    args = [str(p) for p in (inputs if isinstance(inputs, list) else [inputs])]
    start = time.perf_counter()
    done = subprocess.run([str(RENAKSI), "extract", *args, "--out", str(out), "--jobs", str(jobs)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"renaksi extract --jobs {jobs} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


@dataclass(frozen=True, slots=True)
class Batch:
    decrees: int
    jobs1: float  # seconds, best of the repeats
    jobs2: float
    unchanged: float  # the --jobs 2 run again over the same inputs
    skipped: int  # inputs that re-run reported unchanged
    one_in_1000: float  # one changed decree, --out holding 1,000 decree folders
    one_alone: float  # the same decree into an empty --out
    combine_1000: float  # the first combined tables over the 1,000 folders


def batch(n: int, repeat: int = 2) -> Batch:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for pdf in decrees(n):
            shutil.copy(pdf, raw / pdf.name)
        inputs = sorted(raw.iterdir())
        runs = {1: [], 2: []}
        for i in range(repeat):
            for jobs in (1, 2):
                out = Path(tmp) / f"out{jobs}-{i}"
                runs[jobs].append(extract(inputs, out, jobs)[0])
        out = Path(tmp) / f"out2-{repeat - 1}"
        unchanged, stdout = min((extract(inputs, out, 2) for _ in range(repeat)),
                                key=lambda r: r[0])
        big = Path(tmp) / "big"
        shutil.copytree(out, big)
        combine_1000 = _fill(big, 1000)
        changed = raw / inputs[0].name
        one_in_1000 = one_alone = float("inf")
        for i in range(repeat):
            changed.write_bytes(inputs[0].read_bytes() + f"\n% edited {i}\n".encode())
            one_in_1000 = min(one_in_1000, extract(changed, big)[0])
            one_alone = min(one_alone, extract(changed, Path(tmp) / f"alone-{i}")[0])
    return Batch(n, min(runs[1]), min(runs[2]), unchanged, stdout.count(" unchanged ("),
                 one_in_1000, one_alone, combine_1000)


def _fill(out: Path, total: int) -> float:
    """Copies of ``out``'s decree folders under new doc_ids until it holds ``total``; the
    seconds the first combined tables over all of them take."""
    from extract.combine import combine

    templates = sorted(p for p in out.iterdir() if (p / "dokumen.json").is_file())
    for i in range(total - len(templates)):
        _copy(templates[i % len(templates)], out, f"kpu-kota-salinan-{i:04d}-2023-1")
    start = time.perf_counter()
    combine(out)
    return time.perf_counter() - start


def _copy(template: Path, out: Path, doc_id: str) -> None:
    """``template``'s decree as another decree: its doc_id in every row and record, and a
    digest of its own, so it shares no identity or source with the template."""
    from extract.write import _relabel, write_sums

    folder = out / doc_id
    shutil.copytree(template, folder)
    old = json.loads((template / "dokumen.json").read_text(encoding="utf-8"))
    _relabel(folder, old["doc_id"], doc_id)
    digest = hashlib.sha256(doc_id.encode()).hexdigest()
    source = f"salinan/{doc_id}.pdf"
    record = {**old, "doc_id": doc_id, "identitas": doc_id, "sha256": digest, "source_path": source,
              "sumber": [{**s, "sha256": digest, "path": source} for s in old.get("sumber", [])[:1]]}
    (folder / "dokumen.json").write_text(json.dumps(record, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    write_sums(folder)


def main(n: int) -> None:
    b = batch(n)
    print(f"{n} decrees   {'--jobs 1':>10} {'--jobs 2':>10} {'speed-up':>9}   {'unchanged re-run':>17}")
    print(f"{'seconds':<12} {b.jobs1:10.2f} {b.jobs2:10.2f} {b.jobs1 / b.jobs2:8.2f}x"
          f"   {b.unchanged:15.2f} s ({b.skipped}/{n} skipped)")
    print(f"one changed decree: {b.one_in_1000:.2f} s among 1,000 decree folders, "
          f"{b.one_alone:.2f} s alone (the 1,000 first combined in {b.combine_1000:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

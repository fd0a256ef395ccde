"""Batch throughput: decrees/second with --jobs 1 and --jobs 2, and the cost of an unchanged re-run.

Runs the installed ``renaksi`` command in a subprocess so process start-up, the forkserver
and the combined-dataset rebuild are all in the figure, as a user would see them.

Copies of one fixture are still one decree (same doc_id) and share an output folder; the
folder remembers the sha256 of every copy, so an unchanged re-run skips them all. The count
of skipped copies is printed beside the time.

    python benchmarks/bench_batch.py [N]     # N decrees, default 40
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
RENAKSI = Path(sys.executable).with_name("renaksi")


def fixtures() -> list[Path]:
    """Born-digital decrees that extract cleanly (those with a gold file, scans excluded)."""
    stems = sorted(g.name.removesuffix(".gold.json") for g in (TESTS / "gold").glob("*.gold.json"))
    return [TESTS / "pdfs" / f"{s}.pdf" for s in stems if "scan" not in s]


def make_inputs(folder: Path, n: int) -> None:
    """n distinct files: fixture bytes plus a PDF comment line, so every sha256 differs."""
    sources = fixtures()
    for i in range(n):
        src = sources[i % len(sources)]
        (folder / f"{src.stem}-{i:03d}.pdf").write_bytes(src.read_bytes() + f"\n%% copy {i}\n".encode())


def timed(raw: Path, out: Path, jobs: int) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([str(RENAKSI), "extract", str(raw), "--out", str(out), "--jobs", str(jobs)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"renaksi extract --jobs {jobs} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        make_inputs(raw, n)
        serial, _ = timed(raw, Path(tmp) / "out1", 1)
        parallel, _ = timed(raw, Path(tmp) / "out2", 2)
        rerun, stdout = timed(raw, Path(tmp) / "out2", 2)
    skipped = stdout.count(" unchanged (")
    print(f"{n} decrees   {'--jobs 1':>12} {'--jobs 2':>12} {'ratio':>7}   {'unchanged re-run':>18}")
    print(f"{'seconds':<12} {serial:12.2f} {parallel:12.2f} {'':>7}   {rerun:16.2f} s")
    print(f"{'decrees/s':<12} {n / serial:12.2f} {n / parallel:12.2f} {serial / parallel:6.2f}x"
          f"   {skipped:>9}/{n} skipped")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)

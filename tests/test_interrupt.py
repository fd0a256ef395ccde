"""Ctrl-C, SIGTERM and SIGKILL in the middle of a batch: the decrees written are combined, one
line says what was left undone, no traceback, no process and no temporary file left behind."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import PDFS
from extract.combine import verify

RENAKSI = Path(sys.executable).with_name("renaksi")
BORN_DIGITAL = sorted(p for p in PDFS.glob("*.pdf") if "scan" not in p.name)


@pytest.fixture()
def batch(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for pdf in BORN_DIGITAL:
        shutil.copy(pdf, raw / pdf.name)
    (tmp_path / "tmp").mkdir()
    return tmp_path


def start(batch: Path) -> subprocess.Popen[str]:
    """`renaksi extract` in its own process group (a terminal's foreground job), stopped
    once it has written its first decree."""
    proc = subprocess.Popen(
        [str(RENAKSI), "extract", str(batch / "raw"), "--out", str(batch / "out"), "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(batch / "tmp")},
        # a shell gives its foreground job the default Ctrl-C, even when the suite itself
        # runs where Ctrl-C is ignored (`make test &` in a script, nohup)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    while not (line := proc.stdout.readline()).startswith("✓"):
        assert line, proc.stderr.read() if proc.stderr else ""
    time.sleep(0.5)  # both workers busy
    return proc


def descendants(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def gone(processes: list[psutil.Process], within: float = 10.0) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def assert_clean(batch: Path) -> None:
    out = batch / "out"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    assert verify(out).problems == ()  # the combined tables hold exactly the folders written
    assert list((batch / "tmp").iterdir()) == []  # no lock folders, no multiprocessing debris


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_batch_stops_cleanly(how, batch):
    proc = start(batch)
    workers = descendants(proc)
    assert len(workers) >= 2
    if how == "ctrl-c":  # the terminal signals the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
    else:  # a scheduler or `kill` signals the command only
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)  # returns only when every writer of the pipes is gone
    assert proc.returncode == 1, err
    for noise in ("Traceback", "KeyboardInterrupt", "EOFError", "BrokenPipe", "worker died"):
        assert noise not in err, err
    undone = [ln for ln in err.splitlines() if ln.startswith("✗ interrupted: ")]
    assert len(undone) == 1 and f"of {len(BORN_DIGITAL)} inputs left undone" in undone[0], err
    assert "the combined tables hold the decrees written so far" in undone[0]
    assert gone(workers)
    assert_clean(batch)
    assert verify(batch / "out").decrees >= 1


def test_killed_batch_leaves_no_process_and_the_next_run_cleans_up(batch):
    proc = start(batch)
    workers = descendants(proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert gone(workers)  # the forkserver exits with its parent, the workers with it
    one = batch / "raw" / BORN_DIGITAL[0].name  # any run on this --out cleans up first
    res = subprocess.run([str(RENAKSI), "extract", str(one), "--out", str(batch / "out")],
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "TMPDIR": str(batch / "tmp")})
    assert "Traceback" not in res.stderr
    for leftover in (batch / "tmp").iterdir():  # multiprocessing's socket folder of the killed run
        assert leftover.name.startswith("pymp-")
        shutil.rmtree(leftover)
    assert_clean(batch)

"""Nothing lost: commands write only into folders they own, every write is a transaction that a
kill leaves old or new, debris of killed runs is cleaned and never read, damaged outputs are
re-extracted or named, and `renaksi check` verifies it all."""
from __future__ import annotations

import dataclasses
import errno
import gc
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import PDFS, extracted
from extract import combine as combine_mod
from extract import pipeline
from extract import write as write_mod
from extract.cli import app
from extract.combine import combine, verify
from extract.errors import OutputError
from extract.model import DecreeMeta
from extract.review import review
from extract.write import recover, write

runner = CliRunner()
WORD = PDFS / "singkawang-2023-word.pdf"
WORD_ID = "kpu-kota-singkawang-2023-6"
BENGKAYANG = PDFS / "bengkayang-2023-word.pdf"
BENGKAYANG_ID = "kpu-kabupaten-bengkayang-2023-29"
COMBINED = ("rencana_aksi.parquet", "rencana_aksi.csv", "dokumen.parquet", "dokumen.csv",
            "jadwal.parquet", "jadwal.csv", "renaksi.duckdb")


def invoke(*args: str | Path):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output
    return res


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture()
def processed(tmp_path) -> Path:
    """An --out holding the Singkawang and Bengkayang decrees and their combined tables."""
    out = tmp_path / "processed"
    write(extracted("singkawang-2023-word"), out)
    write(extracted("bengkayang-2023-word"), out)
    combine(out)
    return out


# -- every command writes only into a folder it owns or creates ---------------------------

@pytest.mark.parametrize("victim", ["data-raw", "processed", "cwd"])
def test_review_never_deletes_a_folder_it_did_not_write(victim, processed, tmp_path, monkeypatch):
    raw = tmp_path / "data-raw"
    raw.mkdir()
    shutil.copy(WORD, raw / "sk.pdf")
    (raw / "catatan.txt").write_text("milik saya")
    folder = {"data-raw": raw, "processed": processed, "cwd": Path(".")}[victim]
    monkeypatch.chdir(raw)
    before = sorted(p.name for p in Path(folder).iterdir())
    res = invoke("review", raw / "sk.pdf", "--out", folder)
    assert res.exit_code == 1
    assert "holds files renaksi did not write" in res.output and "✓" not in res.output
    assert sorted(p.name for p in Path(folder).iterdir()) == before
    assert (raw / "catatan.txt").read_text() == "milik saya"


def test_review_goes_into_a_new_folder_and_replaces_only_its_own(tmp_path):
    target = tmp_path / "tinjau"
    html = review(extracted("singkawang-2023-word"), target)
    assert html == target / "review.html" and (target / "pages" / "p003.webp").is_file()
    assert stat.S_IMODE(target.stat().st_mode) & 0o055 == 0o055  # readable by colleagues
    review(extracted("singkawang-2023-word"), target)  # an earlier review is replaced
    assert hidden(tmp_path) == [] and hidden(target) == []
    (target / "catatan.txt").write_text("x")
    with pytest.raises(OutputError, match="holds files renaksi did not write"):
        review(extracted("singkawang-2023-word"), target)
    assert (target / "catatan.txt").exists()


def test_extract_refuses_an_out_it_did_not_write(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(WORD, raw / "sk.pdf")
    res = invoke("extract", raw, "--out", raw)
    assert res.exit_code == 2 and "holds files renaksi did not write (sk.pdf)" in res.output
    assert sorted(p.name for p in raw.iterdir()) == ["sk.pdf"]
    (tmp_path / "file").write_text("x")
    res = invoke("extract", raw, "--out", tmp_path / "file")
    assert res.exit_code == 2 and "is a file" in res.output


def test_decree_folders_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_mod.shared_mode.cache_clear()
        folder = write(extracted("singkawang-2023-word"), tmp_path / "out")
    finally:
        os.umask(previous)
        write_mod.shared_mode.cache_clear()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


# -- a kill leaves the old or the new version; debris is recognised and cleaned -----------

def test_kill_between_the_two_renames_is_put_back_and_never_read(processed):
    """The state a kill -9 between ``os.replace(target, old)`` and ``os.replace(tmp, target)``
    leaves: the decree only under its hidden swapped-out name."""
    swapped = processed / f".{WORD_ID}.old.{dead_pid()}"
    os.replace(processed / WORD_ID, swapped)
    res = invoke("extract", BENGKAYANG, "--out", processed)
    assert res.exit_code == 0, res.output
    assert f"{WORD_ID} put back as it was before an interrupted run" in res.output
    assert hidden(processed) == []
    ra = pd.read_parquet(processed / "rencana_aksi.parquet")
    assert ra.groupby("doc_id").size().to_dict() == {BENGKAYANG_ID: 82, WORD_ID: 103}
    again = invoke("extract", WORD, "--out", processed)
    assert f"= {WORD} unchanged ({WORD_ID})" in again.output


def test_swapped_out_folder_beside_its_replacement_is_removed(processed):
    shutil.copytree(processed / WORD_ID, processed / f".{WORD_ID}.old.{dead_pid()}")
    building = processed / f".{WORD_ID}.{dead_pid()}.abcd_123"
    building.mkdir()
    (building / "rencana_aksi.csv").write_text("half")
    assert recover(processed) == []
    assert hidden(processed) == [] and verify(processed).problems == ()


def test_temp_folders_of_live_writers_are_left_alone(processed):
    mine = processed / f".{WORD_ID}.{os.getpid()}.abcd_123"
    mine.mkdir()
    recover(processed)
    assert mine.exists()


def test_kill_during_combine_leaves_the_old_tables_or_finishes_the_new(processed, monkeypatch):
    old = snapshot(processed)
    shutil.rmtree(processed / BENGKAYANG_ID)
    real_replace = os.replace
    calls = []

    def killed_after_two(src, dst):
        calls.append(dst)
        if len(calls) > 3:  # the journal and two tables are in place, then the process dies
            raise SystemExit("killed")
        real_replace(src, dst)

    monkeypatch.setattr(write_mod.os, "replace", killed_after_two)
    with pytest.raises(SystemExit):
        combine(processed)
    monkeypatch.setattr(write_mod.os, "replace", real_replace)
    assert any(n.endswith(".journal") for n in hidden(processed))
    assert snapshot(processed) != old  # half the files are new: the journal says which
    assert verify(processed).problems != ()
    recover(processed)  # what the next run does first
    assert hidden(processed) == [] and verify(processed).problems == ()
    assert pd.read_parquet(processed / "rencana_aksi.parquet")["doc_id"].unique().tolist() == [WORD_ID]


def test_temps_of_a_combine_killed_before_its_journal_are_debris(processed):
    old = snapshot(processed)
    pid = dead_pid()
    for name in COMBINED:
        (processed / f".{name}.{pid}.{'0' * 32}.tmp").write_bytes(b"half")
    (processed / f".renaksi.duckdb.{'1' * 32}.tmp.wal").write_bytes(b"older version's debris")
    recover(processed)
    assert hidden(processed) == [] and snapshot(processed) == old


def test_disk_full_while_writing_duckdb_keeps_every_combined_file(processed, monkeypatch):
    old = snapshot(processed)
    shutil.rmtree(processed / BENGKAYANG_ID)

    def disk_full(tables, path, **update):
        Path(path).write_bytes(b"partial")
        raise duckdb.TransactionException("TransactionContext Error: Failed to commit: "
                                          "could not write: No space left on device")

    monkeypatch.setattr(combine_mod, "_write_duckdb", disk_full)
    with pytest.raises(OutputError, match="No space left on device.*left as they were"):
        combine(processed)
    assert snapshot(processed) == old and hidden(processed) == []


# -- damaged folders are re-extracted from their source or named -------------------------

@pytest.fixture()
def damaged(tmp_path) -> Path:
    """An --out whose Singkawang decree has a truncated rencana_aksi.parquet."""
    out = tmp_path / "out"
    assert invoke("extract", WORD, "--out", out).exit_code == 0
    parquet = out / WORD_ID / "rencana_aksi.parquet"
    parquet.write_bytes(parquet.read_bytes()[:1000])
    return out


def test_damaged_folder_is_extracted_again_from_its_source(damaged):
    out = damaged
    res = invoke("extract", WORD, "--out", out)
    assert res.exit_code == 0 and "unchanged" not in res.output
    assert f"replaces {WORD_ID}/, which was damaged: rencana_aksi.parquet is damaged" in res.output
    assert len(pd.read_parquet(out / "rencana_aksi.parquet")) == 103
    assert verify(out).problems == ()


def test_damaged_folder_without_its_source_is_named_on_its_own_line(damaged):
    out = damaged
    res = invoke("extract", BENGKAYANG, "--out", out)
    assert (f"⚠ {out / WORD_ID}: rencana_aksi.parquet is damaged (its content does not match "
            "SHA256SUMS); left out of the combined tables") in res.output
    check = invoke("check", out)
    assert check.exit_code == 1 and f"{out / WORD_ID}: rencana_aksi.parquet is damaged" in check.output


def test_decrees_without_instansi_do_not_collide(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "read_metadata", lambda texts: DecreeMeta())
    for folder, source in (("a", WORD), ("b", BENGKAYANG)):
        (tmp_path / folder).mkdir()
        shutil.copy(source, tmp_path / folder / "lampiran.pdf")
    a, b = (pipeline.run(tmp_path / f / "lampiran.pdf") for f in "ab")
    assert a.doc_id.startswith("lampiran-") and b.doc_id.startswith("lampiran-")
    assert a.doc_id != b.doc_id and a.doc_id == f"lampiran-{a.sha256[:8]}"


def test_a_source_that_now_fails_says_its_output_may_be_stale(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(WORD, raw / "sk.pdf")
    assert invoke("extract", raw, "--out", out).exit_code == 0
    (raw / "sk.pdf").write_bytes(b"%PDF-1.7\nrusak")
    res = invoke("extract", raw, "--out", out)
    assert res.exit_code == 1
    assert ("✗ sk.pdf: cannot be opened as a PDF" in res.output
            and f"{WORD_ID}/, extracted from an earlier version of it, is kept and may be stale"
            in res.output), res.output


# -- renaksi check ---------------------------------------------------------------------

def test_check_verifies_folders_sources_and_combined_tables(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(WORD, raw / "sk.pdf")
    shutil.copy(BENGKAYANG, raw / "bengkayang.pdf")
    assert invoke("extract", raw, "--out", out).exit_code == 0
    ok = invoke("check", out, raw)
    assert ok.exit_code == 0 and "2 decree folders and 2 source PDFs intact" in ok.output
    with (out / "rencana_aksi.csv").open("a") as fh:
        fh.write("kpu-palsu,1\n")
    (raw / "sk.pdf").write_bytes(WORD.read_bytes() + b"\n% edited\n")
    shutil.copy(WORD, raw / "baru.pdf")
    (raw / "baru.pdf").write_bytes(WORD.read_bytes() + b"\n% another copy\n")
    bad = invoke("check", out, raw)
    assert bad.exit_code == 1
    assert "the combined tables do not match the decree folders: rencana_aksi.csv;" in bad.output
    assert f"sk.pdf: changed since {out / WORD_ID} was extracted from it" in bad.output
    assert "baru.pdf: not extracted into" in bad.output


# -- compare, export, debug: one line for every way writing or reading can fail ------------

def test_compare_and_export_refuse_wrong_targets(processed, tmp_path):
    (tmp_path / "a-file").write_text("x")
    res = invoke("compare", processed, "--out", tmp_path / "a-file")
    assert res.exit_code == 1 and "a-file is a file" in res.output
    res = invoke("compare", processed, "--out", processed)
    assert res.exit_code == 1 and "holds files renaksi did not write" in res.output
    res = invoke("export", processed, "--out", processed)
    assert res.exit_code == 1 and "must end in .xlsx" in res.output
    (tmp_path / "x.xlsx").mkdir()
    res = invoke("export", processed, "--out", tmp_path / "x.xlsx")
    assert res.exit_code == 1 and "x.xlsx is a folder" in res.output
    before = (processed / "dokumen.csv").read_bytes()
    os.replace(processed / "dokumen.csv", processed / "dokumen.xlsx")
    res = invoke("export", processed, "--out", processed / "dokumen.xlsx")
    assert res.exit_code == 1 and "exists and is not a workbook" in res.output
    assert (processed / "dokumen.xlsx").read_bytes() == before
    res = invoke("debug", WORD, "--page", "3", "--out", tmp_path / "x.xlsx")
    assert res.exit_code == 1 and "is a folder" in res.output


def test_compare_and_export_on_a_damaged_combined_table(processed, tmp_path):
    parquet = processed / "rencana_aksi.parquet"
    parquet.write_bytes(parquet.read_bytes()[:500])
    for command in ("compare", "export"):
        res = invoke(command, processed, "--out", tmp_path / ("r" if command == "compare" else "r.xlsx"))
        assert res.exit_code == 1
        assert "✗ rencana_aksi.parquet: cannot be read" in res.output
        assert "`renaksi extract` on this folder rebuilds it" in res.output


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # unsaved sheets
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_compare_and_export_on_a_full_or_read_only_disk(code, processed, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Path, "write_text", refuse)
    monkeypatch.setattr(Path, "write_bytes", refuse)
    res = invoke("compare", processed, "--out", tmp_path / "report")
    assert res.exit_code == 1 and f"cannot write the report to {tmp_path / 'report'}" in res.output
    assert os.strerror(code) in res.output
    monkeypatch.setattr("openpyxl.Workbook.save", refuse)
    res = invoke("export", processed, "--out", tmp_path / "r.xlsx")
    assert res.exit_code == 1 and os.strerror(code) in res.output
    gc.collect()  # the unsaved workbook's sheets complain here, not in a later test
    monkeypatch.setattr(Path, "mkdir", refuse)
    res = invoke("compare", processed, "--out", tmp_path / "new" / "report")
    assert res.exit_code == 1 and "cannot create the folder" in res.output
    assert hidden(tmp_path) == []


def test_dokumen_records_where_its_source_is(processed):
    record = json.loads((processed / WORD_ID / "dokumen.json").read_text(encoding="utf-8"))
    assert (processed / record["source_path"]).resolve() == WORD.resolve()
    rows = dataclasses.asdict(verify(processed))
    assert rows == {"decrees": 2, "problems": ()}

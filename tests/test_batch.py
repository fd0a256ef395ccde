"""Batch runs: parallel output equals serial, unchanged inputs are skipped, overruns time out cleanly."""
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import PDFS
from extract.cli import app

runner = CliRunner()
FIXTURES = {
    "singkawang-2023-word.pdf": "kpu-kota-singkawang-2023-6",
    "bengkayang-2023-word.pdf": "kpu-kabupaten-bengkayang-2023-29",
    "singkawang-2023-excel.pdf": "kpu-kota-singkawang-2023",
}


@pytest.fixture()
def raw(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in FIXTURES:
        shutil.copy(PDFS / name, folder / name)
    return folder


def test_jobs_2_writes_what_jobs_1_writes(raw, tmp_path):
    """Which copy of a decree is used must not depend on which worker finishes first."""
    shutil.copy(PDFS / "singkawang-2023-word-shaded.pdf", raw)  # the Word decree again
    for jobs in ("1", "2"):
        res = runner.invoke(app, ["extract", str(raw), "--out", str(tmp_path / jobs), "-j", jobs])
        assert res.exit_code == 0, res.output
    serial, parallel = (_outputs(tmp_path / jobs) for jobs in ("1", "2"))
    assert sorted(serial) == sorted([*FIXTURES.values(), "rencana_aksi.csv", "dokumen.csv"])
    assert parallel == serial
    assert "extracted" in res.output  # the summary table of a multi-file run


def _outputs(out) -> dict[str, object]:
    """Every decree folder's files and the combined tables, extraction times aside."""
    found: dict[str, object] = {}
    for folder in (p for p in out.iterdir() if p.is_dir()):
        record = json.loads((folder / "dokumen.json").read_text())
        record.pop("extracted_at")
        found[folder.name] = (record, (folder / "rencana_aksi.csv").read_bytes())
    found["rencana_aksi.csv"] = (out / "rencana_aksi.csv").read_bytes()
    found["dokumen.csv"] = pd.read_csv(out / "dokumen.csv").drop(columns="extracted_at").to_csv()
    return found


def test_rerun_skips_unchanged_and_force_redoes(raw, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "2"]).exit_code == 0
    mtimes = {d: (out / d / "dokumen.json").stat().st_mtime_ns for d in FIXTURES.values()}
    again = runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "2"])
    assert again.exit_code == 0, again.output
    for name, doc_id in FIXTURES.items():
        assert f"= {name} unchanged ({doc_id})" in again.output
        assert (out / doc_id / "dokumen.json").stat().st_mtime_ns == mtimes[doc_id]
    assert (out / "rencana_aksi.parquet").exists()
    forced = runner.invoke(app, ["extract", str(raw / "singkawang-2023-word.pdf"), "--out",
                                 str(out), "--force", "-j", "1"])
    assert forced.exit_code == 0 and "= singkawang-2023-word.pdf unchanged" not in forced.output
    doc_id = FIXTURES["singkawang-2023-word.pdf"]
    assert (out / doc_id / "dokumen.json").stat().st_mtime_ns != mtimes[doc_id]


def test_rerun_skips_every_copy_of_one_decree(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    data = (PDFS / "bengkayang-2023-word.pdf").read_bytes()
    for i in range(3):  # the same decree saved three times: three sha256, one doc_id
        (raw / f"copy-{i}.pdf").write_bytes(data + f"\n%% copy {i}\n".encode())
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "1"]).exit_code == 0
    again = runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "1"])
    assert again.output.count(" unchanged (kpu-kabupaten-bengkayang-2023-29)") == 3, again.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_overrun_is_one_failure_line_and_leaves_nothing(tmp_path, jobs):
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(PDFS / "bengkayang-2023-word.pdf"), "--out", str(out),
                              "--timeout", "0.01", "-j", jobs])
    assert res.exit_code == 1
    assert "bengkayang-2023-word.pdf: timed out after 0.01s" in res.output
    assert not [p for p in out.iterdir() if p.is_dir()]  # no decree folder, no temporary one


def test_bad_jobs_is_a_usage_error(tmp_path):
    res = runner.invoke(app, ["extract", str(PDFS / "singkawang-2023-word.pdf"), "-j", "0",
                              "--out", str(tmp_path)])
    assert res.exit_code == 2

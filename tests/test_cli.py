"""The command line: exit codes 0/1/2, one line per decree, nothing partial left behind."""
import json
import shutil

from typer.testing import CliRunner

from conftest import PDFS
from extract.cli import app

runner = CliRunner()


def test_extract_ok_writes_decree_and_combined(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(PDFS / "singkawang-2023-word.pdf"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    folder = out / "kpu-kota-singkawang-2023-6"
    doc = json.loads((folder / "dokumen.json").read_text(encoding="utf-8"))
    assert doc["jumlah_baris"] == 103 and doc["halaman_lampiran"] == [3, 11]
    assert doc["kode_wilayah"] == "61.72" and doc["metode"] == "text"
    assert (folder / "rencana_aksi.parquet").exists() and (out / "rencana_aksi.parquet").exists()
    assert not list(out.glob(".*"))  # no temporary folders left


def test_one_bad_input_fails_the_batch_but_not_the_others(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(PDFS / "bengkayang-2023-word.pdf", raw / "good.pdf")
    (raw / "empty.pdf").write_bytes(b"")
    (raw / "renamed.pdf").write_text("<html>not a pdf</html>")
    shutil.copy(PDFS / "body-only-no-lampiran.pdf", raw / "nolampiran.pdf")
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(raw), "--out", str(out)])
    assert res.exit_code == 1
    assert "empty.pdf: empty file" in res.output
    assert "renamed.pdf: not a PDF" in res.output
    assert "nolampiran.pdf: no rencana-aksi table in the decree (2 pages)" in res.output
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["kpu-kabupaten-bengkayang-2023-29"]


def test_encrypted_needs_password(tmp_path):
    pdf = str(PDFS / "encrypted-user-password.pdf")
    res = runner.invoke(app, ["extract", pdf, "--out", str(tmp_path)])
    assert res.exit_code == 1 and "--password" in res.output
    res = runner.invoke(app, ["extract", pdf, "--password", "rahasia", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output


def test_verbose_adds_traceback(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    quiet = runner.invoke(app, ["extract", str(bad), "--out", str(tmp_path / "out")])
    loud = runner.invoke(app, ["extract", str(bad), "--out", str(tmp_path / "out"), "--verbose"])
    assert "Traceback" not in quiet.output and "Traceback" in loud.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["extract", str(tmp_path), "--out", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["extract", "--bogus"]).exit_code == 2


def test_missing_path_is_a_failure_line(tmp_path):
    res = runner.invoke(app, ["extract", str(tmp_path / "nope.pdf"), "--out", str(tmp_path)])
    assert res.exit_code == 1 and "nope.pdf: no such file" in res.output

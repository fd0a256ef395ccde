"""One decree, one identity: copies share a folder, other decrees of one identity keep their
own, the file used follows the stated rule, and nothing depends on the order of arrival."""
from __future__ import annotations

import dataclasses
import itertools
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import PDFS, extracted
from extract.cli import app
from extract.identity import Held, Source, decide
from extract.write import store

runner = CliRunner()
WORD_ID = "kpu-kota-singkawang-2023-6"


def source(name: str, metode: str = "text", baris: int = 10, sidik: str = "A",
           kerangka: str = "K") -> Source:
    return Source(name, f"raw/{name}", name.encode().hex().ljust(64, "0"), metode, baris,
                  sidik, kerangka)


def settle(arrivals: list[Source]) -> dict[str, tuple[str, ...]]:
    """Folder → its files (the one used first) after the files arrive in this order,
    each decision made from what the folders hold so far, as ``write`` does."""
    held: dict[str, Held] = {}
    for new in arrivals:
        groups = decide("base", held.values(), new)
        held = {g.doc_id: Held(g.doc_id, g.sources) for g in groups}
    return {name: tuple(s.name for s in h.sources) for name, h in held.items()}


def test_the_rule_and_its_order_never_depend_on_arrival():
    files = [source("word.pdf"), source("shaded.pdf"), source("scan.pdf", "ocr"),
             source("scan-b.pdf", "ocr", sidik="S2"), source("short.pdf", baris=4, sidik="B"),
             source("quarterly.pdf", baris=9, sidik="C", kerangka="Q"),
             source("other-scan.pdf", "ocr", sidik="S3", kerangka="Q2")]
    outcomes = {tuple(sorted(settle(list(order)).items()))
                for order in itertools.permutations(files)}
    assert len(outcomes) == 1
    folders = dict(outcomes.pop())
    # copies: one text layer and two scans of the same schedule; the text layer is used,
    # then the path decides between equal text layers
    assert folders["base"] == ("shaded.pdf", "word.pdf", "scan-b.pdf", "scan.pdf")
    others = {files[0] for files in (v for k, v in folders.items() if k != "base")}
    assert others == {"short.pdf", "quarterly.pdf", "other-scan.pdf"}
    assert len(folders) == 4 and all(k.startswith("base-") and len(k) == 13
                                     for k in folders if k != "base")


def test_the_plain_doc_id_goes_to_the_rows_most_files_agree_on():
    """A misread file (a row split in two) has more rows but no twin."""
    folders = settle([source("misread.pdf", baris=105, sidik="M"), source("word.pdf"),
                      source("shaded.pdf")])
    assert folders["base"] == ("shaded.pdf", "word.pdf")


def test_more_rows_rank_first_and_a_rerun_lists_a_file_once():
    first = settle([source("a.pdf", baris=3, sidik="X"), source("b.pdf", baris=5, sidik="Y")])
    assert first["base"] == ("b.pdf",)
    again = settle([source("a.pdf"), source("a.pdf")])
    assert again == {"base": ("a.pdf",)}


@pytest.fixture(scope="module")
def decrees():
    return {name: extracted(name) for name in (
        "singkawang-2023-word", "singkawang-2023-word-shaded", "singkawang-2023-scan")}


def _state(out) -> dict[str, tuple]:
    """Each folder's record (timestamps aside) and tables, to compare two outputs."""
    state = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        record = json.loads((folder / "dokumen.json").read_text())
        record.pop("extracted_at")
        state[folder.name] = (record, (folder / "rencana_aksi.csv").read_bytes(),
                              pd.read_parquet(folder / "rencana_aksi.parquet"))
    return state


def test_same_decree_in_three_files_is_one_folder_whatever_the_order(decrees, tmp_path):
    names = ["singkawang-2023-scan", "singkawang-2023-word-shaded", "singkawang-2023-word"]
    states = []
    for i, order in enumerate(itertools.permutations(names)):
        out = tmp_path / str(i)
        for name in order:
            store(decrees[name], out)
        states.append(_state(out))
    first = states[0]
    for other in states[1:]:
        assert other.keys() == first.keys()
        for k in first:
            assert other[k][:2] == first[k][:2]
            pd.testing.assert_frame_equal(other[k][2], first[k][2])
    assert list(first) == [WORD_ID]
    record = first[WORD_ID][0]
    assert [s["name"] for s in record["sumber"]] == [
        "singkawang-2023-word-shaded.pdf", "singkawang-2023-word.pdf", "singkawang-2023-scan.pdf"]
    assert [s["metode"] for s in record["sumber"]] == ["text", "text", "ocr"]
    assert (record["source_file"], record["metode"]) == ("singkawang-2023-word-shaded.pdf", "text")


def test_a_rerun_with_a_better_file_says_what_it_replaced(decrees, tmp_path):
    out = tmp_path / "out"
    first = store(decrees["singkawang-2023-scan"], out)
    assert first.kept and first.replaced is None
    second = store(decrees["singkawang-2023-word"], out)
    assert second.folder == first.folder and second.replaced.name == "singkawang-2023-scan.pdf"
    table = pd.read_csv(second.folder / "rencana_aksi.csv")
    pd.testing.assert_frame_equal(table, pd.read_csv(
        _write_alone(decrees["singkawang-2023-word"], tmp_path / "alone") / "rencana_aksi.csv"))
    third = store(decrees["singkawang-2023-scan"], out)  # the scan again: only listed
    assert third.copy_of.name == "singkawang-2023-word.pdf"


def _write_alone(result, out):
    return store(result, out).folder


def test_two_decrees_of_one_identity_are_both_kept(decrees, tmp_path):
    """The first 34 rows of the Singkawang decree under its own number, and the whole of it:
    two decrees, the whole one (more rows) under the plain doc_id, whatever came first."""
    out = tmp_path / "out"
    part = extracted("hidden-rulings")
    first = store(part, out)
    assert first.folder.name == WORD_ID
    whole = store(decrees["singkawang-2023-word"], out)
    moved = f"{WORD_ID}-{part.sha256[:8]}"
    assert whole.folder.name == WORD_ID
    assert whole.others == ((moved, first.source),) and whole.moved == ((WORD_ID, moved),)
    for folder in (whole.folder, out / moved):  # the tables carry their folder's doc_id
        doc_id = json.loads((folder / "dokumen.json").read_text())["doc_id"]
        assert doc_id == folder.name
        assert set(pd.read_parquet(folder / "rencana_aksi.parquet")["doc_id"]) == {folder.name}
        assert set(pd.read_csv(folder / "rencana_aksi.csv")["doc_id"]) == {folder.name}
    assert len(pd.read_csv(out / moved / "rencana_aksi.csv")) == len(part.table) > 0


def test_a_file_that_now_reads_as_another_decree_leaves_its_old_folder(decrees, tmp_path):
    out = tmp_path / "out"
    word = decrees["singkawang-2023-word"]
    store(dataclasses.replace(word, doc_id="kpu-kota-singkawang-2023"), out)  # an older reading
    placement = store(word, out)
    assert placement.dropped == ("kpu-kota-singkawang-2023",)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [WORD_ID]


def test_cli_lines_and_a_byte_copy_listed_without_reading(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("singkawang-2023-word.pdf", "singkawang-2023-word-shaded.pdf"):
        shutil.copy(PDFS / name, raw / name)
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert (f"= singkawang-2023-word.pdf is a copy of singkawang-2023-word-shaded.pdf "
            f"(103 rows, text) → {out / WORD_ID}") in res.output
    shutil.copy(raw / "singkawang-2023-word.pdf", raw / "unduhan.pdf")  # downloaded again
    again = runner.invoke(app, ["extract", str(raw), "--out", str(out), "-j", "1"])
    assert again.exit_code == 0, again.output
    assert "= unduhan.pdf is the same file as singkawang-2023-word.pdf" in again.output
    assert again.output.count(" unchanged (") == 2
    record = json.loads((out / WORD_ID / "dokumen.json").read_text())
    assert sorted(s["name"] for s in record["sumber"]) == [
        "singkawang-2023-word-shaded.pdf", "singkawang-2023-word.pdf", "unduhan.pdf"]
    combined = pd.read_parquet(out / "rencana_aksi.parquet")
    assert set(combined["doc_id"]) == {WORD_ID} and len(combined) == 103


def test_a_file_changed_at_its_path_replaces_its_earlier_reading():
    before = source("a.pdf", sidik="OLD", kerangka="K0")
    after = dataclasses.replace(source("a.pdf"), sha256="f" * 64)
    assert settle([before, source("b.pdf"), after]) == {"base": ("a.pdf", "b.pdf")}
    assert settle([before, after]) == {"base": ("a.pdf",)}

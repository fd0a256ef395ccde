"""What `make extract` installs: extraction's packages, never the test or benchmark ones."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
DEV_ONLY = {"pytest", "hypothesis", "selenium", "nbclient", "nbformat", "ipykernel", "jupyterlab", "camelot-py",
            "matplotlib"}


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution ``requirements`` pull in (no extras), as pip would resolve them here."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in metadata.requires(req.name) or []]
        except metadata.PackageNotFoundError:
            pass  # not installed in this venv: its own requirements are unknown here, it is listed
    return seen


def test_extraction_needs_no_test_or_benchmark_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = _closure(project["dependencies"])
    assert {"pypdfium2", "pdfplumber", "opencv-python-headless", "duckdb", "openpyxl"} <= installed
    assert not installed & {canonicalize_name(n) for n in DEV_ONLY}
    extras = project["optional-dependencies"]
    for package in ("pytest", "hypothesis", "selenium"):
        assert any(Requirement(r).name == package for r in extras["test"])
    assert [Requirement(r).name for r in extras["bench"]] == ["camelot-py"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_extract_installs_the_package_without_extras(tmp_path):
    """`make extract` on a fresh checkout: `pip install -e .`, no extra; `make test` adds [test]."""

    def plan(target: str) -> str:
        return subprocess.run(
            ["make", "-n", "-B", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", target],
            check=True, capture_output=True, text=True,
        ).stdout

    extract = plan("extract")
    installs = re.findall(r"pip install .*", extract)
    assert installs and all("[" not in line for line in installs)
    assert any(line.endswith("-e .") for line in installs)
    assert "system-deps.sh" in extract and "system-deps.sh --test" not in extract  # no Chromium for extraction
    test = plan("test")
    assert "-e '.[test]'" in test and "system-deps.sh --test" in test

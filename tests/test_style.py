"""Code hygiene: ruff's lint and format over the book's code, and notebooks kept clean.

The same checks run before each commit with pre-commit (.pre-commit-config.yaml); here they fail
the test command, so nothing unformatted or unclean lands even without pre-commit installed.
"""

import subprocess
import sys
from pathlib import Path

import nbformat

from tests.conftest import ROOT

RUFF = Path(sys.executable).parent / "ruff"
EXECUTE = ROOT / "scripts" / "execute_notebooks.py"


def ruff(*args):
    return subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_to_lint():
    # widgets/, tests/, benchmarks/, scripts/, _ext/ and the chapters' code (pyproject.toml).
    result = ruff("check", ".", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_would_catch_a_mistake(tmp_path):
    """The checks can fail: an unused import and a badly formatted line are both reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = {  'a':1}\n")
    assert ruff("check", "--isolated", "--select", "F", str(bad)).returncode == 1
    assert ruff("format", "--isolated", "--check", str(bad)).returncode == 1


def test_cleaning_the_committed_notebooks_changes_nothing(tmp_path):
    """pre-commit's notebook hook (execute_notebooks.py --clean) keeps outputs and leaves a clean
    chapter as it is; and it does clean: timings and ids a front end adds are removed."""
    chapter = ROOT / "chapters" / "03-gradients-with-autograd.ipynb"
    copy = tmp_path / chapter.name
    copy.write_bytes(chapter.read_bytes())
    subprocess.run([sys.executable, str(EXECUTE), "--clean", str(copy)], check=True)
    assert copy.read_bytes() == chapter.read_bytes()
    nb = nbformat.read(copy, as_version=4)
    nb.cells[2].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb.metadata["widgets"] = {"state": {}}
    nbformat.write(nb, copy)
    subprocess.run([sys.executable, str(EXECUTE), "--clean", str(copy)], check=True)
    assert copy.read_bytes() == chapter.read_bytes()

"""The status page: each chapter's run time and PyTorch version, written by the run that stored
its outputs (scripts/execute_notebooks.py), and not stale."""

import importlib.util
import re

import nbformat
import pytest
import yaml

from tests.conftest import ROOT

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
STATUS = ROOT / "status.md"
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts/execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def front_matter():
    _, front, body = STATUS.read_text().split("---\n", 2)
    return yaml.safe_load(front)["chapters"], body


def test_status_lists_every_chapter_with_the_torch_installed_here():
    torch = pytest.importorskip("torch")
    rows, body = front_matter()
    assert list(rows) == [path.stem for path in CHAPTERS]
    table = re.findall(r"^\| (\d+) \| \{doc\}`chapters/([^`]+)` \| ([\d.]+) s \| (\S+) \| (\S+) \|$", body, re.M)
    assert [(int(n), stem) for n, stem, *_ in table] == [(int(p.stem[:2]), p.stem) for p in CHAPTERS]
    for (_, stem, seconds, torch_version, python), (_name, row) in zip(table, rows.items()):
        assert float(seconds) == row["seconds"] and 0 < row["seconds"] < 600
        assert torch_version == row["torch"] == torch.__version__, (
            f"{stem} was executed with torch {row['torch']}: re-run scripts/execute_notebooks.py"
        )
        assert python == row["python"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_status_is_that_of_the_chapter_as_committed(path):
    rows, _ = front_matter()
    stored = execute_notebooks.fingerprint(nbformat.read(path, as_version=4))
    assert rows[path.stem]["fingerprint"] == stored, (
        f"{path.name} changed since its row was written: run scripts/execute_notebooks.py {path.name}"
    )


def test_executing_some_chapters_rewrites_only_their_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(execute_notebooks, "STATUS", tmp_path / "status.md")
    rows, _ = front_matter()
    execute_notebooks.write_status(rows)
    fake = {"seconds": 1.5, "torch": "9.9.9", "python": "3.99.0", "fingerprint": "0" * 64}
    calls = []
    monkeypatch.setattr(execute_notebooks, "execute", lambda path: calls.append(path.name) or fake)
    execute_notebooks.main([str(CHAPTERS[3])])
    after = execute_notebooks.read_status()
    assert calls == [CHAPTERS[3].name]
    assert after == {**rows, CHAPTERS[3].stem: fake}
    assert "| 4 | {doc}`chapters/04-the-chain-rule` | 1.5 s | 9.9.9 | 3.99.0 |" in (tmp_path / "status.md").read_text()


def test_a_slower_run_of_the_same_chapter_changes_nothing(tmp_path, monkeypatch):
    """A row reports on the chapter as stored and the torch it ran with: executed again to the
    same outputs, on a slower machine, the chapter keeps its row, and status.md is not written."""
    monkeypatch.setattr(execute_notebooks, "STATUS", tmp_path / "status.md")
    rows, _ = front_matter()
    execute_notebooks.write_status(rows)
    before = (tmp_path / "status.md").read_text()
    stem = CHAPTERS[3].stem
    slower = {**rows[stem], "seconds": rows[stem]["seconds"] * 3}
    monkeypatch.setattr(execute_notebooks, "execute", lambda path: slower)
    execute_notebooks.main([str(CHAPTERS[3])])
    assert (tmp_path / "status.md").read_text() == before


def test_stored_outputs_keep_nothing_that_changes_from_run_to_run():
    """Nothing in a stored output changes from run to run (a widget's random model id is not kept)."""
    for path in CHAPTERS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {}), path.name


def test_status_page_shows_the_table(build):
    assert build.result.returncode == 0, build.log[-5000:]
    html = (build.html / "status.html").read_text()
    rows, _ = front_matter()
    assert html.count("<tr") == len(rows) + 1
    for stem, row in rows.items():
        assert f'href="chapters/{stem}.html"' in html
        assert f"{row['seconds']:.1f} s" in html
    assert row["fingerprint"] not in html, "the front matter stays out of the page"

"""Re-execute chapter notebooks in place and store clean outputs.

    .venv/bin/python scripts/execute_notebooks.py                # every chapter
    .venv/bin/python scripts/execute_notebooks.py chapters/04-*.ipynb
    .venv/bin/python scripts/execute_notebooks.py --clean chapters/*.ipynb   # metadata only (pre-commit)

Outputs in the chapters come from here, never from editing by hand. Each notebook runs top to
bottom in a fresh kernel of the current environment, from its own folder, as nbval runs it. Then
the metadata is cleaned so that a re-run changes nothing but real outputs: no timings, no widget
state or views (a figure's output keeps its data, a still picture and its text; Jupyter makes the
widget again when the cell runs). The notebook's metadata is what JupyterLab and Notebook 7 write
when the book's kernel starts (the kernelspec, and the kernel's `language_info` in full, its Python
version included), so that opening a chapter and starting its kernel changes nothing in it.

Then the learner's edition (notebooks/, scripts/learner_edition.py) is made again from the chapters,
so one command keeps both up to date.

Before running a chapter, its second cell is made the install cell (INSTALL_CELL), with the
repository URL from _config.yml. After running it, the chapter's row of the status page
(status.md) is rewritten if what it stored, or the torch or Python it ran with, changed: how long
it took, the torch it ran with, and a fingerprint of what was stored (sources and outputs), which
tests/test_status.py compares with the notebook as committed. Rows of chapters not executed in
this run, or executed to the same outputs, stay as they were.
"""

import hashlib
import importlib.metadata
import json
import platform
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import learner_edition  # noqa: E402  (scripts/learner_edition.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
STATUS = ROOT / "status.md"
#: The first line of the install cell, which marks it.
INSTALL_MARK = "# Running this chapter on its own"
INSTALL_CELL = """\
# Running this chapter on its own (downloaded, or in Colab)? It imports the book's
# `widgets` package: this cell installs it from the book's repository when it is
# missing, and does nothing where it is there already (the book's environment, Binder).
BOOK = "git+{url}"
try:
    import widgets  # noqa: F401
except ModuleNotFoundError:
    %pip install -q {{BOOK}}"""
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_METADATA_KEPT = ("tags",)
HIDDEN_INPUT = {"remove-input", "hide-input"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(nb):
    """Keep only the metadata that says something about the chapter, and what a front end writes when
    its kernel starts: the kernelspec, and the `language_info` the kernel reports (nbclient stores
    it as JupyterLab does; a notebook saved by JupyterLab has it already)."""
    language_info = nb.metadata.get("language_info") or {"name": "python", "pygments_lexer": "ipython3"}
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": dict(language_info)})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {key: cell.metadata[key] for key in CELL_METADATA_KEPT if cell.metadata.get(key)}
        )
        if HIDDEN_INPUT & set(cell.metadata.get("tags", [])):
            # What the website hides, JupyterLab and Notebook 7 show collapsed (the question's
            # code, which names its answer; the plotting plumbing): one click shows it.
            cell.metadata["jupyter"] = {"source_hidden": True}
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs = joined_streams(cell.outputs)
        for output in cell.get("outputs", []):
            # A widget's view names a model that lives in the kernel that ran the cell (a random
            # id), and its state is not stored: from a stored notebook it can never be shown.
            # Without it, a front end shows the output's other forms (a figure's still picture)
            # until the cell runs again and makes a new widget.
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nb.nbformat, nb.nbformat_minor = 4, 4  # no cell ids: they would change on every save
    return nb


def joined_streams(outputs):
    """Outputs with each run of printed text on one stream as one output: a busy kernel flushes
    a cell's prints in pieces (every 0.2 s), which the page would show as separate blocks."""
    joined = []
    for output in outputs:
        last = joined[-1] if joined else None
        if output.output_type == "stream" and last and last.output_type == "stream" and last.name == output.name:
            last.text += output.text
        else:
            joined.append(output)
    return joined


def repository_url():
    """The book's repository, as _config.yml sets it once (`repository: url`)."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")


def install_cell():
    """The chapter's second cell: installs the book's package when a chapter runs on its own.
    Removed from the website (`remove-cell`): there is no kernel there, and the .ipynb the page
    offers for download is the notebook itself, with this cell in it."""
    cell = nbformat.v4.new_code_cell(INSTALL_CELL.format(url=repository_url()))
    cell.metadata["tags"] = ["remove-cell"]
    return cell


def with_install_cell(nb):
    """Put the install cell right after the chapter's title, or bring the one there up to date."""
    if len(nb.cells) > 1 and nb.cells[1].source.startswith(INSTALL_MARK):
        nb.cells[1] = install_cell()
    else:
        nb.cells.insert(1, install_cell())
    return nb


def fingerprint(nb):
    """A hash of a notebook's cells as stored: their kinds, tags, sources and outputs."""
    cells = [
        {"type": c.cell_type, "tags": c.metadata.get("tags", []), "source": c.source, "outputs": c.get("outputs", [])}
        for c in nb.cells
    ]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def execute(path):
    """Run the chapter at `path` and store it: its row of the status page, as a dict."""
    nb = with_install_cell(nbformat.read(path, as_version=4))
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    # Read back what was written, so the fingerprint is that of the file as committed.
    return {
        "seconds": round(seconds, 1),
        # The kernel is this environment's Python (the `python3` kernel of .venv).
        "torch": importlib.metadata.version("torch"),
        "python": platform.python_version(),
        "fingerprint": fingerprint(nbformat.read(path, as_version=4)),
    }


def read_status():
    """The rows of status.md, from its front matter: {chapter stem: row}."""
    if not STATUS.exists():
        return {}
    _, front, _ = STATUS.read_text().split("---\n", 2)
    return yaml.safe_load(front)["chapters"] or {}


def write_status(rows):
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    rows = {p.stem: rows[p.stem] for p in chapters if p.stem in rows}
    front = yaml.safe_dump({"chapters": rows}, sort_keys=True, width=200)
    table = "\n".join(
        f"| {int(stem[:2])} | {{doc}}`chapters/{stem}` | {row['seconds']:.1f} s | {row['torch']} | {row['python']} |"
        for stem, row in rows.items()
    )
    STATUS.write_text(STATUS_PAGE.format(front=front, table=table))


STATUS_PAGE = """\
---
# Written by scripts/execute_notebooks.py each time it executes chapters: not by hand.
{front}---

# Status of the chapters

Every output in this book comes from running its chapter, top to bottom, in a fresh kernel. The
table is written by the same run that stores a chapter's outputs (`scripts/execute_notebooks.py`,
see the repository's README): how long the chapter took to run, and the versions of PyTorch and
Python it ran with. The book's tests run every chapter again and compare each output with the one
stored, so the outputs on these pages are what that version of PyTorch prints today.

| No. | Chapter | Run in | PyTorch | Python |
|--:|:--|--:|:--|:--|
{table}
"""


def main(args):
    if args[:1] == ["--clean"]:  # pre-commit: clean the metadata of the notebooks given, run nothing
        for path in args[1:]:
            nbformat.write(clean(nbformat.read(path, as_version=4)), path)
        return
    paths = [Path(a).resolve() for a in args] or sorted((ROOT / "chapters").glob("*.ipynb"))
    rows = read_status()
    for path in paths:
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        row, old = execute(path), rows.get(path.stem, {})
        # A row changes only with what it reports on: the chapter as stored (its fingerprint), or the
        # torch or Python it ran with. A run that stores the same chapter keeps the time recorded
        # when it last changed, so a slower machine alone changes nothing.
        if any(row[key] != old.get(key) for key in ("fingerprint", "torch", "python")):
            rows[path.stem] = row
            write_status(rows)  # after each chapter, so an interrupted run keeps what it did
    learner_edition.main([])  # notebooks/, from the chapters as now stored


if __name__ == "__main__":
    main(sys.argv[1:])

"""Re-execute chapter notebooks in place and store clean outputs.

    .venv/bin/python scripts/execute_notebooks.py                # every chapter
    .venv/bin/python scripts/execute_notebooks.py chapters/04-*.ipynb

Outputs in the chapters come from here, never from editing by hand. Each notebook runs top to
bottom in a fresh kernel of the current environment, from its own folder, as nbval runs it. Then
the metadata is cleaned so that a re-run changes nothing but real outputs: no timings, no widget
state (the site shows each figure's text/html; Jupyter rebuilds widgets when the cell runs), no
machine-specific kernel details.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_METADATA_KEPT = ("tags",)
HIDDEN_INPUT = {"remove-input", "hide-input"}


def clean(nb):
    """Keep only the metadata that says something about the chapter."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    )
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {key: cell.metadata[key] for key in CELL_METADATA_KEPT if cell.metadata.get(key)}
        )
        if HIDDEN_INPUT & set(cell.metadata.get("tags", [])):
            # What the website hides, JupyterLab and Notebook 7 show collapsed (the question's
            # code, which names its answer; the plotting plumbing): one click shows it.
            cell.metadata["jupyter"] = {"source_hidden": True}
        cell.pop("id", None)
    nb.nbformat, nb.nbformat_minor = 4, 4  # no cell ids: they would change on every save
    return nb


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(clean(nb), path)


def main(args):
    paths = [Path(a).resolve() for a in args] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])

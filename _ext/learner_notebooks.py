"""The chapter pages' download and launch buttons give the learner's edition (notebooks/).

Each chapter page offers its notebook for download, and launch buttons that open it on Binder and
Colab from the book's repository. The theme points all three at the chapter itself (chapters/),
whose MyST a Jupyter front end shows raw and whose worked solutions Run All would run. The
learner's edition, notebooks/<name>.ipynb, generated from the chapter by
scripts/learner_edition.py and committed (Colab opens notebooks from the repository), is the one
to give:

- the launch buttons' URLs name notebooks/<name>.ipynb instead of chapters/<name>.ipynb (the
  theme's buttons are rewritten after it has made them);
- the file the download button names, ``_sources/chapters/<name>.ipynb`` (the copy of its source
  Sphinx writes for every page), is replaced by the learner's notebook, byte for byte, once the
  build is done.

notebooks/ is in ``exclude_patterns``: it is not built as pages of its own.
"""

import shutil
from pathlib import Path

NOTEBOOKS = "notebooks"


def learner_notebook(app, pagename):
    """notebooks/<name>.ipynb for a chapter page chapters/<name>, if there is one."""
    folder, _, name = pagename.rpartition("/")
    if folder != "chapters":
        return None
    path = Path(app.srcdir) / NOTEBOOKS / f"{name}.ipynb"
    return path if path.is_file() else None


def point_buttons(app, pagename, templatename, context, doctree):
    notebook = learner_notebook(app, pagename)
    if notebook is None:
        return
    chapter = f"{pagename}.ipynb"  # as the theme names it, relative to the repository's book folder
    learner = f"{NOTEBOOKS}/{notebook.name}"

    def rewrite(buttons):
        for button in buttons:
            url = button.get("url", "")
            if url.startswith(("https://", "http://")) and url.endswith(chapter):
                button["url"] = url[: -len(chapter)] + learner
            rewrite(button.get("buttons", []))  # a group: the launch menu

    rewrite(context.get("header_buttons", []))


def replace_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for docname in app.env.found_docs:
        notebook = learner_notebook(app, docname)
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if notebook is not None and target.is_file():
            shutil.copyfile(notebook, target)


def setup(app):
    # After the theme's buttons (sphinx-book-theme makes them at priority 501).
    app.connect("html-page-context", point_buttons, priority=900)
    app.connect("build-finished", replace_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

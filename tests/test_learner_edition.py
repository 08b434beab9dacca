"""The learner's edition (notebooks/): what learners open in JupyterLab, Notebook 7, VS Code, Colab.

It is generated from the chapters (scripts/learner_edition.py) and committed, since Colab opens
notebooks from the repository. Here: it is exactly what the generator makes from the chapters as
committed; no MyST reaches a learner as raw text; every exercise is titled with the number the site
gives it; no worked solution is a cell that Run All would run, or shows before it is opened; each
notebook runs top to bottom in a fresh kernel, giving away no answer; and in JupyterLab and
Notebook 7, opened and not run, it shows no raw markup, keeps hints and solutions closed, and is
not marked modified once its kernel has started.
"""

import importlib.util
import itertools
import json
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT, SCREENSHOTS, new_context, only_local, serving_jupyter, watch_errors
from tests.test_jupyter import FRONT_ENDS, NOISE

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOTEBOOKS = ROOT / "notebooks"
COMMAND = ".venv/bin/python scripts/learner_edition.py"
#: MyST that a Jupyter front end would show as it is written.
MYST = re.compile(
    r"```+\{|:::|\{(doc|ref|numref|eq|download|term|math)\}`|^:(label|class|name|open):|^\([\w-]+\)=$", re.M
)


def generator():
    spec = importlib.util.spec_from_file_location("learner_edition", ROOT / "scripts" / "learner_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def learner(chapter):
    return nbformat.read(NOTEBOOKS / chapter.name, as_version=4)


def exercises(chapter):
    """The exercises' numbers, and the source of each exercise's code cells, from the chapter itself."""
    nb = nbformat.read(chapter, as_version=4)
    number, found, cells = int(chapter.name[:2]), [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for _ in re.findall(r"\{exercise-start\}", cell.source):
                found.append(f"{number}.{len(found) + 1}")
        elif "remove-output" in cell.metadata.get("tags", []):
            cells.append(cell.source)
    return found, cells


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_learners_notebook_is_made_from_the_chapter_as_committed(chapter):
    path = NOTEBOOKS / chapter.name
    expected = generator().learner_text(chapter)
    assert path.is_file(), f"notebooks/{chapter.name} is missing: run {COMMAND}"
    assert path.read_text(encoding="utf-8") == expected, f"notebooks/{chapter.name} is out of date: run {COMMAND}"


def test_every_learners_notebook_has_its_chapter():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == [c.name for c in CHAPTERS], f"run {COMMAND}"


def test_the_generator_writes_the_same_bytes_every_time(tmp_path, monkeypatch):
    module = generator()
    monkeypatch.setattr(module, "NOTEBOOKS", tmp_path)
    module.main([])
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    module.main([])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first
    assert first == {p.name: p.read_bytes() for p in NOTEBOOKS.glob("*.ipynb")}


def test_the_generator_refuses_myst_it_does_not_know(tmp_path):
    """A directive or role the generator cannot rewrite stops it, rather than reaching a learner raw."""
    module = generator()
    for source in ("```{figure} x.png\n```", ":::{seealso}\nmore\n:::", "See {ref}`somewhere`.", "(target)=\n# T"):
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_markdown_cell(source)]
        )
        path = tmp_path / "01-x.ipynb"
        nbformat.write(nb, path)
        with pytest.raises(module.Unknown, match="cell 1"):
            module.learner_notebook(path)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_reaches_a_learner_and_every_exercise_has_its_number(chapter):
    nb = learner(chapter)
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = MYST.search(cell.source)
            assert found is None, f"cell {k} shows {found.group(0)!r} as it is"
    numbers, _ = exercises(chapter)
    headings = [
        m
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in re.findall(r"^### Exercise (\S+) \(.+\)$", c.source, re.M)
    ]
    assert headings == numbers, "each exercise titled with the number the site gives it"
    assert 2 <= len(numbers) <= 4


def _calls_check(source):
    """Whether code calls the exercises' check(), not another name ending in it (gradcheck)."""
    return re.search(r"(?<![\w.])check\(", source) is not None


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_are_closed_and_never_run(chapter):
    nb = learner(chapter)
    numbers, exercise_cells = exercises(chapter)
    solutions = [c.source for c in nb.cells if "<summary>Solution" in c.source]
    assert len(solutions) == len(numbers), "one cell per worked solution"
    for number, source in zip(numbers, solutions):
        assert source.startswith(f"<details>\n<summary>Solution to Exercise {number}</summary>\n\n"), source[:80]
        assert source.endswith("\n\n</details>") and source.count("<details") == 1, "one closed <details>"
    assert "<details open" not in json.dumps(nbformat.writes(nb))
    hints = [c.source for c in nb.cells if "<summary>Hint</summary>" in c.source]
    assert hints and all(h.count("<details>") == h.count("</details>") for h in hints)
    # The only cells that call check() are the exercises' own, with the learner's `...` in them;
    # they carry no output (no verdict printed before the learner has answered).
    checking = [c for c in nb.cells if c.cell_type == "code" and _calls_check(c.source)]
    assert [c.source for c in checking] == [s for s in exercise_cells if _calls_check(s)]
    assert all("answer = ..." in c.source and not c.outputs for c in checking)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_predict_questions_answer_is_not_printed_below_it(chapter):
    """The cell after a predict question prints its answer: the learner answers first, then runs
    it. (A figure keeps its still: it answers only when moved.)"""
    code = [c for c in learner(chapter).cells if c.cell_type == "code"]
    answers = [after for before, after in itertools.pairwise(code) if "predict(" in before.source]
    for cell in answers:
        figure = "figure(" in cell.source or "explore(" in cell.source or "Explorer(" in cell.source
        assert figure or (not cell.outputs and cell.execution_count is None), cell.source[:80]
    chapters_questions = sum("predict(" in c.source for c in nbformat.read(chapter, 4).cells)
    assert len(answers) == chapters_questions


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_set_up_is_collapsed_and_links_go_to_notebooks(chapter):
    nb = learner(chapter)
    setup = nb.cells[1]
    assert setup.source.startswith("#@title Set-up") and "\n" in setup.source
    assert setup.metadata == {"cellView": "form", "jupyter": {"source_hidden": True}}
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        for target in re.findall(r"\]\(([^)]+)\)", cell.source if cell.cell_type == "markdown" else ""):
            if not target.startswith(("http://", "https://", "#")):
                assert (NOTEBOOKS / target).is_file(), f"a link to {target}, which is not a notebook here"


@pytest.mark.notebooks
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_learners_notebook_runs_top_to_bottom_and_gives_no_answer_away(chapter, tmp_path):
    """Run All in a fresh kernel, from the notebooks/ folder: errors only where the chapter means one
    (raises-exception, which JupyterLab's Run All goes on past), and no exercise said to be right."""
    nb = learner(chapter)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            assert "raises-exception" in cell.metadata.get("tags", []), (
                f"cell {k}: {errors[0].ename}: {errors[0].evalue}"
            )
        text = json.dumps(cell.outputs, ensure_ascii=False)
        assert "✓ Exercise" not in text, f"cell {k} says an exercise was answered right"


# -- in JupyterLab and Notebook 7, opened and not run ---------------------------------------------------

#: Opened in both front ends: chapter 3 (a dropdown, collapsed cells, errors on purpose) and chapter 4
#: (a warning, three questions); every notebook's Markdown is checked above without a browser.
OPENED = ["03-gradients-with-autograd.ipynb", "04-the-chain-rule.ipynb"]


#: A workspace of its own for each notebook opened: JupyterLab restores no other tab into it.
WORKSPACES = itertools.count(1)


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """A Jupyter server on a copy of notebooks/ (nothing is saved into the book): its base URL."""
    folder = tmp_path_factory.mktemp("learner")
    for name in OPENED:
        shutil.copy(NOTEBOOKS / name, folder / name)
    with serving_jupyter(folder) as url:
        yield url


#: In the notebook as the front end shows it: each markdown cell's rendered text (every cell brought
#: into view first: the notebook renders only those near the view), its <details>, and whether
#: what a closed <details> holds is visible; the first code cell's input hidden or not.
SHOWN = """async () => {
    const panel = window.jupyterapp.shell.currentWidget, notebook = panel.content;
    const markdown = [], details = [];
    for (let i = 0; i < notebook.widgets.length; i++) {
        const cell = notebook.widgets[i];
        if (cell.model.type !== 'markdown') continue;
        await notebook.scrollToItem(i, 'center');
        await cell.ready;
        await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const rendered = cell.node.querySelector('.jp-RenderedMarkdown');
        markdown.push(rendered ? rendered.innerText : null);
        for (const d of rendered ? rendered.querySelectorAll('details') : []) {
            const inside = [...d.children].filter(e => e.tagName !== 'SUMMARY');
            details.push({summary: d.querySelector('summary').innerText, open: d.open,
                          shown: inside.some(e => e.checkVisibility())});
        }
    }
    const setup = notebook.widgets.find(c => c.model.type === 'code');
    return {markdown, details, setupHidden: setup.inputHidden};
}"""


def open_unrun(browser, jupyter, front_end, name):
    """The notebook opened in a front end, its kernel started, no cell run: (context, page, errors)."""
    context = new_context(browser, viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    errors, blocked = watch_errors(page), only_local(page, jupyter, "ws://127.0.0.1")
    page.goto(
        jupyter + (FRONT_ENDS[front_end] + name).replace("lab/tree/", f"lab/workspaces/learner{next(WORKSPACES)}/tree/")
    )
    page.wait_for_function(
        "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path.endsWith(name); }",
        arg=name,
    )
    return context, page, errors, blocked


@pytest.mark.parametrize("name", OPENED)
@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_opened_in_jupyter_it_shows_no_markup_keeps_solutions_closed_and_is_not_modified(
    browser, jupyter, front_end, name
):
    stored = json.loads((NOTEBOOKS / name).read_text())
    context, page, errors, blocked = open_unrun(browser, jupyter, front_end, name)
    try:
        # Once the kernel has started and the front end has written what it reports into the
        # notebook's metadata (its language_info, its kernelspec), the notebook is unchanged.
        state = page.evaluate(
            """async () => {
                const panel = window.jupyterapp.shell.currentWidget;
                await panel.context.ready;
                await panel.sessionContext.ready;
                const kernel = panel.sessionContext.session.kernel;
                await kernel.info;
                await kernel.spec;
                await new Promise(resolve => setTimeout(resolve, 0));
                return {dirty: panel.model.dirty, language_info: panel.model.getMetadata('language_info'),
                        kernelspec: panel.model.getMetadata('kernelspec')};
            }"""
        )
        assert state["language_info"] == stored["metadata"]["language_info"], "the kernel's language_info, stored"
        assert state["kernelspec"] == stored["metadata"]["kernelspec"]
        assert state["dirty"] is False, "opening the notebook and starting its kernel marked it modified"

        shown = page.evaluate(SHOWN)
        page.evaluate("() => window.jupyterapp.shell.currentWidget.content.scrollToItem(0, 'start')")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"learner-{front_end}-{name[:2]}.png")
        assert None not in shown["markdown"], "every markdown cell rendered"
        text = "\n".join(shown["markdown"])
        for raw in ("{doc}", ":::", "```{", ":label:", ":class:", "<details", "<summary"):
            assert raw not in text, f"{raw!r} shown as it is written"
        number = int(name[:2])
        assert re.search(rf"^Exercise {number}\.1 \(", text, re.M), "the first exercise, titled with its number"
        assert shown["details"], "hints and solutions"
        for d in shown["details"]:
            assert not d["open"] and not d["shown"], f"{d['summary']!r} is open"
        summaries = [d["summary"] for d in shown["details"]]
        assert "Hint" in summaries and f"Solution to Exercise {number}.1" in summaries
        assert shown["setupHidden"], "the set-up cell is collapsed"
        assert [e for e in errors if e not in NOISE[front_end]] == [], "page or console errors"
        assert blocked == [], "the page asked for something that is not on this machine"
    finally:
        context.close()

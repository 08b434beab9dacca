"""The chapters as stored: the tutorial's cells and printed values, and clean notebooks.

nbval (run on chapters/ in the same pytest session) re-executes every chapter and checks that the
stored outputs are what the code prints today. These tests check that what is stored is what the
book promises: the tutorial's cells, verbatim, with the tutorial's numbers, in notebooks that carry
nothing machine-specific.
"""

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.tutorial import CELLS, NON_LEAF_WARNING

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
TAGS = {"hide-input", "hide-output", "hide-cell", "remove-cell", "remove-input", "remove-output", "raises-exception"}


def read(stem):
    return nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)


def normalized(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def printed(cell, stream="stdout"):
    """What a code cell printed on `stream` and displayed as its result, as one text."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream" and output.name == stream:
            parts.append(output.text)
        elif output.output_type == "execute_result" and stream == "stdout":
            parts.append(output.data["text/plain"])
    return "".join(parts) if parts else None


def code_cells(stem):
    return [cell for cell in read(stem).cells if cell.cell_type == "code"]


def test_the_table_of_contents_lists_every_chapter_once_in_four_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    *parts, about = toc["parts"]
    files = [c["file"] for part in parts for c in part["chapters"]]
    assert files == [f"chapters/{path.stem}" for path in CHAPTERS]
    assert len(files) == 10
    assert [part["caption"] for part in parts] == [
        "Foundations",
        "A single neuron",
        "Working with gradients",
        "Training",
    ]
    assert all(part["numbered"] for part in parts)
    # Then, unnumbered, the page that says what each chapter was last run with.
    assert about == {"caption": "About this book", "chapters": [{"file": "status"}]}


@pytest.mark.parametrize("stem, source, expected", CELLS, ids=[f"{c[0][:2]}-{i}" for i, c in enumerate(CELLS)])
def test_tutorial_cell_is_in_its_chapter_with_the_tutorials_output(stem, source, expected):
    matches = [cell for cell in code_cells(stem) if normalized(cell.source) == normalized(source)]
    assert len(matches) == 1, f"the tutorial's cell is not in {stem} verbatim:\n{source}"
    cell = matches[0]
    assert cell.execution_count is not None
    assert printed(cell) == expected


@pytest.mark.parametrize("stem", sorted({c[0] for c in CELLS}))
def test_tutorial_cells_keep_the_tutorials_order(stem):
    sources = [normalized(cell.source) for cell in code_cells(stem)]
    wanted = [normalized(source) for s, source, _ in CELLS if s == stem]
    positions = [sources.index(source) for source in wanted]
    assert positions == sorted(positions)


def test_the_non_leaf_warning_reads_as_a_plain_message():
    (cell,) = [c for c in code_cells("04-the-chain-rule") if normalized(c.source).endswith("\ny.grad")]
    message = printed(cell, stream="stderr")
    assert message is not None, "chapter 4 should show PyTorch's warning about y.grad"
    assert " ".join(message.split()) == NON_LEAF_WARNING
    assert "ipykernel" not in message and "/tmp/" not in message and "Triggered internally" not in message


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(r"# \D", first.source), "a title without number"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "run scripts/execute_notebooks.py"
    counts = []
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags", "jupyter"}
        tags = set(cell.metadata.get("tags", []))
        assert tags <= TAGS
        hidden = {"remove-input", "hide-input"} & tags
        assert cell.metadata.get("jupyter") == ({"source_hidden": True} if hidden else None), (
            "input the site hides is collapsed in Jupyter: run scripts/execute_notebooks.py"
        )
        if cell.cell_type != "code":
            continue
        assert "sys.path" not in cell.source
        counts.append(cell.execution_count)
        for output in cell.outputs:
            text = str(output)
            assert not re.search(r"/tmp/|ipykernel_|0x[0-9a-f]{6,}", text), f"machine-specific: {text[:200]}"
            if output.output_type == "error":
                assert "raises-exception" in cell.metadata.get("tags", [])
    assert counts == list(range(1, len(counts) + 1)), "executed top to bottom, once"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_source_lines_are_at_most_100_or_88_characters(path):
    """Markdown lines of at most 100 characters, code lines of at most 88 (the codebase's habit):
    a diff, a review and an editor beside the page show them whole. (On the website prose re-wraps
    to any width, and a code block scrolls.)"""
    nb = nbformat.read(path, as_version=4)
    long = [
        (k, line)
        for k, cell in enumerate(nb.cells)
        for line in cell.source.splitlines()
        if len(line) > (100 if cell.cell_type == "markdown" else 88)
    ]
    assert long == [], f"cell {long[0][0]}: {long[0][1]}"


def test_chapter_10_optimizer_takes_the_same_steps_as_the_loop_and_the_chapter_says_so():
    """The chapter's own loop and torch.optim.SGD, run here from the chapter's start: the same
    parameters, to the last bit; and the chapter prints that comparison."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0], dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0], dtype=torch.float64)

    def loss_of(w, b):
        p = torch.clamp(torch.sigmoid(w * x + b), 1e-8, 1 - 1e-8)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    start = {"dtype": torch.float64, "requires_grad": True}
    w, b = torch.tensor(4.0, **start), torch.tensor(-1.5, **start)
    losses = []
    for _ in range(40):
        loss = loss_of(w, b)
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            w -= 1.0 * w.grad
            b -= 1.0 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    w_sgd, b_sgd = torch.tensor(4.0, **start), torch.tensor(-1.5, **start)
    optimizer = torch.optim.SGD([w_sgd, b_sgd], lr=1.0)
    for _ in range(40):
        optimizer.zero_grad()
        loss_of(w_sgd, b_sgd).backward()
        optimizer.step()
    assert torch.equal(w, w_sgd) and torch.equal(b, b_sgd)
    assert abs(w.item() - 1.25) < 0.01 and abs(b.item() - 0.62) < 0.01, "trained near its lowest loss"

    chapter = read("10-training-the-neuron").cells
    exercises = next(k for k, c in enumerate(chapter) if c.source.startswith("## Exercises"))
    cells = [c for c in chapter[:exercises] if c.cell_type == "code"]  # the text, not the exercises
    (loop,) = [c for c in cells if "for step in range(40):" in c.source and "w.grad.zero_()" in c.source]
    assert printed(loop).splitlines() == [f"step {k:2}: loss {losses[k]:.4f}" for k in range(0, 40, 5)] + [
        f"after 40 steps: w = {w.item():.4f}, b = {b.item():.4f}"
    ]
    (sgd,) = [c for c in cells if "torch.optim.SGD([w_sgd, b_sgd], lr=1.0)" in c.source]
    assert "optimizer.zero_grad()" in sgd.source and "optimizer.step()" in sgd.source
    (compared,) = [c for c in cells if "torch.equal(w, w_sgd)" in c.source]
    assert printed(compared).splitlines() == [
        f"our loop:        w = {w.item()!r:20}  b = {b.item()!r}",
        f"torch.optim.SGD: w = {w_sgd.item()!r:20}  b = {b_sgd.item()!r}",
        "True True",
    ]


def install_cell(path):
    """The chapter's second cell, which installs the book's package when the chapter runs alone."""
    cell = nbformat.read(path, as_version=4).cells[1]
    assert cell.cell_type == "code" and cell.source.startswith("# Running this chapter on its own"), (
        "the second cell installs the book's package: run scripts/execute_notebooks.py"
    )
    return cell


def run_install_cell(cell, widgets_installed):
    """Run the cell's code as IPython would (its `%pip` turned into a magic call), with or without
    `widgets` importable: the magics it calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    calls = []

    class Shell:
        def run_line_magic(self, name, line):
            calls.append((name, line))

    saved = sys.modules.get("widgets")
    if not widgets_installed:
        sys.modules["widgets"] = None  # `import widgets` raises ModuleNotFoundError
    try:
        namespace = {"get_ipython": Shell}
        exec(TransformerManager().transform_cell(cell.source), namespace)
    finally:
        if saved is not None:
            sys.modules["widgets"] = saved
        else:
            sys.modules.pop("widgets", None)
    return calls, namespace


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_opened_alone_installs_the_book_package_and_otherwise_does_nothing(path):
    cell = install_cell(path)
    # On the website there is no kernel to run it; the .ipynb offered for download keeps it.
    assert cell.metadata.get("tags") == ["remove-cell"]
    # Where the package is installed (here, as in the book's environment and on Binder), the
    # cell installs nothing and prints nothing: nbval runs it with every chapter.
    assert cell.execution_count == 1 and cell.outputs == []
    calls, _ = run_install_cell(cell, widgets_installed=True)
    assert calls == []
    # Where it is missing (a downloaded chapter, Colab), it installs the package from the
    # repository that _config.yml names, which the launch buttons open too.
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    calls, namespace = run_install_cell(cell, widgets_installed=False)
    assert calls == [("pip", "install -q {BOOK}")] and namespace["BOOK"] == f"git+{url}"
    # The repository is installable with pip: a package with its dependencies declared.
    project = (ROOT / "pyproject.toml").read_text()
    assert 'name = "autograd-interactively"' in project and '"widgets"' in project


def test_chapter_1_looks_ahead_to_every_later_chapter():
    """Chapter 1's "What's ahead" links every chapter after the first, in order, the last one too."""
    ahead = next(c.source for c in read("01-what-is-autograd").cells if c.source.startswith("## What's ahead"))
    assert re.findall(r"\{doc\}`(\d\d-[a-z-]+)`", ahead) == [p.stem for p in CHAPTERS[1:]]


def test_what_backward_frees_is_shown_once_in_chapter_8():
    """A second backward pass through freed saved values: run and taken apart in one chapter, the
    one about running backward more than once; chapter 3 only points there."""
    shown = [
        path.stem
        for path in CHAPTERS
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error" and "backward through the graph a second time" in output.evalue
    ]
    assert shown == ["08-clearing-gradients"]
    assert "{doc}`08-clearing-gradients`" in next(
        c.source for c in read("03-gradients-with-autograd").cells if "**Gradients add up.**" in c.source
    )


def test_chapter_8_keeps_to_accumulation_and_leaves_the_optimizer_to_chapter_10():
    prose = "\n".join(c.source for c in read("08-clearing-gradients").cells if c.cell_type == "markdown")
    for taught_in_chapter_10 in ("momentum", "weight decay", "set_to_none", "zero_grad", "optimizer.step"):
        assert taught_in_chapter_10 not in prose.lower()
    assert "{doc}`10-training-the-neuron`" in prose

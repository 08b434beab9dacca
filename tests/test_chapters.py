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


def test_the_table_of_contents_lists_every_chapter_once_in_five_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    *parts, about = toc["parts"]
    files = [c["file"] for part in parts for c in part["chapters"]]
    assert files == [f"chapters/{path.stem}" for path in CHAPTERS]
    assert len(files) == 15
    assert [part["caption"] for part in parts] == [
        "Foundations",
        "A single neuron",
        "Working with gradients",
        "Training",
        "Beyond the tutorial",
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


def test_anomaly_detection_points_at_the_forward_line_without_the_kernels_frames_or_paths():
    """Chapter 13: the warning names the failing node and the cell's own line that created it;
    PyTorch's traceback of the kernel's frames (and every file path) is left out."""
    (cell,) = [c for c in code_cells("13-watching-and-changing-gradients") if "detect_anomaly()" in c.source]
    message = printed(cell, stream="stderr")
    assert "UserWarning: Error detected in SinBackward0." in message
    assert message.rstrip().endswith("In a cell, line 4, in <module>\n    z = torch.sin(y).sum()")
    assert cell.source.splitlines()[3].strip() == "z = torch.sin(y).sum()", "line 4 of the cell, as the warning says"
    assert not re.search(r"File |/|site-packages|ipykernel|asyncio|0x", message), message


def test_a_forward_traceback_keeps_the_cells_frames_only():
    from widgets.notebook import format_warning

    text = (
        "Error detected in MulBackward0. Traceback of forward call that caused the error:\n"
        '  File "/usr/lib/python3.11/runpy.py", line 198, in _run_module_as_main\n'
        '  File "/x/site-packages/ipykernel/kernelapp.py", line 768, in start\n    self.io_loop.start()\n'
        '  File "/tmp/ipykernel_4242/123.py", line 2, in <module>\n    y = f(x)\n'
        '  File "/tmp/ipykernel_4242/99.py", line 3, in f\n    return x * x\n'
        " (Triggered internally at /__w/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)"
    )
    assert format_warning(text, UserWarning) == (
        "UserWarning: Error detected in MulBackward0. Traceback of forward call\n"
        "that caused the error (the notebook's own frames):\n"
        "  In a cell, line 2, in <module>\n    y = f(x)\n"
        "  In a cell, line 3, in f\n    return x * x\n"
    )


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
        streams = [o.get("name") if o.output_type == "stream" else None for o in cell.outputs]
        assert not any(a and a == b for a, b in zip(streams, streams[1:])), (
            f"one print split into two blocks on the page: {cell.source[:60]!r}"
        )
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


def test_chapter_9_freezing_inference_tensors_and_leaves_behave_as_the_chapter_says():
    """Chapter 9's claims, run here: a frozen layer's parameters get no .grad and backward stops
    short of it; a result computed untracked is a leaf; an inference tensor may be added to a
    recorded computation but not saved for backward, nor changed in place outside the mode."""
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1))
    for p in model[0].parameters():
        p.requires_grad_(False)
    hidden = model[1](model[0](torch.ones(1, 2)))
    assert hidden.grad_fn is None and hidden.is_leaf, "backward has nowhere to go in the frozen layer"
    model[2](hidden).sum().backward()
    assert [p.grad is None for p in model.parameters()] == [True, True, False, False]

    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        y = x**2
    assert x.is_leaf and y.is_leaf and not (x**2).is_leaf

    w = torch.tensor(2.0, requires_grad=True)
    with torch.inference_mode():
        t = torch.tensor(3.0) * 2
    (w + t).backward()
    assert t.is_inference() and w.grad.item() == 1.0
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        w * t
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
        t += 1

    cells = code_cells("09-turning-tracking-off")
    (frozen,) = [c for c in cells if "p.requires_grad_(False)  # freeze layer 0" in c.source]
    lines = printed(frozen).splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "0.weight: requires_grad=False",
        "0.bias: requires_grad=False",
        "2.weight: requires_grad=True",
        "2.bias: requires_grad=True",
    ]
    assert [line.endswith("grad=None") for line in lines] == [True, True, False, False]
    (saved,) = [c for c in cells if c.source.startswith("s = w * t")]
    assert saved.outputs[0].evalue.startswith("Inference tensors cannot be saved for backward")


def test_chapter_10_no_sigmoid_puts_all_seven_right_and_no_gradient_exceeds_the_bound():
    """Chapter 10's seven examples: no (w, b) puts all seven on the right side of 1/2, though
    (-2, -1) gets the two awkward ones right; |dL/dw| <= mean |x| and |dL/db| <= 1 everywhere, and
    where the gradient vanishes far away, the clamp is why. The chapter prints those numbers."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0], dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    grid = torch.linspace(-30, 30, 601, dtype=torch.float64)
    right = ((torch.sigmoid(grid[:, None, None] * x + grid[None, :, None]) > 0.5) == (y == 1)).sum(-1)
    assert right.max() == 6
    awkward = torch.sigmoid(-2.0 * x[2:4] - 1.0)
    assert awkward[0] > 0.5 > awkward[1]

    def gradients(w0, b0, clamp=True):
        w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
        p = torch.sigmoid(w * x + b)
        p = torch.clamp(p, 1e-8, 1 - 1e-8) if clamp else p
        loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        loss.backward()
        return loss.item(), w.grad.item(), b.grad.item()

    bound = x.abs().mean().item()
    for w0, b0 in torch.randn(200, 2, generator=torch.Generator().manual_seed(0)).mul(15).tolist():
        _, dw, db = gradients(w0, b0)
        assert abs(dw) <= bound + 1e-12 and abs(db) <= 1 + 1e-12
    far, farther = gradients(-5.0, 0.0), gradients(-10.0, 0.0)
    assert far[1] < -0.9 * bound and -0.15 < farther[1] < -0.14
    assert gradients(-10.0, 0.0, clamp=False)[1] < -0.9 * bound, "without the clamp it stays large"

    cells = code_cells("10-training-the-neuron")
    (shown,) = [c for c in cells if "for w_far in (-5.0, -10.0):" in c.source]
    assert printed(shown).splitlines() == [
        f"mean |x| = {bound:.4f}",
        f"w = -5.0, b = 0: loss {far[0]:.4f}, dL/dw {far[1]:.4f}",
        f"w = -10.0, b = 0: loss {farther[0]:.4f}, dL/dw {farther[1]:.4f}",
    ]


def test_chapter_10_zero_grad_removes_gradients_and_only_zeros_let_momentum_or_decay_move_a_parameter():
    """optimizer.zero_grad() leaves None; a second step with nothing new in .grad moves a parameter
    only when .grad holds zeros and the optimizer has momentum or weight decay: the chapter's numbers,
    from the update rules written out."""
    torch = pytest.importorskip("torch")
    p = torch.tensor(1.0, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1)
    (2 * p).backward()
    optimizer.zero_grad()
    assert p.grad is None

    lr, g, beta, decay = 0.1, 2.0, 0.9, 0.1
    first = {"{}": 1 - lr * g, "{'momentum': 0.9}": 1 - lr * g, "{'weight_decay': 0.1}": 1 - lr * (g + decay)}
    zeros = {
        "{}": first["{}"],
        "{'momentum': 0.9}": first["{'momentum': 0.9}"] - lr * beta * g,
        "{'weight_decay': 0.1}": first["{'weight_decay': 0.1}"] * (1 - lr * decay),
    }
    (cell,) = [c for c in code_cells("10-training-the-neuron") if "def after_two_steps" in c.source]
    assert printed(cell).splitlines() == [f"{k}: .grad None {first[k]:.4f}, .grad zeros {zeros[k]:.4f}" for k in first]
    assert zeros["{'momentum': 0.9}"] == pytest.approx(0.62) and zeros["{'weight_decay': 0.1}"] == pytest.approx(0.7821)


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

"""Bad input, tried as a hostile tester would (issue 17, section C): each case ends, at once, in a
sentence a reader can act on (a ValueError, TypeError or GraphError when the figure is made, or a
verdict), never in a hang, a wrong label or torch's own wording.

Every test here failed before its fix: the table's thinning looped for ever, the chain figure
wrote "y = x²" for any function, any RuntimeError of a graph was read as "freed", and so on.
"""

import math
import signal
from contextlib import contextmanager

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import ChainExplorer, MeanOfSquaresExplorer, NeuronExplorer, explore, show_graph
from widgets.checks import check
from widgets.explorer import TABLE_BUDGET, TABLE_VALUES
from widgets.graph import GraphError


@contextmanager
def within(seconds):
    """Fails, rather than hangs, where the code inside never ends: `seconds` is generous (the code
    takes milliseconds) so that a busy machine never trips it."""

    def late(*_):
        raise TimeoutError(f"still running after {seconds} s: it does not end")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def raised(make, kind=(TypeError, ValueError)):
    """The message of the error `make()` raises (of `kind`): one error, with no torch traceback under it."""
    with pytest.raises(kind) as caught:
        make()
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return str(error)


# C1: the table's thinning ends, for any number of sliders and any grid ----------------------------


def test_eight_sliders_make_a_table():
    figure = MeanOfSquaresExplorer(start=(1.0,) * 8)
    with within(120):
        grids = figure.table_grids()
    assert math.prod(map(len, grids.values())) <= TABLE_BUDGET
    assert all(1.0 in grid for grid in grids.values()), "each slider keeps its start"


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_thinning_ends_within_the_budgets_for_any_sliders(data):
    n = data.draw(st.integers(1, 10), label="sliders")
    half = data.draw(st.integers(1, 40), label="steps each side")
    step = data.draw(st.sampled_from([0.5, 0.25, 0.1, 1.0]), label="step")
    grid = [round(k * step, 2) for k in range(-half, half + 1)]
    start = tuple(data.draw(st.sampled_from(grid)) for _ in range(n))
    figure = MeanOfSquaresExplorer(start=start, x=(-half * step, half * step, step))
    numbers = 3 * n + 1  # x, x.grad and 2x/n for each element, and y
    with within(120):
        grids = figure.table_grids()
    frames = math.prod(map(len, grids.values()))
    assert frames <= TABLE_BUDGET and frames * numbers <= TABLE_VALUES
    for i, value in enumerate(start):
        chosen = grids[f"x{i}"]
        assert value in chosen and chosen == sorted(chosen) and set(chosen) <= set(grid)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(2, 300), where=st.floats(0, 1), k=st.integers(1, 400))
def test_each_thinning_gives_fewer_values_and_keeps_the_start(size, where, k):
    from widgets.explorer import _fewer

    grid = list(range(size))
    keep = grid[round(where * (size - 1))]
    fewer = _fewer(grid, grid, keep, k)
    assert len(fewer) < size and keep in fewer and set(fewer) <= set(grid)


def test_halving_for_the_pages_bytes_ends_too():
    from widgets.explorer import _fewer

    # Four values with the start second: "every other value, the ends and the start" kept all four.
    assert _fewer([0.0, 0.5, 1.0, 1.5], [0.0, 0.5, 1.0, 1.5], 0.5, 2) == [0.0, 0.5, 1.5]


# C2: the chain figure names the functions it is given ------------------------------------------------


def test_the_chain_figure_writes_the_functions_it_was_given():
    text = ChainExplorer(torch.exp, torch.exp).text()
    assert "y = exp(x): 1.0000" in text and "z = exp(y): 2.7183" in text
    assert "x²" not in text and "sin" not in text and "cos" not in text
    assert "dz/dy  (y.grad): 2.7183" in text, "no formula for dz/dy unless one is given"
    assert ChainExplorer(torch.exp, torch.exp).formula == "exp(exp(x))"


def test_local_alone_writes_the_derivatives_beside_the_functions_own_names():
    text = ChainExplorer(torch.exp, torch.exp, local=("exp(x)", "exp(y)")).text()
    assert "y = exp(x)" in text and "z = exp(y)" in text
    assert "dz/dy = exp(y)  (y.grad)" in text and "dy/dx = exp(x)" in text


def test_a_lambda_is_written_by_its_role_and_chapter_4s_functions_as_chapter_4_writes_them():
    labels = [row[0] for row in ChainExplorer(lambda x: x**3, torch.sin).readout.rows]
    assert labels[:4] == ["y = inner(x)", "z = sin(y)", "dz/dy  (y.grad)", "dy/dx"]
    labels = [row[0] for row in ChainExplorer(lambda x: x**2, torch.sin).readout.rows]
    assert labels[:4] == ["y = x²", "z = sin(y)", "dz/dy = cos(y)  (y.grad)", "dy/dx = 2x"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"names": ("exp(x)",)}, "names is two texts, one for inner and one for outer"),
        ({"names": "exp(x)"}, "names is two texts"),
        ({"names": ("exp(x)", 3)}, "names is two texts"),
        ({"local": ("exp(x)",)}, "local is two texts"),
    ],
)
def test_wrong_names_get_a_sentence(kwargs, message):
    said = raised(lambda: ChainExplorer(torch.exp, torch.exp, **kwargs), TypeError)
    assert message in said and "e.g." in said and "unpack" not in said


# C3: a value changed in place is not a freed graph ---------------------------------------------------


def test_a_value_changed_in_place_is_said_as_chapter_9_says_it_and_only_freed_is_freed():
    x = torch.tensor(2.0, requires_grad=True)
    y = x.exp()
    y.add_(1)
    note = show_graph(y, {"x": x, "y": y}).frame()["note"]
    assert "freed" not in note
    assert "changed in place" in note and "version counter reads 1" in note and "needs version 0" in note
    assert "chapter 9" in note and ".clone()" in note
    y = x.exp()
    y.backward()
    assert "freed the values its nodes saved" in show_graph(y, {"x": x, "y": y}).frame()["note"]


# C4: explore runs backward once when it is made --------------------------------------------------------


def _in_place(x):
    y = x.exp()
    y.add_(1)
    return y


class Refuses(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("this backward is not written yet")


def test_a_backward_that_fails_is_said_when_the_figure_is_made():
    said = raised(lambda: explore(_in_place))
    assert said.startswith("backward() through f at x = 0 fails")
    assert "changed in place" in said and "version counter reads 1" in said and "chapter 9" in said
    said = raised(lambda: explore(Refuses.apply))
    assert "backward() raised ValueError: this backward is not written yet" in said
    said = raised(lambda: ChainExplorer(_in_place, torch.sin))
    assert "changed in place" in said and "version counter" in said


# C5: show_graph on a custom Function, a complex tensor, a list of names ------------------------------


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


def test_a_custom_functions_node_is_drawn_as_pytorch_names_it_with_what_the_engine_sends():
    x = torch.tensor(3.0, requires_grad=True)
    y = Square.apply(x) * 5
    text = show_graph(y, {"x": x, "y": y}).text()
    (engine,) = torch.autograd.grad(y, x, retain_graph=True)  # what PyTorch's own engine sends to x
    assert "SquareBackward receives 5.0000; it sends 30.0000 to x" in text
    assert float(engine) == 30.0 and f"stores {float(engine):.4f} in x.grad" in text
    assert x.grad is None, "show_graph changes nothing"


def test_a_complex_output_is_refused_in_a_sentence_and_complex_nodes_are_written():
    x = torch.tensor(3 + 1j, requires_grad=True)
    z = x * x
    said = raised(lambda: show_graph(z, {"x": x, "z": z}), GraphError)
    assert "z is complex (torch.complex64)" in said and "z.abs()" in said
    length = z.abs()
    text = show_graph(length, {"x": x, "z": z, "length": length}).text()
    assert "AbsBackward0 (length) receives 1.0000" in text


def test_names_as_a_list_name_those_variables():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x  # noqa: F841 (named below, by its name)
    text = show_graph(x * 2, names=["x"]).text()
    assert "to x" in text
    assert "no tensor called 'w'" in raised(lambda: show_graph(x * 2, names=["w"]), GraphError)
    said = raised(lambda: show_graph(x * 2, names=[x]), GraphError)
    assert "names maps each name to its tensor, e.g. names={'x': x, 'y': y}" in said


# C6: a cut graph in the chain figure is said as explore says it --------------------------------------


@pytest.mark.parametrize(
    "inner, outer, words",
    [
        (lambda x: x.detach() ** 2, torch.sin, "no graph leads from y back to x (x.grad stays None): inner cut it"),
        (lambda x: x.long(), torch.sin, "no graph leads from y back to x"),
        (lambda x: x.item(), torch.sin, "no graph leads from y back to x"),
        (torch.sin, lambda y: torch.tensor(3.0), "no graph leads from z back to y (y.grad stays None): outer cut it"),
    ],
    ids=["detach", "long", "item", "constant outer"],
)
def test_a_cut_chain_is_said_in_the_words_explore_uses(inner, outer, words):
    said = raised(lambda: ChainExplorer(inner, outer), ValueError)
    assert words in said and "chapter 9" in said
    assert "retain_grad" not in said and "does not have a grad_fn" not in said


# C7: check() on numbers and tensors it could not read, and on a name that is a number ----------------


@pytest.mark.parametrize(
    "answer, words",
    [
        (10**400, "a whole number too large for a float"),
        ([10**400], "a whole number too large for a float"),
        (torch.empty((), device="meta"), "on the meta device, which has a shape but no values"),
    ],
    ids=["huge int", "list of a huge int", "meta"],
)
def test_check_says_what_it_cannot_read(answer, words):
    verdict = check("4.2", answer)
    assert not verdict and words in verdict.message


def test_a_sparse_answer_is_read_as_its_values():
    from widgets.checks import exercise

    right = exercise("4.2").expected()
    assert check("4.2", right.reshape(1).to_sparse())
    assert not check("4.2", (right + 1).reshape(1).to_sparse())


def test_an_exercise_named_by_a_number_is_told_to_use_text():
    verdict = check(4.2, 1.0)
    assert not verdict and 'check("4.2", answer), not check(4.2, answer)' in verdict.message
    assert 'check("4.1", answer)' in check(4, 1.0).message


# C8: numbers a slider cannot write, and arguments of the wrong kind --------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: explore(torch.sin, x=(-1.7e308, 1.7e308, 1e307)), "x runs from -1.7e+308 to 1.7e+308"),
        (lambda: explore(torch.sin, x=(-1e300, 1e300, 1e298)), "Rescale the variable"),
        (lambda: explore(torch.sin, x=(0.0, 1e-13, 1e-15)), "need 15 decimal places to write"),
        (lambda: explore(torch.sin, x=(0.0, 1e6, 1e-3)), "is 1,000,000,000 steps; a slider takes at most 1,000,000"),
        (lambda: explore(torch.sin, formula=3), "formula is written as text, e.g. formula='x²'; got 3 (int)"),
        (lambda: explore(torch.sin, graph="yes"), "graph is True or False; got 'yes' (str)"),
        (lambda: NeuronExplorer(3), "graph is True or False; got 3 (int): NeuronExplorer(graph=True)"),
        (lambda: explore(torch.sin, derivative="cos(x)"), "derivative='cos(x)' labels the derivative worked out"),
        (lambda: ChainExplorer(torch.exp, torch.sin, graph="no"), "graph is True or False"),
    ],
    ids=[
        "beyond float64",
        "1e300",
        "too many decimals",
        "too many steps",
        "formula",
        "graph",
        "neuron",
        "derivative",
        "chain graph",
    ],
)
def test_arguments_a_figure_cannot_use_are_said_when_it_is_made(make, words):
    with within(120):
        said = raised(make)
    assert words in said


def test_a_fine_scale_shows_y_with_the_places_x_has():
    text = explore(torch.sin, x=(0.0, 1e-9, 1e-11)).text()
    assert "At x = 0.00000000050:" in text and "y: 0.00000000050" in text


def test_a_value_just_outside_the_range_is_written_as_it_is():
    answer = explore(torch.sin).answer({"view": "v", "seq": 1, "values": {"x": 3.0000000001}})
    assert "x = 3.0000000001 is outside -3.00 … 3.00" in answer["error"]


def test_a_count_refuses_a_value_between_its_whole_numbers():
    from widgets.controls import Slider

    steps = Slider("steps", "steps", 0, 40, 1, 40, whole=True)
    assert steps.parse(2.0) == 2.0
    with pytest.raises(ValueError, match="steps takes whole numbers only; got 2.5"):
        steps.parse(2.5)


def test_a_thinned_slider_moves_in_round_steps_and_the_chapter_says_which():
    """Chapter 6's neuron (with its graph) is thinned for the page: x in steps of 0.4, not 0.3,
    as chapter 6 tells the reader."""
    import nbformat

    from tests.conftest import ROOT

    figure = NeuronExplorer(graph=True)
    grid = [x for x in figure.table_grids()["x"] if x != figure.start["x"]]  # and the start, 6.7
    assert {round(b - a, 9) for a, b in zip(grid, grid[1:])} == {0.4}
    chapter = nbformat.read(next((ROOT / "chapters").glob("06-*.ipynb")), 4)
    assert any("moves in steps of 0.4 on the website" in c.source for c in chapter.cells)

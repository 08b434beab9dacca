"""The interactive figures, from Python: their numbers, what a reader may throw at them, the kernel's
answers to the page's script, and the output bundle.

Every figure of every chapter is found in the notebooks (tests/figures.py) and must have an
independent check. Every number each shows, at every point of its grid, is checked against closed
forms and fresh torch code written in tests/figures.py, both as the notebook stores it for the page
and as the kernel computes it (float64). The page's script itself is tested against Python's rules
(tests/test_rules.py) and in a browser (tests/test_figures_in_browser.py, tests/test_jupyter.py).
"""

import json
import math
import re

import nbformat
import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests.figures import (
    CHAPTERS,
    CHECKS,
    EXPLORERS,
    Explorer,
    check_of,
    decode,
    grids,
    make,
    stored_figures,
    table_points,
    train,
)
from widgets import (
    ChainExplorer,
    FiniteDifferenceExplorer,
    MeanOfSquaresExplorer,
    NeuronExplorer,
    TrainingExplorer,
    explore,
    explorer,
    marks,
    theme,
)
from widgets.explorer import TABLE_BUDGET
from widgets.formats import format_value
from widgets.marks import Arrow, Ellipse, Graph, Label, Line, Point, Tangent
from widgets.page import MIME, NO_SCRIPT, asset, skeleton

STORED = stored_figures()
STORED_EXPLORERS = [s for s in STORED if isinstance(check_of(s), Explorer)]
FIRST = EXPLORERS[0].source  # chapter 3's explore(x²), with a graph panel


def same_number(shown, expected, decimals=4):
    """What a reader sees is what was expected: the same text, and the float64 value close."""
    return format_value(shown, decimals) == format_value(expected, decimals)


def check_frame(frame, expected, decimals, where):
    for channel, value in expected.items():
        if channel == "note":  # True where a note must be shown, False where none may
            assert bool(frame["note"]) == value, f"note at {where}: {frame['note']!r}"
        elif isinstance(value, str):
            assert frame[channel] == value, f"{channel} at {where}"
        elif math.isnan(value):  # a point not reached yet: no number, drawn nowhere
            assert math.isnan(frame[channel]), f"{channel} at {where}: {frame[channel]} where none is"
        else:
            d = decimals.get(channel, 4)
            assert same_number(frame[channel], value, d), f"{channel} at {where}: {frame[channel]} ≠ {value}"
            assert frame[channel] == pytest.approx(value, rel=1e-9, abs=1e-12), f"{channel} at {where}"


# The chapters' figures --------------------------------------------------------------------------


@pytest.mark.parametrize("stored", STORED, ids=lambda s: s.name)
def test_every_figure_of_every_chapter_has_an_independent_check(stored):
    check = check_of(stored)
    assert check is not None and check.title == stored.data["title"], (
        f"{stored.name}: no independent check of its numbers (tests/figures.py, CHECKS[{stored.chapter!r}])"
    )
    if isinstance(check, Explorer):
        squeezed = "".join(stored.cell.split())
        assert squeezed.endswith("".join(check.source.split())), f"{stored.name} is no longer made by {check.source}"


@pytest.mark.parametrize("chapter", CHECKS)
def test_every_check_is_of_a_figure_its_chapter_shows(chapter):
    shown = [s.data["title"] for s in STORED if s.chapter == chapter]
    assert [check.title for check in CHECKS[chapter]] == shown, f"{chapter}: CHECKS lists figures it does not show"


@pytest.mark.parametrize("stored", STORED_EXPLORERS, ids=lambda s: s.name)
def test_every_number_the_page_stores_is_right_at_every_grid_point(stored):
    """The table the notebook carries, which the website's figure draws from: every frame."""
    expected, data = check_of(stored).expected, stored.data
    table = data["table"]
    for values, frame in zip(table_points(data, table), decode(table)):
        for channel, value in expected(values).items():
            if isinstance(value, str):
                assert frame[channel] == value, (channel, values)
            elif channel != "note":
                assert same_number(frame[channel], value, data["decimals"].get(channel, 4)), (channel, values)
            else:  # a note where one must be, none where none may
                assert bool(frame["note"]) == value, (values, frame["note"])


@pytest.mark.parametrize("check", EXPLORERS, ids=lambda c: c.source)
def test_every_number_the_kernel_computes_is_right_at_every_grid_point(check):
    figure = make(check.source)
    names = [c.name for c in figure.controls]
    for point, frame in figure.frames().items():
        values = dict(zip(names, point))
        check_frame(frame, check.expected(values), figure.decimals, values)


def test_neuron_starts_at_the_chapters_numbers():
    frame = NeuronExplorer().frame(**NeuronExplorer().start)
    assert format_value(frame["loss"]) == "6.7012"
    assert format_value(frame["dw"]) == format_value(frame["dw_hand"]) == "6.6918"
    assert format_value(frame["db"]) == format_value(frame["db_hand"]) == "0.9988"


def test_neuron_says_when_the_clamp_holds_the_prediction():
    saturated = NeuronExplorer().frame(x=10.0, w=2.0, b=0.0, y="0")  # z = 20 > 18.42
    assert saturated["loss"] == pytest.approx(-math.log(1e-8), rel=1e-9)
    assert saturated["dw"] == saturated["db"] == 0.0
    assert "clamp" in saturated["note"]


def test_training_starts_where_the_chapters_loop_ends():
    frame = TrainingExplorer().frame(**TrainingExplorer().start)
    assert (format_value(frame["w"]), format_value(frame["b"])) == ("1.2487", "0.6243")
    assert format_value(frame["loss"]) == "0.3559" and frame["step"] == 40.0


@pytest.mark.parametrize(
    "lr, zero, steps, says",
    [
        ("1", "yes", 0, "Step 0: the parameters as they start, w = 4 and b = -1.5"),
        ("0.1", "yes", 40, "the steps are too small for 40 steps to get there"),
        ("0.1", "yes", 12, "So far the loss has fallen at every step."),
        ("1", "yes", 40, "Training has converged."),
        ("5", "yes", 6, "Training has converged."),
        ("15", "yes", 40, "The loss went up at step 2: the step jumped across the valley"),
        ("1", "no", 5, "So far the loss has fallen at every step."),
        ("1", "no", 40, "The gradients are never cleared"),
        ("1", "no", 40, "the loss went up again at step 7."),
        ("15", "no", 40, "The parameters are now off the picture."),
    ],
)
def test_training_says_in_words_what_the_run_does(lr, zero, steps, says):
    note = TrainingExplorer().frame(lr=lr, steps=float(steps), zero=zero)["note"]
    assert says in note


def test_training_never_says_converged_or_too_large_where_it_is_not():
    figure = TrainingExplorer()
    for lr, _ in figure.RATES:
        for steps in range(0, 41, 4):
            note = figure.frame(lr=lr, steps=float(steps), zero="yes")["note"]
            history, _, _ = train(float(lr), steps, True)
            losses = [loss for loss, _, _ in history]
            rose = any(b > a + 1e-12 for a, b in zip(losses, losses[1:]))  # not rounding noise
            assert ("too large" in note) == rose, (lr, steps, note)
            assert ("converged" in note) == (not rose and losses[-1] - 0.35588 < 1e-3), (lr, steps, note)


def test_training_draws_every_path_with_cleared_gradients_whole_and_its_table_is_not_thinned():
    figure = make("TrainingExplorer()")
    data = figure.figure()
    table = data["table"]
    assert table["frames"] == 4 * 41 * 2, "every step of every setting is on the page"
    assert grids(table)["steps"] == [float(i) for i in range(41)]
    assert len(table["packed"]) <= explorer.TABLE_BYTES
    (w_lo, w_hi), (b_lo, b_hi) = (data["layouts"][0]["axes"][1][k] for k in ("xlim", "ylim"))
    for lr, _ in figure.RATES:
        history, _, _ = train(float(lr), 40, True)
        assert all(w_lo <= w <= w_hi and b_lo <= b <= b_hi for _, w, b in history), lr
    assert len(json.dumps(data).encode()) <= 200_000


def test_tracking_figure_shows_the_error_backward_raises():
    frame = make("TrackingExplorer()").frame(mode="no_grad", x=2.0)
    assert frame["backward"] == "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"


def drawn(figure, frame):
    """What a reader sees of a frame's marks (widgets.marks): each mark's text, or whether it is drawn."""
    seen = []
    for mark in figure.marks:
        if isinstance(mark, Label):
            seen.append(frame[mark.text] if math.isfinite(marks._number(frame, mark.x)) else "")
        elif isinstance(mark, Arrow):
            seen.append(mark.ends(frame))
        elif isinstance(mark, Line):
            seen.append(tuple(math.isfinite(marks._number(frame, y)) for y in mark.ys))
    return seen


def test_tracking_figure_looks_different_in_every_mode_and_its_arrows_point_forward():
    figure = make("TrackingExplorer()")
    frames = {mode: figure.frame(mode=mode, x=2.0) for mode, _ in figure.MODES}
    pictures = {mode: repr(drawn(figure, frame)) for mode, frame in frames.items()}
    assert len(set(pictures.values())) == 4, "two ways of computing y look the same"
    arrows = [m for m in figure.marks if isinstance(m, Arrow)]
    for mode, frame in frames.items():
        shown = [(mark, mark.ends(frame)) for mark in arrows if mark.ends(frame)]
        # Forward: from x (left) towards y (right), the way the computation ran.
        assert shown and all(end[0] > start[0] and end[1] == start[1] for _, (start, end) in shown), mode
        solid = [mark for mark, _ in shown if not mark.dashed]
        assert bool(solid) == (mode == "tracked"), f"{mode}: a solid edge where nothing was recorded"
        assert (frame["cut"] == "×") == (mode != "tracked")
        assert bool(frame["copy"]) == (mode == "detach") and bool(frame["block"]) == (mode == "no_grad")
        assert bool(frame["x_plain"]) == (mode == "requires_grad_"), "x is edged as a leaf while it requires grad"
    assert frames["tracked"]["back"] == "← backward sends 2x = 4 to x.grad"


def test_accumulation_draws_the_run_at_the_x_it_ran_at_and_names_only_its_controls():
    figure = make("AccumulationExplorer()")
    labels = {c.label for c in figure.controls}
    line = next(m for m in figure.marks if isinstance(m, Line))
    for x in (2.0, -1.5):
        frame = figure.frame(x=x, calls=5, zero="3")
        points = [(frame[t], frame[v]) for t, v in zip(line.xs, line.ys) if math.isfinite(frame[v])]
        # Every point is this run's: calls 1…5 at this x, and the drop to 0 right after call 3.
        assert points == [(1, 2 * x), (2, 4 * x), (3, 6 * x), (3, 0.0), (4, 2 * x), (5, 4 * x)]
        assert frame["grad"] == 4 * x
    notes = {frame["note"] for frame in figure.frames().values()}
    assert "No backward() call yet: x.grad is None, not 0." in notes
    for note in notes:
        assert "reset" not in note and "button" not in note, note
        assert all(label in labels for label in re.findall(r"\*\*(.+?)\*\*", note))


# One meaning per colour ------------------------------------------------------------------------

NEUTRAL = {"ink", "label", "muted", "axis", "faint", "grid", "paper", "box", "halo"}
#: Figures of every kind the book has, as readers make them too.
KINDS = [*(c.source for c in EXPLORERS), "ChainExplorer(torch.sin, torch.exp)"]


def test_second_derivative_says_which_way_f_bends_by_the_sign_of_f2():
    figure = make("SecondDerivativeExplorer()")
    for (x,), frame in figure.frames().items():
        d2 = 2 * math.cos(x * x) - 4 * x * x * math.sin(x * x)
        assert abs(d2) > 1e-6, "no grid point sits on an inflection, where the note would be moot"
        rising, upward = "f′ is rising" in frame["note"], "f bends upward" in frame["note"]
        assert rising == upward == (d2 > 0), (x, frame["note"])
        assert ("f′ is falling" in frame["note"]) == ("f bends downward" in frame["note"]) == (d2 < 0), x


def test_every_meaning_reads_on_every_background():
    for name in [*theme.MEANINGS, "label", "muted", "ink"]:
        light, dark = theme.PALETTE[name]
        assert theme.contrast(light, theme.BACKGROUNDS["light"][0]) >= 4.5, name
        assert all(theme.contrast(dark, background) >= 4.5 for background in theme.BACKGROUNDS["dark"]), name
    values = [theme.PALETTE[name] for name in theme.MEANINGS]
    assert len(set(values)) == len(values), "two meanings share a colour"
    assert theme.contrast("#777777", "#ffffff") < 4.5 < theme.contrast("#767676", "#ffffff")  # WCAG's own example


def meaning(mark, figure):
    """What a mark draws, from what it is and the readout's words for the numbers it draws."""
    rows = [row[0] for row in figure.readout.rows if set(row[1:]) & set(mark.shows())]
    if isinstance(mark, Tangent):
        return "tangent"
    if isinstance(mark, Point):
        return "current"
    if any("grad" in r or r.startswith("d") for r in rows):
        return "gradient"
    return None


@pytest.mark.parametrize("source", KINDS)
def test_every_figure_gives_each_meaning_its_one_colour(source):
    figure = make(source)
    for mark in figure.marks:
        if isinstance(mark, Graph):
            continue
        assert mark.color in theme.MEANINGS or mark.color in NEUTRAL, f"{mark}: a colour with no meaning"
        if meaning(mark, figure):
            assert mark.color == meaning(mark, figure), mark
    # What does not move either: no colour of matplotlib's cycle, whose meaning would be anyone's.
    for layout in figure.figure(table=False)["layouts"]:
        used = set(re.findall(r"var\(--agi-([a-z0-9]+)", layout["background"]))
        assert used <= set(theme.MEANINGS) | NEUTRAL, used - set(theme.MEANINGS) - NEUTRAL


def row_colours(data):
    """{row label: colour}: each readout row whose number a mark draws, in that mark's colour (the
    first such mark), as the page's script colours it (figure.js: colourRows)."""
    colours = {}
    for label, *channels in data["readout"]["rows"]:
        mark = next((m for m in data["marks"] if set(m["shows"]) & set(channels)), None)
        if mark:
            colours[label] = mark["color"]
    return colours


@pytest.mark.parametrize(
    "source, expected",
    [
        (FIRST, {"y": "current", "dy/dx, autograd (x.grad)": "tangent"}),
        ("NeuronExplorer()", {"y_pred = σ(z)": "current", "loss": "current", "dL/db": "tangent"}),
        ("MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0))", {"x": "value", "x.grad (autograd)": "gradient"}),
        ("AccumulationExplorer()", {"x.grad (autograd)": "current"}),
        (
            "TrainingExplorer()",
            {
                "the parameters": "current",
                "dL/dw, dL/db here (the arrow: −∇L, ×10)": "gradient",
                "loss (mean over the 7 examples)": "current",
            },
        ),
    ],
)
def test_readout_rows_carry_the_colour_of_the_mark_that_draws_their_number(source, expected):
    data = make(source).figure(table=False)
    assert row_colours(data) == expected
    kinds = {m["kind"]: m["shows"] for m in data["marks"]}
    for m in data["marks"]:  # a mark "shows" the channels it draws a number of, and no other
        assert set(m["shows"]) <= {v for k, v in m.items() if isinstance(v, str)} | {
            c for v in m.values() if isinstance(v, list) for c in v if isinstance(c, str)
        }, kinds


def test_training_draws_minus_the_gradient_at_the_current_w_b():
    figure = make("TrainingExplorer()")
    (arrow,) = [m for m in figure.marks if isinstance(m, Arrow)]
    for lr, steps in (("1", 0), ("1", 3), ("15", 7)):
        frame = figure.frame(lr=lr, steps=float(steps), zero="yes")
        history, (dw, db), _ = train(float(lr), steps, True)
        _, w, b = history[-1]
        start, end = arrow.ends(frame)
        assert start == pytest.approx((w, b), abs=1e-12)
        assert end == pytest.approx((w - figure.ARROW * dw, b - figure.ARROW * db), abs=1e-12)
    data = figure.figure(table=False)
    assert data["readout"]["header"] == ["", "w", "b"]
    contours = data["layouts"][0]["axes"][1]
    assert contours["clip"][2] / contours["clip"][3] == pytest.approx(6.5 / 4.5, rel=1e-3), "w and b on one scale"


def test_mean_of_squares_draws_x_and_its_gradient_on_one_scale():
    data = make("MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0))").figure(table=False)
    for layout in data["layouts"]:
        left, right = layout["axes"]
        assert left["ylim"] == right["ylim"] and left["y"][0] == pytest.approx(right["y"][0])


def test_jacobian_draws_the_circle_its_image_under_j_and_both_planes_to_scale():
    """Chapter 11: the still's ellipse is f(x) + 0.5·J·(cos t, sin t) with J = [[b, a], [1, cos b]]
    typed here, the circle (a, b) + 0.5·(cos t, sin t); both planes one unit across as up, so a
    circle looks round; vᵀJ's arrow at half length, v's whole."""
    figure = make("JacobianExplorer()")
    a, b = 1.5, 1.0
    frame = figure.frame(a=a, b=b, angle=30.0)
    circle, ellipse = [m for m in figure.marks if isinstance(m, Ellipse)]
    turns = [2 * math.pi * k / 72 for k in range(73)]
    for (x, y), t in zip(ellipse.points(frame), turns):
        assert x == pytest.approx(a * b + 0.5 * (b * math.cos(t) + a * math.sin(t)), abs=1e-12)
        assert y == pytest.approx(a + math.sin(b) + 0.5 * (math.cos(t) + math.cos(b) * math.sin(t)), abs=1e-12)
    for (x, y), t in zip(circle.points(frame), turns):
        assert (x, y) == pytest.approx((a + 0.5 * math.cos(t), b + 0.5 * math.sin(t)), abs=1e-12)
    assert ellipse.points({**frame, "j11": math.nan}) is None, "not drawn without its numbers"
    arrows = {m.dx: m.scale for m in figure.marks if isinstance(m, Arrow)}
    assert arrows == {"g0": 0.5, "v0": 1.0}
    for layout in figure.figure(table=False)["layouts"]:
        for axes in layout["axes"]:
            assert axes["x"][0] == pytest.approx(-axes["y"][0], rel=1e-3), "a unit as long across as up"


def test_neuron_legend_and_clamp_label_stay_off_every_curve_and_the_tangent_stays_short():
    figure = NeuronExplorer()
    for _, size, rows, columns in figure.layouts():
        canvas, axes = figure.background(size, rows, columns)
        FigureCanvasAgg(canvas).draw()
        right = axes[1]
        renderer = canvas.canvas.get_renderer()
        boxes = [right.get_legend().get_window_extent(renderer)]
        boxes += [t.get_window_extent(renderer) for t in right.texts]
        for curve in right.lines[:2]:
            points = right.transData.transform(curve.get_xydata())
            for box in boxes:
                assert not any(box.contains(*p) for p in points), "a curve runs through the legend or the clamp's label"
    (tangent,) = [m for m in figure.marks if isinstance(m, Tangent)]
    assert 0 < tangent.span <= 4 and tangent.width < 2.4


# A reader's own function -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x.detach() ** 2,
        lambda x: x.item() ** 2,
        lambda x: np.sin(x.detach().numpy()),
        lambda x: (x > 0).double(),
        lambda x: x.long(),
    ],
    ids=["detach", "item", "numpy", "comparison", "long"],
)
def test_a_function_that_cuts_the_graph_gets_no_slope_and_says_why(f):
    figure = explore(f, x=(-2.0, 2.0, 0.5))
    frame = figure.frame(x=1.5)
    assert math.isnan(frame["dydx"]) and format_value(frame["dydx"]) == "—"
    assert "no graph leads from y back to x" in frame["note"] and "chapter 9" in frame["note"]
    assert "dy/dx, autograd (x.grad): —" in figure.text({"x": 1.5})


@pytest.mark.parametrize("f", [lambda x: 3.5, lambda x: torch.tensor(2.0)], ids=["number", "tensor"])
def test_a_constant_has_slope_zero_and_says_so(f):
    frame = explore(f, x=(-1.0, 2.0, 0.5)).frame(x=1.0)
    assert frame["dydx"] == 0.0
    assert frame["note"] == "y is the same for every x: no graph leads back to x, and the slope is 0."


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"f": lambda x: torch.stack([x, x])}, "f(x) at x = 0 returned a tensor of shape (2,)"),
        ({"f": lambda x: x * 1j}, "f(x) at x = 0 returned a complex tensor"),
        ({"f": lambda x: complex(1, 2)}, "f(x) at x = 0 returned a complex number"),
        ({"f": lambda x: None}, "f(x) at x = 0 returned None: does the function end with `return …`?"),
        ({"f": lambda x: "abc"}, "f(x) at x = 0 returned 'abc' (str), not a number"),
        ({"f": 3}, "f must be a function, e.g. lambda x: x**2; got 3 (int)"),
        ({"f": torch.sin, "by_hand": "2x"}, "by_hand must be a function"),
        ({"f": torch.sin, "by_hand": lambda x: torch.ones(3)}, "by_hand(x) at x = 0 returned a tensor of shape (3,)"),
        (
            {"f": lambda x: x.numpy()},
            "f(x) raised RuntimeError at x = 0: Can't call numpy() on Tensor that requires grad",
        ),
    ],
)
def test_a_wrong_function_is_said_when_the_figure_is_made_in_one_clear_error(kwargs, message):
    with pytest.raises((TypeError, ValueError, RuntimeError)) as raised:
        explore(**kwargs)
    assert message in str(raised.value)
    error = raised.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), (
        "one error, not two tracebacks"
    )


def test_a_function_that_raises_somewhere_gets_a_note_there_not_a_traceback():
    figure = explore(lambda x: x**2 if x < 2 else 1 / 0, x=(-3.0, 3.0, 0.5))
    frame = figure.frame(x=0.5)
    assert frame["y"] == 0.25 and frame["note"] == ""
    broken = figure.safe_frame({"x": 2.5})
    assert math.isnan(broken["y"]) and broken["note"] == (
        "Computing the frame at x = 2.5 raised ZeroDivisionError: division by zero"
    )
    assert "ZeroDivisionError" in figure.answer({"view": "v", "seq": 1, "values": {"x": 2.5}})["frame"]["note"]
    assert len(decode(figure.table())) == 13  # the table is still made


def test_large_and_precise_numbers_show_what_autograd_computed():
    huge = explore(lambda x: torch.exp(x**2), x=(-10.0, 10.0, 0.5))
    assert format_value(huge.frame(x=10.0)["y"]) == "2.68812e+43" == format_value(math.exp(100.0))
    assert "y: 2.68812e+43" in huge.text({"x": 10.0})
    table = huge.table()
    assert decode(table)[-1]["y"] == pytest.approx(math.exp(100.0), rel=1e-12)  # stored as float64
    fine = explore(torch.exp, x=(0.0, 12.0, 0.05))
    table = fine.table()
    index = grids(table)["x"].index(10.05)
    assert format_value(decode(table)[index]["y"]) == "23155.7868" == format_value(math.exp(10.05))


def test_a_grid_too_fine_for_a_page_is_thinned_there_and_the_ends_and_start_kept():
    figure = explore(torch.sin, x=(-10.0, 10.0, 1e-4), start=0.1234)
    table = figure.table()
    grid = grids(table)["x"]
    assert table["frames"] <= TABLE_BUDGET and len(figure.controls[0].grid) == 200_001
    assert grid[0] == -10.0 and grid[-1] == 10.0 and 0.1234 in grid
    assert len(json.dumps(figure.figure()).encode()) <= 250_000


def test_five_sliders_stay_within_the_budget():
    figure = MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0, 1.0, 2.0))
    grids_ = figure.table_grids()  # what the table will hold, before any frame is computed
    assert math.prod(len(g) for g in grids_.values()) <= TABLE_BUDGET
    assert all(len(grids_[f"x{i}"]) >= 5 and figure.start[f"x{i}"] in grids_[f"x{i}"] for i in range(5))


def test_chain_labels_follow_the_names_given():
    figure = ChainExplorer(inner=torch.exp, outer=torch.exp, names=("exp(x)", "exp(y)"))
    labels = [row[0] for row in figure.readout.rows]
    assert labels[:4] == ["y = exp(x)", "z = exp(y)", "dz/dy  (y.grad)", "dy/dx"]
    default = [row[0] for row in ChainExplorer(inner=lambda x: x**2, outer=torch.sin).readout.rows]
    assert default[2:4] == ["dz/dy = cos(y)  (y.grad)", "dy/dx = 2x"]


def test_by_hand_without_a_formula_is_labelled_plainly():
    figure = explore(torch.sin, by_hand=torch.cos)
    assert [row[0] for row in figure.readout.rows][-1] == "dy/dx by hand"


@pytest.mark.parametrize(
    "make_, message",
    [
        (lambda: explore(torch.sin, start=float("nan")), "x: start must be a finite number"),
        (lambda: explore(torch.sin, start="1"), "x: start must be a number; got '1' (str)"),
        (lambda: explore(torch.sin, x=(1.0, -1.0, 0.1)), "x needs lo < hi"),
        (lambda: explore(torch.sin, x=(-1.0, 1.0, 0.3)), "is not a whole number of steps"),
        (lambda: explore(torch.sin, x=(-1.0, 1.0)), "x must be (lo, hi, step)"),
        (lambda: explore(torch.sin, start=0.123), "x starts at 0.123, which is not one of its values"),
        (lambda: MeanOfSquaresExplorer(start=()), "needs at least one number"),
        (lambda: explore(torch.sin, x=(-1.0, 1.0, torch.ones(2))), "must be one real number"),
    ],
)
def test_bad_arguments_get_a_message_in_the_readers_terms(make_, message):
    with pytest.raises((TypeError, ValueError)) as raised:
        make_()
    assert message in str(raised.value)


def test_tensor_arguments_and_tiny_steps_work():
    figure = explore(torch.sin, x=(torch.tensor(-1.0), torch.tensor(1.0), 0.5), start=torch.tensor(0.5))
    assert figure.start == {"x": 0.5}
    tiny = explore(torch.sin, x=(0.0, 1e-9, 1e-11))
    grid = tiny.controls[0].grid
    assert len(grid) == len(set(grid)) == 101 and grid[1] == 1e-11
    assert tiny.frame(x=grid[1])["dydx"] == pytest.approx(1.0)


# The kernel's answers to the page's script ---------------------------------------------------------


def test_the_kernel_answers_at_exactly_the_value_asked():
    figure = make(FIRST)
    answer = figure.answer({"view": "v1", "seq": 7, "values": {"x": 2.013}})
    assert (answer["view"], answer["seq"]) == ("v1", 7) and "error" not in answer
    assert answer["frame"]["y"] == pytest.approx(2.013**2, rel=1e-15)
    assert answer["frame"]["dydx"] == answer["frame"]["by_hand"] == pytest.approx(4.026, rel=1e-15)


@pytest.mark.parametrize(
    "source, values, message",
    [
        ("explore", {"x": 99}, "x = 99 is outside -4.00 … 4.00"),
        ("explore", {"x": None}, "x must be a number; got None"),  # NaN, as JSON sends it
        ("explore", {"x": "2"}, "x must be a number; got '2'"),
        ("explore", {"x": True}, "x must be a number; got True"),
        ("explore", {"z": 1.0}, "this figure has no control named 'z'"),
        ("explore", {}, "no value for x"),
        ("explore", "x=1", "control values must be a mapping"),
        ("neuron", {"x": 1.0, "w": 1.0, "b": 0.0, "y": "2"}, "label y must be one of '0', '1'; got '2'"),
        ("accumulation", {"x": 1.0, "calls": 11, "zero": "never"}, "backward() calls = 11 is outside 0 … 10"),
        ("accumulation", {"x": 1.0, "calls": 2, "zero": "4"}, "x.grad.zero_() must be one of 'never', '3', '6'"),
    ],
)
def test_bad_input_from_the_front_end_is_answered_with_a_note(source, values, message):
    figure = {
        "explore": lambda: make(FIRST),
        "neuron": NeuronExplorer,
        "accumulation": lambda: make("AccumulationExplorer()"),
    }[source]()
    answer = figure.answer({"view": "v", "seq": 3, "values": values})
    assert "frame" not in answer and answer["seq"] == 3
    assert answer["error"].startswith("The kernel was asked for a frame it cannot compute:")
    assert message in answer["error"]


@pytest.mark.parametrize("request_", [None, "junk", 42, {"seq": "x"}])
def test_a_malformed_request_never_raises(request_):
    answer = make(FIRST).answer(request_)
    assert "error" in answer


def test_answers_carry_their_request_so_the_script_can_drop_stale_ones():
    figure = make(FIRST)
    late, early = (figure.answer({"view": "v", "seq": s, "values": {"x": x}}) for s, x in ((5, 1.0), (3, 2.0)))
    assert (late["seq"], late["frame"]["y"]) == (5, 1.0) and (early["seq"], early["frame"]["y"]) == (3, 4.0)


def test_answers_are_strict_json_even_where_there_is_no_number():
    figure = explore(torch.log, x=(-1.0, 3.0, 0.5), start=1.0, formula="log(x)")
    answer = figure.answer({"view": "v", "seq": 1, "values": {"x": -0.5}})
    text = json.dumps(answer, allow_nan=False)  # NaN would break the front end's JSON.parse
    assert answer["frame"]["y"] is None and "not defined at x = -0.5" in text


def test_the_widget_answers_through_its_traits_in_under_a_kilobyte():
    figure = make(FIRST)
    widget = figure.widget()
    sent = []
    widget.comm.send = lambda data=None, metadata=None, buffers=None: sent.append(json.dumps(data))
    widget.set_state({"request": {"view": "v", "seq": 1, "values": {"x": -1.234}}})
    assert widget.answer["frame"]["dydx"] == pytest.approx(-2.468)
    (message,) = sent  # the answer only: the request is not echoed back
    assert '"answer"' in message and len(message.encode()) <= 1000


# The output bundle: data, a still picture and text; no code ------------------------------------


def test_bundle_has_the_widget_the_figures_data_a_still_picture_and_text():
    bundle, _ = make(FIRST)._repr_mimebundle_()
    assert sorted(bundle) == sorted(["application/vnd.jupyter.widget-view+json", MIME, "text/html", "text/plain"])
    # The still picture, once, in HTML a sanitizer keeps (a notebook opened without running it):
    # an image from a data: URL, its title as alt text, and a sentence saying what running it does.
    still = bundle["text/html"]
    assert re.fullmatch(
        r'<figure class="agi-still-figure"><img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"<>]+">'
        r"<figcaption><em>[^<>]+</em></figcaption></figure>",
        still,
    )
    assert "<style" not in still and "<script" not in still and "data-" not in still.replace("data:image", "")
    assert "run this cell, then use the controls and watch the numbers and the graph change." in still
    assert bundle["text/plain"].splitlines()[1:] == [
        "At x = 3.00:",
        "  y: 9.0000",
        "  dy/dx, autograd (x.grad): 6.0000",
        "  dy/dx by hand: 2x: 6.0000",
        "  The graph behind y = x², recorded at each x, as backward visits it:",
        "    1. PowBackward0 (y) receives 1.0000; it sends 6.0000 to x (local derivative 6.0000).",
        "    2. AccumulateGrad stores 6.0000 in x.grad.",
    ]
    data = json.dumps(bundle[MIME], allow_nan=False)  # strict JSON: NaN would break JSON.parse
    assert "<script" not in data and "function" not in data and "mount" not in data, "data, not code"
    assert "http://" not in data.replace("http://www.w3.org", "") and "https://" not in data


def strings(value):
    """Every string inside a notebook's JSON value, as text."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_line_of_the_figures_script_or_style_is_in_any_notebook(path):
    """A change to figure.js or figure.css changes no notebook: the outputs carry data only."""
    code = {line.strip() for name in ("figure.js", "figure.css") for line in asset(name).splitlines()}
    code = {line for line in code if len(line) >= 25}  # lines of their own, not `});` or a name
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(strings([cell.get("outputs", []) for cell in notebook.cells]))
    assert [line for line in code if line in text] == []


def test_the_still_picture_is_the_figure_at_its_start():
    import io

    from PIL import Image

    figure = make(FIRST)
    image = Image.open(io.BytesIO(figure.still()))
    width, height = image.size
    # The wide layout (8 × 3 in) on top, the graph under it, at 96 dots per inch.
    assert width == 8 * 96 and height > 3 * 96
    assert len(image.getcolors(256)) <= 64, "a few colours: a small file"
    assert figure.still() == figure.still(), "the same bytes on every run"


def test_the_figures_data_is_the_same_on_every_run():
    explorer._outputs.clear()
    first = make(FIRST).figure()
    explorer._outputs.clear()
    assert make(FIRST).figure() == first, "nbval compares it: it must not vary"


@pytest.mark.parametrize("stored", STORED, ids=lambda s: s.name)
def test_every_figures_data_is_small(stored):
    assert len(json.dumps(stored.data).encode()) <= 250_000


def test_every_output_of_a_figure_has_ids_of_its_own():
    figure = explore(torch.sin)
    pages = [skeleton(f.figure(table=False)) for f in (figure, figure, explore(torch.cos))]
    figures = [re.search(r'data-figure="([^"]+)"', p).group(1) for p in pages]
    assert len(set(figures)) == 3
    ids = re.findall(r' id="([^"]+)"', "".join(pages))
    assert len(ids) == len(set(ids)), "an id repeats on a page showing these figures"


@pytest.mark.parametrize("stored", STORED_EXPLORERS, ids=lambda s: s.name)
def test_backgrounds_take_their_colours_from_the_theme(stored):
    backgrounds = [layout["background"] for layout in stored.data["layouts"]]
    assert len(backgrounds) == 2  # wide and narrow
    for svg in backgrounds:
        assert "var(--agi-paper, #ffffff)" in svg
        bare = re.sub(r"var\(--agi-[a-z0-9]+, #[0-9a-f]{6}\)", "", svg)
        assert not re.search(r"#[0-9a-f]{6}\b", bare), "a colour that no theme can change"


@pytest.mark.parametrize("stored", STORED_EXPLORERS, ids=lambda s: s.name)
def test_without_javascript_the_figure_shows_its_start_and_says_why_it_does_not_move(stored):
    data = stored.data
    page = skeleton(data, stills=["wide.svg", "narrow.svg"])
    assert NO_SCRIPT in page and page.count("<noscript><img") == 2
    assert "—" not in re.search(r"<table.*</table>", page).group(0), "the readout at the start has its numbers"
    # Each mark drawn at the start is in the background, as a still the script hides when it runs
    # (a mark with no text or no number at the start draws nothing, there as on the page).
    start = data["start"]

    def at(c):
        return c if isinstance(c, (int, float)) else start.get(c)

    def drawn_at_start(m):
        if m["kind"] == "label":
            return bool(start.get(m["text"])) and None not in (at(m["x"]), at(m["y"]))
        if m["kind"] == "arrow":
            return None not in (at(m["x"]), at(m["y"]), at(m["dx"]), at(m["dy"]))
        if m["kind"] == "line":
            return any(None not in (at(x), at(y)) for x, y in zip(m["xs"], m["ys"]))
        return True

    on_axes = [m for m in data["marks"] if m["axes"] is not None and drawn_at_start(m)]
    assert len(on_axes) >= 1
    for layout in data["layouts"]:
        assert layout["background"].count('class="agi-still"') >= len(on_axes)


# Chapter 12's finite differences -----------------------------------------------------------------


def _errors_of_x_cubed(ks, number):
    """{kind: errors |quotient − 6.75|} of the forward ("f") and central ("c") differences of x³ at
    1.5, with h = 10^k for each k, every operation rounded to `number` (np.float32, or float for
    float64); written as x·x·x, what torch's x ** 3 computes."""
    found = {"f": [], "c": []}
    for k in ks:
        x, step = number(1.5), number(10.0**k)
        up, down, here = x + step, x - step, x
        found["f"].append(abs(float((up * up * up - here * here * here) / step) - 6.75))
        found["c"].append(abs(float((up * up * up - down * down * down) / (number(2) * step)) - 6.75))
    return found


def test_finite_differences_draw_the_errors_computed_afresh_and_the_points_sit_on_them():
    """The background's curves, read back from matplotlib: each dtype's log₁₀ errors over the
    curve's steps (NaN, a gap, where an error is 0), and the truncation errors 4.5h + h² and h²."""
    figure = FiniteDifferenceExplorer()
    _, axes = figure.background((8, 3.4), 1, 2)
    ks = list(figure.CURVE)
    assert ks[0] == -16.0 and ks[-1] == 0.0 and all(k in ks for k in figure.controls[0].grid)
    hs = np.array([10.0**k for k in ks])
    for ax, kind, truncation in zip(axes, ("f", "c"), (4.5 * hs + hs**2, hs**2)):
        lines = {line.get_label(): line for line in ax.get_lines()}
        for label, number in (("float32", np.float32), ("float64", float)):
            errors = np.array(_errors_of_x_cubed(ks, number)[kind])
            with np.errstate(divide="ignore"):
                expected = np.where(errors > 0, np.log10(np.where(errors > 0, errors, 1.0)), np.nan)
            drawn = lines[label].get_ydata()
            assert np.array_equal(lines[label].get_xdata(), np.array(ks))
            assert np.allclose(drawn, expected, rtol=0, atol=1e-12, equal_nan=True), (kind, label)
        (dashed,) = [line for label, line in lines.items() if label.startswith("truncation")]
        drawn = np.array(ks) >= -8.5  # from h = 10^−8.5 up
        assert np.array_equal(dashed.get_xdata(), np.array(ks)[drawn])
        assert np.allclose(dashed.get_ydata(), np.log10(truncation[drawn]), rtol=0, atol=1e-12)
    # Each point at the slider's h lies on its curve: the same number at the same step.
    for k in figure.controls[0].grid:
        frame = figure.frame(k=k)
        for kind in ("f", "c"):
            for bits, number in (("32", np.float32), ("64", float)):
                (error,) = _errors_of_x_cubed([k], number)[kind]
                assert frame[f"l{kind}{bits}"] == pytest.approx(math.log10(error), abs=1e-12), (k, kind, bits)


def test_finite_differences_say_where_an_error_is_zero_and_draw_no_point_there():
    """At log₁₀ h = −3.794 (typed in Jupyter, between the page's grid values) the float32 central
    difference is exactly 6.75: no logarithm, no point, "0" in the readout, and a note that says why."""
    (error,) = _errors_of_x_cubed([-3.794], np.float32)["c"]
    assert error == 0.0, "the case this test is about"
    figure = FiniteDifferenceExplorer()
    frame = figure.frame(k=-3.794)
    assert frame["cq32"] == 6.75 and frame["ce32"] == "0" and math.isnan(frame["lc32"])
    assert "no logarithm" in frame["note"] and "float32 the central quotient is exactly 6.75" in frame["note"]
    assert "log₁₀ error, central: —, -7.59" in figure.text({"k": -3.794})
    answered = figure.answer({"view": 1, "seq": 1, "values": {"k": -3.794}})
    assert answered["frame"]["lc32"] is None and answered["frame"]["ce32"] == "0"
    assert json.dumps(answered, allow_nan=False)


def test_finite_differences_say_where_x_plus_h_rounds_to_x():
    """Below half the float32 gap at 1.5 (2⁻²⁴ ≈ 6e-8), 1.5 + h is 1.5 in float32: both quotients
    are exactly 0 and both errors the whole derivative; float64 gets there at h = 1e-16."""
    assert np.float32(1.5) + np.float32(10**-7.5) == np.float32(1.5)
    assert np.float32(1.5) + np.float32(1e-7) != np.float32(1.5)
    frame = FiniteDifferenceExplorer().frame(k=-7.5)
    assert (frame["fq32"], frame["cq32"], frame["fe32"]) == (0.0, 0.0, "6.75e+00")
    assert frame["lf32"] == pytest.approx(math.log10(6.75))
    assert "In float32, 1.5 + h and 1.5 − h both round to 1.5" in frame["note"]
    assert "float64" not in frame["note"]
    assert "In float64, 1.5 + h and 1.5 − h both round to 1.5" in FiniteDifferenceExplorer().frame(k=-16.0)["note"]

"""The interactive figures, from Python: their numbers, their controls, and the live view.

Every number a figure shows is checked against torch autograd computed here, independently of the
figure's own code, and against the formula worked out by hand (widgets.calculus). The live view is
driven the way a reader drives it: by setting the value of its widgets.
"""

import math
import re

import pytest
import torch

from widgets import (
    AccumulationExplorer,
    ChainExplorer,
    MeanOfSquaresExplorer,
    NeuronExplorer,
    TrackingExplorer,
    calculus,
    explore,
)
from widgets.controls import Slider
from widgets.explorer import format_value
from widgets.live import LiveView


def square():
    return explore(lambda x: x**2, start=3.0, by_hand=lambda x: 2 * x, formula="x²", derivative="2x")


def chain():
    return ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0)


# The figures as the chapters create them.
CHAPTER_FIGURES = {
    "ch3-square": square,
    "ch4-chain": chain,
    "ch4-bell": lambda: explore(lambda x: torch.exp(-(x**2)), formula="exp(−x²)"),
    "ch5-neuron": NeuronExplorer,
    "ch7-mean": lambda: MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0)),
    "ch8-accumulation": AccumulationExplorer,
    "ch9-tracking": TrackingExplorer,
}


def grad_of(f, x):
    """(f(x), df/dx) by autograd, in float64."""
    leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = f(leaf)
    y.backward()
    return y.item(), leaf.grad.item()


def shown(view, channel):
    """The number the live view's readout shows for a channel."""
    match = re.search(rf'data-channel="{channel}"[^>]*>([^<]*)<', view.readout.value)
    assert match, f"{channel} is not in the readout"
    return match.group(1)


def assert_shows(view, channel, expected, decimals=4):
    assert shown(view, channel) == format_value(float(expected), decimals)


# The figures' numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-3.0, -1.25, 0.0, 0.05, 2.5, 3.0])
def test_square_frame_is_autograd_and_2x(x):
    frame = square().frame(x=x)
    y, dydx = grad_of(lambda t: t**2, x)
    assert frame["y"] == pytest.approx(y, rel=1e-6, abs=1e-7)
    assert frame["dydx"] == pytest.approx(dydx, rel=1e-6, abs=1e-7)
    assert frame["by_hand"] == pytest.approx(float(calculus.square_derivative(x)), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("x", [-4.0, -2.5, -0.05, 0.0, 1.0, 3.3, 4.0])
def test_chain_frame_writes_the_chain_rule_out(x):
    frame = chain().frame(x=x)
    _, dzdx = grad_of(lambda t: torch.sin(t**2), x)
    assert frame["grad"] == pytest.approx(dzdx, rel=1e-6, abs=1e-6)
    assert frame["dzdy"] == pytest.approx(math.cos(x * x), rel=1e-6, abs=1e-7)
    assert frame["dydx"] == pytest.approx(2 * x, rel=1e-6, abs=1e-7)
    assert frame["product"] == pytest.approx(frame["grad"], rel=1e-5, abs=1e-6)
    assert frame["grad"] == pytest.approx(float(calculus.sin_of_square_derivative(x)), rel=1e-6, abs=1e-6)


def test_chain_gradient_panel_is_autograd_over_the_range():
    explorer = chain()
    xs = [-4.0, -1.0, 0.0, 0.7, 4.0]
    for x, g in zip(xs, explorer.gradient_curve(xs)):
        assert g == pytest.approx(grad_of(lambda t: torch.sin(t**2), x)[1], abs=1e-12)


@pytest.mark.parametrize(
    "x, w, b, y",
    [(6.7, 1.0, 0.0, "0"), (6.7, 1.0, 0.0, "1"), (0.0, 2.0, 3.0, "1"), (-3.2, -1.0, 1.0, "0"),
     (10.0, 2.0, 0.0, "0"), (10.0, 2.0, 3.0, "1"), (-10.0, 2.0, -3.0, "1"), (-10.0, -2.0, 0.0, "1")],
)
def test_neuron_frame_matches_autograd_and_the_hand_formulas(x, w, b, y):
    frame = NeuronExplorer().frame(x=x, w=w, b=b, y=y)
    w_leaf = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b_leaf = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = calculus.binary_cross_entropy(torch.sigmoid(w_leaf * x + b_leaf), float(y))
    loss.backward()
    assert frame["loss"] == pytest.approx(loss.item(), rel=1e-6)
    assert frame["dw"] == pytest.approx(w_leaf.grad.item(), rel=1e-6, abs=1e-9)
    assert frame["db"] == pytest.approx(b_leaf.grad.item(), rel=1e-6, abs=1e-9)
    dw, db = calculus.neuron_gradients(x, float(y), w, b)
    assert frame["dw_hand"] == pytest.approx(dw.item(), rel=1e-6, abs=1e-9)
    assert frame["db_hand"] == pytest.approx(db.item(), rel=1e-6, abs=1e-9)


def test_neuron_starts_at_the_chapters_numbers():
    frame = NeuronExplorer().frame(**NeuronExplorer().start)
    assert format_value(frame["loss"]) == "6.7012"
    assert format_value(frame["dw"]) == format_value(frame["dw_hand"]) == "6.6918"
    assert format_value(frame["db"]) == format_value(frame["db_hand"]) == "0.9988"


def test_neuron_says_when_the_clamp_holds_the_prediction():
    saturated = NeuronExplorer().frame(x=10.0, w=2.0, b=0.0, y="0")  # z = 20 > 18.42
    assert saturated["loss"] == pytest.approx(-math.log(calculus.EPSILON), rel=1e-6)
    assert saturated["dw"] == saturated["db"] == 0.0
    assert "clamp" in saturated["note"]
    assert NeuronExplorer().frame(x=6.7, w=1.0, b=0.0, y="0")["note"] == ""


@pytest.mark.parametrize("values", [(1.0, 2.0, 3.0), (-3.0, 0.0, 2.5), (0.5, -0.5, -3.0)])
def test_mean_of_squares_frame_is_2x_over_n(values):
    frame = MeanOfSquaresExplorer().frame(**{f"x{i}": v for i, v in enumerate(values)})
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (x**2).mean().backward()
    for i in range(3):
        assert frame[f"g{i}"] == pytest.approx(x.grad[i].item(), rel=1e-6, abs=1e-7)
        assert frame[f"h{i}"] == pytest.approx(2 * values[i] / 3, rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("x", [-2.0, 0.5, 2.0])
def test_accumulation_frame_adds_2x_per_backward_and_zero_clears(x):
    explorer = AccumulationExplorer()
    for count in range(11):
        expected = 2 * x * count  # count = 0 is right after zero_()
        assert explorer.frame(x=x, count=count)["grad"] == pytest.approx(expected)


def test_tracking_frames_say_what_backward_does():
    explorer = TrackingExplorer()
    tracked = explorer.frame(mode="tracked", x=2.0)
    assert tracked["grad_fn"] == "PowBackward0"
    assert tracked["y_repr"] == "tensor(4., grad_fn=<PowBackward0>)"
    assert tracked["backward"] == "ran: x.grad = tensor(4.)"
    for mode in ("requires_grad_", "detach", "no_grad"):
        frame = explorer.frame(mode=mode, x=2.0)
        assert frame["grad_fn"] == "None"
        assert frame["y_repr"] == "tensor(4.)"
        assert frame["backward"] == (
            "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
        )


@pytest.mark.parametrize("name", CHAPTER_FIGURES)
def test_no_nan_or_infinity_anywhere_on_the_grid(name):
    explorer = CHAPTER_FIGURES[name]()
    names = [c.name for c in explorer.controls]
    for point in explorer.grid():
        frame = explorer.frame(**dict(zip(names, point)))
        for channel, value in frame.items():
            if not isinstance(value, str):
                assert math.isfinite(value), f"{channel} at {point}"


def test_an_undefined_point_shows_no_number_and_says_why():
    explorer = explore(torch.log, x=(-1.0, 3.0, 0.5), start=1.0, formula="log(x)")
    frame = explorer.frame(x=-0.5)
    assert math.isnan(frame["y"]) and math.isnan(frame["dydx"])
    assert format_value(frame["y"]) == "—"
    assert frame["note"] == "y = log(x) is not defined at x = -0.5."
    assert "nan" not in explorer.text({"x": -0.5}).lower()


# Controls ---------------------------------------------------------------------------------------


def test_slider_grid_is_exact_and_checks_typed_values():
    slider = Slider("x", "x", -3.0, 3.0, 0.05, 1.0)
    assert len(slider.grid) == 121 and slider.grid[0] == -3.0 and slider.grid[-1] == 3.0
    assert 0.3 in slider.grid  # no 0.30000000000000004
    assert slider.check(2.5) == (2.5, None)
    assert slider.check(12) == (3.0, "x = 12 is outside -3.00 … 3.00: using 3.00.")
    assert slider.check(-1e9) == (-3.0, "x = -1e+09 is outside -3.00 … 3.00: using -3.00.")
    assert slider.check(1.234) == (1.25, "x moves in steps of 0.05: using 1.25.")
    assert slider.check("two") == (1.0, "x must be a number: using 1.00.")
    assert slider.check(float("nan"))[0] == 1.0
    with pytest.raises(ValueError):
        Slider("x", "x", 0, 1, 0.3, 0.0)  # 1 is not a whole number of steps from 0


# The live view ---------------------------------------------------------------------------------


def test_live_square_moves_point_tangent_and_numbers():
    view = LiveView.of(square())
    tangent, point = view.artists
    lines_before = len(view.figure.axes[0].lines)
    slider, typed = view.inputs["x"]
    for x in (1.5, -2.0, 0.0):
        slider.value = x
        y, dydx = grad_of(lambda t: t**2, x)
        assert list(point.get_xdata()) == [x] and list(point.get_ydata()) == [pytest.approx(y)]
        (x0, x1), (y0, y1) = tangent.get_data()
        assert (y1 - y0) / (x1 - x0) == pytest.approx(dydx)
        assert typed.value == x
        assert_shows(view, "y", y)
        assert_shows(view, "dydx", dydx)
        assert_shows(view, "by_hand", 2 * x)
    assert len(view.figure.axes[0].lines) == lines_before, "no artist is added on update"
    assert LiveView.of(view.explorer) is view, "displaying again shows the same widget"


def test_live_typed_values_are_clamped_and_said():
    view = LiveView.of(square())
    slider, typed = view.inputs["x"]
    typed.value = 17
    assert slider.value == 3.0 and view.values["x"] == 3.0
    assert "outside -3.00 … 3.00: using 3.00" in view.note.value
    typed.value = -1.5
    assert view.values["x"] == -1.5 and view.note.value == ""


def test_live_chain_updates_both_panels():
    view = LiveView.of(chain())
    view.inputs["x"][0].value = 1.0
    tangent, point, gradient_point = view.artists
    assert list(gradient_point.get_ydata()) == [pytest.approx(2 * math.cos(1.0))]
    assert_shows(view, "dzdy", math.cos(1.0))
    assert_shows(view, "grad", 2 * math.cos(1.0))


def test_live_neuron_label_toggle_and_saturation():
    view = LiveView.of(NeuronExplorer())
    view.inputs["y"][0].value = "1"
    p = 1 / (1 + math.exp(-6.7))
    assert_shows(view, "loss", -math.log(p))
    assert_shows(view, "db", p - 1)
    assert_shows(view, "db_hand", p - 1)
    view.inputs["y"][0].value = "0"
    view.inputs["x"][0].value = 10.0
    view.inputs["w"][0].value = 2.0
    assert "clamp" in view.note.value
    assert_shows(view, "dw", 0.0)


def test_live_mean_of_squares_bars():
    view = LiveView.of(MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0)))
    view.inputs["x0"][0].value = -2.0
    x_bars, grad_bars = view.artists
    assert [r.get_height() for r in x_bars.patches] == [-2.0, 2.0, 3.0]
    assert [r.get_height() for r in grad_bars.patches] == pytest.approx([-4 / 3, 4 / 3, 2.0], rel=1e-6)


def test_live_accumulation_history_grows_and_resets():
    view = LiveView.of(AccumulationExplorer())
    (history,) = view.artists
    assert list(history.get_ydata()) == [4.0]
    view.click("count", "+1")
    view.click("count", "+1")
    assert list(history.get_ydata()) == [4.0, 8.0, 12.0]
    assert_shows(view, "grad", 12.0, decimals=1)
    view.click("count", "reset")
    assert list(history.get_ydata()) == [4.0, 8.0, 12.0, 0.0]
    for _ in range(12):
        view.click("count", "+1")
    assert view.values["count"] == 10 and "at most 10" in view.note.value
    view.inputs["x"][0].value = 1.0  # a new tensor: the history starts again
    assert list(history.get_ydata()) == [20.0]


def test_live_tracking_choice_shows_the_error_as_a_message():
    view = LiveView.of(TrackingExplorer())
    view.inputs["mode"][0].value = "no_grad"
    assert "element 0 of tensors does not require grad" in shown(view, "backward")
    assert shown(view, "grad_fn") == "None"
    edge = view.artists[0]
    assert edge.get_text() == "y.grad_fn = None: no way back to x"


# The output bundle -----------------------------------------------------------------------------


def test_bundle_has_the_widget_for_jupyter_and_html_for_the_website():
    bundle = square()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].splitlines()[1:] == [
        "At x = 3.00:", "  y: 9.0000", "  dy/dx, autograd (x.grad): 6.0000", "  dy/dx by hand: 2x: 6.0000"]
    html = bundle["text/html"]
    assert "<script" in html and "AutogradFigures.mount" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


@pytest.mark.parametrize("name", CHAPTER_FIGURES)
def test_static_view_is_deterministic_and_small(name):
    first = CHAPTER_FIGURES[name]().static_html()
    assert CHAPTER_FIGURES[name]().static_html() == first, "nbval compares it: it must not vary"
    assert len(first.encode()) <= 250_000


def test_live_view_stores_no_image_before_a_frontend_asks():
    # ipympl keeps the last image in a trait the frontend draws first; an image stored before the
    # frontend is there is broken (regression: the canvas stayed 0 × 0 in JupyterLab).
    view = LiveView.of(square())
    assert view.canvas._data_url is None


def test_explore_takes_any_scalar_function_of_the_readers():
    # A reader's own function, with the defaults: the slider starts in the middle of its range.
    bell = explore(lambda x: torch.exp(-(x**2)))
    assert bell.start == {"x": 0.0}
    assert bell.frame(x=1.0)["dydx"] == pytest.approx(-2 * math.exp(-1.0), rel=1e-6)
    # A constant records no graph: its slope is 0, not an error.
    flat = explore(lambda x: torch.tensor(2.0, dtype=torch.float64), x=(-1.0, 2.0, 0.5))
    assert flat.start == {"x": 0.5}
    assert (flat.frame(x=1.0)["y"], flat.frame(x=1.0)["dydx"]) == (2.0, 0.0)

"""The interactive figures on the built website, in headless Chromium, with the network blocked.

No kernel is behind these pages: every control must still move the figure and its numbers, to
the values torch autograd gives (computed here, independently), with no page or console error.
Also: typed values, refused clicks, the page without JavaScript, on a phone, in a dark theme.
Screenshots of every figure before and after are saved in _build/screenshots/.
"""

import collections
import json
import math
import urllib.request

import pytest
import torch

from tests.conftest import SCREENSHOTS, assert_note_next_to, new_page, only_local, watch_errors
from tests.figures import TRAINING_XS, _finite_difference, _training, grids, stored_figures
from widgets import page as figure_page
from widgets.formats import format_value

#: Every chapter page with figures: the titles of its figures, in order (show_graph's included),
#: as the notebooks store them.
TITLES = {}
for _stored in stored_figures():
    TITLES.setdefault(_stored.chapter, []).append(_stored.data["title"])
WIDE, NARROW = 0, 1  # the figures' two layouts, in the order of data["layouts"]


class Figure:
    """One figure on a page, found by its title (its accessible name; the start of it will do, and
    `nth` tells figures of the same title apart), driven like a reader drives it."""

    def __init__(self, page, title, nth=0, layout=WIDE, exact=False):
        self.page, self.layout, self.title = page, layout, title
        found = (
            f"[aria-label{'' if exact else '^'}={json.dumps(title, ensure_ascii=False)}]" if title is not None else ""
        )
        self.root = page.locator(f".agi-figure{found}").nth(nth)
        self.root.scroll_into_view_if_needed()
        page.wait_for_function("el => el.dataset.ready === 'true'", arg=self.root.element_handle())
        self.data = self.root.evaluate("el => el.agi.data")
        self.grids = grids(self.data["table"])
        self.overlay = self.root.locator("svg.agi-marks").nth(layout)

    def slider(self, name):
        return self.root.locator(f'input[type=range][data-control="{name}"]')

    def move(self, name, value):
        """Drag a slider to `value` (a value the page has)."""
        grid = self.grids[name]
        self.slider(name).fill(str(min(range(len(grid)), key=lambda i: abs(grid[i] - value))))

    def type(self, name, text):
        box = self.root.locator(f'input[type=number][data-control="{name}"]')
        box.fill(text)
        box.dispatch_event("change")

    def number(self, channel):
        text = self.text(channel)
        assert text != "—" and "nan" not in text.lower(), f"{channel} shows {text!r}"
        return float(text)

    def text(self, channel):
        return self.root.locator(f'td[data-channel="{channel}"]').inner_text()

    def note(self):
        """What the figure says: the note about its controls (under them), then the one about the
        frame (under the figure)."""
        return self.root.evaluate(
            "el => [...el.querySelectorAll('.agi-control-note, .agi-note')].map(n => n.innerText.trim())"
            ".filter(Boolean).join(' ')"
        )

    def svg(self, x, y, axes=0):
        """Data coordinates → the overlay's coordinates, by the transform the page carries."""
        t = self.data["layouts"][self.layout]["axes"][axes]
        return t["x"][0] * x + t["x"][1], t["y"][0] * y + t["y"][1]

    def circles(self):
        return self.overlay.locator("circle").evaluate_all(
            "cs => cs.filter(c => c.getAttribute('visibility') !== 'hidden')"
            ".map(c => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))])"
        )

    def lines(self):
        return self.overlay.locator("line").evaluate_all(
            "ls => ls.map(l => ['x1', 'y1', 'x2', 'y2'].map(a => Number(l.getAttribute(a))))"
        )

    def state(self):
        """Everything a reader sees change: the readout, the note and the marks' geometry."""
        return self.root.evaluate(
            "el => el.querySelector('table').innerText + el.querySelector('.agi-note').innerText"
            " + (el.querySelector('.agi-control-note')?.innerText ?? '')"
            " + [...el.querySelectorAll('svg.agi-marks')].map(s => s.innerHTML).join()"
        )

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.root.screenshot(path=SCREENSHOTS / f"figure-{name}.png")


def every_figure(page, chapter, layout=WIDE):
    """Each figure the chapter's notebook stores, on its page, in order."""
    seen = collections.Counter()
    for title in TITLES[chapter]:
        yield Figure(page, title, nth=seen[title], layout=layout, exact=True)
        seen[title] += 1


X_SQUARED = "y = x²: the curve"
CHAIN = "z = sin(y) with y = x²"
NEURON = "A sigmoid neuron"
ACCUMULATION = "x.grad after each backward() call"


def near(a, b, tol=1.01e-4):
    return abs(a - b) <= tol


def autograd(f, x):
    leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = f(leaf)
    y.backward()
    return y.item(), leaf.grad.item()


def assert_point_at(figure, x, y, axes=0):
    expected = figure.svg(x, y, axes)
    assert any(near(cx, expected[0], 0.05) and near(cy, expected[1], 0.05) for cx, cy in figure.circles()), (
        f"no point drawn at ({x}, {y})"
    )


def assert_tangent(figure, x, y, slope, axes=0):
    """A line through (x, y) with this slope."""
    (x1, y1, x2, y2), *_ = [line for line in figure.lines() if line[2] != line[0]]
    (px, py), (qx, qy) = figure.svg(x, y, axes), figure.svg(x + 1, y + slope, axes)
    assert near((y2 - y1) / (x2 - x1), (qy - py) / (qx - px), 1e-3), "the tangent's slope"
    assert near(y1 + (px - x1) * (y2 - y1) / (x2 - x1), py, 0.05), "the tangent goes through the point"


@pytest.fixture
def chapter(open_page):
    pages = {}

    def open_(name, **context):
        pages[name] = open_page(f"chapters/{name}.html", **context)
        return pages[name].page

    yield open_
    for name, page in pages.items():
        assert page.errors == [], f"page or console errors on {name}"
        assert page.blocked == [], f"{name} asked for something that is not on the site"


def test_chapter_3_slope_of_x_squared(chapter):
    figure = Figure(chapter("03-gradients-with-autograd"), X_SQUARED)
    assert (figure.number("y"), figure.number("dydx"), figure.number("by_hand")) == (9.0, 6.0, 6.0)
    figure.screenshot("03-before")
    for x in (1.5, -2.25, 0.0):
        figure.move("x", x)
        y, dydx = autograd(lambda t: t**2, x)
        assert near(figure.number("y"), y) and near(figure.number("dydx"), dydx)
        assert near(figure.number("by_hand"), 2 * x)
        assert_point_at(figure, x, y)
        assert_tangent(figure, x, y, dydx)
    figure.screenshot("03-after")


def test_chapter_4_chain_rule_written_out(chapter):
    page = chapter("04-the-chain-rule")
    figure = Figure(page, CHAIN)
    assert near(figure.number("grad"), -7.6613) and near(figure.number("dzdy"), -0.9577)
    figure.screenshot("04-chain-before")
    for x in (1.0, 6.3):  # the figure's x runs from 0 to 8
        figure.move("x", x)
        z, dzdx = autograd(lambda t: torch.sin(t**2), x)
        assert near(figure.number("dzdy"), math.cos(x * x))
        assert near(figure.number("dydx"), 2 * x)
        assert near(figure.number("product"), dzdx) and near(figure.number("grad"), dzdx)
        assert_point_at(figure, x, z, axes=0)
        assert_tangent(figure, x, z, dzdx, axes=0)
        assert_point_at(figure, x, dzdx, axes=1)
    figure.screenshot("04-chain-after")

    bell = Figure(page, "y = exp(−x²)")
    bell.screenshot("04-explore-before")
    bell.move("x", 0.5)
    y, dydx = autograd(lambda t: torch.exp(-(t**2)), 0.5)
    assert near(bell.number("y"), y) and near(bell.number("dydx"), dydx)
    assert_point_at(bell, 0.5, y)
    bell.screenshot("04-explore-after")


@pytest.mark.parametrize("name", ["05-a-neuron-by-hand", "06-a-neuron-with-autograd"])
def test_neuron_by_hand_and_by_autograd(chapter, name):
    figure = Figure(chapter(name), NEURON)
    assert (figure.text("loss"), figure.text("dw"), figure.text("dw_hand")) == ("6.7012", "6.6918", "6.6918")
    figure.screenshot(f"{name[:2]}-before")
    figure.move("x", -2.8)  # a value chapter 6's figure has too (its graph panel thins x)
    figure.move("w", 2.0)
    figure.move("b", 1.0)
    figure.root.get_by_label("1", exact=True).check()
    w = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y_pred = torch.sigmoid(w * -2.8 + b)
    loss = -torch.log(y_pred)
    loss.backward()
    assert near(figure.number("loss"), loss.item())
    assert near(figure.number("dw"), w.grad.item()) and near(figure.number("dw_hand"), w.grad.item())
    assert near(figure.number("db"), b.grad.item()) and near(figure.number("db_hand"), b.grad.item())
    assert_point_at(figure, -4.6, y_pred.item(), axes=0)
    assert_point_at(figure, -4.6, loss.item(), axes=1)
    assert_tangent(figure, -4.6, loss.item(), b.grad.item(), axes=1)
    figure.screenshot(f"{name[:2]}-after")

    # Saturated past the clamp: the loss stops at -log(ε) and no gradient flows.
    figure.root.get_by_label("0", exact=True).check()
    figure.move("x", 10.0)
    figure.move("b", 0.0)
    assert near(figure.number("loss"), -math.log(1e-8))
    assert figure.number("dw") == figure.number("dw_hand") == 0.0
    assert "clamp" in figure.note()
    figure.screenshot(f"{name[:2]}-saturated")

    figure.type("x", "25")
    assert figure.note().startswith("x = 25 is outside -10.0 … 10.0: using 10.0.")
    assert figure.slider("x").input_value() == str(len(figure.grids["x"]) - 1)
    # Said next to the box it is about (not under the graph, 2,000 px below in chapter 6), and
    # tied to it for screen readers.
    box = figure.root.locator('input[type=number][data-control="x"]')
    assert_note_next_to(box, figure.root.locator(".agi-control-note"), "x = 25 is outside")


def test_chapter_7_bars_of_x_and_gradient(chapter):
    figure = Figure(chapter("07-the-gradient-of-a-mean"), "y = mean(x²)")
    assert [figure.number(f"g{i}") for i in range(3)] == [0.6667, 1.3333, 2.0]
    figure.screenshot("07-before")
    figure.move("x0", -2.0)
    figure.move("x2", 0.5)
    x = torch.tensor([-2.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    (x**2).mean().backward()
    for i in range(3):
        assert near(figure.number(f"g{i}"), x.grad[i].item())
        assert near(figure.number(f"h{i}"), x.grad[i].item())
    heights = figure.overlay.locator("rect").evaluate_all(
        "rs => rs.map(r => [Number(r.getAttribute('y')), Number(r.getAttribute('height'))])"
    )
    zero = figure.svg(0, 0, axes=1)[1]
    grad_bars = heights[-3:]
    for (top, height), g in zip(grad_bars, x.grad.tolist()):
        bar_end = top if g > 0 else top + height
        assert near(bar_end, figure.svg(0, g, axes=1)[1], 0.05) and near(height, abs(zero - bar_end), 0.05)
    figure.screenshot("07-after")


def run_points(figure):
    """The points of chapter 8's run as drawn (the Line of dots), in data coordinates."""
    (line,) = polylines(figure)
    t = figure.data["layouts"][figure.layout]["axes"][0]
    return [(round((px - t["x"][1]) / t["x"][0], 6), round((py - t["y"][1]) / t["y"][0], 6)) for px, py in line]


def test_chapter_8_the_run_of_backward_calls_at_one_x(chapter):
    figure = Figure(chapter("08-clearing-gradients"), ACCUMULATION)
    assert figure.text("grad") == "4.0" and run_points(figure) == [(1, 4.0)]
    figure.screenshot("08-before")
    figure.move("calls", 4)
    assert figure.text("grad") == "16.0" and figure.text("hand") == "16.0"
    assert run_points(figure) == [(1, 4.0), (2, 8.0), (3, 12.0), (4, 16.0)]
    assert_point_at(figure, 4, 16.0)
    figure.root.get_by_role("radio", name="after call 3").check()
    assert figure.text("grad") == "4.0" and figure.text("since") == "1"
    assert run_points(figure) == [(1, 4.0), (2, 8.0), (3, 12.0), (3, 0.0), (4, 4.0)]
    figure.screenshot("08-after")
    # Another x: the same calls, all made at that x; nothing of the run at x = 2 is left.
    figure.move("x", -1.5)
    assert figure.text("grad") == "-3.0"
    assert run_points(figure) == [(1, -3.0), (2, -6.0), (3, -9.0), (3, 0.0), (4, -3.0)]
    figure.move("calls", 0)
    assert run_points(figure) == [] and figure.text("grad") == "—"
    assert figure.note() == "No backward() call yet: x.grad is None, not 0."


def test_chapter_9_tracking_off_and_backward(chapter):
    figure = Figure(chapter("09-turning-tracking-off"), "y = x² with gradient tracking on or off")
    assert figure.text("grad_fn") == "PowBackward0"
    assert figure.text("backward") == "ran: x.grad = tensor(4.)"
    figure.screenshot("09-before")
    pictures = {"tracking on": figure.overlay.inner_html()}
    for label in ("x.requires_grad_(False)", "x.detach()", "with torch.no_grad()"):
        figure.root.get_by_role("radio", name=label).check()
        assert figure.text("grad_fn") == "None"
        assert figure.text("y_repr") == "tensor(4.)"
        assert figure.text("backward") == (
            "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
        )
        labels = figure.overlay.locator("text").evaluate_all("ts => ts.map(t => t.textContent)")
        assert "y.grad_fn = None: no way back to x" in labels and "×" in labels, "the cut edge"
        assert ("x.detach()" in labels) == (label == "x.detach()") and ("with torch.no_grad():" in labels) == (
            label == "with torch.no_grad()"
        )
        pictures[label] = figure.overlay.inner_html()
        figure.screenshot(f"09-{label[:12]}")
    assert len(set(pictures.values())) == 4, "two modes look the same"
    figure.root.get_by_role("radio", name="tracking on").check()
    figure.move("x", -3.0)
    assert figure.text("y_repr") == "tensor(9., grad_fn=<PowBackward0>)"
    assert figure.text("backward") == "ran: x.grad = tensor(-6.)"


def test_chapter_12_finite_differences_follow_the_step(chapter):
    """At each step h = 10^k: the readout as tests/figures.py computes it afresh (NumPy float32,
    Python floats), and the four points at (log₁₀ h, log₁₀ error) as the page stores them; below
    float32's half gap at 1.5 the note says the quotients are 0."""
    figure = Figure(chapter("12-a-backward-of-your-own"), "The error of a finite difference of x³")
    decimals = figure.data["decimals"]
    for k in (-4.0, -6.0, -7.5, -16.0, 0.0):
        figure.move("k", k)
        expected = _finite_difference({"k": k})
        for channel, value in expected.items():
            if channel == "note":
                assert bool(figure.note()) == value, (k, figure.note())
            elif channel != "k":
                assert figure.text(channel) == format_value(value, decimals.get(channel, 4)), (k, channel)
        points = [("lf32", 0), ("lf64", 0), ("lc32", 1), ("lc64", 1)]
        for channel, axes in points:
            assert_point_at(figure, k, float(format_value(expected[channel], 2)), axes)
        assert len(figure.circles()) == 4
    figure.move("k", -7.5)
    assert "In float32, 1.5 + h and 1.5 − h both round to 1.5" in figure.note()
    assert figure.text("fq32") == "0.0000000" and figure.text("fe32") == "6.75e+00"
    figure.screenshot("12-finite-differences")


def polylines(figure):
    """The points of each Line mark of the figure's overlay, in the order of its marks."""
    return figure.overlay.locator("polyline.agi-line").evaluate_all(
        "ls => ls.map(l => l.getAttribute('points').split(' ').filter(Boolean).map(p => p.split(',').map(Number)))"
    )


def assert_training_at(figure, lr, steps, zero):
    """The readout and the three lines show chapter 10's loop run here (tests/figures.py)."""
    expected = _training({"lr": lr, "steps": steps, "zero": zero})
    for channel in ("step", "w", "b", "loss", "dw", "db", "gw", "gb"):
        assert figure.text(channel) == format_value(expected[channel], 0 if channel == "step" else 4), channel
    shown = lambda v, decimals=4: float(format_value(v, decimals))  # noqa: E731  (as the page stores it)
    wanted = [
        [figure.svg(i, shown(expected[f"L{i}"]), 0) for i in range(steps + 1)],
        [figure.svg(shown(expected[f"w{i}"]), shown(expected[f"b{i}"]), 1) for i in range(steps + 1)],
        [figure.svg(x, shown(expected[f"py{j}"], 3), 2) for j, x in enumerate(TRAINING_XS)],
    ]
    drawn = polylines(figure)
    assert [len(line) for line in drawn] == [len(line) for line in wanted], "a point per step reached"
    for line, want in zip(drawn, wanted):
        for (x, y), (wx, wy) in zip(line, want):
            assert near(x, wx, 0.05) and near(y, wy, 0.05), f"({x}, {y}) drawn where ({wx}, {wy}) belongs"
    assert_point_at(figure, steps, shown(expected["loss"]), axes=0)
    assert_point_at(figure, shown(expected["w"]), shown(expected["b"]), axes=1)
    return drawn


def test_chapter_10_training_follows_the_learning_rate_the_steps_and_the_zeroing(chapter):
    page = chapter("10-training-the-neuron")
    figure = Figure(page, "Training the neuron")
    steps = figure.slider("steps")
    start = assert_training_at(figure, "1", 40, "yes")
    assert "Training has converged." in figure.note()
    figure.screenshot("10-before")

    figure.root.get_by_role("radio", name="15").check()
    large = assert_training_at(figure, "15", 40, "yes")
    assert large[0] != start[0] and large[1] != start[1] and large[2] != start[2]
    assert "This learning rate is too large" in figure.note()
    figure.screenshot("10-too-large")

    steps.focus()
    page.keyboard.press("ArrowLeft")
    assert_training_at(figure, "15", 39, "yes")
    figure.move("steps", 12)
    assert_training_at(figure, "15", 12, "yes")
    figure.type("steps", "2.6")  # a count: never a fraction of a step, in the box or the run
    assert figure.note().startswith("steps takes whole numbers only: using 3.")
    assert figure.root.locator('input[type=number][data-control="steps"]').input_value() == "3"
    assert_training_at(figure, "15", 3, "yes")
    figure.move("steps", 12)

    figure.root.get_by_role("radio", name="1", exact=True).check()
    figure.root.get_by_role("radio", name="never").check()
    assert_training_at(figure, "1", 12, "no")
    assert figure.note().startswith("The gradients are never cleared")
    steps.focus()
    page.keyboard.press("Home")
    assert [len(line) for line in assert_training_at(figure, "1", 0, "no")] == [1, 1, 65]
    assert figure.note().startswith("Step 0:")
    page.keyboard.press("End")
    assert_training_at(figure, "1", 40, "no")
    assert "the loss went up again at step 7" in figure.note()
    figure.screenshot("10-never-cleared")

    figure.root.get_by_role("radio", name="0.1").check()
    figure.root.get_by_role("radio", name="every step").check()
    assert_training_at(figure, "0.1", 40, "yes")
    assert "too small" in figure.note()


def polygons(figure, kind):
    """The points of each polygon of this class in the figure's overlay (an Ellipse's curve, an arrow's head)."""
    return figure.overlay.locator(f"polygon.{kind}").evaluate_all(
        "ps => ps.filter(p => p.getAttribute('visibility') !== 'hidden')"
        ".map(p => p.getAttribute('points').split(' ').filter(Boolean).map(q => q.split(',').map(Number)))"
    )


def assert_jacobian_at(figure, a, b, angle):
    """Chapter 11's figure at (a, b) and v's angle, against f(a, b) = (a·b, a + sin b) run here: its
    Jacobian row by row (one autograd.grad per output), v, and x.grad after y.backward(gradient=v);
    the circle and its images drawn where they belong, and the two arrows."""
    x = torch.tensor([a, b], dtype=torch.float64, requires_grad=True)
    y = torch.stack([x[0] * x[1], x[0] + torch.sin(x[1])])
    rows = [
        torch.autograd.grad(y, x, grad_outputs=torch.eye(2, dtype=torch.float64)[i], retain_graph=True)[0]
        for i in range(2)
    ]
    v = torch.tensor([math.cos(math.radians(angle)), math.sin(math.radians(angle))], dtype=torch.float64)
    y.backward(gradient=v)
    (j00, j01), (j10, j11) = rows[0].tolist(), rows[1].tolist()
    (f0, f1), (v0, v1), (g0, g1) = y.tolist(), v.tolist(), x.grad.tolist()
    numbers = {"f0": f0, "f1": f1, "j00": j00, "j01": j01, "j10": j10, "j11": j11, "v0": v0, "v1": v1}
    for channel, value in {**numbers, "g0": g0, "g1": g1, "h0": g0, "h1": g1}.items():
        assert figure.text(channel) == format_value(value), channel
    shown = {c: float(figure.text(c)) for c in numbers}  # as the page stores them
    shown.update(g0=float(figure.text("g0")), g1=float(figure.text("g1")))
    turns = [2 * math.pi * k / 72 for k in range(72)]
    circle, ellipse = polygons(figure, "agi-ellipse")
    wanted = (
        [figure.svg(a + 0.5 * math.cos(t), b + 0.5 * math.sin(t), 0) for t in turns],
        [
            figure.svg(
                shown["f0"] + 0.5 * (shown["j00"] * math.cos(t) + shown["j01"] * math.sin(t)),
                shown["f1"] + 0.5 * (shown["j10"] * math.cos(t) + shown["j11"] * math.sin(t)),
                1,
            )
            for t in turns
        ],
    )
    for drawn, want in zip((circle, ellipse), wanted):
        assert len(drawn) == 72
        for (px, py), (wx, wy) in zip(drawn, want):
            assert near(px, wx, 0.05) and near(py, wy, 0.05), f"({px}, {py}) drawn where ({wx}, {wy}) belongs"
    (ring,) = polylines(figure)  # the circle's true image under f, closed
    for k, (px, py) in enumerate(ring):
        p, q = a + 0.5 * math.cos(2 * math.pi * (k % 24) / 24), b + 0.5 * math.sin(2 * math.pi * (k % 24) / 24)
        wx, wy = figure.svg(p * q, p + math.sin(q), 1)
        assert near(px, wx, 0.05) and near(py, wy, 0.05), f"point {k} of the true image"
    assert len(ring) == 25
    # The arrows' tips: vᵀJ at half length from x; v from f(x).
    tips = [head[0] for head in polygons(figure, "agi-arrow-head")]
    for (tx, ty), (wx, wy) in zip(
        tips, (figure.svg(a + 0.5 * shown["g0"], b + 0.5 * shown["g1"], 0), figure.svg(f0 + v0, f1 + v1, 1))
    ):
        assert near(tx, wx, 0.05) and near(ty, wy, 0.05), "an arrow's tip"
    assert len(tips) == 2
    assert_point_at(figure, a, b, axes=0)
    assert_point_at(figure, shown["f0"], shown["f1"], axes=1)


def test_chapter_11_the_jacobian_follows_the_point_and_v_turns(chapter):
    page = chapter("11-vectors-in-vectors-out")
    figure = Figure(page, "f(a, b) = (a·b, a + sin b) near a point")
    assert_jacobian_at(figure, 1.5, 1.0, 0.0)
    assert figure.note() == ""
    figure.screenshot("11-before")
    figure.move("angle", 90.0)
    assert_jacobian_at(figure, 1.5, 1.0, 90.0)
    figure.move("a", -1.0)
    figure.move("b", -2.0)
    figure.slider("angle").focus()
    page.keyboard.press("ArrowRight")  # one step of 15 degrees
    assert_jacobian_at(figure, -1.0, -2.0, 105.0)
    figure.screenshot("11-after")
    figure.move("a", 0.0)
    figure.move("b", 0.0)
    assert_jacobian_at(figure, 0.0, 0.0, 105.0)
    assert figure.note().startswith("Here det J = a·cos b − b = 0")


def test_typed_values_go_to_the_nearest_value_the_page_has_and_say_so(chapter):
    figure = Figure(chapter("03-gradients-with-autograd"), X_SQUARED)
    figure.type("x", "0.075")  # halfway between 0.05 and 0.10: the larger
    assert figure.note() == (
        "x = 0.075 is not among the values this page has computed (steps of 0.05): "
        "using 0.10. Run the notebook to compute any value."
    )
    assert figure.text("y") == "0.0100"
    figure.move("x", 1.5)
    figure.type("x", "")  # not a number: the figure keeps where it is
    assert figure.note() == "x must be a number: keeping 1.50."
    assert figure.text("y") == "2.2500"
    figure.type("x", "-7")
    assert figure.note() == "x = -7 is outside -4.00 … 4.00: using -4.00." and figure.text("y") == "16.0000"

    neuron = Figure(chapter("05-a-neuron-by-hand"), NEURON)
    neuron.type("w", "1.5")
    assert neuron.note().startswith("w = 1.5 is not among the values this page has computed (steps of 1): using 2.")
    assert neuron.root.locator('input[type=number][data-control="w"]').input_value() == "2"


@pytest.mark.parametrize("name", TITLES)
def test_every_figure_moves_from_the_keyboard_and_fits_a_phone(chapter, name):
    """Every figure the notebook stores is on its page, with ids of its own, and every slider moves
    it from the keyboard. A step the page has is drawn before the input event's handler returns:
    nothing waits on a timer or the network, so the redraw is in the frame of the reader's key
    press however busy the machine (benchmarks/static_pages.py measures how long it takes). Then,
    on a phone's width, the figures stack and their text stays legible."""
    page = chapter(name)
    assert page.locator(".agi-figure").count() == len(TITLES[name]), "the page shows every figure, and only those"
    repeated = page.evaluate(
        """() => { const ids = [...document.querySelectorAll('.agi-figure [id]')].map(e => e.id);
                   const all = [...document.querySelectorAll('[id]')].map(e => e.id);
                   return ids.filter(id => all.indexOf(id) !== all.lastIndexOf(id)); }"""
    )
    assert repeated == [], "ids repeat on the page"
    for figure in every_figure(page, name):
        size = figure.root.evaluate("el => el.outerHTML.length")
        assert size <= 250_000, f"{figure.title} adds {size} bytes"
        stills = figure.root.locator(".agi-still").evaluate_all(
            "els => els.filter(e => getComputedStyle(e).display !== 'none').length"
        )
        assert stills == 0, f"{figure.title}: the marks drawn for readers without JavaScript still show"
        for control in figure.data["controls"]:
            if control["kind"] != "slider":
                continue
            slider = figure.slider(control["name"])
            assert figure.root.locator(f"label[for='{slider.get_attribute('id')}']").count() == 1
            before = figure.state()
            slider.focus()
            page.keyboard.press("ArrowLeft" if slider.input_value() != "0" else "ArrowRight")
            assert figure.state() != before, f"moving {control['name']} changed nothing"
            drawn = slider.evaluate(
                """range => {
                    const figure = range.closest('.agi-figure'), max = Number(range.max);
                    let drawn = 0;
                    const count = () => drawn++;
                    figure.addEventListener('agi:drawn', count);
                    for (let k = 0; k < 40; k++) {
                        range.value = (Number(range.value) + 1) % (max + 1);
                        range.dispatchEvent(new Event('input', {bubbles: true}));
                    }
                    figure.removeEventListener('agi:drawn', count);
                    return drawn;
                }"""
            )
            assert drawn == 40, f"{control['name']}: {drawn} of 40 steps drawn within their input events"
    on_a_phone_figures_stack_and_their_text_stays_legible(page, name)


def on_a_phone_figures_stack_and_their_text_stays_legible(page, name):
    page.evaluate("() => document.activeElement?.blur()")  # no control keeps the keyboard's focus
    page.set_viewport_size({"width": 375, "height": 812})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # laid out again
    width = page.evaluate("() => document.documentElement.clientWidth")
    for index, figure in enumerate(every_figure(page, name, layout=NARROW)):
        plots = figure.root.locator(".agi-plot")
        if plots.count():
            assert not plots.nth(WIDE).is_visible() and plots.nth(NARROW).is_visible()
        drawn = figure.root.locator(".agi-plot.agi-narrow, .agi-graph-svg.agi-shown")
        smallest = min(
            drawn.nth(k).evaluate(
                """drawn => Math.min(...[...drawn.querySelectorAll('text')].filter(t => t.textContent.trim())
                 .map(t => { const m = t.getScreenCTM();  // rotated labels too: the scale is |(a, b)|
                             return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""
            )
            for k in range(drawn.count())
        )
        assert smallest >= 11, f"{figure.title}: text of {smallest:.1f} px"
        for part in ("table.agi-readout", ".agi-controls", ".agi-plot.agi-narrow", ".agi-graph"):
            for k in range(figure.root.locator(part).count()):
                right = figure.root.locator(part).nth(k).evaluate("el => el.getBoundingClientRect().right")
                assert right <= width + 0.5, f"{figure.title}: {part} runs past the screen"
        figure.screenshot(f"{name[:2]}-{index}-phone")
    if name.startswith("03"):
        figure = Figure(page, X_SQUARED, layout=NARROW)
        figure.move("x", -1.0)
        assert_point_at(figure, -1.0, 1.0)
        assert_tangent(figure, -1.0, 1.0, -2.0)


@pytest.mark.parametrize(
    "name",
    [
        "03-gradients-with-autograd",
        "08-clearing-gradients",
        "09-turning-tracking-off",
        "10-training-the-neuron",
        "11-vectors-in-vectors-out",
    ],
)
def test_without_javascript_the_figure_shows_its_start_and_says_so(chapter, name):
    page = chapter(name, java_script_enabled=False)
    root = page.locator(".agi-figure").filter(has=page.locator(".agi-plot")).first
    assert root.locator(".agi-nojs").inner_text() == (
        "Moving the controls needs JavaScript: this is the figure at its starting values."
    )
    # The page holds the figure's text; its drawing, with the marks at their starting values, comes
    # as an image (_ext/figures.py), loaded and shown in the wide layout.
    still = root.locator(".agi-wide noscript img")
    assert still.count() == 1 and still.is_visible()
    assert still.evaluate("img => img.complete && img.naturalWidth > 0")
    svg = urllib.request.urlopen(still.evaluate("img => img.src")).read().decode()
    assert 'class="agi-still"' in svg and 'class="agi-background"' in svg
    assert root.locator("input").count() == 0
    assert "—" not in root.locator("table").inner_text()
    root.screenshot(path=SCREENSHOTS / f"figure-{name[:2]}-without-javascript.png")


@pytest.mark.parametrize(
    "scheme, expected",
    [
        ("light", {"point": "rgb(214, 39, 40)", "tick": "rgb(0, 0, 0)", "paper": "rgb(255, 255, 255)"}),
        (
            "dark",
            {
                "point": "rgb(255, 107, 107)",
                "tick": "rgb(216, 221, 227)",
                "paper": "rgba(0, 0, 0, 0)",
                "card": "rgba(0, 0, 0, 0)",
            },
        ),
    ],
)
def test_the_figure_follows_the_readers_light_or_dark_theme(open_page, scheme, expected):
    page = open_page("chapters/05-a-neuron-by-hand.html", color_scheme=scheme).page
    assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
    figure = Figure(page, NEURON)
    colours = figure.root.evaluate(
        """el => ({point: getComputedStyle(el.querySelector('.agi-wide svg.agi-marks circle')).fill,
                   tick: getComputedStyle(el.querySelector('.agi-wide .agi-background text')).fill,
                   paper: getComputedStyle(el.querySelector('.agi-wide .agi-background path')).fill,
                   card: getComputedStyle(el.parentElement).backgroundColor})"""
    )
    assert {k: colours[k] for k in expected} == expected
    # Each readout row whose number a mark draws is in that mark's colour (figure.js: colourRows).
    rows = figure.root.evaluate(
        """el => Object.fromEntries([...el.querySelectorAll('table.agi-readout tbody tr')].map(
             r => [r.querySelector('th').innerText, getComputedStyle(r.querySelector('th')).color]))"""
    )
    assert rows["y_pred = σ(z)"] == rows["loss"] == expected["point"]
    tangent = figure.root.evaluate("el => getComputedStyle(el.querySelector('.agi-wide svg.agi-marks line')).stroke")
    assert rows["dL/db"] == tangent != expected["point"]
    assert rows["dL/dw"] == rows["z = w·x + b"] != expected["point"], "a row no mark draws keeps the text's colour"
    figure.screenshot(f"05-{scheme}")


def test_figures_work_from_disk_with_no_server(browser, build):
    """The built site opened as files (file://): the figure carries its data and its script."""
    page = new_page(browser)
    errors, blocked = watch_errors(page), only_local(page, "file://")
    page.goto((build.html / "chapters" / "03-gradients-with-autograd.html").as_uri())
    figure = Figure(page, X_SQUARED)
    figure.move("x", -1.0)
    assert (figure.number("y"), figure.number("dydx")) == (1.0, -2.0)
    assert boxes_of(graph_view(figure), "x")[1:] == ["x = -1.0000", "x.grad ← -2.0000"]
    assert boxes_of(graph_view(Figure(page, "The graph autograd recorded behind y")), "PowBackward0")[1] == "y = 9.0000"
    page.goto((build.html / "chapters" / "04-the-chain-rule.html").as_uri())
    chain = Figure(page, CHAIN)
    chain.move("x", 2.0)
    assert boxes_of(graph_view(chain), "x")[-1] == f"x.grad ← {format_value(4 * math.cos(4.0))}"
    assert errors == [] and blocked == []
    page.context.close()


def test_figures_a_reader_might_make_hold_up_on_a_page(browser):
    """Figures made here, several on one page as a reader's notebook would show them."""
    from widgets import explore

    figures = [
        explore(torch.sin),
        explore(torch.sin),  # the same figure twice: both must start
        explore(torch.cos),
        explore(torch.log, x=(-1.0, 3.0, 0.5), start=1.0, formula="<i>log</i>(x)"),  # text, not HTML
        explore(lambda x: x.detach() ** 2, x=(-2.0, 2.0, 0.5)),  # the graph cut inside f
        explore(lambda x: torch.exp(x**2), x=(-10.0, 10.0, 0.5)),  # beyond float32
    ]
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    errors, blocked = watch_errors(page), only_local(page)  # set_content: nothing may be fetched
    page.set_content(standalone([f.figure() for f in figures]))
    sin, again, cos, log, cut, huge = (Figure(page, None, nth=i) for i in range(6))

    for figure, f in ((sin, math.cos), (again, math.cos), (cos, lambda x: -math.sin(x))):
        figure.move("x", 1.0)
        assert near(figure.number("dydx"), f(1.0))
    log.move("x", -0.5)
    assert log.note() == "y = <i>log</i>(x) is not defined at x = -0.5."
    assert log.root.locator(".agi-note i").count() == 0 and log.text("y") == "—"
    cut.move("x", 1.5)
    assert cut.text("y") == "2.2500" and cut.text("dydx") == "—"
    assert "no graph leads from y back to x" in cut.note()
    assert cut.overlay.locator("line").evaluate_all("ls => ls.every(l => l.getAttribute('visibility') === 'hidden')")
    huge.move("x", 10.0)
    assert (huge.text("y"), huge.text("dydx")) == (format_value(math.exp(100)), format_value(20 * math.exp(100)))
    assert huge.text("y") == "2.68812e+43"
    assert errors == [] and blocked == []
    page.context.close()


def standalone(figures):
    """A page of figures (their data) with the script and style inline, as the website has them."""
    data = json.dumps({figure["id"]: figure for figure in figures}).replace("</", "<\\/")
    return (
        f"<!doctype html><meta charset=utf-8><style>{figure_page.stylesheet()}</style><body>"
        + "".join(figure_page.skeleton(figure) for figure in figures)
        + f"<script>{figure_page.script()}\nagiFigures.mountPayloads({data});</script>"
    )


def graph_view(figure):
    """What a figure's graph panel shows: each box's lines, the edge labels, the lit node, the step
    sentence, and which layout is on screen."""
    return figure.root.evaluate(
        """el => { const svg = el.querySelector('.agi-graph-svg.agi-shown');
            return {boxes: [...svg.querySelectorAll('.agi-node')].map(g => [...g.querySelectorAll('tspan')].map(t => t.textContent)),
                    edges: [...svg.querySelectorAll('.agi-edge-label')].map(t => t.textContent),
                    current: [...svg.querySelectorAll('.agi-node.agi-current tspan:first-child')].map(t => t.textContent),
                    step: el.querySelector('.agi-graph-step').textContent, layout: svg.dataset.layout}; }"""
    )


def test_chapter_4_graph_follows_the_slider_and_steps_through_backward(chapter):
    figure = Figure(chapter("04-the-chain-rule"), CHAIN)
    figure.move("x", 1.0)
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x**2
    y.retain_grad()
    z = torch.sin(y)
    z.backward()
    view = graph_view(figure)
    assert view["layout"] == "right"
    leaf, pow_, sin = (boxes_of(view, name) for name in ("x", "PowBackward0", "SinBackward0"))
    assert leaf == ["AccumulateGrad", "x = 1.0000", f"x.grad ← {format_value(x.grad.item())}"]
    assert f"z = {format_value(z.item())}" in sin and not any("retains_grad" in line for line in pow_)
    assert sorted(view["edges"]) == sorted(f"← {format_value(v)}" for v in (y.grad.item(), x.grad.item()))
    details = figure.root.get_by_label("Show saved values and flags")
    details.check()  # flags and saved values, on request
    shown = graph_view(figure)
    assert boxes_of(shown, "x")[3:] == ["requires_grad=True", "is_leaf=True"]
    assert "retains_grad=True" in boxes_of(shown, "PowBackward0") and "exponent = 2" in boxes_of(shown, "PowBackward0")
    assert "retains_grad=False" in boxes_of(shown, "SinBackward0")
    details.uncheck()

    # Step through backward: SinBackward0, PowBackward0, then x's AccumulateGrad; "…" until reached.
    steps = figure.root.locator(".agi-graph-steps")
    steps.get_by_role("button", name="Backward from the start").click()
    view = graph_view(figure)
    assert view["current"] == [] and view["edges"] == ["", ""] and "…" in " ".join(boxes_of(view, "x"))
    assert view["step"].startswith("Backward starts at SinBackward0, with a gradient of 1.")
    visited = []
    for _ in range(3):
        steps.get_by_role("button", name="One step of backward").focus()
        figure.page.keyboard.press("Enter")  # the keyboard works too
        visited.append(graph_view(figure))
    assert [v["current"] for v in visited] == [["SinBackward0"], ["PowBackward0"], ["AccumulateGrad"]]
    assert visited[0]["step"] == (
        f"Step 1 of 3: SinBackward0 (z) receives 1.0000; it sends {format_value(y.grad.item())}"
        f" to PowBackward0 (y) (local derivative {format_value(math.cos(1.0))})."
    )
    assert visited[-1]["step"].endswith(f"AccumulateGrad stores {format_value(x.grad.item())} in x.grad.")
    assert boxes_of(visited[-1], "x")[-1] == f"x.grad ← {format_value(x.grad.item())}"
    figure.screenshot("04-graph-stepped")


def boxes_of(view, name):
    """The lines of the box named `name` (a leaf's box by its tensor: "x")."""
    return next(lines for lines in view["boxes"] if lines[0] == name or lines[1].startswith(f"{name} = "))


def test_chapter_6_graph_fits_the_book_by_going_down_and_adds_the_two_contributions(chapter):
    page = chapter("06-a-neuron-with-autograd")
    drawn = Figure(page, "The graph autograd recorded behind loss")
    view = graph_view(drawn)
    assert view["layout"] == "down", "left to right it would be wider than the book's column"
    width = drawn.root.locator(".agi-graph").evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert width[0] <= width[1], "nothing to scroll sideways at the book's width"
    clamp = boxes_of(view, "ClampBackward1")
    assert clamp[-2:] == ["grad ← 0.0000 + 813.3619", "  = 813.3619"]
    assert "Already w.grad is 6.6918, b.grad is 0.9988" in drawn.note()
    drawn.screenshot("06-graph")
    figure = Figure(page, NEURON)  # with its graph panel: the same numbers at the start
    assert boxes_of(graph_view(figure), "w")[-1] == "w.grad ← 6.6918"


def test_chapter_14_f_its_slope_and_the_slope_of_its_slope_follow_x(chapter):
    """f = sin(x²), f′ and f″ at the x the reader picks, against autograd run twice here
    (create_graph=True): the readout's numbers, a point on each panel, and the two tangents (the
    one to f with slope f′, the one to f′ with slope f″)."""
    figure = Figure(chapter("14-derivatives-of-derivatives"), "f(x) = sin(x²), f′(x) and f″(x)")

    def derivatives(x):
        leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        f = torch.sin(leaf**2)
        (d1,) = torch.autograd.grad(f, leaf, create_graph=True)
        (d2,) = torch.autograd.grad(d1, leaf)
        return f.item(), d1.item(), d2.item()

    def has_tangent(x, y, slope, axes):
        (px, py), (qx, qy) = figure.svg(x, y, axes), figure.svg(x + 1, y + slope, axes)
        drawn = [(x1, y1, x2, y2) for x1, y1, x2, y2 in figure.lines() if x2 != x1]
        return any(
            near((y2 - y1) / (x2 - x1), (qy - py) / (qx - px), 1e-3)
            and near(y1 + (px - x1) * (y2 - y1) / (x2 - x1), py, 0.05)
            for x1, y1, x2, y2 in drawn
        )

    for x in (1.5, -0.7, 2.3):
        figure.move("x", x)
        f, d1, d2 = derivatives(x)
        for channel, value in (("f", f), ("d1", d1), ("d2", d2), ("f_hand", f), ("d1_hand", d1), ("d2_hand", d2)):
            assert figure.text(channel) == format_value(value), (x, channel)
        for axes, y in enumerate((f, d1, d2)):
            assert_point_at(figure, x, y, axes)
        assert has_tangent(x, f, d1, 0), f"the tangent to f at x = {x}"
        assert has_tangent(x, d1, d2, 1), f"the tangent to f′ at x = {x}"
        assert ("f bends upward" in figure.note()) == (d2 > 0), figure.note()
        figure.screenshot(f"14-at-{x}")


def test_chapter_13_the_hooks_factor_moves_what_backward_sends_after_the_hook_and_nothing_before(chapter):
    """At each k the page shows, for x = 1.5: what SinBackward0 sends to y's node stays cos(x²);
    the hook's line in that node, the edge to x, x.grad in the leaf's box, the readout and the
    dot all follow k, as autograd computes them with the hook registered, here afresh."""
    figure = Figure(chapter("13-watching-and-changing-gradients"), "z = sin(x²) with a hook on y = x²")
    figure.move("x", 1.5)
    seen = set()
    for k in (-2.0, -0.5, 0.0, 1.0, 2.0):
        figure.move("k", k)
        x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
        y = x**2
        y.register_hook(lambda grad, k=k: grad * k)
        torch.sin(y).backward()
        before = math.cos(2.25)
        view = graph_view(figure)
        assert boxes_of(view, "PowBackward0")[-2:] == [
            f"grad ← {format_value(before)}",
            f"hook times_k → {format_value(k * before)}",
        ]
        assert boxes_of(view, "x")[-1] == f"x.grad ← {format_value(x.grad.item())}"
        # The edges' labels, whichever way the graph is laid out ("← " or "↑ " before the number).
        assert sorted(e[2:] for e in view["edges"]) == sorted(format_value(v) for v in (before, x.grad.item()))
        assert near(figure.number("grad"), x.grad.item()) and near(figure.number("after"), k * before)
        assert near(figure.number("before"), before) and near(figure.number("by_hand"), x.grad.item())
        assert_point_at(figure, 1.5, x.grad.item())
        assert (k == 0) == ("x.grad is 0, not None" in figure.note())
        seen.add(figure.state())
    assert len(seen) == 5, "two values of k look the same"
    steps = figure.root.locator(".agi-graph-steps")
    steps.get_by_role("button", name="Backward from the start").click()
    steps.get_by_role("button", name="One step of backward").click()
    view = graph_view(figure)
    assert "…" in " ".join(boxes_of(view, "PowBackward0")), "the hook's line waits for its node's step"
    steps.get_by_role("button", name="One step of backward").click()
    assert graph_view(figure)["step"].startswith(
        f"Step 2 of 3: PowBackward0 (y) receives {format_value(math.cos(2.25))}, and its hook times_k returns"
    )
    figure.screenshot("13-hook")


def test_chapter_15_your_engine_and_pytorch_follow_x_node_for_node(chapter):
    """sin(x²) by the chapter's own engine beside PyTorch, at the x the reader picks: every value and
    gradient of the readout against PyTorch run here in float64, the point on the curve, and the
    tangent whose slope is the engine's x.grad."""
    figure = Figure(chapter("15-an-autograd-of-your-own"), "Your engine beside PyTorch")
    for x in (1.5, -0.7, 2.3):
        figure.move("x", x)
        leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = leaf**2
        y.retain_grad()
        z = torch.sin(y)
        z.backward()
        numbers = {"y": y.item(), "z": z.item(), "gx": leaf.grad.item(), "gy": y.grad.item(), "gz": 1.0}
        for channel, value in numbers.items():
            assert figure.text(channel) == format_value(value), (x, channel)
            assert figure.text("t" + channel) == format_value(value), (x, "PyTorch's " + channel)
        assert_point_at(figure, x, z.item(), 0)
        (px, py), (qx, qy) = figure.svg(x, z.item()), figure.svg(x + 1, z.item() + leaf.grad.item())
        assert any(
            x2 != x1 and near((y2 - y1) / (x2 - x1), (qy - py) / (qx - px), 1e-3) for x1, y1, x2, y2 in figure.lines()
        ), f"the tangent at x = {x}, with the engine's slope"
        figure.screenshot(f"15-at-{x}")

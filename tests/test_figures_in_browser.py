"""The interactive figures on the built website, in headless Chromium, with the network blocked.

No kernel is behind these pages: every control must still move the figure and its numbers, to
the values torch autograd gives (computed here, independently), with no page error. Screenshots
of every figure before and after are saved in _build/screenshots/.
"""

import math

import pytest
import torch

from tests.conftest import SCREENSHOTS

# Every chapter page with figures, and how many.
FIGURES = {
    "03-gradients-with-autograd": 1,
    "04-the-chain-rule": 2,
    "05-a-neuron-by-hand": 1,
    "06-a-neuron-with-autograd": 1,
    "07-the-gradient-of-a-mean": 1,
    "08-clearing-gradients": 1,
    "09-turning-tracking-off": 1,
}
FRAME_MS = 1000 / 60


class Figure:
    """One figure on a page, driven like a reader drives it."""

    def __init__(self, page, index):
        self.page = page
        self.root = page.locator(".agi-figure").nth(index)
        self.root.scroll_into_view_if_needed()
        page.wait_for_function("el => el.dataset.ready === 'true'", arg=self.root.element_handle())
        self.data = self.root.evaluate("el => JSON.parse(el.querySelector('.agi-data').textContent)")
        self.id = self.data["id"]

    def control(self, name):
        return next(c for c in self.data["controls"] if c["name"] == name)

    def move(self, name, value):
        """Drag a slider to `value` (a grid value)."""
        grid = self.control(name)["grid"]
        index = min(range(len(grid)), key=lambda i: abs(grid[i] - value))
        self.root.locator(f"#{self.id}-{name}").fill(str(index))

    def type(self, name, text):
        box = self.root.locator(f"#{self.id}-{name} ~ input[type=number]")
        box.fill(text)
        box.dispatch_event("change")

    def number(self, channel):
        text = self.root.locator(f'td[data-channel="{channel}"]').inner_text()
        assert text != "—" and "nan" not in text.lower(), f"{channel} shows {text!r}"
        return float(text)

    def text(self, channel):
        return self.root.locator(f'td[data-channel="{channel}"]').inner_text()

    def note(self):
        return self.root.locator(".agi-note").inner_text()

    def svg(self, x, y, axes=0):
        """Data coordinates → the overlay's coordinates, by the transform the page carries."""
        t = self.data["axes"][axes]
        return t["x"][0] * x + t["x"][1], t["y"][0] * y + t["y"][1]

    def circles(self):
        return self.root.locator("svg.agi-marks circle").evaluate_all(
            "cs => cs.filter(c => c.getAttribute('visibility') !== 'hidden')"
            ".map(c => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))])"
        )

    def lines(self):
        return self.root.locator("svg.agi-marks line").evaluate_all(
            "ls => ls.map(l => ['x1', 'y1', 'x2', 'y2'].map(a => Number(l.getAttribute(a))))"
        )

    def state(self):
        """Everything a reader sees change: the readout, the note and the marks' geometry."""
        return self.root.evaluate(
            "el => el.querySelector('table').innerText + el.querySelector('.agi-note').innerText"
            " + el.querySelector('svg.agi-marks').innerHTML"
        )

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.root.screenshot(path=SCREENSHOTS / f"figure-{name}.png")


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
    """A line through (x, y) with this slope, across the axes' x range."""
    lo, hi = figure.data["axes"][axes]["xlim"]
    x1, y1 = figure.svg(lo, y + slope * (lo - x), axes)
    x2, y2 = figure.svg(hi, y + slope * (hi - x), axes)
    assert any(all(near(a, b, 0.05) for a, b in zip(line, (x1, y1, x2, y2))) for line in figure.lines())


@pytest.fixture
def chapter(open_page):
    pages = {}

    def open_(name):
        pages[name] = open_page(f"chapters/{name}.html")
        return pages[name].page

    yield open_
    for name, page in pages.items():
        assert page.errors == [], f"page errors on {name}"
        assert page.blocked == [], f"{name} asked for something that is not on the site"


def test_chapter_3_slope_of_x_squared(chapter):
    figure = Figure(chapter("03-gradients-with-autograd"), 0)
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
    figure = Figure(page, 0)
    assert near(figure.number("grad"), -7.6613) and near(figure.number("dzdy"), -0.9577)
    figure.screenshot("04-chain-before")
    for x in (1.0, -2.7):
        figure.move("x", x)
        z, dzdx = autograd(lambda t: torch.sin(t**2), x)
        assert near(figure.number("dzdy"), math.cos(x * x))
        assert near(figure.number("dydx"), 2 * x)
        assert near(figure.number("product"), dzdx) and near(figure.number("grad"), dzdx)
        assert_point_at(figure, x, z, axes=0)
        assert_tangent(figure, x, z, dzdx, axes=0)
        assert_point_at(figure, x, dzdx, axes=1)
    figure.screenshot("04-chain-after")

    bell = Figure(page, 1)
    bell.screenshot("04-explore-before")
    bell.move("x", 0.5)
    y, dydx = autograd(lambda t: torch.exp(-(t**2)), 0.5)
    assert near(bell.number("y"), y) and near(bell.number("dydx"), dydx)
    assert_point_at(bell, 0.5, y)
    bell.screenshot("04-explore-after")


@pytest.mark.parametrize("name", ["05-a-neuron-by-hand", "06-a-neuron-with-autograd"])
def test_neuron_by_hand_and_by_autograd(chapter, name):
    figure = Figure(chapter(name), 0)
    assert (figure.text("loss"), figure.text("dw"), figure.text("dw_hand")) == ("6.7012", "6.6918", "6.6918")
    figure.screenshot(f"{name[:2]}-before")
    figure.move("x", -3.0)
    figure.move("w", 2.0)
    figure.move("b", 1.0)
    figure.root.get_by_label("1", exact=True).check()
    w = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y_pred = torch.sigmoid(w * -3.0 + b)
    loss = -torch.log(y_pred)
    loss.backward()
    assert near(figure.number("loss"), loss.item())
    assert near(figure.number("dw"), w.grad.item()) and near(figure.number("dw_hand"), w.grad.item())
    assert near(figure.number("db"), b.grad.item()) and near(figure.number("db_hand"), b.grad.item())
    assert_point_at(figure, -5.0, y_pred.item(), axes=0)
    assert_point_at(figure, -5.0, loss.item(), axes=1)
    assert_tangent(figure, -5.0, loss.item(), b.grad.item(), axes=1)
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
    assert figure.root.locator(f"#{figure.id}-x").input_value() == str(len(figure.control("x")["grid"]) - 1)


def test_chapter_7_bars_of_x_and_gradient(chapter):
    figure = Figure(chapter("07-the-gradient-of-a-mean"), 0)
    assert [figure.number(f"g{i}") for i in range(3)] == [0.6667, 1.3333, 2.0]
    figure.screenshot("07-before")
    figure.move("x0", -2.0)
    figure.move("x2", 0.5)
    x = torch.tensor([-2.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    (x**2).mean().backward()
    for i in range(3):
        assert near(figure.number(f"g{i}"), x.grad[i].item())
        assert near(figure.number(f"h{i}"), x.grad[i].item())
    heights = figure.root.locator("svg.agi-marks > g rect").evaluate_all(
        "rs => rs.map(r => [Number(r.getAttribute('y')), Number(r.getAttribute('height'))])"
    )
    zero = figure.svg(0, 0, axes=1)[1]
    grad_bars = heights[3:]
    for (top, height), g in zip(grad_bars, x.grad.tolist()):
        bar_end = top if g > 0 else top + height
        assert near(bar_end, figure.svg(0, g, axes=1)[1], 0.05) and near(height, abs(zero - bar_end), 0.05)
    figure.screenshot("07-after")


def test_chapter_8_history_of_accumulated_gradients(chapter):
    figure = Figure(chapter("08-clearing-gradients"), 0)
    assert figure.text("grad") == "4.0" and len(figure.circles()) == 1
    figure.screenshot("08-before")
    backward = figure.root.get_by_role("button", name="backward again")
    for _ in range(3):
        backward.click()
    assert figure.text("grad") == "16.0" and figure.text("count") == "4"
    assert len(figure.circles()) == 4
    assert_point_at(figure, 3, 16.0)
    figure.screenshot("08-after")
    figure.root.get_by_role("button", name="x.grad.zero_()").click()
    assert figure.text("grad") == "0.0" and figure.text("count") == "0"
    assert len(figure.circles()) == 5
    backward.click()
    figure.move("x", -1.5)  # the same calls on another x: a new history
    assert figure.text("grad") == "-3.0" and len(figure.circles()) == 1


def test_chapter_9_tracking_off_and_backward(chapter):
    figure = Figure(chapter("09-turning-tracking-off"), 0)
    assert figure.text("grad_fn") == "PowBackward0"
    assert figure.text("backward") == "ran: x.grad = tensor(4.)"
    figure.screenshot("09-before")
    for label in ("x.requires_grad_(False)", "x.detach()", "with torch.no_grad()"):
        figure.root.get_by_role("radio", name=label).check()
        assert figure.text("grad_fn") == "None"
        assert figure.text("y_repr") == "tensor(4.)"
        assert figure.text("backward") == (
            "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
        )
        labels = figure.root.locator("svg.agi-marks text").evaluate_all("ts => ts.map(t => t.textContent)")
        assert "y.grad_fn = None: no way back to x" in labels
    figure.screenshot("09-after")
    figure.root.get_by_role("radio", name="tracking on").check()
    figure.move("x", -3.0)
    assert figure.text("y_repr") == "tensor(9., grad_fn=<PowBackward0>)"
    assert figure.text("backward") == "ran: x.grad = tensor(-6.)"


@pytest.mark.parametrize("name", FIGURES)
def test_every_slider_moves_its_figure_from_the_keyboard_within_a_frame(chapter, name):
    page = chapter(name)
    assert page.locator(".agi-figure").count() == FIGURES[name]
    for index in range(FIGURES[name]):
        figure = Figure(page, index)
        size = figure.root.evaluate("el => el.outerHTML.length")
        assert size <= 250_000, f"figure {index} adds {size} bytes"
        for control in figure.data["controls"]:
            if control["kind"] != "slider":
                continue
            slider = figure.root.locator(f"#{figure.id}-{control['name']}")
            assert figure.root.locator(f"label[for='{figure.id}-{control['name']}']").count() == 1
            before = figure.state()
            slider.focus()
            page.keyboard.press("ArrowLeft" if slider.input_value() != "0" else "ArrowRight")
            assert figure.state() != before, f"moving {control['name']} changed nothing"
            # One redraw: the page's own handler, then style and layout of what it changed.
            ms = slider.evaluate(
                """range => {
                    const steps = 40, max = Number(range.max), t0 = performance.now();
                    for (let k = 0; k < steps; k++) {
                        range.value = (Number(range.value) + 1) % (max + 1);
                        range.dispatchEvent(new Event('input', {bubbles: true}));
                        range.closest('.agi-figure').querySelector('svg.agi-marks').getBoundingClientRect();
                    }
                    return (performance.now() - t0) / steps;
                }"""
            )
            assert ms < FRAME_MS, f"{control['name']}: {ms:.2f} ms per redraw"


def test_figures_work_from_disk_with_no_server(browser, build):
    """The built site opened as files (file://): the figure carries its data and its script."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page.goto((build.html / "chapters" / "03-gradients-with-autograd.html").as_uri())
    figure = Figure(page, 0)
    figure.move("x", -1.0)
    assert (figure.number("y"), figure.number("dydx")) == (1.0, -2.0)
    assert errors == []
    page.close()

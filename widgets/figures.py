"""The book's interactive figures: one explorer class per kind of figure.

Each is a spec (controls, marks, readout) with ``evaluate``, where torch autograd computes every
number, and ``draw``, which draws what does not move. :mod:`widgets.explorer` turns them into the
live view (Jupyter) and the static view (the website).

    from widgets import explore
    explore(lambda x: torch.exp(-x**2))          # any scalar function written with torch
"""

import dataclasses
import math

import numpy as np
import torch

from widgets import calculus
from widgets.controls import Choice, Counter, Slider
from widgets.explorer import Explorer, Readout
from widgets.marks import Bars, History, Label, Point, Tangent

CURVE = "C0"
FAINT = "#b0b0b0"


def _leaf(value):
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=True)


def _finite_or_nan(value):
    value = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
    return value if math.isfinite(value) else math.nan


def axis_limits(values, pad=0.08):
    """Axis limits around the finite values, with some room; never an empty range."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return -1.0, 1.0
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    room = (hi - lo) * pad
    return lo - room, hi + room


def _curve(f, xs):
    """f over xs, one point at a time (f need not broadcast), non-finite values as NaN."""
    with torch.no_grad():
        return [_finite_or_nan(f(torch.tensor(x, dtype=torch.float64))) for x in xs]


def style_axes(ax, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#e5e5e5", linewidth=0.8)
    ax.axhline(0, color="#999999", linewidth=0.8, zorder=1)
    ax.set_axisbelow(True)


def _slider(name, label, spec, start=None):
    """A slider over (lo, hi, step), starting at `start` or, by default, in the middle of its grid."""
    lo, hi, step = spec
    slider = Slider(name, label, lo, hi, step, lo)
    return dataclasses.replace(slider, value=slider.grid[len(slider.grid) // 2] if start is None else start)


class FunctionExplorer(Explorer):
    """y = f(x) for any scalar function f written with torch: the curve, the point (x, f(x)), the
    tangent whose slope autograd computed, and the numbers: y, dy/dx by autograd and, if given,
    by a formula worked out by hand.

    f:         a function of one tensor, e.g. ``lambda x: x**2``
    x:         (lo, hi, step) of the slider
    start:     where the slider starts (a grid value; the middle by default)
    by_hand:   the derivative worked out by hand, e.g. ``lambda x: 2 * x``
    formula:   how to write f, e.g. "x²" (shown in the labels)
    derivative: how to write the hand-derived derivative, e.g. "2x"
    """

    def __init__(self, f, x=(-3.0, 3.0, 0.05), start=None, by_hand=None, formula="f(x)",
                 derivative="by hand"):
        self.f, self.by_hand, self.formula = f, by_hand, formula
        self.title = f"y = {formula}: the curve, the point (x, y) and the tangent of slope dy/dx"
        self.controls = (_slider("x", "x", x, start),)
        self.marks = (Tangent("x", "y", "dydx"), Point("x", "y"))
        rows = [("y", "y"), ("dy/dx, autograd (x.grad)", "dydx")]
        if by_hand is not None:
            rows.append((f"dy/dx by hand: {derivative}", "by_hand"))
        self.readout = Readout(rows=tuple(rows))
        self.note = "note"

    def evaluate(self, x):
        leaf = _leaf(x)
        y = self.f(leaf)
        if y.requires_grad:  # a constant function records no graph: its slope is 0, not an error
            y.backward()
        frame = {"x": x, "y": _finite_or_nan(y), "dydx": 0.0 if leaf.grad is None else math.nan, "note": ""}
        if leaf.grad is not None and not math.isnan(frame["y"]):  # no slope where f is undefined
            frame["dydx"] = _finite_or_nan(leaf.grad)
        if self.by_hand is not None:
            frame["by_hand"] = _finite_or_nan(self.by_hand(torch.tensor(x, dtype=torch.float64)))
        if math.isnan(frame["y"]):
            frame["note"] = f"y = {self.formula} is not defined at x = {x:g}."
        elif math.isnan(frame["dydx"]):
            frame["note"] = f"y = {self.formula} has no finite slope at x = {x:g}."
        return frame

    def draw(self, figure):
        ax = figure.subplots()
        control = self.controls[0]
        xs = np.linspace(control.lo, control.hi, 601)
        ys = _curve(self.f, xs)
        ax.plot(xs, ys, color=CURVE, linewidth=2, label=f"y = {self.formula}")
        ax.set_xlim(control.lo, control.hi)
        ax.set_ylim(*axis_limits(ys, pad=0.12))
        style_axes(ax, "x", "y")
        ax.legend(loc="upper center", frameon=False)
        return [ax]


def explore(f, x=(-3.0, 3.0, 0.05), **options):
    """Explore y = f(x) and its slope: ``explore(lambda x: torch.exp(-x**2))``.

    Options as :class:`FunctionExplorer`: ``start``, ``by_hand``, ``formula``, ``derivative``.
    """
    return FunctionExplorer(f, x=x, **options)


class ChainExplorer(Explorer):
    """z = outer(inner(x)) through the chain rule, as chapter 4 writes it: y = inner(x), z = outer(y),
    dz/dx = dz/dy · dy/dx. Left: the curve of z with the point and tangent. Right: dz/dx over the
    whole range, by autograd, with the current point on it. The readout writes the chain out with
    live numbers: each local derivative (autograd on that link alone), their product, and x.grad.
    """

    def __init__(self, inner, outer, x=(-4.0, 4.0, 0.05), start=None,
                 names=("x²", "sin(y)"), local=("2x", "cos(y)")):
        self.inner, self.outer = inner, outer
        inner_name, outer_name = names
        dydx, dzdy = local
        self.formula = outer_name.replace("y", inner_name)
        self.title = (f"z = {outer_name} with y = {inner_name}: the curve with its tangent, and "
                      "dz/dx over the whole range")
        self.controls = (_slider("x", "x", x, start),)
        self.marks = (Tangent("x", "z", "grad"), Point("x", "z"), Point("x", "grad", axes=1))
        self.readout = Readout(rows=(
            (f"y = {inner_name}", "y"),
            (f"z = {outer_name}", "z"),
            (f"dz/dy = {dzdy}  (y.grad)", "dzdy"),
            (f"dy/dx = {dydx}", "dydx"),
            ("dz/dy · dy/dx", "product"),
            ("dz/dx by autograd (x.grad)", "grad"),
        ))
        self.note = "note"

    def evaluate(self, x):
        leaf = _leaf(x)
        y = self.inner(leaf)
        y.retain_grad()  # keep dz/dy, as chapter 4 does
        z = self.outer(y)
        z.backward()
        inner_leaf = _leaf(x)  # the inner link alone, on a graph of its own
        (dydx,) = torch.autograd.grad(self.inner(inner_leaf), inner_leaf)
        frame = {"x": x, "y": _finite_or_nan(y), "z": _finite_or_nan(z),
                 "dzdy": _finite_or_nan(y.grad), "dydx": _finite_or_nan(dydx),
                 "grad": _finite_or_nan(leaf.grad)}
        frame["product"] = frame["dzdy"] * frame["dydx"]
        values = [frame[k] for k in ("y", "z", "dzdy", "dydx", "grad")]
        frame["note"] = "" if all(map(math.isfinite, values)) else f"z is not differentiable at x = {x:g}."
        return frame

    def gradient_curve(self, xs):
        """dz/dx at every x of xs, by autograd (one backward pass through the whole batch)."""
        x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        self.outer(self.inner(x)).sum().backward()
        return [_finite_or_nan(g) for g in x.grad]

    def draw(self, figure):
        left, right = figure.subplots(1, 2)
        control = self.controls[0]
        xs = np.linspace(control.lo, control.hi, 801)
        zs = _curve(lambda t: self.outer(self.inner(t)), xs)
        left.plot(xs, zs, color=CURVE, linewidth=1.6, label=f"z = {self.formula}")
        left.set_ylim(*axis_limits(zs, pad=0.15))
        style_axes(left, "x", "z")
        left.legend(loc="upper center", frameon=False, ncols=1)
        grads = self.gradient_curve(xs)
        right.plot(xs, grads, color="C2", linewidth=1.4, label="dz/dx (autograd)")
        right.set_ylim(*axis_limits(grads))
        style_axes(right, "x", "dz/dx")
        right.legend(loc="upper center", frameon=False)
        for ax in (left, right):
            ax.set_xlim(control.lo, control.hi)
        return [left, right]


class NeuronExplorer(Explorer):
    """One sigmoid neuron, y_pred = σ(w·x + b), with the tutorial's binary cross-entropy (clamped
    at ε). Left: σ(z) with the prediction on it. Right: the loss against z for the chosen label,
    with its tangent: its slope is dL/dz = dL/db. The readout sets dL/dw and dL/db by hand (the
    formulas of chapter 5) beside autograd's. Computed in float64, where the clamp's 1 − ε exists,
    so the loss stays finite everywhere: where the sigmoid saturates past the clamp, the loss
    stops at −log ε ≈ 18.42 and no gradient flows back.
    """

    title = ("A sigmoid neuron: the prediction on the sigmoid, the loss against z with its slope, "
             "and dL/dw, dL/db by hand and by autograd")
    controls = (
        Slider("x", "x", -10.0, 10.0, 0.1, 6.7),
        Slider("w", "w", -2.0, 2.0, 1.0, 1.0),
        Slider("b", "b", -3.0, 3.0, 1.0, 0.0),
        Choice("y", "label y", (("0", "0"), ("1", "1")), "0"),
    )
    marks = (Point("z", "y_pred"), Tangent("z", "loss", "db", axes=1), Point("z", "loss", axes=1))
    readout = Readout(
        header=("", "by hand", "autograd"),
        rows=(("z = w·x + b", "z"), ("y_pred = σ(z)", "y_pred"), ("loss", "loss"),
              ("dL/dw", "dw_hand", "dw"), ("dL/db", "db_hand", "db")),
    )
    decimals = {"z": 2}
    note = "note"
    z_limit = 24.0

    def evaluate(self, x, w, b, y):
        label = float(y)
        w_leaf, b_leaf = _leaf(w), _leaf(b)
        z = w_leaf * x + b_leaf
        y_pred = torch.sigmoid(z)
        loss = calculus.binary_cross_entropy(y_pred, torch.tensor(label, dtype=torch.float64))
        loss.backward()
        dw_hand, db_hand = calculus.neuron_gradients(x, label, w, b)
        p, loss_value = float(y_pred.detach()), float(loss.detach())
        note = ""
        if p > 1 - calculus.EPSILON or p < calculus.EPSILON:
            bound = "1 − ε" if p > 0.5 else "ε"
            note = (f"σ(z) is past the clamp: y_pred is held at {bound}, the loss stops at "
                    f"{loss_value:.2f} and no gradient flows back to w or b.")
        return {"z": float(z.detach()), "y_pred": p, "loss": loss_value, "dw": float(w_leaf.grad),
                "db": float(b_leaf.grad), "dw_hand": float(dw_hand), "db_hand": float(db_hand),
                "note": note}

    def draw(self, figure):
        left, right = figure.subplots(1, 2)
        zs = np.linspace(-self.z_limit, self.z_limit, 961)
        left.plot(zs, 1 / (1 + np.exp(-zs)), color=CURVE, linewidth=2, label="y_pred = σ(z)")
        left.set_ylim(-0.08, 1.08)
        style_axes(left, "z = w·x + b", "y_pred")
        left.legend(loc="upper left", frameon=False)
        for label, color in (("0", "C4"), ("1", "C5")):
            target = torch.tensor(float(label), dtype=torch.float64)
            losses = calculus.binary_cross_entropy(torch.sigmoid(torch.tensor(zs)), target)
            right.plot(zs, losses.numpy(), color=color, linewidth=1.6, label=f"loss for y = {label}")
        cap = -math.log(calculus.EPSILON)
        right.axhline(cap, color=FAINT, linestyle="--", linewidth=1)
        right.text(-self.z_limit * 0.97, cap - 1.6, "clamp: −log ε ≈ 18.42", color="#777777", fontsize=8)
        right.set_ylim(-1.0, cap + 2.5)
        style_axes(right, "z = w·x + b", "loss")
        right.legend(loc="center", frameon=False, fontsize=8)
        for ax in (left, right):
            ax.set_xlim(-self.z_limit, self.z_limit)
        return [left, right]


class MeanOfSquaresExplorer(Explorer):
    """y = mean(x²) of a vector x: a slider per element; bars of x and of the gradient 2x/n."""

    def __init__(self, start=(1.0, 2.0, 3.0), x=(-3.0, 3.0, 0.5)):
        n = len(start)
        self.n = n
        self.title = f"y = mean(x²) of {n} numbers: bars of x and of the gradient 2x/n"
        self.controls = tuple(_slider(f"x{i}", f"x[{i}]", x, v) for i, v in enumerate(start))
        positions = tuple(range(n))
        self.marks = (
            Bars(tuple(f"x{i}" for i in range(n)), positions),
            Bars(tuple(f"g{i}" for i in range(n)), positions, axes=1, color="C2"),
        )
        self.readout = Readout(
            header=("", *(f"[{i}]" for i in range(n))),
            rows=(("x", *(f"x{i}" for i in range(n))),
                  ("x.grad (autograd)", *(f"g{i}" for i in range(n))),
                  (f"2x/n by hand (n = {n})", *(f"h{i}" for i in range(n))),
                  ("y = mean(x²)", "y")),
        )

    def evaluate(self, **values):
        xs = [values[f"x{i}"] for i in range(self.n)]
        x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        y = (x**2).mean()
        y.backward()
        hand = calculus.mean_of_squares_gradient(xs)
        frame = {"y": float(y.detach())}
        for i in range(self.n):
            frame[f"x{i}"] = xs[i]
            frame[f"g{i}"] = float(x.grad[i])
            frame[f"h{i}"] = float(hand[i])
        return frame

    def draw(self, figure):
        left, right = figure.subplots(1, 2)
        control = self.controls[0]
        bound = max(abs(control.lo), abs(control.hi))
        for ax, label, limit in ((left, "x", bound), (right, "x.grad = 2x/n", 2 * bound / self.n)):
            ax.set_xlim(-0.6, self.n - 0.4)
            ax.set_ylim(-limit * 1.1, limit * 1.1)
            ax.set_xticks(range(self.n), [f"[{i}]" for i in range(self.n)])
            style_axes(ax, "element", label)
        left.set_title("x", fontsize=10)
        right.set_title("gradient of mean(x²)", fontsize=10)
        return [left, right]


class AccumulationExplorer(Explorer):
    """Gradients accumulate: each "backward again" builds y = x² anew and calls backward(), which
    adds 2x to x.grad; "zero_()" clears it. The history of x.grad is drawn as it grows and resets.
    Each frame is computed for real: a fresh x, `count` backward passes (and a zero_() for 0).
    """

    title = "x.grad after each backward() call: it grows by 2x per call until zero_() clears it"
    controls = (
        Slider("x", "x", -2.0, 2.0, 0.5, 2.0),
        Counter("count", "backward() calls", 10, (("backward again", "+1"), ("x.grad.zero_()", "reset")), 1),
    )
    marks = (History("grad"),)
    readout = Readout(rows=(("backward() calls since the last zero_()", "count"),
                            ("2x, added by each call (by hand)", "step"),
                            ("x.grad", "grad")))
    decimals = {"count": 0, "step": 1, "grad": 1}
    history_length = 16

    def evaluate(self, x, count):
        leaf = _leaf(x)
        for _ in range(max(count, 1)):
            y = leaf**2
            y.backward()
        if count == 0:
            leaf.grad.zero_()
        return {"count": count, "step": 2 * x, "grad": float(leaf.grad)}

    def draw(self, figure):
        ax = figure.subplots()
        x_control, counter = self.controls
        top = 2 * max(abs(x_control.lo), abs(x_control.hi)) * counter.limit
        ax.set_xlim(-0.5, self.history_length - 0.5)
        ax.set_ylim(-top * 1.08, top * 1.08)
        style_axes(ax, "click (backward again or zero_())", "x.grad")
        return [ax]


class TrackingExplorer(Explorer):
    """Four ways of computing y = x² from x = tensor(…, requires_grad=True): tracked, or with
    tracking turned off by requires_grad_(False), detach() or torch.no_grad(). Shows the small
    graph that was (or was not) recorded, y's grad_fn, and what y.backward() then does.
    """

    MODES = (
        ("tracked", "tracking on"),
        ("requires_grad_", "x.requires_grad_(False)"),
        ("detach", "x.detach()"),
        ("no_grad", "with torch.no_grad()"),
    )
    CODE = {
        "tracked": "y = x ** 2",
        "requires_grad_": "x.requires_grad_(False); y = x ** 2",
        "detach": "y = x.detach() ** 2",
        "no_grad": "with torch.no_grad(): y = x ** 2",
    }
    title = "y = x² with gradient tracking on or off: the recorded graph, y.grad_fn, and y.backward()"
    controls = (Choice("mode", "compute y with", MODES), Slider("x", "x", -3.0, 3.0, 0.5, 2.0))
    marks = (Label("edge", 0.5, 0.8, size=10), Label("y_text", 0.86, 0.18, size=10),
             Label("x_text", 0.14, 0.18, size=10))
    readout = Readout(rows=(("code", "code"), ("y", "y_repr"), ("y.grad_fn", "grad_fn"),
                            ("y.backward()", "backward")))
    figsize = (8.0, 1.7)

    def evaluate(self, mode, x):
        leaf = torch.tensor(float(x), requires_grad=True)  # float32, as in the chapter
        if mode == "tracked":
            y = leaf**2
        elif mode == "requires_grad_":
            leaf.requires_grad_(False)
            y = leaf**2
        elif mode == "detach":
            y = leaf.detach() ** 2
        else:
            with torch.no_grad():
                y = leaf**2
        grad_fn = type(y.grad_fn).__name__ if y.grad_fn is not None else "None"
        try:
            y.backward()
            backward = f"ran: x.grad = {leaf.grad!s}"
        except RuntimeError as error:
            backward = f"RuntimeError: {error}"
        return {
            "code": self.CODE[mode],
            "y_repr": str(y),
            "grad_fn": grad_fn,
            "backward": backward,
            "edge": (f"y.grad_fn = {grad_fn}: backward() can reach x" if grad_fn != "None"
                     else "y.grad_fn = None: no way back to x"),
            "y_text": f"y.requires_grad = {y.requires_grad}",
            "x_text": f"x.grad = {leaf.grad!s}",
        }

    def draw(self, figure):
        ax = figure.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        box = {"boxstyle": "round,pad=0.5", "facecolor": "#eef3fb", "edgecolor": CURVE}
        ax.text(0.14, 0.55, "x  (leaf)", ha="center", va="center", fontsize=12, bbox=box)
        ax.text(0.86, 0.55, "y = x ** 2", ha="center", va="center", fontsize=12, bbox=box)
        ax.annotate("", xy=(0.24, 0.55), xytext=(0.76, 0.55),
                    arrowprops={"arrowstyle": "->", "color": FAINT, "linewidth": 1.5, "linestyle": "--"})
        return [ax]

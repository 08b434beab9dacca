"""The chapters' figures, found in the notebooks themselves, and what each must show, computed
another way.

Every figure output of every chapter (JSON under widgets.page.MIME) is found by
:func:`stored_figures`. Each must have a check in :data:`CHECKS`, listed under its chapter in the
order the chapter shows them, with its title; a figure added to a chapter without one fails the
figure tests, named by chapter and title. A check is either

- :class:`Explorer`: the source line that makes the figure in its chapter (tests check that the
  line is there) and ``expected(values)``: every channel it shows at those control values, from
  closed forms typed here or fresh torch code, never from ``widgets.calculus`` or the figure's own
  ``evaluate``; or
- :class:`Graph`: a ``show_graph`` output, with ``build()``, which makes the same tensors afresh
  (tests/test_graph.py runs PyTorch's own engine on them, with a hook on every node).

A wrong formula re-executed into the stored outputs still fails.
"""

import base64
import functools
import gzip
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import torch

from widgets import (  # noqa: F401  (used by the sources below)
    AccumulationExplorer,
    ChainExplorer,
    EngineExplorer,
    FiniteDifferenceExplorer,
    HookExplorer,
    JacobianExplorer,
    MeanOfSquaresExplorer,
    NeuronExplorer,
    SecondDerivativeExplorer,
    TrackingExplorer,
    TrainingExplorer,
    explore,
)
from widgets.page import MIME

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"

EPSILON = 1e-8  # chapter 5's clamp


def _square(v):
    x = v["x"]
    return {"x": x, "y": x * x, "dydx": 2 * x, "by_hand": 2 * x}


def _chain(v):
    x = v["x"]
    return {
        "x": x,
        "y": x * x,
        "z": math.sin(x * x),
        "dzdy": math.cos(x * x),
        "dydx": 2 * x,
        "product": math.cos(x * x) * 2 * x,
        "grad": 2 * x * math.cos(x * x),
    }


def _bell(v):
    x = v["x"]
    return {"x": x, "y": math.exp(-x * x), "dydx": -2 * x * math.exp(-x * x)}


def _sinc(v):
    """sin(x)/x, and its slope (x·cos x − sin x)/x²; at x = 0 torch computes 0/0: no number, and a note."""
    x = v["x"]
    if x == 0:
        return {"x": x, "y": math.nan, "dydx": math.nan, "note": True}
    return {"x": x, "y": math.sin(x) / x, "dydx": (x * math.cos(x) - math.sin(x)) / x**2, "note": False}


def _neuron(v):
    x, w, b, label = v["x"], v["w"], v["b"], float(v["y"])
    z = w * x + b
    p = 1 / (1 + math.exp(-z))
    held = min(max(p, EPSILON), 1 - EPSILON)
    loss = -(label * math.log(held) + (1 - label) * math.log(1 - held))
    # d/dz of the clamped loss: (σ(z) − y) where the clamp lets σ(z) through, 0 where it holds it.
    dz = p - label if EPSILON <= p <= 1 - EPSILON else 0.0
    clamped = not EPSILON <= p <= 1 - EPSILON
    return {
        "z": z,
        "y_pred": p,
        "loss": loss,
        "dw": dz * x,
        "db": dz,
        "dw_hand": dz * x,
        "db_hand": dz,
        "note": clamped,
    }


def _mean(v):
    xs = [v[f"x{i}"] for i in range(3)]
    frame = {"y": sum(x * x for x in xs) / 3}
    for i, x in enumerate(xs):
        frame.update({f"x{i}": x, f"g{i}": 2 * x / 3, f"h{i}": 2 * x / 3})
    return frame


def _accumulation(v):
    """One x, `calls` passes of y = x² (each adds 2x), x.grad.zero_() after call k if chosen: the
    run's points are x.grad after each call, and 0 at call k right after the zero_()."""
    x, calls = v["x"], int(v["calls"])
    k = None if v["zero"] == "never" else int(v["zero"])
    points = []
    for call in range(1, calls + 1):
        points.append((call, 2 * x * (call if k is None or call <= k else call - k)))
        if call == k:
            points.append((call, 0.0))
    since = calls if k is None or calls < k else calls - k
    frame = {
        "calls": calls,
        "grad": 2 * x * since if calls else math.nan,  # None before the first call: no number
        "step": 2 * x,
        "since": since,
        "hand": 2 * x * since,
        "note": calls == 0 or (k is not None and calls >= k),
    }
    for j in range(11):
        frame[f"t{j}"], frame[f"v{j}"] = points[j] if j < len(points) else (math.nan, math.nan)
    return frame


def _tracking(v):
    """The chapter's four ways, written out afresh: float32, as chapter 9 has them."""
    x = torch.tensor(float(v["x"]), requires_grad=True)
    code = {
        "tracked": "y = x ** 2",
        "requires_grad_": "x.requires_grad_(False); y = x ** 2",
        "detach": "y = x.detach() ** 2",
        "no_grad": "with torch.no_grad(): y = x ** 2",
    }[v["mode"]]
    if v["mode"] == "tracked":
        y = x**2
    elif v["mode"] == "requires_grad_":
        x.requires_grad_(False)
        y = x**2
    elif v["mode"] == "detach":
        y = x.detach() ** 2
    else:
        with torch.no_grad():
            y = x**2
    mode, nan = v["mode"], math.nan
    tracked, detached, frozen = mode == "tracked", mode == "detach", mode == "requires_grad_"
    grad = str(torch.tensor(2 * float(v["x"])))  # as x.grad prints: tensor(4.)
    backward = (
        f"ran: x.grad = {grad}"
        if tracked
        else "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
    )
    # The diagram, on axes from 0 to 1: x's box 0.12…0.28, the copy's 0.38…0.62, y's 0.72…0.88.
    return {
        "code": code,
        "y_repr": repr(y),
        "grad_fn": "PowBackward0" if tracked else "None",
        "backward": backward,
        "x_leaf": "" if frozen else "x",  # edged as a leaf while x requires grad
        "x_plain": "x" if frozen else "",
        "x_note": "requires_grad=False" if frozen else "requires grad",
        "copy": "x.detach()" if detached else "",
        "copy_note": "no grad" if detached else "",
        "y_box": "y",
        "recorded": 0.44 if tracked else nan,  # from x's box to y's, solid
        "unrecorded": nan if tracked else (0.1 if detached else 0.44),  # dashed: into the copy, or to y
        "from_copy": 0.1 if detached else nan,  # the copy's box to y's
        "cut": "" if tracked else "×",
        "cut_at": 0.33 if detached else 0.5,
        "back": f"← backward sends 2x = {2 * float(v['x']):g} to x.grad" if tracked else "",
        "block_top": 0.78 if mode == "no_grad" else nan,
        "block_bottom": 0.22 if mode == "no_grad" else nan,
        "block": "with torch.no_grad():" if mode == "no_grad" else "",
        "edge": "y.grad_fn = PowBackward0: a way back to x" if tracked else "y.grad_fn = None: no way back to x",
    }


# Chapter 10's examples, start and loop, typed here afresh.
TRAINING_X = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
TRAINING_Y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
TRAINING_START = (4.0, -1.5)
TRAINING_STEPS = 40  # the slider's end
TRAINING_XS = [-4.0 + 0.125 * k for k in range(65)]  # where the prediction is drawn


def train(lr, steps, clear):
    """Chapter 10's training loop, in float64 as the chapter runs it: `steps` updates, then the loss
    and the gradients at the parameters reached. Returns (history of (loss, w, b) at steps 0 …
    steps, (dL/dw, dL/db) at the end, (w.grad, b.grad) at the end)."""
    x = torch.tensor(TRAINING_X, dtype=torch.float64)
    y = torch.tensor(TRAINING_Y, dtype=torch.float64)
    w = torch.tensor(TRAINING_START[0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(TRAINING_START[1], dtype=torch.float64, requires_grad=True)

    def mean_loss():
        p = torch.clamp(torch.sigmoid(w * x + b), EPSILON, 1 - EPSILON)
        return (-(y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean()

    history = []
    for _ in range(steps):
        loss = mean_loss()
        loss.backward()
        history.append((loss.item(), w.item(), b.item()))
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        if clear:
            w.grad.zero_()
            b.grad.zero_()
    # Where it stands: the loss, and .grad as one more backward() leaves it (no update) ...
    loss = mean_loss()
    loss.backward()
    history.append((loss.item(), w.item(), b.item()))
    grads = (w.grad.item(), b.grad.item())
    # ... and this point's own gradient, on fresh leaves of the same values (no .grad before).
    w, b = (torch.tensor(t.item(), dtype=torch.float64, requires_grad=True) for t in (w, b))
    mean_loss().backward()
    return history, (w.grad.item(), b.grad.item()), grads


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _training(v):
    steps = int(v["steps"])
    history, (dw, db), (gw, gb) = train(float(v["lr"]), steps, v["zero"] == "yes")
    loss, w, b = history[-1]
    frame = {"step": steps, "w": w, "b": b, "loss": loss, "dw": dw, "db": db, "gw": gw, "gb": gb, "note": True}
    for i in range(TRAINING_STEPS + 1):
        reached = i <= steps
        frame[f"t{i}"] = float(i)
        frame[f"L{i}"], frame[f"w{i}"], frame[f"b{i}"] = history[i] if reached else (math.nan,) * 3
    for j, x in enumerate(TRAINING_XS):
        frame[f"px{j}"], frame[f"py{j}"] = x, _sigmoid(w * x + b)
    return frame


def _hooked(v):
    """Chapter 13: z = sin(x²) with a hook on y = x² that multiplies y's gradient by k. What reaches
    the hook is dz/dy = cos(x²); it returns k·cos(x²); x.grad is that times 2x. The graph's nodes,
    in the order of the walk: SinBackward0 (0), PowBackward0 (1, y's, with the hook), x (2)."""
    x, k = v["x"], v["k"]
    before = math.cos(x * x)
    grad = k * before * 2 * x
    return {
        "x": x,
        "k": k,
        "before": before,
        "after": k * before,
        "grad": grad,
        "by_hand": grad,
        "note": k in (0.0, 1.0),
        "g0r": 1.0,  # backward starts at z with 1
        "g0e0": before,  # SinBackward0 sends cos(y) to y's node
        "g1v": x * x,
        "g1a": before,  # what reaches y, before its hook
        "g1h0": k * before,  # what the hook returns, and the node goes on with
        "g1e0": grad,  # what PowBackward0 sends to x: k·cos(x²)·2x
        "g1l0": 2 * x,  # its local derivative, which the hook does not change
        "g2v": x,
        "g2r": grad,  # x.grad
    }


def _finite_difference(v):
    """Chapter 12: forward and central differences of x³ at x = 1.5 with the step h = 10^k, each
    operation rounded to float32 (NumPy's float32, whose +, −, × and / round as torch's do) and to
    float64 (Python's floats); x³ written x·x·x, which is what torch's x ** 3 computes. The exact
    derivative is 3 · 1.5² = 6.75. Where an error is exactly 0 the figure has no logarithm (NaN:
    no point), and a note says so; where x ± h rounds to x the quotient is 0, and a note says so."""
    k = v["k"]
    h, exact = 10.0**k, 6.75
    frame = {"k": k, "h": f"{h:.2e}", "exact": exact}
    noted = False
    for bits, number in (("32", np.float32), ("64", float)):
        x, step = number(1.5), number(h)
        forward = ((x + step) * (x + step) * (x + step) - x * x * x) / step
        central = ((x + step) * (x + step) * (x + step) - (x - step) * (x - step) * (x - step)) / (number(2) * step)
        for kind, quotient in (("f", forward), ("c", central)):
            error = abs(float(quotient) - exact)
            frame[f"{kind}q{bits}"] = float(quotient)
            frame[f"{kind}e{bits}"] = f"{error:.2e}" if error else "0"
            frame[f"l{kind}{bits}"] = math.log10(error) if error else math.nan
            noted = noted or error == 0 or quotient == 0
    frame["note"] = noted
    return frame


def _jacobian(v):
    """Chapter 11: f(a, b) = (a·b, a + sin b); its Jacobian by hand, J = [[b, a], [1, cos b]]; a unit
    v at the slider's angle; vᵀJ = v₀·(b, a) + v₁·(1, cos b); the true image of the circle of
    radius 0.5 around (a, b), at 24 points; a note where det J = a·cos b − b is 0."""
    a, b = v["a"], v["b"]
    theta = math.radians(v["angle"])
    v0, v1 = math.cos(theta), math.sin(theta)
    vjp = (v0 * b + v1, v0 * a + v1 * math.cos(b))
    frame = {
        "a": a,
        "b": b,
        "angle": v["angle"],
        "f0": a * b,
        "f1": a + math.sin(b),
        "j00": b,
        "j01": a,
        "j10": 1.0,
        "j11": math.cos(b),
        "v0": v0,
        "v1": v1,
        "h0": vjp[0],
        "h1": vjp[1],
        "g0": vjp[0],
        "g1": vjp[1],
        "note": a * math.cos(b) - b == 0,
    }
    for k in range(24):
        p, q = a + 0.5 * math.cos(2 * math.pi * k / 24), b + 0.5 * math.sin(2 * math.pi * k / 24)
        frame[f"c{k}x"], frame[f"c{k}y"] = p * q, p + math.sin(q)
    return frame


def _map_of_the_plane():
    """Chapter 11: y = (a·b, a + sin b) at x = (1.5, 1), as one stacked tensor."""
    x = torch.tensor([1.5, 1.0], requires_grad=True)
    a, b = x[0], x[1]
    y = torch.stack([a * b, a + torch.sin(b)])
    return y, {"x": x, "y": y}


# The chapters' show_graph cells: the same tensors, made afresh as each chapter makes them.


def _square_at(value):
    x = torch.tensor(value, requires_grad=True)
    y = x**2
    return y, {"x": x, "y": y}


def _power():
    """Chapter 1: power(x, 4), a product of four factors of x, starting from a tensor 1."""
    x = torch.tensor(3.0, requires_grad=True)
    result = torch.tensor(1.0)
    for _ in range(4):
        result = result * x
    return result, {"x": x}


def _sin_of_square(value=4.0):
    x = torch.tensor(value, requires_grad=True)
    y = x**2
    z = torch.sin(y)
    return z, {"x": x, "y": y, "z": z}


def _neuron_loss():
    """Chapter 6: the neuron in float32 at x = 6.7, w = 1, b = 0, label 0, the tutorial's loss."""
    x, y = torch.tensor(6.7), torch.tensor(0.0)
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    z = w * x + b
    y_pred = torch.sigmoid(z)
    p = torch.clamp(y_pred, EPSILON, 1 - EPSILON)
    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    return loss, {"w": w, "b": b, "z": z, "y_pred": y_pred, "loss": loss}


def _doubled_on_y():
    """Chapter 13: sin(x²) at x = 1, with a hook on y = x² that doubles its gradient."""
    x = torch.tensor(1.0, requires_grad=True)
    y = x**2

    def double(grad):
        return grad * 2

    y.register_hook(double)
    z = torch.sin(y)
    return z, {"x": x, "y": y, "z": z}


def _x_times_x():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x
    return y, {"x": x, "y": y}


def _untracked(how):
    """Chapter 9: y = x² at x = 2 with tracking off, one of three ways: no graph behind it."""
    x = torch.tensor(2.0, requires_grad=True)
    if how == "requires_grad_":
        x.requires_grad_(False)
        y = x**2
    elif how == "detach":
        y = x.detach() ** 2
    else:
        with torch.no_grad():
            y = x**2
    return y, {"x": x, "y": y}


def _second_derivative(v):
    """Chapter 14: sin(x²), 2x·cos(x²) and, by the product rule, 2·cos(x²) − 4x²·sin(x²); by hand and by
    autograd alike; and everywhere a note on which way f bends (test_figures checks its words)."""
    x = v["x"]
    f, d1, d2 = math.sin(x * x), 2 * x * math.cos(x * x), 2 * math.cos(x * x) - 4 * x * x * math.sin(x * x)
    return {"x": x, "f": f, "d1": d1, "d2": d2, "f_hand": f, "d1_hand": d1, "d2_hand": d2, "note": True}


def _first_derivative_of_sin_of_square():
    """Chapter 14: dz/dx of z = sin(x²) at x = 1.5, by a backward pass recorded with create_graph=True."""
    x = torch.tensor(1.5, requires_grad=True)
    y = x**2
    z = torch.sin(y)
    (dz_dx,) = torch.autograd.grad(z, x, create_graph=True)
    return dz_dx, {"x": x, "y": y, "z": z, "dz_dx": dz_dx}


class BCEWithLogits(torch.autograd.Function):
    """Chapter 12's binary cross-entropy from logits, typed afresh: max(z, 0) − y·z + log1p(e^−|z|),
    with the backward (σ(z) − y) · grad_output."""

    @staticmethod
    def forward(ctx, z, y):
        ctx.save_for_backward(z, y)
        return z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        z, y = ctx.saved_tensors
        return (torch.sigmoid(z) - y) * grad_output, None


def _neuron_from_logits():
    """Chapter 12: the neuron at z = w·x + b = 20 (x = 10, w = 2, b = 0), label 0, float32."""
    w = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    z = w * torch.tensor(10.0) + b
    loss = BCEWithLogits.apply(z, torch.tensor(0.0))  # its node: BCEWithLogitsBackward
    return loss, {"w": w, "b": b, "z": z, "loss": loss}


def chapter_engine(chapter="15-an-autograd-of-your-own"):
    """Chapter 15's engine, the ``Value`` class, from the chapter's own code cells: those before its
    exercises that define the class or give it methods (``class Value``, ``Value.… = …``), run in
    order, so that the tests test the engine the reader sees, not a copy."""
    namespace = {}
    for cell in nbformat.read(CHAPTERS / f"{chapter}.ipynb", as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## Exercises"):
            break
        if cell.cell_type == "code" and re.search(r"^(class Value\b|Value\.\w+.*=)", cell.source, re.M):
            exec(cell.source, namespace)
    return namespace["Value"]


Value = chapter_engine()  # used by the sources below: EngineExplorer(Value)


def _engine_sin_of_square(v):
    """Chapter 15: z = sin(x²) by the reader's engine and by PyTorch, node for node: values x, x²,
    sin(x²) and gradients 2x·cos(x²), cos(x²), 1, by hand; and the graph's channels (node 0 is z,
    1 is y, 2 is x): what each receives, and what it sends to its input and its local derivative."""
    x = v["x"]
    y, z, dz_dy = x * x, math.sin(x * x), math.cos(x * x)
    dz_dx = 2 * x * dz_dy
    mine = {"x": x, "y": y, "z": z, "gx": dz_dx, "gy": dz_dy, "gz": 1.0}
    theirs = {"t" + k: value for k, value in mine.items()}
    graph = {"g0v": z, "g0r": 1.0, "g0e0": dz_dy, "g0l0": dz_dy, "g1v": y, "g1r": dz_dy, "g1e0": dz_dx}
    graph.update({"g1l0": 2 * x, "g2v": x, "g2r": dz_dx})
    return {**mine, **theirs, **graph, "note": False}


def _engine_graph_of_sin_of_square(value=4.0):
    """Chapter 15: z = sin(x²) built with the chapter's engine: (z, names)."""
    x = Value(value)
    y = x**2
    z = y.sin()
    return z, {"x": x, "y": y, "z": z}


def _sin_of_square_in_float64(value=4.0):
    """Chapter 15: z = sin(x²) in float64, named xt, yt, zt as the chapter names them."""
    xt = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    yt = xt**2
    zt = torch.sin(yt)
    return zt, {"xt": xt, "yt": yt, "zt": zt}


@dataclass(frozen=True)
class EngineGraph:
    """A show_graph output of a value of chapter 15's own engine, titled `title`: `build()` makes
    the same values afresh with the chapter's engine, `torch()` the same expression with PyTorch,
    whose engine tests/test_graph.py runs to check the drawing node for node."""

    title: str
    build: object
    torch: object


@dataclass(frozen=True)
class Explorer:
    """A figure a chapter makes with `source` (its own line), whose every channel is `expected`."""

    source: str
    expected: object

    @property
    def title(self):
        return make(self.source).title


@dataclass(frozen=True)
class Graph:
    """A show_graph output titled `title`, of the tensors `build()` makes afresh: (output, names)."""

    title: str
    build: object


# chapter → its figures' checks, in the order the chapter shows the figures.
CHECKS = {
    "01-what-is-autograd": [
        Graph("The graph autograd recorded behind y", lambda: _square_at(3.0)),
        Graph("The graph autograd recorded behind this tensor", _power),
    ],
    "03-gradients-with-autograd": [
        Graph("The graph autograd recorded behind y", lambda: _square_at(3.0)),
        Explorer(
            "explore(lambda x: x**2, x=(-4, 4, 0.05), start=3.0, by_hand=lambda x: 2 * x,"
            ' formula="x²", derivative="2x", graph=True)',
            _square,
        ),
    ],
    "04-the-chain-rule": [
        Graph("The graph autograd recorded behind z", _sin_of_square),
        Explorer("ChainExplorer(inner=lambda x: x**2, outer=torch.sin, x=(0, 8, 0.05), start=4.0, graph=True)", _chain),
        Explorer('explore(lambda x: torch.exp(-x**2), formula="exp(−x²)")', _bell),
        Explorer('explore(lambda x: torch.sin(x) / x, formula="sin(x)/x", start=1.0)', _sinc),
        Graph("The graph autograd recorded behind z", lambda: _sin_of_square(1.5)),  # exercise 4.3
    ],
    "05-a-neuron-by-hand": [Explorer("NeuronExplorer()", _neuron)],
    "06-a-neuron-with-autograd": [
        Graph("The graph autograd recorded behind loss", _neuron_loss),
        Explorer("NeuronExplorer(graph=True)", _neuron),
    ],
    "07-the-gradient-of-a-mean": [Explorer("MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0))", _mean)],
    "08-clearing-gradients": [
        Graph("The graph autograd recorded behind y", _x_times_x),
        Explorer("AccumulationExplorer()", _accumulation),
    ],
    "09-turning-tracking-off": [
        Graph("The graph autograd recorded behind y", lambda: _untracked("requires_grad_")),
        Graph("The graph autograd recorded behind y", lambda: _square_at(2.0)),
        Graph("The graph autograd recorded behind y1", lambda: _untracked("detach")),
        Graph("The graph autograd recorded behind y", lambda: _untracked("no_grad")),
        Explorer("TrackingExplorer()", _tracking),
    ],
    "10-training-the-neuron": [Explorer("TrainingExplorer()", _training)],
    "11-vectors-in-vectors-out": [
        Graph("The graph autograd recorded behind y", _map_of_the_plane),
        Explorer("JacobianExplorer()", _jacobian),
    ],
    "12-a-backward-of-your-own": [
        Graph("The graph autograd recorded behind loss", _neuron_from_logits),
        Explorer("FiniteDifferenceExplorer()", _finite_difference),
    ],
    "13-watching-and-changing-gradients": [
        Graph("The graph autograd recorded behind z", _doubled_on_y),
        Explorer("HookExplorer()", _hooked),
    ],
    "14-derivatives-of-derivatives": [
        Graph("The graph autograd recorded behind dz_dx", _first_derivative_of_sin_of_square),
        Explorer("SecondDerivativeExplorer()", _second_derivative),
    ],
    "15-an-autograd-of-your-own": [
        EngineGraph("The graph your engine built behind z", _engine_graph_of_sin_of_square, _sin_of_square_in_float64),
        Graph("The graph autograd recorded behind zt", _sin_of_square_in_float64),
        Explorer("EngineExplorer(Value)", _engine_sin_of_square),
    ],
}
#: The checks of figures made by an explorer's line, each once (a line may make a figure in two chapters).
EXPLORERS = list(
    {check.source: check for checks in CHECKS.values() for check in checks if isinstance(check, Explorer)}.values()
)


@dataclass(frozen=True)
class Stored:
    """A figure as a chapter stores it: its data (widgets.explorer.Explorer.figure), the source of
    the cell that made it, and which of the chapter's figures it is (1, 2, …)."""

    chapter: str
    number: int
    data: dict
    cell: str

    @property
    def name(self):
        return f"{self.chapter} figure {self.number}: {self.data['title']}"


@functools.cache
def stored_figures():
    """Every figure output of every chapter, in order."""
    found = []
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        number = 0
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if MIME in output.get("data", {}):
                    number += 1
                    found.append(Stored(path.stem, number, output["data"][MIME], cell.source))
    return found


def check_of(stored):
    """The check listed for a stored figure, or None."""
    checks = CHECKS.get(stored.chapter, [])
    return checks[stored.number - 1] if stored.number <= len(checks) else None


@functools.cache
def make(source):
    """The figure the chapter's own line makes, once per test run (figures do not change)."""
    return eval(source)


def decode(table):
    """The page's table as a list of frames: what the page's script reads (explorer.table)."""
    raw = gzip.decompress(base64.b64decode(table["packed"]))
    columns = {}
    for name, c in table["channels"].items():
        if c["kind"] == "text":
            index = np.frombuffer(raw, dtype="<u2", count=table["frames"], offset=c["offset"])
            columns[name] = [c["strings"][i] for i in index]
        else:
            dtype = "<f8" if c["kind"] == "f8" else "<f4"
            columns[name] = [
                float(v) for v in np.frombuffer(raw, dtype=dtype, count=table["frames"], offset=c["offset"])
            ]
    return [{name: column[i] for name, column in columns.items()} for i in range(table["frames"])]


def grids(table):
    """{control: the values the page's table has for it}."""
    raw = gzip.decompress(base64.b64decode(table["packed"]))
    return {
        name: g if isinstance(g, list) else np.frombuffer(raw, "<f8", count=g["size"], offset=g["offset"]).tolist()
        for name, g in table["grids"].items()
    }


def table_points(figure, table):
    """The control values of every frame of `table`, in its order; `figure`: an explorer or its data."""
    controls = figure["controls"] if isinstance(figure, dict) else [c.spec() for c in figure.controls]
    names = [c["name"] for c in controls]
    values = grids(table)
    return [dict(zip(names, point)) for point in itertools.product(*(values[n] for n in names))]

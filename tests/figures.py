"""The chapters' figures, as the chapters make them, and what each must show, computed another way.

Each figure is named by the source line that makes it in its chapter (tests check that the line is
there), and comes with ``expected(values)``: every channel it shows at those control values,
from closed forms typed here or from fresh torch code, never from ``widgets.calculus`` or the
figure's own ``evaluate``. A wrong formula re-executed into the stored outputs still fails.
"""

import base64
import gzip
import itertools
import math

import numpy as np
import torch

from widgets import (  # noqa: F401  (used by the sources below)
    AccumulationExplorer,
    ChainExplorer,
    MeanOfSquaresExplorer,
    NeuronExplorer,
    TrackingExplorer,
    TrainingExplorer,
    explore,
)

EPSILON = 1e-8  # the tutorial's clamp


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
    return {"count": v["count"], "step": 2 * v["x"], "grad": 2 * v["x"] * v["count"]}


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
    tracked = v["mode"] == "tracked"
    grad = str(torch.tensor(2 * float(v["x"])))  # as x.grad prints: tensor(4.)
    backward = (
        f"ran: x.grad = {grad}"
        if tracked
        else "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
    )
    return {
        "code": code,
        "y_repr": repr(y),
        "grad_fn": "PowBackward0" if tracked else "None",
        "backward": backward,
        "x_text": f"x.grad = {grad if tracked else None}",
        "y_text": f"y.requires_grad = {tracked}",
        "edge": "y.grad_fn = PowBackward0: backward() can reach x" if tracked else "y.grad_fn = None: no way back to x",
    }


# Chapter 10's examples, start and loop, typed here afresh.
TRAINING_X = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
TRAINING_Y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
TRAINING_START = (4.0, -1.5)
TRAINING_STEPS = 40  # the slider's end
TRAINING_CURVE = [-4.0 + 0.125 * k for k in range(65)]  # where the prediction is drawn


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
    for j, x in enumerate(TRAINING_CURVE):
        frame[f"px{j}"], frame[f"py{j}"] = x, _sigmoid(w * x + b)
    return frame


# chapter → [(the line that makes the figure, what it must show)]
CHAPTER_FIGURES = {
    "03-gradients-with-autograd": [
        (
            "explore(lambda x: x**2, x=(-4, 4, 0.05), start=3.0, by_hand=lambda x: 2 * x,"
            ' formula="x²", derivative="2x", graph=True)',
            _square,
        )
    ],
    "04-the-chain-rule": [
        ("ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0, graph=True)", _chain),
        ('explore(lambda x: torch.exp(-x**2), formula="exp(−x²)")', _bell),
    ],
    "05-a-neuron-by-hand": [("NeuronExplorer()", _neuron)],
    "06-a-neuron-with-autograd": [("NeuronExplorer(graph=True)", _neuron)],
    "07-the-gradient-of-a-mean": [("MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0))", _mean)],
    "08-clearing-gradients": [("AccumulationExplorer()", _accumulation)],
    "09-turning-tracking-off": [("TrackingExplorer()", _tracking)],
    "10-training-the-neuron": [("TrainingExplorer()", _training)],
}
# Each figure once.
FIGURES = {source: expected for figures in CHAPTER_FIGURES.values() for source, expected in figures}


def make(source):
    return eval(source)  # the chapter's own line


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


def table_points(explorer, table):
    names = [c.name for c in explorer.controls]
    values = grids(table)
    return [dict(zip(names, point)) for point in itertools.product(*(values[n] for n in names))]

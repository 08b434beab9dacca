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
    explore,
)

EPSILON = 1e-8  # the tutorial's clamp


def _square(v):
    x = v["x"]
    return {"x": x, "y": x * x, "dydx": 2 * x, "by_hand": 2 * x}


def _chain(v):
    x = v["x"]
    return {"x": x, "y": x * x, "z": math.sin(x * x), "dzdy": math.cos(x * x), "dydx": 2 * x,
            "product": math.cos(x * x) * 2 * x, "grad": 2 * x * math.cos(x * x)}


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
    return {"z": z, "y_pred": p, "loss": loss, "dw": dz * x, "db": dz, "dw_hand": dz * x, "db_hand": dz,
            "note": clamped}


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
    code = {"tracked": "y = x ** 2", "requires_grad_": "x.requires_grad_(False); y = x ** 2",
            "detach": "y = x.detach() ** 2", "no_grad": "with torch.no_grad(): y = x ** 2"}[v["mode"]]
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
    backward = (f"ran: x.grad = {grad}" if tracked else
                "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn")
    return {"code": code, "y_repr": repr(y), "grad_fn": "PowBackward0" if tracked else "None",
            "backward": backward, "x_text": f"x.grad = {grad if tracked else None}",
            "y_text": f"y.requires_grad = {tracked}",
            "edge": "y.grad_fn = PowBackward0: backward() can reach x" if tracked
            else "y.grad_fn = None: no way back to x"}


# chapter → [(the line that makes the figure, what it must show)]
CHAPTER_FIGURES = {
    "03-gradients-with-autograd": [
        ('explore(lambda x: x**2, x=(-4, 4, 0.05), start=3.0, by_hand=lambda x: 2 * x,'
         ' formula="x²", derivative="2x", graph=True)', _square)],
    "04-the-chain-rule": [
        ("ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0, graph=True)", _chain),
        ('explore(lambda x: torch.exp(-x**2), formula="exp(−x²)")', _bell)],
    "05-a-neuron-by-hand": [("NeuronExplorer()", _neuron)],
    "06-a-neuron-with-autograd": [("NeuronExplorer(graph=True)", _neuron)],
    "07-the-gradient-of-a-mean": [("MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0))", _mean)],
    "08-clearing-gradients": [("AccumulationExplorer()", _accumulation)],
    "09-turning-tracking-off": [("TrackingExplorer()", _tracking)],
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
            columns[name] = [float(v) for v in np.frombuffer(raw, dtype=dtype, count=table["frames"], offset=c["offset"])]
    return [{name: column[i] for name, column in columns.items()} for i in range(table["frames"])]


def grids(table):
    """{control: the values the page's table has for it}."""
    raw = gzip.decompress(base64.b64decode(table["packed"]))
    return {name: g if isinstance(g, list) else np.frombuffer(raw, "<f8", count=g["size"], offset=g["offset"]).tolist()
            for name, g in table["grids"].items()}


def table_points(explorer, table):
    names = [c.name for c in explorer.controls]
    values = grids(table)
    return [dict(zip(names, point)) for point in itertools.product(*(values[n] for n in names))]

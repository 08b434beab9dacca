"""The general figures, for any function or tensor a reader writes: :func:`explore`,
:class:`ChainExplorer` and :func:`show_graph`; and what every figure's code shares (leaves,
axes, sliders from a reader's arguments).

Each figure is a spec (controls, marks, readout) with ``evaluate``, where torch autograd computes
every number, and ``draw``, which draws what does not move. :mod:`widgets.explorer` makes the two
views of it (Jupyter and the website), both drawn by the page's script. The chapters' own figures,
with their data, are in :mod:`widgets.chapter_figures`.

    from widgets import explore, show_graph
    explore(lambda x: torch.exp(-x**2))          # any scalar function written with torch
    explore(lambda x: torch.sin(x**2), graph=True)  # with the graph autograd records, step by step
    show_graph(loss)                              # the graph behind any tensor of yours
"""

import dataclasses
import inspect
import math
import numbers
import re

import numpy as np
import torch

from widgets.controls import Slider, real
from widgets.explorer import Explorer, Readout
from widgets.graph import (
    GraphError,
    backward_failure,
    channels,
    drawing,
    engine_drawing,
    is_engine_value,
    record,
    record_engine,
    signature,
    used,
)
from widgets.marks import Graph, Point, Tangent
from widgets.theme import color


def new_leaf(value):
    """A float64 tensor of one number that requires grad: a fresh leaf."""
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=True)


def finite_or_nan(value):
    """A tensor or number as a float, NaN where it is not finite."""
    value = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
    return value if math.isfinite(value) else math.nan


def axis_limits(values, pad=0.08):
    """Axis limits around the finite values, with some room; never an empty range."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return -1.0, 1.0
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-9 * max(1.0, abs(lo)):
        lo, hi = lo - max(1.0, abs(lo) * 0.1), hi + max(1.0, abs(hi) * 0.1)
    room = (hi - lo) * pad
    return lo - room, hi + room


def _curve(f, xs):
    """f over xs, one point at a time (f need not broadcast); what is not a finite number is NaN."""
    ys = []
    with torch.no_grad():
        for x in xs:
            try:
                ys.append(finite_or_nan(f(torch.tensor(x, dtype=torch.float64))))
            except Exception:  # a reader's function may fail at some x: no curve there
                ys.append(math.nan)
    return ys


def style_axes(ax, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color=color("grid"), linewidth=0.8)
    ax.axhline(0, color=color("axis"), linewidth=0.8, zorder=1)
    ax.set_axisbelow(True)


def _callable(function, name, example):
    if not callable(function):
        raise TypeError(f"{name} must be a function, e.g. {example}; got {function!r} ({type(function).__name__})")


def _text(value, name, example, none=False):
    """`value` if it is text (or None, where `none`); a clear TypeError if not."""
    if isinstance(value, str) or (none and value is None):
        return value
    raise TypeError(f"{name} is written as text, e.g. {name}={example!r}; got {value!r} ({type(value).__name__})")


def flag(value, name, use):
    """`value` if it is True or False; a clear TypeError if not (graph="yes", say). `use` is an
    example of it, e.g. "explore(f, graph=True) adds the graph panel"."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} is True or False; got {value!r} ({type(value).__name__}): {use}")


def cut(y, x, by="the function"):
    """Why no graph leads from `y` back to `x`, in the book's words: explore's note and
    ChainExplorer's error say it the same way."""
    return (
        f"no graph leads from {y} back to {x} ({x}.grad stays None): {by} cut it, e.g. with .detach(), .item(), "
        "NumPy, a comparison or an integer cast (chapter 9)"
    )


def _backward_once(output, name, x):
    """backward() through `output` once, when the figure is made: what fails is said then, in the
    book's words (a value changed in place, a custom backward that raises), not at display."""
    if not (isinstance(output, torch.Tensor) and output.requires_grad):
        return
    try:
        output.reshape(()).backward()
    except Exception as error:
        raise ValueError(
            f"backward() through {name} at x = {x:g} fails, so the figure has no slope to show. "
            + backward_failure(error, "backward()")
        ) from None


def slider(name, label, spec, start=None):
    """A slider over spec = (lo, hi, step), starting at `start` or, by default, the middle of its grid."""
    if not isinstance(spec, (tuple, list)) or len(spec) != 3:
        raise TypeError(f"{label} must be (lo, hi, step), e.g. (-3, 3, 0.05); got {spec!r}")
    lo, hi, step = (real(v, f"{label}: (lo, hi, step)") for v in spec)
    made = Slider(name, label, lo, hi, step, lo)
    value = made.grid[len(made.grid) // 2] if start is None else real(start, f"{label}: start")
    return dataclasses.replace(made, value=value)


def scalar(result, x, name):
    """What a reader's function returned at x, as a float; a clear TypeError if it is not one real
    number. A tensor of one element (float, integer or bool) or a Python or NumPy number will do."""
    where = f"{name}(x) at x = {x:g}"
    if isinstance(result, torch.Tensor):
        if result.numel() != 1:
            raise TypeError(
                f"{where} returned a tensor of shape {tuple(result.shape)}: a figure needs one"
                " number per x. For a vector, explore one element or the sum, e.g."
                f" lambda x: {name}(x).sum()"
            )
        if result.is_complex():
            raise TypeError(f"{where} returned a complex tensor ({result.dtype}): a slope here needs a real number")
        return float(result.detach().reshape(()))
    if isinstance(result, numbers.Real):
        return float(result)
    if result is None:
        raise TypeError(f"{where} returned None: does the function end with `return …`?")
    if isinstance(result, numbers.Complex):
        raise TypeError(f"{where} returned a complex number ({result!r}): a slope here needs a real number")
    raise TypeError(
        f"{where} returned {result!r} ({type(result).__name__}), not a number: a figure needs "
        "a tensor of one element or a Python number"
    )


def _call(function, x, name, requires_grad):
    """function(x) with x a float64 tensor; what it raises is said with the value of x."""
    argument = new_leaf(x) if requires_grad else torch.tensor(float(x), dtype=torch.float64)
    try:
        return argument, function(argument)
    except Exception as error:
        raise _said(error, f"{name}(x) raised {type(error).__name__} at x = {x:g}: {error}") from None


def _said(error, message):
    """An exception of the same kind as `error`, with `message` (a RuntimeError if it cannot be)."""
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


class FunctionExplorer(Explorer):
    """y = f(x) for any scalar function f written with torch: the curve, the point (x, f(x)), the
    tangent whose slope autograd computed, and the numbers: y, dy/dx by autograd and, if given,
    by a formula worked out by hand.

    f:         a function of one tensor, e.g. ``lambda x: x**2``
    x:         (lo, hi, step) of the slider
    start:     where the slider starts (a grid value; the middle by default)
    by_hand:   the derivative worked out by hand, e.g. ``lambda x: 2 * x``
    formula:   how to write f, e.g. "x²" (shown in the labels)
    derivative: how to write the hand-derived derivative, e.g. "2x" (with by_hand only)
    graph:     True for a panel with the graph autograd records at each x (:func:`show_graph`)

    f is called, and backward run through it, once when the figure is made: a result that is not
    one real number, or a backward that fails (a saved value changed in place, say), is said then.
    A slider's limits are :mod:`widgets.controls`'s; where x has more than 4 decimal places, y is
    written with as many.
    """

    def __init__(self, f, x=(-3.0, 3.0, 0.05), start=None, by_hand=None, formula="f(x)", derivative=None, graph=False):
        _callable(f, "f", "lambda x: x**2")
        if by_hand is not None:
            _callable(by_hand, "by_hand", "lambda x: 2 * x")
        formula = _text(formula, "formula", "x²")
        derivative = _text(derivative, "derivative", "2x", none=True)
        graph = flag(graph, "graph", "explore(f, graph=True) adds a panel with the graph autograd records")
        if derivative is not None and by_hand is None:
            raise ValueError(
                f"derivative={derivative!r} labels the derivative worked out by hand, which comes with by_hand=, "
                "the function that computes it: e.g. explore(lambda x: x**2, by_hand=lambda x: 2 * x, "
                'derivative="2x")'
            )
        self.f, self.by_hand, self.formula = f, by_hand, formula
        self.title = f"y = {formula}: the curve, the point (x, y) and the tangent of slope dy/dx"
        self.controls = (slider("x", "x", x, start),)
        self.marks = (Tangent("x", "y", "dydx"), Point("x", "y"))
        rows = [("y", "y"), ("dy/dx, autograd (x.grad)", "dydx")]
        if by_hand is not None:
            rows.append((f"dy/dx by hand: {derivative}" if derivative else "dy/dx by hand", "by_hand"))
        self.readout = Readout(rows=tuple(rows))
        control = self.controls[0]
        if control.decimals > 4:  # a fine scale: y is written with as many places as x
            self.decimals = {"y": control.decimals}
        self.xs = np.linspace(control.lo, control.hi, 601)
        # Called once now, at the start: a wrong result is said here, not deep inside a display.
        leaf, y = _call(f, control.value, "f", requires_grad=True)
        scalar(y, control.value, "f")
        self.graph = None
        if graph:
            self.graph = GraphPanel(y, {"x": leaf, "y": y}, f"The graph behind y = {formula}, recorded at each x")
            self.marks += (self.graph.mark,)
        _backward_once(y, "f", control.value)
        if by_hand is not None:
            scalar(_call(by_hand, control.value, "by_hand", requires_grad=False)[1], control.value, "by_hand")
        self.ys = _curve(f, self.xs)
        # A y that is the same for every x is a constant: no graph, and its slope is 0. A y that
        # changes with x but carries no graph back to x had its graph cut.
        self.constant = all(y == self.ys[0] for y in self.ys) and math.isfinite(self.ys[0])

    def evaluate(self, x):
        leaf = new_leaf(x)
        y = self.f(leaf)
        frame = {"x": x, "y": scalar(y, x, "f"), "dydx": math.nan, "note": ""}
        graph_note = ""
        if self.graph is not None:  # before backward(), which frees what the graph's nodes saved
            graph, graph_note = self.graph.channels(y, {"x": leaf, "y": y})
            frame.update(graph)
        if isinstance(y, torch.Tensor) and y.requires_grad:
            y.reshape(()).backward()
        if self.by_hand is not None:
            frame["by_hand"] = scalar(self.by_hand(torch.tensor(x, dtype=torch.float64)), x, "by_hand")
        if not math.isfinite(frame["y"]):
            what = "is not defined" if math.isnan(frame["y"]) else "is infinite (beyond float64)"
            frame["y"] = math.nan
            frame["note"] = f"y = {self.formula} {what} at x = {x:g}."
        elif leaf.grad is not None:
            frame["dydx"] = finite_or_nan(leaf.grad)
            if math.isnan(frame["dydx"]):
                frame["note"] = f"y = {self.formula} has no finite slope at x = {x:g}."
        elif self.constant:
            frame["dydx"] = 0.0
            frame["note"] = "y is the same for every x: no graph leads back to x, and the slope is 0."
        else:
            frame["note"] = f"y changes with x, but {cut('y', 'x')}. Autograd has no slope to give."
        frame["note"] = " ".join(n for n in (frame["note"], graph_note) if n)
        return frame

    def draw(self, axes):
        (ax,) = axes
        control = self.controls[0]
        ax.plot(self.xs, self.ys, color=color("value"), linewidth=2, label=f"y = {self.formula}")
        ax.set_xlim(control.lo, control.hi)
        ax.set_ylim(*axis_limits(self.ys, pad=0.12))
        style_axes(ax, "x", "y")
        ax.legend(loc="upper center", frameon=False)


def explore(f, x=(-3.0, 3.0, 0.05), **options):
    """Explore y = f(x) and its slope: ``explore(lambda x: torch.exp(-x**2))``.

    Options as :class:`FunctionExplorer`: ``start``, ``by_hand``, ``formula``, ``derivative``, and
    ``graph=True`` for a panel with the graph autograd records at each x, stepped through backward.
    """
    return FunctionExplorer(f, x=x, **options)


class ChainExplorer(Explorer):
    """z = outer(inner(x)) through the chain rule, as chapter 4 writes it: y = inner(x), z = outer(y),
    dz/dx = dz/dy · dy/dx. Left: the curve of z with the point and tangent. Right: dz/dx over the
    whole range, by autograd, with the current point on it. The readout writes the chain out with
    live numbers: each local derivative (autograd on that link alone), their product, and x.grad.

    names: how to write inner and outer, e.g. ("x²", "sin(y)"); by default their own names
    (``torch.exp`` is written "exp(x)", then "exp(y)"; a lambda "inner(x)", "outer(y)"). local:
    their derivatives written out, e.g. ("2x", "cos(y)"), shown only where given. Chapter 4's x² and
    sin, recognised by their values, are written "x²" and "sin(y)" with "2x" and "cos(y)".

    Both functions are called, and backward run, once when the figure is made: a result that is not
    one real number, or a graph cut between x and z, is said then.
    """

    panels = 2

    def __init__(self, inner, outer, x=(-4.0, 4.0, 0.05), start=None, names=None, local=None, graph=False):
        _callable(inner, "inner", "lambda x: x**2")
        _callable(outer, "outer", "torch.sin")
        graph = flag(graph, "graph", "ChainExplorer(inner, outer, graph=True) adds a panel with the graph")
        if names is None and _chapter_4(inner, outer):
            names, local = ("x²", "sin(y)"), ("2x", "cos(y)") if local is None else local
        elif names is None:
            names = (_written(inner, "inner", "x"), _written(outer, "outer", "y"))
        inner_name, outer_name = _pair(names, "names", ("exp(x)", "exp(y)"))
        dydx, dzdy = _pair(local, "local", ("exp(x)", "exp(y)"), none=True) if local is not None else (None, None)
        self.inner, self.outer = inner, outer
        self.formula = re.sub(r"(?<![\w.])y(?!\w)", lambda _: inner_name, outer_name)
        self.title = (
            f"z = {outer_name} with y = {inner_name}: the curve with its tangent, and dz/dx over the whole range"
        )
        self.controls = (slider("x", "x", x, start),)
        self.marks = (Tangent("x", "z", "grad"), Point("x", "z"), Point("x", "grad", axes=1))
        self.readout = Readout(
            rows=(
                (f"y = {inner_name}", "y"),
                (f"z = {outer_name}", "z"),
                (f"dz/dy = {dzdy}  (y.grad)" if dzdy else "dz/dy  (y.grad)", "dzdy"),
                (f"dy/dx = {dydx}" if dydx else "dy/dx", "dydx"),
                ("dz/dy · dy/dx", "product"),
                ("dz/dx by autograd (x.grad)", "grad"),
            )
        )
        start_x = self.controls[0].value
        self._check_chain(start_x)
        self.graph = None
        try:
            if graph:
                leaf = new_leaf(start_x)
                y = inner(leaf)
                y.retain_grad()  # as every frame does
                z = outer(y)
                self.graph = GraphPanel(
                    z, {"x": leaf, "y": y, "z": z}, f"The graph behind z = {self.formula}, recorded at each x"
                )
                self.marks += (self.graph.mark,)
            self.frame(x=start_x)
        except GraphError as error:
            raise GraphError(f"ChainExplorer at x = {start_x:g}: {error}") from None
        except Exception as error:
            raise ValueError(
                f"ChainExplorer at x = {start_x:g}: backward() through outer(inner(x)) fails. "
                + backward_failure(error, "backward()")
            ) from None

    def _check_chain(self, x):
        """inner and outer at x, each one real number with a graph back to its input: else a clear
        error (the same words as explore's note where the graph is cut)."""
        leaf, y = _call(self.inner, x, "inner", requires_grad=True)
        scalar(y, x, "inner")
        if not (isinstance(y, torch.Tensor) and y.requires_grad):
            raise ValueError(
                f"ChainExplorer: y = inner(x) at x = {x:g}: {cut('y', 'x', by='inner')}, or y does not "
                "depend on x. The chain rule needs y computed from x with torch; explore(lambda x: "
                "outer(inner(x))) shows such a function and says where its slope is missing."
            )
        try:
            z = self.outer(y)
        except Exception as error:
            raise _said(error, f"outer(y) raised {type(error).__name__} at x = {x:g}: {error}") from None
        scalar(z, x, "outer(inner(x))")
        if not (isinstance(z, torch.Tensor) and z.requires_grad):
            raise ValueError(
                f"ChainExplorer: z = outer(y) at x = {x:g}: {cut('z', 'y', by='outer')}, or z does not "
                "depend on y (a constant, such as torch.tensor(3.0)). The chain rule needs z computed from "
                "y with torch."
            )

    def evaluate(self, x):
        leaf = new_leaf(x)
        y = self.inner(leaf)
        y.retain_grad()  # keep dz/dy, as chapter 4 does
        z = self.outer(y)
        graph, graph_note = self.graph.channels(z, {"x": leaf, "y": y, "z": z}) if self.graph else ({}, "")
        z.backward()
        inner_leaf = new_leaf(x)  # the inner link alone, on a graph of its own
        (dydx,) = torch.autograd.grad(self.inner(inner_leaf), inner_leaf)
        frame = {
            "x": x,
            "y": finite_or_nan(y),
            "z": finite_or_nan(z),
            "dzdy": finite_or_nan(y.grad),
            "dydx": finite_or_nan(dydx),
            "grad": finite_or_nan(leaf.grad),
        }
        frame["product"] = frame["dzdy"] * frame["dydx"]
        values = [frame[k] for k in ("y", "z", "dzdy", "dydx", "grad")]
        frame["note"] = "" if all(map(math.isfinite, values)) else f"z is not differentiable at x = {x:g}."
        frame["note"] = " ".join(n for n in (frame["note"], graph_note) if n)
        return {**frame, **graph}

    def gradient_curve(self, xs):
        """dz/dx at every x of xs, by autograd (one backward pass through the whole batch)."""
        x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        self.outer(self.inner(x)).sum().backward()
        return [finite_or_nan(g) for g in x.grad]

    def draw(self, axes):
        left, right = axes
        control = self.controls[0]
        xs = np.linspace(control.lo, control.hi, 801)
        zs = _curve(lambda t: self.outer(self.inner(t)), xs)
        left.plot(xs, zs, color=color("value"), linewidth=1.6, label=f"z = {self.formula}")
        left.set_ylim(*axis_limits(zs, pad=0.15))
        style_axes(left, "x", "z")
        left.legend(loc="upper center", frameon=False, ncols=1)
        grads = self.gradient_curve(xs)
        right.plot(xs, grads, color=color("gradient"), linewidth=1.4, label="dz/dx (autograd)")
        right.set_ylim(*axis_limits(grads))
        style_axes(right, "x", "dz/dx")
        right.legend(loc="upper center", frameon=False)
        for ax in (left, right):
            ax.set_xlim(control.lo, control.hi)


def _chapter_4(inner, outer):
    """Whether inner and outer are chapter 4's x² and sin, by their values at a few points."""
    points = (-1.3, 0.4, 2.1)
    try:
        with torch.no_grad():
            return all(
                math.isclose(float(inner(torch.tensor(v, dtype=torch.float64))), v * v, rel_tol=1e-12)
                and math.isclose(float(outer(torch.tensor(v, dtype=torch.float64))), math.sin(v), rel_tol=1e-12)
                for v in points
            )
    except Exception:  # any function a reader writes: not chapter 4's
        return False


def _written(function, role, variable):
    """How a function is written by default: by its own name ("exp(x)"), or by its role ("inner(x)")."""
    name = getattr(function, "__name__", "")
    return f"{name if isinstance(name, str) and name.isidentifier() else role}({variable})"


def _pair(value, name, example, none=False):
    """Two texts (or None each, where `none`), e.g. names=("exp(x)", "exp(y)"); a clear TypeError if not."""
    kinds = (str, type(None)) if none else (str,)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, kinds) for v in value):
        return tuple(value)
    raise TypeError(f"{name} is two texts, one for inner and one for outer, e.g. {name}={example!r}; got {value!r}")


# ------------------------------------------------------------------------------------------------
# The recorded graph: a figure of its own (show_graph), or a panel of a figure (graph=True)


class GraphPanel:
    """A figure's graph panel: the graph recorded at the figure's start, laid out once, and each
    frame's numbers from the graph that frame records (the same code, other values)."""

    #: How the graph is read and drawn (chapter 15's engine has its own).
    record, drawing = staticmethod(record), staticmethod(drawing)

    def __init__(self, output, names, title):
        start = self.record(output, names)
        spec = self.drawing(start)
        self.signature, self.used = signature(start), used(spec)
        self.keys = {k: v for k, v in channels(start).items() if k in self.used}
        self.mark = Graph(**spec, title=title)

    def channels(self, output, names):
        """(the frame's graph channels, a note): NaN where this frame recorded another graph."""
        result = self.record(output, names)
        if signature(result) != self.signature:
            return (
                {k: math.nan if not isinstance(v, str) else "" for k, v in self.keys.items()},
                "Here the function records a different graph from the one drawn (at the start): "
                "the graph's numbers are left out.",
            )
        return {k: v for k, v in channels(result).items() if k in self.used}, ""


class GraphExplorer(Explorer):
    """The graph autograd recorded behind one tensor, drawn with its numbers: see :func:`show_graph`."""

    panels = 0
    #: How the graph is read and drawn, and what its title says (chapter 15's engine has its own).
    record, drawing = staticmethod(record), staticmethod(drawing)
    made, unnamed = "autograd recorded", "this tensor"

    def __init__(self, output, names=None, title=None):
        result = self.record(output, names)
        name = next((n for n, t in (names or {}).items() if t is output), "")
        self.title = title or f"The graph {self.made} behind {name or self.unnamed}"
        spec = self.drawing(result)
        self.marks = (Graph(**spec, title=self.title),)
        numbers = {**channels(result), **result.values_frame()}
        self._frame = {**{k: v for k, v in numbers.items() if k in used(spec)}, "note": " ".join(result.notes)}

    def evaluate(self):
        return dict(self._frame)


def show_graph(output, names=None):
    """Draw the graph autograd recorded behind `output`: ``show_graph(loss)``.

    One box per node as PyTorch names it (``PowBackward0``, ``AccumulateGrad``, …) with the values it
    saved; the leaves with their values; and what backward would send along every edge, which the
    step control walks through one node at a time, in the engine's order. A tensor's hooks
    (``register_hook``) are drawn in its node and called as backward calls them, on the gradient
    that arrives there. Nothing is changed: no ``.grad`` is written. Tensors are named after the
    variables that hold them where the call is made (``names`` overrides: ``{"x": x, "y": y}``, or
    a list of those variables' names, ``["x", "y"]``). A tensor with no graph is shown as such, and
    why. A value of an autograd engine of the reader's
    own (chapter 15's ``Value``: ``data``, ``grad``, ``_backward``, ``_prev``, ``_op``) is drawn the
    same way, with what each node's own ``_backward`` sends (:func:`widgets.graph.record_engine`).
    """
    if is_engine_value(output):  # a value of the reader's own engine (chapter 15)
        return EngineGraphExplorer(
            output, names if names is not None else _variables(inspect.currentframe().f_back, type(output))
        )
    if names is None or (isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names)):
        found = _variables(inspect.currentframe().f_back)
        if names is not None:  # the names of the caller's variables to show: names=["x", "y"]
            missing = [n for n in names if n not in found]
            if missing:
                raise GraphError(
                    f"names lists variables to name in the graph, but there is no tensor called "
                    f"{', '.join(map(repr, missing))} where show_graph was called; name a tensor with "
                    "names={'x': x}"
                )
            found = {n: found[n] for n in names}
        names = found
    return GraphExplorer(output, names)


def _variables(frame, kind=torch.Tensor):
    """The values of type `kind` a caller's code names (a notebook's variables): {name: value}; by
    default its tensors, or the values of the reader's own engine (chapter 15)."""
    found = {}
    for scope in (frame.f_globals, frame.f_locals):
        for name, value in scope.items():
            if isinstance(value, kind) and name.isidentifier() and not name.startswith("_"):
                found.setdefault(name, value)
    return found


# ------------------------------------------------------------------------------------------------
# The graph of an engine of the reader's own (chapter 15): show_graph(value) draws it as PyTorch's


class EngineGraphExplorer(GraphExplorer):
    """The graph a reader's own engine built behind one of its values (:func:`show_graph` on a
    value that has ``data``, ``grad``, ``_backward`` and its inputs), with what each node's own
    ``_backward`` sends: :func:`widgets.graph.record_engine`."""

    record, drawing = staticmethod(record_engine), staticmethod(engine_drawing)
    made, unnamed = "your engine built", "this value"


class EngineGraphPanel(GraphPanel):
    """A figure's panel with the graph a reader's engine builds, laid out once at the figure's start
    (as :class:`GraphPanel` does PyTorch's)."""

    record, drawing = staticmethod(record_engine), staticmethod(engine_drawing)

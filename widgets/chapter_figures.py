"""The chapters' own figures, with their data: the neuron of chapters 5 and 6, the mean of squares
of chapter 7, accumulation (chapter 8), tracking turned off (chapter 9), training (chapter 10), the
Jacobian of a map of the plane (chapter 11), the error of a finite difference as its step shrinks
(chapter 12), a hook that changes a gradient on its way (chapter 13, :class:`HookExplorer`),
derivatives of derivatives (chapter 14) and an autograd of the reader's own (chapter 15).

Each is a spec (controls, marks, readout) with ``evaluate``, where torch autograd computes every
number, and ``draw``, which draws what does not move; :mod:`widgets.figures` has the general
figures and what they all share.
"""

import math

import numpy as np
import torch

from widgets import calculus
from widgets.controls import Choice, Slider
from widgets.explorer import Explorer, Readout
from widgets.figures import EngineGraphPanel, GraphPanel, axis_limits, flag, new_leaf, slider, style_axes
from widgets.marks import Arrow, Bars, Ellipse, Label, Line, Point, Tangent
from widgets.theme import color


class NeuronExplorer(Explorer):
    """One sigmoid neuron, y_pred = σ(w·x + b), with chapter 5's binary cross-entropy (clamped
    at ε). Left: σ(z) with the prediction on it. Right: the loss against z for the chosen label,
    with its tangent: its slope is dL/dz = dL/db. The readout sets dL/dw and dL/db by hand (the
    formulas of chapter 5) beside autograd's. Computed in float64, where the clamp's 1 − ε exists,
    so the loss stays finite everywhere: where the sigmoid saturates past the clamp, the loss
    stops at −log ε ≈ 18.42 and no gradient flows back.
    """

    title = (
        "A sigmoid neuron: the prediction on the sigmoid, the loss against z with its slope, "
        "and dL/dw, dL/db by hand and by autograd"
    )
    controls = (
        Slider("x", "x", -10.0, 10.0, 0.1, 6.7),
        Slider("w", "w", -2.0, 2.0, 1.0, 1.0),
        Slider("b", "b", -3.0, 3.0, 1.0, 0.0),
        Choice("y", "label y", (("0", "0"), ("1", "1")), "0"),
    )
    # The tangent is short and thinner than the curves: the curve stays in sight under it.
    marks = (Point("z", "y_pred"), Tangent("z", "loss", "db", axes=1, width=1.5, span=4.0), Point("z", "loss", axes=1))
    readout = Readout(
        header=("", "by hand", "autograd"),
        rows=(
            ("z = w·x + b", "z"),
            ("y_pred = σ(z)", "y_pred"),
            ("loss", "loss"),
            ("dL/dw", "dw_hand", "dw"),
            ("dL/db", "db_hand", "db"),
        ),
    )
    decimals = {"z": 2}
    panels = 2
    z_limit = 24.0

    def __init__(self, graph=False):
        self.graph = None
        if flag(graph, "graph", "NeuronExplorer(graph=True) adds a panel with the graph"):
            self.graph = GraphPanel(
                *self._forward(**self.start), "The graph behind the loss, recorded at each x, w, b and label"
            )
            self.marks += (self.graph.mark,)

    def _forward(self, x, w, b, y):
        """(loss, its named tensors): the neuron's forward pass, as chapter 6 writes it."""
        w_leaf, b_leaf = new_leaf(w), new_leaf(b)
        z = w_leaf * x + b_leaf
        y_pred = torch.sigmoid(z)
        loss = calculus.binary_cross_entropy(y_pred, torch.tensor(float(y), dtype=torch.float64))
        return loss, {"w": w_leaf, "b": b_leaf, "z": z, "y_pred": y_pred, "loss": loss}

    def evaluate(self, x, w, b, y):
        label = float(y)
        loss, tensors = self._forward(x, w, b, y)
        w_leaf, b_leaf, z, y_pred = (tensors[k] for k in ("w", "b", "z", "y_pred"))
        graph, graph_note = self.graph.channels(loss, tensors) if self.graph else ({}, "")
        loss.backward()
        dw_hand, db_hand = calculus.neuron_gradients(x, label, w, b)
        p, loss_value = float(y_pred.detach()), float(loss.detach())
        note = ""
        if p > 1 - calculus.EPSILON or p < calculus.EPSILON:
            bound = "1 − ε" if p > 0.5 else "ε"
            note = (
                f"σ(z) is past the clamp: y_pred is held at {bound}, the loss stops at "
                f"{loss_value:.2f} and no gradient flows back to w or b."
            )
        return {
            "z": float(z.detach()),
            "y_pred": p,
            "loss": loss_value,
            "dw": float(w_leaf.grad),
            "db": float(b_leaf.grad),
            "dw_hand": float(dw_hand),
            "db_hand": float(db_hand),
            "note": " ".join(n for n in (note, graph_note) if n),
            **graph,
        }

    def draw(self, axes):
        left, right = axes
        zs = np.linspace(-self.z_limit, self.z_limit, 961)
        left.plot(zs, 1 / (1 + np.exp(-zs)), color=color("value"), linewidth=2.4, label="y_pred = σ(z)")
        left.set_ylim(-0.08, 1.08)
        style_axes(left, "z = w·x + b", "y_pred")
        left.legend(loc="upper left", frameon=False)
        for label in ("0", "1"):
            target = torch.tensor(float(label), dtype=torch.float64)
            losses = calculus.binary_cross_entropy(torch.sigmoid(torch.tensor(zs)), target)
            right.plot(zs, losses.numpy(), color=color(f"label{label}"), linewidth=2.4, label=f"loss for y = {label}")
        cap = -math.log(calculus.EPSILON)
        right.axhline(cap, color=color("faint"), linestyle="--", linewidth=1)
        # Above the clamp's line, and the legend in the empty middle below it: no curve crosses either.
        right.text(0, cap + 0.6, "clamp: −log ε ≈ 18.42", color=color("muted"), fontsize=10, ha="center")
        right.set_ylim(-1.0, cap + 3.2)
        style_axes(right, "z = w·x + b", "loss")
        right.legend(loc="upper center", bbox_to_anchor=(0.5, 0.86), frameon=False)
        for ax in (left, right):
            ax.set_xlim(-self.z_limit, self.z_limit)


class MeanOfSquaresExplorer(Explorer):
    """y = mean(x²) of a vector x: a slider per element; bars of x and of the gradient 2x/n."""

    panels = 2

    def __init__(self, start=(1.0, 2.0, 3.0), x=(-3.0, 3.0, 0.5)):
        if isinstance(start, (str, bytes)) or not hasattr(start, "__len__") or len(start) == 0:
            raise ValueError(
                f"MeanOfSquaresExplorer needs at least one number to start from, e.g. "
                f"start=(1.0, 2.0, 3.0); got {start!r}"
            )
        n = len(start)
        self.n = n
        self.title = f"y = mean(x²) of {n} numbers: bars of x and of the gradient 2x/n"
        self.controls = tuple(slider(f"x{i}", f"x[{i}]", x, v) for i, v in enumerate(start))
        positions = tuple(range(n))
        self.marks = (
            Bars(tuple(f"x{i}" for i in range(n)), positions),
            Bars(tuple(f"g{i}" for i in range(n)), positions, axes=1, color="gradient"),
        )
        self.readout = Readout(
            header=("", *(f"[{i}]" for i in range(n))),
            rows=(
                ("x", *(f"x{i}" for i in range(n))),
                ("x.grad (autograd)", *(f"g{i}" for i in range(n))),
                (f"2x/n by hand (n = {n})", *(f"h{i}" for i in range(n))),
                ("y = mean(x²)", "y"),
            ),
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

    def draw(self, axes):
        left, right = axes
        control = self.controls[0]
        bound = max(abs(control.lo), abs(control.hi))
        # One scale for both: a gradient bar is its x bar times 2/n, and looks it.
        for ax, label in ((left, "x"), (right, "x.grad = 2x/n")):
            ax.set_xlim(-0.6, self.n - 0.4)
            ax.set_ylim(-bound * 1.1, bound * 1.1)
            ax.set_xticks(range(self.n), [f"[{i}]" for i in range(self.n)])
            style_axes(ax, "element", label)
        left.set_title("x", fontsize=10)
        right.set_title("gradient of mean(x²)", fontsize=10)


class AccumulationExplorer(Explorer):
    """Gradients accumulate: one x, and `calls` backward passes, each on a fresh y = x², each adding
    2x to x.grad; with x.grad.zero_() after one of the calls if chosen. The whole run is drawn:
    x.grad after each call, where the line drops to 0 at the zero_(). Every frame is the run itself,
    computed for real on a fresh x: moving x runs it again at that x.
    """

    CALLS = 10
    ZERO = (("never", "never"), ("3", "after call 3"), ("6", "after call 6"))
    title = "x.grad after each backward() call: it grows by 2x per call until zero_() clears it"
    controls = (
        Slider("x", "x", -2.0, 2.0, 0.5, 2.0),
        Slider("calls", "backward() calls", 0, CALLS, 1, 1, whole=True),
        Choice("zero", "x.grad.zero_()", ZERO, "never"),
    )
    # The run: x.grad after call 1, 2, … (and 0 right after the zero_(), at the same call).
    marks = (
        Line(
            tuple(f"t{j}" for j in range(CALLS + 1)),
            tuple(f"v{j}" for j in range(CALLS + 1)),
            color="gradient",
            size=7.0,
        ),
        Point("calls", "grad", size=10.0),
    )
    readout = Readout(
        rows=(
            ("backward() calls", "calls"),
            ("x.grad (autograd)", "grad"),
            ("2x: what each call adds (by hand)", "step"),
            ("calls since x.grad was made or cleared", "since"),
            ("2x × those calls (by hand)", "hand"),
        )
    )
    decimals = {"calls": 0, "since": 0, "step": 1, "grad": 1, "hand": 1, **{f"t{j}": 0 for j in range(CALLS + 1)}}
    decimals |= {f"v{j}": 1 for j in range(CALLS + 1)}

    def evaluate(self, x, calls, zero):
        calls, clear = int(calls), (None if zero == "never" else int(zero))
        leaf = new_leaf(x)
        run = []  # (call, x.grad) as the run goes
        for call in range(1, calls + 1):
            y = leaf**2  # a fresh graph for each pass
            y.backward()
            run.append((call, float(leaf.grad)))
            if call == clear:
                leaf.grad.zero_()
                run.append((call, float(leaf.grad)))
        since = calls if clear is None or calls < clear else calls - clear
        frame = {
            "calls": calls,
            "grad": float(leaf.grad) if leaf.grad is not None else math.nan,
            "step": 2 * x,
            "since": since,
            "hand": 2 * x * since,
        }
        for j in range(self.CALLS + 1):
            frame[f"t{j}"], frame[f"v{j}"] = run[j] if j < len(run) else (math.nan, math.nan)
        if calls == 0:
            frame["note"] = "No backward() call yet: x.grad is None, not 0."
        elif clear is not None and calls >= clear:
            frame["note"] = (
                f"x.grad.zero_() after call {clear} set x.grad to 0; the calls after it add to 0."
                if calls > clear
                else f"x.grad.zero_() after call {clear} set x.grad to 0: the next call adds to 0."
            )
        else:
            frame["note"] = ""
        return frame

    def draw(self, axes):
        (ax,) = axes
        x_control = self.controls[0]
        top = 2 * max(abs(x_control.lo), abs(x_control.hi)) * self.CALLS
        ax.set_xlim(-0.5, self.CALLS + 0.5)
        ax.set_xticks(range(self.CALLS + 1))
        ax.set_ylim(-top * 1.08, top * 1.08)
        style_axes(ax, "backward() calls", "x.grad")


class TrackingExplorer(Explorer):
    """Four ways of computing y = x² from x = tensor(…, requires_grad=True): tracked, or with
    tracking turned off by requires_grad_(False), detach() or torch.no_grad(). Draws what was
    recorded: the edge from x to y, solid with the gradient going back where it was recorded,
    dashed and cut where it was not, the detached copy in between for detach(), the block for
    no_grad(); and shows y, its grad_fn, and what y.backward() then does. Arrows point the way the
    forward computation ran; backward goes against them.
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
    #: Where the diagram's parts are, on axes from 0 to 1: x, the detached copy, y.
    X, COPY, Y, ROW, BOX, COPY_BOX = 0.2, 0.5, 0.8, 0.5, (0.16, 0.34), (0.24, 0.34)
    title = "y = x² with gradient tracking on or off: the recorded graph, y.grad_fn, and y.backward()"
    controls = (Choice("mode", "compute y with", MODES), Slider("x", "x", -3.0, 3.0, 0.5, 2.0))
    marks = (
        # x: a leaf (edged in the leaf's colour) while it requires grad.
        Label("x_leaf", X, ROW, size=12, box=BOX, edge="leaf"),
        Label("x_plain", X, ROW, size=12, box=BOX, edge="muted", dashed=True),
        Label("x_note", X, 0.1, size=10, color="muted"),
        Label("copy", COPY, ROW, size=10, box=COPY_BOX, edge="muted", dashed=True),
        Label("copy_note", COPY, 0.1, size=10, color="muted"),
        Label("y_box", Y, ROW, size=12, box=BOX, edge="axis"),
        # The edge x → y: recorded (solid), or run and not recorded (dashed, cut where x's part ends).
        Arrow(X + BOX[0] / 2, ROW, "recorded", 0.0, color="ink", width=1.6),
        Arrow(X + BOX[0] / 2, ROW, "unrecorded", 0.0, color="muted", width=1.6, dashed=True),
        Arrow(COPY + COPY_BOX[0] / 2, ROW, "from_copy", 0.0, color="muted", width=1.6, dashed=True),
        Label("cut", "cut_at", ROW, size=17, color="label"),
        Label("back", 0.5, 0.22, size=10, color="gradient"),
        # torch.no_grad(): the block the operation ran in.
        Line(
            (0.3, 0.7, 0.7, 0.3, 0.3),
            ("block_top", "block_top", "block_bottom", "block_bottom", "block_top"),
            color="muted",
            width=1.2,
            dashed=True,
        ),
        Label("block", 0.5, 0.1, size=10, color="muted"),
        Label("edge", 0.5, 0.9, size=10),
    )
    readout = Readout(rows=(("code", "code"), ("y", "y_repr"), ("y.grad_fn", "grad_fn"), ("y.backward()", "backward")))
    figsize = (8.0, 2.0)
    narrow_figsize = (4.2, 2.3)

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
        recorded, detached = y.grad_fn is not None, mode == "detach"
        gap = self.Y - self.X - self.BOX[0]  # from x's box to y's
        x_right, copy_left = self.X + self.BOX[0] / 2, self.COPY - self.COPY_BOX[0] / 2
        into_copy = copy_left - x_right
        nan = math.nan
        return {
            "code": self.CODE[mode],
            "y_repr": str(y),
            "grad_fn": grad_fn,
            "backward": backward,
            "x_leaf": "x" if leaf.requires_grad else "",
            "x_plain": "" if leaf.requires_grad else "x",
            "x_note": "requires grad" if leaf.requires_grad else "requires_grad=False",
            "copy": "x.detach()" if detached else "",
            "copy_note": "no grad" if detached else "",
            "y_box": "y",
            "recorded": gap if recorded else nan,
            "unrecorded": (into_copy if detached else gap) if not recorded else nan,
            "from_copy": self.Y - self.BOX[0] / 2 - (self.COPY + self.COPY_BOX[0] / 2) if detached else nan,
            "cut": "" if recorded else "×",
            "cut_at": (x_right + copy_left) / 2 if detached else 0.5,
            "back": f"← backward sends 2x = {float(leaf.grad):g} to x.grad" if recorded else "",
            "block_top": 0.78 if mode == "no_grad" else nan,
            "block_bottom": 0.22 if mode == "no_grad" else nan,
            "block": "with torch.no_grad():" if mode == "no_grad" else "",
            "edge": f"y.grad_fn = {grad_fn}: " + ("a way back to x" if recorded else "no way back to x"),
        }

    def draw(self, axes):
        (ax,) = axes
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")


class TrainingExplorer(Explorer):
    """Gradient descent on chapter 10's neuron: y_pred = σ(w·x + b), the binary cross-entropy of
    chapters 5 and 6 (clamped at ε) averaged over seven examples, trained from w = 4, b = −1.5.

    Each frame runs the training loop for real, as the chapter writes it, in float64 as the chapter
    computes: `steps` steps at the chosen learning rate, each a forward pass, ``backward()``, the
    update under ``torch.no_grad()`` and, if the gradients are cleared, ``zero_()``; then one more
    forward and backward pass at the parameters reached, for the numbers shown (no update). Left:
    the loss at every step so far. Middle: the path of (w, b) over the loss's contours, with −∇L at
    the current (w, b), drawn ten times longer. Right: the prediction over x, with the examples.
    """

    X = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
    Y = (0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0)
    START = (4.0, -1.5)
    STEPS = 40
    RATES = (("0.1", "0.1"), ("1", "1"), ("5", "5"), ("15", "15"))
    #: Where the prediction is drawn: x from −4 to 4, in steps of 0.125.
    PREDICTION_XS = tuple(-4.0 + 0.125 * k for k in range(65))
    #: The (w, b) plane drawn: every path with cleared gradients stays inside, and so does the path
    #: without clearing at the two smaller learning rates.
    W_LIMITS, B_LIMITS = (-0.5, 6.0), (-2.0, 2.5)
    #: How many times longer than −∇L its arrow is drawn (the gradient is about 0.18 long at the start).
    ARROW = 10.0
    #: The contours labelled, each at a point of it well inside the panel and off the runs' paths.
    CONTOUR_LABELS = ((0.45, (0.62, 1.05)), (0.8, (5.28, 1.05)))

    title = (
        "Training the neuron by gradient descent: the loss over the steps, the path of (w, b) "
        "over the loss's contours, and the prediction over x"
    )
    controls = (
        Choice("lr", "learning rate", RATES, "1"),
        Slider("steps", "steps", 0, STEPS, 1, STEPS, whole=True),
        Choice("zero", "zero the gradients", (("yes", "every step"), ("no", "never")), "yes"),
    )
    marks = (
        Line(tuple(f"t{i}" for i in range(STEPS + 1)), tuple(f"L{i}" for i in range(STEPS + 1))),
        Point("step", "loss"),
        Line(
            tuple(f"w{i}" for i in range(STEPS + 1)),
            tuple(f"b{i}" for i in range(STEPS + 1)),
            axes=1,
            color="path",
            width=1.4,
            size=3.5,
        ),
        Point("w", "b", axes=1),
        Arrow("w", "b", "dw", "db", axes=1, scale=-ARROW, width=2.2),
        Line(
            tuple(f"px{j}" for j in range(len(PREDICTION_XS))),
            tuple(f"py{j}" for j in range(len(PREDICTION_XS))),
            axes=2,
            width=2.0,
        ),
    )
    readout = Readout(
        header=("", "w", "b"),
        rows=(
            ("the parameters", "w", "b"),
            (f"dL/dw, dL/db here (the arrow: −∇L, ×{ARROW:g})", "dw", "db"),
            ("w.grad, b.grad: what the next step uses", "gw", "gb"),
            ("loss (mean over the 7 examples)", "loss"),
            ("step", "step"),
        ),
    )
    # The prediction is drawn, not read: three decimals (a fraction of a pixel) keep the page light.
    decimals = {"step": 0, **{f"py{j}": 3 for j in range(len(PREDICTION_XS))}}
    panels = 3
    figsize = (9.6, 3.1)

    def __init__(self):
        self.x = torch.tensor(self.X, dtype=torch.float64)
        self.y = torch.tensor(self.Y, dtype=torch.float64)
        self.lowest = self._train(5.0, 200, True)

    @staticmethod
    def _loss(w, b, x, y):
        """The mean binary cross-entropy of σ(w·x + b) against the labels, as chapter 10 writes it."""
        return calculus.binary_cross_entropy(torch.sigmoid(w * x + b), y).mean()

    def _run(self, rate, steps, clear):
        """The chapter's loop from START: the loss and (w, b) at each step, before its update, and
        the leaves w and b where it ends (their .grad as the last step left it)."""
        w, b = new_leaf(self.START[0]), new_leaf(self.START[1])
        losses, path = [], []
        for _ in range(steps):
            loss = self._loss(w, b, self.x, self.y)
            loss.backward()
            losses.append(float(loss.detach()))
            path.append((float(w.detach()), float(b.detach())))
            with torch.no_grad():
                w -= rate * w.grad
                b -= rate * b.grad
            if clear:
                w.grad.zero_()
                b.grad.zero_()
        return losses, path, w, b

    def _train(self, rate, steps, clear):
        """(loss, w, b) after `steps` steps of gradient descent from START (the lowest loss, for the
        background and the notes, is this with many steps)."""
        _, _, w, b = self._run(rate, steps, clear)
        return float(self._loss(w, b, self.x, self.y).detach()), float(w.detach()), float(b.detach())

    def evaluate(self, lr, steps, zero):
        rate, count, clear = float(lr), int(round(steps)), zero == "yes"
        losses, path, w, b = self._run(rate, count, clear)
        # Where it stands: the loss, this point's gradient, and what .grad holds after backward.
        loss = self._loss(w, b, self.x, self.y)
        dw, db = torch.autograd.grad(loss, (w, b), retain_graph=True)
        loss.backward()
        losses.append(float(loss.detach()))
        path.append((float(w.detach()), float(b.detach())))
        frame = {
            "step": count,
            "w": path[-1][0],
            "b": path[-1][1],
            "loss": losses[-1],
            "dw": float(dw),
            "db": float(db),
            "gw": float(w.grad),
            "gb": float(b.grad),
        }
        for i in range(self.STEPS + 1):
            reached = i <= count
            frame[f"t{i}"] = float(i)
            frame[f"L{i}"] = losses[i] if reached else math.nan
            frame[f"w{i}"], frame[f"b{i}"] = path[i] if reached else (math.nan, math.nan)
        with torch.no_grad():
            curve = torch.sigmoid(w * torch.tensor(self.PREDICTION_XS, dtype=torch.float64) + b)
        for j, (px, py) in enumerate(zip(self.PREDICTION_XS, curve.tolist())):
            frame[f"px{j}"], frame[f"py{j}"] = px, py
        frame["note"] = self._note(losses, path, clear)
        return frame

    def inside(self, w, b):
        """Whether (w, b) is in the picture of the middle panel."""
        return self.W_LIMITS[0] <= w <= self.W_LIMITS[1] and self.B_LIMITS[0] <= b <= self.B_LIMITS[1]

    def _note(self, losses, path, clear):
        """What is happening, in words, from the run's own numbers (few of them, so that the page
        stores few different sentences)."""
        count = len(losses) - 1
        if count == 0:
            return (
                f"Step 0: the parameters as they start, w = {self.START[0]:g} and b = {self.START[1]:g}, "
                "before any update. Move the steps slider to train."
            )
        lowest = self.lowest[0]
        rises = [i for i in range(1, count + 1) if losses[i] > losses[i - 1] + 1e-12]
        outside = "" if self.inside(*path[-1]) else " The parameters are now off the picture."
        if not clear:
            note = (
                "The gradients are never cleared: each backward() adds to .grad, so every step "
                "subtracts the sum of all the gradients so far, not this step's gradient."
            )
            if rises:
                return (
                    f"{note} The old gradients keep pushing after the minimum is passed: the loss went "
                    f"up again at step {rises[0]}.{outside}"
                )
            return f"{note} So far the loss has fallen at every step.{outside}"
        if rises:
            return (
                f"The loss went up at step {rises[0]}: the step jumped across the valley and landed "
                "higher on the other side. This learning rate is too large: the loss jumps up and down "
                f"instead of settling.{outside}"
            )
        if losses[-1] - lowest < 1e-3:
            return (
                f"The loss is within 0.001 of its lowest value, {lowest:.4f}: the gradient is almost "
                "zero there, so the steps have become tiny. Training has converged."
            )
        if count == self.STEPS:
            return (
                f"The loss fell at every step, but it is still well above its lowest value, "
                f"{lowest:.4f}: at this learning rate the steps are too small for {self.STEPS} steps "
                "to get there."
            )
        return "So far the loss has fallen at every step."

    def draw(self, axes):
        curve, path, prediction = axes
        lowest, w_best, b_best = self.lowest
        # The loss over the steps: its range is that of every run whose path stays in the picture.
        seen = []
        for rate, _ in self.RATES:
            for zero in ("yes", "no"):
                frame = self.frame(lr=rate, steps=self.STEPS, zero=zero)
                if all(self.inside(frame[f"w{i}"], frame[f"b{i}"]) for i in range(self.STEPS + 1)):
                    seen += [frame[f"L{i}"] for i in range(self.STEPS + 1)]
        curve.axhline(lowest, color=color("faint"), linestyle="--", linewidth=1)
        curve.text(0, lowest - 0.03, f"lowest: {lowest:.3f}", color=color("muted"), fontsize=10, va="top")
        curve.set_xlim(-1, self.STEPS + 1)
        curve.set_ylim(0, max(seen) * 1.1)
        style_axes(curve, "step", "loss")
        curve.set_title("loss at each step", fontsize=10)
        # The loss over the (w, b) plane, as contours, with its lowest point.
        ws = torch.linspace(*self.W_LIMITS, 131, dtype=torch.float64)
        bs = torch.linspace(*self.B_LIMITS, 91, dtype=torch.float64)
        grid_w, grid_b = torch.meshgrid(ws, bs, indexing="xy")
        with torch.no_grad():
            losses = calculus.binary_cross_entropy(
                torch.sigmoid(grid_w[..., None] * self.x + grid_b[..., None]), self.y
            ).mean(-1)
        levels = [0.38, 0.45, 0.6, 0.8, 1.1, 1.5, 2.0]
        lines = path.contour(
            grid_w.numpy(), grid_b.numpy(), losses.numpy(), levels=levels, colors=color("faint"), linewidths=0.9
        )
        # Labels placed by hand, well inside the panel and off the paths the runs take.
        labelled = [level for level, _ in self.CONTOUR_LABELS]
        path.clabel(
            lines, labelled, fontsize=10, colors=color("muted"), fmt="%g", manual=[at for _, at in self.CONTOUR_LABELS]
        )
        path.plot([w_best], [b_best], "+", color=color("ink"), markersize=9, markeredgewidth=1.6)
        path.set_xlim(*self.W_LIMITS)
        path.set_ylim(*self.B_LIMITS)
        path.set_aspect("equal")  # −∇L then meets the contours at right angles, as it does
        style_axes(path, "w", "b")
        path.set_title("(w, b) over the loss's contours", fontsize=10)
        # The prediction over x, with the examples and the best fit.
        xs = np.array(self.PREDICTION_XS)
        prediction.plot(
            xs,
            1 / (1 + np.exp(-(w_best * xs + b_best))),
            color=color("faint"),
            linestyle="--",
            linewidth=1.4,
            label="lowest loss",
        )
        for label, name in ((0.0, "label0"), (1.0, "label1")):
            chosen = [v for v, t in zip(self.X, self.Y) if t == label]
            prediction.plot(
                chosen, [label] * len(chosen), "o", color=color(name), markersize=7, label=f"y = {label:g}", zorder=6
            )
        prediction.set_xlim(xs[0], xs[-1])
        prediction.set_ylim(-0.1, 1.1)
        style_axes(prediction, "x", "y_pred = σ(w·x + b)")
        prediction.set_title("prediction and examples", fontsize=10)
        prediction.legend(loc="upper left", bbox_to_anchor=(0, 0.9), frameon=False, fontsize=10)


class JacobianExplorer(Explorer):
    """Chapter 11's map of the plane, f(a, b) = (a·b, a + sin b), at a point x = (a, b) the reader
    moves. Left, the input plane: x, a small circle around it, and vᵀJ (x.grad after
    ``y.backward(gradient=v)``) as an arrow. Right, the output plane, over the image of the input
    plane's grid lines: f(x), the true image of the circle under f (dashed), its image under the
    Jacobian J (an ellipse: the linear map that f looks like near x), and the unit vector v the
    reader turns. The readout sets J's entries (torch.autograd.functional.jacobian), v, vᵀJ by the
    formula and autograd's x.grad side by side. Computed in float64.
    """

    RADIUS = 0.5  # the circle around x, in the input plane's units
    ARROW = 0.5  # vᵀJ drawn at half its length, so that it stays on the panel (v is a unit arrow)
    RING = 24  # points of the circle's true image
    A, B = (-2.0, 2.0), (-2.5, 2.5)
    #: The planes drawn, ((a or y[0] limits), (b or y[1] limits)): one unit is as long across as up.
    INPUT, OUTPUT = ((-2.6, 2.6), (-3.1, 3.1)), ((-5.6, 5.6), (-3.6, 3.6))
    title = (
        "f(a, b) = (a·b, a + sin b) near a point: a small circle and its image under f and under the "
        "Jacobian J, a unit vector v, and vᵀJ by hand and by y.backward(gradient=v)"
    )
    controls = (
        Slider("a", "a", A[0], A[1], 0.5, 1.5),
        Slider("b", "b", B[0], B[1], 0.5, 1.0),
        Slider("angle", "v's angle (°)", 0.0, 345.0, 15.0, 0.0),
    )
    marks = (
        Ellipse("a", "b", 1.0, 0.0, 0.0, 1.0, radius=RADIUS, color="tangent", width=1.6),
        Point("a", "b"),
        Arrow("a", "b", "g0", "g1", scale=ARROW, width=2.4),
        Line(
            tuple(f"c{k}x" for k in (*range(RING), 0)),
            tuple(f"c{k}y" for k in (*range(RING), 0)),
            axes=1,
            color="value",
            width=1.6,
            dashed=True,
        ),
        Ellipse("f0", "f1", "j00", "j01", "j10", "j11", radius=RADIUS, axes=1, color="tangent", width=2.0),
        Point("f0", "f1", axes=1),
        Arrow("f0", "f1", "v0", "v1", axes=1, width=2.4),
    )
    readout = Readout(
        header=("", "[0]", "[1]"),
        rows=(
            ("x = (a, b)", "a", "b"),
            ("y = f(x) = (a·b, a + sin b)", "f0", "f1"),
            ("J row 0: ∂(a·b)/∂(a, b)", "j00", "j01"),
            ("J row 1: ∂(a + sin b)/∂(a, b)", "j10", "j11"),
            ("v = (cos θ, sin θ): arrow at f(x)", "v0", "v1"),
            ("vᵀJ by hand: v[0]·(b, a) + v[1]·(1, cos b)", "h0", "h1"),
            ("x.grad from y.backward(gradient=v): arrow at x, ×0.5", "g0", "g1"),
        ),
    )
    decimals = {"angle": 0}
    panels = 2
    figsize = (9.6, 3.9)
    narrow_figsize = (4.2, 6.4)

    @staticmethod
    def f(x):
        """The map, as chapter 11 writes it: two numbers in, two out."""
        a, b = x[0], x[1]
        return torch.stack([a * b, a + torch.sin(b)])

    def evaluate(self, a, b, angle):
        x = torch.tensor([a, b], dtype=torch.float64, requires_grad=True)
        y = self.f(x)
        jacobian = torch.autograd.functional.jacobian(self.f, x.detach())
        theta = math.radians(angle)
        v = torch.tensor([math.cos(theta), math.sin(theta)], dtype=torch.float64)
        y.backward(gradient=v)
        v0, v1 = float(v[0]), float(v[1])
        frame = {
            "a": a,
            "b": b,
            "angle": angle,
            "f0": float(y[0].detach()),
            "f1": float(y[1].detach()),
            **{f"j{i}{j}": float(jacobian[i, j]) for i in range(2) for j in range(2)},
            "v0": v0,
            "v1": v1,
            "h0": v0 * b + v1 * 1.0,  # vᵀJ with J = [[b, a], [1, cos b]], by hand
            "h1": v0 * a + v1 * math.cos(b),
            "g0": float(x.grad[0]),
            "g1": float(x.grad[1]),
        }
        turns = torch.arange(self.RING, dtype=torch.float64) * (2 * math.pi / self.RING)
        with torch.no_grad():
            ring = self.f(torch.stack([a + self.RADIUS * torch.cos(turns), b + self.RADIUS * torch.sin(turns)]))
        for k in range(self.RING):
            frame[f"c{k}x"], frame[f"c{k}y"] = float(ring[0, k]), float(ring[1, k])
        determinant = float(torch.linalg.det(jacobian))
        frame["note"] = (
            "Here det J = a·cos b − b = 0: J squashes the circle flat onto a segment, and the v at right "
            "angles to it gets vᵀJ = 0."
            if abs(determinant) < 1e-12
            else ""
        )
        return frame

    def shares(self, rows, columns):
        """Each plane's share of the room in proportion to its extent: side by side, the output plane
        is wider; stacked, the input plane is taller."""
        widths = [hi - lo for (lo, hi), _ in (self.INPUT, self.OUTPUT)]
        heights = [hi - lo for _, (lo, hi) in (self.INPUT, self.OUTPUT)]
        if columns == 2:
            return {"width_ratios": [w / h for w, h in zip(widths, heights)]}
        # Stacked, the output plane is the one kept large: the input plane's share is cut by a quarter.
        return {"height_ratios": [0.75 * heights[0] / widths[0], heights[1] / widths[1]]}

    def draw(self, axes):
        inputs, outputs = axes
        a_lines = np.arange(self.A[0], self.A[1] + 0.25, 0.5)
        b_lines = np.arange(self.B[0], self.B[1] + 0.25, 0.5)
        fine_b = np.linspace(self.B[0], self.B[1], 41)
        grid = {"color": color("faint"), "linewidth": 0.7, "zorder": 1}
        for a in a_lines:  # the line a = constant, and its image under f: a curve, (a·b, a + sin b)
            inputs.plot([a, a], [self.B[0], self.B[1]], **grid)
            outputs.plot(a * fine_b, a + np.sin(fine_b), **grid)
        for b in b_lines:  # b = constant, and its image: a straight line, (a·b, a + sin b) linear in a
            ends = np.array(self.A)
            inputs.plot(ends, [b, b], **grid)
            outputs.plot(ends * b, ends + np.sin(b), **grid)
        inputs.set_xlim(*self.INPUT[0])
        inputs.set_ylim(*self.INPUT[1])
        outputs.set_xlim(*self.OUTPUT[0])
        outputs.set_ylim(*self.OUTPUT[1])
        for ax, title, labels in (
            (inputs, "input: x = (a, b)", ("a", "b")),
            (outputs, "output: y = f(x)", ("y[0] = a·b", "y[1] = a + sin b")),
        ):
            ax.set_aspect("equal")
            ax.set_xlabel(labels[0])
            ax.set_ylabel(labels[1])
            ax.set_title(title, fontsize=10)


class FiniteDifferenceExplorer(Explorer):
    """Chapter 2's question answered: how close a finite difference comes to the derivative as the
    step h shrinks. f(x) = x³ at x = 1.5, whose derivative autograd finds exactly: 6.75. Left, the
    forward difference (f(x + h) − f(x)) / h; right, the central one (f(x + h) − f(x − h)) / (2h).
    Each panel draws the error |quotient − f′(x)| against h on log–log axes (log₁₀ of each, on
    linear axes, ticks written as powers of ten), computed with torch in float32 and in float64:
    the truncation error (4.5h + h² forward, h² central: x³ is a polynomial) falls with h, the
    rounding error rises, and the valley lies between. The points sit on the curves at the slider's
    h. Where a quotient's error is exactly 0 it has no logarithm: its point is not drawn, and the
    note says why; where x ± h rounds to x, the quotient is exactly 0, and the note says that too.
    """

    X = 1.5
    #: The background's curves: log₁₀ h from −16 to 0 in steps of 0.05 (the slider's values among them).
    CURVE = tuple(round(-16.0 + 0.05 * i, 2) for i in range(321))
    DTYPES = (("32", torch.float32), ("64", torch.float64))
    title = (
        "The error of a finite difference of x³ at x = 1.5 against the exact derivative, as the step h "
        "shrinks: forward and central differences, in float32 and float64, on log–log axes"
    )
    controls = (Slider("k", "log₁₀ h", -16.0, 0.0, 0.5, -4.0),)
    marks = (
        Point("k", "lf32"),
        Point("k", "lf64"),
        Point("k", "lc32", axes=1),
        Point("k", "lc64", axes=1),
    )
    readout = Readout(
        header=("", "float32", "float64"),
        rows=(
            ("h", "h"),
            ("forward difference", "fq32", "fq64"),
            ("its error", "fe32", "fe64"),
            ("central difference", "cq32", "cq64"),
            ("its error", "ce32", "ce64"),
            ("log₁₀ error, forward", "lf32", "lf64"),
            ("log₁₀ error, central", "lc32", "lc64"),
            ("f′(1.5) by autograd", "exact"),
        ),
    )
    # The quotients to the digits each dtype holds (float32 about 7, float64 about 16; 10 decimals
    # show float64's error down to 1e-10, and the error rows give it exactly).
    decimals = {"k": 1, "fq32": 7, "cq32": 7, "fq64": 10, "cq64": 10, "lf32": 2, "lf64": 2, "lc32": 2, "lc64": 2}
    panels = 2
    figsize = (8.0, 3.4)
    narrow_figsize = (4.2, 5.8)

    @staticmethod
    def f(x):
        return x**3

    def exact(self):
        """f′(X) by autograd, in float64."""
        x = new_leaf(self.X)
        self.f(x).backward()
        return float(x.grad)

    def quotients(self, h, dtype):
        """(forward, central) difference quotients at X with the step h, every operation in `dtype`."""
        with torch.no_grad():
            x, step = torch.tensor(self.X, dtype=dtype), torch.as_tensor(h, dtype=dtype)
            forward = (self.f(x + step) - self.f(x)) / step
            central = (self.f(x + step) - self.f(x - step)) / (2 * step)
        return forward, central

    def evaluate(self, k):
        h = 10.0**k
        exact = self.exact()
        frame = {"k": k, "h": f"{h:.2e}", "exact": exact}
        notes = []
        for bits, dtype in self.DTYPES:
            forward, central = self.quotients(h, dtype)
            for kind, quotient, name in (("f", forward, "forward"), ("c", central, "central")):
                value = float(quotient)
                error = abs(value - exact)
                frame[f"{kind}q{bits}"] = value
                frame[f"{kind}e{bits}"] = f"{error:.2e}" if error else "0"
                frame[f"l{kind}{bits}"] = math.log10(error) if error else math.nan
                if error == 0:
                    notes.append(
                        f"In float{bits} the {name} quotient is exactly {exact:g} at this h: rounding "
                        "cancelled the truncation error. An error of 0 has no logarithm, so that point "
                        "is not drawn."
                    )
            if float(forward) == 0 and float(central) == 0:
                notes.append(
                    f"In float{bits}, 1.5 + h and 1.5 − h both round to 1.5: h is less than half the gap "
                    f"between float{bits} numbers near 1.5, so both differences are exactly 0, and both "
                    f"errors are the whole derivative, {exact:g}."
                )
        frame["note"] = " ".join(notes)
        return frame

    def curves(self):
        """{(kind, bits): log₁₀ errors over CURVE}, NaN where an error is 0: the background's curves."""
        exact = self.exact()
        found = {}
        for bits, dtype in self.DTYPES:
            hs = torch.tensor([10.0**k for k in self.CURVE], dtype=torch.float64)
            forward, central = self.quotients(hs.to(dtype), dtype)
            for kind, quotient in (("f", forward), ("c", central)):
                errors = (quotient.to(torch.float64) - exact).abs().numpy()
                with np.errstate(divide="ignore"):
                    found[kind, bits] = np.where(errors > 0, np.log10(np.where(errors > 0, errors, 1.0)), np.nan)
        return found

    def draw(self, axes):
        curves = self.curves()
        ks = np.array(self.CURVE)
        hs = 10.0**ks
        truncation = {"f": (4.5 * hs + hs**2, "truncation error: 4.5h + h²"), "c": (hs**2, "truncation error: h²")}
        titles = ("forward: (f(x + h) − f(x)) / h", "central: (f(x + h) − f(x − h)) / 2h")
        for ax, kind, name in zip(axes, ("f", "c"), titles):
            error, label = truncation[kind]
            # Drawn where it matters, from h = 10^−8.5 up: the corner below the curves keeps the legend.
            shown = ks >= -8.5
            ax.plot(ks[shown], np.log10(error[shown]), color=color("faint"), linestyle="--", linewidth=1.2, label=label)
            ax.plot(ks, curves[kind, "32"], color=color("ink"), linewidth=1.3, label="float32")
            ax.plot(ks, curves[kind, "64"], color=color("value"), linewidth=1.6, label="float64")
            ax.set_xlim(-16.4, 0.4)
            ax.set_ylim(-17.5, 2.5)
            ax.set_xticks(range(-16, 1, 4), [_power_of_ten(k) for k in range(-16, 1, 4)])
            ax.set_yticks(range(-16, 3, 2), [_power_of_ten(k) for k in range(-16, 3, 2)])
            # style_axes's line at y = 0 would mark an error of 1 here: a grid alone.
            ax.set_xlabel("step h")
            ax.set_ylabel("error |quotient − f′(x)|")
            ax.grid(True, color=color("grid"), linewidth=0.8)
            ax.set_axisbelow(True)
            ax.set_title(name, fontsize=10)
            ax.legend(loc="lower left", frameon=False, fontsize=10)


def _power_of_ten(k):
    """10 to the power k, written with superscripts: 10⁻⁸."""
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


class HookExplorer(Explorer):
    """Chapter 4's z = sin(x²) with a hook on the intermediate y = x² that multiplies the gradient
    reaching y by k (chapter 13). The graph panel is the graph recorded at each x and k, stepped
    through backward: the hook is a line of y's node, and what that node sends on to x, and x.grad,
    follow k. The plot: dz/dx = 2x·cos(x²) without the hook, and the point (x, x.grad) with it.
    The readout: the gradient that reached the hook, what it returned, and x.grad by autograd
    beside the chain rule times k. Every number from backward run with the hook registered.
    """

    title = (
        "z = sin(x²) with a hook on y = x² that multiplies y's gradient by k: the hook at its node, "
        "and x.grad following k"
    )
    controls = (Slider("x", "x", -2.0, 2.0, 0.1, 1.0), Slider("k", "hook's factor k", -2.0, 2.0, 0.5, 2.0))
    marks = (Point("x", "grad"),)
    readout = Readout(
        rows=(
            ("k, the hook's factor", "k"),
            ("reaching the hook: dz/dy = cos(y)", "before"),
            ("returned by the hook: k · dz/dy", "after"),
            ("x.grad, autograd with the hook", "grad"),
            ("k · cos(x²) · 2x, the chain rule times k", "by_hand"),
        )
    )
    decimals = {"x": 1, "k": 1}

    def __init__(self):
        self.graph = GraphPanel(
            *self._forward(**self.start)[:2], "The graph behind z = sin(x²), with the hook on y, at each x and k"
        )
        self.marks += (self.graph.mark,)

    @staticmethod
    def _forward(x, k):
        """(z, its named tensors, the hook's calls): the forward pass, the hook on y registered. Each
        call of the hook adds (the gradient it got, what it returned) to the list."""
        leaf = new_leaf(x)
        y = leaf**2
        calls = []

        def times_k(grad):
            new = grad * k
            calls.append((float(grad), float(new)))
            return new

        y.register_hook(times_k)
        z = torch.sin(y)
        return z, {"x": leaf, "y": y, "z": z}, calls

    def evaluate(self, x, k):
        z, tensors, calls = self._forward(x, k)
        graph, graph_note = self.graph.channels(z, tensors)  # the recorder calls the hook too
        calls.clear()
        z.backward()  # PyTorch's engine, which calls the hook once, on y's gradient
        ((before, after),) = calls
        grad = float(tensors["x"].grad)
        note = ""
        if k == 0:
            note = "k = 0: the hook returns zeros, and backward carries them on: x.grad is 0, not None."
        elif k == 1:
            note = "k = 1: the hook returns the gradient it got, and x.grad is the chain rule's."
        return {
            "x": x,
            "k": k,
            "before": before,
            "after": after,
            "grad": grad,
            "by_hand": k * math.cos(x * x) * 2 * x,
            "note": " ".join(n for n in (note, graph_note) if n),
            **graph,
        }

    def draw(self, axes):
        (ax,) = axes
        xs = np.linspace(-2.0, 2.0, 401)
        ax.plot(xs, 2 * xs * np.cos(xs**2), color=color("gradient"), linewidth=2, label="dz/dx = 2x·cos(x²), no hook")
        ax.set_xlim(-2.0, 2.0)
        ax.set_ylim(-5.6, 5.6)
        style_axes(ax, "x", "x.grad")
        ax.legend(loc="upper left", frameon=False)


class SecondDerivativeExplorer(Explorer):
    """f(x) = sin(x²), its derivative f′ and its second derivative f″, in three panels, at a point the
    reader moves. On f: the tangent, whose slope is f′(x); on f′: the tangent, whose slope is f″(x).
    Autograd computes f′ with ``create_graph=True``, so that f′ is itself a tensor with a graph, and
    f″ by a second ``torch.autograd.grad`` through that graph. The readout sets the three numbers from
    the formulas worked out by hand (:func:`widgets.calculus.sin_of_square_derivatives`) beside
    autograd's.
    """

    title = "f(x) = sin(x²), f′(x) and f″(x): the tangent to f has slope f′, the tangent to f′ has slope f″"
    controls = (Slider("x", "x", -2.5, 2.5, 0.1, 1.5),)
    # The tangents are short: f′ and f″ reach 5 and 25 here, and a long steep line hides the curve.
    marks = (
        Point("x", "f"),
        Tangent("x", "f", "d1", span=0.45),
        Point("x", "d1", axes=1),
        Tangent("x", "d1", "d2", axes=1, span=0.3),
        Point("x", "d2", axes=2),
    )
    readout = Readout(
        header=("", "by hand", "autograd"),
        rows=(
            ("f = sin(x²)", "f_hand", "f"),
            ("f′ = 2x·cos(x²)", "d1_hand", "d1"),
            ("f″ = 2cos(x²) − 4x²·sin(x²)", "d2_hand", "d2"),
        ),
    )
    decimals = {"x": 1}
    panels = 3
    figsize = (9.6, 2.9)
    narrow_figsize = (4.2, 7.2)

    @staticmethod
    def f(x):
        return torch.sin(x**2)

    def evaluate(self, x):
        leaf = new_leaf(x)
        f = self.f(leaf)
        (d1,) = torch.autograd.grad(f, leaf, create_graph=True)  # f′ as a tensor with a graph
        (d2,) = torch.autograd.grad(d1, leaf)  # backward through f′'s graph
        f_hand, d1_hand, d2_hand = calculus.sin_of_square_derivatives(x)
        d2_value = float(d2)
        if d2_value > 0:
            note = "f″ > 0: f′ is rising here, and f bends upward (its tangent lies below it)."
        elif d2_value < 0:
            note = "f″ < 0: f′ is falling here, and f bends downward (its tangent lies above it)."
        else:
            note = "f″ = 0: f′ is at a peak or a trough, and f is straight for an instant."
        return {
            "x": x,
            "f": float(f.detach()),
            "d1": float(d1.detach()),
            "d2": d2_value,
            "f_hand": float(f_hand),
            "d1_hand": float(d1_hand),
            "d2_hand": float(d2_hand),
            "note": note,
        }

    def curves(self, xs):
        """f, f′ and f″ at every x of xs, by autograd: one pass for f′ (create_graph) and one for f″."""
        x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        f = self.f(x)
        (d1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
        (d2,) = torch.autograd.grad(d1.sum(), x)
        return f.detach().numpy(), d1.detach().numpy(), d2.numpy()

    def draw(self, axes):
        control = self.controls[0]
        xs = np.linspace(control.lo, control.hi, 801)
        f, d1, d2 = self.curves(xs)
        for ax, ys, name, meaning, title in (
            (axes[0], f, "f(x)", "value", "f = sin(x²), its tangent's slope f′"),
            (axes[1], d1, "f′(x)", "gradient", "f′, its tangent's slope f″"),
            (axes[2], d2, "f″(x)", "gradient", "f″"),
        ):
            ax.plot(xs, ys, color=color(meaning), linewidth=1.6)
            ax.set_xlim(control.lo, control.hi)
            ax.set_ylim(*axis_limits(ys, pad=0.1))
            ax.axhline(0, color=color("faint"), linewidth=0.8)
            style_axes(ax, "x", name)
            ax.set_title(title, fontsize=10)


class EngineExplorer(Explorer):
    """Chapter 4's z = sin(x²), at an x the reader moves, computed twice: by the reader's own engine
    (chapter 15's ``Value``, passed in: ``EngineExplorer(Value)``; any class with ``data``, ``grad``,
    ``_backward``, its inputs, ``**`` and ``sin`` will do) and by PyTorch, in float64. The panel
    draws z over x, with the tangent whose slope is the engine's x.grad, and the graph the reader's engine builds, with what each node's own ``_backward`` sends
    (:func:`widgets.graph.record_engine`); the readout sets each node's value and gradient, by the
    engine's own ``backward()``, beside PyTorch's, node for node."""

    title = "Your engine beside PyTorch: z = sin(x²), its graph and every node's value and gradient"
    controls = (Slider("x", "x", -2.5, 2.5, 0.1, 1.5),)
    readout = Readout(
        header=("", "data", "PyTorch", "grad", "PyTorch"),  # yours, then PyTorch's
        rows=(
            ("x", "x", "tx", "gx", "tgx"),
            ("y", "y", "ty", "gy", "tgy"),  # y = x**2 and z = y.sin(), as the graph's boxes say
            ("z", "z", "tz", "gz", "tgz"),
        ),
    )
    decimals = {"x": 1}
    figsize = (8.0, 2.6)

    def __init__(self, engine):
        if not isinstance(engine, type):
            raise TypeError(f"EngineExplorer takes your engine's class, e.g. EngineExplorer(Value); got {engine!r}")
        self.engine = engine
        x, y, z = self._forward(self.start["x"])
        self.graph = EngineGraphPanel(z, {"x": x, "y": y, "z": z}, "The graph your engine builds behind z, at each x")
        # On the curve: the point, and the tangent whose slope is x.grad by the reader's engine.
        self.marks = (Point("x", "z"), Tangent("x", "z", "gx", span=0.3), self.graph.mark)

    def _forward(self, x):
        x = self.engine(x)
        y = x**2
        return x, y, y.sin()

    def evaluate(self, x):
        mine = self._forward(x)
        frame, graph_note = self.graph.channels(mine[2], dict(zip("xyz", mine)))  # before backward: grads 0
        mine[2].backward()  # the reader's own backward
        leaf = new_leaf(x)
        y = leaf**2
        y.retain_grad()
        z = torch.sin(y)
        z.retain_grad()
        z.backward()
        theirs = (leaf, y, z)
        for name, value, tensor in zip("xyz", mine, theirs):
            frame[name] = float(value.data)
            frame[f"g{name}"] = float(value.grad)
            frame[f"t{name}"] = float(tensor.detach())
            frame[f"tg{name}"] = float(tensor.grad)
        frame["x"] = x
        frame["note"] = graph_note
        return frame

    def draw(self, axes):
        (ax,) = axes
        control = self.controls[0]
        xs = np.linspace(control.lo, control.hi, 801)
        ax.plot(xs, np.sin(xs**2), color=color("value"), linewidth=1.6)
        ax.set_xlim(control.lo, control.hi)
        ax.set_ylim(-1.2, 1.2)
        style_axes(ax, "x", "z = sin(x²)")
        ax.set_title("z = sin(x²); the tangent's slope is your x.grad", fontsize=10)

"""Kernel-side cost of one live update of the book's figures, against interact + plt.show.

Run from the repository's root (under a minute on 2 cores; no window opens, no kernel is needed):

    .venv/bin/python benchmarks/live_update.py
    .venv/bin/python benchmarks/live_update.py --steps 30 --naive-steps 20   # quicker, noisier
    .venv/bin/python benchmarks/live_update.py --naive-steps 0      # the live view only
    .venv/bin/python benchmarks/live_update.py --widgets /tmp/copy  # time another copy of widgets/

One live update is what the kernel does when a reader moves a control of a figure's live view
(``widgets.live.LiveView``): the control's new value runs ``explorer.frame`` (torch autograd), the
marks' artists move in place, the readout's HTML is rewritten and ``draw_idle`` asks the frontend
for a redraw; the frontend answers with a "draw" message, on which ipympl draws the figure with Agg
(``canvas.draw()``) and encodes it as a PNG, full or diff, for the frontend
(``canvas.draw()`` ends in ``manager.refresh_all()`` → ``canvas.get_diff_image()`` →
``canvas.send_binary()``). Here the frontend's message is handed to the canvas directly, and the
comm is ipywidgets' dummy comm, so sending costs nothing: what is timed is the kernel's work
only, not the websocket nor the browser drawing the PNG.

The naive pattern is ``ipywidgets.interactive`` (what ``interact`` builds) calling a function that
makes a new pyplot figure of the same size and content on every change, then renders it as the
inline backend does on ``plt.show()``: IPython's image/png formatter,
``print_figure(fig, "png", bbox_inches="tight", base64=True)``, then ``plt.close("all")``.
"""

import argparse
import contextlib
import io
import math
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")  # before pyplot: no window, and the inline backend draws with Agg too

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib._pylab_helpers import Gcf  # noqa: E402

WARMUP = 5
STEPS = 60
DEVICE_PIXEL_RATIO = 1  # of the reader's screen, as ipympl's frontend reports it
NAIVE_STEPS = 40  # a naive step costs 30 to 150 ms: fewer of them keep the run under a minute
FRAME_MS = 1000 / 60  # one frame at 60 Hz


def ms(seconds):
    return seconds * 1000.0


def summary(times):
    """(median, 90th percentile) in ms."""
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]
    return ms(statistics.median(ordered)), ms(p90)


def sweep(grid, count, start=None):
    """`count` grid values going back and forth over the whole grid, each unlike the one before
    (and unlike `start`, the value the control holds before the first)."""
    n = len(grid)
    stride = max(1, (n - 1) // 30)  # cross the grid in about 30 steps, then come back
    path = list(range(0, n, stride))
    if path[-1] != n - 1:
        path.append(n - 1)
    path = path + path[-2:0:-1]
    values = []
    i = 0
    while len(values) < count:
        value = grid[path[i % len(path)]]
        previous = values[-1] if values else start
        if value != previous:
            values.append(value)
        i += 1
    return values


# ------------------------------------------------------------------------------------------------
# The figures as the chapters create them, and how a reader drives each


def chapter_figures():
    from widgets import (
        AccumulationExplorer,
        ChainExplorer,
        MeanOfSquaresExplorer,
        NeuronExplorer,
        TrackingExplorer,
        explore,
    )

    return [
        ("ch3 explore(x²)",
         lambda: explore(lambda x: x**2, start=3.0, by_hand=lambda x: 2 * x, formula="x²", derivative="2x"),
         "x"),
        ("ch4 ChainExplorer(sin(x²))",
         lambda: ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0), "x"),
        ("ch4 explore(exp(−x²))",
         lambda: explore(lambda x: torch.exp(-x**2), formula="exp(−x²)"), "x"),
        ("ch5/6 NeuronExplorer (x)", NeuronExplorer, "x"),
        ("ch7 MeanOfSquaresExplorer (x0)",
         lambda: MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0)), "x0"),
        ("ch8 AccumulationExplorer (clicks)", AccumulationExplorer, "count"),
        ("ch9 TrackingExplorer (mode)", TrackingExplorer, "mode"),
    ]


def actions(view, name, count):
    """`count` callables, each moving control `name` of `view` once, as a reader would."""
    from widgets.controls import Choice, Counter, Slider

    control = next(c for c in view.explorer.controls if c.name == name)
    if isinstance(control, Slider):
        slider = view.inputs[name][0]

        def move(value):
            return lambda: setattr(slider, "value", value)

        return [move(v) for v in sweep(control.grid, count, start=view.values[name])]
    if isinstance(control, Choice):
        buttons = view.inputs[name][0]
        options = control.grid
        first = options.index(view.values[name]) + 1
        return [(lambda v: lambda: setattr(buttons, "value", v))(options[(first + i) % len(options)])
                for i in range(count)]
    if isinstance(control, Counter):
        # "backward again" five times, then "x.grad.zero_()", and again
        return [(lambda a: lambda: view.click(name, a))("reset" if i % 6 == 5 else "+1")
                for i in range(count)]
    raise TypeError(control)


# ------------------------------------------------------------------------------------------------
# Our live view


class Recorder:
    """Watches one live view: counts its refreshes and the frontend draw requests it makes, keeps
    the size of every PNG its canvas sends, and adds up, per step, the time spent

    - drawing with Agg: ``figure.draw`` (a full draw), and ``canvas.restore_region``,
      ``canvas.copy_from_bbox`` and ``figure.draw_artist`` (what blitting uses);
    - making and sending the PNG: ``manager.refresh_all`` (``get_diff_image`` + ``send_binary``).

    Everything is wrapped on the instances; the view's own code is not changed.
    """

    def __init__(self, view):
        self.refreshes = 0
        self.draw_requests = 0
        self.sizes = []
        self.spent = {"draw": 0.0, "encode": 0.0}
        self._depth = {"draw": 0, "encode": 0}
        canvas, figure = view.canvas, view.figure

        refresh = view.refresh

        def counted_refresh(event):
            self.refreshes += 1
            return refresh(event)

        view.refresh = counted_refresh  # the controls' callbacks look it up on the instance

        send_event = canvas.send_event

        def watched_send_event(event_type, **kwargs):
            if event_type == "draw":  # draw_idle: the frontend will ask for a draw
                self.draw_requests += 1
            return send_event(event_type, **kwargs)

        canvas.send_event = watched_send_event

        send_binary = canvas.send_binary

        def recorded_send(data):
            self.sizes.append(len(data))
            return send_binary(data)

        canvas.send_binary = recorded_send

        for owner, name, kind in ((figure, "draw", "draw"), (figure, "draw_artist", "draw"),
                                  (canvas, "restore_region", "draw"), (canvas, "copy_from_bbox", "draw"),
                                  (canvas.manager, "refresh_all", "encode")):
            setattr(owner, name, self._timed(getattr(owner, name), kind))

    def _timed(self, method, kind):
        def timed(*args, **kwargs):
            self._depth[kind] += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self._depth[kind] -= 1
                elapsed = time.perf_counter() - started
                if self._depth[kind] == 0:  # outermost call only
                    self.spent[kind] += elapsed
                if kind == "encode" and self._depth["draw"]:
                    self.spent["draw"] -= elapsed  # a PNG sent from inside a draw is not drawing

        return timed

    def start_step(self):
        self._before = (self.refreshes, len(self.sizes))
        self.spent = {"draw": 0.0, "encode": 0.0}

    def check_step(self):
        refreshes, sent = self._before
        if self.refreshes != refreshes + 1:
            raise RuntimeError("a step did not run exactly one update of the figure")
        if len(self.sizes) != sent + 1 or self.sizes[-1] <= 0:
            raise RuntimeError("a step did not render and send exactly one PNG")


def live_view(make):
    from widgets.live import LiveView

    explorer = make()
    started = time.perf_counter()
    view = LiveView.of(explorer)
    # A connected frontend says "initialized": from then on ipympl sends each PNG only, without
    # also keeping a base64 copy in the widget's state (as it does while no frontend is there).
    view.canvas._handle_message(view.canvas, {"type": "initialized"}, [])
    if DEVICE_PIXEL_RATIO != 1:  # a HiDPI screen: the frontend asks for more pixels
        view.canvas.handle_event({"type": "set_device_pixel_ratio", "device_pixel_ratio": DEVICE_PIXEL_RATIO})
    view.canvas.handle_event({"type": "draw"})  # the frontend's first draw
    return view, time.perf_counter() - started


def measure_live(make, name, steps):
    """Per step: move the control; if the view asked the frontend for a redraw (draw_idle), the
    frontend's "draw" request (ipympl: canvas.draw(), which draws and sends the PNG)."""
    view, built = live_view(make)
    recorder = Recorder(view)
    canvas = view.canvas
    times, parts = [], {"update": [], "draw": [], "encode": []}
    for i, move in enumerate(actions(view, name, WARMUP + steps)):
        recorder.start_step()
        requests = recorder.draw_requests
        started = time.perf_counter()
        move()
        if recorder.draw_requests > requests:
            canvas.handle_event({"type": "draw"})  # what ipympl's frontend sends back
        elapsed = time.perf_counter() - started
        recorder.check_step()
        if i >= WARMUP:
            times.append(elapsed)
            draw, encode = recorder.spent["draw"], recorder.spent["encode"]
            parts["draw"].append(draw)
            parts["encode"].append(encode)
            parts["update"].append(elapsed - draw - encode)
    return {"times": times, "bytes": statistics.median(recorder.sizes[-steps:]), "built": built,
            "parts": {key: ms(statistics.median(values)) for key, values in parts.items()}}


# ------------------------------------------------------------------------------------------------
# The naive pattern: interact, a new pyplot figure per change, rendered by the inline backend


class Inline:
    """What ``plt.show()`` does under the inline backend (matplotlib_inline.backend_inline.show
    with close=True): display every open figure, which runs IPython's image/png formatter
    (IPython.core.pylabtools.print_figure with the inline backend's bbox_inches="tight"), then
    ``plt.close("all")``."""

    def __init__(self):
        self.sizes = []

    def show(self):
        from IPython.core.pylabtools import print_figure

        for manager in Gcf.get_all_fig_managers():
            figure = manager.canvas.figure
            png = print_figure(figure, "png", bbox_inches="tight", base64=True)
            repr(figure)  # the text/plain of the same display_data
            self.sizes.append(len(png))
        plt.close("all")




def naive_function(f, label, lo=-3.0, hi=3.0, points=601):
    """y = f(x): the curve, the point and the tangent, the slope by autograd (chapters 3 and 4)."""
    from widgets.figures import axis_limits, style_axes  # the same axes as the explorers'

    inline = Inline()

    def plot(x):
        leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = f(leaf)
        y.backward()
        y, slope = y.item(), leaf.grad.item()
        xs = torch.linspace(lo, hi, points, dtype=torch.float64)
        with torch.no_grad():
            ys = f(xs).numpy()
        xs = xs.numpy()
        fig, ax = plt.subplots(figsize=(8.0, 3.0))
        ax.plot(xs, ys, color="C0", linewidth=2, label=f"y = {label}")
        ax.plot([lo, hi], [y + slope * (lo - x), y + slope * (hi - x)], color="C1", linewidth=2)
        ax.plot([x], [y], "o", color="C3", markersize=8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(*axis_limits(ys, pad=0.12))
        style_axes(ax, "x", "y")
        ax.legend(loc="upper center", frameon=False)
        print(f"y = {y:.4f}   dy/dx (autograd) = {slope:.4f}")
        inline.show()

    return plot, {"x": (lo, hi, 0.05, 0.0)}, inline


def naive_chain():
    """z = sin(x²): left the curve, point and tangent; right dz/dx over the range by autograd."""
    from widgets.figures import axis_limits, style_axes  # the same axes as the explorers'

    inline = Inline()
    lo, hi = -4.0, 4.0

    def plot(x):
        leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = leaf**2
        y.retain_grad()
        z = torch.sin(y)
        z.backward()
        z, slope, dzdy = z.item(), leaf.grad.item(), y.grad.item()
        xs = torch.linspace(lo, hi, 801, dtype=torch.float64, requires_grad=True)
        zs = torch.sin(xs**2)
        zs.sum().backward()
        grads, zs, xs = xs.grad.numpy(), zs.detach().numpy(), xs.detach().numpy()
        fig, (left, right) = plt.subplots(1, 2, figsize=(8.0, 3.0))
        left.plot(xs, zs, color="C0", linewidth=1.6, label="z = sin(x²)")
        left.plot([lo, hi], [z + slope * (lo - x), z + slope * (hi - x)], color="C1", linewidth=2)
        left.plot([x], [z], "o", color="C3", markersize=8)
        left.set_ylim(*axis_limits(zs, pad=0.15))
        style_axes(left, "x", "z")
        left.legend(loc="upper center", frameon=False)
        right.plot(xs, grads, color="C2", linewidth=1.4, label="dz/dx (autograd)")
        right.plot([x], [slope], "o", color="C3", markersize=8)
        right.set_ylim(*axis_limits(grads, pad=0.08))
        style_axes(right, "x", "dz/dx")
        right.legend(loc="upper center", frameon=False)
        for ax in (left, right):
            ax.set_xlim(lo, hi)
        print(f"z = {z:.4f}   dz/dy = {dzdy:.4f}   dz/dx = {slope:.4f}")
        inline.show()

    return plot, {"x": (lo, hi, 0.05, 0.0)}, inline


def naive_from_explorer(make):
    """The other figures: a new pyplot figure of the explorer's size with the same panels (its
    ``draw``), and the same marks at the frame's numbers, drawn anew on every change."""
    explorer = make()
    inline = Inline()

    def plot(**values):
        figure = plt.figure(figsize=explorer.figsize)
        axes = explorer.draw(figure)
        frame = explorer.frame(**values)
        state = {"history": []}
        if "count" in values:  # the history of x.grad: one backward() call after another
            state["history"] = [explorer.frame(x=values["x"], count=k)["grad"]
                                for k in range(values["count"] + 1)]
        for mark in explorer.marks:
            mark.update(mark.artist(axes), frame, state)
        print(explorer.readout.text(frame, explorer.decimals))
        inline.show()

    return plot, explorer.controls, inline


def naive_spec(row):
    """(function, its interact widgets, Inline) for a row of chapter_figures."""
    import ipywidgets as w

    from widgets.controls import Choice, Counter, Slider

    label, make, _ = row
    if label.startswith("ch3"):
        plot, sliders, inline = naive_function(lambda x: x**2, "x²")
    elif label.startswith("ch4 Chain"):
        plot, sliders, inline = naive_chain()
    elif label.startswith("ch4 explore"):
        plot, sliders, inline = naive_function(lambda x: torch.exp(-x**2), "exp(−x²)")
    else:
        plot, controls, inline = naive_from_explorer(make)
        widgets = {}
        for c in controls:
            if isinstance(c, Slider):
                widgets[c.name] = w.FloatSlider(min=c.lo, max=c.hi, step=c.step, value=c.value)
            elif isinstance(c, Choice):
                widgets[c.name] = w.RadioButtons(options=[(text, v) for v, text in c.options], value=c.value)
            elif isinstance(c, Counter):  # interact has no buttons: a slider of the count
                widgets[c.name] = w.IntSlider(min=0, max=c.limit, value=c.value)
        return plot, widgets, inline
    widgets = {k: w.FloatSlider(min=lo, max=hi, step=step, value=v) for k, (lo, hi, step, v) in sliders.items()}
    return plot, widgets, inline


def naive_moves(row, widgets, count):
    from widgets.controls import Choice, Slider

    _, make, name = row
    control = next(c for c in make().controls if c.name == name)
    widget = widgets[name]
    if isinstance(control, Slider):
        values = sweep(control.grid, count, start=widget.value)
    elif isinstance(control, Choice):
        options = control.grid
        first = options.index(widget.value) + 1
        values = [options[(first + i) % len(options)] for i in range(count)]
    else:  # the live view's clicks: "+1" five times, then "reset", and again
        values, value = [], widget.value
        for i in range(count):
            value, _ = control.after(value, "reset" if i % 6 == 5 else "+1")
            values.append(value)
    return [(lambda v: lambda: setattr(widget, "value", v))(v) for v in values]


def measure_naive(row, steps):
    import ipywidgets as w

    plot, widgets, inline = naive_spec(row)
    # interactive() is what interact() builds and displays; it calls the function once now
    with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel, clear_output prints
        ui = w.interactive(plot, **widgets)
        times = []
        for i, move in enumerate(naive_moves(row, widgets, WARMUP + steps)):
            sent = len(inline.sizes)
            started = time.perf_counter()
            move()  # interactive.update: clear_output, plot(**values), the inline show
            elapsed = time.perf_counter() - started
            if len(inline.sizes) != sent + 1 or inline.sizes[-1] <= 0:
                raise RuntimeError(f"naive {row[0]}: a step did not render one PNG")
            if i >= WARMUP:
                times.append(elapsed)
    ui.close()
    return {"times": times, "bytes": statistics.median(inline.sizes[-steps:]) * 3 / 4}  # base64 → bytes


# ------------------------------------------------------------------------------------------------


def main(argv=None):
    global WARMUP, DEVICE_PIXEL_RATIO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS,
                        help=f"timed steps per figure, live view ({STEPS})")
    parser.add_argument("--naive-steps", type=int, default=NAIVE_STEPS,
                        help=f"timed steps per figure, naive pattern ({NAIVE_STEPS}; 0: skip it)")
    parser.add_argument("--warmup", type=int, default=WARMUP, help=f"untimed steps first ({WARMUP})")
    parser.add_argument("--device-pixel-ratio", type=float, default=1.0,
                        help="of the reader's screen: 2 for HiDPI, which draws 4× the pixels (live view only)")
    parser.add_argument("--widgets", help="a folder holding another copy of the widgets package")
    args = parser.parse_args(argv)
    WARMUP, DEVICE_PIXEL_RATIO = args.warmup, args.device_pixel_ratio
    if args.widgets:
        sys.path.insert(0, args.widgets)
    import widgets

    live_view(chapter_figures()[0][1])  # imports and first-use costs, outside every number below
    started = time.perf_counter()
    results = []
    for row in chapter_figures():
        label, make, name = row
        live = measure_live(make, name, args.steps)
        naive = measure_naive(row, args.naive_steps) if args.naive_steps else None
        results.append((label, live, naive))
    total = time.perf_counter() - started

    print(f"widgets: {widgets.__file__}")
    print(f"Python {sys.version.split()[0]}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"matplotlib {matplotlib.__version__}; {args.steps} timed steps per figure for the live view, "
          f"{args.naive_steps} for the naive pattern, each after {WARMUP} warm-up steps; device pixel ratio {DEVICE_PIXEL_RATIO:g}; {total:.0f} s\n")
    print("| figure | our live update median / p90 (ms) | naive interact+plt.show median / p90 (ms) "
          "| speed-up (medians) | PNG per update: ours / naive |")
    print("|---|---:|---:|---:|---:|")
    for label, live, naive in results:
        ours = summary(live["times"])
        theirs, speed, their_bytes = "—", "—", "—"
        if naive is not None:
            n = summary(naive["times"])
            theirs = f"{n[0]:.1f} / {n[1]:.1f}"
            speed = f"{n[0] / ours[0]:.1f}×"
            their_bytes = f"{naive['bytes'] / 1000:.1f} kB"
        print(f"| {label} | {ours[0]:.1f} / {ours[1]:.1f} | {theirs} | {speed} "
              f"| {live['bytes'] / 1000:.1f} kB / {their_bytes} |")

    print("\nWhere our live update's time goes (medians of each part, ms):\n")
    print("| figure | autograd + artists + readout | Agg drawing | diff + PNG encode | view built (once) |")
    print("|---|---:|---:|---:|---:|")
    for label, live, _ in results:
        p = live["parts"]
        print(f"| {label} | {p['update']:.1f} | {p['draw']:.1f} | {p['encode']:.1f} | {ms(live['built']):.0f} |")

    print("\nGoals: at least 2× faster than naive; under one 60 Hz frame "
          f"({FRAME_MS:.1f} ms) median for chapters 3 and 4\n")
    for label, live, naive in results:
        median = summary(live["times"])[0]
        goals = []
        if naive is not None:
            speed = summary(naive["times"])[0] / median
            goals.append(f"2× faster: {'met' if speed >= 2 else 'NOT met'} ({speed:.1f}×)")
        if label.startswith(("ch3", "ch4")):
            goals.append(f"under {FRAME_MS:.1f} ms: {'met' if median < FRAME_MS else 'NOT met'} ({median:.1f} ms)")
        print(f"- {label}: " + "; ".join(goals))


if __name__ == "__main__":
    main()

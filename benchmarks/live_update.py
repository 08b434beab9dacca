"""Kernel side of one update of the book's figures in Jupyter: the frame and the message.

Run from the repository's root (a few seconds; no window opens, no kernel is needed):

    .venv/bin/python benchmarks/live_update.py
    .venv/bin/python benchmarks/live_update.py --compare-with /tmp/old   # beside an older copy

In Jupyter a figure is an anywidget widget (``widgets.view.FigureWidget``) drawn by the page's
script. When the reader asks for values the figure's table does not have (a value typed between
two steps), the script sets the widget's ``request`` trait; the kernel receives it as a comm
message, ipywidgets sets the trait (``set_state``, as here), the widget computes that frame with
torch autograd (``Explorer.answer``), sets ``answer`` and ipywidgets sends it back. That is one
update on the kernel's side, and what is timed here per step, with the message serialized to JSON
as the kernel's session does (the comm is ipywidgets' dummy one outside a kernel, so nothing is
sent). The size of that JSON is the "bytes per update" (the websocket adds its envelope).

``--compare-with DIR`` also runs ``DIR/benchmarks/live_update.py`` (an older copy of the book, e.g.
a git worktree of the commit before the anywidget view, whose live view was ipympl's: each update
moved matplotlib artists, blitted, and sent a PNG) in the same run, and prints both side by side.
It needs that copy's dependencies (ipympl) in this environment.
"""

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import time

import torch

WARMUP = 5
STEPS = 60


def summary(times):
    """(median, 95th percentile) in ms."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def chapter_figures():
    from widgets import (
        AccumulationExplorer,
        ChainExplorer,
        MeanOfSquaresExplorer,
        NeuronExplorer,
        TrackingExplorer,
        explore,
    )

    # The labels of the older benchmark, so that --compare-with can pair the rows.
    return [
        (
            "ch3 explore(x²)",
            lambda: explore(lambda x: x**2, start=3.0, by_hand=lambda x: 2 * x, formula="x²", derivative="2x"),
            "x",
        ),
        ("ch4 ChainExplorer(sin(x²))", lambda: ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0), "x"),
        ("ch4 explore(exp(−x²))", lambda: explore(lambda x: torch.exp(-(x**2)), formula="exp(−x²)"), "x"),
        ("ch5/6 NeuronExplorer (x)", NeuronExplorer, "x"),
        ("ch7 MeanOfSquaresExplorer (x0)", lambda: MeanOfSquaresExplorer(start=(1.0, 2.0, 3.0)), "x0"),
        ("ch8 AccumulationExplorer (clicks)", AccumulationExplorer, "count"),
        ("ch9 TrackingExplorer (mode)", TrackingExplorer, "mode"),
    ]


def requests(explorer, name, count):
    """`count` requests as the script sends them: the control `name` swept over its range, a slider
    between its grid values (what the table lacks), the other controls at their start."""
    from widgets.controls import Slider

    control = next(c for c in explorer.controls if c.name == name)
    if isinstance(control, Slider):
        grid = control.grid
        values = [min(g + control.step / 3, control.hi) for g in grid]
    else:
        values = control.grid
    stride = max(1, len(values) // 30)
    path = values[::stride] + values[::stride][-2:0:-1]
    return [
        {"view": "bench", "seq": i + 1, "values": {**explorer.start, name: path[i % len(path)]}} for i in range(count)
    ]


def measure(make, name, steps):
    explorer = make()
    widget = explorer.widget()
    sent = []

    def send(data=None, metadata=None, buffers=None):
        sent.append(json.dumps({"data": data, "metadata": metadata}))  # as the kernel's session does

    widget.comm.send = send
    times = []
    for i, request in enumerate(requests(explorer, name, WARMUP + steps)):
        before = len(sent)
        started = time.perf_counter()
        widget.set_state({"request": request})  # what ipywidgets does with the front end's update
        elapsed = time.perf_counter() - started
        if len(sent) != before + 1 or "answer" not in sent[-1] or '"error"' in sent[-1]:
            raise RuntimeError(f"{name}: a request did not get exactly one answer: {sent[before:]}")
        if i >= WARMUP:
            times.append(elapsed)
    return {"times": times, "bytes": statistics.median(len(m.encode()) for m in sent[-steps:])}


def older(folder, steps):
    """{label: (median, p90) ms, PNG kB} from an older copy's benchmark, run now."""
    result = subprocess.run(
        [
            sys.executable,
            f"{folder}/benchmarks/live_update.py",
            "--widgets",
            folder,
            "--naive-steps",
            "0",
            "--steps",
            str(steps),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\| (.+?) \| ([\d.]+) / ([\d.]+) \| .*\| ([\d.]+) kB /", line)
        if match:
            rows[match.group(1)] = (float(match.group(2)), float(match.group(3)), float(match.group(4)))
    return rows


def main(argv=None):
    global WARMUP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help=f"timed steps per figure ({STEPS})")
    parser.add_argument("--warmup", type=int, default=WARMUP, help=f"untimed steps first ({WARMUP})")
    parser.add_argument("--compare-with", help="an older copy of the book, benchmarked in the same run")
    args = parser.parse_args(argv)
    WARMUP = args.warmup
    import anywidget

    import widgets

    old = older(args.compare_with, args.steps) if args.compare_with else {}
    started = time.perf_counter()
    results = [(label, measure(make, name, args.steps)) for label, make, name in chapter_figures()]
    total = time.perf_counter() - started
    print(f"widgets: {widgets.__file__}")
    print(
        f"Python {sys.version.split()[0]}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"anywidget {anywidget.__version__}; {args.steps} timed steps per figure after {WARMUP} warm-up; "
        f"{total:.0f} s\n"
    )
    if old:
        print(
            "| figure | kernel update now, median / p95 (ms) | the older live view, median / p90 (ms) "
            "| speed-up (medians) | bytes per update: now / older |"
        )
        print("|---|---:|---:|---:|---:|")
    else:
        print("| figure | kernel update, median / p95 (ms) | bytes per update |")
        print("|---|---:|---:|")
    for label, result in results:
        median, p95 = summary(result["times"])
        if old:
            o_median, o_p90, o_kb = old[label]
            print(
                f"| {label} | {median:.2f} / {p95:.2f} | {o_median:.1f} / {o_p90:.1f} | "
                f"{o_median / median:.0f}× | {result['bytes']:.0f} B / {o_kb * 1000:.0f} B (PNG) |"
            )
        else:
            print(f"| {label} | {median:.2f} / {p95:.2f} | {result['bytes']:.0f} B |")
    print("\nGoals: median ≤ 2 ms; at least 4× faster than the older live view; ≤ 1 KB per update")
    for label, result in results:
        median = summary(result["times"])[0]
        goals = [
            f"≤ 2 ms: {'met' if median <= 2 else 'NOT met'} ({median:.2f} ms)",
            f"≤ 1 KB: {'met' if result['bytes'] <= 1000 else 'NOT met'} ({result['bytes']:.0f} B)",
        ]
        if label in old:
            speed = old[label][0] / median
            goals.append(f"4× faster: {'met' if speed >= 4 else 'NOT met'} ({speed:.0f}×)")
        print(f"- {label}: " + "; ".join(goals))


if __name__ == "__main__":
    main()

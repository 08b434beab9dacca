"""Every graph the book draws can be read: on every layout (left to right, top to bottom; with and
without the boxes' details), no edge passes through a box or a label, every edge ends in an
arrowhead at the box of the operation that used its input, every edge that carries a gradient has
one label, and no label lies on a box or on another label.

The drawings are made afresh from the chapters' own sources (tests/figures.py: the show_graph
cells and the explorers with graph=True, found through the chapters' stored figures), with the
numbers the stored outputs hold at many slider positions; the text is measured as the page's
monospace font sets it (0.602 em a character). tests/test_graph_in_browser.py measures the same
on the built site, as Chromium draws it.
"""

import itertools
import math

import numpy as np
import pytest
import torch

from tests.figures import EngineGraph, Explorer, Graph, check_of, decode, make, stored_figures
from widgets import show_graph
from widgets.formats import format_value

ADVANCE = 0.602  # DejaVu Sans Mono's advance, in em
BOX_FONT, EDGE_FONT = 12.0, 11.5
ASCENT, DESCENT = 0.76, 0.24  # of the font, in em: a label's text from its baseline
SLACK = 0.5  # px: a point this close to a box's side is on it, not in it


def fill(template, frame, writer):
    import re

    return re.sub(r"\{([^}]+)\}", lambda m: writer(frame.get(m.group(1), math.nan)), template)


def drawn(source):
    """(the graph mark's spec, drawn afresh, as a dict; its starting frame)."""
    if isinstance(source, (Graph, EngineGraph)):
        figure = show_graph(*source.build())
    else:
        figure = make(source.source)
    (mark,) = figure.graphs
    return mark.spec(), figure.frame(**figure.start)


def frames_of(stored, start, most=12):
    """The starting frame, and the stored table's frames at up to `most` slider positions."""
    if not stored.data.get("table") or not stored.data["controls"]:
        return [start]
    table = decode(stored.data["table"])
    step = max(1, len(table) // most)
    numbers = lambda f: {k: v for k, v in f.items() if not isinstance(v, str)}  # noqa: E731
    return [start, *({**start, **numbers(f)} for f in itertools.islice(table, 0, None, step))]


def bezier(curve, steps=24):
    """Points along a drawn edge: cubic Bézier segments end to end, [x0, y0, x1, y1, …]."""
    points = list(zip(curve[::2], curve[1::2]))
    for k in range(0, len(points) - 1, 3):
        p0, p1, p2, p3 = (np.array(p) for p in points[k : k + 4])
        for t in np.linspace(0, 1, steps + 1):
            u = 1 - t
            yield u**3 * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t**3 * p3


def inside(point, box, slack=SLACK):
    x, y, w, h = box
    return x + slack < point[0] < x + w - slack and y + slack < point[1] < y + h - slack


def overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def problems(mark, frame, fits=False):
    """What is wrong with each of a graph's layouts at `frame`: a list of sentences."""
    found = []
    for layout in mark["layouts"]:
        where = f"{layout['name']}{' with details' if layout.get('details') else ''}"
        boxes = {str(k): v for k, v in layout["boxes"].items()}
        for node in mark["nodes"]:  # each box holds its text
            x, y, w, h = boxes[str(node["id"])]
            lines = [fill(t, frame, format_value) for t in node["lines"]]
            if layout.get("details"):
                lines += [fill(t, frame, format_value) for t in node.get("details", [])]
            widest = min(
                max(len(line) for line in lines) * ADVANCE * BOX_FONT, w - 2 * mark["text"]["pad"] if fits else math.inf
            )
            if widest + mark["text"]["pad"] > w or len(lines) * mark["text"]["line"] + mark["text"]["pad"] > h:
                found.append(f"{where}: the text of {lines[0]!r} overflows its box")
        labels = []
        for edge in layout["edges"]:
            if not edge["sent"]:
                continue
            if not edge.get("label"):
                found.append(f"{where}: the edge {edge['from']} → {edge['to']} has no label")
                continue
            x, y, anchor = edge["label"]
            text = edge["arrow"] + format_value(frame.get(edge["sent"], math.nan))
            width = min(len(text) * ADVANCE * EDGE_FONT, edge["room"] if fits else math.inf)
            left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            labels.append((edge, text, (left, y - ASCENT * EDGE_FONT, width, EDGE_FONT)))
        for edge in layout["edges"]:
            name = f"{where}: the edge {edge['from']} → {edge['to']} (input {edge['k']})"
            curve = edge["curve"]
            points = list(bezier(curve))
            for key, box in boxes.items():
                if any(inside(p, box) for p in points):
                    found.append(f"{name} passes through the box of node {key}")
            for _, text, box in labels:
                if any(inside(p, box, 0) for p in points):
                    found.append(f"{name} strikes through the label {text!r}")
            # An arrowhead at the user's box: the edge ends on its side, heading into it; it starts on
            # its input's box, heading out.
            end, before = np.array(curve[-2:]), np.array(curve[-4:-2])
            start, after = np.array(curve[:2]), np.array(curve[2:4])
            heading = (end - before) / max(np.linalg.norm(end - before), 1e-9)
            leaving = (after - start) / max(np.linalg.norm(after - start), 1e-9)
            if not inside(end + 3 * heading, boxes[str(edge["to"])], 0) or inside(
                end - 3 * heading, boxes[str(edge["to"])], 0
            ):
                found.append(f"{name} does not end in an arrowhead on its user's box")
            if not inside(start - 3 * leaving, boxes[str(edge["from"])], 0):
                found.append(f"{name} does not start on its input's box")
        for (_, t1, b1), (_, t2, b2) in itertools.combinations(labels, 2):
            if overlap(b1, b2):
                found.append(f"{where}: the labels {t1!r} and {t2!r} overlap")
        for _, text, box in labels:
            for key, b in boxes.items():
                if overlap(box, b):
                    found.append(f"{where}: the label {text!r} lies on the box of node {key}")
    return found


GRAPHED = [
    s
    for s in stored_figures()
    if any(m["kind"] == "graph" for m in s.data["marks"]) and isinstance(check_of(s), (Graph, EngineGraph, Explorer))
]


def test_every_figure_with_a_graph_is_checked():
    assert len(GRAPHED) >= 13 and {s.chapter for s in GRAPHED} >= {
        "01-what-is-autograd",
        "04-the-chain-rule",
        "06-a-neuron-with-autograd",
        "08-clearing-gradients",
    }


@pytest.mark.parametrize("stored", GRAPHED, ids=lambda s: s.name)
def test_every_graph_the_book_draws_can_be_read(stored):
    mark, start = drawn(check_of(stored))
    assert any(layout.get("details") for layout in mark["layouts"]) == any(n.get("details") for n in mark["nodes"])
    found = []  # at the start, as the still shows it, every text at its size; after, the page sets a
    for frame in frames_of(stored, start):  # wider number closer (figure.js: fit) in its room
        found += [p for p in problems(mark, frame, fits=frame is not start) if p not in found]
    assert not found, "\n".join(found)


def _deep():
    x = torch.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(40):
        y = torch.sin(y) * 1.01
    return y, {"x": x, "y": y}


def _wide():
    a, b, c = (torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
    s = a * b + b * c + c * a + a**3 + (a + b + c).exp()
    return s, {"a": a, "b": b, "c": c, "s": s}


def _vector():
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return (v**2).sum() * v.mean(), {"v": v}


@pytest.mark.parametrize("build", [_deep, _wide, _vector], ids=["deep", "wide", "vector"])
def test_other_graphs_a_reader_may_draw_can_be_read_too(build):
    mark, start = drawn(Graph("", build))
    assert not problems(mark, start), "\n".join(problems(mark, start))


def test_saved_numbers_are_shown_with_all_their_digits():
    """Chapter 6's clamp: min = 1e-08 and max = 0.99999999, not 0.0000 and 1.0000 (C10)."""
    stored = next(s for s in GRAPHED if s.chapter == "06-a-neuron-with-autograd")
    mark, start = drawn(check_of(stored))
    (clamp,) = [n for n in mark["nodes"] if n["lines"][0] == "ClampBackward1"]
    shown = [fill(t, start, format_value) for t in clamp["details"]]
    assert "min = 1e-08" in shown and "max = 0.99999999" in shown
    assert not any(line.startswith(("min", "max", "self")) for line in clamp["lines"]), "saved values on request only"

"""PyTorch's recorded graph, as the book shows it: walked from a tensor's ``grad_fn``, run backward
node by node, and laid out left to right for the page's script to draw.

- :func:`record` walks ``grad_fn`` and ``next_functions`` from an output: one node per backward
  function, named as PyTorch names it, with the leaf tensors (``AccumulateGrad.variable``) and the
  values each node saved where PyTorch exposes them (``_saved_self``, ``_saved_exponent``, …). It
  then runs the backward pass the way PyTorch's engine does (ready nodes in order of their
  ``_sequence_nr``, ``AccumulateGrad`` as soon as it is ready), calling each node's own backward
  function: the gradient each node receives, what it sends along each edge, and its local
  derivative (what it sends for a received gradient of 1). Nothing of the reader's changes: no
  ``.grad`` is written, no hook runs, the saved tensors stay.
- :func:`drawing` places the nodes in layers, inputs on the left and the output on the right (and
  top to bottom, for narrow screens), routes the edges, and writes what each box says as
  templates (``{channel}`` is a number of the frame), so that one layout serves every frame of a
  figure whose numbers follow its sliders. The page's script and the still drawing
  (:class:`widgets.marks.Graph`) both draw from it: every position is worked out here.

:func:`widgets.show_graph` makes a figure of any tensor's graph; the book's explorers add a graph
panel with ``graph=True`` (:class:`widgets.marks.Graph`).
"""

import heapq
import re
from dataclasses import dataclass, field

import torch

from widgets.formats import format_value

#: Deepest graph drawn in full: beyond it, the layers in the middle are drawn as one box.
MAX_LAYERS = 12
#: Most nodes a graph may have at all (walking and running more would take too long for a figure).
MAX_NODES = 20_000


class GraphError(ValueError):
    """A tensor whose graph cannot be shown, with the reason in the reader's terms."""


@dataclass
class Node:
    """One node of the recorded graph: a backward function, or (``AccumulateGrad``) a leaf."""

    fn: object
    name: str
    inputs: list = field(default_factory=list)  # [(index of the input's node, input_nr)], as next_functions
    tensor: str = ""  # the name the reader's code gives the tensor this node made (or the leaf)
    retains: bool = False  # that tensor (not a leaf) keeps its .grad: retain_grad() was called on it
    saved: dict = field(default_factory=dict)  # {"self": value, "exponent": value, …}


@dataclass
class Record:
    """A graph and one run of backward through it, with every number as a float or a string."""

    nodes: list
    order: list = field(default_factory=list)  # node indexes, in the order the engine runs them
    values: dict = field(default_factory=dict)  # node index → the tensor's value, where known
    received: dict = field(default_factory=dict)  # node index → the gradient it received
    sent: dict = field(default_factory=dict)  # (node, k) → what node sent along its k-th input edge
    local: dict = field(default_factory=dict)  # (node, k) → what it sends for a received 1
    leaf_grads: dict = field(default_factory=dict)  # leaf node index → its .grad now (before any display)
    freed: bool = False  # backward() has freed the saved tensors: no numbers of backward
    failure: str = ""  # why backward's numbers are missing (freed, changed in place, …), in a sentence
    notes: list = field(default_factory=list)  # what a reader should know about this graph

    def values_frame(self, prefix="g"):
        """The values of a record with no backward (a tensor with no graph), as channels."""
        return {f"{prefix}{i}v": v for i, v in self.values.items()}

    @property
    def edges(self):
        """[(from input node, to node, k)]: the k-th input of `to`, in the order of next_functions."""
        return [(child, i, k) for i, node in enumerate(self.nodes) for k, (child, _) in enumerate(node.inputs)]


def number(value):
    """A value as the figure stores it: a float for a one-element tensor or a number, else text
    (a complex number too: 3.0000+1.0000j)."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        value = value.detach()
        if value.numel() == 1 and not value.is_complex():
            return float(value.reshape(()))
        if value.numel() == 1:
            return _complex(value.item())
        if value.numel() <= 4:
            written = (_complex(v) if isinstance(v, complex) else format_value(v) for v in value.flatten().tolist())
            return "[" + ", ".join(written) + "]"
        return f"tensor of shape {tuple(value.shape)}"
    if isinstance(value, complex):
        return _complex(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return str(tuple(value))
    return str(value)


def _complex(value):
    """A complex number as the figure writes it: 3.0000+1.0000j."""
    sign = "-" if value.imag < 0 else "+"
    return f"{format_value(value.real)}{sign}{format_value(abs(value.imag))}j"


FREED = (
    "backward() has already run through this graph and freed the values its nodes "
    "saved, so the gradients along it cannot be worked out again (the leaves keep "
    "their .grad). Show the graph before backward(), or call backward(retain_graph=True)."
)


def backward_failure(error, where="a node's backward"):
    """What an error raised by backward (or by reading a node's saved values) means, in the book's
    words: the graph freed by an earlier backward(), a saved tensor changed in place (chapter 9's
    version counter), or else what `where` raised, as it is. Only the first is read as "freed"."""
    text = str(error)
    if isinstance(error, RuntimeError) and "backward through the graph a second time" in text:
        return FREED
    versions = re.search(r"is at version (\d+); expected version (\d+)", text)
    if isinstance(error, RuntimeError) and "modified by an inplace operation" in text and versions:
        now, then = versions.groups()
        made = re.search(r"which is output \d+ of (\w+)", text)
        what = f"The output of {made[1]}" if made else "A tensor"
        return (
            f"{what} was saved for backward and then changed in place (add_, +=, an assignment into it, or "
            f"another in-place operation): its version counter reads {now}, and backward needs version {then}, "
            "the value it saved, so backward() raises here (chapter 9). Compute a new tensor instead "
            "(y = y + 1, not y.add_(1) or y += 1), or change a copy made with .clone()."
        )
    return f"{where} raised {type(error).__name__}: {text}"


def _walk(output):
    """The nodes reachable from output.grad_fn, output first, and each node's inputs."""
    index, nodes, stack = {}, [], [output.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in index:
            continue
        if len(nodes) >= MAX_NODES:
            raise GraphError(f"the graph has more than {MAX_NODES:,} nodes: too many to show")
        index[fn] = len(nodes)
        nodes.append(Node(fn=fn, name=type(fn).__name__))
        stack.extend(child for child, _ in reversed(fn.next_functions))
    for node in nodes:
        node.inputs = [(index[child], nr) for child, nr in node.fn.next_functions if child is not None]
    return nodes


def _saved(fn):
    """The values a node saved, as PyTorch exposes them; raises RuntimeError where they were freed."""
    return {
        name[len("_saved_") :]: number(getattr(fn, name))
        for name in dir(fn)
        if name.startswith("_saved_")
        and not name.endswith(("_sym_sizes", "_sym_strides", "_sym_storage_offset", "_options"))
    }


def record(output, names=None):
    """The graph recorded behind `output`, and one backward pass through it (see the module)."""
    if not isinstance(output, torch.Tensor):
        raise GraphError(f"show_graph needs a tensor; got {output!r} ({type(output).__name__})")
    names = _names(names)
    own = next((n for n, t in names.items() if t is output), "")
    if output.is_complex():
        raise GraphError(
            f"{own or 'this tensor'} is complex ({output.dtype}): the book draws graphs of real numbers, "
            "whose backward starts from a gradient of 1. Autograd of complex numbers uses conjugate "
            "Wirtinger derivatives, which the book does not cover; draw a real result instead, such as "
            f"{own or 'z'}.abs() (its complex nodes are written as text)."
        )
    if output.grad_fn is None:  # no graph: one box for the tensor itself, and why
        node = Node(fn=None, name="AccumulateGrad" if output.requires_grad else "no grad_fn", tensor=own)
        return Record(nodes=[node], values={0: number(output)}, notes=[_no_graph(output, own)])
    nodes = _walk(output)
    by_fn = {}
    for name, tensor in names.items():
        if tensor.grad_fn is not None:
            by_fn.setdefault(tensor.grad_fn, (name, tensor))
    result = Record(nodes=nodes)
    for i, node in enumerate(nodes):
        if node.name == "AccumulateGrad":
            leaf = node.fn.variable
            node.tensor = next((n for n, t in names.items() if t is leaf), "")
            result.values[i] = number(leaf)
            result.leaf_grads[i] = number(leaf.grad)
            continue
        if node.fn in by_fn:
            node.tensor, tensor = by_fn[node.fn]
            node.retains = tensor.retains_grad
            result.values[i] = number(tensor)
        try:
            node.saved = _saved(node.fn)
        except RuntimeError as error:
            result.failure = result.failure or backward_failure(error, f"reading what {node.name} saved")
    name = own or "the output"
    if output.numel() != 1:
        result.notes.append(
            f"{name} has shape {tuple(output.shape)}: backward() needs a gradient of that shape "
            "to start from; shown is what it does from a gradient of ones, as "
            f"{name}.sum().backward() would."
        )
    if not result.failure:
        _backward(result, output)
    if result.failure:
        result.freed = result.failure == FREED
        result.notes.append(result.failure)
    grads = [
        f"{result.nodes[i].tensor or 'a leaf'}.grad is {format_value(g)}"
        for i, g in result.leaf_grads.items()
        if g != "None"
    ]
    if grads:
        result.notes.append(f"Already {', '.join(grads)}, from an earlier backward(): the next one adds to it.")
    return result


def _backward(result, output):
    """Run backward as PyTorch's engine does, each node's own backward function called directly."""
    nodes = result.nodes
    waiting = [0] * len(nodes)  # edges still to deliver into each node
    for node in nodes:
        for child, _ in node.inputs:
            waiting[child] += 1
    grads = {0: torch.ones_like(output)}
    ready = [(-nodes[0].fn._sequence_nr(), 0)]
    with torch.no_grad():
        while ready:
            _, i = heapq.heappop(ready)
            node, grad = nodes[i], grads[i]
            result.order.append(i)
            result.received[i] = number(grad)
            if node.name == "AccumulateGrad":
                continue
            try:
                sent, unit = _call(node.fn, grad), _call(node.fn, torch.ones_like(grad))
            except Exception as error:  # saved tensors freed or changed, or a reader's backward that raises
                result.failure = backward_failure(error, f"{node.name}'s backward")
                return
            inputs = [(k, g, u) for k, (g, u) in enumerate(zip(sent, unit)) if node.fn.next_functions[k][0] is not None]
            for edge, (_, g, u) in enumerate(inputs):
                child = node.inputs[edge][0]
                result.sent[i, edge] = number(g)
                result.local[i, edge] = number(u) if grad.numel() == 1 else "—"
                grads[child] = g if child not in grads else grads[child] + g
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, (-nodes[child].fn._sequence_nr(), child))


def _call(fn, grad):
    """What node `fn` sends back for `grad`, a tuple (one per input). A node of PyTorch's is called;
    a custom ``autograd.Function``'s node (``SqBackward``, say) is not callable: its ``apply`` runs
    the Function's ``backward`` with the node as ``ctx``, as the engine does."""
    out = fn(grad) if callable(fn) else fn.apply(grad)
    return out if isinstance(out, tuple) else (out,)


def _names(names):
    """`names` checked: {name: tensor}, or GraphError in the reader's terms."""
    if names is None:
        return {}
    if not isinstance(names, dict):
        raise GraphError(
            f"names maps each name to its tensor, e.g. names={{'x': x, 'y': y}}; got {type(names).__name__} "
            f"{names!r:.60}"
        )
    for name, tensor in names.items():
        if not isinstance(name, str) or not isinstance(tensor, torch.Tensor):
            raise GraphError(
                f"names maps each name (text) to its tensor, e.g. names={{'x': x}}; got {name!r}: "
                f"{type(tensor).__name__}"
            )
    return dict(names)


def _no_graph(tensor, name):
    name = name or "This tensor"
    if tensor.requires_grad:
        return (
            f"{name} is a leaf: it was created, not computed from other tensors, so nothing was "
            f"recorded behind it (its grad_fn is None). backward() on it would set its .grad to 1."
        )
    return (
        f"{name} has no graph: its grad_fn is None and requires_grad is False. It was computed with "
        "tracking off (torch.no_grad(), .detach(), or from tensors that do not require grad), so "
        "nothing was recorded and backward() has nowhere to go."
    )


# ------------------------------------------------------------------------------------------------
# Layout: layers of boxes, inputs first; left to right, or top to bottom where that is too wide


CHAR = 7.2  # px per character of the graph's monospace text at 12 px
LINE = 16  # px per line of text
PAD = 8  # px inside a box
BASELINE = 12  # px from a box's padding to its first line's baseline
GAP_LAYERS, GAP_BOXES = 72, 18  # px between layers, and between boxes of a layer
WIDEST = "-000.0000"  # the widest number a box is made to hold


def _measure(line):
    """Characters a template line takes once its placeholders hold numbers."""
    return len(re.sub(r"\{[^}]+\}", WIDEST, line))


def layers(result):
    """Each node's layer: leaves at 0, every other node one past its furthest input."""
    layer = {}
    for i in _topological(result.nodes):
        layer[i] = 1 + max((layer[child] for child, _ in result.nodes[i].inputs), default=-1)
    return layer


def _topological(nodes):
    """Node indexes with every node after all its inputs (iteratively: graphs can be deep)."""
    seen, order = set(), []
    for start in range(len(nodes)):
        stack = [(start, False)]
        while stack:
            i, done = stack.pop()
            if done:
                order.append(i)
                continue
            if i in seen:
                continue
            seen.add(i)
            stack.append((i, True))
            stack.extend((child, False) for child, _ in nodes[i].inputs if child not in seen)
    return order


def columns(result):
    """{layer: [node ids]}, ordered to cross few edges; a deep graph's middle layers become one
    box, "more"."""
    layer = layers(result)
    depth, keep = max(layer.values()) + 1, MAX_LAYERS // 2
    hidden = {i for i, at in layer.items() if keep <= at < depth - keep} if depth > MAX_LAYERS else set()
    placed = {}
    for i in sorted(set(layer) - hidden, key=lambda i: (layer[i], i)):
        placed.setdefault(layer[i] if layer[i] < keep else layer[i] - (depth - 2 * keep) + 1, []).append(i)
    if hidden:
        placed[keep] = ["more"]
    neighbours = {}
    for child, parent, _ in result.edges:
        neighbours.setdefault(child, []).append(parent)
        neighbours.setdefault(parent, []).append(child)
    for _ in range(4):  # the barycentre heuristic, a few passes
        position = {i: k for ids in placed.values() for k, i in enumerate(ids)}
        for at in sorted(placed):
            placed[at].sort(key=lambda i: _centre(i, neighbours, position))
    return dict(sorted(placed.items())), len(hidden), depth - 2 * keep


def _centre(i, neighbours, position):
    near = [position[n] for n in neighbours.get(i, []) if n in position]
    return sum(near) / len(near) if near else position[i]


def place(placed, sizes, across):
    """Positions {id: [x, y, w, h]} of boxes of `sizes` {id: (w, h)}, layer after layer along x
    (across=False: left to right) or along y (across=True: top to bottom); and the extent."""
    along = 1 if across else 0  # the axis the layers follow one another on
    boxes, offset, breadths = {}, 0.0, []
    for ids in placed.values():
        depth = max(sizes[i][along] for i in ids)
        breadth = sum(sizes[i][1 - along] for i in ids) + GAP_BOXES * (len(ids) - 1)
        breadths.append(breadth)
        position = -breadth / 2
        for i in ids:
            w, h = sizes[i]
            start = [0.0, 0.0]
            start[along] = offset + (depth - sizes[i][along]) / 2
            start[1 - along] = position
            boxes[i] = [start[0], start[1], w, h]
            position += sizes[i][1 - along] + GAP_BOXES
        offset += depth + GAP_LAYERS
    breadth = max(breadths)
    for box in boxes.values():
        box[1 - along] += breadth / 2
    extent = [0.0, 0.0]
    extent[along], extent[1 - along] = offset - GAP_LAYERS, breadth
    return boxes, extent


def edges(result, boxes, across):
    """The edges between placed boxes, from an input's box to its user's (into "more" where hidden):
    each a cubic Bézier ``curve`` [x0, y0, …, x3, y3] leaving and entering its boxes straight, and
    where its ``label`` goes: (x, y, text-anchor), in the gap just before the box the edge enters
    (an edge that skips layers passes beside other boxes on its way), the middle of a short one."""
    drawn = []
    for child, parent, k in result.edges:
        a, b = boxes.get(child, boxes.get("more")), boxes.get(parent, boxes.get("more"))
        if a is None or b is None or a is b:
            continue
        if across:  # bottom of the input's box to the top of its user's
            x1, y1, x2, y2 = a[0] + a[2] / 2, a[1] + a[3], b[0] + b[2] / 2, b[1]
        else:
            x1, y1, x2, y2 = a[0] + a[2], a[1] + a[3] / 2, b[0], b[1] + b[3] / 2
        drawn.append(
            {
                "from": child if child in boxes else "more",
                "to": parent if parent in boxes else "more",
                "k": k,
                "points": [x1, y1, x2, y2],
            }
        )
    groups = {}
    for edge in drawn:  # two edges between the same boxes (x * x): side by side
        groups.setdefault((edge["from"], edge["to"]), []).append(edge)
    for group in groups.values():
        for n, edge in enumerate(group):
            shift = (n - (len(group) - 1) / 2) * 12
            x1, y1, x2, y2 = edge["points"]
            edge["points"] = [x1 + shift, y1, x2 + shift, y2] if across else [x1, y1 + shift, x2, y2 + shift]
    for edge in drawn:
        x1, y1, x2, y2 = edge.pop("points")
        if across:
            bend = (y2 - y1) / 2
            edge["curve"] = [x1, y1, x1, y1 + bend, x2, y2 - bend, x2, y2]
        else:
            bend = (x2 - x1) / 2
            edge["curve"] = [x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2]
        length = y2 - y1 if across else x2 - x1
        x, y = _bezier(edge["curve"], 1 - 36 / length if length > 150 else 0.5)
        edge["label"] = (
            [round(x + 6, 2), round(y + 4, 2), "start"] if across else [round(x, 2), round(y - 6, 2), "middle"]
        )
        edge["arrow"] = "▴ " if across else "◂ "
    return drawn


def _bezier(curve, t):
    """The point at t of the cubic Bézier curve [x0, y0, …, x3, y3]."""
    u = 1 - t
    weights = (u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t)
    return tuple(sum(w * curve[2 * i + k] for i, w in enumerate(weights)) for k in (0, 1))


# ------------------------------------------------------------------------------------------------
# What the boxes, edges and sentences say: templates over the channels of a frame


def channels(result, prefix="g"):
    """The numbers of one backward run as channels of a frame: for node i, ``{prefix}{i}v`` its
    tensor's value (where known), ``…r`` the gradient it received, ``…s<name>`` what it saved;
    for its k-th input edge, ``…e<k>`` what it sent and ``…l<k>`` its local derivative."""
    frame = {}
    for i, node in enumerate(result.nodes):
        p = f"{prefix}{i}"
        if i in result.values:
            frame[f"{p}v"] = result.values[i]
        frame[f"{p}r"] = result.received.get(i, float("nan"))
        for key, value in node.saved.items():
            frame[f"{p}s{key}"] = value
        for k in range(len(node.inputs)):
            frame[f"{p}e{k}"] = result.sent.get((i, k), float("nan"))
            frame[f"{p}l{k}"] = result.local.get((i, k), float("nan"))
    return frame


def signature(result):
    """What must be the same for two records to be drawn with one layout."""
    return tuple((node.name, tuple(node.inputs), tuple(node.saved), node.tensor, node.retains) for node in result.nodes)


def label(result, i):
    node = result.nodes[i]
    if node.name == "AccumulateGrad":
        return node.tensor or "a leaf"
    return f"{node.name} ({node.tensor})" if node.tensor else node.name


def drawing(result, prefix="g"):
    """The Graph mark's spec for `result`: what each box says, two layouts (left to right, and top
    to bottom for narrow screens), and the sentences, one per node in the order backward visits
    it; all text as templates over :func:`channels`."""
    incoming = {}
    for child, parent, k in result.edges:
        incoming.setdefault(child, []).append(f"{prefix}{parent}e{k}")

    def received(i):
        parts = incoming.get(i, [])
        total = f"{{{prefix}{i}r}}"
        return " + ".join(f"{{{c}}}" for c in parts) + " = " + total if len(parts) > 1 else total

    def text(i):
        node, p = result.nodes[i], f"{prefix}{i}"
        after = [f"{p}r", *incoming.get(i, [])]
        if node.fn is None:  # a tensor with no graph
            return [
                node.tensor or "tensor",
                f"= {{{p}v}}",
                "grad_fn = None",
                f"requires_grad={node.name == 'AccumulateGrad'}",
            ], []
        if node.name == "AccumulateGrad":  # the leaf it delivers into: value, flags, and its .grad
            name = node.tensor or "leaf"
            return [
                "AccumulateGrad",
                f"{name} = {{{p}v}}",
                "requires_grad=True",
                "is_leaf=True",
                f"{name}.grad ← {received(i)}",
            ], after
        lines = [node.name]
        if i in result.values:  # a tensor the code names: its value, and whether it keeps its .grad
            lines += [f"{node.tensor} = {{{p}v}}", f"retains_grad={node.retains}"]
        lines += [f"{key} = {{{p}s{key}}}" for key in node.saved]
        return [*lines, f"grad ← {received(i)}"], after

    placed, hidden, hidden_layers = columns(result)
    nodes = []
    for ids in placed.values():
        for i in ids:
            if i == "more":
                lines, after, kind = [f"… {hidden:,} more nodes", f"in {hidden_layers:,} layers …"], [], "more"
            else:
                (lines, after), kind = text(i), "leaf" if result.nodes[i].name == "AccumulateGrad" else "op"
            nodes.append({"id": i, "lines": lines, "after": after, "kind": kind})
    sizes = {
        n["id"]: (max(map(_measure, n["lines"])) * CHAR + 2 * PAD, len(n["lines"]) * LINE + 2 * PAD) for n in nodes
    }
    layouts = []
    for name, across in (("right", False), ("down", True)):
        boxes, (width, height) = place(placed, sizes, across)
        drawn = edges(result, boxes, across)
        for edge in drawn:
            edge["sent"] = f"{prefix}{edge['to']}e{edge['k']}" if edge["to"] != "more" else ""
        layouts.append({"name": name, "width": width, "height": height, "boxes": boxes, "edges": drawn})
    sentences = []
    for i in result.order:
        node, p = result.nodes[i], f"{prefix}{i}"
        if node.name == "AccumulateGrad":
            sentences.append(f"AccumulateGrad stores {received(i)} in {label(result, i)}.grad.")
            continue
        sends = [
            f"{{{p}e{k}}} to {label(result, child)} (local derivative {{{p}l{k}}})"
            for k, (child, _) in enumerate(node.inputs)
        ]
        sentence = f"{label(result, i)} receives {received(i)}"
        sentences.append(sentence + ("; it sends " + " and ".join(sends) if sends else "") + ".")
    shown = {n["id"] for n in nodes}
    return {
        "nodes": nodes,
        "layouts": layouts,
        "text": {"pad": PAD, "baseline": BASELINE, "line": LINE},
        "order": [i for i in result.order if i in shown],
        "sentences": [s for i, s in zip(result.order, sentences) if i in shown],
    }


def used(spec):
    """The channels a drawing's templates read (a deep graph draws a few of its nodes' only)."""
    texts = [line for node in spec["nodes"] for line in node["lines"]] + list(spec["sentences"])
    texts += [f"{{{edge['sent']}}}" for layout in spec["layouts"] for edge in layout["edges"] if edge["sent"]]
    return set(re.findall(r"\{([^}]+)\}", " ".join(texts)))

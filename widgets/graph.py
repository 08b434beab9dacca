"""PyTorch's recorded graph, as the book shows it: walked from a tensor's ``grad_fn``, run backward
node by node, and laid out left to right for the page's script to draw.

- :func:`record` walks ``grad_fn`` and ``next_functions`` from an output: one node per backward
  function, named as PyTorch names it, with the leaf tensors (``AccumulateGrad.variable``) and the
  values each node saved where PyTorch exposes them (``_saved_self``, ``_saved_exponent``, …). It
  then runs the backward pass the way PyTorch's engine does (ready nodes in order of their
  ``_sequence_nr``, ``AccumulateGrad`` as soon as it is ready), calling each node's own backward
  function: the gradient each node receives, what it sends along each edge, and its local
  derivative (what it sends for a received gradient of 1). A tensor's hooks (``register_hook``, on
  a leaf or on a tensor the code names) are called where the engine calls them, on the gradient
  that arrives at the tensor's node before the node uses it: what each returns is recorded, and is
  what the node goes on with. Nothing else of the reader's changes: no ``.grad`` is written, the
  saved tensors stay (a hook that prints prints, as it would in backward).
- :func:`drawing` places the nodes in layers, inputs on the left and the output on the right (and
  top to bottom, for narrow screens), routes the edges, and writes what each box says as
  templates (``{channel}`` is a number of the frame), so that one layout serves every frame of a
  figure whose numbers follow its sliders. The page's script and the still drawing
  (:class:`widgets.marks.Graph`) both draw from it: every position is worked out here.

:func:`widgets.show_graph` makes a figure of any tensor's graph; the book's explorers add a graph
panel with ``graph=True`` (:class:`widgets.marks.Graph`).
"""

import heapq
import itertools
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
    hooks: list = field(default_factory=list)  # [(name, function)]: the tensor's hooks, in the order they run
    outputs: int = 1  # how many tensors the operation made (unbind: one per piece), each with its gradient


@dataclass
class Record:
    """A graph and one run of backward through it, with every number as a float or a string."""

    nodes: list
    order: list = field(default_factory=list)  # node indexes, in the order the engine runs them
    values: dict = field(default_factory=dict)  # node index → the tensor's value, where known
    received: dict = field(default_factory=dict)  # node index → the gradient it received (after its hooks)
    arrived: dict = field(default_factory=dict)  # node index → the gradient that arrived, before its hooks
    hooked: dict = field(default_factory=dict)  # (node, j) → the gradient after its j-th hook
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
        nodes.append(Node(fn=fn, name=type(fn).__name__, outputs=max(1, len(getattr(fn, "_input_metadata", ())))))
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
    pieces = {}  # node → {output number: (name, tensor)}: the first tensor the code names there
    for name, tensor in names.items():
        if tensor.grad_fn is not None:
            pieces.setdefault(tensor.grad_fn, {}).setdefault(tensor.output_nr, (name, tensor))
    hooked = {t.grad_fn: t for t in (output, *names.values()) if t.grad_fn is not None and t._backward_hooks}
    result = Record(nodes=nodes)
    for i, node in enumerate(nodes):
        if node.name == "AccumulateGrad":
            leaf = node.fn.variable
            node.tensor = next((n for n, t in names.items() if t is leaf), "")
            node.hooks = _hooks(leaf)
            result.values[i] = number(leaf)
            result.leaf_grads[i] = number(leaf.grad)
            continue
        if node.fn in hooked:
            node.hooks = _hooks(hooked[node.fn])
        named = [pieces[node.fn][nr] for nr in sorted(pieces.get(node.fn, ()))]
        if named and node.outputs > 1:  # a, b = x: the pieces the reader named, in order
            node.tensor = ", ".join(n for n, _ in named)
            node.retains = any(t.retains_grad for _, t in named)
        elif named:  # one output (numbered 0)
            node.tensor, tensor = named[0]
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


def _hooks(tensor):
    """A tensor's hooks, [(name, function)], in the order backward calls them: a hook is named by
    its function's name (none for a lambda)."""
    hooks = tensor._backward_hooks or {}
    return [
        (getattr(h, "__name__", "") if getattr(h, "__name__", "").isidentifier() else "", h) for h in hooks.values()
    ]


def _run_hooks(result, i, grad):
    """Node i's hooks on the gradient that arrived, as the engine runs them: each gets what the one
    before returned (None: the gradient as it was). The gradient the node goes on with."""
    node = result.nodes[i]
    result.arrived[i] = number(grad)
    for j, (name, hook) in enumerate(node.hooks):
        out = hook(grad)
        if out is not None:
            if not isinstance(out, torch.Tensor) or out.shape != grad.shape:
                raise TypeError(
                    f"the hook {name or '(a lambda)'} on {label(result, i)} returned {out!r:.60}: a hook "
                    f"returns None or a gradient of the same shape, {tuple(grad.shape)}"
                )
            grad = out
        result.hooked[i, j] = number(grad)
    return grad


def _backward(result, output):
    """Run backward as PyTorch's engine does, each node's own backward function called directly."""
    nodes = result.nodes
    waiting = [0] * len(nodes)  # edges still to deliver into each node
    for node in nodes:
        for child, _ in node.inputs:
            waiting[child] += 1
    grads = {0: {0: torch.ones_like(output)}}  # node → {output number: the gradient arrived there}
    ready = [(-nodes[0].fn._sequence_nr(), 0)]
    with torch.no_grad():
        while ready:
            _, i = heapq.heappop(ready)
            node = nodes[i]
            result.order.append(i)
            if node.outputs > 1:  # one gradient per output, zeros where none arrived (as the engine)
                _several_outputs(result, i, grads, waiting, ready)
                continue
            (grad,) = grads[i].values()  # one output: its number is 0
            if node.hooks:
                try:
                    grad = _run_hooks(result, i, grad)
                except Exception as error:  # a reader's hook may raise anything
                    result.failure = f"a hook on {label(result, i)} raised {type(error).__name__}: {error}"
                    return
            result.received[i] = number(grad)
            if node.name == "AccumulateGrad":
                continue
            try:
                sent, unit = _call(node.fn, grad), _call(node.fn, torch.ones_like(grad))
            except Exception as error:  # saved tensors freed or changed, or a reader's backward that raises
                result.failure = backward_failure(error, f"{node.name}'s backward")
                return
            _send(result, i, sent, unit if grad.numel() == 1 else None, grads, waiting, ready)


def _several_outputs(result, i, grads, waiting, ready):
    """Node i made several tensors (``a, b = x``): its backward takes one gradient per output,
    zeros for an output no gradient reached. It receives them all, written as one list."""
    node, arrived = result.nodes[i], grads[i]
    each = [
        arrived[nr] if nr in arrived else torch.zeros(m.shape, dtype=m.dtype)
        for nr, m in enumerate(node.fn._input_metadata)
    ]
    result.received[i] = number(torch.stack(each)) if len({g.shape for g in each}) == 1 else "several gradients"
    try:
        sent = _call(node.fn, *each)
    except Exception as error:
        result.failure = backward_failure(error, f"{node.name}'s backward")
        return
    _send(result, i, sent, None, grads, waiting, ready)


def _send(result, i, sent, unit, grads, waiting, ready):
    """Node i sends `sent` (one per input; `unit`: what it sends for a received 1, where that is
    one number) along its edges, and the nodes it completes are ready."""
    node = result.nodes[i]
    inputs = [k for k in range(len(sent)) if node.fn.next_functions[k][0] is not None]
    for edge, k in enumerate(inputs):
        child, nr = node.inputs[edge]
        result.sent[i, edge] = number(sent[k])
        result.local[i, edge] = number(unit[k]) if unit is not None else "—"
        slot = grads.setdefault(child, {})
        slot[nr] = sent[k] if nr not in slot else slot[nr] + sent[k]
        waiting[child] -= 1
        if waiting[child] == 0:
            heapq.heappush(ready, (-result.nodes[child].fn._sequence_nr(), child))


def _call(fn, *grads):
    """What node `fn` sends back for `grads` (one per output of its operation), a tuple (one per
    input). A node of PyTorch's is called; a custom ``autograd.Function``'s node (``SqBackward``,
    say) is not callable: its ``apply`` runs the Function's ``backward`` with the node as ``ctx``,
    as the engine does."""
    out = fn(*grads) if callable(fn) else fn.apply(*grads)
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
EDGE_CHAR = 7.0  # px per character of an edge's label, at 11.5 px
LINE = 16  # px per line of text
PAD = 8  # px inside a box
BASELINE = 12  # px from a box's padding to its first line's baseline
GAP_RANKS = 14  # px between a layer of boxes and the labels before or after it
GAP_BOXES, GAP_TRACKS = 18, 8  # px between boxes of a layer, and between an edge and what is beside it
LABEL_TEXT = 16  # px an edge label's text takes across its edge (a line of 11.5 px type)
LABEL_ASIDE = 9  # px from a vertical edge to its label's text
WIDEST = "-000.0000"  # the widest number a box is made for; a wider one is set closer (figure.js: fit)


def _chars(value):
    """Characters a channel's value takes: a number at most WIDEST's, a text (a saved number written
    with all its digits, say) its own length where that is longer."""
    return max(len(WIDEST), len(value) if isinstance(value, str) else 0)


def _measure(line, frame=None):
    """Characters a template line takes once its placeholders hold numbers (or the text `frame`
    has for them, where that is longer)."""
    return len(re.sub(r"\{([^}]+)\}", lambda match: "x" * _chars((frame or {}).get(match.group(1))), line))


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
    box, "more". A leaf (a node with no inputs) sits in the layer just before its first user, so
    that its edge is short."""
    layer = layers(result)
    users = {}
    for child, parent, _ in result.edges:
        users.setdefault(child, []).append(parent)
    for i, node in enumerate(result.nodes):
        if not node.inputs and i in users:
            layer[i] = min(layer[u] for u in users[i]) - 1
    depth, keep = max(layer.values()) + 1, MAX_LAYERS // 2
    hidden = {i for i, at in layer.items() if keep <= at < depth - keep} if depth > MAX_LAYERS else set()
    placed = {}
    for i in sorted(set(layer) - hidden, key=lambda i: (layer[i], i)):
        placed.setdefault(layer[i] if layer[i] < keep else layer[i] - (depth - 2 * keep) + 1, []).append(i)
    if hidden:
        placed[keep] = ["more"]
    return dict(sorted(placed.items())), len(hidden), depth - 2 * keep


# Routing. Between two layers of boxes lies a column of edge labels: an edge runs from its input's
# box to its user's through one item in every column it crosses: a label (in the column just
# before the box it enters) or a bare track (a dummy node, in a layer it skips). Items of a column
# never overlap across it, and inside a column an edge runs straight along its own item; it
# bends only in the gaps between columns, where nothing is drawn. So no edge crosses a box or a
# label, and no label lies on a box or on another label.


@dataclass
class _Item:
    kind: str  # "box", "label" or "track"
    along: float  # its size along the layers' axis
    across: float  # its size across it
    node: object = None  # the box's node id
    offset: float = 0.0  # a label's: where its edge runs, from its item's start across
    at: float = 0.0  # its centre across
    up: list = field(default_factory=list)  # the items next to it on its edges, one column back
    down: list = field(default_factory=list)  # … and one column on

    def track(self):
        """Across: where an edge runs through this item (a label's text lies beside it)."""
        if self.kind == "label":
            return self.at - self.across / 2 + self.offset
        return self.at


def _isotonic(desired, gaps):
    """Centres as near `desired` as can be (least squares) with centre k+1 ≥ centre k + gaps[k]."""
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks = []  # [sum, count] of targets pooled together
    for d, o in zip(desired, offsets):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    pooled = [total / count for total, count in blocks for _ in range(count)]
    return [q + o for q, o in zip(pooled, offsets)]


def _crossings(ranks):
    """Crossings of the edges between consecutive columns (ranks: columns of items, in order)."""
    total = 0
    for column, following in zip(ranks, ranks[1:]):
        position = {id(it): k for k, it in enumerate(following)}
        pairs = [(k, position[id(n)]) for k, it in enumerate(column) for n in it.down if id(n) in position]
        total += sum(1 for (a, b), (c, d) in itertools.combinations(pairs, 2) if (a - c) * (b - d) < 0)
    return total


def _barycentre(item, position, order, upward):
    """Where an item's neighbours in the column just ordered are, on average (then its place)."""
    ks = [position[id(n)] for n in (item.up if upward else item.down) if id(n) in position]
    return (sum(ks) / len(ks) if ks else order[id(item)], order[id(item)])


def _straight(path, to):
    """A straight run from the path's end to `to`, as a cubic Bézier segment (none if it is empty)."""
    (a0, c0), (a1, c1) = path[-1], to
    if abs(a1 - a0) > 0.01:
        path.extend([(a0 + (a1 - a0) / 3, c0), (a0 + 2 * (a1 - a0) / 3, c1), (a1, c1)])


def _bend(path, to):
    """An S from the path's end to `to`, leaving and arriving along the layers' axis."""
    (a0, c0), (a1, c1) = path[-1], to
    path.extend([((a0 + a1) / 2, c0), ((a0 + a1) / 2, c1), (a1, c1)])


def route(placed, sizes, links, across):
    """Boxes of `sizes` {id: (w, h)} in the layers of `placed`, and the edges `links` [(from id, to
    id, label width or 0)] between them, laid out left to right (across=False) or top to bottom
    (across=True): ({id: [x, y, w, h]}, [each edge: its curve and where its label goes], extent)."""
    along = 1 if across else 0
    ranks, rank_of = [], {}
    for n, ids in enumerate(placed.values()):
        if n:
            ranks.append([])  # the column of labels before this layer
        ranks.append([])
        for i in ids:
            rank_of[i] = len(ranks) - 1
            ranks[-1].append(_Item("box", sizes[i][along], sizes[i][1 - along], node=i))
    box = {it.node: it for column in ranks for it in column if it.kind == "box"}
    chains = []
    for start, end, width in links:
        a, b = rank_of[start], rank_of[end]
        chain = [box[start]]
        for r in range(a + 1, b):
            if r == b - 1 and width:
                if across:  # the edge down its left, the text beside it
                    item = _Item("label", LABEL_TEXT + 2, LABEL_ASIDE + width, offset=3.0)
                else:  # the edge along its bottom, the text above it
                    item = _Item("label", width, LABEL_TEXT + 6, offset=LABEL_TEXT + 3)
            else:
                item = _Item("track", 0.0, 0.0)
            ranks[r].append(item)
            chain.append(item)
        chain.append(box[end])
        for u, v in zip(chain, chain[1:]):
            u.down.append(v)
            v.up.append(u)
        chains.append(chain)

    # Order each column by the barycentre of its neighbours, sweeping both ways; keep the best.
    best, fewest = [list(c) for c in ranks], _crossings(ranks)
    for sweep in range(8):
        indices = range(1, len(ranks)) if sweep % 2 == 0 else range(len(ranks) - 2, -1, -1)
        for r in indices:
            near = ranks[r - 1] if sweep % 2 == 0 else ranks[r + 1]
            position = {id(it): k for k, it in enumerate(near)}
            order = {id(it): k for k, it in enumerate(ranks[r])}

            ranks[r].sort(key=lambda it, p=position, o=order, s=sweep: _barycentre(it, p, o, s % 2 == 0))
        count = _crossings(ranks)
        if count < fewest:
            best, fewest = [list(c) for c in ranks], count
    ranks = best

    # Across: each column's items as near the mean of their neighbours as their sizes let them be.
    def gaps(column):
        return [
            (a.across + b.across) / 2 + (GAP_BOXES if a.kind == b.kind == "box" else GAP_TRACKS)
            for a, b in zip(column, column[1:])
        ]

    for column in ranks:
        for it, at in zip(column, _isotonic([0.0] * len(column), gaps(column))):
            it.at = at
    for sweep in range(12):
        indices = range(len(ranks)) if sweep % 2 == 0 else range(len(ranks) - 1, -1, -1)
        for r in indices:
            column = ranks[r]
            near = [(it.up if sweep % 2 == 0 else it.down) or it.up + it.down for it in column]
            desired = [  # an edge's track in line with its neighbours' tracks: few bends
                sum(n.track() for n in ns) / len(ns) - (it.track() - it.at) if ns else it.at
                for it, ns in zip(column, near)
            ]
            for it, at in zip(column, _isotonic(desired, gaps(column))):
                it.at = at
    items = [it for column in ranks for it in column]
    low = min((it.at - it.across / 2 for it in items), default=0.0)
    for it in items:
        it.at -= low
    breadth = max((it.at + it.across / 2 for it in items), default=0.0)

    # Along: the columns one after the other; a box in the middle of its column, a label at its start.
    starts, depths, offset = [], [], 0.0
    for column in ranks:
        starts.append(offset)
        depths.append(max((it.along for it in column), default=0.0))
        offset += depths[-1] + GAP_RANKS
    rank = {id(it): r for r, column in enumerate(ranks) for it in column}

    def point(a, c):
        return [round(c, 2), round(a, 2)] if across else [round(a, 2), round(c, 2)]

    boxes = {}
    for it in box.values():
        r = rank[id(it)]
        lo = starts[r] + (depths[r] - it.along) / 2
        boxes[it.node] = [
            *point(lo, it.at - it.across / 2),
            *((it.across, it.along) if across else (it.along, it.across)),
        ]

    # Ports: the edges leaving (entering) a box spread along its side, in the order of where they go.
    ports = {}
    for it in box.values():
        for side, chains_here in (
            ("out", [c for c in chains if c[0] is it]),
            ("in", [c for c in chains if c[-1] is it]),
        ):
            chains_here.sort(key=lambda c: (c[1] if side == "out" else c[-2]).track())
            for k, c in enumerate(chains_here):
                ports[id(c), side] = it.at - it.across / 2 + it.across * (k + 1) / (len(chains_here) + 1)

    drawn = []
    for chain in chains:
        first, last = chain[0], chain[-1]
        r0, r1 = rank[id(first)], rank[id(last)]
        a = starts[r0] + (depths[r0] + first.along) / 2  # the side it leaves from
        c = ports[id(chain), "out"]
        path = [(a, c)]

        _straight(path, (starts[r0] + depths[r0], c))
        label = None
        for r, it in zip(range(r0 + 1, r1), chain[1:-1]):
            _bend(path, (starts[r], it.track()))
            _straight(path, (starts[r] + depths[r], it.track()))
            if it.kind == "label":
                top = it.at - it.across / 2
                label = point(starts[r] + 13, top + LABEL_ASIDE) if across else point(starts[r], top + 13)
        end_c = ports[id(chain), "in"]
        _bend(path, (starts[r1], end_c))
        _straight(path, (starts[r1] + (depths[r1] - last.along) / 2, end_c))
        drawn.append(
            {
                "curve": [v for p in path for v in point(*p)],
                "label": [*label, "start"] if label else None,
            }
        )
    extent = (breadth, offset - GAP_RANKS) if across else (offset - GAP_RANKS, breadth)
    return boxes, drawn, extent


# ------------------------------------------------------------------------------------------------
# What the boxes, edges and sentences say: templates over the channels of a frame


def channels(result, prefix="g"):
    """The numbers of one backward run as channels of a frame: for node i, ``{prefix}{i}v`` its
    tensor's value (where known), ``…r`` the gradient it received, ``…s<name>`` what it saved; for a
    node with hooks, ``…a`` the gradient that arrived and ``…h<j>`` what its j-th hook made of it;
    for its k-th input edge, ``…e<k>`` what it sent and ``…l<k>`` its local derivative."""
    frame = {}
    for i, node in enumerate(result.nodes):
        p = f"{prefix}{i}"
        if i in result.values:
            frame[f"{p}v"] = result.values[i]
        frame[f"{p}r"] = result.received.get(i, float("nan"))
        if node.hooks:
            frame[f"{p}a"] = result.arrived.get(i, float("nan"))
            for j in range(len(node.hooks)):
                frame[f"{p}h{j}"] = result.hooked.get((i, j), float("nan"))
        for key, value in node.saved.items():
            frame[f"{p}s{key}"] = _exact(node.fn, key, value)
        for k in range(len(node.inputs)):
            frame[f"{p}e{k}"] = result.sent.get((i, k), float("nan"))
            frame[f"{p}l{k}"] = result.local.get((i, k), float("nan"))
    return frame


def _exact(fn, key, value):
    """A saved number the code gave as such (a clamp's min, an exponent, alpha), as text with all
    its digits: 1e-08 and 0.99999999 are not 0.0000 and 1.0000. A saved tensor stays a number."""
    raw = getattr(fn, f"_saved_{key}", None) if not isinstance(value, str) else None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return value
    return repr(raw)


def signature(result):
    """What must be the same for two records to be drawn with one layout."""
    return tuple(
        (node.name, tuple(node.inputs), tuple(node.saved), node.tensor, node.retains, tuple(n for n, _ in node.hooks))
        for node in result.nodes
    )


def label(result, i):
    node = result.nodes[i]
    if node.name == "AccumulateGrad":
        return node.tensor or "a leaf"
    return f"{node.name} ({node.tensor})" if node.tensor else node.name


def drawing(result, prefix="g"):
    """The Graph mark's spec for `result`: what each box says (its ``lines``, and its ``details``,
    shown on request: flags and saved values), its layouts (left to right, and top to bottom for
    narrow screens; each without and, where a box has details, with them), and the sentences, one
    per node in the order backward visits it; all text as templates over :func:`channels`."""
    incoming = {}  # what the parts of a node's gradient are (not for several outputs: one gradient each)
    for child, parent, k in result.edges:
        if result.nodes[child].outputs == 1:
            incoming.setdefault(child, []).append(f"{prefix}{parent}e{k}")

    def arrived(i):
        """The channel of what arrives at node i: before its hooks, where it has any."""
        return f"{prefix}{i}a" if result.nodes[i].hooks else f"{prefix}{i}r"

    def received(i):
        parts = incoming.get(i, [])
        total = f"{{{arrived(i)}}}"
        return " + ".join(f"{{{c}}}" for c in parts) + " = " + total if len(parts) > 1 else total

    def receives(i, head):
        """The line(s) of what node i receives: a sum two parts to a line, then its total."""
        parts = [f"{{{c}}}" for c in incoming.get(i, [])]
        if len(parts) < 2:
            return [head + received(i)]
        rows = [" + ".join(parts[k : k + 2]) for k in range(0, len(parts), 2)]
        return [head + rows[0], *(f"  + {row}" for row in rows[1:]), f"  = {{{arrived(i)}}}"]

    def hooks(i):
        """A line per hook of node i's tensor: what the hook made of the gradient."""
        return [
            f"hook {name} → {{{prefix}{i}h{j}}}" if name else f"hook → {{{prefix}{i}h{j}}}"
            for j, (name, _) in enumerate(result.nodes[i].hooks)
        ]

    def text(i):
        """(what the box always says, what it says on request (flags, saved values), the channels
        that backward has to reach first)."""
        node, p = result.nodes[i], f"{prefix}{i}"
        after = [f"{p}r", *incoming.get(i, [])]
        if node.hooks:
            after += [f"{p}a", *(f"{p}h{j}" for j in range(len(node.hooks)))]
        if node.fn is None:  # a tensor with no graph
            lines = [node.tensor or "tensor", f"= {{{p}v}}", "grad_fn = None"]
            return [*lines, f"requires_grad={node.name == 'AccumulateGrad'}"], [], []
        if node.name == "AccumulateGrad":  # the leaf it delivers into: value, its .grad, and flags
            name = node.tensor or "leaf"
            lines = ["AccumulateGrad", f"{name} = {{{p}v}}"]
            if node.hooks:  # what arrives, what the hooks make of it, and what .grad stores
                lines += [*receives(i, "grad ← "), *hooks(i), f"{name}.grad ← {{{p}r}}"]
            else:
                lines += receives(i, f"{name}.grad ← ")
            return lines, ["requires_grad=True", "is_leaf=True"], after
        lines, details = [node.name], []
        if i in result.values:  # a tensor the code names: its value, and whether it keeps its .grad
            lines.append(f"{node.tensor} = {{{p}v}}")
            details.append(f"retains_grad={node.retains}")
        details += [f"{key} = {{{p}s{key}}}" for key in node.saved]
        return [*lines, *receives(i, "grad ← "), *hooks(i)], details, after

    placed, hidden, hidden_layers = columns(result)
    nodes = []
    for ids in placed.values():
        for i in ids:
            if i == "more":
                lines, details, after = [f"… {hidden:,} more nodes", f"in {hidden_layers:,} layers …"], [], []
                kind = "more"
            else:
                (lines, details, after), kind = text(i), "leaf" if result.nodes[i].name == "AccumulateGrad" else "op"
            nodes.append({"id": i, "lines": lines, "details": details, "after": after, "kind": kind})
    start = channels(result, prefix)

    def size(node, details):
        widths = [_measure(line, start) for line in (*node["lines"], *(node["details"] if details else ()))]
        count = len(node["lines"]) + (len(node["details"]) if details else 0)
        return max(widths) * CHAR + 2 * PAD, count * LINE + 2 * PAD

    shown = {n["id"] for n in nodes}
    links, seen = [], set()  # (from, to, k): each edge once, into "more" where its end is hidden
    for child, parent, k in result.edges:
        a, b = (i if i in shown else "more" for i in (child, parent))
        if a != b and (a, b, k if b != "more" else 0) not in seen:
            seen.add((a, b, k if b != "more" else 0))
            links.append((a, b, k))

    def sent(to, k):
        return f"{prefix}{to}e{k}" if to != "more" else ""

    def width(to, k):  # an edge label's width: the arrow and the widest number
        if to == "more":
            return 0.0
        return (2 + _chars(start.get(sent(to, k)))) * EDGE_CHAR + 2

    layouts = []
    for details in (False, True) if any(n["details"] for n in nodes) else (False,):
        sizes = {n["id"]: size(n, details) for n in nodes}
        for name, across in (("right", False), ("down", True)):
            boxes, drawn, (w, h) = route(placed, sizes, [(a, b, width(b, k)) for a, b, k in links], across)
            edges = [
                {
                    **d,
                    "from": a,
                    "to": b,
                    "k": k,
                    "sent": sent(b, k),
                    "arrow": "↑ " if across else "← ",
                    "room": width(b, k),
                }
                for (a, b, k), d in zip(links, drawn)
            ]
            layout = {"name": name, "details": details, "width": round(w, 2), "height": round(h, 2)}
            layouts.append({**layout, "boxes": boxes, "edges": edges})
    sentences = []
    for i in result.order:
        node, p = result.nodes[i], f"{prefix}{i}"
        made = "".join(
            f"{', and' if j == 0 else ','} its hook {name + ' ' if name else ''}returns {{{p}h{j}}}"
            for j, (name, _) in enumerate(node.hooks)
        )
        if node.name == "AccumulateGrad" and node.hooks:
            sentences.append(
                f"AccumulateGrad receives {received(i)}{made}; it stores {{{p}r}} in {label(result, i)}.grad."
            )
            continue
        if node.name == "AccumulateGrad":
            sentences.append(f"AccumulateGrad stores {received(i)} in {label(result, i)}.grad.")
            continue
        sends = [
            f"{{{p}e{k}}} to {label(result, child)} (local derivative {{{p}l{k}}})"
            for k, (child, _) in enumerate(node.inputs)
        ]
        sentence = f"{label(result, i)} receives {received(i)}{made}"
        sentences.append(sentence + ("; it sends " + " and ".join(sends) if sends else "") + ".")
    return {
        "nodes": nodes,
        "layouts": layouts,
        "text": {"pad": PAD, "baseline": BASELINE, "line": LINE},
        "order": [i for i in result.order if i in shown],
        "sentences": [s for i, s in zip(result.order, sentences) if i in shown],
    }


def used(spec):
    """The channels a drawing's templates read (a deep graph draws a few of its nodes' only)."""
    texts = [line for node in spec["nodes"] for line in (*node["lines"], *node["details"])] + list(spec["sentences"])
    texts += [f"{{{edge['sent']}}}" for layout in spec["layouts"] for edge in layout["edges"] if edge["sent"]]
    return set(re.findall(r"\{([^}]+)\}", " ".join(texts)))


# ------------------------------------------------------------------------------------------------
# An engine of the reader's own (chapter 15): any value with data, grad, its inputs and its op name

#: Where an engine keeps a value's inputs and its operation's name (micrograd's, and others').
ENGINE_INPUTS, ENGINE_OPS = ("_prev", "_children", "parents", "prev"), ("_op", "op")


def is_engine_value(value):
    """Whether `value` looks like a value of a small autograd engine (duck typing, as micrograd's
    ``draw_dot``): a number ``data``, a ``grad``, its inputs and a ``_backward`` function."""
    return (
        not isinstance(value, torch.Tensor)
        and all(hasattr(value, name) for name in ("data", "grad", "_backward"))
        and any(hasattr(value, name) for name in ENGINE_INPUTS)
    )


def _engine_inputs(value):
    return list(next(getattr(value, n) for n in ENGINE_INPUTS if hasattr(value, n)) or ())


def _engine_op(value):
    return next((str(getattr(value, n)) for n in ENGINE_OPS if getattr(value, n, "")), "")


def record_engine(output, names=None):
    """The graph behind `output`, a value of the reader's own engine, as a :class:`Record` that
    :func:`drawing` lays out as it does PyTorch's: one node per value, a leaf where it has no
    inputs (named ``AccumulateGrad`` here, for the drawing's leaf box; :func:`engine_drawing`
    writes the engine's words), and one backward pass run by the engine's own ``_backward``
    functions, in its order (the output first, each value before its inputs, by depth-first
    search). What a node sends along each edge is read by running its ``_backward`` alone with
    its inputs' ``grad`` set to 0 first; every ``grad`` is put back afterwards: nothing of the
    reader's changes. An input used twice (``x * x``) gets its two parts in one ``grad``: each
    edge is given half, which is exact for ``+`` and ``*``, whose two parts are then equal."""
    if not is_engine_value(output):
        raise GraphError(f"an engine's value has data, grad, _backward and _prev; got {type(output).__name__}")
    names = dict(names or {})
    index, nodes, stack = {}, [], [output]
    while stack:  # every value reachable from the output, the output first
        value = stack.pop()
        if id(value) in index:
            continue
        if len(nodes) >= MAX_NODES:
            raise GraphError(f"the graph has more than {MAX_NODES:,} nodes: too many to show")
        index[id(value)] = len(nodes)
        op = _engine_op(value)
        leaf = not _engine_inputs(value)
        nodes.append(Node(fn=value, name="AccumulateGrad" if leaf else f"{type(value).__name__} {op}".strip()))
        stack.extend(reversed(_engine_inputs(value)))
    for node in nodes:
        node.inputs = [(index[id(v)], 0) for v in _engine_inputs(node.fn)]
        node.tensor = next((n for n, v in names.items() if v is node.fn), "")
    result = Record(nodes=nodes, values={i: number(node.fn.data) for i, node in enumerate(nodes)})
    order, seen = [], set()

    def visit(i):  # the engine's order, depth first (iteratively: graphs can be deep)
        todo = [(i, False)]
        while todo:
            j, done = todo.pop()
            if done:
                order.append(j)
            elif j not in seen:
                seen.add(j)
                todo.append((j, True))
                todo.extend((c, False) for c, _ in reversed(nodes[j].inputs))

    visit(0)
    kept = [(node.fn, node.fn.grad) for node in nodes]
    received = {i: 0.0 for i in range(len(nodes))}
    received[0] = 1.0
    try:
        for i in reversed(order):
            node = nodes[i]
            result.order.append(i)
            result.received[i] = received[i]
            if not node.inputs:
                continue
            for g, key in ((received[i], "sent"), (1.0, "local")):
                inputs = [nodes[c].fn for c, _ in node.inputs]
                for v in inputs:
                    v.grad = 0.0
                node.fn.grad = g
                node.fn._backward()
                for k, v in enumerate(inputs):
                    part = float(v.grad) / sum(u is v for u in inputs)
                    getattr(result, key)[i, k] = part
                    if key == "sent":
                        received[node.inputs[k][0]] += part
    except Exception as error:  # a reader's _backward that raises
        result.failure = f"{node.name}'s _backward raised {type(error).__name__}: {error}"
        result.notes.append(result.failure)
    finally:
        for value, grad in kept:
            value.grad = grad
    return result


def engine_drawing(result, prefix="g"):
    """:func:`drawing` of a :func:`record_engine` record, in the engine's words: a leaf's box is
    headed by its class's name (not ``AccumulateGrad``), no box has PyTorch's flags, and a leaf's
    step says that its ``grad`` is the sum of what its users' ``_backward`` added."""
    spec = drawing(result, prefix)
    for node in spec["nodes"]:
        if node["kind"] == "leaf" and node["lines"][0] == "AccumulateGrad":
            node["lines"][0] = type(result.nodes[node["id"]].fn).__name__
        node["details"] = []
    spec["layouts"] = [layout for layout in spec["layouts"] if not layout["details"]]
    spec["sentences"] = [
        re.sub(r"^AccumulateGrad stores (.*) in (.*)\.grad\.$", r"\2.grad is \1, what its users' _backward added.", s)
        for s in spec["sentences"]
    ]
    return spec

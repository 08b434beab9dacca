"""The recorded graph the book draws, against PyTorch's own engine.

For every graph the book draws (the chapters' show_graph cells and the figures' graph panels, at
many slider positions), the test builds the same tensors afresh, walks their grad_fn graph itself,
and runs the real loss.backward() with a hook on every node, recording the order the engine runs
them, the gradient each receives and what it sends along each edge. The drawing must have the same
nodes, the same edges, the same order and the same numbers. Then what a reader may hand to
show_graph: leaves, tensors with no graph, vectors, freed graphs, deep graphs, non-tensors.
"""

import itertools
import json
import math
import re

import pytest
import torch

from tests.figures import (
    EngineGraph,
    Explorer,
    Graph,
    chapter_engine,
    check_of,
    decode,
    make,
    stored_figures,
    table_points,
)
from widgets import show_graph
from widgets.formats import fill, format_value
from widgets.graph import GraphError

EPSILON = 1e-8


def engine(output):
    """The real backward pass through `output`'s graph: [(node, name, received, [sent, …])] in the
    order PyTorch's engine runs the nodes, walking grad_fn and next_functions here."""
    nodes, stack = [], [output.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is not None and fn not in nodes:
            nodes.append(fn)
            stack.extend(child for child, _ in fn.next_functions)
    order, received, sent = [], {}, {}
    for fn in nodes:

        def pre(grad_outputs, fn=fn):
            order.append(fn)
            received[fn] = grad_outputs[0].detach().clone()

        def post(grad_inputs, grad_outputs, fn=fn):
            sent[fn] = [
                g.detach().clone() for g, (child, _) in zip(grad_inputs, fn.next_functions) if child is not None
            ]

        fn.register_prehook(pre)
        if type(fn).__name__ != "AccumulateGrad":
            fn.register_hook(post)
    output.backward(torch.ones_like(output))  # a vector output: from ones, as show_graph draws it
    return [(fn, type(fn).__name__, received[fn], sent.get(fn, [])) for fn in order]


def shown(value):
    """A tensor or number as a drawing shows it (a few numbers as a list: "[1.0000, 2.0000]")."""
    if isinstance(value, torch.Tensor):
        if value.numel() > 1:
            return "[" + ", ".join(format_value(v) for v in value.flatten().tolist()) + "]"
        value = value.item()
    return format_value(value)


def graph_of(figure):
    """A figure's graph mark, as its data holds it (a dict): an explorer's, or a stored figure's."""
    marks = figure["marks"] if isinstance(figure, dict) else [m.spec() for m in figure.marks]
    (mark,) = [m for m in marks if m["kind"] == "graph"]
    return mark


def assert_drawn_as_the_engine_runs(mark, frame, output, tensors=None):
    """A graph mark (its spec), filled with `frame`, against engine(output)."""
    order = mark["order"]
    names = {n["id"]: n["lines"][0] for n in mark["nodes"]}
    trace = engine(output)
    assert [names[i] for i in order] == [name for _, name, _, _ in trace], (
        "the nodes, as PyTorch names them, in the order backward visits them"
    )
    position = {fn: k for k, (fn, _, _, _) in enumerate(trace)}
    drawn_edges = {(order.index(e["to"]), order.index(e["from"]), e["k"]) for e in mark["layouts"][0]["edges"]}
    walked = {
        (position[fn], position[child], k)
        for fn, *_ in trace
        for k, (child, _) in enumerate((c, n) for c, n in fn.next_functions if c is not None)
    }
    assert drawn_edges == walked, "the edges: each node's inputs, as next_functions has them"
    for i, (fn, name, received, sent) in zip(order, trace):
        # What the node goes on with: after its tensor's hooks, where it has any (the engine's
        # pre-hook on a node runs after them), the last hook's result.
        hooks = sorted((c for c in frame if re.fullmatch(rf"g{i}h\d+", c)), key=lambda c: int(c.split("h")[-1]))
        assert format_value(frame[hooks[-1] if hooks else f"g{i}r"]) == shown(received), f"what {name} received"
        if hooks:  # and what arrived before them: the sum of what was sent into the node
            into = [frame[f"g{e['to']}e{e['k']}"] for e in mark["layouts"][0]["edges"] if e["from"] == i]
            assert format_value(frame[f"g{i}a"]) == format_value(sum(into) if into else 1.0), f"what reached {name}"
        for k, g in enumerate(sent):
            assert format_value(frame[f"g{i}e{k}"]) == shown(g), f"what {name} sent along edge {k}"
        if name == "AccumulateGrad":
            assert format_value(frame[f"g{i}v"]) == shown(fn.variable)
            assert shown(fn.variable.grad) == format_value(frame[f"g{i}r"]), "the leaf's .grad after backward"
    for name, tensor in (tensors or {}).items():  # the named tensors' values, on their nodes
        node = next((i for i, (fn, *_) in zip(order, trace) if fn is tensor.grad_fn), None)
        if node is not None:
            assert format_value(frame[f"g{node}v"]) == shown(tensor), name


# The figures' graph panels, at the values their sliders take ------------------------------------


def square(x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = x**2
    return y, {"x": x, "y": y}


def chain(x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = x**2
    z = torch.sin(y)
    return z, {"x": x, "y": y, "z": z}


def neuron(x, w, b, y):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = w * x + b
    y_pred = torch.sigmoid(z)
    p = torch.clamp(y_pred, EPSILON, 1 - EPSILON)
    label = torch.tensor(float(y), dtype=torch.float64)
    loss = -(label * torch.log(p) + (1 - label) * torch.log(1 - p))
    return loss, {"w": w, "b": b, "z": z, "y_pred": y_pred, "loss": loss}


def hooked_chain(x, k, leaf_hook=None):
    """sin(x²) with a hook on y = x² that multiplies its gradient by k (and one on x, if given)."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = x**2

    def times_k(grad):
        return grad * k

    y.register_hook(times_k)
    if leaf_hook is not None:
        x.register_hook(leaf_hook)
    z = torch.sin(y)
    return z, {"x": x, "y": y, "z": z}


PANELS = {
    'explore(lambda x: x**2, x=(-4, 4, 0.05), start=3.0, by_hand=lambda x: 2 * x, formula="x²", derivative="2x",'
    " graph=True)": square,
    "ChainExplorer(inner=lambda x: x**2, outer=torch.sin, start=4.0, graph=True)": chain,
    "NeuronExplorer(graph=True)": neuron,
    "HookExplorer()": hooked_chain,
}


PANELED = [s for s in stored_figures() if isinstance(check_of(s), Explorer) and check_of(s).source in PANELS]


@pytest.mark.parametrize("stored", PANELED, ids=lambda s: s.name)
def test_the_graph_panel_follows_the_sliders_as_the_engine_runs(stored):
    """About 60 positions of the sliders, ends included: the kernel's frame against the engine,
    and the page's table (as the notebook stores it) against the kernel."""
    source = check_of(stored).source
    figure = make(source)
    table = stored.data["table"]
    points = table_points(stored.data, table)
    step = max(1, len(points) // 60)
    for values, stored_frame in itertools.islice(zip(points, decode(table)), 0, None, step):
        output, tensors = PANELS[source](**values)
        frame = figure.frame(**values)
        assert_drawn_as_the_engine_runs(graph_of(figure), frame, output, tensors)
        for channel, value in frame.items():  # the page's table reads the same
            if channel.startswith("g"):
                assert format_value(stored_frame[channel]) == format_value(value), (channel, values)


def test_the_neuron_graph_is_the_chain_rule_of_chapter_5():
    """At chapter 5's numbers: the sigmoid's local derivative is ŷ(1 − ŷ), the mul's is x, and
    w.grad is the chapter's 6.6918."""
    figure = make("NeuronExplorer(graph=True)")
    frame = figure.frame(**figure.start)
    text = figure.text()
    p = torch.sigmoid(torch.tensor(6.7, dtype=torch.float64)).item()
    assert f"SigmoidBackward0 (y_pred) receives {format_value(1 / (1 - p))}" in text
    assert f"(local derivative {format_value(p * (1 - p))})" in text
    assert "it sends 6.6918 to w (local derivative 6.7000)" in text
    assert text.strip().splitlines()[-1].endswith("AccumulateGrad stores 6.6918 in w.grad.")
    assert frame  # the numbers above are this frame's


# The chapters' show_graph outputs, as stored ----------------------------------------------------

GRAPHS = [s for s in stored_figures() if isinstance(check_of(s), Graph)]


@pytest.mark.parametrize("stored", GRAPHS, ids=lambda s: s.name)
def test_every_graph_a_chapter_draws_is_what_the_engine_runs(stored):
    """The tensors made afresh (tests/figures.py); the stored drawing against the real backward."""
    output, tensors = check_of(stored).build()
    frame = stored.data["start"]
    if output.grad_fn is None:  # no graph: one box, the tensor's value, and why
        (node,) = graph_of(stored.data)["nodes"]
        assert "grad_fn = None" in node["lines"] and f"requires_grad={output.requires_grad}" in node["lines"]
        assert format_value(frame["g0v"]) == shown(output)
        assert "has no graph" in frame["note"] or "is a leaf" in frame["note"]
    else:
        assert_drawn_as_the_engine_runs(graph_of(stored.data), frame, output, tensors)


def test_show_graph_changes_nothing_of_the_readers():
    output, tensors = check_of(GRAPHS[0]).build()
    show_graph(output, tensors)
    assert output.grad_fn is not None and all(t.grad is None for t in tensors.values() if t.is_leaf), (
        "nothing was changed"
    )
    output.backward()  # and the graph can still be used by the reader: nothing was freed


def test_a_node_used_twice_is_drawn_once_with_two_edges_and_its_contributions_added():
    a = torch.tensor(3.0, requires_grad=True)
    t = a * a
    figure = show_graph(t, {"a": a, "t": t})
    (mark,) = figure.graphs
    assert len(mark.nodes) == 2 and len(mark.layouts[0]["edges"]) == 2
    assert "AccumulateGrad stores 3.0000 + 3.0000 = 6.0000 in a.grad." in figure.text()


# What a reader may hand to show_graph -------------------------------------------------------------


def test_a_leaf_is_drawn_as_such_with_a_sentence():
    x = torch.tensor(2.0, requires_grad=True)
    figure = show_graph(x, {"x": x})
    assert "x is a leaf: it was created, not computed from other tensors" in figure.text()
    assert "grad_fn = None" in " ".join(figure.graphs[0].nodes[0]["lines"])
    assert len(json.dumps(figure.figure())) < 100_000


def with_no_grad(x):
    with torch.no_grad():
        return x * 2


@pytest.mark.parametrize(
    "make_tensor",
    [with_no_grad, lambda x: x.detach() ** 2, lambda x: torch.tensor(4.0)],
    ids=["no_grad", "detach", "plain"],
)
def test_a_tensor_with_no_graph_is_drawn_as_such_with_a_sentence(make_tensor):
    y = make_tensor(torch.tensor(2.0, requires_grad=True))
    text = show_graph(y, {"y": y}).text()
    assert "y has no graph: its grad_fn is None and requires_grad is False" in text


def test_a_vector_output_is_drawn_from_a_gradient_of_ones_and_says_so():
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    q = v**2
    text = show_graph(q, {"v": v, "q": q}).text()
    assert "q has shape (3,): backward() needs a gradient of that shape" in text
    q.sum().backward()
    assert f"AccumulateGrad stores [{', '.join(map(format_value, v.grad.tolist()))}] in v.grad." in text


def test_a_graph_backward_has_freed_is_drawn_without_its_numbers_and_says_why():
    x = torch.tensor(3.0, requires_grad=True)
    y = x**2
    y.backward()
    figure = show_graph(y, {"x": x, "y": y})
    text = figure.text()
    assert "backward() has already run through this graph and freed the values its nodes saved" in text
    assert "Already x.grad is 6.0000, from an earlier backward(): the next one adds to it." in text
    assert [n["lines"][0] for n in figure.graphs[0].nodes] == ["AccumulateGrad", "PowBackward0"]
    assert "—" in fill(" ".join(figure.graphs[0].nodes[1]["lines"]), figure.frame())


def test_a_deep_graph_is_drawn_with_its_middle_collapsed():
    x = torch.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(500):
        y = torch.sin(y) * 1.01
    figure = show_graph(y, {"x": x, "y": y})
    html = json.dumps(figure.figure())
    (mark,) = figure.graphs
    more = [n for n in mark.nodes if n["kind"] == "more"]
    assert len(more) == 1 and re.match(r"… [\d,]+ more nodes", more[0]["lines"][0])
    assert len(mark.nodes) <= 16 and len(html) < 150_000
    assert len(figure.text().splitlines()) < 30


@pytest.mark.parametrize("value", [3.0, [1.0, 2.0], None, "loss"])
def test_something_that_is_not_a_tensor_is_refused_with_a_clear_message(value):
    with pytest.raises(GraphError, match="show_graph needs a tensor; got"):
        show_graph(value)


def test_show_graph_names_tensors_after_the_callers_variables():
    weight = torch.tensor(2.0, requires_grad=True)
    doubled = weight * 2
    text = show_graph(doubled).text()
    assert "MulBackward0 (doubled) receives 1.0000; it sends 2.0000 to weight" in text


# A tensor's hooks: called where the engine calls them, drawn as a line of the tensor's node ------


@pytest.mark.parametrize("k", [-2.0, 0.0, 0.5, 3.0])
def test_a_hook_on_an_intermediate_tensor_changes_what_its_node_goes_on_with_as_the_engine_does(k):
    output, tensors = hooked_chain(1.2, k)
    figure = show_graph(output, tensors)
    frame = figure.frame()
    (mark,) = figure.graphs
    assert_drawn_as_the_engine_runs(mark.spec(), frame, *hooked_chain(1.2, k))
    (pow_node,) = [n for n in mark.nodes if n["lines"][0] == "PowBackward0"]
    i = pow_node["id"]
    assert pow_node["lines"][-2:] == [f"grad ← {{g{i}a}}", f"hook times_k → {{g{i}h0}}"]
    # What arrived is dz/dy = cos(x²); the hook returns k times it; x.grad is that times 2x.
    assert frame[f"g{i}a"] == pytest.approx(math.cos(1.44)) and frame[f"g{i}h0"] == pytest.approx(k * math.cos(1.44))
    assert f"PowBackward0 (y) receives {shown(math.cos(1.44))}, and its hook times_k returns" in figure.text()
    output.backward()
    assert tensors["x"].grad.item() == pytest.approx(k * math.cos(1.44) * 2.4), "the reader's graph still works"


def test_hooks_on_a_leaf_run_before_its_grad_is_stored_and_two_hooks_run_in_order():
    calls = []

    def plus_one(grad):
        calls.append("plus_one")
        return grad + 1

    def watch(grad):  # returns None: the gradient goes on unchanged
        calls.append("watch")

    output, tensors = hooked_chain(0.8, 2.0, leaf_hook=plus_one)
    tensors["x"].register_hook(watch)
    figure = show_graph(output, tensors)
    assert calls == ["plus_one", "watch"], "the hooks ran once each, in the order they were registered"
    frame = figure.frame()
    (mark,) = figure.graphs
    (leaf,) = [n for n in mark.nodes if n["kind"] == "leaf"]
    i = leaf["id"]
    assert leaf["lines"][2:] == [f"grad ← {{g{i}a}}", f"hook plus_one → {{g{i}h0}}", f"hook watch → {{g{i}h1}}"] + [
        f"x.grad ← {{g{i}r}}"
    ]
    arrived = 2.0 * math.cos(0.64) * 1.6
    assert frame[f"g{i}a"] == pytest.approx(arrived)
    assert frame[f"g{i}h0"] == frame[f"g{i}h1"] == frame[f"g{i}r"] == pytest.approx(arrived + 1)
    assert tensors["x"].grad is None, "show_graph stores no .grad"
    calls.clear()
    assert_drawn_as_the_engine_runs(mark.spec(), frame, output, tensors)  # the real backward, hooks and all
    assert calls == ["plus_one", "watch"]


def test_a_removed_hook_is_not_drawn_and_a_hook_that_raises_is_said():
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    handle = y.register_hook(lambda grad: grad * 10)
    handle.remove()
    (mark,) = show_graph(y * 3, {"x": x, "y": y}).graphs
    assert not any("hook" in line for n in mark.nodes for line in n["lines"])

    def broken(grad):
        raise ValueError("no")

    y.register_hook(broken)
    figure = show_graph(y * 3, {"x": x, "y": y})
    assert "a hook on PowBackward0 (y) raised ValueError: no" in figure.frame()["note"]
    y.register_hook(lambda grad: "text")
    y._backward_hooks.pop(next(iter(y._backward_hooks)))  # broken out: the text-returning one is left
    note = show_graph(y * 3, {"x": x, "y": y}).frame()["note"]
    assert "returns None or a gradient of the same shape" in note


def test_an_operation_with_several_outputs_gets_one_gradient_per_output():
    """`a, b = x` is one UnbindBackward0 with two outputs: its backward takes a gradient for each
    (zeros for one that nothing reached), and the drawing says what the engine stores in x.grad,
    not a sum of the gradients of different outputs (chapter 11 met this)."""

    def pieces(use_b=True):
        x = torch.tensor([1.5, 1.0, 2.0], requires_grad=True)
        a, b, c = x
        y = torch.stack([a * b, a + torch.sin(b)]) if use_b else a * 3
        return x, {"x": x, "a": a, "b": b, "c": c, "y": y}, y

    for use_b in (True, False):
        x, tensors, y = pieces(use_b)
        graph = show_graph(y, names=tensors)
        frame, mark = graph.frame(), graph_of(graph)
        lines = {n["id"]: n["lines"] for n in mark["nodes"]}
        (unbind,) = [i for i, text in lines.items() if text[0] == "UnbindBackward0"]
        assert lines[unbind][1:] == [f"grad ← {{g{unbind}r}}"], "one total per output, not a sum across them"
        assert "raised" not in frame["note"], frame["note"]
        y.backward(torch.ones_like(y))
        expected = x.grad.tolist()
        assert frame[f"g{unbind}r"] == "[" + ", ".join(format_value(v) for v in expected) + "]"
        (leaf,) = [i for i, text in lines.items() if text[0] == "AccumulateGrad"]
        assert frame[f"g{leaf}r"] == frame[f"g{unbind}r"]
        assert "UnbindBackward0 (a, b, c)" in graph.text()


# Chapter 15: the reader's own engine, drawn by the same code, against PyTorch's engine -----------

#: The engine's boxes, headed by its class and operation, and PyTorch's nodes for the same step.
AS_PYTORCH = {"Value": "AccumulateGrad", "Value sin": "SinBackward0", "Value **2": "PowBackward0"}


def assert_engine_drawn_as_pytorch_runs(mark, frame, output):
    """A graph of chapter 15's engine (its spec, filled with `frame`) against PyTorch's engine run on
    the same expression (`output`): node for node, in the same order, the same edges and numbers."""
    order = mark["order"]
    names = {n["id"]: AS_PYTORCH[n["lines"][0]] for n in mark["nodes"]}
    trace = engine(output)
    assert [names[i] for i in order] == [name for _, name, _, _ in trace], "node for node, in PyTorch's order"
    drawn_edges = {(order.index(e["to"]), order.index(e["from"]), e["k"]) for e in mark["layouts"][0]["edges"]}
    position = {fn: k for k, (fn, _, _, _) in enumerate(trace)}
    walked = {
        (position[fn], position[child], k)
        for fn, *_ in trace
        for k, (child, _) in enumerate((c, n) for c, n in fn.next_functions if c is not None)
    }
    assert drawn_edges == walked
    for i, (fn, name, received, sent) in zip(order, trace):
        assert format_value(frame[f"g{i}r"]) == shown(received), f"what {name} received"
        for k, g in enumerate(sent):
            assert format_value(frame[f"g{i}e{k}"]) == shown(g), f"what {name} sent along edge {k}"
        if name == "AccumulateGrad":
            assert format_value(frame[f"g{i}v"]) == shown(fn.variable)


ENGINE_GRAPHS = [s for s in stored_figures() if isinstance(check_of(s), EngineGraph)]


@pytest.mark.parametrize("stored", ENGINE_GRAPHS, ids=lambda s: s.name)
def test_the_graph_of_the_readers_engine_is_pytorchs_node_for_node(stored):
    check = check_of(stored)
    output, _ = check.torch()
    assert_engine_drawn_as_pytorch_runs(graph_of(stored.data), stored.data["start"], output)


def test_the_engine_figure_follows_its_slider_as_pytorch_runs():
    """EngineExplorer(Value), with the chapter's own engine: the kernel's frames, about 60 of them,
    against PyTorch's engine on sin(x²) at the same x, and the page's table against the kernel."""
    (stored,) = [s for s in stored_figures() if s.cell.strip().endswith("EngineExplorer(Value)")]
    figure = make("EngineExplorer(Value)")
    table = stored.data["table"]
    for values, stored_frame in zip(table_points(stored.data, table), decode(table)):
        output, _ = chain(**values)
        frame = figure.frame(**values)
        assert_engine_drawn_as_pytorch_runs(graph_of(figure), frame, output)
        for channel, value in frame.items():
            if channel.startswith("g") and not isinstance(value, str):
                assert format_value(stored_frame[channel]) == format_value(value), (channel, values)


def test_drawing_the_readers_engine_changes_nothing_of_theirs():
    Value = chapter_engine()
    x = Value(3.0)
    y = x * x + x
    text = show_graph(y).text()
    assert x.grad == 0.0 and y.grad == 0.0, "every grad put back"
    assert "x.grad is 1.0000 + 3.0000 + 3.0000 = 7.0000" in text, "the parts that meet at x, added"
    y.backward()
    assert x.grad == 7.0


def test_a_readers_engine_is_drawn_with_its_own_names_and_no_pytorch_flags():
    Value = chapter_engine()
    w, b = Value(1.0), Value(0.0)
    loss = (w * 6.7 + b).sigmoid()
    figure = show_graph(loss, {"w": w, "b": b, "loss": loss})
    (mark,) = figure.graphs
    heads = sorted(n["lines"][0] for n in mark.nodes)
    assert heads == ["Value", "Value", "Value", "Value *", "Value +", "Value sigmoid"], heads
    assert not any(n["details"] for n in mark.nodes) and not any("AccumulateGrad" in s for s in mark.sentences)
    assert figure.title == "The graph your engine built behind loss"

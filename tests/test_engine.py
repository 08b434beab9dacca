"""Chapter 15's engine, the ``Value`` class as the chapter's own cells define it, against PyTorch in
float64 on random expressions of its operations (hypothesis): the same value and the same gradient
with respect to every input, to about 1e-12 relative."""

import math

import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.figures import chapter_engine

Value = chapter_engine()

INPUTS = 3
number = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3))


def _trees():
    """Expression trees over up to three inputs: ("x", i), a constant, and the engine's operations."""
    variable = st.tuples(st.just("x"), st.integers(0, INPUTS - 1))
    leaves = st.one_of(variable, variable, st.tuples(st.just("c"), number))  # inputs twice as often

    def grow(child):
        # log of something positive: a sigmoid, an exponential or a square plus one
        positive = st.one_of(
            st.tuples(st.just("sigmoid"), child),
            st.tuples(st.just("exp"), child),
            st.tuples(st.just("+"), st.tuples(st.just("**"), child, st.just(2)), st.just(("c", 1.0))),
        )
        return st.one_of(
            st.tuples(st.sampled_from(["+", "*", "-", "/"]), child, child),
            st.tuples(st.just("**"), child, st.sampled_from([2, 3, -1])),
            st.tuples(st.sampled_from(["exp", "sigmoid", "neg"]), child),
            st.tuples(st.just("log"), positive),
            st.tuples(st.sampled_from(["r+", "r*", "r-"]), child, number),  # 2 + v, 2 * v, 1 - v
        )

    return st.recursive(leaves, grow, max_leaves=8)


def evaluate(tree, inputs, engine, seen):
    """The tree's value, with `engine` (Value) or with torch (engine=None); every value made goes to `seen`."""
    kind = tree[0]
    if kind == "x":
        return inputs[tree[1]]
    if kind == "c":
        return tree[1]
    a = evaluate(tree[1], inputs, engine, seen)
    if kind in ("+", "*", "-", "/"):
        b = evaluate(tree[2], inputs, engine, seen)
        out = {"+": lambda: a + b, "*": lambda: a * b, "-": lambda: a - b, "/": lambda: a / b}[kind]()
    elif kind == "**":
        out = a ** tree[2]
    elif kind == "neg":
        out = -a
    elif kind in ("r+", "r*", "r-"):
        c = tree[2]
        out = {"r+": lambda: c + a, "r*": lambda: c * a, "r-": lambda: c - a}[kind]()
    elif not isinstance(a, (Value, torch.Tensor)):  # a function of a constant: a constant
        out = {"exp": math.exp, "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "log": math.log}[kind](a)
    elif engine:
        out = getattr(a, kind)()
    else:
        out = {"exp": torch.exp, "sigmoid": torch.sigmoid, "log": torch.log}[kind](a)
    seen.append(out)
    return out


def as_float(v):
    return float(v.detach()) if isinstance(v, torch.Tensor) else float(v.data if isinstance(v, Value) else v)


@settings(max_examples=150, deadline=None)
@given(tree=_trees(), values=st.lists(number, min_size=INPUTS, max_size=INPUTS))
def test_the_engine_computes_what_pytorch_computes_on_random_expressions(tree, values):
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    seen = []
    with torch.no_grad():  # first: is every value along the way finite and of a sane size?
        try:
            evaluate(tree, [t.detach() for t in leaves], None, seen)
        except ZeroDivisionError:  # a constant divided by a constant 0
            assume(False)
    assume(all(math.isfinite(as_float(v)) and abs(as_float(v)) < 1e6 for v in seen))
    theirs = evaluate(tree, leaves, None, [])
    assume(isinstance(theirs, torch.Tensor) and theirs.requires_grad)  # an expression of some input
    theirs.backward()
    grads = [0.0 if t.grad is None else float(t.grad) for t in leaves]
    assume(all(math.isfinite(g) and abs(g) < 1e6 for g in grads))

    inputs = [Value(v) for v in values]
    mine = evaluate(tree, inputs, Value, [])
    mine.backward()
    scale = max([1.0] + [abs(as_float(v)) for v in seen] + [abs(g) for g in grads])
    assert math.isclose(mine.data, float(theirs.detach()), rel_tol=1e-12, abs_tol=1e-12 * scale), tree
    for k, (v, g) in enumerate(zip(inputs, grads)):
        assert math.isclose(v.grad, g, rel_tol=1e-12, abs_tol=1e-12 * scale), (tree, k, v.grad, g)


def test_gradients_that_meet_at_a_value_are_added():
    """Chapter 8's x·x at 3, and x·x + x: the engine adds what each edge sends, as PyTorch does."""
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    x = Value(3.0)
    (x * x + x).backward()
    assert x.grad == 7.0


def test_backward_visits_every_value_after_all_its_users():
    """A value used by two others, one of which uses the other: only the topological order gives
    d/dx of (x·x)·(x·x) = 4x³ = 108 at 3, each value's gradient complete before it is passed on."""
    x = Value(3.0)
    y = x * x
    ((y * y) + y * 0.0).backward()
    assert x.grad == 108.0

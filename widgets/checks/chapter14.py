"""Exercises of chapter 14, "Derivatives of derivatives"."""

import warnings

import torch

from widgets.checks import Mistake, MultipleChoice, Number

# Exercise 14.1: f(x) = x⁴ differentiated twice with backward(), at x = 1.25.
X1 = 1.25
# Exercise 14.2: f(w) = w₀²·w₁ + w₁³, its Hessian-vector product at w = (1, 2) along v = (1, −1).
W2, V2 = (1.0, 2.0), (1.0, -1.0)
# Exercise 14.4: the second derivative of exp(−x²) at x = 1.5, with torch.func.grad twice.
X4 = 1.5


def _twice(clear="none"):
    """x.grad after (x ** 4).backward(create_graph=True) then a backward through the first gradient,
    with x.grad set to None before it (the fix), left as it is (the bug) or zeroed in place."""
    x = torch.tensor(X1, requires_grad=True)
    with warnings.catch_warnings():  # PyTorch's advice to use autograd.grad, which the chapter shows
        warnings.simplefilter("ignore", UserWarning)
        (x**4).backward(create_graph=True)
    first = x.grad
    if clear == "none":
        x.grad = None
    elif clear == "zero_":
        x.grad.zero_()  # zeroes the tensor backward goes through: its derivative is 0
    first.backward()
    grad = x.grad.detach()
    x.grad = None  # break the cycle between x and a gradient with a graph
    return grad


def _first():
    x = torch.tensor(X1, requires_grad=True)
    (first,) = torch.autograd.grad(x**4, x)
    return first


def _f2(w):
    return w[0] ** 2 * w[1] + w[1] ** 3


def _hvp(keep_gradient=False, diagonal=False):
    """H·v of exercise 14.2 by two passes of autograd (or the gradient plus it, as .backward() leaves
    it; or with the Hessian's diagonal alone)."""
    w = torch.tensor(W2, requires_grad=True)
    v = torch.tensor(V2)
    (g,) = torch.autograd.grad(_f2(w), w, create_graph=True)
    if diagonal:
        rows = [torch.autograd.grad(g[i], w, retain_graph=True)[0][i] for i in range(2)]
        return torch.stack(rows) * v
    (hv,) = torch.autograd.grad(g @ v, w)
    if keep_gradient:
        return g.detach() + hv
    return hv


def _bell(x):
    return torch.exp(-(x**2))


def _bell_derivative(times):
    """The `times`-th derivative of exp(−x²) at X4, by torch.func.grad composed `times` times."""
    f = _bell
    for _ in range(times):
        f = torch.func.grad(f)
    return f(torch.tensor(X4))


def _bell_term(which):
    """One of the two terms of the product rule for d/dx (−2x·exp(−x²)), alone."""
    x = torch.tensor(X4)
    return -2 * _bell(x) if which == "first" else 4 * x**2 * _bell(x)


def _gradient():
    w = torch.tensor(W2, requires_grad=True)
    (g,) = torch.autograd.grad(_f2(w), w)
    return g


EXERCISES = [
    Number(
        "14.1",
        _twice,
        mistakes=(
            Mistake(
                lambda: _twice("kept"),
                "that is f′ + f″, 4x³ + 12x²: the second backward() added f″ to the f′ the first one "
                "left in x.grad. Take the first gradient out of x.grad (g = x.grad, then x.grad = None) "
                "before g.backward(), or use torch.autograd.grad, which stores nothing.",
            ),
            Mistake(
                lambda: _twice("zero_"),
                "x.grad.zero_() zeroed the very tensor the second backward() goes through: zero_() is "
                "recorded too (ZeroBackward0), and the derivative of a constant 0 is 0. Set x.grad = None "
                "instead, after keeping the first gradient in a variable of its own.",
            ),
            Mistake(_first, "that is f′(x) = 4x³, the first derivative: the second backward() is missing."),
        ),
        none=(
            "got None: was x.grad set to None after the second backward(), or read before it? Keep the "
            "first gradient in a variable, set x.grad = None, run backward() through that variable, and "
            "then read x.grad."
        ),
    ),
    Number(
        "14.2",
        _hvp,
        shape=(2,),
        mistakes=(
            Mistake(
                _gradient,
                "that is the gradient of f, (2w₀w₁, w₀² + 3w₁²): the first pass. The second pass "
                "differentiates g·v, the gradient along v, once more.",
            ),
            Mistake(
                lambda: _hvp(keep_gradient=True),
                "that is the gradient plus H·v: a .backward() on g·v added H·v to the gradient already "
                "in w.grad. Use torch.autograd.grad for both passes, or set w.grad = None in between.",
            ),
            Mistake(
                lambda: _hvp(diagonal=True),
                "that uses only the Hessian's diagonal, ∂²f/∂w₀² and ∂²f/∂w₁²: the mixed term "
                "∂²f/∂w₀∂w₁ = 2w₀ couples the two inputs and adds to both entries.",
            ),
        ),
    ),
    MultipleChoice(
        "14.3",
        "a",
        feedback={
            "a": "forward mode carries one input direction per pass, and each pass gives a whole "
            "column of the 500 × 2 Jacobian: 2 passes for 2 inputs.",
            "b": "reverse mode needs one pass per output, not per input: each backward pass gives "
            "one row of the Jacobian, and there are 500 rows.",
            "c": "that works, but takes 500 passes, one per row: forward mode gets the same Jacobian "
            "in 2, one per input.",
            "d": "forward mode needs one pass per input direction, and there are only 2 inputs: "
            "each pass gives a whole column of 500 numbers.",
        },
    ),
    Number(
        "14.4",
        lambda: _bell_derivative(2),
        mistakes=(
            Mistake(
                lambda: _bell_derivative(1),
                "that is the first derivative, −2x·exp(−x²): grad(f) once. grad(grad(f)) differentiates it again.",
            ),
            Mistake(
                lambda: _bell_derivative(0),
                "that is f itself, exp(−x²): no grad was taken. grad(f) is a function: call it on a tensor.",
            ),
            Mistake(
                lambda: _bell_term("first"),
                "that is only the product rule's first term, −2·exp(−x²): the derivative of −2x times "
                "exp(−x²). Add −2x times the derivative of exp(−x²), which is −2x·exp(−x²).",
            ),
            Mistake(
                lambda: _bell_term("second"),
                "that is only the product rule's second term, 4x²·exp(−x²): add the first, the derivative "
                "of −2x, −2, times exp(−x²).",
            ),
        ),
    ),
]

"""Exercises of chapter 15, "An autograd of your own"."""

import math

import torch

from widgets.checks import Mistake, Number

# Exercise 15.1: z = 3·tanh(2x) at x = 0.4, by the reader's engine with a tanh of their own.
X1 = 0.4
# Exercise 15.2: z = (x + x)·x at x = 3, by an engine whose + assigns, then fixed.
X2 = 3.0


def _tanh_gradient():
    x = torch.tensor(X1, dtype=torch.float64, requires_grad=True)
    (3 * torch.tanh(2 * x)).backward()
    return x.grad


def _t():
    return math.tanh(2 * X1)


def _fixed_gradient():
    x = torch.tensor(X2, dtype=torch.float64, requires_grad=True)
    ((x + x) * x).backward()
    return x.grad


EXERCISES = [
    Number(
        "15.1",
        _tanh_gradient,
        mistakes=(
            Mistake(
                lambda: 2 * (1 - _t() ** 2),
                "that is 2·(1 − t²): the tanh's _backward left out out.grad, the 3 that the "
                "multiplication after it sends down. Multiply (1 − t²) by out.grad.",
            ),
            Mistake(
                lambda: 6 * (1 - (2 * X1) ** 2),
                "that is 6·(1 − u²) with u = 2x, the input of tanh: its derivative is 1 − t² with t "
                "the output, tanh(u), which the closure can use as it is.",
            ),
            Mistake(
                lambda: 6 * _t() * (1 - _t()),
                "that is 6·t·(1 − t): the sigmoid's derivative, σ(1 − σ). tanh's is 1 − t².",
            ),
            Mistake(
                lambda: 3 * (1 - _t() ** 2),
                "that is 3·(1 − t²): the factor 2 from 2 * x is missing. Is the multiplication "
                "2 * x a Value operation (2 * x with x a Value goes through __rmul__)?",
            ),
        ),
        none="got None: is answer x.grad, a number, after z.backward()?",
    ),
    Number(
        "15.2",
        _fixed_gradient,
        mistakes=(
            Mistake(
                lambda: X2,
                "that is what the buggy engine prints: the addition's lines still set x.grad to "
                "the 3 the sum received, and the last = wins. Both lines need +=.",
            ),
            Mistake(
                lambda: 2 * X2,
                "that is 6: either only the multiplication's share (x + x = 6), or only the second "
                "line fixed (3 set by the first, 3 added by the second). Both lines need +=.",
            ),
            Mistake(
                lambda: 2 * X2 * X2,
                "that is 2x², the value of z, not its gradient.",
            ),
        ),
    ),
]

"""Exercises of chapter 1, "What autograd is"."""

import torch

from widgets.checks import Mistake, MultipleChoice, Number


def _branch(x):
    """The function of exercise 1.2: an `if` picks one of two formulas."""
    if x > 0:
        return x**2
    return 3 * x


def _branch_grad(at=-2.0):
    x = torch.tensor(at, requires_grad=True)
    _branch(x).backward()
    return x.grad


def _other_branch():
    x = torch.tensor(-2.0, requires_grad=True)
    (x**2).backward()
    return x.grad


EXERCISES = [
    MultipleChoice(
        "1.1",
        "c",
        feedback={
            "a": "a has requires_grad=True, but no operation made it: you created it yourself, and a "
            "grad_fn belongs only to results of recorded operations. (A tensor with no grad_fn is a "
            "leaf: backward stops there.)",
            "b": "b was created directly, and is not even marked with requires_grad=True: no "
            "operation made it, and nothing about it is recorded.",
            "c": "c = a * b involves a, which is marked, so the multiplication is recorded: "
            "c.grad_fn is a MulBackward0.",
            "d": "d = b + 1 is a result, but only b takes part, and b is not marked: an operation on "
            "unmarked tensors alone is not recorded, so d has no grad_fn (it is a leaf, like a and b).",
        },
    ),
    Number(
        "1.2",
        _branch_grad,
        mistakes=(
            Mistake(
                _other_branch,
                "that is the derivative of x², 2x at x = −2: the branch that did "
                "not run. At x = −2 the condition x > 0 is False, so only 3 * x "
                "ran, and only it is recorded.",
            ),
            Mistake(lambda: _branch(torch.tensor(-2.0)), "that is y itself, 3 · (−2) = −6, not its derivative."),
            Mistake(
                lambda: _other_branch() + _branch_grad(),
                "that adds the derivatives of both branches: autograd records only the one that ran, 3 * x.",
            ),
            Mistake(
                lambda: 0.0, "the if itself is not recorded, but the branch that ran is: y = 3x, whose slope is not 0."
            ),
        ),
    ),
]

"""Exercises of chapter 3, "Gradients with autograd"."""

import torch

from widgets.checks import Mistake, Number


def _power_rule():
    x = torch.tensor(1.5, requires_grad=True)
    (x**3).backward()
    return x.grad


def _by_hand():
    x = torch.tensor(-2.0, requires_grad=True)
    (x**2 + 3 * x).backward()
    return x.grad


def _item_fixed():
    x = torch.tensor(2.5, requires_grad=True)
    (x**2).backward()
    return x.grad


EXERCISES = [
    Number(
        "3.1",
        _power_rule,
        mistakes=(
            Mistake(lambda: 1.5**3, "that is y = x³ itself (3.375), not its derivative dy/dx."),
            Mistake(
                lambda: 2 * 1.5,
                "that is the derivative of x², 2x: here the exponent is 3, so the power rule gives 3x².",
            ),
            Mistake(lambda: 3 * 1.5, "3x is not the derivative of x³: the power rule lowers the exponent by one, 3x²."),
        ),
    ),
    Number(
        "3.2",
        _by_hand,
        mistakes=(
            Mistake(lambda: 2 * -2.0, "that is the derivative of x² alone: the term 3x adds its own derivative, 3."),
            Mistake(lambda: (-2.0) ** 2 + 3 * -2.0, "that is y at x = −2, not dy/dx."),
        ),
    ),
    Number(
        "3.3",
        _item_fixed,
        mistakes=(Mistake(lambda: 2.5**2, "that is y, not x.grad: the answer is the derivative, 2x."),),
    ),
]

"""Exercises of chapter 2, "A derivative by hand"."""

import torch

from widgets.checks import Mistake, MultipleChoice, Number


def _reciprocal_slope():
    x = torch.tensor(2.0, requires_grad=True)
    (1 / x).backward()
    return x.grad


def _forward_difference(h, x=3.0, dtype=torch.float64):
    """(f(x + h) - f(x)) / h for f(x) = x², in the given precision (float64: Python's floats)."""
    x = torch.tensor(x, dtype=dtype)
    return ((x + h) ** 2 - x**2) / h


def _exact_slope():
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    (x**2).backward()
    return x.grad


EXERCISES = [
    Number(
        "2.1",
        _reciprocal_slope,
        mistakes=(
            Mistake(lambda: -1 / 2.0, "that is −1/x: the denominator x(x + h) tends to x · x = x², not to x."),
            Mistake(lambda: 1 / 2.0, "that is f(2) = 1/2 itself, the height of the curve, not its slope."),
            Mistake(
                lambda: 1 / 2.0**2,
                "the size is right, the sign is not: 1/x falls as x grows, so "
                "its slope is negative. The minus comes from "
                "x − (x + h) = −h in the numerator.",
            ),
        ),
    ),
    Number(
        "2.2",
        lambda: _forward_difference(1e-12),
        rtol=1e-6,
        atol=1e-15,
        mistakes=(
            Mistake(
                _exact_slope,
                "6 is the exact slope, and 6.000000000001 (that is 2x + h) what "
                "exact arithmetic gives for this h. Python's floats round at every "
                "step: run the forward difference and answer with its value.",
            ),
            Mistake(
                lambda: _forward_difference(1e-12, dtype=torch.float32),
                "0 is what float32 gives (a torch.tensor(3.0) without dtype): 3 + 10⁻¹² rounds "
                "to exactly 3 there, so f(x + h) − f(x) = 0. Python's own floats are float64: "
                "compute with x = 3, a plain number.",
            ),
            Mistake(
                lambda: _forward_difference(1e-12) * 1e-12, "that is f(x + h) − f(x), the change in y: divide it by h."
            ),
            Mistake(
                lambda: round(float(_forward_difference(1e-12)), 4),
                "close, but rounded to 4 decimals (as a tensor prints): the digits after them "
                "matter here. Assign the computed value itself to answer.",
            ),
        ),
    ),
    MultipleChoice(
        "2.3",
        1e-8,
        feedback={
            1e-2: "its error is 0.01, which is h itself: for x² the forward difference is exactly "
            "2x + h. This truncation error shrinks with h, so smaller steps do better, for a "
            "while.",
            1e-4: "its error is 0.0001, still h itself, the truncation error of the forward "
            "difference: a smaller h does better.",
            1e-6: "its error is about 10⁻⁶, still mostly h itself: one more step down does better, "
            "before rounding takes over.",
            1e-8: "its error is about 4 × 10⁻⁸, the smallest: here the truncation error, h, and the "
            "rounding error, about 10⁻¹⁵/h, are both small.",
            1e-10: "its error is about 5 × 10⁻⁷, larger than at h = 10⁻⁸: rounding has taken over. "
            "f(x + h) and f(x) agree in their first 10 digits, the subtraction leaves only "
            "the rounded last few, and dividing by a tiny h magnifies their error.",
            1e-12: "its error is about 5 × 10⁻⁴, nearly as large as with h = 10⁻³: the rounding "
            "error in f(x + h) − f(x), about 10⁻¹⁵, is divided by h = 10⁻¹².",
        },
    ),
]

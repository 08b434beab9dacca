"""Exercises of chapter 9, "Turning gradient tracking off"."""

import torch

from widgets.checks import Mistake, Number

# Exercise 9.1: gradient descent on (w − 3)² from w = 1, five steps of learning rate 0.1.
START1, TARGET1, LR1, STEPS1 = 1.0, 3.0, 0.1, 5
# Exercise 9.2: y = a·b at x = 2, with a = x³ computed under torch.no_grad() and b = x².
X2 = 2.0
# Exercise 9.3: the same descent as 9.1, from w = 1, three steps, keeping w after each.
STEPS3 = 3


def _descend(steps, clear=True):
    """The values of w after each step of the loop of exercises 9.1 and 9.3, fixed."""
    w = torch.tensor(START1, requires_grad=True)
    history = []
    for _ in range(steps):
        loss = (w - TARGET1) ** 2
        loss.backward()
        with torch.no_grad():
            w -= LR1 * w.grad
        if clear:
            w.grad.zero_()
        history.append(w.detach().clone())
    return torch.stack(history)


def _half_tracked():
    x = torch.tensor(X2, requires_grad=True)
    with torch.no_grad():
        a = x**3
    b = x**2
    (a * b).backward()
    return x.grad


EXERCISES = [
    Number(
        "9.1",
        lambda: _descend(STEPS1)[-1],
        mistakes=(
            Mistake(
                lambda: START1,
                "that is w before any step: the loop stopped with an error at its first update, "
                "so w is still 1. Fix the update, run the loop again, then read w.",
            ),
            Mistake(
                lambda: _descend(STEPS1, clear=False)[-1],
                "that is w with a gradient that is never cleared: each step adds to all the "
                "earlier ones (chapter 8). Keep w.grad.zero_() after the update.",
            ),
            Mistake(lambda: TARGET1, "3 is the minimum the loop heads for: after five steps w has not reached it yet."),
        ),
    ),
    Number(
        "9.2",
        _half_tracked,
        mistakes=(
            Mistake(
                lambda: 5 * X2**4,
                "that is the derivative of x⁵, as if a = x³ had been recorded: inside "
                "torch.no_grad() nothing is, so a is a constant to backward, 8.",
            ),
            Mistake(
                lambda: 2 * X2,
                "that is the derivative of b = x² alone: y = a·b, so it is multiplied by the constant a = x³ = 8.",
            ),
            Mistake(
                lambda: 3 * X2**2,
                "that is the derivative of a = x³, the factor computed under torch.no_grad(): "
                "it is the other factor, b, that was recorded.",
            ),
            Mistake(
                lambda: 3 * X2**2 * X2**2,
                "that holds b constant and differentiates a: the other way round. a = x³ was "
                "computed under torch.no_grad(), so it is the constant.",
            ),
        ),
    ),
    Number(
        "9.3",
        lambda: _descend(STEPS3),
        shape=(STEPS3,),
        mistakes=(
            Mistake(
                lambda: _descend(STEPS3)[-1].expand(STEPS3),
                "three times the final w: every entry shares w's memory (w.detach() copies "
                "nothing), so each in-place w -= ... changes them all. Store a copy: "
                "w.detach().clone(), or w.item().",
            ),
            Mistake(
                lambda: torch.cat([torch.tensor([START1]), _descend(STEPS3 - 1)]),
                "those are the values of w before each step, not after it: append after the update.",
            ),
        ),
    ),
]

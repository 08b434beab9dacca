"""Exercises of chapter 8, "Clearing accumulated gradients"."""

import torch

from widgets.checks import Mistake, Number

# Exercise 8.1: four backward passes at x = 1.5, with a zero_() after the first two.
X1 = 1.5
# Exercise 8.2: gradient descent on (w − 3)² from w = 0, six steps of learning rate 0.1.
START2, TARGET2, LR2, STEPS2 = 0.0, 3.0, 0.1, 6
# Exercise 8.3: a batch of four examples for loss = mean((w·x_i − y_i)²), split in two halves.
X3, Y3, W3 = [1.0, 2.0, 3.0, 4.0], [3.0, 5.0, 7.0, 9.0], 1.5


def _keep_count():
    x = torch.tensor(X1, requires_grad=True)
    (x**2).backward()
    (3 * x).backward()
    x.grad.zero_()
    (x**3).backward()
    (x**2).backward()
    return x.grad


def _descend(clear="after"):
    """w after the loop of exercise 8.2, with the gradient cleared after the update (the fix),
    never (the bug), or between backward() and the update (too early)."""
    w = torch.tensor(START2, requires_grad=True)
    for _ in range(STEPS2):
        loss = (w - TARGET2) ** 2
        loss.backward()
        if clear == "early":
            w.grad.zero_()
        with torch.no_grad():
            w -= LR2 * w.grad
        if clear == "after":
            w.grad.zero_()
    return w.detach()


def _accumulated(pieces=(slice(0, 2), slice(2, 4)), divide=True):
    """w.grad after one backward pass per piece of the batch, each loss divided by the number
    of pieces (or not)."""
    x, y = torch.tensor(X3), torch.tensor(Y3)
    w = torch.tensor(W3, requires_grad=True)
    for piece in pieces:
        loss = ((w * x[piece] - y[piece]) ** 2).mean()
        (loss / 2 if divide else loss).backward()
    return w.grad


EXERCISES = [
    Number(
        "8.1",
        _keep_count,
        mistakes=(
            Mistake(
                lambda: 2 * X1,
                "that is the last pass alone, 2x: the (x ** 3) pass before it also added its "
                "3x², and backward() adds, it does not overwrite.",
            ),
            Mistake(lambda: 3 * X1**2, "that is the (x ** 3) pass alone: the (x ** 2) pass after it adds its 2x."),
            Mistake(
                lambda: 2 * X1 + 3 + 3 * X1**2 + 2 * X1,
                "that adds all four passes: zero_() set x.grad back to 0, so only the two passes after it count.",
            ),
            Mistake(
                lambda: 5 * X1**4,
                "that is the derivative of x³·x² = x⁵: the passes add their gradients, they do "
                "not multiply their functions. The total is the derivative of x³ + x².",
            ),
        ),
    ),
    Number(
        "8.2",
        lambda: _descend("after"),
        mistakes=(
            Mistake(
                lambda: _descend("never"),
                "that is w from the loop as it was: w.grad is never cleared, so each step adds "
                "its gradient to all the earlier ones (they accumulate) and w overshoots. Clear "
                "w.grad after each update.",
            ),
            Mistake(
                lambda: _descend("early"),
                "w has not moved: the gradient was cleared between backward() and the update, so "
                "each step subtracted 0.1 · 0. Clear it after the update.",
            ),
            Mistake(
                lambda: TARGET2,
                "3 is the minimum the loop heads for: after six steps w has not reached it yet. "
                "Run the fixed loop and read w.",
            ),
        ),
    ),
    Number(
        "8.3",
        _accumulated,
        mistakes=(
            Mistake(
                lambda: _accumulated(divide=False),
                "that adds the two halves' mean gradients: twice the gradient of the whole "
                "batch. Divide each half's loss by 2, the number of pieces, so the sum is an "
                "average.",
            ),
            Mistake(
                lambda: _accumulated(pieces=(slice(2, 4),)),
                "that is the second half alone: was w.grad cleared between the two halves? The "
                "point of accumulating is to keep the first half's gradient.",
            ),
            Mistake(
                lambda: _accumulated(pieces=(slice(0, 2),)),
                "that is the first half alone: the second half's backward() adds its part.",
            ),
            Mistake(
                lambda: 4 * _accumulated(),
                "that is the gradient of the sum of the squared errors: the loss here is their "
                "mean, over the 4 examples.",
            ),
        ),
    ),
]

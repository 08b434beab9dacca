"""Exercises of chapter 4, "The chain rule through sin(x²)"."""

import torch

from widgets.checks import Mistake, Number


def _cube_of_sum(at=2.0):
    """dz/dx of z = (x² + 1)³, by autograd."""
    x = torch.tensor(at, requires_grad=True)
    ((x**2 + 1) ** 3).backward()
    return x.grad


def _outer_only():
    y = torch.tensor(2.0**2 + 1, requires_grad=True)
    (y**3).backward()
    return y.grad  # dz/dy, without the inner factor


def _outer_at(value):
    """The outer derivative 3y² evaluated at the wrong point, times the inner 2x."""
    y = torch.tensor(value, requires_grad=True)
    (y**3).backward()
    return y.grad * 2 * 2.0


def _chain(at=2.0):
    """x, y = sin(x), z = y³, after z.backward(), with y's gradient kept."""
    x = torch.tensor(at, requires_grad=True)
    y = torch.sin(x)
    y.retain_grad()
    z = y**3
    z.backward()
    return x, y, z


def _local(at=2.0):
    x = torch.tensor(at, requires_grad=True)
    torch.sin(x).backward()
    return x.grad  # dy/dx = cos(x)


def _read(at=1.5):
    """z = sin(x²) at x = 1.5, after z.backward(): (x, y, z), with y's gradient kept."""
    x = torch.tensor(at, requires_grad=True)
    y = x**2
    y.retain_grad()
    z = torch.sin(y)
    z.backward()
    return x, y, z


#: What None means in exercise 4.2.
_TOO_LATE = (
    "got None: y is an intermediate tensor, so backward() stores nothing in y.grad unless "
    "y.retain_grad() was called before it. Called after, it is too late: the backward "
    "pass has already used dz/dy and dropped it. Move it above z.backward() and run the "
    "whole cell again."
)


EXERCISES = [
    Number(
        "4.1",
        _cube_of_sum,
        mistakes=(
            Mistake(
                _outer_only,
                "that is the outer derivative alone, 3y² = 3 · 5² = 75: the chain "
                "rule multiplies it by the inner derivative, dy/dx = 2x = 4.",
            ),
            Mistake(
                lambda: _outer_at(2.0**2),
                "the outer derivative 3y² is taken at the inner "
                "value y = x² + 1 = 5, not at x² = 4: the +1 is part "
                "of y.",
            ),
            Mistake(lambda: _outer_at(2.0), "the outer derivative 3y² is taken at y = x² + 1 = 5, not at x = 2."),
            Mistake(lambda: (2.0**2 + 1) ** 3, "that is z = 5³ = 125 itself, not its derivative."),
        ),
    ),
    Number(
        "4.2",
        lambda: _chain()[1].grad,
        mistakes=(
            Mistake(
                lambda: _chain()[0].grad,
                "this is dz/dx, x.grad, not dz/dy: it includes the "
                "last factor of the chain, dy/dx = cos(2), which "
                "y.grad does not.",
            ),
            Mistake(
                _local,
                "that is dy/dx = cos(2), the local derivative of y's own node. y.grad is "
                "dz/dy: how the output z changes with y.",
            ),
            Mistake(lambda: 3 * 2.0**2, "that is 3x² at x = 2: dz/dy = 3y² is taken at y = sin(2) ≈ 0.909, not at x."),
            Mistake(lambda: _chain()[2].detach(), "that is z = sin(2)³ itself, not a derivative."),
            Mistake(lambda: _chain()[1].detach(), "that is y = sin(2) itself, not its gradient."),
        ),
        none=_TOO_LATE,
    ),
    Number(
        "4.3",
        # What SinBackward0 sends to PowBackward0 is what arrives at y: dz/dy, kept by retain_grad().
        lambda: _read()[1].grad,
        mistakes=(
            Mistake(
                lambda: 1.0,
                "that is what SinBackward0 receives, dz/dz = 1. Before sending it on, the node "
                "multiplies it by its local derivative, cos(y).",
            ),
            Mistake(
                lambda: _read()[2].detach(),
                "that is z = sin(2.25), the value the node computed on the way forward. Backward "
                "sends gradients: what the node received times its local derivative, cos(y).",
            ),
            Mistake(
                lambda: -torch.sin(torch.tensor(1.5**2)),
                "that is −sin(y), the derivative of cos. SinBackward0's local derivative is the "
                "derivative of sin: cos(y).",
            ),
            Mistake(
                lambda: torch.cos(torch.tensor(1.5)),
                "that is cos(1.5), the cosine at x. SinBackward0 takes the cosine of its own "
                "input, the y = x² = 2.25 it saved.",
            ),
            Mistake(
                lambda: _read()[0].grad,
                "that is what PowBackward0 sends on to x, one node further: it has multiplied "
                "by 2x = 3. Stop one step earlier, where SinBackward0 sends to PowBackward0.",
            ),
            Mistake(lambda: _read()[1].detach(), "that is y = x² = 2.25 itself, a value, not a gradient."),
            Mistake(lambda: 2 * 1.5, "that is 2x = 3, PowBackward0's local derivative, not what reaches it."),
        ),
    ),
]

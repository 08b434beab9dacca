"""Exercises of chapter 13, "Watching and changing gradients"."""

import torch

from widgets.checks import Mistake, MultipleChoice, Number

# Exercise 13.1: y = 3x at x = 2, a hook on y that clips its gradient to [−1, 1], z = y².
X1, CLIP1 = 2.0, 1.0
# Exercise 13.2: y = x² at x = 2, two hooks on y (+ 1, then × 10), z = 3y.
X2, ADD2, TIMES2 = 2.0, 1.0, 10.0


def _clipped(clip=True, where="y"):
    """x.grad of exercise 13.1: the hook on y (the exercise), on x instead, or none."""
    x = torch.tensor(X1, requires_grad=True)
    y = 3 * x
    hooked = {"y": y, "x": x}.get(where) if clip else None
    if hooked is not None:
        hooked.register_hook(lambda grad: grad.clamp(-CLIP1, CLIP1))
    (y**2).backward()
    return x.grad


def _two_hooks(order=("add", "times")):
    """x.grad of exercise 13.2, with the hooks on y registered in `order` (or fewer of them)."""
    x = torch.tensor(X2, requires_grad=True)
    y = x**2
    hooks = {"add": lambda grad: grad + ADD2, "times": lambda grad: grad * TIMES2}
    for name in order:
        y.register_hook(hooks[name])
    (3 * y).backward()
    return x.grad


def _reaching_y():
    """dz/dy of exercise 13.1, 2y at y = 3x, before the hook."""
    x = torch.tensor(X1, requires_grad=True)
    y = 3 * x
    y.retain_grad()
    (y**2).backward()
    return y.grad


EXERCISES = [
    Number(
        "13.1",
        _clipped,
        mistakes=(
            Mistake(
                lambda: _clipped(clip=False),
                "that is dz/dx without the hook, 2y · 3 = 36. The hook on y returns the gradient "
                "clipped to [−1, 1], and backward goes on with what the hook returns.",
            ),
            Mistake(
                _reaching_y,
                "that is dz/dy = 2y = 12, what reaches the hook. The hook returns it clipped, and "
                "MulBackward0 (y = 3x) then sends that on to x, times 3.",
            ),
            Mistake(
                lambda: _clipped(where="x"),
                "that is the clip applied to x's gradient, 36 clipped to 1. The hook is on y: it "
                "clips 12 to 1 there, and MulBackward0 still multiplies by dy/dx = 3 on the way to x.",
            ),
        ),
    ),
    Number(
        "13.2",
        _two_hooks,
        mistakes=(
            Mistake(
                lambda: _two_hooks(("times", "add")),
                "that runs the hooks in the other order, × 10 and then + 1. Hooks on a tensor run in "
                "the order they were registered: + 1 first.",
            ),
            Mistake(
                lambda: _two_hooks(("times",)),
                "that is the second hook alone, on the gradient 3: each hook gets what the one "
                "before it returned, so the second gets 3 + 1.",
            ),
            Mistake(
                lambda: _two_hooks(("add",)),
                "that is the first hook alone: the second hook runs too, on what the first returned.",
            ),
            Mistake(
                lambda: _two_hooks(()),
                "that is x.grad without hooks, 3 · 2x. Both hooks return a new gradient, and "
                "backward goes on with the last one's.",
            ),
        ),
    ),
    MultipleChoice(
        "13.3",
        "b",
        feedback={
            "a": "a.add_(1) did change a, and its version went up to 1; but no node saved a. The "
            "derivative of exp is exp itself, so ExpBackward0 saved its result, b, and the sum saved "
            "nothing. The message names the tensor: 'output 0 of Exp'.",
            "b": "ExpBackward0 saved its result b at version 0, and b.mul_(3) made it version 1: "
            "'which is output 0 of Exp, is at version 1; expected version 0'.",
            "both": "the message names one tensor, 'output 0 of Exp': b. a changed too, but no node "
            "saved a (ExpBackward0 saves its result, the sum saves nothing), so its version is "
            "never checked.",
        },
    ),
]

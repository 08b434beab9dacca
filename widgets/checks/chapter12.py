"""Exercises of chapter 12, "A backward of your own"."""

import torch

from widgets.checks import Mistake, Number

# Exercise 12.1: a Function for x³, at x = 2, with (5 · y).backward(): backward receives 5.
X1, SCALE1 = 2.0, 5.0
# Exercise 12.2: straight-through rounding at x = 2.7, in the loss (round(x) − 1)².
X2, TARGET2 = 2.7, 1.0
# Exercise 12.3: a clamp to [0, 1] as a Function, in the loss sum(clamp(x) · weights).
X3, WEIGHTS3 = [-0.5, 0.3, 0.8, 1.4], [1.0, 2.0, 3.0, 4.0]


class _Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad_output


class _RoundStraightThrough(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class _Clamp01(torch.autograd.Function):
    """A clamp to [0, 1] whose backward passes the gradient where the clamp lets x through (or,
    `through` False, nowhere inside either: every element gets grad_output), times grad_output
    unless `incoming` is False."""

    @staticmethod
    def forward(ctx, x, through, incoming):
        ctx.save_for_backward(x)
        ctx.through, ctx.incoming = through, incoming
        return x.clamp(0, 1)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        inside = ((x > 0) & (x < 1)).to(x.dtype) if ctx.through else torch.ones_like(x)
        return inside * grad_output if ctx.incoming else inside, None, None


def _cube_grad(scale=SCALE1):
    x = torch.tensor(X1, requires_grad=True)
    (scale * _Cube.apply(x)).backward()
    return x.grad


def _rounded_grad(rounding=_RoundStraightThrough.apply):
    x = torch.tensor(X2, requires_grad=True)
    ((rounding(x) - TARGET2) ** 2).backward()
    return x.grad


def _clamp_grad(through=True, incoming=True):
    x = torch.tensor(X3, requires_grad=True)
    (_Clamp01.apply(x, through, incoming) * torch.tensor(WEIGHTS3)).sum().backward()
    return x.grad


EXERCISES = [
    Number(
        "12.1",
        _cube_grad,
        mistakes=(
            Mistake(
                lambda: _cube_grad(scale=1.0),
                "that is 3x², the local derivative alone: backward receives grad_output = 5 (the "
                "derivative of 5·y with respect to y) and must multiply by it. Return 3 * x**2 * "
                "grad_output.",
            ),
            Mistake(
                lambda: SCALE1 * X1**3,
                "that is 5·x³: backward returned the forward's value, x³, times grad_output. It "
                "returns the derivative, 3x², times grad_output.",
            ),
            Mistake(
                lambda: SCALE1 * 2 * X1,
                "that is 5·2x, the derivative of x², not of x³.",
            ),
        ),
    ),
    Number(
        "12.2",
        _rounded_grad,
        mistakes=(
            Mistake(
                lambda: _rounded_grad(torch.round),
                "that is what torch.round sends back: its true derivative, 0 wherever it is "
                "defined. The straight-through Function's backward passes grad_output on unchanged.",
            ),
            Mistake(
                lambda: 2 * (X2 - TARGET2),
                "that is 2(x − 1) at x = 2.7: the loss saw round(2.7) = 3, not 2.7, so the gradient "
                "arriving at the rounding is 2(3 − 1).",
            ),
            Mistake(
                lambda: 1.0,
                "1 is the factor straight-through uses in place of a derivative: it multiplies the "
                "gradient that arrives at the rounding, 2(round(x) − 1).",
            ),
        ),
    ),
    Number(
        "12.3",
        _clamp_grad,
        shape=(4,),
        mistakes=(
            Mistake(
                lambda: _clamp_grad(through=False),
                "that passes the gradient on everywhere, as straight-through does: at −0.5 and 1.4 "
                "the clamp holds its output at 0 and 1, and nudging x there changes nothing, so "
                "the gradient there is 0.",
            ),
            Mistake(
                lambda: _clamp_grad(incoming=False),
                "that is the clamp's local derivative alone, 1 inside and 0 outside: backward must "
                "multiply it by grad_output, the weights the sum put on each element.",
            ),
            Mistake(
                lambda: _clamp_grad(through=False, incoming=False),
                "that is all ones: neither where the clamp holds x nor the incoming grad_output is taken into account.",
            ),
        ),
    ),
]

"""Exercises of chapter 11, "Vectors in, vectors out"."""

import torch

from widgets.checks import Mistake, Number

# Exercise 11.1: vᵀJ for the chapter's map f(a, b) = (a·b, a + sin b) at (a, b) = (2, 0), v = (2, −1).
X1, V1 = [2.0, 0.0], [2.0, -1.0]
# Exercise 11.2: backward passes for a whole Jacobian of 3 outputs of 1000 inputs, one row per
# pass, and for the gradient of a scalar loss of the same 1000 inputs.
INPUTS2, OUTPUTS2 = 1000, 3
# Exercise 11.3: the Jacobian of g(x) = (x₀·x₁, x₁·x₂, x₀ + x₂²) at x = (1, 2, 3), row by row.
X3 = [1.0, 2.0, 3.0]


def _f(x):
    return torch.stack([x[0] * x[1], x[0] + torch.sin(x[1])])


def _g(x):
    return torch.stack([x[0] * x[1], x[1] * x[2], x[0] + x[2] ** 2])


def _jacobian(f, point):
    return torch.autograd.functional.jacobian(f, torch.tensor(point))


def _vjp():
    x = torch.tensor(X1, requires_grad=True)
    _f(x).backward(gradient=torch.tensor(V1))
    return x.grad


def _rows(accumulate=False):
    """g's Jacobian, one backward pass per row; with `accumulate`, x.grad never cleared between
    the passes, so that each row read is the sum of the rows so far."""
    x = torch.tensor(X3, requires_grad=True)
    y = _g(x)
    rows = []
    for i in range(3):
        y.backward(gradient=torch.eye(3)[i], retain_graph=True)
        rows.append(x.grad.clone())
        if not accumulate:
            x.grad = None
    return torch.stack(rows)


EXERCISES = [
    Number(
        "11.1",
        _vjp,
        shape=(2,),
        mistakes=(
            Mistake(
                lambda: _jacobian(_f, X1) @ torch.tensor(V1),
                "that is J·v, J times v as a column: each entry a row of J against v. backward "
                "computes vᵀJ, v against each column of J: the transpose.",
            ),
            Mistake(
                lambda: _jacobian(_f, X1)[0],
                "that is J's first row, the gradient of a·b alone: v weights both outputs, 2 times "
                "the first row plus −1 times the second.",
            ),
            Mistake(
                lambda: _jacobian(_f, X1)[1],
                "that is J's second row, the gradient of a + sin b alone: v also gives the first "
                "output, a·b, a weight of 2.",
            ),
            Mistake(
                lambda: _jacobian(_f, X1).sum(0),
                "that is the sum of J's rows, vᵀJ for v = (1, 1), what y.sum().backward() gives: "
                "weight the rows by v = (2, −1).",
            ),
        ),
    ),
    Number(
        "11.2",
        lambda: torch.tensor([OUTPUTS2, 1]),
        shape=(2,),
        mistakes=(
            Mistake(
                lambda: torch.tensor([INPUTS2, 1]),
                "1000 passes would be one per column, per input: a backward pass gives a row of J, "
                "one per output, and there are 3 outputs.",
            ),
            Mistake(
                lambda: torch.tensor([INPUTS2, INPUTS2]),
                "a backward pass gives a whole row of J, all 1000 inputs' derivatives at once: "
                "count the outputs, not the inputs.",
            ),
            Mistake(
                lambda: torch.tensor([INPUTS2 * OUTPUTS2, 1]),
                "3000 is the number of entries of J: one backward pass fills a whole row of 1000 of them.",
            ),
            Mistake(
                lambda: torch.tensor([1, 1]),
                "one pass gives one vector-Jacobian product vᵀJ, a combination of the rows, not the "
                "3 rows themselves: that takes one pass per row.",
            ),
        ),
    ),
    Number(
        "11.3",
        _rows,
        shape=(3, 3),
        mistakes=(
            Mistake(
                lambda: _rows().T,
                "that is J transposed: row i of J holds the derivatives of output i, and the pass "
                "with v = eᵢ gives it as x.grad. Stack the rows, not the columns.",
            ),
            Mistake(
                lambda: _rows(accumulate=True),
                "each row holds the rows before it too: x.grad adds up across backward passes "
                "(chapter 8). Set x.grad = None between passes, or use torch.autograd.grad, which "
                "returns the row instead.",
            ),
            Mistake(
                lambda: _rows().sum(0).expand(3, 3),
                "three times the same row, (3, 4, 8), the sum of J's rows: either each pass used "
                "v = (1, 1, 1), or the three rows you stacked are one tensor, x.grad itself, which "
                "every pass adds into. Each pass needs its own eᵢ; append x.grad.clone() and set "
                "x.grad = None before the next pass.",
            ),
            Mistake(
                lambda: _rows()[2].expand(3, 3),
                "three times the last row: the rows you stacked are one tensor, x.grad, which "
                "x.grad.zero_() clears and the next pass refills in place. Append x.grad.clone(), "
                "or set x.grad = None, which gives the next pass a fresh tensor.",
            ),
            Mistake(
                lambda: torch.zeros(3, 3),
                "all zeros: the rows you stacked are one tensor, x.grad, and the zero_() after the "
                "last pass cleared it. Append x.grad.clone() before clearing.",
            ),
        ),
    ),
]

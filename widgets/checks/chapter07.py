"""Exercises of chapter 7, "The gradient of a mean of squares"."""

import torch

from widgets.checks import Mistake, Number

# Exercise 7.1: the gradient of y = mean(x²) at a vector of five numbers.
X1 = [1.5, -2.0, 0.0, 4.0, -0.5]
# Exercise 7.2: a weight w shared by three examples, loss = mean((w·x_i − y_i)²).
X2, Y2, W2 = [1.0, 2.0, 3.0], [1.0, 3.0, 2.0], 1.5
# Exercise 7.3: the `gradient` argument that makes x.grad all ones, at x = (1, 2, 3).
X3 = [1.0, 2.0, 3.0]


def _mean_of_squares():
    x = torch.tensor(X1, requires_grad=True)
    (x**2).mean().backward()
    return x.grad


def _shared_weight():
    x, y = torch.tensor(X2), torch.tensor(Y2)
    w = torch.tensor(W2, requires_grad=True)
    ((w * x - y) ** 2).mean().backward()
    return w.grad


def _errors():
    x, y = torch.tensor(X2, dtype=torch.float64), torch.tensor(Y2, dtype=torch.float64)
    return x, W2 * x - y


def _ones_from_squares():
    """The weights v with squares.backward(gradient=v) giving x.grad = 1: v_i = 1 / (2 x_i)."""
    x = torch.tensor(X3, requires_grad=True)
    (x**2).sum().backward()  # x.grad = 2x, each square's own derivative
    return 1 / x.grad


def _x(values):
    return torch.tensor(values, dtype=torch.float64)


EXERCISES = [
    Number(
        "7.1",
        _mean_of_squares,
        shape=(5,),
        mistakes=(
            Mistake(
                lambda: 2 * _x(X1),
                "that is 2xᵢ, the gradient of the sum of the squares: the mean also divides by "
                "n, so each entry is 2xᵢ/n.",
            ),
            Mistake(
                lambda: 2 * _x(X1) / 3, "that is 2xᵢ/3: n = 3 was the chapter's vector. This one has five elements."
            ),
            Mistake(
                lambda: _x(X1) ** 2 / 5,
                "that is xᵢ²/n, each element's share of y, not its derivative: the derivative of xᵢ² is 2xᵢ.",
            ),
            Mistake(
                lambda: torch.full((5,), 2 * _x(X1).mean().item() / 5),
                "the same number everywhere: that is the gradient of the square of the mean, "
                "(mean of x)², not of the mean of the squares. Each xᵢ is squared on its own.",
            ),
        ),
    ),
    Number(
        "7.2",
        _shared_weight,
        mistakes=(
            Mistake(
                lambda: 2 * (_errors()[1] * _errors()[0]).sum(),
                "that is the gradient of the sum of the squared errors: the mean divides it by "
                "n = 3, the number of examples.",
            ),
            Mistake(
                lambda: 2 * _errors()[1].mean(),
                "that is 2·mean(w·xᵢ − yᵢ): each error also has to be multiplied by its own xᵢ, "
                "the derivative of w·xᵢ with respect to w.",
            ),
            Mistake(
                lambda: (_errors()[1] ** 2).mean(),
                "that is the loss itself, not its gradient: after loss.backward(), read w.grad.",
            ),
            Mistake(
                lambda: 2 * _errors()[1].mean() * _errors()[0].mean(),
                "that multiplies the mean error by the mean xᵢ: the gradient is the mean of the "
                "products, 2(w·xᵢ − yᵢ)·xᵢ, which is not the product of the means.",
            ),
        ),
    ),
    Number(
        "7.3",
        _ones_from_squares,
        shape=(3,),
        mistakes=(
            Mistake(
                lambda: torch.ones(3),
                "with v = (1, 1, 1), x.grad is 2xᵢ = (2, 4, 6): v weights the outputs, and "
                "backward multiplies each vᵢ by the square's derivative 2xᵢ.",
            ),
            Mistake(
                lambda: torch.full((3,), 1 / 3),
                "that is the chapter's v, the mean's weights: it gives x.grad = 2xᵢ/3, not ones.",
            ),
            Mistake(
                lambda: 2 * _x(X3), "that v gives x.grad = 2xᵢ·2xᵢ = 4xᵢ²: to cancel the factor 2xᵢ, divide by it."
            ),
            Mistake(lambda: 1 / _x(X3), "that v gives x.grad = 2xᵢ/xᵢ = 2: the 2 of the derivative 2xᵢ is missing."),
        ),
    ),
]

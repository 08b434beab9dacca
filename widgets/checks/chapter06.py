"""Exercises of chapter 6, "The same neuron with autograd"."""

import torch

from widgets.calculus import binary_cross_entropy
from widgets.checks import Mistake, Number

# Exercise 6.1: a new training example, x = 2.5 with label 1, and w = -0.4, b = 0.5.
X1, Y1, W1, B1 = 2.5, 1.0, -0.4, 0.5
# Exercise 6.2: x = 2, w = 0.5, b = -0.5 (so z = 0.5), and the label 0.25.
X2, Y2, W2, B2 = 2.0, 0.25, 0.5, -0.5


def _neuron(x, y, w, b):
    """The forward and backward pass of the chapter: (w, b, y_pred, loss), with y_pred's grad.

    In float32, torch's default, as the chapter computes; the loss is the chapter's
    binary_cross_entropy_loss, clamp included.
    """
    w = torch.tensor(w, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    y_pred = torch.sigmoid(w * torch.tensor(x) + b)
    y_pred.retain_grad()
    loss = binary_cross_entropy(y_pred, torch.tensor(y))
    loss.backward()
    return w, b, y_pred, loss


def _w_grad():
    w, _, _, _ = _neuron(X1, Y1, W1, B1)
    return w.grad


def _sigmoid(x, w, b):
    return torch.sigmoid(torch.tensor(w * x + b, dtype=torch.float64))


def _meeting_point():
    _, _, y_pred, _ = _neuron(X2, Y2, W2, B2)
    return y_pred.grad  # the clamp lets y_pred through: its gradient is the one at p


EXERCISES = [
    Number(
        "6.1",
        _w_grad,
        mistakes=(
            Mistake(
                lambda: _sigmoid(X1, W1, B1) - Y1, "that is ∂L/∂b = y_pred − y, b.grad: ∂L/∂w has one more factor, x."
            ),
            Mistake(
                lambda: _sigmoid(X1, W1, B1) * X1,
                "that is the gradient for the label y = 0, the chapter's: this example's label "
                "is 1. Did the cell use the chapter's y?",
            ),
            Mistake(
                lambda: -torch.log(_sigmoid(X1, W1, B1)),
                "that is the loss L itself, not its gradient: after loss.backward(), read w.grad.",
            ),
            Mistake(
                lambda: _sigmoid(X1, W1, B1) * (1 - _sigmoid(X1, W1, B1)) * X1,
                "that is y_pred(1 − y_pred)·x, the derivative of the prediction with respect to "
                "w: the loss's own factor, ∂L/∂y_pred, is missing.",
            ),
            Mistake(
                lambda: (_sigmoid(6.7, 1.0, 0.0) - 0.0) * 6.7,
                "that is the chapter's gradient, at x = 6.7, w = 1, b = 0, label 0: this exercise has new values.",
            ),
        ),
    ),
    Number(
        "6.2",
        _meeting_point,
        mistakes=(
            Mistake(
                lambda: (1 - Y2) / (1 - _sigmoid(X2, W2, B2)),
                "that is what the ln(1 − p) branch sends back, (1 − y)/(1 − p), alone: with a "
                "label of 0.25 the y·ln p branch sends something too, and the two are added.",
            ),
            Mistake(
                lambda: -Y2 / _sigmoid(X2, W2, B2),
                "that is what the y·ln p branch sends back, −y/p, alone: the ln(1 − p) branch adds (1 − y)/(1 − p).",
            ),
            Mistake(
                lambda: Y2 / _sigmoid(X2, W2, B2) + (1 - Y2) / (1 - _sigmoid(X2, W2, B2)),
                "both branches are there, but the y·ln p branch sends back a negative amount, "
                "−y/p (the loss has a minus sign in front): the two partly cancel.",
            ),
            Mistake(
                lambda: 1 / (1 - _sigmoid(X2, W2, B2)),
                "that is the gradient at p for the label 0, the chapter's: this exercise's label is 0.25.",
            ),
            Mistake(
                lambda: _sigmoid(X2, W2, B2) - Y2,
                "that is ∂L/∂z = y_pred − y, one node further back: SigmoidBackward0 has already "
                "multiplied by y_pred(1 − y_pred). The question is the gradient at p.",
            ),
            Mistake(
                lambda: (_sigmoid(X2, W2, B2) - Y2) * X2,
                "that is w.grad, (y_pred − y)·x: the question is the gradient at p, the clamped "
                "prediction, before the sigmoid's factor and x.",
            ),
        ),
    ),
]

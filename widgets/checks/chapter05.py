"""Exercises of chapter 5, "A neuron by hand"."""

import torch

from widgets.calculus import binary_cross_entropy
from widgets.checks import Mistake, Number

F64 = torch.float64


def _neuron(x, w, b, label, dtype=F64):
    """Loss, prediction and the parameters w, b (with their .grad) after backward, through the
    chapter's binary cross-entropy, clamp included."""
    w = torch.tensor(w, dtype=dtype, requires_grad=True)
    b = torch.tensor(b, dtype=dtype, requires_grad=True)
    y_pred = torch.sigmoid(w * x + b)
    loss = binary_cross_entropy(y_pred, torch.tensor(label, dtype=dtype))
    loss.backward()
    return loss.detach(), y_pred.detach(), w, b


# Exercise 5.1: x = 3, w = -0.5, b = 1, label 1, so z = -0.5.
NEW = dict(x=3.0, w=-0.5, b=1.0, label=1.0)


def _new_prediction():
    return _neuron(**NEW)[1]


# Exercise 5.2: x = 9.5, w = 2, b = 0, label 0, so z = 19, past the clamp.
FLAT = dict(x=9.5, w=2.0, b=0.0, label=0.0)


EXERCISES = [
    Number(
        "5.1",
        lambda: _neuron(**NEW)[2].grad,
        mistakes=(
            Mistake(
                lambda: _neuron(**NEW)[3].grad, "that is ∂L/∂b, y_pred − y: ∂L/∂w has one more factor, ∂z/∂w = x = 3."
            ),
            Mistake(
                lambda: (_new_prediction() - 1) * NEW["w"], "the last factor is ∂z/∂w = x, the input, not the weight w."
            ),
            Mistake(
                lambda: _new_prediction() * NEW["x"],
                "that is y_pred · x, as if the label were 0, as in the chapter. Here the label is "
                "y = 1: the error is y_pred − 1.",
            ),
            Mistake(
                lambda: (_new_prediction() - 1) * _new_prediction() * (1 - _new_prediction()) * NEW["x"],
                "the sigmoid's derivative y_pred(1 − y_pred) is counted twice: it already "
                "cancelled against the denominator of ∂L/∂y_pred, leaving (y_pred − y) · x.",
            ),
            Mistake(
                lambda: (torch.tensor(-0.5) - 1) * NEW["x"],
                "that uses z = −0.5 in place of y_pred = σ(z) ≈ 0.3775: the error is the "
                "prediction minus the label, after the sigmoid.",
            ),
            Mistake(
                lambda: (torch.sigmoid(torch.tensor(-1.5)) - 1) * NEW["x"],
                "that prediction forgets the bias: z = w · x + b = −1.5 + 1 = −0.5.",
            ),
        ),
    ),
    Number(
        "5.2",
        lambda: _neuron(**FLAT)[2].grad,
        mistakes=(
            Mistake(
                lambda: (torch.sigmoid(torch.tensor(19.0, dtype=F64)) - 0) * FLAT["x"],
                "that is (y_pred − y) · x, the gradient of the loss without the clamp. At z = 19 "
                "the prediction is past 1 − ε, so the clamp holds it there, and its factor is 0.",
            ),
            Mistake(
                lambda: torch.sigmoid(torch.tensor(19.0, dtype=F64)),
                "that is y_pred − y, ∂L/∂b of the loss without the clamp (and ∂L/∂w needs the "
                "factor x too). Past the clamp's bound its factor is 0.",
            ),
            Mistake(lambda: _neuron(**FLAT)[0], "that is the loss, capped at −ln ε ≈ 18.42, not its gradient."),
            Mistake(
                lambda: torch.nn.functional.softplus(torch.tensor(19.0, dtype=F64)),
                "that is the loss without the clamp, ln(1 + e¹⁹) ≈ 19, not a gradient.",
            ),
        ),
    ),
]

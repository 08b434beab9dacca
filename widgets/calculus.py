"""The neuron's loss, written once, and the derivatives the chapters work out by hand that the
figures show beside autograd's.

The loss is the one chapter 5 writes, which chapters 6 and 10 and their exercises use. Each derivative is the
formula a chapter derives, in plain torch operations and without autograd, so the tests can hold
it against ``torch.autograd`` and against a central finite difference (tests/test_derivatives.py,
which also checks the chapters' other formulas, typed there). Inputs may be Python numbers or
tensors; the results are tensors of the inputs' dtype (float64 for Python numbers).
"""

import torch

#: The clamp of the book's binary cross-entropy (chapter 5): predictions are kept in [EPSILON, 1 - EPSILON]
#: so the logarithms stay finite. In float32, 1 - 1e-8 rounds to exactly 1.0, so there the upper
#: bound clamps nothing; in float64 both bounds hold.
EPSILON = 1e-8


def _tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    return torch.tensor(value, dtype=torch.float64)


# Chapters 5 and 6: one sigmoid neuron, y_pred = σ(w·x + b), with binary cross-entropy.
def binary_cross_entropy(prediction, target, epsilon=EPSILON):
    """The binary cross-entropy of chapter 5: -(y·log ŷ + (1 - y)·log(1 - ŷ)), with ŷ clamped to [ε, 1 - ε]."""
    prediction = torch.clamp(_tensor(prediction), epsilon, 1 - epsilon)
    target = _tensor(target)
    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))


def neuron_gradients(x, y, w, b, epsilon=EPSILON):
    """(dL/dw, dL/db) of the neuron's loss, BCE(σ(w·x + b), y), by the chain rule of chapter 5.

    dL/dw = dL/dŷ · dŷ/dz · dz/dw and dL/db = dL/dŷ · dŷ/dz · dz/db, with
    dL/dŷ = (ŷ - y) / (ŷ(1 - ŷ)), dŷ/dz = ŷ(1 - ŷ), dz/dw = x, dz/db = 1. The first two cancel to
    ŷ - y, which is how the product is computed here: the factors alone overflow where the sigmoid
    saturates. Where the clamp holds ŷ at ε or 1 - ε, the loss no longer depends on w or b, and
    both gradients are 0 (as autograd finds: a clamp passes no gradient outside its bounds).
    """
    x, y, w, b = map(_tensor, (x, y, w, b))
    y_pred = torch.sigmoid(w * x + b)
    inside = (y_pred >= epsilon) & (y_pred <= 1 - epsilon)
    dL_dz = torch.where(inside, y_pred - y, torch.zeros_like(y_pred))
    return dL_dz * x, dL_dz


# Chapter 7: y = mean(x²) over the n elements of x.
def mean_of_squares_gradient(x):
    """dy/dx_i of y = (1/n)·Σ x_i²: 2·x_i / n."""
    x = _tensor(x)
    return 2 * x / x.numel()


# Chapter 14: z = sin(x²), differentiated twice.
def sin_of_square_derivatives(x):
    """(f, f′, f″) of f(x) = sin(x²): f′ = 2x·cos(x²) (chapter 4's chain rule), and its derivative by the
    product rule, f″ = 2·cos(x²) + 2x·(−sin(x²)·2x) = 2·cos(x²) − 4x²·sin(x²)."""
    x = _tensor(x)
    return torch.sin(x**2), 2 * x * torch.cos(x**2), 2 * torch.cos(x**2) - 4 * x**2 * torch.sin(x**2)

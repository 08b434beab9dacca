"""The derivatives the book works out by hand, held against torch autograd and finite differences.

Each manual formula is checked two independent ways over a range of inputs: those the figures
show (widgets.calculus) and the chapters' others, typed here as the chapters write them,
including the awkward ones: x = 0, large |z| where the sigmoid saturates, and predictions held by
the clamp at ε and 1 - ε. Everything runs in float64, where a central difference is accurate to
about 1e-9 and the clamp's bounds are representable.
"""

import math

import pytest
import torch

from widgets import calculus


# The chapters' formulas the figures do not need, as the chapters write them (numbers or tensors
# in, float64 tensors out).
def as64(value):
    return torch.as_tensor(value, dtype=torch.float64)


def square(x):
    return as64(x) ** 2


def square_derivative(x):
    """dy/dx of y = x²: 2x (chapters 2 and 3)."""
    return 2 * as64(x)


def sin_of_square(x):
    return torch.sin(as64(x) ** 2)


def sin_of_square_derivative(x):
    """dz/dx of z = sin(x²) = dz/dy · dy/dx = cos(x²) · 2x (chapter 4)."""
    return torch.cos(as64(x) ** 2) * 2 * as64(x)


def neuron_loss(x, y, w, b):
    """The neuron's forward pass (chapter 5): z = w·x + b, ŷ = σ(z), loss = BCE(ŷ, y)."""
    return calculus.binary_cross_entropy(torch.sigmoid(as64(w) * as64(x) + as64(b)), as64(y))


def mean_of_squares(x):
    return (as64(x) ** 2).mean()


H = 1e-6  # central-difference step: error O(H²) from truncation, O(rounding / H) from rounding
# The loss -log(1 - σ(z)) carries a rounding error of ~1e-16 / (1 - σ(z)) where the sigmoid
# saturates (4e-10 at z = 15): a larger step keeps that error well under the tolerance there.
H_NEURON = 1e-4


def autograd_derivative(f, *inputs):
    """The gradients of f at inputs, by torch autograd."""
    leaves = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in inputs]
    f(*leaves).backward()
    return [leaf.grad for leaf in leaves]


def central_difference(f, inputs, i, h=H):
    """∂f/∂inputs[i] by (f(v + h) - f(v - h)) / 2h."""
    plus, minus = list(inputs), list(inputs)
    plus[i] += h
    minus[i] -= h
    return (float(f(*plus)) - float(f(*minus))) / (2 * h)


def assert_close(actual, expected, rel=1e-6, abs=1e-7):
    assert math.isfinite(float(actual))
    assert float(actual) == pytest.approx(float(expected), rel=rel, abs=abs)


SCALARS = [-3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, math.sqrt(math.pi / 2), 3.0, 4.0, 10.0]


@pytest.mark.parametrize("x", SCALARS)
def test_square_derivative_is_2x(x):
    manual = square_derivative(x)
    (by_autograd,) = autograd_derivative(square, x)
    assert_close(manual, by_autograd)
    assert_close(manual, central_difference(square, [x], 0))
    assert float(manual) == 2 * x


@pytest.mark.parametrize("x", SCALARS)
def test_chain_rule_through_sin_of_square(x):
    manual = sin_of_square_derivative(x)
    (by_autograd,) = autograd_derivative(sin_of_square, x)
    assert_close(manual, by_autograd)
    # The derivative swings by ~2x per unit of x: the difference quotient needs a looser bound.
    assert_close(manual, central_difference(sin_of_square, [x], 0), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("x", SCALARS)
def test_second_derivative_of_sin_of_square(x):
    """Chapter 14: f, f′ and f″ of sin(x²), against autograd twice (create_graph=True) and a central
    difference of f′."""
    f, d1, d2 = calculus.sin_of_square_derivatives(x)
    leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(sin_of_square(leaf), leaf, create_graph=True)
    (second,) = torch.autograd.grad(first, leaf)
    assert_close(f, math.sin(x * x))
    assert_close(d1, first.detach())
    assert_close(d2, second)
    slope = central_difference(lambda t: sin_of_square_derivative(t), [x], 0)
    assert_close(d2, slope, rel=1e-5, abs=1e-5 * max(1.0, x * x))


def test_chain_rule_at_the_tutorials_point():
    # dz/dx at x = 4 is cos(16) · 8; chapter 4 shows -7.661275842587077 and tensor(-7.6613).
    assert float(sin_of_square_derivative(4.0)) == pytest.approx(-7.661275842587077, abs=1e-12)


# (x, y, w, b): the tutorial's point, both labels, z = 0, x = 0 (dL/dw must vanish), and saturation
# on both sides, inside and beyond the clamp (σ(z) = ε at z ≈ -18.42, 1 - ε at z ≈ +18.42).
NEURON_POINTS = [
    (6.7, 0.0, 1.0, 0.0),
    (6.7, 1.0, 1.0, 0.0),
    (1.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, 2.0, 0.5),
    (-2.0, 1.0, 0.5, -0.3),
    (3.0, 0.0, -1.0, 1.0),
    (1.0, 0.0, 15.0, 0.0),  # σ(15) ≈ 1 - 3e-7: saturating, not yet clamped; loss ≈ 15
    (1.0, 1.0, -15.0, 0.0),
    (1.0, 0.0, 30.0, 0.0),  # σ(30) > 1 - ε: the clamp holds the prediction; the gradient is 0
    (1.0, 1.0, -30.0, 0.0),  # σ(-30) < ε: clamped at ε
    (1.0, 1.0, 30.0, 0.0),  # saturated and right: loss and gradient ≈ 0
    (-4.0, 0.0, 10.0, 5.0),  # z = -35: clamped at ε, label 0: loss ≈ 1e-8
]


@pytest.mark.parametrize("x, y, w, b", NEURON_POINTS)
def test_neuron_gradients_match_autograd(x, y, w, b):
    dL_dw, dL_db = calculus.neuron_gradients(x, y, w, b)
    _, _, by_autograd_w, by_autograd_b = autograd_derivative(neuron_loss, x, y, w, b)
    assert_close(dL_dw, by_autograd_w, rel=1e-9, abs=1e-12)
    assert_close(dL_db, by_autograd_b, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("x, y, w, b", NEURON_POINTS)
def test_neuron_gradients_match_finite_differences(x, y, w, b):
    dL_dw, dL_db = calculus.neuron_gradients(x, y, w, b)
    point = [x, y, w, b]
    assert_close(dL_dw, central_difference(neuron_loss, point, 2, H_NEURON), rel=1e-5, abs=1e-6)
    assert_close(dL_db, central_difference(neuron_loss, point, 3, H_NEURON), rel=1e-5, abs=1e-6)


def test_neuron_loss_stays_finite_where_the_sigmoid_saturates():
    for z in (-1000.0, -40.0, 40.0, 1000.0):
        for y in (0.0, 1.0):
            loss = neuron_loss(1.0, y, z, 0.0)
            assert math.isfinite(float(loss))
            # The clamp caps the loss at -log(ε) ≈ 18.42.
            assert float(loss) <= -math.log(calculus.EPSILON) + 1e-9


def test_neuron_gradients_at_the_tutorials_point():
    # Chapter 5: x = 6.7, y = 0, w = 1, b = 0 gives dL/dw = 6.6918, dL/db = 0.9988.
    dL_dw, dL_db = calculus.neuron_gradients(6.7, 0.0, 1.0, 0.0)
    assert float(dL_db) == pytest.approx(1 / (1 + math.exp(-6.7)), rel=1e-12)
    assert float(dL_dw) == pytest.approx(6.7 / (1 + math.exp(-6.7)), rel=1e-12)
    assert f"{float(dL_dw):.4f}, {float(dL_db):.4f}" == "6.6918, 0.9988"


def test_neuron_gradients_of_the_tutorials_factors():
    # Chapter 5's factors, as the tutorial writes them, each against autograd on its link alone,
    # and their product against autograd through the whole chain and against widgets.calculus.
    for z in (-5.0, -0.3, 0.0, 2.0, 6.7):
        for y in (0.0, 1.0):
            y_pred = 1 / (1 + math.exp(-z))
            dloss_dy_pred = (y_pred - y) / (y_pred * (1 - y_pred))
            dy_pred_dz = y_pred * (1 - y_pred)
            (by_autograd,) = autograd_derivative(lambda p, y=y: calculus.binary_cross_entropy(p, y), y_pred)
            assert_close(dloss_dy_pred, by_autograd, rel=1e-9)
            (by_autograd,) = autograd_derivative(torch.sigmoid, z)
            assert_close(dy_pred_dz, by_autograd, rel=1e-12)
            _, dL_db = autograd_derivative(lambda w, b, y=y: neuron_loss(1.0, y, w, b), z, 0.0)
            assert_close(dloss_dy_pred * dy_pred_dz, dL_db, rel=1e-9)
            assert_close(calculus.neuron_gradients(1.0, y, z, 0.0)[1], dL_db, rel=1e-9)


def test_clamp_upper_bound_rounds_away_in_float32():
    # Chapter 5's caveat: 1 - 1e-8 is 1.0 in float32, so the upper clamp only works in float64.
    assert torch.tensor(1 - calculus.EPSILON, dtype=torch.float32).item() == 1.0
    assert torch.tensor(1 - calculus.EPSILON, dtype=torch.float64).item() < 1.0


VECTORS = [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.5, 0.0, 2.5, 4.0], [5.0], [1e-4, -3.0, 7.0]]


@pytest.mark.parametrize("values", VECTORS)
def test_mean_of_squares_gradient_is_2x_over_n(values):
    manual = calculus.mean_of_squares_gradient(values)
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    mean_of_squares(x).backward()
    assert torch.allclose(manual, x.grad, rtol=1e-12, atol=0)
    for i in range(len(values)):

        def f(v, i=i):
            shifted = list(values)
            shifted[i] = v
            return mean_of_squares(shifted)

        assert_close(manual[i], central_difference(f, [values[i]], 0), rel=1e-6, abs=1e-8)


def test_mean_of_squares_gradient_at_the_tutorials_point():
    # Chapter 7 shows tensor([0.6667, 1.3333, 2.0000]).
    assert calculus.mean_of_squares_gradient([1.0, 2.0, 3.0]).tolist() == pytest.approx([2 / 3, 4 / 3, 2])

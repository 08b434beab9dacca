"""Exercises of chapter 10, "Training the neuron"."""

import torch

from widgets import TrainingExplorer
from widgets.calculus import binary_cross_entropy
from widgets.checks import Mistake, Number


def _loss(w, b):
    """The chapter's loss: the binary cross-entropy of σ(w·x + b), clamp included, averaged over the
    seven examples, in float64 as the chapter computes."""
    x = torch.tensor(TrainingExplorer.X, dtype=torch.float64)
    y = torch.tensor(TrainingExplorer.Y, dtype=torch.float64)
    return binary_cross_entropy(torch.sigmoid(w * x + b), y).mean()


def _start():
    w0, b0 = TrainingExplorer.START
    return (
        torch.tensor(w0, dtype=torch.float64, requires_grad=True),
        torch.tensor(b0, dtype=torch.float64, requires_grad=True),
    )


def _gradients():
    w, b = _start()
    _loss(w, b).backward()
    return w, b


def _one_step(sign=-1.0, lr=0.5, which=1):
    w, b = _gradients()
    parameter = (w, b)[which]
    return parameter.detach() + sign * lr * parameter.grad


def _train(steps=40, lr=1.0, clear=True, momentum=None, dampening=0.0):
    """w after `steps` steps: plain gradient descent, or PyTorch's momentum written out."""
    w, b = _start()
    velocity = [None, None]
    for _ in range(steps):
        _loss(w, b).backward()
        with torch.no_grad():
            for k, p in enumerate((w, b)):
                g = p.grad.clone()
                if momentum is not None:
                    velocity[k] = g if velocity[k] is None else momentum * velocity[k] + (1 - dampening) * g
                    g = velocity[k]
                p -= lr * g
        if clear:
            w.grad.zero_()
            b.grad.zero_()
    return w.detach()


def _with_sgd():
    w, b = _start()
    optimizer = torch.optim.SGD([w, b], lr=1.0, momentum=0.9)
    for _ in range(40):
        optimizer.zero_grad()
        _loss(w, b).backward()
        optimizer.step()
    return w.detach()


EXERCISES = [
    Number(
        "10.1",
        _one_step,
        mistakes=(
            Mistake(
                lambda: _one_step(sign=+1.0),
                "you stepped along the gradient, uphill: gradient descent subtracts lr × b.grad.",
            ),
            Mistake(lambda: _one_step(lr=1.0), "that is a step with the learning rate 1: this one is 0.5."),
            Mistake(lambda: _one_step(which=0), "that is w after the step, not b."),
            Mistake(
                lambda: _gradients()[1].grad,
                "that is b.grad, the gradient: the question asks for b after the step, b − lr × b.grad.",
            ),
        ),
    ),
    Number(
        "10.2",
        _train,
        mistakes=(
            Mistake(
                lambda: TrainingExplorer.START[0],
                "w has not moved from its start, 4: the loop still clears the gradients before the update reads them.",
            ),
            Mistake(
                lambda: _train(clear=False),
                "that is the loop with no clearing at all: clear the "
                "gradients after the update, not before it, nor never.",
            ),
        ),
    ),
    Number(
        "10.3",
        _with_sgd,
        mistakes=(
            Mistake(_train, "that is plain gradient descent, 40 steps at learning rate 1: the velocity is missing."),
            Mistake(
                lambda: _train(clear=False),
                "that is β = 1, the gradients never cleared: every old gradient counts in full, nothing fades.",
            ),
            Mistake(
                lambda: _train(momentum=0.9, dampening=0.1),
                "that is v = 0.9·v + 0.1·g: PyTorch's SGD adds the gradient whole, v = 0.9·v + g.",
            ),
        ),
    ),
]

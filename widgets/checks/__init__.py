"""Exercises that check themselves: ``check("4.2", answer)`` in a chapter's notebook.

Each exercise of the book is defined once, in the module of its chapter (``chapter04.py`` holds
exercises 4.1, 4.2, …), as a :class:`Number` or a :class:`MultipleChoice`. A :class:`Number` computes its
right answer with torch autograd when it is checked, and lists the mistakes a reader is likely to
make, each computed the same way, with what to say about it. :func:`check` compares the reader's
answer with the right one and replies with a :class:`Verdict`: "correct", or *what* is wrong. It
never raises: a string, ``None``, a tensor of the wrong shape or NaN each get a sentence.

The tests (``tests/test_checks.py``) hold every exercise to its promises: its worked solution in
the chapter passes, each anticipated mistake gets its own feedback, and no answer within the stated
tolerance is rejected while none outside it is accepted.
"""

import importlib
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import torch

#: The tolerance of every :class:`Number`, unless an exercise says otherwise: an answer counts as
#: right when ``|answer - right| <= ATOL + RTOL * |right|``, element by element (as torch.isclose).
RTOL, ATOL = 1e-3, 1e-4


@dataclass(frozen=True)
class Verdict:
    """What :func:`check` says about an answer. True when the answer is right."""

    exercise: str
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        mark = "✓" if self.ok else "✗"
        return f"{mark} Exercise {self.exercise}: {self.message}"


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a reader is likely to give, computed by `value`, and what to tell them."""

    value: object  # a function of no arguments giving the wrong answer (computed with torch)
    message: str


@dataclass(frozen=True)
class Number:
    """An exercise whose answer is a number, or a tensor of numbers.

    `right` is a function of no arguments that computes the right answer with torch (called at
    every check: nothing is stored). `shape` is the answer's shape (``()`` for one number).
    """

    name: str
    right: object
    mistakes: tuple = ()
    shape: tuple = ()
    rtol: float = RTOL
    atol: float = ATOL
    none: str = ""  # what to say about None, when the exercise knows why a reader gets it

    def expected(self):
        return _as_tensor(self.right()).reshape(self.shape)

    def tolerance(self):
        return f"|yours − right| ≤ {self.atol:g} + {self.rtol:g}·|right|"

    def judge(self, answer):
        wanted = "one number" if self.shape == () else f"a tensor of shape {tuple(self.shape)}"
        if answer is None and self.none:
            return self.none
        said = _not_a_number(answer, wanted)
        if said:
            return said
        needs_grad = _requires_grad(answer)
        value = _as_tensor(answer)
        if value.numel() != math.prod(self.shape) or (value.numel() != 1 and tuple(value.shape) != self.shape):
            got = "one number" if value.numel() == 1 else f"a tensor of shape {tuple(value.shape)}"
            return f"expected {wanted}, got {got}."
        value = value.reshape(self.shape)
        if value.isnan().any():
            return (
                "your answer contains NaN (not a number). A NaN comes from 0/0, inf − inf, "
                "inf · 0 or the log of a negative number in the code that produced it: find "
                "that line."
            )
        if value.isinf().any():
            return "your answer contains inf: something in the code that produced it overflowed."
        right = self.expected()
        if self._close(value, right):
            if needs_grad:
                return _tracked(answer, self.shape)
            return True
        for mistake in self.mistakes:
            if self._close(value, _as_tensor(mistake.value()).reshape(self.shape)):
                return mistake.message
        for factor, message in GENERIC_MISTAKES:
            if self._close(value, factor * right):
                return message
        return self._off(value, right)

    def _within(self, value, right):
        """Element by element, whether `value` is within the tolerance of `right`."""
        return (value - right).abs() <= self.atol + self.rtol * right.abs()

    def _close(self, value, right):
        return bool(torch.all(self._within(value, right)))

    def _off(self, value, right):
        if self.shape == ():
            direction = "larger" if value > right else "smaller"
            return (
                f"not yet: your answer is {direction} than the right one, by more than the "
                f"tolerance ({self.tolerance()}). The hint may help."
            )
        wrong = ~self._within(value, right)
        first = tuple(int(i) for i in wrong.nonzero()[0])
        index = first[0] if len(first) == 1 else first
        return (
            f"not yet: {int(wrong.sum())} of {wrong.numel()} elements are off by more than the "
            f"tolerance ({self.tolerance()}), the first at index {index}. The hint may help."
        )


#: Mistakes any number can show: a multiple of the right answer, and what usually causes it.
GENERIC_MISTAKES = (
    (-1.0, "the sign is flipped: check which way you subtracted, or the sign of a derivative."),
    (2.0, "off by a factor of 2: did the gradient accumulate over two backward calls?"),
    (0.5, "half the right value: is a factor of 2 missing (the 2 of d(x²)/dx = 2x, say)?"),
    (3.0, "three times the right value: did the gradient accumulate over three backward calls?"),
)


@dataclass(frozen=True)
class MultipleChoice:
    """An exercise whose answer is one of a few choices (a letter, a line number, True/False).

    `feedback` maps every choice to what to say when it is chosen; the right one's text is said
    with "correct".
    """

    name: str
    right: object
    feedback: dict = field(default_factory=dict)

    def judge(self, answer):
        if answer is ...:
            return NOT_ANSWERED
        key = answer.strip().lower() if isinstance(answer, str) else answer
        # The same type as a choice, too: True is not the choice 1, nor "1" the line 1.
        chosen = [c for c in self.feedback if type(c) is type(key) and c == key]
        if not chosen:
            choices = ", ".join(repr(c) for c in self.feedback)
            return f"answer with one of {choices}; got {_shown(answer)}."
        return True if chosen[0] == self.right else self.feedback[chosen[0]]


NOT_ANSWERED = "not answered yet: replace the ... with your answer, then run the cell again."


def _shown(answer):
    text = repr(answer)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_a_number(answer, wanted):
    """What to say when `answer` cannot be a number at all (None if it can)."""
    if answer is ...:
        return NOT_ANSWERED
    if answer is None:
        return (
            "got None. Did you read the .grad of a tensor that has none (a non-leaf tensor, or "
            "before backward()), or assign the result of a function that only prints?"
        )
    if isinstance(answer, str):
        return f"got the text {_shown(answer)}: answer with a number, not a string (3.5, not '3.5')."
    if isinstance(answer, (bool, np.bool_)):
        return f"got {answer}: this exercise wants {wanted}, not True or False."
    if isinstance(answer, torch.Tensor):
        if answer.is_meta:
            return (
                f"got a tensor on the meta device, which has a shape but no values: this exercise wants "
                f"{wanted}. Compute it without device='meta'."
            )
        if answer.dtype == torch.bool:
            return f"got a tensor of booleans: this exercise wants {wanted}."
        if answer.is_complex():
            return f"got a complex tensor: this exercise wants {wanted}, real."
        return None
    if isinstance(answer, complex):
        return f"got a complex number: this exercise wants {wanted}, real."
    if isinstance(answer, (numbers.Number, np.ndarray, list, tuple)):
        try:
            np.asarray(_detached(answer), dtype=float)
        except OverflowError:  # a Python integer beyond float64, 10**400 say
            return (
                f"got {_shown(answer)}, a whole number too large for a float (beyond about 1.8e308): "
                f"this exercise wants {wanted}, far smaller. Did an integer power or product run away?"
            )
        except (TypeError, ValueError):
            return f"got {_shown(answer)}, which is not made of real numbers: this exercise wants {wanted}."
        return None
    return f"got an object of type {type(answer).__name__}: this exercise wants {wanted}."


def _tracked(answer, shape):
    """What to say about a right value that still requires grad: a leaf has no graph behind it
    (exercise 7.1's x), a computed tensor carries the graph that made it."""
    tensors = [answer] if isinstance(answer, torch.Tensor) else [v for v in answer if _requires_grad(v)]
    plain = "use .item() for a Python number, or .detach()" if shape == () else "use .detach() or .tolist()"
    computed = [t for t in tensors if isinstance(t, torch.Tensor) and t.grad_fn is not None]
    if computed:
        return (
            f"right value, but it is a tensor that still requires grad: it carries the graph that computed it "
            f"(grad_fn={type(computed[0].grad_fn).__name__}), and the check wants the value alone: {plain}."
        )
    return (
        "right value, but it is a leaf tensor that requires grad: no graph is behind it, but autograd "
        f"tracks it, so any operation on it would record one. The check wants the value alone: {plain}."
    )


def _detached(value):
    """`value` with every tensor in it (in lists and tuples too) as plain numbers."""
    if isinstance(value, torch.Tensor):
        return _as_tensor(value).numpy()
    if isinstance(value, (list, tuple)):
        return [_detached(v) for v in value]
    return value


def _requires_grad(value):
    """Whether `value` is, or holds, a tensor that still requires grad."""
    if isinstance(value, (list, tuple)):
        return any(_requires_grad(v) for v in value)
    return isinstance(value, torch.Tensor) and value.requires_grad


def _as_tensor(value):
    """Any real number, list or tensor as a float64 tensor with no graph (dense, on the CPU)."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        return (value if value.layout == torch.strided else value.to_dense()).to("cpu", torch.float64)
    return torch.as_tensor(np.asarray(_detached(value), dtype=float), dtype=torch.float64)


def _chapter(number):
    """The module of chapter `number`'s exercises, or None if it has none."""
    try:
        return importlib.import_module(f"widgets.checks.chapter{number:02d}")
    except ModuleNotFoundError:
        return None


def exercise(name):
    """The exercise named "chapter.number", from its chapter's module."""
    if isinstance(name, numbers.Integral) and not isinstance(name, bool):
        raise LookupError(f'an exercise is named by its chapter and its number, in quotes: check("{name}.1", answer).')
    if isinstance(name, numbers.Real) and not isinstance(name, bool):
        raise LookupError(
            f'exercises are named by text, in quotes: check("{name}", answer), not check({name}, answer). '
            "As a number, 4.10 would be 4.1."
        )
    chapter, _, _ = str(name).partition(".")
    try:
        module = _chapter(int(chapter))
    except ValueError:  # not a chapter number
        module = None
    found = {e.name: e for e in getattr(module, "EXERCISES", ())}
    if name not in found:
        raise LookupError(
            f'there is no exercise {name!r}: exercises are named like "4.2", '
            "chapter then number, as the book numbers them"
        )
    return found[name]


def check(name, answer):
    """Check the answer to exercise `name` ("4.2") and say what is right or wrong with it."""
    try:
        judged = exercise(name)
    except LookupError as error:
        return Verdict(str(name), False, str(error))
    said = judged.judge(answer)
    if said is not True:
        return Verdict(name, False, said)
    shown = f" {float(_as_tensor(answer)):.6g}" if isinstance(judged, Number) and judged.shape == () else ""
    return Verdict(name, True, f"correct{':' if shown else ''}{shown}.")


def all_exercises():
    """Every exercise of the book, chapter by chapter."""
    found = []
    for chapter in range(1, 100):
        module = _chapter(chapter)
        if module:
            found += module.EXERCISES
    return found

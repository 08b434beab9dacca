"""The exercises and their checks: every right answer is the one the exercise's statement gives,
every worked solution passes, every anticipated mistake gets its own feedback, bad input gets a
sentence (never a traceback), and the tolerance is what it says.

The right answers are worked out here, in RIGHT, by hand from each exercise's statement in its
chapter, never taken from the check's own ``expected()``: a wrong formula in a check module would
otherwise be trusted by every test below, and re-executed into the solutions' stored outputs.

nbval re-executes the chapters, so the solutions' stored "✓ … correct" outputs are checked there
too; these tests hold the exercises to their promises directly, and over many answers (hypothesis).
"""

import math
import re
from pathlib import Path

import nbformat
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.checks import MultipleChoice, Number, all_exercises, check
from widgets.questions import predict

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXERCISES = all_exercises()
NUMBERS = [e for e in EXERCISES if isinstance(e, Number)]
CHOICES = [e for e in EXERCISES if isinstance(e, MultipleChoice)]


def _id(e):
    return e.name


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


# Chapter 10's seven examples, as its first cell types them.
TRAINING_X = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
TRAINING_Y = (0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0)


def _trained_w(momentum=None, steps=40, lr=1.0):
    """w after chapter 10's loop, typed afresh from the chapter: `steps` steps of gradient descent
    from w = 4, b = −1.5 on the mean binary cross-entropy, clamped at ε = 1e-8, in float64 as the
    chapter runs it, the gradients cleared after each update. With `momentum`, each parameter moves
    by lr·v instead, where v ← momentum·v + g (and v = g at the first step), as exercise 10.3 states
    it: written out, not torch.optim.SGD, which the check uses."""
    x = torch.tensor(TRAINING_X, dtype=torch.float64)
    y = torch.tensor(TRAINING_Y, dtype=torch.float64)
    w = torch.tensor(4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    velocity = {}
    for _ in range(steps):
        p = torch.clamp(torch.sigmoid(w * x + b), 1e-8, 1 - 1e-8)
        (-(y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean().backward()
        with torch.no_grad():
            for name, parameter in (("w", w), ("b", b)):
                g = parameter.grad.clone()
                if momentum is not None:
                    velocity[name] = g if name not in velocity else momentum * velocity[name] + g
                    g = velocity[name]
                parameter -= lr * g
        w.grad.zero_()
        b.grad.zero_()
    return w.item()


#: Every exercise's right answer, worked out here from its statement in the chapter: a closed form
#: where one is short, fresh torch code where none is (chapter 10's forty steps), and for a MultipleChoice
#: the right choice, typed. Nothing here comes from widgets.checks, whose `expected()` these hold to
#: account, nor from widgets.calculus. A new exercise needs its own line here (the first test below).
RIGHT = {
    # c = a * b: the one tensor produced by an operation in which a marked tensor took part.
    "1.1": "c",
    # At x = −2 only the branch 3x runs, and only it is recorded: its slope is 3.
    "1.2": 3.0,
    # d(1/x)/dx = −1/x², at x = 2.
    "2.1": -1 / 2.0**2,
    # What Python's own floats give for (f(x + h) − f(x)) / h at x = 3, h = 1e-12, rounding and all:
    # 6.000533…, not the 6 + h of exact arithmetic.
    "2.2": ((3 + 1e-12) ** 2 - 3**2) / 1e-12,
    # The truncation error, h, and the rounding error, about 1e-15 / h, balance near 3e-8.
    "2.3": 1e-8,
    # dy/dx = 3x², at x = 1.5.
    "3.1": 3 * 1.5**2,
    # dy/dx = 2x + 3, at x = −2.
    "3.2": 2 * -2.0 + 3,
    # dy/dx = 2x, at x = 2.5.
    "3.3": 2 * 2.5,
    # dz/dx = 3(x² + 1)² · 2x, at x = 2.
    "4.1": 3 * (2.0**2 + 1) ** 2 * (2 * 2.0),
    # dz/dy = 3y², at y = sin(2).
    "4.2": 3 * math.sin(2.0) ** 2,
    # What SinBackward0 sends to PowBackward0: 1 · cos(y), at y = x² = 2.25 (x = 1.5).
    "4.3": math.cos(1.5**2),
    # ∂L/∂w = (σ(w·x + b) − y)·x at x = 3, y = 1, w = −0.5, b = 1 (σ(−0.5) ≈ 0.38: no clamp).
    "5.1": (_sigmoid(-0.5 * 3 + 1) - 1) * 3,
    # z = 2 · 9.5 = 19, and 1 − σ(19) ≈ 5.6e-9 < ε: the clamp holds the prediction at 1 − ε, and
    # passes no gradient back.
    "5.2": 0.0,
    # ∂L/∂w = (σ(w·x + b) − y)·x at x = 2.5, y = 1, w = −0.4, b = 0.5.
    "6.1": (_sigmoid(-0.4 * 2.5 + 0.5) - 1) * 2.5,
    # ∂L/∂p = −y/p + (1 − y)/(1 − p), the two branches added, at p = σ(0.5 · 2 − 0.5) and y = 0.25.
    "6.2": -0.25 / _sigmoid(0.5 * 2 - 0.5) + (1 - 0.25) / (1 - _sigmoid(0.5 * 2 - 0.5)),
    # ∂/∂xᵢ of mean(x²) is 2xᵢ/n, with n = 5.
    "7.1": [2 * x / 5 for x in (1.5, -2.0, 0.0, 4.0, -0.5)],
    # The mean of 2(w·xᵢ − yᵢ)·xᵢ at w = 1.5: (1 + 0 + 15)/3 = 16/3.
    "7.2": sum(2 * (1.5 * x - y) * x for x, y in zip((1.0, 2.0, 3.0), (1.0, 3.0, 2.0))) / 3,
    # x.grad is vᵢ · 2xᵢ, 1 when vᵢ = 1/(2xᵢ).
    "7.3": [1 / (2 * x) for x in (1.0, 2.0, 3.0)],
    # zero_() drops the first two passes; the last two add 3x² + 2x, at x = 1.5.
    "8.1": 3 * 1.5**2 + 2 * 1.5,
    # A step of (w − 3)² at lr 0.1 multiplies w − 3 by 1 − 0.1 · 2 = 0.8: from 0 − 3, six times.
    "8.2": 3 - 3 * 0.8**6,
    # The gradient of the mean over all four, (2/4)·Σ(w·xᵢ − yᵢ)·xᵢ at w = 1.5: −12.5.
    "8.3": 2 / 4 * sum((1.5 * x - y) * x for x, y in zip((1.0, 2.0, 3.0, 4.0), (3.0, 5.0, 7.0, 9.0))),
    # As in 8.2, w − 3 shrinks by 0.8 a step: from 1 − 3, five times.
    "9.1": 3 - 2 * 0.8**5,
    # a = x³ = 8 is a constant to backward: dy/dx = a · 2x, at x = 2.
    "9.2": 2.0**3 * (2 * 2.0),
    # w after each of three steps from 1: 3 − 2 · 0.8ᵏ.
    "9.3": [3 - 2 * 0.8**k for k in (1, 2, 3)],
    # b − lr · ∂L/∂b, with ∂L/∂b = mean(σ(w·xᵢ + b) − yᵢ) at w = 4, b = −1.5, lr = 0.5 (the
    # predictions run from σ(−13.5) ≈ 1.4e-6 to 1 − 2.8e-5: the clamp holds none).
    "10.1": -1.5 - 0.5 * sum(_sigmoid(4 * x - 1.5) - y for x, y in zip(TRAINING_X, TRAINING_Y)) / 7,
    # Forty steps: no closed form, the loop typed afresh.
    "10.2": _trained_w(),
    "10.3": _trained_w(momentum=0.9),
    # vᵀJ = v₀·(b, a) + v₁·(1, cos b) at (a, b) = (2, 0), v = (2, −1): (2·0 − 1, 2·2 − cos 0).
    "11.1": [2 * 0.0 - 1 * 1.0, 2 * 2.0 - 1 * math.cos(0.0)],
    # One backward pass per row, one row per output: 3; a scalar loss has one row, its gradient: 1.
    "11.2": [3, 1],
    # g = (x₀x₁, x₁x₂, x₀ + x₂²): rows (x₁, x₀, 0), (0, x₂, x₁), (1, 0, 2x₂) at x = (1, 2, 3).
    "11.3": [[2.0, 1.0, 0.0], [0.0, 3.0, 2.0], [1.0, 0.0, 6.0]],
    # backward receives 5 from (5·y).backward() and multiplies it by d(x³)/dx = 3x², at x = 2.
    "12.1": 5 * 3 * 2.0**2,
    # round(2.7) = 3; the loss (r − 1)² sends 2(3 − 1) to the rounding, which passes it on unchanged.
    "12.2": 2 * (3.0 - 1),
    # The weights where 0 < x < 1 (0.3 and 0.8), 0 where the clamp holds x (−0.5 and 1.4).
    "12.3": [0.0, 2.0, 3.0, 0.0],
    # dz/dy = 2y = 12 at y = 3 · 2 reaches the hook on y, which clips it to 1; times dy/dx = 3.
    "13.1": min(2 * (3 * 2.0), 1.0) * 3,
    # dz/dy = 3; the hooks run as registered: (3 + 1) · 10 = 40, times dy/dx = 2x = 4.
    "13.2": (3 + 1) * 10 * (2 * 2.0),
    # exp saves its result, b, which b.mul_(3) changes; a is saved by no node.
    "13.3": "b",
    # d²(x⁴)/dx² = 12x², at x = 1.25.
    "14.1": 12 * 1.25**2,
    # The Hessian of w₀²·w₁ + w₁³ is [[2w₁, 2w₀], [2w₀, 6w₁]] = [[4, 2], [2, 12]] at w = (1, 2), times v = (1, −1).
    "14.2": [4 * 1 + 2 * -1, 2 * 1 + 12 * -1],
    # 500 outputs, 2 inputs: one forward-mode pass per input gives a column; 2 passes.
    "14.3": "a",
    # d²/dx² exp(−x²) = (4x² − 2)·exp(−x²), at x = 1.5.
    "14.4": (4 * 1.5**2 - 2) * math.exp(-(1.5**2)),
    # d/dx 3·tanh(2x) = 6·(1 − tanh²(2x)), at x = 0.4.
    "15.1": 6 * (1 - math.tanh(0.8) ** 2),
    # d/dx (x + x)·x = d/dx 2x² = 4x, at x = 3.
    "15.2": 4 * 3.0,
}

#: The exercises whose checks compute in float64: they agree with RIGHT to float64's precision. The
#: others compute in float32, torch's default, as most chapters' cells do, and agree to float32's:
#: its numbers are 1.2e-7 of their size apart, and the few operations of a check stay within 1e-6.
IN_FLOAT64 = {"2.2", "5.1", "5.2", "10.1", "10.2", "10.3", "15.1", "15.2"}


def _exercises_in(path):
    """Exercise labels, attempt cells and solution cells of a chapter, in order."""
    nb = nbformat.read(path, as_version=4)
    found, where = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            start = re.search(r"```\{exercise-start\}.*\n:label: (ex-\d+-\d+)", cell.source)
            if start:
                found.append({"label": start.group(1), "attempts": [], "solutions": []})
                where = "attempts"
            elif re.search(r"```\{solution-start\} (ex-\d+-\d+)", cell.source):
                label = re.search(r"```\{solution-start\} (ex-\d+-\d+)", cell.source).group(1)
                assert label == found[-1]["label"], f"the solution after {found[-1]['label']} is for {label}"
                where = "solutions"
            elif "{exercise-end}" in cell.source or "{solution-end}" in cell.source:
                where = None
        elif where:
            found[-1][where].append(cell)
    return found


def _printed(cell):
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_ends_with_two_to_four_exercises_that_check_themselves(path):
    chapter = int(path.stem[:2])
    exercises = _exercises_in(path)
    assert 2 <= len(exercises) <= 4, f"{path.stem}: {len(exercises)} exercises"
    for k, found in enumerate(exercises, 1):
        name = f"{chapter}.{k}"
        assert found["label"] == f"ex-{chapter}-{k}", "labels ex-<chapter>-<n>, numbered as the book numbers them"
        checks = [c for c in found["attempts"] if f'check("{name}", answer)' in c.source]
        assert checks, f"exercise {name} has no cell that checks the reader's answer"
        for cell in checks:  # on the website nothing pretends to check: no output shown
            assert "remove-output" in cell.metadata.get("tags", []), f"exercise {name}: tag remove-output"
            assert "answer = ..." in "".join(c.source for c in found["attempts"]), f"{name}: a blank to fill"
        solved = [c for c in found["solutions"] if f'check("{name}", answer)' in c.source]
        assert solved, f"exercise {name} has no worked solution that checks itself"
        assert all(_printed(c).startswith(f"✓ Exercise {name}: correct") for c in solved), _printed(solved[-1])
    names = {e.name for e in EXERCISES if e.name.startswith(f"{chapter}.")}
    assert names == {f"{chapter}.{k}" for k in range(1, len(exercises) + 1)}, "checks.chapterNN matches"


def test_every_exercise_has_its_own_right_answer():
    names = {e.name for e in EXERCISES}
    missing, extra = names - RIGHT.keys(), RIGHT.keys() - names
    assert not missing, f"exercises with no right answer worked out in RIGHT: {sorted(missing)}"
    assert not extra, f"RIGHT answers exercises the book does not have: {sorted(extra)}"


@pytest.mark.parametrize("exercise", NUMBERS, ids=_id)
def test_each_number_computes_the_answer_its_statement_gives(exercise):
    assert exercise.name in RIGHT, f"exercise {exercise.name} has no right answer worked out in RIGHT"
    right = torch.tensor(RIGHT[exercise.name], dtype=torch.float64)
    assert tuple(right.shape) == exercise.shape
    expected = exercise.expected()
    rtol = 1e-12 if exercise.name in IN_FLOAT64 else 1e-6
    assert torch.allclose(expected, right, rtol=rtol, atol=1e-12), (
        f"exercise {exercise.name}: its check computes {expected.tolist()}, its statement gives {right.tolist()}"
    )
    verdict = check(exercise.name, RIGHT[exercise.name])
    assert verdict, verdict.message


@pytest.mark.parametrize("exercise", CHOICES, ids=_id)
def test_each_choice_is_the_one_its_statement_gives(exercise):
    assert exercise.name in RIGHT, f"exercise {exercise.name} has no right choice typed in RIGHT"
    right = RIGHT[exercise.name]
    assert type(exercise.right) is type(right) and exercise.right == right, (exercise.right, right)
    assert check(exercise.name, right)


@pytest.mark.parametrize("exercise", NUMBERS, ids=_id)
def test_each_anticipated_mistake_gets_its_own_feedback(exercise):
    right = exercise.expected()
    assert torch.isfinite(right).all()
    for mistake in exercise.mistakes:
        wrong = mistake.value()
        assert not exercise._close(torch.as_tensor(wrong, dtype=torch.float64).reshape(exercise.shape), right), (
            f"{exercise.name}: the mistake '{mistake.message}' gives the right answer"
        )
        verdict = check(exercise.name, wrong)
        assert not verdict and verdict.message == mistake.message


@pytest.mark.parametrize("exercise", NUMBERS, ids=_id)
def test_generic_mistakes_are_named(exercise):
    right = exercise.expected()
    if (right.abs() <= exercise.atol / (1 - exercise.rtol)).all():
        pytest.skip("a right answer of 0: a sign or a factor changes nothing")
    known = [m.value() for m in exercise.mistakes]
    for factor, words in [(-1, "sign is flipped"), (2, "factor of 2")]:
        wrong = factor * right
        if any(exercise._close(wrong, torch.as_tensor(k, dtype=torch.float64).reshape(exercise.shape)) for k in known):
            continue  # the exercise names this mistake more precisely
        assert words in check(exercise.name, wrong).message


@pytest.mark.parametrize("exercise", NUMBERS, ids=_id)
def test_bad_input_gets_a_sentence_not_a_traceback(exercise):
    right = exercise.expected()
    scalar = exercise.shape == ()
    cases = [
        (..., "not answered yet"),
        (None, "got None"),
        ("3.5", "got the text"),
        ("x.grad", "got the text"),
        (True, "not True or False"),
        (1 + 2j, "complex"),
        (object(), "an object of type object"),
        (torch.zeros(7, 3), "got a tensor of shape (7, 3)"),
        (torch.full(exercise.shape, math.nan), "NaN"),
        (torch.full(exercise.shape, math.inf), "inf"),
        ((right + 0).requires_grad_(), "a leaf tensor that requires grad: no graph is behind it"),
        ((right + 0).requires_grad_() * 1, "still requires grad: it carries the graph that computed it"),
        (("a", "b"), "not made of real numbers"),
    ]
    if scalar:
        cases.append(([1.0, 2.0], "got a tensor of shape (2,)"))
    else:  # a list of tensors that still require grad, as a loop that appends w would give
        cases.append(([v.clone().requires_grad_() for v in right], "a leaf tensor that requires grad"))
    for answer, words in cases:
        verdict = check(exercise.name, answer)
        assert not verdict and words in verdict.message, (answer, verdict.message)
    # The right value in any ordinary form is right: a Python float, a tensor, a NumPy array.
    for answer in (right.tolist(), right.float(), right.numpy(), right.detach().clone()):
        assert check(exercise.name, answer), answer
    if scalar:
        assert check(exercise.name, right.reshape(1))  # x.grad of a one-element tensor


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_tolerance_is_what_it_says(data):
    """Within the stated tolerance: never rejected. Beyond it (by 0.2% or more): never accepted."""
    exercise = data.draw(st.sampled_from(NUMBERS))
    right = exercise.expected()
    bound = exercise.atol + exercise.rtol * right.abs()
    inside = data.draw(st.floats(-0.998, 0.998))
    assert check(exercise.name, right + inside * bound), (exercise.name, inside)
    outside = data.draw(st.floats(1.002, 1e6)) * data.draw(st.sampled_from([-1.0, 1.0]))
    if exercise.shape != ():  # one element off is enough to be wrong
        k = data.draw(st.integers(0, right.numel() - 1))
        off = torch.zeros_like(right).reshape(-1)
        off[k] = outside
        answer = right + off.reshape(right.shape) * bound
    else:
        answer = right + outside * bound
    assert not check(exercise.name, answer), (exercise.name, outside)


@settings(max_examples=200, deadline=None)
@given(
    right=st.floats(-1e6, 1e6),
    fraction=st.floats(-0.998, 0.998),
    beyond=st.floats(1.002, 1e3),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_any_right_value_within_tolerance_is_accepted_and_none_beyond(right, fraction, beyond, sign):
    exercise = Number("t", lambda: right)
    bound = exercise.atol + exercise.rtol * abs(right)
    assert exercise.judge(right + fraction * bound) is True
    assert exercise.judge(right + sign * beyond * bound) is not True


@pytest.mark.parametrize("exercise", CHOICES, ids=_id)
def test_every_choice_gets_its_own_feedback(exercise):
    assert exercise.right in exercise.feedback
    assert check(exercise.name, exercise.right)
    messages = set()
    for choice, said in exercise.feedback.items():
        if choice != exercise.right:
            verdict = check(exercise.name, choice)
            assert not verdict and verdict.message == said
            messages.add(said)
    assert len(messages) == len(exercise.feedback) - 1, "each wrong choice says something different"
    for bad in (..., None, "zz", 3.25, torch.tensor(1.0)):
        verdict = check(exercise.name, bad)
        assert not verdict and verdict.message, bad


def test_a_right_leaf_that_requires_grad_is_not_said_to_carry_a_graph():
    """Exercise 7.1's x is a leaf: it has no graph to carry along (issue 17, A8)."""
    from widgets.checks.chapter07 import X1

    x = torch.tensor([2 * v / 5 for v in X1], requires_grad=True)
    leaf = check("7.1", x).message
    assert "graph along" not in leaf and "no graph is behind it" in leaf and ".detach()" in leaf
    computed = check("7.1", x * 1).message
    assert "it carries the graph that computed it (grad_fn=MulBackward0)" in computed
    assert "use .item() for a Python number" in check("3.1", torch.tensor(6.75, requires_grad=True)).message


def test_an_unknown_exercise_is_named_not_raised():
    verdict = check("99.9", 1.0)
    assert not verdict and "no exercise '99.9'" in verdict.message


def test_a_verdict_reads_as_a_sentence():
    assert repr(check("3.1", ...)).startswith("✗ Exercise 3.1: not answered yet")
    assert repr(check("3.1", 6.75)) == "✓ Exercise 3.1: correct: 6.75."


def test_a_question_needs_its_right_answer_among_its_choices_and_feedback_for_each():
    with pytest.raises(ValueError):
        predict("q?", {"a": "x", "b": "y"}, right="c")
    with pytest.raises(ValueError):
        predict("q?", {"a": "x", "b": ""}, right="a")
    question = predict("What is `x`?", {"1": "no: one.", "2": "yes: two."}, right="2")
    page = question._repr_html_()
    assert page.count('type="radio"') == 2 and "<code>x</code>" in page
    assert "yes: two." not in repr(question), "the text output does not give the answer away"


def test_every_predict_question_in_the_book_is_where_the_issue_wants_it():
    have = {path.stem[:2] for path in CHAPTERS if "predict(" in path.read_text()}
    assert {"03", "04", "06", "08", "09"} <= have

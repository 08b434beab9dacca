"""The exercises and their checks: every worked solution passes, every anticipated mistake gets its
own feedback, bad input gets a sentence (never a traceback), and the tolerance is what it says.

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

from widgets.checks import Choice, Number, all_exercises, check
from widgets.questions import predict

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXERCISES = all_exercises()
NUMBERS = [e for e in EXERCISES if isinstance(e, Number)]
CHOICES = [e for e in EXERCISES if isinstance(e, Choice)]


def _id(e):
    return e.name


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
        ((right + 0).requires_grad_(), "still requires grad"),
        (("a", "b"), "not made of real numbers"),
    ]
    if scalar:
        cases.append(([1.0, 2.0], "got a tensor of shape (2,)"))
    else:  # a list of tensors that still require grad, as a loop that appends w would give
        cases.append(([v.clone().requires_grad_() for v in right], "still requires grad"))
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

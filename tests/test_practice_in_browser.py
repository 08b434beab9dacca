"""Exercises and predict-then-reveal questions on the built website, in Chromium, offline.

There is no kernel behind the website, so nothing there may pretend to check an answer: the
exercises' check cells are shown without output, and hints and solutions are hidden until opened.
The predict questions work with no kernel and no script at all (HTML and CSS), on the served site
and from ``file://``.
"""

import re

import pytest

from tests.conftest import new_context, only_local, watch_errors
from tests.test_checks import CHAPTERS, _exercises_in

WITH_EXERCISES = [p for p in CHAPTERS if _exercises_in(p)]
WITH_QUESTIONS = [p for p in CHAPTERS if "predict(" in p.read_text()]


def _page(path):
    return f"chapters/{path.stem}.html"


@pytest.mark.parametrize("path", sorted(set(WITH_EXERCISES) | set(WITH_QUESTIONS)), ids=lambda p: p.stem)
def test_exercises_open_on_request_and_questions_answer_each_choice(open_page, path):
    page = open_page(_page(path)).page
    if path in WITH_EXERCISES:
        exercises_are_numbered_and_hints_and_solutions_open_on_request(page, path)
    if path in WITH_QUESTIONS:
        a_predict_question_answers_each_choice_with_its_own_feedback(page)


def exercises_are_numbered_and_hints_and_solutions_open_on_request(page, path):
    chapter, count = int(path.stem[:2]), len(_exercises_in(path))
    captions = [c.strip() for c in page.locator(".exercise .caption-number").all_inner_texts()]
    assert captions == [f"Exercise {chapter}.{k}" for k in range(1, count + 1)]
    # On the website nothing checks: no verdict is printed anywhere on the page.
    assert not re.search(r"[✓✗] Exercise", page.locator("article").inner_text())

    for kind in ("exercise .hint", "solution"):
        boxes = page.locator(f".{kind}.dropdown")
        assert boxes.count() >= count, f"every exercise has a {kind.split()[-1].lstrip('.')}"
        for k in range(boxes.count()):
            box = boxes.nth(k)
            body = box.locator("section, p:not(.admonition-title)").first
            box.scroll_into_view_if_needed()
            assert not body.is_visible(), f"{kind} {k + 1} is shown before it is asked for"
            button = box.locator(".toggle-button")
            button.click()
            assert button.get_attribute("aria-expanded") == "true"
            body.wait_for(state="visible")
    # An open solution shows its worked code and the check it passed in Jupyter.
    solution = page.locator(".solution").first
    assert "check(" in solution.locator(".cell_input").last.inner_text()
    assert re.search(rf"✓ Exercise {chapter}\.1: correct", solution.inner_text())


def a_predict_question_answers_each_choice_with_its_own_feedback(page):
    questions = page.locator("fieldset.agi-question")
    assert questions.count() >= 1
    for q in range(questions.count()):
        question = questions.nth(q)
        question.scroll_into_view_if_needed()
        said = question.locator(".agi-said p")
        assert all(not said.nth(k).is_visible() for k in range(said.count())), "no feedback before a choice"
        # Each choice to open, for where the question's style is stripped (an untrusted notebook):
        # hidden here, where the style is.
        assert question.locator(".agi-fallback details").count() == said.count()
        assert not question.locator(".agi-fallback").is_visible()
        choices = question.locator(".agi-choices label")
        right = [k for k in range(choices.count()) if choices.nth(k).get_attribute("data-right") is not None]
        assert len(right) == 1
        for k in [*(k for k in range(choices.count()) if k != right[0]), right[0]]:
            choices.nth(k).click()
            shown = [said.nth(j) for j in range(said.count()) if said.nth(j).is_visible()]
            assert len(shown) == 1, "exactly the feedback of the chosen answer"
            text = shown[0].inner_text()
            assert text.startswith("Right:" if k == right[0] else "Not quite:"), text
            assert shown[0].get_attribute("data-choice") == str(k)


def test_a_question_is_answered_from_the_keyboard_and_without_javascript(open_page):
    path = WITH_QUESTIONS[0]
    page = open_page(_page(path), java_script_enabled=False).page
    question = page.locator("fieldset.agi-question").first
    first = question.locator("input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # radio buttons: the arrow keys move the choice
    checked = question.locator("input:checked")
    assert checked.get_attribute("value") == "1"
    assert question.locator('.agi-said p[data-choice="1"]').is_visible()
    assert not question.locator(".agi-fallback").is_visible()


def test_hints_and_questions_work_from_disk(browser, build):
    path = WITH_QUESTIONS[0]
    context = new_context(browser)
    page = context.new_page()
    errors, blocked = watch_errors(page), only_local(page, "file://")
    page.goto((build.html / _page(path)).as_uri())
    page.locator(".exercise .hint .toggle-button").first.click()
    page.locator(".exercise .hint p:not(.admonition-title)").first.wait_for(state="visible")
    question = page.locator("fieldset.agi-question").first
    question.locator(".agi-choices label").first.click()
    assert question.locator('.agi-said p[data-choice="0"]').is_visible()
    assert errors == [] and blocked == []
    context.close()

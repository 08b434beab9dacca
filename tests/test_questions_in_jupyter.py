"""Predict questions where learners run the chapters: JupyterLab 4 and Notebook 7, in Chromium, offline.

Two states of the same stored output. Opened without running, a chapter is untrusted: the front
end's sanitizer strips the question's style, its radios' names and its data-* attributes, and
disables the radios. Then no feedback, and above all not the right answer, may show before the
reader asks for it: each choice is a <details> to open. Once its cell has run, the question is
trusted, and answers from the keyboard as on any page: the arrow keys move the choice and do not
move the notebook's active cell (Lumino's command-mode shortcuts leave alone keys aimed at an
element marked data-lm-suppress-shortcuts). Each test waits for events (the notebook open, the
kernel's replies, an element shown), never for time.
"""

import os
import shutil
from html.parser import HTMLParser

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, SCREENSHOTS, new_context, only_local, serving_jupyter, watch_errors
from tests.test_jupyter import FRONT_ENDS, NOISE
from widgets.questions import FALLBACK_LEAD, SHOW_ANSWER, predict

CHAPTER = "04-the-chain-rule.ipynb"  # three questions; the first is driven here


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """A Jupyter server with JupyterLab and Notebook 7 on a copy of chapter 4 (never saved into the
    book), with settings and workspaces of its own: its base URL."""
    folder = tmp_path_factory.mktemp("questions")
    shutil.copy(ROOT / "chapters" / CHAPTER, folder / CHAPTER)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path_factory.mktemp("settings")),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path_factory.mktemp("workspaces")),
    }
    with serving_jupyter(folder, env=env) as url:
        yield url


class Opened:
    """Chapter 4 open in a front end, its first question's cell in view; cells not run."""

    count = 0

    def __init__(self, browser, jupyter, front_end):
        self.front_end, self.known = front_end, set(NOISE[front_end])
        self.context = new_context(browser, viewport={"width": 1100, "height": 900})
        self.page = page = self.context.new_page()
        self.errors, self.blocked = watch_errors(page), only_local(page, jupyter, "ws://127.0.0.1")
        Opened.count += 1  # a workspace of its own: JupyterLab restores no other tab into it
        path = FRONT_ENDS[front_end].replace("lab/tree/", f"lab/workspaces/questions{Opened.count}/tree/")
        page.goto(jupyter + path + CHAPTER)
        page.wait_for_function(
            "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.context && w.context.path.endsWith(name) && w.context.isReady; }",
            arg=CHAPTER,
        )
        self.question = page.locator("fieldset.agi-question").first

    def show_question(self):
        """Scroll the notebook to the first question's cell (only the cells near the view are
        drawn) and the question into view: the index of its cell."""
        index = self.page.evaluate(
            """async () => {
                const notebook = window.jupyterapp.shell.currentWidget.content;
                const i = notebook.widgets.findIndex(c => c.model.sharedModel.getSource().includes('predict('));
                await notebook.scrollToItem(i, 'center');
                return i;
            }"""
        )
        assert index > 0, "chapter 4's first question"
        self.question.wait_for(state="attached")
        self.question.evaluate("el => el.scrollIntoView({block: 'center'})")
        return index

    def run_all(self):
        """Run every cell and wait for every output (as tests/test_jupyter.py's Notebook does)."""
        self.page.evaluate(
            """async () => {
                const app = window.jupyterapp;
                const session = app.shell.currentWidget.sessionContext;
                await session.ready;
                await app.commands.execute('notebook:run-all-cells');
                await session.session.kernel.requestExecute({code: '', silent: true, store_history: false}).done;
            }"""
        )

    def active_cell(self):
        return self.page.evaluate(
            "() => { const n = window.jupyterapp.shell.currentWidget.content; return [n.activeCellIndex, n.mode]; }"
        )

    def shot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.question.screenshot(path=SCREENSHOTS / f"{self.front_end}-question-{name}.png")

    def close(self):
        assert [e for e in self.errors if e not in self.known] == [], "page or console errors"
        assert self.blocked == [], "the page asked for something that is not on this machine"
        self.context.close()


@pytest.fixture
def opened(browser, jupyter):
    notebooks = []

    def open_(front_end):
        notebooks.append(Opened(browser, jupyter, front_end))
        return notebooks[-1]

    yield open_
    for notebook in notebooks:
        notebook.close()


def visible(locator):
    """How many of the elements `locator` finds are visible."""
    return sum(e.is_visible() for e in locator.all())


def feedback_shown(question):
    """The texts of the question's feedback paragraphs (each starts with its verdict in bold) that
    are visible: those the style shows, and those in the fallback's <details>."""
    return [p.inner_text() for p in question.locator("p:has(> strong)").all() if p.is_visible()]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_an_unrun_question_shows_no_feedback_until_a_choice_is_opened(opened, front_end):
    notebook = opened(front_end)
    notebook.show_question()
    question, page = notebook.question, notebook.page
    # Untrusted: the sanitizer took the style (and the radios' names) away.
    assert question.locator("style").count() == 0
    assert question.locator("input[name]").count() == 0
    expect(question.get_by_text(FALLBACK_LEAD)).to_be_visible()
    summaries = question.locator(".agi-fallback details > summary")
    assert summaries.count() == 4
    # "Show the answer" is hidden with the radios: each choice is there to open instead.
    assert not question.get_by_text(SHOW_ANSWER).is_visible()
    # Nothing of any feedback shows, the right answer least of all; no radio that cannot be pressed.
    assert visible(question.get_by_text("Right:")) == visible(question.get_by_text("Not quite:")) == 0
    assert feedback_shown(question) == [], "feedback shown before it was asked for"
    assert [r.is_visible() for r in question.locator("input[type=radio]").all()] == [False] * 4
    notebook.shot("untrusted")

    # The reader predicts `tensor(-7.6613)` and opens it: its feedback, and no other.
    summaries.nth(1).click()
    said = question.locator(".agi-fallback details").nth(1).locator("p")
    expect(said).to_be_visible()
    assert said.inner_text().startswith("Not quite: that is dz/dx")
    assert feedback_shown(question) == [said.inner_text()]
    assert visible(question.get_by_text("Right:")) == 0
    # From the keyboard too: Enter on the right answer's summary opens it, in the notebook's
    # command mode (its Enter is bound only where a cell itself has the focus).
    summaries.nth(2).focus()
    page.keyboard.press("Enter")
    expect(question.locator(".agi-fallback details").nth(2).get_by_text("Right:")).to_be_visible()
    assert len(feedback_shown(question)) == 2
    notebook.shot("untrusted-opened")


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_run_question_answers_from_the_keyboard_and_the_notebook_stays(opened, front_end):
    notebook = opened(front_end)
    notebook.run_all()
    notebook.show_question()
    question, page = notebook.question, notebook.page
    radios = question.locator("input[type=radio]")
    # Trusted now: the style is there, the fallback hidden, the radios grouped and shown.
    expect(radios.first).to_have_attribute("name", question.get_attribute("id"))
    expect(radios.first).to_be_visible()
    assert not question.locator(".agi-fallback").is_visible()
    assert feedback_shown(question) == []

    radios.first.focus()
    expect(radios.first).to_be_focused()
    active = notebook.active_cell()
    assert active[1] == "command"
    page.keyboard.press("Space")
    expect(radios.nth(0)).to_be_checked()
    for key, choice in (("ArrowRight", 1), ("ArrowDown", 2), ("ArrowUp", 1)):
        page.keyboard.press(key)
        expect(radios.nth(choice)).to_be_checked()
        expect(radios.nth(choice)).to_be_focused()
        shown = question.locator(f'.agi-said p[data-choice="{choice}"]')
        expect(shown).to_be_visible()
        assert feedback_shown(question) == [shown.inner_text()], f"only choice {choice}'s feedback after {key}"
        assert notebook.active_cell() == active, f"{key} moved the notebook's active cell"
    # "Show the answer", from the keyboard: Tab leaves the radios for it, Enter opens it.
    reveal = question.locator(".agi-reveal summary")
    expect(reveal).to_have_text(SHOW_ANSWER)
    page.keyboard.press("Tab")
    expect(reveal).to_be_focused()
    page.keyboard.press("Enter")
    expect(question.locator(".agi-reveal").get_by_text("The answer is None:")).to_be_visible()
    assert notebook.active_cell() == active, "Enter on Show the answer moved the notebook"
    page.keyboard.press("Shift+Tab")
    expect(radios.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(2)).to_be_checked()
    expect(question.locator(".agi-said").get_by_text("Right:")).to_be_visible()
    assert notebook.active_cell() == active
    notebook.shot("keyboard")


class _Tags(HTMLParser):
    """Every start tag of a piece of HTML: [(tag, attributes)]."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_questions_html_hides_its_feedback_without_style_and_gives_its_radios_the_arrow_keys():
    question = predict("What is `x`?", {"1": "no: one.", "`2`": "yes: two."}, right="`2`")
    page = question._repr_html_()
    tags = _Tags(page).tags
    feedback = [a for t, a in tags if t == "p" and "data-choice" in a]
    radios = [a for t, a in tags if t == "input"]
    choices = [a for t, a in tags if t == "div" and a.get("class") == "agi-choices"]
    assert len(feedback) == len(radios) == 2 and len(choices) == 1
    # `hidden` with a value: JupyterLab's sanitizer drops an empty one.
    assert all(a.get("hidden") == "hidden" for a in [*feedback, *choices])
    assert all(a.get("data-lm-suppress-shortcuts") == "true" for a in radios)
    # The fallback: each choice a <details>, its summary the choice and its body the feedback.
    assert page.count("<details>") == 2 and "<summary><code>2</code></summary><p><strong>Right:</strong>" in page
    # "Show the answer": the right choice and its feedback, hidden (with a value) until the style shows it.
    reveal = [a for t, a in tags if t == "details" and a.get("class") == "agi-reveal"]
    assert len(reveal) == 1 and reveal[0].get("hidden") == "hidden"
    assert f'<summary data-lm-suppress-shortcuts="true">{SHOW_ANSWER}</summary>' in page
    assert "<strong>The answer is <code>2</code>:</strong> yes: two." in page
    assert FALLBACK_LEAD in page
    # The style overrides `hidden` (even a site's `[hidden] {display: none !important}`) and hides
    # the fallback.
    css = page[page.index("<style>") : page.index("</style>")]
    assert ".agi-question .agi-choices { clear: both; display: flex !important;" in css
    assert '.agi-said p[data-choice="5"] { display: block !important; }' in css
    assert ".agi-question .agi-fallback, .agi-question .agi-colon { display: none; }" in css
    assert ".agi-question .agi-reveal { display: block !important;" in css

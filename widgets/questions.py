"""Predict, then reveal: a question the reader answers before the next cell shows the answer.

``predict(question, choices, right)`` displays a multiple-choice question: pick a choice and the
feedback written for that choice appears under it, saying why it is right or what the thinking
behind it missed. It is plain HTML and CSS (radio buttons, and ``:has()`` to show the feedback of
the one that is checked): no kernel, no script, no network, so it works the same on the website,
from ``file://``, in JupyterLab, Notebook 7 and VS Code. Its text/plain lists the question and the
choices (not the answer), so nbval checks it like any output.

Jupyter takes arrow keys for itself (in command mode they move the active cell): each radio button
carries ``data-lm-suppress-shortcuts``, which tells Lumino, JupyterLab's and Notebook 7's key
handling, to leave keys aimed at it alone, so the arrows move the choice as on any page.

A chapter opened without running is untrusted: JupyterLab's sanitizer drops the ``<style>``, the
radios' ``name``, every ``data-*`` attribute and an empty ``hidden``, and disables the radios.
Without its style the question must neither show every choice's feedback at once (the right
answer among them) nor offer radio buttons that cannot be pressed. So the radios and each feedback
are ``hidden="hidden"`` (a value, which the sanitizer keeps), which the style overrides: it shows
the radios, and the feedback of the checked one. After them comes a fallback that the style hides:
each choice as a ``<details>`` whose summary is the choice and whose body is its feedback, so a
reader predicts, opens that choice, and reads the same words. Read as plain HTML (a renderer that
strips the style), it is the question, then the choices, each to be opened.

A reader who would rather not guess asks for the answer: "Show the answer", a ``<details>`` after
the choices whose body is the right choice and its feedback (hidden with the radios where the style
is stripped: the fallback's choices are there to open instead). On the website, where the cell that
answers the question sits right below it, the page keeps that cell's output and the paragraph that
reads it out of sight until the reader has picked a choice or opened "Show the answer"
(``_ext/answers.py`` and ``_static/book.css``).
"""

import hashlib
import html
import re
from dataclasses import dataclass

from widgets import theme
from widgets.page import asset

MAX_CHOICES = 6  # question.css shows the feedback of choices 0…5
#: What the fallback (the question without its style: an untrusted notebook) says before the choices.
FALLBACK_LEAD = "Make your prediction, then open that choice to check it:"
#: The control that shows the right answer without a guess.
SHOW_ANSWER = "Show the answer"


def _inline(text):
    """`code` as <code>, everything else escaped."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{html.escape(p)}</code>" if k % 2 else html.escape(p) for k, p in enumerate(parts))


@dataclass(frozen=True)
class Question:
    question: str
    choices: dict  # choice → what to say when it is picked
    right: str

    def __post_init__(self):
        if self.right not in self.choices:
            raise ValueError(f"the right answer {self.right!r} is not one of the choices")
        if not 2 <= len(self.choices) <= MAX_CHOICES:
            raise ValueError(f"a question has 2 to {MAX_CHOICES} choices, not {len(self.choices)}")
        if any(not said.strip() for said in self.choices.values()):
            raise ValueError("every choice needs its feedback")

    @property
    def ident(self):
        return "agi-q-" + hashlib.sha1(self.question.encode()).hexdigest()[:10]

    def __repr__(self):
        letters = "abcdef"
        plain = lambda text: text.replace("`", "")  # noqa: E731  (backticks mark code in the page)
        lines = [f"Predict: {plain(self.question)}"]
        lines += [f"  ({letters[k]}) {plain(choice)}" for k, choice in enumerate(self.choices)]
        lines.append("Pick one on the page; then run the next cell to see what PyTorch does.")
        return "\n".join(lines)

    def _repr_html_(self):
        ident = self.ident
        labels, said, fallback, answer = [], [], [], ""
        for k, (choice, feedback) in enumerate(self.choices.items()):
            right = choice == self.right
            labels.append(
                f'<label data-choice="{k}"{" data-right" if right else ""}>'
                f'<input type="radio" name="{ident}" value="{k}" data-lm-suppress-shortcuts="true">'
                f"<span>{_inline(choice)}</span></label>"
            )
            verdict = f"<strong>{'Right:' if right else 'Not quite:'}</strong> {_inline(feedback)}"
            said.append(f'<p data-choice="{k}" hidden="hidden">{verdict}</p>')
            fallback.append(f"<details><summary>{_inline(choice)}</summary><p>{verdict}</p></details>")
            if right:
                answer = f"<p><strong>The answer is {_inline(choice)}:</strong> {_inline(feedback)}</p>"
        return (
            f'<fieldset class="agi-question" id="{ident}">'
            f"<style>{asset('question.css')}{theme.css('.agi-question')}</style>"
            # The colon parts tag and question where the style is gone (it hides it beside the tag).
            f'<legend><span class="agi-question-tag">Predict<span class="agi-colon">:</span></span> '
            f"{_inline(self.question)}</legend>"
            f'<div class="agi-choices" hidden="hidden">{"".join(labels)}</div>'
            f'<div class="agi-said" aria-live="polite">{"".join(said)}</div>'
            f'<details class="agi-reveal" hidden="hidden"><summary data-lm-suppress-shortcuts="true">{SHOW_ANSWER}'
            f"</summary>{answer}</details>"
            f'<div class="agi-fallback"><p>{FALLBACK_LEAD}</p>{"".join(fallback)}</div>'
            "</fieldset>"
        )


def predict(question, choices, right):
    """A question to answer before reading on: `choices` maps each choice (text; `code` in
    backticks) to the feedback for it; `right` is the right choice."""
    return Question(question, dict(choices), right)

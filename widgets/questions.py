"""Predict, then reveal: a question the reader answers before the next cell shows the answer.

``predict(question, choices, right)`` displays a multiple-choice question: pick a choice and the
feedback written for that choice appears under it, saying why it is right or what the thinking
behind it missed. It is plain HTML and CSS (radio buttons, and ``:has()`` to show the feedback of
the one that is checked): no kernel, no script, no network, so it works the same on the website,
from ``file://``, in JupyterLab, Notebook 7 and VS Code. Its text/plain lists the question and the
choices (not the answer), so nbval checks it like any output.
"""

import hashlib
import html
import re
from dataclasses import dataclass

from widgets import theme
from widgets.page import asset

MAX_CHOICES = 6  # question.css shows the feedback of choices 0…5


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
        labels, said = [], []
        for k, (choice, feedback) in enumerate(self.choices.items()):
            right = choice == self.right
            labels.append(
                f'<label data-choice="{k}"{" data-right" if right else ""}>'
                f'<input type="radio" name="{ident}" value="{k}"><span>{_inline(choice)}</span></label>'
            )
            verdict = "Right:" if right else "Not quite:"
            said.append(f'<p data-choice="{k}"><strong>{verdict}</strong> {_inline(feedback)}</p>')
        return (
            f'<fieldset class="agi-question" id="{ident}">'
            f"<style>{asset('question.css')}{theme.css('.agi-question')}</style>"
            f'<legend><span class="agi-question-tag">Predict</span> {_inline(self.question)}</legend>'
            f'<div class="agi-choices">{"".join(labels)}</div>'
            f'<div class="agi-said" aria-live="polite">{"".join(said)}</div>'
            "</fieldset>"
        )


def predict(question, choices, right):
    """A question to answer before reading on: `choices` maps each choice (text; `code` in
    backticks) to the feedback for it; `right` is the right choice."""
    return Question(question, dict(choices), right)

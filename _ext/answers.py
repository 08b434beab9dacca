"""The answer to a predict question, kept out of sight on the website until the reader has answered.

A chapter asks the reader to predict what the next cell prints (``widgets.questions.predict``), and
on the website that cell's output sits right below the question, with the paragraph that reads it.
Each question's answer, the next code cell and the paragraph that follows it, goes into a
``<div class="agi-answer">`` right after the question's cell; ``_static/book.css`` keeps the
output and the paragraph out of sight (the code stays, with a line saying what to do) until the
question has a choice picked or its "Show the answer" opened: CSS (``:has()``), no script, so it
works from ``file://`` and without JavaScript. Printed, every answer shows.
"""

from docutils import nodes

QUESTION = 'class="agi-question"'


def _is_cell(node):
    return isinstance(node, nodes.container) and "cell" in node["classes"]


def _asks_a_question(cell):
    return any(QUESTION in raw.astext() for raw in cell.findall(nodes.raw))


def _wrap_answers(app, doctree):
    for cell in list(doctree.findall(_is_cell)):
        if not _asks_a_question(cell):
            continue
        parent = cell.parent
        after = parent.index(cell) + 1
        answer = parent.children[after : after + 2]
        if not answer or not _is_cell(answer[0]) or _asks_a_question(answer[0]):
            continue  # no cell answers it right below
        if len(answer) == 2 and not isinstance(answer[1], nodes.paragraph):
            answer = answer[:1]
        wrapper = nodes.container(classes=["agi-answer"])
        for node in answer:
            parent.remove(node)
            wrapper += node
        parent.insert(after, wrapper)


def setup(app):
    app.connect("doctree-read", _wrap_answers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

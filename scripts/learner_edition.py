"""Make the learner's edition: notebooks/<name>.ipynb from each chapters/<name>.ipynb.

    .venv/bin/python scripts/learner_edition.py            # every chapter (scripts/execute_notebooks.py runs it too)
    .venv/bin/python scripts/learner_edition.py --check    # say which notebooks are out of date, change nothing

The chapters are written for the website: MyST Markdown (numbered exercises, hints and solutions
as dropdowns, links between pages as `{doc}` roles) and cells tagged for Jupyter Book. Jupyter
front ends (JupyterLab, Notebook 7, VS Code, Colab, GitHub's preview) render none of it, and Run
All would run the worked solutions. The learner's edition is the same notebook, cell for cell and
output for output, with only what a front end cannot show rewritten:

- an exercise's fence becomes a heading, numbered as the site numbers it ("Exercise 4.1 (Title)");
  its end fence goes;
- a hint, and a dropdown, becomes a closed <details>; a tip or note a blockquote (**Tip**);
- a worked solution (its Markdown and its code cells) becomes one Markdown cell, a closed
  <details> with the code as ```python blocks: Run All runs no solution, and no output is kept;
- `{doc}` links point to the other notebooks of the edition, titled "Chapter 5 (its title)";
- the set-up cells the site removes (the install cell, `plain_warnings()`) become one cell,
  collapsed in Jupyter and a titled form in Colab; `hide-cell` cells are collapsed, input and
  output; the exercises' cells lose the outputs the site does not show either;
- the cell that answers a predict question (the code cell right after the question's) loses its
  output, so that the answer is not printed right below the question: the learner answers, then
  runs it (a figure keeps its still: it answers only once moved, as on the site);
- tags Jupyter does not read go; `raises-exception` stays (JupyterLab's Run All goes on past it).

Anything MyST this script does not know (another directive, role, option block or target) stops it
with the chapter and the cell named, rather than reaching a learner as raw text. The output is a
function of the chapters alone: the same bytes on every run.
"""

import re
import sys
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt

from widgets.page import MIME  # a figure's output (widgets.page loads without torch)

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = ROOT / "notebooks"
COMMAND = ".venv/bin/python scripts/learner_edition.py"

#: Admonitions shown as a blockquote that starts with their name in bold.
ADMONITIONS = {"tip": "Tip", "note": "Note", "important": "Important", "warning": "Warning", "caution": "Caution"}
#: Tags a Jupyter front end acts on; the others are the website's.
KEPT_TAGS = ("raises-exception",)
#: What each set-up cell (tagged remove-cell) does, in a few words, by the line that marks it.
SETUP = {
    "# Running this chapter on its own": "installs the book's `widgets` package if it is missing",
    "plain_warnings()": "shows warnings as one plain line",
    "plain_errors()": "shows errors as one plain message",
}

BACKTICK_DIRECTIVE = re.compile(r"^(`{3,})\{([\w-]+)\}[ \t]*(.*)$")
COLON_DIRECTIVE = re.compile(r"^(:{3,})\{([\w-]+)\}[ \t]*(.*)$")
CODE_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$")
OPTION = re.compile(r"^:([\w-]+):[ \t]*(.*)$")
ROLE_OR_CODE = re.compile(r"\{([\w:-]+)\}`([^`]*)`|(`+).*?(?<!`)\3(?!`)")
#: What would reach a learner as raw text: a fence or role left, an option line, a target, a comment.
LEFTOVER = re.compile(r"^(`{3,}|:{3,})\{|\{[\w:-]+\}`|^:[\w-]+:|^\([\w-]+\)=\s*$|^%|^\+\+\+", re.M)


class Unknown(ValueError):
    """MyST this script does not convert."""


def chapter_number(path):
    return int(path.name[:2])


def chapter_title(path):
    """A chapter's title: its first cell's first heading."""
    first = nbformat.read(path, as_version=4).cells[0].source
    return re.search(r"^# (.+)$", first, re.M).group(1).strip()


def inline_html(text):
    """A line of Markdown as HTML, for a <summary> (whose content a front end does not parse as Markdown)."""
    return MarkdownIt("commonmark").renderInline(text).strip()


class Converter:
    """Turns one chapter's Markdown into plain Markdown; `events` records the exercise fences."""

    def __init__(self, chapter):
        self.chapter = chapter

    # -- roles -----------------------------------------------------------------------------------------

    def link(self, content):
        """`{doc}` content: a link to the notebook of the same name, or plain text for another page."""
        match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content, re.S)
        text, target = (match.group(1), match.group(2)) if match else (None, content)
        path = (self.chapter.parent / target).with_suffix(".ipynb")
        if target.startswith("/") or not path.is_file() or path.parent != CHAPTERS:
            # Not a chapter: no notebook of the edition to go to; the words stay, as plain text.
            if text:
                return text
            raise Unknown(f"{{doc}}`{content}`: a page that is not a chapter, with no text to show")
        if text is None:
            text = f"Chapter {chapter_number(path)} ({chapter_title(path)})"
        return f"[{text}]({path.name})"

    def roles(self, line):
        """A line's roles rewritten; inline code (a role quoted in backticks) left as it is."""

        def replace(match):
            if match.group(1) is None:  # inline code
                return match.group(0)
            if match.group(1) != "doc":
                raise Unknown(f"role {{{match.group(1)}}}")
            return self.link(match.group(2))

        return ROLE_OR_CODE.sub(replace, line)

    # -- blocks ----------------------------------------------------------------------------------------

    def convert(self, text):
        """Markdown → a list of items: ("md", text) and the exercise events ("exercise-start", title,
        label), ("exercise-end",), ("solution-start", label), ("solution-end",)."""
        lines = text.split("\n")
        items, prose = [], []

        def flush():
            block = "\n".join(prose).strip("\n")
            if block:
                items.append(("md", block))
            prose.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            directive = BACKTICK_DIRECTIVE.match(line) or COLON_DIRECTIVE.match(line)
            if directive:
                fence, name, argument = directive.groups()
                i, options, body = self.directive_body(lines, i + 1, fence)
                if name in ("exercise-start", "exercise-end", "solution-start", "solution-end"):
                    if body.strip():
                        raise Unknown(f"{name} with a body")
                    flush()
                    if name == "exercise-start":
                        items.append((name, argument.strip(), options.get("label")))
                    elif name == "solution-start":
                        items.append((name, argument.strip()))
                    else:
                        items.append((name,))
                    continue
                prose.append(self.render(name, argument.strip(), options, self.markdown(body)))
                continue
            fence = CODE_FENCE.match(line)
            if fence:  # an ordinary code block: copied as it is, to its closing fence
                close = re.compile(rf"^[ \t]{{0,3}}{fence.group(1)[0]}{{{len(fence.group(1))},}}[ \t]*$")
                end = next((k for k in range(i + 1, len(lines)) if close.match(lines[k])), len(lines) - 1)
                prose.extend(lines[i : end + 1])
                i = end + 1
                continue
            if re.match(r"^\([\w-]+\)=\s*$|^%|^\+\+\+", line):
                raise Unknown(f"line {line!r}")
            prose.append(self.roles(line))
            i += 1
        flush()
        return items

    def markdown(self, text):
        """The body of a directive, converted: it must hold no exercise fences."""
        items = self.convert(text)
        if any(item[0] != "md" for item in items):
            raise Unknown("an exercise or solution fence inside a directive")
        return "\n\n".join(item[1] for item in items)

    def directive_body(self, lines, i, fence):
        """From the line after a directive's opening: (the line after its end, its options, its body)."""
        options = {}
        while i < len(lines) and OPTION.match(lines[i]):
            key, value = OPTION.match(lines[i]).groups()
            options[key] = value.strip()
            i += 1
        if i < len(lines) and lines[i].strip() == "---":
            raise Unknown("a directive's YAML option block")
        close = re.compile(rf"^{re.escape(fence)}[ \t]*$")
        opening = re.compile(rf"^{re.escape(fence)}\{{")
        depth, start = 0, i
        while i < len(lines):
            if opening.match(lines[i]):
                depth += 1
            elif close.match(lines[i]):
                if depth == 0:
                    return i + 1, options, "\n".join(lines[start:i])
                depth -= 1
            i += 1
        raise Unknown(f"a {fence} directive that is not closed")

    def render(self, name, argument, options, body):
        unknown = set(options) - {"class", "label"} - ({"open"} if name == "dropdown" else set())
        if unknown:
            raise Unknown(f"{name}: options {sorted(unknown)}")
        if name == "hint":
            return details("Hint", body)
        if name == "dropdown":
            return details(inline_html(argument), body)
        if name in ADMONITIONS or name == "admonition":
            title = ADMONITIONS.get(name) or argument
            quoted = "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
            return f"> **{title}**\n>\n{quoted}"
        raise Unknown(f"directive {{{name}}}")


def details(summary, body):
    """A closed <details>, with blank lines around its Markdown so that the Markdown is rendered."""
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def python_block(source):
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", source)), default=0) + 1)
    return f"{fence}python\n{source.strip()}\n{fence}"


def setup_cell(cells):
    """The chapter's set-up cells (tagged remove-cell) as one, collapsed: a form titled with what it does."""
    said = []
    for cell in cells:
        what = [words for mark, words in SETUP.items() if mark in cell.source]
        if cell.cell_type != "code" or len(what) != 1:
            raise Unknown(f"a remove-cell cell this script cannot name:\n{cell.source[:200]}")
        said.append(what[0])
    title = "Set-up (run it first): " + ", and ".join(said).replace("`", "")
    source = "\n\n".join([f"#@title {title}", *(cell.source.strip() for cell in cells)])
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata = nbformat.from_dict({"cellView": "form", "jupyter": {"source_hidden": True}})
    return cell


def code_cell(cell, keep_outputs=True):
    """A tutorial or exercise cell: its source and, unless the site hides them, its outputs."""
    tags = set(cell.metadata.get("tags", []))
    new = nbformat.v4.new_code_cell(cell.source)
    if keep_outputs and "remove-output" not in tags:
        new.outputs, new.execution_count = cell.outputs, cell.execution_count
    jupyter = dict(cell.metadata.get("jupyter", {}))
    if "hide-cell" in tags:
        if not cell.source.startswith("#"):
            raise Unknown("a hide-cell cell whose first line is not a comment saying what it is")
        jupyter.update(source_hidden=True, outputs_hidden=True)
    if tags & {"hide-input", "remove-input"}:
        jupyter["source_hidden"] = True
    if jupyter:
        new.metadata["jupyter"] = jupyter
    kept = [tag for tag in cell.metadata.get("tags", []) if tag in KEPT_TAGS]
    if kept:
        new.metadata["tags"] = kept
    return new


def _is_figure(cell):
    return any(MIME in output.get("data", {}) for output in cell.get("outputs", []))


def learner_notebook(path):
    """The learner's edition of the chapter at `path`, as a notebook."""
    chapter = nbformat.read(path, as_version=4)
    converter, number = Converter(path), chapter_number(path)
    cells, markdown, solution, exercises = [], [], None, 0
    answers_next = False  # the next code cell answers a predict question

    def flush():
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(markdown)))
            markdown.clear()

    setup = [c for c in chapter.cells if "remove-cell" in c.metadata.get("tags", [])]
    for k, cell in enumerate(chapter.cells):
        try:
            if any(cell is c for c in setup):
                if cell is setup[0]:
                    flush()
                    cells.append(setup_cell(setup))
                continue
            if cell.cell_type == "code":
                if solution is not None:
                    solution["parts"].append(python_block(cell.source))
                else:
                    flush()
                    cells.append(code_cell(cell, keep_outputs=not answers_next or _is_figure(cell)))
                    answers_next = "predict(" in cell.source
                continue
            if cell.cell_type != "markdown":
                raise Unknown(f"a {cell.cell_type} cell")
            for item in converter.convert(cell.source):
                kind = item[0]
                if kind == "md":
                    (solution["parts"] if solution is not None else markdown).append(item[1])
                elif kind == "exercise-start":
                    exercises += 1
                    _, title, label = item
                    if label != f"ex-{number}-{exercises}":
                        raise Unknown(f"exercise label {label!r}: the site numbers it {number}.{exercises}")
                    heading = f"### Exercise {number}.{exercises}" + (f" ({title})" if title else "")
                    markdown.append(heading)
                elif kind == "solution-start":
                    flush()
                    match = re.fullmatch(rf"ex-{number}-(\d+)", item[1])
                    if not match:
                        raise Unknown(f"a solution to {item[1]!r}")
                    solution = {"exercise": f"{number}.{match.group(1)}", "parts": []}
                elif kind == "solution-end":
                    summary = f"Solution to Exercise {solution['exercise']}"
                    cells.append(nbformat.v4.new_markdown_cell(details(summary, "\n\n".join(solution["parts"]))))
                    solution = None
            if solution is None:
                flush()
        except Unknown as error:
            raise Unknown(f"{path.name}, cell {k}: {error}") from None
    flush()
    if solution is not None:
        raise Unknown(f"{path.name}: a solution that does not end")
    for k, cell in enumerate(cells):
        if cell.cell_type == "markdown" and LEFTOVER.search(cell.source):
            raise Unknown(f"{path.name}, cell {k}: MyST left in {LEFTOVER.search(cell.source).group(0)!r}")
    nb = nbformat.v4.new_notebook(cells=cells, metadata=chapter.metadata)
    nb.nbformat, nb.nbformat_minor = 4, 4  # as the chapters: no cell ids
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def learner_text(path):
    """The learner's edition of a chapter, as the text of its file (what nbformat.write writes)."""
    text = nbformat.writes(learner_notebook(path))
    return text if text.endswith("\n") else text + "\n"


def main(args):
    check = "--check" in args
    stale = []
    NOTEBOOKS.mkdir(exist_ok=True)
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        target = NOTEBOOKS / path.name
        text = learner_text(path)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(f"{NOTEBOOKS.name}/{target.name}")
        if not check:
            target.write_text(text, encoding="utf-8")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (CHAPTERS / path.name).exists():  # a chapter renamed or removed
            stale.append(f"{NOTEBOOKS.name}/{path.name}")
            if not check:
                path.unlink()
    if check and stale:
        sys.exit(f"out of date: {', '.join(stale)}; run {COMMAND}")
    for name in stale if not check else []:
        print(f"wrote {name}")


if __name__ == "__main__":
    main(sys.argv[1:])

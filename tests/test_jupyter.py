"""The figures where learners run the chapters: JupyterLab 4 and Notebook 7, in Chromium, offline.

One Jupyter server (this environment's kernel) serves copies of chapters 3 and 5 from a temporary
folder, so nothing is saved into the book; both front ends are driven with every non-local request
blocked. In Jupyter the figure is an anywidget widget running the page's own script, with the
kernel behind it: a value typed between two grid steps is computed by torch autograd in the
kernel, at exactly that value. The last test holds the Jupyter view against the website's.
"""

import json
import os
import shutil

import nbformat
import pytest
import torch
from playwright.sync_api import expect

from tests.conftest import (
    ROOT,
    SCREENSHOTS,
    assert_note_next_to,
    new_context,
    new_page,
    only_local,
    server_errors,
    serving_jupyter,
    watch_errors,
)
from widgets.explorer import format_value
from widgets.page import MIME

#: The chapters run here, and the title (its start) of the figure each test drives in it.
FIGURE_TITLES = {
    "03-gradients-with-autograd.ipynb": "y = x²: the curve",
    "05-a-neuron-by-hand.ipynb": "A sigmoid neuron",
}
CHAPTERS = list(FIGURE_TITLES)
#: Chapters opened without running them: each figure's still picture, as an untrusted notebook shows it.
#: (Chapter 4 has four figures, explore's and show_graph's among them; chapter 6 the largest, a graph panel.)
UNRUN = ["04-the-chain-rule.ipynb", "06-a-neuron-with-autograd.ipynb"]
#: A notebook whose kernel is restarted under its figure: chapter 6's neuron alone (a copy per front
#: end: a notebook's kernel is shared by every tab that opens it), and the figure's title.
RESTARTED, NEURON = "neuron-restarted.ipynb", "A sigmoid neuron"
NEURON_CELL = "from widgets import NeuronExplorer\n\nNeuronExplorer(graph=True)"
FIGURELESS = "01-what-is-autograd.ipynb"  # what a front end logs with no figure of ours
FRONT_ENDS = {"jupyterlab": "lab/tree/", "notebook7": "notebooks/"}
#: What each front end logs on its own, on any notebook, with no figure of ours (read off chapter 1:
#: test_a_front_ends_own_errors_are_only_those_allowed): not ours to fail on. Notebook 7.6 logs these
#: as it loads its settings and file browser, some of them only a while after the notebook has run;
#: JupyterLab 4.6 logs nothing, so any error there is ours.
NOISE = {
    "jupyterlab": (),
    "notebook7": (
        "Cannot read properties of undefined (reading 'schema')",
        "Command 'filebrowser:open-path' not registered.",
        "console: Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ),
}


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """A Jupyter server with JupyterLab and Notebook 7 on a copy of the chapters: its base URL."""
    folder = tmp_path_factory.mktemp("jupyter")
    for chapter in {*CHAPTERS, *UNRUN, FIGURELESS}:
        shutil.copy(ROOT / "chapters" / chapter, folder / chapter)
    chapter6 = nbformat.read(ROOT / "chapters" / "06-a-neuron-with-autograd.ipynb", as_version=4)
    assert NEURON_CELL in [cell.source for cell in chapter6.cells], "chapter 6's figure, as the chapter has it"
    # Its kernel named as the chapter names it (without, the front end would ask which to start).
    neuron = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NEURON_CELL)], metadata=chapter6.metadata)
    for front_end in FRONT_ENDS:
        nbformat.write(neuron, folder / f"{front_end}-{RESTARTED}")
    # Settings of its own: a test that changes the theme changes nobody else's JupyterLab.
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path_factory.mktemp("settings"))}
    with serving_jupyter(folder, env=env) as url:
        yield url


def by_title(page, title):
    """The figure whose title (its accessible name) starts with `title`, once its script has run."""
    return page.locator(f".agi-figure[data-ready][aria-label^={json.dumps(title, ensure_ascii=False)}]").first


class Notebook:
    """A chapter opened in a Jupyter front end, every cell run, with what went wrong on the page.

    `known` are errors the front end logs on its own, with no figure (NOISE).
    """

    opened = 0

    def __init__(self, browser, jupyter, path, viewport=(1300, 1000), scale=1, known=(), title=None, run=True):
        self.known = set(known)
        self.context = new_context(
            browser, viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=scale
        )
        self.page = page = self.context.new_page()
        self.errors, self.blocked = watch_errors(page), only_local(page, jupyter, "ws://127.0.0.1")
        self.server = jupyter
        Notebook.opened += 1  # a workspace of its own: JupyterLab restores no other tab into it
        page.goto(jupyter + path.replace("lab/tree/", f"lab/workspaces/test{Notebook.opened}/tree/"))
        name = path.rsplit("/", 1)[-1]  # JupyterLab may restore other tabs: wait for this one
        page.wait_for_function(
            "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.context && w.context.path.endsWith(name); }",
            arg=name,
        )
        if not run:
            return
        page.evaluate(
            """async () => {
                const app = window.jupyterapp;
                await app.shell.currentWidget.sessionContext.ready;
                await app.commands.execute('notebook:run-all-cells');
            }"""
        )
        if path.endswith(FIGURELESS):
            return
        # The chapter's figure with controls (its graphs drawn by show_graph come first in some).
        self.figure = by_title(page, title or FIGURE_TITLES[name])
        self.figure.wait_for(state="attached")
        # Run-all ends with the last cell's reply, which may come before that cell's outputs (they
        # come on another channel). That channel's messages come in order: once the kernel says it
        # is idle after one more, empty request, every output of every cell has come.
        page.evaluate(
            """async () => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                await kernel.requestExecute({code: '', silent: true, store_history: false}).done;
            }"""
        )
        # The notebook draws only the cells in view (and run-all ends at the exercises, far below):
        # scroll the figure's cell into view through the notebook, then the figure itself.
        index = page.evaluate(
            r"""async () => {
                const notebook = window.jupyterapp.shell.currentWidget.content;
                const i = notebook.widgets.findIndex(
                    c => /\bexplore\(|Explorer\(/.test(c.model.sharedModel.getSource()));
                notebook.activeCellIndex = i;
                await notebook.scrollToItem(i, 'center');
                return i;
            }"""
        )
        assert index >= 0, "the figure's cell"
        self.figure.evaluate("el => el.scrollIntoView({block: 'center'})")
        self.figure.wait_for(state="visible")

    def outputs(self):
        """How many outputs the notebook's cells hold (from its model: the front end renders only
        the cells near the view, so counting them on the page would depend on the scrolling)."""
        return self.page.evaluate(
            """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                       let n = 0;
                       for (let i = 0; i < cells.length; i++) {
                           const cell = cells.get(i);
                           if (cell.type === 'code') n += cell.outputs.length;
                       }
                       return n; }"""
        )

    def readout(self):
        return self.figure.locator(".agi-readout").inner_text()

    def cell(self, channel):
        return self.figure.locator(f'td[data-channel="{channel}"]').inner_text()

    def type(self, name, text):
        box = self.figure.locator(f'input[type=number][data-control="{name}"]')
        box.fill(text)
        box.press("Enter")

    def marks(self):
        return marks(self.figure)

    def to_svg(self, x, y, axes=0):
        t = self.figure.evaluate(f"el => el.agi.data.layouts[0].axes[{axes}]")
        return t["x"][0] * x + t["x"][1], t["y"][0] * y + t["y"][1]

    def close(self):
        unknown = [e for e in self.errors if e not in self.known]
        assert unknown == [], "page or console errors; the server's log says:\n" + "\n".join(server_errors(self.server))
        assert self.blocked == [], "the page asked for something that is not on this machine"
        self.context.close()


@pytest.fixture(scope="module")
def notebooks(browser, jupyter):
    """notebooks(front_end, chapter): the chapter open in that front end, every cell run, opened
    once for all the tests of this module (each leaves what it typed; none depends on another's)."""
    opened = {}

    def open_(front_end, chapter=CHAPTERS[0]):
        if (front_end, chapter) not in opened:
            path = FRONT_ENDS[front_end]
            opened[front_end, chapter] = Notebook(browser, jupyter, path + chapter, known=NOISE[front_end])
        return opened[front_end, chapter]

    yield open_
    for notebook in opened.values():
        notebook.close()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_front_ends_own_errors_are_only_those_allowed(browser, jupyter, front_end):
    """A chapter without figures: what the front end logs there is its own, and NOISE allows no more."""
    notebook = Notebook(browser, jupyter, FRONT_ENDS[front_end] + FIGURELESS)
    notebook.context.close()
    assert set(notebook.errors) <= set(NOISE[front_end])


def marks(figure):
    """A figure's marks in its wide layout (every circle's and line's coordinates, as drawn), and
    the text of its graph panel, if it has one."""
    return figure.evaluate(
        """el => [[...el.querySelectorAll('.agi-wide svg.agi-marks circle, .agi-wide svg.agi-marks line')]
                   .filter(e => e.getAttribute('visibility') !== 'hidden')
                   .map(e => ['cx', 'cy', 'x1', 'y1', 'x2', 'y2'].map(a => e.getAttribute(a)).filter(v => v !== null)),
                  [...el.querySelectorAll('.agi-graph-svg text, .agi-graph-step')].map(t => t.textContent)]"""
    )


def autograd_square(x):
    leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = leaf**2
    y.backward()
    return y.item(), leaf.grad.item()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_typed_value_is_computed_by_the_kernel_and_the_keyboard_moves_the_slider(notebooks, front_end):
    notebook = notebooks(front_end)
    figure, page = notebook.figure, notebook.page
    outputs = notebook.outputs()
    # The chapter's show_graph(y) and the figure's graph panel are drawn here too.
    assert figure.locator(".agi-graph-svg.agi-shown .agi-node").count() == 2
    assert page.locator(".agi-figure[data-ready] .agi-graph-svg.agi-shown").count() == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=SCREENSHOTS / f"{front_end}-figure-before.png")

    # 2.013 is between two steps of 0.05: the table has no frame for it, the kernel computes one.
    notebook.type("x", "2.013")
    y, dydx = autograd_square(2.013)
    expect(figure.locator('td[data-channel="dydx"]')).to_have_text(format_value(dydx))
    assert (notebook.cell("y"), notebook.cell("by_hand")) == (format_value(y), format_value(2 * 2.013))
    assert figure.locator(".agi-note").inner_text() == ""
    assert figure.evaluate("el => el.agi.values.x") == 2.013
    (cx, cy) = next(m for m in notebook.marks()[0] if len(m) == 2)
    px, py = notebook.to_svg(2.013, y)
    assert abs(float(cx) - px) < 0.01 and abs(float(cy) - py) < 0.01, "the point is at (2.013, 2.013²)"
    figure.screenshot(path=SCREENSHOTS / f"{front_end}-figure-typed.png")

    # The arrow keys move the slider, not the notebook: from 2.013 (nearest step 2.00) to 1.75.
    figure.locator('input[type=range][data-control="x"]').focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    y, dydx = autograd_square(1.75)
    expect(figure.locator('td[data-channel="dydx"]')).to_have_text(format_value(dydx))
    assert notebook.cell("y") == format_value(y)
    assert figure.locator('input[type=number][data-control="x"]').input_value() == "1.75"
    assert notebook.outputs() == outputs, "no output was added"
    figure.screenshot(path=SCREENSHOTS / f"{front_end}-figure-after.png")


def test_rapid_typed_values_end_on_the_last_one(notebooks):
    """Values the kernel must compute, sent faster than it answers: the figure shows the last."""
    notebook = notebooks("jupyterlab")
    notebook.figure.locator('input[type=number][data-control="x"]').evaluate(
        """box => { for (let k = 1; k <= 40; k++) {
                      box.value = String(1 + k / 1000);
                      box.dispatchEvent(new Event('change', {bubbles: true})); } }"""
    )
    y, dydx = autograd_square(1.04)
    # Every answer the kernel owes has come, and none replaced the last value's.
    notebook.page.wait_for_function("el => !el.agi.waiting()", arg=notebook.figure.element_handle())
    assert notebook.figure.evaluate("el => el.agi.values.x") == 1.04
    expect(notebook.figure.locator('td[data-channel="y"]')).to_have_text(format_value(y))
    expect(notebook.figure.locator('td[data-channel="dydx"]')).to_have_text(format_value(dydx))


def test_the_jupyter_view_and_the_website_show_the_same(browser, notebooks, site):
    """One renderer: at the same control values, the same readout and the same marks, exactly."""
    for chapter, moves in (
        (CHAPTERS[0], [("x", 1.5), ("x", -2.25), ("x", 0.0)]),
        (CHAPTERS[1], [("x", -3.0), ("w", 2.0), ("b", 1.0), ("y", "1"), ("x", 10.0)]),
    ):
        notebook = notebooks("jupyterlab", chapter)
        website = new_page(browser, viewport={"width": 1300, "height": 1000})
        website.goto(site + "chapters/" + chapter.replace(".ipynb", ".html"))
        page_figure = by_title(website, FIGURE_TITLES[chapter])
        for name, value in moves:
            for figure in (notebook.figure, page_figure):
                figure.evaluate(
                    """(el, [name, value]) => {
                        const input = el.querySelector(`input[type=range][data-control="${name}"]`);
                        if (input) {
                            const grid = el.agi.data.controls.find(c => c.name === name);
                            input.value = Math.round((value - grid.lo) / grid.step);
                            input.dispatchEvent(new Event('input', {bubbles: true}));
                        } else {
                            el.querySelector(`input[type=radio][data-control="${name}"][value="${value}"]`).click();
                        }
                    }""",
                    [name, value],
                )
            seen = [
                f.evaluate(
                    "el => [el.querySelector('.agi-readout').innerText, el.querySelector('.agi-note').innerText,"
                    " el.agi.values]"
                )
                for f in (notebook.figure, page_figure)
            ]
            assert seen[0] == seen[1], f"{chapter} after {name} = {value}"
            assert notebook.marks() == marks(page_figure), f"{chapter}: marks after {name} = {value}"
        website.context.close()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_question_and_a_check_work_in_jupyter(notebooks, front_end):
    """Chapter 3 in Jupyter: the predict question answers a choice with its feedback, its code
    (which names the answer) is collapsed, and an exercise's check replies to what the reader
    wrote, computed by the kernel."""
    notebook = notebooks(front_end)
    page = notebook.page
    question = page.locator("fieldset.agi-question").first
    question.evaluate("el => el.scrollIntoView({block: 'center'})")
    cell = page.locator(".jp-CodeCell").filter(has=question)
    assert cell.locator(".jp-InputPlaceholder").count() == 1, "the question's code starts collapsed"
    assert "right=" not in cell.inner_text()
    question.locator("input[type=radio]").nth(1).check()  # checks that it is checked, too
    shown = question.locator('.agi-said p[data-choice="1"]')
    expect(shown).to_be_visible()
    assert shown.inner_text().startswith("Not quite:")
    assert not question.locator('.agi-said p[data-choice="2"]').is_visible()

    # The reader answers exercise 3.2 (dy/dx of x² + 3x at x = −2, which is −1) with +1.
    attempt = page.locator(".jp-CodeCell").filter(has_text='check("3.2", answer)').first
    expect(attempt.locator(".jp-OutputArea-output")).to_contain_text("✗ Exercise 3.2: not answered yet")
    index = page.evaluate(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cells = panel.content.widgets;
            const i = cells.findIndex(c => c.model.sharedModel.getSource().startsWith('answer = ...')
                                         && c.model.sharedModel.getSource().includes('check("3.2"'));
            cells[i].model.sharedModel.setSource('answer = 1\\ncheck("3.2", answer)');
            panel.content.activeCellIndex = i;
            return i;
        }"""
    )
    assert index > 0
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
    expect(attempt.locator(".jp-OutputArea-output")).to_contain_text("✗ Exercise 3.2: the sign is flipped")


# Before the kernel runs, and after it has gone ------------------------------------------------


def figure_cells(notebook):
    """The indices of the cells whose stored outputs are figures (their data's MIME type)."""
    return notebook.page.evaluate(
        """async mime => { const panel = window.jupyterapp.shell.currentWidget;
                     await panel.context.ready;
                     const cells = panel.content.model.cells;
                     const found = [];
                     for (let i = 0; i < cells.length; i++) {
                         const outputs = cells.get(i).type === 'code' ? cells.get(i).outputs : null;
                         for (let k = 0; outputs && k < outputs.length; k++)
                             if (mime in outputs.get(k).data) found.push(i);
                     }
                     return found; }""",
        MIME,
    )


@pytest.mark.parametrize("chapter", UNRUN)
@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_chapter_opened_without_running_shows_every_figures_still_picture(browser, jupyter, front_end, chapter):
    """Untrusted and not run, a chapter's figure outputs are sanitized HTML: each shows its still
    picture, at its own size (legible: not shrunk), and the sentence that says to run the cell."""
    notebook = Notebook(browser, jupyter, FRONT_ENDS[front_end] + chapter, known=NOISE[front_end], run=False)
    page = notebook.page
    cells = figure_cells(notebook)
    assert cells, "the chapter has figures"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark") if front_end == "jupyterlab" else ("light",):
        if theme == "dark":
            page.evaluate(
                "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
            )
            page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        for n, i in enumerate(cells):
            # The notebook draws only the cells near the view: scroll to the cell, and name it.
            page.evaluate(
                """async i => { const notebook = window.jupyterapp.shell.currentWidget.content;
                                notebook.activeCellIndex = i;
                                await notebook.scrollToItem(i, 'center');
                                notebook.widgets[i].node.setAttribute('data-test-cell', i); }""",
                i,
            )
            output = page.locator(f'[data-test-cell="{i}"] .jp-OutputArea-output').last
            still = output.locator("figure img[src^='data:image/png']")
            expect(still).to_be_visible()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=still.element_handle())
            shown, natural = still.evaluate("img => [img.getBoundingClientRect().width, img.naturalWidth]")
            assert shown >= 0.9 * natural, f"cell {i}: the still is shrunk to {shown:.0f} of {natural} px"
            expect(output.locator("figure figcaption")).to_contain_text("run this cell")
            assert still.get_attribute("alt"), "the picture has its title as alt text"
            output.screenshot(path=SCREENSHOTS / f"{front_end}-unrun-{chapter[:2]}-{n}-{theme}.png")
    notebook.close()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_when_the_kernel_stops_the_figure_says_so_and_shows_what_it_drew(browser, jupyter, front_end):
    """Chapter 6's neuron in a notebook of its own: a note about a control sits by the control; then
    a value is sent that the kernel will never answer, the kernel restarts, and the figure goes back
    to the values it drew (boxes included), says the kernel has stopped, and still shows the values
    its table has."""
    path = FRONT_ENDS[front_end] + f"{front_end}-{RESTARTED}"
    notebook = Notebook(browser, jupyter, path, known=NOISE[front_end], title=NEURON)
    figure, page = notebook.figure, notebook.page
    box = figure.locator('input[type=number][data-control="x"]')
    note = figure.locator(".agi-control-note")
    notebook.type("x", "25")
    assert_note_next_to(box, note, "x = 25 is outside -10.0 … 10.0: using 10.0.")
    expect(box).to_have_value("10.0")

    # Drawn at x = 2.0 (a value of the table; z = w·x + b = x here); then 2.05 (not in it) goes to a kernel that will not
    # answer it: the request is in flight when the kernel restarts.
    notebook.type("x", "2")
    expect(figure.locator('td[data-channel="z"]')).to_have_text("2.00")
    drawn = notebook.readout()
    page.evaluate(
        """async () => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const code = 'from widgets import NeuronExplorer\\n'
                + 'NeuronExplorer.answer = lambda self, request: {"view": None, "seq": None}';
            await kernel.requestExecute({code, silent: true, store_history: false}).done;
        }"""
    )
    notebook.type("x", "2.05")
    page.wait_for_function("el => el.agi.waiting()", arg=figure.element_handle())
    expect(box).to_have_value("2.05")
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.restartKernel()")
    page.wait_for_function("el => el.agi.stopped() && !el.agi.waiting()", arg=figure.element_handle())
    expect(box).to_have_value("2.0")
    assert notebook.readout() == drawn and figure.evaluate("el => el.agi.values.x") == 2.0
    assert_note_next_to(box, note, "The kernel has stopped")
    expect(note).to_contain_text("Run this cell again")
    expect(figure.locator(".agi-note")).to_contain_text("The kernel has stopped")

    # A value the table lacks, typed now: nothing can compute it, the figure stays as drawn.
    notebook.type("x", "3.3")
    expect(box).to_have_value("2.0")
    assert notebook.readout() == drawn
    expect(note).to_contain_text("The kernel has stopped")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    figure.locator(".agi-controls").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"{front_end}-kernel-stopped.png")
    # A value the table has needs no kernel: it is drawn.
    notebook.type("x", "3.6")
    expect(figure.locator('td[data-channel="z"]')).to_have_text("3.60")
    expect(box).to_have_value("3.6")
    notebook.close()

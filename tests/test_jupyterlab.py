"""The live view in a real JupyterLab 4: run chapter 3, move the slider, see the figure redraw.

JupyterLab serves a copy of the chapter from a temporary folder (so nothing is saved into the
book), with the kernel of this environment; Chromium drives it with every non-local request
blocked.
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, SCREENSHOTS

CHAPTER = "03-gradients-with-autograd.ipynb"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "chapters" / CHAPTER, folder / CHAPTER)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--ServerApp.token=", "--ServerApp.password=", "--allow-root",
         f"--ServerApp.root_dir={folder}", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start")
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_live_figure_redraws_in_place_in_jupyterlab(browser, lab):
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    errors, blocked = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and "Error setting state" in m.text and errors.append(m.text))

    def route(route):
        if route.request.url.startswith(lab) or route.request.url.startswith("ws://127.0.0.1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(f"{lab}lab/tree/{CHAPTER}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    # Run every cell once the kernel is ready, through JupyterLab's own command.
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=120_000)
    page.evaluate(
        """async () => {
            const app = window.jupyterapp;
            await app.shell.currentWidget.sessionContext.ready;
            await app.commands.execute('notebook:run-all-cells');
        }"""
    )

    figure = page.locator(".agi-figure").first
    figure.wait_for(timeout=120_000)
    canvas = figure.locator("canvas").first
    page.wait_for_function("c => c.width > 300 && c.height > 100", arg=canvas.element_handle(), timeout=60_000)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=60_000,
    )
    figure.scroll_into_view_if_needed()
    time.sleep(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=SCREENSHOTS / "jupyterlab-figure-before.png")
    before_image = canvas.evaluate("c => c.toDataURL()")
    outputs = page.locator(".jp-OutputArea-output").count()

    # Type x = 2 into the box beside the slider, as a reader would.
    box = figure.locator("input[type=number]").first
    box.fill("2")
    box.press("Enter")
    readout = figure.locator(".agi-readout")
    expect(readout).to_contain_text("4.0000", timeout=30_000)  # the table is re-created on update
    time.sleep(1)
    figure.screenshot(path=SCREENSHOTS / "jupyterlab-figure-after.png")
    text = readout.inner_text()
    assert "y\t4.0000" in text and "(x.grad)\t4.0000" in text and "2x\t4.0000" in text
    assert canvas.evaluate("c => c.toDataURL()") != before_image, "the plot was redrawn"
    assert page.locator(".jp-OutputArea-output").count() == outputs, "no output was added"

    # Drag with the keyboard: the slider moves the figure too.
    after_typing = canvas.evaluate("c => c.toDataURL()")
    figure.locator(".noUi-handle, .ui-slider-handle").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    expect(readout).not_to_contain_text("4.0000", timeout=30_000)
    page.wait_for_function("([c, old]) => c.toDataURL() !== old", arg=[canvas.element_handle(), after_typing],
                           timeout=30_000)
    assert page.locator(".agi-figure canvas").count() >= 1
    assert errors == []
    context.close()

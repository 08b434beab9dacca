"""What the tests share: the book built once per run (once for all workers of a parallel run),
served on 127.0.0.1; Chromium; a Jupyter server; and the markers that let anyone pick parts:

    browser    needs Chromium (any test that opens a page)
    site       needs the built site
    jupyter    needs a Jupyter server (JupyterLab, Notebook 7)
    notebooks  nbval re-executing a chapter

Each test is marked by the fixtures it uses, so a new test is marked without anyone remembering to.
``bash scripts/test --quick`` runs what is neither browser, site nor jupyter. Nothing here waits on
time: each wait is for the event it needs (a line the server prints, a lock released), with a
timeout only as a safety net.
"""

import collections
import contextlib
import functools
import http.server
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


#: Longest wait for anything a test waits for: a safety net on a busy machine, not a pace.
PATIENCE_MS = 180_000
#: Markers given to a test by the fixtures it uses (its whole closure).
MARKERS = {"browser": "browser", "open_page": "browser", "build": "site", "site": "site", "jupyter": "jupyter"}


def pytest_configure(config):
    for name, what in [
        ("browser", "needs Chromium"),
        ("site", "needs the built site"),
        ("jupyter", "needs a Jupyter server"),
        ("notebooks", "nbval re-executing a chapter"),
    ]:
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for marker in sorted({MARKERS[f] for f in fixtures & set(MARKERS)}):
            item.add_marker(marker)
        if item.path.suffix == ".ipynb":  # nbval
            item.add_marker("notebooks")


#: Each test server's log (start_jupyter), by its base URL: its last lines, for a failing test to show.
SERVER_LOGS = {}


def server_errors(url):
    """The lines of the server's log at `url` that report an error (a 500's traceback, say)."""
    return [line for line in SERVER_LOGS.get(url, ()) if " 500 " in line or "Error" in line or "[E " in line]


def start_jupyter(folder, env=None):
    """A Jupyter server (JupyterLab and Notebook 7; no token, no news or update checks) on `folder`,
    on a free port of 127.0.0.1, once it says it is running: (process, base URL). The tests and
    benchmarks/jupyter_latency.py both start theirs here."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter-lab"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--allow-root",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    running = threading.Event()
    log = SERVER_LOGS[url] = collections.deque(maxlen=400)

    def read():  # the server's log, read to its end (so the pipe never fills), watched for one line
        for line in process.stderr:
            log.append(line.rstrip())
            if "is running at" in line or url in line:
                running.set()
        running.set()  # it exited

    threading.Thread(target=read, daemon=True).start()
    if not running.wait(PATIENCE_MS / 1000) or process.poll() is not None:
        process.kill()
        raise RuntimeError("Jupyter did not start")
    return process, url


@contextlib.contextmanager
def serving_jupyter(folder, env=None):
    """A test module's Jupyter server on `folder` (start_jupyter): its base URL, for the module's
    tests; stopped after them. A server that does not start fails the tests that need it."""
    try:
        server, url = start_jupyter(folder, env=env)
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield url
    finally:
        server.terminate()
        server.wait()


def assert_note_next_to(control, note, says, within=100):
    """`note` says `says`, is announced (aria-live), describes `control`, and is within `within`
    pixels of it on screen: a figure's note about a control, on the website and in Jupyter."""
    from playwright.sync_api import expect

    expect(note).to_contain_text(says)
    assert note.get_attribute("aria-live") == "polite"
    assert note.get_attribute("id") in (control.get_attribute("aria-describedby") or "").split()
    a, b = control.bounding_box(), note.bounding_box()
    gap = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]), 0)
    assert gap <= within, f"the note is {gap:.0f} px from its control"


#: Screenshots of the pages the browser tests open, for people to look at.
SCREENSHOTS = ROOT / "_build" / "screenshots"


class Build:
    def __init__(self, result, html):
        self.result, self.html = result, html
        self.log = result.stdout + result.stderr


@pytest.fixture(scope="session")
def build(tmp_path_factory, worker_id):
    """A clean build of the site, as CI and the README build it: warnings are errors. Built once per
    run: the workers of a parallel run (pytest-xdist) share it, the first to need it builds it."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out, done = shared / "book", shared / "book.json"
    with FileLock(str(shared / "book.lock")):
        if not done.is_file():
            jupyter_book = Path(sys.executable).parent / "jupyter-book"
            result = subprocess.run(
                [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
                capture_output=True,
                text=True,
            )
            done.write_text(
                json.dumps({"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr})
            )
    result = subprocess.CompletedProcess([], **json.loads(done.read_text()))
    return Build(result, out / "_build" / "html")


@pytest.fixture(scope="session")
def site(build):
    """The built site served on 127.0.0.1: its base URL."""
    assert build.result.returncode == 0, build.log[-5000:]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=build.html))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup --browser`")
    with playwright.sync_playwright() as p:
        playwright.expect.set_options(timeout=PATIENCE_MS)
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=PATIENCE_MS)
        yield chromium
        chromium.close()


def new_context(browser, **options):
    """A browser context whose every wait is as patient as the tests' (PATIENCE_MS)."""
    context = browser.new_context(**options)
    context.set_default_timeout(PATIENCE_MS)
    return context


def new_page(browser, **options):
    """A page in a context of its own (new_context): closing the page's context closes both."""
    return new_context(browser, **options).new_page()


def watch_errors(page):
    """The page's JavaScript errors and console errors, as they happen: a list."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    return errors


def only_local(page, *allowed):
    """Let requests to URLs starting with `allowed` (and data: URLs) through and abort all others:
    the list of those aborted."""
    blocked = []

    def route(route):
        if route.request.url.startswith((*allowed, "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return blocked


class Page:
    """A page opened with every non-local request blocked, and what went wrong on it."""

    def __init__(self, browser, site, path, **context):
        self.context = new_context(browser, **{"viewport": {"width": 1280, "height": 900}, **context})
        self.page = self.context.new_page()
        self.errors, self.failed = watch_errors(self.page), []
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.blocked = only_local(self.page, site)
        # Equations are rendered when the site is built (KaTeX), so the page is complete at load;
        # the site's index.html sends the reader on to the landing page: wait until it has.
        self.page.goto(site + path, wait_until="load")
        if context.get("java_script_enabled", True):
            self.page.wait_for_function(
                "() => document.readyState === 'complete' && !document.querySelector('meta[http-equiv=refresh]')"
            )

    def screenshot(self, name, full_page=True):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser, site):
    pages = []

    def open_(path, **context):
        pages.append(Page(browser, site, path, **context))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()

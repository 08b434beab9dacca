"""Fixtures for the site tests: the book built once per run, served on 127.0.0.1, and Chromium."""

import functools
import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

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


def start_jupyter(folder, env=None):
    """A Jupyter server (JupyterLab and Notebook 7; no token, no news or update checks) on `folder`,
    on a free port of 127.0.0.1, once it answers: (process, base URL). The tests and
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
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "api/status", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("Jupyter did not start")


#: Screenshots of the pages the browser tests open, for people to look at.
SCREENSHOTS = ROOT / "_build" / "screenshots"


class Build:
    def __init__(self, result, html):
        self.result, self.html = result, html
        self.log = result.stdout + result.stderr


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """A clean build of the site, as CI and the README build it: warnings are errors."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
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


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup --browser`")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


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
        self.context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context})
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

"""The website's figures: bytes each adds to its page, and the time of one slider step in Chromium.

    .venv/bin/python -m benchmarks.static_pages      # from the repository's root; builds the site

For every figure of every chapter page: its size once drawn (its part of the page's HTML, with the
backgrounds the page's figure script brings; _ext/figures.py), the page's HTML and that
script (every figure's backgrounds and packed frames), and the median time of one redraw as a
reader drags each slider:
the page's input handler (frame lookup, marks, readout) plus the style and layout it causes, over
40 steps. Needs Debian's chromium (`bash scripts/setup --browser`).
"""

import functools
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT, only_local

STEP = """range => {
    const max = Number(range.max), times = [];
    for (let k = 0; k < 40; k++) {
        const t0 = performance.now();
        range.value = (Number(range.value) + 1) % (max + 1);
        range.dispatchEvent(new Event('input', {bubbles: true}));
        range.closest('.agi-figure').querySelector('svg.agi-marks').getBoundingClientRect();
        times.push(performance.now() - t0);
    }
    return times;
}"""


def main():
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "jupyter-book"),
                "build",
                str(ROOT),
                "--path-output",
                out,
                "-W",
                "-n",
                "-q",
            ],
            check=True,
            capture_output=True,
        )
        html = Path(out) / "_build" / "html"

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=html))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_address[1]}/"
        print("| page | figure | figure, drawn | page HTML | page's figure script | slider step: median / max (ms) |")
        print("|---|---|---:|---:|---:|---:|")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            only_local(page, site)
            for path in sorted((html / "chapters").glob("*.html")):
                page.goto(f"{site}chapters/{path.name}")
                figures = page.locator(".agi-figure")
                for i in range(figures.count()):
                    figure = figures.nth(i)
                    page.wait_for_function("el => el.dataset.ready === 'true'", arg=figure.element_handle())
                    size = figure.evaluate("el => new Blob([el.outerHTML]).size")
                    title = figure.get_attribute("aria-label").split(":")[0]
                    times = []
                    for slider in figure.locator("input[type=range]").all():
                        times += slider.evaluate(STEP)
                    step = f"{statistics.median(times):.2f} / {max(times):.2f}" if times else "— (buttons)"
                    payload = html / "_static" / "figures" / f"chapters-{path.stem}.js"
                    print(
                        f"| {path.stem} | {title} | {size / 1024:.0f} KB | {path.stat().st_size / 1024:.0f} KB"
                        f" | {payload.stat().st_size / 1024:.0f} KB | {step} |"
                    )
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()

"""Lighthouse on every page of the website: performance, and the measures it scores.

    .venv/bin/python -m benchmarks.lighthouse                 # from the repository's root; 3 runs a page
    .venv/bin/python -m benchmarks.lighthouse --runs 5 05 10  # pages whose path contains "05" or "10"
    .venv/bin/python -m benchmarks.lighthouse --reports /tmp/lh  # and keep each run's JSON report

Builds the site as the tests do (``jupyter-book build . --path-output DIR -W -n --keep-going``, into
a temporary folder), serves it with Python's http.server on 127.0.0.1 (no compression: the worst
case a plain static server gives) and runs Lighthouse (package.json's dev dependency: ``npm ci``)
with Debian's Chromium, as benchmarks/README.md does: its default mobile emulation and simulated
throttling (slow 4G, the CPU slowed 4x), the categories performance, accessibility, best practices
and SEO. Each page of _toc.yml (the landing page, every chapter, the status page) is run
``--runs`` times, one after the other; the table gives, per page, the performance score (min–max
and median), first and largest contentful paint, total blocking time, cumulative layout shift and
the bytes transferred (min–max over the runs), and the other three scores (their lowest). Timings
depend on the machine and on what else runs on it: compare runs made side by side.
"""

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.conftest import CHROMIUM, ROOT
from tests.test_site import CHAPTERS, TOC

PAGES = [TOC["root"], *CHAPTERS]
LIGHTHOUSE = [
    "npx",
    "lighthouse",
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    "--only-categories=performance,accessibility,best-practices,seo",
    "--output=json",
    "--quiet",
]
#: Lighthouse's audits: (name in the table, audit id, format of its numeric value).
MEASURES = [
    ("FCP", "first-contentful-paint", lambda ms: f"{ms / 1000:.1f} s"),
    ("LCP", "largest-contentful-paint", lambda ms: f"{ms / 1000:.1f} s"),
    ("TBT", "total-blocking-time", lambda ms: f"{ms:,.0f} ms"),
    ("CLS", "cumulative-layout-shift", lambda cls: f"{cls:.3f}"),
    ("weight", "total-byte-weight", lambda b: f"{b / 1024:,.0f} KiB"),
]


def build(out):
    """The site built into `out` as tests/conftest.py's `build` fixture builds it: its HTML folder."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the build failed:\n{(result.stdout + result.stderr)[-5000:]}")
    return Path(out) / "_build" / "html"


def serve(html):
    """`html` served on a free port of 127.0.0.1, quietly: (server, base URL)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=html))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse(url, report):
    """One Lighthouse run on `url`, its JSON report written to `report`: the report."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run([*LIGHTHOUSE, url, f"--output-path={report}"], check=True, cwd=ROOT, env=env)
    result = json.loads(Path(report).read_text())
    if result["categories"]["performance"]["score"] is None:
        sys.exit(f"Lighthouse could not measure {url}: {result.get('runtimeError')}")
    return result


def spread(values, show):
    """min–max of `values` as `show` writes them, one value if they read the same."""
    low, high = show(min(values)), show(max(values))
    return low if low == high else f"{low.split()[0]}–{high}"


def row(page, reports):
    scores = {c: [r["categories"][c]["score"] for r in reports] for c in reports[0]["categories"]}
    performance = scores.pop("performance")
    cells = [f"{spread(performance, lambda s: f'{s:.2f}')}, median {statistics.median(performance):.2f}"]
    for _, audit, show in MEASURES:
        cells.append(spread([r["audits"][audit]["numericValue"] for r in reports], show))
    cells.append(" / ".join(f"{min(s):.2f}" for s in scores.values()))
    return f"| {page} | " + " | ".join(cells) + " |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--reports", type=Path, help="keep each run's JSON report in this folder")
    parser.add_argument("pages", nargs="*", help="only the pages whose path contains one of these")
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.pages or any(part in p for part in args.pages)]
    if not (ROOT / "node_modules" / ".bin" / "lighthouse").exists():
        sys.exit("Lighthouse is a dev dependency of package.json, which scripts/setup leaves out: run `npm ci`")
    with tempfile.TemporaryDirectory() as out:
        server, site = serve(build(out))
        reports = args.reports or Path(out)
        reports.mkdir(parents=True, exist_ok=True)
        print(
            f"| page | performance ({args.runs} runs) | FCP | LCP | TBT | CLS | weight | accessibility / best practices / SEO |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---|")
        for page in pages:
            name = page.replace("/", "-")
            runs = [lighthouse(f"{site}{page}.html", reports / f"{name}-{k + 1}.json") for k in range(args.runs)]
            print(row(page, runs), flush=True)
        server.shutdown()


if __name__ == "__main__":
    main()

"""The website's figures: their text in the page, their drawings and data from deferred scripts.

A figure's notebook output carries all it needs, so that it works alone (``widgets.explorer``:
``static_html``): its text, its backgrounds (matplotlib's SVG, one per layout, wide and narrow),
its table of frames and the figure script (``widgets/static/figure.js``). Chapter 4's four figures
were 120 KB of its 320 KB page, and a browser paints nothing before the page has arrived.

On each page of the site, instead:

- the page keeps each figure's text (its controls' sentence for readers without JavaScript, the
  readout at the starting values, the graph in words, the note) and the style it needs; each plot
  keeps its size (``aspect-ratio`` from the background's viewBox), so nothing moves when its
  drawing arrives; readers without JavaScript get the background as an image (``<noscript>``):
  the figure at its starting values, as before;
- each figure's backgrounds and data go into one script per page, ``_static/figures/<page>.js``,
  which hands them to ``mountPayloads`` (figure.js);
- figure.js, an ES module (which a page opened from ``file://`` may not import), is written once
  as a classic script, ``_static/figure.js``, shared by every page;
- the page asks for those two with deferred scripts at the end of its text: they do not hold up
  the first paint, and they run as soon as the page is parsed, so each figure is drawn (and takes
  its final height: controls, the graph's panel) before a reader can scroll to it. Loaded after
  the page's ``load`` event instead, a figure drawn while in view pushed what follows it down by
  up to 1,700 px (chapter 6's graph).

Classic scripts load from ``file://`` and offline, as the inline ones did.
"""

import bisect
import functools
import hashlib
import html
import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "widgets" / "static"
FIGURE_JS = STATIC / "figure.js"
#: The plots' text font (figure.css), which an SVG shown as an image does not get from the page.
TEXT_FONT = re.search(r"\.agi-plot text \{([^}]*)\}", (STATIC / "figure.css").read_text()).group(1).strip()
FIGURE = re.compile(r'<div class="agi-figure" data-figure="[^"]*"')
PIECE = re.compile(
    r'(?P<plot><div class="agi-plot [^>]*)>(?P<svg><svg class="agi-background"[^>]*?'
    r'viewBox="0 0 (?P<width>[\d.]+) (?P<height>[\d.]+)".*?</svg>)'
    r'|<script type="application/json" class="agi-data">(?P<data>.*?)</script>'
    r'|<script type="module">.*?</script>',
    re.DOTALL,
)


def classic_figure_script(module):
    """figure.js as a classic script: its exports made local, and mountPayloads given to the page."""
    code = re.sub(r"^export (async function|function) ", r"\1 ", module, flags=re.MULTILINE)
    code = re.sub(r"^export default ", "const jupyterView = ", code, flags=re.MULTILINE)
    if re.search(r"^\s*(import|export)\b", code, flags=re.MULTILINE):
        raise ValueError(f"{FIGURE_JS} imports or exports in a way this conversion does not know")
    return (
        "// widgets/static/figure.js as a classic script, for the website (_ext/figure_payloads.py).\n"
        f"(() => {{\n{code}\nwindow.agiFigures = {{ mountPayloads }};\n}})();\n"
    )


@functools.cache
def _shared_script(static, module):
    """_static/figure.js, made from `module` (figure.js) and written once, not for every page:
    ?v=<hash> for its URL."""
    return _versioned(static / "figure.js", classic_figure_script(module))


def _versioned(path, text):
    """Write `text` to `path` (if it differs) and return ?v=<hash> for its URL."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return "?v=" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _split_figures(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    starts = [match.start() for match in FIGURE.finditer(body)]
    if not starts:
        return
    static = Path(app.outdir) / "_static"
    stem = pagename.replace("/", "-")
    payloads = [{"backgrounds": [], "data": None} for _ in starts]

    def moved(match):
        k = bisect.bisect(starts, match.start()) - 1
        if match.group("svg"):
            backgrounds = payloads[k]["backgrounds"]
            image = f"figures/{stem}-{k}-{len(backgrounds)}.svg"
            backgrounds.append(match.group("svg"))
            still = match.group("svg").replace(
                '<style type="text/css">', f'<style type="text/css">text {{ {TEXT_FONT} }}', 1
            )
            version = _versioned(static / image, still)
            src = html.escape(context["pathto"](f"_static/{image}", 1) + version)
            return (
                f'{match.group("plot")} style="aspect-ratio: {match.group("width")} / {match.group("height")}">'
                f'<noscript><img src="{src}" alt="" style="display: block; width: 100%; height: auto"></noscript>'
            )
        if match.group("data"):
            payloads[k]["data"] = match.group("data")
        return ""

    body = PIECE.sub(moved, body)
    if any(p["data"] is None for p in payloads):
        raise ValueError(f"{pagename}: a figure without its data (script.agi-data)")
    counter = iter(range(len(starts)))
    body = FIGURE.sub(lambda match: f'{match.group(0)} data-payload="{next(counter)}"', body)

    entries = ",\n".join(f'{{"backgrounds": {json.dumps(p["backgrounds"])}, "data": {p["data"]}}}' for p in payloads)
    page_script = f"figures/{stem}.js"
    sources = [
        context["pathto"]("_static/figure.js", 1) + _shared_script(static, FIGURE_JS.read_text(encoding="utf-8")),
        context["pathto"](f"_static/{page_script}", 1)
        + _versioned(static / page_script, f"agiFigures.mountPayloads([\n{entries}\n]);\n"),
    ]
    context["body"] = body + "".join(f'<script defer src="{html.escape(src)}"></script>' for src in sources)


def setup(app):
    # Before lean_pages keeps one copy of each inline style (its default priority, 500).
    app.connect("html-page-context", _split_figures, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

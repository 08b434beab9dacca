"""The website's figures: each figure's text in its page, its data and drawings from deferred scripts.

A figure's notebook output carries its data, not code: JSON under ``widgets.page.MIME`` (its
controls, marks, readout, starting frame, backgrounds and table of frames), beside the Jupyter
widget and a still picture. When the site is built:

- each figure output of a chapter becomes its skeleton, made from the data by
  ``widgets.page.skeleton``: the controls' place (a sentence for readers without JavaScript), each
  plot's box at its final size (``aspect-ratio``), the readout at the starting values, the graph
  in words and the note, so the text shows at first paint and nothing moves when the drawing
  arrives. Readers without JavaScript get each plot's background as an image (``<noscript>``),
  ``_static/figures/<page>-<figure>-<layout>.svg``: the figure at its starting values;
- the page's figures' data go into one script, ``_static/figures/<page>.js``, which hands them to
  ``agiFigures.mountPayloads``;
- the figures' script (``widgets/static/figure.js``, a classic script, so it loads from ``file://``
  too) is written once, ``_static/figure.js``, and their style (``widgets.page.stylesheet``) once,
  ``_static/figure.css``, which every page lists (``_ext/site_css.py`` bundles it);
- a page with figures lists its two scripts among the page's own (``app.add_js_file``, deferred,
  after Sphinx's and the extensions'): ``_ext/lean_pages.py`` loads them with the others once the
  page has painted its text, in their order, so that they do not take bandwidth from what the
  first paint waits for, and each figure is drawn (and takes its final height: controls, the
  graph's panel) a moment after, as the page is still loading.

Nothing here reads HTML: the notebook's outputs are read as JSON (nbformat) when Sphinx reads the
chapter, and what they become is written, not parsed.
"""

import hashlib
import json
from pathlib import Path

import nbformat

from widgets import page

SCRIPT, STYLE = "figure.js", "figure.css"
#: What a background shown as an image needs of the page's style (figure.css).
STILL_STYLE = (
    '<style>text { font-family: "DejaVu Sans", Verdana, sans-serif }'
    " * { stroke-linejoin: round; stroke-linecap: butt }</style>"
)


def _version(text):
    return "?v=" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _still(layout):
    """A layout's background as an image file, with what it needs of figure.css inside it (the
    plots' text font, matplotlib's line joins): its root element's first child."""
    svg = layout["background"]
    inside = svg.index(">") + 1  # the end of <svg class="agi-background" …>
    return svg[:inside] + STILL_STYLE + svg[inside:]


def _still_name(docname, figure, layout):
    return f"figures/{docname.replace('/', '-')}-{figure['id']}-{layout['name']}.svg"


def _figures_to_skeletons(app, docname, source):
    """A chapter's figure outputs, as its page shows them: each one's skeleton (text/html); their
    data kept for the page's script."""
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    notebook = nbformat.reads(source[0], as_version=4)
    figures = []
    up = "../" * docname.count("/")
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(page.MIME)
            if figure is None:
                continue
            stills = [
                up + "_static/" + _still_name(docname, figure, layout) + _version(_still(layout))
                for layout in figure["layouts"]
            ]
            output["data"] = {"text/html": page.skeleton(figure, stills), "text/plain": output["data"]["text/plain"]}
            output["metadata"] = {}
            figures.append(figure)
    if figures:
        _store(app.env)[docname] = figures
        source[0] = nbformat.writes(notebook)


def _write(path, text):
    """Write `text` to `path`, if it differs."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _page_script(app, pagename, templatename, context, doctree):
    figures = _store(app.env).get(pagename)
    if not figures:
        return
    static = Path(app.outdir) / "_static"
    for figure in figures:
        for layout in figure["layouts"]:
            _write(static / _still_name(pagename, figure, layout), _still(layout))
    data = json.dumps({figure["id"]: figure for figure in figures}, separators=(",", ":"))
    script = f"figures/{pagename.replace('/', '-')}.js"
    _write(static / script, f"agiFigures.mountPayloads({data});\n")
    # Sphinx adds ?v=<checksum of the file> to each URL, as for its own scripts.
    for source in (SCRIPT, script):
        app.add_js_file(source, loading_method="defer")


def _script_and_style(app):
    """figure.js and the figures' style, once for the whole site."""
    if app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        _write(static / SCRIPT, page.script())
        _write(static / STYLE, page.stylesheet())


def _store(env):
    """{page: [figure data]}, kept with Sphinx's environment between builds."""
    if not hasattr(env, "agi_figures"):
        env.agi_figures = {}
    return env.agi_figures


def _merge(app, env, docnames, other):
    for docname in docnames:
        if docname in _store(other):
            _store(env)[docname] = other.agi_figures[docname]


def _forget(app, env, docname):
    _store(env).pop(docname, None)


def setup(app):
    app.add_css_file(STYLE)
    app.connect("builder-inited", _script_and_style)
    app.connect("env-purge-doc", _forget)
    app.connect("env-merge-info", _merge)
    app.connect("source-read", _figures_to_skeletons)
    app.connect("html-page-context", _page_script, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

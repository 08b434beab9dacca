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
- a page with figures asks for its two scripts with deferred ``<script>`` tags at the end of its
  text: they do not hold up the first paint, and they run as soon as the page is parsed, so each
  figure is drawn (and takes its final height: controls, the graph's panel) before a reader can
  scroll to it.

Nothing here reads HTML: the notebook's outputs are read as JSON (nbformat) when Sphinx reads the
chapter, and what they become is written, not parsed.
"""

import hashlib
import json
from pathlib import Path

import nbformat

from widgets import page

SCRIPT, STYLE = "figure.js", "figure.css"


def _version(text):
    return "?v=" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _still(layout):
    """A layout's background as an image file: the plots' text font (figure.css) set inside it."""
    return layout["background"].replace(
        '<style type="text/css">', '<style type="text/css">text { font-family: "DejaVu Sans", Verdana, sans-serif }', 1
    )


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
    """Write `text` to `path` (if it differs) and return ?v=<hash> for its URL."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return _version(text)


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
    sources = [
        context["pathto"](f"_static/{SCRIPT}", 1) + _version(page.script()),
        context["pathto"](f"_static/{script}", 1) + _write(static / script, f"agiFigures.mountPayloads({data});\n"),
    ]
    context["body"] += "".join(f'<script defer src="{src}"></script>' for src in sources)


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

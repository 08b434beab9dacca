"""A figure as a page shows it, from the figure's data alone: its skeleton of HTML, and the script
and style that bring it to life.

A figure's notebook output carries data, not code (:meth:`widgets.explorer.Explorer.figure`,
under the MIME type :data:`MIME`): its controls, marks, readout, starting frame, backgrounds and
table of frames. Both views are made from that data by the same two pieces:

- :func:`skeleton`, here: the figure's HTML before any script runs (the controls' place, the
  plots' boxes, the readout and the graph in words at the starting values, the note). The
  website puts it in the page, so that the text shows at first paint; in Jupyter it is the
  widget's HTML.
- ``static/figure.js``, one classic script (:func:`script`) that mounts a skeleton with its data:
  in Jupyter as an anywidget module (:func:`module`), on the website once per site
  (``_ext/figures.py``), with ``static/figure.css`` and the palette (:func:`stylesheet`).

This module imports no torch: the website's build uses it.
"""

import html
from importlib import resources

from widgets import theme
from widgets.formats import fill, format_value

#: The MIME type of a figure's data in a notebook output.
MIME = "application/vnd.autograd-interactively.figure+json"
#: What a figure without JavaScript says where its controls would be.
NO_SCRIPT = "Moving the controls needs JavaScript: this is the figure at its starting values."


def asset(name):
    """A file of widgets/static/, as text."""
    return resources.files("widgets").joinpath("static", name).read_text(encoding="utf-8")


def script():
    """figure.js: a classic script defining ``agiFigures`` (mount, mountPayloads, render, …)."""
    return asset("figure.js")


def module():
    """figure.js as an ES module whose default export is anywidget's: the Jupyter view."""
    return script() + "\nexport default { render: agiFigures.render };\n"


def stylesheet():
    """The figures' style: figure.css and the palette, light and dark (:mod:`widgets.theme`)."""
    return asset("figure.css") + "\n" + theme.css() + "\n"


def skeleton(figure, stills=None):
    """The figure's HTML before its script runs, from its data (:meth:`Explorer.figure`).

    `stills`: for each layout, the URL of its background as an image, shown to readers without
    JavaScript (the website); None where there is always a script (Jupyter).
    """
    title = html.escape(figure["title"])
    start, decimals = figure["start"], figure["decimals"]
    plots = []
    for k, layout in enumerate(figure["layouts"]):
        width, height = layout["width"], layout["height"]
        still = ""
        if stills:
            still = (
                f'<noscript><img src="{html.escape(stills[k])}" alt="" '
                'style="display: block; width: 100%; height: auto"></noscript>'
            )
        plots.append(
            f'<div class="agi-plot agi-{layout["name"]}" role="img" aria-label="{title}" '
            f'style="aspect-ratio: {width:g} / {height:g}">{still}'
            f'<svg class="agi-marks" viewBox="0 0 {width:g} {height:g}" aria-hidden="true"></svg></div>'
        )
    graphs = [_graph(mark, start, decimals) for mark in figure["marks"] if mark["kind"] == "graph"]
    return (
        f'<div class="agi-figure" data-figure="{html.escape(figure["id"])}" role="group" aria-label="{title}">'
        f'<div class="agi-controls"><p class="agi-nojs">{NO_SCRIPT}</p></div>'
        + (f'<div class="agi-plots">{"".join(plots)}</div>' if plots else "")
        + _readout(figure["readout"], start, decimals)
        + "".join(graphs)
        + f'<p class="agi-note" aria-live="polite">{html.escape(start.get(figure["note"]) or "")}</p>'
        + "</div>"
    )


def _readout(readout, frame, decimals):
    """A table of numbers: one row per quantity, each cell naming the channel the script fills."""
    if not readout["rows"]:
        return ""
    head = ""
    if readout["header"]:
        cells = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in readout["header"])
        head = f"<thead><tr>{cells}</tr></thead>"
    columns = max(len(row) for row in readout["rows"]) - 1
    body = []
    for label, *channels in readout["rows"]:
        span = f' colspan="{columns}"' if len(channels) == 1 and columns > 1 else ""
        cells = "".join(
            f'<td data-channel="{c}" data-decimals="{decimals.get(c, 4)}"{span}>'
            f"{html.escape(format_value(frame.get(c), decimals.get(c, 4)))}</td>"
            for c in channels
        )
        body.append(f'<tr><th scope="row">{html.escape(label)}</th>{cells}</tr>')
    return f'<div class="agi-readout-box"><table class="agi-readout">{head}<tbody>{"".join(body)}</tbody></table></div>'


def _graph(mark, frame, decimals):
    """The graph's panel: the script draws the graph and its step control; the sentences, as
    text, are here already (for screen readers, and for readers without JavaScript)."""
    items = "".join(f"<li>{html.escape(fill(s, frame, decimals))}</li>" for s in mark["sentences"])
    title = html.escape(mark["title"])
    words = f'<details class="agi-graph-text"><summary>{title}, in words</summary><ol>{items}</ol></details>'
    return (
        f'<div class="agi-graph-panel"><div class="agi-graph-steps"></div>'
        f'<div class="agi-graph" role="img" aria-label="{title}"></div>{words if items else ""}</div>'
    )

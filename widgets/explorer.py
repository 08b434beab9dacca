"""The core every interactive figure shares: one evaluation, two views.

An :class:`Explorer` is a spec (its controls, the marks that move, the readout of numbers) plus two
methods a figure fills in: ``evaluate``, the only place its numbers are computed (by torch
autograd), and ``draw``, which draws what does not move. From those it makes:

- the **live view** for Jupyter: ipywidgets controls and an ipympl canvas. Moving a control calls
  ``evaluate`` once and updates the marks' artists in place; nothing is re-created, so the output
  neither grows nor flickers.
- the **static view** for the website: ``evaluate`` on every point of the controls' grid when the
  notebook runs, packed (float32, gzip) inside the page, with the background drawn once by
  matplotlib as SVG and a small script (``static/figure.js``) that draws the marks over it in the
  same data coordinates. No kernel, no network: it works from file:// too.

Displaying an explorer gives one output bundle with both: the widget view, which Jupyter shows,
and text/html, which the website shows (``nb_mime_priority_overrides`` in ``_config.yml``). Its
text/plain lists the numbers at the starting point, so nbval checks them.
"""

import base64
import gzip
import hashlib
import html
import io
import itertools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
from matplotlib.figure import Figure

from widgets.controls import Slider


def format_value(value, decimals=4):
    """A frame's value as the readout shows it; the page's script formats the same way."""
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return "—"
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _rounded(value):
    """Numbers as both views show them: float32, as the website stores them."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    return float(np.float32(value))


@dataclass(frozen=True)
class Readout:
    """A table of numbers beside the figure: one row per quantity, cells naming channels.

    ``rows`` holds ``(label, channel, channel, …)`` tuples; ``header`` names the columns.
    """

    rows: tuple
    header: tuple = ()

    def html(self, frame, decimals):
        head = ""
        if self.header:
            cells = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in self.header)
            head = f"<thead><tr>{cells}</tr></thead>"
        body = []
        columns = max(len(row) for row in self.rows) - 1
        for label, *channels in self.rows:
            span = f' colspan="{columns}"' if len(channels) == 1 and columns > 1 else ""
            cells = "".join(
                f'<td data-channel="{c}"{span}>{html.escape(format_value(frame[c], decimals.get(c, 4)))}</td>'
                for c in channels
            )
            body.append(f'<tr><th scope="row">{html.escape(label)}</th>{cells}</tr>')
        return f'<table class="agi-readout">{head}<tbody>{"".join(body)}</tbody></table>'

    def text(self, frame, decimals):
        lines = []
        for label, *channels in self.rows:
            values = ", ".join(format_value(frame[c], decimals.get(c, 4)) for c in channels)
            lines.append(f"  {label}: {values}")
        return "\n".join(lines)


class Explorer:
    """Base of the book's interactive figures. Subclasses set the spec and fill in two methods.

    Class or instance attributes:
      title      what the figure shows, in one sentence (its accessible name)
      controls   :class:`~widgets.controls.Slider`, :class:`~widgets.controls.Choice`,
                 :class:`~widgets.controls.Counter` objects, in the order they appear
      marks      :mod:`widgets.marks` objects: what moves
      readout    a :class:`Readout`
      decimals   {channel: decimals} where a number is not shown with 4
      note       name of a text channel with a remark on the current frame ("" for none)
      figsize    the figure's size in inches
    """

    title = ""
    controls = ()
    marks = ()
    readout = Readout(rows=())
    decimals = {}
    note = None
    figsize = (8.0, 3.0)
    #: Longest history a History mark keeps (older clicks scroll out).
    history_length = 16

    def evaluate(self, **values):
        """The frame at these control values: {channel: number or text}. Torch autograd only."""
        raise NotImplementedError

    def draw(self, figure):
        """Draw what does not move on `figure`; return its axes, in the order marks refer to."""
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------
    # Frames

    @property
    def start(self):
        return {control.name: control.value for control in self.controls}

    def frame(self, **values):
        """evaluate(), with every number rounded as both views show it."""
        return {name: _rounded(value) for name, value in self.evaluate(**values).items()}

    def grid(self):
        """Every combination of control values the website can show, in row-major order."""
        return itertools.product(*(control.grid for control in self.controls))

    def background(self, dpi):
        """A new figure with what does not move drawn on it, and its axes."""
        figure = Figure(figsize=self.figsize, dpi=dpi, layout="constrained")
        axes = self.draw(figure)
        return figure, list(axes)

    # ----------------------------------------------------------------------------------------
    # Text

    def text(self, values=None):
        values = values or self.start
        frame = self.frame(**values)
        where = ", ".join(
            f"{c.label} = {c.format(values[c.name]) if isinstance(c, Slider) else values[c.name]}"
            for c in self.controls
        )
        lines = [f"{type(self).__name__}: {self.title}", f"At {where}:", self.readout.text(frame, self.decimals)]
        if self.note and frame[self.note]:
            lines.append(f"  note: {frame[self.note]}")
        return "\n".join(lines)

    def __repr__(self):
        return self.text()

    # ----------------------------------------------------------------------------------------
    # Output bundle: the live widget for Jupyter, text/html for the website

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {}
        try:
            from widgets.live import LiveView

            bundle.update(LiveView.of(self).widget._repr_mimebundle_())
        except ImportError:  # no ipympl: the static view serves Jupyter as well
            pass
        bundle["text/plain"] = self.text()
        bundle["text/html"] = self.static_html()
        return bundle

    # ----------------------------------------------------------------------------------------
    # Static view

    def identifier(self):
        spec = json.dumps([type(self).__name__, self.title, [c.spec() for c in self.controls]], sort_keys=True)
        return "agi-" + hashlib.sha1(spec.encode()).hexdigest()[:10]

    def static_data(self):
        """Everything the page's script needs, as JSON-ready data.

        The frames' numbers travel as one gzip-compressed block (base64): float32 arrays for
        number channels, then uint16 indexes into a list of strings for text channels. Frames
        of a smooth function compress well (5 to 60 times), which keeps each figure small.
        """
        names = [c.name for c in self.controls]
        frames = [self.frame(**dict(zip(names, point))) for point in self.grid()]
        numbers = [c for c in frames[0] if not isinstance(frames[0][c], str)]
        texts = [c for c in frames[0] if isinstance(frames[0][c], str)]
        channels, blocks, offset = {}, [], 0
        for channel in numbers:
            block = np.array([f[channel] for f in frames], dtype="<f4").tobytes()
            channels[channel] = {"kind": "number", "decimals": self.decimals.get(channel, 4), "offset": offset}
            blocks.append(block)
            offset += len(block)
        for channel in texts:
            column = [f[channel] for f in frames]
            strings = sorted(set(column))
            index = {string: i for i, string in enumerate(strings)}
            block = np.array([index[v] for v in column], dtype="<u2").tobytes()
            channels[channel] = {"kind": "text", "strings": strings, "offset": offset}
            blocks.append(block)
            offset += len(block)
        packed = gzip.compress(b"".join(blocks), compresslevel=9, mtime=0)
        return {
            "id": self.identifier(),
            "title": self.title,
            "controls": [c.spec() for c in self.controls],
            "marks": [m.spec() for m in self.marks],
            "frames": len(frames),
            "channels": channels,
            "packed": base64.b64encode(packed).decode("ascii"),
            "note": self.note,
            "historyLength": self.history_length,
        }

    def static_html(self):
        ident = self.identifier()
        figure, axes = self.background(dpi=72)  # SVG coordinates are points: 72 per inch
        svg = _svg(figure, salt=ident)
        width, height = figure.bbox.width, figure.bbox.height
        data = self.static_data()
        data["viewBox"] = [0, 0, width, height]
        data["axes"] = [_axes_transform(ax, height) for ax in axes]
        start = self.frame(**self.start)
        note = html.escape(start[self.note]) if self.note else ""
        script = asset("figure.js")
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<div class="agi-figure" id="{ident}" role="group" aria-label="{html.escape(self.title)}">'
            f"<style>{asset('figure.css')}</style>"
            f'<div class="agi-controls"></div>'
            f'<div class="agi-plot" role="img" aria-label="{html.escape(self.title)}">{svg}'
            f'<svg class="agi-marks" viewBox="0 0 {width:g} {height:g}" aria-hidden="true"></svg></div>'
            f"{self.readout.html(start, self.decimals)}"
            f'<p class="agi-note" aria-live="polite">{note}</p>'
            f'<script type="application/json" class="agi-data">{payload}</script>'
            f"<script>{script}\nAutogradFigures.mount(document.getElementById({json.dumps(ident)}));</script>"
            f"</div>"
        )


def asset(name):
    """A file of widgets/static/, as text."""
    return resources.files("widgets").joinpath("static", name).read_text()


def _svg(figure, salt):
    """The figure as inline SVG, the same bytes on every run."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": salt, "svg.id": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    return re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg class="agi-background" \1', svg, count=1)


def _axes_transform(ax, height):
    """Data → SVG coordinates of one axes (linear scales): X = a·x + b, Y = c·y + d."""
    (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    bbox = ax.bbox
    return {
        "x": [x1 - x0, x0],
        "y": [-(y1 - y0), height - y0],
        "clip": [bbox.x0, height - bbox.y1, bbox.width, bbox.height],
        "xlim": list(ax.get_xlim()),
        "ylim": list(ax.get_ylim()),
    }

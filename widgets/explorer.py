"""The core every interactive figure shares: one evaluation in Python, one renderer in the page.

An :class:`Explorer` is a spec (its controls, the marks that move, the readout of numbers) plus two
methods a figure fills in: ``evaluate``, the only place its numbers are computed (by torch
autograd), and ``draw``, which draws what does not move, with matplotlib. Python does only what
only it can do; the page's script (``static/figure.js``) draws everything that moves, in both views:

- **on the website**: the frames of every point of the controls' grid, computed when the notebook
  runs (:meth:`Explorer.table`), packed with the figure's data. No kernel, no network: it works
  from ``file://`` too.
- **in Jupyter**: an anywidget widget (:mod:`widgets.view`) running the same script on the same
  data, which also asks the kernel for any frame the table does not have (a typed value between
  grid points, or a grid too fine to tabulate): :meth:`Explorer.answer`.

Displaying an explorer gives one output bundle: the widget, which Jupyter shows; the figure's data
(:meth:`Explorer.figure`, JSON under :data:`widgets.page.MIME`), from which the website's build
makes the page (``_ext/figures.py``); a still picture (a PNG inside HTML that a sanitizer keeps, with
a sentence saying to run the cell) for places where no script runs; and
text/plain, the numbers at the starting point, which nbval checks. No output carries code: the
script and its style come from the package (:mod:`widgets.page`).
"""

import base64
import collections
import gzip
import hashlib
import html
import io
import itertools
import json
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from PIL import Image

from widgets import theme
from widgets.controls import Slider
from widgets.formats import fill, format_value
from widgets.marks import Graph
from widgets.page import MIME

#: Most frames a figure computes in advance, and most bytes (base64) they may take in its page. A
#: finer grid is thinned for the page (in Jupyter the kernel computes the values in between); the
#: book's figures stay under both.
TABLE_BUDGET = 20_000
TABLE_VALUES = 300_000  # frames × numbers per frame (a figure with a graph panel has many)
TABLE_BYTES = 160_000


def _shown(value, decimals):
    """The number the readout shows for `value` (NaN for "—")."""
    text = format_value(value, decimals)
    return math.nan if text == "—" else float(text)


def _channel_value(value, where, name):
    """A frame's value as a float or a str (booleans as "True"/"False"); anything else is a bug."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, str):
        return value
    if hasattr(value, "numel") and value.numel() == 1:  # a tensor
        value = value.item()
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"channel {name!r} at {where} is {value!r}: frames hold numbers and text")


@dataclass(frozen=True)
class Readout:
    """A table of numbers beside the figure: one row per quantity, cells naming channels.

    ``rows`` holds ``(label, channel, channel, …)`` tuples; ``header`` names the columns.
    """

    rows: tuple
    header: tuple = ()

    def spec(self):
        return {"header": list(self.header), "rows": [list(row) for row in self.rows]}

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
      controls   :class:`~widgets.controls.Slider` and :class:`~widgets.controls.Choice`
                 objects, in the order they appear
      marks      :mod:`widgets.marks` objects: what moves
      readout    a :class:`Readout`
      decimals   {channel: decimals} where a number is not shown with 4
      note       name of the text channel with a remark on the current frame
      panels     how many axes ``draw`` gets: side by side on a wide screen, stacked on a phone
      figsize    the wide layout's size in inches; ``narrow_figsize`` the phone's
    """

    title = ""
    controls = ()
    marks = ()
    readout = Readout(rows=())
    decimals = {}
    note = "note"
    panels = 1
    figsize = (8.0, 3.0)
    narrow_figsize = None  # (4.2, 2.7 per panel) unless set

    def evaluate(self, **values):
        """The frame at these control values: {channel: number or text}. Torch autograd only."""
        raise NotImplementedError

    def draw(self, axes):
        """Draw what does not move on `axes` (a list of ``panels`` matplotlib axes)."""
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------
    # Frames

    @property
    def start(self):
        return {control.name: control.value for control in self.controls}

    def where(self, values):
        """The control values in words: "x = 1.25, label y = 0"."""
        parts = []
        for c in self.controls:
            v = values[c.name]
            on_grid = isinstance(c, Slider) and abs(round((v - c.lo) / c.step) * c.step + c.lo - v) < 1e-9
            parts.append(f"{c.label} = {c.format(v) if on_grid else (f'{v:g}' if isinstance(c, Slider) else v)}")
        return ", ".join(parts)

    def frame(self, **values):
        """evaluate() at these values, every channel a float (float64) or a str."""
        where = self.where(values)
        frame = {name: _channel_value(v, where, name) for name, v in self.evaluate(**values).items()}
        frame.setdefault(self.note, "")
        return frame

    def safe_frame(self, values):
        """frame(), or where the figure's code raises, a frame of no numbers and a note saying why."""
        try:
            return self.frame(**values)
        except Exception as error:  # a reader's function may raise anything
            kinds = {name: isinstance(v, str) for name, v in self.frame(**self.start).items()}
            frame = {name: "" if text else math.nan for name, text in kinds.items()}
            frame[self.note] = f"Computing the frame at {self.where(values)} raised {type(error).__name__}: {error}"
            return frame

    def answer(self, request):
        """The kernel's answer to the page's script asking for a frame (see ``widgets.view``).

        ``request`` is {"view", "seq", "values"} as the script sends it; the answer echoes "view"
        and "seq" and holds either "frame" (numbers as JSON: NaN and infinities as null) or "error",
        a sentence for the figure's note. It never raises: a front end may send anything.
        """
        request = request if isinstance(request, dict) else {}
        answer = {"view": request.get("view"), "seq": request.get("seq")}
        try:
            values = self.parse(request.get("values"))
        except ValueError as error:
            return {**answer, "error": f"The kernel was asked for a frame it cannot compute: {error}."}
        frame = self.safe_frame(values)
        return {
            **answer,
            "values": values,
            "frame": {name: v if isinstance(v, str) or math.isfinite(v) else None for name, v in frame.items()},
        }

    def parse(self, values):
        """Control values sent by a front end, checked: ValueError says what is wrong."""
        if not isinstance(values, dict):
            raise ValueError(f"control values must be a mapping; got {values!r}")
        names = {c.name for c in self.controls}
        unknown = sorted(set(values) - names, key=str)
        if unknown:
            raise ValueError(f"this figure has no control named {', '.join(map(repr, unknown))}")
        missing = [c.label for c in self.controls if c.name not in values]
        if missing:
            raise ValueError(f"no value for {', '.join(missing)}")
        return {c.name: c.parse(values[c.name]) for c in self.controls}

    # ----------------------------------------------------------------------------------------
    # The table of frames the page carries

    def table_grids(self):
        """Each control's values in the table: its grid, thinned until the table fits the budgets of
        frames and of numbers. A slider keeps every k-th value of its grid (and its ends and
        starting value); the slider with the most values is thinned first."""
        grids = {c.name: c.grid for c in self.controls}
        numbers_ = sum(not isinstance(v, str) for v in self.frame(**self.start).values())
        while (frames := math.prod(map(len, grids.values()))) > TABLE_BUDGET or frames * numbers_ > TABLE_VALUES:
            grids = self._thinner(
                grids, lambda grid, c: _fewer(c.grid, grid, c.value, -(-len(c.grid) // len(grid)) + 1)
            )
        return grids

    def _thinner(self, grids, thin):
        """`grids` with the slider of most values thinned by `thin(grid, control)`, which gives fewer
        values every time (:func:`_fewer`): thinning ends, at worst with every slider at its start."""
        sliders = [c for c in self.controls if isinstance(c, Slider) and len(grids[c.name]) > 1]
        if not sliders:
            raise ValueError(f"{type(self).__name__}: its choices alone make too many frames for a page")
        widest = max(sliders, key=lambda c: len(grids[c.name]))
        return {**grids, widest.name: thin(grids[widest.name], widest)}

    def table(self):
        """Every frame of the table grids, packed for the page: gzip of float64, float32 and uint16
        arrays (base64): the sliders' values, then one array per channel, frames in row-major order
        over the controls. Choices list their values in "grids" as they are.

        A number channel is float32 only where every one of its frames reads the same as in
        float64; text channels are indexes into a list of their strings. Where the packed frames
        take more than TABLE_BYTES, the widest slider's values are halved until they do not.
        The page's script reads it (``tableSource`` in figure.js). Computed once per figure.
        """
        if "_table" not in self.__dict__:
            self._table = self._make_table()
        return self._table

    def frames(self):
        """{point: frame} at every point of the table grids (a point: the controls' values, in
        order), as the kernel computes them (float64): what :meth:`table` packs. Computed once."""
        if "_frames" not in self.__dict__:
            grids, names = self.table_grids(), [c.name for c in self.controls]
            self._frames = {p: self.safe_frame(dict(zip(names, p))) for p in itertools.product(*grids.values())}
        return self._frames

    def _make_table(self):
        grids = self.table_grids()
        computed = self.frames()
        while True:
            frames = [computed[point] for point in itertools.product(*grids.values())]
            table = {"frames": len(frames), **self._pack(frames, grids)}
            if len(table["packed"]) <= TABLE_BYTES:
                return table
            grids = self._thinner(grids, lambda grid, c: _fewer(grid, grid, c.value, 2))

    def _pack(self, frames, grids):
        first = frames[0]
        texts = [c for c in first if isinstance(first[c], str)]
        numbers_ = [c for c in first if c not in texts]
        wide, narrow = [], []
        for channel in numbers_:
            column = np.array([f[channel] for f in frames], dtype="<f8")
            decimals = self.decimals.get(channel, 4)
            # As shown (rounded to the digits the readout shows), in float32: exact where it reads
            # the same, and smooth columns of few digits compress well.
            with np.errstate(over="ignore"):
                shown = np.array([_shown(v, decimals) for v in column], dtype="<f4")
            if all(format_value(float(a), decimals) == format_value(float(b), decimals) for a, b in zip(shown, column)):
                narrow.append((channel, shown))
            else:
                wide.append((channel, column))
        channels, blocks, offset = {}, [], 0

        def add(name, spec, block):
            nonlocal offset
            channels[name] = {**spec, "offset": offset}
            blocks.append(block)
            offset += len(block)

        # Sliders' values (float64) first, then float64 channels, float32, uint16: each aligned.
        listed = {}
        for c in self.controls:
            if isinstance(c, Slider):
                add(c.name, {"kind": "f8"}, np.array(grids[c.name], dtype="<f8").tobytes())
            else:
                listed[c.name] = grids[c.name]
        values, channels = channels, {}
        for channel, column in wide:
            add(channel, {"kind": "f8"}, column.tobytes())
        for channel, column in narrow:
            add(channel, {"kind": "f4"}, column.tobytes())
        for channel in texts:
            column = [f[channel] for f in frames]
            strings = sorted(set(column))
            index = {s: i for i, s in enumerate(strings)}
            block = np.array([index[s] for s in column], dtype="<u2").tobytes()
            add(channel, {"kind": "text", "strings": strings}, block)
        packed = gzip.compress(b"".join(blocks), compresslevel=9, mtime=0)
        grids = {name: {**spec, "size": len(grids[name])} for name, spec in values.items()} | listed
        return {"grids": grids, "channels": channels, "packed": base64.b64encode(packed).decode("ascii")}

    # ----------------------------------------------------------------------------------------
    # What does not move: the background, in a wide and a narrow layout

    def layouts(self):
        """[(name, figsize, rows, columns)]: the wide layout puts panels side by side; the narrow
        one (phones, narrow notebook columns) stacks them, so text stays legible. None without
        panels (a figure of a graph only)."""
        if not self.panels:
            return []
        narrow = self.narrow_figsize or (4.2, 2.7 * self.panels)
        return [("wide", self.figsize, 1, self.panels), ("narrow", narrow, self.panels, 1)]

    def background(self, figsize, rows, columns, dpi=72, container=None):
        """What does not move, drawn by ``draw`` on `rows` × `columns` new axes: (figure, axes). The
        axes are made on `container` (a matplotlib figure or subfigure) if given."""
        figure = container or Figure(figsize=figsize, dpi=dpi, layout="constrained")
        axes = list(np.atleast_1d(figure.subplots(rows, columns, **self.shares(rows, columns))).flat)
        self.draw(axes)
        return figure, axes

    def shares(self, rows, columns):
        """How the axes share the room (``width_ratios``, ``height_ratios``); equal by default."""
        return {}

    def _stills(self, axes, frame, prefix):
        """Each mark drawn on the matplotlib axes, at `frame` (:meth:`widgets.marks.Mark.still`)."""
        for k, mark in enumerate(self.marks):
            if mark.axes is not None:
                mark.still(axes[mark.axes], frame, gid=f"{prefix}-{k}")

    # ----------------------------------------------------------------------------------------
    # The figure's data: what both views are made of, and what a notebook output carries

    def figure(self, table=True):
        """The figure as data (JSON): its spec, its starting frame, each layout's background (SVG,
        with the marks at the start drawn in, which the script hides) and, unless `table` is
        False, the table of frames. :func:`widgets.page.skeleton` makes its HTML."""
        ident = _identifier(self)
        start = self.frame(**self.start)
        layouts = []
        for name, figsize, rows, columns in self.layouts():
            figure, axes = self.background(figsize, rows, columns)
            self._stills(axes, start, f"{ident}-still-{name}")
            svg = _svg(figure, salt=f"{ident}-{name}")  # lays the figure out: transforms after it
            width, height = figure.bbox.width, figure.bbox.height  # points: SVG units
            layouts.append(
                {
                    "name": name,
                    "width": round(width, 2),
                    "height": round(height, 2),
                    "axes": [_axes_transform(ax, height) for ax in axes],
                    "background": svg,
                }
            )
        return {
            "id": ident,
            "kind": type(self).__name__,
            "title": self.title,
            "controls": [c.spec() for c in self.controls],
            "marks": [m.spec() for m in self.marks],
            "readout": self.readout.spec(),
            "decimals": dict(self.decimals),
            "note": self.note,
            "start": _json_frame(start),
            "layouts": layouts,
            "table": self.table() if table else None,
        }

    def widget(self, figure=None):
        """The Jupyter view: an anywidget widget running the page's script, with the kernel behind it."""
        from widgets.view import FigureWidget

        return FigureWidget(self, figure or self.figure())

    def still(self, dpi=96):
        """A still picture of the figure at its starting values, as PNG bytes: the wide layout, and
        under it each graph panel with backward done, for places where no script runs (a notebook
        opened without running it, GitHub's preview)."""
        start = self.frame(**self.start)
        layouts = self.layouts()
        graphs = [(mark, mark.layout(GRAPH_ROOM)) for mark in self.graphs]
        # One point per pixel of a graph's layout: its text is as large as on the page.
        sizes = [
            ((lay["width"] + 2 * mark.MARGIN) / 72, (lay["height"] + 2 * mark.MARGIN) / 72) for mark, lay in graphs
        ]
        plots = layouts[0][1] if layouts else (0.0, 0.0)
        width = max([plots[0], *(w for w, _ in sizes)])
        heights = [plots[1]] * bool(layouts) + [h for _, h in sizes]
        figure = Figure(figsize=(width, sum(heights)), dpi=dpi, layout="constrained")
        parts = figure.subfigures(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
        if layouts:
            _, _, rows, columns = layouts[0]
            _, axes = self.background(None, rows, columns, container=parts[0])
            self._stills(axes, start, "still")
        for part, (mark, layout), (w, _) in zip(parts[bool(layouts) :], graphs, sizes):
            ax = part.add_axes((0, 0, w / width, 1))
            mark.still(ax, start, gid="still", decimals=self.decimals, layout=layout)
        return _png(figure, dpi)

    # ----------------------------------------------------------------------------------------
    # Text, and the output bundle

    def text(self, values=None):
        values = values or self.start
        frame = self.frame(**values)
        lines = [f"{type(self).__name__}: {self.title}"]
        if self.controls:
            lines.append(f"At {self.where(values)}:")
        if self.readout.rows:
            lines.append(self.readout.text(frame, self.decimals))
        for mark in (m for m in self.graphs if m.sentences):
            lines.append(f"  {mark.title}, as backward visits it:")
            lines += [f"    {k}. {fill(s, frame, self.decimals)}" for k, s in enumerate(mark.sentences, 1)]
        if frame[self.note]:
            lines.append(f"  note: {frame[self.note]}")
        return "\n".join(lines)

    @property
    def graphs(self):
        return [mark for mark in self.marks if isinstance(mark, Graph)]

    def __repr__(self):
        return self.text()

    def caption(self):
        """One sentence under the still picture: what it shows, and that running the cell moves it."""
        steps = [mark for mark in self.graphs if len(mark.order) >= 2]
        if self.controls:
            what = "the numbers and the graph" if self.graphs else "the numbers"
            return (
                f"A still picture at the starting values ({self.where(self.start)}): "
                f"run this cell, then use the controls and watch {what} change."
            )
        if steps:
            return "A still picture of the graph, backward done: run this cell to step through backward node by node."
        return "A still picture of the graph: run this cell to draw it live."

    def still_html(self, png=None):
        """The still picture for places where no script runs, as HTML a sanitizer keeps (an image
        from a data: URL, a caption; no style, no script, no data-* attributes): what JupyterLab
        and Notebook 7 show for a chapter opened without running it, and GitHub, nbconvert, VS
        Code or Colab without a kernel. The widget's view, which ranks first, replaces it live."""
        png = base64.b64encode(png or self.still()).decode("ascii")
        alt = html.escape(self.title or "The figure", quote=True)
        return (
            f'<figure class="agi-still-figure"><img src="data:image/png;base64,{png}" alt="{alt}">'
            f"<figcaption><em>{html.escape(self.caption())}</em></figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        figure = self.figure()
        bundle, metadata = self.widget(figure)._repr_mimebundle_()
        bundle[MIME] = figure
        # The still picture once, inside its HTML (text/html outranks image/png in every front end).
        bundle["text/html"] = self.still_html()
        bundle["text/plain"] = self.text()
        return bundle, metadata


#: The width, in pixels, a still picture gives a graph laid out left to right before it stacks it.
GRAPH_ROOM = 760

_outputs = collections.Counter()


def _json_frame(frame):
    """A frame as strict JSON: numbers that are not finite become null (the script's "—")."""
    return {k: v if isinstance(v, str) or math.isfinite(v) else None for k, v in frame.items()}


def _every(grid, k, keep):
    """Every k-th value of `grid`, with its last value and `keep` (a slider's start)."""
    chosen = set(range(0, len(grid), k)) | {len(grid) - 1, grid.index(keep)}
    return [grid[i] for i in sorted(chosen)]


def _fewer(grid, current, keep, k):
    """Fewer values than `current` has (a part of `grid`, the slider's values, with `keep`, its
    start), always: every k-th value of `grid` with its ends and `keep`, or, where that keeps as
    many, every (k + 1)-th, …; that step made round (:func:`_round`) where a round one at most
    twice as coarse also gives fewer; past two ends and a start, `keep` and the end farther from
    it; then `keep` alone (on the page, that slider stays at its start)."""
    steps = range(max(k, 2), len(grid))
    first = next((step for step in steps if len(_every(grid, step, keep)) < len(current)), None)
    if first is not None:  # a round step instead, if one no more than twice as coarse does
        coarser = range(first, min(2 * first, len(grid) - 1) + 1)
        fewer = (_every(grid, step, keep) for step in coarser if _round(step))
        return next((f for f in fewer if len(f) < len(current)), _every(grid, first, keep))
    if len(current) > 2:
        return sorted({keep, max(grid[0], grid[-1], key=lambda end: abs(end - keep))})
    return [keep]


def _round(k):
    """Whether every k-th value of a slider makes a step a reader finds round: 2, 4, 5, 10, 20, 25,
    40, 50, … times the slider's own (0.1 → 0.4, not 0.3; 0.05 → 0.25, not 0.15)."""
    return str(k).rstrip("0") in {"1", "2", "25", "4", "5"}


def _identifier(explorer):
    """An id for one output of a figure: the same on every run of a notebook, and unique on its page
    (the n-th output of the same figure in this kernel gets -n)."""
    spec = json.dumps([type(explorer).__name__, explorer.title, [c.spec() for c in explorer.controls]], sort_keys=True)
    digest = hashlib.sha1(spec.encode()).hexdigest()[:10]
    _outputs[digest] += 1
    return f"agi-{digest}-{_outputs[digest]}"


def _png(figure, dpi, colors=64):
    """The figure as a PNG of at most `colors` colours: a plot has few, and the file is a third."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    image = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _svg(figure, salt):
    """The figure as inline SVG: the same bytes on every run, text as text, colours themed, and
    nothing a page needs twice (ids are matplotlib's salted ones only, fonts come from CSS)."""
    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": salt, "svg.id": salt, "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's one rule, *{stroke-linejoin: round; stroke-linecap: butt}: in a page it would
    # reach every element of it (figure.css has it for the backgrounds alone).
    svg = re.sub(r"<defs>\s*<style[^>]*>\*\{[^}]*\}</style>\s*</defs>\s*", "", svg, count=1)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg class="agi-background" \1', svg, count=1)
    # Ids: keep those something refers to (salted, so unique on the page); the stills' become a
    # class; matplotlib's own ("figure_1", "axes_1", …) would repeat in every figure of a page.
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)) | {salt}
    svg = re.sub(r' id="[^"]*-still-[^"]*"', ' class="agi-still"', svg)
    svg = re.sub(r' id="([^"]*)"', lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)  # the page's CSS sets the font
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)
    # Hundredths of a point are plenty (attributes only: text keeps its digits).
    svg = re.sub(r'="[^"]*"', lambda m: re.sub(r"(\d\.\d\d)\d+", r"\1", m.group(0)), svg)
    svg = re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", svg))
    return theme.themed(svg)


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

"""What moves in a figure: marks, each drawn from a frame's numbers.

A mark kind is written in two places, one per language, and nowhere else:

- here, its spec (which channels of a frame it is drawn from, on which axes, in which colour of
  the palette, :mod:`widgets.theme`, and how big) and its still drawing with matplotlib
  (:meth:`Mark.still`), the mark at the figure's starting frame, for readers with no script:
  the website without JavaScript, and a notebook's still picture;
- in ``widgets/static/figure.js`` (``MARKS``, under the same kind name), its drawing from every
  frame a reader asks for, in Jupyter and on the website, in the background's data coordinates.

A mark whose numbers are not finite is not drawn (a :class:`Line` skips those points).

A mark's colour is a meaning of the palette (:data:`widgets.theme.MEANINGS`: "current", "tangent",
"gradient", …), and the readout's rows of the numbers it draws (:meth:`Mark.shows`) take its colour.
A position may be a channel's name or a fixed number (:class:`Arrow`, :class:`Label`).
"""

import math
from dataclasses import asdict, dataclass

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from widgets.formats import fill
from widgets.theme import color


def _line_style(dashed):
    """matplotlib's line style of a mark: dashed 4 on, 3 off (figure.js: `dash`), or solid."""
    return (0, (4, 3)) if dashed else "-"


def _number(frame, channel):
    """frame[channel] as a float, NaN where it is missing, text or not finite; a number stands for itself."""
    value = float(channel) if isinstance(channel, (int, float)) else frame.get(channel)
    return value if isinstance(value, float) and math.isfinite(value) else math.nan


class Mark:
    """What every mark shares: its spec for the page's script is its fields, named by its kind."""

    #: On which of the figure's matplotlib axes it is drawn (None: a panel of its own).
    axes = 0

    def spec(self):
        return {"kind": type(self).__name__.lower(), **asdict(self), "shows": list(self.shows())}

    def shows(self):
        """The channels whose numbers the mark draws: their rows in the readout take its colour."""
        return ()

    def still(self, ax, frame, gid):
        """Draw the mark at `frame` on `ax`, with matplotlib; `gid` names what it draws, so that the
        page's script can hide it once it draws the mark itself (figure.css: ``agi-still``)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Point(Mark):
    """A dot at (frame[x], frame[y])."""

    x: str
    y: str
    axes: int = 0
    color: str = "current"
    size: float = 8.0  # diameter, in points

    def shows(self):
        return (self.y,)

    def still(self, ax, frame, gid):
        x, y = _number(frame, self.x), _number(frame, self.y)
        if math.isfinite(x + y):
            ax.plot([x], [y], "o", color=color(self.color), markersize=self.size, zorder=5, gid=gid)


@dataclass(frozen=True)
class Tangent(Mark):
    """The line through (frame[x], frame[y]) with slope frame[slope], across the whole axes, or
    `span` either side of x (in x's units) if span is given: short, it leaves the curve and the
    axes' text around the point in sight."""

    x: str
    y: str
    slope: str
    axes: int = 0
    color: str = "tangent"
    width: float = 2.0
    span: float = 0.0

    def shows(self):
        return (self.slope,)

    def still(self, ax, frame, gid):
        x, y, slope = (_number(frame, c) for c in (self.x, self.y, self.slope))
        if not math.isfinite(x + y + slope):
            return
        style = {"color": color(self.color), "linewidth": self.width, "zorder": 4, "gid": gid}
        if self.span:
            ends = (x - self.span, x + self.span)
            ax.plot(ends, [y + slope * (t - x) for t in ends], solid_capstyle="round", **style)
        else:
            ax.axline((x, y), slope=slope, **style)


@dataclass(frozen=True)
class Bars(Mark):
    """Bars at fixed positions, as tall as frame[height] for each height channel."""

    heights: tuple
    positions: tuple
    axes: int = 0
    color: str = "value"
    width: float = 0.6

    def shows(self):
        return tuple(self.heights)

    def still(self, ax, frame, gid):
        heights = [h if math.isfinite(h) else 0.0 for h in (_number(frame, c) for c in self.heights)]
        bars = ax.bar(self.positions, heights, width=self.width, color=color(self.color), zorder=3)
        for k, patch in enumerate(bars):
            patch.set_gid(f"{gid}-{k}")


@dataclass(frozen=True)
class Label(Mark):
    """Text at (x, y) in data coordinates (each a number, or a channel), reading frame[text]; with `box` (width, height in
    data units), in a box edged in the colour `edge` (dashed if `dashed`). No text, no box."""

    text: str
    x: object
    y: object
    axes: int = 0
    color: str = "label"
    size: float = 10.0
    box: tuple = ()
    edge: str = "axis"
    dashed: bool = False

    def __post_init__(self):
        object.__setattr__(self, "box", tuple(self.box))

    def still(self, ax, frame, gid):
        text, x, y = str(frame.get(self.text, "")), _number(frame, self.x), _number(frame, self.y)
        if not text or not math.isfinite(x + y):
            return
        if self.box:
            w, h = self.box
            ax.add_patch(
                FancyBboxPatch(
                    (x - w / 2, y - h / 2),
                    w,
                    h,
                    boxstyle="square,pad=0",
                    facecolor=color("box"),
                    edgecolor=color(self.edge),
                    linewidth=1.6,
                    linestyle=_line_style(self.dashed),
                    zorder=5,
                    gid=gid,
                )
            )
        ax.text(
            x,
            y,
            text,
            color=color(self.color),
            fontsize=self.size,
            ha="center",
            va="center",
            zorder=6,
            gid=gid,
        )


@dataclass(frozen=True)
class Arrow(Mark):
    """An arrow from (x, y) to (x + scale·dx, y + scale·dy), its head at the end; each of x, y, dx,
    dy a channel or a fixed number. Not drawn where one is not finite (a channel can hide it)."""

    x: object
    y: object
    dx: object
    dy: object
    axes: int = 0
    color: str = "gradient"
    width: float = 2.0
    scale: float = 1.0
    dashed: bool = False

    def shows(self):
        return tuple(c for c in (self.dx, self.dy) if isinstance(c, str))

    def ends(self, frame):
        """((x0, y0), (x1, y1)) in data coordinates, or None where the arrow is not drawn."""
        x, y, dx, dy = (_number(frame, c) for c in (self.x, self.y, self.dx, self.dy))
        if not math.isfinite(x + y + dx + dy):
            return None
        return (x, y), (x + self.scale * dx, y + self.scale * dy)

    def still(self, ax, frame, gid):
        ends = self.ends(frame)
        if ends is not None:
            ax.add_patch(
                FancyArrowPatch(
                    *ends,
                    arrowstyle="-|>",
                    mutation_scale=12,
                    shrinkA=0,
                    shrinkB=0,
                    color=color(self.color),
                    linewidth=self.width,
                    linestyle=_line_style(self.dashed),
                    zorder=5,
                    gid=gid,
                )
            )


@dataclass(frozen=True)
class Line(Mark):
    """A polyline through the points (frame[xs[k]], frame[ys[k]]), in order: a curve or
    a path. A point whose channel is missing from the frame or is not a finite number is skipped,
    so a line can grow point by point (its later channels NaN until they are reached)."""

    xs: tuple
    ys: tuple
    axes: int = 0
    color: str = "value"
    width: float = 1.8
    size: float = 0.0  # diameter of a dot at each point, in points; 0 for none
    dashed: bool = False

    def __post_init__(self):
        if len(self.xs) != len(self.ys):
            raise ValueError(f"a Line needs as many x channels as y channels; got {len(self.xs)} and {len(self.ys)}")
        object.__setattr__(self, "xs", tuple(self.xs))
        object.__setattr__(self, "ys", tuple(self.ys))

    def still(self, ax, frame, gid):
        points = [(_number(frame, x), _number(frame, y)) for x, y in zip(self.xs, self.ys)]
        points = [(x, y) for x, y in points if math.isfinite(x + y)]
        if points:
            xs, ys = zip(*points)
            ax.plot(
                xs,
                ys,
                marker="o" if self.size else None,
                color=color(self.color),
                linewidth=self.width,
                linestyle=_line_style(self.dashed),
                markersize=self.size,
                solid_joinstyle="round",
                solid_capstyle="round",
                zorder=4,
                gid=gid,
            )


@dataclass(frozen=True)
class Graph(Mark):
    """PyTorch's recorded graph (:mod:`widgets.graph`), drawn in a panel of its own: boxes and
    edges in two layouts (``right``: left to right; ``down``: top to bottom, for narrow screens),
    each also with the boxes' details (flags, saved values: on the reader's request; never in the
    still), edges as cubic Bézier segments end to end, routed around the boxes,
    what they say as templates over the frame's channels, and the order in which backward visits
    the nodes, which the reader can step through (on the page)."""

    nodes: tuple
    layouts: tuple
    order: tuple
    sentences: tuple
    text: dict  # where a box's lines go: {"pad", "baseline", "line"}, in pixels
    title: str = "The graph autograd recorded"
    axes: int = None  # not drawn on the matplotlib axes

    #: The graph's text, in points when the still is drawn at one point per pixel of the layout.
    FONT, EDGE_FONT, MARGIN = 12.0, 11.5, 6.0

    def layout(self, width):
        """The layout a panel `width` pixels wide shows, saved values left out: left to right if it
        fits, else top to bottom."""
        plain = [lay for lay in self.layouts if not lay.get("details")]
        return next((lay for lay in plain if lay["width"] + 2 * self.MARGIN <= width), plain[-1])

    def still(self, ax, frame, gid, decimals=None, layout=None):
        """The graph after backward, as the page draws it with every step done, on `ax`: one
        unit of its data coordinates is a pixel of the layout (the caller sizes the axes)."""
        layout = layout or self.layout(math.inf)
        m = self.MARGIN
        ax.set_xlim(-m, layout["width"] + m)
        ax.set_ylim(layout["height"] + m, -m)
        ax.set_axis_off()
        for edge in layout["edges"]:
            points = list(zip(edge["curve"][::2], edge["curve"][1::2]))  # cubic Bézier segments, end to end
            curve = Path(points, [Path.MOVETO] + [Path.CURVE4] * (len(points) - 1))
            arrow = FancyArrowPatch(
                path=curve, arrowstyle="-|>", mutation_scale=10, color=color("axis"), linewidth=1.4, gid=gid
            )
            ax.add_patch(arrow)
            if edge["sent"] and edge["label"]:
                x, y, anchor = edge["label"]
                ax.text(
                    x,
                    y,
                    edge["arrow"] + fill(f"{{{edge['sent']}}}", frame, decimals),
                    color=color("gradient"),
                    fontsize=self.EDGE_FONT,
                    family="monospace",
                    ha={"middle": "center", "start": "left"}[anchor],
                    va="baseline",
                    bbox={"boxstyle": "square,pad=0.05", "facecolor": color("halo"), "linewidth": 0},
                    gid=gid,
                )
        for node in self.nodes:
            x, y, w, h = layout["boxes"][node["id"]]
            ax.add_patch(
                FancyBboxPatch(
                    (x, y),
                    w,
                    h,
                    boxstyle="round,pad=0,rounding_size=6",
                    facecolor=color("box"),
                    edgecolor=color("leaf" if node["kind"] == "leaf" else "axis"),
                    linewidth=1.6 if node["kind"] == "leaf" else 1.2,
                    linestyle="--" if node["kind"] == "more" else "-",
                    gid=gid,
                )
            )
            for k, line in enumerate(node["lines"]):
                ax.text(
                    x + self.text["pad"],
                    y + self.text["pad"] + self.text["baseline"] + self.text["line"] * k,
                    fill(line, frame, decimals),
                    color=color("ink"),
                    fontsize=self.FONT,
                    family="monospace",
                    va="baseline",
                    gid=gid,
                )


@dataclass(frozen=True)
class Ellipse(Mark):
    """The image of a circle of radius `radius` under a 2 × 2 matrix, centred at (x, y): the points
    (x, y) + radius · M · (cos t, sin t) for t around the circle, M = [[xx, xy], [yx, yy]]. Each of
    x, y and the four entries a channel or a fixed number (the identity draws the circle itself);
    a handful of channels per frame, however finely it is drawn. Not drawn where one is not finite."""

    x: object
    y: object
    xx: object
    xy: object
    yx: object
    yy: object
    radius: float = 1.0
    axes: int = 0
    color: str = "tangent"
    width: float = 2.0
    dashed: bool = False

    #: How many points the curve is drawn through (figure.js: the same).
    POINTS = 72

    def shows(self):
        return tuple(c for c in (self.xx, self.xy, self.yx, self.yy) if isinstance(c, str))

    def points(self, frame):
        """The closed curve's points in data coordinates, or None where it is not drawn."""
        x, y, xx, xy, yx, yy = (_number(frame, c) for c in (self.x, self.y, self.xx, self.xy, self.yx, self.yy))
        if not math.isfinite(x + y + xx + xy + yx + yy):
            return None
        turns = [2 * math.pi * k / self.POINTS for k in range(self.POINTS + 1)]
        r = self.radius
        return [
            (x + r * (xx * math.cos(t) + xy * math.sin(t)), y + r * (yx * math.cos(t) + yy * math.sin(t)))
            for t in turns
        ]

    def still(self, ax, frame, gid):
        points = self.points(frame)
        if points is not None:
            xs, ys = zip(*points)
            ax.plot(
                xs,
                ys,
                color=color(self.color),
                linewidth=self.width,
                linestyle=_line_style(self.dashed),
                solid_joinstyle="round",
                zorder=4,
                gid=gid,
            )

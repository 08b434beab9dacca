"""What moves in a figure: marks, each drawn from a frame's numbers by the page's script.

A mark here is its spec and nothing else: which channels of a frame (see :mod:`widgets.explorer`)
it is drawn from, on which axes, in which colour of the palette (:mod:`widgets.theme`), and how
big. ``widgets/static/figure.js`` draws every kind, in Jupyter and on the website, in the
background's data coordinates; a mark whose numbers are not finite is not drawn (a :class:`Line`
skips those points).
"""

from dataclasses import asdict, dataclass


class Mark:
    """What every mark shares: its spec for the page's script is its fields, named by its kind."""

    def spec(self):
        return {"kind": type(self).__name__.lower(), **asdict(self)}


@dataclass(frozen=True)
class Point(Mark):
    """A dot at (frame[x], frame[y])."""

    x: str
    y: str
    axes: int = 0
    color: str = "c3"
    size: float = 8.0  # diameter, in points


@dataclass(frozen=True)
class Tangent(Mark):
    """The line through (frame[x], frame[y]) with slope frame[slope], across the whole axes."""

    x: str
    y: str
    slope: str
    axes: int = 0
    color: str = "c1"
    width: float = 2.0


@dataclass(frozen=True)
class Bars(Mark):
    """Bars at fixed positions, as tall as frame[height] for each height channel."""

    heights: tuple
    positions: tuple
    axes: int = 0
    color: str = "c0"
    width: float = 0.6


@dataclass(frozen=True)
class History(Mark):
    """The values frame[value] took after each click of a counter's buttons, as a line of dots.

    The figure keeps the list; moving any other control starts it anew.
    """

    value: str
    axes: int = 0
    color: str = "c2"
    size: float = 7.0


@dataclass(frozen=True)
class Label(Mark):
    """Text at a fixed place in data coordinates, reading frame[text]."""

    text: str
    x: float
    y: float
    axes: int = 0
    color: str = "label"
    size: float = 10.0


@dataclass(frozen=True)
class Line(Mark):
    """A polyline through the points (frame[xs[k]], frame[ys[k]]), in order: a curve, a history or
    a path. A point whose channel is missing from the frame or is not a finite number is skipped,
    so a line can grow point by point (its later channels NaN until they are reached)."""

    xs: tuple
    ys: tuple
    axes: int = 0
    color: str = "c0"
    width: float = 1.8
    size: float = 0.0  # diameter of a dot at each point, in points; 0 for none

    def __post_init__(self):
        if len(self.xs) != len(self.ys):
            raise ValueError(f"a Line needs as many x channels as y channels; got {len(self.xs)} and {len(self.ys)}")
        object.__setattr__(self, "xs", tuple(self.xs))
        object.__setattr__(self, "ys", tuple(self.ys))


@dataclass(frozen=True)
class Graph(Mark):
    """PyTorch's recorded graph (:mod:`widgets.graph`), drawn in a panel of its own: boxes and
    edges in two layouts, what they say as templates over the frame's channels, and the order in
    which backward visits the nodes, which the reader can step through."""

    nodes: tuple
    layouts: tuple
    order: tuple
    sentences: tuple
    title: str = "The graph autograd recorded"
    axes: int = None  # not drawn on the matplotlib axes

"""What moves in a figure: marks drawn from a frame's numbers, in both views.

Each mark names the channels (numbers of a frame, see :mod:`widgets.explorer`) it is drawn from.
The live view turns a mark into matplotlib artists and updates them in place; the static view
sends ``spec()`` to the page's script (``widgets/static/figure.js``), which draws the same mark
in SVG in the same data coordinates. A mark whose numbers are not finite is hidden.
"""

import math
from dataclasses import asdict, dataclass

from matplotlib.colors import to_hex

COLORS = {"point": "C3", "tangent": "C1", "bars": "C0", "history": "C2"}


def _finite(*values):
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


class Mark:
    """What every mark shares: its spec for the page's script is its fields, named by its kind."""

    def spec(self):
        return {"kind": type(self).__name__.lower(), **asdict(self), "color": to_hex(self.color)}


@dataclass(frozen=True)
class Point(Mark):
    """A dot at (frame[x], frame[y])."""

    x: str
    y: str
    axes: int = 0
    color: str = COLORS["point"]
    size: float = 8.0  # diameter in points, as matplotlib's markersize

    def artist(self, axes):
        (line,) = axes[self.axes].plot([], [], "o", color=self.color, markersize=self.size, zorder=5)
        return line

    def update(self, artist, frame, state):
        x, y = frame[self.x], frame[self.y]
        artist.set_data(([x], [y]) if _finite(x, y) else ([], []))


@dataclass(frozen=True)
class Tangent(Mark):
    """The line through (frame[x], frame[y]) with slope frame[slope], across the whole axes."""

    x: str
    y: str
    slope: str
    axes: int = 0
    color: str = COLORS["tangent"]
    width: float = 2.0

    def artist(self, axes):
        (line,) = axes[self.axes].plot([], [], "-", color=self.color, linewidth=self.width, zorder=4)
        return line

    def update(self, artist, frame, state):
        x, y, m = frame[self.x], frame[self.y], frame[self.slope]
        if not _finite(x, y, m):
            artist.set_data([], [])
            return
        lo, hi = artist.axes.get_xlim()
        artist.set_data([lo, hi], [y + m * (lo - x), y + m * (hi - x)])


@dataclass(frozen=True)
class Bars(Mark):
    """Bars at fixed positions, as tall as frame[height] for each height channel."""

    heights: tuple
    positions: tuple
    axes: int = 0
    color: str = COLORS["bars"]
    width: float = 0.6

    def artist(self, axes):
        return axes[self.axes].bar(self.positions, [0] * len(self.positions), width=self.width,
                                   color=self.color, zorder=3)

    def update(self, artist, frame, state):
        for rectangle, channel in zip(artist.patches, self.heights):
            height = frame[channel]
            rectangle.set_height(height if _finite(height) else 0)


@dataclass(frozen=True)
class History(Mark):
    """The values frame[value] took after each click of a counter's buttons, as a line of dots.

    The figure keeps the list (``state["history"]``); moving any other control starts it anew.
    """

    value: str
    axes: int = 0
    color: str = COLORS["history"]
    size: float = 7.0

    def artist(self, axes):
        (line,) = axes[self.axes].plot([], [], "-o", color=self.color, markersize=self.size,
                                       linewidth=1.5, zorder=5)
        return line

    def update(self, artist, frame, state):
        history = state.get("history", [])
        artist.set_data(range(len(history)), history)


@dataclass(frozen=True)
class Label(Mark):
    """Text at a fixed place in data coordinates, reading frame[text]."""

    text: str
    x: float
    y: float
    axes: int = 0
    color: str = "#222222"
    size: float = 11.0

    def artist(self, axes):
        return axes[self.axes].text(self.x, self.y, "", color=self.color, fontsize=self.size,
                                    ha="center", va="center", zorder=6)

    def update(self, artist, frame, state):
        artist.set_text(str(frame[self.text]))

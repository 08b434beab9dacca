"""What a reader controls in a figure: sliders over a grid, choices, and a step counter.

A control knows its grid (every value the website's static view has precomputed), its starting
value, and how to bring a typed value back into range. Both views, live and static, use the same
controls, so they offer the same values and say the same thing about out-of-range input.
"""

from dataclasses import dataclass, field


def _decimals(step):
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Slider:
    """A number between `lo` and `hi`, in steps of `step`, starting at `value`."""

    name: str
    label: str
    lo: float
    hi: float
    step: float
    value: float

    def __post_init__(self):
        if not self.lo < self.hi or self.step <= 0:
            raise ValueError(f"slider {self.name}: needs lo < hi and step > 0")
        if round((self.hi - self.lo) / self.step, 6) % 1:
            raise ValueError(f"slider {self.name}: (hi - lo) must be a whole number of steps")
        if self.snap(self.value) != self.value:
            raise ValueError(f"slider {self.name}: start value {self.value} is not on the grid")

    @property
    def decimals(self):
        return _decimals(self.step)

    @property
    def grid(self):
        n = round((self.hi - self.lo) / self.step)
        return [round(self.lo + i * self.step, self.decimals) for i in range(n + 1)]

    def snap(self, value):
        """The grid value nearest to `value` (clamped into range)."""
        clamped = min(max(value, self.lo), self.hi)
        return round(self.lo + round((clamped - self.lo) / self.step) * self.step, self.decimals)

    def format(self, value):
        return f"{value:.{self.decimals}f}"

    def check(self, value):
        """(grid value to use, note for the reader or None) for a value a reader typed.

        Out-of-range values are clamped, values between steps go to the nearest step (the website
        has values computed at the steps only), and both are said.
        """
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = float("nan")
        if value != value:  # NaN, or not a number at all
            return self.value, f"{self.label} must be a number: using {self.format(self.value)}."
        used = self.snap(value)
        if value < self.lo or value > self.hi:
            return used, (
                f"{self.label} = {value:g} is outside {self.format(self.lo)} … {self.format(self.hi)}:"
                f" using {self.format(used)}."
            )
        if abs(used - value) > 1e-9:
            return used, f"{self.label} moves in steps of {self.format(self.step)}: using {self.format(used)}."
        return used, None

    def spec(self):
        return {"kind": "slider", "name": self.name, "label": self.label, "lo": self.lo, "hi": self.hi,
                "step": self.step, "value": self.value, "decimals": self.decimals, "grid": self.grid}


@dataclass(frozen=True)
class Choice:
    """One of a few named options, shown as radio buttons."""

    name: str
    label: str
    options: tuple  # ((value, label), ...)
    value: str = None

    def __post_init__(self):
        if self.value is None:
            object.__setattr__(self, "value", self.options[0][0])

    @property
    def grid(self):
        return [value for value, _ in self.options]

    def spec(self):
        return {"kind": "choice", "name": self.name, "label": self.label,
                "options": [list(o) for o in self.options], "value": self.value, "grid": self.grid}


@dataclass(frozen=True)
class Counter:
    """A count of actions since the last reset, driven by buttons: 0, 1, …, `limit`.

    `buttons` maps a button's label to what it does: "+1" adds one (up to `limit`), "reset" goes
    back to 0. The figure's history records the count after every click.
    """

    name: str
    label: str
    limit: int
    buttons: tuple = field(default=())  # ((label, "+1" | "reset"), ...)
    value: int = 0

    @property
    def grid(self):
        return list(range(self.limit + 1))

    def after(self, count, action):
        """(new count, note or None) after a button's action."""
        if action == "reset":
            return 0, None
        if count >= self.limit:
            return count, f"This figure keeps at most {self.limit} steps: reset to go on."
        return count + 1, None

    def spec(self):
        return {"kind": "counter", "name": self.name, "label": self.label, "limit": self.limit,
                "buttons": [list(b) for b in self.buttons], "value": self.value, "grid": self.grid}
